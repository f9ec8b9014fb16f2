"""Fund risk warnings and department signals from the default rule set, on the seeds' figures."""

from __future__ import annotations

from pathlib import Path

from jixiao.calc import compute_dataset, compute_department, compute_fund_year, department_warnings, fund_warnings
from jixiao.model import Dataset, FundYear
from jixiao.rules import load_ruleset


def fund_years(records: list[dict]) -> list[FundYear]:
    return Dataset.model_validate({"fund_years": records}, context={"money_unit": "万元"}).fund_years


def warnings_of(fy: FundYear, ruleset=None, siblings=None):
    return fund_warnings(fy, compute_fund_year(fy, siblings), ruleset or load_ruleset(), siblings)


def test_seed004_resident_current_deficit():
    (resident,) = fund_years([{"unit": "yiyang", "year": 2020, "fund": "城乡居民基本医疗保险",
                               "income": {"total": "319286"}, "expenditure": {"total": "328340"}}])
    (w,) = warnings_of(resident)
    assert w.code == "JX-W-003" and w.rule_id == "current_deficit"
    assert w.severity == "warning"  # −2.84% of income: within the [−5%, 0) band
    assert w.ruleset == "default" and w.ruleset_version == "2024.1"
    assert w.figures["基金收入合计"] == "319286万元" and w.figures["基金支出合计"] == "328340万元"
    assert w.figures["当期结余率"] == "-2.84%"
    assert "当期赤字 9054万元" in w.message and "城乡居民医保" in w.message  # as the seed writes it
    assert "9054.00" not in w.message
    assert w.confidence == "practice" and "rules.md §3" in w.source


def test_deficit_shown_with_the_inputs_decimals():
    """The deficit in a warning is the result's own display: 米易 2019's 760.35 − 1651.24 keeps two
    decimals."""
    (miyi,) = fund_years([{"unit": "miyi", "year": 2019, "fund": "城乡居民基本医疗保险",
                           "income": {"total": "760.35"}, "expenditure": {"total": "1651.24"}}])
    (w,) = warnings_of(miyi)
    assert w.code == "JX-W-003" and "当期赤字 890.89万元" in w.message


def test_seed001_maternity_deficit_and_reserve():
    (maternity,) = fund_years([{"unit": "xj", "year": 2019, "fund": "生育保险",
                                "income": {"total": "19065"}, "expenditure": {"total": "20978"},
                                "budget": {"income": "18506", "expenditure": "25338"},
                                "balance": {"closing": "47043"}}])
    found = {w.code: w for w in warnings_of(maternity)}
    assert set(found) == {"JX-W-003", "JX-W-002", "JX-W-007"}
    deficit = found["JX-W-003"]
    assert deficit.severity == "serious"  # −1913 / 19065 = −10.03%: beyond −5%
    assert "1913" in deficit.message
    reserve = found["JX-W-002"]  # 47043 / (20978 / 12) = 26.9 months > 9
    assert reserve.severity == "warning" and reserve.label == "结余过多"
    assert reserve.figures["累计结余可支付月数"] == "26.9个月"
    assert "0.5%" in reserve.message
    assert found["JX-W-007"].figures["支出预算执行率"] == "82.79%"
    # most serious first
    assert warnings_of(maternity)[0].severity == "serious"


def test_pooling_reserve_rule_is_approximate_on_the_combined_employee_record():
    # seed 000: 职工医保（含生育） 累计结余 86448, 支出 66545 → 15.6 months; no 统筹基金 record
    (employee,) = fund_years([{"unit": "hami", "year": 2019, "fund": "职工基本医疗保险（含生育）",
                               "expenditure": {"total": "66545"}, "balance": {"closing": "86448"}}])
    (w,) = warnings_of(employee)
    assert w.code == "JX-W-001" and w.approximate is True and w.severity == "warning"
    assert "近似" in w.message and "15.6个月" in w.message


def test_pooling_reserve_rule_applies_to_the_pooling_record_itself():
    employee, pooling = fund_years([
        {"unit": "u", "year": 2020, "fund": "职工基本医疗保险", "expenditure": {"total": "128457"},
         "balance": {"closing": "300000"}},
        {"unit": "u", "year": 2020, "fund": "职工基本医疗保险统筹基金", "expenditure": {"total": "77637"},
         "balance": {"closing": "15000"}},
    ])
    siblings = {employee.fund: employee, pooling.fund: pooling}
    assert warnings_of(employee, siblings=siblings) == []  # the 统筹基金 has its own record
    (w,) = warnings_of(pooling, siblings=siblings)  # 15000 / (77637 / 12) = 2.3 months
    assert w.code == "JX-W-001" and w.severity == "serious" and w.label == "结余不足" and not w.approximate


def test_reasonable_reserve_gives_no_warning():
    (pooling,) = fund_years([{"unit": "u", "year": 2020, "fund": "职工基本医疗保险统筹基金",
                              "income": {"total": "80000"}, "expenditure": {"total": "77637"},
                              "balance": {"closing": "45000"}}])  # 7.0 months
    assert warnings_of(pooling) == []


