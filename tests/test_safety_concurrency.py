"""Issue 13, items 2 and 5: no lost update on any write path, and a busy database is waited for.

Item 2 as the issue tells it: two operators of 益阳 open the same entry form; A saves 参保人数
388079 → 388080; B then submits the stale form with another change. Before: A's change was gone
and the log said B changed 388080 → 388079. Now B is refused (409) with A's change shown, and
nothing of B's is saved or logged. The same between a form and a workbook upload (either way
round), the API, and ``jixiao load``.

Item 5: a writer that finds SQLite locked by another program waits and retries; past its
patience it answers 503 with a Chinese sentence and Retry-After — never a 500.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

import jixiao.app.busy as busy
from jixiao.app.entry import entry_form, save_entry
from jixiao.app.errors import Conflict
from jixiao.app.imports import import_files
from jixiao.model.users import Principal, Role
from jixiao.store.schema import ChangeLogRow, SessionRow, UnitYearRow
from jixiao.store.users import create_api_token, find_user
from web_helpers import EXAMPLES, logged_in, make_app, page_csrf

YIYANG, YEAR = "430900", 2020
USERS = {"admin": ("admin", None), "yiyang_a": ("operator", YIYANG), "yiyang_b": ("operator", YIYANG)}
EDIT = f"/units/{YIYANG}/years/{YEAR}/edit"


@pytest.fixture
def app(sqlite_url: str) -> Iterator[FastAPI]:
    app = make_app(sqlite_url, USERS)
    yield app
    app.state.engine.dispose()


def _fields(app: FastAPI) -> tuple[str, str, int]:
    """The form names of 参保人数 (388079) and of another figure of the same record, and the version."""
    with Session(app.state.engine) as s:
        form = entry_form(s, YIYANG, YEAR)
    record = next(r for r in form.records if any(f.value == "388079人" for f in r.fields))
    insured = next(f for f in record.fields if f.value == "388079人")
    other = next(f for f in record.fields if f.path == "income.total")
    return insured.name, other.name, form.version


def _form_values(html: str) -> dict[str, str]:
    """Every field of the entry form as the browser would submit it."""
    values = dict(re.findall(r'name="([^"]+\|[^"]+)" value="([^"]*)"', html))
    values["version"] = re.search(r'name="version" value="(\d+)"', html).group(1)  # type: ignore[union-attr]
    values["csrf_token"] = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    return {k: v.replace("&amp;", "&") for k, v in values.items()}


def _stored(app: FastAPI, name: str) -> str:
    with Session(app.state.engine) as s:
        form = entry_form(s, YIYANG, YEAR)
    return next(f.value for r in form.records for f in r.fields if f.name == name)


def _log(app: FastAPI) -> list[ChangeLogRow]:
    with Session(app.state.engine) as s:
        return list(s.scalars(select(ChangeLogRow).where(ChangeLogRow.unit == YIYANG).order_by(ChangeLogRow.id)))


def test_two_operators_one_form_the_stale_one_is_refused_with_the_change_shown(app: FastAPI) -> None:
    insured, other, _ = _fields(app)
    a, b = logged_in(app, "yiyang_a"), logged_in(app, "yiyang_b")
    form_a, form_b = _form_values(a.get(EDIT).text), _form_values(b.get(EDIT).text)
    assert form_a[insured] == "388079人"
    saved = a.post(EDIT, data={**form_a, insured: "388080"}, follow_redirects=False)
    assert saved.status_code == 303
    stale = b.post(EDIT, data={**form_b, other: "27000"})
    assert stale.status_code == 409
    page = stale.text
    assert "未保存" in page and "yiyang_a" in page and "388079人" in page and "388080人" in page
    assert "27000" in page  # B's own value is shown back to B, to enter again on the fresh form
    assert _stored(app, insured) == "388080人" and _stored(app, other) != "27000万元"
    entries = [(e.username, e.old, e.new) for e in _log(app) if e.entity == "figure"]
    assert entries == [("yiyang_a", {"coverage.insured": "388079人"}, {"coverage.insured": "388080人"})]
    # the page B now has is the fresh form: submitted again it is saved
    retry = b.post(EDIT, data={**_form_values(page), other: "27000"}, follow_redirects=False)
    assert retry.status_code == 303
    assert _stored(app, insured) == "388080人" and _stored(app, other) == "27000万元"


def test_a_refused_form_keeps_the_version_it_was_read_at(app: FastAPI) -> None:
    """A form sent back for a typing error must not pick up a newer version on the way."""
    insured, other, _ = _fields(app)
    a, b = logged_in(app, "yiyang_a"), logged_in(app, "yiyang_b")
    form_b = _form_values(b.get(EDIT).text)
    typo = b.post(EDIT, data={**form_b, other: "很多"})
    assert typo.status_code == 422
    assert a.post(EDIT, data={**_form_values(a.get(EDIT).text), insured: "388080"},
                  follow_redirects=False).status_code == 303
    corrected = _form_values(typo.text)
    assert corrected["version"] == form_b["version"]
    assert b.post(EDIT, data={**corrected, other: "27000"}).status_code == 409


def _bearer(app: FastAPI, username: str) -> dict[str, str]:
    with Session(app.state.engine) as s:
        user = find_user(s, username)
        assert user is not None
        token, _ = create_api_token(s, user, "脚本", "write")
        s.commit()
    return {"Authorization": f"Bearer {token}"}


def test_the_api_answers_409_with_what_changed_meanwhile(app: FastAPI) -> None:
    insured, other, version = _fields(app)
    client = TestClient(app)
    url = f"/api/units/{YIYANG}/years/{YEAR}/entry"
    a, b = _bearer(app, "yiyang_a"), _bearer(app, "yiyang_b")
    first = client.post(url, headers=a, json={"version": version, "values": {insured: "388080"}})
    assert first.status_code == 200 and first.json()["version"] == version + 1
    second = client.post(url, headers=b, json={"version": version, "values": {other: "27000"}})
    assert second.status_code == 409
    body = second.json()
    assert "未保存" in body["detail"]
    [stale] = body["stale"]
    assert (stale["unit"], stale["year"], stale["based_on"], stale["current"]) == (YIYANG, YEAR, version, version + 1)
    assert [(m["username"], m["old"], m["new"]) for m in stale["meanwhile"]] == [
        ("yiyang_a", {"coverage.insured": "388079人"}, {"coverage.insured": "388080人"})]
    assert _stored(app, other) != "27000万元"
    # without a version the API does not write at all
    assert client.post(url, headers=b, json={"values": {other: "27000"}}).status_code == 422


def _download(client: TestClient) -> bytes:
    response = client.get(f"/units/{YIYANG}/years/{YEAR}/workbook")
    assert response.status_code == 200
    return response.content


def _upload(client: TestClient, data: bytes) -> object:
    """Upload a workbook and, when its preview is shown, confirm it (the answer to that)."""
    csrf = page_csrf(client, f"/units/{YIYANG}/upload")
    shown = client.post(f"/units/{YIYANG}/upload", data={"csrf_token": csrf},
                        files={"file": ("填报.xlsx", data, "application/octet-stream")}, follow_redirects=False)
    token = re.search(r'name="token" value="([^"]+)"', shown.text)
    if shown.status_code != 200 or token is None:
        return shown
    return client.post(f"/units/{YIYANG}/upload/confirm", data={"csrf_token": csrf, "token": token.group(1)},
                       follow_redirects=False)


def test_a_workbook_downloaded_before_a_form_edit_cannot_undo_it(app: FastAPI) -> None:
    insured, _, _ = _fields(app)
    a, b = logged_in(app, "yiyang_a"), logged_in(app, "yiyang_b")
    workbook = _download(b)
    assert a.post(EDIT, data={**_form_values(a.get(EDIT).text), insured: "388080"},
                  follow_redirects=False).status_code == 303
    refused = _upload(b, workbook)
    assert refused.status_code == 409  # type: ignore[attr-defined]
    assert "yiyang_a" in refused.text and "重新导出" in refused.text  # type: ignore[attr-defined]
    assert _stored(app, insured) == "388080人"
    # a workbook downloaded now is accepted
    assert _upload(b, _download(b)).status_code == 303  # type: ignore[attr-defined]


def test_a_form_opened_before_a_workbook_upload_cannot_undo_it(app: FastAPI) -> None:
    import io

    from openpyxl import load_workbook

    insured, other, _ = _fields(app)
    a, b = logged_in(app, "yiyang_a"), logged_in(app, "yiyang_b")
    form_a = _form_values(a.get(EDIT).text)
    book = load_workbook(io.BytesIO(_download(b)))
    cell = next(c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value in (388079, "388079"))
    cell.value = 388081
    buffer = io.BytesIO()
    book.save(buffer)
    assert _upload(b, buffer.getvalue()).status_code == 303  # type: ignore[attr-defined]
    assert _stored(app, insured) == "388081人"
    stale = a.post(EDIT, data={**form_a, other: "27000"})
    assert stale.status_code == 409 and "工作簿" in stale.text
    assert _stored(app, insured) == "388081人"


def test_a_command_line_load_moves_the_version_on_too(app: FastAPI, tmp_path: Path) -> None:
    insured, other, _ = _fields(app)
    a = logged_in(app, "yiyang_a")
    form_a = _form_values(a.get(EDIT).text)
    changed = tmp_path / "yiyang.yaml"
    changed.write_text((EXAMPLES / "004_yiyang_2020.yaml").read_text(encoding="utf-8")
                       .replace('insured: "388079"', 'insured: "388082"'), encoding="utf-8")
    assert import_files(app.state.engine, [changed]).ok
    stale = a.post(EDIT, data={**form_a, other: "27000"})
    assert stale.status_code == 409 and "命令行导入" in stale.text
    assert _stored(app, insured) == "388082人"


@pytest.fixture
def any_app(db_url: str) -> Iterator[FastAPI]:
    """The app on SQLite and on PostgreSQL."""
    app = make_app(db_url, USERS)
    yield app
    app.state.engine.dispose()


def test_two_writers_racing_with_one_version_one_wins(any_app: FastAPI) -> None:
    """The check and the increment are one statement: submitted at the same moment from two
    threads, exactly one save goes through and the other is a Conflict (SQLite and PostgreSQL)."""
    app = any_app
    insured, other, version = _fields(app)
    with Session(app.state.engine) as s:
        ids = {name: find_user(s, name).id for name in ("yiyang_a", "yiyang_b")}  # type: ignore[union-attr]
    results: dict[str, str] = {}
    barrier = threading.Barrier(2)

    def submit(name: str, values: dict[str, str]) -> None:
        with Session(app.state.engine) as db:
            barrier.wait()
            try:
                save_entry(db, Principal(ids[name], name, Role.operator, YIYANG), YIYANG, YEAR, values, version)
                results[name] = "saved"
            except Conflict:
                results[name] = "conflict"

    threads = [threading.Thread(target=submit, args=("yiyang_a", {insured: "388080"})),
               threading.Thread(target=submit, args=("yiyang_b", {other: "27000"}))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results.values()) == ["conflict", "saved"]
    with Session(app.state.engine) as s:
        assert s.get(UnitYearRow, (YIYANG, YEAR)).version == version + 1  # type: ignore[union-attr]
    winner = next(n for n, r in results.items() if r == "saved")
    assert [e.username for e in _log(app) if e.entity == "figure"] == [winner]


# --------------------------------------------------------------------------------------------
# item 5: the database busy
# --------------------------------------------------------------------------------------------


def _hold_write_lock(url: str, seconds: float, started: threading.Event) -> None:
    conn = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE data_revision SET value = value WHERE id = 1")
    started.set()
    time.sleep(seconds)
    conn.rollback()
    conn.close()


@contextmanager
def _write_lock_held(url: str, seconds: float) -> Iterator[None]:
    """Another program holds SQLite's write lock for ``seconds`` (from a thread) while the body runs."""
    started = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(url, seconds, started))
    holder.start()
    started.wait(10)
    try:
        yield
    finally:
        holder.join()


