"""Issue 13, items 1, 9 (restore) and 10 (file modes): a restore never wipes the database.

Before: ``jixiao db restore other.db -y`` with any SQLite file holding an unrelated table exited 0
and left users, units, fund years and the change log empty; so did a JSON whose ``tables`` was
``{}``; a restore erased the change log written after the backup and recorded nothing; a JSON
with a foreign-key violation or a foreign database with a ``users`` table ended in exit 70.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from jixiao.cli import app as cli_app
from jixiao.store.backup import backup, inspect_backup, row_counts
from jixiao.store.changelog import append_change
from jixiao.store.db import DatabaseError, open_database
from jixiao.store.schema import ChangeLogRow, UnitYearRow
from web_helpers import make_app


def _populated(url: str) -> Engine:
    make_app(url).state.engine.dispose()
    return open_database(url)


def _restore(url: str, file: Path) -> Any:
    env = {"JIXIAO_DATABASE_URL": url, "JIXIAO_HOME": str(file.parent)}  # where a PostgreSQL safety copy goes
    return CliRunner().invoke(cli_app, ["db", "restore", "--yes", str(file)], env=env)


def _counts(engine: Engine) -> dict[str, int]:
    return row_counts(engine)


def _foreign_files(tmp_path: Path, good: Path) -> dict[str, Path]:
    files: dict[str, Path] = {}
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
        conn.execute("INSERT INTO t VALUES (1)")
    files["an unrelated SQLite file"] = other
    users = tmp_path / "users.db"
    with sqlite3.connect(users) as conn:
        conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT)")
        conn.execute("CREATE TABLE alembic_version (version_num TEXT)")
        conn.execute("INSERT INTO alembic_version VALUES ('0007')")
        conn.execute("INSERT INTO users VALUES (1, 'root')")
    files["a foreign database with a users table"] = users
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"format": "jixiao-backup", "version": 1, "revision": "0007", "tables": {}}),
                     encoding="utf-8")
    files["a JSON whose tables is {}"] = empty
    dump = json.loads(good.read_text(encoding="utf-8"))
    dump["tables"]["fund_years"]["rows"][0][1] = "NO-SUCH-UNIT"  # unit column: a foreign-key violation
    dump["manifest"].pop("fund_years")
    dump.pop("manifest")
    dump["version"] = 1  # an older backup has no manifest: the foreign key is what stops it
    broken = tmp_path / "fk.json"
    broken.write_text(json.dumps(dump, ensure_ascii=False), encoding="utf-8")
    files["a JSON with a foreign-key violation"] = broken
    short = json.loads(good.read_text(encoding="utf-8"))
    short["tables"]["units"]["rows"].pop()
    cut = tmp_path / "cut.json"
    cut.write_text(json.dumps(short, ensure_ascii=False), encoding="utf-8")
    files["a backup with a row missing"] = cut
    edited = json.loads(good.read_text(encoding="utf-8"))
    edited["tables"]["users"]["rows"][0][1] = "intruder"  # the username column
    changed = tmp_path / "edited.json"
    changed.write_text(json.dumps(edited, ensure_ascii=False), encoding="utf-8")
    files["a backup changed by hand"] = changed
    return files


def test_a_file_that_is_not_a_complete_backup_is_refused_and_nothing_changes(sqlite_url: str,
                                                                             tmp_path: Path) -> None:
    engine = _populated(sqlite_url)
    good = tmp_path / "good.json"
    backup(engine, good)
    before = _counts(engine)
    assert before["users"] == 4 and before["units"] == 10
    for what, file in _foreign_files(tmp_path, good).items():
        result = _restore(sqlite_url, file)
        assert result.exit_code == 1, (what, result.output)
        assert "数据库未改变" in result.output or "不是" in result.output, (what, result.output)
        assert "内部错误" not in result.output, what
        assert _counts(engine) == before, what
    engine.dispose()


def test_a_restore_keeps_a_safety_copy_the_later_log_and_records_itself(db_url: str, tmp_path: Path) -> None:
    engine = _populated(db_url)
    try:
        saved = tmp_path / ("backup.db" if engine.dialect.name == "sqlite" else "backup.json")
        backup(engine, saved)
        with Session(engine) as db:
            append_change(db, user_id=None, username="after-backup", action="update", entity="unit", key="650500",
                          old={"name": "甲"}, new={"name": "乙"})
            db.commit()
            version = db.get(UnitYearRow, ("650500", 2019)).version  # type: ignore[union-attr]
        before = _counts(engine)
        result = _restore(db_url, saved)
        assert result.exit_code == 0, result.output
        copy = Path(result.output.split("另存为 ")[1].split("；")[0].strip())
        assert copy.is_file() and stat.S_IMODE(copy.stat().st_mode) == 0o600
        assert inspect_backup(copy).rows["audit_log"] == before["audit_log"]  # the database as it was
        with Session(engine) as db:
            log = list(db.scalars(select(ChangeLogRow).order_by(ChangeLogRow.id)))
            assert [e.username for e in log].count("after-backup") == 1  # kept
            last = log[-1]
            assert (last.action, last.entity) == ("restore", "database")
            assert last.new["safety_copy"] == str(copy) and last.new["kept_entries"] == 1
            assert db.get(UnitYearRow, ("650500", 2019)).version > version  # type: ignore[union-attr]
    finally:
        engine.dispose()


def test_database_and_backup_files_are_private(tmp_path: Path) -> None:
    home = tmp_path / "home"
    engine = open_database(f"sqlite:///{home / 'jixiao.db'}")
    try:
        assert stat.S_IMODE((home / "jixiao.db").stat().st_mode) == 0o600
        assert stat.S_IMODE(home.stat().st_mode) == 0o700
        for name in ("b.db", "b.json", "b.json.gz"):
            info = backup(engine, tmp_path / name)
            assert stat.S_IMODE(info.path.stat().st_mode) == 0o600, name
    finally:
        engine.dispose()
    (home / "jixiao.db").chmod(0o644)  # a file made before: tightened when opened
    open_database(f"sqlite:///{home / 'jixiao.db'}").dispose()
    assert stat.S_IMODE((home / "jixiao.db").stat().st_mode) == 0o600


def test_old_backups_without_a_manifest_still_restore_and_say_so(sqlite_url: str, tmp_path: Path) -> None:
    engine = _populated(sqlite_url)
    try:
        new = tmp_path / "new.json.gz"
        backup(engine, new)
        dump = json.loads(gzip.decompress(new.read_bytes()))
        dump.pop("manifest")
        dump["version"] = 1
        old = tmp_path / "old.json"
        old.write_text(json.dumps(dump, ensure_ascii=False), encoding="utf-8")
        assert inspect_backup(new).verified and not inspect_backup(old).verified
        result = _restore(sqlite_url, old)
        assert result.exit_code == 0 and "旧版备份" in result.output
        dump["version"] = 2  # a current-format backup must have its manifest
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps(dump, ensure_ascii=False), encoding="utf-8")
        with pytest.raises(DatabaseError, match="清单"):
            inspect_backup(bad)
    finally:
        engine.dispose()
