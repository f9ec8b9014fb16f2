"""The HTML pages: server-rendered (Jinja2), HTMX for the interactive parts, Chinese throughout.

Each page shows a model from :mod:`jixiao.app.pages` (the same data ``/api/...`` returns as JSON);
writes go through the use cases of :mod:`jixiao.app` (validated, all or nothing, recorded in
the change log). Routes with a ``{unit}`` check it with ``readable_unit`` /
``editable_unit``: another unit's pages answer 404, read-only ones 403 for changes.
"""

from __future__ import annotations

import functools
import hashlib
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

import jixiao
from jixiao.app.access import can_edit
from jixiao.app.audits import AUDIT_TYPES, audit_upload
from jixiao.app.cache import BoundedCache
from jixiao.app.entry import entry_form, save_entry
from jixiao.app.errors import Conflict, InvalidRequest, NotFound, NotNow
from jixiao.app.imports import filled_workbook
from jixiao.app.pages.common import (
    DEFAULT_COMPARE,
    data_years,
    get_unit,
    indicator_catalog,
    own_years,
    visibility_scope,
)
from jixiao.app.pages.comparison import ALL_LEVELS, comparison, years_with_data
from jixiao.app.pages.dashboard import dashboard_stamp, keep_content, kept_content, unit_year_dashboard
from jixiao.app.pages.monitoring import monitoring_rollup, unit_monitoring
from jixiao.app.pages.rollup import rollup_years, unit_rollup
from jixiao.app.pages.status import has_children, rollup_statuses
from jixiao.app.pages.tree import WARNING_FILTER_LABEL, WarningFilter, find_units
from jixiao.app.pages.trends import trends
from jixiao.app.reports import MEDIA_TYPES, WORKPAPER, ReportFile, report_file
from jixiao.app.units import UnitRef, rules_of_unit
from jixiao.app.uploads import preview_upload
from jixiao.app.workflow import YearStatus, year_status
from jixiao.model.funds import FUNDS, FundKind
from jixiao.model.users import Principal
from jixiao.model.workflow import NOT_STARTED, STATUS_LABEL, STATUS_ORDER
from jixiao.rules import SEVERITY_LABEL, available_rulesets, load_ruleset
from jixiao.store.repository import period_years, years_of
from jixiao.store.workflow import unit_statuses
from jixiao.web.cached_render import Stored, render_cached_content, render_cached_fragment
from jixiao.web.deps import (
    CurrentPrincipal,
    DbRoute,
    DbSession,
    EditableUnit,
    OptionalPrincipal,
    ReadableUnit,
    flash,
    in_thread,
    templates,
)
from jixiao.web.results import ReportFormat, audit_view, entry_view, file_response, known_fund, split_ids
from jixiao.web.routes.exports import signed_audit
from jixiao.web.routes.uploads import preview_page
from jixiao.web.security import UploadError, read_upload

router = APIRouter(route_class=DbRoute, include_in_schema=False)

Year = Annotated[int, PathParam(ge=1990, le=2100)]
PAGE_SIZE = 100
SEVERITY_CLASS = {"serious": "bad", "warning": "warn", "info": "info", None: ""}


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    base = {"severity_label": SEVERITY_LABEL, "severity_class": SEVERITY_CLASS}
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status_code)


def chart_json(charts: list[Any]) -> list[dict[str, Any]]:
    """The charts to draw: one whose every value is missing would be an empty frame, so it is left out."""
    return [c.model_dump(mode="json") for c in charts
            if any(v is not None for series in c.series for v in series.data)]


@router.get("/")
def home(principal: OptionalPrincipal) -> Response:
    return RedirectResponse("/units" if principal is not None else "/login", status_code=303)


