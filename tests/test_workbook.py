"""The fill-in workbook: the template's sheets, lists, notes and protection; the float → Decimal
rule; and the round trip — every example exported into the workbook and read back is the same
Dataset, figure for figure, precision included (also after LibreOffice has opened and re-saved it).
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from jixiao.ingest.files import read_file
from jixiao.ingest.workbook import read_workbook
from jixiao.ingest.workbook.cells import number_text, parse_format
from jixiao.ingest.workbook.layout import (
    COMMON_TABLES,
    DEPARTMENT_SHEETS,
    FUND_LIST_FIRST_ROW,
    FUND_SHEETS,
    PROJECT_SHEETS,
    FieldSpec,
    FormSheet,
    MatrixSheet,
    TableSheet,
    form_rows,
    sheet_names,
    uncovered_fields,
    unit_row,
)
from jixiao.model import FundKind, Nature
from jixiao.model.units import Level
from jixiao.numbers import Quantity
from jixiao.write.workbook import build_template, fill_workbook, write_template
from jixiao.write.workbook.fill import put_text

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
YIYANG = EXAMPLES / "004_yiyang_2020.yaml"
EXAMPLE_FILES = sorted(p for p in EXAMPLES.glob("0*.yaml"))


def _dump(path: Path) -> dict[str, Any]:
    ds = read_file(path).dataset
    assert ds is not None
    return ds.model_dump(mode="json")


def _validations(ws: Worksheet) -> dict[str, str]:
    """sqref → formula1 of every data validation on the sheet."""
    return {str(dv.sqref): str(dv.formula1) for dv in ws.data_validations.dataValidation}


# --------------------------------------------------------------------------------------------
# The template
# --------------------------------------------------------------------------------------------


def test_every_model_field_has_a_place_in_the_workbook() -> None:
    assert uncovered_fields() == []


@pytest.mark.parametrize("kind", ["fund", "department", "project"])
def test_template_opens_with_the_sheets_of_its_kind(tmp_path: Path, kind: str) -> None:
    path = write_template(kind, tmp_path / f"{kind}.xlsx")  # type: ignore[arg-type]
    wb = load_workbook(path)
    assert wb.sheetnames == sheet_names((kind,))  # type: ignore[arg-type]
    assert wb.sheetnames[:2] == ["填表说明", "单位与年度"]
    assert wb.sheetnames[-3:] == ["报告所述", "文字说明", "备注"]
    expected = {
        "fund": ["基金收入", "基金支出", "预算与结余", "参保与待遇", "上年与增减", "月度数据"],
        "department": ["人员", "预算", "收入支出", "功能分类", "三公经费", "资产与结转"],
        "project": ["项目资金", "年度目标", "绩效指标"],
    }[kind]
    assert wb.sheetnames[2:-3] == expected


def test_fund_template_labels_units_lists_and_notes(tmp_path: Path) -> None:
    wb = load_workbook(write_template("fund", tmp_path / "fund.xlsx"))
    ws = wb["基金收入"]
    # labels are the model's titles with the unit; each has a note with an example
    rows = {label: r for r, label in ((r, ws.cell(r, 1).value) for r in range(1, ws.max_row + 1)) if label}
    assert "基金收入合计（万元）" in rows and "保险费（征缴）收入（万元）" in rows
    note = ws.cell(rows["基金收入合计（万元）"], 1).comment
    assert note is not None and "例：" in note.text and "7.42亿元" in note.text
    for r, item in form_rows(FUND_SHEETS[0]):
        assert ws.cell(r, 1).value == (item.label() if hasattr(item, "label") else item.title)
    # the 险种 heads show what 单位与年度 says (formula), column by column
    ref = f"'单位与年度'!$B${FUND_LIST_FIRST_ROW}"
    assert ws["B2"].value == f'=IF({ref}="","（基金1）",{ref})'
    coverage = wb["参保与待遇"]
    labels = {coverage.cell(r, 1).value for r in range(1, coverage.max_row + 1)}
    assert {"参保人数（人）", "参保率（%）", "住院人次（人次）"} <= labels
    # 险种 drop-down lists every FundKind
    units = wb["单位与年度"]
    lists = _validations(units)
    fund_list = next(f for ref, f in lists.items() if ref.startswith(f"B{FUND_LIST_FIRST_ROW}"))
    assert all(k.value in fund_list for k in FundKind)
    level_list = lists[f"B{unit_row('level')}"]
    assert all(v.value in level_list for v in Level)
    assert units.cell(unit_row("code"), 1).value == "单位代码（必填）"
    assert units.cell(unit_row("money_unit"), 2).value == "万元"


def test_project_template_has_the_indicator_columns_and_nature_list(tmp_path: Path) -> None:
    wb = load_workbook(write_template("project", tmp_path / "p.xlsx"))
    ws = wb["绩效指标"]
    headers = [ws.cell(2, k).value for k in range(1, ws.max_column + 1)]
    assert headers[:10] == ["项目名称", "一级指标（必填）", "二级指标", "三级指标（必填）", "指标性质",
                            "年度指标值（必填）", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
    lists = _validations(ws)
    nature = lists["E3:E202"]
    assert all(n.value in nature for n in Nature)
    # targets and actuals are text cells: "=100%" typed there stays a target, not a formula
    assert ws["F3"].number_format == "@" and ws["G3"].number_format == "@"
    assert ws["H3"].number_format == "General"  # 分值 stays a number Excel can add
    assert all(ws.cell(2, k).comment is not None for k in range(1, 11))


def test_headers_are_locked_inputs_unlocked_and_print_setup(tmp_path: Path) -> None:
    wb = load_workbook(write_template(["fund", "department", "project"], tmp_path / "all.xlsx"))
    for name in wb.sheetnames[1:]:
        ws = wb[name]
        assert ws.protection.sheet, name
        assert ws.cell(2, 1).protection.locked, name  # header / label column
        assert ws.print_title_rows, name
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.freeze_panes is not None
        assert "&P" in ws.oddFooter.center.text
    assert not wb["基金收入"]["B4"].protection.locked
    assert not wb["绩效指标"]["B3"].protection.locked
    assert not wb["单位与年度"].cell(unit_row("code"), 2).protection.locked
    assert wb["基金收入"].column_dimensions["A"].width >= 30
    assert wb["绩效指标"].column_dimensions["D"].width >= 25


# --------------------------------------------------------------------------------------------
# Float → Decimal
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "fmt", "text"), [
    (655.5, "0.00", "655.50"),                   # Excel dropped the trailing zero; the format keeps it
    (655.5, "General", "655.5"),
    (74200, "General", "74200"),
    (74200.0, "General", "74200"),
    (0.153, "0.00%", "15.30%"),
    (0.98, "0%", "98%"),
    (1234.5, "#,##0.00_ ;[Red]-#,##0.00 ", "1234.50"),
    (12.5, "0.0#", "12.5"),
    (12.0, "0.0#", "12.0"),
    (3.0, '0.00"万元"', "3.00"),
    (0.1, "General", "0.1"),                     # the shortest repr, never 0.1000000000000000055...
    (-9054, "General", "-9054"),
])
def test_number_cells_keep_the_written_precision(value: float, fmt: str, text: str) -> None:
    assert number_text(value, fmt).text == text


def test_more_decimals_than_shown_are_read_as_shown_and_reported() -> None:
    nt = number_text(655.555, "0.00")
    assert (nt.text, nt.rounded_from) == ("655.56", "655.555")
    # a formula result is read as shown, without a note
    assert number_text(0.95571234567, "0.00%", computed=True) == number_text(0.9557, "0.00%")
    assert number_text(0.95571234567, "General", computed=True).text == "0.9557123457"


def test_parse_format() -> None:
    assert parse_format("0.00") .min_places == 2
    assert parse_format("0.00%").percent
    assert parse_format("General").min_places is None
    assert parse_format("yyyy-mm-dd").is_date
    assert parse_format("0.00E+00").min_places is None


# --------------------------------------------------------------------------------------------
# Round trip: Dataset → workbook → Dataset
# --------------------------------------------------------------------------------------------


def test_seed_004_round_trips_figure_for_figure(tmp_path: Path) -> None:
    expected = read_file(YIYANG).dataset
    assert expected is not None
    path = tmp_path / "yiyang.xlsx"
    fill_workbook(expected).save(path)
    result = read_workbook(path)
    assert result.ok, [str(p) for p in result.problems]
    assert result.dataset is not None
    got = result.dataset
    assert got.model_dump(mode="json") == expected.model_dump(mode="json")
    # precision: Decimal equality ignores exponents, so compare the written digits too
    dept = got.departments[0]
    assert str(dept.budget.initial) == "655.56万元"
    assert dept.budget.initial is not None and dept.budget.initial.value.as_tuple().exponent == -2
    assert str(dept.carryover.closing) == "12万元"
    assert str(dept.three_public.total.budget) == "29.32万元"
    resident = next(f for f in got.fund_years if f.fund is FundKind.resident)
    assert str(resident.balance.current) == "-9054万元"
    assert resident.stated["current_balance_rate"].value == "-2.84%"
    assert resident.stated["current_balance_rate"].line == 61
    aid = next(f for f in got.fund_years if f.fund is FundKind.medical_assistance)
    assert str(aid.services.subsidy_eligible) == "32.80万人"  # text in a 人 column, kept as written
    assert got.departments[0].notes == expected.departments[0].notes


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_every_example_round_trips(tmp_path: Path, example: Path) -> None:
    expected = read_file(example).dataset
    assert expected is not None
    path = tmp_path / "x.xlsx"
    fill_workbook(expected).save(path)
    result = read_workbook(path)
    assert result.dataset is not None, [str(p) for p in result.problems]
    assert result.dataset.model_dump(mode="json") == expected.model_dump(mode="json")
    assert not [p for p in result.problems if p.severity != "info"]


def test_workbook_numbers_are_excel_numbers(tmp_path: Path) -> None:
    """Exported figures are numbers Excel can add, formatted to their written decimals."""
    ds = read_file(YIYANG).dataset
    assert ds is not None
    wb = fill_workbook(ds)
    ws = wb["预算"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "年初预算（万元）")
    cell = ws.cell(row, 2)
    assert cell.value == 655.56 and cell.number_format == "0.00"
    income = wb["基金收入"]
    assert income["B4"].value == 151661 and income["E4"].value == 319286


def test_a_workbook_typed_by_hand_reads_as_written(tmp_path: Path) -> None:
    """What Excel makes of typing: numbers as floats with formats, 15.30% as 0.153, a date in a
    target cell, >= for ≥, a short fund name, text with units."""
    wb = build_template(["fund", "project"])
    units = wb["单位与年度"]
    units.cell(unit_row("code"), 2).value = 430900          # typed as a number
    units.cell(unit_row("year"), 2).value = 2020
    units.cell(FUND_LIST_FIRST_ROW, 2).value = "城乡居民医保"   # the short name
    units.cell(FUND_LIST_FIRST_ROW, 3).value = "全市"
    income = wb["基金收入"]
    income["B4"].value = "7.42亿元"
    income["B5"].value, income["B5"].number_format = 655.5, "0.00"
    coverage = wb["参保与待遇"]
    rate_row = next(r for r in range(1, 40) if coverage.cell(r, 1).value == "参保率（%）")
    coverage.cell(rate_row, 2).value, coverage.cell(rate_row, 2).number_format = 0.153, "0.00%"
    projects = wb["项目资金"]
    projects["B2"].value = "医保专项工作经费"
    ind = wb["绩效指标"]
    row = ["", "项目完成指标", "时效指标", "完成时间", ">=", datetime(2019, 6, 30), "", 20, 18.5]
    for k, v in enumerate(row, start=1):
        ind.cell(3, k).value = v
    ind.cell(3, 9).number_format = "0.0"
    second = ["医保专项工作经费", "满意度指标", "", "满意度", "≥", "", "≥95%", 70, 70]
    for k, v in enumerate(second, start=1):
        ind.cell(4, k).value = v
    put_text(ind.cell(4, 6), "=100%")
    path = tmp_path / "hand.xlsx"
    wb.save(path)
    result = read_workbook(path)
    assert result.dataset is not None, [str(p) for p in result.problems]
    fy = result.dataset.fund_years[0]
    assert (fy.unit, fy.year, fy.fund, fy.scope) == ("430900", 2020, FundKind.resident, "全市")
    assert fy.income.total == Quantity(Decimal("7.42"), "亿元")
    assert str(fy.income.contributions) == "655.50万元"
    assert str(fy.coverage.coverage_rate) == "15.30%"
    rows = result.dataset.projects[0].indicators
    assert (rows[0].nature, rows[0].target, rows[0].weight, rows[0].score) == (Nature.ge, "2019年6月30日", "20", "18.5")
    assert (rows[1].target, rows[1].actual, rows[1].weight) == ("=100%", "≥95%", "70")
    infos = [p for p in result.problems if p.severity == "info"]
    assert any(p.path == "基金收入!B4" and "74200万元" in p.message for p in infos)


# --------------------------------------------------------------------------------------------
# Another office suite opens and re-saves it
# --------------------------------------------------------------------------------------------


def _calc_available() -> bool:
    if shutil.which("soffice") is None:
        return False
    return any(Path(p).exists() for p in ("/usr/lib/libreoffice/program/libsclo.so",
                                          "/usr/lib64/libreoffice/program/libsclo.so"))


@pytest.mark.skipif(not _calc_available(), reason="LibreOffice Calc 未安装（libreoffice-calc-nogui）")
def test_libreoffice_opens_resaves_and_the_data_survive(tmp_path: Path) -> None:
    ds = read_file(YIYANG).dataset
    assert ds is not None
    wb = fill_workbook(ds)
    income = wb["基金收入"]
    # a formula the officer might type; LibreOffice computes it on save
    income["H4"].value = "=B4+C4"
    wb["单位与年度"].cell(FUND_LIST_FIRST_ROW + 6, 2).value = FundKind.maternity.value
    src = tmp_path / "in" / "yiyang.xlsx"
    src.parent.mkdir()
    wb.save(src)
    out = tmp_path / "out"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--calc",
         "--convert-to", "xlsx", "--outdir", str(out), str(src)],
        check=True, capture_output=True, timeout=180,
    )
    resaved = out / "yiyang.xlsx"
    values = load_workbook(resaved, data_only=True)
    assert values["基金收入"]["B2"].value == "职工基本医疗保险"  # the 险种 head formula was computed
    result = read_workbook(resaved)
    assert result.dataset is not None, [str(p) for p in result.problems]
    got = result.dataset.model_dump(mode="json")
    maternity = got["fund_years"].pop()
    assert maternity["fund"] == "生育保险" and maternity["income"]["total"] == "233394万元"  # 151661 + 81733
    assert got == ds.model_dump(mode="json")


def test_sheets_are_laid_out_from_the_layout() -> None:
    """Each department/project/common table sheet of the layout is in the workbook with its headers."""
    wb: Workbook = build_template(["department", "project"])
    for item in (*DEPARTMENT_SHEETS, *PROJECT_SHEETS, *COMMON_TABLES):
        ws = wb[item.name]
        if isinstance(item, TableSheet):
            headers = [str(ws.cell(2, k).value).removesuffix("（必填）") for k in range(1, len(item.columns) + 1)]
            assert headers == [c.header for c in item.columns]
        elif isinstance(item, MatrixSheet):
            assert [ws.cell(r, 1).value for r in range(3, 3 + len(item.rows))] == [label for _, label in item.rows]
        elif isinstance(item, FormSheet):
            for r, f in form_rows(item):
                assert ws.cell(r, 1).value == (f.label() if isinstance(f, FieldSpec) else f.title)
