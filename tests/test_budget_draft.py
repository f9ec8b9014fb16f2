"""Next year's budget (以收定支) drafted from stated assumptions: worked examples for 居民 and 职工,
every figure recomputed from the assumptions as the draft shows them, the table adding up as
printed, a changed assumption moving exactly the lines it feeds, and the assumptions file."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from jixiao.calc.budget_draft import BudgetDraft, BudgetDraftError, draft_budget
from jixiao.ingest.files import read_assumptions
from jixiao.model import FundKind, FundYear
from jixiao.model.budget import BudgetAssumptions

D = Decimal
RESIDENT = FundKind.resident
EMPLOYEE = FundKind.employee


def record(year: int, fund: FundKind = RESIDENT, **groups: object) -> FundYear:
    return FundYear.model_validate({"unit": "U1", "year": year, "fund": fund.value, **groups},
                                   context={"money_unit": "万元"})


#: 居民 2020–2022: 利息 grows 10% a year, 大病保险 5%; 2022: 45000万元 benefits for 500000 insured
RESIDENT_HISTORY = [
    record(2020, income={"interest": "100"}, expenditure={"critical_illness_premium": "2000"},
           coverage={"insured": "510000"}),
    record(2021, income={"interest": "110"}, expenditure={"critical_illness_premium": "2100"},
           coverage={"insured": "505000"}),
    record(2022, income={"total": "50000", "interest": "121"},
           expenditure={"total": "47205", "benefits": "45000", "critical_illness_premium": "2205"},
           balance={"closing": "30000"}, coverage={"insured": "500000"}),
]


def assumptions(**changes: object) -> BudgetAssumptions:
    data: dict[str, object] = {
        "unit": "U1", "year": 2023, "fund": RESIDENT.value,
        "resident": {"insured_growth": "-1%", "individual_standard": "380元/人", "fiscal_standard": "670元/人"},
        "expenditure": {"per_capita_growth": "5%"},
        "notes": {"resident.fiscal_standard": "财政补助标准按上级文件提高30元"},
    }
    data.update(changes)
    return BudgetAssumptions.model_validate(data, context={"money_unit": "万元"})


def shown(draft: BudgetDraft) -> dict[str, str]:
    return {line.path: line.display() for line in draft.lines}


def test_a_resident_budget_from_its_standards_and_history() -> None:
    draft = draft_budget(assumptions(), RESIDENT_HISTORY)
    assert draft.base_year == 2022
    assert shown(draft) == {
        "income.contributions_individual": "18810.00万元",  # 500000 × (1 − 1%) = 495000人 × 380元 ÷ 10000
        "income.contributions": "18810.00万元",
        "income.fiscal_subsidy": "33165.00万元",  # 495000 × 670 ÷ 10000
        "income.interest": "133.10万元",  # 121 × (1 + 10.00%): the 2020–2022 年均增长率
        "income.total": "52108.10万元",
        "expenditure.benefits": "46777.50万元",  # 495000 × 945.00元 (900.00 × 1.05) ÷ 10000
        "expenditure.critical_illness_premium": "2315.25万元",  # 2205 × (1 + 5.00%)
        "expenditure.total": "49092.75万元",
        "balance.current": "3015.35万元",
        "balance.opening": "30000.00万元",  # 2022年末累计结余
        "balance.closing": "33015.35万元",
    }
    assert f"{draft.months_of_reserve:.2f}" == "8.07"  # 33015.35 ÷ (49092.75 ÷ 12)
    used = {a.key: a for a in draft.used}
    assert (used["resident.insured"].value, used["resident.insured"].basis) == ("500000人", "取2022年记录的参保人数")
    assert used["resident.insured_next"].value == "495000人"
    assert used["expenditure.per_capita"].value == "900.00元/人"  # 45000万元 ÷ 500000人
    assert used["expenditure.per_capita_next"].value == "945.00元/人"
    assert used["trends.income.interest"].basis == "按2020–2022年年均增长率"
    assert used["resident.fiscal_standard"].note == "财政补助标准按上级文件提高30元"
    line = draft.line("income.fiscal_subsidy")
    assert line is not None and line.title == "财政补助收入"
    assert line.formula == "预算年度参保人数 495000人 × 财政补助标准 670元/人 ÷ 10000 = 33165.00万元"


def test_the_table_adds_up_as_printed_and_each_line_recomputes_from_what_is_shown() -> None:
    draft = draft_budget(assumptions(), RESIDENT_HISTORY)
    v = draft.value
    parts = ["income.contributions", "income.fiscal_subsidy", "income.interest"]
    assert v("income.total") == sum(v(p) for p in parts)  # type: ignore[misc]
    assert v("expenditure.total") == v("expenditure.benefits") + v("expenditure.critical_illness_premium")  # type: ignore
    assert v("balance.current") == v("income.total") - v("expenditure.total")  # type: ignore[operator]
    used = {a.key: a.value for a in draft.used}
    persons = D(used["resident.insured_next"].removesuffix("人"))
    per_capita = D(used["expenditure.per_capita_next"].removesuffix("元/人"))
    assert v("expenditure.benefits") == (persons * per_capita / 10000).quantize(D("0.01"))
    assert v("income.contributions_individual") == (persons * 380 / 10000).quantize(D("0.01"))
    budget = draft.as_budget()
    assert str(budget.income) == "52108.10万元" and str(budget.expenditure) == "49092.75万元"
    assert str(budget.contributions) == "18810.00万元" and str(budget.benefits) == "46777.50万元"


def test_a_changed_assumption_moves_only_the_lines_it_feeds() -> None:
    before = shown(draft_budget(assumptions(), RESIDENT_HISTORY))
    resident = {"insured_growth": "-1%", "individual_standard": "380元/人", "fiscal_standard": "700元/人"}
    after = shown(draft_budget(assumptions(resident=resident), RESIDENT_HISTORY))
    moved = {path for path in before if before[path] != after[path]}
    assert moved == {"income.fiscal_subsidy", "income.total", "balance.current", "balance.closing"}
    assert after["income.fiscal_subsidy"] == "34650.00万元"  # 495000 × 700 ÷ 10000


def test_stated_figures_replace_the_history_and_the_trends() -> None:
    draft = draft_budget(assumptions(
        resident={"insured": "480000", "insured_growth": "0%", "individual_standard": "380元/人",
                  "fiscal_standard": "670元/人"},
        expenditure={"per_capita": "950元/人", "per_capita_growth": "0%"},
        trends={"income.interest": {"amount": "90"}, "expenditure.critical_illness_premium": {"growth": "-10%"}},
        opening="25000", places=0,
    ), RESIDENT_HISTORY)
    assert shown(draft)["income.interest"] == "90万元"
    assert shown(draft)["expenditure.critical_illness_premium"] == "1985万元"  # 2205 × 0.9 = 1984.5 → 1985
    assert shown(draft)["expenditure.benefits"] == "45600万元"  # 480000 × 950 ÷ 10000
    assert shown(draft)["balance.opening"] == "25000万元"
    assert {a.key: a.basis for a in draft.used}["resident.insured"] == "给定"


def test_two_years_ahead_grows_twice() -> None:
    draft = draft_budget(assumptions(year=2024, base_year=2022), RESIDENT_HISTORY)
    used = {a.key: a for a in draft.used}
    assert used["resident.insured_next"].value == "490050人"  # 500000 × 0.99²
    assert used["resident.insured_next"].basis == "500000人 × （1 − 1.00%）^2"
    assert draft.line("balance.opening") is None  # 2023's closing is not known


def test_an_employee_budget_by_payers_wage_base_and_rates_and_by_visits() -> None:
    history = [
        record(2021, EMPLOYEE, income={"other": "700"}, coverage={"paying": "200000"}),
        record(2022, EMPLOYEE, income={"other": "770"}, coverage={"paying": "204000"},
               expenditure={"benefits": "110000"}, services={"beneficiaries": "1000000"}),
    ]
    draft = draft_budget(BudgetAssumptions.model_validate({
        "unit": "U1", "year": 2023, "fund": EMPLOYEE.value,
        "employee": {"base": "80000元/人", "base_growth": "5%", "employer_rate": "6%", "individual_rate": "2%",
                     "collection_rate": "95%"},
        "expenditure": {"method": "per_visit", "visits_growth": "3%", "per_visit_growth": "2%"},
    }, context={"money_unit": "万元"}), history)
    used = {a.key: a for a in draft.used}
    assert used["employee.paying_growth"].value == "2.00%"  # 204000 ÷ 200000
    assert used["employee.paying_next"].value == "208080人"
    assert used["employee.base_next"].value == "84000.00元/人"
    assert used["expenditure.per_visit"].value == "1100.00元/人次"  # 110000万元 ÷ 1000000人次
    # 208080 × 84000 × 95% = 16604784000元; × 6% ÷ 10000 = 99628.70万元; × 2% ÷ 10000 = 33209.568
    assert shown(draft)["income.contributions_employer"] == "99628.70万元"
    assert shown(draft)["income.contributions_individual"] == "33209.57万元"
    assert shown(draft)["income.other"] == "847.00万元"  # 770 × 1.10
    # 1030000人次 × 1122.00元 ÷ 10000
    assert shown(draft)["expenditure.benefits"] == "115566.00万元"
    assert "balance.opening" not in shown(draft)


def test_what_is_neither_given_nor_in_the_base_year_is_named() -> None:
    with pytest.raises(BudgetDraftError) as caught:
        draft_budget(assumptions(), [record(2022, expenditure={"total": "47205"})])
    assert caught.value.missing == ["基期参保人数（或2022年记录的参保人数）",
                                    "基期人均基金支出（或2022年记录的基金支出 ÷ 参保人数）"]
    assert "无法测算预算：缺少" in str(caught.value)


def test_only_the_total_known_then_the_total_is_drafted_per_person() -> None:
    history = [record(2022, expenditure={"total": "47205"}, coverage={"insured": "500000"})]
    draft = draft_budget(assumptions(), history)
    line = draft.line("expenditure.total")
    assert line is not None and draft.line("expenditure.benefits") is None
    assert "人均基金支出 991.31元/人" in line.formula  # 47205万元 ÷ 500000人 = 944.10元; × 1.05 = 991.305


def test_assumptions_load_from_yaml_with_problems_named(tmp_path: Path) -> None:
    good = tmp_path / "budget.yaml"
    good.write_text(
        "budgets:\n"
        "  - unit: U1\n    year: 2023\n    fund: 城乡居民基本医疗保险\n"
        "    resident: {individual_standard: 380元/人, fiscal_standard: 670元/人}\n"
        "    trends: {income.interest: {growth: '3%'}}\n", encoding="utf-8")
    found, problems = read_assumptions(good)
    assert problems == [] and found is not None
    assert str(found.budgets[0].trends["income.interest"].growth) == "3%"
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "budgets:\n"
        "  - unit: U1\n    year: 2023\n    fund: 城乡居民基本医疗保险\n"
        "    resident: {individual_standard: 380元/人, fiscal_standard: 670元/人}\n"
        "    trends: {income.contributions: {growth: '3%'}}\n", encoding="utf-8")
    found, problems = read_assumptions(bad)
    assert found is None
    [problem] = problems
    assert (problem.code, problem.path, problem.line) == ("JX-IN-003", "budgets[0].trends", 6)
    assert "其余收支项目：“income.contributions”不是可按趋势测算的收支项目" in problem.message
    neither = tmp_path / "neither.yaml"
    neither.write_text("budgets:\n  - {unit: U1, year: 2023, fund: 城乡居民基本医疗保险}\n", encoding="utf-8")
    assert "须给出职工征缴收入测算" in read_assumptions(neither)[1][0].message
