"""The JSON API: every page's data (the models of :mod:`jixiao.app.pages`), documented by OpenAPI.

Authenticate with a session cookie (browsers) or ``Authorization: Bearer <API 令牌>`` (scripts).
Every route with a ``{unit}`` path parameter goes through ``readable_unit`` / ``editable_unit``:
a unit the caller may not read answers 404, one it may read but not change 403. Each route
parses its input, calls one use case of :mod:`jixiao.app` and presents the result; the views of
results at the top are shared with the HTML pages.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, File, Form, HTTPException, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import Response
from pydantic import BaseModel, Field

from jixiao.app.access import can_edit
from jixiao.app.audits import AUDIT_TYPES, audit_upload
from jixiao.app.cache import RevisionCache
from jixiao.app.entry import EntryForm, entry_form, save_entry
from jixiao.app.errors import Conflict, InvalidRequest, NotFound
from jixiao.app.imports import import_workbook
from jixiao.app.monitoring import monitoring_docx_file
from jixiao.app.pages.common import IndicatorInfo, UnitInfo, get_unit, indicator_catalog
from jixiao.app.pages.comparison import Comparison, comparison
from jixiao.app.pages.dashboard import Dashboard, unit_year_dashboard_json
from jixiao.app.pages.monitoring import MonitoringPage, MonitoringRollup, monitoring_rollup, unit_monitoring
from jixiao.app.pages.rollup import Rollup, unit_rollup
from jixiao.app.pages.status import rollup_with_status
from jixiao.app.pages.tree import UnitTree, WarningFilter, find_units
from jixiao.app.pages.trends import Trends, trends
from jixiao.app.reports import MEDIA_TYPES, report_file
from jixiao.store.repository import years_of
from jixiao.web.deps import CurrentPrincipal, DbRoute, DbSession, EditableUnit, ReadableUnit, in_thread
from jixiao.web.results import (
    AuditResult,
    EntryResult,
    ImportResult,
    ReportFormat,
    audit_view,
    entry_view,
    file_response,
    import_view,
    json_response,
    known_fund,
    split_ids,
)
from jixiao.web.security import read_upload

router = APIRouter(route_class=DbRoute, prefix="/api", tags=["数据 API"])

Year = Annotated[int, PathParam(ge=1990, le=2100, description="年度，如 2020")]
Month = Annotated[int | None, Query(ge=1, le=12, description="监测到几月（1–12）；缺省为有数据的最后一个月")]


class UnitSummary(BaseModel):
    unit: UnitInfo
    years: list[int] = Field(title="有数据的年度")
    editable: bool = Field(title="当前用户可否修改该单位数据")


class EntryRequest(BaseModel):
    version: int = Field(ge=0, le=10**9,
                         description="GET …/entry 返回的 version：期间有人修改过该单位该年度的数据则拒绝（409）")
    values: dict[str, str] = Field(description="表单字段名（见 GET …/entry 的 fields[].name）→ 数值文字；空串删除该数")


WorkbookVersion = Annotated[int | None, Form(ge=0, le=10**9, description=(
    "工作簿所据数据的版本（可选；从本系统下载的工作簿自带）"))]


class ConflictResult(BaseModel):
    """A write refused because the unit-year changed after the version it was based on."""

    detail: str
    stale: list[dict[str, Any]] = Field(description="每个单位年度：based_on（所据版本）、current（现版本）、"
                                                    "meanwhile（期间的修改：时间、用户、内容、旧值、新值）")


def conflict_response(exc: Conflict) -> Response:
    return Response(json.dumps(exc.as_json(), ensure_ascii=False, default=str), status_code=409,
                    media_type="application/json")


def bad_request(exc: KeyError) -> HTTPException:
    return HTTPException(400, detail=str(exc.args[0]) if exc.args else "参数有误")


# --------------------------------------------------------------------------------------------
# Routes
# --------------------------------------------------------------------------------------------


@router.get("/indicators", response_model=list[IndicatorInfo], summary="指标目录（id、名称、单位、公式、依据）")
def api_indicators(principal: CurrentPrincipal) -> list[IndicatorInfo]:
    return indicator_catalog()


@router.get("/units", response_model=UnitTree,
            summary="单位树（仅当前用户可查看的单位）；可按名称或代码、层级、地区、预警查找")
def api_units(
    principal: CurrentPrincipal, db: DbSession,
    q: Annotated[str | None, Query(max_length=80, description="名称或代码中含有的文字")] = None,
    level: Annotated[str | None, Query(max_length=20, description="层级：省、市、县…")] = None,
    region: Annotated[str | None, Query(max_length=80, description="所属地区中含有的文字")] = None,
    warning: Annotated[WarningFilter | None, Query(
        description="最近一年的预警至少为：serious 严重、warning 警示、info 提示")] = None,
) -> Response:
    return json_response(find_units(db, principal, q=q, level=level, region=region, warning=warning))


@router.get("/units/{unit}", response_model=UnitSummary, summary="单位信息与有数据的年度")
def api_unit(unit: str, row: ReadableUnit, principal: CurrentPrincipal, db: DbSession) -> UnitSummary:
    return UnitSummary(unit=get_unit(db, row.code), years=years_of(db, row.code),
                       editable=can_edit(principal, row.code))


@router.get("/units/{unit}/years/{year}", response_model=Dashboard,
            summary="单位年度总览：指标（含公式）、所述数核对、预警、评分、图表数据")
def api_dashboard(unit: str, year: Year, row: ReadableUnit, db: DbSession) -> Response:
    try:
        return Response(unit_year_dashboard_json(db, row.code, year), media_type="application/json")
    except NotFound as exc:  # pragma: no cover - readable_unit already checked
        raise HTTPException(404, detail=str(exc)) from exc


@router.get("/units/{unit}/years/{year}/rollup", response_model=Rollup,
            summary="下级单位合计（市级统筹视图）：各基金合计数、按合计数计算的指标、各下级单位的数据与预警")
def api_rollup(unit: str, year: Year, row: ReadableUnit, db: DbSession, principal: CurrentPrincipal,
               fund: Annotated[str | None, Query(description="各下级单位一栏显示哪个基金；缺省为单位最多的基金")]
               = None) -> Response:
    return json_response(rollup_with_status(db, principal, unit_rollup(db, row.code, year, fund=known_fund(fund))))


@router.get("/units/{unit}/years/{year}/monitoring", response_model=MonitoringPage,
            summary="基金运行监测：各基金累计收支执行与序时进度、同比、可支付月数、预警、全年预计及其范围"
                    "（该年度没有月度数据时 funds 为空、month 为 null）")
def api_monitoring(unit: str, year: Year, row: ReadableUnit, db: DbSession, month: Month = None) -> Response:
    return json_response(unit_monitoring(db, row.code, year, month))


@router.get("/units/{unit}/years/{year}/monitoring/rollup", response_model=MonitoringRollup,
            summary="下级单位基金运行监测：各直属下级单位的执行进度与序时进度、预警，及其合计")
def api_monitoring_rollup(unit: str, year: Year, row: ReadableUnit, db: DbSession, month: Month = None) -> Response:
    return json_response(monitoring_rollup(db, row.code, year, month))


@router.get("/units/{unit}/trends", response_model=Trends, summary="单位历年指标趋势")
def api_trends(
    unit: str, row: ReadableUnit, db: DbSession,
    indicators: Annotated[str | None, Query(description="指标 id，逗号分隔；缺省为常用指标")] = None,
    fund: Annotated[str | None, Query(description="基金（险种）全称；缺省为该单位年份最多的基金")] = None,
) -> Trends:
    try:
        return trends(db, row.code, split_ids(indicators), fund=fund)
    except KeyError as exc:
        raise bad_request(exc) from exc


@router.get("/compare", response_model=Comparison, summary="单位对比：一年内各单位 × 指标（排名、预警着色）")
def api_compare(
    principal: CurrentPrincipal, db: DbSession,
    year: Annotated[int, Query(ge=1990, le=2100, description="年度")],
    indicators: Annotated[str | None, Query(
        description="指标 id，逗号分隔；部门指标与基金同名时写 department:id")] = None,
    fund: Annotated[str | None, Query(description="基金（险种）全称；缺省为当年单位最多的基金")] = None,
    sort: Annotated[str | None, Query(description="排序：指标 id、unit、name 或 warnings")] = None,
    order: Annotated[Literal["asc", "desc"], Query(description="升序或降序")] = "desc",
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    level: Annotated[str | None, Query(max_length=20, description=(
        "只比较这一层级（省、市、县…）；缺省为当年有数据的单位最多的层级（同级比较），all 为全部层级"))] = None,
    region: Annotated[str | None, Query(max_length=80, description="只比较所属地区含有此文字的单位")] = None,
    warning: Annotated[WarningFilter | None, Query(
        description="只列出预警至少为此级别的单位：serious 严重、warning 警示、info 提示（名次不变）")] = None,
) -> Response:
    # what it answers depends on the data, the query and which units the viewer may read (as the page's)
    key = (principal.role, None if principal.is_admin else principal.unit, year, indicators, fund, sort, order,
           offset, limit, level, region, warning)
    try:
        body = _COMPARE_JSON.get_or_make(db, key, lambda: comparison(
            db, principal, year, split_ids(indicators), fund=fund, sort=sort, descending=order == "desc",
            offset=offset, limit=limit, level=level, region=region, warning=warning).model_dump_json(by_alias=True))
    except KeyError as exc:
        raise bad_request(exc) from exc
    return Response(body, media_type="application/json")


#: the comparison's answers as JSON, per data revision: a warm one is a lookup, not 100 rows dumped
_COMPARE_JSON: RevisionCache[str] = RevisionCache(size=512)


@router.get("/units/{unit}/years/{year}/entry", response_model=EntryForm, summary="数据录入表单（主要数字的当前值）")
def api_entry_form(unit: str, year: Year, row: EditableUnit, db: DbSession) -> EntryForm:
    return entry_form(db, row.code, year)


@router.post("/units/{unit}/years/{year}/entry", response_model=EntryResult,
             responses={422: {"model": EntryResult, "description": "有字段未通过校验，未保存任何数据"},
                        409: {"model": ConflictResult, "description": "期间有人修改了该单位该年度的数据，未保存"}},
             summary="提交数据录入（全部通过校验、且版本未变才保存，并记入修改记录）")
def api_entry_save(unit: str, year: Year, row: EditableUnit, principal: CurrentPrincipal, db: DbSession,
                   body: Annotated[EntryRequest, Body()]) -> Response | EntryResult:
    try:
        saved = save_entry(db, principal, row.code, year, body.values, body.version)
    except Conflict as exc:
        return conflict_response(exc)
    result = entry_view(saved)
    if not result.ok:
        return Response(result.model_dump_json(), status_code=422, media_type="application/json")
    return result


@router.post("/units/{unit}/workbook", response_model=ImportResult,
             responses={422: {"model": ImportResult,
                              "description": "工作簿有错误（按工作表和单元格列出），未保存任何数据"},
                        409: {"model": ConflictResult, "description": "工作簿所据版本已被他人修改，未保存"}},
             summary="上传填报工作簿（.xlsx）：全部通过校验才保存")
async def api_workbook(unit: str, request: Request, row: EditableUnit, principal: CurrentPrincipal, db: DbSession,
                       file: Annotated[UploadFile, File(description="填报工作簿 .xlsx")],
                       version: WorkbookVersion = None) -> Response | ImportResult:
    code = row.code  # read now: a rollback in in_thread expires the row
    upload = await read_upload(file, request.app.state.settings.max_upload_bytes, (".xlsx",))
    try:
        imported = await in_thread(db, import_workbook, db, principal, code, upload.filename,
                                   upload.data, version)
    except Conflict as exc:
        return conflict_response(exc)
    result = import_view(imported)
    if not result.ok:
        return Response(result.model_dump_json(), status_code=422, media_type="application/json")
    return result


@router.get("/units/{unit}/years/{year}/monitoring/report", summary="下载基金运行分析报告（docx）",
            response_class=Response,
            responses={200: {"content": {MEDIA_TYPES["docx"]: {}}, "description": "基金运行分析报告"}})
def api_monitoring_report(unit: str, year: Year, row: ReadableUnit, db: DbSession, month: Month = None) -> Response:
    """The 基金运行分析报告 of the unit's year through ``month``: what ``jixiao monitor --docx`` writes."""
    return file_response(monitoring_docx_file(db, row.code, year, month))


