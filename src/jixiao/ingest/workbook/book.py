"""One workbook being read: its cells as plain values for a field's kind (numbers at the
precision they show, text, dates), and every problem named by sheet and cell."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.worksheet import Worksheet

from jixiao.ingest.workbook.cells import date_text, number_text
from jixiao.ingest.workbook.layout import (
    COMMON_TABLES,
    GROUP_LABEL,
    GROUPS,
    HEADER_ROW,
    INSTRUCTIONS,
    REQUIRED_MARK,
    SHEETS_OF,
    TABLE_FIRST_ROW,
    UNIT_SHEET,
    VALUE_COL,
    Column,
    FieldSpec,
    FormSheet,
    Group,
    Section,
    TableSheet,
    all_sheet_names,
    group_of_sheet,
)
from jixiao.model import FUNDS
from jixiao.numbers import UnitError, parse_quantity
from jixiao.problems import Problem, Severity
from jixiao.rules import ProportionalScoreRule, load_ruleset

MAX_WORKBOOK_BYTES = 20 * 1024 * 1024
#: more rows than this in one sheet is not a fill-in form
MAX_ROWS = 5000
MAX_COLS = 200

Loc = tuple[str | int, ...]

NATURE_ALIASES = {">=": "≥", "＞=": "≥", "≧": "≥", "<=": "≤", "＜=": "≤", "≦": "≤", "＞": ">", "＜": "<", "＝": "="}
FUND_ALIASES = {info.short: kind.value for kind, info in FUNDS.items()}
LITERAL_FORMULA = re.compile(r"^=\s*[-+]?\d+(?:\.\d+)?\s*%?$")
NUMBER_START = re.compile(r"^(?:约|近)?\s*[-+]?[\d.,]*\d")



def budget_execution_weight() -> Decimal:
    """分值 of 预算执行率 in the default rule set (10): the indicators then carry 100 − 10."""
    try:
        rule = load_ruleset("default").rule("project_budget_execution_score")
        if isinstance(rule, ProportionalScoreRule):
            return Decimal(rule.weight)
    except (KeyError, ValueError, ImportError):
        pass
    return Decimal(10)


def strip_label(text: str) -> str:
    return re.sub(r"\s+", "", text).removesuffix(REQUIRED_MARK).removesuffix("*")


def cell_text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value))


@dataclass
class Record:
    """Plain data of one record being assembled, and where each of its values came from."""

    loc: Loc  # ("fund_years", 0)
    label: str
    data: dict[str, Any] = field(default_factory=dict)
    touched: bool = False

    def put(self, path: tuple[str, ...], value: Any) -> None:
        node = self.data
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
        self.touched = True


class WorkbookReader:
    """Reads one workbook; collects problems instead of raising."""

    def __init__(self, source: str, wb: Workbook, path: Path | bytes | None = None) -> None:
        self.source = source
        self.wb = wb
        self.path = path
        self._values: Workbook | None = None
        self.problems: list[Problem] = []
        self.cells: dict[Loc, str] = {}
        self.sheets: dict[str, Worksheet] = {}
        self.money_unit = "万元"

    # ----------------------------------------------------------------------------------------
    # problems and cells
    # ----------------------------------------------------------------------------------------

    def problem(self, code: str, message: str, where: str | None, severity: Severity = "error",
                **details: str) -> None:
        self.problems.append(Problem(code, message, severity, self.source, where, None, dict(details)))

    @property
    def errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    @staticmethod
    def addr(ws: Worksheet, row: int, col: int) -> str:
        return f"{ws.title}!{get_column_letter(col)}{row}"

    def _cached(self, ws: Worksheet, cell: Cell) -> Any:
        """The value Excel computed for a formula cell (None when never computed)."""
        if self._values is None:
            if self.path is None:
                return None
            file = io.BytesIO(self.path) if isinstance(self.path, bytes) else self.path
            self._values = load_workbook(file, data_only=True, read_only=False)
        return self._values[ws.title][cell.coordinate].value

    def value(self, ws: Worksheet, row: int, col: int, f: FieldSpec | None, what: str) -> Any:
        """The cell as plain data for field ``f`` (None: empty or unusable, with a problem)."""
        cell = ws.cell(row, col)
        raw = cell.value
        where = self.addr(ws, row, col)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        computed = False
        if isinstance(raw, ArrayFormula) or (cell.data_type == "f" and isinstance(raw, str)):
            text = raw.text if isinstance(raw, ArrayFormula) else raw
            if (f is None or f.kind in ("text", "enum")) and LITERAL_FORMULA.match(str(text)):
                return str(text).strip()  # "=100%" typed as a target is a comparison, not a formula
            raw = self._cached(ws, cell)
            computed = True
            if raw is None:
                self.problem("JX-WB-006", f"{what}：单元格是公式（{text}）但没有计算结果；请在 Excel/WPS 中打开并保存，"
                             "或直接填写数值", where)
                return None
        kind = f.kind if f is not None else "text"
        if isinstance(raw, bool):
            self.problem("JX-WB-006", f"{what}：单元格是逻辑值（{'是' if raw else '否'}），应填"
                         f"{'文字' if kind in ('text', 'enum') else '数值'}", where)
            return None
        if isinstance(raw, datetime | date | time):
            if kind == "text" and not isinstance(raw, time):
                return date_text(raw)
            self.problem("JX-WB-006", f"{what}：单元格被 Excel 识别为日期/时间，应填"
                         f"{'数值' if kind != 'text' else '文字'}（可先把单元格设为文本格式再输入）", where)
            return None
        if isinstance(raw, int | float):
            nt = number_text(raw, cell.number_format, computed=computed)
            if nt.rounded_from is not None:
                self.problem("JX-WB-020", f"{what}：单元格中的数 {nt.rounded_from} 按显示的小数位数读作 {nt.text}",
                             where, "info")
            return self._number(nt.text, f, what, where)
        if not isinstance(raw, str):
            self.problem("JX-WB-006", f"{what}：无法识别的单元格内容", where)
            return None
        return self._string(raw, f, what, where)

    def _number(self, text: str, f: FieldSpec | None, what: str, where: str) -> Any:
        if f is None or f.kind in ("text", "enum") or f.is_quantity:
            return text
        # int
        try:
            d = Decimal(text.removesuffix("%"))
        except InvalidOperation:  # pragma: no cover - number_text always gives a number
            d = Decimal("NaN")
        if text.endswith("%") or not d.is_finite() or d != d.to_integral_value():
            self.problem("JX-WB-006", f"{what}：应为整数，单元格中是 {text}", where)
            return None
        return str(int(d))

    def _string(self, raw: str, f: FieldSpec | None, what: str, where: str) -> Any:
        text = raw.strip()
        if f is None or f.kind == "text":
            return text
        if f.kind == "enum":
            if f.path == ("nature",):
                return NATURE_ALIASES.get(text, text)
            if f.path == ("fund",):
                return FUND_ALIASES.get(text, text)
            return text
        if f.kind == "int":
            cleaned = text.removesuffix("年") if f.name == "year" else text
            cleaned = cleaned.removesuffix(f.unit) if f.unit else cleaned
            try:
                return str(int(cleaned.replace(",", "")))
            except ValueError:
                self.problem("JX-WB-006", f"{what}：“{text}”不是整数", where)
                return None
        # a figure written as text: "7.42亿元", "655.50", "1.8067万人", "15.30%"
        default = self.money_unit if f.is_money else f.unit
        example = EXAMPLE.get(f.kind, "74200")
        if not NUMBER_START.match(text):
            self.problem("JX-WB-006", f"{what}：“{text}”不是数值，这一格应填数字（如 {example}）", where)
            return None
        probe = text + "元" if f.is_money and text.endswith(("万", "亿")) else text
        try:
            q = parse_quantity(probe, default)
        except UnitError as exc:
            self.problem("JX-WB-006", f"{what}：“{text}”无法识别为数值（{exc}）", where)
            return None
        except ValueError as exc:
            reason = str(exc) if "位数过多" in str(exc) else f"应填数字，可带单位，如 {example}"
            self.problem("JX-WB-006", f"{what}：“{text[:40]}”无法识别为数值（{reason}）", where)
            return None
        if f.is_money and q.unit and q.unit != default and q.dimension == "money":
            converted = q.value_in(default).normalize()
            self.problem("JX-WB-020", f"{what}：按所写单位读取“{text}”（= {converted:f}{default}）", where, "info")
        return text

    # ----------------------------------------------------------------------------------------
    # sheets
    # ----------------------------------------------------------------------------------------

    def check_sheets(self) -> list[Group]:
        known = {INSTRUCTIONS, UNIT_SHEET, *(s.name for s in COMMON_TABLES),
                 *(s.name for g in GROUPS for s in SHEETS_OF[g])}
        groups: list[Group] = []
        for ws in self.wb.worksheets:
            name = ws.title.strip()
            if name not in known:
                expected = "、".join(sorted(known - {INSTRUCTIONS}, key=sheet_order))
                self.problem("JX-WB-002", f"未知工作表“{ws.title}”：填报工作簿只能有这些工作表：{expected}"
                             "（是否改了工作表名称，或选错了文件？）", f"{ws.title}")
                continue
            if ws.max_row > MAX_ROWS or ws.max_column > MAX_COLS:
                self.problem("JX-WB-004", f"工作表“{ws.title}”有 {ws.max_row} 行、{ws.max_column} 列，"
                             "超出填报表的范围", ws.title)
                continue
            self.sheets[name] = ws
            g = group_of_sheet(name)
            if g is not None and g not in groups:
                groups.append(g)
        if UNIT_SHEET not in self.sheets and not any(p.path == UNIT_SHEET for p in self.problems):
            self.problem("JX-WB-003", f"缺少工作表“{UNIT_SHEET}”（单位代码、年度在这张表里填写）", UNIT_SHEET)
        if not groups and not self.errors:
            self.problem("JX-WB-003", "工作簿中没有基金、部门或项目数据表（是否选错了文件？"
                         "空白填报工作簿可在网站的“上传工作簿”页下载）", None)
        for g in groups:
            for s in SHEETS_OF[g]:
                if s.name not in self.sheets:
                    names = "、".join(x.name for x in SHEETS_OF[g])
                    self.problem("JX-WB-003", f"缺少工作表“{s.name}”（{GROUP_LABEL[g]}数据应有：{names}）", s.name)
        return sorted(groups, key=GROUPS.index)

    def header(self, ws: Worksheet, col: int, expected: set[str], row: int = HEADER_ROW) -> bool:
        got = strip_label(cell_text(ws.cell(row, col).value))
        if got in {strip_label(e) for e in expected}:
            return True
        shown = "”或“".join(sorted(expected))
        self.problem("JX-WB-004", f"表头不对：这里应为“{shown}”，实为“{got or '（空）'}”"
                     "（这张表是否被其他内容替换，或删改了表头？）", self.addr(ws, row, col))
        return False

    def form_rows(self, ws: Worksheet, sheet: FormSheet, n_cols: int) -> Iterator[tuple[int, FieldSpec]]:
        """(row, field) for every labelled row of a form sheet; unknown labels are problems."""
        labels: dict[str, FieldSpec] = {}
        for f in sheet.fields:
            for label in f.labels():
                labels[strip_label(label)] = f
        sections = {strip_label(s.title) for s in sheet.sections if isinstance(s, Section) and s.title}
        seen: dict[FieldSpec, int] = {}
        for row in range(sheet.header_rows + 1, ws.max_row + 1):
            label = strip_label(cell_text(ws.cell(row, 1).value))
            has_values = any(cell_text(ws.cell(row, c).value) for c in range(VALUE_COL, VALUE_COL + n_cols))
            if not label:
                if has_values:
                    self.problem("JX-WB-005", "这一行有数值但没有项目名称（A列为空）", self.addr(ws, row, 1))
                continue
            if label in sections:
                if has_values:
                    self.problem("JX-WB-005", f"“{cell_text(ws.cell(row, 1).value)}”是分组标题行，不填数值"
                                 "（数值应填在其下方各栏目的行里）", self.addr(ws, row, 1))
                continue
            found = labels.get(label)
            if found is None:
                self.problem("JX-WB-005", f"未知项目“{cell_text(ws.cell(row, 1).value)}”：不是“{ws.title}”表的栏目"
                             "（是否改动了项目名称？）", self.addr(ws, row, 1))
                continue
            if found in seen:
                self.problem("JX-WB-008", f"项目“{found.title}”在第{seen[found]}行已有，这一行重复",
                             self.addr(ws, row, 1))
                continue
            seen[found] = row
            yield row, found

    def table_columns(self, ws: Worksheet, sheet: TableSheet) -> dict[str, int] | None:
        headers: dict[str, Column] = {}
        for c in sheet.columns:
            names = {c.header} | (c.field.labels() if c.field is not None else set())
            for name in names:
                headers[strip_label(name)] = c
        found: dict[str, int] = {}
        ok = True
        for col in range(1, ws.max_column + 1):
            text = cell_text(ws.cell(HEADER_ROW, col).value)
            if not text:
                continue
            column = headers.get(strip_label(text))
            if column is None:
                self.problem("JX-WB-004", f"未知列“{text}”：“{ws.title}”表的列应为 "
                             f"{'、'.join(c.header for c in sheet.columns)}（这张表是否被其他内容替换？）",
                             self.addr(ws, HEADER_ROW, col))
                ok = False
            elif column.key in found:
                self.problem("JX-WB-008", f"列“{text}”重复", self.addr(ws, HEADER_ROW, col))
                ok = False
            else:
                found[column.key] = col
        for c in sheet.columns:
            if c.key not in found and c.required and c.key != "project":
                expected = "、".join(x.header for x in sheet.columns)
                self.problem("JX-WB-004", f"缺少列“{c.header}”（“{ws.title}”表应有：{expected}）", ws.title)
                ok = False
        return found if ok else None

    def table_rows(self, ws: Worksheet, columns: dict[str, int]) -> Iterator[int]:
        for row in range(TABLE_FIRST_ROW, ws.max_row + 1):
            if any(cell_text(ws.cell(row, col).value) for col in columns.values()):
                yield row


EXAMPLE = {"money": "74200 或 7.42亿元", "signed_money": "-9054", "persons": "388079 或 1.8067万人",
            "person_times": "40101", "rate": "15.30%", "per_capita": "806"}


def sheet_order(name: str) -> int:
    names = all_sheet_names()
    return names.index(name) if name in names else len(names)

