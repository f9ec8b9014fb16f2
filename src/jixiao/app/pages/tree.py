"""The unit tree page: the units a principal may read, nested by parent, with their years of data."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from jixiao.app.access import can_read
from jixiao.app.cache import RevisionCache, kept_per_revision
from jixiao.app.pages.common import UnitInfo, visibility_scope
from jixiao.app.units import unit_table
from jixiao.model.users import Principal
from jixiao.store.indicator_store import (
    unit_years,
)

_TREES: RevisionCache[UnitTree] = RevisionCache(size=64)


class UnitNode(UnitInfo):
    years: list[int] = Field(default_factory=list, title="有数据的年度")
    children: list[UnitNode] = Field(default_factory=list)


class UnitTree(BaseModel):
    roots: list[UnitNode]
    count: int = Field(title="可见单位数")


@kept_per_revision(_TREES, lambda a: visibility_scope(a["principal"]))
def unit_tree(session: Session, principal: Principal) -> UnitTree:
    """The units ``principal`` may read, nested by parent; a visible unit whose parent is not
    visible is a root. Children are ordered by code. A unit's years come from one GROUP BY over
    the stored records' index (:func:`jixiao.store.indicator_store.unit_years`). Kept per role
    and unit until the data revision moves; callers must not change it."""
    table = unit_table(session)
    rows, parents = table.rows, table.parents
    visible = [r for r in rows if can_read(principal, r.code, parents)]
    codes = {r.code for r in visible}
    years = unit_years(session, None if principal.is_admin else codes)
    # validated construction is faster than model_construct in pydantic 2 (core-side)
    nodes = {r.code: UnitNode(code=r.code, name=r.name, level=r.level, kind=r.kind, parent=r.parent, region=r.region,
                              years=years.get(r.code, []))
             for r in visible}
    roots: list[UnitNode] = []
    for r in visible:
        node = nodes[r.code]
        if r.parent in nodes and r.parent != r.code:
            nodes[r.parent].children.append(node)
        else:
            roots.append(node)
    return UnitTree(roots=roots, count=len(nodes))


