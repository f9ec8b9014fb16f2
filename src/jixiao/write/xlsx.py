"""Excel output (openpyxl): a report's tables, one sheet each, ready to print; and the working paper.

Values and text only: a number is stored as a number with its display format (``0.00``); every
text is stored as text — one that starts with ``=``, ``+``, ``-`` or ``@`` (a target “=100%”, or
anything a user typed) is never a formula, and is marked so Excel keeps it text when edited.
Each sheet: a title row, the subtitle and unit note, then the grid with its merged cells merged,
thin borders on every cell (merged ones included), header cells bold on grey, text wrapped and
every row as tall as its text. Print setup: A4, landscape for wide forms, scaled to one page wide,
the header rows repeated on every page, centred, and every page break placed by the writer between
row groups (:mod:`jixiao.write.sheet_pages`), so no merged 一级/二级 cell is split by a page.
"""

from __future__ import annotations

import math
import re
import unicodedata
from copy import copy
from dataclasses import replace
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from jixiao.write.report import Cell, Grid, Report, WorkPaper
from jixiao.write.sheet_pages import END_MARGIN, SIDE_MARGIN, Pages, Sheet, column_points, lay_out

FONT_NAME = "宋体"
FONT_SIZE = 10
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
#: characters of column width per unit of a grid's relative width
CHARS_PER_UNIT = 5.0
#: points a wrapped line of 10-point 宋体 takes
LINE_POINTS = 13.5
#: the subtitle row's height (points)
SUBTITLE_POINTS = 20.0
#: the first characters Excel would read as the start of a formula
FORMULA_START = ("=", "+", "-", "@")


def sheet_title(text: str, taken: set[str]) -> str:
    """A legal, unique sheet name (≤ 31 characters, none of []:*?/\\)."""
    base = _BAD_SHEET_CHARS.sub("", text)[:28] or "表"
    name, i = base, 2
    while name in taken:
        name = f"{base[:26]}_{i}"
        i += 1
    taken.add(name)
    return name


def put(cell: Any, value: object) -> None:
    """Store a value as a value: a number as a number, any text as text (never a formula)."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl makes “=…” a formula; a report's text is never one


def _merge(ws: Worksheet, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
    """``ws.merge_cells`` without its border re-formatting (the caller borders every position)."""
    mcr = MergedCellRange(ws, f"{get_column_letter(first_col)}{first_row}:{get_column_letter(last_col)}{last_row}")
    ws.merged_cells.add(mcr)
    for row in range(first_row, last_row + 1):
        for col in range(first_col, last_col + 1):
            if (row, col) != (first_row, first_col):
                ws._cells[row, col] = MergedCell(ws, row, col)


class _StyleCache:
    """Cell styles set once per kind and then copied (openpyxl hashes every style it is given)."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.done: dict[tuple[bool, str, str, bool], Any] = {}
        self.border_only: Any = None

    def apply(self, cell: Any, *, header: bool, align: str, number_format: str, quoted: bool = False) -> None:
        key = (header, align, number_format, quoted)
        proto = self.done.get(key)
        if proto is not None:
            cell._style = copy(proto)
            return
        cell.font = Font(name=FONT_NAME, size=FONT_SIZE, bold=header)
        cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
        if header:
            cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.number_format = number_format
        if quoted:
            cell.quotePrefix = True
        self.done[key] = copy(cell._style)

    def border(self, cell: Any) -> None:
        if self.border_only is None:
            cell.border = BORDER
            self.border_only = copy(cell._style)
        else:
            cell._style = copy(self.border_only)


