"""The data revision (jixiao.store.revision) and the per-process caches keyed by it, on SQLite
and PostgreSQL.

What it promises: every write of the data — by the repository, by SQL typed by hand, by a
restore — moves the revision, and nothing else does (logging in is not a data write); a
dashboard, comparison or unit tree a process keeps is never served after a write made by any
other program; and ``jixiao serve --workers 2`` serves the app from two processes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from jixiao.app.imports import import_files
from jixiao.app.pages.comparison import comparison
from jixiao.app.pages.dashboard import unit_year_dashboard
from jixiao.app.pages.tree import unit_tree
from jixiao.model.users import Principal, Role
from jixiao.store import db as store_db
from jixiao.store.backup import backup, restore
from jixiao.store.revision import WATCHED_TABLES, data_revision
from jixiao.store.users import authenticate, create_user
from web_helpers import served

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FILES = [EXAMPLES / "units.yaml", *sorted(EXAMPLES.glob("0*.yaml"))]
ADMIN = Principal(1, "admin", Role.admin)
YIYANG = "430900"  # seed 004, 2020


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = store_db.open_database(db_url)
    outcome = import_files(engine, FILES)
    assert outcome.ok, outcome.problems
    yield engine
    engine.dispose()


def revision_of(engine: Engine) -> int:
    with Session(engine) as s:
        return data_revision(s)


def test_every_watched_table_has_its_triggers(engine: Engine) -> None:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            found = set(conn.execute(text(
                "SELECT event_object_table FROM information_schema.triggers WHERE trigger_name LIKE '%data_revision'"
            )).scalars())
        else:
            found = {name.split("_data_revision")[0] for name in conn.execute(text(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%data_revision%'")).scalars()}
    assert found == set(WATCHED_TABLES)


def test_writes_move_the_revision_and_reads_and_logins_do_not(engine: Engine) -> None:
    start = revision_of(engine)
    # reads, and a user logging in (sessions and users are not data)
    with Session(engine) as s:
        unit_tree(s, ADMIN)
        unit_year_dashboard(s, YIYANG, 2020)
        create_user(s, "reader", "correct-horse-battery", "admin")
        s.commit()
    with Session(engine) as s:
        assert authenticate(s, "reader", "correct-horse-battery", "127.0.0.1").user is not None
        s.commit()
    assert revision_of(engine) == start
    # importing the same data again writes nothing
    assert import_files(engine, FILES).ok
    assert revision_of(engine) == start
    # SQL by hand, on each kind of data
    seen = {start}
    for statement in ("UPDATE units SET name = name || '（改）' WHERE code = '430900'",
                      "UPDATE fund_years SET doc = doc WHERE unit = '430900'",
                      "DELETE FROM record_warnings WHERE record_id IN "
                      "(SELECT id FROM indicator_records WHERE unit = '430900')"):
        with engine.begin() as conn:
            conn.execute(text(statement))
        now = revision_of(engine)
        assert now not in seen, statement
        seen.add(now)


def test_a_value_seen_inside_a_writing_transaction_is_never_the_committed_one(engine: Engine) -> None:
    """PostgreSQL moves the revision at a transaction's first write and again at its commit (not
    once per row: a bulk insert was quadratic); whatever a writer derived between two of its
    writes is kept under a value nobody sees after the commit."""
    def stored(s: Session) -> int:
        return int(s.execute(text("SELECT value FROM data_revision WHERE id = 1")).scalar_one())

    with Session(engine) as s:
        before = stored(s)
        s.execute(text("UPDATE units SET name = name WHERE code = '430900'"))
        middle = stored(s)
        s.execute(text("UPDATE fund_years SET doc = doc WHERE unit = '430900'"))
        s.execute(text("UPDATE record_warnings SET record_id = record_id"))  # many rows, one transaction
        s.commit()
        after = stored(s)
    assert len({before, middle, after}) == 3


def test_a_session_sees_its_own_writes_move_the_revision(engine: Engine) -> None:
    with Session(engine) as s:
        before = data_revision(s)
        s.execute(text("UPDATE units SET name = name WHERE code = '430900'"))
        s.commit()
        assert data_revision(s) != before


def test_cached_views_follow_a_write_by_another_program(engine: Engine, db_url: str) -> None:
    with Session(engine) as s:
        board = unit_year_dashboard(s, YIYANG, 2020)
        assert unit_year_dashboard(s, YIYANG, 2020) is board  # kept: the same object
        tree = unit_tree(s, ADMIN)
        compared = comparison(s, ADMIN, 2020)
        assert comparison(s, ADMIN, 2020) is compared
    name = board.unit.name
    # another program (its own engine, its own connection) renames the unit and edits a figure
    other = store_db.create_db_engine(db_url)
    try:
        with other.begin() as conn:
            conn.execute(text("UPDATE units SET name = '益阳市医疗保障局（新）' WHERE code = :c"), {"c": YIYANG})
    finally:
        other.dispose()
    with Session(engine) as s:
        fresh = unit_year_dashboard(s, YIYANG, 2020)
        assert fresh is not board and fresh.unit.name == "益阳市医疗保障局（新）" != name
        assert unit_tree(s, ADMIN) is not tree
        names = {row.unit: row.name for row in comparison(s, ADMIN, 2020).rows}
        assert names[YIYANG] == "益阳市医疗保障局（新）"


def test_views_kept_before_a_restore_are_not_served_after_it(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "backup"
    backup(engine, path)
    with engine.begin() as conn:  # a change after the backup, seen and kept by this process
        conn.execute(text("UPDATE units SET name = '益阳市医疗保障局（新）' WHERE code = :c"), {"c": YIYANG})
    changed = revision_of(engine)
    with Session(engine) as s:
        assert unit_year_dashboard(s, YIYANG, 2020).unit.name == "益阳市医疗保障局（新）"
    restore(engine, path)
    # a SQLite file copy brings back the backup's own revision, a dump gets a new one: never the one kept
    assert revision_of(engine) != changed
    with Session(engine) as s:
        assert unit_year_dashboard(s, YIYANG, 2020).unit.name == "益阳市医疗保障局"
        assert {r.unit: r.name for r in comparison(s, ADMIN, 2020).rows}[YIYANG] == "益阳市医疗保障局"


def test_serve_with_two_workers_answers_from_both(sqlite_url: str) -> None:
    engine = store_db.open_database(sqlite_url)
    assert import_files(engine, FILES).ok
    engine.dispose()
    with served(sqlite_url, workers=2) as (proc, base):
        children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
        assert len(children) >= 2, children  # the worker processes (and uvicorn's own helpers)
        page = httpx.get(f"{base}/login", timeout=10)
        assert "登录" in page.text


def _rename_elsewhere(url: str, code: str, name: str) -> None:
    """Rename a unit as another program would: SQL on an engine of its own, not this process's."""
    other = store_db.create_db_engine(url)
    try:
        with other.begin() as conn:
            conn.execute(text("UPDATE units SET name = :name WHERE code = :code"), {"name": name, "code": code})
    finally:
        other.dispose()


