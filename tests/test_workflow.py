"""The workflow of a unit-year: draft → submitted → approved / returned, with comments per item.

The example units: 益阳 (430900, data for 2020) under 湖南 (430000), whose other child 株洲
(430200-01) has data for 2018 only. Users: 益阳's operator, 湖南's reviewer, 四川's reviewer (who
may read and review nothing of 湖南) and an admin.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from jixiao.app.entry import entry_form, save_entry
from jixiao.app.errors import Conflict, Forbidden, InvalidRequest, NotNow
from jixiao.app.imports import import_files
from jixiao.app.pages.status import branch_stamp, status_overview
from jixiao.app.workflow import act, review_items, year_status
from jixiao.model.users import Principal, Role
from jixiao.model.workflow import Action
from jixiao.store.schema import ChangeLogRow, FundYearRow, StatusEventRow, UnitYearRow
from jixiao.store.versions import LockedUnitYear, advance
from web_helpers import EXAMPLES, logged_in, make_app, page_csrf

YIYANG, PROVINCE, ZHUZHOU, YEAR = "430900", "430000", "430200-01", 2020
USERS = {"admin": ("admin", None), "yiyang": ("operator", YIYANG), "hunan": ("reviewer", PROVINCE),
         "sichuan": ("reviewer", "510000")}
BASE = f"/units/{YIYANG}/years/{YEAR}"


@pytest.fixture
def app(sqlite_url: str) -> Iterator[FastAPI]:
    app = make_app(sqlite_url, USERS)
    yield app
    app.state.engine.dispose()


@pytest.fixture
def any_app(db_url: str) -> Iterator[FastAPI]:
    app = make_app(db_url, USERS)
    yield app
    app.state.engine.dispose()


def _who(app: FastAPI, name: str) -> Principal:
    from jixiao.store.users import find_user, principal_of

    with Session(app.state.engine) as s:
        user = find_user(s, name)
        assert user is not None
        return principal_of(user)


def _version(app: FastAPI) -> int:
    with Session(app.state.engine) as s:
        return int(s.scalar(select(UnitYearRow.version).where(UnitYearRow.unit == YIYANG,
                                                              UnitYearRow.year == YEAR)) or 0)


def _insured(app: FastAPI) -> tuple[str, str]:
    """The entry-form name and stored value of 益阳's 城乡居民 参保人数 (388079人)."""
    with Session(app.state.engine) as s:
        form = entry_form(s, YIYANG, YEAR)
    field = next(f for r in form.records for f in r.fields if f.path == "coverage.insured" and f.value)
    return field.name, field.value


def _move(app: FastAPI, name: str, action: Action, **kwargs: object) -> str:
    with Session(app.state.engine) as s:
        return act(s, _who(app, name), YIYANG, YEAR, action, _version(app), **kwargs).status  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# The store: the lock and the history hold whoever writes
# --------------------------------------------------------------------------------------------


def test_a_submitted_year_refuses_every_write_and_keeps_its_history(any_app: FastAPI, tmp_path: Path) -> None:
    app = any_app
    assert _move(app, "yiyang", Action.submit) == "submitted"
    with Session(app.state.engine) as s, pytest.raises(LockedUnitYear) as refused:
        advance(s, [(YIYANG, YEAR)], by="someone")
    assert [(x.unit, x.year, x.status) for x in refused.value.locked] == [(YIYANG, YEAR, "submitted")]
    # the entry form, a command-line load: refused with the reason, nothing written
    name, before = _insured(app)
    with Session(app.state.engine) as s, pytest.raises(NotNow, match="已提交审核"):
        save_entry(s, _who(app, "yiyang"), YIYANG, YEAR, {name: "388080"}, _version(app))
    changed = tmp_path / "yiyang.yaml"
    changed.write_text((EXAMPLES / "004_yiyang_2020.yaml").read_text(encoding="utf-8")
                       .replace('insured: "388079"', 'insured: "388082"'), encoding="utf-8")
    outcome = import_files(app.state.engine, [changed])
    assert not outcome.ok and [p.code for p in outcome.problems] == ["JX-IN-041"]
    assert "已提交审核" in outcome.problems[0].message
    assert _insured(app)[1] == before
    # the history cannot be rewritten, even by SQL
    with Session(app.state.engine) as s, pytest.raises(DBAPIError):
        s.execute(update(StatusEventRow).values(comment="改过"))
        s.flush()
    with Session(app.state.engine) as s, pytest.raises(DBAPIError):
        s.execute(text("DELETE FROM unit_year_events"))
        s.flush()


