"""What each page of the web app shows, as plain data (the page's JSON twin).

Pure functions over a SQLAlchemy :class:`~sqlalchemy.orm.Session` (and, where the answer depends
on who asks, an :class:`~jixiao.app.access.Principal`) returning pydantic models. The web routes only
check permissions, call these and render; the API returns the same models as JSON. Nothing here
decides a figure: indicators, formulas and rules come from :mod:`jixiao.calc`, warnings and scores
from the rule set (:mod:`jixiao.rules`), figures from the store.

* :func:`unit_tree` — the units the principal may read, as a tree, with their years of data;
* :func:`unit_year_dashboard` — one unit-year: every record's indicators (value, formula, rule,
  inputs), stated-figure checks, warnings, project and department scores, chart data;
* :func:`comparison` — units × indicators for one year: values, ranks, warning colours, sorted;
* :func:`trends` — one unit's indicators over its years;
* :func:`entry_form` / :func:`prepare_entry` — the main figures of a unit-year as an edit form,
  and a submitted form validated through the model and loader (errors by field, changes old → new).

Speed (:func:`comparison` at 3,000 units): the engine's results are stored with each record
when it is saved (:mod:`jixiao.store.indicator_store`, same transaction), so the comparison
reads one indexed set of rows per subject and computes nothing; stale values (a new engine or
rule set) are recomputed for that year once and stored. The table it derives (cells, ranks,
statistics) is kept in the process under a token of the stored records (count and sum of
random stamps rewritten with every write), so a repeated comparison costs one index range
until something changes. The unit tree's years are one GROUP BY over the same index.
``bench/compare.py`` measures both.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jixiao.app.access import can_read
from jixiao.calc import (
    BY_SUBJECT,
    IndicatorDef,
    IndicatorResult,
    RiskWarning,
    StatedCheck,
    check_stated,
    compute_department,
    compute_fund_year,
    compute_project,
    department_warnings,
    fund_warnings,
)
from jixiao.calc.dataset import fund_groups
from jixiao.calc.registry import places_shown
from jixiao.calc.scoring import ScoredDepartment, ScoredTable, score_department, score_project
from jixiao.calc.terms import figure_places
from jixiao.ingest.data import dataset_from_data
from jixiao.ingest.validate import validate_dataset
from jixiao.model import Dataset, DepartmentYear, FundYear, Project
from jixiao.model.funds import FUNDS, FundKind
from jixiao.model.units import effective_ruleset
from jixiao.model.users import Principal, Role
from jixiao.numbers import Quantity, fmt
from jixiao.problems import Problem
from jixiao.rules import (
    SEVERITY_LABEL,
    SEVERITY_ORDER,
    BandWarningRule,
    DeficitRule,
    GrowthGapRule,
    RuleSet,
    load_ruleset,
)
from jixiao.store import indicator_store
from jixiao.store.indicator_store import (
    StoredRecord,
    StoredWarning,
    clear_read_caches,
    funds_of_year,
    keys_complete,
    read_records,
    records_token,
    refresh_year_now,
    ruleset_key,
    unit_years,
    year_is_current,
)
from jixiao.store.repository import get_department, get_fund_years, get_projects, years_of
from jixiao.store.revision import BoundedCache, RevisionCache, kept_per_revision
from jixiao.store.schema import DepartmentYearRow, FundYearRow, UnitRow

Severity = Literal["info", "warning", "serious"]
Subject = Literal["fund", "department", "project"]

#: scopes that stand for the whole unit (preferred when a unit has several for one fund)
WHOLE_SCOPES = ("", "全市", "全省", "全区", "全县", "全州", "全盟")

# What this process keeps between requests, each until the data revision moves
# (:mod:`jixiao.store.revision`). Sizes bound the memory: a dashboard is some tens of kB.
_DASHBOARDS: RevisionCache[Dashboard] = RevisionCache(size=1024)
_COMPARISONS: RevisionCache[Comparison] = RevisionCache(size=256)
_TREES: RevisionCache[UnitTree] = RevisionCache(size=64)
_UNIT_TABLES: RevisionCache[UnitTable] = RevisionCache(size=1)
_YEARS: RevisionCache[list[int]] = RevisionCache(size=1)
#: small facts about a year's stored records and a principal's visible units (index reads)
_YEAR_FACTS: RevisionCache[Any] = RevisionCache(size=256)


class NotFound(LookupError):
    """The unit (or unit-year) does not exist; the message is Chinese."""


# --------------------------------------------------------------------------------------------
# Shared pieces
# --------------------------------------------------------------------------------------------


class UnitInfo(BaseModel):
    code: str = Field(title="单位代码")
    name: str = Field(title="单位名称")
    level: str = Field(title="层级")
    kind: str = Field(title="单位类型")
    parent: str | None = Field(default=None, title="上级单位代码")
    region: str | None = Field(default=None, title="所属地区")


class IndicatorInfo(BaseModel):
    """One indicator of the registry (for selectors and column headers)."""

    id: str = Field(title="指标 id", description="subject-qualified when ambiguous: 'department:income_yoy_rate'")
    subject: Subject = Field(title="对象")
    name: str = Field(title="指标名称")
    unit: str = Field(title="单位")
    formula: str = Field(title="公式")
    rule: str = Field(title="依据")


class ChartSeries(BaseModel):
    name: str
    data: list[Decimal | None] = Field(description="one value per category; null where not computable")
    places: int | None = Field(None, description="decimals shown (the figures' own, as the tables show "
                                                 "them); null: whole numbers as they are, others to 2")


class Chart(BaseModel):
    """Data for one chart (the page draws it with ECharts; values are decimal strings in JSON)."""

    id: str
    title: str
    kind: Literal["bar", "line"] = "bar"
    unit: str = ""
    categories: list[str]
    series: list[ChartSeries]


def _unit_info(row: UnitRow) -> UnitInfo:
    return UnitInfo(code=row.code, name=row.name, level=row.level, kind=row.kind, parent=row.parent,
                    region=row.region)


def get_unit(session: Session, code: str) -> UnitInfo:
    row = session.get(UnitRow, code)
    if row is None:
        raise NotFound(f"没有单位“{code}”")
    return _unit_info(row)


def unit_parents(session: Session) -> dict[str, str | None]:
    """unit code → parent code, for permission checks (reads two columns, no documents)."""
    return {code: parent for code, parent in session.execute(select(UnitRow.code, UnitRow.parent))}


def _ruleset(ruleset: RuleSet | str | None) -> RuleSet:
    if isinstance(ruleset, RuleSet):
        return ruleset
    return load_ruleset(ruleset or "default")


def _worst(severities: Iterable[str | None]) -> Severity | None:
    best: Severity | None = None
    for s in severities:
        if s is not None and (best is None or SEVERITY_ORDER[s] > SEVERITY_ORDER[best]):
            best = s  # type: ignore[assignment]
    return best


def indicator_catalog() -> list[IndicatorInfo]:
    """Every fund and department indicator, ids qualified where a department id repeats a fund id."""
    out: list[IndicatorInfo] = []
    for subject in ("fund", "department"):
        for d in BY_SUBJECT[subject].values():
            qualified = d.id if subject == "fund" or d.id not in BY_SUBJECT["fund"] else f"department:{d.id}"
            out.append(IndicatorInfo(id=qualified, subject=subject, name=d.name, unit=d.unit, formula=d.formula,
                                     rule=d.rule))
    return out


def resolve_indicator(text: str) -> IndicatorDef:
    """An indicator id as the API takes it: ``months_of_reserve``, ``department:income_yoy_rate``.

    A bare id that both a fund and a department have means the fund one. KeyError (Chinese
    message) when unknown.
    """
    text = text.strip()
    subject, _, ident = text.rpartition(":")
    if subject:
        if subject not in ("fund", "department") or ident not in BY_SUBJECT[subject]:
            raise KeyError(f"未知指标“{text}”")
        return BY_SUBJECT[subject][ident]
    for subj in ("fund", "department"):
        if ident in BY_SUBJECT[subj]:
            return BY_SUBJECT[subj][ident]
    raise KeyError(f"未知指标“{text}”")


def qualified_id(d: IndicatorDef) -> str:
    return f"department:{d.id}" if d.subject == "department" and d.id in BY_SUBJECT["fund"] else d.id


def _rule_indicators(ruleset: RuleSet) -> dict[str, tuple[str, ...]]:
    """warning rule id → the indicators its verdict is about (for colouring cells)."""
    out: dict[str, tuple[str, ...]] = {}
    for rule in ruleset.warnings:
        if isinstance(rule, BandWarningRule):
            out[rule.id] = (rule.indicator,)
        elif isinstance(rule, DeficitRule):
            out[rule.id] = ("current_balance", "current_balance_rate")
        elif isinstance(rule, GrowthGapRule):
            out[rule.id] = (rule.income_indicator, rule.expenditure_indicator)
    return out


# --------------------------------------------------------------------------------------------
# Unit tree
# --------------------------------------------------------------------------------------------


class UnitNode(UnitInfo):
    years: list[int] = Field(default_factory=list, title="有数据的年度")
    children: list[UnitNode] = Field(default_factory=list)


class UnitTree(BaseModel):
    roots: list[UnitNode]
    count: int = Field(title="可见单位数")


class UnitTable(NamedTuple):
    """Every unit's row (code, name, level, kind, parent, region, ruleset), ordered by code; its
    parent and its own rule set (None: its parent's)."""

    rows: list[Any]
    parents: dict[str, str | None]
    rulesets: dict[str, str | None]


def unit_table(session: Session) -> UnitTable:
    """All units, read once per data revision (the tree, access checks and the comparison's
    names all need them; 3,000 rows cost tens of milliseconds to read)."""
    def read() -> UnitTable:
        rows = session.execute(select(UnitRow.code, UnitRow.name, UnitRow.level, UnitRow.kind, UnitRow.parent,
                                      UnitRow.region, UnitRow.ruleset).order_by(UnitRow.code)).all()
        return UnitTable(rows, {r.code: r.parent for r in rows}, {r.code: r.ruleset for r in rows})
    return _UNIT_TABLES.get_or_make(session, "units", read)


def rules_of_unit(session: Session, unit: str) -> str:
    """The rule set ``unit`` is judged by (its own, else its nearest ancestor's, else default), from
    the cached unit table: what :func:`jixiao.store.repository.unit_ruleset` reads with a query per ancestor."""
    table = unit_table(session)
    return effective_ruleset(unit, table.rulesets, table.parents)


def _scope(principal: Principal) -> tuple[Role, str | None]:
    """What decides which units a principal may read: the role, and the unit unless an admin."""
    return principal.role, None if principal.is_admin else principal.unit


def _rules_key(ruleset: RuleSet | str | None) -> str | None:
    return None if ruleset is None else ruleset_key(_ruleset(ruleset))


@kept_per_revision(_TREES, lambda a: _scope(a["principal"]))
def unit_tree(session: Session, principal: Principal) -> UnitTree:
    """The units ``principal`` may read, nested by parent; a visible unit whose parent is not
    visible is a root. Children are ordered by code. A unit's years come from one GROUP BY over
    the stored records' index (:func:`jixiao.store.indicator_store.unit_years`). Kept per role
    and unit until the data revision moves; callers must not change it."""
    table = unit_table(session)
    rows, parents = table.rows, table.parents
    visible = [r for r in rows if can_read(principal, r.code, parents)]
    codes = {r.code for r in visible}
    years = unit_years(session, None if principal.is_admin else codes)
    # validated construction is faster than model_construct in pydantic 2 (core-side)
    nodes = {r.code: UnitNode(code=r.code, name=r.name, level=r.level, kind=r.kind, parent=r.parent, region=r.region,
                              years=years.get(r.code, []))
             for r in visible}
    roots: list[UnitNode] = []
    for r in visible:
        node = nodes[r.code]
        if r.parent in nodes and r.parent != r.code:
            nodes[r.parent].children.append(node)
        else:
            roots.append(node)
    return UnitTree(roots=roots, count=len(nodes))


# --------------------------------------------------------------------------------------------
# Unit-year dashboard
# --------------------------------------------------------------------------------------------


class IndicatorView(BaseModel):
    id: str
    name: str
    value: Decimal | None = Field(description="full precision; null when not computable")
    display: str = Field(description="rounded half-up with its unit, or 不可计算：reason")
    unit: str
    formula: str
    rule: str
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
    rule_id: str
    rule_name: str
    severity: Severity
    severity_label: str
    label: str
    message: str
    figures: dict[str, str]
    source: str
    confidence: str
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
    categories: list[CategoryView]
    rows: list[ScoreRowView]
    flags: list[FlagView]
    explanation: str


class DepartmentScoreRowView(BaseModel):
    name: str
    indicator: str
    value: str
    weight: Decimal
    score: Decimal | None
    explanation: str


class DepartmentScoreView(BaseModel):
    ruleset: str
    total: Decimal
    scored_weight: Decimal
    weight_total: Decimal
    grade: str | None
    rows: list[DepartmentScoreRowView]
    flags: list[FlagView]


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


def _indicator_view(r: IndicatorResult, warned: Mapping[str, Severity],
                    stated_only: Collection[str] = ()) -> IndicatorView:
    d = r.definition
    return IndicatorView(id=r.id, name=d.name, value=r.value, display=r.display(), unit=r.unit, formula=d.formula,
                         rule=d.rule, note=d.note, reason=r.reason, inputs=dict(r.inputs), warning=warned.get(r.id),
                         warning_from_stated=r.id in stated_only)


def _check_view(c: StatedCheck) -> CheckView:
    return CheckView(id=c.id, key=c.key or c.id, name=c.name or c.id, stated=c.stated, computed=c.computed_display,
                     ok=c.ok, status=c.status, expected=c.expected, message=c.message, line=c.line, quote=c.quote)


def _warning_view(w: RiskWarning) -> WarningView:
    return WarningView(code=w.code, rule_id=w.rule_id, rule_name=w.rule_name, severity=w.severity,
                       severity_label=SEVERITY_LABEL[w.severity], label=w.label, message=w.message,
                       figures=dict(w.figures), source=w.source, confidence=w.confidence, from_stated=w.from_stated)


def _warned(warnings: Iterable[RiskWarning], rule_map: Mapping[str, tuple[str, ...]]) -> dict[str, Severity]:
    out: dict[str, Severity] = {}
    for w in warnings:
        for ind in rule_map.get(w.rule_id, ()):
            worst = _worst((out.get(ind), w.severity))
            if worst is not None:
                out[ind] = worst
    return out


def _record_view(subject: Subject, label: str, results: list[IndicatorResult], checks: list[StatedCheck],
                 warnings: list[RiskWarning], rule_map: Mapping[str, tuple[str, ...]], **extra: Any) -> RecordView:
    warned = _warned(warnings, rule_map)
    computed = _warned([w for w in warnings if not w.from_stated], rule_map)
    stated_only = {i for i in warned if i not in computed}
    return RecordView(subject=subject, label=label,
                      indicators=[_indicator_view(r, warned, stated_only) for r in results],
                      checks=[_check_view(c) for c in checks], warnings=[_warning_view(w) for w in warnings],
                      **extra)


def _flags(problems: Iterable[Problem]) -> list[FlagView]:
    return [FlagView(code=p.code, severity=p.severity, message=p.message) for p in problems]


def _project_score(table: ScoredTable) -> ProjectScoreView:
    return ProjectScoreView(
        project=table.project, ruleset=table.ruleset, total=table.total, weight_total=table.weight_total,
        grade=table.grade, budget_rate=table.budget.rate_display, budget_weight=table.budget.weight,
        budget_score=table.budget.score, budget_explanation=table.budget.explanation,
        categories=[CategoryView(name=c.name, weight=c.weight, score=c.score) for c in table.categories],
        rows=[ScoreRowView(index=r.index, category=r.category_name, level1=r.level1, level2=r.level2, level3=r.level3,
                           target=r.target, actual=r.actual, weight=r.weight, score=r.score, kind=r.kind, met=r.met,
                           explanation=r.explanation) for r in table.rows],
        flags=_flags(table.flags), explanation=table.explanation(),
    )


def _department_score(scored: ScoredDepartment) -> DepartmentScoreView:
    return DepartmentScoreView(
        ruleset=scored.ruleset, total=scored.total, scored_weight=scored.scored_weight,
        weight_total=scored.weight_total, grade=scored.grade,
        rows=[DepartmentScoreRowView(name=r.name, indicator=r.indicator, value=r.value_display, weight=r.weight,
                                     score=r.score, explanation=r.explanation) for r in scored.rows],
        flags=_flags(scored.flags),
    )


def _wan(q: Quantity | None) -> Decimal | None:
    return q.value_in("万元") if q is not None else None


def _wan_places(figures: Sequence[Quantity | None]) -> int | None:
    """The most decimals written amounts are shown with in 万元 (a sum or difference of them too)."""
    return max((figure_places(q, "万元", 2) for q in figures if q is not None), default=None)


def _fund_label(fy: FundYear) -> str:
    scope = f"（{fy.scope}）" if fy.scope else ""
    return f"{FUNDS[fy.fund].short}{scope}"


def _dashboard_charts(funds: list[FundYear], dept: DepartmentYear | None,
                      scores: list[ProjectScoreView]) -> list[Chart]:
    charts: list[Chart] = []
    # a fund without income or spending figures would only leave an empty slot on the axis
    funds = [fy for fy in funds if fy.income.total is not None or fy.expenditure.total is not None]
    if funds:
        cats = [_fund_label(fy) for fy in funds]
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


@kept_per_revision(_DASHBOARDS, lambda a: (a["unit"], a["year"], _rules_key(a["ruleset"])))
def unit_year_dashboard(session: Session, unit: str, year: int, *, ruleset: RuleSet | str | None = None) -> Dashboard:
    """Everything known about ``unit`` in ``year``: NotFound when the unit does not exist.

    A year without data gives an empty dashboard (``records`` empty) so a page can say so.
    The result is kept in this process until the data revision moves (any write of any data,
    by anyone: :mod:`jixiao.store.revision`); callers must not change it.
    """
    info = get_unit(session, unit)
    rs = _ruleset(ruleset if ruleset is not None else rules_of_unit(session, unit))
    rule_map = _rule_indicators(rs)
    funds = get_fund_years(session, unit, year)
    dept = get_department(session, unit, year)
    projects = get_projects(session, unit, year)
    groups = fund_groups(funds)
    records: list[RecordView] = []
    for fy in funds:
        siblings = groups[(fy.unit, fy.year, fy.scope)]
        results = compute_fund_year(fy, siblings)
        records.append(_record_view("fund", _fund_label(fy), results, check_stated(fy, results),
                                    fund_warnings(fy, results, rs, siblings), rule_map, fund=fy.fund.value,
                                    scope=fy.scope))
    dept_score: DepartmentScoreView | None = None
    if dept is not None:
        results = compute_department(dept)
        records.append(_record_view("department", "部门整体支出", results, check_stated(dept, results),
                                    department_warnings(dept, results, rs), rule_map))
        scored = score_department(dept, results, rs)
        if scored.rows:
            dept_score = _department_score(scored)
    scores: list[ProjectScoreView] = []
    for pr in projects:
        results = compute_project(pr)
        records.append(_record_view("project", pr.name, results, check_stated(pr, results), [], rule_map,
                                    project=pr.name))
        if pr.indicators and rs.project_table is not None:
            scores.append(_project_score(score_project(pr, rs)))
    warning_counts = dict.fromkeys(("serious", "warning", "info"), 0)
    check_counts = {"ok": 0, "mismatch": 0, "unchecked": 0}
    for rec in records:
        for w in rec.warnings:
            warning_counts[w.severity] += 1
        for c in rec.checks:
            check_counts["ok" if c.ok else "mismatch" if c.ok is False else "unchecked"] += 1
    return Dashboard(unit=info, year=year, years=years_of(session, unit), ruleset=rs.label, records=records,
                     projects=scores, department_score=dept_score, warning_counts=warning_counts,
                     check_counts=check_counts, charts=_dashboard_charts(funds, dept, scores))


# --------------------------------------------------------------------------------------------
# Comparison: units × indicators for one year
# --------------------------------------------------------------------------------------------

DEFAULT_COMPARE = ("current_balance_rate", "months_of_reserve", "expenditure_budget_execution_rate",
                   "income_per_capita", "expenditure_per_capita")


def clear_caches() -> None:
    """Forget what this process keeps between calls: comparison tables (keyed by the stored
    records' tokens) and parsed warning lists. The comparison reads the values stored with each
    record (:mod:`jixiao.store.indicator_store`), so a first call in a new process needs no
    engine. Benchmarks use this for cold timings."""
    clear_read_caches()
    _TABLES.clear()
    _WARNED_MEMO.clear()
    for cache in (_DASHBOARDS, _COMPARISONS, _UNIT_TABLES, _YEARS, _TREES, _YEAR_FACTS):
        cache.clear()


class CompareColumn(IndicatorInfo):
    count: int = Field(title="可计算的单位数")
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    median: Decimal | None = None
    median_display: str | None = Field(default=None, description="the median at the indicator's display places")


class CompareCell(BaseModel):
    value: Decimal | None
    display: str
    rank: int | None = Field(default=None, description="1 = highest value; ties share a rank")
    warning: Severity | None = None


class CompareRow(BaseModel):
    unit: str
    name: str
    region: str | None
    scope: str | None = Field(default=None, description="口径 of the fund record compared")
    cells: dict[str, CompareCell]
    warnings: int = Field(description="warnings on the compared records")
    worst: Severity | None = None
    messages: list[str] = Field(default_factory=list)


class Comparison(BaseModel):
    year: int
    fund: str | None = Field(description="the fund whose records are compared (fund indicators)")
    funds: list[str] = Field(description="funds with records in that year among the visible units")
    years: list[int] = Field(description="years with any fund or department record")
    ruleset: str
    columns: list[CompareColumn]
    sort: str
    descending: bool
    total: int = Field(title="参与比较的单位数")
    offset: int
    rows: list[CompareRow]
    chart: Chart | None = None


@dataclass
class _Row:
    """A comparison row before it becomes a :class:`CompareRow` (only the page's rows do)."""

    unit: str
    scope: str | None
    cells: dict[str, tuple[Decimal | None, str, Severity | None]]
    warnings: _Warned
    worst: Severity | None
    ranks: dict[str, int] = field(default_factory=dict)


def _scope_rank(scope: str) -> tuple[int, str]:
    return (WHOLE_SCOPES.index(scope) if scope in WHOLE_SCOPES else len(WHOLE_SCOPES), scope)


def _median(values: list[Decimal]) -> Decimal | None:
    """The median of ``values`` (sorted ascending)."""
    if not values:
        return None
    s = values
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


_Warned = tuple[StoredWarning, ...]  # (rule_id, severity, message, code)


def _visible_units(session: Session, principal: Principal) -> dict[str, tuple[str, str | None]]:
    """code → (name, region) of the units ``principal`` may read (once per data revision and scope)."""
    key = ("visible", principal.role, None if principal.is_admin else principal.unit)
    return _YEAR_FACTS.get_or_make(session, key, lambda: _read_visible_units(session, principal))


def _read_visible_units(session: Session, principal: Principal) -> dict[str, tuple[str, str | None]]:
    table = unit_table(session)
    rows, parents = table.rows, table.parents
    if principal.is_admin:
        return {r.code: (r.name, r.region) for r in rows}
    return {r.code: (r.name, r.region) for r in rows if can_read(principal, r.code, parents)}


def _stored_records(session: Session, year: int, kind: Literal["fund", "department"], rs: RuleSet,
                    indicator_ids: Sequence[str], *, fund: str | None = None,
                    units: Collection[str] | None = None) -> list[StoredRecord]:
    """The year's stored records of ``kind`` with their values and warnings; when any is missing
    or stale (a new engine or rule set, a record written behind the repository's back), the
    year's records of that kind are recomputed first by the engine and stored."""
    records = read_records(session, year, kind, rs, fund=fund, units=units, indicator_ids=indicator_ids)
    if not year_is_current(session, records, year, kind, fund=fund, units=units):
        refresh_year_now(session, year, [kind], rs)
        records = read_records(session, year, kind, rs, fund=fund, units=units, indicator_ids=indicator_ids)
    return records


#: the last few comparison tables (rows with cells and ranks, column statistics), keyed by what
#: they are of and by the :func:`~jixiao.store.indicator_store.records_token` of the stored
#: records they come from — so a hit is always current, in any process, and a write of another
#: year's records leaves them be
_TABLES: BoundedCache[tuple[list[_Row], list[CompareColumn]]] = BoundedCache(size=32)
_WARNED_MEMO: dict[tuple[int, str], tuple[_Warned, dict[str, Severity]]] = {}


def _warned_cells(warns: _Warned, rule_map: Mapping[str, tuple[str, ...]], rs_key: str) -> dict[str, Severity]:
    """indicator → worst severity of ``warns`` (parsed warning tuples are shared between equal
    texts, so this is memoised per tuple and rule set — ``rs_key`` names the rule set whose
    ``rule_map`` this is)."""
    key = (id(warns), rs_key)
    found = _WARNED_MEMO.get(key)
    if found is not None and found[0] is warns:
        return found[1]
    warned = _warned_tuples(warns, rule_map)
    if len(_WARNED_MEMO) > 20_000:
        _WARNED_MEMO.clear()
    _WARNED_MEMO[key] = (warns, warned)
    return warned


def _rows_and_columns(fund_records: Mapping[str, StoredRecord], dept_records: Mapping[str, StoredRecord],
                      defs: list[IndicatorDef], rule_map: Mapping[str, tuple[str, ...]], rs_key: str
                      ) -> tuple[list[_Row], list[CompareColumn]]:
    """Every unit's cells from its stored values, then ranks and statistics per column."""
    fund_cols = [(d.id, qualified_id(d)) for d in defs if d.subject == "fund"]
    dept_cols = [(d.id, qualified_id(d)) for d in defs if d.subject == "department"]
    rows: list[_Row] = []
    no_warnings: dict[str, Severity] = {}
    for code in sorted(fund_records.keys() | dept_records.keys()):
        cells: dict[str, tuple[Decimal | None, str, Severity | None]] = {}
        warns: _Warned = ()
        worst: Severity | None = None
        for rec, cols in ((fund_records.get(code), fund_cols), (dept_records.get(code), dept_cols)):
            if rec is None:
                continue
            warned = no_warnings
            if rec.warnings:
                warns += rec.warnings
                warned = _warned_cells(rec.warnings, rule_map, rs_key)
                if worst is None or SEVERITY_ORDER[rec.worst or "info"] > SEVERITY_ORDER[worst]:
                    worst = rec.worst  # type: ignore[assignment]
            values = rec.values
            for ident, qid in cols:
                got = values.get(ident)
                if got is not None:
                    cells[qid] = (got[0], got[1], warned.get(ident))
        fund_rec = fund_records.get(code)
        rows.append(_Row(code, fund_rec.scope if fund_rec is not None else None, cells, warns, worst))

    columns: list[CompareColumn] = []
    for d in defs:
        qid = qualified_id(d)
        ranked = [(cell[0], r) for r in rows if (cell := r.cells.get(qid)) is not None and cell[0] is not None]
        ranked.sort(key=lambda pair: pair[0], reverse=True)  # type: ignore[arg-type,return-value]
        previous: Decimal | None = None
        rank = 0
        for i, (value, r) in enumerate(ranked, 1):
            if value != previous:
                rank, previous = i, value
            r.ranks[qid] = rank
        known = [v for v, _ in ranked if v is not None]
        med = _median(known[::-1])
        columns.append(CompareColumn(id=qid, subject=d.subject, name=d.name, unit=d.unit,  # type: ignore[arg-type]
                                     formula=d.formula, rule=d.rule, count=len(known),
                                     minimum=known[-1] if known else None, maximum=known[0] if known else None,
                                     median=med, median_display=None if med is None else fmt(med, _most_places(
                                         (c[1] for r in rows if (c := r.cells.get(qid)) is not None), d.places))))
    return rows, columns


_SHOWN_NUMBER = re.compile(r"-*([0-9.]+)")


def _most_places(displays: Iterable[str], default: int) -> int:
    """The most decimals among a column's displays, as :func:`~jixiao.calc.registry.places_shown`
    reads them ('23204万元' → 0, '15.30%' → 2, '不可计算…' → none), with one regex match a display:
    a 3,000-unit column read character by character took a second."""
    most: int | None = None
    for display in displays:
        found = _SHOWN_NUMBER.match(display)
        if found is not None:
            places = len(found.group(1).partition(".")[2])
            if most is None or places > most:
                most = places
    return default if most is None else most


@kept_per_revision(_COMPARISONS, lambda a: (
    indicator_store.engine_version(), _scope(a["principal"]), a["year"], tuple(a["indicator_ids"]), a["fund"],
    a["sort"], a["descending"], _rules_key(a["ruleset"]), a["offset"], a["limit"]))
def comparison(
    session: Session,
    principal: Principal,
    year: int,
    indicator_ids: Sequence[str] = (),
    *,
    fund: str | None = None,
    sort: str | None = None,
    descending: bool = True,
    ruleset: RuleSet | str | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> Comparison:
    """Units × indicators for one year, over the units ``principal`` may read (kept in this
    process until the data revision moves, per scope and arguments; callers must not change it).

    Fund indicators are read from each unit's record of ``fund`` (default: the fund most units
    have that year), from the whole-unit 口径 when a unit has several; department indicators
    from its department record. A unit takes part when it has a record for a requested subject.
    Ranks: 1 = highest value, ties share a rank. ``sort`` is an indicator id, ``unit`` (code),
    ``name`` or ``warnings``; units without a value sort last either way. ``offset``/``limit``
    page the rows; ranks, column statistics and ``total`` are over all of them.
    KeyError (Chinese) for an unknown indicator or fund.

    Values, displays and warnings are the engine's results stored with each record
    (:mod:`jixiao.store.indicator_store`): one indexed read per subject, no computing — unless
    the stored values are stale, when that year's records are recomputed once and stored.
    """
    rs = _ruleset(ruleset)
    rule_map = _rule_indicators(rs)
    defs = [resolve_indicator(i) for i in (indicator_ids or DEFAULT_COMPARE)]
    defs = list({(d.subject, d.id): d for d in defs}.values())
    fund_defs = [d for d in defs if d.subject == "fund"]
    dept_defs = [d for d in defs if d.subject == "department"]
    if fund is not None and fund not in {k.value for k in FundKind}:
        raise KeyError(f"未知基金“{fund}”")

    visible = _visible_units(session, principal)
    everything = principal.is_admin
    units: Collection[str] | None = None if everything else visible.keys()

    # which funds the visible units have this year (for the selector and the default), from the
    # stored records' index — once it is known to hold every fund record of the year
    scope = (principal.role, None if everything else principal.unit)
    if not _YEAR_FACTS.get_or_make(session, ("complete", year), lambda: keys_complete(session, year, "fund")):
        refresh_year_now(session, year, ["fund"], rs)
    fund_units = _YEAR_FACTS.get_or_make(session, ("funds", year, scope), lambda: funds_of_year(session, year, units))
    order = [k.value for k in FundKind]
    funds_present = sorted(fund_units, key=lambda k: (-fund_units[k], order.index(k) if k in order else 99))
    chosen = fund if fund is not None else (funds_present[0] if funds_present else None)

    def tokens() -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
        return _YEAR_FACTS.get_or_make(session, ("tokens", year, chosen, bool(fund_defs), bool(dept_defs)), lambda: (
            records_token(session, year, "fund", chosen) if fund_defs and chosen is not None else None,
            records_token(session, year, "department") if dept_defs else None))

    # the whole table (cells, ranks, statistics) is derived from the stored records only: keyed by
    # their tokens (which change with any write of them), it is reused until one of them changes
    shape = (indicator_store.engine_version(), ruleset_key(rs), year, chosen if fund_defs else None,
             tuple((d.subject, d.id) for d in defs), None if everything else frozenset(visible))
    cached = _TABLES.get((shape, tokens()))
    if cached is None:
        fund_records: dict[str, StoredRecord] = {}
        if fund_defs and chosen is not None:
            found = _stored_records(session, year, "fund", rs, [d.id for d in fund_defs], fund=chosen, units=units)
            for rec in sorted(found, key=lambda r: (r.unit, _scope_rank(r.scope))):
                if rec.unit in visible and rec.unit not in fund_records:
                    fund_records[rec.unit] = rec
        dept_records: dict[str, StoredRecord] = {}
        if dept_defs:
            found = _stored_records(session, year, "department", rs, [d.id for d in dept_defs], units=units)
            dept_records = {rec.unit: rec for rec in found if rec.unit in visible}
        cached = _rows_and_columns(fund_records, dept_records, defs, rule_map, ruleset_key(rs))
        _TABLES.put((shape, tokens()), cached)  # the tokens after any refresh the reads made
    computed_rows, columns = cached
    rows = list(computed_rows)

    sort_key = sort or (columns[0].id if columns else "unit")
    valid_sorts = {c.id for c in columns} | {"unit", "name", "warnings"}
    if sort_key not in valid_sorts:
        raise KeyError(f"不能按“{sort_key}”排序（可用：{'、'.join(sorted(valid_sorts))}）")
    if sort_key == "unit":
        rows.sort(key=lambda r: r.unit, reverse=descending)
    elif sort_key == "name":
        rows.sort(key=lambda r: visible[r.unit][0], reverse=descending)
    elif sort_key == "warnings":
        rows.sort(key=lambda r: (SEVERITY_ORDER[r.worst] if r.worst else -1, len(r.warnings)), reverse=descending)
    else:
        with_value = [r for r in rows if (c := r.cells.get(sort_key)) is not None and c[0] is not None]
        without = [r for r in rows if not ((c := r.cells.get(sort_key)) is not None and c[0] is not None)]
        with_value.sort(key=lambda r: r.cells[sort_key][0], reverse=descending)  # type: ignore[arg-type,return-value]
        rows = with_value + without
    total = len(rows)
    page_rows = rows[offset: offset + limit if limit is not None else None]
    page = [
        CompareRow(unit=r.unit, name=visible[r.unit][0], region=visible[r.unit][1], scope=r.scope,
                   cells={k: CompareCell(value=v, display=disp, rank=r.ranks.get(k), warning=sev)
                          for k, (v, disp, sev) in r.cells.items()},
                   warnings=len(r.warnings), worst=r.worst, messages=[w.message for w in r.warnings])
        for r in page_rows
    ]

    chart: Chart | None = None
    chart_col = next((c for c in columns if c.id == sort_key), columns[0] if columns else None)
    if chart_col is not None and page:
        chart = Chart(id="compare", title=f"{chart_col.name}（{year}年）", unit=chart_col.unit,
                      categories=[r.name for r in page],
                      series=[ChartSeries(name=chart_col.name,
                                          data=[r.cells[chart_col.id].value if chart_col.id in r.cells else None
                                                for r in page],
                                          places=max((p for r in page if (got := r.cells.get(chart_col.id)) is not None
                                                      and (p := places_shown(got.display)) is not None),
                                                     default=None))])
    return Comparison(year=year, fund=chosen if fund_defs else None, funds=funds_present,
                      ruleset=rs.label, columns=columns, sort=sort_key, descending=descending, total=total,
                      offset=offset, rows=page, chart=chart, years=years_with_data(session))


_IN_LIMIT = 900  # units listed in an SQL IN (…) at most


def years_with_data(session: Session) -> list[int]:
    """Years with any fund or department record (the comparison's year choices), once per data
    revision."""
    return list(_YEARS.get_or_make(session, "years", lambda: _read_years_with_data(session)))


def _read_years_with_data(session: Session) -> list[int]:
    """Each year found by one index probe (the next year after the last), not by reading every
    row's year."""
    years: set[int] = set()
    for row in (FundYearRow, DepartmentYearRow):
        previous: int | None = None
        while True:
            query = select(func.min(row.year))
            if previous is not None:
                query = query.where(row.year > previous)
            found = session.scalar(query)
            if found is None:
                break
            years.add(found)
            previous = found
    return sorted(years)


def _warned_tuples(warns: Iterable[StoredWarning], rule_map: Mapping[str, tuple[str, ...]]) -> dict[str, Severity]:
    out: dict[str, Severity] = {}
    for rule_id, severity, *_ in warns:
        for ind in rule_map.get(rule_id, ()):
            worst = _worst((out.get(ind), severity))
            if worst is not None:
                out[ind] = worst
    return out


# --------------------------------------------------------------------------------------------
# Trends: one unit over its years
# --------------------------------------------------------------------------------------------


class TrendPoint(BaseModel):
    year: int
    value: Decimal | None
    display: str
    warning: Severity | None = None


class TrendSeries(IndicatorInfo):
    points: list[TrendPoint]


class Trends(BaseModel):
    unit: UnitInfo
    years: list[int]
    fund: str | None
    funds: list[str]
    ruleset: str
    series: list[TrendSeries]
    charts: list[Chart]


def trends(session: Session, unit: str, indicator_ids: Sequence[str] = (), *, fund: str | None = None,
           ruleset: RuleSet | str | None = None) -> Trends:
    """``unit``'s indicators in each year it has data for. Fund indicators come from its record
    of ``fund`` (default: the fund it has in most years), whole-unit 口径 first."""
    info = get_unit(session, unit)
    rs = _ruleset(ruleset if ruleset is not None else rules_of_unit(session, unit))
    rule_map = _rule_indicators(rs)
    defs = [resolve_indicator(i) for i in (indicator_ids or DEFAULT_COMPARE)]
    defs = list({(d.subject, d.id): d for d in defs}.values())
    if fund is not None and fund not in {k.value for k in FundKind}:
        raise KeyError(f"未知基金“{fund}”")
    all_funds = get_fund_years(session, unit)
    counts: dict[str, set[int]] = {}
    for fy in all_funds:
        counts.setdefault(fy.fund.value, set()).add(fy.year)
    order = [k.value for k in FundKind]
    funds_present = sorted(counts, key=lambda k: (-len(counts[k]), order.index(k)))
    chosen = fund or (funds_present[0] if funds_present else None)
    groups = fund_groups(all_funds)
    years = years_of(session, unit)
    depts = {d.year: d for d in (get_department(session, unit, y) for y in years) if d is not None}

    per_year: dict[int, dict[str, tuple[IndicatorResult, Severity | None]]] = {}
    for y in years:
        cells: dict[str, tuple[IndicatorResult, Severity | None]] = {}
        candidates = sorted((fy for fy in all_funds if fy.year == y and fy.fund.value == chosen),
                            key=lambda fy: _scope_rank(fy.scope or ""))
        fund_defs = [d for d in defs if d.subject == "fund"]
        if candidates and fund_defs:
            fy = candidates[0]
            siblings = groups[(fy.unit, fy.year, fy.scope)]
            results = [d.compute(fy, siblings) for d in fund_defs]
            warned = _warned(fund_warnings(fy, results, rs, siblings), rule_map)
            for r in results:
                cells[r.id] = (r, warned.get(r.id))
        dept_defs = [d for d in defs if d.subject == "department"]
        if y in depts and dept_defs:
            results = [d.compute(depts[y]) for d in dept_defs]
            warned = _warned(department_warnings(depts[y], results, rs), rule_map)
            for r in results:
                cells[qualified_id(r.definition)] = (r, warned.get(r.id))
        per_year[y] = cells
    series: list[TrendSeries] = []
    for d in defs:
        qid = qualified_id(d)
        points = []
        for y in years:
            got = per_year[y].get(qid if d.subject == "department" else d.id)
            if got is None:
                points.append(TrendPoint(year=y, value=None, display="无数据"))
            else:
                r, sev = got
                points.append(TrendPoint(year=y, value=r.value, display=r.display(), warning=sev))
        series.append(TrendSeries(id=qid, subject=d.subject, name=d.name, unit=d.unit,  # type: ignore[arg-type]
                                  formula=d.formula, rule=d.rule, points=points))
    charts: list[Chart] = []
    by_unit: dict[str, list[TrendSeries]] = {}
    for s in series:
        by_unit.setdefault(s.unit, []).append(s)
    for unit_name, group in by_unit.items():
        charts.append(Chart(id=f"trend_{len(charts)}", title="、".join(s.name for s in group), kind="line",
                            unit=unit_name, categories=[str(y) for y in years],
                            series=[ChartSeries(name=s.name, data=[p.value for p in s.points],
                                                places=max((n for p in s.points if (n := places_shown(p.display))
                                                            is not None), default=None)) for s in group]))
    return Trends(unit=info, years=years, fund=chosen, funds=funds_present, ruleset=rs.label, series=series,
                  charts=charts)


# --------------------------------------------------------------------------------------------
# Data entry: the main figures of a unit-year
# --------------------------------------------------------------------------------------------

FUND_FIELDS: tuple[str, ...] = (
    "income.total", "income.contributions", "income.fiscal_subsidy", "expenditure.total", "expenditure.benefits",
    "budget.income", "budget.expenditure", "balance.opening", "balance.closing", "coverage.insured",
    "coverage.employed", "coverage.retired", "previous.income_total", "previous.expenditure_total",
)
DEPARTMENT_FIELDS: tuple[str, ...] = (
    "budget.initial", "budget.full_year", "income.total", "expenditure.total", "expenditure.basic",
    "expenditure.personnel", "expenditure.public_operating", "expenditure.project", "expenditure.operating_costs",
    "three_public.total.budget", "three_public.total.actual", "staff.authorized", "staff.actual",
    "carryover.closing",
)
PROJECT_FIELDS: tuple[str, ...] = ("funds.initial_budget", "funds.budget", "funds.executed")


class EntryField(BaseModel):
    name: str = Field(description="form field name: record key | field path")
    path: str
    label: str
    value: str = Field(description="the figure as stored ('151661万元'), empty when absent")


class EntryRecord(BaseModel):
    key: str
    title: str
    fields: list[EntryField]


class EntryForm(BaseModel):
    unit: UnitInfo
    year: int
    money_unit: str = "万元"
    records: list[EntryRecord]


class FieldChange(BaseModel):
    name: str
    record: str
    label: str
    old: str | None
    new: str | None


class EntryOutcome(BaseModel):
    """A submitted form: errors by field name (``""`` for the form as a whole) or, when there are
    none, the changes and the dataset to save."""

    model_config = {"arbitrary_types_allowed": True}

    errors: dict[str, list[str]] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)
    changes: list[FieldChange] = Field(default_factory=list)
    dataset: Dataset | None = Field(default=None, exclude=True)

    @property
    def ok(self) -> bool:
        return not self.errors


def _title(model: type[BaseModel], path: str) -> str:
    parts = path.split(".")
    titles: list[str] = []
    current: Any = model
    for part in parts:
        info = current.model_fields[part]
        titles.append(info.title or part)
        annotation = info.annotation
        current = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
        if current is None:
            break
    if len(titles) > 1 and parts[0] == "three_public":
        return f"“三公”经费{titles[-1]}" if titles[1] == "合计" else "".join(titles[1:])
    return titles[-1]


def _get_path(doc: Mapping[str, Any], path: str) -> Any:
    current: Any = doc
    for part in path.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return None
        current = current[part]
    return current


def _set_path(doc: dict[str, Any], path: str, value: str | None) -> None:
    parts = path.split(".")
    current = doc
    for part in parts[:-1]:
        nxt = current.get(part)
        if not isinstance(nxt, dict):
            if value is None:
                return
            nxt = current[part] = {}
        current = nxt
    if value is None:
        current.pop(parts[-1], None)
    else:
        current[parts[-1]] = value


@dataclass
class _EntryRecord:
    key: str
    title: str
    kind: Literal["fund_years", "departments", "projects"]
    model: type[BaseModel]
    paths: tuple[str, ...]
    doc: dict[str, Any]


def _entry_records(session: Session, unit: str, year: int) -> list[_EntryRecord]:
    out: list[_EntryRecord] = []
    for fy in get_fund_years(session, unit, year):
        key = f"fund/{fy.fund.value}/{fy.scope or ''}"
        out.append(_EntryRecord(key, _fund_label(fy) + f"（{fy.fund.value}）", "fund_years", FundYear, FUND_FIELDS,
                                fy.model_dump(mode="json", exclude_none=True)))
    dept = get_department(session, unit, year)
    if dept is not None:
        out.append(_EntryRecord("department", "部门整体支出", "departments", DepartmentYear, DEPARTMENT_FIELDS,
                                dept.model_dump(mode="json", exclude_none=True)))
    for pr in get_projects(session, unit, year):
        out.append(_EntryRecord(f"project/{pr.name}", f"项目：{pr.name}", "projects", Project, PROJECT_FIELDS,
                                pr.model_dump(mode="json", exclude_none=True)))
    return out


def field_name(record_key: str, path: str) -> str:
    return f"{record_key}|{path}"


def entry_form(session: Session, unit: str, year: int) -> EntryForm:
    """The main figures of every record of ``unit`` in ``year`` as form fields."""
    info = get_unit(session, unit)
    records = []
    for rec in _entry_records(session, unit, year):
        fields = []
        for path in rec.paths:
            value = _get_path(rec.doc, path)
            fields.append(EntryField(name=field_name(rec.key, path), path=path, label=_title(rec.model, path),
                                     value="" if value is None else str(value)))
        records.append(EntryRecord(key=rec.key, title=rec.title, fields=fields))
    return EntryForm(unit=info, year=year, records=records)


def prepare_entry(session: Session, unit: str, year: int, values: Mapping[str, str]) -> EntryOutcome:
    """Validate a submitted entry form for ``unit``/``year`` through the loader and the dataset
    checks; nothing is written. Unknown field names are refused (errors under ``""``); a blank
    field removes the figure. With no errors, ``dataset`` holds the records to save (every
    record of the unit-year, edited or not) and ``changes`` the figures that differ (old → new,
    as the model writes them)."""
    records = _entry_records(session, unit, year)
    if not records:
        return EntryOutcome(errors={"": [f"{unit} 在 {year} 年没有可编辑的数据（请先上传工作簿）"]})
    allowed = {field_name(r.key, p): (r, p) for r in records for p in r.paths}
    unknown = [k for k in values if k not in allowed]
    if unknown:
        return EntryOutcome(errors={"": [f"表单含有未知字段：{'、'.join(sorted(unknown)[:5])}"]})
    data: dict[str, Any] = {"money_unit": "万元", "fund_years": [], "departments": [], "projects": []}
    where: dict[str, str] = {}  # loader path of a field → form field name
    old_docs: dict[str, dict[str, Any]] = {}
    for rec in records:
        index = len(data[rec.kind])
        doc = json.loads(json.dumps(rec.doc))
        old_docs[rec.key] = rec.doc
        for path in rec.paths:
            name = field_name(rec.key, path)
            where[f"{rec.kind}[{index}].{path}"] = name
            if name in values:
                text = values[name].strip()
                _set_path(doc, path, text or None)
        data[rec.kind].append(doc)
    errors: dict[str, list[str]] = {}

    def place(problem: Problem) -> None:
        path = problem.path or ""
        name = where.get(path)
        if name is None:  # a problem on a group (parts do not add up): the group's first field on the form
            name = next((n for p, n in where.items() if p.startswith(path + ".")), "") if path else ""
        errors.setdefault(name, []).append(problem.message)

    loaded = dataset_from_data(data, "网页表单")
    for p in loaded.problems:
        if p.severity == "error":
            place(p)
    if loaded.dataset is None or errors:
        return EntryOutcome(errors=errors or {"": ["数据无法通过校验"]})
    dataset = loaded.dataset
    warnings: list[str] = []
    for p in validate_dataset(dataset, {unit}, "网页表单"):
        if p.severity == "error":
            place(p)
        else:
            warnings.append(p.message)
    if errors:
        return EntryOutcome(errors=errors, warnings=warnings)
    changes: list[FieldChange] = []
    new_records: list[BaseModel] = [*dataset.fund_years, *dataset.departments, *dataset.projects]
    for rec, model in zip(records, new_records, strict=True):
        new_doc = model.model_dump(mode="json", exclude_none=True)
        for path in rec.paths:
            old, new = _get_path(old_docs[rec.key], path), _get_path(new_doc, path)
            if old != new:
                changes.append(FieldChange(name=field_name(rec.key, path), record=rec.title,
                                           label=_title(rec.model, path), old=None if old is None else str(old),
                                           new=None if new is None else str(new)))
    return EntryOutcome(warnings=warnings, changes=changes, dataset=dataset)


__all__ = [
    "Chart",
    "Comparison",
    "Dashboard",
    "EntryForm",
    "EntryOutcome",
    "NotFound",
    "Trends",
    "UnitInfo",
    "UnitTree",
    "comparison",
    "entry_form",
    "get_unit",
    "indicator_catalog",
    "prepare_entry",
    "resolve_indicator",
    "trends",
    "unit_parents",
    "unit_tree",
    "unit_year_dashboard",
    "years_with_data",
]
