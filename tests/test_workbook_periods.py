"""The workbook's monthly sheet (月度数据): a unit-year's months written and read back figure for
figure, their stated figures and notes through the shared tables, problems named by cell, and
workbooks made before the sheet existed still read."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from openpyxl import Workbook, load_workbook

from jixiao.ingest.data import ReadResult
from jixiao.ingest.files import read_files
from jixiao.ingest.workbook import read_workbook_bytes
from jixiao.ingest.workbook.layout import HEADER_ROW, PERIOD_SHEET, TABLE_FIRST_ROW, uncovered_fields
from jixiao.model import Dataset, StatedFigure
from jixiao.write.workbook import build_template, fill_workbook

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
FILES = [EXAMPLES / "units.yaml", EXAMPLES / "000_hami_2019.yaml", EXAMPLES / "periods" / "650500_hami_monthly.yaml"]
UNIT = "650500"


def _dataset() -> Dataset:
    dataset = read_files(FILES).dataset
    assert dataset is not None
    return dataset


def _read(wb: Workbook) -> ReadResult:
    buffer = BytesIO()
    wb.save(buffer)
    return read_workbook_bytes(buffer.getvalue(), "月报.xlsx", known_units={"650000"})


def _column(ws: object, header: str) -> int:
    return next(c for c in range(1, ws.max_column + 1)  # type: ignore[attr-defined]
                if str(ws.cell(HEADER_ROW, c).value or "").startswith(header))  # type: ignore[attr-defined]


def test_every_period_field_has_a_column() -> None:
    assert uncovered_fields() == []
    assert PERIOD_SHEET.name in build_template(["fund"]).sheetnames
    assert PERIOD_SHEET.name not in build_template(["department"]).sheetnames


def test_a_years_months_round_trip_with_their_stated_figures_and_notes() -> None:
    dataset = _dataset()
    june = next(p for p in dataset.fund_periods if p.year == 2020 and str(p.span) == "1-6")
    marked = june.model_copy(update={
        "stated": {"income_budget_execution_rate": StatedFigure(value="47.51%", line=3, quote="完成年度预算的47.51%")},
        "notes": ["2月起阶段性减半征收单位缴费"]})
    dataset = dataset.model_copy(update={"fund_periods": [marked if p is june else p for p in dataset.fund_periods]})
    for year in (2019, 2020):
        wb = fill_workbook(dataset, UNIT, year)
        result = _read(wb)
        assert result.ok and result.dataset is not None, result.problems
        expected = sorted((p for p in dataset.fund_periods if p.year == year), key=lambda p: p.key)
        assert sorted(result.dataset.fund_periods, key=lambda p: p.key) == expected
        assert len(expected) == (24 if year == 2019 else 12)
        # the annual records of the year come back beside them, unchanged
        assert result.dataset.fund_years == [f for f in dataset.fund_years if f.year == year]


def test_a_bad_period_is_named_by_its_cell_and_nothing_is_read() -> None:
    wb = fill_workbook(_dataset(), UNIT, 2020)
    ws = wb[PERIOD_SHEET.name]
    span = _column(ws, "期间")
    ws.cell(TABLE_FIRST_ROW + 1, span).value = "13"
    result = _read(wb)
    assert not result.ok
    [bad] = [p for p in result.problems if p.severity == "error"]
    where = f"{PERIOD_SHEET.name}!{ws.cell(TABLE_FIRST_ROW + 1, span).coordinate}"
    assert (bad.code, bad.path) == ("JX-IN-030", where)
    assert "13" in bad.message
    ws.cell(TABLE_FIRST_ROW + 1, span).value = None
    missing = _read(wb)
    assert [p.code for p in missing.problems if p.severity == "error"] == ["JX-WB-010"]


def test_a_figure_that_cannot_be_is_an_error_at_a_cell_of_the_sheet() -> None:
    wb = fill_workbook(_dataset(), UNIT, 2020)
    ws = wb[PERIOD_SHEET.name]
    income = _column(ws, "基金收入合计")
    rows = [r for r in range(TABLE_FIRST_ROW, ws.max_row + 1) if ws.cell(r, _column(ws, "期间")).value == "1-6"]
    ws.cell(rows[0], income).value = 100
    result = _read(wb)
    assert not result.ok
    # 100 is below its own parts (JX-IN-010) and below 1-5月's (JX-IN-032): both at cells of the sheet
    errors = [p for p in result.problems if p.severity == "error"]
    assert errors and all(str(p.path).startswith(f"{PERIOD_SHEET.name}!") for p in errors)
    assert {p.code for p in errors} <= {"JX-IN-010", "JX-IN-032"}


def test_a_workbook_made_before_the_monthly_sheet_is_still_read() -> None:
    wb = fill_workbook(_dataset(), UNIT, 2019)
    del wb[PERIOD_SHEET.name]
    result = _read(wb)
    assert result.ok and result.dataset is not None
    assert result.dataset.fund_periods == [] and len(result.dataset.fund_years) == 2


def test_a_blank_template_with_months_only_is_read() -> None:
    wb = build_template(["fund"])
    unit = wb["单位与年度"]
    unit["B3"], unit["B9"] = UNIT, 2021  # 单位代码, 年度
    ws = wb[PERIOD_SHEET.name]
    for key, value in (("险种", "职工基本医疗保险（含生育）"), ("期间", "1-6"), ("基金收入合计", 100),
                       ("基金支出合计", 90)):
        ws.cell(TABLE_FIRST_ROW, _column(ws, key)).value = value
    result = _read(load_workbook(BytesIO(_saved(wb))))
    assert result.ok and result.dataset is not None, result.problems
    [period] = result.dataset.fund_periods
    assert (period.unit, period.year, str(period.span), str(period.income.total)) == (UNIT, 2021, "1-6", "100万元")


def _saved(wb: Workbook) -> bytes:
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
