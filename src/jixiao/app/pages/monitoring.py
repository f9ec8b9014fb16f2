"""The monitoring page (基金运行监测) of a unit, and its roll-up over a parent's subordinates.

A unit's page is :func:`jixiao.app.monitoring.monitor_stored` shown: per fund the cumulative
execution of income and expenditure against 序时进度 month by month (a line each), the period's
indicators (同比, 当期结余, 可支付月数 …), the checks of the figures its report states, the
warnings and the year-end projection with its range. Kept per data revision.

A parent's roll-up lists every direct subordinate with its own monitoring through the same month
(by its own rule set) — its own figures when it reports months, else its subordinates' added up
(:func:`jixiao.calc.monitoring.rollup`, recursively) — and the parent's total of them, monitored
by the parent's rule set.
"""

from __future__ import annotations

import functools
import hashlib
from decimal import Decimal
from importlib import resources
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

import jixiao
from jixiao.app.cache import RevisionCache
from jixiao.app.monitoring import monitor_stored
from jixiao.app.pages.common import Chart, ChartSeries, Severity, UnitInfo, get_unit, rule_indicators, worst_severity
from jixiao.app.pages.dashboard import CheckView, IndicatorView, WarningView, result_views
from jixiao.app.units import rules_of_unit, unit_table
from jixiao.calc.forecast import PROJECTION_LABELS, Projection
from jixiao.calc.monitoring import FundMonitor, Monitoring, latest_month, monitor, rollup
from jixiao.calc.registry import BY_SUBJECT
from jixiao.ingest.validate import stored_period_problems
from jixiao.model import Dataset, FundYear
from jixiao.model.funds import FUNDS
from jixiao.model.periods import FundPeriod
from jixiao.numbers import fmt
from jixiao.rules import load_ruleset
from jixiao.store.indicator_store import engine_version, ruleset_key
from jixiao.store.pages import keep_rollup_if_free, page_key, read_kept_rollup, units_content
from jixiao.store.repository import get_fund_periods, get_fund_years, period_years

_PAGES: RevisionCache[MonitoringPage] = RevisionCache(size=256)
_ROLLUPS: RevisionCache[MonitoringRollup] = RevisionCache(size=128)
#: the kept roll-up's slot in ``kept_dashboards`` (where a dashboard names its rule set), and its month
_ROLLUP_SLOT = "monitoring-rollup/"

BASIS_LABEL = {"month": "按月计算（已过月数 ÷ 12）", "day": "按天计算（已过天数 ÷ 全年天数）"}
#: the indicators a child's row of the roll-up shows
ROW_INDICATORS = ("time_progress", "income_budget_execution_rate", "expenditure_budget_execution_rate",
                  "income_progress_gap", "expenditure_progress_gap", "current_balance", "months_of_reserve")


class ProjectionView(BaseModel):
    side: Literal["income", "expenditure"]
    side_label: str = Field(description="全年收入 / 全年支出")
    value: Decimal = Field(description="projected year-end total, 万元")
    display: str
    low: Decimal | None = Field(default=None, description="lower end of the back-tested range; null: none")
    high: Decimal | None = None
    method: str
    method_label: str
    text: str = Field(description="one sentence: how, how much, within what range")


class ProgressRow(BaseModel):
    month: int
    time_progress: Decimal = Field(description="序时进度, percent")
    income_execution: Decimal | None = Field(description="收入预算累计执行率, percent; null without a budget")
    expenditure_execution: Decimal | None


class MonitoredFund(BaseModel):
    fund: str
    short: str
    scope: str | None = None
    label: str
    span: str = Field(description="the months monitored, e.g. 1-6月")
    notes: list[str] = Field(default_factory=list)
    indicators: list[IndicatorView]
    checks: list[CheckView]
    warnings: list[WarningView]
    worst: Severity | None = None
    projections: list[ProjectionView]
    projected_balance: str | None = Field(default=None, description="预计全年当期结余")
    progress: list[ProgressRow]
    chart: Chart


class Disagreement(BaseModel):
    """Stored months and the stored year (or months) that disagree: saved before the checks of an
    import saw both, or one at a time."""

    code: str
    title: str
    severity: str
    message: str


class MonitoringPage(BaseModel):
    unit: UnitInfo
    year: int
    month: int | None = Field(description="monitored from January through this month; null: no months this year")
    months: list[int] = Field(description="months of the year with figures (to pick another)")
    years: list[int] = Field(description="years with monthly or quarterly figures")
    basis: str = Field(description="how 序时进度 is measured")
    ruleset: str
    funds: list[MonitoredFund]
    missing: list[str] = Field(description="funds with figures this year but none through the month")
    warnings: dict[str, int] = Field(description="severity → count")
    worst: Severity | None = None
    disagreements: list[Disagreement] = Field(
        default_factory=list, description="the year's stored months and year checked against each other "
                                          "(年度数与12月累计数不符、累计数减少)")


