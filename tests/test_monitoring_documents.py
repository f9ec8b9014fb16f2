"""The documents of fund monitoring, written from the bundled examples: the 基金运行分析报告
(``jixiao monitor --docx``), the 预算编制说明 and the 基金预算表 (``jixiao budget --docx --xlsx``).
Each DOCX is audited by the auditor users run (no error), holds no internal text, recomputes
every printed derived figure from its printed operands; the XLSX has no formula; the budget
figures printed are calc.budget_draft's."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import typer
from openpyxl import load_workbook
from typer.testing import CliRunner

from jixiao.app.monitoring import draft_from_files, monitor_files
from jixiao.audit.pipeline import audit_path
from jixiao.calc.budget_draft import draft_budget
from jixiao.calc.monitoring import monitor
from jixiao.calc.synthetic import synthetic_series
from jixiao.cli import monitor as monitor_cli
from jixiao.model.budget import BudgetAssumptions
from jixiao.model.funds import FundYear
from jixiao.model.periods import FundPeriod
from jixiao.numbers import fmt, round_half_up
from jixiao.rules import load_ruleset
from jixiao.write.budget import budget_report
from jixiao.write.docx import write_docx
from jixiao.write.monitoring import monitoring_report
from submit_support import claim_errors, claims, docx_texts, formula_cells, internal_text, xlsx_texts

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
DATA = [EXAMPLES / "units.yaml", EXAMPLES / "000_hami_2019.yaml"]
MONTHLY = EXAMPLES / "periods" / "650500_hami_monthly.yaml"
ASSUMPTIONS = EXAMPLES / "budget" / "650500_hami_2020.yaml"


def _run(*args: str) -> tuple[int, str]:
    app = typer.Typer()
    monitor_cli.register(app)
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "100"})
    return result.exit_code, result.stdout + result.stderr


def _files(paths: list[Path]) -> list[str]:
    return [arg for p in paths for arg in ("--file", str(p))]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("monitoring_documents")
    paths = {"monitor": out / "分析报告.docx", "budget": out / "编制说明.docx", "table": out / "预算表.xlsx"}
    code, text = _run("monitor", "哈密", "2020", *_files([*DATA, MONTHLY]), "--docx", str(paths["monitor"]))
    assert code == 0, text
    code, text = _run("budget", str(ASSUMPTIONS), *_files(DATA), "--docx", str(paths["budget"]),
                      "--xlsx", str(paths["table"]))
    assert code == 0, text
    return paths


@pytest.mark.parametrize("name", ["monitor", "budget"])
def test_the_auditor_finds_no_error_in_either_document(written: dict[str, Path], name: str) -> None:
    result = audit_path(written[name])
    assert result.error is None
    assert result.checks > 0  # the auditor found relations to check, not an unreadable file
    assert [f"{f.code} {f.message}" for f in result.findings if f.severity == "error"] == []


@pytest.mark.parametrize("name", ["monitor", "budget", "table"])
def test_no_internal_text(written: dict[str, Path], name: str) -> None:
    path = written[name]
    texts = docx_texts(path) if path.suffix == ".docx" else xlsx_texts(path)
    assert texts
    assert [hit for t in texts for hit in internal_text(t)] == []


def test_the_budget_table_has_values_and_no_formula(written: dict[str, Path]) -> None:
    assert formula_cells(written["table"]) == []
    drafts, _ = draft_from_files(DATA, ASSUMPTIONS)
    sheet = load_workbook(written["table"]).worksheets[0]
    numbers = {Decimal(str(c.value)).quantize(Decimal("0.01")) for row in sheet.iter_rows() for c in row
               if isinstance(c.value, int | float)}
    for path in ("income.total", "expenditure.total", "balance.current", "balance.closing"):
        assert drafts[0].value(path) in numbers


def test_the_budget_figures_printed_are_the_drafts(written: dict[str, Path]) -> None:
    drafts, _ = draft_from_files(DATA, ASSUMPTIONS)
    text = "\n".join(docx_texts(written["budget"])).replace("−", "-")
    d = drafts[0]
    for line in d.lines:
        assert f"{line.title}{fmt(line.value, line.places)}万元" in text, line.title
    for u in d.used:
        assert u.value in text, u.title  # each assumption with its value, beside its basis
    assert "以收定支" in text


def test_monitoring_report_states_each_fund_and_recomputes() -> None:
    found, _ = monitor_files([*DATA, MONTHLY], "650500", "2020")
    assert found is not None
    report = monitoring_report(found.monitoring, "哈密市医疗保障局")
    assert claim_errors(report) == []
    assert len(claims(report)) >= 8 * len(found.monitoring.funds)  # 同比, 当期结余, 执行率, 序时进度差
    text = "\n".join(p.text for p in report.paragraphs())
    headings = [s.title for _, s in report.walk()]
    for f in found.monitoring.funds:
        income = f.record.income.total
        assert income is not None and f"基金收入{income}" in text.replace(" ", "")
        assert any(f.label in h for h in headings)
    assert "序时进度50.00%" in text and "慢于序时进度6.08个百分点" in text  # 职工 income 43.92% of budget
    for w in found.monitoring.warnings:
        assert w.label in text


def test_budget_report_claims_recompute() -> None:
    drafts, _ = draft_from_files(DATA, ASSUMPTIONS)
    report = budget_report(drafts, "哈密市医疗保障局")
    assert claim_errors(report) == []


def test_an_employee_budget_with_two_contributions_and_a_trend_item(tmp_path: Path) -> None:
    """单位缴费 and 个人缴费 under 征缴收入, an item by its growth, spending by visits: audited clean."""
    def year(y: int, **groups: object) -> FundYear:
        return FundYear.model_validate({"unit": "U1", "year": y, "fund": "职工基本医疗保险", **groups},
                                       context={"money_unit": "万元"})

    history = [year(2021, income={"other": "700"}, coverage={"paying": "200000"}),
               year(2022, income={"other": "770"}, coverage={"paying": "204000"}, expenditure={"benefits": "110000"},
                    services={"beneficiaries": "1000000"}, balance={"closing": "150000"})]
    draft = draft_budget(BudgetAssumptions.model_validate({
        "unit": "U1", "year": 2023, "fund": "职工基本医疗保险",
        "employee": {"base": "80000元/人", "base_growth": "5%", "employer_rate": "6%", "individual_rate": "2%",
                     "collection_rate": "95%"},
        "expenditure": {"method": "per_visit", "visits_growth": "3%", "per_visit_growth": "2%"},
    }, context={"money_unit": "万元"}), history)
    report = budget_report([draft], "某市医疗保障局")
    assert claim_errors(report) == [] and claims(report)
    text = "\n".join(p.text for p in report.paragraphs())
    assert "其他收入847.00万元，按其他收入增长率10.00%测算（2021–2022年年均增长率）" in text
    path = write_docx(report, tmp_path / "职工预算编制说明.docx")
    result = audit_path(path)
    assert [f.message for f in result.findings if f.severity == "error"] == []
    assert [hit for t in docx_texts(path) for hit in internal_text(t)] == []


def _synthetic_periods(years: int, through: int) -> list[FundPeriod]:
    """A 职工 fund month by month from the synthetic seasonal series: every earlier year 1-1 to
    1-12月, the last year through ``through``, balances carried over, a budget on the last year."""
    income, spent = synthetic_series(7, "职工征缴收入", years=years), synthetic_series(7, "待遇支出", years=years)
    out, opening = [], Decimal("50000.00")
    for i, y in enumerate(income.years):
        last = i == years - 1
        budget = {"income": f"{income.total(i):.0f}", "expenditure": f"{spent.total(i):.0f}"} if last else {}
        for m in range(1, (through if last else 12) + 1):
            got, paid = income.so_far(i, m), spent.so_far(i, m)
            out.append(FundPeriod.model_validate({
                "unit": "U1", "year": y, "fund": "职工基本医疗保险", "span": f"1-{m}",
                "income": {"total": f"{got}", "contributions": f"{got}"},
                "expenditure": {"total": f"{paid}", "benefits": f"{paid}"}, "budget": budget,
                "balance": {"opening": f"{opening}", "closing": f"{opening + got - paid}"}},
                context={"money_unit": "万元"}))
        opening += income.total(i) - spent.total(i)
    return out


def test_a_projection_with_its_range_from_earlier_years(tmp_path: Path) -> None:
    """With several earlier years the projection is back-tested: the report gives its range."""
    periods = _synthetic_periods(4, 6)
    found = monitor(periods, [], load_ruleset("default"), unit="U1", year=periods[-1].year)
    fund = found.funds[0]
    assert fund.income is not None and fund.income.low is not None and fund.income.high is not None
    report = monitoring_report(found, "某市医疗保障局")
    text = "\n".join(p.text for p in report.paragraphs())
    low, high = (round_half_up(v, 0) for v in (fund.income.low, fund.income.high))
    assert f"可能在{low}万元至{high}万元之间" in text and "暂无法测算" not in text
    assert claim_errors(report) == []
    path = write_docx(report, tmp_path / "分析报告.docx")
    assert [f.message for f in audit_path(path).findings if f.severity == "error"] == []


#: an employees' fund's assumptions (the example is a residents' fund): 单位缴费 and 个人缴费 both
EMPLOYEES_BUDGET = """
money_unit: 万元
budgets:
  - unit: "650500"
    year: 2020
    fund: 职工基本医疗保险（含生育）
    scope: 全市
    employee: {paying: "98000", paying_growth: "1.5%", base: 76543元/人, base_growth: "4%",
               employer_rate: "7.5%", individual_rate: "2%"}
    expenditure: {per_capita: 6500元/人, per_capita_growth: 5%, persons: "99470"}
