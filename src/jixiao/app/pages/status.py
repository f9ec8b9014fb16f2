"""报送情况: where a parent unit's subordinates stand in the workflow for a year — how many have
not started, are drafting, were returned, are waiting for review, are approved; each direct
subordinate with the counts of its own branch; the units waiting for review and those returned.

Statuses do not move the data revision (nothing derived from the data is made stale by a
review): an overview is kept under the data revision and a stamp of the year's statuses, read by
one aggregate per request; the unit tree comes from the kept unit table. A roll-up
page can show :attr:`StatusOverview.counts` and each child's :attr:`ChildStatus.status`.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jixiao.app.access import can_read, can_review
from jixiao.app.cache import BoundedCache, RevisionCache
from jixiao.app.pages.common import UnitInfo, visibility_scope
from jixiao.app.pages.rollup import Rollup
from jixiao.app.units import unit_table
from jixiao.app.workflow import beijing
from jixiao.model.users import Principal, Role
from jixiao.model.workflow import NOT_STARTED, STATUS_LABEL, STATUS_ORDER, Status
from jixiao.store.revision import data_revision
from jixiao.store.schema import UnitYearRow
from jixiao.store.workflow import YearState

#: the most units each list (waiting for review, returned) shows
LIST_LIMIT = 200

_OVERVIEWS: BoundedCache[StatusOverview] = BoundedCache(size=256)
#: each unit with every unit under it, per data revision
_BRANCHES: RevisionCache[list[str]] = RevisionCache(size=1024)


class ChildStatus(BaseModel):
    unit: UnitInfo
    status: str = Field(description="该单位本身的状态；not_started 为尚无本年数据")
    label: str
    counts: dict[str, int] = Field(description="该单位及其下级单位：状态 → 单位数")
    total: int = Field(title="该单位及其下级单位数")
    has_children: bool


class StatusLine(BaseModel):
    unit: UnitInfo
    parent_name: str | None = None
    status: str
    label: str
    since: str | None = Field(default=None, title="状态变更时间（北京时间）")
    by: str | None = Field(default=None, title="状态变更人")


class StatusOverview(BaseModel):
    unit: UnitInfo
    year: int | None = Field(description="年度；null 表示下级单位都还没有数据")
    years: list[int] = Field(description="本单位及下级单位有数据的年度")
    own: str = Field(description="本单位自身的状态")
    own_label: str
    counts: dict[str, int] = Field(description="全部下级单位（各级）：状态 → 单位数，含 not_started（未开始）")
    labels: dict[str, str] = Field(description="状态 → 中文")
    total: int = Field(title="下级单位数（各级）")
    children: list[ChildStatus] = Field(description="直属下级单位")
    submitted: list[StatusLine] = Field(description="待审核（已提交）的单位，含本单位")
    returned: list[StatusLine] = Field(description="已退回待修改的单位，含本单位")
    may_review: bool = Field(description="当前用户可否审核其中的单位")


def _below(code: str, children: Mapping[str, list[str]]) -> list[str]:
    """Every unit under ``code`` (not itself), depth first."""
    out: list[str] = []
    stack = list(reversed(children.get(code, [])))
    seen = {code}
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        out.append(current)
        stack.extend(reversed(children.get(current, [])))
    return out


def has_children(session: Session, code: str) -> bool:
    return code in unit_table(session).children


def default_status_root(session: Session, principal: Principal) -> str | None:
    """Whose 报送情况 a person opens first: a reviewer's region, an operator's unit, an admin's
    top unit (the first without a parent)."""
    if principal.role is not Role.admin:
        return principal.unit
    rows = unit_table(session).rows
    return next((r.code for r in rows if r.parent is None), rows[0].code if rows else None)


#: a scope of at most this many units is filtered in the query (a city's); a larger one (a
#: province's) reads the year's rows and filters them here
_IN_QUERY = 500


def _states(session: Session, year: int, units: set[str], every: int) -> dict[str, YearState]:
    """The year's states of ``units`` (of the ``every`` units there are)."""
    r = UnitYearRow
    query = select(r.unit, r.status, r.version, r.status_at, r.status_by).where(r.year == year)
    if len(units) <= _IN_QUERY and 2 * len(units) < every:  # else the year's rows, filtered here, cost less
        query = query.where(r.unit.in_(sorted(units)))
    out: dict[str, YearState] = {}
    for unit, status, version, at, by in session.execute(query):
        if unit in units:
            out[unit] = YearState(Status(status), int(version), at, by)
    return out


