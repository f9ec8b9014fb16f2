"""Downloads of what the pages show, as Excel (values, never formulas: :mod:`jixiao.app.exports`):
the comparison, a unit's trends, a roll-up, the monitoring page and its roll-up, an audit's
findings; the 基金运行分析报告 (Word); and the blank fill-in workbook.

An audit is not stored: its page carries the findings it showed, signed with the app's secret
key (HMAC-SHA256), and ``POST /audit/export`` turns exactly those into a workbook — a payload
changed in the browser is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
from typing import Annotated, Literal

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from pydantic import ValidationError

from jixiao.app.exports import (
    XLSX,
    comparison_xlsx,
    findings_xlsx,
    monitoring_rollup_xlsx,
    monitoring_xlsx,
    rollup_xlsx,
    trends_xlsx,
)
from jixiao.app.monitoring import monitoring_docx_file
from jixiao.app.pages.common import DEFAULT_COMPARE
from jixiao.app.pages.comparison import comparison
from jixiao.app.pages.monitoring import monitoring_rollup, unit_monitoring
from jixiao.app.pages.rollup import unit_rollup
from jixiao.app.pages.status import rollup_with_status
from jixiao.app.pages.tree import WarningFilter
from jixiao.app.pages.trends import trends
from jixiao.app.reports import ReportFile
from jixiao.ingest.workbook.layout import GROUP_LABEL, GROUPS, Group
from jixiao.web.deps import CurrentPrincipal, DbRoute, DbSession, ReadableUnit
from jixiao.web.results import AuditResult, file_response, known_fund, split_ids
from jixiao.write.workbook import build_template

router = APIRouter(route_class=DbRoute, include_in_schema=False)

Year = Annotated[int, Query(ge=1990, le=2100)]
PathYear = Annotated[int, PathParam(ge=1990, le=2100)]
Month = Annotated[int | None, Query(ge=1, le=12)]


def _xlsx(name: str, data: bytes) -> Response:
    return file_response(ReportFile(name, data, XLSX))


@router.get("/compare.xlsx")
def compare_export(
    principal: CurrentPrincipal, db: DbSession, year: Year,
    indicators: Annotated[list[str] | None, Query()] = None,
    fund: Annotated[str | None, Query()] = None,
    sort: Annotated[str | None, Query()] = None,
    order: Annotated[Literal["asc", "desc"], Query()] = "desc",
    level: Annotated[str | None, Query(max_length=20)] = None,
    region: Annotated[str | None, Query(max_length=80)] = None,
    warning: Annotated[WarningFilter | Literal[""] | None, Query()] = None,
) -> Response:
    """Every row of the comparison the page shows (not only its page of rows)."""
    chosen = [i for part in (indicators or []) for i in split_ids(part)] or list(DEFAULT_COMPARE)
    try:
        data = comparison(db, principal, year, chosen, fund=fund or None, sort=sort or None,
                          descending=order == "desc", level=level or None, region=(region or "").strip() or None,
                          warning=warning or None)
    except KeyError as exc:
        raise HTTPException(400, detail=str(exc.args[0])) from exc
    return _xlsx(f"单位对比_{year}年.xlsx", comparison_xlsx(data))


@router.get("/units/{unit}/trends.xlsx")
def trends_export(unit: str, row: ReadableUnit, db: DbSession,
                  indicators: Annotated[list[str] | None, Query()] = None,
                  fund: Annotated[str | None, Query()] = None) -> Response:
    chosen = [i for part in (indicators or []) for i in split_ids(part)]
    try:
        data = trends(db, row.code, chosen, fund=fund or None)
    except KeyError as exc:
        raise HTTPException(400, detail=str(exc.args[0])) from exc
    return _xlsx(f"{row.name}_历年趋势.xlsx", trends_xlsx(data))


@router.get("/units/{unit}/years/{year}/rollup.xlsx")
def rollup_export(unit: str, year: Annotated[int, PathParam(ge=1990, le=2100)], row: ReadableUnit, db: DbSession,
                  principal: CurrentPrincipal, fund: Annotated[str | None, Query()] = None) -> Response:
    data = rollup_with_status(db, principal, unit_rollup(db, row.code, year, fund=known_fund(fund)))
    return _xlsx(f"{row.name}_{year}年_下级单位合计.xlsx", rollup_xlsx(data))


@router.get("/units/{unit}/years/{year}/monitoring.xlsx")
def monitoring_export(unit: str, year: PathYear, row: ReadableUnit, db: DbSession, month: Month = None) -> Response:
    """The monitoring page as Excel: the same figures, values only."""
    data = unit_monitoring(db, row.code, year, month)
    return _xlsx(f"{row.name}_{_months(year, data.month)}_基金运行监测.xlsx", monitoring_xlsx(data))


@router.get("/units/{unit}/years/{year}/monitoring/rollup.xlsx")
def monitoring_rollup_export(unit: str, year: PathYear, row: ReadableUnit, db: DbSession,
                             month: Month = None) -> Response:
    data = monitoring_rollup(db, row.code, year, month)
    return _xlsx(f"{row.name}_{_months(year, data.month)}_下级单位基金运行监测.xlsx", monitoring_rollup_xlsx(data))


def _months(year: int, month: int | None) -> str:
    """The months a monitoring export covers, as its file name says them."""
    return f"{year}年1-{month}月" if month else f"{year}年"


@router.get("/units/{unit}/years/{year}/monitoring/report.docx")
def monitoring_report_download(unit: str, year: PathYear, row: ReadableUnit, db: DbSession,
                               month: Month = None) -> Response:
    """The 基金运行分析报告 (Word), as ``jixiao monitor --docx`` writes it from the database."""
    return file_response(monitoring_docx_file(db, row.code, year, month))


# --------------------------------------------------------------------------------------------
# An audit's findings: signed by the page that showed them
# --------------------------------------------------------------------------------------------


def _signature(request: Request, payload: str) -> str:
    key = request.app.state.settings.secret_key.encode()
    return hmac.new(key, b"audit-export\n" + payload.encode(), hashlib.sha256).hexdigest()


def signed_audit(request: Request, result: AuditResult) -> tuple[str, str]:
    """(payload, signature) for the audit page's “导出 Excel” form."""
    payload = base64.urlsafe_b64encode(result.model_dump_json().encode()).decode()
    return payload, _signature(request, payload)


