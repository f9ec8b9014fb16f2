"""The workflow on the web: a unit-year's status, its review page and the moves (submit,
withdraw, approve, return with comments), a parent unit's 报送情况 — as pages and as JSON.

Each route parses its input and calls one use case of :mod:`jixiao.app.workflow` or
:mod:`jixiao.app.pages.status`; refusals come back as the app's errors (403 / 409 / 422 with a
Chinese sentence). Pages redirect back with a message after a move.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from jixiao.app.errors import AppError, Conflict
from jixiao.app.pages.common import get_unit
from jixiao.app.pages.status import StatusOverview, default_status_root, kept_overview, status_overview
from jixiao.app.workflow import ReviewItem, YearStatus, act, review_items, year_status
from jixiao.model.workflow import ACTION_LABEL, STATUS_LABEL, Action
from jixiao.web.cached_render import render_cached_content
from jixiao.web.deps import CurrentPrincipal, DbRoute, DbSession, ReadableUnit, flash, in_thread, templates

router = APIRouter(route_class=DbRoute, tags=["填报审核"])

Year = Annotated[int, PathParam(ge=1990, le=2100, description="年度，如 2020")]
#: how many item comments one return may carry
MAX_ITEMS = 50


def _action(text: str) -> Action:
    try:
        return Action(text)
    except ValueError:
        raise HTTPException(404, detail="没有这个操作（可做的是提交、撤回、审核通过、退回）") from None


def _int(text: Any) -> int | None:
    text = str(text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def form_items(form: Any) -> dict[str, str]:
    """The item comments of a review form: ``item-N`` (what) and ``text-N`` (the comment); the
    comments of one item given twice are joined."""
    items: dict[str, str] = {}
    for n in range(1, MAX_ITEMS + 1):
        key, text = str(form.get(f"item-{n}") or "").strip(), str(form.get(f"text-{n}") or "").strip()
        if key and text:
            items[key] = f"{items[key]}；{text}" if key in items else text
    return items


def _groups(items: list[ReviewItem]) -> list[tuple[str, list[ReviewItem]]]:
    """The items by the record (or 报告) they belong to, in the order they come."""
    groups: dict[str, list[ReviewItem]] = {}
    for item in items:
        groups.setdefault(item.group, []).append(item)
    return list(groups.items())


# --------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------


@router.get("/units/{unit}/years/{year}/review", include_in_schema=False)
def review_page(request: Request, unit: str, year: Year, row: ReadableUnit, principal: CurrentPrincipal,
                db: DbSession) -> Response:
    status = year_status(db, principal, row.code, year)
    items = review_items(db, row.code, year) if status.status != "not_started" else []
    return templates.TemplateResponse(request, "pages/review.html", {
        "unit": get_unit(db, row.code), "year": year, "status": status, "groups": _groups(items),
        "status_label": STATUS_LABEL, "rows": 3, "errors": [], "comment": "", "given": {}})


@router.post("/units/{unit}/years/{year}/workflow/{action}", include_in_schema=False)
async def move_page(request: Request, unit: str, year: Year, action: str, row: ReadableUnit,
                    principal: CurrentPrincipal, db: DbSession) -> Response:
    code, name = row.code, row.name  # read now: a rollback in in_thread expires the row
    what = _action(action)
    form = await request.form()
    items = form_items(form)
    comment = str(form.get("comment") or "")
    back = str(form.get("back") or "dashboard")
    target = f"/units/{code}/years/{year}" + ("/review" if back == "review" else "")
    try:
        done = await in_thread(db, act, db, principal, code, year, what, _int(form.get("version")),
                               comment=comment, items=items)
    except Conflict as exc:
        flash(request, f"未能{ACTION_LABEL[what]}：{exc}", "error")
        return RedirectResponse(target, status_code=303)
    except AppError as exc:
        if what is Action.send_back and back == "review":
            status = year_status(db, principal, code, year)
            return templates.TemplateResponse(request, "pages/review.html", {
                "unit": get_unit(db, code), "year": year, "status": status,
                "groups": _groups(review_items(db, code, year)), "status_label": STATUS_LABEL,
                "rows": max(3, len(items)), "errors": [str(exc)], "comment": comment,
                "given": items}, status_code=422)
        flash(request, f"未能{ACTION_LABEL[what]}：{exc}", "error")
        return RedirectResponse(target, status_code=303)
    flash(request, f"已{ACTION_LABEL[what]}：{name} {year} 年数据现为“{done.label}”", "success")
    return RedirectResponse(f"/units/{code}/years/{year}", status_code=303)


@router.get("/status", include_in_schema=False)
def status_home(principal: CurrentPrincipal, db: DbSession) -> Response:
    """报送情况 of the viewer's own region (a reviewer's region, an admin's top unit)."""
    root = default_status_root(db, principal)
    if root is None:
        raise HTTPException(404, detail="没有可查看报送情况的单位")
    return RedirectResponse(f"/units/{root}/status", status_code=303)


