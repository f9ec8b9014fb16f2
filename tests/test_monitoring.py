"""Monitoring a fund month by month: every period formula on worked examples written here (figures
and their precision chosen so the arithmetic can be followed by hand), the rule set's warnings on
periods, the records around a period (上年同期, 上年全年, 本年年度), and :func:`monitor` on the
example months of 哈密."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from jixiao.calc import BY_SUBJECT, check_stated, monitor, period_values
from jixiao.calc.monitoring import combine_periods, find_period, period_context, rollup
from jixiao.calc.period import BASIS, LAST_YEAR, SAME_PERIOD, THIS_YEAR, time_progress
from jixiao.calc.risks import period_warnings
from jixiao.ingest.files import read_files
from jixiao.model import FundKind, FundPeriod, FundYear, Span
from jixiao.rules import load_ruleset

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
EMPLOYEE = FundKind.employee_with_maternity
POOLING = FundKind.employee_pooling
RESIDENT = FundKind.resident


def period(span: str, income: str | None, expenditure: str | None, *, year: int = 2022,
           fund: FundKind = EMPLOYEE, **extra: object) -> FundPeriod:
    data: dict[str, object] = {"unit": "U1", "year": year, "fund": fund.value, "span": span, **extra}
    if income is not None:
        data["income"] = {"total": income}
    if expenditure is not None:
        data["expenditure"] = {"total": expenditure}
    return FundPeriod.model_validate(data, context={"money_unit": "万元"})


def year_record(year: int, income: str, expenditure: str, *, fund: FundKind = EMPLOYEE, **extra: object) -> FundYear:
    return FundYear.model_validate({"unit": "U1", "year": year, "fund": fund.value, "income": {"total": income},
                                    "expenditure": {"total": expenditure}, **extra}, context={"money_unit": "万元"})


def values(fp: FundPeriod, context: dict | None = None) -> dict[str, str]:
    return {r.id: r.display() for r in period_values(fp, context)}


# --------------------------------------------------------------------------------------------
# Worked examples: 2022年1-6月, income 6120.40万元, expenditure 5480万元
# --------------------------------------------------------------------------------------------

JUNE = dict(budget={"income": "12000", "expenditure": "11500"},
            previous={"income_total": "5800", "expenditure_total": "5000"},
            balance={"opening": "20000"})


def test_execution_against_time_progress_by_month() -> None:
    shown = values(period("1-6", "6120.40", "5480", **JUNE))
    assert shown["time_progress"] == "50.00%"  # 6 ÷ 12
    assert shown["income_budget_execution_rate"] == "51.00%"  # 6120.40 ÷ 12000 = 51.0033%
    assert shown["expenditure_budget_execution_rate"] == "47.65%"  # 5480 ÷ 11500 = 47.6522%
    assert shown["income_progress_gap"] == "1.00个百分点"  # 51.0033 − 50
    assert shown["expenditure_progress_gap"] == "-2.35个百分点"  # 47.6522 − 50


def test_time_progress_by_day_is_a_rule_set_choice() -> None:
    # 1 January to 30 June 2022: 181 of 365 days = 49.5890%; 2024 is a leap year: 182 of 366 = 49.7268%
    assert f"{time_progress(2022, Span(1, 6), 'day'):.4f}" == "49.5890"
    assert f"{time_progress(2024, Span(1, 6), 'day'):.4f}" == "49.7268"
    assert time_progress(2022, Span(4, 6), "month") == 25
    shown = values(period("1-6", "6120.40", "5480", **JUNE), {BASIS: "day"})
    assert shown["time_progress"] == "49.59%"
    assert shown["income_progress_gap"] == "1.41个百分点"  # 51.0033 − 49.5890


def test_the_rule_set_chooses_the_basis(tmp_path: Path) -> None:
    rules = tmp_path / "by_day.yaml"
    rules.write_text("name: by_day\nversion: '1'\ntitle: 按日计算序时进度\nextends: default\n"
                     "monitoring: {time_progress: day}\n", encoding="utf-8")
    by_day = load_ruleset(str(rules))
    assert by_day.monitoring.time_progress == "day" and by_day.monitoring.projection_years == 3
    assert load_ruleset().monitoring.time_progress == "month"
    found = monitor([period("1-6", "6120.40", "5480", **JUNE)], [], by_day, unit="U1", year=2022)
    assert found.basis == "day"
    assert found.funds[0].result("time_progress").display() == "49.59%"


def test_same_period_last_year_balance_and_reserve() -> None:
    context = {LAST_YEAR: year_record(2021, "10900", "10400")}
    shown = values(period("1-6", "6120.40", "5480", **JUNE), context)
    assert shown["income_yoy_change"] == "320.40万元" and shown["income_yoy_rate"] == "5.52%"  # 320.40 ÷ 5800
    assert shown["expenditure_yoy_change"] == "480万元" and shown["expenditure_yoy_rate"] == "9.60%"
    assert shown["current_balance"] == "640.40万元"  # at the inputs' written precision
    assert shown["current_balance_rate"] == "10.46%"  # 640.40 ÷ 6120.40
    assert shown["closing_balance"] == "20640.40万元"  # 20000 + 640.40
    # last 12 months' spending: 5480 + 10400 − 5000 = 10880; 20640.40 ÷ (10880 ÷ 12) = 22.77
    assert shown["months_of_reserve"] == "22.8个月"
    # this period's monthly average: 20640.40 ÷ (5480 ÷ 6) = 22.60
    assert shown["months_of_reserve_ytd"] == "22.6个月"


def test_the_records_around_a_period_stand_in_for_what_it_does_not_state() -> None:
    bare = period("1-6", "6120.40", "5480")
    context = {
        SAME_PERIOD: period("1-6", "5800", "5000", year=2021),
        LAST_YEAR: year_record(2021, "10900", "10400", balance={"closing": "20000"}),
        THIS_YEAR: year_record(2022, "12500", "11200", budget={"income": "12000", "expenditure": "11500"}),
    }
    results = {r.id: r for r in period_values(bare, context)}
    assert results["income_budget_execution_rate"].display() == "51.00%"
    assert results["income_yoy_rate"].display() == "5.52%"
    assert results["closing_balance"].display() == "20640.40万元"  # opening: last year's closing
    assert results["months_of_reserve"].display() == "22.8个月"
    assert results["income_yoy_rate"].inputs["上年同期·基金收入合计"] == "5800万元"
    assert results["income_budget_execution_rate"].inputs["本年年度·收入预算"] == "12000万元"


def test_what_cannot_be_computed_says_what_is_missing() -> None:
    results = {r.id: r for r in period_values(period("1-6", "6120.40", "5480"))}
    assert results["income_budget_execution_rate"].reason == "缺少：收入预算（本期或本年年度记录）"
    assert "上年同期基金收入（或上年同期的记录）" in (results["income_yoy_rate"].reason or "")
    assert results["months_of_reserve"].value is None
    quarter = {r.id: r for r in period_values(period("4-6", "3100", "2800", balance={"opening": "20000"}))}
    assert "只适用于自1月起的累计数" in (quarter["closing_balance"].reason or "")
    assert quarter["current_balance"].display() == "300万元"


def test_a_monthly_reports_stated_figures_are_checked() -> None:
    stated = {"income_budget_execution_rate": {"value": "51.00%"},
              "expenditure_progress_gap": {"value": "-2.35个百分点"},
              "months_of_reserve_ytd": {"value": "22.7个月", "line": 9}}
    fp = period("1-6", "6120.40", "5480", stated=stated, **JUNE)
    checks = {c.id: c for c in check_stated(fp, period_values(fp))}
    assert checks["income_budget_execution_rate"].ok and checks["expenditure_progress_gap"].ok
    wrong = checks["months_of_reserve_ytd"]
    assert wrong.ok is False and wrong.expected == "22.6个月"
    assert wrong.problem() is not None and wrong.problem().code == "JX-ST-001"


def test_period_indicators_are_registered_once_beside_the_year_ones() -> None:
    period_ids = set(BY_SUBJECT["period"])
    assert {"time_progress", "income_progress_gap", "months_of_reserve_ytd"} <= period_ids
    for shared in ("current_balance", "income_budget_execution_rate", "months_of_reserve"):
        assert BY_SUBJECT["fund"][shared] is not BY_SUBJECT["period"][shared]
    rules = load_ruleset()
    assert {r.indicator for r in rules.period_rules() if hasattr(r, "indicator")} <= period_ids


# --------------------------------------------------------------------------------------------
# Warnings on a period
# --------------------------------------------------------------------------------------------

RULES = load_ruleset()


def warnings_of(fp: FundPeriod, context: dict | None = None, **kwargs: object) -> dict[str, object]:
    return {w.code: w for w in period_warnings(fp, period_values(fp, context), RULES, **kwargs)}  # type: ignore[arg-type]


@pytest.mark.parametrize(("income", "severity"), [("5280", "warning"), ("4680", "serious"), ("7320", "info"),
                                                  ("5520", None)])
def test_income_behind_or_ahead_of_time_progress(income: str, severity: str | None) -> None:
    # budget 12000, June: 50%; 5280 → 44% (−6), 4680 → 39% (−11), 7320 → 61% (+11), 5520 → 46% (−4)
    found = warnings_of(period("1-6", income, "5480", budget={"income": "12000", "expenditure": "11500"}))
    warning = found.get("JX-W-008")
    assert (warning.severity if warning else None) == severity  # type: ignore[attr-defined]


def test_expenditure_ahead_of_time_progress() -> None:
    # 6555 ÷ 11500 = 57.0% against 50%: 7 points ahead
    found = warnings_of(period("1-6", "6120.40", "6555", budget={"income": "12000", "expenditure": "11500"}))
    warning = found["JX-W-009"]
    assert warning.severity == "warning" and "7.00个百分点" in warning.message  # type: ignore[attr-defined]
    assert "2022年1-6月" in warning.message  # type: ignore[attr-defined]


def test_a_fund_turning_to_deficit() -> None:
    fp = period("1-6", "5400", "5480", previous={"income_total": "5800", "expenditure_total": "5000"})
    turned = warnings_of(fp, turned=True)["JX-W-003"]
    assert "当期赤字 80万元" in turned.message and "由上年同期的结余转为赤字" in turned.message  # type: ignore
    assert "转为赤字" not in warnings_of(fp)["JX-W-003"].message  # type: ignore[attr-defined]


def test_the_reserve_bands_apply_to_the_rolling_twelve_months() -> None:
    # 统筹基金: closing 2400; last 12 months 5480 + 10400 − 5000 = 10880 → 2.6 months: below 3
    fp = period("1-6", "6120.40", "5480", fund=POOLING, balance={"closing": "2400"},
                previous={"expenditure_total": "5000"})
    warning = warnings_of(fp, {LAST_YEAR: year_record(2021, "10900", "10400", fund=POOLING)})["JX-W-001"]
    assert warning.severity == "serious" and not warning.approximate  # type: ignore[attr-defined]
    assert "滚动12个月" in warning.message and "2.6个月" in warning.message  # type: ignore[attr-defined]


def test_without_last_year_the_reserve_is_judged_on_this_periods_average() -> None:
    fp = period("1-6", "6120.40", "5480", fund=POOLING, balance={"closing": "2400"})  # 2400 ÷ 913.33 = 2.6
    warning = warnings_of(fp)["JX-W-001"]
    assert "按本期月均支出" in warning.message and "未能按滚动12个月计算" in warning.message  # type: ignore


def test_the_combined_fund_is_spared_the_approximate_rule_when_the_pooling_fund_has_its_own() -> None:
    combined = period("1-6", "6120.40", "5480", balance={"closing": "2400"})
    assert "JX-W-001" in warnings_of(combined)
    pooling = period("1-6", "4000", "3800", fund=POOLING, balance={"closing": "1700"})
    assert "JX-W-001" not in warnings_of(combined, siblings={POOLING: pooling})


def test_annual_only_rules_stay_off_periods() -> None:
    # 居民 1-6月 with a 40% surplus rate: 当年结余率 > 15% is a year's rule, not a half-year's
    fp = period("1-6", "10000", "6000", fund=RESIDENT, budget={"income": "20000", "expenditure": "12000"})
    assert "JX-W-004" not in warnings_of(fp) and "JX-W-006" not in warnings_of(fp)


# --------------------------------------------------------------------------------------------
# Adding up periods; monitoring the example
# --------------------------------------------------------------------------------------------


def test_quarters_add_up_to_the_half_year_the_monitor_reads() -> None:
    q1 = period("1-3", "3000.25", "2700", balance={"opening": "20000", "closing": "20300.25"})
    q2 = period("4-6", "3120.15", "2780", balance={"closing": "20640.40"})
    half = find_period([q1, q2], "U1", 2022, EMPLOYEE, None, Span(1, 6))
    assert half is not None and half.span == Span(1, 6)
    assert half.income.total is not None and half.income.total.value == Decimal("6120.40")
    assert half.balance.opening == q1.balance.opening and half.balance.closing == q2.balance.closing
    assert combine_periods([q1, q2]).notes == ["由1-3月、4-6月相加"]
    assert find_period([q1], "U1", 2022, EMPLOYEE, None, Span(1, 6)) is None


def test_monitor_the_example_months() -> None:
    result = read_files([EXAMPLES / "units.yaml", EXAMPLES / "000_hami_2019.yaml",
                         EXAMPLES / "periods" / "650500_hami_monthly.yaml"])
    assert result.dataset is not None
    ds = result.dataset
    found = monitor(ds.fund_periods, ds.fund_years, RULES, unit="650500", year=2020)
    assert found.month == 6 and found.missing == []
    assert [f.fund for f in found.funds] == [EMPLOYEE, RESIDENT]
    employee = found.funds[0]
    june = find_period(ds.fund_periods, "650500", 2020, EMPLOYEE, "全市", Span(1, 6))
    last_june = find_period(ds.fund_periods, "650500", 2019, EMPLOYEE, "全市", Span(1, 6))
    annual = next(fy for fy in ds.fund_years if fy.fund == EMPLOYEE)
    assert june is not None and last_june is not None and june.income.total and last_june.income.total
    assert annual.income.total is not None
    # the projection: 2020's six months ÷ the share 2019's six months made of 2019
    share = last_june.income.total.value / annual.income.total.value
    assert employee.income is not None and employee.income.method == "share"
    assert employee.income.value == pytest.approx(june.income.total.value / share, rel=Decimal("1e-20"))
    assert employee.income.years == (2019,) and employee.income.margin is None  # one year: nothing to back-test
    assert [p.month for p in employee.series] == [1, 2, 3, 4, 5, 6]
    assert employee.series[-1].income_execution == employee.result("income_budget_execution_rate").value
    assert {w.code for w in employee.warnings} >= {"JX-W-008"}  # income 6 points behind 序时进度
    # 同比 against 2019's months, the rolling reserve with 2019's year
    assert employee.result("income_yoy_rate").inputs["上年同期·基金收入合计"] == str(last_june.income.total)
    assert employee.result("months_of_reserve").value is not None


def test_monitor_names_funds_that_do_not_reach_the_month() -> None:
    records = [period("1-6", "6120.40", "5480", **JUNE), period("1-3", "2000", "1800", fund=RESIDENT)]
    found = monitor(records, [], RULES, unit="U1", year=2022)
    assert found.month == 6 and [f.fund for f in found.funds] == [EMPLOYEE] and found.missing == ["城乡居民医保"]


def test_a_projected_deficit_is_warned() -> None:
    # 2021: half the income arrives by June but only 40% of the spending; 2022 so far: 5500 in, 4800 out
    records = [period("1-6", "5000", "4000", year=2021), period("1-6", "5500", "4800")]
    annual = [year_record(2021, "10000", "10000")]
    found = monitor(records, annual, RULES, unit="U1", year=2022).funds[0]
    assert found.income is not None and found.expenditure is not None
    assert found.income.value == 11000 and found.expenditure.value == 12000  # 5500 ÷ 50%, 4800 ÷ 40%
    assert found.projected_balance == -1000
    warning = next(w for w in found.warnings if w.code == "JX-W-010")
    assert warning.severity == "warning" and "预计全年收不抵支约 1000万元" in warning.message


def test_period_context_finds_the_records_around() -> None:
    fp = period("1-6", "6120.40", "5480")
    periods = [fp, period("1-3", "2900", "2400", year=2021), period("4-6", "2900", "2600", year=2021)]
    context = period_context(fp, periods, [year_record(2022, "12000", "11000")])
    assert context[SAME_PERIOD].span == Span(1, 6) and context[THIS_YEAR].year == 2022
    assert LAST_YEAR not in context and context[BASIS] == "month"


def test_a_city_is_its_counties_added_up() -> None:
    def county(unit: str, income: str, spent: str, **extra: object) -> FundPeriod:
        return FundPeriod.model_validate({"unit": unit, "year": 2022, "fund": EMPLOYEE.value, "span": "1-6",
                                          "income": {"total": income}, "expenditure": {"total": spent}, **extra},
                                         context={"money_unit": "万元"})

    periods = [county("A", "3000.5", "2700", budget={"income": "6000", "expenditure": "5600"}),
               county("B", "3119.9", "2780", budget={"income": "6000", "expenditure": "5900"}),
               county("C", "10", "9", year=2021)]
    annual = [year_record(2021, "10900", "10400").model_copy(update={"unit": "A"})]
    city_periods, city_annual = rollup(periods, annual, "CITY", ["A", "B", "C"])
    [june] = [p for p in city_periods if p.year == 2022]
    assert june.unit == "CITY" and str(june.income.total) == "6120.4万元" and str(june.expenditure.total) == "5480万元"
    assert str(june.budget.income) == "12000万元" and june.notes == ["由A、B汇总；缺C的数据"]
    [last_year] = city_annual
    assert last_year.notes == ["由A汇总；缺B、C的数据"]
    found = monitor(city_periods, city_annual, RULES, unit="CITY", year=2022)
    assert found.funds[0].result("income_budget_execution_rate").display() == "51.00%"  # 6120.4 ÷ 12000


# --------------------------------------------------------------------------------------------
# Monthly analyses of the development corpus: their derived figures check out as period indicators
# --------------------------------------------------------------------------------------------

#: (document, fund, span, figures, what the document states), figures in 万元 as printed
CORPUS_ANALYSES = [
    ("w13_yancheng-ybj-2024-1-6yue-jijin-yunxing-fenxi.txt", EMPLOYEE, "1-6",
     {"income": {"total": "661101"}, "expenditure": {"total": "542809"},
      "budget": {"income": "1318000", "expenditure": "1125000"},
      "previous": {"income_total": "628540", "expenditure_total": "501236"},
      "balance": {"opening": "1854320", "closing": "1972612"}},
     {"income_yoy_change": "32561万元", "income_yoy_rate": "5.18%", "income_budget_execution_rate": "50.16%",
      "expenditure_yoy_change": "41573万元", "expenditure_yoy_rate": "8.29%",
      "expenditure_budget_execution_rate": "48.25%", "expenditure_progress_gap": "-1.75个百分点",
      "current_balance": "118292万元", "closing_balance": "1972612万元"}),
    ("w13_yancheng-ybj-2024-1-6yue-jijin-yunxing-fenxi.txt", POOLING, "1-6",
     {"income": {"total": "412386"}, "expenditure": {"total": "355247"}, "balance": {"closing": "1183719"}},
     {"current_balance": "57139万元", "months_of_reserve_ytd": "20.0个月"}),
    ("w14_zunyi-ybj-2023-1-9yue-jijin-yunxing-fenxi.txt", EMPLOYEE, "1-9",
     {"income": {"total": "452836.27"}, "expenditure": {"total": "389547.18"},
      "budget": {"income": "598000", "expenditure": "545000"},
      "previous": {"income_total": "428105.60", "expenditure_total": "352460.91"}},
     {"income_yoy_rate": "5.78%", "income_budget_execution_rate": "75.73%", "income_progress_gap": "0.73个百分点",
      "expenditure_yoy_rate": "10.52%", "expenditure_budget_execution_rate": "71.48%",
      "expenditure_progress_gap": "-3.52个百分点", "current_balance": "63289.09万元"}),
    ("w15_changzhi-ybj-2025-yijidu-jijin-yunxing-fenxi.txt", POOLING, "1-3",
     {"income": {"total": "50318.72"}, "expenditure": {"total": "41236.85"}, "balance": {"closing": "142506.38"}},
     {"current_balance": "9081.87万元", "months_of_reserve_ytd": "10.4个月"}),
    ("w15_changzhi-ybj-2025-yijidu-jijin-yunxing-fenxi.txt", EMPLOYEE, "1-3",
     {"income": {"total": "81542.36"}, "expenditure": {"total": "66824.19"},
      "budget": {"income": "330000", "expenditure": "305000"},
      "previous": {"income_total": "78106.45", "expenditure_total": "61347.20"},
      "balance": {"opening": "231600.75"}},
     {"income_yoy_rate": "4.40%", "income_budget_execution_rate": "24.71%", "income_progress_gap": "-0.29个百分点",
      "expenditure_yoy_rate": "8.93%", "expenditure_budget_execution_rate": "21.91%",
      "current_balance": "14718.17万元", "closing_balance": "246318.92万元"}),
    ("w16_anshan-ybj-2019-11yue-jijin-yunxing-qingkuang.txt", EMPLOYEE, "1-11",
     {"income": {"total": "412563.48"}, "expenditure": {"total": "418936.52"},
      "budget": {"income": "455000", "expenditure": "462000"},
      "previous": {"income_total": "396218.70", "expenditure_total": "389652.17"}},
     {"income_yoy_rate": "4.13%", "income_budget_execution_rate": "90.67%", "time_progress": "91.67%",
      "income_progress_gap": "-1.00个百分点", "expenditure_yoy_rate": "7.52%",
      "expenditure_budget_execution_rate": "90.68%", "current_balance": "-6373.04万元"}),
]


@pytest.mark.parametrize(("doc", "fund", "span", "figures", "stated"), CORPUS_ANALYSES,
                         ids=[f"{c[0][:3]}-{c[1].name}-{c[2]}" for c in CORPUS_ANALYSES])
def test_the_corpus_monthly_analyses_recompute(doc: str, fund: FundKind, span: str, figures: dict,
                                               stated: dict[str, str]) -> None:
    """Each figure an analysis derives is the period indicator of the figures it prints — 1.00个百分点
    in w16 only as the difference of the two percentages as shown (90.67 − 91.67; exactly −0.99)."""
    year = {"w13": 2024, "w14": 2023, "w15": 2025, "w16": 2019}[doc[:3]]
    fp = FundPeriod.model_validate({"unit": "U1", "year": year, "fund": fund.value, "span": span, **figures,
                                    "stated": {k: {"value": v} for k, v in stated.items()}},
                                   context={"money_unit": "万元"})
    checks = check_stated(fp, period_values(fp))
    assert [(c.id, c.status) for c in checks if not c.ok] == [], doc
    assert len(checks) == len(stated)


def test_the_corpus_errors_in_monthly_analyses_are_found() -> None:
    """The two arithmetic errors the corpus labels in these analyses: w14 divides nine months' 统筹
    spending by 12 (14.6个月 for 10.9), w15 writes 12.65% for a 16.25% rise in 居民 spending."""
    w14 = FundPeriod.model_validate({
        "unit": "U1", "year": 2023, "fund": POOLING.value, "span": "1-9",
        "income": {"total": "287412.55"}, "expenditure": {"total": "262318.40"}, "balance": {"closing": "318650.42"},
        "stated": {"months_of_reserve_ytd": {"value": "14.6个月", "line": 12}}}, context={"money_unit": "万元"})
    w15 = FundPeriod.model_validate({
        "unit": "U1", "year": 2025, "fund": RESIDENT.value, "span": "1-3",
        "income": {"total": "131822.58"}, "expenditure": {"total": "60237.46"},
        "previous": {"expenditure_total": "51816.72"},
        "stated": {"expenditure_yoy_rate": {"value": "12.65%", "line": 11}}}, context={"money_unit": "万元"})
    [months] = check_stated(w14, period_values(w14))
    [growth] = check_stated(w15, period_values(w15))
    assert (months.ok, months.expected, months.line) == (False, "10.9个月", 12)
    assert (growth.ok, growth.expected) == (False, "16.25%")
