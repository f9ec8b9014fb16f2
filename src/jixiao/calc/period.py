"""Indicators of a monthly or quarterly record (:class:`~jixiao.model.periods.FundPeriod`): the
year's budget executed so far against 序时进度, 同比 with the same months last year, the period's
当期结余, and the reserve in months of spending over the last twelve months.

A period alone says little: its indicators also read the records around it, passed as
``siblings`` under the role names below (:func:`jixiao.calc.monitoring.period_context` builds
them). Each takes the period's own figure first (what its report states: 年度预算, 上年同期数,
年初累计结余) and the other record's only when the period lacks it; the inputs name the record a
figure came from (``上年同期·基金收入合计``). Where a figure is the same thing as a year's, the id
is the fund indicator's (``current_balance``, ``income_budget_execution_rate``), so a stated
figure of a monthly report is keyed as it would be in a year's.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from jixiao.calc.define import indicator
from jixiao.calc.fund import current_balance_term
from jixiao.calc.registry import IndicatorResult, definitions
from jixiao.calc.terms import Gather, NotComputable, Term, rate, shared_reads, title_of
from jixiao.model.periods import FundPeriod, Span
from jixiao.numbers import Interval, round_half_up

#: sibling roles: last year's record of the same months, last year's whole year, this year's
SAME_PERIOD = "上年同期"
LAST_YEAR = "上年全年"
THIS_YEAR = "本年年度"
#: the rule set's 序时进度 basis ("month" or "day"), passed among the siblings
BASIS = "序时进度口径"

_PRACTICE = "[practice]"
_MONITOR = "基金运行分析实务：累计执行率对照序时进度、同比、滚动可支付月数"


def time_progress(year: int, span: Span, basis: str = "month") -> Decimal:
    """序时进度 (%) of ``span``: its months ÷ 12, or by ``"day"`` its days ÷ the year's days."""
    if basis == "day":
        days = (date(year, span.last, calendar.monthrange(year, span.last)[1]) - date(year, span.first, 1)).days + 1
        return Decimal(days) * 100 / Decimal(366 if calendar.isleap(year) else 365)
    return Decimal(span.months) * 100 / 12


def _progress(g: Gather) -> Term:
    record: FundPeriod = g.record
    basis = str(g.siblings.get(BASIS, "month"))
    value = time_progress(record.year, record.span, basis)
    term = Term(value, Interval.exact(value), "序时进度")
    return g.note(f"序时进度（{'按日' if basis == 'day' else '按月'}）", term, "%")


def _as_shown(term: Term, places: int = 2) -> Term:
    """A percentage as reports show it (四舍五入 to ``places``): a gap between two percentages is
    written as the difference of the two as shown (90.67% − 91.67% = −1.00个百分点, though the
    exact gap is −0.99); the interval is widened by half a unit of that place to hold both."""
    if term.missing:
        return term
    interval = term.interval.widened(Decimal(5).scaleb(-places - 1)) if term.interval is not None else None
    return Term(round_half_up(term.value, places), interval, term.label)


def _first(g: Gather, role: str, paths: tuple[str, ...], unit: str = "万元") -> Term | None:
    """The first of ``paths`` present on the period, else on its ``role`` sibling; None if neither."""
    for path in paths:
        own = g.get(path, unit, required=False)
        if own is not None:
            return own
    if g.siblings.get(role) is None:
        return None
    other = g.sibling(role, role)
    assert other is not None
    for path in paths:
        found = other.get(path, unit, required=False)
        if found is not None:
            return found
    return None


def _budget(g: Gather, paths: tuple[str, ...]) -> Term:
    found = _first(g, THIS_YEAR, paths)
    if found is None:
        return g.need(f"{title_of(g.record, paths[-1])}（本期或本年年度记录）")
    return found


def _cumulative(g: Gather, what: str) -> None:
    if not g.record.span.cumulative:
        raise NotComputable(f"{what}只适用于自1月起的累计数（本期为{g.record.span.label}）")


