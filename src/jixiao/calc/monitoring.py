"""Monitoring a unit's funds month by month (基金运行监测): for the months of a year so far, each
fund's income and expenditure against budget and 序时进度, 同比, 当期结余, the reserve in months
of the last twelve months' spending, the warnings of the rule set, and the year-end projected.

:func:`monitor` takes a unit's monthly or quarterly records (:class:`FundPeriod`, any years) and
its annual records (:class:`FundYear`), and answers for one year through one month: one
:class:`FundMonitor` per fund and scope (统筹基金 and 个人账户 apart when they have records of
their own). The months may be given cumulative (1-6) or each on its own (4-6, 6): whatever adds
up to January–month is added up (:func:`find_period`). A parent unit's figures are its members'
added up (:func:`rollup`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from jixiao.calc.forecast import Projection, SeasonYear, project_year_end
from jixiao.calc.period import BASIS, LAST_YEAR, SAME_PERIOD, THIS_YEAR, period_values
from jixiao.calc.registry import BY_SUBJECT, IndicatorResult
from jixiao.calc.risks import RiskWarning, period_warnings
from jixiao.calc.stated import StatedCheck, check_stated
from jixiao.model.funds import FUNDS, FundBalance, FundBudget, FundExpenditure, FundIncome, FundKind, FundYear
from jixiao.model.periods import FundPeriod, PeriodBalance, PeriodPrevious, Span, tiling
from jixiao.numbers import Quantity
from jixiao.rules import RuleSet

# --------------------------------------------------------------------------------------------
# Finding and adding up periods
# --------------------------------------------------------------------------------------------


def _add(figures: Sequence[Quantity | None]) -> Quantity | None:
    """The sum in 万元 when every piece has the figure (keeping the most decimals written)."""
    if not figures or any(q is None for q in figures):
        return None
    return Quantity(sum((q.value_in("万元") for q in figures if q is not None), Decimal(0)), "万元")


def _summed(pieces: Sequence[Any], model: type[Any], flows: Iterable[str]) -> Any:
    return model(**{name: _add([getattr(p, name) for p in pieces]) for name in flows})


def combine_periods(pieces: Sequence[FundPeriod]) -> FundPeriod:
    """One record for consecutive periods (1-3 and 4-6 → 1-6): flows added where every piece has
    them, the first piece's opening, the last piece's closing, budget and coverage."""
    first, last = pieces[0], pieces[-1]
    labels = "、".join(p.span.label for p in pieces)
    return FundPeriod(
        unit=first.unit, year=first.year, fund=first.fund, scope=first.scope,
        span=Span(first.span.first, last.span.last),
        income=_summed([p.income for p in pieces], FundIncome, FundIncome.model_fields),
        expenditure=_summed([p.expenditure for p in pieces], FundExpenditure, FundExpenditure.model_fields),
        budget=last.budget, coverage=last.coverage,
        balance=PeriodBalance(opening=first.balance.opening, closing=last.balance.closing,
                              current=_add([p.balance.current for p in pieces])),
        previous=PeriodPrevious(
            income_total=_add([p.previous.income_total for p in pieces]),
            expenditure_total=_add([p.previous.expenditure_total for p in pieces]),
            contributions=_add([p.previous.contributions for p in pieces]),
            closing_balance=last.previous.closing_balance, insured=last.previous.insured),
        notes=[f"由{labels}相加"],
    )


def find_period(periods: Iterable[FundPeriod], unit: str, year: int, fund: FundKind, scope: str | None,
                span: Span) -> FundPeriod | None:
    """The record of exactly ``span``, else one added up from records that cover it."""
    mine = {p.span: p for p in periods
            if (p.unit, p.year, p.fund, p.scope) == (unit, year, fund, scope)}
    if span in mine:
        return mine[span]
    pieces = tiling(span, mine)
    return combine_periods([mine[s] for s in pieces]) if pieces else None


def _annual(annual: Iterable[FundYear], unit: str, year: int, fund: FundKind, scope: str | None) -> FundYear | None:
    return next((a for a in annual if (a.unit, a.year, a.fund, a.scope) == (unit, year, fund, scope)), None)


def period_context(fp: FundPeriod, periods: Sequence[FundPeriod], annual: Sequence[FundYear],
                   basis: str = "month") -> dict[str, Any]:
    """The records a period's indicators read, by role (:mod:`jixiao.calc.period`): last year's
    same months, last year's whole year (its annual record, else its 1-12月), this year's annual
    record, and the 序时进度 basis."""
    context: dict[str, Any] = {BASIS: basis}
    same = find_period(periods, fp.unit, fp.year - 1, fp.fund, fp.scope, fp.span)
    last: FundYear | FundPeriod | None = _annual(annual, fp.unit, fp.year - 1, fp.fund, fp.scope)
    if last is None:
        last = find_period(periods, fp.unit, fp.year - 1, fp.fund, fp.scope, Span(1, 12))
    this = _annual(annual, fp.unit, fp.year, fp.fund, fp.scope)
    for role, record in ((SAME_PERIOD, same), (LAST_YEAR, last), (THIS_YEAR, this)):
        if record is not None:
            context[role] = record
    return context


# --------------------------------------------------------------------------------------------
# Monitoring
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressPoint:
    """One month of the line against 序时进度 (percent; None where the budget is unknown)."""

    month: int
    time_progress: Decimal
    income_execution: Decimal | None
    expenditure_execution: Decimal | None


@dataclass(frozen=True)
class FundMonitor:
    """One fund (and scope) of a unit, from January through the month monitored."""

    record: FundPeriod
    results: list[IndicatorResult]
    checks: list[StatedCheck]
    warnings: list[RiskWarning]
    income: Projection | None
    expenditure: Projection | None
    series: list[ProgressPoint]
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def fund(self) -> FundKind:
        return self.record.fund

    @property
    def label(self) -> str:
        scope = f"（{self.record.scope}）" if self.record.scope else ""
        return f"{FUNDS[self.fund].short}{scope}"

    def result(self, indicator_id: str) -> IndicatorResult | None:
        return next((r for r in self.results if r.id == indicator_id), None)

    @property
    def projected_balance(self) -> Decimal | None:
        """预计全年当期结余: projected income − projected expenditure."""
        if self.income is None or self.expenditure is None:
            return None
        return self.income.value - self.expenditure.value


@dataclass(frozen=True)
class Monitoring:
    """A unit's funds from January through ``month`` of ``year``."""

    unit: str
    year: int
    month: int
    basis: str
    ruleset: str
    funds: list[FundMonitor]
    #: funds with records this year but none reaching ``month``
    missing: list[str] = field(default_factory=list)

    @property
    def warnings(self) -> list[RiskWarning]:
        return [w for f in self.funds for w in f.warnings]