def test_a_dashboard_page_kept_for_one_user_shows_another_only_what_is_theirs(sqlite_url: str) -> None:
    from web_helpers import csrf_from, logged_in, make_app

    app = make_app(sqlite_url)
    operator, reviewer = logged_in(app, "miyi"), logged_in(app, "sichuan")  # 米易's operator; 四川's reviewer
    path = "/units/510421/years/2019"
    first = operator.get(path)
    second = reviewer.get(path)
    assert first.status_code == second.status_code == 200
    upload = 'href="/units/510421/upload"'  # shown to who may change the unit's data (it has none for 2019)
    assert upload in first.text and upload not in second.text
    from jixiao.web import cached_render

    hits = cached_render._CONTENT.hits
    again = operator.get(path)  # the content kept for the operator, the page around it made anew
    assert cached_render._CONTENT.hits == hits + 1
    assert upload in again.text
    assert csrf_from(first.text) == csrf_from(again.text) != csrf_from(second.text)
    assert again.text.count("米易县医疗保障局") == first.text.count("米易县医疗保障局")
    # a change of the data by another program shows at once
    _rename_elsewhere(sqlite_url, "510421", "米易县医疗保障局（新）")
    assert "米易县医疗保障局（新）" in reviewer.get(path).text
    assert "米易县医疗保障局（新）" in operator.get(path).text


def test_a_columns_most_places_read_as_places_shown_reads_one_display(engine: Engine) -> None:
    from jixiao.app.pages.comparison import _most_places
    from jixiao.calc.registry import places_shown

    with engine.connect() as conn:
        displays = list(conn.execute(text("SELECT display FROM indicator_values")).scalars())
    displays += ["-890.89万元", "23204万元", "15.30%", "不可计算：缺少基金收入", "--1.5", "0.125元/人", "1e5"]
    assert len(displays) > 500
    for display in displays:
        expected = places_shown(display)
        assert _most_places([display], -1) == (-1 if expected is None else expected), display
    known = [p for d in displays if (p := places_shown(d)) is not None]
    assert _most_places(displays, 0) == max(known)


def test_the_comparisons_json_kept_by_the_api_shows_a_change_by_another_program(sqlite_url: str) -> None:
    from web_helpers import logged_in, make_app

    app = make_app(sqlite_url)
    admin = logged_in(app, "admin")
    path = "/api/compare?year=2020&level=all"
    first = admin.get(path)
    assert first.status_code == 200 and "益阳市医疗保障局" in first.text
    assert admin.get(path).content == first.content  # kept: the same answer
    _rename_elsewhere(sqlite_url, "430900", "益阳市医疗保障局（改）")
    assert "益阳市医疗保障局（改）" in admin.get(path).text


def test_a_served_worker_freezes_what_the_app_is_made_of(sqlite_url: str) -> None:
    """``jixiao serve``'s app factory takes the app's own objects out of the collector's walks (a
    full collection of a loaded worker's heap held every request for up to a second)."""
    engine = store_db.open_database(sqlite_url)
    engine.dispose()
    probe = ("import gc, os; from jixiao.web import serve_app; from jixiao.web.app import GC_YOUNG; serve_app(); "
             "print(gc.get_freeze_count(), gc.get_threshold()[0] == GC_YOUNG)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "JIXIAO_DATABASE_URL": sqlite_url}, check=True).stdout.split()
    assert int(out[0]) > 100_000 and out[1] == "True"
