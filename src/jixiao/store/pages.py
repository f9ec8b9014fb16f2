"""Kept dashboards: a unit-year's dashboard kept in the database, so showing one is a read.

Computing a dashboard (every record's indicators, checks, warnings and scores) costs tens of
milliseconds; reading it back costs one. A kept page is stored under a **key**: the digest of
what it was made from — the unit-year's version and its records' digests and engine versions as
:mod:`jixiao.store.indicator_store` keeps them (moved by every write of the records, through any
path), the rule set and whatever the maker adds (the unit's own row, the page's own format). A
reader computes the key, and a kept page with another key is stale: it is made again and kept
again. So a kept page can be missing or stale, never wrong.

The same table keeps a parent's monitoring roll-up (:mod:`jixiao.app.pages.monitoring`), in a
slot of its own in place of the rule set, under the key of its subordinates' unit-year versions
(:func:`units_content`), the unit table and the rule sets.

Pages are written by the app (:mod:`jixiao.app.pages.dashboard`) in the same transaction as the
data when a person saves, after an import's transaction for a command-line load, and lazily by a
reader that found none. Kept pages are not data: backups leave them out and the data revision
does not move when they are written. Stored zlib-compressed (a page is ~45 KB of JSON).

A parent's roll-up is kept the same way (``kept_rollups``), under the key of its whole subtree:
:func:`subtree_content` digests every record of the year of every unit under it (as for one
unit-year above) and the unit-years' versions, so a change to any descendant's data makes the
parent's kept roll-up stale at once, and a change elsewhere in the province leaves it alone.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, tuple_
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from jixiao.store.db import BUSY_TIMEOUT_MS
from jixiao.store.schema import (
    IndicatorRecordRow,
    KeptDashboardHtmlRow,
    KeptDashboardRow,
    KeptRollupRow,
    UnitYearRow,
)
from jixiao.store.users import now_utc
from jixiao.store.versions import UnitYear


def year_content(session: Session, unit: str, year: int) -> tuple[list[int], str]:
    """The years ``unit`` has records for, and a digest of ``year``'s records as stored (their
    keys, digests and engine versions, and the unit-year's version): two indexed reads."""
    r = IndicatorRecordRow
    rows = session.execute(select(r.year, r.kind, r.fund, r.scope, r.project, r.digest, r.engine)
                           .where(r.unit == unit)).all()
    version = session.scalar(select(UnitYearRow.version).where(UnitYearRow.unit == unit, UnitYearRow.year == year))
    digest = hashlib.sha256(f"{unit}\n{year}\n{version or 0}\n".encode())
    for row in sorted(tuple(map(str, row[1:])) for row in rows if row[0] == year):
        digest.update(("\t".join(row) + "\n").encode())
    return sorted({int(row[0]) for row in rows}), digest.hexdigest()


def units_content(session: Session, units: Collection[str]) -> str:
    """A digest of every year of ``units`` as stored: each unit-year's version, which every write
    of its records (annual, monthly, departmental, projects) moves on (:mod:`jixiao.store.versions`).
    For a page made from many units' records (a roll-up), one indexed read per 500 units."""
    wanted = sorted(set(units))
    rows: list[tuple[str, int, int]] = []
    for start in range(0, len(wanted), 500):
        rows += [(u, int(y), int(v)) for u, y, v in session.execute(
            select(UnitYearRow.unit, UnitYearRow.year, UnitYearRow.version)
            .where(UnitYearRow.unit.in_(wanted[start:start + 500])))]
    digest = hashlib.sha256()
    for unit, year, version in sorted(rows):
        digest.update(f"{unit}\t{year}\t{version}\n".encode())
    return digest.hexdigest()