@router.post("/audit/export")
def audit_export(request: Request, principal: CurrentPrincipal, payload: Annotated[str, Form(max_length=8_000_000)],
                 signature: Annotated[str, Form(max_length=128)]) -> Response:
    if not hmac.compare_digest(_signature(request, payload), signature):
        raise HTTPException(400, detail="审核结果无法导出：页面内容已失效或被改动，请重新审核后再导出")
    try:
        result = AuditResult.model_validate_json(base64.urlsafe_b64decode(payload.encode()))
    except (ValueError, ValidationError) as exc:
        raise HTTPException(400, detail="审核结果无法导出：内容无法读取，请重新审核后再导出") from exc
    summary = (f"{result.chars} 字 · {result.checks} 项核对 · 错误 {result.errors} · 提示 {result.warnings} · "
               f"说明 {result.infos}")
    stem = result.file.rsplit(".", 1)[0] or "报告"
    return _xlsx(f"{stem}_审核发现.xlsx", findings_xlsx(result.file, result.findings, summary))


# --------------------------------------------------------------------------------------------
# The blank fill-in workbook
# --------------------------------------------------------------------------------------------


@router.get("/workbook/blank")
def blank_workbook(principal: CurrentPrincipal,
                   kinds: Annotated[list[Group] | None, Query(description="fund / department / project")] = None
                   ) -> Response:
    """An empty fill-in workbook (the sheets of the kinds asked for; all three by default) to fill
    in offline and upload on a unit's “上传工作簿” page."""
    chosen = tuple(g for g in GROUPS if g in (kinds or GROUPS))
    buffer = io.BytesIO()
    build_template(chosen).save(buffer)
    label = "、".join(GROUP_LABEL[g] for g in chosen)
    return _xlsx(f"填报工作簿_空白（{label}）.xlsx", buffer.getvalue())


__all__ = ["router", "signed_audit"]
