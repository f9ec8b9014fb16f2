"""Scoring the real tables: seed 001's 自评表, seed 003's three project tables, seed 004's department.

The reports left 分值/得分 blank; the default rule set shares each first-level weight equally over
its rows (产出 50, 效益 30, 满意度 10; 预算执行率 10 from the funds). Every expected score below
was worked out by hand from the seed text:

seed 001 — 预算执行率 289724 ÷ 335412 = 86.3779% → min(86.38%, 100%) × 10 = 8.6379 → 8.64;
产出 5 rows × 10 (all met; 90日内 / 按时拨付 met); the “社会效益” row (written in the 三级 column)
is the only 效益 row: 30, 达成 by “足额”; 满意度 10 ÷ 3 → 3.34 + 3.33 + 3.33, all met at the
bounds written as actuals. Total 8.64 + 50 + 30 + 10 = 98.64 → 优.

seed 003, third table (附件2) — 产出 50 ÷ 9 → 5.56 × 5 + 5.55 × 4; 省级代缴 13297 of 18067:
5.56 × 13297 ÷ 18067 = 4.0920 → 4.09; 住院报销比例 “大于等于90%” vs “=100%” → 0 (equality);
报销时限 “小于等于20日” vs “<=2天” → 5.55 × (1 − 18 ÷ 2) < 0 → 0; 产出 = 5.56 × 4 + 4.09 +
5.55 × 2 = 37.43; 效益 3 × 10 = 30; 满意度 5 (no actual → 0) + 5 = 5; total 10 + 37.43 + 30 + 5
= 82.43 → 良. The first two tables meet every target → 100 → 优.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from jixiao.calc import compute_department
from jixiao.calc.score_results import ScoredTable
from jixiao.calc.scoring import score_department, score_project
from jixiao.ingest.files import read_file
from jixiao.model import Dataset, Project
from jixiao.numbers import Quantity
from jixiao.rules import load_ruleset

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
SEEDS = EXAMPLES / "seeds"
D = Decimal


def _dataset(name: str) -> Dataset:
    result = read_file(EXAMPLES / name)
    assert result.ok, [str(p) for p in result.problems]
    assert result.dataset is not None
    return result.dataset


def _seed_lines(prefix: str) -> list[str]:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    return path.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def seed001() -> Project:
    return _dataset("001_xinjiang_2019.yaml").projects[0]


@pytest.fixture(scope="module")
def seed003() -> list[Project]:
    return _dataset("003_miyi_2019.yaml").projects


def _scores(table: ScoredTable) -> list[Decimal | None]:
    return [r.score for r in table.rows]


def _weights(table: ScoredTable) -> list[Decimal | None]:
    return [r.weight for r in table.rows]


def _flags(table: ScoredTable, code: str) -> list[str]:
    return [f.message for f in table.flags if f.code == code]


# --------------------------------------------------------------------------------------------
# The example data is the seed's table
# --------------------------------------------------------------------------------------------


def test_seed001_rows_are_the_reports_rows(seed001: Project):
    lines = _seed_lines("001")
    assert len(seed001.indicators) == 9
    for row in seed001.indicators:
        assert row.line is not None
        text = lines[row.line - 1]
        assert row.target in text and (row.actual or "") in text, (row.line, text)
    assert "335412" in lines[78] and "289724" in lines[78]  # 第79行 预算数 / 执行数


def test_seed003_targets_are_on_their_lines(seed003: list[Project]):
    lines = _seed_lines("003")
    for project in seed003:
        for row in project.indicators:
            assert row.line is not None
            near = "".join(lines[row.line - 3: row.line + 3])  # the 四川 form spreads a row over lines
            target = row.target.lstrip("=≥≤<>")  # the form writes some signs in a column of their own
            assert target in near, (project.name, row.line, near)


# --------------------------------------------------------------------------------------------
# Seed 001
# --------------------------------------------------------------------------------------------


def test_seed001_budget_execution_is_scored_from_the_funds(seed001: Project):
    table = score_project(seed001)
    assert table.budget.rate is not None
    assert table.budget.rate_display == "86.38%"
    assert table.budget.score == D("8.64")
    assert table.budget.weight == 10
    assert "289724万元 ÷ 全年预算数 335412万元 = 86.38%" in table.budget.explanation
    assert "8.6379，四舍五入为 8.64" in table.budget.explanation
    # the arithmetic only: no rule id, rule set name or provenance note (pages cite the document apart)
    assert "project_budget_execution_score" not in table.budget.explanation and "2024.1" not in table.budget.explanation


def test_seed001_rows_weights_and_scores(seed001: Project):
    table = score_project(seed001)
    assert _weights(table) == [D(10)] * 5 + [D(30), D("3.34"), D("3.33"), D("3.33")]
    assert all(r.weight_origin == "equal" for r in table.rows)
    assert _scores(table) == _weights(table)  # every target met
    assert [r.category for r in table.rows] == ["output"] * 5 + ["outcome"] + ["satisfaction"] * 3
    assert [r.kind for r in table.rows] == ["positive"] * 4 + ["deadline", "qualitative", "reverse",
                                                               "positive", "positive"]
    explain = [r.explanation for r in table.rows]
    assert explain[1].startswith("实际 9595人 ≥ 目标 6253人，达标，得满分 10")
    assert "project_positive" not in explain[1] and "default" not in explain[1]
    assert "“按时拨付”含“按时”，视为在时限内完成，得满分 10" in explain[4]
    assert "含“足额”" in explain[5] and "“达成”档" in explain[5] and "30 × 100% = 30" in explain[5]
    assert "实际值写作“≤1%”" in explain[6] and "实际 1% ≤ 目标 1%" in explain[6]
    assert "实际 95% > 目标 90%" in explain[7]


def test_seed001_total_grade_and_subtotals(seed001: Project):
    table = score_project(seed001)
    assert table.total == D("98.64") and table.weight_total == 100
    assert table.grade == "优"
    assert [(c.id, c.weight, c.score) for c in table.categories] == [
        ("budget_execution", D(10), D("8.64")), ("output", D(50), D(50)), ("outcome", D(30), D(30)),
        ("satisfaction", D(10), D(10)),
    ]


def test_seed001_flags(seed001: Project):
    table = score_project(seed001)
    bounds = _flags(table, "JX-S-006")
    assert len(bounds) == 3
    assert "“≤1%”" in bounds[0] and "“>95%”" in bounds[1] and "“>95%”" in bounds[2]
    [too_low] = _flags(table, "JX-S-004")
    assert "9595人" in too_low and "6253人" in too_low and "1.53 倍" in too_low
    [moved] = _flags(table, "JX-S-011")
    assert "社会效益" in moved and "效益指标" in moved
    [reason] = _flags(table, "JX-S-008")
    assert "86.38%" in reason and "90%" in reason
    assert "JX-S-002" in table.flag_codes()  # 分值 shared out
    assert "JX-S-003" not in table.flag_codes()  # every row full
    assert "JX-S-001" not in table.flag_codes()
    line_of = {f.path: f.line for f in table.flags if f.code == "JX-S-006"}
    assert line_of == {"indicators[6]": 91, "indicators[7]": 92, "indicators[8]": 93}


def test_seed001_under_sichuan_rules_needs_nature_and_warns_on_execution(seed001: Project):
    table = score_project(seed001, load_ruleset("sichuan"))
    assert table.total == D("98.64")  # same weights and methods
    assert table.ruleset == "sichuan 2023.1"
    assert len(_flags(table, "JX-S-015")) == 9  # no 指标性质 column in seed 001
    [reason] = [f for f in table.flags if f.code == "JX-S-008"]
    assert reason.severity == "warning"


# --------------------------------------------------------------------------------------------
# Seed 003
# --------------------------------------------------------------------------------------------


def test_seed003_first_two_tables_score_full(seed003: list[Project]):
    first, second, _ = (score_project(p) for p in seed003)
    assert _weights(first) == [D("12.5")] * 4 + [D(15)] * 2 + [D(10)]
    assert _weights(second) == [D("16.67"), D("16.67"), D("16.66"), D(15), D(15), D(10)]
    for table in (first, second):
        assert table.budget.score == 10 and table.budget.rate_display == "100.00%"
        assert _scores(table) == _weights(table)
        assert table.total == 100 and table.grade == "优"
    # 1.8067万人 written without a sign is read as a minimum; 220元/人 (成本指标) as a maximum
    assert "目标未写符号，按 ≥ 计" in first.rows[0].explanation
    assert first.rows[3].kind == "reverse" and "按 ≤ 计" in first.rows[3].explanation
    assert second.rows[2].kind == "deadline" and "未逾期" in second.rows[2].explanation
    assert "18.9627万人 ≥ 目标 18.8万人" in second.rows[0].explanation
    assert len(_flags(first, "JX-S-006")) == 3 and len(_flags(second, "JX-S-006")) == 4


def test_seed003_third_table(seed003: list[Project]):
    table = score_project(seed003[2])
    assert _weights(table) == [D("5.56")] * 5 + [D("5.55")] * 4 + [D(10)] * 3 + [D(5)] * 2
    assert _scores(table) == [D("5.56"), D("4.09"), D("5.56"), D("5.56"), D("5.56"), D(0), D("5.55"), D(0),
                              D("5.55"), D(10), D(10), D(10), D(0), D(5)]
    assert [(c.id, c.score) for c in table.categories] == [
        ("budget_execution", D(10)), ("output", D("37.43")), ("outcome", D(30)), ("satisfaction", D(5))]
    assert table.total == D("82.43") and table.grade == "良"
    rows = table.rows
    assert "实际 13297人 < 目标 18067人，未达标，得分 = 5.56 × 13297 ÷ 18067 = 4.09" in rows[1].explanation
    assert "实际 90% ≠ 目标 100%，未达到目标值，得 0 分" in rows[5].explanation
    assert "5.55 × (1 − (20 − 2) ÷ 2) = −44.4，取 0" in rows[7].explanation
    assert rows[12].kind == "missing"


def test_seed003_third_table_flags(seed003: list[Project]):
    table = score_project(seed003[2])
    no_reason = _flags(table, "JX-S-003")
    assert len(no_reason) == 4
    assert [f.path for f in table.flags if f.code == "JX-S-003"] == [
        "indicators[1]", "indicators[5]", "indicators[7]", "indicators[12]"]
    [too_low] = _flags(table, "JX-S-004")
    assert "25266人次" in too_low and "15000人次" in too_low  # 7107 vs 4800 is 1.48×: not flagged
    [missing] = _flags(table, "JX-S-009")
    assert "参保人员满意度" in missing
    bounds = _flags(table, "JX-S-006")
    assert len(bounds) == 4
    assert any("大于等于90%" in b for b in bounds) and any("小于等于20日" in b for b in bounds)
    assert "JX-S-005" not in table.flag_codes()  # 天 vs 日 and 人 vs 万人 are conversions


def test_seed003_officer_band_choice_and_equality_mode(seed003: list[Project], tmp_path: Path):
    """A proportional equality rule gives 住院报销比例 90% of 5.55 = 5.00 (rule file variant)."""
    path = tmp_path / "eq.yaml"
    path.write_text(
        "name: eq\nversion: '1'\ntitle: 等值按比例\nextends: default\n"
        "project_table:\n  equality:\n    mode: proportional\n", encoding="utf-8")
    table = score_project(seed003[2], load_ruleset(str(path)))
    assert table.rows[5].score == D("5.00")
    assert "5.55 × (1 − |90 − 100| ÷ 100) = 5" in table.rows[5].explanation
    assert table.total == D("87.43")


# --------------------------------------------------------------------------------------------
# Stated figures and the table's funds
# --------------------------------------------------------------------------------------------


def test_stated_execution_rate_is_checked(seed003: list[Project]):
    project = seed003[0]
    assert not any(f.code == "JX-S-007" for f in score_project(project).flags)  # 100% stated, 100% computed
    wrong = project.model_copy(update={"stated": {
        "project_budget_execution_rate": project.stated["project_budget_execution_rate"].model_copy(
            update={"value": "95%"})}})
    [flag] = [f for f in score_project(wrong).flags if f.code == "JX-S-007"]
    assert "95%" in flag.message and "100" in flag.message and flag.line == 128


def test_funds_parts_and_overspend_are_flagged(seed003: list[Project]):
    project = seed003[1]  # 医保专项工作经费: 预算 7, 执行 7 (万元)
    money = Quantity
    funds = project.funds.model_copy(update={"budget": money(D("7.00"), "万元"), "executed": money(D("7.20"), "万元")})
    table = score_project(project.model_copy(update={"funds": funds, "stated": {}}))
    assert any("执行数 7.20万元 大于全年预算数 7.00万元（执行率 102.86%）" in m for m in _flags(table, "JX-S-007"))
    assert table.budget.score == 10  # capped at 100%
    # written at whole 万元, 8 vs 7 may both be 7.5: not certainly over budget, so no flag
    loose = project.funds.model_copy(update={"executed": money(D("8"), "万元")})
    assert not _flags(score_project(project.model_copy(update={"funds": loose, "stated": {}})), "JX-S-007")
    parts = project.funds.model_copy(update={"budget_fiscal": money(D("9"), "万元")})
    [flag] = _flags(score_project(project.model_copy(update={"funds": parts})), "JX-S-007")
    assert "预算数的分项" in flag and "9万元" in flag and "7万元" in flag


# --------------------------------------------------------------------------------------------
# Seed 004: the department under the Hunan 2018 table
# --------------------------------------------------------------------------------------------


def test_seed004_department_under_hunan():
    dy = _dataset("004_yiyang_2020.yaml").departments[0]
    results = compute_department(dy)
    scored = score_department(dy, results, load_ruleset("hunan"))
    by_rule = {r.rule: r for r in scored.rows}
    # 在职人员控制率 52 ÷ 60 = 86.67% ≤ 100% → 8
    assert by_rule["staff_control_score"].score == 8
    assert by_rule["staff_control_score"].value_display == "86.67%"
    # 预算完成率 914.17 ÷ 926.17 = 98.70%: 1.2957 points short, 2 per 5 points pro rata → 8 − 0.5183 = 7.48
    assert by_rule["budget_completion_score"].score == D("7.48")
    assert "每 5 个百分点扣 2 分（按比例）" in by_rule["budget_completion_score"].explanation
    # 追加 297.19 ÷ 年初 655.56 = 45.33% > 30% → 0
    assert by_rule["budget_adjustment_score"].score == 0
    assert "45.33%" in by_rule["budget_adjustment_score"].explanation
    # 三公经费变动率: the report gives neither year's 三公 budget → not computable, not scored
    assert by_rule["three_public_change_score"].score is None
    assert scored.flag_codes() == ["JX-S-020"]
    assert (scored.total, scored.scored_weight, scored.weight_total) == (D("15.48"), D(24), D(32))
    assert scored.grade is None  # a 32-point partial table gets no 优/良/中/差
    assert score_department(dy, ruleset="hunan").total == scored.total  # results computed when omitted


def test_seed004_department_under_default_has_no_department_scoring():
    dy = _dataset("004_yiyang_2020.yaml").departments[0]
    scored = score_department(dy)
    assert scored.rows == () and scored.total == 0
