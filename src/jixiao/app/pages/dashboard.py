"""One unit-year's dashboard: every record's indicators (value, formula, rule, inputs), the
checks of its stated figures, its risk warnings, the project and department scores and the
chart data — as the engine gives them for the records stored (:mod:`jixiao.calc.dataset`, the
same function that computes the values the store keeps for the comparison)."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from decimal import Decimal
from importlib import resources
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

import jixiao
from jixiao.app.cache import RevisionCache, kept_per_revision
from jixiao.app.pages.common import (
    Chart,
    ChartSeries,
    Severity,
    Subject,
    UnitInfo,
    as_ruleset,
    fund_label,
    get_unit,
    rule_indicators,
    rules_key,
    warned_indicators,
)
from jixiao.app.reports import planned_parts
from jixiao.app.units import rules_of_unit, unit_table
from jixiao.calc import (
    IndicatorResult,
    RiskWarning,
    StatedCheck,
)
from jixiao.calc.dataset import RecordIndicators, assess, fund_groups
from jixiao.calc.score_results import ScoredDepartment, ScoredTable
from jixiao.calc.scoring import score_department, score_project
from jixiao.calc.terms import figure_places
from jixiao.model import Dataset, DepartmentYear, FundYear, Project
from jixiao.numbers import Quantity
from jixiao.problems import Problem
from jixiao.rules import (
    SEVERITY_LABEL,
    RuleSet,
    citation_text,
)
from jixiao.store.indicator_store import engine_version, ruleset_key
from jixiao.store.pages import (
    keep,
    keep_html_if_free,
    keep_if_free,
    kept_keys,
    page_key,
    read_kept,
    read_kept_html,
    unit_years_with_data,
    year_content,
)
from jixiao.store.repository import get_department, get_fund_years, get_projects, years_of

#: the models are needed only to render a page or its JSON, both kept apart (as text, which the
#: garbage collector does not walk): a few, for a rule set switched back and forth
_DASHBOARDS: RevisionCache[Dashboard] = RevisionCache(size=64)
_DASHBOARD_JSON: RevisionCache[bytes] = RevisionCache(size=1024)
_STAMPS: RevisionCache[str] = RevisionCache(size=4096)


class IndicatorView(BaseModel):
    id: str
    name: str
    value: Decimal | None = Field(description="full precision; null when not computable")
    display: str = Field(description="rounded half-up with its unit, or 不可计算：reason")
    unit: str
    formula: str
    basis: str | None = Field(default=None, description="the official document it rests on (文号《标题》), if any")
    note: str | None = None
    reason: str | None = None
    inputs: dict[str, str] = Field(default_factory=dict, description="label → figure as written")
    warning: Severity | None = Field(default=None, description="worst warning that rests on this indicator")
    warning_from_stated: bool = Field(default=False, description="every such warning rests on a figure stated "
                                                                 "in the report, not on one computed here")


class CheckView(BaseModel):
    id: str
    key: str
    name: str
    stated: str
    computed: str
    ok: bool | None
    status: str
    expected: str | None = None
    message: str
    line: int | None = None
    quote: str | None = None


class WarningView(BaseModel):
    code: str
    rule_name: str
    severity: Severity
    severity_label: str
    label: str
    message: str
    figures: dict[str, str]
    basis: str | None = Field(default=None, description="the official document the rule rests on (文号《标题》), "
                                                        "if any")
    from_stated: bool = False


class RecordView(BaseModel):
    subject: Subject
    label: str
    fund: str | None = None
    scope: str | None = None
    project: str | None = None
    indicators: list[IndicatorView]
    checks: list[CheckView]
    warnings: list[WarningView]


class ScoreRowView(BaseModel):
    index: int
    category: str
    level1: str
    level2: str | None
    level3: str
    target: str
    actual: str | None
    weight: Decimal | None
    score: Decimal | None
    kind: str
    met: bool | None
    explanation: str
    basis: str | None = Field(default=None, description="the official document the row's scoring rests on, if any")


class CategoryView(BaseModel):
    name: str
    weight: Decimal
    score: Decimal


class FlagView(BaseModel):
    code: str
    severity: str
    message: str


class ProjectScoreView(BaseModel):
    project: str
    ruleset: str
    total: Decimal
    weight_total: Decimal
    grade: str | None
    budget_rate: str
    budget_weight: Decimal
    budget_score: Decimal | None
    budget_explanation: str
    budget_basis: str | None = None
    categories: list[CategoryView]
    rows: list[ScoreRowView]
    flags: list[FlagView]


class DepartmentScoreRowView(BaseModel):
    name: str
    indicator: str
    value: str
    weight: Decimal
    score: Decimal | None
    explanation: str
    basis: str | None = None


class DepartmentScoreView(BaseModel):
    ruleset: str
    total: Decimal
    scored_weight: Decimal
    weight_total: Decimal
    grade: str | None
    rows: list[DepartmentScoreRowView]
    flags: list[FlagView]


class ReportLink(BaseModel):
    """A report the unit-year's data make (:func:`jixiao.app.reports.report_parts`)."""

    part: str = Field(description="fund、department 或 project-N（第 N 个项目）：下载报告时的 part")
    title: str = Field(title="报告")


