"""``jixiao db backup`` / ``restore`` and crash safety of imports.

- a backup restored gives back exactly the database that was backed up (every table, the
  audit log included), on SQLite (backup-API file and JSON) and on PostgreSQL (JSON), and
  across them (a SQLite backup restored into PostgreSQL);
- a restore is all or nothing: a broken file or rows that cannot be inserted leave the database
  as it was; after a restore the audit log is still append-only and new rows get fresh ids;
- ``jixiao load`` killed with SIGKILL while it is writing leaves the database as it was.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from jixiao.app.imports import import_files
from jixiao.cli import app as cli_app
from jixiao.store.backup import backup, dump_tables, inspect_backup, restore
from jixiao.store.changelog import append_change
from jixiao.store.db import DatabaseError, open_database
from jixiao.store.repository import dump_state
from jixiao.store.schema import ChangeLogRow, ProjectRow, UserRow
from jixiao.store.users import create_api_token, find_user
from web_helpers import example_files, login, make_app


def _snapshot(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        dump = dump_tables(conn)
    return {"revision": dump["revision"], "tables": dump["tables"]}


def _populated(url: str) -> Engine:
    """Examples, users, an API token and audit entries (with Chinese, JSON and timestamps)."""
    make_app(url).state.engine.dispose()
    engine = open_database(url)
    with Session(engine) as db:
        user = find_user(db, "hami")
        assert user is not None
        create_api_token(db, user, "导出脚本")
        append_change(db, user_id=user.id, username="hami", action="update", entity="fund_year",
                     key="650500/2019/职工基本医疗保险", old={"income": "100.00万元"}, new={"income": "101.00万元"})
        db.commit()
    return engine


def _mutate(engine: Engine) -> None:
    with Session(engine) as db:
        db.delete(db.scalars(select(ProjectRow)).first())
        append_change(db, user_id=None, username="later", action="create", entity="unit", key="later")
        db.add(UserRow(username="later", password_hash="x", role="admin", unit=None, active=True,
                       created_at=db.scalar(select(func.max(ChangeLogRow.at)))))
        db.commit()


def _assert_append_only_and_usable(engine: Engine) -> None:
    with engine.connect() as conn, pytest.raises(DBAPIError):
        conn.execute(text("DELETE FROM audit_log"))
        conn.commit()
    with Session(engine) as db:
        before = db.scalar(select(func.max(ChangeLogRow.id)))
        append_change(db, user_id=None, username="after", action="create", entity="unit", key="after")
        db.commit()
        assert db.scalar(select(func.max(ChangeLogRow.id))) == before + 1


@pytest.mark.parametrize("fmt", ["native", "json", "json.gz"])
def test_backup_restore_round_trip(db_url: str, tmp_path: Path, fmt: str) -> None:
    engine = _populated(db_url)
    try:
        original = _snapshot(engine)
        assert original["revision"] is not None
        assert [row[3] for row in original["tables"]["audit_log"]["rows"]].count("hami") == 1
        name = {"native": "backup.db" if engine.dialect.name == "sqlite" else "backup.json",
                "json": "backup.json", "json.gz": "backup.json.gz"}[fmt]
        info = backup(engine, tmp_path / name)
        assert info.format == ("sqlite" if name.endswith(".db") else "json")
        assert info.rows["units"] == 10 and info.rows["users"] == 4
        _mutate(engine)
        assert _snapshot(engine) != original
        restore(engine, tmp_path / name)
        assert _snapshot(engine) == original
        _assert_append_only_and_usable(engine)
    finally:
        engine.dispose()


def test_sqlite_backup_restores_into_postgresql(sqlite_url: str, postgres_url: str, tmp_path: Path) -> None:
    source = _populated(sqlite_url)
    target = open_database(postgres_url)
    try:
        backup(source, tmp_path / "from-sqlite.db")
        restore(target, tmp_path / "from-sqlite.db")
        assert _snapshot(target) == _snapshot(source)
        with Session(target) as db:
            assert db.scalar(select(ChangeLogRow.new).where(ChangeLogRow.username == "hami")) == \
                {"income": "101.00万元"}
        _assert_append_only_and_usable(target)
        # the web app works on the restored database with the same passwords
        from jixiao.web import create_app

        client = TestClient(create_app(postgres_url))
        assert login(client, "sichuan").status_code == 303
    finally:
        source.dispose()
        target.dispose()


def test_restore_is_all_or_nothing(db_url: str, tmp_path: Path) -> None:
    engine = _populated(db_url)
    try:
        backup(engine, tmp_path / "good.json")
        original = _snapshot(engine)
        # a file that is no backup
        (tmp_path / "junk.json").write_text('{"hello": 1}', encoding="utf-8")
        with pytest.raises(DatabaseError, match="不是 jixiao 备份文件"):
            restore(engine, tmp_path / "junk.json")
        (tmp_path / "junk.db").write_bytes(b"SQLite format 3\x00" + b"\x01" * 2000)
        with pytest.raises(DatabaseError):
            restore(engine, tmp_path / "junk.db")
        # a dump whose rows break a constraint halfway through (two users with one name)
        dump = json.loads((tmp_path / "good.json").read_text(encoding="utf-8"))
        users = dump["tables"]["users"]
        users["rows"].append([999, *users["rows"][0][1:]])
        (tmp_path / "bad.json").write_text(json.dumps(dump, ensure_ascii=False), encoding="utf-8")
        with pytest.raises((DatabaseError, DBAPIError)):
            restore(engine, tmp_path / "bad.json")
        assert _snapshot(engine) == original
        # a backup from a newer schema is refused before anything is touched
        dump["revision"] = "9999"
        (tmp_path / "newer.json").write_text(json.dumps(dump, ensure_ascii=False), encoding="utf-8")
        with pytest.raises(DatabaseError, match="更新"):
            restore(engine, tmp_path / "newer.json")
        assert _snapshot(engine) == original
    finally:
        engine.dispose()


def test_cli_backup_and_restore(db_url: str, tmp_path: Path) -> None:
    engine = _populated(db_url)
    original = _snapshot(engine)
    env = {"JIXIAO_DATABASE_URL": db_url, "JIXIAO_HOME": str(tmp_path)}  # the safety copy of a restore
    runner = CliRunner()
    target = tmp_path / ("b.db" if db_url.startswith("sqlite") else "b.json")
    try:
        done = runner.invoke(cli_app, ["db", "backup", str(target)], env=env)
        assert done.exit_code == 0, done.output
        assert "已备份到" in done.output
        assert inspect_backup(target).rows["users"] == 4
        _mutate(engine)
        refused = runner.invoke(cli_app, ["db", "restore", str(target)], env=env)
        assert refused.exit_code == 1 and "--yes" in refused.output
        restored = runner.invoke(cli_app, ["db", "restore", "--yes", str(target)], env=env)
        assert restored.exit_code == 0, restored.output
        after = _snapshot(engine)
        # the data is the backup's; the change log is the backup's, then what was logged after it
        # (kept), then the restore itself; the unit-years' versions moved past the replaced ones
        moved = {"audit_log", "unit_years"}
        assert {k: v for k, v in after["tables"].items() if k not in moved} == \
               {k: v for k, v in original["tables"].items() if k not in moved}
        log = after["tables"]["audit_log"]["rows"]
        kept = len(original["tables"]["audit_log"]["rows"])
        assert log[:kept] == original["tables"]["audit_log"]["rows"]
        assert log[kept][3] == "later" and log[-1][4:6] == ["restore", "database"]
        assert "另存为" in restored.output and "保留了 1 条" in restored.output
        missing = runner.invoke(cli_app, ["db", "restore", "--yes", str(tmp_path / "nope.db")], env=env)
        assert missing.exit_code == 1 and "找不到备份文件" in missing.output
    finally:
        engine.dispose()


def test_sqlite_backup_is_consistent_while_the_app_writes(sqlite_url: str, tmp_path: Path) -> None:
    """The online backup copies a snapshot: a write transaction open during the backup is not in it."""
    engine = _populated(sqlite_url)
    try:
        before = _snapshot(engine)
        with Session(engine) as writer:
            append_change(writer, user_id=None, username="uncommitted", action="x", entity="x", key="x")
            writer.flush()
            info = backup(engine, tmp_path / "during.db")
            writer.rollback()
        copy = open_database(f"sqlite:///{tmp_path / 'during.db'}")
        try:
            assert _snapshot(copy) == before
        finally:
            copy.dispose()
        assert info.rows["audit_log"] == len(before["tables"]["audit_log"]["rows"])
    finally:
        engine.dispose()


# --------------------------------------------------------------------------------------------
# kill -9 during an import
# --------------------------------------------------------------------------------------------

FUNDS = ("职工基本医疗保险", "职工基本医疗保险统筹基金", "城乡居民基本医疗保险")


def _big_batch(path: Path, n_units: int, year: int = 2021) -> None:
    rng = random.Random(7)
    lines = ["money_unit: 万元", "units:"]
    for i in range(n_units):
        lines.append(f'  - {{code: "K{i:05d}", name: 批量{i}号医保局, level: 县, kind: 医疗保障局, parent: "650000"}}')
    lines.append("fund_years:")
    for i in range(n_units):
        for fund in FUNDS:
            income = rng.randint(1000, 200000)
            spent = int(income * rng.uniform(0.8, 1.1))
            lines += [
                f'  - unit: "K{i:05d}"',
                f"    year: {year}",
                f"    fund: {fund}",
                f'    income: {{total: "{income}.{rng.randint(0, 99):02d}"}}',
                f'    expenditure: {{total: "{spent}.{rng.randint(0, 99):02d}"}}',
                f'    balance: {{opening: "{income * 2}", closing: "{income * 3 - spent}"}}',
            ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_load_killed_while_writing_leaves_sqlite_as_it_was(tmp_path: Path) -> None:
    db_file = tmp_path / "jixiao.db"
    url = f"sqlite:///{db_file}"
    engine = open_database(url)
    assert import_files(engine, example_files()).ok
    with Session(engine) as db:
        before = dump_state(db)
    engine.dispose()
    batch = tmp_path / "big.yaml"
    _big_batch(batch, 1500)
    # write-ahead log: an uncommitted transaction's pages go to the -wal file once they no longer
    # fit the page cache (2 MB); a log that large means the load is writing and has not committed
    wal = Path(f"{db_file}-wal")
    started_at = wal.stat().st_size if wal.exists() else 0
    env = {**os.environ, "JIXIAO_DATABASE_URL": url}
    process = subprocess.Popen([sys.executable, "-m", "jixiao.cli", "load", str(batch)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    started_writing = False
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline and process.poll() is None:
            if wal.exists() and wal.stat().st_size > started_at + 4_000_000:  # writing, not committed
                time.sleep(0.2)
                started_writing = True
                break
            time.sleep(0.01)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert started_writing, f"the load finished or failed before writing: {process.returncode} " \
                            f"{process.stderr.read().decode(errors='replace')[-500:] if process.stderr else ''}"
    assert process.returncode == -signal.SIGKILL
    assert wal.stat().st_size > 4_000_000  # frames without a commit: SQLite ignores them on the next open
    engine = open_database(url)
    try:
        with Session(engine) as db:
            assert dump_state(db) == before
            assert db.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        # and the same load, not killed, then succeeds in full
        outcome = import_files(engine, [batch])
        assert outcome.ok
        with Session(engine) as db:
            assert len(dump_state(db)["units"]) == len(before["units"]) + 1500
    finally:
        engine.dispose()


def test_load_killed_while_writing_leaves_postgresql_as_it_was(postgres_url: str, tmp_path: Path) -> None:
    from sqlalchemy.engine import make_url

    name = f"jixiao_kill_{os.getpid()}"
    url = make_url(postgres_url).update_query_dict({"application_name": name}).render_as_string(hide_password=False)
    engine = open_database(postgres_url)
    try:
        assert import_files(engine, example_files()).ok
        with Session(engine) as db:
            before = dump_state(db)
        batch = tmp_path / "big.yaml"
        _big_batch(batch, 1500)
        env = {**os.environ, "JIXIAO_DATABASE_URL": url}
        process = subprocess.Popen([sys.executable, "-m", "jixiao.cli", "load", str(batch)], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        writing = text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name "
                       "AND backend_xid IS NOT NULL")  # a transaction id: the loader has written
        started_writing = False
        deadline = time.monotonic() + 240
        try:
            with engine.connect() as watch:
                while time.monotonic() < deadline and process.poll() is None:
                    if watch.execute(writing, {"name": name}).scalar():
                        time.sleep(0.2)
                        started_writing = True
                        break
                    watch.rollback()
                    time.sleep(0.02)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
        assert started_writing, process.stderr.read().decode(errors="replace")[-500:] if process.stderr else ""
        assert process.returncode == -signal.SIGKILL
        with Session(engine) as db:
            assert dump_state(db) == before
    finally:
        engine.dispose()
