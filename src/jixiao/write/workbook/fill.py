"""Export a Dataset's unit-year INTO the fill-in workbook layout (数据导出为填报工作簿).

Useful to users (start next year's workbook from this year's data, correct a YAML transcription
in Excel) and the proof that the workbook holds everything the model does: reading the exported
workbook back gives the same Dataset, figure for figure, precision included.

A figure in its column's own unit is written as an Excel number with a format showing exactly
its written decimals (``655.50`` → 655.5 shown ``0.00``; ``15.30%`` → 0.153 shown ``0.00%``),
so Excel can add the column and the reader recovers the written precision. Any other figure
(``7.42亿元`` in a 万元 column, ``约500万元``, ``32.80万人``) is written as the text it is.
"""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from jixiao.ingest.workbook.cells import excel_number, excel_percent
from jixiao.ingest.workbook.layout import (
    COMMON_TABLES,
    DEPARTMENT_RECORD,
    DEPARTMENT_SHEETS,
    FUND_LIST_FIRST_ROW,
    FUND_SHEETS,
    HEADER_ROW,
    PERIOD_SHEET,
    PROJECT_SHEETS,
    TABLE_FIRST_ROW,
    UNIT_FIELDS,
    UNIT_SHEET,
    VALUE_COL,
    FieldSpec,
    FormSheet,
    Group,
    MatrixSheet,
    TableSheet,
    form_rows,
    fund_labels,
    period_record_label,
    unit_row,
)
from jixiao.model import Dataset, DepartmentYear, FundPeriod, FundYear, Project
from jixiao.numbers import Quantity
from jixiao.write.workbook.template import DEFAULT_FUNDS, DEFAULT_PROJECTS, build_template

_PLAIN_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
SPARE_ROWS = 20


def put_text(cell: Cell, text: str) -> None:
    """Write ``text`` as text even when it starts with "=" (``=100%`` is a target, not a formula)."""
    cell.value = text
    if cell.data_type != "s":
        cell.data_type = "s"


def put_value(cell: Cell, value: Any, f: FieldSpec | None, money_unit: str) -> None:
    """Write one model value into its cell (see the module docstring)."""
    if value is None:
        return
    if isinstance(value, Quantity):
        unit = f.shown_unit(money_unit) if f is not None else ""
        if value.approx is None and value.unit == unit:
            written = excel_percent(value.value) if unit == "%" else excel_number(value.value)
            if written is not None:
                cell.value, cell.number_format = written
                return
        put_text(cell, str(value))
        return
    if isinstance(value, Enum):
        put_text(cell, str(value.value))
        return
    if isinstance(value, bool):
        raise TypeError("no boolean fields in the workbook layout")
    if isinstance(value, int):
        cell.value = value
        return
    text = str(value)
    if f is not None and f.name in ("weight", "score") and _PLAIN_NUMBER.match(text):
        from decimal import Decimal

        written = excel_number(Decimal(text))
        if written is not None:
            cell.value, cell.number_format = written
            return
    put_text(cell, text)


def _get(record: Any, path: tuple[str, ...]) -> Any:
    value = record
    for part in path:
        value = getattr(value, part)
    return value


def select(dataset: Dataset, unit: str | None = None, year: int | None = None) -> tuple[str, int]:
    """The unit-year to export: the one given, or the only one the dataset has."""
    records: list[FundYear | FundPeriod | DepartmentYear | Project] = [
        *dataset.fund_years, *dataset.fund_periods, *dataset.departments, *dataset.projects]
    pairs = sorted({(r.unit, r.year) for r in records})
    if unit is not None:
        pairs = [p for p in pairs if p[0] == unit]
    if year is not None:
        pairs = [p for p in pairs if p[1] == year]
    if len(pairs) != 1:
        have = "、".join(f"{u} {y}年" for u, y in pairs) or "无"
        raise ValueError(f"一个工作簿只放一个单位一个年度的数据；请指定单位和年度（数据中有：{have}）")
    return pairs[0]


