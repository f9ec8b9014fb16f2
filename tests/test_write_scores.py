"""Scores by default: every 自评表 of a written report is scored by a rule set and explained.

Seed 001's and seed 003's tables left 分值/得分 blank; the writers fill them with
:func:`jixiao.calc.scoring.score_project` (default, sichuan) and the department's with
``score_department`` when the rule set has department rules (hunan), and print after each table
its 评分说明: the rule and the arithmetic of every line, then the reviewer's notes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from jixiao.calc.scoring import score_project
from jixiao.ingest.files import read_files
from jixiao.model import Dataset
from jixiao.write import RowScore, SelfEvalScores, reports_for, score_tables, write_report
from jixiao.write.report import Grid
from jixiao.write.scores import has_department_rules, self_eval_scores

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def dataset(name: str) -> Dataset:
    result = read_files([EXAMPLES / "units.yaml", EXAMPLES / name])
    assert result.ok and result.dataset is not None
    return result.dataset


def grids(reports: list, key_part: str) -> list[Grid]:  # type: ignore[type-arg]
    return [g for r in reports for g in r.grids() if key_part in g.key]


def cells(g: Grid) -> dict[tuple[int, int], str]:
    return {(c.row, c.col): c.text for c in g.cells}


def test_seed_001_table_is_scored_and_explained_in_the_docx(tmp_path: Path) -> None:
    paths = write_report(dataset("001_xinjiang_2019.yaml"), "650000-01", 2019, tmp_path, ("docx",))
    doc = Document(str(next(p for p in paths if "项目_" in p.name)))
    form = next(t for t in doc.tables if t.cell(0, 0).text == "项目名称")
    assert [form.cell(r, 6).text for r in range(10, 19)] == ["10"] * 5 + ["30", "3.34", "3.33", "3.33"]
    assert [form.cell(19, c).text for c in (6, 7, 8)] == ["100", "98.64", "优"]
    notes = next(t for t in doc.tables if t.cell(0, 1).text == "评分项目")
    rows = [[c.text for c in row.cells] for row in notes.rows]
    assert rows[0][:4] == ["序号", "评分项目", "规则", "计算过程"]
    budget = rows[1]
    assert budget[1] == "预算执行率" and "project_budget_execution_score" in budget[2]
    assert "全年执行数 289724万元 ÷ 全年预算数 335412万元 = 86.38%" in budget[3] and budget[3].endswith("8.64")
    assert "default 2024.1" not in budget[3]  # the rule set is in the table's subtitle, not in every line
    upfang = next(r for r in rows if r[1].endswith("上访率"))
    assert upfang[2] == "反向指标（≤、<）\n（project_reverse）"  # the rule's name, its id below
    total = next(r for r in rows if r[1] == "总分")
    assert "＝98.64" in total[3] and "优" in total[3] and "优≥90" in total[2]
    tips = [r for r in rows if r[0] == "提示"]
    assert any("9595人" in r[1] and "1.53 倍" in r[1] for r in tips)  # JX-S-004, target set too low
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "项目支出绩效自评表评分说明" in body and "（规则集：default 2024.1）" in body


def test_seed_003_tables_scored_by_sichuan() -> None:
    ds = dataset("003_miyi_2019.yaml")
    reports = reports_for(ds, "510421-01", 2019, charts=False, rules="sichuan")
    dept = next(r for r in reports if r.kind == "department")
    forms = [g for g in dept.grids() if g.key.startswith("self_eval_") and not g.key.endswith("_notes")]
    assert len(forms) == 3
    totals = []
    for g in forms:
        at = cells(g)
        last = max(r for r, _ in at)
        totals.append((at[(last, 7)], at[(last, 8)]))
    assert totals == [("100", "优"), ("100", "优"), ("82.43", "良")]
    notes = cells(next(g for g in dept.grids() if g.key == "self_eval_2_notes"))
    lines = [v for (_, col), v in notes.items() if col == 3]
    assert any("5.56 × 13297 ÷ 18067 = 4.09" in v for v in lines)
    assert any("未填写实际完成值，得 0 分" in v for v in lines)
    # a project report carries the same scores as the department report's appendix
    proj = next(r for r in reports if r.kind == "project" and r.title.startswith("财政代缴"))
    at = cells(next(g for g in proj.grids() if g.key == "self_eval"))
    assert (at[(24, 6)], at[(24, 7)], at[(24, 8)]) == ("100", "82.43", "良")


def test_department_scored_by_hunan_in_xlsx_and_html(tmp_path: Path) -> None:
    ds = dataset("004_yiyang_2020.yaml")
    assert has_department_rules("hunan") and not has_department_rules("default")
    paths = write_report(ds, "430900", 2020, tmp_path, ("xlsx", "html"), rules="hunan", charts=False)
    xlsx = next(p for p in paths if "部门整体" in p.name and p.suffix == ".xlsx")
    wb = load_workbook(xlsx)
    ws = next(wb[n] for n in wb.sheetnames if n == "部门整体支出绩效自评表")
    rows = {ws.cell(r, 3).value: (ws.cell(r, 6).value, ws.cell(r, 7).value) for r in range(4, ws.max_row + 1)}
    assert rows["在职人员控制率"] == ("8", "8")
    assert rows["预算完成率"] == ("8", "7.48")  # 98.70%: 1.30 points short, 2 per 5 points
    assert rows["追加预算占年初预算比"] == ("8", "0")  # 45.33% > 30%
    assert rows["运行成本控制率"] == (None, None) or rows["运行成本控制率"] == ("", "")  # no rule: not scored
    total = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, 1).value == "合计")
    assert (ws.cell(total, 6).value, ws.cell(total, 7).value) == ("24", "15.48")
    explained = next(wb[n] for n in wb.sheetnames if "评分说明" in n)
    text = "\n".join(str(c.value) for row in explained.iter_rows() for c in row if c.value)
    assert "“三公经费”变动率" in text and "未计分" in text and "7.4817，四舍五入为 7.48" in text
    assert "规则未覆盖百分制评分表，不评等级" in text
    html = next(p for p in paths if "部门整体" in p.name and p.suffix == ".html").read_text(encoding="utf-8")
    assert "部门整体支出绩效自评表评分说明" in html and "threshold_deduction" not in html
    assert "在职人员控制率得分<br>（staff_control_score）" in html


def test_default_rules_have_no_department_scores_and_keep_its_self_score() -> None:
    ds = dataset("004_yiyang_2020.yaml")
    assert "department" not in score_tables(ds, "430900", 2020, "default")
    dept = next(r for r in reports_for(ds, "430900", 2020, charts=False) if r.kind == "department")
    at = cells(next(g for g in dept.grids() if g.key == "department_self_eval"))
    last = max(r for r, _ in at)
    assert at[(last, 6)] == "99.9"  # the 自评得分 the report states, as written
    assert not [g for g in dept.grids() if g.key == "department_score_notes"]


def test_scores_given_win_and_rules_none_keeps_the_data() -> None:
    ds = dataset("001_xinjiang_2019.yaml")
    pr = ds.projects[0]
    given = {pr.name: SelfEvalScores(rows=[RowScore("11", "7")] * len(pr.indicators), total_score="77")}
    report = next(r for r in reports_for(ds, "650000-01", 2019, charts=False, scores=given) if r.kind == "project")
    at = cells(next(g for g in report.grids() if g.key == "self_eval"))
    assert at[(10, 6)] == "11" and at[(19, 7)] == "77"
    assert not [g for g in report.grids() if g.key.endswith("_notes")]  # given without explanations
    raw = next(r for r in reports_for(ds, "650000-01", 2019, charts=False, rules=None) if r.kind == "project")
    at = cells(next(g for g in raw.grids() if g.key == "self_eval"))
    assert at[(10, 6)] == "" and at[(19, 7)] == ""


def test_scores_match_the_scorer_row_for_row() -> None:
    ds = dataset("003_miyi_2019.yaml")
    for pr in ds.projects:
        table = score_project(pr, "sichuan")
        scores = score_tables(ds, "510421-01", 2019, "sichuan")[pr.name]
        assert [r.score for r in scores.rows] == [r.score for r in self_eval_scores(table).rows]
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
