"""Pages saved as Excel: the comparison, a unit's trends, an audit's findings and a roll-up.

Every cell is a value, never a formula: a number is a number with the number format that shows
it as the page does (``15.30%`` is 0.153 shown ``0.00%``, ``23204万元`` is 23204 shown ``0`` under
a header that names 万元), at the figure's shown precision; a text is text even when it starts
with ``=``, ``+``, ``-`` or ``@`` (Excel would read those as a formula). Headers are Chinese.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from jixiao.app.pages.comparison import Comparison
from jixiao.app.pages.rollup import Rollup
from jixiao.app.pages.trends import Trends
from jixiao.calc.registry import places_shown
from jixiao.numbers import round_half_up
from jixiao.rules import SEVERITY_LABEL

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_LEAD = ("=", "+", "-", "@")
_TITLE = Font(bold=True, size=14)
_HEAD = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="EEF2F7")
_THIN = Side(style="thin", color="C8D0DA")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


@dataclass(frozen=True)
class Figure:
    """A number as a page shows it: the value, and its display (``15.30%``, ``23204万元``)."""

    value: Decimal | None
    display: str


def number_of(value: Decimal | None, display: str) -> tuple[Decimal, str] | None:
    """(the number a cell holds, its number format) for a figure shown as ``display``: the value
    rounded half-up to the shown decimals; a percentage as a fraction shown with ``%``. None when
    the page shows no number (``不可计算``, ``—``)."""
    if value is None:
        return None
    places = places_shown(display)
    if places is None:
        return None
    shown = round_half_up(value, places)
    fixed = "0" + ("." + "0" * places if places else "")
    if display.rstrip().endswith("%") and not display.rstrip().endswith("个百分点"):
        return shown / 100, fixed + "%"
    return shown, fixed


def put(ws: Worksheet, row: int, col: int, value: Any) -> None:
    """One cell: a :class:`Figure` or Decimal as a number with its format, anything else as text
    (a text that looks like a formula stays text)."""
    cell = ws.cell(row, col)
    if isinstance(value, Figure):
        found = number_of(value.value, value.display)
        if found is None:
            value = value.display if not value.display.startswith("不可计算") else "不可计算"
        else:
            cell.value, cell.number_format = _excel(found[0]), found[1]
            return
    if isinstance(value, bool):
        value = "是" if value else "否"
    if isinstance(value, Decimal | int):
        cell.value = _excel(value)
        if isinstance(value, Decimal):
            places = max(0, -int(value.as_tuple().exponent))
            cell.number_format = "0" + ("." + "0" * places if places else "")
        return
    if value is None:
        return
    text = str(value)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(_FORMULA_LEAD):
        cell.quotePrefix = True


def _excel(value: Decimal | int) -> int | float:
    """A number as Excel keeps it: whole numbers exactly, others as the nearest double (the cell's
    number format shows the written decimals)."""
    if isinstance(value, int) or value == value.to_integral_value():
        return int(value)
    return float(value)


@dataclass
class Sheet:
    """A titled table: title and notes above, Chinese headers, rows of values."""

    name: str
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    notes: Sequence[str] = ()
    widths: Sequence[int] = ()
    bold_last: bool = False  # the last row is a total


def _write(ws: Worksheet, sheet: Sheet) -> None:
    ws.title = sheet.name[:31]
    put(ws, 1, 1, sheet.title)
    ws.cell(1, 1).font = _TITLE
    row = 2
    for note in sheet.notes:
        put(ws, row, 1, note)
        row += 1
    head = row + 1
    for col, header in enumerate(sheet.headers, start=1):
        put(ws, head, col, header)
        cell = ws.cell(head, col)
        cell.font, cell.fill, cell.border = _HEAD, _HEAD_FILL, _BOX
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    # body cells get no border of their own: a style per cell costs openpyxl more than the rest
    # of the file (3,000 rows took seconds); the header row carries the table's lines
    for i, values in enumerate(sheet.rows, start=head + 1):
        for col, value in enumerate(values, start=1):
            put(ws, i, col, value)
            if sheet.bold_last and i == head + len(sheet.rows):
                ws.cell(i, col).font = _HEAD
    for col in range(1, len(sheet.headers) + 1):
        width = sheet.widths[col - 1] if col - 1 < len(sheet.widths) else 14
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = ws.cell(head + 1, 2)


def workbook(sheets: Sequence[Sheet]) -> bytes:
    """The sheets as an .xlsx file."""
    wb = Workbook()
    first = wb.active
    assert first is not None
    for i, sheet in enumerate(sheets):
        _write(first if i == 0 else wb.create_sheet(), sheet)
    wb.properties.creator = "jixiao"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _with_unit(name: str, unit: str) -> str:
    return f"{name}（{unit}）" if unit and unit != "%" else name


# --------------------------------------------------------------------------------------------
# The pages
# --------------------------------------------------------------------------------------------


def comparison_xlsx(data: Comparison) -> bytes:
    """The comparison's rows (all of them, in the page's order): each indicator's value and rank."""
    headers = ["单位代码", "单位", "所属地区", "口径"]
    for c in data.columns:
        headers += [_with_unit(c.name, c.unit), f"{c.name}名次"]
    headers += ["预警", "预警内容"]
    rows = []
    for r in data.rows:
        values: list[Any] = [r.unit, r.name, r.region or "", r.scope or ""]
        for c in data.columns:
            cell = r.cells.get(c.id)
            values += [Figure(cell.value, cell.display) if cell else "—", cell.rank if cell and cell.rank else ""]
        worst = f"{SEVERITY_LABEL[r.worst]} {r.warnings} 条" if r.worst else "无"
        values += [worst, "；".join(r.messages)]
        rows.append(values)
    where = "、".join(part for part in (data.fund, f"{data.level}级单位" if data.level else "全部层级",
                                        data.region) if part)
    notes = [f"{data.year}年 · {where} · 共 {data.total} 个单位；名次按数值从高到低（1 为最高），"
             f"在所列单位内排列；预警按{data.ruleset}。"]
    return workbook([Sheet("单位对比", f"单位对比（{data.year}年）", headers, rows, notes,
                           widths=[12, 28, 24, 10, *([14, 8] * len(data.columns)), 12, 60])])


