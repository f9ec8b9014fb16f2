"""The unit table as the use cases need it: every unit's row, its parent and its rule set, read
once per data revision (the tree, access checks and the comparison's names all need it)."""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from jixiao.app.cache import RevisionCache
from jixiao.model.units import effective_ruleset
from jixiao.store.schema import UnitRow


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
    the cached unit table: what :func:`jixiao.store.repository.unit_ruleset` reads with a query
    per ancestor."""
    table = unit_table(session)
    return effective_ruleset(unit, table.rulesets, table.parents)


_UNIT_TABLES: RevisionCache[UnitTable] = RevisionCache(size=1)
