"""Security of the web app, checked over EVERY route the app has (pages, API, admin, auth),
found by walking ``app.routes`` — so routes added later are covered without editing this file.

- an operator cannot read or change another unit's data through any route with a ``{unit}``
  parameter (404, the same answer as for a unit that does not exist), a reviewer changes nothing
  and reads nothing outside their region; pages without ``{unit}`` show no other unit's name;
- every unsafe method refuses a missing or wrong CSRF token; anonymous requests get nothing;
- injection attempts (SQL-ish and HTML/script strings) in usernames, unit names, form fields,
  query strings and paths are stored verbatim, rendered escaped and harmless to the queries;
- uploads beyond the limits are refused (413 too large, 415 wrong type by content, 400 zip bomb)
  by the helper and by every route that takes a file.
"""

from __future__ import annotations

import asyncio
import io
import re
import zipfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, UploadFile
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jixiao.app.imports import import_files
from jixiao.store.repository import dump_state
from jixiao.store.schema import ChangeLogRow, UnitRow, UserRow
from jixiao.web.security import UploadError, read_upload, safe_filename, sniff
from web_helpers import EXAMPLES, HAMI, OTHER_UNITS, PASSWORD, all_routes, logged_in, login, make_app, page_csrf

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"
#: names of units 哈密 (650500) may not see; the reviewer of 四川 may not see the first four
NOT_HAMI = ("益阳市医疗保障局", "株洲市医疗保险处", "湖南省医疗保障局", "米易县医疗保障局", "四川省医疗保障局",
            "攀枝花市医疗保障局", "新疆维吾尔自治区医疗保障局")
NOT_SICHUAN = ("益阳市医疗保障局", "株洲市医疗保险处", "湖南省医疗保障局", "哈密市医疗保障局")
MISSING_UNIT = "999999-99"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    app = make_app(f"sqlite:///{tmp_path_factory.mktemp('security') / 'security.db'}")
    # 哈密's months too: the monitoring downloads of 2019 are reachable for its operator
    assert import_files(app.state.engine, [EXAMPLES / "periods" / "650500_hami_monthly.yaml"]).ok
    return app


@pytest.fixture(scope="module")
def routes(app: FastAPI) -> list[tuple[str, APIRoute]]:
    found = all_routes(app)
    assert len(found) > 10
    return found


def _unit_routes(routes: list[tuple[str, APIRoute]]) -> list[tuple[str, APIRoute]]:
    found = [(p, r) for p, r in routes if "{unit}" in p]
    # the app has unit pages and their API: a walker that finds none is broken, not "secure"
    assert len(found) >= 4, [p for p, _ in routes]
    return found


def _fill(path: str, unit: str) -> str:
    """A concrete URL: the unit given, a year with data (哈密 2019), a report format and part, else "x"."""
    values = {"unit": unit, "year": "2019", "fmt": "docx", "part": "fund", "code": unit, "user_id": "1",
              "token_id": "1"}
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values.get(m.group(1), "x"), path)


def _has_file_param(route: APIRoute) -> bool:
    return any(_is_upload(f) for f in route.dependant.body_params)


def _is_upload(field: Any) -> bool:
    annotation = getattr(field.field_info, "annotation", None)
    return annotation is UploadFile or "UploadFile" in repr(annotation)


def _send(client: TestClient, method: str, url: str, route: APIRoute, csrf: str | None,
          file: tuple[str, bytes] = ("data.xlsx", b"PK\x03\x04 not really"), **extra: Any) -> Any:
    headers = {"X-CSRF-Token": csrf} if csrf else {}
    headers.update(extra.pop("headers", {}))
    if method in UNSAFE:
        if _has_file_param(route):
            return client.request(method, url, files={"file": file}, headers=headers, follow_redirects=False)
        form_fields = [f for f in route.dependant.body_params if "Form" in type(f.field_info).__name__]
        if route.dependant.body_params and not form_fields:
            return client.request(method, url, json={}, headers=headers, follow_redirects=False)
        return client.request(method, url, data={"name": "x"}, headers=headers, follow_redirects=False)
    return client.request(method, url, headers=headers, follow_redirects=False, **extra)