def _same_months_last_year(g: Gather, own: str, theirs: str) -> Term:
    """上年同期: as the period's report states it, else last year's record of the same months."""
    stated = g.opt_money(own)
    if stated is not None:
        return stated
    if g.siblings.get(SAME_PERIOD) is None:
        return g.need(f"{title_of(g.record, own)}（或上年同期的记录）")
    other = g.sibling(SAME_PERIOD, SAME_PERIOD)
    assert other is not None
    return other.money(theirs)


def _opening(g: Gather) -> Term | None:
    """年初累计结余: the period's, this year's record's, or last year's 年末累计结余."""
    opening = _first(g, THIS_YEAR, ("balance.opening",))
    if opening is None and g.siblings.get(LAST_YEAR) is not None:
        other = g.sibling(LAST_YEAR, LAST_YEAR)
        assert other is not None
        opening = other.get("balance.closing", "万元", required=False)
    return opening


def _closing(g: Gather) -> Term:
    """期末累计结余 as stated, else 年初累计结余 + 本期当期结余 (a cumulative period only)."""
    stated = g.opt_money("balance.closing")
    if stated is not None:
        return stated
    _cumulative(g, "由年初数推算期末累计结余")
    opening = _opening(g)
    if opening is None:
        return g.need("期末累计结余（或年初累计结余）")
    return g.note("期末累计结余（推算：年初 + 本期当期结余）", opening + current_balance_term(g), "万元")


# --------------------------------------------------------------------------------------------
# Budget execution against 序时进度
# --------------------------------------------------------------------------------------------

_INCOME_BUDGET = ("budget.income_adjusted", "budget.income")
_EXPENDITURE_BUDGET = ("budget.expenditure_adjusted", "budget.expenditure")


@indicator(
    "time_progress", "序时进度",
    "按月：期间月数 ÷ 12 × 100%；按日：期间天数 ÷ 全年天数 × 100%（二者由适用的规则确定）",
    "%", 2, "period", ("span", "year"),
    f"{_MONITOR} {_PRACTICE}；w16 所述 1-11月序时进度 91.67%",
)
def _time_progress(g: Gather) -> Term:
    return _progress(g)


@indicator(
    "income_budget_execution_rate", "收入预算执行率（累计）",
    "期间基金收入合计 ÷ 年度收入预算 × 100%（有调整后预算时用调整后预算；期间记录未列预算时取本年年度记录的预算）",
    "%", 2, "period", ("income.total", "budget.income_adjusted", "budget.income"),
    f"rules.md §3 收入预算执行率 {_PRACTICE}，按期间累计数；w13 所述“完成年度预算1318000万元的50.16%”",
)
def _income_execution(g: Gather) -> Term:
    return _income_execution_term(g)


def _income_execution_term(g: Gather) -> Term:
    return rate(g.money("income.total"), _budget(g, _INCOME_BUDGET))


@indicator(
    "expenditure_budget_execution_rate", "支出预算执行率（累计）",
    "期间基金支出合计 ÷ 年度支出预算 × 100%（有调整后预算时用调整后预算；期间记录未列预算时取本年年度记录的预算）",
    "%", 2, "period", ("expenditure.total", "budget.expenditure_adjusted", "budget.expenditure"),
    f"rules.md §3 支出预算执行率 {_PRACTICE}，按期间累计数；w13 所述“完成年度预算1125000万元的48.25%”",
)
def _expenditure_execution(g: Gather) -> Term:
    return _expenditure_execution_term(g)


def _expenditure_execution_term(g: Gather) -> Term:
    return rate(g.money("expenditure.total"), _budget(g, _EXPENDITURE_BUDGET))


