"""One unit's indicators over the years it has data for (the trends page)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy.orm import Session

from jixiao.app.pages.common import (
    DEFAULT_COMPARE,
    Chart,
    ChartSeries,
    IndicatorInfo,
    Severity,
    UnitInfo,
    as_ruleset,
    get_unit,
    qualified_id,
    resolve_indicator,
    rule_indicators,
    scope_rank,
    warned_indicators,
)
from jixiao.app.units import rules_of_unit
from jixiao.calc import (
    BY_SUBJECT,
    IndicatorResult,
)
from jixiao.calc.dataset import fund_groups, record_values, record_warnings
from jixiao.calc.registry import places_shown
from jixiao.model.funds import FundKind
from jixiao.rules import (
    RuleSet,
    citation_text,
)
from jixiao.store.repository import get_department, get_fund_years, years_of


class TrendPoint(BaseModel):
    year: int
    value: Decimal | None
    display: str
    warning: Severity | None = None


class TrendSeries(IndicatorInfo):
    points: list[TrendPoint]


class Trends(BaseModel):
    unit: UnitInfo
    years: list[int]
    fund: str | None
    funds: list[str]
    ruleset: str
    series: list[TrendSeries]
    charts: list[Chart]


#: how many indicators the page shows when none are asked for
DEFAULT_COUNT = 5


def _defaults(series: list[TrendSeries]) -> list[TrendSeries]:
    """The series shown when none are asked for: the usual ones (:data:`DEFAULT_COMPARE`) this
    unit's data can compute in some year, topped up with others it can compute — never a table
    of 不可计算."""
    computable = [s for s in series if any(p.value is not None for p in s.points)]
    usual = [s for s in computable if s.id in DEFAULT_COMPARE]
    others = [s for s in computable if s.id not in DEFAULT_COMPARE]
    chosen = (usual + others)[:DEFAULT_COUNT]
    return chosen or [s for s in series if s.id in DEFAULT_COMPARE]


def trends(session: Session, unit: str, indicator_ids: Sequence[str] = (), *, fund: str | None = None,
           ruleset: RuleSet | str | None = None) -> Trends:
    """``unit``'s indicators in each year it has data for. Fund indicators come from its record
    of ``fund`` (default: the fund it has in most years), whole-unit 口径 first. Without
    ``indicator_ids``, the usual indicators that its data can compute (:func:`_defaults`). With
    one year of data there is no chart (a line needs two points)."""
    info = get_unit(session, unit)
    rs = as_ruleset(ruleset if ruleset is not None else rules_of_unit(session, unit))
    rule_map = rule_indicators(rs)
    # asked for: those; else every fund and department indicator, of which the shown ones are
    # picked below from what this unit's data can compute
    defs = [resolve_indicator(i) for i in indicator_ids] if indicator_ids else [
        d for subject in ("fund", "department") for d in BY_SUBJECT[subject].values()]
    defs = list({(d.subject, d.id): d for d in defs}.values())
    if fund is not None and fund not in {k.value for k in FundKind}:
        raise KeyError(f"未知基金“{fund}”")
    all_funds = get_fund_years(session, unit)
    counts: dict[str, set[int]] = {}
    for fy in all_funds:
        counts.setdefault(fy.fund.value, set()).add(fy.year)
    order = [k.value for k in FundKind]
    funds_present = sorted(counts, key=lambda k: (-len(counts[k]), order.index(k)))
    chosen = fund or (funds_present[0] if funds_present else None)
    groups = fund_groups(all_funds)
    years = years_of(session, unit)
    depts = {d.year: d for d in (get_department(session, unit, y) for y in years) if d is not None}

    per_year: dict[int, dict[str, tuple[IndicatorResult, Severity | None]]] = {}
    for y in years:
        cells: dict[str, tuple[IndicatorResult, Severity | None]] = {}
        candidates = sorted((fy for fy in all_funds if fy.year == y and fy.fund.value == chosen),
                            key=lambda fy: scope_rank(fy.scope or ""))
        fund_defs = [d for d in defs if d.subject == "fund"]
        if candidates and fund_defs:
            fy = candidates[0]
            siblings = groups[(fy.unit, fy.year, fy.scope)]
            values = record_values(fy, siblings)
            warned = warned_indicators(record_warnings(fy, values.own, rs, siblings), rule_map)
            by_id = {r.id: r for r in values.every}
            for d in fund_defs:
                cells[d.id] = (by_id[d.id], warned.get(d.id))
        dept_defs = [d for d in defs if d.subject == "department"]
        if y in depts and dept_defs:
            values = record_values(depts[y])
            warned = warned_indicators(record_warnings(depts[y], values.own, rs), rule_map)
            by_id = {r.id: r for r in values.every}
            for d in dept_defs:
                cells[qualified_id(d)] = (by_id[d.id], warned.get(d.id))
        per_year[y] = cells
    series: list[TrendSeries] = []
    for d in defs:
        qid = qualified_id(d)
        points = []
        for y in years:
            got = per_year[y].get(qid if d.subject == "department" else d.id)
            if got is None:
                points.append(TrendPoint(year=y, value=None, display="无数据"))
            else:
                r, sev = got
                points.append(TrendPoint(year=y, value=r.value, display=r.display(), warning=sev))
        series.append(TrendSeries(id=qid, subject=d.subject, name=d.name, unit=d.unit,
                                  formula=d.formula, basis=citation_text(d.citation), points=points))
    if not indicator_ids:
        series = _defaults(series)
    charts: list[Chart] = []
    if len(years) < 2:  # one year draws lone dots, not a trend: the table says it all
        return Trends(unit=info, years=years, fund=chosen, funds=funds_present, ruleset=rs.title, series=series,
                      charts=charts)
    by_unit: dict[str, list[TrendSeries]] = {}
    for s in series:
        by_unit.setdefault(s.unit, []).append(s)
    for unit_name, group in by_unit.items():
        charts.append(Chart(id=f"trend_{len(charts)}", title="、".join(s.name for s in group), kind="line",
                            unit=unit_name, categories=[str(y) for y in years],
                            series=[ChartSeries(name=s.name, data=[p.value for p in s.points],
                                                places=max((n for p in s.points if (n := places_shown(p.display))
                                                            is not None), default=None)) for s in group]))
    return Trends(unit=info, years=years, fund=chosen, funds=funds_present, ruleset=rs.title, series=series,
                  charts=charts)


