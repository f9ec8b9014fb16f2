"""What makes a file a complete jixiao backup, checked before anything is replaced.

A restore replaces the whole database, so a file that is not a complete backup of jixiao must
never get that far: a SQLite file with some unrelated table, a JSON whose ``tables`` is ``{}``,
a copy cut short. A backup is accepted only when

* its schema revision is one of jixiao's migrations;
* it has exactly the tables, with exactly the columns, that revision's schema has (the schema is
  built from the migrations themselves, in memory, so the check can never drift from them);
* its manifest — rows and a SHA-256 per table, written by ``jixiao db backup`` — matches what it
  holds (a file without one, made by an older jixiao, is accepted on the checks above and said so);
* a SQLite file passes ``PRAGMA integrity_check`` and ``PRAGMA foreign_key_check``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from sqlalchemy import Connection, MetaData, create_engine

from jixiao.store.db import DatabaseError, alembic_config

#: the table a SQLite backup keeps its manifest in (dropped again when it is restored)
MANIFEST_TABLE = "jixiao_backup_manifest"
#: tables that are not data: alembic's, the data revision (new with each restore), the manifest,
#: uploads waiting for a confirmation (transient) and the kept dashboards (made again from the data)
NOT_DATA = frozenset({"alembic_version", "data_revision", MANIFEST_TABLE, "pending_imports", "kept_dashboards",
                       "kept_dashboard_html", "kept_rollups"})


class TableDigest:
    """Rows and SHA-256 of one table's rows as the backup encodes them (one JSON line each)."""

    def __init__(self) -> None:
        self.rows = 0
        self._hash = hashlib.sha256()

    def add(self, row: Iterable[Any]) -> None:
        self.rows += 1
        self._hash.update(json.dumps(list(row), ensure_ascii=False, separators=(",", ":"), default=str).encode())
        self._hash.update(b"\n")

    @property
    def hexdigest(self) -> str:
        return self._hash.hexdigest()

    def as_json(self) -> dict[str, Any]:
        return {"rows": self.rows, "sha256": self.hexdigest}


@cache
def schema_of(revision: str) -> dict[str, frozenset[str]]:
    """The data tables and their columns at ``revision``, built by the migrations in memory."""
    from alembic import command

    engine = create_engine("sqlite://")
    try:
        with engine.begin() as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
            metadata = MetaData()
            metadata.reflect(conn)
            return {t.name: frozenset(c.name for c in t.columns) for t in metadata.sorted_tables
                    if t.name not in NOT_DATA}
    finally:
        engine.dispose()


def check_tables(where: str, revision: str, tables: Mapping[str, Iterable[str]]) -> None:
    """Refuse (DatabaseError) a backup whose tables or columns are not those of ``revision``."""
    expected = schema_of(revision)
    present = {name: frozenset(columns) for name, columns in tables.items() if name not in NOT_DATA}
    missing = sorted(set(expected) - set(present))
    if missing:
        raise DatabaseError(f"{where} 不是完整的 jixiao 备份：缺少表 {'、'.join(missing)}"
                            f"（共应有 {len(expected)} 张）；数据库未改变")
    extra = sorted(set(present) - set(expected))
    if extra:
        raise DatabaseError(f"{where} 不是 jixiao 的备份：含有 jixiao 没有的表 {'、'.join(extra[:5])}；数据库未改变")
    for name, columns in expected.items():
        if present[name] != columns:
            differ = sorted(columns ^ present[name])
            raise DatabaseError(f"{where} 中表 {name} 的列与结构版本 {revision} 不符（{'、'.join(differ[:5])}）；"
                                "数据库未改变")


def check_manifest(where: str, manifest: Mapping[str, Any], found: Mapping[str, TableDigest]) -> None:
    """Refuse a backup whose rows or checksums differ from its manifest (cut short, edited)."""
    if set(manifest) != set(found):
        raise DatabaseError(f"{where} 的清单与所含的表不符；数据库未改变")
    for name, digest in found.items():
        entry = manifest[name]
        if not isinstance(entry, Mapping) or entry.get("rows") != digest.rows:
            expected = entry.get("rows") if isinstance(entry, Mapping) else "?"
            raise DatabaseError(f"{where} 不完整：表 {name} 应有 {expected} 行，实有 {digest.rows} 行；数据库未改变")
        if entry.get("sha256") != digest.hexdigest:
            raise DatabaseError(f"{where} 已损坏或被改动：表 {name} 的校验和不符；数据库未改变")


def check_foreign_keys(conn: Connection, where: str) -> None:
    """A SQLite backup whose rows break a foreign key (a record of a unit that is not there)."""
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        tables = "、".join(sorted({str(row[0]) for row in broken})[:5])
        raise DatabaseError(f"{where} 中有 {len(broken)} 行违反外键约束（表 {tables}）；数据库未改变")


__all__ = ["MANIFEST_TABLE", "NOT_DATA", "TableDigest", "check_foreign_keys", "check_manifest", "check_tables",
           "schema_of"]