@router.get("/units")
def units_page(request: Request, principal: CurrentPrincipal, db: DbSession,
               q: Annotated[str | None, Query(max_length=80)] = None,
               level: Annotated[str | None, Query(max_length=20)] = None,
               region: Annotated[str | None, Query(max_length=80)] = None,
               warning: Annotated[WarningFilter | Literal[""] | None, Query()] = None,
               status: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    """The unit tree, or the units that meet the filters with the units above them."""
    tree = find_units(db, principal, q=q, level=level, region=region, warning=warning or None, status=status)
    # statuses are read per request: a review does not move the data revision the tree is kept by
    statuses = unit_statuses(db, None if principal.is_admin else {u.code for u in _nodes(tree.roots)})
    context = {"tree": tree, "warning_labels": WARNING_FILTER_LABEL, "statuses": statuses,
               "status_label": STATUS_LABEL, "status_order": STATUS_ORDER}
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "unit-results":
        return render(request, "pages/_unit_results.html", context)
    return render(request, "pages/units.html", context)


def _nodes(nodes: list[Any]) -> list[Any]:
    out: list[Any] = []
    stack = list(nodes)
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(node.children)
    return out


@router.get("/units/{unit}")
def unit_page(request: Request, unit: str, row: ReadableUnit, principal: CurrentPrincipal, db: DbSession) -> Response:
    """A unit's latest year; for a unit without data of its own, its subordinates' latest roll-up;
    for one without any, the upload page (who may add data) or a page saying so (who may not)."""
    years = years_of(db, row.code)
    if years:
        return RedirectResponse(f"/units/{row.code}/years/{years[-1]}", status_code=303)
    below = rollup_years(db, row.code)
    if below:
        return RedirectResponse(f"/units/{row.code}/years/{below[-1]}/rollup", status_code=303)
    months = period_years(db, [row.code]).get(row.code)
    if months:
        return RedirectResponse(f"/units/{row.code}/years/{months[-1]}/monitoring", status_code=303)
    if can_edit(principal, row.code):
        return RedirectResponse(f"/units/{row.code}/upload", status_code=303)
    return render(request, "pages/no_data.html", {"unit": get_unit(db, row.code)})


@router.get("/units/{unit}/years/{year}/rollup")
def rollup_page(request: Request, unit: str, year: Year, row: ReadableUnit, db: DbSession,
                principal: CurrentPrincipal, fund: Annotated[str | None, Query()] = None) -> Response:
    """The unit's subordinates added up for ``year``: fund totals, indicators on them, each
    subordinate's part, data and warnings (see :mod:`jixiao.app.pages.rollup`)."""
    kept = unit_rollup(db, row.code, year, fund=known_fund(fund))
    # the content (40–100 subordinate rows) is rendered once per data revision and viewer's scope;
    # its 报送状态, which each review in the branch moves, is filled in per request
    key = (row.code, year, kept.fund, visibility_scope(principal), principal.read_only)
    return render_cached_content(request, db, "pages/rollup.html", key, {"data": kept}, lambda: {
        "data": kept, "own_years": own_years(db, row.code)},
        holes=lambda: rollup_status_holes(db, principal, row.code, year))


#: a roll-up's 报送状态 as HTML, per the overview it is made from
_STATUS_HOLES: BoundedCache[dict[str, str]] = BoundedCache(size=256)


def rollup_status_holes(db: Session, principal: Principal, unit: str, year: int) -> dict[str, str]:
    """The roll-up's 报送状态 as HTML: the counts over the branch, and each subordinate's status."""
    key, counts, own = rollup_statuses(db, principal, unit, year)
    found = _STATUS_HOLES.get(key)
    if found is not None:
        return found
    line = Markup("；").join(Markup("{} <strong>{}</strong>").format(k, n) for k, n in counts.items())
    holes: dict[str, str] = {f"status:{code}": Markup('<br><span class="muted">{}</span>').format(label)
             for code, label in own.items() if label}
    holes["status-counts"] = Markup(
        '<p class="summary" id="rollup-status">报送状态（下级单位，各级）：{}\n'
        '    <a class="noprint" href="/units/{}/status?year={}">报送情况</a></p>').format(line, unit, year)
    _STATUS_HOLES.put(key, holes)
    return holes


@router.get("/units/{unit}/years/{year}/monitoring")
def monitoring_page(request: Request, unit: str, year: Year, row: ReadableUnit, db: DbSession,
                    month: Annotated[int | None, Query(ge=1, le=12)] = None) -> Response:
    """基金运行监测: the unit's funds through ``month`` against 序时进度, warnings, the projection."""
    data = unit_monitoring(db, row.code, year, month)
    return render(request, "pages/monitoring.html", {
        "data": data, "own_years": years_of(db, row.code),
        "has_children": has_children(db, row.code)})


@router.get("/units/{unit}/years/{year}/monitoring/rollup")
def monitoring_rollup_page(request: Request, unit: str, year: Year, row: ReadableUnit, db: DbSession,
                           month: Annotated[int | None, Query(ge=1, le=12)] = None) -> Response:
    """Each direct subordinate's monitoring through ``month`` and their total."""
    data = monitoring_rollup(db, row.code, year, month)
    own = year in period_years(db, [row.code]).get(row.code, [])
    return render(request, "pages/monitoring_rollup.html", {"data": data, "own_months": own})


#: the shipped rule sets a user may pick on the dashboard instead of the unit's own
RULESETS = tuple(available_rulesets())
#: how the picker names each: the rule set's own title (never its file's name)
RULESET_LABEL = {name: load_ruleset(name).title for name in RULESETS}


def rule_choice(rules: Annotated[str | None, Query()] = None) -> str | None:
    """A rule set the page may be judged by instead of the unit's own: one shipped with jixiao."""
    if rules is not None and rules not in RULESETS:
        raise HTTPException(422, detail=f"没有这个规则集（“{rules}”）：请在页面上的“按规则集查看”中选择")
    return rules


RuleChoice = Annotated[str | None, Depends(rule_choice)]


def report_files(db: DbSession, unit: str, year: int, fmt: str, part: str | None, rules: str | None) -> ReportFile:
    """One report (``part``) as its own file, or all of the unit-year's reports (``part`` None) —
    the file itself when there is one, else a zip; ``fmt`` ``workpaper``: their 审核底稿. Every
    自评表 is scored by ``rules``, or by the unit's own rule set. 404 for a unit-year without data
    or a part it does not have."""
    try:
        return report_file(db, unit, year, fmt, part=part, rules=rules)
    except NotFound as exc:
        raise HTTPException(404, detail=str(exc)) from exc


@router.get("/units/{unit}/years/{year}")
def dashboard_page(request: Request, unit: str, year: Year, row: ReadableUnit, principal: CurrentPrincipal,
                   db: DbSession, rules: RuleChoice = None) -> Response:
    status = year_status(db, principal, row.code, year)
    # the data of a submitted or approved year cannot be changed: no edit buttons (the panel says why)
    editable = can_edit(principal, row.code) and status.editable
    return dashboard_view(request, db, row, year, rules, status, editable=editable)


def dashboard_view(request: Request, db: Session, row: UnitRef, year: int, rules: str | None, status: YearStatus, *,
                   editable: bool) -> Response:
    """The dashboard page of ``row``'s ``year`` judged by ``rules`` (None: the unit's own), with
    edit buttons or without; its content block rendered once per view and data (see below)."""
    own = rules_of_unit(db, row.code)
    below = rollup_years(db, row.code)
    months = period_years(db, [row.code]).get(row.code, [])
    around = {"unit_name": row.name, "year": year, "unit_code": row.code, "has_children": has_children(db, row.code),
              "workflow": status if status.status != NOT_STARTED else None}

    def content() -> dict[str, Any]:
        board = unit_year_dashboard(db, row.code, year, ruleset=rules or own)
        return {"board": board, "severity_label": SEVERITY_LABEL, "severity_class": SEVERITY_CLASS,
                "editable": editable, "charts": chart_json(board.charts), "own_rules": own, "rules": rules,
                "rulesets": RULESETS, "ruleset_label": RULESET_LABEL, "report_parts": board.reports,
                "rules_query": f"?rules={rules}" if rules else "", "rollup_years": below,
                "monitoring_years": months}

    # the content block is the same for everyone who may (or may not) edit: rendered once per data
    # revision in a process, and kept in the database for the others (and the next start)
    view = _digest(repr((rules, own, editable)))

    @functools.cache
    def key() -> str:  # asked for only when this process has not rendered it
        return _digest(repr((dashboard_stamp(db, row.code, year, ruleset=rules or own), below, months, view,
                             _web_version())))

    stored = Stored(lambda: kept_content(db, row.code, year, view, key()),
                    lambda html: keep_content(db, row.code, year, view, key(), html))
    return render_cached_content(request, db, "pages/dashboard.html", (row.code, year, rules, own, editable),
                                 around, content, stored=stored)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@functools.cache
def _web_version() -> str:
    """A digest of what renders a page here (the templates, this module and the HTML made in
    Python): a kept rendering made by other code is stale."""
    digest = hashlib.sha256(jixiao.__version__.encode())
    web = resources.files("jixiao.web")
    for part in sorted(str(p) for p in Path(str(web / "templates")).rglob("*.html")):
        digest.update(Path(part).read_bytes())
    for name in ("deps.py", "cached_render.py", "routes/pages.py", "results.py"):
        digest.update(Path(str(web / name)).read_bytes())
    return digest.hexdigest()


def _locked_away(request: Request, unit: str, year: int, status: YearStatus) -> Response | None:
    """Back to the dashboard, saying why, when the year's data cannot be changed now."""
    if status.editable:
        return None
    flash(request, status.locked_reason or "该年度数据现在不能修改", "warning")
    return RedirectResponse(f"/units/{unit}/years/{year}", status_code=303)


def _review_notes(status: YearStatus) -> dict[str, list[str]]:
    """A returned year's item comments by entry-form field (or record) name."""
    notes: dict[str, list[str]] = {}
    for c in status.open_comments:
        kind, _, name = c.item.partition(":")
        if kind in ("figure", "record"):
            notes.setdefault(name, []).append(c.comment)
    return notes


@router.get("/units/{unit}/years/{year}/edit")
def entry_page(request: Request, unit: str, year: Year, row: EditableUnit, principal: CurrentPrincipal,
               db: DbSession) -> Response:
    status = year_status(db, principal, row.code, year)
    away = _locked_away(request, row.code, year, status)
    if away is not None:
        return away
    form = entry_form(db, row.code, year)
    return render(request, "pages/entry.html", {"form": form, "errors": {}, "submitted": {}, "version": form.version,
                                                "review": status, "notes": _review_notes(status)})


def _form_version(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


@router.post("/units/{unit}/years/{year}/edit")
async def entry_submit(request: Request, unit: str, year: Year, row: EditableUnit, principal: CurrentPrincipal,
                       db: DbSession) -> Response:
    code = row.code  # read now: a rollback in in_thread expires the row
    form_data = await request.form()
    values = {k: v for k, v in form_data.items() if k not in ("csrf_token", "version") and isinstance(v, str)}
    raw_version = form_data.get("version")
    version = _form_version(raw_version if isinstance(raw_version, str) else None)
    try:
        saved = await in_thread(db, save_entry, db, principal, code, year, values, version)
    except Conflict as exc:
        form = await in_thread(db, entry_form, db, code, year)
        return render(request, "pages/entry.html", {
            "form": form, "errors": {}, "submitted": {}, "version": form.version, "conflict": exc,
            "theirs": {k: v for k, v in values.items() if v.strip() != _current(form).get(k, "")}},
            status_code=409)
    except InvalidRequest as exc:
        form = await in_thread(db, entry_form, db, code, year)
        return render(request, "pages/entry.html", {"form": form, "errors": {"": [str(exc)]}, "submitted": values,
                                                    "version": form.version}, status_code=422)
    except NotNow as exc:
        flash(request, str(exc), "error")
        return RedirectResponse(f"/units/{code}/years/{year}", status_code=303)
    result = entry_view(saved)
    if result.ok:
        n = len(result.changes)
        flash(request, f"已保存 {n} 项修改" if n else "没有修改任何数字", "success" if n else "info")
        for w in result.warnings:
            flash(request, f"提示：{w}", "warning")
        return RedirectResponse(f"/units/{code}/years/{year}", status_code=303)
    form = await in_thread(db, entry_form, db, code, year)
    # the form goes back with the version it was read at: correcting it must not pass over a save made meanwhile
    return render(request, "pages/entry.html", {"form": form, "errors": result.errors, "submitted": values,
                                                "version": version}, status_code=422)


def _current(form: Any) -> dict[str, str]:
    return {f.name: f.value for rec in form.records for f in rec.fields}


@router.get("/units/{unit}/upload")
def upload_page(request: Request, unit: str, row: EditableUnit, db: DbSession) -> Response:
    return render(request, "pages/upload.html", {"unit": get_unit(db, row.code), "result": None,
                                                 "years": data_years(db, row.code)})


@router.post("/units/{unit}/upload")
async def upload_submit(request: Request, unit: str, row: EditableUnit, principal: CurrentPrincipal, db: DbSession,
                        file: Annotated[UploadFile, File()]) -> Response:
    code, name = row.code, row.name  # read now: a rollback in in_thread expires the row
    # no connection held while the upload is read
    try:
        upload = await read_upload(file, request.app.state.settings.max_upload_bytes, (".xlsx",))
    except UploadError as exc:
        info = get_unit(db, code)
        return render(request, "pages/upload.html", {"unit": info, "result": None, "upload_error": exc.message,
                                                     "years": data_years(db, code)}, status_code=exc.status_code)
    # nothing is saved yet: the page shows what the workbook would change, to confirm or cancel
    try:
        preview = await in_thread(db, preview_upload, db, principal, code, upload.filename, upload.data)
    except Conflict as exc:
        info = get_unit(db, code)
        return render(request, "pages/upload.html", {"unit": info, "result": None, "conflict": exc,
                                                     "filename": upload.filename, "years": data_years(db, code)},
                      status_code=409)
    except NotNow as exc:
        return render(request, "pages/upload.html", {"unit": get_unit(db, code), "result": None,
                                                     "upload_error": str(exc), "years": data_years(db, code)},
                      status_code=409)
    return preview_page(request, preview, name)


@router.get("/units/{unit}/years/{year}/workbook")
def workbook_download(unit: str, year: Year, row: EditableUnit, db: DbSession) -> Response:
    """The unit-year's data in the fill-in workbook, to edit offline and upload again (it carries
    the version it was filled from: uploaded after someone else's change, it is refused)."""
    try:
        data = filled_workbook(db, row.code, year)
    except NotFound as exc:
        raise HTTPException(404, detail=str(exc)) from exc
    return file_response(ReportFile(f"{row.code}_{year}_填报工作簿.xlsx", data, MEDIA_TYPES["xlsx"]))


@router.get("/units/{unit}/years/{year}/reports/{fmt}")
def report_download(unit: str, year: Year, fmt: ReportFormat, row: ReadableUnit, db: DbSession,
                    rules: RuleChoice = None) -> Response:
    """All the unit-year's reports: the file itself when there is one, a zip (“全部下载”) when several."""
    return file_response(report_files(db, row.code, year, fmt, None, rules))


@router.get("/units/{unit}/years/{year}/workpapers")
def workpaper_download(unit: str, year: Year, row: ReadableUnit, db: DbSession, rules: RuleChoice = None) -> Response:
    """Every report's 审核底稿 (xlsx): the file itself when there is one report, else a zip."""
    return file_response(report_files(db, row.code, year, WORKPAPER, None, rules))


@router.get("/units/{unit}/years/{year}/workpapers/{part}")
def workpaper_part_download(unit: str, year: Year, part: str, row: ReadableUnit, db: DbSession,
                            rules: RuleChoice = None) -> Response:
    """The 审核底稿 (xlsx) of one report (``fund``, ``department`` or ``project-N``)."""
    return file_response(report_files(db, row.code, year, WORKPAPER, part, rules))


@router.get("/units/{unit}/years/{year}/reports/{fmt}/{part}")
def report_part_download(unit: str, year: Year, fmt: ReportFormat, part: str, row: ReadableUnit, db: DbSession,
                         rules: RuleChoice = None) -> Response:
    """One report (``fund``, ``department`` or ``project-N``) as its own file."""
    return file_response(report_files(db, row.code, year, fmt, part, rules))


@router.get("/units/{unit}/trends")
def trends_page(request: Request, unit: str, row: ReadableUnit, db: DbSession,
                indicators: Annotated[list[str] | None, Query()] = None,
                fund: Annotated[str | None, Query()] = None) -> Response:
    chosen = [i for part in (indicators or []) for i in split_ids(part)]
    try:
        data = trends(db, row.code, chosen, fund=fund or None)
    except KeyError as exc:
        raise HTTPException(400, detail=str(exc.args[0])) from exc
    return render(request, "pages/trends.html", {
        "data": data, "catalog": indicator_catalog(), "chosen": {s.id for s in data.series},
        "charts": chart_json(data.charts),
    })


@router.get("/compare")
def compare_page(
    request: Request, principal: CurrentPrincipal, db: DbSession,
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
    indicators: Annotated[list[str] | None, Query()] = None,
    fund: Annotated[str | None, Query()] = None,
    sort: Annotated[str | None, Query()] = None,
    order: Annotated[str, Query(pattern="^(asc|desc)$")] = "desc",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    level: Annotated[str | None, Query(max_length=20)] = None,
    region: Annotated[str | None, Query(max_length=80)] = None,
    warning: Annotated[WarningFilter | Literal[""] | None, Query()] = None,
) -> Response:
    chosen = [i for part in (indicators or []) for i in split_ids(part)] or list(DEFAULT_COMPARE)
    years = years_with_data(db, principal)
    if year is None:  # the latest year the viewer has data for, never an empty one
        year = years[-1] if years else None
    data = None
    if year is not None:
        try:
            data = comparison(db, principal, year, chosen, fund=fund or None, sort=sort or None,
                              descending=order == "desc", offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE,
                              level=level or None, region=(region or "").strip() or None, warning=warning or None)
        except KeyError as exc:
            raise HTTPException(400, detail=str(exc.args[0])) from exc

    def content() -> dict[str, Any]:
        return {
            "severity_label": SEVERITY_LABEL, "severity_class": SEVERITY_CLASS, "years": years,
            "data": data, "year": year, "catalog": indicator_catalog(), "chosen": chosen, "page": page,
            "page_size": PAGE_SIZE, "order": order, "fund_short": {k.value: FUNDS[k].short for k in FundKind},
            "charts": chart_json([data.chart]) if data is not None and data.chart is not None else [],
            "warning_labels": WARNING_FILTER_LABEL, "all_levels": ALL_LEVELS,
        }

    # what the table shows depends on the data, the query and which units the viewer may read
    key = (principal.role, None if principal.is_admin else principal.unit, year, tuple(chosen), fund, sort, order,
           page, level, region, warning)
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "compare-result":
        return render_cached_fragment(request, db, "pages/_compare_result.html", key, content)
    return render_cached_content(request, db, "pages/compare.html", key, {}, content)


@router.get("/indicators")
def indicators_page(request: Request, principal: CurrentPrincipal) -> Response:
    """Every indicator: its code (as the workbook's 报告所述 sheet takes it), name, unit, formula
    and the official document it rests on."""
    return render(request, "pages/indicators.html", {"catalog": indicator_catalog()})


@router.get("/audit")
def audit_page(request: Request, principal: CurrentPrincipal) -> Response:
    return render(request, "pages/audit.html", {"result": None, "types": AUDIT_TYPES})


@router.post("/audit")
async def audit_submit(request: Request, principal: CurrentPrincipal,
                       file: Annotated[UploadFile, File()], csrf_token: Annotated[str, Form()] = "") -> Response:
    try:
        upload = await read_upload(file, request.app.state.settings.max_upload_bytes, AUDIT_TYPES)
    except UploadError as exc:
        return render(request, "pages/audit.html", {"result": None, "types": AUDIT_TYPES, "upload_error": exc.message},
                      status_code=exc.status_code)
    try:
        audited = await run_in_threadpool(audit_upload, upload.filename, upload.data, html=True)
    except InvalidRequest as exc:
        return render(request, "pages/audit.html", {"result": None, "types": AUDIT_TYPES, "upload_error": str(exc)},
                      status_code=413)
    view = audit_view(audited.result)
    payload, signature = signed_audit(request, view)
    return render(request, "pages/audit.html", {"result": view, "html": audited.html, "types": AUDIT_TYPES,
                                                "export_payload": payload, "export_signature": signature})


__all__ = ["router"]