def test_the_year_goes_round_returned_with_comments_then_approved(app: FastAPI) -> None:
    name, _ = _insured(app)
    with Session(app.state.engine) as s:
        items = {i.key: i for i in review_items(s, YIYANG, YEAR)}
    figure = f"figure:{name}"
    assert figure in items and "report:fund" in items and items[figure].label.endswith("参保人数")
    # a reviewer cannot approve a draft; the operator cannot approve at all
    with pytest.raises(NotNow, match="填报中"):
        _move(app, "hunan", Action.approve)
    assert _move(app, "yiyang", Action.submit) == "submitted"
    with pytest.raises(Forbidden):
        _move(app, "yiyang", Action.approve)
    with pytest.raises(NotNow):
        _move(app, "yiyang", Action.submit)
    # a return needs a comment, and only on items the year has
    with pytest.raises(InvalidRequest, match="意见"):
        _move(app, "hunan", Action.send_back)
    with pytest.raises(InvalidRequest, match="没有这些"):
        _move(app, "hunan", Action.send_back, items={"figure:fund/nothing/|x": "?"})
    assert _move(app, "hunan", Action.send_back, comment="参保人数与统计年报不一致",
                 items={figure: "应为 388080 人"}) == "returned"
    with Session(app.state.engine) as s:
        seen = year_status(s, _who(app, "yiyang"), YIYANG, YEAR)
    assert seen.editable and seen.actions == ["submit"] and seen.return_comment == "参保人数与统计年报不一致"
    assert [(c.item, c.comment) for c in seen.open_comments] == [(figure, "应为 388080 人")]
    # returned: editable again, and resubmitted
    with Session(app.state.engine) as s:
        saved = save_entry(s, _who(app, "yiyang"), YIYANG, YEAR, {name: "388080"}, _version(app))
    assert saved.ok and saved.changes
    assert _move(app, "yiyang", Action.submit) == "submitted"
    assert _move(app, "hunan", Action.approve, comment="同意") == "approved"
    with Session(app.state.engine) as s:
        done = year_status(s, _who(app, "yiyang"), YIYANG, YEAR)
        log = list(s.scalars(select(ChangeLogRow.action).where(ChangeLogRow.entity == "unit_year",
                                                                ChangeLogRow.unit == YIYANG,
                                                                ChangeLogRow.action != "import")))
    assert not done.editable and done.actions == [] and "已审核通过" in (done.locked_reason or "")
    assert [e.action for e in reversed(done.events)] == ["submit", "return", "submit", "approve"]
    assert [e.username for e in reversed(done.events)] == ["yiyang", "hunan", "yiyang", "hunan"]
    assert log == ["submit", "return", "submit", "approve"]
    # an approved year may be returned again by its reviewer (with a reason), never edited as it is
    with pytest.raises(NotNow, match="已审核通过"), Session(app.state.engine) as s:
        save_entry(s, _who(app, "yiyang"), YIYANG, YEAR, {name: "1"}, _version(app))
    # returning an approved year needs a reason like any return, and is kept in the history and the log
    with pytest.raises(InvalidRequest, match="意见"):
        _move(app, "hunan", Action.send_back)
    with pytest.raises(Forbidden):
        _move(app, "yiyang", Action.send_back, comment="想改")
    assert _move(app, "hunan", Action.send_back, comment="复核发现问题") == "returned"
    with Session(app.state.engine) as s:
        reopened = year_status(s, _who(app, "yiyang"), YIYANG, YEAR)
        last = s.scalars(select(ChangeLogRow).where(ChangeLogRow.entity == "unit_year", ChangeLogRow.unit == YIYANG)
                         .order_by(ChangeLogRow.id.desc())).first()
    assert reopened.editable and reopened.return_comment == "复核发现问题"
    assert (reopened.events[0].action, reopened.events[0].username) == ("return", "hunan")
    assert last is not None and last.action == "return" and "复核发现问题" in (last.detail or "")