def _text_width(text: str) -> int:
    """Width in Excel character units: a CJK character is two, a digit or letter one."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _lines(text: str, width_units: float) -> int:
    usable = max(2.0, width_units - 1.5)
    return sum(max(1, math.ceil(_text_width(part) / usable)) for part in (text.split("\n") or [""]))


def _row_heights(grid: Grid, col_widths: list[float]) -> list[float]:
    """Each row's height in points so its tallest cell's wrapped text shows whole; a merged cell's
    lines are shared by the rows it spans."""
    need = [1] * grid.n_rows
    for c in grid.cells:
        width = sum(col_widths[c.col:c.col + c.colspan])
        lines = _lines(c.text, width)
        per_row = math.ceil(lines / c.rowspan)
        for r in range(c.row, c.row + c.rowspan):
            need[r] = max(need[r], per_row)
    return [n * LINE_POINTS + 4 for n in need]


def _heading(ws: Worksheet, grid: Grid, heading: str, subtitle: str | None) -> int:
    """The title row, then the subtitle and unit note row if any; the first row of the grid."""
    n = grid.n_cols
    put(ws.cell(1, 1), heading)
    ws.cell(1, 1).font = Font(name=FONT_NAME, size=16, bold=True)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n)
    ws.row_dimensions[1].height = 30
    if not (subtitle or grid.note):
        return 2
    if subtitle:
        put(ws.cell(2, 1), subtitle)
        ws.cell(2, 1).font = Font(name=FONT_NAME, size=11)
        ws.cell(2, 1).alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        # across the table, less the two columns the unit note takes, wrapped (its height is set
        # with the columns' widths): a subtitle a merged cell cannot hold is cut on both sides
        span = n - 2 if grid.note else n
        if span > 1:
            ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=span)
    ws.row_dimensions[2].height = SUBTITLE_POINTS
    if grid.note:
        put(ws.cell(2, n), grid.note)
        ws.cell(2, n).font = Font(name=FONT_NAME, size=FONT_SIZE)
        ws.cell(2, n).alignment = Alignment(horizontal="right")
    return 3


def write_grid(ws: Worksheet, grid: Grid, *, title: str | None = None, subtitle: str | None = None,
               below: tuple[str, ...] = ()) -> None:
    """Lay out one grid on a fresh sheet with print settings; ``title``/``subtitle`` stand in for the
    grid's own (a form is titled by its report); ``below``: lines printed under it."""
    n = grid.n_cols
    subtitle = grid.subtitle or subtitle
    top = _heading(ws, grid, grid.title or title or "", subtitle)
    styles = _StyleCache(ws)
    covered: set[tuple[int, int]] = set()
    for c in grid.cells:
        r, k = top + c.row, 1 + c.col
        if c.rowspan > 1 and not c.text and c.value is None:
            covered |= _open_column(ws, styles, c, r, k)
            continue
        covered.add((r, k))
        cell = ws.cell(r, k)
        value: object = c.value if c.value is not None else c.text
        put(cell, value)
        quoted = isinstance(value, str) and value.startswith(FORMULA_START)
        styles.apply(cell, header=c.header, align=c.align, quoted=quoted,
                     number_format=(c.number_format or "General") if c.value is not None else "@")
        if c.rowspan > 1 or c.colspan > 1:
            _merge(ws, r, k, r + c.rowspan - 1, k + c.colspan - 1)
    for r in range(top, top + grid.n_rows):
        for k in range(1, n + 1):
            if (r, k) not in covered:  # merged-over and empty positions: the border only
                styles.border(ws.cell(r, k))
    widths = [max(6.0, w * CHARS_PER_UNIT) for w in (grid.widths or [2.0] * n)]
    for k, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(k)].width = w
    if subtitle and top == 3:
        merged = next((m.max_col for m in ws.merged_cells.ranges if m.min_row == 2 and m.min_col == 1), 1)
        ws.row_dimensions[2].height = max(SUBTITLE_POINTS, _lines(subtitle, sum(widths[:merged])) * LINE_POINTS + 6)
    for i, height in enumerate(_row_heights(grid, widths)):
        ws.row_dimensions[top + i].height = height
    end = top + grid.n_rows
    if below:
        ws.row_dimensions[end].height = LINE_POINTS
    for i, line in enumerate(below):
        put(ws.cell(end + 1 + i, 1), line)
        ws.cell(end + 1 + i, 1).font = Font(name=FONT_NAME, size=11)
        ws.row_dimensions[end + 1 + i].height = LINE_POINTS + 6
    _print_setup(ws, grid, top, end - 1 + (len(below) + 1 if below else 0), widths)


def _open_column(ws: Worksheet, styles: _StyleCache, c: Cell, r: int, k: int) -> set[tuple[int, int]]:
    """A blank cell spanning rows (the 绩效指标 column beside the indicators), drawn as one box but
    left unmerged, so a page may break through it without cutting a merged cell."""
    done: set[tuple[int, int]] = set()
    for i in range(c.rowspan):
        cell = ws.cell(r + i, k)
        put(cell, "")
        styles.apply(cell, header=c.header, align=c.align, number_format="@")
        cell.border = Border(left=THIN, right=THIN, top=THIN if i == 0 else None,
                             bottom=THIN if i == c.rowspan - 1 else None)
        if c.colspan > 1:
            _merge(ws, r + i, k, r + i, k + c.colspan - 1)
        done |= {(r + i, k + j) for j in range(c.colspan)}
    return done


