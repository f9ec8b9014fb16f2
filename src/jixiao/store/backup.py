"""``jixiao db backup`` / ``restore``: a consistent copy of the whole database, put back whole.

Two formats, told apart by their first bytes on restore:

- **SQLite file** (the default for a SQLite database): SQLite's online backup API copies every
  page in one read transaction, so the copy is consistent even while the app writes.
- **JSON dump** (PostgreSQL, or ``--format json``; ``.json.gz`` is gzipped): every table, read in
  one REPEATABLE READ transaction, with the Alembic revision the schema was at. Portable: a
  SQLite database can be restored into PostgreSQL and back.

Before anything is replaced the file is checked to be a complete jixiao backup
(:mod:`jixiao.store.backup_check`: schema revision, every table and column, rows and checksums
per table from its manifest, integrity and foreign keys). Restore is all or nothing.
PostgreSQL: in ONE transaction, drop every table, build the schema of the dump's revision
with the migrations, insert the rows, reset the sequences, migrate to the newest revision —
any failure rolls all of it back. SQLite: the new content is first built and checked in a
temporary file, then copied over the database with the backup API, which writes the
destination in one transaction.
"""

from __future__ import annotations

import gzip
import json
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Engine, MetaData, Table, create_engine, func, inspect, select, text
from sqlalchemy import types as sqltypes
from sqlalchemy.exc import SQLAlchemyError

from jixiao.store.backup_check import (
    MANIFEST_TABLE,
    NOT_DATA,
    TableDigest,
    check_foreign_keys,
    check_manifest,
    check_tables,
)
from jixiao.store.db import DatabaseError, alembic_config, create_db_engine

FORMAT = "jixiao-backup"
#: 2: with a manifest (rows and SHA-256 per table); 1 (older jixiao): without
VERSION = 2
SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    format: str  # "sqlite" | "json"
    revision: str | None
    rows: dict[str, int]
    #: rows and checksums checked against the backup's manifest (False: an older backup without one)
    verified: bool = False

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def _sqlite_path(engine: Engine) -> str | None:
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    return None if database in (None, "", ":memory:") else str(Path(database).expanduser())


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def _revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _user_tables(conn: Connection) -> list[Table]:
    """Every table in the database except alembic's, parents before children."""
    metadata = MetaData()
    metadata.reflect(conn)
    # the data revision is not data: a restored database gets a new one (its triggers fire)
    return [t for t in metadata.sorted_tables if t.name not in NOT_DATA]


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value


def _decode(value: Any, column_type: sqltypes.TypeEngine[Any]) -> Any:
    if value is None:
        return None
    if isinstance(column_type, sqltypes.DateTime) and isinstance(value, str):
        moment = datetime.fromisoformat(value)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if isinstance(column_type, sqltypes.Date) and isinstance(value, str):
        return date.fromisoformat(value)
    if isinstance(column_type, sqltypes.Boolean):
        return bool(value)
    if isinstance(column_type, sqltypes.LargeBinary) and isinstance(value, str):
        return bytes.fromhex(value)
    return value