def fill_workbook(dataset: Dataset, unit: str | None = None, year: int | None = None) -> Workbook:
    """A workbook holding every record of one unit-year of ``dataset``."""
    code, yr = select(dataset, unit, year)
    funds = [r for r in dataset.fund_years if r.unit == code and r.year == yr]
    periods = sorted((r for r in dataset.fund_periods if r.unit == code and r.year == yr),
                     key=lambda p: (p.fund.value, p.scope or "", p.span))
    departments = [r for r in dataset.departments if r.unit == code and r.year == yr]
    projects = [r for r in dataset.projects if r.unit == code and r.year == yr]
    if len(departments) > 1:
        raise ValueError(f"{code} {yr}年有 {len(departments)} 条部门整体支出数据，工作簿只能放一条")
    groups: list[Group] = []
    if funds or periods:
        groups.append("fund")
    if departments:
        groups.append("department")
    if projects:
        groups.append("project")
    money = dataset.money_unit
    fund_names = fund_labels([(f.fund.value, f.scope) for f in funds])
    records: list[tuple[str, FundYear | FundPeriod | DepartmentYear | Project]] = [
        *zip(fund_names, funds, strict=True),
        *((period_record_label(p.fund.value, p.scope, p.span.label), p) for p in periods),
        *((DEPARTMENT_RECORD, d) for d in departments),
        *((p.name, p) for p in projects),
    ]
    needed = {
        "功能分类": sum(len(d.functional) for d in departments),
        PERIOD_SHEET.name: len(periods),
        "年度目标": len(projects),
        "绩效指标": sum(len(p.indicators) for p in projects),
        "报告所述": sum(len(r.stated) for _, r in records),
        "文字说明": sum(len(getattr(r, "narrative", {})) for _, r in records),
        "备注": sum(len(r.notes) for _, r in records),
    }
    defaults = {t.name: t.template_rows for s in (*DEPARTMENT_SHEETS, *PROJECT_SHEETS, *COMMON_TABLES, PERIOD_SHEET)
                if isinstance(t := s, TableSheet)}
    wb = build_template(
        groups,
        funds=max(DEFAULT_FUNDS, len(funds)),
        projects=max(DEFAULT_PROJECTS, len(projects)),
        money_unit=money,
        table_rows={name: max(defaults[name], n + SPARE_ROWS) for name, n in needed.items()},
    )
    _fill_unit(wb[UNIT_SHEET], dataset, code, yr, funds)
    for i, fy in enumerate(funds):
        for sheet in FUND_SHEETS:
            _fill_form_column(wb[sheet.name], sheet, VALUE_COL + i, fy, money)
    if periods:
        _fill_table(wb[PERIOD_SHEET.name], PERIOD_SHEET, [
            {c.key: _get(p, c.field.path) for c in PERIOD_SHEET.columns if c.field is not None} for p in periods
        ], money)
    for dept in departments:
        for item in DEPARTMENT_SHEETS:
            ws = wb[item.name]
            if isinstance(item, FormSheet):
                _fill_form_column(ws, item, VALUE_COL, dept, money)
            elif isinstance(item, TableSheet):
                _fill_table(ws, item, [dict(line) for line in dept.functional], money)
            elif isinstance(item, MatrixSheet):
                _fill_matrix(ws, item, dept, money)
    if projects:
        _fill_projects(wb, projects, money)
    stated, narrative, notes = COMMON_TABLES
    _fill_table(wb[stated.name], stated, [
        {"record": label, "stated_key": key, **dict(figure)}
        for label, r in records for key, figure in r.stated.items()
    ], money)
    _fill_table(wb[narrative.name], narrative, [
        {"record": label, "narrative_key": key, "narrative_text": text}
        for label, r in records for key, text in getattr(r, "narrative", {}).items()
    ], money)
    _fill_table(wb[notes.name], notes, [{"record": label, "note": note} for label, r in records for note in r.notes],
                money)
    for ws in wb.worksheets[1:]:
        fit_rows(ws)
    return wb


