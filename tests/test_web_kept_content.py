"""A dashboard's content rendered once is kept in the database for every process: a process that
has not rendered it reads it, a view with other permissions has its own, and a change of what it
shows makes it stale."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

import jixiao.web.routes.pages as pages
from jixiao.app.cache import clear_caches
from jixiao.store.schema import KeptDashboardHtmlRow
from jixiao.web import cached_render
from web_helpers import HAMI, USERS, logged_in, make_app

PATH = f"/units/{HAMI}/years/2019"


def _as_another_process() -> None:
    """Forget everything this process keeps in memory (what a second worker has never seen)."""
    clear_caches()
    cached_render.clear()


def _kept_views(app: object) -> list[tuple[str, int, str]]:
    with Session(app.state.engine) as s:  # type: ignore[attr-defined]
        return [(r.unit, r.year, r.view) for r in s.scalars(select(KeptDashboardHtmlRow))]


def test_a_dashboard_rendered_by_one_process_is_read_by_another(sqlite_url: str,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(sqlite_url)
    admin = logged_in(app, "admin")
    first = admin.get(PATH)
    assert first.status_code == 200 and "哈密" in first.text
    assert [(u, y) for u, y, _ in _kept_views(app)] == [(HAMI, 2019)]
    _as_another_process()

    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("rendered again although kept")

    monkeypatch.setattr(pages, "unit_year_dashboard", refuse)
    again = admin.get(PATH)
    assert again.status_code == 200
    assert again.text == first.text


def test_each_view_of_a_dashboard_is_kept_apart(sqlite_url: str) -> None:
    """The unit's operator may edit, a reviewer may not: each sees its own rendering, whoever came first."""
    app = make_app(sqlite_url, {**USERS, "xinjiang": ("reviewer", "650000")})  # 哈密's region
    operator = logged_in(app, "hami")
    assert "编辑数据" in operator.get(PATH).text
    _as_another_process()
    page = logged_in(app, "xinjiang").get(PATH)
    assert page.status_code == 200 and "编辑数据" not in page.text
    assert len(_kept_views(app)) == 2
    _as_another_process()
    assert "编辑数据" in operator.get(PATH).text


def test_a_kept_rendering_of_other_data_is_never_shown(sqlite_url: str) -> None:
    app = make_app(sqlite_url)
    admin = logged_in(app, "admin")
    assert "哈密市医疗保障局（新）" not in admin.get(PATH).text
    other = app.state.engine  # the rename as another program would: SQL behind the app's back
    with other.begin() as conn:
        conn.execute(text("UPDATE units SET name = name || '（新）' WHERE code = :code"), {"code": HAMI})
    _as_another_process()
    page = admin.get(PATH).text
    assert page.count("（新）") >= 2  # the title and the content's heading
    assert len(_kept_views(app)) == 1  # the view's rendering replaced, not added


def test_reindex_renders_every_view_before_anyone_asks(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``jixiao db reindex`` renders each unit-year's dashboard as its page would, with edit
    buttons and without: the first view of a reviewer and of the operator then renders nothing,
    and shows what a render on demand shows."""
    from jixiao.web.prerender import prerender_dashboards

    app = make_app(sqlite_url, {**USERS, "xinjiang": ("reviewer", "650000")})
    operator, reviewer = logged_in(app, "hami"), logged_in(app, "xinjiang")
    on_demand = (operator.get(PATH).text, reviewer.get(PATH).text)
    with Session(app.state.engine) as s:
        s.execute(KeptDashboardHtmlRow.__table__.delete())
        s.commit()
    _as_another_process()
    looked, made = prerender_dashboards(app.state.engine)
    views = _kept_views(app)
    assert made == len(views) and looked == len({(u, y) for u, y, _ in views}) >= 5
    assert [v for v in views if v[:2] == (HAMI, 2019)] and len([v for v in views if v[:2] == (HAMI, 2019)]) == 2
    assert prerender_dashboards(app.state.engine) == (looked, 0)  # all still good: nothing made again
    _as_another_process()

    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("rendered on demand although rendered beforehand")

    monkeypatch.setattr(pages, "unit_year_dashboard", refuse)
    assert (operator.get(PATH).text, reviewer.get(PATH).text) == on_demand