class Dashboard(BaseModel):
    unit: UnitInfo
    year: int
    years: list[int] = Field(title="该单位有数据的年度")
    ruleset: str
    records: list[RecordView]
    projects: list[ProjectScoreView]
    department_score: DepartmentScoreView | None = None
    warning_counts: dict[str, int] = Field(description="severity → count")
    check_counts: dict[str, int] = Field(description="ok / mismatch / unchecked → count")
    charts: list[Chart]
    reports: list[ReportLink] = Field(default_factory=list, title="可生成的报告",
                                      description="kept with the page: listing them would read every record again")


def _indicator_view(r: IndicatorResult, warned: Mapping[str, Severity],
                    stated_only: Collection[str] = ()) -> IndicatorView:
    d = r.definition
    return IndicatorView(id=r.id, name=d.name, value=r.value, display=r.display(), unit=r.unit, formula=d.formula,
                         basis=citation_text(d.citation), note=d.note, reason=r.reason, inputs=dict(r.inputs),
                         warning=warned.get(r.id), warning_from_stated=r.id in stated_only)


def _check_view(c: StatedCheck) -> CheckView:
    return CheckView(id=c.id, key=c.key or c.id, name=c.name or c.id, stated=c.stated, computed=c.computed_display,
                     ok=c.ok, status=c.status, expected=c.expected, message=c.message, line=c.line, quote=c.quote)


def _warning_view(w: RiskWarning) -> WarningView:
    return WarningView(code=w.code, rule_name=w.rule_name, severity=w.severity,
                       severity_label=SEVERITY_LABEL[w.severity], label=w.label, message=w.message,
                       figures=dict(w.figures), basis=w.citation or None, from_stated=w.from_stated)



def result_views(results: Sequence[IndicatorResult], checks: Sequence[StatedCheck], warnings: Sequence[RiskWarning],
                 rule_map: Mapping[str, tuple[str, ...]]) -> tuple[list[IndicatorView], list[CheckView],
                                                                  list[WarningView]]:
    """The engine's answers about one record (a year's or a period's) as the pages show them."""
    warned = warned_indicators(warnings, rule_map)
    computed = warned_indicators([w for w in warnings if not w.from_stated], rule_map)
    stated_only = {i for i in warned if i not in computed}
    return ([_indicator_view(r, warned, stated_only) for r in results], [_check_view(c) for c in checks],
            [_warning_view(w) for w in warnings])


def record_view(subject: Subject, label: str, found: RecordIndicators, rule_map: Mapping[str, tuple[str, ...]],
                 **extra: Any) -> RecordView:
    indicators, checks, warnings = result_views(found.results, found.checks, found.warnings, rule_map)
    return RecordView(subject=subject, label=label, indicators=indicators, checks=checks, warnings=warnings, **extra)


def _flags(problems: Iterable[Problem]) -> list[FlagView]:
    return [FlagView(code=p.code, severity=p.severity, message=p.message) for p in problems]


def _rule_citation(rs: RuleSet, rule_id: str) -> str | None:
    """The official document a scoring rule of ``rs`` rests on (文号《标题》), if any."""
    rules: list[Any] = list(rs.scoring)
    table = rs.project_table
    if table is not None:
        rules += [table.positive, table.reverse, table.equality, table.qualitative, table.deadline, table.too_low]
    found = next((r for r in rules if r.id == rule_id), None)
    return citation_text(found.citation) if found is not None else None


