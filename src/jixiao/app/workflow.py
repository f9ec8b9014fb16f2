"""The workflow as use cases: submit a unit-year, withdraw it, approve it or return it with
comments per item; where a unit-year stands and what the viewer may do with it.

Who may (:mod:`jixiao.app.access`): the unit's operator (or an admin) submits and withdraws; a
reviewer whose region holds the unit (or an admin) approves or returns. Each move names the data
version the person acted on: a move on data that changed meanwhile is a
:class:`~jixiao.app.errors.Conflict`, and a move the status does not allow is
:class:`~jixiao.app.errors.NotNow`. Each move is kept in the status history and the change log,
in one transaction with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from jixiao.app.access import can_edit, can_review
from jixiao.app.busy import with_retry
from jixiao.app.cache import BoundedCache
from jixiao.app.changes import conflict, record_change
from jixiao.app.entry import entry_form
from jixiao.app.errors import Forbidden, InvalidRequest, NotNow
from jixiao.app.lock import locked_reason
from jixiao.app.units import unit_table
from jixiao.model.users import Principal
from jixiao.model.workflow import ACTION_LABEL, EDITABLE, MOVES, NOT_STARTED, STATUS_LABEL, Action, Status
from jixiao.store.versions import StaleVersion
from jixiao.store.workflow import ItemComment, MoveRefused, YearState, comments_of, events_of, move, state_of

#: China has one time zone and no summer time
BEIJING = timezone(timedelta(hours=8), "北京时间")
#: the longest comment kept (a page of text)
MAX_COMMENT = 2000


def beijing(at: datetime | None) -> str | None:
    """A stored time (UTC; SQLite gives it back naive) in Beijing time, to the second."""
    if at is None:
        return None
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return aware.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


class ReviewItem(BaseModel):
    """Something of a unit-year a reviewer may comment on."""

    key: str = Field(description="figure:<记录>|<字段>、record:<记录> 或 report:<报告>")
    label: str = Field(title="项目")
    group: str = Field(title="所属", description="记录或“报告”")


class ItemCommentView(BaseModel):
    item: str
    label: str = Field(title="项目")
    comment: str = Field(title="意见")


class StatusEvent(BaseModel):
    at: str = Field(title="时间（北京时间）")
    username: str = Field(title="操作人")
    action: str
    action_label: str = Field(title="操作")
    status_from: str
    status_to: str
    status_label: str = Field(title="之后的状态")
    version: int = Field(title="所据数据版本")
    comment: str | None = Field(default=None, title="意见")
    items: list[ItemCommentView] = Field(default_factory=list, title="逐项意见")


class YearStatus(BaseModel):
    """Where a unit-year stands in the workflow, and what the viewer may do now."""

    unit: str
    year: int
    status: str = Field(description="not_started | draft | submitted | approved | returned")
    label: str = Field(title="状态")
    version: int = Field(description="数据版本：提交、通过、退回时原样带回")
    since: str | None = Field(default=None, title="状态变更时间（北京时间）")
    by: str | None = Field(default=None, title="状态变更人")
    editable: bool = Field(description="数据此时可否修改（不论由谁）")
    locked_reason: str | None = Field(default=None, description="数据不能修改的原因")
    actions: list[str] = Field(description="当前用户此时可做的操作：submit、withdraw、approve、return")
    action_labels: dict[str, str]
    events: list[StatusEvent] = Field(description="历次状态变更，最新的在前")
    open_comments: list[ItemCommentView] = Field(
        default_factory=list, description="退回时的逐项意见（状态为已退回时）")
    return_comment: str | None = Field(default=None, description="退回时的总体意见（状态为已退回时）")


def _actions(principal: Principal, unit: str, status: str, parents: Mapping[str, str | None]) -> list[str]:
    out: list[str] = []
    for action, (starts, _) in MOVES.items():
        if status not in starts:
            continue
        allowed = can_edit(principal, unit) if action in (Action.submit, Action.withdraw) else can_review(
            principal, unit, parents)
        if allowed:
            out.append(action.value)
    return out


#: each unit-year's history as shown, under its state: every move sets the state's time, so a
#: move by any process or program (a restore included) is a new key
_HISTORIES: BoundedCache[list[StatusEvent]] = BoundedCache(size=4096)


def _history(db: Session, unit: str, year: int, state: YearState) -> list[StatusEvent]:
    """The unit-year's moves, latest first, with their item comments (kept: read twice a page)."""
    key = (unit, year, state.status, state.status_at, state.status_by, state.version)
    found = _HISTORIES.get(key)
    if found is not None:
        return found
    moves = events_of(db, unit, year)
    comments = comments_of(db, unit, year) if moves else {}  # item comments belong to moves: none without
    events = [StatusEvent(at=beijing(e.at) or "", username=e.username, action=e.action,
                          action_label=ACTION_LABEL.get(Action(e.action), e.action), status_from=e.status_from,
                          status_to=e.status_to, status_label=STATUS_LABEL.get(e.status_to, e.status_to),
                          version=e.version, comment=e.comment,
                          items=[ItemCommentView(item=c.item, label=c.label, comment=c.comment)
                                 for c in comments.get(e.id, [])])
              for e in reversed(moves)]
    _HISTORIES.put(key, events)
    return events


