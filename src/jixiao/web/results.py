"""What the web shows of a use case's result, shared by the JSON API and the HTML pages: the
response models, the views that make them from :mod:`jixiao.app` results, file downloads."""

from __future__ import annotations

from typing import Literal
from urllib.parse import quote

from fastapi import HTTPException
from fastapi.responses import Response
from pydantic import BaseModel, Field

from jixiao.app.entry import FieldChange, SavedEntry
from jixiao.app.imports import WorkbookImport
from jixiao.app.reports import ReportFile
from jixiao.audit.findings import DocumentResult
from jixiao.model.funds import FundKind
from jixiao.problems import Problem

ReportFormat = Literal["docx", "xlsx", "html"]


def json_response(model: BaseModel) -> Response:
    """``model`` as JSON in one pass (pydantic-core), for the large read-only answers: FastAPI's
    own path turns the model into Python objects, then into JSON. The route keeps its
    ``response_model`` so the OpenAPI schema says what this is."""
    return Response(model.model_dump_json(by_alias=True), media_type="application/json")


def known_fund(fund: str | None) -> str | None:
    """A fund's full name as a query gives it (blank: none); 400 in Chinese for an unknown one."""
    if not fund:
        return None
    if fund not in {k.value for k in FundKind}:
        raise HTTPException(400, detail=f"未知基金“{fund[:40]}”")
    return fund


def split_ids(text: str | None) -> list[str]:
    """``a,b，c`` → ['a', 'b', 'c'] (ASCII or Chinese commas, blanks dropped)."""
    if not text:
        return []
    return [part.strip() for part in text.replace("，", ",").split(",") if part.strip()]


# --------------------------------------------------------------------------------------------
# Models only the API has
# --------------------------------------------------------------------------------------------


class ProblemView(BaseModel):
    """A problem as the API shows it: the same record as :meth:`jixiao.problems.Problem.to_json`."""

    code: str
    title: str = Field(description="问题类别（见问题代码表）")
    severity: str
    message: str
    file: str | None = None
    line: int | None = None
    path: str | None = Field(default=None, description="字段路径，或 工作表!单元格")
    where: str = Field(description="工作表!单元格、字段路径或“第N行”")


class ImportResult(BaseModel):
    ok: bool
    problems: list[ProblemView]
    saved: dict[str, int] = Field(default_factory=dict, description="表 → 写入（新增或更新）的记录数")
    years: list[int] = Field(default_factory=list)
    versions: dict[str, int] = Field(default_factory=dict, description="单位代码/年度 → 保存后的版本号")


class EntryResult(BaseModel):
    ok: bool
    errors: dict[str, list[str]] = Field(default_factory=dict, description="字段名 → 错误；\"\" 为整张表单")
    warnings: list[str] = Field(default_factory=list)
    changes: list[FieldChange] = Field(default_factory=list)
    version: int | None = Field(default=None, description="保存后的版本号（有修改时）")


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
    return ProblemView.model_validate(p.to_json())


def content_disposition(filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def file_response(file: ReportFile) -> Response:
    return Response(content=file.data, media_type=file.media_type,
                    headers={"Content-Disposition": content_disposition(file.filename)})


def import_view(result: WorkbookImport) -> ImportResult:
    return ImportResult(ok=result.ok, problems=[problem_view(p) for p in result.problems], saved=result.saved,
                        years=result.years, versions=result.versions)


def entry_view(result: SavedEntry) -> EntryResult:
    return EntryResult(ok=result.ok, errors=result.errors, warnings=result.warnings, changes=result.changes,
                       version=result.version)


def audit_view(result: DocumentResult) -> AuditResult:
    return AuditResult(
        file=result.path, ok=result.error is None, error=result.error, chars=result.chars, checks=result.checks,
        errors=result.errors, warnings=result.warnings, infos=result.infos,
        findings=[FindingView(code=f.code, kind=f.kind, title=f.title, severity=f.severity, line=f.line, page=f.page,
                              stated=f.stated, expected=f.expected, quote=f.quote, message=f.message)
                  for f in result.findings],
    )
