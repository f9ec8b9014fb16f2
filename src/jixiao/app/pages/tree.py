"""The unit tree page: the units a principal may read, nested by parent, with their years of data
and the warnings of their latest year; and finding units in it (by name or code, level, region,
warnings), each match shown with the units above it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from jixiao.app.access import can_read
from jixiao.app.cache import RevisionCache, kept_per_revision
from jixiao.app.pages.common import Severity, UnitInfo, visibility_scope
from jixiao.app.pages.unit_warnings import unit_warnings
from jixiao.app.units import unit_table
from jixiao.model.users import Principal
from jixiao.rules import SEVERITY_ORDER
from jixiao.store.indicator_store import unit_years

_TREES: RevisionCache[UnitTree] = RevisionCache(size=64)
_LATEST: RevisionCache[dict[str, tuple[int, Severity | None]]] = RevisionCache(size=64)

WarningFilter = Literal["serious", "warning", "info"]
WARNING_FILTER_LABEL = {"serious": "有严重预警", "warning": "有警示或严重预警", "info": "有任何预警"}


class UnitNode(UnitInfo):
    years: list[int] = Field(default_factory=list, title="有数据的年度")
    warnings: int = Field(default=0, title="最近一年的预警数")
    worst: Severity | None = Field(default=None, title="最近一年最严重的预警")
    matched: bool = Field(default=True, description="meets the search (else shown as the way to a match)")
    open: bool = Field(default=False, description="its children are shown unfolded")
    children: list[UnitNode] = Field(default_factory=list)


class UnitTree(BaseModel):
    roots: list[UnitNode]
    count: int = Field(title="可见单位数")
    matched: int = Field(default=0, title="符合条件的单位数")
    q: str | None = Field(default=None, title="搜索（名称或代码）")
    level: str | None = None
    region: str | None = None
    warning: WarningFilter | None = None
    levels: list[str] = Field(default_factory=list, description="levels among the visible units (filter choices)")
    regions: list[str] = Field(default_factory=list, description="regions among the visible units (filter choices)")


def _latest_warnings(session: Session, years: Mapping[str, Sequence[int]]) -> dict[str, tuple[int, Severity | None]]:
    """unit → (warnings, worst) of its latest year (:func:`unit_warnings`, each by its own rule set)."""
    out: dict[str, tuple[int, Severity | None]] = {}
    for code, found in years.items():
        if found:
            counts, worst = unit_warnings(session, found[-1]).get(code, ({}, None))
            out[code] = (sum(counts.values()), worst)
    return out


@kept_per_revision(_TREES, lambda a: visibility_scope(a["principal"]))
def unit_tree(session: Session, principal: Principal) -> UnitTree:
    """The units ``principal`` may read, nested by parent; a visible unit whose parent is not
    visible is a root. Children are ordered by code; the roots are open, the rest folded. A
    unit's years come from one GROUP BY over the stored records' index
    (:func:`jixiao.store.indicator_store.unit_years`), its latest year's warnings from the values
    kept there. Kept per role and unit until the data revision moves; callers must not change it."""
    table = unit_table(session)
    rows, parents = table.rows, table.parents
    visible = [r for r in rows if can_read(principal, r.code, parents)]
    codes = {r.code for r in visible}
    years = unit_years(session, None if principal.is_admin else codes)
    scope = visibility_scope(principal)
    latest = _LATEST.get_or_make(session, scope, lambda: _latest_warnings(
        session, {c: y for c, y in years.items() if c in codes}))
    # validated construction is faster than model_construct in pydantic 2 (core-side)
    nodes = {r.code: UnitNode(code=r.code, name=r.name, level=r.level, kind=r.kind, parent=r.parent, region=r.region,
                              years=years.get(r.code, []), warnings=latest.get(r.code, (0, None))[0],
                              worst=latest.get(r.code, (0, None))[1])
             for r in visible}
    roots: list[UnitNode] = []
    for r in visible:
        node = nodes[r.code]
        if r.parent in nodes and r.parent != r.code:
            nodes[r.parent].children.append(node)
        else:
            node.open = True
            roots.append(node)
    return UnitTree(roots=roots, count=len(nodes), matched=len(nodes),
                    levels=sorted({r.level for r in visible}, key=_level_order),
                    regions=sorted({r.region for r in visible if r.region}))


def _level_order(level: str) -> tuple[int, str]:
    order = ("国家", "省", "区本级", "省本级", "市", "市本级", "县")
    return (order.index(level) if level in order else len(order), level)


def _meets(node: UnitNode, q: str, level: str | None, region: str | None, warning: WarningFilter | None) -> bool:
    if q and q not in node.name.lower() and q not in node.code.lower():
        return False
    if level and node.level != level:
        return False
    if region and region not in (node.region or ""):
        return False
    return not (warning and (node.worst is None or SEVERITY_ORDER[node.worst] < SEVERITY_ORDER[warning]))


def _kept(node: UnitNode, q: str, level: str | None, region: str | None, warning: WarningFilter | None,
          count: list[int]) -> UnitNode | None:
    """A copy of ``node`` with only the branches that hold a match (None when none does)."""
    children = [kept for child in node.children if (kept := _kept(child, q, level, region, warning, count))]
    matched = _meets(node, q, level, region, warning)
    if not matched and not children:
        return None
    count[0] += matched
    return node.model_copy(update={"children": children, "matched": matched, "open": bool(children)})


def find_units(session: Session, principal: Principal, *, q: str | None = None, level: str | None = None,
               region: str | None = None, warning: WarningFilter | None = None) -> UnitTree:
    """The unit tree of ``principal`` cut to the units that meet every filter given — name or code
    containing ``q`` (any case), ``level``, ``region`` containing the text, a latest-year warning
    at least ``warning`` — each with the units above it (unfolded, marked as not matching).
    Without filters: the whole tree, roots unfolded."""
    tree = unit_tree(session, principal)
    text = (q or "").strip().lower()
    level, region = (level or "").strip() or None, (region or "").strip() or None
    if not (text or level or region or warning):
        return tree
    count = [0]
    roots = [kept for root in tree.roots if (kept := _kept(root, text, level, region, warning, count))]
    return tree.model_copy(update={"roots": roots, "matched": count[0], "q": (q or "").strip() or None,
                                   "level": level, "region": region, "warning": warning})


__all__ = ["WARNING_FILTER_LABEL", "UnitNode", "UnitTree", "WarningFilter", "find_units", "unit_tree"]