def _years(session: Session, units: set[str], every: bool) -> list[int]:
    """The years any of ``units`` has data for (``every``: they are all the units there are)."""
    r = UnitYearRow
    if every:
        return sorted(int(y) for y in session.scalars(select(r.year).distinct()))
    if len(units) <= _IN_QUERY:
        return sorted(int(y) for y in session.scalars(select(r.year).where(r.unit.in_(sorted(units))).distinct()))
    return sorted({int(year) for unit, year in session.execute(select(r.unit, r.year)) if unit in units})


def _count(codes: list[str], status_of: Mapping[str, str]) -> dict[str, int]:
    counts = dict.fromkeys(STATUS_ORDER, 0)
    for code in codes:
        counts[status_of.get(code, NOT_STARTED)] += 1
    return counts


def status_stamp(session: Session, year: int | None,
                 units: Collection[str] | None = None) -> tuple[tuple[str, int, str, int], ...]:
    """What moves whenever a status of ``year`` (of any year: None) does, of ``units`` (None:
    of every unit): per status, how many unit-years have it, their latest move and their
    versions' sum — one aggregate over those rows of ``unit_years``, instead of reading them all."""
    r = UnitYearRow
    query = select(r.status, func.count(), func.max(r.status_at), func.sum(r.version)).group_by(r.status)
    if year is not None:
        query = query.where(r.year == year)
    if units is not None:
        query = query.where(r.unit.in_(sorted(units)))
    return tuple(sorted((str(status), int(n), str(at), int(v or 0)) for status, n, at, v in session.execute(query)))


#: a branch larger than this (or than half the units) is stamped by the whole year's statuses (one
#: aggregate without a long list of units; such a branch is most of the province anyway)
BRANCH_LIMIT = 500


def branch_stamp(session: Session, unit: str, year: int | None) -> tuple[object, ...]:
    """:func:`status_stamp` of ``unit`` and every unit under it: what a page about that branch
    (its 报送情况, its roll-up's statuses) shows of statuses. A move elsewhere in the province
    leaves it as it was, so such pages stay kept (with 25 moves a second, a stamp of the whole
    year kept none)."""
    table = unit_table(session)
    branch = _BRANCHES.get_or_make(session, unit, lambda: [unit, *_below(unit, table.children)])
    if len(branch) > BRANCH_LIMIT or 2 * len(branch) > len(table.rows):
        return ("year", status_stamp(session, year))
    return ("branch", status_stamp(session, year, branch))


def status_overview(session: Session, principal: Principal, unit: str, year: int | None = None) -> StatusOverview:
    """报送情况 of ``unit``'s subordinates in ``year`` (default: the latest year any of them, or
    the unit, has data), as far as ``principal`` may read them. Kept in this process under the
    data revision and :func:`branch_stamp` (a move in the branch, a save or a unit change makes a
    new one); callers must not change it."""
    return kept_overview(session, principal, unit, year)[1]


def kept_overview(session: Session, principal: Principal, unit: str,
                  year: int | None = None) -> tuple[Hashable, StatusOverview]:
    """:func:`status_overview` and the key it is kept under (what a page showing it depends on)."""
    key = (data_revision(session), branch_stamp(session, unit, year), visibility_scope(principal),
           principal.read_only, unit, year)
    found = _OVERVIEWS.get(key)
    if found is None:
        found = _overview(session, principal, unit, year)
        _OVERVIEWS.put(key, found)
    return key, found


@dataclass(frozen=True)
class _Shape:
    """What an overview shows that only the data moves (the units, the tree, the years), kept per
    data revision and viewer (scope, read-only or not): a status move then costs one read and a count."""

    info: dict[str, UnitInfo]
    parent_name: dict[str, str | None]
    below: list[str]
    scope: set[str]
    years: list[int]
    #: how many units there are (all, not only the viewer's)
    every: int
    #: each direct subordinate the viewer may read, with its branch (itself first)
    branches: list[tuple[str, list[str]]]
    with_children: set[str]
    may_review: bool


_SHAPES: RevisionCache[_Shape] = RevisionCache(size=256)


