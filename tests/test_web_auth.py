"""Login, sessions, CSRF, throttling, API tokens, the append-only audit log, ``jixiao user add``.

Everything goes through the real app (FastAPI TestClient) on a SQLite file with the five example
units loaded; the audit-log triggers are also checked on PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from jixiao.cli import app as cli_app
from jixiao.store.changelog import append_change
from jixiao.store.db import open_database
from jixiao.store.schema import ApiTokenRow, ChangeLogRow, LoginAttemptRow, SessionRow, UserRow
from jixiao.store.users import LoginResult, authenticate, now_utc, sha256_hex
from jixiao.web import create_app
from jixiao.web.routes.auth import BAD_LOGIN_MESSAGE
from jixiao.web.security import SESSION_COOKIE, safe_next
from web_helpers import PASSWORD, all_routes, csrf_from, logged_in, login, make_app, page_csrf, whoami_app

PROTECTED = "/tokens"  # a page every logged-in user may see


@pytest.fixture
def app(sqlite_url: str):
    return whoami_app(sqlite_url)


def _db(app) -> Session:
    return Session(app.state.engine)


def _set_cookie_header(response) -> str:
    return response.headers.get("set-cookie", "")


# --------------------------------------------------------------------------------------------
# login, cookies, logout
# --------------------------------------------------------------------------------------------


def test_login_sets_a_new_httponly_samesite_cookie_and_redirects_to_next(app) -> None:
    client = TestClient(app)
    response = login(client, "hami", next_path="/tokens?x=1")
    assert response.status_code == 303
    assert response.headers["location"] == "/tokens?x=1"
    cookie = _set_cookie_header(response)
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http on the test server
    assert client.get("/api/_whoami").json() == {"username": "hami", "role": "operator", "unit": "650500"}


def test_cookie_is_secure_over_https(app) -> None:
    client = TestClient(app, base_url="https://testserver")
    response = login(client, "hami")
    assert response.status_code == 303
    assert "Secure" in _set_cookie_header(response)


def test_wrong_password_and_unknown_user_get_the_same_answer(app) -> None:
    client = TestClient(app)
    wrong = login(client, "hami", "not-the-password")
    unknown = login(client, "nobody", "not-the-password")
    assert wrong.status_code == unknown.status_code == 400
    assert BAD_LOGIN_MESSAGE in wrong.text and BAD_LOGIN_MESSAGE in unknown.text
    assert client.get("/api/_whoami").status_code == 401


def test_unauthenticated_html_redirects_to_login_with_next_and_api_says_401(app) -> None:
    client = TestClient(app)
    response = client.get("/tokens?a=1&b=2", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/tokens%3Fa%3D1%26b%3D2"
    api = client.get("/api/_whoami")
    assert api.status_code == 401
    assert api.headers["content-type"].startswith("application/json")
    assert api.headers["www-authenticate"] == "Bearer"
    # following the redirect through the login form lands on the page asked for
    page = client.get(response.headers["location"])
    done = client.post("/login", data={"username": "hami", "password": PASSWORD, "csrf_token": csrf_from(page.text),
                                       "next": "/tokens?a=1&b=2"}, follow_redirects=False)
    assert done.headers["location"] == "/tokens?a=1&b=2"


def test_session_fixation_pre_login_session_id_is_dead_after_login(app) -> None:
    client = logged_in(app, "miyi")
    client.post("/logout", data={"csrf_token": page_csrf(client)})
    planted = client.cookies.get(SESSION_COOKIE)
    assert planted  # an anonymous session holding the "已退出登录" message for the next page
    response = login(client, "admin")
    assert response.status_code == 303
    fresh = client.cookies.get(SESSION_COOKIE)
    assert fresh and fresh != planted
    # the attacker who planted the id has nothing
    attacker = TestClient(app)
    attacker.cookies.set(SESSION_COOKIE, planted)
    assert attacker.get("/api/_whoami").status_code == 401
    assert attacker.get(PROTECTED, follow_redirects=False).status_code == 303
    with _db(app) as db:
        assert db.get(SessionRow, sha256_hex(planted)) is None
        assert db.get(SessionRow, sha256_hex(fresh)).user_id is not None
    # the CSRF token changed too
    assert page_csrf(client) != csrf_from(TestClient(app).get("/login").text)


def test_session_ids_are_stored_hashed(app) -> None:
    client = logged_in(app, "hami")
    token = client.cookies.get(SESSION_COOKIE)
    with _db(app) as db:
        ids = db.scalars(select(SessionRow.id_hash)).all()
    assert sha256_hex(token) in ids and token not in ids


def test_logout_deletes_the_session(app) -> None:
    client = logged_in(app, "hami")
    old = client.cookies.get(SESSION_COOKIE)
    response = client.post("/logout", data={"csrf_token": page_csrf(client)}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert "已退出登录" in client.get("/login").text  # flash message shown once
    assert "已退出登录" not in client.get("/login").text
    replay = TestClient(app)
    replay.cookies.set(SESSION_COOKIE, old)
    assert replay.get("/api/_whoami").status_code == 401
    with _db(app) as db:
        assert db.get(SessionRow, sha256_hex(old)) is None


def test_logout_needs_csrf(app) -> None:
    client = logged_in(app, "hami")
    assert client.post("/logout", follow_redirects=False).status_code == 403
    assert client.get("/api/_whoami").status_code == 200


def test_idle_and_absolute_expiry(app) -> None:
    policy = app.state.settings.session_policy
    idle_client = logged_in(app, "hami")
    old_client = logged_in(app, "miyi")
    with _db(app) as db:
        db.execute(update(SessionRow).where(SessionRow.id_hash == sha256_hex(idle_client.cookies[SESSION_COOKIE]))
                   .values(last_seen_at=now_utc() - policy.idle - timedelta(minutes=1)))
        # recently active but created longer ago than the absolute limit
        db.execute(update(SessionRow).where(SessionRow.id_hash == sha256_hex(old_client.cookies[SESSION_COOKIE]))
                   .values(created_at=now_utc() - policy.absolute - timedelta(minutes=1), last_seen_at=now_utc()))
        db.commit()
    assert idle_client.get("/api/_whoami").status_code == 401
    assert old_client.get("/api/_whoami").status_code == 401
    fresh = logged_in(app, "sichuan")
    assert fresh.get("/api/_whoami").status_code == 200


def test_disabled_user_loses_sessions_and_cannot_log_in(app) -> None:
    operator = logged_in(app, "hami")
    admin = logged_in(app, "admin")
    with _db(app) as db:
        user_id = db.scalar(select(UserRow.id).where(UserRow.username == "hami"))
    response = admin.post(f"/admin/users/{user_id}/update", data={"active": "0", "csrf_token": page_csrf(admin)},
                          follow_redirects=False)
    assert response.status_code == 303
    assert operator.get("/api/_whoami").status_code == 401
    assert login(TestClient(app), "hami").status_code == 400


# --------------------------------------------------------------------------------------------
# open redirects
# --------------------------------------------------------------------------------------------

EVIL = ["//evil.com", "https://evil.com", "/\\evil.com", "\\\\evil.com", "/\t/evil.com", "/\n/evil.com",
        "javascript:alert(1)", "http:evil.com", "evil.com", "///evil.com", " /x", ""]


@pytest.mark.parametrize("target", EVIL)
def test_safe_next_refuses_anything_but_a_local_path(target: str) -> None:
    assert safe_next(target) == "/"


def test_safe_next_keeps_local_paths() -> None:
    assert safe_next("/units/650500?year=2019#x") == "/units/650500?year=2019#x"
    assert safe_next("/") == "/"


@pytest.mark.parametrize("target", ["//evil.com", "https://evil.com", "/\\evil.com", "/%09/evil.com"])
def test_login_never_redirects_off_site(app, target: str) -> None:
    client = TestClient(app)
    response = login(client, "hami", next_path=target)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/") and not location.startswith("//") and "\\" not in location
    assert "evil.com" not in location or location.startswith("/%09")
    # already logged in: GET /login?next=... redirects too, just as safely
    again = client.get("/login", params={"next": target}, follow_redirects=False)
    assert again.status_code == 303
    assert not again.headers["location"].startswith("//") and "://" not in again.headers["location"]


def test_login_form_escapes_next(app) -> None:
    page = TestClient(app).get("/login", params={"next": '/x"><script>alert(1)</script>'})
    assert "<script>alert(1)" not in page.text
    assert 'value="/x&#34;&gt;&lt;script&gt;' in page.text or 'value="/"' in page.text


# --------------------------------------------------------------------------------------------
# throttling
# --------------------------------------------------------------------------------------------


def test_five_failures_for_a_username_slow_that_name_from_that_address_only(app) -> None:
    client = TestClient(app)
    for _ in range(5):
        assert login(client, "hami", "wrong-password").status_code == 400
    blocked = login(client, "hami", PASSWORD)
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
    assert "其他用户不受影响" in blocked.text
    assert client.get("/api/_whoami").status_code == 401
    # the same office (same address), another user: not affected
    assert login(TestClient(app), "miyi").status_code == 303
    with _db(app) as db:  # the same user from another address: not affected either
        assert authenticate(db, "hami", PASSWORD, "10.0.0.9").result is LoginResult.ok
        # once the delay has passed, the right password works from the first address too
        later = authenticate(db, "hami", PASSWORD, "testclient", now=now_utc() + timedelta(minutes=1))
        assert later.result is LoginResult.ok


def test_failures_before_a_success_do_not_count_for_the_username(app) -> None:
    with _db(app) as db:
        for _ in range(4):
            assert authenticate(db, "sichuan", "nope", "10.1.0.1").result is LoginResult.bad
        assert authenticate(db, "sichuan", PASSWORD, "10.1.0.1").result is LoginResult.ok
        for _ in range(4):
            assert authenticate(db, "sichuan", "nope", "10.1.0.1").result is LoginResult.bad
        assert authenticate(db, "sichuan", PASSWORD, "10.1.0.1").result is LoginResult.ok
        assert db.scalar(select(LoginAttemptRow.id).where(LoginAttemptRow.username == "sichuan")) is not None


# --------------------------------------------------------------------------------------------
# CSRF
# --------------------------------------------------------------------------------------------


def test_csrf_missing_wrong_or_foreign_token_is_refused(app) -> None:
    client = logged_in(app, "hami")
    other = logged_in(app, "miyi")
    mine, theirs = page_csrf(client), page_csrf(other)
    assert mine != theirs
    for data in ({"name": "t"}, {"name": "t", "csrf_token": "x" * 43}, {"name": "t", "csrf_token": theirs},
                 {"name": "t", "csrf_token": ""}):
        response = client.post("/tokens", data=data)
        assert response.status_code == 403, data
        assert "CSRF" in response.text
    with _db(app) as db:
        assert db.scalar(select(ApiTokenRow.id)) is None
    assert client.post("/tokens", data={"name": "t", "csrf_token": mine}).status_code == 200
    # the header works for HTMX / fetch
    assert client.post("/tokens", data={"name": "t2"}, headers={"X-CSRF-Token": mine}).status_code == 200
    assert client.post("/tokens", data={"name": "t3"}, headers={"X-CSRF-Token": theirs}).status_code == 403


def test_login_form_itself_needs_csrf(app) -> None:
    client = TestClient(app)
    response = client.post("/login", data={"username": "hami", "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 403
    assert client.get("/api/_whoami").status_code == 401


def test_csrf_page_is_chinese_html_for_browsers(app) -> None:
    client = logged_in(app, "hami")
    response = client.post("/tokens", data={"name": "t"}, headers={"Accept": "text/html"})
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "安全校验失败" in response.text and 'lang="zh-CN"' in response.text


# --------------------------------------------------------------------------------------------
# API tokens
# --------------------------------------------------------------------------------------------


def _new_token(client: TestClient, name: str = "脚本") -> str:
    import re

    response = client.post("/tokens", data={"name": name, "csrf_token": page_csrf(client)})
    assert response.status_code == 200
    match = re.search(r'class="token-once">(jx_[A-Za-z0-9_\-]+)<', response.text)
    assert match, "token not shown"
    return match.group(1)


def test_api_token_acts_as_its_user_is_stored_hashed_and_shown_once(app, sqlite_url: str) -> None:
    operator = logged_in(app, "hami")
    token = _new_token(operator)
    script = TestClient(app)
    bearer = {"Authorization": f"Bearer {token}"}
    assert script.get("/api/_whoami", headers=bearer).json()["username"] == "hami"
    assert token not in operator.get("/tokens").text  # listed by prefix only, never again in full
    with _db(app) as db:
        row = db.scalar(select(ApiTokenRow))
        assert row.token_hash == sha256_hex(token)
        assert row.last_used_at is not None
    db_file = Path(sqlite_url.removeprefix("sqlite:///"))
    assert token.encode() not in db_file.read_bytes()
    # token requests are exempt from CSRF (no cookie, the header cannot be forged cross-site), but a
    # token may not make tokens (they would outlive its revocation)
    assert script.post("/tokens", data={"name": "by script"}, headers=bearer).status_code == 403
    # a wrong or revoked token is no login
    assert script.get("/api/_whoami", headers={"Authorization": f"Bearer {token}x"}).status_code == 401
    with _db(app) as db:
        token_id = db.scalar(select(ApiTokenRow.id).where(ApiTokenRow.name == "脚本"))
    revoke = operator.post(f"/tokens/{token_id}/revoke", data={"csrf_token": page_csrf(operator)},
                           follow_redirects=False)
    assert revoke.status_code == 303
    assert script.get("/api/_whoami", headers=bearer).status_code == 401


def test_a_user_cannot_revoke_someone_elses_token(app) -> None:
    owner = logged_in(app, "miyi")
    token = _new_token(owner)
    with _db(app) as db:
        token_id = db.scalar(select(ApiTokenRow.id))
    intruder = logged_in(app, "hami")
    assert "jx_" not in intruder.get("/tokens").text.split("<tbody>")[1].split("</tbody>")[0]
    response = intruder.post(f"/tokens/{token_id}/revoke", data={"csrf_token": page_csrf(intruder)})
    assert response.status_code == 404
    assert TestClient(app).get("/api/_whoami", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_admin_pages_are_for_admins_only(app) -> None:
    for name in ("hami", "sichuan"):
        client = logged_in(app, name)
        for path in ("/admin", "/admin/users", "/admin/units", "/admin/rules", "/admin/audit"):
            assert client.get(path, follow_redirects=False).status_code == 403, (name, path)
        csrf = page_csrf(client)
        assert client.post("/admin/users", data={"username": "evil", "password": "long-enough-1",
                                                 "role": "admin", "csrf_token": csrf}).status_code == 403
    with _db(app) as db:
        assert db.scalar(select(UserRow).where(UserRow.username == "evil")) is None


def test_passwords_are_argon2_hashes(app) -> None:
    with _db(app) as db:
        hashes = db.scalars(select(UserRow.password_hash)).all()
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert all(PASSWORD not in h for h in hashes)


# --------------------------------------------------------------------------------------------
# audit log
# --------------------------------------------------------------------------------------------


def test_admin_changes_are_in_the_audit_log_with_old_and_new(app) -> None:
    admin = logged_in(app, "admin")
    with _db(app) as db:
        user_id = db.scalar(select(UserRow.id).where(UserRow.username == "miyi"))
    admin.post(f"/admin/users/{user_id}/update", data={"role": "reviewer", "unit": "510400",
                                                       "csrf_token": page_csrf(admin)})
    with _db(app) as db:
        entry = db.scalar(select(ChangeLogRow).where(ChangeLogRow.entity == "user", ChangeLogRow.key == "miyi"))
    assert entry is not None and entry.username == "admin" and entry.action == "update"
    assert entry.old["role"] == "operator" and entry.old["unit"] == "510421"
    assert entry.new["role"] == "reviewer" and entry.new["unit"] == "510400"
    assert entry.at is not None
    page = admin.get("/admin/audit", params={"entity": "user", "key": "miyi"})
    assert "510421" in page.text and "510400" in page.text


def test_no_route_changes_the_audit_log(app) -> None:
    routes = all_routes(app)
    assert any(path == "/admin/audit" for path, _ in routes)
    for path, route in routes:
        if path.startswith("/admin/audit"):
            assert route.methods <= {"GET", "HEAD"}, (path, route.methods)
    # and no endpoint's code touches the audit table except through record_change (appending)
    import inspect

    for path, route in routes:
        source = inspect.getsource(route.endpoint)
        assert "ChangeLogRow" not in source and "audit_log" not in source, path


def test_audit_log_is_append_only_in_the_database(db_url: str) -> None:
    engine = open_database(db_url)
    try:
        with Session(engine) as db:
            append_change(db, user_id=None, username="tester", action="create", entity="unit", key="X",
                         old=None, new={"name": "甲"})
            db.commit()
        for statement in ("UPDATE audit_log SET username = 'mallory'", "DELETE FROM audit_log"):
            with engine.connect() as conn, pytest.raises(DBAPIError) as excinfo:
                conn.execute(text(statement))
                conn.commit()
            assert "只能追加" in str(excinfo.value)
        if engine.dialect.name == "postgresql":
            with engine.connect() as conn, pytest.raises(DBAPIError):
                conn.execute(text("TRUNCATE audit_log"))
                conn.commit()
        with Session(engine) as db:
            rows = db.scalars(select(ChangeLogRow)).all()
            assert [(r.username, r.new) for r in rows] == [("tester", {"name": "甲"})]
            # appending still works
            append_change(db, user_id=None, username="tester", action="update", entity="unit", key="X")
            db.commit()
            assert db.scalar(select(text("count(*)")).select_from(ChangeLogRow)) == 2
    finally:
        engine.dispose()


# --------------------------------------------------------------------------------------------
# jixiao user add
# --------------------------------------------------------------------------------------------


def _cli(args: list[str], env: dict[str, str], stdin: str = "") -> Result:
    return CliRunner().invoke(cli_app, args, input=stdin, env=env)


def test_cli_user_add_then_log_in(sqlite_url: str) -> None:
    make_app(sqlite_url, users={})
    env = {"JIXIAO_DATABASE_URL": sqlite_url}
    added = _cli(["user", "add", "新用户", "--role", "operator", "--unit", "650500", "--password-stdin"], env,
                 "a-long-password\n")
    assert added.exit_code == 0, added.output
    assert "已添加用户 新用户" in added.stdout
    refused = _cli(["user", "add", "x", "--role", "operator", "--password-stdin"], env, "a-long-password\n")
    assert refused.exit_code == 1 and "必须指定所属单位" in refused.output
    short = _cli(["user", "add", "y", "--role", "admin", "--password-stdin"], env, "short\n")
    assert short.exit_code == 1 and "密码太短" in short.output
    no_tty = _cli(["user", "add", "z", "--role", "admin"], env)
    assert no_tty.exit_code == 1 and "--password-stdin" in no_tty.output
    generated = _cli(["user", "add", "boss", "--role", "admin", "--generate-password"], env)
    assert generated.exit_code == 0
    password = generated.stdout.split("密码（只显示这一次）：")[1].split()[0]

    web = create_app(sqlite_url)
    client = TestClient(web)
    assert login(client, "新用户", "a-long-password").status_code == 303
    boss = TestClient(web)
    assert login(boss, "boss", password).status_code == 303
    with Session(web.state.engine) as db:
        entries = db.scalars(select(ChangeLogRow).where(ChangeLogRow.entity == "user")).all()
    assert {e.key for e in entries} == {"新用户", "boss"}
    assert all(e.username == "（系统）" and e.detail for e in entries)


def test_reviewer_principal_is_their_region(app) -> None:
    client = logged_in(app, "sichuan")
    assert client.get("/api/_whoami").json() == {"username": "sichuan", "role": "reviewer", "unit": "510000"}