def _state(app: FastAPI) -> tuple[Any, int, int, int]:
    with Session(app.state.engine) as db:
        return (dump_state(db), db.scalar(select(func.count()).select_from(ChangeLogRow)),
                db.scalar(select(func.count()).select_from(UserRow)),
                db.scalar(select(func.count()).select_from(UnitRow)))


def _detail(response: Any, unit: str) -> str:
    return response.text.replace(unit, "{unit}")


# --------------------------------------------------------------------------------------------
# unit isolation, over every route with {unit}
# --------------------------------------------------------------------------------------------


def test_operator_reads_and_changes_nothing_of_other_units_through_any_route(app: FastAPI, routes) -> None:
    client = logged_in(app, "hami")
    csrf = page_csrf(client)
    before = _state(app)
    checked = 0
    for path, route in _unit_routes(routes):
        for method in sorted(route.methods - {"HEAD"}):
            missing = _send(client, method, _fill(path, MISSING_UNIT), route, csrf)
            assert missing.status_code == 404, (method, path, missing.status_code)
            for other in OTHER_UNITS:
                response = _send(client, method, _fill(path, other), route, csrf)
                assert response.status_code == 404, (method, path, other, response.status_code, response.text[:200])
                # the same answer as for a unit that does not exist: nothing reveals that it exists
                assert _detail(response, other) == _detail(missing, MISSING_UNIT), (method, path)
                for name in NOT_HAMI:
                    assert name not in response.text, (method, path, name)
                checked += 1
    assert checked >= 4 * len(OTHER_UNITS)
    assert _state(app) == before  # no data, audit entry, user or unit was written


def test_operator_reaches_their_own_unit_through_every_get_route(app: FastAPI, routes) -> None:
    """The control: the same URLs with the operator's own unit work, so the 404s above are refusals."""
    client = logged_in(app, "hami")
    for path, route in _unit_routes(routes):
        if "GET" in route.methods:
            response = client.get(_fill(path, HAMI), follow_redirects=False)
            if response.status_code == 303:  # e.g. the unit page goes to its latest year
                assert f"/units/{HAMI}" in response.headers["location"], path
                response = client.get(response.headers["location"], follow_redirects=False)
            assert response.status_code == 200, (path, response.status_code, response.text[:300])


def test_reviewer_changes_nothing_and_reads_nothing_outside_their_region(app: FastAPI, routes) -> None:
    client = logged_in(app, "sichuan")
    csrf = page_csrf(client)
    before = _state(app)
    for path, route in _unit_routes(routes):
        for method in sorted(route.methods - {"HEAD"}):
            for outside in (HAMI, "430900"):
                response = _send(client, method, _fill(path, outside), route, csrf)
                assert response.status_code == 404, (method, path, outside, response.status_code)
            if method in UNSAFE:
                for inside in ("510000", "510421", "510421-01"):
                    response = _send(client, method, _fill(path, inside), route, csrf)
                    if _review_route(path):  # approving and returning are a reviewer's: refused here
                        # only because what was sent is no move at all (an unknown action, no body)
                        assert response.status_code in (404, 422), (method, path, inside, response.status_code)
                    else:
                        assert response.status_code == 403, (method, path, inside, response.status_code)
    assert _state(app) == before


def _review_route(path: str) -> bool:
    """The workflow's moves, which a reviewer may make (approve, return) within the region."""
    return "/workflow/" in path or path == "/api/units/{unit}/years/{year}/status"


def test_pages_without_unit_show_no_other_units(app: FastAPI, routes) -> None:
    """Lists, comparisons, the API index...: every GET route without path parameters, with and
    without a year, as the operator of 哈密 and the reviewer of 四川."""
    for user, forbidden in (("hami", NOT_HAMI), ("sichuan", NOT_SICHUAN)):
        client = logged_in(app, user)
        for path, route in routes:
            if "GET" not in route.methods or "{" in path or path.startswith("/admin"):
                continue
            for params in ({}, {"year": "2019"}, {"year": "2020"}, {"year": "2018"}):
                response = client.get(path, params=params, follow_redirects=False)
                assert response.status_code < 500, (user, path, params)
                for name in forbidden:
                    assert name not in response.text, (user, path, params, name)


