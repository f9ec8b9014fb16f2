"""Two server processes on one database never show a page older than a change the other made.

Each process keeps pages (dashboards, roll-ups, 报送情况, their JSON) in memory; a change
committed by the other one — figures saved, a status moved — must show in this one's next answer.
Two real ``jixiao serve`` processes on one SQLite file, as ``--workers 2`` runs them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing

import httpx
import pytest
from sqlalchemy.orm import Session

from jixiao.store.users import create_api_token, find_user
from web_helpers import PASSWORD, csrf_from, make_app, served

YIYANG, PROVINCE, YEAR = "430900", "430000", 2020


@pytest.fixture
def two(sqlite_url: str) -> Iterator[tuple[str, str, str]]:
    app = make_app(sqlite_url)
    with Session(app.state.engine) as s:
        admin = find_user(s, "admin")
        assert admin is not None
        token, _ = create_api_token(s, admin, "两个进程", scope="write")
        s.commit()
    app.state.engine.dispose()
    with served(sqlite_url) as (_, a), served(sqlite_url) as (_, b):
        yield a, b, token


def _browser(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60)
    form = client.get("/login")
    done = client.post("/login", data={"username": "admin", "password": PASSWORD, "next": "/units",
                                       "csrf_token": csrf_from(form.text)})
    assert done.status_code in (200, 303), done.text[:300]
    return client


def test_a_change_in_one_process_shows_at_once_in_the_other(two: tuple[str, str, str]) -> None:
    a, b, token = two
    bearer = {"Authorization": f"Bearer {token}"}
    dashboard, rollup = f"/api/units/{YIYANG}/years/{YEAR}", f"/api/units/{PROVINCE}/years/{YEAR}/rollup"
    status_page, page = f"/units/{PROVINCE}/status?year={YEAR}", f"/units/{YIYANG}/years/{YEAR}"
    with httpx.Client(base_url=a, headers=bearer, timeout=60) as in_a, \
            httpx.Client(base_url=b, headers=bearer, timeout=60) as in_b, closing(_browser(b)) as browser_b:
        # the second process shows (and keeps) each page twice
        for _ in range(2):
            before = in_b.get(dashboard).text
            counts = in_b.get(rollup).json()["status_counts"]
            status_before = browser_b.get(status_page).text
            page_before = browser_b.get(page).text
        assert counts["已提交待审核"] == 0
        # the first process saves a figure …
        form = in_a.get(f"{dashboard}/entry").json()
        insured = next(f for r in form["records"] for f in r["fields"] if f["path"] == "coverage.insured")
        more = str(int("".join(ch for ch in insured["value"] if ch.isdigit())) + 1)  # one more insured
        saved = in_a.post(f"{dashboard}/entry", json={"version": form["version"], "values": {insured["name"]: more}})
        assert saved.status_code == 200, saved.text[:300]
        after = in_b.get(dashboard)
        assert after.status_code == 200 and after.text != before
        assert more in in_b.get(f"{dashboard}/entry").text
        # … and moves the year's status: the other's roll-up, 报送情况 and dashboard show it
        state = in_a.get(f"{dashboard}/status").json()
        moved = in_a.post(f"{dashboard}/status", json={"action": "submit", "version": state["version"]})
        assert moved.status_code == 200, moved.text[:300]
        assert in_b.get(rollup).json()["status_counts"]["已提交待审核"] == 1
        status_after = browser_b.get(status_page).text
        assert status_after != status_before and "已提交待审核" in status_after
        page_after = browser_b.get(page).text
        assert "已提交待审核" in page_after and page_after != page_before
