"""Issue 13, items 7, 8 and 10: tokens, lockout, passwords, sessions, the comparison's years,
a chunked body over the limit.

Each test first does what the issue reports was possible and shows it no longer is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from jixiao.app.people import reset_password
from jixiao.cli import app as cli_app
from jixiao.store.schema import ApiTokenRow, LoginAttemptRow, SessionRow
from jixiao.store.users import (
    FREE_FAILURES,
    MAX_DELAY,
    AuthError,
    LoginResult,
    authenticate,
    check_password_strength,
    failure_delay,
    find_user,
    login_wait,
    now_utc,
)
from web_helpers import HAMI, PASSWORD, logged_in, login, make_app, page_csrf


@pytest.fixture
def app(sqlite_url: str) -> Iterator[FastAPI]:
    app = make_app(sqlite_url)
    yield app
    app.state.engine.dispose()


def _token(client: TestClient, scope: str = "write", name: str = "脚本") -> str:
    response = client.post("/tokens", data={"name": name, "scope": scope, "csrf_token": page_csrf(client)})
    assert response.status_code == 200, response.text[:300]
    match = re.search(r'class="token-once">(jx_[A-Za-z0-9_\-]+)<', response.text)
    assert match
    return match.group(1)


def _works(app: FastAPI, token: str) -> bool:
    return TestClient(app).get("/api/units", headers={"Authorization": f"Bearer {token}"}).status_code == 200


# --------------------------------------------------------------------------------------------
# item 7: tokens
# --------------------------------------------------------------------------------------------


def test_a_password_reset_by_an_admin_or_the_cli_revokes_every_token(app: FastAPI, sqlite_url: str) -> None:
    hami = logged_in(app, "hami")
    first, second = _token(hami), _token(hami, name="第二个")
    assert _works(app, first) and _works(app, second)
    admin = logged_in(app, "admin")
    with Session(app.state.engine) as db:
        user_id = find_user(db, "hami").id  # type: ignore[union-attr]
    done = admin.post(f"/admin/users/{user_id}/password",
                      data={"password": "Ein-neues-Passwort-2026", "csrf_token": page_csrf(admin, "/admin/users")})
    assert done.status_code == 200
    assert not _works(app, first) and not _works(app, second)
    # the command line too
    third = _token(logged_in_as(app, "hami", "Ein-neues-Passwort-2026"))
    runner = CliRunner()
    result = runner.invoke(cli_app, ["user", "passwd", "hami", "--password-stdin"],
                           input="Noch-ein-Passwort-2027\n", env={"JIXIAO_DATABASE_URL": sqlite_url})
    assert result.exit_code == 0, result.output
    assert not _works(app, third)


def logged_in_as(app: FastAPI, username: str, password: str) -> TestClient:
    client = TestClient(app)
    assert login(client, username, password).status_code == 303  # type: ignore[attr-defined]
    return client


def test_a_token_cannot_make_tokens_so_revoking_it_ends_its_line(app: FastAPI) -> None:
    token = _token(logged_in(app, "hami"))
    script = TestClient(app)
    bearer = {"Authorization": f"Bearer {token}"}
    minted = script.post("/tokens", data={"name": "新令牌", "scope": "write"}, headers=bearer)
    assert minted.status_code == 403 and "jx_" not in minted.text
    for path in ("/admin/users", "/admin/units"):
        assert script.post(path, data={"username": "x"}, headers=bearer).status_code == 403
    with Session(app.state.engine) as db:
        assert db.scalar(select(func.count()).select_from(ApiTokenRow)) == 1


def test_disabling_revokes_and_enabling_again_revives_nothing(app: FastAPI) -> None:
    token = _token(logged_in(app, "miyi"))
    admin = logged_in(app, "admin")
    with Session(app.state.engine) as db:
        user_id = find_user(db, "miyi").id  # type: ignore[union-attr]
    for active in ("0", "1"):
        response = admin.post(f"/admin/users/{user_id}/update",
                              data={"active": active, "csrf_token": page_csrf(admin, "/admin/users")},
                              follow_redirects=False)
        assert response.status_code == 303
    assert login(TestClient(app), "miyi").status_code == 303  # type: ignore[attr-defined]
    assert not _works(app, token)


def test_scopes_a_read_only_token_reads_and_changes_nothing(app: FastAPI) -> None:
    hami = logged_in(app, "hami")
    read, write = _token(hami, "read", "只读"), _token(hami, "write", "读写")
    client = TestClient(app)
    unit = client.get(f"/api/units/{HAMI}", headers={"Authorization": f"Bearer {read}"})
    assert unit.status_code == 200 and unit.json()["editable"] is False
    form = client.get(f"/api/units/{HAMI}/years/2019/entry", headers={"Authorization": f"Bearer {write}"}).json()
    field = next(f for r in form["records"] for f in r["fields"] if f["path"] == "coverage.insured")
    body = {"version": form["version"], "values": {field["name"]: "12345"}}
    refused = client.post(f"/api/units/{HAMI}/years/2019/entry", headers={"Authorization": f"Bearer {read}"},
                          json=body)
    assert refused.status_code == 403 and "只读" in refused.json()["detail"]
    assert client.post(f"/api/units/{HAMI}/years/2019/entry", headers={"Authorization": f"Bearer {write}"},
                       json=body).status_code == 200
    assert "只读" in hami.get("/tokens").text and "读写" in hami.get("/tokens").text


# --------------------------------------------------------------------------------------------
# item 8: lockout
# --------------------------------------------------------------------------------------------


def test_one_person_mistyping_does_not_lock_out_the_office(app: FastAPI) -> None:
    office = TestClient(app)  # every client here has the same address
    for _ in range(FREE_FAILURES):
        assert login(office, "hami", "wrong-password-1").status_code == 400  # type: ignore[attr-defined]
    assert login(office, "hami", PASSWORD).status_code == 429  # type: ignore[attr-defined]
    for colleague in ("miyi", "sichuan", "admin"):
        assert login(TestClient(app), colleague).status_code == 303  # type: ignore[attr-defined]


def test_nobody_can_keep_another_user_locked_out(app: FastAPI) -> None:
    """An attacker elsewhere who keeps failing for 'hami' slows only their own tries."""
    start = now_utc()
    with Session(app.state.engine) as db:
        for minute in range(0, 120, 5):  # 5 tries every 5 minutes for two hours
            for i in range(5):
                authenticate(db, "hami", "guess", "203.0.113.9", now=start + timedelta(minutes=minute, seconds=i))
        db.commit()
        tried = db.scalar(select(func.count()).select_from(LoginAttemptRow).where(LoginAttemptRow.ip == "203.0.113.9"))
        assert tried is not None and tried < 20  # of 120 tries, the growing delays let few be looked at
        assert login_wait(db, "hami", "203.0.113.9", start + timedelta(minutes=116)) > timedelta(0)
        owner = authenticate(db, "hami", PASSWORD, "198.51.100.20", now=start + timedelta(minutes=120))
        assert owner.result is LoginResult.ok


def test_throttled_tries_do_not_count_and_the_delays_grow_to_a_bound(app: FastAPI) -> None:
    start = now_utc()
    with Session(app.state.engine) as db:
        for i in range(FREE_FAILURES):
            assert authenticate(db, "miyi", "nope", "10.9.9.9", now=start + timedelta(seconds=i)).result \
                is LoginResult.bad
        before = db.scalar(select(func.count()).select_from(LoginAttemptRow))
        for i in range(50):  # hammering while throttled
            outcome = authenticate(db, "miyi", PASSWORD, "10.9.9.9", now=start + timedelta(seconds=10 + i / 10))
            assert outcome.result is LoginResult.throttled and outcome.retry_after > timedelta(0)
        assert db.scalar(select(func.count()).select_from(LoginAttemptRow)) == before  # none recorded
        # waiting out the (first, short) delay is enough: the hammering did not lengthen it
        later = authenticate(db, "miyi", PASSWORD, "10.9.9.9", now=start + timedelta(seconds=40))
        assert later.result is LoginResult.ok
    delays = [failure_delay(n) for n in range(FREE_FAILURES, FREE_FAILURES + 12)]
    assert delays == sorted(delays) and delays[0] < delays[3] and max(delays) == MAX_DELAY


def test_many_names_from_one_address_are_slowed_but_known_users_there_are_not(app: FastAPI) -> None:
    start = now_utc()
    with Session(app.state.engine) as db:
        assert authenticate(db, "sichuan", PASSWORD, "10.5.5.5", now=start).result is LoginResult.ok
        for i in range(40):  # someone trying forty names
            authenticate(db, f"user{i}", "x", "10.5.5.5", now=start + timedelta(seconds=i))
        assert authenticate(db, "someone-new", "x", "10.5.5.5", now=start + timedelta(seconds=41)).result \
            is LoginResult.throttled
        assert authenticate(db, "sichuan", PASSWORD, "10.5.5.5", now=start + timedelta(seconds=42)).result \
            is LoginResult.ok


# --------------------------------------------------------------------------------------------
# item 10: passwords, sessions, the comparison's years, a chunked body
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["12345678", "aaaaaaaa", "1234567890", "aaaaaaaaaaaa", "password123",
                                      "qwertyuiop", "hami123456", "woaini1314"])
def test_short_common_and_trivial_passwords_are_refused(password: str) -> None:
    with pytest.raises(AuthError, match="密码"):
        check_password_strength(password, ("hami", None, "650500"))


def test_a_long_uncommon_password_is_accepted_and_the_reason_is_said() -> None:
    check_password_strength("绩效-自评-2026-春")
    check_password_strength("correct-horse-battery")
    with pytest.raises(AuthError, match="至少 10 个字符"):
        check_password_strength("Xy7#kq2!")
    with pytest.raises(AuthError, match="用户名"):
        check_password_strength("zhangsanfeng2026", ("zhangsanfeng2026",))


def test_weak_passwords_are_refused_by_every_way_of_setting_one(app: FastAPI) -> None:
    with Session(app.state.engine) as db:
        from jixiao.app.errors import InvalidRequest

        with pytest.raises(InvalidRequest, match="密码"):
            reset_password(db, None, find_user(db, "hami"), "12345678")  # type: ignore[arg-type]
    admin = logged_in(app, "admin")
    added = admin.post("/admin/users", data={"username": "new1", "password": "aaaaaaaaaa", "role": "admin",
                                             "csrf_token": page_csrf(admin, "/admin/users")})
    assert "未能添加用户" in added.text
    with Session(app.state.engine) as db:
        assert find_user(db, "new1") is None


def _sessions(app: FastAPI) -> int:
    with Session(app.state.engine) as db:
        return int(db.scalar(select(func.count()).select_from(SessionRow)) or 0)


def test_the_login_page_stores_no_session_yet_its_form_still_works(app: FastAPI) -> None:
    before = _sessions(app)
    for _ in range(20):
        assert TestClient(app).get("/login").status_code == 200
    assert _sessions(app) == before
    client = TestClient(app)
    assert login(client, "hami").status_code == 303  # type: ignore[attr-defined]
    assert _sessions(app) == before + 1
    # the form's token is bound to the browser's cookie: another browser's token does not pass
    other = TestClient(app)
    page = other.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    stranger = TestClient(app)
    stranger.get("/login")
    refused = stranger.post("/login", data={"username": "hami", "password": PASSWORD, "csrf_token": token})
    assert refused.status_code == 403


def test_the_comparison_lists_only_the_years_of_readable_units(app: FastAPI) -> None:
    hami = logged_in(app, "hami")  # 哈密 has 2019 data only
    admin = logged_in(app, "admin")
    mine = hami.get("/api/compare", params={"year": 2019}).json()["years"]
    everyone = admin.get("/api/compare", params={"year": 2019}).json()["years"]
    assert mine == [2019] and set(everyone) > {2019}


def test_a_chunked_body_over_the_limit_is_413(app: FastAPI) -> None:
    client = logged_in(app, "hami")
    limit = app.state.settings.max_upload_bytes

    def body() -> Iterator[bytes]:
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.xlsx"\r\n\r\n'
        for _ in range(limit // 65536 + 40):
            yield b"A" * 65536
        yield b"\r\n--b--\r\n"

    headers = {"X-CSRF-Token": page_csrf(client), "Content-Type": "multipart/form-data; boundary=b"}
    response = client.post(f"/api/units/{HAMI}/workbook", content=body(), headers=headers)
    assert response.status_code == 413 and "太大" in response.json()["detail"]