def test_who_may_review_is_the_region_that_holds_the_unit(app: FastAPI) -> None:
    _move(app, "yiyang", Action.submit)
    with pytest.raises(Forbidden, match="审核员"):
        _move(app, "sichuan", Action.approve)
    assert _move(app, "admin", Action.approve) == "approved"


def test_a_move_on_data_that_changed_meanwhile_is_a_conflict(app: FastAPI) -> None:
    stale = _version(app)
    name, _ = _insured(app)
    with Session(app.state.engine) as s:
        save_entry(s, _who(app, "yiyang"), YIYANG, YEAR, {name: "388081"}, stale)
    with Session(app.state.engine) as s, pytest.raises(Conflict, match="yiyang"):
        act(s, _who(app, "yiyang"), YIYANG, YEAR, Action.submit, stale)


def test_status_counts_of_a_parent(app: FastAPI) -> None:
    reviewer = _who(app, "hunan")
    with Session(app.state.engine) as s:
        before = status_overview(s, reviewer, PROVINCE, YEAR)
    assert before.total == 2 and before.counts["draft"] == 1 and before.counts["not_started"] == 1
    assert {c.unit.code: c.status for c in before.children} == {YIYANG: "draft", ZHUZHOU: "not_started"}
    _move(app, "yiyang", Action.submit)
    with Session(app.state.engine) as s:
        after = status_overview(s, reviewer, PROVINCE, None)
    assert after.year == YEAR and after.years == [2018, 2020]
    assert after.counts["submitted"] == 1 and after.counts["draft"] == 0
    assert [line.unit.code for line in after.submitted] == [YIYANG] and after.may_review
    with Session(app.state.engine) as s:
        zhuzhou = status_overview(s, reviewer, PROVINCE, 2018)
    assert zhuzhou.counts["draft"] == 1 and zhuzhou.counts["not_started"] == 1



def test_a_move_changes_its_own_branch_and_leaves_the_others_kept(app: FastAPI) -> None:
    """What a page about a branch shows of statuses (its 报送情况, its roll-up's statuses) is kept
    under that branch's statuses: 益阳's move makes 湖南's new and leaves 四川's as it was."""
    admin = _who(app, "admin")
    with Session(app.state.engine) as s:
        sichuan, sichuan_stamp = status_overview(s, admin, "510000"), branch_stamp(s, "510000", None)
        hunan, hunan_stamp = status_overview(s, admin, PROVINCE, YEAR), branch_stamp(s, PROVINCE, YEAR)
        yiyang_stamp = branch_stamp(s, YIYANG, YEAR)
    _move(app, "yiyang", Action.submit)
    with Session(app.state.engine) as s:
        assert branch_stamp(s, "510000", None) == sichuan_stamp
        assert status_overview(s, admin, "510000") is sichuan  # kept, not made again
        assert branch_stamp(s, PROVINCE, YEAR) != hunan_stamp and branch_stamp(s, YIYANG, YEAR) != yiyang_stamp
        after = status_overview(s, admin, PROVINCE, YEAR)
    assert after is not hunan
    assert after.counts["submitted"] == 1 and hunan.counts["submitted"] == 0


