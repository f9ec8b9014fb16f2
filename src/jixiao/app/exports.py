"""Pages saved as Excel: the comparison, a unit's trends, an audit's findings and a roll-up.

Every cell is a value, never a formula: a number is a number with the number format that shows
it as the page does (``15.30%`` is 0.153 shown ``0.00%``, ``23204万元`` is 23204 shown ``0`` under
a header that names 万元), at the figure's shown precision; a text is text even when it starts
with ``=``, ``+``, ``-`` or ``@`` (Excel would read those as a formula). Headers are Chinese.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from jixiao.app.pages.comparison import Comparison
from jixiao.app.pages.monitoring import MonitoredFund, MonitoringPage, MonitoringRollup
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
             "严重预警", "警示", "提示", "报送状态"]
    rows: list[list[Any]] = []
    for c in data.children:
        rows.append([c.unit.code, c.unit.name, c.unit.level, c.source_label,
                     *[_plain(c.figures[p].value, c.figures[p].display) for p in data.child_paths],
                     c.units_with_data, c.units_total, c.warnings.get("serious", 0), c.warnings.get("warning", 0),
                     c.warnings.get("info", 0), c.status or ""])
    if fund is not None:
        rows.append(["", "合计", "", fund.short, *[_plain(data.totals[p].value, data.totals[p].display)
                                                   for p in data.child_paths],
                     data.units_with_data, data.units_total, data.warnings.get("serious", 0),
                     data.warnings.get("warning", 0), data.warnings.get("info", 0), ""])
    notes = [f"{data.unit.name}（{data.unit.code}）{data.year}年 · 各下级单位" +
             (f"的{fund.fund}" if fund else "") + "数据；合计行为各下级单位之和（不含本单位自己的记录）"]
    if data.status_counts is not None:
        notes.append("报送状态（下级单位，各级）：" + "；".join(f"{k} {n}" for k, n in data.status_counts.items()))
    sheets = [Sheet("下级单位", f"下级单位合计（{data.year}年）", heads, rows, notes,
                    widths=[12, 28, 8, 16, *([16] * len(data.child_paths)), 10, 10, 10, 10, 10, 12],
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


def _fund_sheets(funds: Sequence[MonitoredFund], when: str, ruleset: str) -> list[Sheet]:
    """The monitoring page's tables of some funds: indicators, execution month by month against
    序时进度, warnings, the year-end projection."""
    indicators = [[f.label, i.name, Figure(i.value, i.display) if i.value is not None else "不可计算", i.unit,
                   i.formula] for f in funds for i in f.indicators]
    progress = [[f.label, f"1-{p.month}月", _percent(p.time_progress), _percent(p.income_execution),
                 _percent(p.expenditure_execution)] for f in funds for p in f.progress]
    warnings = [[f.label, w.severity_label, w.message, w.basis or ""] for f in funds for w in f.warnings]
    projections: list[list[Any]] = []
    for f in funds:
        for p in f.projections:
            projections.append([f.label, p.side_label, _whole(p.value), _whole(p.low), _whole(p.high), p.method_label,
                                p.text])
    return [
        Sheet("监测指标", f"监测指标（{when}）", ["基金", "指标", "数值", "单位", "公式"], indicators,
              [f"指标与预警按{ruleset}"], widths=[24, 30, 14, 8, 60]),
        Sheet("执行进度", f"累计执行进度与序时进度（{when}）",
              ["基金", "期间", "序时进度", "收入执行进度", "支出执行进度"], progress,
              ["执行进度 = 累计数 ÷ 年度预算；没有年度预算时为“—”"], widths=[24, 10, 12, 14, 14]),
        Sheet("预警", f"预警（{when}）", ["基金", "级别", "内容", "依据"], warnings or [["", "", "没有预警", ""]],
              widths=[24, 8, 70, 40]),
        Sheet("全年预计", f"全年预计（{when}）",
              ["基金", "项目", "预计数（万元）", "区间下限（万元）", "区间上限（万元）", "方法", "说明"], projections,
              widths=[24, 10, 14, 14, 14, 18, 70]),
    ]


def _percent(value: Decimal | None) -> Any:
    return "—" if value is None else Figure(value, f"{value:.2f}%")


def _whole(value: Decimal | None) -> Any:
    """万元 as the page shows a projection: whole 万元."""
    return "" if value is None else Figure(value, f"{value:.0f}万元")


def monitoring_xlsx(data: MonitoringPage) -> bytes:
    """A unit's monitoring page: its tables as sheets, the same figures at the page's precision."""
    when = f"{data.year}年1-{data.month}月" if data.month else f"{data.year}年"
    notes = [f"{data.unit.name}（{data.unit.code}）· 序时进度{data.basis} · 预警按{data.ruleset}"]
    notes += [f"{d.title}：{d.message}" for d in data.disagreements]
    if data.missing:
        notes.append(f"以下基金没有到 {data.month} 月的累计数：{'、'.join(data.missing)}")
    sheets = _fund_sheets(data.funds, when, data.ruleset)
    sheets[0].notes = notes
    return workbook(sheets)


def monitoring_rollup_xlsx(data: MonitoringRollup) -> bytes:
    """A parent's monitoring roll-up: each subordinate's row per fund, then the total's tables."""
    when = f"{data.year}年1-{data.month}月" if data.month else f"{data.year}年"
    rows: list[list[Any]] = []
    for c in data.children:
        if not c.funds:
            rows.append([c.unit.code, c.unit.name, c.source_label, "", *[""] * len(data.indicator_ids), ""])
        for f in c.funds:
            rows.append([c.unit.code, c.unit.name, c.source_label, f.short,
                         *[_shown(f.values.get(i)) for i in data.indicator_ids],
                         "；".join(w.message for w in f.warnings)])
    heads = ["单位代码", "单位", "数据", "基金", *data.indicators, "预警"]
    notes = [f"{data.unit.name}（{data.unit.code}）· 各直属下级单位监测到{when}，各按本单位规则；合计按{data.ruleset}"]
    first = Sheet("下级单位", f"下级单位基金运行监测（{when}）", heads, rows, notes,
                  widths=[12, 28, 14, 22, *([14] * len(data.indicator_ids)), 70])
    total = _fund_sheets(data.total, f"下级单位合计 {when}", data.ruleset)
    for sheet in total:
        sheet.name = f"合计{sheet.name}"
    return workbook([first, *total])


_LEADING_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _shown(display: str | None) -> Any:
    """A figure the roll-up shows as text (``50.00%``, ``1234万元``) as its number, else the text."""
    if display is None:
        return "—"
    number = _LEADING_NUMBER.match(display)
    return Figure(Decimal(number.group()), display) if number else display


def findings_xlsx(file: str, findings: Sequence[Any], summary: str) -> bytes:
    """An audit's findings, in the page's order."""
    labels = {"error": "错误", "warning": "提示", "info": "说明"}
    rows = [[n, f.line or "", f.page or "", labels.get(f.severity, f.severity), f.title, f.message, f.stated,
             f.expected, f.quote] for n, f in enumerate(findings, start=1)]
    return workbook([Sheet("审核发现", f"报告审核：{file}", ["序号", "行", "页", "级别", "问题", "说明", "所述", "应为",
                                                        "原文"], rows, [summary],
                           widths=[6, 6, 6, 8, 20, 60, 14, 14, 60])])


__all__ = ["XLSX", "Figure", "Sheet", "comparison_xlsx", "findings_xlsx", "monitoring_rollup_xlsx", "monitoring_xlsx",
           "number_of", "rollup_xlsx", "trends_xlsx", "workbook"]
