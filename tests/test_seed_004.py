"""Seed 004 (益阳市医疗保障局 2020, 部门整体支出 + 全市医保基金): the engine against the report.

``examples/004_yiyang_2020.yaml`` holds every figure the report states. Each derived figure the
report states is checked with :func:`jixiao.calc.stated.check_stated`: all are consistent at their
written precision except the ones pinned in ``WRONG`` (report line, stated value, right value —
the right values were worked out by hand with Decimal, not taken from the engine). Figures the
report gives without their inputs (growth rates without 上年数, execution rates without 预算数)
are pinned in ``NOT_COMPUTABLE``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from jixiao.calc import IndicatorResult, compute_department, compute_fund_year
from jixiao.calc.risks import RiskWarning, department_warnings, fund_warnings
from jixiao.calc.stated import StatedCheck, check_stated
from jixiao.ingest.files import read_files
from jixiao.model import Dataset, DepartmentYear, FundYear

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
FILE = EXAMPLES / "004_yiyang_2020.yaml"
DEPT = "部门"

#: (record, indicator id) -> (report line, stated as written, right value at the stated precision)
WRONG: dict[tuple[str, str], tuple[int, str, str]] = {
    # 第63行 “2020年人均支出大于人均收入22元”: (328340 − 319286) × 10000 ÷ 3963292 = 22.84 元 → 23 元.
    # The report subtracted the rounded 806 from the rounded 828.
    ("城乡居民基本医疗保险", "per_capita_gap"): (63, "22元", "23元"),
}

#: stated figures the report gives without the inputs needed to check them: (record, id) -> line
NOT_COMPUTABLE: dict[tuple[str, str], int] = {
    ("职工基本医疗保险", "income_yoy_rate"): 50,
    ("职工基本医疗保险", "expenditure_yoy_rate"): 52,
    ("职工基本医疗保险", "income_budget_execution_rate"): 56,
    ("职工基本医疗保险", "contributions_budget_execution_rate"): 56,
    ("职工基本医疗保险", "expenditure_budget_execution_rate"): 56,
    ("职工基本医疗保险", "benefits_budget_execution_rate"): 56,
    ("职工基本医疗保险统筹基金", "income_yoy_rate"): 50,
    ("职工基本医疗保险统筹基金", "expenditure_yoy_rate"): 52,
    ("职工基本医疗保险个人账户", "income_yoy_rate"): 50,
    ("职工基本医疗保险个人账户", "expenditure_yoy_rate"): 52,
    ("城乡居民基本医疗保险", "income_yoy_rate"): 61,
    ("城乡居民基本医疗保险", "expenditure_yoy_rate"): 61,
    ("城乡居民基本医疗保险", "income_budget_execution_rate"): 66,
    ("城乡居民基本医疗保险", "expenditure_budget_execution_rate"): 66,
}

#: stated figures that are right: (record, id) -> (line, stated)
RIGHT: dict[tuple[str, str], tuple[int, str]] = {
    ("职工基本医疗保险", "insured_yoy_rate"): (48, "3.72%"),
    ("职工基本医疗保险", "current_balance"): (54, "23204万元"),
    ("职工基本医疗保险", "current_balance_rate"): (54, "15.30%"),
    ("职工基本医疗保险统筹基金", "current_balance"): (54, "4096万元"),
    ("职工基本医疗保险统筹基金", "current_balance_rate"): (54, "5.01%"),
    ("职工基本医疗保险个人账户", "current_balance"): (54, "19108万元"),
    ("职工基本医疗保险个人账户", "current_balance_rate"): (54, "27.33%"),
    ("城乡居民基本医疗保险", "over_60_share"): (59, "20.41%"),
    ("城乡居民基本医疗保险", "current_balance"): (61, "-9054万元"),
    ("城乡居民基本医疗保险", "current_balance_rate"): (61, "-2.84%"),
    ("城乡居民基本医疗保险", "income_per_capita"): (63, "806元"),
    ("城乡居民基本医疗保险", "expenditure_per_capita"): (63, "828元"),
    # 7.27% exactly (805.61 ÷ 751 − 1), 7.32% from the rounded 806; consistent at 751's precision
    ("城乡居民基本医疗保险", "income_per_capita_yoy_rate"): (63, "7.32%"),
    # 7.04% exactly (828.45 ÷ 774 − 1), 6.97% truncated from 828/774; consistent at 774's precision
    ("城乡居民基本医疗保险", "expenditure_per_capita_yoy_rate"): (63, "6.97%"),
    (DEPT, "personnel_share"): (32, "71.67%"),
    (DEPT, "public_operating_share"): (32, "28.33%"),
    (DEPT, "operating_cost_control_rate"): (75, "95.57%"),
    (DEPT, "funding_control_rate"): (78, "98.7%"),
    (DEPT, "three_public_control_rate"): (80, "22.95%"),
    (DEPT, "reception_control_rate"): (80, "54.63%"),
    (DEPT, "budget_completion_rate"): (117, "98.7%"),
    (DEPT, "carryover_rate"): (117, "1.3%"),
    (DEPT, "budget_control_rate"): (119, "141.28%"),
}

#: values worked out by hand (Decimal, rounded half-up to 4 places): (record, id) -> value
HAND: dict[tuple[str, str], Decimal] = {
    ("职工基本医疗保险", "current_balance"): Decimal("23204.0000"),
    ("职工基本医疗保险", "current_balance_rate"): Decimal("15.2999"),  # 23204 ÷ 151661
    ("职工基本医疗保险", "insured_yoy_rate"): Decimal("3.7206"),  # 13921 ÷ (388079 − 13921)
    ("职工基本医疗保险", "active_retired_ratio"): Decimal("1.2429"),  # 215057 ÷ 173022
    ("职工基本医疗保险", "pooling_income_share"): Decimal("53.8919"),  # 81733 ÷ 151661
    ("职工基本医疗保险", "account_income_share"): Decimal("46.1081"),  # 69928 ÷ 151661
    ("职工基本医疗保险", "pooling_expenditure_share"): Decimal("60.4381"),  # 77637 ÷ 128457
    ("职工基本医疗保险", "account_expenditure_share"): Decimal("39.5619"),  # 50820 ÷ 128457
    ("职工基本医疗保险统筹基金", "current_balance_rate"): Decimal("5.0114"),  # 4096 ÷ 81733
    ("职工基本医疗保险个人账户", "current_balance_rate"): Decimal("27.3252"),  # 19108 ÷ 69928
    ("城乡居民基本医疗保险", "current_balance"): Decimal("-9054.0000"),
    ("城乡居民基本医疗保险", "current_balance_rate"): Decimal("-2.8357"),  # −9054 ÷ 319286
    ("城乡居民基本医疗保险", "income_per_capita"): Decimal("805.6081"),  # 319286万元 ÷ 3963292人
    ("城乡居民基本医疗保险", "expenditure_per_capita"): Decimal("828.4527"),  # 328340万元 ÷ 3963292人
    ("城乡居民基本医疗保险", "per_capita_gap"): Decimal("22.8446"),  # 9054万元 ÷ 3963292人
    ("城乡居民基本医疗保险", "income_per_capita_yoy_rate"): Decimal("7.2714"),
    ("城乡居民基本医疗保险", "expenditure_per_capita_yoy_rate"): Decimal("7.0352"),
    ("城乡居民基本医疗保险", "over_60_share"): Decimal("20.4136"),  # 809051 ÷ 3963292
    ("城乡居民基本医疗保险", "insured_yoy_rate"): Decimal("-3.3133"),  # −135817 ÷ (3963292 + 135817)
    (DEPT, "personnel_share"): Decimal("71.6694"),  # 655.18 ÷ 914.17
    (DEPT, "public_operating_share"): Decimal("28.3306"),  # 258.99 ÷ 914.17
    (DEPT, "operating_cost_control_rate"): Decimal("95.5718"),  # 258.99 ÷ 270.99
    (DEPT, "funding_control_rate"): Decimal("98.7043"),  # 914.17 ÷ 926.17
    (DEPT, "budget_completion_rate"): Decimal("98.7043"),  # 914.17 ÷ 926.17
    (DEPT, "three_public_control_rate"): Decimal("22.9536"),  # 6.73 ÷ 29.32
    (DEPT, "reception_control_rate"): Decimal("54.6266"),  # 6.73 ÷ 12.32
    (DEPT, "carryover_rate"): Decimal("1.2957"),  # 12 ÷ 926.17
    (DEPT, "budget_control_rate"): Decimal("141.2792"),  # 926.17 ÷ 655.56
    (DEPT, "budget_adjustment_rate"): Decimal("41.2792"),  # 270.61 ÷ 655.56
    (DEPT, "staff_control_rate"): Decimal("86.6667"),  # 52 ÷ 60
}

#: as the report (and the issue) write them: the engine's display at its own precision
DISPLAY: dict[tuple[str, str], str] = {
    ("职工基本医疗保险", "current_balance_rate"): "15.30%",
    ("城乡居民基本医疗保险", "income_per_capita"): "806元",
    ("城乡居民基本医疗保险", "expenditure_per_capita"): "828元",
    ("城乡居民基本医疗保险", "current_balance_rate"): "-2.84%",
    (DEPT, "three_public_control_rate"): "22.95%",
    (DEPT, "funding_control_rate"): "98.70%",
    (DEPT, "budget_control_rate"): "141.28%",
    (DEPT, "operating_cost_control_rate"): "95.57%",
    (DEPT, "reception_control_rate"): "54.63%",
}


def _round4(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    result = read_files([EXAMPLES / "units.yaml", FILE])
    assert result.ok, [str(p) for p in result.problems]
    assert result.dataset is not None
    return result.dataset


def _label(record: FundYear | DepartmentYear) -> str:
    return record.fund.value if isinstance(record, FundYear) else DEPT


def _results(ds: Dataset) -> dict[str, tuple[FundYear | DepartmentYear, list[IndicatorResult]]]:
    out: dict[str, tuple[FundYear | DepartmentYear, list[IndicatorResult]]] = {}
    for fy in ds.fund_years:
        siblings = {o.fund: o for o in ds.fund_years if (o.unit, o.year, o.scope) == (fy.unit, fy.year, fy.scope)}
        assert _label(fy) not in out
        out[_label(fy)] = (fy, compute_fund_year(fy, siblings))
    for dy in ds.departments:
        out[DEPT] = (dy, compute_department(dy))
    return out


@pytest.fixture(scope="module")
def results(dataset: Dataset) -> dict[str, tuple[FundYear | DepartmentYear, list[IndicatorResult]]]:
    return _results(dataset)


@pytest.fixture(scope="module")
def checks(results: dict[str, tuple[FundYear | DepartmentYear, list[IndicatorResult]]]
           ) -> dict[tuple[str, str], StatedCheck]:
    out: dict[tuple[str, str], StatedCheck] = {}
    for label, (record, computed) in results.items():
        for check in check_stated(record, computed):
            out[(label, check.id)] = check
    return out


def _result(results: dict[str, tuple[FundYear | DepartmentYear, list[IndicatorResult]]],
            key: tuple[str, str]) -> IndicatorResult:
    label, indicator_id = key
    found = [r for r in results[label][1] if r.id == indicator_id]
    assert len(found) == 1, f"{key}: not computed"
    return found[0]


def test_the_file_holds_the_records_of_the_report(dataset: Dataset) -> None:
    funds = sorted(fy.fund.value for fy in dataset.fund_years)
    assert funds == sorted([
        "职工基本医疗保险", "职工基本医疗保险统筹基金", "职工基本医疗保险个人账户", "城乡居民基本医疗保险",
        "大病保险", "医疗救助",
    ])
    assert {fy.scope for fy in dataset.fund_years} == {"全市"}
    assert len(dataset.departments) == 1
    dy = dataset.departments[0]
    assert (dy.unit, dy.year, dy.self_score) == ("430900", 2020, "99.9")
    assert dy.budget.initial is not None and dy.budget.initial.value == Decimal("655.56")


def test_every_stated_figure_is_pinned(checks: dict[tuple[str, str], StatedCheck]) -> None:
    assert set(checks) == set(WRONG) | set(NOT_COMPUTABLE) | set(RIGHT)
    assert not set(WRONG) & set(RIGHT) and not set(WRONG) & set(NOT_COMPUTABLE)


@pytest.mark.parametrize("key", sorted(RIGHT), ids=lambda k: f"{k[0]}-{k[1]}")
def test_right_figures_are_ok(checks: dict[tuple[str, str], StatedCheck], key: tuple[str, str]) -> None:
    line, stated = RIGHT[key]
    check = checks[key]
    assert (check.line, check.stated) == (line, stated)
    assert check.ok is True, check.message
    assert check.status == "ok"


def test_wrong_figures_are_exactly_the_pinned_ones(checks: dict[tuple[str, str], StatedCheck]) -> None:
    wrong = {key: (c.line, c.stated, c.expected) for key, c in checks.items() if c.ok is False}
    assert wrong == WRONG
    for key in WRONG:
        assert checks[key].status == "mismatch"
        assert f"第{WRONG[key][0]}行" in checks[key].message


def test_unverifiable_figures_say_why(checks: dict[tuple[str, str], StatedCheck]) -> None:
    unverifiable = {key: c.line for key, c in checks.items() if c.ok is None}
    assert unverifiable == NOT_COMPUTABLE
    for key in NOT_COMPUTABLE:
        assert checks[key].status == "not_computable"
        assert "缺少" in checks[key].message


@pytest.mark.parametrize("key", sorted(HAND), ids=lambda k: f"{k[0]}-{k[1]}")
def test_engine_values_equal_the_hand_computation(
    results: dict[str, tuple[FundYear | DepartmentYear, list[IndicatorResult]]], key: tuple[str, str],
) -> None:
    result = _result(results, key)
    assert result.value is not None, result.reason
    assert _round4(result.value) == HAND[key]
    assert result.interval is not None and result.interval.contains(result.value)


@pytest.mark.parametrize("key", sorted(DISPLAY), ids=lambda k: f"{k[0]}-{k[1]}")
def test_display_as_the_report_writes_it(
    results: dict[str, tuple[FundYear | DepartmentYear, list[IndicatorResult]]], key: tuple[str, str],
) -> None:
    assert _result(results, key).display() == DISPLAY[key]


def test_pooling_and_account_are_the_whole(
    results: dict[str, tuple[FundYear | DepartmentYear, list[IndicatorResult]]],
) -> None:
    """统筹 81733 + 个账 69928 = 151661 and 77637 + 50820 = 128457: the shares add up to 100%."""
    for what in ("income", "expenditure"):
        pooling = _result(results, ("职工基本医疗保险", f"pooling_{what}_share"))
        account = _result(results, ("职工基本医疗保险", f"account_{what}_share"))
        assert pooling.value is not None and account.value is not None
        assert _round4(pooling.value + account.value) == Decimal("100.0000")


def _fund_warnings(results: dict[str, tuple[FundYear | DepartmentYear, list[IndicatorResult]]],
                   dataset: Dataset) -> dict[str, list[RiskWarning]]:
    out: dict[str, list[RiskWarning]] = {}
    for label, (record, computed) in results.items():
        if isinstance(record, FundYear):
            siblings = {o.fund: o for o in dataset.fund_years
                        if (o.unit, o.year, o.scope) == (record.unit, record.year, record.scope)}
            out[label] = fund_warnings(record, computed, siblings=siblings)
    return out


def test_resident_current_year_deficit_is_warned(
    results: dict[str, tuple[FundYear | DepartmentYear, list[IndicatorResult]]], dataset: Dataset,
) -> None:
    """第61行: 城乡居民 当期亏损9054万元, 当期结余率 −2.84% — the report's own risk, and the only deficit."""
    warnings = _fund_warnings(results, dataset)
    deficits = {label: [w for w in ws if w.rule_id == "current_deficit"] for label, ws in warnings.items()}
    assert {label for label, ws in deficits.items() if ws} == {"城乡居民基本医疗保险"}
    (deficit,) = deficits["城乡居民基本医疗保险"]
    assert deficit.severity in ("warning", "serious")
    assert "赤字" in deficit.message and "9054" in deficit.message
    assert deficit.figures["当期结余率"] == "-2.84%"
    assert deficit.from_stated is False  # computed from 319286 − 328340, not copied from the report


def test_pooling_fund_income_falls_while_spending_rises(
    results: dict[str, tuple[FundYear | DepartmentYear, list[IndicatorResult]]], dataset: Dataset,
) -> None:
    """第50、52行: 统筹基金收入 −4.23%, 支出 +16.46% (stated growth; no 上年数 to compute it)."""
    warnings = _fund_warnings(results, dataset)["职工基本医疗保险统筹基金"]
    gap = [w for w in warnings if w.rule_id == "growth_gap"]
    assert len(gap) == 1
    assert gap[0].from_stated is True
    assert gap[0].figures["增速差（个百分点）"] == "20.69"  # 16.46 − (−4.23)


def test_department_signals(results: dict[str, tuple[FundYear | DepartmentYear, list[IndicatorResult]]]) -> None:
    """预算完成率 98.70% (<100%) and 追加 297.19 ÷ 年初 655.56 = 45.33% of the initial budget."""
    record, computed = results[DEPT]
    assert isinstance(record, DepartmentYear)
    by_rule = {w.rule_id: w for w in department_warnings(record, computed)}
    assert by_rule["department_budget_completion"].figures["预算完成率"] == "98.70%"
    assert by_rule["department_budget_addition"].figures["追加预算占年初预算比"] == "45.33%"
