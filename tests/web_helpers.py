"""Helpers for the web tests: an app on a database with the five example units loaded and one
user of each role, and a logged-in TestClient (going through the real login form and CSRF).

Speed: argon2 with its production parameters takes ~0.7 s per hash here, so the tests use the
cheapest argon2 parameters (the hashes are still real argon2id and verified the same way), and
a SQLite database is built once per process and copied for each test.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

import jixiao.store.users as auth_repository
from jixiao.app.imports import import_files
from jixiao.store.db import open_database
from jixiao.store.users import create_user
from jixiao.web import create_app
from jixiao.web.deps import CurrentPrincipal

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
PASSWORD = "correct-horse-battery"

#: username → (role, unit). Operator of 哈密市医保局; reviewer of 四川省 (its whole subtree).
USERS = {
    "admin": ("admin", None),
    "hami": ("operator", "650500"),
    "miyi": ("operator", "510421"),
    "sichuan": ("reviewer", "510000"),
}
HAMI = "650500"
OTHER_UNITS = ("510421", "430900", "650000")  # not 哈密's: 米易县, 益阳市, 新疆 (哈密's parent)

_META = re.compile(r'<meta name="csrf-token" content="([^"]*)"')
_FIELD = re.compile(r'name="csrf_token" value="([^"]*)"')


def example_files() -> list[Path]:
    return [EXAMPLES / "units.yaml", *sorted(EXAMPLES.glob("0*.yaml"))]


auth_repository._hasher = PasswordHasher.from_parameters(CHEAPEST)
_TEMPLATES: dict[tuple[tuple[str, str, str | None], ...], Path] = {}


def _populate(url: str, users: dict[str, tuple[str, str | None]]) -> None:
    engine = open_database(url)
    try:
        outcome = import_files(engine, example_files())
        assert outcome.ok, outcome
        with Session(engine) as session:
            for name, (role, unit) in users.items():
                create_user(session, name, PASSWORD, role, unit)
            session.commit()
    finally:
        engine.dispose()


def make_app(url: str, users: dict[str, tuple[str, str | None]] | None = None) -> FastAPI:
    """The app on ``url`` holding the example units and ``users`` (default :data:`USERS`)."""
    users = USERS if users is None else users
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        key = tuple((name, role, unit) for name, (role, unit) in sorted(users.items()))
        if key not in _TEMPLATES:
            template = Path(tempfile.mkdtemp(prefix="jixiao-web-template-")) / "template.db"
            _populate(f"sqlite:///{template}", users)
            _TEMPLATES[key] = template
        shutil.copyfile(_TEMPLATES[key], parsed.database)
    else:
        _populate(url, users)
    return create_app(url)


def whoami_app(url: str) -> FastAPI:
    """:func:`make_app` with a probe route, ``/api/_whoami``, that answers who the request is."""
    app = make_app(url)
    probe = APIRouter()

    @probe.get("/api/_whoami")
    def whoami(principal: CurrentPrincipal) -> dict[str, str | None]:
        return {"username": principal.username, "role": principal.role.value, "unit": principal.unit}

    app.include_router(probe)
    return app


def csrf_from(html: str) -> str:
    match = _FIELD.search(html) or _META.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD, next_path: str = "/") -> object:
    page = client.get("/login")
    assert page.status_code == 200
    return client.post("/login", data={"username": username, "password": password, "next": next_path,
                                       "csrf_token": csrf_from(page.text)}, follow_redirects=False)


def logged_in(app: FastAPI, username: str) -> TestClient:
    client = TestClient(app, base_url="http://testserver")
    response = login(client, username)
    assert getattr(response, "status_code", None) == 303, getattr(response, "text", "")
    return client


def page_csrf(client: TestClient, path: str = "/tokens") -> str:
    """The session's CSRF token, read from a page as a browser would."""
    response = client.get(path)
    assert response.status_code == 200, response.text[:300]
    return csrf_from(response.text)


def all_routes(app: FastAPI) -> list[tuple[str, APIRoute]]:
    """Every API route of the app as (full path, route), looking inside included routers
    (FastAPI ≥ 0.13x keeps ``include_router`` as a node instead of copying the routes)."""
    found: list[tuple[str, APIRoute]] = []

    def walk(routes: list[Any], prefix: str) -> None:
        for route in routes:
            original = getattr(route, "original_router", None)
            if original is not None:
                context = getattr(route, "include_context", None)
                walk(list(original.routes), prefix + (getattr(context, "prefix", "") or ""))
            elif isinstance(route, APIRoute):
                found.append((prefix + route.path, route))

    walk(list(app.routes), "")
    return found


@contextmanager
def served(url: str, workers: int = 1) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """``jixiao serve`` on ``url`` (a free loopback port, ``workers`` processes) once it answers:
    the process and its base URL; stopped on leaving."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    env = {**os.environ, "JIXIAO_DATABASE_URL": url}
    proc = subprocess.Popen([str(Path(sys.executable).parent / "jixiao"), "serve", "--port", str(port),
                             "--workers", str(workers), "--no-access-log"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180  # a hang guard on a loaded machine, not a speed target
        while True:
            try:
                if httpx.get(base + "/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            assert time.monotonic() < deadline, f"jixiao serve --workers {workers} did not answer in 180 s"
            time.sleep(0.3)
        yield proc, base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
