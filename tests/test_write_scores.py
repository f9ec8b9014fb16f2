"""The scores a submitted 自评表 prints, and the 评分说明 of the working paper.

A rule set scores every 自评表 (:func:`jixiao.calc.scoring.score_project`, ``score_department``);
the report prints only what it can stand behind: a row's 分值 must be approved (written in the
目标表 — the rule set's own even split is an assumption, kept in the working paper as a reference),
a row the rules cannot score reads “未计分”, and a 总分/合计 is printed only when it adds up every
row. Seeds 001 and 003 left their 分值 blank; seed 004's department has Hunan's 2018 rules, which
cover part of its table.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from jixiao.calc.scoring import score_project
from jixiao.ingest.files import read_files
from jixiao.model import Dataset
from jixiao.write import RowScore, SelfEvalScores, reports_for, score_tables, write_report
from jixiao.write.report import Grid
from jixiao.write.scores import has_department_rules, self_eval_scores
from jixiao.write.tables import NOT_SCORED

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
RULE_ID = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


def dataset(name: str) -> Dataset:
    result = read_files([EXAMPLES / "units.yaml", EXAMPLES / name])
    assert result.ok and result.dataset is not None
    return result.dataset


def cells(g: Grid) -> dict[tuple[int, int], str]:
    return {(c.row, c.col): c.text for c in g.cells}


def sheet_text(path: Path, sheet: str) -> list[list[str]]:
    ws = load_workbook(path)[sheet]
    return [[str(c.value) if c.value is not None else "" for c in row] for row in ws.iter_rows()]


def test_seed_001_table_without_approved_weights_is_not_scored(tmp_path: Path) -> None:
    paths = write_report(dataset("001_xinjiang_2019.yaml"), "650000-01", 2019, tmp_path, ("docx",))
    report = next(r for r in reports_for(dataset("001_xinjiang_2019.yaml"), "650000-01", 2019, charts=False)
                  if r.kind == "project")
    form = cells(next(g for g in report.grids() if g.key == "self_eval"))
    # 预算执行率: its 10 分 is 财预〔2020〕10号's, so it is scored: min(86.38%, 100%) × 10
    assert (form[(3, 7)], form[(3, 8)], form[(3, 9)]) == ("10", "86.38%", "8.64")
    rows = range(10, 19)
    assert [form[(r, 6)] for r in rows] == [""] * 9  # no 分值 invented (not 3.34/3.33)
    assert [form[(r, 7)] for r in rows] == [NOT_SCORED] * 9
    assert (form[(19, 6)], form[(19, 7)], form[(19, 8)]) == ("", NOT_SCORED, "")  # never a partial total
    # the working paper explains it, with the rule set's own even split as a reference only
    paper = next(p for p in paths if p.name.endswith("项目_自治区本级医疗生育保险基金支出_审核底稿.xlsx"))
    lines = sheet_text(paper, "评分说明")
    # one 评分表 in a project's paper: named once above the rows (not a column repeating it)
    assert lines[1][0].startswith("（自治区本级医疗生育保险基金支出自评表；规则集：")
    budget = next(r for r in lines if r[1] == "预算执行率")
    assert "全年执行数 289724万元 ÷ 全年预算数 335412万元 = 86.38%" in budget[3] and budget[3].endswith("8.64")
    assert budget[2].startswith("预算执行率得分（依据：财预〔2020〕10号")
    # the engine's notation said in words: no min(…), no “可改为 proportional”, no “依据：：”
    assert "（86.38%与100%中的较小者）" in budget[3]
    assert not [v for r in lines for v in r if re.search(r"min\(|[a-z]{4,}|：：", v)]
    upfang = next(r for r in lines if r[1].endswith("上访率"))
    assert upfang[2].startswith("反向指标（≤、<）（依据：")
    reference = next(r for r in lines if r[1] == "参考总分")
    assert "总分为98.64（满分100），等级“优”" in reference[3] and "报告中未采用" in reference[3]
    assert any(r[1] == "提示" and "9595人" in r[3] and "1.53 倍" in r[3] for r in lines)  # target set too low
    assert not [v for r in lines for v in r if RULE_ID.search(v)]  # rules by name, never by id
    todo = sheet_text(paper, "待填写和待核实事项")
    assert any("自评表三级指标的分值和得分" in r[3] for r in todo)


def test_seed_003_under_sichuan_tables_without_scores() -> None:
    ds = dataset("003_miyi_2019.yaml")
    reports = reports_for(ds, "510421-01", 2019, charts=False, rules="sichuan")
    dept = next(r for r in reports if r.kind == "department")
    # the 四川 部门决算 prints each project's 项目绩效目标完成情况表: 预期/实际 指标值, no 分值 or 得分
    forms = [g for g in dept.grids() if g.key.startswith("completion_")]
    assert len(forms) == 3 and all(g.n_cols == 6 for g in forms)
    assert not any("得分" in c.text for g in forms for c in g.cells)
    # the project reports' 财预〔2020〕10号 tables: no approved 分值, so not scored; the scorer's full
    # reading stays in each working paper
    references = []
    for report in (r for r in reports if r.kind == "project"):
        at = cells(next(g for g in report.grids() if g.key == "self_eval"))
        last = max(r for r, _ in at)
        assert at[(last, 7)] == NOT_SCORED
        paper = report.workpaper
        assert paper is not None
        scoring = next(g for g in paper.sheets if g.key == "scoring")
        texts = [c.text for c in scoring.cells]
        references.append(next(t for t in texts if t.startswith("若按一级指标分值平均分配")))
        if report.title.startswith("财政代缴"):
            assert any("5.56 × 13297 ÷ 18067 = 4.09" in t for t in texts)
            assert any("未填写实际完成值，得 0 分" in t for t in texts)
    assert sorted(re.search(r"总分为([\d.]+)", t).group(1) for t in references) == ["100", "100", "82.43"]


def test_department_scored_by_hunan_prints_its_rows_but_no_partial_total(tmp_path: Path) -> None:
    ds = dataset("004_yiyang_2020.yaml")
    assert has_department_rules("hunan") and not has_department_rules("default")
    paths = write_report(ds, "430900", 2020, tmp_path, ("xlsx", "html"), rules="hunan", charts=False)
    xlsx = next(p for p in paths if p.name == "430900_2020_部门整体支出绩效自评报告.xlsx")
    ws = load_workbook(xlsx)["部门整体支出绩效自评表"]
    rows = {ws.cell(r, 3).value: (ws.cell(r, 5).value or "", ws.cell(r, 6).value) for r in range(4, ws.max_row + 1)}
    assert rows["在职人员控制率"] == ("8", "8")
    assert rows["预算完成率"] == ("8", "7.48")  # 98.70%: 1.30 points short, 2 per 5 points
    assert rows["追加预算占年初预算比"] == ("8", "0")  # 45.33% > 30%
    assert rows["运行成本控制率"] == ("", NOT_SCORED)  # no rule: not scored
    assert "预算控制率" in rows and "预算控制率（湖南口径）" not in rows  # the registry's qualifier stays out
    total = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, 1).value == "合计")
    assert (ws.cell(total, 5).value or "", ws.cell(total, 6).value) == ("", NOT_SCORED)  # not 15.48 of 24
    paper = next(p for p in paths if p.name == "430900_2020_部门整体支出绩效自评报告_审核底稿.xlsx")
    text = "\n".join(v for row in sheet_text(paper, "评分说明") for v in row)
    assert "“三公经费”变动率" in text and "未计分" in text and "7.4817，四舍五入为 7.48" in text
    assert "规则未覆盖整张评分表，表中不计总分" in text
    html = next(p for p in paths if p.name == "430900_2020_部门整体支出绩效自评报告.html").read_text(encoding="utf-8")
    assert "评分说明" not in html and "threshold_deduction" not in html and "staff_control_score" not in html
    # the text states the unit's own 自评得分 as entered; the table adds nothing up that could contradict it
    assert "自评得分99.9分" in html and "15.48" not in html


def test_default_rules_have_no_department_scores_and_keep_its_self_score() -> None:
    ds = dataset("004_yiyang_2020.yaml")
    assert "department" not in score_tables(ds, "430900", 2020, "default")
    dept = next(r for r in reports_for(ds, "430900", 2020, charts=False, rules="default") if r.kind == "department")
    at = cells(next(g for g in dept.grids() if g.key == "department_self_eval"))
    last = next(r for (r, c), v in at.items() if c == 0 and v == "合计")
    assert at[(last, 5)] == NOT_SCORED and all(v == NOT_SCORED for (r, c), v in at.items() if c == 5 and 0 < r < last)
    # the unit's 99.9 under the table's 合计, marked as stated, and said so in the text
    assert at[(last + 1, 0)] == "单位自评得分（据报）" and at[(last + 1, 5)] == "99.9"
    assert any(p.text == "经自评，2020年度部门整体支出绩效单位自评得分99.9分（据报），自评表合计未计分。"
               for p in dept.paragraphs())


def test_scores_given_win() -> None:
    ds = dataset("001_xinjiang_2019.yaml")
    pr = ds.projects[0]
    given = {pr.name: SelfEvalScores(rows=[RowScore("11", "7")] * len(pr.indicators), total_score="77")}
    report = next(r for r in reports_for(ds, "650000-01", 2019, charts=False, scores=given) if r.kind == "project")
    at = cells(next(g for g in report.grids() if g.key == "self_eval"))
    assert at[(10, 6)] == "11" and at[(19, 7)] == "77"


def _with_weights(ds: Dataset) -> Dataset:
    """Seed 001's table with the 分值 a unit would approve: 产出 50, 效益 30, 满意度 10 (预算执行率 10)."""
    pr = ds.projects[0]
    weights = ["10", "10", "10", "10", "10", "30", "4", "3", "3"]
    rows = [row.model_copy(update={"weight": w}) for row, w in zip(pr.indicators, weights, strict=True)]
    return ds.model_copy(update={"projects": [pr.model_copy(update={"indicators": rows})]})


