"""Read a filled workbook back into a :class:`~jixiao.model.Dataset`.

The workbook becomes the same plain data a YAML file gives (numbers as the strings they were
written as), then goes through :func:`jixiao.ingest.files.load_data` and :mod:`jixiao.ingest.validate` like any
other input. Every problem is named by sheet and cell (``Problem.path = "基金收入!C5"``; the
model path is kept in ``details["field"]``). Any error → no dataset, so nothing is written.

Rows are found by their labels (a user may insert or delete rows), columns of tables by their
headers; fund columns follow the fund list of 单位与年度, project columns the 项目名称 row.
Numbers are read by the precision rule of :mod:`jixiao.ingest.workbook.cells`.

Problem codes (besides the loader's ``JX-IN-*``):

* ``JX-WB-001`` the file cannot be opened as an .xlsx workbook;
* ``JX-WB-002`` a sheet this workbook cannot have; ``JX-WB-003`` a sheet it must have;
* ``JX-WB-004`` a header that is not the template's (wrong or reordered sheet content);
* ``JX-WB-005`` a row label that is not a field of the sheet;
* ``JX-WB-006`` a value that is not what the cell needs (text in a number cell, a date...);
* ``JX-WB-007`` a row or value that belongs to no record (unknown 险种 column, 项目, 记录);
* ``JX-WB-008`` a duplicate (indicator row, 指标代码, project name, label);
* ``JX-WB-009`` 分值 (weights) not summing to 100, or 得分 above 分值;
* ``JX-WB-010`` a required cell left empty (单位代码, 年度, 险种...);
* ``JX-WB-020`` (info) a value read differently from how it looks: rounded to the displayed
  decimals, or converted from another unit (``7.42亿元``).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.worksheet import Worksheet

from jixiao.ingest.data import ReadResult, dataset_from_data
from jixiao.ingest.validate import duplicate_records, validate_dataset
from jixiao.ingest.workbook.cells import date_text, number_text
from jixiao.ingest.workbook.layout import (
    COMMON_TABLES,
    DEPARTMENT_RECORD,
    FUND_KIND,
    FUND_LIST_HEADER,
    FUND_SCOPE,
    GROUP_LABEL,
    GROUPS,
    HEADER_ROW,
    INSTRUCTIONS,
    PROJECT_NAME,
    REQUIRED_MARK,
    SHEETS_OF,
    TABLE_FIRST_ROW,
    UNIT_FIELDS,
    UNIT_REQUIRED,
    UNIT_SHEET,
    VALUE_COL,
    Column,
    FieldSpec,
    FormSheet,
    Group,
    MatrixSheet,
    Section,
    TableSheet,
    fund_labels,
    group_of_sheet,
)
from jixiao.model import FUNDS
from jixiao.numbers import UnitError, parse_quantity
from jixiao.problems import Problem, Severity

MAX_WORKBOOK_BYTES = 20 * 1024 * 1024
#: more rows than this in one sheet is not a fill-in form
MAX_ROWS = 5000
MAX_COLS = 200

Loc = tuple[str | int, ...]

_NATURE_ALIASES = {">=": "≥", "＞=": "≥", "≧": "≥", "<=": "≤", "＜=": "≤", "≦": "≤", "＞": ">", "＜": "<", "＝": "="}
_FUND_ALIASES = {info.short: kind.value for kind, info in FUNDS.items()}
_LITERAL_FORMULA = re.compile(r"^=\s*[-+]?\d+(?:\.\d+)?\s*%?$")
_NUMBER_START = re.compile(r"^(?:约|近)?\s*[-+]?[\d.,]*\d")


def _budget_execution_weight() -> Decimal:
    """分值 of 预算执行率 in the default rule set (10): the indicators then carry 100 − 10."""
    try:
        from jixiao.rules import ProportionalScoreRule, load_ruleset

        rule = load_ruleset("default").rule("project_budget_execution_score")
        if isinstance(rule, ProportionalScoreRule):
            return Decimal(rule.weight)
    except (KeyError, ValueError, ImportError):
        pass
    return Decimal(10)


def _strip_label(text: str) -> str:
    return re.sub(r"\s+", "", text).removesuffix(REQUIRED_MARK).removesuffix("*")


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value))


@dataclass
class _Record:
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
            if (f is None or f.kind in ("text", "enum")) and _LITERAL_FORMULA.match(str(text)):
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
                return _NATURE_ALIASES.get(text, text)
            if f.path == ("fund",):
                return _FUND_ALIASES.get(text, text)
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
        example = _EXAMPLE.get(f.kind, "74200")
        if not _NUMBER_START.match(text):
            self.problem("JX-WB-006", f"{what}：“{text}”不是数值，这一格应填数字（如 {example}）", where)
            return None
        probe = text + "元" if f.is_money and text.endswith(("万", "亿")) else text
        try:
            q = parse_quantity(probe, default)
        except UnitError as exc:
            self.problem("JX-WB-006", f"{what}：“{text}”无法识别为数值（{exc}）", where)
            return None
        except ValueError:
            self.problem("JX-WB-006", f"{what}：“{text}”无法识别为数值（应填数字，可带单位，如 {example}）", where)
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
                expected = "、".join(sorted(known - {INSTRUCTIONS}, key=_sheet_order))
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
                         "可用 jixiao template fund|department|project 生成填报表）", None)
        for g in groups:
            for s in SHEETS_OF[g]:
                if s.name not in self.sheets:
                    names = "、".join(x.name for x in SHEETS_OF[g])
                    self.problem("JX-WB-003", f"缺少工作表“{s.name}”（{GROUP_LABEL[g]}数据应有：{names}）", s.name)
        return sorted(groups, key=GROUPS.index)

    def header(self, ws: Worksheet, col: int, expected: set[str], row: int = HEADER_ROW) -> bool:
        got = _strip_label(_text(ws.cell(row, col).value))
        if got in {_strip_label(e) for e in expected}:
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
                labels[_strip_label(label)] = f
        sections = {_strip_label(s.title) for s in sheet.sections if isinstance(s, Section) and s.title}
        seen: dict[FieldSpec, int] = {}
        for row in range(sheet.header_rows + 1, ws.max_row + 1):
            label = _strip_label(_text(ws.cell(row, 1).value))
            has_values = any(_text(ws.cell(row, c).value) for c in range(VALUE_COL, VALUE_COL + n_cols))
            if not label:
                if has_values:
                    self.problem("JX-WB-005", "这一行有数值但没有项目名称（A列为空）", self.addr(ws, row, 1))
                continue
            if label in sections:
                if has_values:
                    self.problem("JX-WB-005", f"“{_text(ws.cell(row, 1).value)}”是分组标题行，不填数值"
                                 "（数值应填在其下方各栏目的行里）", self.addr(ws, row, 1))
                continue
            found = labels.get(label)
            if found is None:
                self.problem("JX-WB-005", f"未知项目“{_text(ws.cell(row, 1).value)}”：不是“{ws.title}”表的栏目"
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
                headers[_strip_label(name)] = c
        found: dict[str, int] = {}
        ok = True
        for col in range(1, ws.max_column + 1):
            text = _text(ws.cell(HEADER_ROW, col).value)
            if not text:
                continue
            column = headers.get(_strip_label(text))
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
            if any(_text(ws.cell(row, col).value) for col in columns.values()):
                yield row


_EXAMPLE = {"money": "74200 或 7.42亿元", "signed_money": "-9054", "persons": "388079 或 1.8067万人",
            "person_times": "40101", "rate": "15.30%", "per_capita": "806"}


def _sheet_order(name: str) -> int:
    from jixiao.ingest.workbook.layout import all_sheet_names

    names = all_sheet_names()
    return names.index(name) if name in names else len(names)


# --------------------------------------------------------------------------------------------
# The workbook as plain data
# --------------------------------------------------------------------------------------------


@dataclass
class _Plain:
    money_unit: str = "万元"
    source: str | None = None
    unit: dict[str, Any] = field(default_factory=dict)
    funds: list[_Record] = field(default_factory=list)
    department: _Record | None = None
    projects: list[_Record] = field(default_factory=list)


def _read_unit_sheet(r: WorkbookReader, plain: _Plain, groups: list[Group]) -> tuple[str | None, int | None]:
    ws = r.sheets[UNIT_SHEET]
    r.header(ws, 1, {"项目"})
    labels = {_strip_label(f.title): f for f in UNIT_FIELDS}
    rows: dict[str, int] = {}
    fund_header: int | None = None
    for row in range(HEADER_ROW + 1, ws.max_row + 1):
        label = _strip_label(_text(ws.cell(row, 1).value))
        if label == FUND_LIST_HEADER:
            fund_header = row
            break
        f = labels.get(label)
        if f is not None:
            rows[f.name] = row
        elif label:
            r.problem("JX-WB-005", f"未知项目“{_text(ws.cell(row, 1).value)}”", r.addr(ws, row, 1))
    values: dict[str, Any] = {}
    for f in UNIT_FIELDS:
        if f.name not in rows:
            if f.name in UNIT_REQUIRED:
                r.problem("JX-WB-005", f"“{UNIT_SHEET}”表中找不到“{f.title}”一行", UNIT_SHEET)
            continue
        row = rows[f.name]
        r.cells[("unit_sheet", f.name)] = r.addr(ws, row, VALUE_COL)
        v = r.value(ws, row, VALUE_COL, f, f.title)
        if v is None and f.name in UNIT_REQUIRED and not any(p.path == r.addr(ws, row, VALUE_COL) for p in r.problems):
            r.problem("JX-WB-010", f"缺少必填项“{f.title}”", r.addr(ws, row, VALUE_COL))
        if v is not None:
            values[f.name] = v
    if values.get("money_unit"):
        plain.money_unit = str(values["money_unit"])
        r.money_unit = plain.money_unit if plain.money_unit in ("元", "万元", "亿元") else "万元"
    plain.source = values.get("source")
    code = values.get("code")
    year_text = values.get("year")
    year = int(year_text) if year_text is not None else None
    unit_fields = {k: v for k, v in values.items() if k in ("code", "name", "level", "kind", "parent", "region")}
    if set(unit_fields) - {"code"}:
        plain.unit = unit_fields
    if "fund" in groups:
        if fund_header is None:
            r.problem("JX-WB-004", f"“{UNIT_SHEET}”表中找不到基金列表（表头“{FUND_LIST_HEADER}”“{FUND_KIND.title}”）",
                      UNIT_SHEET)
        else:
            r.header(ws, 2, {FUND_KIND.title}, fund_header)
            _read_fund_list(r, ws, fund_header, plain)
    return (str(code) if code is not None else None), year


def _read_fund_list(r: WorkbookReader, ws: Worksheet, header: int, plain: _Plain) -> None:
    slots: list[tuple[int, str | None, str | None]] = []
    for row in range(header + 1, ws.max_row + 1):
        fund = r.value(ws, row, 2, FUND_KIND, FUND_KIND.title)
        scope = r.value(ws, row, 3, FUND_SCOPE, FUND_SCOPE.title)
        slots.append((row, fund, scope))
    labels = fund_labels([(fund, scope) for _, fund, scope in slots])
    first: dict[tuple[str, str | None], int] = {}
    for i, (row, fund, scope) in enumerate(slots):
        if fund and (fund, scope) in first:
            scope_text = f"（口径 {scope}）" if scope else ""
            r.problem("JX-WB-008", f"险种/基金“{fund}”{scope_text}与基金{first[(fund, scope)] + 1}重复："
                      "同一险种同一口径只填一列", r.addr(ws, row, 2))
        elif fund:
            first[(fund, scope)] = i
    j = 0
    for i, (row, fund, scope) in enumerate(slots):
        if not fund:
            plain.funds.append(_Record(("unassigned", i), f"基金{i + 1}"))
            if scope:
                r.problem("JX-WB-010", f"基金{i + 1}填了口径但没有选择险种/基金", r.addr(ws, row, 2))
            continue
        record = _Record(("fund_years", j), labels[i])
        record.data = {"fund": fund}
        if scope:
            record.data["scope"] = scope
        r.cells[("fund_years", j)] = r.addr(ws, row, 2)
        r.cells[("fund_years", j, "fund")] = r.addr(ws, row, 2)
        r.cells[("fund_years", j, "scope")] = r.addr(ws, row, 3)
        record.touched = True
        plain.funds.append(record)
        j += 1


def _form_sheet(r: WorkbookReader, sheet: FormSheet, records: list[_Record], plain: _Plain) -> None:
    ws = r.sheets[sheet.name]
    if not r.header(ws, 1, {"项目", sheet.header}):
        return
    n_cols = max(len(records), ws.max_column - VALUE_COL + 1)
    for row, f in r.form_rows(ws, sheet, n_cols):
        for i in range(n_cols):
            col = VALUE_COL + i
            record = records[i] if i < len(records) else None
            if record is not None and record.loc[0] != "unassigned":
                r.cells[(*record.loc, *f.path)] = r.addr(ws, row, col)
            if not _text(ws.cell(row, col).value):
                continue
            what = f"{f.title}（{record.label}）" if record is not None and sheet.group != "department" else f.title
            v = r.value(ws, row, col, f, what)
            if v is None:
                continue
            if record is None or record.loc[0] == "unassigned":
                if sheet.group == "fund":
                    r.problem("JX-WB-010", f"{f.title}：第{i + 1}个数值列有数据，但“{UNIT_SHEET}”的基金列表中"
                              f"基金{i + 1}没有选择险种/基金", r.addr(ws, row, col))
                else:
                    r.problem("JX-WB-010", f"{f.title}：这一列有数据但没有填写{PROJECT_NAME.title}（第{HEADER_ROW}行）",
                              r.addr(ws, row, col))
                continue
            record.put(f.path, v)


def _department(plain: _Plain, r: WorkbookReader) -> _Record:
    if plain.department is None:
        plain.department = _Record(("departments", 0), DEPARTMENT_RECORD)
        first = next(iter(SHEETS_OF["department"]))
        r.cells[("departments", 0)] = f"{first.name}!B{HEADER_ROW}"
    return plain.department


def _department_sheets(r: WorkbookReader, plain: _Plain) -> None:
    for sheet in SHEETS_OF["department"]:
        if isinstance(sheet, FormSheet):
            dept = _department(plain, r)
            touched = dept.touched
            _form_sheet(r, sheet, [dept], plain)
            dept.touched = dept.touched or touched
        elif isinstance(sheet, TableSheet):
            _functional(r, sheet, plain)
        elif isinstance(sheet, MatrixSheet):
            _matrix(r, sheet, plain)


def _functional(r: WorkbookReader, sheet: TableSheet, plain: _Plain) -> None:
    ws = r.sheets[sheet.name]
    columns = r.table_columns(ws, sheet)
    if columns is None:
        return
    lines: list[dict[str, Any]] = []
    for row in r.table_rows(ws, columns):
        j = len(lines)
        line: dict[str, Any] = {}
        loc: Loc = ("departments", 0, "functional", j)
        r.cells[loc] = r.addr(ws, row, 1)
        for c in sheet.columns:
            if c.key not in columns:
                continue
            col = columns[c.key]
            r.cells[(*loc, c.key)] = r.addr(ws, row, col)
            v = r.value(ws, row, col, c.field, f"{c.header}（第{row}行）")
            if v is not None:
                line[c.key] = v
        lines.append(line)
    if lines:
        _department(plain, r).put(("functional",), lines)


def _matrix(r: WorkbookReader, sheet: MatrixSheet, plain: _Plain) -> None:
    ws = r.sheets[sheet.name]
    if not r.header(ws, 1, {"项目"}):
        return
    columns: dict[str, int] = {}
    for col in range(VALUE_COL, ws.max_column + 1):
        text = _strip_label(_text(ws.cell(HEADER_ROW, col).value))
        if not text:
            continue
        f = next((f for f in sheet.columns if text in {_strip_label(x) for x in f.labels()}), None)
        if f is None:
            r.problem("JX-WB-004", f"未知列“{text}”（应为 {'、'.join(f.label() for f in sheet.columns)}）",
                      r.addr(ws, HEADER_ROW, col))
        else:
            columns[f.name] = col
    rows = {_strip_label(label): name for name, label in sheet.rows}
    for row in range(TABLE_FIRST_ROW, ws.max_row + 1):
        label = _strip_label(_text(ws.cell(row, 1).value))
        has_values = any(_text(ws.cell(row, c).value) for c in columns.values())
        if not label:
            if has_values:
                r.problem("JX-WB-005", "这一行有数值但没有项目名称（A列为空）", r.addr(ws, row, 1))
            continue
        name = rows.get(label)
        if name is None:
            r.problem("JX-WB-005", f"未知项目“{label}”（应为 {'、'.join(x for _, x in sheet.rows)}）",
                      r.addr(ws, row, 1))
            continue
        for f in sheet.columns:
            if f.name not in columns:
                continue
            col = columns[f.name]
            path = (*sheet.path, name, f.name)
            r.cells[("departments", 0, *path)] = r.addr(ws, row, col)
            v = r.value(ws, row, col, f, f"{dict(sheet.rows)[name]}{f.title}")
            if v is not None:
                _department(plain, r).put(path, v)


def _project_sheets(r: WorkbookReader, plain: _Plain) -> None:
    funds_sheet, goals, indicators = SHEETS_OF["project"]
    assert isinstance(funds_sheet, FormSheet) and isinstance(goals, TableSheet) and isinstance(indicators, TableSheet)
    ws = r.sheets[funds_sheet.name]
    names: dict[str, int] = {}
    records: list[_Record] = []
    for col in range(VALUE_COL, max(ws.max_column, VALUE_COL) + 1):
        name = r.value(ws, HEADER_ROW, col, PROJECT_NAME, PROJECT_NAME.title)
        if not name:
            records.append(_Record(("unassigned", col), f"第{col - 1}列"))
            continue
        if name in names:
            r.problem("JX-WB-008", f"项目名称“{name}”重复（已在 {r.addr(ws, HEADER_ROW, names[name])}）",
                      r.addr(ws, HEADER_ROW, col))
            records.append(_Record(("unassigned", col), f"第{col - 1}列"))
            continue
        names[name] = col
        k = len(plain.projects)
        record = _Record(("projects", k), name, {"name": name}, touched=True)
        r.cells[("projects", k)] = r.cells[("projects", k, "name")] = r.addr(ws, HEADER_ROW, col)
        plain.projects.append(record)
        records.append(record)
    _form_sheet(r, funds_sheet, records, plain)
    by_name = {p.label: p for p in plain.projects}
    _goals(r, goals, by_name)
    _indicators(r, indicators, by_name)


def _project_of(
    r: WorkbookReader, ws: Worksheet, row: int, col: int | None, by_name: dict[str, _Record]
) -> _Record | None:
    name = _text(ws.cell(row, col).value) if col else ""
    if not name:
        if len(by_name) == 1:
            return next(iter(by_name.values()))
        r.problem("JX-WB-010", f"缺少{PROJECT_NAME.title}：有多个项目时每行都要写明属于哪个项目",
                  r.addr(ws, row, col or 1))
        return None
    record = by_name.get(name.removeprefix("项目：").strip())
    if record is None:
        known = "、".join(by_name) or "（“项目资金”表第2行还没有填写项目名称）"
        r.problem("JX-WB-007", f"项目“{name}”不在“项目资金”表的项目名称中（有：{known}）", r.addr(ws, row, col or 1))
    return record


def _goals(r: WorkbookReader, sheet: TableSheet, by_name: dict[str, _Record]) -> None:
    ws = r.sheets[sheet.name]
    columns = r.table_columns(ws, sheet)
    if columns is None:
        return
    seen: dict[str, int] = {}
    for row in r.table_rows(ws, columns):
        record = _project_of(r, ws, row, columns.get("project"), by_name)
        if record is None:
            continue
        if record.label in seen:
            r.problem("JX-WB-008", f"项目“{record.label}”的年度目标在第{seen[record.label]}行已填写，这一行重复",
                      r.addr(ws, row, columns.get("project", 1)))
            continue
        seen[record.label] = row
        for c in sheet.columns:
            if c.key == "project" or c.key not in columns:
                continue
            r.cells[(*record.loc, c.key)] = r.addr(ws, row, columns[c.key])
            v = r.value(ws, row, columns[c.key], c.field, c.header)
            if v is not None:
                record.put((c.key,), v)


def _indicators(r: WorkbookReader, sheet: TableSheet, by_name: dict[str, _Record]) -> None:
    ws = r.sheets[sheet.name]
    columns = r.table_columns(ws, sheet)
    if columns is None:
        return
    rows_of: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for row in r.table_rows(ws, columns):
        record = _project_of(r, ws, row, columns.get("project"), by_name)
        if record is None:
            continue
        rows = record.data.setdefault("indicators", [])
        loc: Loc = (*record.loc, "indicators", len(rows))
        r.cells[loc] = r.addr(ws, row, columns.get("level3", 1))
        item: dict[str, Any] = {}
        for c in sheet.columns:
            if c.key == "project" or c.key not in columns:
                continue
            r.cells[(*loc, c.key)] = r.addr(ws, row, columns[c.key])
            v = r.value(ws, row, columns[c.key], c.field, f"{c.header}（第{row}行）")
            if v is not None:
                item[c.key] = v
        rows.append(item)
        rows_of.setdefault(record.label, []).append((row, item))
    for name, rows in rows_of.items():
        _indicator_checks(r, ws, name, rows, columns)


def _decimal(text: Any) -> Decimal | None:
    try:
        d = Decimal(str(text).strip())
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def _indicator_checks(r: WorkbookReader, ws: Worksheet, project: str, rows: list[tuple[int, dict[str, Any]]],
                      columns: dict[str, int]) -> None:
    """Duplicated indicator rows; 分值 summing to 100; 得分 not above 分值."""
    seen: dict[tuple[str, str, str], int] = {}
    for row, item in rows:
        key = (item.get("level1", ""), item.get("level2", ""), item.get("level3", ""))
        if key[2] and key in seen:
            r.problem("JX-WB-008", f"项目“{project}”的指标“{'/'.join(k for k in key if k)}”与第{seen[key]}行重复",
                      r.addr(ws, row, columns.get("level3", 1)))
        elif key[2]:
            seen[key] = row
    wcol, scol = columns.get("weight"), columns.get("score")
    if wcol is None:
        return
    weights: list[Decimal] = []
    missing: list[int] = []
    bad = False
    for row, item in rows:
        text = item.get("weight")
        if text is None:
            missing.append(row)
            continue
        w = _decimal(text)
        if w is None or w < 0:
            r.problem("JX-WB-009", f"分值（第{row}行）：“{text}”不是非负的数字", r.addr(ws, row, wcol))
            bad = True
            continue
        weights.append(w)
        score = _decimal(item["score"]) if item.get("score") is not None and scol else None
        if scol and item.get("score") is not None:
            if score is None:
                r.problem("JX-WB-009", f"得分（第{row}行）：“{item['score']}”不是数字", r.addr(ws, row, scol))
            elif score < 0 or score > w:
                r.problem("JX-WB-009", f"得分（第{row}行）{score:f} 超出 0—{w:f}（该指标分值 {w:f}）",
                          r.addr(ws, row, scol))
    if not weights or bad:
        return
    letter = get_column_letter(wcol)
    span = f"{ws.title}!{letter}{rows[0][0]}:{letter}{rows[-1][0]}"
    if missing:
        rows_text = "、".join(f"第{m}行" for m in missing[:10])
        r.problem("JX-WB-009", f"项目“{project}”的分值没有填全（{rows_text}未填）：要么每个指标都填分值，要么都不填",
                  r.addr(ws, missing[0], wcol))
        return
    total = sum(weights, Decimal(0))
    execution = _budget_execution_weight()
    if total not in (Decimal(100), Decimal(100) - execution):
        rest = (100 - execution).normalize()
        r.problem("JX-WB-009", f"项目“{project}”的绩效指标分值合计为 {total.normalize():f}，应为 100"
                  f"（若预算执行率另计 {execution.normalize():f} 分，指标分值合计应为 {rest:f}）", span)


def _common_tables(r: WorkbookReader, plain: _Plain) -> None:
    records: dict[str, _Record] = {}
    for i, f in enumerate(plain.funds):
        if f.loc[0] == "fund_years":
            records[f.label] = f
            records[f"基金{i + 1}"] = f
            data = f.data
            records.setdefault(str(data.get("fund")), f)  # ambiguous (a duplicate, reported): the first
            if data.get("scope"):
                records.setdefault(f"{data.get('fund')}（{data.get('scope')}）", f)
    for p in plain.projects:
        records[p.label] = p
        records[f"项目：{p.label}"] = p
    for name in (DEPARTMENT_RECORD, "部门", "部门整体", "部门整体支出绩效"):
        records[name] = _DEPT_PLACEHOLDER
    stated_sheet, narrative_sheet, notes_sheet = COMMON_TABLES
    for sheet in COMMON_TABLES:
        ws = r.sheets.get(sheet.name)
        if ws is None:
            continue
        columns = r.table_columns(ws, sheet)
        if columns is None:
            continue
        seen: dict[tuple[Loc, str], int] = {}
        for row in r.table_rows(ws, columns):
            label = _text(ws.cell(row, columns["record"]).value)
            if not label:
                r.problem("JX-WB-010", "缺少“记录”：写明这一行属于哪条记录（部门整体支出、险种名称或项目名称）",
                          r.addr(ws, row, columns["record"]))
                continue
            record = records.get(label)
            if record is None:
                known = "、".join([DEPARTMENT_RECORD, *(f.label for f in plain.funds if f.loc[0] == "fund_years"),
                                  *(p.label for p in plain.projects)])
                r.problem("JX-WB-007", f"记录“{label}”不存在（可填：{known}）", r.addr(ws, row, columns["record"]))
                continue
            if record is _DEPT_PLACEHOLDER:
                record = _department(plain, r)
            values: dict[str, Any] = {}
            for c in sheet.columns:
                if c.key == "record" or c.key not in columns:
                    continue
                v = r.value(ws, row, columns[c.key], c.field, f"{c.header}（第{row}行）")
                if v is not None:
                    values[c.key] = v
            if sheet is stated_sheet:
                _stated_row(r, ws, row, columns, record, values, seen)
            elif sheet is narrative_sheet:
                _narrative_row(r, ws, row, columns, record, values)
            elif sheet is notes_sheet and "note" in values:
                notes = record.data.setdefault("notes", [])
                r.cells[(*record.loc, "notes", len(notes))] = r.addr(ws, row, columns["note"])
                notes.append(values["note"])
                record.touched = True


_DEPT_PLACEHOLDER = _Record(("departments", 0), DEPARTMENT_RECORD)


def _stated_row(r: WorkbookReader, ws: Worksheet, row: int, columns: dict[str, int], record: _Record,
                values: dict[str, Any], seen: dict[tuple[Loc, str], int]) -> None:
    key = values.pop("stated_key", None)
    if key is None:
        r.problem("JX-WB-010", "缺少“指标代码”", r.addr(ws, row, columns["stated_key"]))
        return
    if (record.loc, key) in seen:
        r.problem("JX-WB-008", f"{record.label}的指标代码“{key}”在第{seen[(record.loc, key)]}行已有，这一行重复"
                  "（同一指标的第二处表述请加“@line行号”后缀）", r.addr(ws, row, columns["stated_key"]))
        return
    if "value" not in values and "value" in columns:
        r.problem("JX-WB-010", f"缺少“所述数值”（{record.label}的 {key}）", r.addr(ws, row, columns["value"]))
        return
    seen[(record.loc, key)] = row
    loc = (*record.loc, "stated", key)
    r.cells[loc] = r.addr(ws, row, columns.get("value", columns["stated_key"]))
    for name in ("value", "line", "quote"):
        if name in columns:
            r.cells[(*loc, name)] = r.addr(ws, row, columns[name])
    record.data.setdefault("stated", {})[key] = values
    record.touched = True


def _narrative_row(r: WorkbookReader, ws: Worksheet, row: int, columns: dict[str, int], record: _Record,
                   values: dict[str, Any]) -> None:
    key, text = values.get("narrative_key"), values.get("narrative_text")
    if key is None or text is None:
        missing = "章节" if key is None else "内容"
        r.problem("JX-WB-010", f"缺少“{missing}”", r.addr(ws, row, columns.get(
            "narrative_key" if key is None else "narrative_text", 1)))
        return
    narrative = record.data.setdefault("narrative", {})
    narrative[key] = f"{narrative[key]}\n{text}" if key in narrative else text
    r.cells[(*record.loc, "narrative", key)] = r.addr(ws, row, columns["narrative_text"])
    record.touched = True


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def _loc_of(path: str) -> Loc:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"[.\[\]]+", path) if p)


def _to_cell(r: WorkbookReader, problem: Problem) -> Problem:
    if not problem.path:
        return replace(problem, source=r.source)
    loc = _loc_of(problem.path)
    where = next((r.cells[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in r.cells), None)
    details = {**problem.details, "field": problem.path}
    return replace(problem, source=r.source, path=where or problem.path, line=None, details=details)


def _check_name(name: str, size: int, source: str) -> list[Problem]:
    """Refusals before opening: too large, an old .xls, not a workbook at all."""
    def fail(message: str) -> list[Problem]:
        return [Problem("JX-WB-001", message, source=source)]

    if size > MAX_WORKBOOK_BYTES:
        return fail(f"文件过大（{size} 字节，上限 {MAX_WORKBOOK_BYTES}）")
    suffix = Path(name).suffix.lower()
    if suffix == ".xls":
        return fail("不支持旧版 .xls 文件：请在 Excel/WPS 中另存为 .xlsx 后再读取")
    if suffix not in (".xlsx", ".xlsm"):
        return fail(f"不是 Excel 工作簿（.xlsx）：扩展名为“{suffix or '无'}”")
    return []


def _load(file: Path | bytes, source: str) -> tuple[Workbook | None, list[Problem]]:
    try:
        return load_workbook(io.BytesIO(file) if isinstance(file, bytes) else file,
                             data_only=False, read_only=False), []
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        message = f"无法打开工作簿：不是有效的 .xlsx 文件（{type(exc).__name__}）"
        return None, [Problem("JX-WB-001", message, source=source)]


def read_workbook(path: str | Path, *, known_units: set[str] | None = None) -> ReadResult:
    """Read a filled workbook into a Dataset; every problem names its sheet and cell.

    ``known_units`` are unit codes defined elsewhere (the database); the workbook's own unit
    and its 上级单位代码 are always accepted, so a workbook is complete on its own.
    """
    p = Path(path)
    source = str(path)
    try:
        size = p.stat().st_size
    except OSError:
        return ReadResult(None, [Problem("JX-WB-001", "文件不存在或无法读取", source=source)])
    if p.is_dir():
        return ReadResult(None, [Problem("JX-WB-001", "这是目录，不是工作簿", source=source)])
    problems = _check_name(p.name, size, source)
    if problems:
        return ReadResult(None, problems)
    wb, problems = _load(p, source)
    if wb is None:
        return ReadResult(None, problems)
    return _read(WorkbookReader(source, wb, p), known_units)


def read_workbook_bytes(data: bytes, name: str, *, known_units: set[str] | None = None) -> ReadResult:
    """Read a filled workbook held in memory (an upload) whose file name is ``name``; the same
    checks and problems as :func:`read_workbook`, without a file on disk."""
    problems = _check_name(name, len(data), name)
    if problems:
        return ReadResult(None, problems)
    wb, problems = _load(data, name)
    if wb is None:
        return ReadResult(None, problems)
    return _read(WorkbookReader(name, wb, data), known_units)


def read_loaded(wb: Workbook, source: str = "<workbook>", *, known_units: set[str] | None = None) -> ReadResult:
    """Read a workbook already in memory (formula results are not available)."""
    return _read(WorkbookReader(source, wb), known_units)


def _read(r: WorkbookReader, known_units: set[str] | None) -> ReadResult:
    groups = r.check_sheets()
    if r.errors:
        return ReadResult(None, r.problems)
    plain = _Plain()
    code, year = _read_unit_sheet(r, plain, groups)
    if "fund" in groups:
        for sheet in SHEETS_OF["fund"]:
            assert isinstance(sheet, FormSheet)
            _form_sheet(r, sheet, plain.funds, plain)
    if "department" in groups:
        _department_sheets(r, plain)
    if "project" in groups:
        _project_sheets(r, plain)
    _common_tables(r, plain)
    data = _assemble(r, plain, code, year)
    if code is None or year is None:
        return ReadResult(None, r.problems)
    loaded = dataset_from_data(data, r.source)
    r.problems += [_to_cell(r, p) for p in loaded.problems]
    if r.errors or loaded.dataset is None:
        return ReadResult(None, r.problems)
    dataset = loaded.dataset
    units = {code, *(known_units or ())} | ({str(plain.unit["parent"])} if plain.unit.get("parent") else set())
    checks = validate_dataset(dataset, units, r.source) + duplicate_records([(r.source, dataset)])
    r.problems += [_to_cell(r, p) for p in checks]
    if not (dataset.fund_years or dataset.departments or dataset.projects):
        r.problem("JX-WB-010", "工作簿中没有填写任何基金、部门或项目数据", r.cells.get(("unit_sheet", "code")),
                  "warning")
    if r.errors:
        return ReadResult(None, r.problems)
    return ReadResult(dataset, r.problems)


def _assemble(r: WorkbookReader, plain: _Plain, code: str | None, year: int | None) -> dict[str, Any]:
    data: dict[str, Any] = {"money_unit": plain.money_unit}
    if plain.source is not None:
        data["source"] = plain.source
    if plain.unit:
        data["units"] = [plain.unit]
        for name in ("code", "name", "level", "kind", "parent", "region"):
            r.cells[("units", 0, name)] = r.cells.get(("unit_sheet", name), UNIT_SHEET)
    common = {"unit": code, "year": year}
    lists: dict[str, list[dict[str, Any]]] = {"fund_years": [], "departments": [], "projects": []}
    records = [f for f in plain.funds if f.loc[0] == "fund_years"]
    if plain.department is not None and plain.department.touched:
        records.append(plain.department)
    records += plain.projects
    for record in records:
        kind, index = str(record.loc[0]), record.loc[1]
        assert index == len(lists[kind]), (record.loc, len(lists[kind]))
        for name in ("unit", "year"):
            r.cells[(kind, index, name)] = r.cells.get(("unit_sheet", "code" if name == "unit" else "year"), UNIT_SHEET)
        lists[kind].append({**common, **record.data})
    data.update({k: v for k, v in lists.items() if v})
    return data


__all__ = ["WorkbookReader", "read_loaded", "read_workbook"]
