"""Seed 000 (哈密市医疗保障局 2019 医疗保险支出绩效自评): the engine against the report.

``examples/000_hami_2019.yaml`` holds every figure the report states. The report calls the
职工医保 保险费收入 74200 its “收入” and the 待遇支出 65884 its “支出” (line 13 gives 总收入 75381 and
总支出 66545), so the growth of those two is checked as 征缴收入/待遇支出 growth. For 城乡居民 it
states two incomes (26773 / 27034) and two expenditures (24624 / 90305); the file holds the ones
the report uses throughout. Wrong figures are pinned with their line and the right value worked
out by hand with Decimal.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from jixiao.calc.risks import RiskWarning, fund_warnings
from jixiao.calc.stated import StatedCheck
from jixiao.model import Dataset
from seed_support import Results, fund_results, load_example, result_of, round4, stated_checks

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
FILE = EXAMPLES / "000_hami_2019.yaml"
EMPLOYEE = "职工基本医疗保险（含生育）"
RESIDENT = "城乡居民基本医疗保险"

#: (record, id) -> (report line, stated as written, right value at the stated precision)
WRONG: dict[tuple[str, str], tuple[int, str, str]] = {
    # 第8行 支出“完成年度预算105.39%”: 总支出 66545 ÷ 63918 = 104.11% (待遇支出 65884 ÷ 63918 = 103.08%,
    # which lines 15 and 26 state for the same figure). 105.39% fits neither.
    (EMPLOYEE, "expenditure_budget_execution_rate"): (8, "105.39%", "104.11%"),
    # 第8行 (and 15, 26) 待遇支出 65884 “较上年减少994万元，降幅1.48%”: 994 ÷ (65884 + 994) = 1.4863% → 1.49%;
    # even at the precision of 65884 and 994 the rate is at least 1.4855%. Truncated, not rounded.
    (EMPLOYEE, "benefits_yoy_rate"): (8, "-1.48%", "-1.49%"),
    # 第9行 (and 13, 15, 26) 当期结余569万元: 26773 − 24624 = 2149.
    (RESIDENT, "current_balance"): (9, "569万元", "2149万元"),
}

#: stated figures without the inputs needed to check them (no income budget is written)
NOT_COMPUTABLE: dict[tuple[str, str], int] = {
    (EMPLOYEE, "contributions_budget_execution_rate"): 8,
    (RESIDENT, "income_budget_execution_rate"): 9,
}

#: stated figures that are right: (record, id) -> (line, stated)
RIGHT: dict[tuple[str, str], tuple[int, str]] = {
    (EMPLOYEE, "contributions_yoy_rate"): (8, "9.25%"),  # 6284 ÷ (74200 − 6284) = 9.2526%
    (EMPLOYEE, "current_balance"): (8, "8836万元"),  # 75381 − 66545
    (EMPLOYEE, "benefits_budget_execution_rate"): (15, "103.08%"),  # 65884 ÷ 63918
    # −2852 ÷ 29625 = −9.6270% → −9.63%, but at the precision of 26773 and 2852 the rate reaches −9.62499%
    (RESIDENT, "income_yoy_rate"): (9, "-9.62%"),
    (RESIDENT, "expenditure_yoy_rate"): (9, "-3.73%"),  # −955 ÷ 25579
    # 24624 ÷ 22275 = 110.5455% → 110.55%, but at the precision of the two figures it reaches 110.5407%
    (RESIDENT, "expenditure_budget_execution_rate"): (9, "110.54%"),
}

#: values worked out by hand (Decimal, rounded half-up to 4 places)
HAND: dict[tuple[str, str], Decimal] = {
    (EMPLOYEE, "current_balance"): Decimal("8836.0000"),  # 75381 − 66545
    (EMPLOYEE, "current_balance_rate"): Decimal("11.7218"),  # 8836 ÷ 75381
    (EMPLOYEE, "expenditure_budget_execution_rate"): Decimal("104.1100"),  # 66545 ÷ 63918
    (EMPLOYEE, "benefits_budget_execution_rate"): Decimal("103.0758"),  # 65884 ÷ 63918
    (EMPLOYEE, "months_of_reserve"): Decimal("15.5891"),  # 86448 ÷ (66545 ÷ 12)
    (RESIDENT, "current_balance"): Decimal("2149.0000"),  # 26773 − 24624
    (RESIDENT, "current_balance_rate"): Decimal("8.0267"),  # 2149 ÷ 26773
    (RESIDENT, "income_yoy_rate"): Decimal("-9.6270"),  # −2852 ÷ (26773 + 2852)
    (RESIDENT, "expenditure_yoy_rate"): Decimal("-3.7335"),  # −955 ÷ (24624 + 955)
    (RESIDENT, "expenditure_budget_execution_rate"): Decimal("110.5455"),  # 24624 ÷ 22275
    (RESIDENT, "months_of_reserve"): Decimal("9.0132"),  # 18495 ÷ (24624 ÷ 12)
    (EMPLOYEE, "contributions_yoy_rate"): Decimal("9.2526"),  # 6284 ÷ (74200 − 6284)
    (EMPLOYEE, "benefits_yoy_rate"): Decimal("-1.4863"),  # −994 ÷ (65884 + 994)
}

@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return load_example(FILE)


@pytest.fixture(scope="module")
def results(dataset: Dataset) -> Results:
    return fund_results(dataset)


@pytest.fixture(scope="module")
def checks(results: Results) -> dict[tuple[str, str], StatedCheck]:
    return stated_checks(results)




def test_the_file_holds_the_records_of_the_report(dataset: Dataset) -> None:
    assert sorted(fy.fund.value for fy in dataset.fund_years) == sorted([EMPLOYEE, RESIDENT])
    assert {(fy.unit, fy.year, fy.scope) for fy in dataset.fund_years} == {("650500", 2019, "全市")}
    employee = next(fy for fy in dataset.fund_years if fy.fund.value == EMPLOYEE)
    # 第13行: the parts add up to the totals the file holds
    income = employee.income
    parts = [income.contributions, income.interest, income.other, income.transfer_in]
    assert sum(p.value for p in parts if p) == employee.income.total.value == Decimal(75381)  # type: ignore[union-attr]
    spent = [employee.expenditure.benefits, employee.expenditure.other, employee.expenditure.transfer_out]
    assert sum(p.value for p in spent if p) == employee.expenditure.total.value == Decimal(66545)  # type: ignore[union-attr]


def test_conflicting_statements_are_kept_in_notes(dataset: Dataset) -> None:
    """第13行's 27034 and 90305 are not lost: the file holds 26773 / 24624 and notes the others."""
    resident = next(fy for fy in dataset.fund_years if fy.fund.value == RESIDENT)
    assert resident.income.total is not None and resident.income.total.value == Decimal(26773)
    assert resident.expenditure.total is not None and resident.expenditure.total.value == Decimal(24624)
    notes = "\n".join(resident.notes)
    for figure in ("27034", "90305", "第13行"):
        assert figure in notes