def test_the_rollup_and_the_tree_filter_show_the_status(app: FastAPI) -> None:
    """The province's roll-up (page, JSON, Excel) carries its subordinates' status counts and each
    child's own status; the tree finds units by the status of their latest year."""
    from io import BytesIO

    from openpyxl import load_workbook

    reviewer = logged_in(app, "hunan")
    rollup = f"/api/units/{PROVINCE}/years/{YEAR}/rollup"
    before = reviewer.get(rollup).json()
    assert before["status_counts"] == {"未开始": 1, "填报中": 1, "已退回": 0, "已提交待审核": 0, "审核通过": 0}
    assert {c["unit"]["code"]: c["status"] for c in before["children"]} == {YIYANG: "填报中", ZHUZHOU: "未开始"}
    _move(app, "yiyang", Action.submit)
    _move(app, "hunan", Action.approve)
    after = reviewer.get(rollup).json()
    assert after["status_counts"]["审核通过"] == 1 and after["status_counts"]["填报中"] == 0
    page = reviewer.get(f"/units/{PROVINCE}/years/{YEAR}/rollup").text
    line = re.search(r'id="rollup-status">(.*?)</p>', page, re.S)
    assert line is not None
    assert "审核通过 <strong>1</strong>" in line.group(1) and "未开始 <strong>1</strong>" in line.group(1)
    book = load_workbook(BytesIO(reviewer.get(f"/units/{PROVINCE}/years/{YEAR}/rollup.xlsx").content))
    rows = [[c.value for c in r] for r in book.worksheets[0].iter_rows()]
    head = next(r for r in rows if "报送状态" in r)
    col = head.index("报送状态")
    assert {r[0]: r[col] for r in rows if r[0] in (YIYANG, ZHUZHOU)} == {YIYANG: "审核通过", ZHUZHOU: "未开始"}
    approved = reviewer.get("/units", params={"status": "approved"}).text
    assert f'data-unit="{YIYANG}"' in approved and f'class="path-only" data-unit="{PROVINCE}"' in approved
    assert f'data-unit="{ZHUZHOU}"' not in approved
    # 株洲's latest year (2018) is a draft; the province itself has no data of its own
    drafts = reviewer.get("/units", params={"status": "draft"}).text
    assert f'data-unit="{ZHUZHOU}"' in drafts and f'data-unit="{YIYANG}"' not in drafts
    none_yet = reviewer.get("/units", params={"status": "not_started"}).text
    assert f'class="" data-unit="{PROVINCE}"' in none_yet

def test_a_move_refills_the_rollup_pages_status_and_keeps_its_table(app: FastAPI) -> None:
    """The roll-up's table is kept until the data moves; a review fills in its 报送状态 anew: the
    next view reuses the kept table and shows the moved child's status and the new counts."""
    from jixiao.web import cached_render

    reviewer = logged_in(app, "hunan")
    path = f"/units/{PROVINCE}/years/{YEAR}/rollup"

    def row_of(page: str, code: str) -> str:
        found = re.search(rf'<tr [^>]*data-unit="{code}">(.*?)</tr>', page, re.S)
        assert found is not None
        return found.group(1)

    before = reviewer.get(path).text
    assert "填报中" in row_of(before, YIYANG) and "已提交待审核" not in row_of(before, YIYANG)
    hits = cached_render._CONTENT.hits
    _move(app, "yiyang", Action.submit)
    after = reviewer.get(path).text
    assert cached_render._CONTENT.hits == hits + 1  # the table as kept
    assert "已提交待审核" in row_of(after, YIYANG) and "填报中" not in row_of(after, YIYANG)
    line = re.search(r'id="rollup-status">(.*?)</p>', after, re.S)
    assert line is not None and "已提交待审核 <strong>1</strong>" in line.group(1)
    # nothing of the marks the kept table carries reaches the page
    assert "\ue000" not in after and "\ue001" not in after
    assert row_of(after, ZHUZHOU) == row_of(before, ZHUZHOU)


# --------------------------------------------------------------------------------------------
# The web: pages and API
# --------------------------------------------------------------------------------------------


def _form(client: TestClient, path: str) -> dict[str, str]:
    html = client.get(path).text
    return {"csrf_token": page_csrf(client, path),
            "version": re.search(r'name="version" value="(\d+)"', html).group(1)}  # type: ignore[union-attr]


