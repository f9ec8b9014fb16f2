"""The change log (修改记录, table ``audit_log``): who changed which record or figure, when, from
which value to which. Append-only: the migration's triggers refuse UPDATE and DELETE, and this
module only appends and reads. Nothing here commits: a change and its entry are written in the
caller's transaction, together or not at all.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jixiao.store.schema import ChangeLogRow
from jixiao.store.users import now_utc


def append_change(
    session: Session,
    *,
    user_id: int | None,
    username: str,
    action: str,
    entity: str,
    key: str,
    old: Any = None,
    new: Any = None,
    detail: str | None = None,
    unit_year: tuple[str, int, int] | None = None,
) -> ChangeLogRow:
    """Append one entry. ``old``/``new`` must be JSON-serialisable (strings for Decimals);
    ``unit_year``: (unit, year, version made) for an entry about a unit-year's data."""
    unit, year, version = unit_year if unit_year is not None else (None, None, None)
    row = ChangeLogRow(at=now_utc(), user_id=user_id, username=username[:64], action=action[:40],
                      entity=entity[:40], key=key[:300], old=old, new=new, detail=detail, unit=unit, year=year,
                      version=version)
    session.add(row)
    session.flush()
    return row


def list_changes(session: Session, *, entity: str | None = None, key: str | None = None,
               limit: int = 200, offset: int = 0) -> list[ChangeLogRow]:
    query = select(ChangeLogRow).order_by(ChangeLogRow.id.desc())
    if entity:
        query = query.where(ChangeLogRow.entity == entity)
    if key:
        query = query.where(ChangeLogRow.key == key)
    return list(session.scalars(query.limit(max(1, min(limit, 1000))).offset(max(0, offset))))


def changes_since(session: Session, unit: str, year: int, version: int, limit: int = 200) -> list[ChangeLogRow]:
    """The entries of writes to ``unit``/``year`` that made a version after ``version``, oldest first."""
    return list(session.scalars(
        select(ChangeLogRow).where(ChangeLogRow.unit == unit, ChangeLogRow.year == year,
                                   ChangeLogRow.version > version)
        .order_by(ChangeLogRow.id).limit(limit)))


__all__ = ["append_change", "changes_since", "list_changes"]