def test_anonymous_gets_nothing(app: FastAPI, routes) -> None:
    client = TestClient(app)
    for path, route in routes:
        if path in ("/login",):
            continue
        for method in sorted(route.methods - {"HEAD"}):
            response = _send(client, method, _fill(path, HAMI), route, None)
            if method in UNSAFE:
                assert response.status_code in (401, 403), (method, path, response.status_code)
            elif path.startswith("/api"):
                assert response.status_code == 401, (method, path, response.status_code)
            else:
                assert response.status_code == 303, (method, path, response.status_code)
                location = response.headers["location"]
                assert location == "/login" or location.startswith("/login?next=/"), (path, location)


# --------------------------------------------------------------------------------------------
# CSRF on every unsafe route
# --------------------------------------------------------------------------------------------


def test_every_unsafe_route_refuses_a_missing_or_wrong_csrf_token(app: FastAPI, routes) -> None:
    admin = logged_in(app, "admin")
    other = logged_in(app, "miyi")
    foreign = page_csrf(other)
    before = _state(app)
    unsafe = [(p, r, m) for p, r in routes for m in sorted(r.methods) if m in UNSAFE]
    assert len(unsafe) >= 8
    for path, route, method in unsafe:
        url = _fill(path, HAMI)
        for token in (None, "wrong-token", foreign):
            response = _send(admin, method, url, route, token)
            assert response.status_code == 403, (method, path, token, response.status_code)
    assert _state(app) == before
    # and with the right token the same requests get past the CSRF check (any answer but 403)
    good = page_csrf(admin)
    response = admin.post("/tokens", data={"name": "ok", "csrf_token": good})
    assert response.status_code == 200


# --------------------------------------------------------------------------------------------
# injection
# --------------------------------------------------------------------------------------------

SQLISH = ["' OR '1'='1", "'; DROP TABLE users; --", "\" OR 1=1 --", "1; SELECT * FROM users"]
SCRIPT = '<script>alert("x")</script>'
ATTR = '"><img src=x onerror=alert(1)>'


def test_sql_injection_in_login_is_just_a_wrong_password(sqlite_url: str) -> None:
    app = make_app(sqlite_url)  # its own app: the failed logins would throttle the module's
    client = TestClient(app)
    for attempt in SQLISH[:3]:
        assert login(client, attempt, attempt).status_code in (400, 429)
        assert login(TestClient(app), "admin", attempt).status_code in (400, 429)
    with Session(app.state.engine) as db:
        assert db.scalar(select(func.count()).select_from(UserRow)) >= 4


def test_injection_in_paths_and_queries_is_harmless(app: FastAPI, routes) -> None:
    client = logged_in(app, "admin")
    before = _state(app)
    for path, route in routes:
        if "GET" not in route.methods:
            continue
        names = [f.name for f in route.dependant.query_params]
        for evil in (*SQLISH, SCRIPT, ATTR):
            url = _fill(path, evil) if "{unit}" in path or "{code}" in path else _fill(path, HAMI)
            response = client.get(url, params=dict.fromkeys(names, evil), follow_redirects=False)
            assert response.status_code < 500, (path, evil, response.status_code)
            if response.headers.get("content-type", "").startswith("text/html"):
                assert SCRIPT not in response.text and "<img src=x" not in response.text, (path, evil)
    assert _state(app) == before


def test_script_in_usernames_and_unit_names_is_stored_verbatim_and_rendered_escaped(app: FastAPI, routes) -> None:
    admin = logged_in(app, "admin")
    csrf = page_csrf(admin)
    evil_user = "x<script>alert(1)</script>'--"
    response = admin.post("/admin/users", data={"username": evil_user, "password": PASSWORD, "role": "operator",
                                                "unit": HAMI, "display_name": ATTR, "csrf_token": csrf})
    assert response.status_code == 200
    unit_name = f"注入{SCRIPT}医保局"
    response = admin.post("/admin/units", data={"code": "XSS-1", "name": unit_name, "level": "县",
                                                "kind": "医疗保障局", "parent": HAMI, "region": ATTR,
                                                "csrf_token": csrf})
    assert response.status_code == 200
    with Session(app.state.engine) as db:
        assert db.scalar(select(UserRow.display_name).where(UserRow.username == evil_user)) == ATTR
        assert db.get(UnitRow, "XSS-1").name == unit_name
    # the new user can log in with that name, and sees it escaped
    client = TestClient(app)
    assert login(client, evil_user).status_code == 303
    pages = ["/admin/users", "/admin/units", "/admin/audit"] + [
        _fill(p, "XSS-1") for p, r in routes if "GET" in r.methods and "{" not in p.replace("{unit}", "")
        and not p.startswith("/admin") and p not in ("/login",)
    ]
    seen_escaped = 0
    for url in pages:
        for who in (admin, client):
            response = who.get(url, follow_redirects=False)
            if not response.headers.get("content-type", "").startswith("text/html"):
                continue
            assert "<script>alert" not in response.text, url
            assert "<img src=x" not in response.text, url
            seen_escaped += "&lt;script&gt;alert" in response.text
    assert seen_escaped >= 3  # the names were really on the pages, escaped