def test_the_pages_show_the_status_and_refuse_edits_of_a_submitted_year(app: FastAPI) -> None:
    operator, reviewer = logged_in(app, "yiyang"), logged_in(app, "hunan")
    board = operator.get(BASE).text
    assert 'id="workflow-status">填报中' in board and f'{BASE}/edit"' in board
    sent = operator.post(f"{BASE}/workflow/submit", data=_form(operator, BASE), follow_redirects=False)
    assert sent.status_code == 303
    board = operator.get(BASE).text
    assert "已提交待审核" in board and "审核期间不能修改" in board and f'{BASE}/edit"' not in board
    # the edit page sends back to the dashboard with the reason; a form posted anyway is refused
    away = operator.get(f"{BASE}/edit", follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"] == BASE
    # the tree and the province's 报送情况 show it
    assert "已提交待审核" in reviewer.get("/units").text
    status = reviewer.get(f"/units/{PROVINCE}/status").text
    assert "待审核（1）" in status and f"{BASE}/review" in status
    # the reviewer returns it with a comment on one figure
    name, _ = _insured(app)
    review = reviewer.get(f"{BASE}/review").text
    assert f'value="figure:{name}"' in review
    empty = reviewer.post(f"{BASE}/workflow/return", data={**_form(reviewer, f"{BASE}/review"), "back": "review"})
    assert empty.status_code == 422 and "请写明意见" in empty.text
    back = reviewer.post(f"{BASE}/workflow/return", data={**_form(reviewer, f"{BASE}/review"), "back": "review",
                                                         "item-1": f"figure:{name}", "text-1": "与统计年报不一致"},
                         follow_redirects=False)
    assert back.status_code == 303
    entry = operator.get(f"{BASE}/edit").text
    assert "审核员退回意见" in entry and "审核意见：与统计年报不一致" in entry


def test_the_api_moves_and_refuses_in_chinese(app: FastAPI) -> None:
    from jixiao.store.users import create_api_token, find_user

    def bearer(name: str) -> dict[str, str]:
        with Session(app.state.engine) as s:
            user = find_user(s, name)
            assert user is not None
            token, _ = create_api_token(s, user, "脚本", "write")
            s.commit()
        return {"Authorization": f"Bearer {token}"}

    client = TestClient(app)
    url = f"/api{BASE}/status"
    state = client.get(url, headers=bearer("yiyang")).json()
    assert state["status"] == "draft" and state["actions"] == ["submit"]
    done = client.post(url, headers=bearer("yiyang"), json={"action": "submit", "version": state["version"]})
    assert done.status_code == 200 and done.json()["status"] == "submitted"
    entry = client.post(f"/api{BASE}/entry", headers=bearer("yiyang"),
                        json={"version": state["version"], "values": {_insured(app)[0]: "1"}})
    assert entry.status_code == 409 and "已提交审核" in entry.json()["detail"]
    other = client.post(url, headers=bearer("sichuan"), json={"action": "approve", "version": state["version"]})
    assert other.status_code == 404  # 四川's reviewer cannot even see 益阳
    approved = client.post(url, headers=bearer("hunan"), json={"action": "approve", "version": state["version"]})
    assert approved.json()["status"] == "approved"
    counts = client.get(f"/api/units/{PROVINCE}/status?year={YEAR}", headers=bearer("hunan")).json()
    assert counts["counts"]["approved"] == 1 and counts["counts"]["not_started"] == 1


def test_a_command_line_load_of_a_draft_still_works(app: FastAPI, tmp_path: Path) -> None:
    changed = tmp_path / "yiyang.yaml"
    changed.write_text((EXAMPLES / "004_yiyang_2020.yaml").read_text(encoding="utf-8")
                       .replace('insured: "388079"', 'insured: "388082"'), encoding="utf-8")
    assert import_files(app.state.engine, [changed]).ok
    assert _insured(app)[1] == "388082人"
    with Session(app.state.engine) as s:
        rows = s.scalar(select(FundYearRow.id).where(FundYearRow.unit == YIYANG).limit(1))
    assert rows is not None
    # one role rule the tests above rely on: a read-only token may do nothing of the workflow
    reader = Principal(user_id=1, username="yiyang", role=Role.operator, unit=YIYANG, token_scope="read")
    with Session(app.state.engine) as s, pytest.raises(Forbidden, match="只读"):
        act(s, reader, YIYANG, YEAR, Action.submit, _version(app))