def trends_xlsx(data: Trends) -> bytes:
    """A unit's indicators by year, as the trends page lists them."""
    headers = ["指标", "单位", *[f"{y}年" for y in data.years], "公式"]
    rows = [[s.name, s.unit, *[Figure(p.value, p.display) if p.value is not None else
                               ("无数据" if p.display == "无数据" else "不可计算") for p in s.points], s.formula]
            for s in data.series]
    notes = [f"{data.unit.name}（{data.unit.code}）" + (f" · {data.fund}" if data.fund else "") +
             f" · 预警按{data.ruleset}"]
    return workbook([Sheet("历年趋势", f"历年趋势：{data.unit.name}", headers, rows, notes,
                           widths=[24, 8, *([14] * len(data.years)), 60])])


def rollup_xlsx(data: Rollup) -> bytes:
    """A roll-up: the subordinates with what each contributed and the total; each fund's sums;
    the indicators on the sums."""
    fund = next((f for f in data.funds if f.fund == data.fund), None)
    heads = ["单位代码", "单位", "层级", "数据", *data.child_figures, "有本年数据的单位", "单位总数",
             "严重预警", "警示", "提示"]
    rows: list[list[Any]] = []
    for c in data.children:
        rows.append([c.unit.code, c.unit.name, c.unit.level, c.source_label,
                     *[_plain(c.figures[p].value, c.figures[p].display) for p in data.child_paths],
                     c.units_with_data, c.units_total, c.warnings.get("serious", 0), c.warnings.get("warning", 0),
                     c.warnings.get("info", 0)])
    if fund is not None:
        rows.append(["", "合计", "", fund.short, *[_plain(data.totals[p].value, data.totals[p].display)
                                                   for p in data.child_paths],
                     data.units_with_data, data.units_total, data.warnings.get("serious", 0),
                     data.warnings.get("warning", 0), data.warnings.get("info", 0)])
    notes = [f"{data.unit.name}（{data.unit.code}）{data.year}年 · 各下级单位" +
             (f"的{fund.fund}" if fund else "") + "数据；合计行为各下级单位之和（不含本单位自己的记录）"]
    sheets = [Sheet("下级单位", f"下级单位合计（{data.year}年）", heads, rows, notes,
                    widths=[12, 28, 8, 16, *([16] * len(data.child_paths)), 10, 10, 10, 10, 10],
                    bold_last=fund is not None)]
    sums = [[f.short, x.label, _plain(x.value, x.display), x.unit] for f in data.funds for x in f.figures]
    gaps = [[f.short, g.label, "未合计：缺 " + "、".join(g.missing), ""] for f in data.funds for g in f.gaps]
    sheets.append(Sheet("各基金合计", f"各基金合计数（{data.year}年）", ["基金", "项目", "合计", "单位"],
                        sums + gaps, widths=[18, 28, 18, 8]))
    indicators = [[f.short, i.name, Figure(i.value, i.display), i.unit, i.formula]
                  for f in data.funds for i in f.indicators]
    sheets.append(Sheet("按合计数计算的指标", f"按合计数计算的指标（{data.year}年）",
                        ["基金", "指标", "数值", "单位", "公式"], indicators, [f"指标与预警按{data.ruleset}"],
                        widths=[18, 28, 14, 8, 60]))
    return workbook(sheets)


def _plain(value: Decimal | None, display: str) -> Any:
    """A written figure (``151661万元``, ``0.5万人`` summed in 人) as its number, or its text."""
    if value is None:
        return display
    return value


def findings_xlsx(file: str, findings: Sequence[Any], summary: str) -> bytes:
    """An audit's findings, in the page's order."""
    labels = {"error": "错误", "warning": "提示", "info": "说明"}
    rows = [[n, f.line or "", f.page or "", labels.get(f.severity, f.severity), f.title, f.message, f.stated,
             f.expected, f.quote] for n, f in enumerate(findings, start=1)]
    return workbook([Sheet("审核发现", f"报告审核：{file}", ["序号", "行", "页", "级别", "问题", "说明", "所述", "应为",
                                                        "原文"], rows, [summary],
                           widths=[6, 6, 6, 8, 20, 60, 14, 14, 60])])


__all__ = ["XLSX", "Figure", "Sheet", "comparison_xlsx", "findings_xlsx", "number_of", "rollup_xlsx",
           "trends_xlsx", "workbook"]