def _value(record: FundPeriod | FundYear | None, group: str, name: str) -> Decimal | None:
    if record is None:
        return None
    q = getattr(getattr(record, group), name)
    return q.value_in("万元") if isinstance(q, Quantity) else None


def _year_total(periods: Sequence[FundPeriod], annual: Sequence[FundYear], fp: FundPeriod, year: int,
                group: str) -> Decimal | None:
    whole = _annual(annual, fp.unit, year, fp.fund, fp.scope)
    value = _value(whole, group, "total")
    if value is None:
        value = _value(find_period(periods, fp.unit, year, fp.fund, fp.scope, Span(1, 12)), group, "total")
    return value


def _projection(fp: FundPeriod, periods: Sequence[FundPeriod], annual: Sequence[FundYear], group: str,
                years: int) -> Projection | None:
    so_far = _value(fp, group, "total")
    if so_far is None or not fp.span.cumulative:
        return None
    month = fp.span.last
    records: list[FundPeriod | FundYear] = [*periods, *annual]
    earlier = sorted({r.year for r in records
                      if (r.unit, r.fund, r.scope) == (fp.unit, fp.fund, fp.scope) and r.year < fp.year})
    history, totals = [], []
    for year in earlier:
        total = _year_total(periods, annual, fp, year, group)
        if total is None:
            continue
        totals.append((year, total))
        cumulative = _value(find_period(periods, fp.unit, year, fp.fund, fp.scope, Span(1, month)), group, "total")
        if cumulative is not None:
            history.append(SeasonYear(year, cumulative, total))
    return project_year_end(so_far, month, history, annual=totals, years=years)


def _series(fp: FundPeriod, periods: Sequence[FundPeriod], annual: Sequence[FundYear],
            basis: str) -> list[ProgressPoint]:
    own = BY_SUBJECT["period"]
    points = []
    for m in range(1, fp.span.last + 1):
        record = find_period(periods, fp.unit, fp.year, fp.fund, fp.scope, Span(1, m))
        if record is None:
            continue
        context = period_context(record, periods, annual, basis)
        progress, income, spent = (own[i].compute(record, context) for i in (
            "time_progress", "income_budget_execution_rate", "expenditure_budget_execution_rate"))
        assert progress.value is not None
        points.append(ProgressPoint(m, progress.value, income.value, spent.value))
    return points


def _turned(results: Mapping[str, IndicatorResult], context: Mapping[str, Any], fp: FundPeriod) -> bool:
    """A deficit now where the same months last year were in surplus."""
    now = results.get("current_balance")
    if now is None or now.value is None or now.value >= 0:
        return False
    same = context.get(SAME_PERIOD)
    income = _value(same, "income", "total")
    spent = _value(same, "expenditure", "total")
    if income is None or spent is None:
        income, spent = _value(fp, "previous", "income_total"), _value(fp, "previous", "expenditure_total")
    return income is not None and spent is not None and income >= spent


def monitor_period(fp: FundPeriod, periods: Sequence[FundPeriod], annual: Sequence[FundYear], ruleset: RuleSet,
                   siblings: Mapping[FundKind, FundPeriod] | None = None) -> FundMonitor:
    """Everything the engine says of one period: its indicators, the checks of the figures its
    report states, the year-end projection and the warnings by ``ruleset``."""
    basis = ruleset.monitoring.time_progress
    context = period_context(fp, periods, annual, basis)
    results = period_values(fp, context)
    by_id = {r.id: r for r in results}
    years = ruleset.monitoring.projection_years
    income = _projection(fp, periods, annual, "income", years)
    expenditure = _projection(fp, periods, annual, "expenditure", years)
    warnings = period_warnings(fp, results, ruleset, siblings, turned=_turned(by_id, context, fp),
                               projections=(income, expenditure))
    return FundMonitor(fp, results, check_stated(fp, results), warnings, income, expenditure,
                       _series(fp, periods, annual, basis), context)