def test_injection_in_form_fields_and_filters_is_parameterised(app: FastAPI) -> None:
    admin = logged_in(app, "admin")
    for evil in SQLISH:
        response = admin.get("/admin/audit", params={"entity": evil, "user": evil, "unit": evil, "action": evil})
        assert response.status_code == 200 and "没有符合条件的记录" in response.text
        response = admin.post("/tokens", data={"name": evil, "csrf_token": page_csrf(admin)})
        assert response.status_code == 200
    with Session(app.state.engine) as db:
        assert db.scalar(select(func.count()).select_from(UserRow)) >= 4
        assert db.scalar(select(func.count()).select_from(UnitRow)) >= 10


def test_security_headers(app: FastAPI) -> None:
    response = logged_in(app, "hami").get("/tokens")
    headers = response.headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "no-store"


# --------------------------------------------------------------------------------------------
# uploads
# --------------------------------------------------------------------------------------------


class _File:
    def __init__(self, name: str, data: bytes) -> None:
        self.filename = name
        self._data = io.BytesIO(data)

    async def read(self, size: int = -1) -> bytes:
        return self._data.read(size)


def _read(name: str, data: bytes, **kwargs: Any) -> Any:
    return asyncio.run(read_upload(_File(name, data), **kwargs))


def _refused(name: str, data: bytes, **kwargs: Any) -> UploadError:
    with pytest.raises(UploadError) as excinfo:
        _read(name, data, **kwargs)
    return excinfo.value


@cache
def _docx() -> bytes:
    from docx import Document

    buffer = io.BytesIO()
    document = Document()
    document.add_paragraph("医保基金绩效自评报告")
    document.save(buffer)
    return buffer.getvalue()


@cache
def _xlsx() -> bytes:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    book = Workbook()
    book.active["A1"] = "单位"
    book.save(buffer)
    return buffer.getvalue()