"""


@pytest.mark.parametrize("fund", ["residents", "employees"])
def test_the_budget_table_splits_contributions_into_their_parts(written: dict[str, Path], tmp_path: Path,
                                                                fund: str) -> None:
    """征缴收入 with its 其中 lines 单位缴费 and 个人缴费 (as the 说明 gives them), which add up to it."""
    assumptions, table = ASSUMPTIONS, written["table"]
    if fund == "employees":
        assumptions, table = tmp_path / "employees.yaml", tmp_path / "employees.xlsx"
        assumptions.write_text(EMPLOYEES_BUDGET, encoding="utf-8")
        code, text = _run("budget", str(assumptions), *_files(DATA), "--xlsx", str(table))
        assert code == 0, text
    assert formula_cells(table) == []
    [d], _ = draft_from_files(DATA, assumptions)
    sheet = load_workbook(table).worksheets[0]
    rows = [(str(r[0].value).strip("　 ").removeprefix("其中："), r[1].value) for r in sheet.iter_rows()
            if r[0].value is not None and len(r) > 1]
    by_title = {title: value for title, value in rows if isinstance(value, int | float)}
    parts = [line for line in d.lines if line.path in ("income.contributions_employer",
                                                       "income.contributions_individual")]
    assert [p.title for p in parts] == (["单位缴费", "个人缴费"] if fund == "employees" else ["个人缴费"])
    whole = d.line("income.contributions")
    assert whole is not None
    got = {line.title: Decimal(str(by_title[line.title])) for line in [whole, *parts]}
    assert got == {line.title: round_half_up(line.value, line.places) for line in [whole, *parts]}
    assert sum(got[line.title] for line in parts) == got[whole.title]
    titles = [t for t, _ in rows]
    assert titles.index(whole.title) < min(titles.index(p.title) for p in parts)