def _project_score(table: ScoredTable, rs: RuleSet) -> ProjectScoreView:
    return ProjectScoreView(
        project=table.project, ruleset=rs.title, total=table.total, weight_total=table.weight_total,
        grade=table.grade, budget_rate=table.budget.rate_display, budget_weight=table.budget.weight,
        budget_score=table.budget.score, budget_explanation=table.budget.explanation,
        budget_basis=_rule_citation(rs, table.budget.rule),
        categories=[CategoryView(name=c.name, weight=c.weight, score=c.score) for c in table.categories],
        rows=[ScoreRowView(index=r.index, category=r.category_name, level1=r.level1, level2=r.level2, level3=r.level3,
                           target=r.target, actual=r.actual, weight=r.weight, score=r.score, kind=r.kind, met=r.met,
                           explanation=r.explanation, basis=_rule_citation(rs, r.rule)) for r in table.rows],
        flags=_flags(table.flags),
    )


def _department_score(scored: ScoredDepartment, rs: RuleSet) -> DepartmentScoreView:
    return DepartmentScoreView(
        ruleset=rs.title, total=scored.total, scored_weight=scored.scored_weight,
        weight_total=scored.weight_total, grade=scored.grade,
        rows=[DepartmentScoreRowView(name=r.name, indicator=r.indicator, value=r.value_display, weight=r.weight,
                                     score=r.score, explanation=r.explanation, basis=_rule_citation(rs, r.rule))
              for r in scored.rows],
        flags=_flags(scored.flags),
    )


def _wan(q: Quantity | None) -> Decimal | None:
    return q.value_in("万元") if q is not None else None


def _wan_places(figures: Sequence[Quantity | None]) -> int | None:
    """The most decimals written amounts are shown with in 万元 (a sum or difference of them too)."""
    return max((figure_places(q, "万元", 2) for q in figures if q is not None), default=None)



def _dashboard_charts(funds: list[FundYear], dept: DepartmentYear | None,
                      scores: list[ProjectScoreView]) -> list[Chart]:
    charts: list[Chart] = []
    # a fund without income or spending figures would only leave an empty slot on the axis
    funds = [fy for fy in funds if fy.income.total is not None or fy.expenditure.total is not None]
    if funds:
        cats = [fund_label(fy) for fy in funds]
        incomes, spendings = [fy.income.total for fy in funds], [fy.expenditure.total for fy in funds]
        charts.append(Chart(
            id="fund_income_expenditure", title="各基金收入、支出与当期结余", unit="万元", categories=cats,
            series=[
                ChartSeries(name="基金收入", data=[_wan(q) for q in incomes], places=_wan_places(incomes)),
                ChartSeries(name="基金支出", data=[_wan(q) for q in spendings], places=_wan_places(spendings)),
                ChartSeries(name="当期结余", data=[
                    (fy.income.total.value_in("万元") - fy.expenditure.total.value_in("万元"))
                    if fy.income.total is not None and fy.expenditure.total is not None else None
                    for fy in funds], places=_wan_places(incomes + spendings)),
            ],
        ))
    if dept is not None:
        items = [("年初预算", dept.budget.initial), ("全年预算", dept.budget.full_year),
                 ("本年支出", dept.expenditure.total or dept.expenditure.general_public),
                 ("基本支出", dept.expenditure.basic), ("项目支出", dept.expenditure.project),
                 ("“三公”经费预算", dept.three_public.total.budget), ("“三公”经费支出", dept.three_public.total.actual)]
        present = [(name, q) for name, q in items if q is not None]
        if present:
            charts.append(Chart(id="department_budget", title="部门预算与支出", unit="万元",
                                categories=[n for n, _ in present],
                                series=[ChartSeries(name="金额", data=[_wan(q) for _, q in present],
                                                    places=_wan_places([q for _, q in present]))]))
    if scores:
        charts.append(Chart(id="project_scores", title="项目自评得分", unit="分",
                            categories=[s.project for s in scores],
                            series=[ChartSeries(name="得分", data=[s.total for s in scores]),
                                    ChartSeries(name="满分", data=[s.weight_total for s in scores])]))
    return charts