def test_every_stated_figure_is_pinned(checks: dict[tuple[str, str], StatedCheck]) -> None:
    assert set(checks) == set(WRONG) | set(NOT_COMPUTABLE) | set(RIGHT)


@pytest.mark.parametrize("key", sorted(RIGHT), ids=lambda k: f"{k[0]}-{k[1]}")
def test_right_figures_are_ok(checks: dict[tuple[str, str], StatedCheck], key: tuple[str, str]) -> None:
    line, stated = RIGHT[key]
    check = checks[key]
    assert (check.line, check.stated) == (line, stated)
    assert check.ok is True, check.message


def test_wrong_figures_are_exactly_the_pinned_ones(checks: dict[tuple[str, str], StatedCheck]) -> None:
    wrong = {key: (c.line, c.stated, c.expected) for key, c in checks.items() if c.ok is False}
    assert wrong == WRONG
    for key in wrong:
        assert f"第{WRONG[key][0]}行" in checks[key].message


def test_unverifiable_figures_say_why(checks: dict[tuple[str, str], StatedCheck]) -> None:
    not_computable = {key: c.line for key, c in checks.items() if c.status == "not_computable"}
    assert not_computable == NOT_COMPUTABLE
    for key in NOT_COMPUTABLE:
        assert "缺少" in checks[key].message
    assert all(c.status in ("ok", "mismatch", "not_computable") for c in checks.values())


def test_contributions_and_benefits_growth(checks: dict[tuple[str, str], StatedCheck]) -> None:
    """第8行: 征缴收入 74200 grew 6284 (9.25%, right); 待遇支出 65884 fell 994 (stated 1.48%, right 1.49%)."""
    assert checks[(EMPLOYEE, "contributions_yoy_rate")].ok is True
    benefits = checks[(EMPLOYEE, "benefits_yoy_rate")]
    assert (benefits.ok, benefits.line, benefits.stated, benefits.expected) == (False, 8, "-1.48%", "-1.49%")
    assert "截尾" in benefits.message


@pytest.mark.parametrize("key", sorted(HAND), ids=lambda k: f"{k[0]}-{k[1]}")
def test_engine_values_equal_the_hand_computation(results: Results, key: tuple[str, str]) -> None:
    result = result_of(results, key)
    assert result.value is not None, result.reason
    assert round4(result.value) == HAND[key]


def test_total_income_growth_is_not_claimed(results: Results) -> None:
    """The report gives no change of 总收入/总支出 for 职工医保: those growth rates stay not computable."""
    for indicator_id in ("income_yoy_rate", "expenditure_yoy_rate"):
        result = result_of(results, (EMPLOYEE, indicator_id))
        assert result.value is None and result.reason


def test_warnings(results: Results, dataset: Dataset) -> None:
    """No deficit (城乡居民 2149 > 0 even though the report's 569 is wrong); the 职工 reserve
    86448 ÷ (66545 ÷ 12) = 15.6 months is flagged only approximately (统筹/个账 not split)."""
    warnings: dict[str, list[RiskWarning]] = {}
    for label, (record, computed) in results.items():
        siblings = {o.fund: o for o in dataset.fund_years if o.scope == record.scope}
        warnings[label] = fund_warnings(record, computed, siblings=siblings)
    assert not [w for ws in warnings.values() for w in ws if w.rule_id == "current_deficit"]
    reserve = [w for w in warnings[EMPLOYEE] if w.rule_id == "employee_pooling_reserve"]
    assert len(reserve) == 1
    assert reserve[0].approximate is True
    assert reserve[0].figures["累计结余可支付月数"] == "15.6个月"
