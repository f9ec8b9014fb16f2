"""Units as the use cases need them: the unit table (every unit's row, its parent and its rule
set, read once per data revision: the tree, access checks and the comparison's names all need
it), and the administrator's adding and changing of a unit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple, Protocol

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from jixiao.app.cache import RevisionCache
from jixiao.app.changes import record_change
from jixiao.app.errors import InvalidRequest
from jixiao.model import Dataset, Unit
from jixiao.model.units import effective_ruleset
from jixiao.model.users import Principal
from jixiao.problems import validation_message
from jixiao.store.repository import save_dataset
from jixiao.store.schema import UnitRow


class UnitRef(Protocol):
    """A unit as the kept unit table has it (what access checks hand to routes)."""

    code: str
    name: str
    level: str
    kind: str
    parent: str | None
    region: str | None
    ruleset: str | None


class UnitTable(NamedTuple):
    """Every unit's row (code, name, level, kind, parent, region, ruleset), ordered by code; its
    parent, its own rule set (None: its parent's) and its direct subordinates (made once with the
    table: pages asked for them per request, walking every unit each time)."""

    rows: Sequence[Any]
    parents: dict[str, str | None]
    rulesets: dict[str, str | None]
    children: dict[str, list[str]]
    #: each row by its code
    by_code: dict[str, Any]


def unit_table(session: Session) -> UnitTable:
    """All units, read once per data revision (the tree, access checks and the comparison's
    names all need them; 3,000 rows cost tens of milliseconds to read)."""
    def read() -> UnitTable:
        rows = session.execute(select(UnitRow.code, UnitRow.name, UnitRow.level, UnitRow.kind, UnitRow.parent,
                                      UnitRow.region, UnitRow.ruleset).order_by(UnitRow.code)).all()
        children: dict[str, list[str]] = {}
        for r in rows:
            if r.parent is not None and r.parent != r.code:
                children.setdefault(r.parent, []).append(r.code)
        return UnitTable(rows, {r.code: r.parent for r in rows}, {r.code: r.ruleset for r in rows}, children,
                         {r.code: r for r in rows})
    return _UNIT_TABLES.get_or_make(session, "units", read)


def rules_of_unit(session: Session, unit: str) -> str:
    """The rule set ``unit`` is judged by (its own, else its nearest ancestor's, else default), from
    the cached unit table: what :func:`jixiao.store.repository.unit_ruleset` reads with a query
    per ancestor."""
    table = unit_table(session)
    return effective_ruleset(unit, table.rulesets, table.parents)


_UNIT_TABLES: RevisionCache[UnitTable] = RevisionCache(size=1)


def save_unit(db: Session, by: Principal, fields: dict[str, Any], existing: UnitRow | None) -> Unit:
    """Add or change a unit from the administrator's form (its parent must exist and the tree
    stay free of cycles); one change-log entry; commits. InvalidRequest says what is wrong."""
    try:
        unit = Unit.model_validate(fields)
    except ValidationError as exc:
        raise InvalidRequest(f"单位信息有误：{validation_text(exc)}") from exc
    if unit.parent is not None:
        if unit.parent == unit.code:
            raise InvalidRequest("上级单位不能是它自己")
        if db.get(UnitRow, unit.parent) is None:
            raise InvalidRequest(f"没有代码为 {unit.parent} 的上级单位")
        ancestor: str | None = unit.parent
        seen: set[str] = set()
        while ancestor is not None and ancestor not in seen:
            if ancestor == unit.code:
                raise InvalidRequest("上级单位不能是它自己的下级（单位树不能成环）")
            seen.add(ancestor)
            row = db.get(UnitRow, ancestor)
            ancestor = row.parent if row else None
    old = dict(existing.doc) if existing is not None else None
    save_dataset(db, Dataset(units=[unit]))
    record_change(db, by, "update" if existing else "create", "unit", unit.code, old, unit)
    db.commit()
    return unit


def validation_text(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err.get("loc", ()))
        title = {"code": "单位代码", "name": "单位名称", "level": "层级", "kind": "单位类型",
                 "parent": "上级单位", "region": "所属地区"}.get(field, field)
        parts.append(f"{title}：{validation_message(err)}")
    return "；".join(parts)
