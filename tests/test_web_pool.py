"""Database connections under the web app: a request holds one only while its route runs.

Under 200 users the pool ran dry while the server idled: a sync route's session kept its
connection until FastAPI had serialized the answer (another trip to the thread pool) and sent
it, so every connection belonged to a request waiting for a thread while every thread waited
for a connection. These tests look at the pool at the moment each answer starts to be sent.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from starlette.types import Message, Receive, Scope, Send

from jixiao.store.users import create_api_token, find_user
from web_helpers import csrf_from, login, make_app

UNIT, YEAR = "510421-01", 2019


class PoolAtResponse:
    """The app, noting for each response how many connections were checked out when it started."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.seen: list[tuple[str, int, int]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def noting(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.seen.append((scope["path"], message["status"], self.app.state.engine.pool.checkedout()))
            await send(message)

        await self.app(scope, receive, noting)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return make_app(f"sqlite:///{tmp_path_factory.mktemp('pool') / 'pool.db'}")


def _bearer(app: FastAPI) -> dict[str, str]:
    with Session(app.state.engine) as s:
        user = find_user(s, "admin")
        assert user is not None
        token, _ = create_api_token(s, user, "pool test", "write")
        s.commit()
    return {"Authorization": f"Bearer {token}"}


def test_no_connection_is_held_while_an_answer_is_sent(app: FastAPI) -> None:
    probe = PoolAtResponse(app)
    browser = TestClient(probe, base_url="http://testserver")
    login(browser, "admin")
    script = TestClient(probe, base_url="http://testserver", headers=_bearer(app))
    probe.seen.clear()

    assert browser.get(f"/units/{UNIT}/years/{YEAR}").status_code == 200  # a page rendered in its route
    assert browser.get(f"/compare?year={YEAR}").status_code == 200
    assert script.get(f"/api/units/{UNIT}/years/{YEAR}").status_code == 200
    status = script.get(f"/api/units/{UNIT}/years/{YEAR}/status")  # a response_model, serialized after the route
    assert status.status_code == 200
    moved = script.post(f"/api/units/{UNIT}/years/{YEAR}/status",
                        json={"action": "submit", "version": status.json()["version"]})
    assert moved.status_code == 200, moved.text
    # an async route whose use case runs in a thread: withdraw through the dashboard's form
    csrf = csrf_from(browser.get(f"/units/{UNIT}/years/{YEAR}").text)
    back = browser.post(f"/units/{UNIT}/years/{YEAR}/workflow/withdraw",
                        data={"csrf_token": csrf, "version": str(moved.json()["version"])}, follow_redirects=False)
    assert back.status_code == 303
    assert script.get(f"/api/units/{UNIT}/years/{YEAR}/status").json()["status"] != "submitted"
    assert script.get("/api/units/nowhere/years/2019").status_code == 404  # a refusal in a dependency

    assert len(probe.seen) == 9
    held = [(path, code, out) for path, code, out in probe.seen if out]
    assert held == [], f"connections still checked out when the answer started: {held}"


def test_pool_has_a_connection_for_every_route_thread(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'size.db'}")
    pool = app.state.engine.pool
    assert pool.size() >= app.state.settings.threads
    assert pool.size() + pool._max_overflow > app.state.settings.threads  # room for the middleware's session