def page_key(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def read_kept(session: Session, unit: str, year: int, ruleset: str, key: str) -> bytes | None:
    """The kept page's JSON if there is one made under ``key`` (else None: missing or stale)."""
    found = session.execute(select(KeptDashboardRow.key, KeptDashboardRow.doc).where(
        KeptDashboardRow.unit == unit, KeptDashboardRow.year == year, KeptDashboardRow.ruleset == ruleset)).first()
    if found is None or found.key != key:
        return None
    return zlib.decompress(found.doc)


def keep(session: Session, unit: str, year: int, ruleset: str, key: str, doc: bytes,
         now: datetime | None = None) -> None:
    """Keep a page (replacing the one kept before), in the caller's transaction."""
    session.execute(delete(KeptDashboardRow).where(KeptDashboardRow.unit == unit, KeptDashboardRow.year == year,
                                                   KeptDashboardRow.ruleset == ruleset))
    session.add(KeptDashboardRow(unit=unit, year=year, ruleset=ruleset[:200], key=key, doc=zlib.compress(doc, 6),
                                 made_at=now or now_utc()))
    session.flush()


def keep_if_free(session: Session, unit: str, year: int, ruleset: str, key: str, doc: bytes) -> bool:
    """:func:`keep` in a transaction of its own, for a reader (see :func:`_write_if_free`)."""
    return _write_if_free(session, lambda own: keep(own, unit, year, ruleset, key, doc))


def _write_if_free(session: Session, write: Callable[[Session], None]) -> bool:
    """``write`` in a transaction of its own, for a reader: it never waits long for a writer
    (SQLite's lock, PostgreSQL's row locks: 50 ms, else nothing is kept) and loses a race
    quietly. Whether it was kept.

    It needs a second connection while the reader holds one: when the pool's base size is in use
    it keeps nothing, so that readers never wait for one another's connections (each holding one
    and waiting for a second emptied the pool under load: 30 s, then an error)."""
    bind = session.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if not _pool_has_room(bind):
        return False
    with Session(bind) as own:
        conn = own.connection()
        # derived data, made again if lost: its commit need not wait for the disk
        if sqlite:
            conn.exec_driver_sql("PRAGMA busy_timeout=50")
            conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
        else:
            conn.exec_driver_sql("SET LOCAL lock_timeout = '50ms'")
            conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
        try:
            write(own)
            own.commit()
            return True
        except (IntegrityError, OperationalError):  # busy, or another reader kept it first
            own.rollback()
            return False
        finally:
            if sqlite:
                own.connection().exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
                own.connection().exec_driver_sql("PRAGMA synchronous=FULL")


def _pool_has_room(bind: object) -> bool:
    pool = getattr(bind, "pool", None)
    size, out = getattr(pool, "size", None), getattr(pool, "checkedout", None)
    if not (callable(size) and callable(out)):
        return True  # a pool without a bound (NullPool, StaticPool) never makes anyone wait
    return int(out()) < int(size())


def kept_keys(session: Session) -> dict[tuple[str, int, str], str]:
    """(unit, year, rule set) → the key of every kept page."""
    r = KeptDashboardRow
    return {(unit, int(year), ruleset): key for unit, year, ruleset, key in session.execute(
        select(r.unit, r.year, r.ruleset, r.key))}


def unit_years_with_data(session: Session) -> list[UnitYear]:
    return [(unit, int(year)) for unit, year in session.execute(
        select(UnitYearRow.unit, UnitYearRow.year).order_by(UnitYearRow.unit, UnitYearRow.year))]


def drop_kept(session: Session, keys: Collection[UnitYear]) -> None:
    """Forget the kept pages of these unit-years (all rule sets, their rendered content too)."""
    wanted = list(keys)
    for start in range(0, len(wanted), 500):
        for row in (KeptDashboardRow, KeptDashboardHtmlRow):
            session.execute(delete(row).where(tuple_(row.unit, row.year).in_(wanted[start:start + 500])))


# --------------------------------------------------------------------------------------------
# A dashboard's content as rendered, per view, under the key of everything it shows
# --------------------------------------------------------------------------------------------


def read_kept_html(session: Session, unit: str, year: int, view: str, key: str) -> str | None:
    """The content kept for this view of the unit-year if it was rendered under ``key`` (else None)."""
    r = KeptDashboardHtmlRow
    found = session.execute(select(r.key, r.html).where(r.unit == unit, r.year == year, r.view == view)).first()
    if found is None or found.key != key:
        return None
    return zlib.decompress(found.html).decode("utf-8")


def keep_html_if_free(session: Session, unit: str, year: int, view: str, key: str, html: str) -> bool:
    """Keep the rendered content (replacing the view's older one) in a transaction of its own."""
    def write(own: Session) -> None:
        r = KeptDashboardHtmlRow
        own.execute(delete(r).where(r.unit == unit, r.year == year, r.view == view))
        own.add(r(unit=unit, year=year, view=view, key=key, html=zlib.compress(html.encode("utf-8"), 6),
                  made_at=now_utc()))
    return _write_if_free(session, write)


def html_kept_since(session: Session, when: datetime) -> int:
    """How many dashboard renderings were kept (made or made again) since ``when``."""
    return int(session.scalar(select(func.count()).select_from(KeptDashboardHtmlRow)
                              .where(KeptDashboardHtmlRow.made_at >= when)) or 0)


# --------------------------------------------------------------------------------------------
# Roll-ups: kept per parent, year, fund shown and rule set, under the key of the subtree
# --------------------------------------------------------------------------------------------


def subtree_content(session: Session, units: Collection[str], year: int) -> str:
    """A digest of ``year``'s records of every unit in ``units`` as stored (their keys, digests
    and engine versions) and of those unit-years' versions: two reads of the year's rows
    (filtered by unit in the query when the subtree is small, as a city's is)."""
    wanted = set(units)
    return year_content_lines(session, year, wanted if len(wanted) <= 500 else None).digest(wanted)


@dataclass(frozen=True)
class YearLines:
    """Each unit's lines of :func:`subtree_content` for one year: what a caller keeps (per data
    revision) to digest any subtree without reading the year again."""

    year: int
    records: dict[str, list[str]]
    versions: dict[str, str]

    def digest(self, units: Collection[str]) -> str:
        """:func:`subtree_content` of ``units``."""
        lines = sorted(line for unit in set(units) for line in self.records.get(unit, ()))
        lines += sorted(self.versions[unit] for unit in set(units) if unit in self.versions)
        digest = hashlib.sha256(f"{self.year}\n".encode())
        for line in lines:
            digest.update((line + "\n").encode())
        return digest.hexdigest()


def year_content_lines(session: Session, year: int, units: Collection[str] | None = None) -> YearLines:
    """The lines :func:`subtree_content` digests, per unit, of ``units`` (None: every unit)."""
    r = IndicatorRecordRow
    record_query = select(r.unit, r.kind, r.fund, r.scope, r.project, r.digest, r.engine).where(r.year == year)
    version_query = select(UnitYearRow.unit, UnitYearRow.version).where(UnitYearRow.year == year)
    if units is not None:
        record_query = record_query.where(r.unit.in_(sorted(units)))
        version_query = version_query.where(UnitYearRow.unit.in_(sorted(units)))
    records: dict[str, list[str]] = {}
    for row in session.execute(record_query):
        records.setdefault(row[0], []).append("\t".join(map(str, row)))
    versions = {unit: f"v\t{unit}\t{version}" for unit, version in session.execute(version_query)}
    return YearLines(year, records, versions)


def _rollup_row(unit: str, year: int, fund: str, ruleset: str) -> ColumnElement[bool]:
    k = KeptRollupRow
    return (k.unit == unit) & (k.year == year) & (k.fund == fund) & (k.ruleset == ruleset[:200])


def read_kept_rollup(session: Session, unit: str, year: int, fund: str, ruleset: str, key: str) -> bytes | None:
    """The kept roll-up's JSON if there is one made under ``key`` (else None: missing or stale)."""
    found = session.execute(select(KeptRollupRow.key, KeptRollupRow.doc)
                            .where(_rollup_row(unit, year, fund, ruleset))).first()
    if found is None or found.key != key:
        return None
    return zlib.decompress(found.doc)


def keep_rollup(session: Session, unit: str, year: int, fund: str, ruleset: str, key: str, doc: bytes) -> None:
    """Keep a roll-up (replacing the one kept before), in the caller's transaction."""
    session.execute(delete(KeptRollupRow).where(_rollup_row(unit, year, fund, ruleset)))
    session.add(KeptRollupRow(unit=unit, year=year, fund=fund, ruleset=ruleset[:200], key=key,
                              doc=zlib.compress(doc, 6), made_at=now_utc()))
    session.flush()


def keep_rollup_if_free(session: Session, unit: str, year: int, fund: str, ruleset: str, key: str,
                        doc: bytes) -> bool:
    """:func:`keep_rollup` for a reader, in a transaction of its own (see :func:`_write_if_free`)."""
    return _write_if_free(session, lambda own: keep_rollup(own, unit, year, fund, ruleset, key, doc))


__all__ = [
    "YearLines",
    "drop_kept",
    "html_kept_since",
    "keep",
    "keep_html_if_free",
    "keep_if_free",
    "keep_rollup",
    "keep_rollup_if_free",
    "kept_keys",
    "page_key",
    "read_kept",
    "read_kept_html",
    "read_kept_rollup",
    "subtree_content",
    "unit_years_with_data",
    "units_content",
    "year_content",
    "year_content_lines",
]