@cache
def _bomb(kind: str, unzipped: int = 210 * 1024 * 1024) -> bytes:
    """A real zip bomb: a valid Office package with one part of ``unzipped`` zero bytes (~200 KB)."""
    part = {"docx": "word/document.xml", "xlsx": "xl/worksheets/sheet1.xml"}[kind]
    source = zipfile.ZipFile(io.BytesIO(_docx() if kind == "docx" else _xlsx()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            if info.filename != part:
                out.writestr(info.filename, source.read(info.filename))
        with out.open(part, "w", force_zip64=True) as handle:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(unzipped // len(chunk)):
                handle.write(chunk)
    return buffer.getvalue()


def test_upload_helper_accepts_real_files() -> None:
    seed = sorted(SEEDS.glob("*.txt"))[0]
    assert _read(seed.name, seed.read_bytes()).suffix == ".txt"
    assert _read("报告.docx", _docx()).size == len(_docx())
    assert _read("填报.XLSX", _xlsx()).suffix == ".xlsx"
    assert _read("报告.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n").suffix == ".pdf"
    assert _read("gbk.txt", "医保基金".encode("gb18030")).suffix == ".txt"
    assert _read("../../etc/passwd.md", b"# x").filename == "passwd.md"
    assert safe_filename("C:\\Users\\a\\报告.docx") == "报告.docx"


def test_upload_helper_refuses_too_large_wrong_type_and_bombs() -> None:
    too_big = _refused("a.txt", b"x" * 1025, max_bytes=1024)
    assert too_big.status_code == 413 and "文件太大" in too_big.message
    exe = _refused("setup.exe", b"MZ\x90\x00")
    assert exe.status_code == 415 and "不支持的文件类型" in exe.message
    disguised = _refused("report.pdf", b"MZ\x90\x00\x03" + b"\0" * 100)
    assert disguised.status_code == 415 and "不是 PDF" in disguised.message
    text_as_xlsx = _refused("data.xlsx", "单位,年度\n".encode())
    assert text_as_xlsx.status_code == 415 and "不是 Office 文档" in text_as_xlsx.message
    zip_as_docx = io.BytesIO()
    with zipfile.ZipFile(zip_as_docx, "w") as z:
        z.writestr("readme.txt", "hello")
    assert _refused("a.docx", zip_as_docx.getvalue()).status_code == 415
    assert _refused("a.docx", _xlsx()).status_code == 415  # a workbook named .docx
    binary_as_txt = _refused("notes.txt", b"\x89PNG\r\n\x1a\n" + b"\0" * 20)
    assert binary_as_txt.status_code == 415 and "不是文本" in binary_as_txt.message
    assert _refused("empty.md", b"").status_code == 400
    broken = _refused("broken.xlsx", b"PK\x03\x04" + b"\xff" * 200)
    assert broken.status_code == 400 and "已损坏" in broken.message
    for kind in ("docx", "xlsx"):
        bomb = _refused(f"bomb.{kind}", _bomb(kind))
        assert bomb.status_code == 400 and "压缩炸弹" in bomb.message, bomb.message
        assert len(_bomb(kind)) < 2 * 1024 * 1024
    assert sniff(_docx()) == "zip" and sniff(b"hello") == "text"


def _upload_routes(routes: list[tuple[str, APIRoute]]) -> list[tuple[str, APIRoute]]:
    found = [(p, r) for p, r in routes if _has_file_param(r)]
    assert found, "the app has upload routes (workbook, audit)"
    return found


def test_every_upload_route_refuses_files_beyond_the_limits(app: FastAPI, routes) -> None:
    admin = logged_in(app, "admin")
    csrf = page_csrf(admin)
    limit = app.state.settings.max_upload_bytes
    before = _state(app)
    for path, route in _upload_routes(routes):
        url = _fill(path, HAMI)
        method = sorted(route.methods & set(UNSAFE))[0]
        for accept in ("application/json", "text/html"):
            answers = {name: _send(admin, method, url, route, csrf, file=(name, b"PK\x03\x04" + b"\0" * (limit + 10)),
                                   headers={"Accept": accept}) for name in ("big.xlsx", "big.docx")}
            statuses = {r.status_code for r in answers.values()}
            assert 413 in statuses and statuses <= {413, 415}, (path, statuses)  # 415: type not taken here
            assert any("太大" in r.text for r in answers.values())
        # a body far beyond the limit is refused from its Content-Length, before it is read
        huge = _send(admin, method, url, route, csrf, file=("huge.docx", b"\0" * (limit + 2 * 1024 * 1024)))
        assert huge.status_code == 413 and "请求太大" in huge.json()["detail"]
        exe = _send(admin, method, url, route, csrf, file=("tool.exe", b"MZ\x90\x00"))
        assert exe.status_code == 415, (path, exe.status_code)
        fake = _send(admin, method, url, route, csrf, file=("data.xlsx", "不是工作簿".encode()))
        assert fake.status_code == 415, (path, fake.status_code)
        statuses = {_send(admin, method, url, route, csrf, file=(f"bomb.{kind}", _bomb(kind))).status_code
                    for kind in ("xlsx", "docx")}
        assert 400 in statuses and statuses <= {400, 415}, (path, statuses)
    assert _state(app) == before


def test_upload_errors_are_clear_chinese_for_browsers(app: FastAPI, routes) -> None:
    admin = logged_in(app, "admin")
    csrf = page_csrf(admin)
    path, route = _upload_routes(routes)[0]
    response = _send(admin, "POST", _fill(path, HAMI), route, csrf, file=("bomb.xlsx", _bomb("xlsx")),
                     headers={"Accept": "text/html"})
    assert response.status_code in (400, 415)
    assert response.headers["content-type"].startswith("text/html")
    assert ("压缩炸弹" in response.text) or ("不支持的文件类型" in response.text)


def _iter_units() -> Iterator[str]:  # pragma: no cover - kept for readers: the units in play
    yield from (HAMI, *OTHER_UNITS)
