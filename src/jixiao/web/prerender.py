"""Dashboards rendered before anyone asks for them.

A dashboard's content block is kept in the database once rendered (:mod:`jixiao.web.cached_render`,
``kept_dashboard_html``), so only its first view anywhere renders it. In a province whose data were
just loaded every view is a first one: 9,000 unit-years, each rendering 115 indicators, took most
of the server's first minutes. ``jixiao db reindex`` (run after a bulk load, and after an upgrade)
therefore renders them here, as the page would (the same function, the same key), for the views a
page is shown in:
without edit buttons (reviewers, and every year that is submitted or approved) and, for a year
that can still be edited, with them. A view judged by another rule set is rendered when asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from fastapi import FastAPI
from sqlalchemy import Engine
from starlette.requests import Request

from jixiao.app.units import unit_table
from jixiao.app.workflow import year_status
from jixiao.model.users import Principal, Role
from jixiao.store.pages import html_kept_since, unit_years_with_data
from jixiao.store.users import now_utc
from jixiao.store.versions import UnitYear
from jixiao.web.app import create_app
from jixiao.web.cached_render import clear
from jixiao.web.deps import AuthContext
from jixiao.web.routes.pages import dashboard_view

#: who the statuses are read as (a status reads the same for everyone; nothing is written as them)
_SYSTEM = Principal(user_id=0, username="（系统）", role=Role.admin)


def _request(app: FastAPI, path: str) -> Request:
    """A GET of ``path`` by nobody logged in: what rendering a page needs of a request."""
    return Request({"type": "http", "method": "GET", "path": path, "raw_path": path.encode(), "query_string": b"",
                    "headers": [], "app": app, "state": {"auth": AuthContext()}, "scheme": "http",
                    "server": ("localhost", 80), "client": None, "root_path": ""})


def prerender_dashboards(engine: Engine, keys: Collection[UnitYear] | None = None,
                         progress: Callable[[int], None] | None = None) -> tuple[int, int]:
    """Render and keep the dashboard content of ``keys`` (default: every unit-year with data)
    whose kept rendering is missing or stale. (unit-years looked at, renderings made)."""
    app = create_app(engine=engine)
    factory = app.state.sessionmaker
    started = now_utc()
    with factory() as db:
        todo = sorted(keys) if keys is not None else unit_years_with_data(db)
    for done, (unit, year) in enumerate(todo, 1):
        with factory() as db:
            row = unit_table(db).by_code.get(unit)
            if row is None:
                continue
            status = year_status(db, _SYSTEM, unit, year)
            for editable in sorted({False, status.editable}):
                dashboard_view(_request(app, f"/units/{unit}/years/{year}"), db, row, year, None, status,
                               editable=editable)
        if progress is not None and done % 500 == 0:
            progress(done)
    clear()  # what this process rendered is in the database; nothing to keep in memory
    with factory() as db:
        return len(todo), html_kept_since(db, started)
