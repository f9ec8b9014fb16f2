"""Fund indicators on the seeds' real figures, built as model objects here (not from examples/)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jixiao.calc import REGISTRY, IndicatorResult, check_stated, compute_fund_year, definitions, lookup
from jixiao.model import Dataset, FundKind, FundYear


def fund_years(records: list[dict], money_unit: str = "万元") -> list[FundYear]:
    ds = Dataset.model_validate({"money_unit": money_unit, "fund_years": records}, context={"money_unit": money_unit})
    return ds.fund_years


def same(a: Decimal | None, b: Decimal) -> bool:
    """Equal at full precision (the engine works with 34 significant digits, Python's default 28)."""
    return a is not None and abs(a - b) < Decimal("1e-20")


def by_id(results: list[IndicatorResult]) -> dict[str, IndicatorResult]:
    return {r.id: r for r in results}


# seed 004 (益阳 2020): 职工医保（含生育） with 统筹基金 and 个人账户, and 城乡居民
SEED_004 = [
    {"unit": "yiyang", "year": 2020, "fund": "职工基本医疗保险",
     "income": {"total": "151661"}, "expenditure": {"total": "128457"},
     "coverage": {"insured": "388079", "employed": "215057", "retired": "173022"}, "change": {"insured": 13921},
     "stated": {"current_balance_rate": {"value": "15.30%", "line": 54}, "insured_yoy_rate": {"value": "3.72%"}}},
    {"unit": "yiyang", "year": 2020, "fund": "职工基本医疗保险统筹基金",
     "income": {"total": "81733"}, "expenditure": {"total": "77637"}},
    {"unit": "yiyang", "year": 2020, "fund": "职工基本医疗保险个人账户",
     "income": {"total": "69928"}, "expenditure": {"total": "50820"}},
    {"unit": "yiyang", "year": 2020, "fund": "城乡居民基本医疗保险",
     "income": {"total": "319286"}, "expenditure": {"total": "328340"},
     "coverage": {"insured": "3963292", "over_60": "809051"},
     "previous": {"income_per_capita": "751", "expenditure_per_capita": "774"},
     "stated": {"income_per_capita": {"value": "806元", "line": 63},
                "expenditure_per_capita": {"value": "828元/人", "line": 63},
                "per_capita_gap": {"value": "22元", "line": 63},
                "income_per_capita_yoy_rate": {"value": "7.32%", "line": 63},
                "current_balance_rate": {"value": "-2.84%", "line": 61}}},
]


@pytest.fixture
def seed004() -> dict[FundKind, FundYear]:
    return {fy.fund: fy for fy in fund_years(SEED_004)}


def test_seed004_employee_current_balance_rate_15_30(seed004):
    employee = seed004[FundKind.employee]
    r = by_id(compute_fund_year(employee, seed004))
    assert r["current_balance"].value == Decimal(23204)
    rate = r["current_balance_rate"]
    assert same(rate.value, Decimal(23204) * 100 / Decimal(151661))  # full precision, not rounded
    assert rate.value != Decimal("15.30")
    assert rate.display() == "15.30%"
    assert rate.interval is not None and rate.interval.contains(rate.value)
    assert rate.inputs == {"基金收入合计": "151661万元", "基金支出合计": "128457万元"}


def test_seed004_pooling_and_account_balance_rates(seed004):
    pooling = by_id(compute_fund_year(seed004[FundKind.employee_pooling], seed004))
    account = by_id(compute_fund_year(seed004[FundKind.employee_account], seed004))
    assert pooling["current_balance"].display() == "4096万元"  # whole inputs → whole
    assert pooling["current_balance_rate"].display() == "5.01%"
    assert account["current_balance"].display() == "19108万元"
    assert account["current_balance_rate"].display() == "27.33%"
    # the parts have no insured persons of their own: per-capita rows are left out, not shown as 0
    assert "income_per_capita" not in pooling


def test_seed004_structure_shares_on_the_employee_record_only(seed004):
    employee = by_id(compute_fund_year(seed004[FundKind.employee], seed004))
    assert employee["pooling_income_share"].display() == "53.89%"  # 81733 / 151661
    assert employee["account_income_share"].display() == "46.11%"  # 69928 / 151661
    assert employee["pooling_expenditure_share"].display() == "60.44%"  # 77637 / 128457
    assert employee["account_expenditure_share"].display() == "39.56%"
    assert employee["pooling_income_share"].inputs["统筹基金·基金收入合计"] == "81733万元"
    resident = by_id(compute_fund_year(seed004[FundKind.resident], seed004))
    assert "pooling_income_share" not in resident
    # without siblings the share is listed as not computable, naming the missing record
    alone = by_id(compute_fund_year(seed004[FundKind.employee]))
    assert alone["pooling_income_share"].value is None
    assert alone["pooling_income_share"].reason == "缺少：统筹基金的基金记录"


def test_seed004_per_capita_806_and_828_yuan(seed004):
    r = by_id(compute_fund_year(seed004[FundKind.resident], seed004))
    income, spend = r["income_per_capita"], r["expenditure_per_capita"]
    assert income.unit == "元" and income.places == 0
    assert same(income.value, Decimal(319286) * 10000 / Decimal(3963292))
    assert income.display() == "806元"
    assert spend.display() == "828元"
    assert r["per_capita_gap"].display() == "23元"  # 828.45 − 805.61 = 22.84, not the report's 22
    assert r["over_60_share"].display() == "20.41%"
    assert r["current_balance_rate"].display() == "-2.84%"
    assert r["current_balance"].value == Decimal(-9054)


def test_seed004_insured_growth_derived_from_change(seed004):
    r = by_id(compute_fund_year(seed004[FundKind.employee], seed004))
    growth = r["insured_yoy_rate"]
    assert growth.display() == "3.72%"  # 13921 / (388079 − 13921)
    assert growth.inputs["上年参保人数（推算）"] == "374158人"
    assert r["active_retired_ratio"].display() == "1.24倍"


def test_seed001_net_assets_budget_execution_and_reserve():
    employee, maternity = fund_years([
        {"unit": "xj", "year": 2019, "fund": "职工基本医疗保险",
         "income": {"total": "355212"}, "expenditure": {"total": "268747"},
         "budget": {"income": "360240", "expenditure": "335413"},
         "balance": {"closing": "560783"},
         "balance_sheet": {"assets_total": "619029", "liabilities_total": "58246"},
         "previous": {}, "change": {"expenditure_total": "-6136"}},
        {"unit": "xj", "year": 2019, "fund": "生育保险",
         "income": {"total": "19065"}, "expenditure": {"total": "20978"},
         "budget": {"income": "18506", "expenditure": "25338"}, "balance": {"closing": "47043"},
         "services": {"maternity": "9595"}, "change": {"maternity_beneficiaries": 1036}},
    ])
    e = by_id(compute_fund_year(employee))
    assert e["net_assets"].value == Decimal(560783)  # 619029 − 58246
    assert e["income_budget_execution_rate"].display() == "98.60%"
    assert e["expenditure_budget_execution_rate"].display() == "80.12%"
    assert e["expenditure_yoy_rate"].display() == "-2.23%"  # −6136 / 274883
    assert e["current_balance"].value == Decimal(86465)  # the report writes 86466
    assert e["months_of_reserve"].display() == "25.0个月"
    m = by_id(compute_fund_year(maternity))
    assert m["current_balance"].value == Decimal(-1913)
    assert m["income_budget_execution_rate"].display() == "103.02%"
    assert m["expenditure_budget_execution_rate"].display() == "82.79%"
    assert m["maternity_beneficiaries_yoy_rate"].display() == "12.10%"
    assert same(m["months_of_reserve"].value, Decimal(47043) * 12 / Decimal(20978))
    assert m["months_of_reserve"].display() == "26.9个月"


def test_seed000_growth_from_stated_change_9_25():
    (employee,) = fund_years([
        {"unit": "hami", "year": 2019, "fund": "职工基本医疗保险（含生育）",
         "income": {"total": "74200"}, "change": {"income_total": "6284"}},
    ])
    r = by_id(compute_fund_year(employee))
    assert r["income_yoy_rate"].display() == "9.25%"  # 6284 / (74200 − 6284)
    assert r["income_yoy_rate"].inputs["上年数（推算：本年 − 增减额）"] == "67916万元"
    assert r["income_yoy_change"].value == Decimal(6284)
    assert "本年基金收入合计 − 收入较上年增减额" in REGISTRY["income_yoy_rate"].formula


def test_growth_from_previous_year_when_stated():
    (fy,) = fund_years([{"unit": "u", "year": 2019, "fund": "城乡居民基本医疗保险",
                         "income": {"total": "26773"}, "previous": {"income_total": "29625"},
                         "change": {"income_total": "-9999"}}])
    r = by_id(compute_fund_year(fy))
    assert r["income_yoy_change"].value == Decimal(-2852)  # the previous year wins over a stated change
    assert r["income_yoy_rate"].display() == "-9.63%"


def test_missing_inputs_are_named_by_model_titles_never_zero():
    (fy,) = fund_years([{"unit": "u", "year": 2020, "fund": "城乡居民基本医疗保险",
                         "expenditure": {"total": "24624"}}])
    r = by_id(compute_fund_year(fy))
    spend = r["expenditure_budget_execution_rate"]
    assert spend.value is None and spend.interval is None
    assert spend.reason == "缺少：调整后支出预算或支出预算"
    assert spend.display() == "不可计算：缺少：调整后支出预算或支出预算"
    assert r["contributions_budget_execution_rate"].reason == "缺少：保险费（征缴）收入、征缴收入预算"
    assert r["current_balance"].reason == "缺少：基金收入合计"
    assert r["income_per_capita"].reason == "缺少：基金收入合计、参保人数"
    assert r["income_yoy_rate"].reason == "缺少：基金收入合计、上年基金收入或收入较上年增减额"


def test_zero_denominator_is_not_computable_with_reason():
    (fy,) = fund_years([{"unit": "u", "year": 2020, "fund": "医疗救助",
                         "income": {"total": "0"}, "expenditure": {"total": "15"}}])
    r = by_id(compute_fund_year(fy))
    assert r["current_balance"].value == Decimal(-15)
    assert r["current_balance_rate"].value is None
    assert r["current_balance_rate"].reason == "基金收入合计为零，无法相除"


def test_money_in_yuan_or_yi_gives_the_same_indicators():
    wan, = fund_years([{"unit": "u", "year": 2020, "fund": "城乡居民基本医疗保险",
                        "income": {"total": "319286"}, "expenditure": {"total": "328340"},
                        "coverage": {"insured": "396.3292万人"}}])
    yuan, = fund_years([{"unit": "u", "year": 2020, "fund": "城乡居民基本医疗保险",
                         "income": {"total": "3192860000"}, "expenditure": {"total": "3283400000"},
                         "coverage": {"insured": "3963292"}}], money_unit="元")
    yi, = fund_years([{"unit": "u", "year": 2020, "fund": "城乡居民基本医疗保险",
                       "income": {"total": "31.9286亿元"}, "expenditure": {"total": "32.834亿元"}}])
    a, b, c = (by_id(compute_fund_year(x)) for x in (wan, yuan, yi))
    assert a["current_balance"].value == b["current_balance"].value == c["current_balance"].value == -9054
    assert a["income_per_capita"].display() == b["income_per_capita"].display() == "806元"
    # 亿元 with 4 decimals is coarser than 万元: the interval is wider, the value the same
    assert c["current_balance"].interval.width > a["current_balance"].interval.width


def test_display_rounds_half_up_and_never_shows_minus_zero():
    assert IndicatorResult("x", Decimal("2.845"), None, "%", None, {}).display() == "2.85%"
    assert IndicatorResult("x", Decimal("805.5"), None, "元", None, {}, places=0).display() == "806元"
    assert IndicatorResult("x", Decimal("-0.001"), None, "%", None, {}).display() == "0.00%"


def test_registry_defines_every_contract_id_once_with_formula_and_source():
    contract = {
        "income_budget_execution_rate", "contributions_budget_execution_rate", "expenditure_budget_execution_rate",
        "benefits_budget_execution_rate", "income_yoy_change", "income_yoy_rate", "expenditure_yoy_change",
        "expenditure_yoy_rate", "current_balance", "current_balance_rate", "closing_balance", "net_assets",
        "months_of_reserve", "income_per_capita", "expenditure_per_capita", "per_capita_gap",
        "income_per_capita_yoy_rate", "expenditure_per_capita_yoy_rate", "insured_yoy_rate",
        "active_retired_ratio", "over_60_share", "maternity_beneficiaries_yoy_rate", "pooling_income_share",
        "account_income_share", "pooling_expenditure_share", "account_expenditure_share",
    }
    fund_ids = {d.id for d in definitions("fund")}
    assert contract <= fund_ids
    for d in definitions("fund"):
        assert d.subject == "fund" and d.name and d.formula and d.unit and d.inputs
        assert "rules.md" in d.rule and "[" in d.rule, d.id  # section and confidence tag
    assert lookup("income_yoy_rate", "department").subject == "department"
    assert lookup("income_yoy_rate").subject == "fund"


# --------------------------------------------------------------------------------------------
# check_stated
# --------------------------------------------------------------------------------------------

def test_check_stated_seed000_resident_balance_569_is_wrong():
    (fy,) = fund_years([{"unit": "hami", "year": 2019, "fund": "城乡居民基本医疗保险",
                         "income": {"total": "26773"}, "expenditure": {"total": "24624"},
                         "stated": {"current_balance": {"value": "569万元", "line": 9}}}])
    (check,) = check_stated(fy, compute_fund_year(fy))
    assert check.ok is False and check.status == "mismatch"
    assert check.expected == "2149万元"
    assert check.computed_display == "2149万元"
    assert check.line == 9
    assert "2149万元" in check.message and "第9行" in check.message and "569" in check.message


def test_check_stated_accepts_figures_within_written_precision(seed004):
    employee = seed004[FundKind.employee]
    checks = {c.id: c for c in check_stated(employee, compute_fund_year(employee, seed004))}
    assert checks["current_balance_rate"].ok is True
    assert checks["insured_yoy_rate"].ok is True
    resident = seed004[FundKind.resident]
    checks = {c.id: c for c in check_stated(resident, compute_fund_year(resident, seed004))}
    assert checks["income_per_capita"].ok is True
    assert checks["expenditure_per_capita"].ok is True  # '828元/人' against 元
    assert checks["current_balance_rate"].ok is True
    # 7.32% = 806/751 − 1 from rounded per-capita figures: within what 751 (±0.5) allows
    assert checks["income_per_capita_yoy_rate"].ok is True
    # 22 = 828 − 806 of rounded figures; the exact gap 22.84 rounds to 23
    gap = checks["per_capita_gap"]
    assert gap.ok is False and gap.expected == "23元" and "截尾" in gap.message


def test_check_stated_rounding_of_inputs_is_not_an_error():
    # seed 001: 355212 − 268747 = 86465, the report writes 86466 — both inputs are rounded to 万元
    (fy,) = fund_years([{"unit": "xj", "year": 2019, "fund": "职工基本医疗保险",
                         "income": {"total": "355212"}, "expenditure": {"total": "268747"},
                         "stated": {"current_balance": {"value": "86466万元"},
                                    "current_balance@line99": {"value": "86470万元", "line": 99}}}])
    first, second = check_stated(fy, compute_fund_year(fy))
    assert first.ok is True
    assert second.id == "current_balance" and second.key == "current_balance@line99" and second.ok is False


def test_check_stated_truncated_rate_is_flagged():
    # seed 000: 支出65884万元，较上年减少994万元，降幅1.48% — −994 / 66878 = −1.486%
    (fy,) = fund_years([{"unit": "hami", "year": 2019, "fund": "职工基本医疗保险（含生育）",
                         "expenditure": {"total": "65884", "benefits": "65884"},
                         "change": {"benefits": "-994", "expenditure_total": "-994"},
                         "stated": {"expenditure_yoy_rate": {"value": "-1.48%", "line": 8}}}])
    (check,) = check_stated(fy, compute_fund_year(fy))
    assert check.ok is False and check.expected == "-1.49%" and "截尾" in check.message


def test_check_stated_unknown_and_not_computable():
    (fy,) = fund_years([{"unit": "u", "year": 2019, "fund": "生育保险", "income": {"total": "19065"},
                         "stated": {"no_such_indicator": {"value": "1%"},
                                    "income_budget_execution_rate": {"value": "103.02%", "line": 30}}}])
    unknown, missing = check_stated(fy, compute_fund_year(fy))
    assert unknown.ok is None and unknown.status == "unknown"
    assert missing.ok is None and missing.status == "not_computable"
    assert "缺少：调整后收入预算或收入预算" in missing.message
