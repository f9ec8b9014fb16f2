"""The scorer's rules one by one, rule files (good and broken), and properties over random tables."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.calc.scoring import score_indicator, score_project
from jixiao.model.project import IndicatorRow, Nature, Project, ProjectFunds
from jixiao.model.targets import parse_target
from jixiao.numbers import Quantity
from jixiao.rules import (
    BandScoreRule,
    ProportionalScoreRule,
    RuleSetError,
    available_rulesets,
    load_ruleset,
)
from jixiao.write.scores import self_eval_scores

D = Decimal


def _row(level1: str, target: str, actual: str | None, level2: str | None = None, **kw: object) -> IndicatorRow:
    return IndicatorRow(level1=level1, level2=level2, level3=kw.pop("level3", f"{level1}{target}"),  # type: ignore[arg-type]
                        target=target, actual=actual, **kw)  # type: ignore[arg-type]


def _project(rows: list[IndicatorRow], budget: str = "100", executed: str = "100") -> Project:
    return Project(unit="u1", year=2020, name="测试项目",
                   funds=ProjectFunds(budget=Quantity(D(budget), "万元"), executed=Quantity(D(executed), "万元")),
                   indicators=rows)


def _one(target: str, actual: str | None, level1: str = "产出指标", **kw: object):
    """Score one 产出 row (weight 50 by the equal share) beside full 效益 and 满意度 rows."""
    rows = [_row(level1, target, actual, **kw), _row("效益指标", "≥90%", "95%"), _row("满意度指标", "≥90%", "95%")]
    return score_project(_project(rows)).rows[0]


# --------------------------------------------------------------------------------------------
# Parsing as people write it
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "comparator", "value", "unit", "written", "bound"), [
    ("≥99%", ">=", "99", "%", True, True),
    (">95%", ">", "95", "%", True, True),
    ("100%", "=", "100", "%", False, False),
    ("9595人", "=", "9595", "人", False, False),
    ("=100%", "=", "100", "%", True, False),
    ("大于等于90%", ">=", "90", "%", True, True),
    ("小于等于20日", "<=", "20", "日", True, True),
    ("95%以上", ">=", "95", "%", True, True),
    ("≥15,000人次", ">=", "15000", "人次", True, True),
    ("９５％", "=", "95", "%", False, False),
])
def test_written_comparators_and_bounds(text, comparator, value, unit, written, bound):
    t = parse_target(text)
    assert (t.comparator, t.quantity.value, t.quantity.unit, t.written, t.is_bound) == (
        comparator, D(value), unit, written, bound)


def test_time_limits_deadlines_and_grades():
    within = parse_target("90日内完成审核拨付")
    assert (within.comparator, within.quantity.value, within.within) == ("<=", D(90), True)
    assert parse_target("2019年12月底前").deadline == date(2019, 12, 31)
    assert parse_target("2020年6月30日前完成").deadline == date(2020, 6, 30)
    assert parse_target("2019年6月30日左右完成审核").comparator == "qualitative"
    assert parse_target("优").grade == "优" and parse_target("良好").grade == "良"
    assert parse_target("优质服务").grade is None
    assert parse_target("达成预期指标").comparator == "qualitative"


# --------------------------------------------------------------------------------------------
# Row rules
# --------------------------------------------------------------------------------------------


def test_positive_proportional_when_short():
    row = _one("≥200人", "150人")
    assert row.weight == 50 and row.score == D("37.5")
    assert "实际 150人 < 目标 200人，未达标，得分 = 50 × 150 ÷ 200 = 37.5" in row.explanation


def test_strict_positive_at_the_target_is_not_met():
    row = _one(">90%", "90%")
    assert row.met is False and row.score == 50  # 50 × 90 ÷ 90: proportional gives full, but not "met"
    assert "实际 90% ≤ 目标 90%，未达标" in row.explanation


def test_reverse_decays_linearly_to_zero_at_twice_the_target():
    assert _one("≤10天", "15天").score == 25  # 50 × (1 − 5/10)
    assert _one("≤10天", "20天").score == 0
    assert _one("≤10天", "8天").score == 50
    assert _one("≤1%", "1.2%").score == 40  # 50 × (1 − 0.2/1)


def test_equality_zero_by_default():
    row = _one("=100%", "99%")
    assert row.score == 0 and row.kind == "equality"
    assert _one("=100%", "100%").score == 50


def test_units_convert_and_mismatches_are_flagged():
    assert _one("≥1.8万人", "18067人").score == 50  # 人 vs 万人 is a conversion
    rows = [_row("产出指标", "≥95%", "9595人"), _row("效益指标", "≥90%", "95%"), _row("满意度指标", "≥90%", "95%")]
    table = score_project(_project(rows))
    [flag] = [f for f in table.flags if f.code == "JX-S-005"]
    assert "“%”" in flag.message and "“人”" in flag.message and flag.path == "indicators[0]"
    assert table.rows[0].kind == "qualitative" and "单位不可比" in table.rows[0].explanation


def test_qualitative_bands_words_and_choice():
    assert _one("按时完成", "已按时完成").score == 50  # 达成, top
    partly = _one("全面完成", "基本完成")
    assert partly.band == "部分达成" and partly.score == 40  # top of 60–80%
    failed = _one("全面完成", "未完成，工作滞后")
    assert failed.band == "未达成" and failed.score == 30  # top of 0–60%
    unclear = _one("保障待遇", "相关工作推进中")
    assert unclear.band == "达成" and unclear.score == 40  # bottom of 达成, flagged for a choice
    rows = [_row("产出指标", "保障待遇", "相关工作推进中", level3="保障"), _row("效益指标", "≥90%", "95%"),
            _row("满意度指标", "≥90%", "95%")]
    table = score_project(_project(rows))
    assert "JX-S-012" in table.flag_codes()
    chosen = score_project(_project(rows), choices={"保障": "部分达成:70"})
    assert chosen.rows[0].score == 35 and "评价人选定“部分达成”档" in chosen.rows[0].explanation
    clipped = score_project(_project(rows), choices={0: "部分达成:95"})
    assert clipped.rows[0].score == 40  # kept inside the band (60–80%)
    assert _one("服务质量", "良").score == 40  # grade 良 → 80%


def test_deadlines():
    assert _one("2019年6月30日", "2019年6月30日").score == 50
    late = _one("2019年6月30日", "2019年7月15日")
    assert late.score == 0 and "逾期 15 天" in late.explanation
    assert _one("30日内", "按时拨付").score == 50
    assert _one("30日内", "25日").score == 50
    slow = _one("30日内", "未按时拨付")
    assert slow.band == "未达成" and slow.score == 30


def test_nature_column_overrides_the_target_sign():
    row = _one("95%", "96%", nature=Nature.le)
    assert row.kind == "reverse" and row.score == D("49.47")  # 50 × (1 − 1/95) = 49.4737


def test_missing_actual_and_deviation_reason():
    rows = [_row("产出指标", "≥100人", None), _row("产出指标", "≥100人", "50人", deviation_reason="疫情影响"),
            _row("效益指标", "≥90%", "95%"), _row("满意度指标", "≥90%", "95%")]
    table = score_project(_project(rows))
    assert [r.score for r in table.rows] == [0, D("12.5"), 30, 10]
    codes = [(f.code, f.path) for f in table.flags]
    assert ("JX-S-009", "indicators[0]") in codes and ("JX-S-003", "indicators[0]") in codes
    assert ("JX-S-003", "indicators[1]") not in codes  # the reason is written


def test_written_weights_not_summing_and_written_scores():
    rows = [_row("产出指标", "≥100人", "100人", weight="40", score="40"),
            _row("效益指标", "≥90%", "95%", weight="30", score="28"),
            _row("满意度指标", "≥90%", "95%", weight="10")]
    table = score_project(_project(rows))
    assert [r.weight for r in table.rows] == [40, 30, 10] and table.weight_total == 90
    [flag] = [f for f in table.flags if f.code == "JX-S-001"]
    assert "分值合计为 90" in flag.message and "应为 100" in flag.message
    assert table.grade is None  # not a 100-point table
    [differs] = [f for f in table.flags if f.code == "JX-S-013"]
    assert "表中得分 28" in differs.message and "30" in differs.message


def test_missing_category_moves_its_weight():
    rows = [_row("产出指标", "≥100人", "100人"), _row("效益指标", "≥90%", "95%")]
    table = score_project(_project(rows))
    assert [r.weight for r in table.rows] == [D("56.25"), D("33.75")]  # 10 split 50:30
    assert table.weight_total == 100 and table.total == 100
    [flag] = [f for f in table.flags if f.code == "JX-S-014"]
    assert "满意度指标" in flag.message and "+6.25" in flag.message


def test_unclassified_rows_are_flagged():
    rows = [_row("其他指标", "≥100人", "100人"), _row("产出指标", "≥100人", "100人"),
            _row("效益指标", "≥90%", "95%"), _row("满意度指标", "≥90%", "95%")]
    table = score_project(_project(rows))
    assert "JX-S-010" in table.flag_codes()
    assert table.rows[0].weight is None and table.rows[0].kind == "unscored"


def test_budget_execution_not_computable():
    rows = [_row("产出指标", "≥100人", "100人"), _row("效益指标", "≥90%", "95%"), _row("满意度指标", "≥90%", "95%")]
    project = Project(unit="u1", year=2020, name="无资金数", indicators=rows)
    table = score_project(project)
    assert table.budget.score is None and "JX-S-016" in table.flag_codes()
    assert table.total == 90


def test_too_low_deviation_mode(tmp_path: Path):
    path = tmp_path / "dev.yaml"
    path.write_text("name: dev\nversion: '1'\ntitle: 偏离扣分\nextends: default\n"
                    "project_table:\n  too_low:\n    mode: deviation\n", encoding="utf-8")
    rows = [_row("产出指标", "≥100人", "200人"), _row("效益指标", "≥90%", "95%"), _row("满意度指标", "≥90%", "95%")]
    assert score_project(_project(rows)).rows[0].score == 50  # default: flag only
    table = score_project(_project(rows), load_ruleset(str(path)))
    assert table.rows[0].score == 25  # 50 × (1 − (2 − 1.5))
    assert "JX-S-004" in table.flag_codes()


# --------------------------------------------------------------------------------------------
# 预算执行率 modes and grades
# --------------------------------------------------------------------------------------------


def test_budget_execution_modes():
    rule = load_ruleset().rule("project_budget_execution_score")
    assert isinstance(rule, ProportionalScoreRule)
    assert score_indicator(rule, D("86.3779"))[0] == D("8.64")
    assert score_indicator(rule, D("120"))[0] == 10  # capped
    jishan = rule.model_copy(update={"rounding": "floor", "rounding_places": 0})
    score, text = score_indicator(jishan, D("99"))
    assert score == 9 and "截尾" in text  # 稷山: 99% → 9
    banded = BandScoreRule.model_validate({
        "kind": "bands", "id": "b", "name": "分档", "indicator": "project_budget_execution_rate", "weight": "10",
        "source": "测试", "confidence": "practice",
        "bands": [{"range": "[95, +inf)", "score": "10"}, {"range": "[90, 95)", "score": "8"},
                  {"range": "(-inf, 90)", "score": "5"}]})
    assert [score_indicator(banded, D(v))[0] for v in ("96", "92.5", "86.38")] == [10, 8, 5]


def test_truncated_budget_rule_from_a_file(tmp_path: Path):
    path = tmp_path / "jishan.yaml"
    path.write_text("name: jishan\nversion: '1'\ntitle: 稷山截尾\nextends: default\nscoring:\n"
                    "  - id: project_budget_execution_score\n    kind: proportional\n    name: 预算执行率得分\n"
                    "    indicator: project_budget_execution_rate\n    weight: '10'\n    rounding: floor\n"
                    "    source: 稷山 2020 自评表（rules.md §1）\n    confidence: practice\n", encoding="utf-8")
    rows = [_row("产出指标", "≥100人", "100人"), _row("效益指标", "≥90%", "95%"), _row("满意度指标", "≥90%", "95%")]
    table = score_project(_project(rows, budget="100", executed="99"), load_ruleset(str(path)))
    assert table.budget.score == 9 and table.total == 99


@pytest.mark.parametrize(("total", "grade"), [
    ("100", "优"), ("90", "优"), ("89.99", "良"), ("80", "良"),
    ("79.99", "中"), ("60", "中"), ("59.99", "差"), ("0", "差"),
])
def test_grade_cut_offs(total, grade):
    grades = load_ruleset().grades
    assert grades is not None and grades.grade(D(total)) == grade


# --------------------------------------------------------------------------------------------
# Rule files
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["default", "hunan", "sichuan"])
def test_shipped_table_rules_cite_sources(name: str):
    assert name in available_rulesets()
    rs = load_ruleset(name)
    table = rs.project_table
    assert table is not None and rs.grades is not None
    assert sum(c.weight for c in table.categories) == 100
    assert [(c.id, c.weight) for c in table.categories] == [
        ("budget_execution", 10), ("output", 50), ("outcome", 30), ("satisfaction", 10)]
    parts = [table, rs.grades, table.blank_weights, table.missing_category, table.implicit_comparator, table.positive,
             table.reverse, table.equality, table.qualitative, table.deadline, table.too_low, *table.categories]
    for part in parts:
        assert part.source and part.confidence in ("official", "secondary", "practice", "unconfirmed")
    # what rules.md marks [unconfirmed] is marked so in the file
    assert table.too_low.confidence == "unconfirmed" and table.missing_category.confidence == "unconfirmed"
    assert [(b.label, b.low, b.high) for b in table.qualitative.bands] == [
        ("达成", 80, 100), ("部分达成", 60, 80), ("未达成", 0, 60)]


def _write(tmp_path: Path, body: str) -> str:
    path = tmp_path / "bad.yaml"
    path.write_text("name: bad\nversion: '1'\ntitle: 坏规则\nextends: default\n" + body, encoding="utf-8")
    return str(path)


CATS = ("project_table:\n  categories:\n"
        "    - {id: budget_execution, name: 预算执行率, weight: '10', source: 测试来源, confidence: practice}\n"
        "    - {id: output, name: 产出指标, weight: '50', source: 测试来源, confidence: practice}\n"
        "    - {id: outcome, name: 效益指标, weight: '%s', source: 测试来源, confidence: practice}\n")


@pytest.mark.parametrize(("body", "expected"), [
    (CATS % "20",
     "project_table：一级指标权重之和为 80，应为 100（预算执行率（budget_execution）10、产出指标（output）50"),
    ("project_table:\n  equality:\n    mode: half\n",
     "project_table.equality（project_equality）.mode：应为 'zero'、'proportional' 之一，而不是“half”"),
    ("project_table:\n  reverse:\n    zero_at: '1'\n", "project_table.reverse（project_reverse）.zero_at"),
    ("project_table:\n  qualitative:\n    unclear_band: 良好\n", "unclear_band“良好”不是已定义的档次"),
    ("project_table:\n  budget_execution: nothing\n", "budget_execution“nothing”不是 scoring 中的规则 id"),
    ("project_table:\n  missing_category:\n    to: [outputs]\n",
     "missing_category.to 中的“outputs”不是已定义的一级指标"),
    ("grades:\n  bands:\n    - {label: 优, range: '[90, +inf)'}\n    - {label: 良, range: '[70, 90)'}\n",
     "grades：等级区间没有覆盖总分 0"),
    ("grades:\n  bands:\n    - {label: 优, range: '[90, +inf)'}\n    - {label: 差, range: '(-inf, 95)'}\n", "重叠"),
    ("scoring:\n  - id: project_budget_execution_score\n    kind: proportional\n    name: 预算执行率得分\n"
     "    indicator: project_budget_execution_rate\n    weight: '10'\n    rounding: ceil\n"
     "    source: 测试\n    confidence: practice\n",
     "scoring[project_budget_execution_score].rounding：应为 'none'、'floor'、'half_up' 之一，而不是“ceil”"),
    ("scoring:\n  - id: project_budget_execution_score\n    kind: proportional\n    name: 预算执行率得分\n"
     "    indicator: project_budget_execution_rate\n    weight: '15'\n    source: 测试\n    confidence: practice\n",
     "预算执行率规则 project_budget_execution_score 的分值 15 与一级指标“budget_execution”的权重 10 不一致"),
    ("project_table:\n  qualitative:\n    bands:\n      - {label: 达成, low: '90', high: '80'}\n",
     "定性档次“达成”的下限 90% 大于上限 80%"),
])
def test_bad_rule_files_give_clear_chinese_errors(tmp_path: Path, body: str, expected: str):
    path = _write(tmp_path, body)
    with pytest.raises(RuleSetError) as exc:
        load_ruleset(path)
    message = str(exc.value)
    assert message.startswith(f"{path}：规则集有误——")
    assert expected in message, message


def test_a_child_rule_set_overrides_only_what_it_writes():
    sichuan, default = load_ruleset("sichuan"), load_ruleset("default")
    assert sichuan.project_table is not None and default.project_table is not None
    assert sichuan.project_table.require_nature and not default.project_table.require_nature
    assert sichuan.project_table.positive == default.project_table.positive
    assert sichuan.project_table.execution_reason is not None
    assert sichuan.project_table.execution_reason.severity == "warning"


def test_a_rule_set_without_table_rules_is_refused(tmp_path: Path):
    path = tmp_path / "bare.yaml"
    path.write_text("name: bare\nversion: '1'\ntitle: 只有警示\n", encoding="utf-8")
    with pytest.raises(ValueError, match="没有项目自评表评分规则"):
        score_project(_project([_row("产出指标", "≥1人", "1人")]), load_ruleset(str(path)))


# --------------------------------------------------------------------------------------------
# The 自评表 writer takes the scores
# --------------------------------------------------------------------------------------------


def test_scores_fill_the_self_evaluation_table():
    rows = [_row("产出指标", "≥200人", "150人"), _row("效益指标", "≥90%", "95%"), _row("满意度指标", "≥90%", "95%")]
    scores = self_eval_scores(score_project(_project(rows, executed="90")))
    assert [(r.weight, r.score) for r in scores.rows] == [("50", "37.5"), ("30", "30"), ("10", "10")]
    assert (scores.budget_weight, scores.budget_score, scores.total_weight, scores.total_score, scores.grade) == (
        "10", "9", "100", "86.5", "良")
    assert scores.rows[0].explanation and "37.5" in scores.rows[0].explanation


# --------------------------------------------------------------------------------------------
# Properties over random tables
# --------------------------------------------------------------------------------------------

_UNITS = st.sampled_from(["%", "人", "万人", "人次", "天", "日", "元/人", ""])
_SIGNS = st.sampled_from(["≥", ">", "≤", "<", "=", "", "大于等于", "小于等于"])
_NUMBERS = st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False, allow_infinity=False)
_WORDS = st.sampled_from(["按时拨付", "达成预期指标", "优", "基本完成", "未完成", "相关工作推进中", "足额发放", "良"])
_DATES = st.dates(min_value=date(2018, 1, 1), max_value=date(2021, 12, 31)).map(
    lambda d: f"{d.year}年{d.month}月{d.day}日")


@st.composite
def _value(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["number", "number", "number", "words", "date", "within"]))
    if kind == "number":
        n = draw(_NUMBERS)
        text = f"{draw(_SIGNS)}{n:f}{draw(_UNITS)}"
        return text if draw(st.booleans()) else f"{n:f}{draw(_UNITS)}{draw(st.sampled_from(['以上', '以下', '']))}"
    if kind == "words":
        return draw(_WORDS)
    if kind == "date":
        return draw(_DATES)
    return f"{draw(st.integers(min_value=0, max_value=120))}日内完成"


@st.composite
def _rows(draw: st.DrawFn) -> list[IndicatorRow]:
    n = draw(st.integers(min_value=1, max_value=12))
    rows = []
    for _ in range(n):
        level1 = draw(st.sampled_from(["产出指标", "项目完成指标", "效益指标", "满意度指标", "项目效益"]))
        level2 = draw(st.sampled_from([None, "数量指标", "成本指标", "社会效益指标", "服务对象满意度指标"]))
        nature = draw(st.sampled_from([None, None, *Nature]))
        actual = draw(st.one_of(st.none(), _value()))
        rows.append(IndicatorRow(level1=level1, level2=level2, level3="指标", target=draw(_value()), actual=actual,
                                 nature=nature))
    return rows


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=_rows(), budget=st.decimals(min_value=1, max_value=10000, places=2),
       executed=st.decimals(min_value=0, max_value=20000, places=2),
       ruleset=st.sampled_from(["default", "sichuan", "hunan"]))
def test_scores_stay_within_weights_and_total_within_100(rows, budget, executed, ruleset):
    project = Project(unit="u", year=2020, name="随机项目", indicators=rows,
                      funds=ProjectFunds(budget=Quantity(budget, "万元"), executed=Quantity(executed, "万元")))
    table = score_project(project, load_ruleset(ruleset))
    for row in table.rows:
        assert row.weight is not None and row.score is not None  # blank 分值 are always shared out
        assert 0 <= row.score <= row.weight, row.explanation
        assert row.explanation
    assert table.budget.score is not None and 0 <= table.budget.score <= table.budget.weight
    assert table.weight_total == 100
    assert 0 <= table.total <= 100
    assert table.total == table.budget.score + sum(r.score for r in table.rows)
    assert table.grade in ("优", "良", "中", "差")


@settings(max_examples=100, deadline=None)
@given(weights=st.lists(st.decimals(min_value=0, max_value=60, places=1), min_size=3, max_size=3),
       actuals=st.lists(_value(), min_size=3, max_size=3))
def test_written_weights_bound_each_score(weights, actuals):
    rows = [_row(level1, "≥90%", actual, weight=f"{w:f}")
            for level1, w, actual in zip(["产出指标", "效益指标", "满意度指标"], weights, actuals, strict=True)]
    table = score_project(_project(rows))
    for row, w in zip(table.rows, weights, strict=True):
        assert row.weight == w and row.score is not None and 0 <= row.score <= w
    assert ("JX-S-001" in table.flag_codes()) == (table.weight_total != 100)


def test_a_budget_execution_row_in_the_table_is_not_scored_twice():
    rows = [_row("预算执行率", "=100%", "95%", level3="预算执行率"), _row("产出指标", "≥100人", "100人"),
            _row("效益指标", "≥90%", "95%"), _row("满意度指标", "≥90%", "95%")]
    table = score_project(_project(rows, executed="95"))
    assert table.rows[0].kind == "unscored" and table.rows[0].weight is None
    assert [r.weight for r in table.rows[1:]] == [50, 30, 10]
    assert table.weight_total == 100 and table.total == D("99.5")
