"""The unit tree page: the units a principal may read, nested by parent, with their years of
data; the whole unit table read once per data revision (access checks and names need it too)."""

from __future__ import annotations

from typing import Any, NamedTuple

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from jixiao.app.access import can_read
from jixiao.app.cache import RevisionCache, kept_per_revision
from jixiao.app.pages.common import UnitInfo, visibility_scope
from jixiao.model.units import effective_ruleset
from jixiao.model.users import Principal
from jixiao.store.indicator_store import (
    unit_years,
)
from jixiao.store.schema import UnitRow

_TREES: RevisionCache[UnitTree] = RevisionCache(size=64)
_UNIT_TABLES: RevisionCache[UnitTable] = RevisionCache(size=1)


class UnitNode(UnitInfo):
    years: list[int] = Field(default_factory=list, title="有数据的年度")
    children: list[UnitNode] = Field(default_factory=list)


class UnitTree(BaseModel):
    roots: list[UnitNode]
    count: int = Field(title="可见单位数")


class UnitTable(NamedTuple):
    """Every unit's row (code, name, level, kind, parent, region, ruleset), ordered by code; its
    parent and its own rule set (None: its parent's)."""

    rows: list[Any]
    parents: dict[str, str | None]
    rulesets: dict[str, str | None]


def unit_table(session: Session) -> UnitTable:
    """All units, read once per data revision (the tree, access checks and the comparison's
    names all need them; 3,000 rows cost tens of milliseconds to read)."""
    def read() -> UnitTable:
        rows = session.execute(select(UnitRow.code, UnitRow.name, UnitRow.level, UnitRow.kind, UnitRow.parent,
                                      UnitRow.region, UnitRow.ruleset).order_by(UnitRow.code)).all()
        return UnitTable(rows, {r.code: r.parent for r in rows}, {r.code: r.ruleset for r in rows})
    return _UNIT_TABLES.get_or_make(session, "units", read)


def rules_of_unit(session: Session, unit: str) -> str:
    """The rule set ``unit`` is judged by (its own, else its nearest ancestor's, else default), from
    the cached unit table: what :func:`jixiao.store.repository.unit_ruleset` reads with a query per ancestor."""
    table = unit_table(session)
    return effective_ruleset(unit, table.rulesets, table.parents)




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


