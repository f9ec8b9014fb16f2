"""The stored workflow of unit-years: each one's status on its ``unit_years`` row, the history of
its moves (``unit_year_events``) and the reviewers' comments per item (``review_comments``).

A move is one conditional UPDATE (the unit-year is in one of the statuses the move starts from,
and still at the data version the person acting saw), so two people acting at once cannot both
move it, and nobody approves data other than the data they looked at. The history is
append-only (the migration's triggers refuse UPDATE and DELETE). Nothing here commits.

Statuses live apart from the data revision (:mod:`jixiao.store.revision`): a status move does
not make every kept page stale; pages read the status of what they show on each request.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, select, tuple_, update
from sqlalchemy.orm import Session

from jixiao.model.workflow import MOVES, Action, Status
from jixiao.store.schema import ReviewCommentRow, StatusEventRow, UnitYearRow
from jixiao.store.users import now_utc
from jixiao.store.versions import Stale, StaleVersion, UnitYear


@dataclass(frozen=True)
class YearState:
    """Where a unit-year stands: its status and data version, and the last status move."""

    status: Status
    version: int
    status_at: datetime | None = None
    status_by: str | None = None


@dataclass(frozen=True)
class ItemComment:
    item: str
    label: str
    comment: str


class MoveRefused(Exception):
    """A status move that does not apply: the unit-year has no data (``status`` None) or is in
    another status than the move starts from. Nothing was changed."""

    def __init__(self, unit: str, year: int, status: Status | None) -> None:
        super().__init__(f"{unit}/{year}: {status}")
        self.unit, self.year, self.status = unit, year, status


def states(session: Session, keys: Collection[UnitYear]) -> dict[UnitYear, YearState]:
    """The state of each unit-year that has data (one without is left out)."""
    out: dict[UnitYear, YearState] = {}
    wanted = list(keys)
    r = UnitYearRow
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        for unit, year, status, version, at, by in session.execute(
                select(r.unit, r.year, r.status, r.version, r.status_at, r.status_by)
                .where(tuple_(r.unit, r.year).in_(chunk))):
            out[(unit, year)] = YearState(Status(status), int(version), at, by)
    return out


def state_of(session: Session, unit: str, year: int) -> YearState | None:
    # a plain key lookup: a one-pair tuple IN is expanded and compiled anew on every call
    r = UnitYearRow
    row = session.execute(select(r.status, r.version, r.status_at, r.status_by)
                          .where(r.unit == unit, r.year == year)).first()
    return YearState(Status(row[0]), int(row[1]), row[2], row[3]) if row is not None else None


def year_statuses(session: Session, year: int) -> dict[str, Status]:
    """unit → status of every unit with data in ``year`` (one indexed range)."""
    r = UnitYearRow
    return {unit: Status(status) for unit, status in session.execute(
        select(r.unit, r.status).where(r.year == year))}


def unit_statuses(session: Session, units: Collection[str] | None = None) -> dict[str, dict[int, Status]]:
    """unit → {year: status} of the unit-years with data (of ``units`` when given)."""
    r = UnitYearRow
    out: dict[str, dict[int, Status]] = {}
    for unit, year, status in session.execute(select(r.unit, r.year, r.status)):
        if units is None or unit in units:
            out.setdefault(unit, {})[int(year)] = Status(status)
    return out


def move(session: Session, unit: str, year: int, action: Action, *, version: int, user_id: int | None,
         username: str, comment: str | None = None, items: Sequence[ItemComment] = (),
         now: datetime | None = None) -> StatusEventRow:
    """Move the unit-year by ``action`` if it is in a status the action starts from and still at
    data ``version``; record the event and its item comments. :class:`MoveRefused` when the
    status does not fit, :class:`~jixiao.store.versions.StaleVersion` when the data changed."""
    starts, target = MOVES[action]
    now = now or now_utc()
    table = cast(Table, UnitYearRow.__table__)
    found = state_of(session, unit, year)
    if found is None or found.status not in starts:
        raise MoveRefused(unit, year, None if found is None else found.status)
    # the status read is part of the condition: the event's "from" is the one that was moved
    moved = session.execute(
        update(table).where(table.c.unit == unit, table.c.year == year, table.c.status == found.status.value,
                            table.c.version == version)
        .values(status=target.value, status_at=now, status_by=username[:64])
        .returning(table.c.version)).scalar()
    if moved is None:
        current = state_of(session, unit, year)
        if current is None or current.status not in starts or current.version == version:
            raise MoveRefused(unit, year, None if current is None else current.status)
        raise StaleVersion([Stale(unit, year, version, current.version)])
    event = StatusEventRow(unit=unit, year=year, at=now, user_id=user_id, username=username[:64],
                           action=action.value, status_from=found.status.value, status_to=target.value,
                           version=version, comment=comment or None)
    session.add(event)
    session.flush()
    for c in items:
        session.add(ReviewCommentRow(event_id=event.id, unit=unit, year=year, item=c.item[:400], label=c.label[:400],
                                     comment=c.comment))
    session.flush()
    return event


def events_of(session: Session, unit: str, year: int) -> list[StatusEventRow]:
    """The unit-year's status moves, oldest first."""
    return list(session.scalars(select(StatusEventRow).where(StatusEventRow.unit == unit, StatusEventRow.year == year)
                                .order_by(StatusEventRow.id)))


def comments_of(session: Session, unit: str, year: int) -> dict[int, list[ReviewCommentRow]]:
    """event id → the item comments made with it."""
    out: dict[int, list[ReviewCommentRow]] = {}
    for row in session.scalars(select(ReviewCommentRow).where(ReviewCommentRow.unit == unit,
                                                              ReviewCommentRow.year == year)
                               .order_by(ReviewCommentRow.id)):
        out.setdefault(row.event_id, []).append(row)
    return out


__all__ = ["ItemComment", "MoveRefused", "YearState", "comments_of", "events_of", "move", "state_of", "states",
           "unit_statuses", "year_statuses"]