@indicator(
    "income_progress_gap", "收入执行进度较序时进度",
    "收入预算执行率（累计）− 序时进度（两者各按两位小数显示后相减；个百分点，正数为快于序时进度）",
    "个百分点", 2, "period", ("income.total", "budget.income", "span"),
    f"{_MONITOR} {_PRACTICE}；w14 所述“完成年度收入预算598000的75.73%，超序时进度0.73个百分点”",
)
def _income_progress_gap(g: Gather) -> Term:
    return _as_shown(_income_execution_term(g)) - _as_shown(_progress(g))


@indicator(
    "expenditure_progress_gap", "支出执行进度较序时进度",
    "支出预算执行率（累计）− 序时进度（两者各按两位小数显示后相减；个百分点，正数为快于序时进度）",
    "个百分点", 2, "period", ("expenditure.total", "budget.expenditure", "span"),
    f"{_MONITOR} {_PRACTICE}；w13 所述“完成年度预算的48.25%，低于序时进度1.75个百分点”，"
    "w16 所述“90.67%，低于序时进度（91.67%）1.00个百分点”",
)
def _expenditure_progress_gap(g: Gather) -> Term:
    return _as_shown(_expenditure_execution_term(g)) - _as_shown(_progress(g))


# --------------------------------------------------------------------------------------------
# 同比: the same months last year
# --------------------------------------------------------------------------------------------

_SAME = "上年同期数取记录所列，未列时取上年同一期间的记录"


@indicator(
    "income_yoy_change", "收入同比增减额",
    f"期间基金收入合计 − 上年同期基金收入（{_SAME}）",
    "万元", 2, "period", ("income.total", "previous.income_total"),
    f"rules.md §3 同比增减额 = 本期 − 上年同期 {_PRACTICE}；w13 所述“上年同期628540万元，同比增加32561万元”",
)
def _income_yoy_change(g: Gather) -> Term:
    return g.money("income.total") - _same_months_last_year(g, "previous.income_total", "income.total")


@indicator(
    "income_yoy_rate", "收入同比增减率",
    f"（期间基金收入合计 − 上年同期基金收入）÷ 上年同期基金收入 × 100%（{_SAME}）",
    "%", 2, "period", ("income.total", "previous.income_total"),
    f"rules.md §3 增长率 = 增减额 / 上年同期 {_PRACTICE}；w13 所述“同比增加32561万元，增长5.18%”",
)
def _income_yoy_rate(g: Gather) -> Term:
    before = _same_months_last_year(g, "previous.income_total", "income.total")
    return rate(g.money("income.total") - before, before)


@indicator(
    "expenditure_yoy_change", "支出同比增减额",
    f"期间基金支出合计 − 上年同期基金支出（{_SAME}）",
    "万元", 2, "period", ("expenditure.total", "previous.expenditure_total"),
    f"rules.md §3 同比增减额 = 本期 − 上年同期 {_PRACTICE}；w13 所述“上年同期501236万元，同比增加41573万元”",
)
def _expenditure_yoy_change(g: Gather) -> Term:
    return g.money("expenditure.total") - _same_months_last_year(g, "previous.expenditure_total", "expenditure.total")


@indicator(
    "expenditure_yoy_rate", "支出同比增减率",
    f"（期间基金支出合计 − 上年同期基金支出）÷ 上年同期基金支出 × 100%（{_SAME}）",
    "%", 2, "period", ("expenditure.total", "previous.expenditure_total"),
    f"rules.md §3 增长率 = 增减额 / 上年同期 {_PRACTICE}；w13 所述“同比增加41573万元，增长8.29%”",
)
def _expenditure_yoy_rate(g: Gather) -> Term:
    before = _same_months_last_year(g, "previous.expenditure_total", "expenditure.total")
    return rate(g.money("expenditure.total") - before, before)


# --------------------------------------------------------------------------------------------
# Balances and the reserve
# --------------------------------------------------------------------------------------------


@indicator(
    "current_balance", "当期结余（本期）",
    "期间基金收入合计 − 期间基金支出合计",
    "万元", 2, "period", ("income.total", "expenditure.total"),
    f"rules.md §3 当期结余 = 收入 − 支出 {_PRACTICE}；w15 所述“1-3月当期结余14718.17万元”",
)
def _current_balance(g: Gather) -> Term:
    return current_balance_term(g)