def test_a_save_waits_for_a_writer_and_logins_and_pages_go_on(app: FastAPI, sqlite_url: str) -> None:
    insured, _, _ = _fields(app)
    a = logged_in(app, "yiyang_a")
    form_a = _form_values(a.get(EDIT).text)
    with _write_lock_held(sqlite_url, 3.0):
        # while another program holds the write lock: reading, the login page, a login itself
        began = time.monotonic()
        assert a.get(f"/units/{YIYANG}/years/{YEAR}").status_code == 200
        assert TestClient(app).get("/login").status_code == 200
        assert time.monotonic() - began < 2.5  # neither waited for the lock
        saved = a.post(EDIT, data={**form_a, insured: "388080"}, follow_redirects=False)
    assert saved.status_code == 303  # waited, then saved
    assert _stored(app, insured) == "388080人"
    fresh = TestClient(app)
    fresh.get("/login")
    assert logged_in(app, "yiyang_b").get("/units").status_code == 200


def test_past_its_patience_a_writer_says_so_with_503(app: FastAPI, sqlite_url: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    insured, _, version = _fields(app)
    monkeypatch.setattr(busy, "WEB_PATIENCE", 1.0)
    client = TestClient(app)
    headers = _bearer(app, "yiyang_a")
    app.state.engine.dispose()  # new connections wait 0.3 s for a lock instead of 10 s
    monkeypatch.setattr("jixiao.store.db.BUSY_TIMEOUT_MS", 300)
    with _write_lock_held(sqlite_url, 4.0):
        answer = client.post(f"/api/units/{YIYANG}/years/{YEAR}/entry", headers=headers,
                             json={"version": version, "values": {insured: "388080"}})
    assert answer.status_code == 503 and "数据库正忙" in answer.json()["detail"]
    assert int(answer.headers["retry-after"]) > 0
    assert _stored(app, insured) == "388079人"


def test_a_session_due_for_its_last_use_stamp_reads_while_a_writer_holds_the_lock(
        app: FastAPI, sqlite_url: str) -> None:
    """The stamp of a session's last use is bookkeeping, written only if the database is free:
    reading the session's user must not flush it first and wait for the lock (a 500 under load)."""
    a = logged_in(app, "yiyang_a")
    policy = app.state.settings.session_policy
    with Session(app.state.engine) as s:  # the session was last used long enough ago to be touched
        for row in s.scalars(select(SessionRow)):
            row.last_seen_at = datetime.now(UTC) - policy.touch_every - timedelta(seconds=5)
        s.commit()
    app.state.engine.dispose()
    with _write_lock_held(sqlite_url, 4.0):
        began = time.monotonic()
        answer = a.get(f"/units/{YIYANG}/years/{YEAR}")
        waited = time.monotonic() - began
    assert answer.status_code == 200 and waited < 3.0