def _self_ordered(table: Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of a table that refers to itself (units.parent), referenced rows first."""
    pairs = [
        (fk.parent.name, fk.column.name)
        for fk in table.foreign_keys
        if fk.column.table.name == table.name
    ]
    if not pairs:
        return rows
    child_col, parent_col = pairs[0]
    by_key = {row[parent_col]: row for row in rows}
    done: set[Any] = set()
    ordered: list[dict[str, Any]] = []

    def visit(row: dict[str, Any], depth: int = 0) -> None:
        key = row[parent_col]
        if key in done or depth > len(rows):
            return
        parent = by_key.get(row[child_col])
        if parent is not None and parent is not row:
            visit(parent, depth + 1)
        if key not in done:
            done.add(key)
            ordered.append(row)

    for row in rows:
        visit(row)
    return ordered


@contextmanager
def _open_output(path: Path, gz: bool) -> Iterator[IO[str]]:
    if gz:
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            yield handle
    else:
        with path.open("w", encoding="utf-8") as handle:
            yield handle


def _read_json(path: Path) -> dict[str, Any]:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    try:
        dump = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DatabaseError(f"{path} 不是 jixiao 备份文件（无法解析 JSON）") from exc
    if not isinstance(dump, dict) or dump.get("format") != FORMAT:
        raise DatabaseError(f"{path} 不是 jixiao 备份文件")
    if dump.get("version") not in (1, VERSION):
        raise DatabaseError(f"{path} 的备份格式版本 {dump.get('version')} 不受支持")
    tables = dump.get("tables")
    if not isinstance(tables, dict) or not all(
            isinstance(t, dict) and isinstance(t.get("columns"), list) and isinstance(t.get("rows"), list)
            for t in tables.values()):
        raise DatabaseError(f"{path} 不是 jixiao 备份文件（tables 的结构不对）")
    return dump


# --------------------------------------------------------------------------------------------
# dump
# --------------------------------------------------------------------------------------------


def dump_tables(conn: Connection) -> dict[str, Any]:
    """Every table as JSON-ready data (call inside one transaction for a consistent copy)."""
    tables: dict[str, Any] = {}
    manifest: dict[str, Any] = {}
    for table in _user_tables(conn):
        columns = [c.name for c in table.columns]
        order = list(table.primary_key.columns) or list(table.columns)
        rows = [[_encode(v) for v in row] for row in conn.execute(select(table).order_by(*order))]
        tables[table.name] = {"columns": columns, "rows": rows}
        digest = TableDigest()
        for row in rows:
            digest.add(row)
        manifest[table.name] = digest.as_json()
    return {
        "format": FORMAT,
        "version": VERSION,
        "revision": _revision(conn),
        "dialect": conn.dialect.name,
        "created_at": datetime.now(UTC).isoformat(),
        "manifest": manifest,
        "tables": tables,
    }


def _digests(conn: Connection) -> dict[str, TableDigest]:
    """Rows and checksum of every data table, rows encoded as a JSON dump encodes them."""
    found: dict[str, TableDigest] = {}
    for table in _user_tables(conn):
        order = list(table.primary_key.columns) or list(table.columns)
        digest = found[table.name] = TableDigest()
        for row in conn.execute(select(table).order_by(*order)):
            digest.add(_encode(v) for v in row)
    return found


#: tables a SQLite copy is emptied of: made again from the data, or waiting a few minutes at most
NOT_COPIED = ("kept_dashboards", "kept_dashboard_html", "kept_rollups", "pending_imports")


def _write_manifest(path: Path) -> None:
    """Put the manifest into a fresh SQLite copy (in its own table, which restore drops); the
    copy keeps no kept pages or waiting uploads (:data:`NOT_COPIED`)."""
    engine = create_engine(f"sqlite:///{path}")
    try:
        emptied = 0
        with engine.begin() as conn:
            present = set(inspect(conn).get_table_names())
            for name in NOT_COPIED:
                if name in present:
                    emptied += conn.exec_driver_sql(f"DELETE FROM {name}").rowcount or 0
            digests = _digests(conn)
            conn.exec_driver_sql(f"CREATE TABLE {MANIFEST_TABLE} (name TEXT PRIMARY KEY, rows INTEGER, sha256 TEXT)")
            conn.exec_driver_sql(f"INSERT INTO {MANIFEST_TABLE} VALUES (?, ?, ?)",
                                 [(name, d.rows, d.hexdigest) for name, d in digests.items()])
        if emptied:  # give the space back: the copy is made to be kept and moved
            with engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM")
    finally:
        engine.dispose()


def _dump_engine(engine: Engine) -> dict[str, Any]:
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
            return dump_tables(conn)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN")  # one read transaction: a consistent snapshot
        try:
            return dump_tables(conn)
        finally:
            conn.rollback()


def _sqlite_copy(source: str | sqlite3.Connection, target: str | sqlite3.Connection) -> None:
    src = sqlite3.connect(source) if isinstance(source, str) else source
    dst = sqlite3.connect(target) if isinstance(target, str) else target
    try:
        src.backup(dst)
    finally:
        if isinstance(source, str):
            src.close()
        if isinstance(target, str):
            dst.close()


def backup(engine: Engine, path: str | Path, fmt: str | None = None) -> BackupInfo:
    """Write a backup of the database to ``path`` (written to a temporary file, then renamed)."""
    path = Path(path)
    if fmt is None:
        fmt = "json" if engine.dialect.name != "sqlite" or ".json" in path.name else "sqlite"
    if fmt not in ("sqlite", "json"):
        raise DatabaseError(f"未知备份格式：{fmt}（可选 sqlite、json）")
    if fmt == "sqlite" and _sqlite_path(engine) is None:
        raise DatabaseError("只有 SQLite 数据库能备份为 SQLite 文件；请用 --format json")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(prefix=".jixiao-backup-", dir=path.parent)
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        if fmt == "sqlite":
            raw = engine.raw_connection()
            try:
                _sqlite_copy(raw.driver_connection, str(tmp))  # type: ignore[arg-type]
            finally:
                raw.close()
            _write_manifest(tmp)
            info = inspect_backup(tmp)
        else:
            dump = _dump_engine(engine)
            with _open_output(tmp, gz=path.name.endswith(".gz")) as out:
                json.dump(dump, out, ensure_ascii=False, separators=(",", ":"))
            info = BackupInfo(path, "json", dump["revision"],
                              {name: len(t["rows"]) for name, t in dump["tables"].items()}, verified=True)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return BackupInfo(path, info.format, info.revision, info.rows, info.verified)


def inspect_backup(path: str | Path) -> BackupInfo:
    """What a backup file holds (format, revision, rows per table), after checking that it is a
    complete jixiao backup (:mod:`jixiao.store.backup_check`); DatabaseError if it is not."""
    path = Path(path)
    if not path.is_file():
        raise DatabaseError(f"找不到备份文件 {path}")
    with path.open("rb") as handle:
        head = handle.read(16)
    if head == SQLITE_MAGIC:
        return _inspect_sqlite(path)
    dump = _read_json(path)
    revision = _checked_revision(path, dump.get("revision"))
    check_tables(str(path), revision, {name: t["columns"] for name, t in dump["tables"].items()})
    manifest = dump.get("manifest")
    if manifest is not None:
        found: dict[str, TableDigest] = {}
        for name, table in dump["tables"].items():
            digest = found[name] = TableDigest()
            for row in table["rows"]:
                digest.add(row)
        check_manifest(str(path), manifest if isinstance(manifest, dict) else {}, found)
    elif dump.get("version") == VERSION:
        raise DatabaseError(f"{path} 不完整：缺少清单（各表行数与校验和）；数据库未改变")
    return BackupInfo(path, "json", revision, {name: len(t["rows"]) for name, t in dump["tables"].items()},
                      verified=manifest is not None)


def _checked_revision(path: Path, revision: object) -> str:
    if not isinstance(revision, str) or not revision:
        raise DatabaseError(f"{path} 不是 jixiao 备份：没有数据库结构版本（alembic_version）；数据库未改变")
    if revision not in _known_revisions():
        raise DatabaseError(f"备份的数据库结构版本 {revision} 比本程序更新，请先升级 jixiao")
    return revision


def _inspect_sqlite(path: Path) -> BackupInfo:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            check = conn.exec_driver_sql("PRAGMA integrity_check").scalar()
            if check != "ok":
                raise DatabaseError(f"备份文件 {path} 已损坏：{check}")
            revision = _checked_revision(path, _revision(conn))
            metadata = MetaData()
            metadata.reflect(conn)
            check_tables(str(path), revision, {t.name: [c.name for c in t.columns] for t in metadata.sorted_tables})
            check_foreign_keys(conn, str(path))
            verified = MANIFEST_TABLE in metadata.tables
            if verified:
                manifest = {name: {"rows": rows, "sha256": sha}
                            for name, rows, sha in conn.exec_driver_sql(f"SELECT * FROM {MANIFEST_TABLE}")}
                digests = _digests(conn)
                check_manifest(str(path), manifest, digests)
                rows = {name: d.rows for name, d in digests.items()}
            else:
                rows = {t.name: int(conn.execute(select(func.count()).select_from(t)).scalar() or 0)
                        for t in _user_tables(conn)}
    except SQLAlchemyError as exc:
        raise DatabaseError(f"备份文件 {path} 无法读取：{exc}") from exc
    finally:
        engine.dispose()
    return BackupInfo(path, "sqlite", revision, rows, verified)


# --------------------------------------------------------------------------------------------
# restore
# --------------------------------------------------------------------------------------------


def _upgrade(conn: Connection, revision: str) -> None:
    from alembic import command

    config = alembic_config()
    config.attributes["connection"] = conn
    command.upgrade(config, revision)


def _drop_everything(conn: Connection) -> None:
    metadata = MetaData()
    metadata.reflect(conn)
    metadata.drop_all(conn)
    if conn.dialect.name == "postgresql":
        conn.execute(text("DROP FUNCTION IF EXISTS audit_log_append_only() CASCADE"))


def _insert_dump(conn: Connection, dump: dict[str, Any]) -> None:
    metadata = MetaData()
    metadata.reflect(conn)
    known = {t.name: t for t in metadata.sorted_tables}
    missing = sorted(set(dump["tables"]) - set(known))
    if missing:
        raise DatabaseError(f"备份中的表在数据库结构中不存在：{'、'.join(missing)}")
    for table in metadata.sorted_tables:
        if table.name not in dump["tables"]:
            continue
        data = dump["tables"][table.name]
        columns = [table.columns[name] for name in data["columns"]]
        rows = [{c.name: _decode(v, c.type) for c, v in zip(columns, row, strict=True)} for row in data["rows"]]
        rows = _self_ordered(table, rows)
        for start in range(0, len(rows), 1000):
            conn.execute(table.insert(), rows[start:start + 1000])
        if conn.dialect.name == "postgresql":
            for column in table.primary_key.columns:
                if isinstance(column.type, sqltypes.Integer) and column.autoincrement in (True, "auto"):
                    conn.execute(
                        text("SELECT setval(pg_get_serial_sequence(:t, :c), "
                             f"COALESCE((SELECT MAX({conn.dialect.identifier_preparer.quote(column.name)}) "
                             f"FROM {conn.dialect.identifier_preparer.quote(table.name)}), 0) + 1, false) "
                             "WHERE pg_get_serial_sequence(:t, :c) IS NOT NULL"),
                        {"t": table.name, "c": column.name},
                    )


def _load_dump_into(conn: Connection, dump: dict[str, Any]) -> None:
    """Inside the caller's transaction: replace everything by the dump, then migrate to head."""
    revision = dump.get("revision")
    if revision is None:
        raise DatabaseError("备份中没有数据库结构版本（alembic_version），无法恢复")
    if revision not in _known_revisions():
        raise DatabaseError(f"备份的数据库结构版本 {revision} 比本程序更新，请先升级 jixiao")
    _drop_everything(conn)
    _upgrade(conn, revision)
    _insert_dump(conn, dump)
    _upgrade(conn, "head")


def _restore_sqlite_target(engine: Engine, source_file: str) -> None:
    """Copy a checked SQLite file over the database with the backup API (one write transaction)."""
    target = _sqlite_path(engine)
    assert target is not None
    engine.dispose()
    dst = sqlite3.connect(target, timeout=30)
    try:
        _sqlite_copy(source_file, dst)
    finally:
        dst.close()
    engine.dispose()


def restore(engine: Engine, path: str | Path, after: Callable[[Connection], None] | None = None) -> BackupInfo:
    """Replace the whole database by the backup at ``path``; all or nothing. ``after`` runs in
    the same transaction once the backup's content is in (the change log's entries about the
    restore are written there, so they exist exactly when the restore does)."""
    info = inspect_backup(path)
    path = Path(path)
    try:
        if engine.dialect.name == "sqlite":
            _restore_sqlite(engine, path, info, after)
            return info
        dump = _read_json(path) if info.format == "json" else _dump_sqlite_file(path)
        with engine.begin() as conn:
            _load_dump_into(conn, dump)
            if after is not None:
                after(conn)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise DatabaseError(f"恢复失败，数据库未改变：{reason}") from exc
    return info


def _restore_sqlite(engine: Engine, path: Path, info: BackupInfo, after: Callable[[Connection], None] | None) -> None:
    if _sqlite_path(engine) is None:
        raise DatabaseError("无法恢复到内存数据库")
    with tempfile.TemporaryDirectory(prefix="jixiao-restore-") as tmpdir:
        staging = str(Path(tmpdir) / "staging.db")
        if info.format == "sqlite":
            _sqlite_copy(str(path), staging)
        staged = create_db_engine(f"sqlite:///{staging}")
        try:
            with staged.begin() as conn:
                if info.format == "sqlite":
                    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {MANIFEST_TABLE}")
                    _upgrade(conn, "head")
                else:
                    _load_dump_into(conn, _read_json(path))
                if after is not None:
                    after(conn)
        finally:
            staged.dispose()
        _restore_sqlite_target(engine, staging)


def _dump_sqlite_file(path: Path) -> dict[str, Any]:
    engine = create_engine(f"sqlite:///{path}")
    try:
        return _dump_engine(engine)
    finally:
        engine.dispose()


def row_counts(engine: Engine, tables: Iterable[str] | None = None) -> dict[str, int]:
    """Rows per table (for messages and tests)."""
    with engine.connect() as conn:
        wanted = set(tables) if tables is not None else None
        return {t.name: int(conn.execute(select(func.count()).select_from(t)).scalar() or 0)
                for t in _user_tables(conn) if wanted is None or t.name in wanted}