def _shape(session: Session, principal: Principal, unit: str) -> _Shape:
    table = unit_table(session)
    rows = table.rows
    info = {r.code: r for r in rows}
    children = table.children
    parents = table.parents
    below = [c for c in _below(unit, children) if can_read(principal, c, parents)]
    scope = {unit, *below}
    readable = set(below)
    branches = [(child, [child, *(c for c in _below(child, children) if c in readable)])
                for child in children.get(unit, []) if child in readable]
    units = {code: UnitInfo.model_construct(code=code, name=info[code].name, level=info[code].level,
                                            kind=info[code].kind, parent=info[code].parent,
                                            region=info[code].region) for code in scope}
    parent_name = {code: info[p].name if (p := info[code].parent) in info else None for code in scope}
    return _Shape(info=units, parent_name=parent_name, below=below, scope=scope,
                  years=_years(session, scope, len(scope) == len(rows)), every=len(rows), branches=branches,
                  with_children={child for child, _ in branches if child in children},
                  may_review=any(can_review(principal, c, parents) for c in [unit, *below[:1]]))


def _overview(session: Session, principal: Principal, unit: str, year: int | None) -> StatusOverview:
    shape = _SHAPES.get_or_make(session, (unit, visibility_scope(principal), principal.read_only),
                                lambda: _shape(session, principal, unit))
    if year is None and shape.years:
        year = shape.years[-1]
    states = _states(session, year, shape.scope, shape.every) if year is not None else {}
    status_of = {code: state.status.value for code, state in states.items()}

    def own_status(code: str) -> str:
        return status_of.get(code, NOT_STARTED)

    def line(code: str) -> StatusLine:
        state = states[code]
        return StatusLine.model_construct(unit=shape.info[code], parent_name=shape.parent_name[code],
                                          status=state.status.value, label=STATUS_LABEL[state.status],
                                          since=beijing(state.status_at), by=state.status_by)

    kids = [ChildStatus.model_construct(unit=shape.info[child], status=own_status(child),
                                        label=STATUS_LABEL[own_status(child)], counts=_count(branch, status_of),
                                        total=len(branch), has_children=child in shape.with_children)
            for child, branch in shape.branches]
    ordered = [unit, *shape.below]
    waiting = [line(c) for c in ordered if own_status(c) == Status.submitted][:LIST_LIMIT]
    returned = [line(c) for c in ordered if own_status(c) == Status.returned][:LIST_LIMIT]
    return StatusOverview.model_construct(
        unit=shape.info[unit], year=year, years=shape.years, own=own_status(unit),
        own_label=STATUS_LABEL[own_status(unit)], counts=_count(shape.below, status_of),
        labels={k: STATUS_LABEL[k] for k in STATUS_ORDER}, total=len(shape.below), children=kids,
        submitted=waiting, returned=returned, may_review=shape.may_review)


def _branch_label(child: ChildStatus) -> str:
    """A child's status in words: its own, or for a child with subordinates, its branch's counts."""
    if not child.has_children:
        return child.label
    return "、".join(f"{STATUS_LABEL[k]} {n}" for k, n in child.counts.items() if n)


def rollup_statuses(session: Session, principal: Principal, unit: str,
                    year: int) -> tuple[Hashable, dict[str, int], dict[str, str]]:
    """A roll-up's 报送状态: the key they are kept under (:func:`kept_overview`), the counts over
    every subordinate (by Chinese label, 未开始 included) and each direct subordinate's status (its
    own; for one with subordinates, the counts of its branch, itself included)."""
    key, overview = kept_overview(session, principal, unit, year)
    return (key, {STATUS_LABEL[k]: n for k, n in overview.counts.items()},
            {c.unit.code: _branch_label(c) for c in overview.children})


def rollup_with_status(session: Session, principal: Principal, rollup: Rollup) -> Rollup:
    """The roll-up with its 报送状态 (:func:`rollup_statuses`) filled in. The roll-up is kept per
    data revision and a review does not move it, so the statuses are joined here, per request."""
    _, counts, own = rollup_statuses(session, principal, rollup.unit.code, rollup.year)
    return rollup.model_copy(update={
        "status_counts": counts,
        "children": [c.model_copy(update={"status": own.get(c.unit.code)}) for c in rollup.children]})


__all__ = ["ChildStatus", "StatusLine", "StatusOverview", "branch_stamp", "default_status_root", "has_children",
           "kept_overview", "rollup_statuses", "rollup_with_status", "status_overview", "status_stamp"]
