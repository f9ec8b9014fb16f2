"""Imports you can trust, on the web: an uploaded workbook's preview confirmed or cancelled, the
imports made and their undo, a figure's history — as pages and as JSON.

The upload form itself (``POST /units/{unit}/upload``, in :mod:`jixiao.web.routes.pages`) shows
the preview (:func:`preview_page`); each route here parses its input and calls one use case of
:mod:`jixiao.app.uploads`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, File, HTTPException, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from jixiao.app.errors import AppError, Conflict
from jixiao.app.pages.common import data_years, get_unit
from jixiao.app.uploads import (
    FigureHistory,
    ImportRecord,
    UploadPreview,
    cancel_upload,
    confirm_upload,
    figure_history,
    import_history,
    preview_upload,
    undo_import,
    year_history,
)
from jixiao.store.repository import years_of
from jixiao.web.deps import (
    CurrentPrincipal,
    DbRoute,
    DbSession,
    EditableUnit,
    ReadableUnit,
    flash,
    in_thread,
    templates,
)
from jixiao.web.results import ImportResult, import_view
from jixiao.web.security import UploadError, read_upload

router = APIRouter(route_class=DbRoute, tags=["导入"])

Year = Annotated[int, PathParam(ge=1990, le=2100, description="年度，如 2020")]


def preview_page(request: Request, preview: UploadPreview, unit_name: str) -> Response:
    """The preview of an upload: what it changes, to confirm or cancel (422 when it cannot be imported)."""
    return templates.TemplateResponse(request, "pages/upload_preview.html", {
        "p": preview, "unit_name": unit_name}, status_code=200 if preview.ok else 422)


def _upload_page(request: Request, db: DbSession, unit: str, status: int, **extra: Any) -> Response:
    return templates.TemplateResponse(request, "pages/upload.html", {
        "unit": get_unit(db, unit), "result": None, "years": data_years(db, unit), **extra}, status_code=status)


@router.post("/units/{unit}/upload/confirm", include_in_schema=False)
async def confirm_page(request: Request, unit: str, row: EditableUnit, principal: CurrentPrincipal,
                       db: DbSession) -> Response:
    code = row.code  # read now: a rollback in in_thread expires the row
    form = await request.form()
    token = str(form.get("token") or "")
    try:
        done = await in_thread(db, confirm_upload, db, principal, code, token)
    except Conflict as exc:
        return await in_thread(db, _upload_page, request, db, code, 409, conflict=exc,
                               filename=str(form.get("filename") or "工作簿"))
    except AppError as exc:
        return await in_thread(db, _upload_page, request, db, code, 409, upload_error=str(exc))
    result = import_view(done)
    n = sum(result.saved.values())
    flash(request, f"已导入（{n} 条记录有新增或修改）。如需撤销，可在“导入记录”中撤销这次导入。", "success")
    year = result.years[-1] if result.years else None
    target = f"/units/{code}/years/{year}" if year else f"/units/{code}"
    if year and result.saved.get("fund_periods") and year not in years_of(db, code):
        target += "/monitoring"  # months only: the monitoring page is what they make
    return RedirectResponse(target, status_code=303)


@router.post("/units/{unit}/upload/cancel", include_in_schema=False)
async def cancel_page(request: Request, unit: str, row: EditableUnit, principal: CurrentPrincipal,
                      db: DbSession) -> Response:
    code = row.code  # read now: a rollback in in_thread expires the row
    form = await request.form()
    dropped = await in_thread(db, cancel_upload, db, principal, str(form.get("token") or ""))
    flash(request, "已取消，未导入任何数据" if dropped else "这次上传已经确认、取消或过期", "info")
    return RedirectResponse(f"/units/{code}/upload", status_code=303)


@router.get("/units/{unit}/imports", include_in_schema=False)
def imports_page(request: Request, unit: str, row: ReadableUnit, principal: CurrentPrincipal,
                 db: DbSession) -> Response:
    from jixiao.app.access import can_edit

    return templates.TemplateResponse(request, "pages/imports.html", {
        "unit": get_unit(db, row.code), "imports": import_history(db, row.code),
        "editable": can_edit(principal, row.code)})


@router.post("/units/{unit}/imports/{import_id}/undo", include_in_schema=False)
def undo_page(request: Request, unit: str, import_id: int, row: EditableUnit, principal: CurrentPrincipal,
              db: DbSession) -> Response:
    try:
        undone = undo_import(db, principal, row.code, import_id)
    except AppError as exc:
        flash(request, f"未能撤销：{exc}", "error")
    else:
        flash(request, f"已撤销 {undone.at} 导入的“{undone.filename}”：导入前的数据已恢复", "success")
    return RedirectResponse(f"/units/{row.code}/imports", status_code=303)


@router.get("/units/{unit}/years/{year}/history", include_in_schema=False)
def history_page(request: Request, unit: str, year: Year, row: ReadableUnit, db: DbSession,
                 field: Annotated[str | None, Query(max_length=400)] = None) -> Response:
    histories = [figure_history(db, row.code, year, field)] if field else year_history(db, row.code, year)
    groups: dict[str, list[FigureHistory]] = {}
    for h in histories:
        groups.setdefault(h.record, []).append(h)
    return templates.TemplateResponse(request, "pages/history.html", {
        "unit": get_unit(db, row.code), "year": year, "histories": histories, "groups": list(groups.items()),
        "one": bool(field)})


# --------------------------------------------------------------------------------------------
# JSON
# --------------------------------------------------------------------------------------------


class TokenRequest(BaseModel):
    token: str = Field(max_length=200, description="预览返回的 token")


@router.post("/api/units/{unit}/workbook/preview", response_model=UploadPreview,
             responses={422: {"model": UploadPreview, "description": "工作簿有错误，不能导入"},
                        409: {"description": "工作簿所据版本已被他人修改，或该年度已提交、已审核通过"}},
             summary="上传填报工作簿并预览将修改的数字（逐项原值→新值）；确认前不保存")
async def api_preview(unit: str, request: Request, row: EditableUnit, principal: CurrentPrincipal, db: DbSession,
                      file: Annotated[UploadFile, File(description="填报工作簿 .xlsx")]) -> Response:
    code = row.code  # read now: a rollback in in_thread expires the row
    try:
        upload = await read_upload(file, request.app.state.settings.max_upload_bytes, (".xlsx",))
    except UploadError as exc:
        raise HTTPException(exc.status_code, detail=exc.message) from exc
    preview = await in_thread(db, preview_upload, db, principal, code, upload.filename, upload.data)
    return Response(preview.model_dump_json(), status_code=200 if preview.ok else 422, media_type="application/json")


@router.post("/api/units/{unit}/workbook/confirm", response_model=ImportResult,
             responses={409: {"description": "预览之后数据有变，未导入"}, 404: {"description": "预览不存在或已过期"}},
             summary="确认导入预览过的工作簿（按预览时的版本；期间有人修改则拒绝）")
def api_confirm(unit: str, row: EditableUnit, principal: CurrentPrincipal, db: DbSession,
                body: Annotated[TokenRequest, Body()]) -> ImportResult:
    return import_view(confirm_upload(db, principal, row.code, body.token))


@router.post("/api/units/{unit}/workbook/cancel", summary="取消预览过的上传（不导入）")
def api_cancel(unit: str, row: EditableUnit, principal: CurrentPrincipal, db: DbSession,
               body: Annotated[TokenRequest, Body()]) -> dict[str, bool]:
    return {"cancelled": cancel_upload(db, principal, body.token)}


@router.get("/api/units/{unit}/imports", response_model=list[ImportRecord], summary="网页导入记录（可否撤销）")
def api_imports(unit: str, row: ReadableUnit, db: DbSession) -> list[ImportRecord]:
    return import_history(db, row.code)


@router.post("/api/units/{unit}/imports/{import_id}/undo", response_model=ImportRecord,
             responses={409: {"description": "导入之后数据有变，或已提交、已审核通过，未撤销"}},
             summary="撤销一次工作簿导入（恢复它替换的记录，作为一次新的修改）")
def api_undo(unit: str, import_id: int, row: EditableUnit, principal: CurrentPrincipal, db: DbSession) -> ImportRecord:
    return undo_import(db, principal, row.code, import_id)


@router.get("/api/units/{unit}/years/{year}/history", response_model=list[FigureHistory],
            summary="数字的修改历史（谁、何时、原值→新值）；field 为录入表单字段名，缺省为全部")
def api_history(unit: str, year: Year, row: ReadableUnit, db: DbSession,
                field: Annotated[str | None, Query(max_length=400)] = None) -> list[FigureHistory]:
    return [figure_history(db, row.code, year, field)] if field else year_history(db, row.code, year)


__all__ = ["preview_page", "router"]