def test_resident_balance_rate_over_15_percent():
    (resident,) = fund_years([{"unit": "u", "year": 2020, "fund": "城乡居民基本医疗保险",
                               "income": {"total": "10000"}, "expenditure": {"total": "8000"}}])
    (w,) = warnings_of(resident)
    assert w.code == "JX-W-004" and w.figures["当期结余率"] == "20.00%"


def test_growth_gap_uses_stated_rates_when_not_computable():
    # seed 004 职工医保: 收入比上年增长1.28%，支出比上年增长9.14% (no previous-year amounts stated)
    (employee,) = fund_years([{"unit": "yiyang", "year": 2020, "fund": "职工基本医疗保险",
                               "income": {"total": "151661"}, "expenditure": {"total": "128457"},
                               "stated": {"income_yoy_rate": {"value": "1.28%", "line": 50},
                                          "expenditure_yoy_rate": {"value": "9.14%", "line": 52}}}])
    (w,) = warnings_of(employee)
    assert w.code == "JX-W-005" and w.severity == "warning" and w.from_stated
    assert w.figures["增速差（个百分点）"] == "7.86"
    assert "收入同比增减率（报告所述，原文第50行）" in w.figures


def test_growth_gap_from_computed_rates():
    # seed 000 城乡居民: 收入 26773 (−2852), 支出 24624 (−955)
    (resident,) = fund_years([{"unit": "hami", "year": 2019, "fund": "城乡居民基本医疗保险",
                               "income": {"total": "26773"}, "expenditure": {"total": "24624"},
                               "change": {"income_total": "-2852", "expenditure_total": "-955"}}])
    codes = {w.code: w for w in warnings_of(resident)}
    assert codes["JX-W-005"].from_stated is False
    assert codes["JX-W-005"].figures["收入同比增减率"] == "-9.63%"


def test_thresholds_come_from_the_rule_file(tmp_path: Path):
    (resident,) = fund_years([{"unit": "u", "year": 2020, "fund": "城乡居民基本医疗保险",
                               "income": {"total": "319286"}, "expenditure": {"total": "328340"}}])
    strict = tmp_path / "strict.yaml"
    strict.write_text(
        "name: strict\nversion: '1'\ntitle: 从严的当期赤字规则\nextends: default\n"
        "warnings:\n  - id: current_deficit\n    kind: deficit\n    code: JX-W-003\n    name: 当期赤字\n"
        "    source: test\n    confidence: practice\n"
        "    rate_bands:\n      - {range: '(-inf, 0)', severity: serious, label: 任何赤字都严重}\n",
        encoding="utf-8",
    )
    (w,) = warnings_of(resident, load_ruleset(str(strict)))
    assert w.severity == "serious" and w.ruleset == "strict" and w.label == "任何赤字都严重"


def test_department_signals_seed004_and_over_quota():
    ds = Dataset.model_validate({"departments": [
        {"unit": "yiyang", "year": 2020,
         "budget": {"initial": "655.56", "additions": "297.19", "full_year": "926.17"},
         "expenditure": {"general_public": "914.17"}, "staff": {"authorized": "60", "actual": "52"},
         "three_public": {"total": {"budget": "29.32", "actual": "6.73"}}},
        {"unit": "over", "year": 2020, "budget": {"full_year": "100"}, "expenditure": {"total": "85"},
         "staff": {"authorized": "20", "actual": "23"},
         "three_public": {"total": {"budget": "10", "actual": "12", "previous_budget": "8"}}},
    ]}, context={"money_unit": "万元"})
    yiyang, over = ds.departments
    codes = {w.code: w for w in department_warnings(yiyang, compute_department(yiyang))}
    assert set(codes) == {"JX-W-101", "JX-W-105"}
    assert codes["JX-W-101"].severity == "info"  # 98.70%: below 100 but not below 90
    assert codes["JX-W-105"].figures["追加预算占年初预算比"] == "45.33%"
    found = {w.code: w for w in department_warnings(over, compute_department(over))}
    assert found["JX-W-101"].severity == "warning"  # 85%
    assert found["JX-W-102"].figures["“三公”经费变动率"] == "25.00%"  # (10 − 8) / 8
    assert found["JX-W-103"].figures["“三公”经费控制率"] == "120.00%"
    assert found["JX-W-104"].message == "部门在职人员控制率为 115.00%，实有在职人数超过编制数"


def test_compute_dataset_groups_siblings_and_collects_warnings():
    ds = Dataset.model_validate({"fund_years": [
        {"unit": "yiyang", "year": 2020, "fund": "职工基本医疗保险",
         "income": {"total": "151661"}, "expenditure": {"total": "128457"}},
        {"unit": "yiyang", "year": 2020, "fund": "职工基本医疗保险统筹基金",
         "income": {"total": "81733"}, "expenditure": {"total": "77637"}},
        {"unit": "yiyang", "year": 2020, "fund": "城乡居民基本医疗保险",
         "income": {"total": "319286"}, "expenditure": {"total": "328340"},
         "stated": {"current_balance": {"value": "-9054万元"}}},
    ]}, context={"money_unit": "万元"})
    di = compute_dataset(ds)
    employee, pooling, resident = di.funds
    assert employee.result("pooling_income_share").display() == "53.89%"
    assert [w.code for w in di.warnings] == ["JX-W-003"]
    assert resident.checks[0].ok is True
    assert pooling.label == "yiyang 2020 统筹基金"
