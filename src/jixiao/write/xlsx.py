"""Excel output (openpyxl): the 自评表 and the indicator tables, one sheet each, ready to print.

Each sheet: a title row, the subtitle and unit note, then the grid with its merged cells merged,
thin borders on every cell (merged ones included), header cells bold on grey, numbers stored as
numbers with their display format (``0.00``), text wrapped. Print setup: A4, landscape for wide
forms, fit to one page wide, the title and header rows repeated on every page, centred.
"""

from __future__ import annotations

import re
from copy import copy
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.worksheet import Worksheet

from jixiao.write.report import Grid, Report

FONT_NAME = "宋体"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
#: characters of column width per unit of a grid's relative width
CHARS_PER_UNIT = 5.0


def sheet_title(text: str, taken: set[str]) -> str:
    """A legal, unique sheet name (≤ 31 characters, none of []:*?/\\)."""
    base = _BAD_SHEET_CHARS.sub("", text)[:28] or "表"
    name, i = base, 2
    while name in taken:
        name = f"{base[:26]}_{i}"
        i += 1
    taken.add(name)
    return name


def _merge(ws: Worksheet, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
    """``ws.merge_cells`` without its border re-formatting (the caller borders every position;
    openpyxl's ``MergedCellRange.format`` re-hashes styles and cost a second per report)."""
    mcr = MergedCellRange(ws, f"{get_column_letter(first_col)}{first_row}:{get_column_letter(last_col)}{last_row}")
    ws.merged_cells.add(mcr)
    for row in range(first_row, last_row + 1):
        for col in range(first_col, last_col + 1):
            if (row, col) != (first_row, first_col):
                ws._cells[row, col] = MergedCell(ws, row, col)


class _StyleCache:
    """Cell styles set once per kind and then copied (openpyxl hashes every style it is given).

    Each distinct (header, alignment, number format) is styled in full on its first cell; later
    cells of the same kind take a copy of that cell's style ids.
    """

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.done: dict[tuple[bool, str, str], Any] = {}
        self.border_only: Any = None

    def apply(self, cell: Any, *, header: bool, align: str, number_format: str) -> None:
        key = (header, align, number_format)
        proto = self.done.get(key)
        if proto is not None:
            cell._style = copy(proto)
            return
        cell.font = Font(name=FONT_NAME, size=10, bold=header)
        cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
        if header:
            cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.number_format = number_format
        self.done[key] = copy(cell._style)

    def border(self, cell: Any) -> None:
        if self.border_only is None:
            cell.border = BORDER
            self.border_only = copy(cell._style)
        else:
            cell._style = copy(self.border_only)


def write_grid(ws: Worksheet, grid: Grid) -> None:
    """Lay out one grid on a fresh sheet with print settings."""
    n = grid.n_cols
    row = 1
    ws.cell(row, 1, grid.title).font = Font(name=FONT_NAME, size=16, bold=True)
    ws.cell(row, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=n)
    ws.row_dimensions[row].height = 30
    row += 1
    if grid.subtitle or grid.note:
        if grid.subtitle:
            ws.cell(row, 1, grid.subtitle).font = Font(name=FONT_NAME, size=11)
            ws.cell(row, 1).alignment = Alignment(horizontal="center")
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=max(1, n - 2))
        if grid.note:
            ws.cell(row, n, grid.note).font = Font(name=FONT_NAME, size=10)
            ws.cell(row, n).alignment = Alignment(horizontal="right")
        row += 1
    top = row
    styles = _StyleCache(ws)
    for c in grid.cells:
        r, k = top + c.row, 1 + c.col
        cell = ws.cell(r, k)
        if c.value is not None:
            cell.value = c.value
        else:
            cell.value = c.text
        styles.apply(cell, header=c.header, align=c.align,
                     number_format=(c.number_format or "General") if c.value is not None else "General")
        if c.rowspan > 1 or c.colspan > 1:
            _merge(ws, r, k, r + c.rowspan - 1, k + c.colspan - 1)
    covered = {(top + c.row, 1 + c.col) for c in grid.cells}
    for r in range(top, top + grid.n_rows):
        for k in range(1, n + 1):
            if (r, k) not in covered:  # merged-over and empty positions: the border only
                styles.border(ws.cell(r, k))
        ws.row_dimensions[r].height = None
    widths = grid.widths or [2.0] * n
    for k, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(k)].width = max(6.0, w * CHARS_PER_UNIT)
    _print_setup(ws, grid, top)


def _print_setup(ws: Worksheet, grid: Grid, top: int) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if grid.n_cols >= 8 else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.6
    ws.page_margins.top = ws.page_margins.bottom = 0.8
    last_header = top - 1 + max(grid.header_rows, 0)
    ws.print_title_rows = f"1:{max(last_header, top - 1)}"
    ws.print_area = f"A1:{get_column_letter(grid.n_cols)}{top - 1 + grid.n_rows}"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.freeze_panes = ws.cell(top + grid.header_rows, 1) if grid.header_rows else None


def build_xlsx(report: Report) -> Workbook:
    wb = Workbook()
    default = wb.active
    taken: set[str] = set()
    for grid in report.grids():
        ws = wb.create_sheet(sheet_title(grid.title.removeprefix(report.unit_name) or grid.title, taken))
        write_grid(ws, grid)
    if len(wb.worksheets) > 1 and default is not None:
        wb.remove(default)
    else:
        default.title = "说明"
        default.cell(1, 1, f"{report.title}：没有可列表的数据。")
    wb.properties.title = report.title
    wb.properties.creator = "jixiao"
    return wb


def write_xlsx(report: Report, path: Path) -> Path:
    build_xlsx(report).save(str(path))
    return path