class ChildFundRow(BaseModel):
    fund: str
    short: str
    values: dict[str, str] = Field(description="indicator id → display (序时进度, 执行率, 差距, 当期结余, 可支付月数)")
    warnings: list[WarningView]


class MonitoringChild(BaseModel):
    unit: UnitInfo
    source: Literal["own", "subordinates", "none"]
    source_label: str
    has_children: bool
    month: int | None = Field(description="the month monitored; null without figures this year")
    funds: list[ChildFundRow]
    missing: list[str]
    warnings: dict[str, int]
    worst: Severity | None = None


class MonitoringRollup(BaseModel):
    unit: UnitInfo
    year: int
    month: int | None
    years: list[int] = Field(description="years some subordinate has monthly or quarterly figures for")
    ruleset: str
    indicators: list[str] = Field(description="names of the children's columns, in ROW_INDICATORS order")
    indicator_ids: list[str]
    children: list[MonitoringChild]
    total: list[MonitoredFund] = Field(description="the subordinates' figures added up, monitored by the "
                                                   "parent's rule set")
    units_with_data: int
    warnings: dict[str, int]


# --------------------------------------------------------------------------------------------
# Views
# --------------------------------------------------------------------------------------------


def _pct(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.01"))


def _projection_view(side: Literal["income", "expenditure"], p: Projection) -> ProjectionView:
    return ProjectionView(side=side, side_label="全年收入" if side == "income" else "全年支出", value=p.value,
                          display=f"{fmt(p.value, 0)}万元", low=p.low, high=p.high, method=p.method,
                          method_label=PROJECTION_LABELS[p.method], text=p.describe())


def _chart(f: FundMonitor, index: int) -> Chart:
    points = f.series
    return Chart(id=f"monitor-{index}", title=f"{f.label}：累计执行进度与序时进度", kind="line", unit="%",
                 categories=[f"{p.month}月" for p in points], series=[
                     ChartSeries(name="序时进度", data=[_pct(p.time_progress) for p in points], places=2),
                     ChartSeries(name="收入执行进度", data=[_pct(p.income_execution) for p in points], places=2),
                     ChartSeries(name="支出执行进度", data=[_pct(p.expenditure_execution) for p in points],
                                 places=2),
                 ])


def _fund_view(f: FundMonitor, index: int, rule_map: dict[str, tuple[str, ...]]) -> MonitoredFund:
    indicators, checks, warnings = result_views(f.results, f.checks, f.warnings, rule_map)
    projections = []
    if f.income is not None:
        projections.append(_projection_view("income", f.income))
    if f.expenditure is not None:
        projections.append(_projection_view("expenditure", f.expenditure))
    balance = f.projected_balance
    return MonitoredFund(
        fund=f.fund.value, short=FUNDS[f.fund].short, scope=f.record.scope, label=f.label,
        span=f.record.span.label, notes=list(f.record.notes), indicators=indicators, checks=checks,
        warnings=warnings, worst=worst_severity(w.severity for w in f.warnings), projections=projections,
        projected_balance=None if balance is None else f"{fmt(balance, 0)}万元",
        progress=[ProgressRow(month=p.month, time_progress=p.time_progress, income_execution=p.income_execution,
                              expenditure_execution=p.expenditure_execution) for p in f.series],
        chart=_chart(f, index))


def _counts(m: Monitoring) -> dict[str, int]:
    counts = dict.fromkeys(("serious", "warning", "info"), 0)
    for w in m.warnings:
        counts[w.severity] += 1
    return counts


# --------------------------------------------------------------------------------------------
# A unit
# --------------------------------------------------------------------------------------------


def unit_monitoring(session: Session, unit: str, year: int, month: int | None = None) -> MonitoringPage:
    """A unit's funds from January through ``month`` of ``year`` (its last month when None);
    NotFound when the unit does not exist. A year without months gives an empty page (no funds,
    ``month`` null) that says which years have them, as the dashboard does for a year without data."""
    return _PAGES.get_or_make(session, (unit, year, month), lambda: _unit_monitoring(session, unit, year, month))


def _unit_monitoring(session: Session, unit: str, year: int, month: int | None) -> MonitoringPage:
    info = get_unit(session, unit)
    rules = load_ruleset(rules_of_unit(session, unit))
    rule_map = rule_indicators(rules)
    years = period_years(session, [unit]).get(unit, [])
    if year not in years:
        return MonitoringPage(unit=info, year=year, month=None, months=[], years=years,
                              basis=BASIS_LABEL[rules.monitoring.time_progress], ruleset=rules.title, funds=[],
                              missing=[], warnings=dict.fromkeys(("serious", "warning", "info"), 0))
    found = monitor_stored(session, unit, year, month, ruleset=rules)
    periods = get_fund_periods(session, unit, year)
    months = sorted({p.span.last for p in periods})
    stored = Dataset(fund_years=get_fund_years(session, unit, year), fund_periods=periods)
    disagreements = [Disagreement(code=p.code, title=p.title, severity=p.severity, message=p.message)
                     for p in stored_period_problems(stored)]
    return MonitoringPage(
        unit=info, year=year, month=found.month, months=months, years=years, basis=BASIS_LABEL[found.basis],
        ruleset=rules.title, funds=[_fund_view(f, i, rule_map) for i, f in enumerate(found.funds, start=1)],
        missing=found.missing, warnings=_counts(found), worst=worst_severity(w.severity for w in found.warnings),
        disagreements=disagreements)


# --------------------------------------------------------------------------------------------
# A parent: its subordinates
# --------------------------------------------------------------------------------------------


class _Figures:
    """Every subordinate's months and years, read once; what each contributes, made once."""

    def __init__(self, session: Session, unit: str) -> None:
        table = unit_table(session)
        self.children: dict[str, list[str]] = {}
        self.names = {r.code: r for r in table.rows}
        for r in table.rows:
            if r.parent is not None:
                self.children.setdefault(r.parent, []).append(r.code)
        below: list[str] = []
        stack = list(self.children.get(unit, []))
        while stack:
            code = stack.pop()
            below.append(code)
            stack.extend(self.children.get(code, []))
        self.periods: dict[str, list[FundPeriod]] = {}
        for p in get_fund_periods(session, units=below):
            self.periods.setdefault(p.unit, []).append(p)
        self.annual: dict[str, list[FundYear]] = {}
        for a in get_fund_years(session, units=below):
            self.annual.setdefault(a.unit, []).append(a)
        self._made: dict[tuple[str, int], tuple[str, list[FundPeriod], list[FundYear]]] = {}
        self.rulesets: dict[str, str] = {}

    def of(self, code: str, year: int) -> tuple[str, list[FundPeriod], list[FundYear]]:
        """(source, months, years) a unit contributes: its own when it has months of ``year``, else
        its subordinates' contributions added up under its code."""
        key = (code, year)
        if key not in self._made:
            own = self.periods.get(code, [])
            if any(p.year == year for p in own):
                self._made[key] = ("own", own, self.annual.get(code, []))
            else:
                parts = [(k, *self.of(k, year)[1:]) for k in self.children.get(code, [])]
                parts = [p for p in parts if any(x.year == year for x in p[1])]
                if parts:
                    periods, annual = rollup([x for _, ps, _ in parts for x in ps],
                                             [x for _, _, ys in parts for x in ys], code, [k for k, _, _ in parts])
                    self._made[key] = ("subordinates", periods, annual)
                else:
                    self._made[key] = ("none", [], [])
        return self._made[key]


SOURCE_LABEL = {"own": "本单位月报", "subordinates": "下级单位合计", "none": "无本年月度数据"}


def _child(figures: _Figures, code: str, year: int, month: int | None) -> MonitoringChild:
    row = figures.names[code]
    info = UnitInfo(code=row.code, name=row.name, level=row.level, kind=row.kind, parent=row.parent,
                    region=row.region)
    source, periods, annual = figures.of(code, year)
    has_children = bool(figures.children.get(code))
    if source == "none":
        return MonitoringChild(unit=info, source="none", source_label=SOURCE_LABEL["none"],
                               has_children=has_children, month=None, funds=[], missing=[],
                               warnings=dict.fromkeys(("serious", "warning", "info"), 0))
    rules = load_ruleset(figures.rulesets[code])
    found = monitor(periods, annual, rules, unit=code, year=year, month=month)
    funds = []
    for f in found.funds:
        by_id = {r.id: r for r in f.results}
        warnings = result_views([], [], f.warnings, {})[2]
        funds.append(ChildFundRow(fund=f.fund.value, short=f.label,
                                  values={i: by_id[i].display() for i in ROW_INDICATORS if i in by_id},
                                  warnings=warnings))
    return MonitoringChild(unit=info, source=source, source_label=SOURCE_LABEL[source], has_children=has_children,
                           month=found.month or None, funds=funds, missing=found.missing, warnings=_counts(found),
                           worst=worst_severity(w.severity for w in found.warnings))


def _named(note: str, names: dict[str, str]) -> str:
    for code in sorted(names, key=len, reverse=True):
        note = note.replace(code, names[code])
    return note


def monitoring_rollup(session: Session, unit: str, year: int, month: int | None = None) -> MonitoringRollup:
    """Every direct subordinate of ``unit`` monitored through ``month`` (else the last month any of
    them has), and their total; NotFound when the unit does not exist. Kept: in this process per
    data revision, and in the database under the key of what it is made from (a province's
    roll-up monitors every subordinate: seconds), so a write elsewhere costs a read, not that."""
    return _ROLLUPS.get_or_make(session, (unit, year, month), lambda: _kept_rollup(session, unit, year, month))


@functools.cache
def _page_version() -> str:
    """jixiao's version and a digest of what shapes the roll-up beyond the engine and the rule
    sets (this module and the views it shares): a change to either makes every kept one stale."""
    digest = hashlib.sha256(jixiao.__version__.encode())
    for name in ("monitoring.py", "dashboard.py", "common.py"):
        digest.update((resources.files("jixiao.app.pages") / name).read_bytes())
    return digest.hexdigest()[:16]


def _rollup_key(session: Session, unit: str, year: int, month: int | None) -> str:
    """What a roll-up is made from: the unit-year versions of every unit below ``unit``, the unit
    table (names, parents, rule sets), the rule sets of ``unit`` and its children, the engine."""
    table = unit_table(session)
    children: dict[str, list[str]] = {}
    for r in table.rows:
        if r.parent is not None:
            children.setdefault(r.parent, []).append(r.code)
    below, stack = [], list(children.get(unit, []))
    while stack:
        code = stack.pop()
        below.append(code)
        stack.extend(children.get(code, []))
    rows = "\n".join("\t".join(str(v) for v in r) for r in table.rows)
    names = sorted({rules_of_unit(session, code) for code in [unit, *children.get(unit, [])]})
    rules = [ruleset_key(load_ruleset(name)) for name in names]
    return page_key(units_content(session, below), rows, *rules, str(year), str(month), engine_version(),
                    _page_version())


def _kept_rollup(session: Session, unit: str, year: int, month: int | None) -> MonitoringRollup:
    get_unit(session, unit)  # NotFound first
    key = _rollup_key(session, unit, year, month)
    slot = f"{_ROLLUP_SLOT}{month or 0}"  # beside the fund roll-ups, in the place of their fund
    found = read_kept_rollup(session, unit, year, slot, "", key)
    if found is not None:
        return MonitoringRollup.model_validate_json(found)
    made = _monitoring_rollup(session, unit, year, month)
    keep_rollup_if_free(session, unit, year, slot, "", key, made.model_dump_json().encode())
    return made


def _monitoring_rollup(session: Session, unit: str, year: int, month: int | None) -> MonitoringRollup:
    info = get_unit(session, unit)
    figures = _Figures(session, unit)
    kids = figures.children.get(unit, [])
    figures.rulesets = {code: rules_of_unit(session, code) for code in [unit, *kids]}
    if month is None:
        latest = [latest_month(figures.of(k, year)[1], k, year) for k in kids]
        month = max((m for m in latest if m is not None), default=None)
    children = [_child(figures, k, year, month) for k in kids]
    rules = load_ruleset(figures.rulesets[unit])
    parts = [(k, *figures.of(k, year)[1:]) for k in kids if figures.of(k, year)[0] != "none"]
    total: list[MonitoredFund] = []
    if parts:
        periods, annual = rollup([x for _, ps, _ in parts for x in ps], [x for _, _, ys in parts for x in ys],
                                 unit, [k for k, _, _ in parts])
        summed = monitor(periods, annual, rules, unit=unit, year=year, month=month)
        total = [_fund_view(f, i, rule_indicators(rules)) for i, f in enumerate(summed.funds, start=1)]
        for view in total:  # the sum's note names the units added: by name, as the page does
            view.notes = [_named(note, {k: figures.names[k].name for k, _, _ in parts}) for note in view.notes]
    years = sorted({p.year for ps in figures.periods.values() for p in ps})
    counts = dict.fromkeys(("serious", "warning", "info"), 0)
    for c in children:
        for k, n in c.warnings.items():
            counts[k] += n
    names = [BY_SUBJECT["period"][i].name for i in ROW_INDICATORS]
    return MonitoringRollup(unit=info, year=year, month=month, years=years, ruleset=rules.title,
                            indicators=names, indicator_ids=list(ROW_INDICATORS), children=children, total=total,
                            units_with_data=sum(1 for c in children if c.source != "none"), warnings=counts)


__all__ = ["MonitoringPage", "MonitoringRollup", "monitoring_rollup", "unit_monitoring"]
