"""Unit-year versions: optimistic concurrency for every write of a unit's year of data.

Each unit-year with data has a row in ``unit_years`` whose ``version`` moves on by one with each
write that changes any of its records (:func:`jixiao.store.repository.save_parts` calls
:func:`advance`, so no write path can forget it). A writer that read the data first — the entry
form, the API, a workbook downloaded to fill in — sends the version it read; if the stored one
has moved on meanwhile, :func:`advance` raises :class:`StaleVersion` and the caller's
transaction is rolled back: nothing it wrote stays. The check and the increment are one
conditional UPDATE, so two writers racing cannot both pass it.

The same UPDATE holds the workflow's lock (:mod:`jixiao.model.workflow`): a unit-year that is
submitted or approved is not written by anyone, whichever path tries — :func:`advance` raises
:class:`LockedUnitYear` and the caller rolls back.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, insert, select, tuple_, update
from sqlalchemy.orm import Session

from jixiao.model.workflow import EDITABLE
from jixiao.store.schema import UnitYearRow
from jixiao.store.users import now_utc

UnitYear = tuple[str, int]


@dataclass(frozen=True)
class Stale:
    unit: str
    year: int
    expected: int
    current: int


@dataclass(frozen=True)
class Locked:
    unit: str
    year: int
    status: str


class LockedUnitYear(Exception):
    """A write to a unit-year that is submitted or approved (nothing was changed)."""

    def __init__(self, locked: list[Locked]) -> None:
        super().__init__(", ".join(f"{x.unit}/{x.year}: {x.status}" for x in locked))
        self.locked = locked


class StaleVersion(Exception):
    """A write based on a version that is no longer the stored one (nothing was changed)."""

    def __init__(self, stale: list[Stale]) -> None:
        super().__init__(", ".join(f"{s.unit}/{s.year}: {s.expected} → {s.current}" for s in stale))
        self.stale = stale


def versions(session: Session, keys: Collection[UnitYear]) -> dict[UnitYear, int]:
    """The stored version of each unit-year (0 for one that has no row yet)."""
    found = dict.fromkeys(keys, 0)
    wanted = list(found)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        for unit, year, version in session.execute(
                select(UnitYearRow.unit, UnitYearRow.year, UnitYearRow.version)
                .where(tuple_(UnitYearRow.unit, UnitYearRow.year).in_(chunk))):
            found[(unit, year)] = int(version)
    return found


def version_of(session: Session, unit: str, year: int) -> int:
    return versions(session, [(unit, year)])[(unit, year)]


def advance(session: Session, keys: Collection[UnitYear], *, expected: Mapping[UnitYear, int] | None = None,
            by: str | None = None, now: datetime | None = None) -> dict[UnitYear, int]:
    """Move each unit-year's version on by one (a new one starts at 1, a draft) and return the
    new versions. Only a unit-year whose status may be edited (:data:`EDITABLE`), else
    :class:`LockedUnitYear`; for one in ``expected`` only if its stored version is still that
    one, else :class:`StaleVersion` (the caller rolls back either way)."""
    now = now or now_utc()
    expected = expected or {}
    stale: list[Stale] = []
    locked: list[Locked] = []
    done: dict[UnitYear, int] = {}
    missing: list[UnitYear] = []
    table = cast(Table, UnitYearRow.__table__)
    editable = sorted(s.value for s in EDITABLE)
    for unit, year in sorted(keys):
        where = [table.c.unit == unit, table.c.year == year, table.c.status.in_(editable)]
        want = expected.get((unit, year))
        if want is not None:
            where.append(table.c.version == want)
        moved = session.execute(update(table).where(*where).values(
            version=table.c.version + 1, changed_at=now, changed_by=by).returning(table.c.version)).scalar()
        if moved is not None:
            done[(unit, year)] = int(moved)
            continue
        row = session.execute(select(table.c.version, table.c.status)
                              .where(table.c.unit == unit, table.c.year == year)).first()
        if row is None and not want:
            missing.append((unit, year))
        elif row is not None and row.status not in editable:
            locked.append(Locked(unit, year, row.status))
        else:
            stale.append(Stale(unit, year, want or 0, 0 if row is None else int(row.version)))
    if locked:
        raise LockedUnitYear(locked)
    if missing and not stale:
        # a unit-year's first data; a racing writer inserting the same row fails on the key
        session.execute(insert(table), [{"unit": u, "year": y, "version": 1, "changed_at": now, "changed_by": by,
                                         "status": "draft"} for u, y in missing])
        done.update(dict.fromkeys(missing, 1))
    if stale:
        raise StaleVersion(stale)
    return done


__all__ = ["Locked", "LockedUnitYear", "Stale", "StaleVersion", "UnitYear", "advance", "version_of", "versions"]
