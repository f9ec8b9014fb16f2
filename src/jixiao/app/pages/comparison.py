"""The comparison page: units × indicators for one year, with ranks, column statistics and
warning colours, over the units a principal may read.

The values are the engine's results stored with each record (:mod:`jixiao.store.indicator_store`):
one indexed read per subject, nothing computed — unless the stored values are stale (a new
engine or rule set), when :func:`comparison` first recomputes that year's stored values and
commits them (a write, done once, that every later read shares)."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jixiao.app.access import can_read
from jixiao.app.cache import BoundedCache, RevisionCache, kept_per_revision
from jixiao.app.pages.common import (
    DEFAULT_COMPARE,
    Chart,
    ChartSeries,
    IndicatorInfo,
    Severity,
    StoredWarnings,
    as_ruleset,
    qualified_id,
    resolve_indicator,
    rule_indicators,
    rules_key,
    scope_rank,
    visibility_scope,
    warned_from_stored,
)
from jixiao.app.units import unit_table
from jixiao.calc import (
    IndicatorDef,
)
from jixiao.calc.registry import places_shown
from jixiao.model.funds import FundKind
from jixiao.model.users import Principal
from jixiao.numbers import fmt
from jixiao.rules import (
    SEVERITY_ORDER,
    RuleSet,
    citation_text,
)
from jixiao.store import indicator_store
from jixiao.store.indicator_store import (
    StoredRecord,
    funds_of_year,
    keys_complete,
    read_records,
    records_token,
    refresh_year_now,
    ruleset_key,
    unit_years,
    year_is_current,
)
from jixiao.store.schema import DepartmentYearRow, FundYearRow

_COMPARISONS: RevisionCache[Comparison] = RevisionCache(size=256)
_YEARS: RevisionCache[list[int]] = RevisionCache(size=64)
#: small facts about a year's stored records and a principal's visible units (index reads)
_YEAR_FACTS: RevisionCache[Any] = RevisionCache(size=256)


class CompareColumn(IndicatorInfo):
    count: int = Field(title="可计算的单位数")
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    median: Decimal | None = None
    median_display: str | None = Field(default=None, description="the median at the indicator's display places")


class CompareCell(BaseModel):
    value: Decimal | None
    display: str
    rank: int | None = Field(default=None, description="1 = highest value; ties share a rank")
    warning: Severity | None = None


class CompareRow(BaseModel):
    unit: str
    name: str
    region: str | None
    scope: str | None = Field(default=None, description="口径 of the fund record compared")
    cells: dict[str, CompareCell]
    warnings: int = Field(description="warnings on the compared records")
    worst: Severity | None = None
    messages: list[str] = Field(default_factory=list)


class Comparison(BaseModel):
    year: int
    fund: str | None = Field(description="the fund whose records are compared (fund indicators)")
    funds: list[str] = Field(description="funds with records in that year among the visible units")
    years: list[int] = Field(description="years with any fund or department record")
    ruleset: str
    columns: list[CompareColumn]
    sort: str
    descending: bool
    total: int = Field(title="参与比较的单位数")
    offset: int
    rows: list[CompareRow]
    chart: Chart | None = None
    level: str | None = Field(default=None, description="the level compared (null: every level)")
    levels: dict[str, int] = Field(default_factory=dict, description="level → units with data that year")
    region: str | None = Field(default=None, description="the units' region contains this")
    warning: Severity | None = Field(default=None, description="only rows with a warning at least this severe")


@dataclass
class _Row:
    """A comparison row before it becomes a :class:`CompareRow` (only the page's rows do)."""

    unit: str
    scope: str | None
    cells: dict[str, tuple[Decimal | None, str, Severity | None]]
    warnings: StoredWarnings
    worst: Severity | None
    ranks: dict[str, int] = field(default_factory=dict)



def _median(values: list[Decimal]) -> Decimal | None:
    """The median of ``values`` (sorted ascending)."""
    if not values:
        return None
    s = values
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2




#: a visible unit as the comparison needs it: (name, region, level)
_Unit = tuple[str, str | None, str]


def _visible_units(session: Session, principal: Principal) -> dict[str, _Unit]:
    """code → (name, region, level) of the units ``principal`` may read (once per data revision and scope)."""
    key = ("visible", principal.role, None if principal.is_admin else principal.unit)
    return _YEAR_FACTS.get_or_make(session, key, lambda: _read_visible_units(session, principal))


def _read_visible_units(session: Session, principal: Principal) -> dict[str, _Unit]:
    table = unit_table(session)
    rows, parents = table.rows, table.parents
    if principal.is_admin:
        return {r.code: (r.name, r.region, r.level) for r in rows}
    return {r.code: (r.name, r.region, r.level) for r in rows if can_read(principal, r.code, parents)}


#: the ``level`` that asks for every level at once (the default is one level: like with like)
ALL_LEVELS = "all"


def _levels_with_data(session: Session, visible: Mapping[str, _Unit], year: int, scope: Any) -> dict[str, int]:
    """level → how many visible units have a record in ``year`` (one GROUP BY, kept per revision)."""
    def read() -> dict[str, int]:
        found = unit_years(session, visible.keys())
        counts: dict[str, int] = {}
        for code, years in found.items():
            if year in years and code in visible:
                counts[visible[code][2]] = counts.get(visible[code][2], 0) + 1
        return counts
    return _YEAR_FACTS.get_or_make(session, ("levels", year, scope), read)


def _pool(session: Session, visible: dict[str, _Unit], year: int, scope: Any, level: str | None,
          region: str | None) -> tuple[dict[str, _Unit], str | None, dict[str, int]]:
    """The units compared: the visible ones of ``level`` (None: the level most of them with data
    that year are at, when two or more are — like with like; ``all``: every level) whose region
    contains ``region``;
    with the level applied and the count of units with data per level."""
    levels = _levels_with_data(session, visible, year, scope)
    applied = None if level == ALL_LEVELS else level
    if level is None and len(levels) > 1:
        most = max(levels, key=lambda name: (levels[name], name))
        applied = most if levels[most] > 1 else None  # like with like needs two alike
    if applied is None and not region:
        return visible, None, levels
    pool = {code: u for code, u in visible.items()
            if (applied is None or u[2] == applied) and (not region or region in (u[1] or ""))}
    return pool, applied, levels


def stored_records(session: Session, year: int, kind: Literal["fund", "department"], rs: RuleSet,
                    indicator_ids: Sequence[str], *, fund: str | None = None,
                    units: Collection[str] | None = None) -> list[StoredRecord]:
    """The year's stored records of ``kind`` with their values and warnings; when any is missing
    or stale (a new engine or rule set, a record written behind the repository's back), the
    year's records of that kind are recomputed first by the engine and stored."""
    records = read_records(session, year, kind, rs, fund=fund, units=units, indicator_ids=indicator_ids)
    if not year_is_current(session, records, year, kind, fund=fund, units=units):
        refresh_year_now(session, year, [kind], rs)
        records = read_records(session, year, kind, rs, fund=fund, units=units, indicator_ids=indicator_ids)
    return records


#: the last few comparison tables (rows with cells and ranks, column statistics), keyed by what
#: they are of and by the :func:`~jixiao.store.indicator_store.records_token` of the stored
#: records they come from — so a hit is always current, in any process, and a write of another
#: year's records leaves them be
_TABLES: BoundedCache[tuple[list[_Row], list[CompareColumn]]] = BoundedCache(size=32)
_WARNED_MEMO: BoundedCache[tuple[StoredWarnings, dict[str, Severity]]] = BoundedCache(size=20_000)


def _warned_cells(warns: StoredWarnings, rule_map: Mapping[str, tuple[str, ...]], rs_key: str) -> dict[str, Severity]:
    """indicator → worst severity of ``warns`` (parsed warning tuples are shared between equal
    texts, so this is memoised per tuple and rule set — ``rs_key`` names the rule set whose
    ``rule_map`` this is)."""
    key = (id(warns), rs_key)
    found = _WARNED_MEMO.get(key)
    if found is not None and found[0] is warns:
        return found[1]
    warned = warned_from_stored(warns, rule_map)
    _WARNED_MEMO.put(key, (warns, warned))
    return warned


def _rows_and_columns(fund_records: Mapping[str, StoredRecord], dept_records: Mapping[str, StoredRecord],
                      defs: list[IndicatorDef], rule_map: Mapping[str, tuple[str, ...]], rs_key: str
                      ) -> tuple[list[_Row], list[CompareColumn]]:
    """Every unit's cells from its stored values, then ranks and statistics per column."""
    fund_cols = [(d.id, qualified_id(d)) for d in defs if d.subject == "fund"]
    dept_cols = [(d.id, qualified_id(d)) for d in defs if d.subject == "department"]
    rows: list[_Row] = []
    no_warnings: dict[str, Severity] = {}
    for code in sorted(fund_records.keys() | dept_records.keys()):
        cells: dict[str, tuple[Decimal | None, str, Severity | None]] = {}
        warns: StoredWarnings = ()
        worst: Severity | None = None
        for rec, cols in ((fund_records.get(code), fund_cols), (dept_records.get(code), dept_cols)):
            if rec is None:
                continue
            warned = no_warnings
            if rec.warnings:
                warns += rec.warnings
                warned = _warned_cells(rec.warnings, rule_map, rs_key)
                if worst is None or SEVERITY_ORDER[rec.worst or "info"] > SEVERITY_ORDER[worst]:
                    worst = rec.worst  # type: ignore[assignment]
            values = rec.values
            for ident, qid in cols:
                got = values.get(ident)
                if got is not None:
                    cells[qid] = (got[0], got[1], warned.get(ident))
        fund_rec = fund_records.get(code)
        rows.append(_Row(code, fund_rec.scope if fund_rec is not None else None, cells, warns, worst))

    columns: list[CompareColumn] = []
    for d in defs:
        qid = qualified_id(d)
        ranked = [(cell[0], r) for r in rows if (cell := r.cells.get(qid)) is not None and cell[0] is not None]
        ranked.sort(key=lambda pair: pair[0], reverse=True)
        previous: Decimal | None = None
        rank = 0
        for i, (value, r) in enumerate(ranked, 1):
            if value != previous:
                rank, previous = i, value
            r.ranks[qid] = rank
        known = [v for v, _ in ranked if v is not None]
        med = _median(known[::-1])
        columns.append(CompareColumn(id=qid, subject=d.subject, name=d.name, unit=d.unit,
                                     formula=d.formula, basis=citation_text(d.citation), count=len(known),
                                     minimum=known[-1] if known else None, maximum=known[0] if known else None,
                                     median=med, median_display=None if med is None else fmt(med, _most_places(
                                         (c[1] for r in rows if (c := r.cells.get(qid)) is not None), d.places))))
    return rows, columns


_SHOWN_NUMBER = re.compile(r"-*([0-9.]+)")


def _most_places(displays: Iterable[str], default: int) -> int:
    """The most decimals among a column's displays, as :func:`~jixiao.calc.registry.places_shown`
    reads them ('23204万元' → 0, '15.30%' → 2, '不可计算…' → none), with one regex match a display:
    a 3,000-unit column read character by character took a second."""
    most: int | None = None
    for display in displays:
        found = _SHOWN_NUMBER.match(display)
        if found is not None:
            places = len(found.group(1).partition(".")[2])
            if most is None or places > most:
                most = places
    return default if most is None else most


def index_complete(session: Session, year: int, rs: RuleSet) -> None:
    """Make the stored records' index hold every record of ``year`` (a record written behind the
    repository's back is indexed now), before the levels and funds present are read from it."""
    for kind in ("fund", "department"):
        if not _YEAR_FACTS.get_or_make(session, ("complete", year, kind),
                                       lambda k=kind: keys_complete(session, year, k)):  # type: ignore[misc]
            refresh_year_now(session, year, [kind], rs)


def _sorted(rows: list[_Row], sort_key: str, descending: bool, visible: Mapping[str, _Unit]) -> list[_Row]:
    """The rows by ``sort_key`` (a column, ``unit``, ``name`` or ``warnings``); rows without a
    value in the column go last either way."""
    if sort_key == "unit":
        return sorted(rows, key=lambda r: r.unit, reverse=descending)
    if sort_key == "name":
        return sorted(rows, key=lambda r: visible[r.unit][0], reverse=descending)
    if sort_key == "warnings":
        return sorted(rows, key=lambda r: (SEVERITY_ORDER[r.worst] if r.worst else -1, len(r.warnings)),
                      reverse=descending)
    with_value = [r for r in rows if (c := r.cells.get(sort_key)) is not None and c[0] is not None]
    without = [r for r in rows if not ((c := r.cells.get(sort_key)) is not None and c[0] is not None)]
    with_value.sort(key=lambda r: r.cells[sort_key][0], reverse=descending)  # type: ignore[arg-type,return-value]
    return with_value + without


@kept_per_revision(_COMPARISONS, lambda a: (
    indicator_store.engine_version(), visibility_scope(a["principal"]), a["year"], tuple(a["indicator_ids"]), a["fund"],
    a["sort"], a["descending"], rules_key(a["ruleset"]), a["offset"], a["limit"], a["level"], a["region"],
    a["warning"]))
def comparison(
    session: Session,
    principal: Principal,
    year: int,
    indicator_ids: Sequence[str] = (),
    *,
    fund: str | None = None,
    sort: str | None = None,
    descending: bool = True,
    ruleset: RuleSet | str | None = None,
    offset: int = 0,
    limit: int | None = None,
    level: str | None = None,
    region: str | None = None,
    warning: Severity | None = None,
) -> Comparison:
    """Units × indicators for one year, over the units ``principal`` may read (kept in this
    process until the data revision moves, per scope and arguments; callers must not change it).

    Fund indicators are read from each unit's record of ``fund`` (default: the fund most units
    have that year), from the whole-unit 口径 when a unit has several; department indicators
    from its department record. A unit takes part when it has a record for a requested subject.
    Ranks: 1 = highest value, ties share a rank. ``sort`` is an indicator id, ``unit`` (code),
    ``name`` or ``warnings``; units without a value sort last either way. ``offset``/``limit``
    page the rows; ranks, column statistics and ``total`` are over all of them.
    Like is compared with like: ``level`` None takes the level most units with data are at (a
    province's counties, not the province beside them), ``all`` every level; ``region`` keeps the
    units whose region contains it; ranks and statistics are within what is kept. ``warning``
    then shows only the rows whose worst warning is at least that severe (ranks unchanged).
    KeyError (Chinese) for an unknown indicator or fund.

    Values, displays and warnings are the engine's results stored with each record
    (:mod:`jixiao.store.indicator_store`): one indexed read per subject, no computing — unless
    the stored values are stale, when that year's records are recomputed once and stored.
    """
    rs = as_ruleset(ruleset)
    rule_map = rule_indicators(rs)
    defs = [resolve_indicator(i) for i in (indicator_ids or DEFAULT_COMPARE)]
    defs = list({(d.subject, d.id): d for d in defs}.values())
    fund_defs = [d for d in defs if d.subject == "fund"]
    dept_defs = [d for d in defs if d.subject == "department"]
    if fund is not None and fund not in {k.value for k in FundKind}:
        raise KeyError(f"未知基金“{fund}”")

    index_complete(session, year, rs)
    seen_by = (principal.role, None if principal.is_admin else principal.unit)
    visible, applied_level, levels = _pool(session, _visible_units(session, principal), year, seen_by, level,
                                           region or None)
    everything = principal.is_admin and applied_level is None and not region
    units: Collection[str] | None = None if everything else visible.keys()
    scope = (*seen_by, applied_level, region or None)

    # which funds the compared units have this year (for the selector and the default)
    fund_units = _YEAR_FACTS.get_or_make(session, ("funds", year, scope), lambda: funds_of_year(session, year, units))
    order = [k.value for k in FundKind]
    funds_present = sorted(fund_units, key=lambda k: (-fund_units[k], order.index(k) if k in order else 99))
    chosen = fund if fund is not None else (funds_present[0] if funds_present else None)

    def tokens() -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
        return _YEAR_FACTS.get_or_make(session, ("tokens", year, chosen, bool(fund_defs), bool(dept_defs)), lambda: (
            records_token(session, year, "fund", chosen) if fund_defs and chosen is not None else None,
            records_token(session, year, "department") if dept_defs else None))

    # the whole table (cells, ranks, statistics) is derived from the stored records only: keyed by
    # their tokens (which change with any write of them), it is reused until one of them changes
    shape = (indicator_store.engine_version(), ruleset_key(rs), year, chosen if fund_defs else None,
             tuple((d.subject, d.id) for d in defs), None if everything else frozenset(visible))
    cached = _TABLES.get((shape, tokens()))
    if cached is None:
        fund_records: dict[str, StoredRecord] = {}
        if fund_defs and chosen is not None:
            found = stored_records(session, year, "fund", rs, [d.id for d in fund_defs], fund=chosen, units=units)
            for rec in sorted(found, key=lambda r: (r.unit, scope_rank(r.scope))):
                if rec.unit in visible and rec.unit not in fund_records:
                    fund_records[rec.unit] = rec
        dept_records: dict[str, StoredRecord] = {}
        if dept_defs:
            found = stored_records(session, year, "department", rs, [d.id for d in dept_defs], units=units)
            dept_records = {rec.unit: rec for rec in found if rec.unit in visible}
        cached = _rows_and_columns(fund_records, dept_records, defs, rule_map, ruleset_key(rs))
        _TABLES.put((shape, tokens()), cached)  # the tokens after any refresh the reads made
    computed_rows, columns = cached
    rows = list(computed_rows)

    sort_key = sort or (columns[0].id if columns else "unit")
    valid_sorts = {c.id for c in columns} | {"unit", "name", "warnings"}
    if sort_key not in valid_sorts:
        raise KeyError(f"不能按“{sort_key}”排序（可用：{'、'.join(sorted(valid_sorts))}）")
    rows = _sorted(rows, sort_key, descending, visible)
    if warning is not None:
        rows = [r for r in rows if r.worst is not None and SEVERITY_ORDER[r.worst] >= SEVERITY_ORDER[warning]]
    total = len(rows)
    page_rows = rows[offset: offset + limit if limit is not None else None]
    page = [
        CompareRow(unit=r.unit, name=visible[r.unit][0], region=visible[r.unit][1], scope=r.scope,
                   cells={k: CompareCell(value=v, display=disp, rank=r.ranks.get(k), warning=sev)
                          for k, (v, disp, sev) in r.cells.items()},
                   warnings=len(r.warnings), worst=r.worst, messages=[w.message for w in r.warnings])
        for r in page_rows
    ]

    chart: Chart | None = None
    chart_col = next((c for c in columns if c.id == sort_key), columns[0] if columns else None)
    if chart_col is not None and page:
        chart = Chart(id="compare", title=f"{chart_col.name}（{year}年）", unit=chart_col.unit,
                      categories=[r.name for r in page],
                      series=[ChartSeries(name=chart_col.name,
                                          data=[r.cells[chart_col.id].value if chart_col.id in r.cells else None
                                                for r in page],
                                          places=max((p for r in page if (got := r.cells.get(chart_col.id)) is not None
                                                      and (p := places_shown(got.display)) is not None),
                                                     default=None))])
    return Comparison(year=year, fund=chosen if fund_defs else None, funds=funds_present,
                      ruleset=rs.title, columns=columns, sort=sort_key, descending=descending, total=total,
                      offset=offset, rows=page, chart=chart, years=years_with_data(session, principal),
                      level=applied_level, levels=levels, region=region or None, warning=warning)


_IN_LIMIT = 900  # units listed in an SQL IN (…) at most


def years_with_data(session: Session, principal: Principal | None = None) -> list[int]:
    """Years with any fund or department record (the comparison's year choices) — of the units
    ``principal`` may read (an operator does not learn which years other units have data for);
    once per data revision."""
    if principal is None or principal.is_admin:
        return list(_YEARS.get_or_make(session, "years", lambda: _read_years_with_data(session)))
    units = sorted(_visible_units(session, principal))
    return list(_YEARS.get_or_make(session, ("years", principal.role, principal.unit),
                                   lambda: _read_years_of(session, units)))


def _read_years_of(session: Session, units: list[str]) -> list[int]:
    years: set[int] = set()
    for start in range(0, len(units), _IN_LIMIT):
        part = units[start:start + _IN_LIMIT]
        for row in (FundYearRow, DepartmentYearRow):
            years.update(session.scalars(select(row.year).where(row.unit.in_(part)).distinct()))
    return sorted(years)


def _read_years_with_data(session: Session) -> list[int]:
    """Each year found by one index probe (the next year after the last), not by reading every
    row's year."""
    years: set[int] = set()
    for row in (FundYearRow, DepartmentYearRow):
        previous: int | None = None
        while True:
            query = select(func.min(row.year))
            if previous is not None:
                query = query.where(row.year > previous)
            found = session.scalar(query)
            if found is None:
                break
            years.add(found)
            previous = found
    return sorted(years)