def year_status(db: Session, principal: Principal, unit: str, year: int) -> YearStatus:
    """The unit-year's status, history and the moves open to ``principal`` (who may read it)."""
    state = state_of(db, unit, year)
    status = state.status.value if state is not None else NOT_STARTED
    since = beijing(state.status_at) if state is not None else None
    by = state.status_by if state is not None else None
    events = _history(db, unit, year, state) if state is not None else []
    last_return = next((e for e in events if e.action == Action.send_back.value), None)
    returned = status == Status.returned and last_return is not None
    return YearStatus(
        unit=unit, year=year, status=status, label=STATUS_LABEL[status], version=state.version if state else 0,
        since=since, by=by, editable=status in EDITABLE or status == NOT_STARTED,
        locked_reason=locked_reason(status, by, since),
        actions=_actions(principal, unit, status, unit_table(db).parents),
        action_labels={a.value: label for a, label in ACTION_LABEL.items()}, events=events,
        open_comments=last_return.items if returned and last_return else [],
        return_comment=last_return.comment if returned and last_return else None)


# --------------------------------------------------------------------------------------------
# What a reviewer may comment on
# --------------------------------------------------------------------------------------------


def review_items(db: Session, unit: str, year: int) -> list[ReviewItem]:
    """Each record of the unit-year, each of its main figures (those of the entry form) and each
    report it makes."""
    form = entry_form(db, unit, year)
    items: list[ReviewItem] = []
    reports: list[ReviewItem] = []
    projects = 0
    for rec in form.records:
        items.append(ReviewItem(key=f"record:{rec.key}", label=f"{rec.title}（整条记录）", group=rec.title))
        items += [ReviewItem(key=f"figure:{f.name}", label=f"{rec.title}：{f.label}", group=rec.title)
                  for f in rec.fields]
        if rec.key.startswith("fund/") and not any(r.key == "report:fund" for r in reports):
            reports.append(ReviewItem(key="report:fund", label="基金支出绩效自评报告", group="报告"))
        elif rec.key == "department":
            reports.append(ReviewItem(key="report:department", label="部门整体支出绩效自评报告", group="报告"))
        elif rec.key.startswith("project/"):
            projects += 1
            reports.append(ReviewItem(key=f"report:project-{projects}",
                                      label=f"项目支出绩效自评报告：{rec.key.partition('/')[2]}", group="报告"))
    return items + reports


# --------------------------------------------------------------------------------------------
# Moves
# --------------------------------------------------------------------------------------------


def _refusal(exc: MoveRefused, action: Action) -> NotNow:
    if exc.status is None:
        return NotNow(f"{exc.unit} 在 {exc.year} 年还没有数据，不能{ACTION_LABEL[action]}")
    now = STATUS_LABEL[exc.status]
    return NotNow(f"{exc.unit} 的 {exc.year} 年数据现在是“{now}”，不能{ACTION_LABEL[action]}（请刷新页面查看最新状态）")


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    if len(text) > MAX_COMMENT:
        raise InvalidRequest(f"意见不能超过 {MAX_COMMENT} 字")
    return text or None


def _item_comments(db: Session, unit: str, year: int, items: Mapping[str, str]) -> list[ItemComment]:
    wanted = {k: c for k, v in items.items() if (c := _clean(v))}
    if not wanted:
        return []
    known = {i.key: i for i in review_items(db, unit, year)}
    unknown = [k for k in wanted if k not in known]
    if unknown:
        raise InvalidRequest(f"没有这些可提意见的项目：{'、'.join(unknown[:5])}")
    return [ItemComment(k, known[k].label, c) for k, c in wanted.items()]


def act(db: Session, principal: Principal, unit: str, year: int, action: Action, version: int | None, *,
        comment: str | None = None, items: Mapping[str, str] | None = None) -> YearStatus:
    """Move ``unit``/``year`` by ``action`` (the caller has checked ``principal`` may read the
    unit), based on data ``version``; commits. Forbidden when the role may not, NotNow when the
    status does not allow it, Conflict when the data changed since ``version``, InvalidRequest
    for a return without any comment."""
    if version is None:
        raise InvalidRequest("缺少数据版本号（version）：请刷新页面后再操作")
    parents = unit_table(db).parents
    if action in (Action.submit, Action.withdraw):
        if not can_edit(principal, unit):
            raise Forbidden("只读令牌不能提交或撤回" if principal.read_only
                            else "只有本单位的填报员或管理员可以提交或撤回")
    elif not can_review(principal, unit, parents):
        raise Forbidden("只读令牌不能审核" if principal.read_only else "只有所辖地区包含该单位的审核员或管理员可以审核")
    text = _clean(comment)
    comments = _item_comments(db, unit, year, items or {})
    if action is Action.send_back and not (text or comments):
        raise InvalidRequest("退回时请写明意见：总体意见或逐项意见至少写一条")

    def attempt() -> YearStatus:
        try:
            event = move(db, unit, year, action, version=version, user_id=principal.user_id,
                         username=principal.username, comment=text, items=comments)
        except MoveRefused as exc:
            db.rollback()
            raise _refusal(exc, action) from None
        except StaleVersion as stale:
            db.rollback()
            raise conflict(db, stale) from None
        record_change(db, principal, action.value, "unit_year", f"{unit}/{year}",
                      old={"status": event.status_from}, new={"status": event.status_to},
                      detail=ACTION_LABEL[action] + (f"：{text}" if text else "")
                      + (f"（逐项意见 {len(comments)} 条）" if comments else ""),
                      unit_year=(unit, year, version))
        db.commit()
        return year_status(db, principal, unit, year)

    return with_retry(db, attempt)


__all__ = ["BEIJING", "ItemCommentView", "ReviewItem", "StatusEvent", "YearStatus", "act", "beijing",
           "review_items", "year_status"]