def latest_month(periods: Iterable[FundPeriod], unit: str, year: int) -> int | None:
    """The last month of ``year`` that some fund of ``unit`` has figures through."""
    months = [p.span.last for p in periods if p.unit == unit and p.year == year]
    return max(months) if months else None


def monitor(periods: Iterable[FundPeriod], annual: Iterable[FundYear], ruleset: RuleSet, *, unit: str, year: int,
            month: int | None = None) -> Monitoring:
    """Monitor ``unit``'s funds from January through ``month`` of ``year`` (the last month with
    figures when None). ``periods`` and ``annual`` may hold other units' and years' records: the
    unit's earlier years give 同比, the rolling reserve and the projection's history."""
    mine = [p for p in periods if p.unit == unit]
    years_records = [a for a in annual if a.unit == unit]
    through = month or latest_month(mine, unit, year)
    funds: list[FundMonitor] = []
    missing: list[str] = []
    if through is None:
        return Monitoring(unit, year, 0, ruleset.monitoring.time_progress, ruleset.label, funds, missing)
    keys = sorted({(p.fund, p.scope) for p in mine if p.year == year},
                  key=lambda k: (list(FundKind).index(k[0]), k[1] or ""))
    found: dict[tuple[FundKind, str | None], FundPeriod] = {}
    for fund, scope in keys:
        record = find_period(mine, unit, year, fund, scope, Span(1, through))
        if record is None:
            missing.append(f"{FUNDS[fund].short}{f'（{scope}）' if scope else ''}")
        else:
            found[(fund, scope)] = record
    for (_, scope), record in found.items():
        siblings = {f: r for (f, s), r in found.items() if s == scope}
        funds.append(monitor_period(record, mine, years_records, ruleset, siblings))
    return Monitoring(unit, year, through, ruleset.monitoring.time_progress, ruleset.label, funds, missing)


# --------------------------------------------------------------------------------------------
# A parent unit: its members added up (汇总)
# --------------------------------------------------------------------------------------------


def _by_member(records: Iterable[Any], members: list[str]) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Records by (year, fund, span) and member; a member's record without a scope is preferred."""
    grouped: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in sorted((r for r in records if r.unit in members), key=lambda r: r.scope is not None):
        key = (r.year, r.fund, getattr(r, "span", None))
        grouped.setdefault(key, {}).setdefault(r.unit, r)
    return grouped


def _summed_groups(pieces: Sequence[FundPeriod | FundYear], included: list[str], missing: list[str]) -> dict[str, Any]:
    note = f"由{'、'.join(included)}汇总" + (f"；缺{'、'.join(missing)}的数据" if missing else "")
    return {
        "income": _summed([p.income for p in pieces], FundIncome, FundIncome.model_fields),
        "expenditure": _summed([p.expenditure for p in pieces], FundExpenditure, FundExpenditure.model_fields),
        "budget": _summed([p.budget for p in pieces], FundBudget, FundBudget.model_fields),
        "notes": [note],
    }


def rollup(periods: Iterable[FundPeriod], annual: Iterable[FundYear], parent: str,
           members: Iterable[str]) -> tuple[list[FundPeriod], list[FundYear]]:
    """The figures of ``parent`` as the sum of its ``members``' (a city from its counties): one
    record per year, fund and span any member has, each item added where every member that has
    the record has the item, and a note naming the members added and those missing. Monitor the
    result like any unit's (:func:`monitor` with ``unit=parent``)."""
    names = list(dict.fromkeys(members))
    out_periods: list[FundPeriod] = []
    for (year, fund, span), by_unit in _by_member(periods, names).items():
        included = [u for u in names if u in by_unit]
        pieces = [by_unit[u] for u in included]
        groups = _summed_groups(pieces, included, [u for u in names if u not in by_unit])
        flows = ("income_total", "expenditure_total", "contributions", "closing_balance")
        out_periods.append(FundPeriod(
            unit=parent, year=year, fund=fund, span=span,
            balance=_summed([p.balance for p in pieces], PeriodBalance, PeriodBalance.model_fields),
            previous=_summed([p.previous for p in pieces], PeriodPrevious, flows), **groups))
    out_annual: list[FundYear] = []
    for (year, fund, _), by_unit in _by_member(annual, names).items():
        included = [u for u in names if u in by_unit]
        pieces = [by_unit[u] for u in included]
        groups = _summed_groups(pieces, included, [u for u in names if u not in by_unit])
        out_annual.append(FundYear(
            unit=parent, year=year, fund=fund,
            balance=_summed([p.balance for p in pieces], FundBalance, FundBalance.model_fields), **groups))
    return out_periods, out_annual