def _display_width(text: str) -> int:
    """Column-width units a text needs: CJK and full-width characters count two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def fit_rows(ws: Worksheet, first_row: int = TABLE_FIRST_ROW) -> None:
    """Row heights for wrapped text (LibreOffice and WPS do not grow rows of a written file)."""
    widths = {k: (ws.column_dimensions[k].width or 10) for k in ws.column_dimensions}
    for row in ws.iter_rows(min_row=first_row):
        lines = 1
        for cell in row:
            if isinstance(cell.value, str) and cell.value and not cell.value.startswith("=IF("):
                width = max(4.0, widths.get(cell.column_letter, 10) - 1)
                needed = sum(max(1, -(-_display_width(part) // int(width))) for part in cell.value.split("\n"))
                lines = max(lines, needed)
        if lines > 1:
            ws.row_dimensions[row[0].row].height = min(409, 15 * lines)


def write_filled(dataset: Dataset, path: str | Path, unit: str | None = None, year: int | None = None) -> Path:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fill_workbook(dataset, unit, year).save(out)
    return out


def _fill_projects(wb: Workbook, projects: list[Project], money: str) -> None:
    funds, goals, indicators = PROJECT_SHEETS
    assert isinstance(funds, FormSheet) and isinstance(goals, TableSheet) and isinstance(indicators, TableSheet)
    for i, project in enumerate(projects):
        put_text(wb[funds.name].cell(HEADER_ROW, VALUE_COL + i), project.name)
        _fill_form_column(wb[funds.name], funds, VALUE_COL + i, project, money)
    _fill_table(wb[goals.name], goals, [
        {"project": p.name, "goal_expected": p.goal_expected, "goal_actual": p.goal_actual}
        for p in projects if p.goal_expected is not None or p.goal_actual is not None
    ], money)
    _fill_table(wb[indicators.name], indicators, [
        {"project": p.name, **dict(row)} for p in projects for row in p.indicators
    ], money)


def _fill_unit(ws: Worksheet, dataset: Dataset, code: str, year: int, funds: list[FundYear]) -> None:
    unit = dataset.unit(code)
    values: dict[str, Any] = {"code": code, "year": year, "money_unit": dataset.money_unit,
                              "source": dataset.source}
    if unit is not None:
        values |= {f.name: getattr(unit, f.name) for f in UNIT_FIELDS if f.name in type(unit).model_fields}
    for f in UNIT_FIELDS:
        put_value(ws.cell(unit_row(f.name), VALUE_COL), values.get(f.name), f, dataset.money_unit)
    for i, fy in enumerate(funds):
        put_text(ws.cell(FUND_LIST_FIRST_ROW + i, 2), fy.fund.value)
        if fy.scope is not None:
            put_text(ws.cell(FUND_LIST_FIRST_ROW + i, 3), fy.scope)


def _fill_form_column(ws: Worksheet, sheet: FormSheet, col: int, record: Any, money: str) -> None:
    for row, item in form_rows(sheet):
        if isinstance(item, FieldSpec):
            put_value(ws.cell(row, col), _get(record, item.path), item, money)


def _fill_table(ws: Worksheet, sheet: TableSheet, rows: list[dict[str, Any]], money: str) -> None:
    for r, values in enumerate(rows, start=TABLE_FIRST_ROW):
        for k, column in enumerate(sheet.columns, start=1):
            put_value(ws.cell(r, k), values.get(column.key), column.field, money)


def _fill_matrix(ws: Worksheet, sheet: MatrixSheet, dept: DepartmentYear, money: str) -> None:
    block = _get(dept, sheet.path)
    for r, (name, _) in enumerate(sheet.rows, start=TABLE_FIRST_ROW):
        item = getattr(block, name)
        for k, f in enumerate(sheet.columns, start=VALUE_COL):
            put_value(ws.cell(r, k), getattr(item, f.name), f, money)


__all__ = ["fill_workbook", "put_text", "put_value", "select", "write_filled"]