def compute_dashboard(session: Session, unit: str, year: int, *, ruleset: RuleSet | str | None = None) -> Dashboard:
    """Everything known about ``unit`` in ``year``, computed from the records stored: NotFound
    when the unit does not exist. A year without data gives an empty dashboard (``records``
    empty) so a page can say so. Pages use :func:`unit_year_dashboard`, which keeps it."""
    info = get_unit(session, unit)
    rs = as_ruleset(ruleset if ruleset is not None else rules_of_unit(session, unit))
    rule_map = rule_indicators(rs)
    funds = get_fund_years(session, unit, year)
    dept = get_department(session, unit, year)
    projects = get_projects(session, unit, year)
    groups = fund_groups(funds)
    records: list[RecordView] = []
    for fy in funds:
        found = assess(fy, rs, groups[(fy.unit, fy.year, fy.scope)])
        records.append(record_view("fund", fund_label(fy), found, rule_map, fund=fy.fund.value, scope=fy.scope))
    dept_score: DepartmentScoreView | None = None
    if dept is not None:
        found = assess(dept, rs)
        records.append(record_view("department", "部门整体支出", found, rule_map))
        scored = score_department(dept, found.results, rs)
        if scored.rows:
            dept_score = _department_score(scored, rs)
    scores: list[ProjectScoreView] = []
    for pr in projects:
        records.append(record_view("project", pr.name, assess(pr, rs), rule_map, project=pr.name))
        if pr.indicators and rs.project_table is not None:
            scores.append(_project_score(score_project(pr, rs), rs))
    warning_counts = dict.fromkeys(("serious", "warning", "info"), 0)
    check_counts = {"ok": 0, "mismatch": 0, "unchecked": 0}
    for rec in records:
        for w in rec.warnings:
            warning_counts[w.severity] += 1
        for c in rec.checks:
            check_counts["ok" if c.ok else "mismatch" if c.ok is False else "unchecked"] += 1
    return Dashboard(unit=info, year=year, years=years_of(session, unit), ruleset=rs.title, records=records,
                     projects=scores, department_score=dept_score, warning_counts=warning_counts,
                     check_counts=check_counts, charts=_dashboard_charts(funds, dept, scores),
                     reports=_report_links(funds, dept, projects, unit, year))


def _report_links(funds: list[FundYear], dept: DepartmentYear | None, projects: list[Project], unit: str,
                  year: int) -> list[ReportLink]:
    # the records are those just read and validated: no second validation
    dataset = Dataset.model_construct(fund_years=funds, departments=[dept] if dept is not None else [],
                                      projects=projects)
    return [ReportLink(part=p.part, title=p.title) for p in planned_parts(dataset, unit, year)]




# --------------------------------------------------------------------------------------------
# Kept: in this process per data revision, in the database per unit-year
# --------------------------------------------------------------------------------------------


@functools.cache
def page_version() -> str:
    """jixiao's version and a digest of what shapes a dashboard beyond the engine and the rule
    set (this module and the shared pieces): a change to either makes every kept page stale."""
    digest = hashlib.sha256(jixiao.__version__.encode())
    for name in ("dashboard.py", "common.py"):
        digest.update((resources.files("jixiao.app.pages") / name).read_bytes())
    return digest.hexdigest()[:16]


def _kept_key(session: Session, unit: str, year: int, rs: RuleSet) -> tuple[list[int], str]:
    """The unit's years, and the key a kept page of ``unit``/``year`` judged by ``rs`` has: what
    its records are (:func:`~jixiao.store.pages.year_content`), the unit's own row, the rule set,
    the engine and this page's format."""
    years, content = year_content(session, unit, year)
    row = unit_table(session).by_code.get(unit)
    own = "\t".join(str(v) for v in row) if row is not None else ""
    return years, page_key(content, own, ruleset_key(rs), engine_version(), page_version())


