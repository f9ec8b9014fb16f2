"""What a process keeps of a login for a few seconds (jixiao.store.auth_cache): a change made
through this process ends a kept login at once; one made by another process (here: SQL the
process did not write) within the cache's TTL; flash messages stored by another process are
still shown on the next page."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from jixiao.store import auth_cache
from jixiao.store.schema import ApiTokenRow, SessionRow, UserRow
from jixiao.store.users import sha256_hex
from jixiao.web.security import FLASH_COOKIE, SESSION_COOKIE
from web_helpers import logged_in, page_csrf, whoami_app


@pytest.fixture
def app(sqlite_url: str):
    auth_cache.AUTH_CACHE.clear()
    return whoami_app(sqlite_url)


def _token(client: TestClient) -> str:
    response = client.post("/tokens", data={"name": "脚本", "csrf_token": page_csrf(client)})
    match = re.search(r'class="token-once">(jx_[A-Za-z0-9_\-]+)<', response.text)
    assert match, "token not shown"
    return match.group(1)


def _user_id(app, username: str) -> int:
    with Session(app.state.engine) as db:
        return int(db.scalar(select(UserRow.id).where(UserRow.username == username)))


def test_disabling_a_user_ends_their_kept_session_and_token_at_once(app) -> None:
    operator = logged_in(app, "hami")
    bearer = {"Authorization": f"Bearer {_token(operator)}"}
    script = TestClient(app)
    # both are read (and kept) now
    assert operator.get("/api/_whoami").json()["username"] == "hami"
    assert script.get("/api/_whoami", headers=bearer).json()["username"] == "hami"
    admin = logged_in(app, "admin")
    response = admin.post(f"/admin/users/{_user_id(app, 'hami')}/update",
                          data={"active": "0", "csrf_token": page_csrf(admin)}, follow_redirects=False)
    assert response.status_code == 303
    assert operator.get("/api/_whoami").status_code == 401
    assert script.get("/api/_whoami", headers=bearer).status_code == 401


def test_a_role_change_is_seen_at_once(app) -> None:
    reviewer = logged_in(app, "sichuan")
    before = reviewer.get("/api/_whoami").json()
    admin = logged_in(app, "admin")
    response = admin.post(f"/admin/users/{_user_id(app, 'sichuan')}/update",
                          data={"role": "admin", "unit": "", "csrf_token": page_csrf(admin)}, follow_redirects=False)
    assert response.status_code == 303
    assert before["role"] != "admin"
    assert reviewer.get("/api/_whoami").json()["role"] == "admin"


def test_a_change_by_another_process_is_seen_within_the_ttl(app, monkeypatch: pytest.MonkeyPatch) -> None:
    operator = logged_in(app, "hami")
    bearer = {"Authorization": f"Bearer {_token(operator)}"}
    script = TestClient(app)
    assert operator.get("/api/_whoami").status_code == 200
    assert script.get("/api/_whoami", headers=bearer).status_code == 200
    # another process disables the user: this one learns nothing of it
    with Session(app.state.engine) as db:
        db.execute(update(UserRow).where(UserRow.username == "hami").values(active=False))
        db.commit()
    # until the kept answers run out they still let the user in (that is the cache at work) …
    assert operator.get("/api/_whoami").status_code == 200
    assert script.get("/api/_whoami", headers=bearer).status_code == 200
    # … and not a moment after
    now = auth_cache.time.monotonic()
    monkeypatch.setattr(auth_cache.time, "monotonic", lambda: now + auth_cache.TTL + 0.1)
    assert operator.get("/api/_whoami").status_code == 401
    assert script.get("/api/_whoami", headers=bearer).status_code == 401
    assert auth_cache.TTL <= 10  # "within seconds"


def test_logout_ends_the_kept_session(app) -> None:
    client = logged_in(app, "hami")
    old = client.cookies.get(SESSION_COOKIE)
    assert client.get("/api/_whoami").status_code == 200  # kept
    response = client.post("/logout", data={"csrf_token": page_csrf(client)}, follow_redirects=False)
    assert response.status_code == 303
    replay = TestClient(app)
    replay.cookies.set(SESSION_COOKIE, old)
    assert replay.get("/api/_whoami").status_code == 401


def test_flash_messages_stored_by_another_process_are_shown(app) -> None:
    client = logged_in(app, "hami")
    assert "来自另一进程的消息" not in client.get("/tokens").text  # the session is kept now
    cookie = client.cookies.get(SESSION_COOKIE)
    # another process answered a form of this session: it stored a message and told the browser
    with Session(app.state.engine) as db:
        db.execute(update(SessionRow).where(SessionRow.id_hash == sha256_hex(cookie))
                   .values(flashes=[{"message": "来自另一进程的消息", "category": "success"}]))
        db.commit()
    client.cookies.set(FLASH_COOKIE, "1", domain="testserver.local")  # as the other process set it
    page = client.get("/tokens")
    assert "来自另一进程的消息" in page.text
    assert f"{FLASH_COOKIE}=" in page.headers.get("set-cookie", "")  # the marker is cleared …
    assert FLASH_COOKIE not in client.cookies
    assert "来自另一进程的消息" not in client.get("/tokens").text  # … and the message shown once


def test_a_message_for_the_next_page_travels_with_the_marker(app) -> None:
    client = logged_in(app, "hami")
    _token(client)
    with Session(app.state.engine) as db:
        token_id = db.scalar(select(ApiTokenRow.id).where(ApiTokenRow.name == "脚本"))
    client.get("/tokens")  # the session is kept now
    response = client.post(f"/tokens/{token_id}/revoke", data={"csrf_token": page_csrf(client)},
                           follow_redirects=False)
    assert response.status_code == 303
    assert client.cookies.get(FLASH_COOKIE) == "1"
    assert "已吊销令牌" in client.get("/tokens").text
    assert FLASH_COOKIE not in client.cookies
    assert "已吊销令牌" not in client.get("/tokens").text
