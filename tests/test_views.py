"""jixiao.app.pages on the five example units: what each page shows, as data.

The expected figures come from the library itself (registry, scorer) or from the reports'
own text (seed 004: 城乡居民 当期结余率 −2.84%, 职工医保 15.30%), never from the views module.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from jixiao.app.cache import clear_caches
from jixiao.app.entry import entry_form, prepare_entry
from jixiao.app.errors import NotFound
from jixiao.app.imports import import_files
from jixiao.app.pages.common import indicator_catalog, resolve_indicator
from jixiao.app.pages.comparison import comparison
from jixiao.app.pages.dashboard import unit_year_dashboard
from jixiao.app.pages.tree import unit_tree
from jixiao.app.pages.trends import trends
from jixiao.calc import BY_SUBJECT
from jixiao.calc.scoring import score_project
from jixiao.model import Dataset
from jixiao.model.users import Principal, Role
from jixiao.numbers import Quantity
from jixiao.rules import load_ruleset
from jixiao.store.db import open_database
from jixiao.store.repository import get_fund_years, get_projects, save_dataset

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
ADMIN = Principal(1, "admin", Role.admin)
HUNAN_REVIEWER = Principal(2, "hunan", Role.reviewer, "430000")
YIYANG_OPERATOR = Principal(3, "yiyang", Role.operator, "430900")


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path_factory.mktemp('views') / 'views.db'}"
    engine = open_database(url)
    outcome = import_files(engine, [EXAMPLES / "units.yaml", *sorted(EXAMPLES.glob("0*.yaml"))])
    assert outcome.ok, outcome.problems
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as s:
        yield s
        s.rollback()


def _codes(nodes: list) -> list[str]:
    out = []
    for n in nodes:
        out.append(n.code)
        out += _codes(n.children)
    return out


def test_tree_shows_only_what_each_role_may_read(session: Session) -> None:
    admin = unit_tree(session, ADMIN)
    assert admin.count == 10
    assert [r.code for r in admin.roots] == ["430000", "510000", "650000"]
    hunan = next(r for r in admin.roots if r.code == "430000")
    assert [c.code for c in hunan.children] == ["430200-01", "430900"]
    assert next(c for c in hunan.children if c.code == "430900").years == [2020]

    reviewer = unit_tree(session, HUNAN_REVIEWER)
    assert sorted(_codes(reviewer.roots)) == ["430000", "430200-01", "430900"]
    operator = unit_tree(session, YIYANG_OPERATOR)
    assert _codes(operator.roots) == ["430900"]  # a root: its parent is not visible to it
    assert unit_tree(session, Principal(4, "nobody", Role.reviewer, None)).count == 0


def test_dashboard_of_yiyang_2020(session: Session) -> None:
    board = unit_year_dashboard(session, "430900", 2020)
    assert board.unit.name == "益阳市医疗保障局"
    assert board.years == [2020]
    funds = {r.fund: r for r in board.records if r.subject == "fund"}
    resident = {i.id: i for i in funds["城乡居民基本医疗保险"].indicators}
    # seed 004: 城乡居民 当期结余 −9054 万元, 当期结余率 −2.84%; 职工医保 23204 / 151661 = 15.30%
    assert resident["current_balance_rate"].display == "-2.84%"
    employee = {i.id: i for i in funds["职工基本医疗保险"].indicators}
    assert employee["current_balance_rate"].display == "15.30%"
    definition = BY_SUBJECT["fund"]["current_balance_rate"]
    assert employee["current_balance_rate"].formula == definition.formula
    assert employee["current_balance_rate"].basis is None  # no official document defines the fund rates
    assert employee["current_balance_rate"].inputs  # the figures the formula used, as written
    # the deficit warning of 城乡居民, and the cell it rests on carries its colour
    deficit = [w for w in funds["城乡居民基本医疗保险"].warnings if w.code == "JX-W-003"]
    assert deficit and deficit[0].severity in ("warning", "serious")
    assert resident["current_balance_rate"].warning == deficit[0].severity
    counts = board.warning_counts
    assert sum(counts.values()) == sum(len(r.warnings) for r in board.records) > 0
    department = next(r for r in board.records if r.subject == "department")
    checks = {c.id: c for c in department.checks}
    assert checks["three_public_control_rate"].ok is True  # 6.73 / 29.32 = 22.95% as stated
    assert board.check_counts["ok"] == sum(1 for r in board.records for c in r.checks if c.ok)
    chart = next(c for c in board.charts if c.id == "fund_income_expenditure")
    assert chart.series[0].data[chart.categories.index("城乡居民医保（全市）")] is not None


def test_dashboard_project_scores_are_the_scorers(session: Session) -> None:
    board = unit_year_dashboard(session, "510421-01", 2019)
    # 米易 has no rule set of its own: it inherits 四川省医疗保障局's (examples/units.yaml: ruleset: sichuan)
    assert board.ruleset == load_ruleset("sichuan").title  # the rule set's own title, not its file name
    expected = {p.name: score_project(p, "sichuan") for p in get_projects(session, "510421-01", 2019)
                if p.indicators}
    assert {s.project for s in board.projects} == set(expected)
    for view in board.projects:
        table = expected[view.project]
        assert (view.total, view.grade) == (table.total, table.grade)
        assert [r.explanation for r in view.rows] == [r.explanation for r in table.rows]
    assert sorted(s.total for s in board.projects) == [Decimal("82.43"), Decimal("100.00"), Decimal("100.00")]


def test_dashboard_unknown_unit_and_empty_year(session: Session) -> None:
    with pytest.raises(NotFound):
        unit_year_dashboard(session, "999999", 2020)
    empty = unit_year_dashboard(session, "430900", 2015)
    assert empty.records == [] and empty.charts == []


def test_comparison_ranks_sorts_and_colours(session: Session) -> None:
    clear_caches()
    table = comparison(session, ADMIN, 2019, ["current_balance_rate", "expenditure_budget_execution_rate",
                                               "income_per_capita"], fund="城乡居民基本医疗保险")
    assert table.fund == "城乡居民基本医疗保险"
    assert {r.unit for r in table.rows} == {"650500", "510421-01"}
    hami = next(r for r in table.rows if r.unit == "650500")
    fy = next(f for f in get_fund_years(session, "650500", 2019) if f.fund.value == "城乡居民基本医疗保险")
    expected = BY_SUBJECT["fund"]["expenditure_budget_execution_rate"].compute(fy)
    cell = hami.cells["expenditure_budget_execution_rate"]
    assert cell.display == expected.display() and cell.rank == 1
    assert cell.warning == "warning"  # 支出预算执行偏离 100% (JX-W-007)
    assert any("支出预算" in m for m in hami.messages)
    miyi = next(r for r in table.rows if r.unit == "510421-01")
    assert miyi.cells["current_balance_rate"].value is None and miyi.cells["current_balance_rate"].rank is None
    # units without a value sort last in both directions
    for descending in (True, False):
        ordered = comparison(session, ADMIN, 2019, ["current_balance_rate"], fund="城乡居民基本医疗保险",
                             sort="current_balance_rate", descending=descending)
        assert [r.unit for r in ordered.rows] == ["650500", "510421-01"]
    column = table.columns[0]
    assert column.count == 1 and column.median == hami.cells["current_balance_rate"].value


def test_comparison_default_fund_department_indicators_and_paging(session: Session) -> None:
    table = comparison(session, ADMIN, 2019)
    assert table.fund == table.funds[0] == "城乡居民基本医疗保险"  # the fund most units have in 2019
    dept = comparison(session, ADMIN, 2020, ["budget_completion_rate", "department:income_yoy_rate"])
    assert [r.unit for r in dept.rows] == ["430900"]
    assert dept.rows[0].cells["budget_completion_rate"].display == "98.70%"  # 914.17 / 926.17, seed 004
    assert dept.fund is None
    paged = comparison(session, ADMIN, 2019, ["current_balance_rate"], fund="城乡居民基本医疗保险", sort="unit",
                       descending=False, offset=1, limit=1)
    assert paged.total == 2 and [r.unit for r in paged.rows] == ["650500"]


def test_comparison_respects_permissions(session: Session) -> None:
    assert [r.unit for r in comparison(session, YIYANG_OPERATOR, 2020).rows] == ["430900"]
    assert comparison(session, YIYANG_OPERATOR, 2019).rows == []
    sichuan = Principal(5, "sc", Role.reviewer, "510000")
    table = comparison(session, sichuan, 2019, fund="城乡居民基本医疗保险")
    assert [r.unit for r in table.rows] == ["510421-01"]
    assert table.funds == ["城乡居民基本医疗保险", "医疗救助"]  # only the visible units' funds


def test_comparison_is_never_stale_after_an_edit(engine: Engine) -> None:
    with Session(engine) as s:
        before = comparison(s, ADMIN, 2019, ["current_balance_rate"], fund="城乡居民基本医疗保险")
        fy = next(f for f in get_fund_years(s, "650500", 2019) if f.fund.value == "城乡居民基本医疗保险")
        original = fy
        assert fy.income.total is not None
        doubled = Quantity(fy.income.total.value * 2, fy.income.total.unit)
        edited = fy.model_copy(update={"income": fy.income.model_copy(update={"total": doubled})})
        save_dataset(s, Dataset(fund_years=[edited]))
        s.commit()
        after = comparison(s, ADMIN, 2019, ["current_balance_rate"], fund="城乡居民基本医疗保险")
        old = next(r for r in before.rows if r.unit == "650500").cells["current_balance_rate"].value
        new = next(r for r in after.rows if r.unit == "650500").cells["current_balance_rate"].value
        assert old is not None and new is not None and new > old
        save_dataset(s, Dataset(fund_years=[original]))
        s.commit()
        again = comparison(s, ADMIN, 2019, ["current_balance_rate"], fund="城乡居民基本医疗保险")
        assert next(r for r in again.rows if r.unit == "650500").cells["current_balance_rate"].value == old


def test_medians_and_charts_show_the_figures_own_decimals(engine: Engine) -> None:
    """A 万元 column of whole amounts has a whole median (哈密 2019 当期结余 2149万元 → “2149”, never
    “2149.00”), a rate column its 2 places; chart series carry the decimals their figures are shown
    with (益阳's whole 万元, 米易's department amounts at 2, rates at 2); a column mixing whole and
    two-decimal amounts gives its median two, rounded 四舍五入."""
    clear_caches()
    with Session(engine) as s:
        table = comparison(s, ADMIN, 2019, ["current_balance", "current_balance_rate"], fund="城乡居民基本医疗保险")
        columns = {c.id: c for c in table.columns}
        assert columns["current_balance"].median == 2149 and columns["current_balance"].median_display == "2149"
        assert columns["current_balance_rate"].median_display == "8.03"
        assert table.chart is not None and table.chart.series[0].places == 0  # the table shows 2149万元
        charts = {c.id: c for c in unit_year_dashboard(s, "430900", 2020).charts}
        assert [x.places for x in charts["fund_income_expenditure"].series] == [0, 0, 0]  # 151661 − 128457
        charts = {c.id: c for c in unit_year_dashboard(s, "510421-01", 2019).charts}
        assert charts["department_budget"].series[0].places == 2  # 747.1, 255.34 …
        assert charts["project_scores"].series[0].places is None  # not a written amount: as before
        # (the trends' charts carry the same places: tests/test_web_find.py, where a unit has two years)
        fy = next(f for f in get_fund_years(s, "510421-01", 2019) if f.fund.value == "城乡居民基本医疗保险")
        assert fy.income.total is None and fy.expenditure.total is None
        income = fy.income.model_copy(update={"total": Quantity(Decimal("760.35"), "万元")})
        spending = fy.expenditure.model_copy(update={"total": Quantity(Decimal("700"), "万元")})
        mixed = fy.model_copy(update={"income": income, "expenditure": spending})
        save_dataset(s, Dataset(fund_years=[mixed]))
        s.commit()
        try:
            column = comparison(s, ADMIN, 2019, ["current_balance"], fund="城乡居民基本医疗保险").columns[0]
            assert column.median == Decimal("1104.675") and column.median_display == "1104.68"  # (2149 + 60.35) / 2
        finally:
            save_dataset(s, Dataset(fund_years=[fy]))
            s.commit()


def test_comparison_refuses_unknown_names(session: Session) -> None:
    with pytest.raises(KeyError, match="未知指标"):
        comparison(session, ADMIN, 2019, ["no_such_indicator"])
    with pytest.raises(KeyError, match="未知基金"):
        comparison(session, ADMIN, 2019, fund="不存在的基金")
    with pytest.raises(KeyError, match="排序"):
        comparison(session, ADMIN, 2019, sort="nonsense")


def test_indicator_ids() -> None:
    assert resolve_indicator("income_yoy_rate").subject == "fund"
    assert resolve_indicator("department:income_yoy_rate").subject == "department"
    ids = [i.id for i in indicator_catalog()]
    assert len(ids) == len(set(ids))
    assert "department:income_yoy_rate" in ids and "budget_completion_rate" in ids


def test_trends_of_one_unit(session: Session) -> None:
    data = trends(session, "430900", ["current_balance_rate", "budget_completion_rate"], fund="城乡居民基本医疗保险")
    assert data.years == [2020]
    series = {s.id: s for s in data.series}
    assert series["current_balance_rate"].points[0].display == "-2.84%"
    assert series["current_balance_rate"].points[0].warning is not None
    assert series["budget_completion_rate"].points[0].display == "98.70%"
    assert data.charts == []  # one year of data is no trend: no chart of lone dots


def test_entry_form_errors_by_field_and_changes(session: Session) -> None:
    form = entry_form(session, "430900", 2020)
    employee = next(r for r in form.records if r.key == "fund/职工基本医疗保险/全市")
    income = next(f for f in employee.fields if f.path == "income.total")
    assert income.value == "151661万元" and income.label == "基金收入合计"

    bad = prepare_entry(session, "430900", 2020, {income.name: "十五万", "department|budget.initial": "-5"})
    assert not bad.ok and bad.dataset is None
    assert set(bad.errors) == {income.name, "department|budget.initial"}
    assert "不能为负数" in bad.errors["department|budget.initial"][0]

    unknown = prepare_entry(session, "430900", 2020, {"fund/职工基本医疗保险/全市|income.secret": "1"})
    assert list(unknown.errors) == [""]

    good = prepare_entry(session, "430900", 2020, {income.name: "15.2亿元"})
    assert good.ok and good.dataset is not None
    assert [(c.old, c.new) for c in good.changes] == [("151661万元", "15.2亿元")]
    assert prepare_entry(session, "430900", 2020, {income.name: "151661"}).changes == []  # same figure
    assert not prepare_entry(session, "430900", 2015, {}).ok  # no records that year


def test_dashboard_comparison_and_trends_show_the_same_numbers(session: Session) -> None:
    """One path from a record to its numbers: for every example unit-year and every indicator,
    the dashboard (computed for the page), the comparison (read from the values the store kept)
    and the trends show the same value and display, and the same warning colour."""
    years = sorted({fy.year for fy in get_fund_years(session)})
    checked = 0
    for year in years:
        for fund in sorted({fy.fund.value for fy in get_fund_years(session, year=year)}):
            fund_ids = [d.id for d in BY_SUBJECT["fund"].values()]
            dept_ids = [f"department:{d.id}" if d.id in BY_SUBJECT["fund"] else d.id
                        for d in BY_SUBJECT["department"].values()]
            table = comparison(session, ADMIN, year, [*fund_ids, *dept_ids], fund=fund)
            for row in table.rows:
                board = unit_year_dashboard(session, row.unit, year)
                shown: dict[str, tuple[Decimal | None, str]] = {}
                for rec in board.records:
                    if rec.subject == "fund" and rec.fund == fund and (rec.scope or "") == (row.scope or ""):
                        shown |= {i.id: (i.value, i.display) for i in rec.indicators}
                    elif rec.subject == "department":
                        shown |= {(f"department:{i.id}" if i.id in BY_SUBJECT["fund"] else i.id): (i.value, i.display)
                                  for i in rec.indicators}
                for qid, cell in row.cells.items():
                    if qid in shown:
                        assert (cell.value, cell.display) == shown[qid], (row.unit, year, fund, qid)
                        checked += 1
            trend_ids = [d.id for d in BY_SUBJECT["fund"].values()][:12]
            for row in table.rows:
                series = trends(session, row.unit, trend_ids, fund=fund)
                for s in series.series:
                    point = next(p for p in s.points if p.year == year)
                    cell = row.cells.get(s.id)
                    if cell is not None and row.scope in (None, ""):
                        assert (point.value, point.display, point.warning) == (cell.value, cell.display, cell.warning)
                        checked += 1
    assert checked > 500