@kept_per_revision(_DASHBOARDS, lambda a: (a["unit"], a["year"], rules_key(a["ruleset"])))
def unit_year_dashboard(session: Session, unit: str, year: int, *, ruleset: RuleSet | str | None = None) -> Dashboard:
    """Everything known about ``unit`` in ``year`` (:func:`compute_dashboard`), kept: in this
    process until the data revision moves, and in the database under the key of what it was made
    from (:mod:`jixiao.store.pages`), so a page seen by nobody yet in this process is a read. A
    page missing there (or stale) is computed and kept on the way. Callers must not change it."""
    rs = as_ruleset(ruleset if ruleset is not None else rules_of_unit(session, unit))
    years, key = _kept_key(session, unit, year, rs)
    found = read_kept(session, unit, year, ruleset_key(rs), key)
    if found is not None:
        board = Dashboard.model_validate_json(found)
        board.years = years  # another year's data may have come or gone: not part of the key
        return board
    board = compute_dashboard(session, unit, year, ruleset=rs)
    if board.records:
        keep_if_free(session, unit, year, ruleset_key(rs), key, board.model_dump_json().encode())
    return board


@kept_per_revision(_STAMPS, lambda a: (a["unit"], a["year"], rules_key(a["ruleset"])))
def dashboard_stamp(session: Session, unit: str, year: int, *, ruleset: RuleSet | str | None = None) -> str:
    """A digest of everything :func:`unit_year_dashboard` shows (the key it is kept under, and the
    unit's years): what a rendering of it may be kept under, beside what the renderer adds."""
    rs = as_ruleset(ruleset if ruleset is not None else rules_of_unit(session, unit))
    years, key = _kept_key(session, unit, year, rs)
    return hashlib.sha256(f"{key}\n{years}".encode()).hexdigest()


def kept_content(session: Session, unit: str, year: int, view: str, key: str) -> str | None:
    """The dashboard content a renderer kept for ``view`` under ``key`` (None: missing or stale)."""
    return read_kept_html(session, unit, year, view, key)


def keep_content(session: Session, unit: str, year: int, view: str, key: str, html: str) -> None:
    """Keep a rendering of the dashboard, if the database is free now (a reader never waits)."""
    keep_html_if_free(session, unit, year, view, key, html)


#: the ``years`` of a kept page's JSON (the first key of that name: the unit's fields come before it)
_YEARS_IN_DOC = re.compile(rb',"years":\[([0-9,]*)\]')


@kept_per_revision(_DASHBOARD_JSON, lambda a: (a["unit"], a["year"], rules_key(a["ruleset"])))
def unit_year_dashboard_json(session: Session, unit: str, year: int, *,
                             ruleset: RuleSet | str | None = None) -> bytes:
    """:func:`unit_year_dashboard` as JSON: the kept page's own bytes when it is current and its
    years are still the unit's (a first view is then a read, not a parse and a dump)."""
    rs = as_ruleset(ruleset if ruleset is not None else rules_of_unit(session, unit))
    years, key = _kept_key(session, unit, year, rs)
    found = read_kept(session, unit, year, ruleset_key(rs), key)
    if found is not None:
        kept_years = _YEARS_IN_DOC.search(found)
        if kept_years is not None:
            # another year's data may have come or gone since (not part of the key: a province
            # loaded year by year keeps every earlier year's page with the years it had then)
            now = ",".join(str(y) for y in years).encode()
            return found if kept_years.group(1) == now else \
                found[:kept_years.start(1)] + now + found[kept_years.end(1):]
    return unit_year_dashboard(session, unit, year, ruleset=ruleset).model_dump_json().encode()


def keep_dashboards(session: Session, keys: Iterable[tuple[str, int]]) -> int:
    """Compute and keep the dashboards of these unit-years (by each unit's own rule set), in the
    caller's transaction: a write keeps its pages with its data. The number kept."""
    kept = 0
    for unit, year in sorted(set(keys)):
        rs = as_ruleset(rules_of_unit(session, unit))
        board = compute_dashboard(session, unit, year, ruleset=rs)
        if not board.records:
            continue
        _, key = _kept_key(session, unit, year, rs)
        keep(session, unit, year, ruleset_key(rs), key, board.model_dump_json().encode())
        kept += 1
    return kept


def stale_dashboards(session: Session) -> list[tuple[str, int]]:
    """The unit-years with data whose kept page (by the unit's own rule set) is missing or stale."""
    kept = kept_keys(session)
    out: list[tuple[str, int]] = []
    for unit, year in unit_years_with_data(session):
        rs = as_ruleset(rules_of_unit(session, unit))
        _, key = _kept_key(session, unit, year, rs)
        if kept.get((unit, year, ruleset_key(rs))) != key:
            out.append((unit, year))
    return out
