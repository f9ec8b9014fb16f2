"""Department indicators on seed 004 (益阳 2020) and seed 002 (株洲 2018) figures."""

from __future__ import annotations

from decimal import Decimal

from jixiao.calc import IndicatorResult, check_stated, compute_department, definitions
from jixiao.model import Dataset, DepartmentYear


def department(record: dict) -> DepartmentYear:
    ds = Dataset.model_validate({"departments": [record]}, context={"money_unit": "万元"})
    return ds.departments[0]


def by_id(results: list[IndicatorResult]) -> dict[str, IndicatorResult]:
    return {r.id: r for r in results}


YIYANG_2020 = {
    "unit": "yiyang", "year": 2020,
    "staff": {"authorized": "60", "actual": "52", "retired": "15"},
    "budget": {"initial": "655.56", "additions": "297.19", "reductions": "26.58", "full_year": "926.17",
               "operating_costs": "270.99"},
    "expenditure": {"general_public": "914.17", "basic": "914.17", "personnel": "655.18",
                    "public_operating": "258.99", "operating_costs": "258.99"},
    "three_public": {"total": {"budget": "29.32", "actual": "6.73"},
                     "reception": {"budget": "12.32", "actual": "6.73"}},
    "carryover": {"closing": "12"},
    "stated": {
        "funding_control_rate": {"value": "98.7%", "line": 92},
        "three_public_control_rate": {"value": "22.95%", "line": 94},
        "budget_control_rate": {"value": "141.28%", "line": 131},
        "operating_cost_control_rate": {"value": "95.57%", "line": 88},
        "budget_completion_rate": {"value": "98.7%", "line": 126},
        "personnel_share": {"value": "71.67%", "line": 26},
    },
}


def test_seed004_control_rates():
    r = by_id(compute_department(department(YIYANG_2020)))
    assert r["three_public_control_rate"].display() == "22.95%"  # 6.73 / 29.32
    assert r["funding_control_rate"].display() == "98.70%"  # 914.17 / 926.17
    assert r["budget_control_rate"].display() == "141.28%"  # 926.17 / 655.56
    assert r["operating_cost_control_rate"].display() == "95.57%"  # 258.99 / 270.99
    assert r["reception_control_rate"].display() == "54.63%"  # 6.73 / 12.32
    assert r["budget_completion_rate"].display() == "98.70%"
    assert r["budget_completion_rate"].inputs == {"一般公共预算财政拨款支出": "914.17万元", "全年预算": "926.17万元"}
    assert r["budget_adjustment_rate"].display() == "41.28%"  # (926.17 − 655.56) / 655.56
    assert r["budget_addition_rate"].display() == "45.33%"  # 297.19 / 655.56
    assert r["staff_control_rate"].display() == "86.67%"  # 52 / 60
    assert r["carryover_rate"].display() == "1.30%"  # 12 / 926.17
    assert r["personnel_share"].display() == "71.67%"
    assert r["public_operating_share"].display() == "28.33%"
    assert abs(r["three_public_control_rate"].value - Decimal("6.73") * 100 / Decimal("29.32")) < Decimal("1e-20")


def test_seed004_stated_figures_all_consistent():
    dy = department(YIYANG_2020)
    checks = check_stated(dy, compute_department(dy))
    assert len(checks) == 6
    assert all(c.ok for c in checks), [c.message for c in checks if not c.ok]


def test_adjustment_from_additions_and_reductions_when_no_full_year():
    r = by_id(compute_department(department({
        "unit": "u", "year": 2020, "budget": {"initial": "655.56", "additions": "297.19", "reductions": "26.58"},
    })))
    assert r["budget_adjustment_rate"].display() == "41.28%"  # (297.19 − 26.58) / 655.56
    assert r["budget_control_rate"].reason == "缺少：全年预算"


def test_seed002_zhuzhou_staff_income_share_and_three_public_change():
    dy = department({
        "unit": "zhuzhou", "year": 2018,
        "staff": {"authorized": "56", "actual": "56"},
        "income": {"total": "1562.46", "fiscal": "1548.65", "other": "13.81"},
        "expenditure": {"total": "1562.46", "basic": "1209.35", "project": "353.11", "personnel": "874.09",
                        "public_operating": "335.26"},
        "three_public": {"total": {"actual": "17.79", "previous": "17.78"}},
    })
    r = by_id(compute_department(dy))
    assert r["staff_control_rate"].display() == "100.00%"
    assert r["other_income_share"].display() == "0.88%"
    assert r["fiscal_income_share"].display() == "99.12%"
    assert r["basic_share"].display() == "77.40%"
    assert r["project_share"].display() == "22.60%"
    change = r["three_public_change_rate"]  # no budgets: falls back to 决算 vs 上年决算
    assert change.inputs["口径"] == "决算数对上年决算数"
    assert change.display() == "0.06%"


def test_department_not_computable_reasons():
    r = by_id(compute_department(department({"unit": "u", "year": 2020})))
    assert all(x.value is None for x in r.values())
    assert r["three_public_control_rate"].reason == "缺少：“三公”经费决算数、“三公”经费预算数"
    assert r["staff_control_rate"].reason == "缺少：实有在职人数、编制人数"
    assert r["budget_completion_rate"].reason == "缺少：本年支出合计或一般公共预算财政拨款支出、全年预算"
    zero = by_id(compute_department(department({"unit": "u", "year": 2020,
                                                "three_public": {"total": {"budget": "0", "actual": "1.2"}}})))
    assert zero["three_public_control_rate"].reason == "“三公”经费预算数为零，无法相除"


def test_department_yoy_and_stated_change_fallback():
    dy = department({"unit": "miyi", "year": 2019,
                     "income": {"total": "760.35"}, "previous": {"income_total": "1651.24"},
                     "expenditure": {"operating_costs": "30.56"}, "change": {"operating_costs": "5.35"},
                     "stated": {"income_yoy_rate": {"value": "-53.95%"},
                                "income_yoy_rate@line386": {"value": "-117.17%", "line": 386}}})
    results = compute_department(dy)
    r = by_id(results)
    assert r["income_yoy_change"].value == Decimal("-890.89")
    assert r["income_yoy_rate"].subject == "department"
    assert r["income_yoy_rate"].definition.formula.startswith("（本年收入合计 − 上年收入合计）")
    assert r["operating_costs_yoy_rate"].display() == "21.22%"  # 5.35 / (30.56 − 5.35)
    first, second = check_stated(dy, results)
    assert first.ok is True
    assert second.ok is False and second.expected == "-53.95%" and "第386行" in second.message


def test_department_registry_entries_cite_rules():
    for d in definitions("department"):
        assert d.subject == "department" and d.formula and d.unit in ("%", "万元")
        assert "rules.md §2" in d.rule and "[" in d.rule, d.id
