"""The JSON API: every page's data (the models of :mod:`jixiao.app.pages`), documented by OpenAPI.

Authenticate with a session cookie (browsers) or ``Authorization: Bearer <API 令牌>`` (scripts).
Every route with a ``{unit}`` path parameter goes through ``readable_unit`` / ``editable_unit``:
a unit the caller may not read answers 404, one it may read but not change 403. The helpers at
the bottom (reports, workbook import, audit of an upload) are shared with the HTML pages.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Body, File, HTTPException, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from jixiao.app.access import can_edit
from jixiao.app.entry import EntryForm, FieldChange, entry_form, prepare_entry
from jixiao.app.pages.common import IndicatorInfo, NotFound, UnitInfo, get_unit, indicator_catalog
from jixiao.app.pages.comparison import Comparison, comparison
from jixiao.app.pages.dashboard import Dashboard, unit_year_dashboard
from jixiao.app.pages.tree import UnitTree, unit_tree
from jixiao.app.pages.trends import Trends, trends
from jixiao.model import Dataset, DepartmentYear, FundYear, Project
from jixiao.model.users import Principal
from jixiao.problems import Problem
from jixiao.store.repository import load_dataset, save_dataset, unit_codes, unit_ruleset, years_of
from jixiao.web.deps import CurrentPrincipal, DbSession, EditableUnit, ReadableUnit, record_change
from jixiao.web.security import read_upload

router = APIRouter(prefix="/api", tags=["数据 API"])

Year = Annotated[int, PathParam(ge=1990, le=2100, description="年度，如 2020")]
ReportFormat = Literal["docx", "xlsx", "html"]
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
    "zip": "application/zip",
}


def json_response(model: BaseModel) -> Response:
    """``model`` as JSON in one pass (pydantic-core), for the large read-only answers: FastAPI's
    own path turns the model into Python objects, then into JSON. The route keeps its
    ``response_model`` so the OpenAPI schema says what this is."""
    return Response(model.model_dump_json(by_alias=True), media_type="application/json")


def split_ids(text: str | None) -> list[str]:
    """``a,b，c`` → ['a', 'b', 'c'] (ASCII or Chinese commas, blanks dropped)."""
    if not text:
        return []
    return [part.strip() for part in text.replace("，", ",").split(",") if part.strip()]


def bad_request(exc: KeyError) -> HTTPException:
    return HTTPException(400, detail=str(exc.args[0]) if exc.args else "参数有误")


# --------------------------------------------------------------------------------------------
# Models only the API has
# --------------------------------------------------------------------------------------------


class UnitSummary(BaseModel):
    unit: UnitInfo
    years: list[int] = Field(title="有数据的年度")
    editable: bool = Field(title="当前用户可否修改该单位数据")


class ProblemView(BaseModel):
    code: str
    severity: str
    where: str = Field(description="工作表!单元格，或字段路径")
    message: str


class ImportResult(BaseModel):
    ok: bool
    problems: list[ProblemView]
    saved: dict[str, int] = Field(default_factory=dict, description="表 → 写入（新增或更新）的记录数")
    years: list[int] = Field(default_factory=list)


class EntryRequest(BaseModel):
    values: dict[str, str] = Field(description="表单字段名（见 GET …/entry 的 fields[].name）→ 数值文字；空串删除该数")


class EntryResult(BaseModel):
    ok: bool
    errors: dict[str, list[str]] = Field(default_factory=dict, description="字段名 → 错误；\"\" 为整张表单")
    warnings: list[str] = Field(default_factory=list)
    changes: list[FieldChange] = Field(default_factory=list)


class FindingView(BaseModel):
    code: str
    kind: str
    title: str
    severity: str
    line: int | None
    page: int | None
    stated: str
    expected: str
    quote: str
    message: str


class AuditResult(BaseModel):
    file: str
    ok: bool = Field(description="文件可以读取并完成了审核")
    error: str | None = None
    chars: int = 0
    checks: int = 0
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    findings: list[FindingView] = Field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Shared helpers (API and pages)
# --------------------------------------------------------------------------------------------


def problem_view(p: Problem) -> ProblemView:
    where = p.path or (str(p.line) if p.line else "")
    return ProblemView(code=p.code, severity=p.severity, where=where, message=p.message)


def content_disposition(filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def build_reports(
    db: Session, unit: str, year: int, fmt: str, *,
    part: Callable[[Dataset], Dataset] | None = None, rules: str | None = None,
) -> tuple[str, bytes, str]:
    """(file name, bytes, media type) of ``unit``'s reports for ``year`` in ``fmt``: the file
    itself when there is one report, a zip of all of them when there are several; each 自评表
    scored by ``rules``, else by the unit's rule set (its own or inherited). ``part`` picks the
    records of one report out of the unit-year's (the pages' one-link-per-report downloads)."""
    from jixiao.write import write_report

    dataset = load_dataset(db, unit, year)
    if not (dataset.fund_years or dataset.departments or dataset.projects):
        raise HTTPException(404, detail=f"{unit} 没有 {year} 年的数据，无法生成报告")
    if part is not None:
        dataset = part(dataset)
    with tempfile.TemporaryDirectory(prefix="jixiao-report-") as tmp:
        try:
            paths = write_report(dataset, unit, year, tmp, (fmt,), rules=rules or unit_ruleset(db, unit))
        except ValueError as exc:
            raise HTTPException(404, detail=str(exc)) from exc
        if len(paths) == 1:
            return paths[0].name, paths[0].read_bytes(), MEDIA_TYPES[fmt]
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in paths:
                archive.write(path, path.name)
        return f"{unit}_{year}_报告_{fmt}.zip", buffer.getvalue(), MEDIA_TYPES["zip"]


def file_response(filename: str, data: bytes, media_type: str) -> Response:
    return Response(content=data, media_type=media_type,
                    headers={"Content-Disposition": content_disposition(filename)})


def _records(dataset: Dataset) -> list[tuple[str, str, Any]]:
    """(entity, key, record) of every record of a dataset, keyed like the audit log."""
    out: list[tuple[str, str, Any]] = []
    for fy in dataset.fund_years:
        out.append(("fund_year", f"{fy.unit}/{fy.year}/{fy.fund.value}/{fy.scope or ''}", fy))
    for dy in dataset.departments:
        out.append(("department_year", f"{dy.unit}/{dy.year}", dy))
    for pr in dataset.projects:
        out.append(("project", f"{pr.unit}/{pr.year}/{pr.name}", pr))
    return out


def _all_records(dataset: Dataset) -> list[FundYear | DepartmentYear | Project]:
    return [*dataset.fund_years, *dataset.departments, *dataset.projects]


def import_workbook(db: Session, principal: Principal, unit: str, filename: str, data: bytes) -> ImportResult:
    """Validate a filled workbook for ``unit`` and save all of it or nothing (one transaction,
    one audit entry per record changed). Problems are named by sheet and cell."""
    from jixiao.ingest.workbook import read_workbook

    with tempfile.TemporaryDirectory(prefix="jixiao-upload-") as tmp:
        path = Path(tmp) / "upload.xlsx"
        path.write_bytes(data)
        result = read_workbook(path, known_units=unit_codes(db))
    problems = [Problem(p.code, p.message, p.severity, filename, p.path, p.line, p.details) for p in result.problems]
    dataset = result.dataset
    if dataset is None or any(p.severity == "error" for p in problems):
        return ImportResult(ok=False, problems=[problem_view(p) for p in problems])
    records = _all_records(dataset)
    wrong = sorted({r.unit for r in records} - {unit}
                   | {u.code for u in dataset.units} - {unit})
    if wrong:
        problems.append(Problem("JX-WEB-001", f"工作簿中的单位代码“{'、'.join(wrong)}”与当前单位“{unit}”不符，"
                                "未保存任何数据", source=filename, path="单位信息"))
        return ImportResult(ok=False, problems=[problem_view(p) for p in problems])
    if not principal.is_admin:
        # the unit's own definition (name, parent) is the administrator's; an operator sends figures only
        dataset = dataset.model_copy(update={"units": []})
    old = {(entity, key): rec for entity, key, rec in _records(load_dataset(db, unit))}
    counts = save_dataset(db, dataset)
    for entity, key, rec in _records(dataset):
        before = old.get((entity, key))
        if before is None or before != rec:
            record_change(db, principal, "import" if before is None else "update", entity, key,
                          old=before, new=rec, detail=f"工作簿 {filename}")
    db.commit()
    saved = {table: counts.inserted[table] + counts.updated[table] for table in counts.inserted}
    years = sorted({r.year for r in records})
    return ImportResult(ok=True, problems=[problem_view(p) for p in problems], saved=saved, years=years)


def save_entry(db: Session, principal: Principal, unit: str, year: int, values: dict[str, str]) -> EntryResult:
    """Validate the entry form and, when every field is valid, save it with one audit entry per
    changed figure; nothing is saved otherwise."""
    outcome = prepare_entry(db, unit, year, values)
    if not outcome.ok or outcome.dataset is None:
        return EntryResult(ok=False, errors=outcome.errors, warnings=outcome.warnings)
    if outcome.changes:
        save_dataset(db, outcome.dataset)
        for change in outcome.changes:
            record_key, _, path = change.name.partition("|")
            record_change(db, principal, "update", "figure", f"{unit}/{year}/{record_key}",
                          old={path: change.old}, new={path: change.new}, detail=f"{change.record}：{change.label}")
        db.commit()
    return EntryResult(ok=True, warnings=outcome.warnings, changes=outcome.changes)


def audit_upload(filename: str, data: bytes, *, html: bool = False) -> tuple[AuditResult, str | None]:
    """Audit an uploaded report file; with ``html`` also the highlighted findings page."""
    from jixiao.audit.pipeline import audit_path
    from jixiao.audit.render_html import render_html

    suffix = Path(filename).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="jixiao-audit-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        result = audit_path(path, keep_document=html)
    result.path = filename
    error = result.error.replace(str(path), filename) if result.error else None
    result.error = error
    view = AuditResult(
        file=filename, ok=error is None, error=error, chars=result.chars, checks=result.checks,
        errors=result.errors, warnings=result.warnings, infos=result.infos,
        findings=[FindingView(code=f.code, kind=f.kind, title=f.title, severity=f.severity, line=f.line, page=f.page,
                              stated=f.stated, expected=f.expected, quote=f.quote, message=f.message)
                  for f in result.findings],
    )
    return view, (render_html([result]) if html else None)


AUDIT_TYPES = (".txt", ".md", ".html", ".docx", ".pdf")


# --------------------------------------------------------------------------------------------
# Routes
# --------------------------------------------------------------------------------------------


@router.get("/indicators", response_model=list[IndicatorInfo], summary="指标目录（id、名称、单位、公式、依据）")
def api_indicators(principal: CurrentPrincipal) -> list[IndicatorInfo]:
    return indicator_catalog()


@router.get("/units", response_model=UnitTree, summary="单位树（仅当前用户可查看的单位）")
def api_units(principal: CurrentPrincipal, db: DbSession) -> Response:
    return json_response(unit_tree(db, principal))


@router.get("/units/{unit}", response_model=UnitSummary, summary="单位信息与有数据的年度")
def api_unit(unit: str, row: ReadableUnit, principal: CurrentPrincipal, db: DbSession) -> UnitSummary:
    return UnitSummary(unit=get_unit(db, row.code), years=years_of(db, row.code),
                       editable=can_edit(principal, row.code))


@router.get("/units/{unit}/years/{year}", response_model=Dashboard,
            summary="单位年度总览：指标（含公式）、所述数核对、预警、评分、图表数据")
def api_dashboard(unit: str, year: Year, row: ReadableUnit, db: DbSession) -> Response:
    try:
        return json_response(unit_year_dashboard(db, row.code, year))
    except NotFound as exc:  # pragma: no cover - readable_unit already checked
        raise HTTPException(404, detail=str(exc)) from exc


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
) -> Response:
    try:
        return json_response(comparison(db, principal, year, split_ids(indicators), fund=fund, sort=sort,
                                        descending=order == "desc", offset=offset, limit=limit))
    except KeyError as exc:
        raise bad_request(exc) from exc


@router.get("/units/{unit}/years/{year}/entry", response_model=EntryForm, summary="数据录入表单（主要数字的当前值）")
def api_entry_form(unit: str, year: Year, row: EditableUnit, db: DbSession) -> EntryForm:
    return entry_form(db, row.code, year)


@router.post("/units/{unit}/years/{year}/entry", response_model=EntryResult,
             responses={422: {"model": EntryResult, "description": "有字段未通过校验，未保存任何数据"}},
             summary="提交数据录入（全部通过校验才保存，并记入审计日志）")
def api_entry_save(unit: str, year: Year, row: EditableUnit, principal: CurrentPrincipal, db: DbSession,
                   body: Annotated[EntryRequest, Body()]) -> Response | EntryResult:
    result = save_entry(db, principal, row.code, year, body.values)
    if not result.ok:
        return Response(result.model_dump_json(), status_code=422, media_type="application/json")
    return result


@router.post("/units/{unit}/workbook", response_model=ImportResult,
             responses={422: {"model": ImportResult,
                              "description": "工作簿有错误（按工作表和单元格列出），未保存任何数据"}},
             summary="上传填报工作簿（.xlsx）：全部通过校验才保存")
async def api_workbook(unit: str, request: Request, row: EditableUnit, principal: CurrentPrincipal, db: DbSession,
                       file: Annotated[UploadFile, File(description="填报工作簿 .xlsx")]) -> Response | ImportResult:
    upload = await read_upload(file, request.app.state.settings.max_upload_bytes, (".xlsx",))
    from starlette.concurrency import run_in_threadpool

    result = await run_in_threadpool(import_workbook, db, principal, row.code, upload.filename, upload.data)
    if not result.ok:
        return Response(result.model_dump_json(), status_code=422, media_type="application/json")
    return result


@router.get("/units/{unit}/years/{year}/reports/{fmt}", summary="下载自评报告（docx、xlsx 或 html；多份时为 zip）",
            response_class=Response,
            responses={200: {"content": {MEDIA_TYPES["docx"]: {}, MEDIA_TYPES["xlsx"]: {}, "text/html": {},
                                         "application/zip": {}},
                             "description": "报告文件"}})
def api_report(unit: str, year: Year, fmt: ReportFormat, row: ReadableUnit, db: DbSession) -> Response:
    return file_response(*build_reports(db, row.code, year, fmt))


@router.post("/audit", response_model=AuditResult, summary="审核上传的报告文件（txt、md、html、docx、pdf）")
async def api_audit(request: Request, principal: CurrentPrincipal,
                    file: Annotated[UploadFile, File(description="报告文件")]) -> AuditResult:
    upload = await read_upload(file, request.app.state.settings.max_upload_bytes, AUDIT_TYPES)
    from starlette.concurrency import run_in_threadpool

    view, _ = await run_in_threadpool(audit_upload, upload.filename, upload.data)
    return view


__all__ = ["router"]
