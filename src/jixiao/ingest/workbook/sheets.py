"""Each sheet of the fill-in workbook read into plain data (the shape a YAML file gives): the unit
sheet and its fund list, the fund and department forms, the matrix and functional tables, the
projects with their goals and indicators, and the tables every kind shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from jixiao.ingest.workbook.book import Loc, Record, WorkbookReader, budget_execution_weight, cell_text, strip_label
from jixiao.ingest.workbook.layout import (
    COMMON_TABLES,
    DEPARTMENT_RECORD,
    FUND_KIND,
    FUND_LIST_HEADER,
    FUND_SCOPE,
    HEADER_ROW,
    PROJECT_NAME,
    SHEETS_OF,
    TABLE_FIRST_ROW,
    UNIT_FIELDS,
    UNIT_REQUIRED,
    UNIT_SHEET,
    VALUE_COL,
    FormSheet,
    Group,
    MatrixSheet,
    TableSheet,
    fund_labels,
)

# --------------------------------------------------------------------------------------------
# The workbook as plain data
# --------------------------------------------------------------------------------------------


@dataclass
class Plain:
    money_unit: str = "万元"
    source: str | None = None
    unit: dict[str, Any] = field(default_factory=dict)
    funds: list[Record] = field(default_factory=list)
    department: Record | None = None
    projects: list[Record] = field(default_factory=list)
    periods: list[Record] = field(default_factory=list)


def read_unit_sheet(r: WorkbookReader, plain: Plain, groups: list[Group]) -> tuple[str | None, int | None]:
    ws = r.sheets[UNIT_SHEET]
    r.header(ws, 1, {"项目"})
    labels = {strip_label(f.title): f for f in UNIT_FIELDS}
    rows: dict[str, int] = {}
    fund_header: int | None = None
    for row in range(HEADER_ROW + 1, ws.max_row + 1):
        label = strip_label(cell_text(ws.cell(row, 1).value))
        if label == FUND_LIST_HEADER:
            fund_header = row
            break
        f = labels.get(label)
        if f is not None:
            rows[f.name] = row
        elif label:
            r.problem("JX-WB-005", f"未知项目“{cell_text(ws.cell(row, 1).value)}”", r.addr(ws, row, 1))
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


def _read_fund_list(r: WorkbookReader, ws: Worksheet, header: int, plain: Plain) -> None:
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
            plain.funds.append(Record(("unassigned", i), f"基金{i + 1}"))
            if scope:
                r.problem("JX-WB-010", f"基金{i + 1}填了口径但没有选择险种/基金", r.addr(ws, row, 2))
            continue
        record = Record(("fund_years", j), labels[i])
        record.data = {"fund": fund}
        if scope:
            record.data["scope"] = scope
        r.cells[("fund_years", j)] = r.addr(ws, row, 2)
        r.cells[("fund_years", j, "fund")] = r.addr(ws, row, 2)
        r.cells[("fund_years", j, "scope")] = r.addr(ws, row, 3)
        record.touched = True
        plain.funds.append(record)
        j += 1


def read_form_sheet(r: WorkbookReader, sheet: FormSheet, records: list[Record], plain: Plain) -> None:
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
            if not cell_text(ws.cell(row, col).value):
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


def _department(plain: Plain, r: WorkbookReader) -> Record:
    if plain.department is None:
        plain.department = Record(("departments", 0), DEPARTMENT_RECORD)
        first = next(iter(SHEETS_OF["department"]))
        r.cells[("departments", 0)] = f"{first.name}!B{HEADER_ROW}"
    return plain.department


def read_department_sheets(r: WorkbookReader, plain: Plain) -> None:
    for sheet in SHEETS_OF["department"]:
        if isinstance(sheet, FormSheet):
            dept = _department(plain, r)
            touched = dept.touched
            read_form_sheet(r, sheet, [dept], plain)
            dept.touched = dept.touched or touched
        elif isinstance(sheet, TableSheet):
            _functional(r, sheet, plain)
        elif isinstance(sheet, MatrixSheet):
            _matrix(r, sheet, plain)


def _functional(r: WorkbookReader, sheet: TableSheet, plain: Plain) -> None:
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


def _matrix(r: WorkbookReader, sheet: MatrixSheet, plain: Plain) -> None:
    ws = r.sheets[sheet.name]
    if not r.header(ws, 1, {"项目"}):
        return
    columns: dict[str, int] = {}
    for col in range(VALUE_COL, ws.max_column + 1):
        text = strip_label(cell_text(ws.cell(HEADER_ROW, col).value))
        if not text:
            continue
        f = next((f for f in sheet.columns if text in {strip_label(x) for x in f.labels()}), None)
        if f is None:
            r.problem("JX-WB-004", f"未知列“{text}”（应为 {'、'.join(f.label() for f in sheet.columns)}）",
                      r.addr(ws, HEADER_ROW, col))
        else:
            columns[f.name] = col
    rows = {strip_label(label): name for name, label in sheet.rows}
    for row in range(TABLE_FIRST_ROW, ws.max_row + 1):
        label = strip_label(cell_text(ws.cell(row, 1).value))
        has_values = any(cell_text(ws.cell(row, c).value) for c in columns.values())
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


def read_project_sheets(r: WorkbookReader, plain: Plain) -> None:
    funds_sheet, goals, indicators = SHEETS_OF["project"]
    assert isinstance(funds_sheet, FormSheet) and isinstance(goals, TableSheet) and isinstance(indicators, TableSheet)
    ws = r.sheets[funds_sheet.name]
    names: dict[str, int] = {}
    records: list[Record] = []
    for col in range(VALUE_COL, max(ws.max_column, VALUE_COL) + 1):
        name = r.value(ws, HEADER_ROW, col, PROJECT_NAME, PROJECT_NAME.title)
        if not name:
            records.append(Record(("unassigned", col), f"第{col - 1}列"))
            continue
        if name in names:
            r.problem("JX-WB-008", f"项目名称“{name}”重复（已在 {r.addr(ws, HEADER_ROW, names[name])}）",
                      r.addr(ws, HEADER_ROW, col))
            records.append(Record(("unassigned", col), f"第{col - 1}列"))
            continue
        names[name] = col
        k = len(plain.projects)
        record = Record(("projects", k), name, {"name": name}, touched=True)
        r.cells[("projects", k)] = r.cells[("projects", k, "name")] = r.addr(ws, HEADER_ROW, col)
        plain.projects.append(record)
        records.append(record)
    read_form_sheet(r, funds_sheet, records, plain)
    by_name = {p.label: p for p in plain.projects}
    _goals(r, goals, by_name)
    _indicators(r, indicators, by_name)


def _project_of(
    r: WorkbookReader, ws: Worksheet, row: int, col: int | None, by_name: dict[str, Record]
) -> Record | None:
    name = cell_text(ws.cell(row, col).value) if col else ""
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


def _goals(r: WorkbookReader, sheet: TableSheet, by_name: dict[str, Record]) -> None:
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


def _indicators(r: WorkbookReader, sheet: TableSheet, by_name: dict[str, Record]) -> None:
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


def decimal_or_none(text: Any) -> Decimal | None:
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
        w = decimal_or_none(text)
        if w is None or w < 0:
            r.problem("JX-WB-009", f"分值（第{row}行）：“{text}”不是非负的数字", r.addr(ws, row, wcol))
            bad = True
            continue
        weights.append(w)
        score = decimal_or_none(item["score"]) if item.get("score") is not None and scol else None
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
    execution = budget_execution_weight()
    if total not in (Decimal(100), Decimal(100) - execution):
        rest = (100 - execution).normalize()
        r.problem("JX-WB-009", f"项目“{project}”的绩效指标分值合计为 {total.normalize():f}，应为 100"
                  f"（若预算执行率另计 {execution.normalize():f} 分，指标分值合计应为 {rest:f}）", span)


def _records_by_label(plain: Plain) -> dict[str, Record]:
    """Every name a row of the shared tables may give its record by (基金1, a fund, a project…)."""
    records: dict[str, Record] = {}
    for i, f in enumerate(plain.funds):
        if f.loc[0] == "fund_years":
            records[f.label] = f
            records[f"基金{i + 1}"] = f
            data = f.data
            records.setdefault(str(data.get("fund")), f)  # ambiguous (a duplicate, reported): the first
            if data.get("scope"):
                records.setdefault(f"{data.get('fund')}（{data.get('scope')}）", f)
    for period in plain.periods:
        records.setdefault(period.label, period)
    for p in plain.projects:
        records[p.label] = p
        records[f"项目：{p.label}"] = p
    for name in (DEPARTMENT_RECORD, "部门", "部门整体", "部门整体支出绩效"):
        records[name] = DEPT_PLACEHOLDER
    return records


def _row_record(r: WorkbookReader, ws: Worksheet, row: int, column: int, plain: Plain,
                records: dict[str, Record]) -> Record | None:
    """The record a row of a shared table names in its 记录 column (None, with a problem, if none)."""
    label = cell_text(ws.cell(row, column).value)
    if not label:
        r.problem("JX-WB-010", "缺少“记录”：写明这一行属于哪条记录（部门整体支出、险种名称或项目名称）",
                  r.addr(ws, row, column))
        return None
    record = records.get(label)
    if record is None:
        known = "、".join([DEPARTMENT_RECORD, *(f.label for f in plain.funds if f.loc[0] == "fund_years"),
                          *(p.label for p in plain.periods), *(p.label for p in plain.projects)])
        r.problem("JX-WB-007", f"记录“{label}”不存在（可填：{known}）", r.addr(ws, row, column))
        return None
    return _department(plain, r) if record is DEPT_PLACEHOLDER else record


def read_common_tables(r: WorkbookReader, plain: Plain) -> None:
    """The tables every kind of workbook shares: 所述数 (stated figures), 文字说明, 备注."""
    records = _records_by_label(plain)
    stated_sheet, narrative_sheet, notes_sheet = COMMON_TABLES
    for sheet in COMMON_TABLES:
        ws = r.sheets.get(sheet.name)
        columns = r.table_columns(ws, sheet) if ws is not None else None
        if ws is None or columns is None:
            continue
        seen: dict[tuple[Loc, str], int] = {}
        for row in r.table_rows(ws, columns):
            record = _row_record(r, ws, row, columns["record"], plain, records)
            if record is None:
                continue
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


DEPT_PLACEHOLDER = Record(("departments", 0), DEPARTMENT_RECORD)


def _stated_row(r: WorkbookReader, ws: Worksheet, row: int, columns: dict[str, int], record: Record,
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


def _narrative_row(r: WorkbookReader, ws: Worksheet, row: int, columns: dict[str, int], record: Record,
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