@indicator(
    "current_balance_rate", "当期结余率（本期）",
    "（期间基金收入合计 − 期间基金支出合计）÷ 期间基金收入合计 × 100%",
    "%", 2, "period", ("income.total", "expenditure.total"),
    f"rules.md §3 当期结余率 {_PRACTICE}，按期间数",
)
def _current_balance_rate(g: Gather) -> Term:
    return rate(current_balance_term(g), g.money("income.total"))


@indicator(
    "closing_balance", "期末累计结余",
    "年初累计结余 + 本期当期结余（自1月起的累计数；年初累计结余未列时取本年年度记录的年初数，或上年年末累计结余）",
    "万元", 2, "period", ("balance.opening", "income.total", "expenditure.total"),
    f"rules.md §3 年末累计结余 = 年初 + 当期结余 {_PRACTICE}；"
    "w15 所述“3月末累计结余246318.92万元，较年初231600.75万元增加14718.17万元”",
)
def _closing_balance(g: Gather) -> Term:
    _cumulative(g, "期末累计结余的推算")
    opening = _opening(g)
    if opening is None:
        return g.need(title_of(g.record, "balance.opening"))
    return opening + current_balance_term(g)


@indicator(
    "months_of_reserve", "累计结余可支付月数（滚动12个月）",
    "期末累计结余 ÷（最近12个月基金支出 ÷ 12）；最近12个月支出 = 本期累计支出 + 上年全年支出 − 上年同期累计支出"
    "（1-12月即全年支出；未列期末累计结余时用 年初累计结余 + 本期当期结余）",
    "个月", 1, "period", ("balance.closing", "expenditure.total", "previous.expenditure_total"),
    "rules.md §3 累计结余可支付月数 = 累计结余 / 月均支出 [practice]，月均支出取最近12个月，消除季节性；"
    "阈值见人社部发〔2009〕67号、人社部发〔2015〕70号 [secondary]",
)
def _months_of_reserve(g: Gather) -> Term:
    _cumulative(g, "滚动12个月的可支付月数")
    closing = _closing(g)
    spent = g.money("expenditure.total")
    if not g.record.span.whole_year:
        if g.siblings.get(LAST_YEAR) is None:
            return g.need("上年全年基金支出（上年记录）")
        last_year = g.sibling(LAST_YEAR, LAST_YEAR)
        assert last_year is not None
        before = _same_months_last_year(g, "previous.expenditure_total", "expenditure.total")
        spent = g.note("最近12个月基金支出", spent + last_year.money("expenditure.total") - before, "万元")
    return closing / (spent / 12).named("月均基金支出")


@indicator(
    "months_of_reserve_ytd", "累计结余可支付月数（按本期月均支出）",
    "期末累计结余 ÷（期间基金支出合计 ÷ 期间月数）（未列期末累计结余时用 年初累计结余 + 本期当期结余）",
    "个月", 1, "period", ("balance.closing", "expenditure.total", "span"),
    f"{_MONITOR} {_PRACTICE}；w13 所述“按上半年统筹基金月均支出测算……可支付20.0个月”",
)
def _months_of_reserve_ytd(g: Gather) -> Term:
    closing = _closing(g)
    months = Term.exact(g.record.span.months, "期间月数")
    return closing / (g.money("expenditure.total") / months).named("本期月均基金支出")


# --------------------------------------------------------------------------------------------


def period_values(fp: FundPeriod, context: Mapping[Any, Any] | None = None) -> list[IndicatorResult]:
    """Every period indicator of ``fp`` in registry order; ``context``: the records around it by
    role (:data:`SAME_PERIOD`, :data:`LAST_YEAR`, :data:`THIS_YEAR`) and the :data:`BASIS`."""
    with shared_reads():
        return [definition.compute(fp, context or {}) for definition in definitions("period")]