def _sheet(ws: Worksheet, grid: Grid, top: int, last: int) -> Sheet:
    """The sheet as pagination sees it: heights as written, rows kept with the one above (the
    subtitle, a row under a header row, the lines under the table), merged cells with text."""
    heights = {r: float(ws.row_dimensions[r].height or 15.0) for r in range(1, last + 1)}
    header_only = {c.row for c in grid.cells if c.header} - {c.row for c in grid.cells if not c.header}
    glued = {r for r in range(2, top + 1)} | {top + r + 1 for r in header_only}
    glued |= set(range(top + grid.n_rows, last + 1))
    merges = [(top + c.row, top + c.row + c.rowspan - 1) for c in grid.cells
              if c.rowspan > 1 and (c.text or c.value is not None)]
    repeat_rows: list[int] = []
    if grid.repeat_from is not None:
        repeat_rows = [top + grid.repeat_from]
    elif grid.header_rows:
        repeat_rows = list(range(1, top + grid.header_rows))
    return Sheet(heights=heights, last=last, glued=frozenset(glued), merges=merges,
                 repeat=sum(heights[r] for r in repeat_rows), repeat_after=max(repeat_rows, default=0),
                 table_last=top + grid.n_rows - 1)


def _print_setup(ws: Worksheet, grid: Grid, top: int, last: int, widths: list[float]) -> Pages:
    """A4, the columns scaled to the page width and a page break placed before every page: a
    fixed scale, not “fit to width”, which would make Excel drop the breaks."""
    landscape = grid.landscape or grid.n_cols >= 8
    pages = lay_out(_sheet(ws, grid, top, last), sum(column_points(w) for w in widths), landscape)
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.scale = pages.scale
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    for start in pages.breaks:
        ws.row_breaks.append(Break(id=start - 1))  # a break's id is the last row before it
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = SIDE_MARGIN
    ws.page_margins.top = ws.page_margins.bottom = END_MARGIN
    if grid.repeat_from is not None:
        ws.print_title_rows = f"{top + grid.repeat_from}:{top + grid.repeat_from}"
    elif grid.header_rows:
        ws.print_title_rows = f"1:{top - 1 + grid.header_rows}"
    ws.print_area = f"A1:{get_column_letter(grid.n_cols)}{last}"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    if grid.header_rows and grid.repeat_from is None:
        ws.freeze_panes = ws.cell(top + grid.header_rows, 1)
    return pages


def _workbook(title: str, grids: list[tuple[Grid, str | None, str | None, tuple[str, ...]]]) -> Workbook:
    wb = Workbook()
    default = wb.active
    taken: set[str] = set()
    for grid, heading, subtitle, below in grids:
        ws = wb.create_sheet(sheet_title(grid.title or heading or "表", taken))
        write_grid(ws, grid, title=heading, subtitle=subtitle, below=below)
    if grids and default is not None:
        wb.remove(default)
    wb.properties.title = title
    wb.properties.creator = "jixiao"
    return wb


def build_xlsx(report: Report) -> Workbook:
    """The report's tables; a form (one table) has the report's title and signature lines with it."""
    grids = report.grids()
    below = tuple(f"{line.label}：{line.value}" for line in report.signature) if len(grids) == 1 else ()
    return _workbook(report.title, [(g, None, None, below) if g.title else (g, report.title, report.subtitle, below)
                                    for g in grids])


def write_xlsx(report: Report, path: Path) -> Path:
    build_xlsx(report).save(str(path))
    return path


#: a minus sign before a figure (“-2.84%”, “数据为-904.89万元”), not a dash between words
_MINUS = re.compile(r"(?<![\w.])-(?=\d)")


def _minus_kept(grid: Grid) -> Grid:
    """The grid with each minus before a figure as U+2212, which a wrapped line never ends with
    (LibreOffice breaks after a hyphen-minus: “-” / “117.17%”). The working paper's text only: a
    report's cells are read back by the audit as written."""
    cells = [replace(c, text=_MINUS.sub("\u2212", c.text)) if c.value is None else c for c in grid.cells]
    return replace(grid, cells=cells, subtitle=_MINUS.sub("\u2212", grid.subtitle) if grid.subtitle else grid.subtitle)


def write_workpaper(paper: WorkPaper, path: Path) -> Path:
    """The 审核底稿: one sheet a table, each titled with what it is."""
    _workbook(paper.title, [(_minus_kept(g), None, None, ()) for g in paper.sheets]).save(str(path))
    return path