@pytest.mark.parametrize("rules", ["default", "sichuan"])
def test_a_table_with_approved_weights_is_scored_and_adds_up(rules: str) -> None:
    ds = _with_weights(dataset("001_xinjiang_2019.yaml"))
    scores = score_tables(ds, "650000-01", 2019, rules)[ds.projects[0].name]
    assert scores.complete and scores.total_score not in (None, NOT_SCORED)
    report = next(r for r in reports_for(ds, "650000-01", 2019, charts=False, rules=rules) if r.kind == "project")
    at = cells(next(g for g in report.grids() if g.key == "self_eval"))
    rows = [Decimal(at[(r, 7)]) for r in range(10, 19)]
    assert [at[(r, 6)] for r in range(10, 19)] == ["10", "10", "10", "10", "10", "30", "4", "3", "3"]
    assert Decimal(at[(19, 7)]) == sum(rows) + Decimal(at[(3, 9)])  # the total is its rows
    assert Decimal(at[(19, 6)]) == 100
    conclusion = " ".join(p.text for p in report.paragraphs())
    assert f"自评得分{at[(19, 7)]}分" in conclusion  # and the text says the table's total


def test_scores_match_the_scorer_row_for_row() -> None:
    ds = dataset("003_miyi_2019.yaml")
    for pr in ds.projects:
        table = score_project(pr, "sichuan")
        scores = score_tables(ds, "510421-01", 2019, "sichuan")[pr.name]
        assert scores.reference is not None
        assert [r.score for r in scores.reference.rows] == [r.score for r in self_eval_scores(table).rows]
        assert len(scores.explanations) == len(pr.indicators) + 2  # 预算执行率, rows, 总分
        assert scores.ruleset == "sichuan 2023.1"


@pytest.mark.parametrize("rules", ["default", "sichuan", "hunan"])
def test_every_example_scores_under_every_shipped_rule_set(rules: str) -> None:
    for path in sorted(EXAMPLES.glob("0*.yaml")):
        ds = dataset(path.name)
        for unit, year in {(r.unit, r.year) for r in [*ds.fund_years, *ds.departments, *ds.projects]}:
            scores = score_tables(ds, unit, year, rules)
            assert set(scores) >= {p.name for p in ds.projects if (p.unit, p.year) == (unit, year)}
            for sc in scores.values():
                assert sc.explanations and sc.total_score is not None
                assert sc.complete or sc.total_score == NOT_SCORED