@router.get("/units/{unit}/status", include_in_schema=False)
def status_page(request: Request, unit: str, row: ReadableUnit, principal: CurrentPrincipal, db: DbSession,
                year: Annotated[int | None, Query(ge=1990, le=2100)] = None) -> Response:
    # the content is rendered once per overview: the key it is kept under (data revision, the
    # branch's statuses, the viewer's scope)
    key, overview = kept_overview(db, principal, row.code, year)
    return render_cached_content(request, db, "pages/status.html", key, {"o": overview, "status_label": STATUS_LABEL},
                                 dict)


# --------------------------------------------------------------------------------------------
# JSON
# --------------------------------------------------------------------------------------------


class MoveRequest(BaseModel):
    action: Action = Field(description="submit 提交审核、withdraw 撤回提交、approve 审核通过、return 退回修改")
    version: int = Field(ge=0, le=10**9,
                         description="所据的数据版本（GET …/status 的 version）：期间数据有变则拒绝（409）")
    comment: str | None = Field(default=None, max_length=2000, description="意见（退回时总体意见与逐项意见至少一条）")
    items: dict[str, str] = Field(default_factory=dict, description="逐项意见：项目（GET …/review-items 的 key）→ 意见")


@router.get("/api/units/{unit}/years/{year}/status", response_model=YearStatus,
            summary="单位年度的填报审核状态、历次变更与当前用户可做的操作")
def api_status(unit: str, year: Year, row: ReadableUnit, principal: CurrentPrincipal, db: DbSession) -> YearStatus:
    return year_status(db, principal, row.code, year)


@router.get("/api/units/{unit}/years/{year}/review-items", response_model=list[ReviewItem],
            summary="审核时可逐项提意见的项目（记录、主要数字、报告）")
def api_review_items(unit: str, year: Year, row: ReadableUnit, db: DbSession) -> list[ReviewItem]:
    return review_items(db, row.code, year)


@router.post("/api/units/{unit}/years/{year}/status", response_model=YearStatus,
             responses={403: {"description": "无权做此操作"}, 409: {"description": "状态不允许，或数据在此期间有变"},
                        422: {"description": "缺少意见或项目不存在"}},
             summary="提交、撤回、审核通过或退回（附意见）")
def api_move(unit: str, year: Year, row: ReadableUnit, principal: CurrentPrincipal, db: DbSession,
             body: Annotated[MoveRequest, Body()]) -> YearStatus:
    return act(db, principal, row.code, year, body.action, body.version, comment=body.comment, items=body.items)


@router.get("/api/units/{unit}/status", response_model=StatusOverview,
            summary="下级单位报送情况：各状态单位数、各下级单位的状态、待审核与已退回的单位")
def api_overview(unit: str, row: ReadableUnit, principal: CurrentPrincipal, db: DbSession,
                 year: Annotated[int | None, Query(ge=1990, le=2100, description="年度；缺省为最近有数据的年度")] = None
                 ) -> StatusOverview:
    return status_overview(db, principal, row.code, year)


__all__ = ["router"]