@router.get("/units/{unit}/years/{year}/reports/{fmt}", summary="下载自评报告（docx、xlsx 或 html；多份时为 zip）",
            response_class=Response,
            responses={200: {"content": {MEDIA_TYPES["docx"]: {}, MEDIA_TYPES["xlsx"]: {}, "text/html": {},
                                         "application/zip": {}},
                             "description": "报告文件"}})
def api_report(unit: str, year: Year, fmt: ReportFormat, row: ReadableUnit, db: DbSession) -> Response:
    try:
        return file_response(report_file(db, row.code, year, fmt))
    except NotFound as exc:
        raise HTTPException(404, detail=str(exc)) from exc


@router.post("/audit", response_model=AuditResult, summary="审核上传的报告文件（txt、md、html、docx、pdf）")
async def api_audit(request: Request, principal: CurrentPrincipal,
                    file: Annotated[UploadFile, File(description="报告文件")]) -> AuditResult:
    upload = await read_upload(file, request.app.state.settings.max_upload_bytes, AUDIT_TYPES)
    from starlette.concurrency import run_in_threadpool

    try:
        audited = await run_in_threadpool(audit_upload, upload.filename, upload.data)
    except InvalidRequest as exc:
        raise HTTPException(413, detail=str(exc)) from exc
    return audit_view(audited.result)


__all__ = ["router"]
