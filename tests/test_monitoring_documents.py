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
from jixiao.cli import monitor
from jixiao.numbers import fmt
from jixiao.write.budget import budget_report
from jixiao.write.monitoring import monitoring_report
from submit_support import claim_errors, claims, docx_texts, formula_cells, internal_text, xlsx_texts

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
DATA = [EXAMPLES / "units.yaml", EXAMPLES / "000_hami_2019.yaml"]
MONTHLY = EXAMPLES / "periods" / "650500_hami_monthly.yaml"
ASSUMPTIONS = EXAMPLES / "budget" / "650500_hami_2020.yaml"


def _run(*args: str) -> tuple[int, str]:
    app = typer.Typer()
    monitor.register(app)
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
