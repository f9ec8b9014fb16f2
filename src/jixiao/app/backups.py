"""Restoring a backup as a use case: nothing lost, everything said.

``jixiao db restore`` replaces the whole database. Before it does (after the file has been
checked to be a complete jixiao backup, :mod:`jixiao.store.backup_check`):

* the database as it is is backed up first (a safety copy, 0600, beside the database or in
  ``$JIXIAO_HOME/backups``), so a restore of the wrong file can itself be undone;
* the change-log entries made after the backup (those the backup does not hold) are kept: they
  are appended again to the restored log, which stays append-only and complete;
* every unit-year's version moves past both the backup's and the replaced database's, so a form
  or workbook opened before the restore cannot be saved over the restored data unseen;
* the restore itself is recorded in the change log (file, revision, rows, safety copy).

The last three happen in the restore's own transaction: with it or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, MetaData, Table, insert, select, update

from jixiao.store.backup import BackupInfo, backup, inspect_backup, restore
from jixiao.store.db import default_home

_LOG_FIELDS = ("at", "user_id", "username", "action", "entity", "key", "old", "new", "detail", "unit", "year",
               "version")


@dataclass(frozen=True)
class Restored:
    info: BackupInfo
    safety_copy: Path
    kept_entries: int  # change-log entries made after the backup, kept


def safety_path(engine: Engine, now: datetime | None = None) -> Path:
    """Where the copy of the database taken before a restore goes."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    folder = (Path(database).expanduser().parent if database and database != ":memory:" else default_home()) / "backups"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    suffix = ".db" if engine.dialect.name == "sqlite" else ".json.gz"
    return folder / f"before-restore-{stamp}{suffix}"


def _tables(conn: Connection) -> tuple[Table, Table]:
    metadata = MetaData()
    metadata.reflect(conn, only=["audit_log", "unit_years"])
    return metadata.tables["audit_log"], metadata.tables["unit_years"]


def _identity(row: Any) -> tuple[Any, ...]:
    at = row["at"]
    moment = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return (moment.isoformat(), row["username"], row["action"], row["entity"], row["key"])


def restore_database(engine: Engine, path: str | Path, *, username: str = "（命令行）") -> Restored:
    """Check ``path``, take a safety copy, then restore it keeping the later change log."""
    info = inspect_backup(path)
    copy = backup(engine, safety_path(engine)).path
    with engine.connect() as conn:
        log, years = _tables(conn)
        current_log = [dict(r) for r in conn.execute(select(log).order_by(log.c.id)).mappings()]
        current_versions = {(r.unit, r.year): r.version for r in conn.execute(select(years))}
    kept: list[dict[str, Any]] = []

    def after(conn: Connection) -> None:
        log, years = _tables(conn)
        in_backup = {_identity(r) for r in conn.execute(select(log)).mappings()}
        kept.extend(r for r in current_log if _identity(r) not in in_backup)
        if kept:
            conn.execute(insert(log), [{k: r[k] for k in _LOG_FIELDS} for r in kept])
        now = datetime.now(UTC)
        restored = {(r.unit, r.year): r.version for r in conn.execute(select(years))}
        for (unit, year), version in sorted(restored.items()):
            made = max(version, current_versions.get((unit, year), 0)) + 1
            conn.execute(update(years).where(years.c.unit == unit, years.c.year == year)
                         .values(version=made, changed_at=now, changed_by=username))
            conn.execute(insert(log).values(at=now, user_id=None, username=username, action="restore",
                                            entity="unit_year", key=f"{unit}/{year}", new={"version": made},
                                            detail=f"用备份 {Path(path).name} 恢复", unit=unit, year=year,
                                            version=made))
        conn.execute(insert(log).values(
            at=now, user_id=None, username=username, action="restore", entity="database", key=Path(path).name[:300],
            new={"file": str(path), "format": info.format, "revision": info.revision, "rows": info.total_rows,
                 "verified": info.verified, "safety_copy": str(copy), "kept_entries": len(kept)},
            detail=f"用备份 {Path(path).name} 替换整个数据库；替换前的数据库另存为 {copy}"))

    restore(engine, path, after=after)
    return Restored(info, copy, len(kept))


__all__ = ["Restored", "restore_database", "safety_path"]
