"""Unit-year versions: optimistic concurrency for every write of a unit's year of data.

Each unit-year with data has a row in ``unit_years`` whose ``version`` moves on by one with each
write that changes any of its records (:func:`jixiao.store.repository.save_parts` calls
:func:`advance`, so no write path can forget it). A writer that read the data first — the entry
form, the API, a workbook downloaded to fill in — sends the version it read; if the stored one
has moved on meanwhile, :func:`advance` raises :class:`StaleVersion` and the caller's
transaction is rolled back: nothing it wrote stays. The check and the increment are one
conditional UPDATE, so two writers racing cannot both pass it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, insert, select, tuple_, update
from sqlalchemy.orm import Session

from jixiao.store.schema import UnitYearRow
from jixiao.store.users import now_utc

UnitYear = tuple[str, int]


@dataclass(frozen=True)
class Stale:
    unit: str
    year: int
    expected: int
    current: int


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
    """Move each unit-year's version on by one (a new one starts at 1) and return the new
    versions. For a unit-year in ``expected`` only if its stored version is still that one;
    otherwise :class:`StaleVersion` (the caller rolls back)."""
    now = now or now_utc()
    expected = expected or {}
    stale: list[Stale] = []
    done: dict[UnitYear, int] = {}
    missing: list[UnitYear] = []
    table = cast(Table, UnitYearRow.__table__)
    for unit, year in sorted(keys):
        where = [table.c.unit == unit, table.c.year == year]
        want = expected.get((unit, year))
        if want is not None:
            where.append(table.c.version == want)
        moved = session.execute(update(table).where(*where).values(
            version=table.c.version + 1, changed_at=now, changed_by=by).returning(table.c.version)).scalar()
        if moved is not None:
            done[(unit, year)] = int(moved)
            continue
        current = 0 if want is None else version_of(session, unit, year)
        if current == 0 and not want:
            missing.append((unit, year))
        else:
            stale.append(Stale(unit, year, want or 0, current))
    if missing and not stale:
        # a unit-year's first data; a racing writer inserting the same row fails on the key
        session.execute(insert(table), [{"unit": u, "year": y, "version": 1, "changed_at": now, "changed_by": by}
                                        for u, y in missing])
        done.update(dict.fromkeys(missing, 1))
    if stale:
        raise StaleVersion(stale)
    return done


__all__ = ["Stale", "StaleVersion", "UnitYear", "advance", "version_of", "versions"]
