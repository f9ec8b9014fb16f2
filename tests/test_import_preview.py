"""Imports you can trust: a workbook's preview (old → new, figure by figure), confirm or cancel,
the upload kept for its uploader and the versions it was previewed against; undo; a figure's
history from the change log.

益阳 (430900) 2020 from the examples: its workbook is downloaded from the app, one figure is
changed in it, and it is uploaded back.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from jixiao.app.entry import entry_form, save_entry
from jixiao.app.errors import Conflict, NotFound, NotNow
from jixiao.app.imports import filled_workbook
from jixiao.app.uploads import (
    cancel_upload,
    confirm_upload,
    figure_history,
    import_history,
    preview_upload,
    undo_import,
)
from jixiao.app.workflow import act
from jixiao.model.users import Principal
from jixiao.model.workflow import Action
from jixiao.store.schema import FundYearRow, PendingImportRow, UnitYearRow
from jixiao.store.uploads import PER_USER
from web_helpers import logged_in, make_app, page_csrf

YIYANG, YEAR = "430900", 2020
USERS = {"admin": ("admin", None), "yiyang": ("operator", YIYANG), "yiyang_b": ("operator", YIYANG),
         "hunan": ("reviewer", "430000")}


@pytest.fixture
def app(db_url: str) -> Iterator[FastAPI]:
    app = make_app(db_url, USERS)
    yield app
    app.state.engine.dispose()


def _who(app: FastAPI, name: str) -> Principal:
    from jixiao.store.users import find_user, principal_of

    with Session(app.state.engine) as s:
        user = find_user(s, name)
        assert user is not None
        return principal_of(user)


def _workbook(app: FastAPI, changes: dict[object, object]) -> bytes:
    """益阳 2020 downloaded as the fill-in workbook, with each cell holding a key of ``changes``
    given its value."""
    with Session(app.state.engine) as s:
        data = filled_workbook(s, YIYANG, YEAR)
    book = load_workbook(io.BytesIO(data))
    done = set()
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in changes and cell.value not in done:
                    done.add(cell.value)
                    cell.value = changes[cell.value]  # type: ignore[assignment]
    assert done == set(changes), f"not in the workbook: {set(changes) - done}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _stored(app: FastAPI, path: str = "coverage.insured") -> list[str]:
    with Session(app.state.engine) as s:
        form = entry_form(s, YIYANG, YEAR)
    return [f.value for r in form.records for f in r.fields if f.path == path and f.value]


def _version(app: FastAPI) -> int:
    with Session(app.state.engine) as s:
        return int(s.scalar(select(UnitYearRow.version).where(UnitYearRow.unit == YIYANG,
                                                              UnitYearRow.year == YEAR)) or 0)


def test_preview_shows_each_figure_then_confirm_saves_exactly_that(app: FastAPI) -> None:
    before = _stored(app)
    assert "388079人" in before
    data = _workbook(app, {388079: 388090})
    with Session(app.state.engine) as s:
        preview = preview_upload(s, _who(app, "yiyang"), YIYANG, "益阳.xlsx", data)
    assert preview.ok and preview.token and preview.years == [YEAR]
    changed = [(r.title, c.label, c.old, c.new) for r in preview.records for c in r.changes]
    assert changed == [(f"{YEAR}年 职工医保（全市）", "参保人数", "388079人", "388090人")]
    assert preview.changed_figures == 1 and preview.changed_records == 1 and preview.new_records == 0
    assert _stored(app) == before  # nothing saved yet
    # only its uploader may confirm it
    with Session(app.state.engine) as s, pytest.raises(NotFound):
        confirm_upload(s, _who(app, "yiyang_b"), YIYANG, preview.token)
    with Session(app.state.engine) as s:
        done = confirm_upload(s, _who(app, "yiyang"), YIYANG, preview.token)
    assert done.ok and done.import_id is not None
    assert "388090人" in _stored(app) and "388079人" not in _stored(app)
    # confirmed once: the kept upload is gone
    with Session(app.state.engine) as s, pytest.raises(NotFound):
        confirm_upload(s, _who(app, "yiyang"), YIYANG, preview.token)
        assert s.scalar(select(PendingImportRow.id_hash)) is None


def test_confirming_after_someone_elses_change_is_a_conflict(app: FastAPI) -> None:
    data = _workbook(app, {388079: 388090})
    with Session(app.state.engine) as s:
        preview = preview_upload(s, _who(app, "yiyang"), YIYANG, "益阳.xlsx", data)
    assert preview.token
    with Session(app.state.engine) as s:
        form = entry_form(s, YIYANG, YEAR)
        income = next(f for r in form.records for f in r.fields if f.path == "income.total" and f.value)
        assert save_entry(s, _who(app, "yiyang_b"), YIYANG, YEAR, {income.name: "151662"}, form.version).ok
    with Session(app.state.engine) as s, pytest.raises(Conflict, match="yiyang_b"):
        confirm_upload(s, _who(app, "yiyang"), YIYANG, preview.token)
    assert "388079人" in _stored(app) and "151662万元" in _stored(app, "income.total")


def test_cancel_expiry_and_bounds(app: FastAPI) -> None:
    data = _workbook(app, {388079: 388090})
    me = _who(app, "yiyang")
    tokens = []
    for _ in range(PER_USER + 2):
        with Session(app.state.engine) as s:
            tokens.append(preview_upload(s, me, YIYANG, "益阳.xlsx", data).token)
    with Session(app.state.engine) as s:
        assert len(list(s.scalars(select(PendingImportRow.id_hash)))) == PER_USER
        with pytest.raises(NotFound):
            confirm_upload(s, me, YIYANG, tokens[0] or "")  # dropped: the oldest go first
        assert cancel_upload(s, me, tokens[-1] or "") and not cancel_upload(s, me, tokens[-1] or "")
        # an expired one cannot be confirmed
        s.execute(update(PendingImportRow).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
        s.commit()
        with pytest.raises(NotFound, match="过期"):
            confirm_upload(s, me, YIYANG, tokens[-2] or "")
    assert "388079人" in _stored(app)


def test_undo_restores_what_the_import_replaced_until_something_changes(app: FastAPI) -> None:
    me = _who(app, "yiyang")
    with Session(app.state.engine) as s:
        first = preview_upload(s, me, YIYANG, "一.xlsx", _workbook(app, {388079: 388090}))
        confirm_upload(s, me, YIYANG, first.token or "")
    with Session(app.state.engine) as s:
        [made] = import_history(s, YIYANG)
    assert made.can_undo and made.filename == "一.xlsx"
    version = _version(app)
    with Session(app.state.engine) as s:
        undone = undo_import(s, me, YIYANG, made.id)
    assert undone.undone and not undone.can_undo
    assert "388079人" in _stored(app) and _version(app) == version + 1  # a new change, not a rewind
    with Session(app.state.engine) as s, pytest.raises(Exception, match="已于"):
        undo_import(s, me, YIYANG, made.id)
    # a second import, then an edit: that import can no longer be undone
    with Session(app.state.engine) as s:
        second = preview_upload(s, me, YIYANG, "二.xlsx", _workbook(app, {388079: 388095}))
        confirm_upload(s, me, YIYANG, second.token or "")
        form = entry_form(s, YIYANG, YEAR)
        income = next(f for r in form.records for f in r.fields if f.path == "income.total" and f.value)
        save_entry(s, me, YIYANG, YEAR, {income.name: "151662"}, form.version)
    with Session(app.state.engine) as s:
        latest = import_history(s, YIYANG)[0]
        assert latest.filename == "二.xlsx" and not latest.can_undo and "又有修改" in (latest.why_not or "")
        with pytest.raises(Conflict):
            undo_import(s, me, YIYANG, latest.id)
    assert "388095人" in _stored(app)


def test_a_figure_keeps_its_history_with_who_and_when(app: FastAPI) -> None:
    me, other = _who(app, "yiyang"), _who(app, "yiyang_b")
    with Session(app.state.engine) as s:
        preview = preview_upload(s, me, YIYANG, "益阳.xlsx", _workbook(app, {388079: 388090}))
        confirm_upload(s, me, YIYANG, preview.token or "")
        form = entry_form(s, YIYANG, YEAR)
        field = next(f for r in form.records for f in r.fields if f.path == "coverage.insured" and f.value)
        save_entry(s, other, YIYANG, YEAR, {field.name: "388091"}, form.version)
    with Session(app.state.engine) as s:
        history = figure_history(s, YIYANG, YEAR, field.name)
    assert history.current == "388091人" and history.label == "参保人数"
    *known, loaded = history.events
    assert [(e.username, e.old, e.new, e.how) for e in known] == [
        ("yiyang_b", "388090人", "388091人", "网页录入"), ("yiyang", "388079人", "388090人", "工作簿 益阳.xlsx")]
    # the command-line load the app was made with is there too, without values (it logs whole years)
    assert not loaded.known and loaded.how.startswith("命令行导入（") and ".yaml" not in loaded.how
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", e.at) for e in history.events)


def test_a_submitted_year_takes_no_upload(app: FastAPI) -> None:
    with Session(app.state.engine) as s:
        act(s, _who(app, "yiyang"), YIYANG, YEAR, Action.submit, _version(app))
    with Session(app.state.engine) as s, pytest.raises(NotNow, match="已提交审核"):
        preview_upload(s, _who(app, "yiyang"), YIYANG, "益阳.xlsx", _workbook(app, {388079: 388090}))


def test_the_pages_preview_confirm_and_undo(app: FastAPI) -> None:
    client = logged_in(app, "yiyang")
    token = page_csrf(client, f"/units/{YIYANG}/upload")
    shown = client.post(f"/units/{YIYANG}/upload", data={"csrf_token": token},
                        files={"file": ("益阳.xlsx", _workbook(app, {388079: 388090}), "application/octet-stream")})
    assert shown.status_code == 200 and "尚未保存" in shown.text
    assert "388079人" in shown.text and "388090人" in shown.text and "将修改 <strong>1</strong> 个数字" in shown.text
    preview_token = re.search(r'name="token" value="([^"]+)"', shown.text).group(1)  # type: ignore[union-attr]
    done = client.post(f"/units/{YIYANG}/upload/confirm", data={"csrf_token": token, "token": preview_token},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"/units/{YIYANG}/years/{YEAR}"
    assert "388090人" in _stored(app)
    listing = client.get(f"/units/{YIYANG}/imports").text
    [import_id] = re.findall(r"/imports/(\d+)/undo", listing)
    undone = client.post(f"/units/{YIYANG}/imports/{import_id}/undo", data={"csrf_token": token},
                         follow_redirects=False)
    assert undone.status_code == 303 and "388079人" in _stored(app)
    assert "已撤销" in client.get(f"/units/{YIYANG}/imports").text
    history = client.get(f"/units/{YIYANG}/years/{YEAR}/history").text
    assert "撤销工作簿导入" in history
    # the reviewer reads the history but cannot import
    reviewer = logged_in(app, "hunan")
    assert reviewer.get(f"/units/{YIYANG}/years/{YEAR}/history").status_code == 200
    assert reviewer.get(f"/units/{YIYANG}/upload").status_code == 403


def test_the_api_previews_and_confirms(app: FastAPI) -> None:
    from jixiao.store.users import create_api_token, find_user

    with Session(app.state.engine) as s:
        user = find_user(s, "yiyang")
        assert user is not None
        token, _ = create_api_token(s, user, "脚本", "write")
        s.commit()
    headers = {"Authorization": f"Bearer {token}"}
    client = TestClient(app)
    shown = client.post(f"/api/units/{YIYANG}/workbook/preview", headers=headers,
                        files={"file": ("益阳.xlsx", _workbook(app, {388079: 388090}), "application/octet-stream")})
    assert shown.status_code == 200
    body = shown.json()
    assert body["changed_figures"] == 1 and body["versions"] == {f"{YIYANG}/{YEAR}": _version(app)}
    done = client.post(f"/api/units/{YIYANG}/workbook/confirm", headers=headers, json={"token": body["token"]})
    assert done.status_code == 200 and done.json()["ok"]
    again = client.post(f"/api/units/{YIYANG}/workbook/confirm", headers=headers, json={"token": body["token"]})
    assert again.status_code == 404 and "预览" in again.json()["detail"]
    imports = client.get(f"/api/units/{YIYANG}/imports", headers=headers).json()
    assert imports[0]["can_undo"]
    assert client.post(f"/api/units/{YIYANG}/imports/{imports[0]['id']}/undo", headers=headers).status_code == 200
    with Session(app.state.engine) as s:
        assert s.scalar(select(FundYearRow.id).where(FundYearRow.unit == YIYANG).limit(1)) is not None
    assert "388079人" in _stored(app)
