"""The fill-in workbook (填报工作簿): sheets, headers, drop-down lists, notes, print setup.

Built from :mod:`jixiao.ingest.workbook.layout` (the model's field titles), so the workbook always
matches the model. Only plain openpyxl features are used — styles, merged cells, data
validation lists, comments, sheet protection without a password, print titles — so Excel
and WPS both open it. Sheets are protected only so the labels and headers are not typed over
by accident (审阅 → 撤销工作表保护 lifts it; no password); every input cell is unlocked and rows
may be inserted, deleted and formatted.

Positions (also used by :mod:`jixiao.write.workbook.fill`; the reader finds rows by their labels):

* every sheet: row 1 the title, row 2 the header;
* form sheets: labels in column A, values from column B; fund sheets repeat the 险种 (row 2)
  and 口径 (row 3) chosen in 单位与年度 by formula, so the values start one row lower;
* table sheets: records from row 3;
* 单位与年度: the unit fields from row 3, then the fund list (序号 / 险种/基金 / 口径).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from copy import copy
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.protection import SheetProtection
from openpyxl.worksheet.worksheet import Worksheet

from jixiao.ingest.workbook.layout import (
    COMMON_TABLES,
    FUND_KIND,
    FUND_LIST_FIRST_ROW,
    FUND_LIST_HEADER,
    FUND_LIST_HEADER_ROW,
    FUND_SCOPE,
    GROUP_LABEL,
    GROUPS,
    HEADER_ROW,
    INSTRUCTIONS,
    PERIOD_SHEET,
    REQUIRED_MARK,
    SHEETS_OF,
    TABLE_FIRST_ROW,
    TITLE_ROW,
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
    Sheet,
    TableSheet,
    form_rows,
    unit_row,
)

FONT = "宋体"
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
TITLE_FONT = Font(name=FONT, size=14, bold=True)
HEADER_FONT = Font(name=FONT, size=11, bold=True)
BODY_FONT = Font(name=FONT, size=11)
REQUIRED_FONT = Font(name=FONT, size=11, bold=True, color="C00000")
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
SECTION_FILL = PatternFill("solid", fgColor="EDEDED")
LABEL_FILL = PatternFill("solid", fgColor="F7F7F7")
FORMULA_FILL = PatternFill("solid", fgColor="FFF2CC")
WRAP = Alignment(vertical="center", wrap_text=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
UNLOCKED = Protection(locked=False)
TEXT_FORMAT = "@"


DEFAULT_FUNDS = 10
DEFAULT_PROJECTS = 5
#: text fields of the model that hold numbers (分值, 得分): General format, so Excel can sum them
NUMBER_TEXT_COLUMNS = ("weight", "score")


def _comment(text: str) -> Comment:
    lines = text.count("\n") + 1
    comment = Comment(text, "jixiao")
    comment.width = 320
    comment.height = max(80, 18 * (lines + len(text) // 24))
    return comment


def _list_validation(values: Iterable[str], *, strict: bool = True, prompt: str | None = None) -> DataValidation:
    items = ",".join(values)
    dv = DataValidation(type="list", formula1=f'"{items}"', allow_blank=True)
    dv.showErrorMessage = strict
    if strict:
        dv.errorTitle = "不在可选范围内"
        dv.error = "请从下拉列表中选择。"
    if prompt:
        dv.promptTitle = "填写提示"
        dv.prompt = prompt[:250]
        dv.showInputMessage = True
    return dv


def _protect(ws: Worksheet) -> None:
    ws.protection = SheetProtection(
        sheet=True, formatCells=False, formatColumns=False, formatRows=False, insertRows=False,
        deleteRows=False, sort=False, autoFilter=False, selectLockedCells=False, selectUnlockedCells=False,
    )


def _print_setup(ws: Worksheet, title_rows: int, *, landscape: bool) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"1:{title_rows}"
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddHeader.center.text = "&A"


def _title(ws: Worksheet, text: str, n_cols: int) -> None:
    cell = ws.cell(TITLE_ROW, 1, text)
    cell.font = TITLE_FONT
    cell.alignment = Alignment(horizontal="center", vertical="center")
    if n_cols > 1:
        ws.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=n_cols)
    ws.row_dimensions[TITLE_ROW].height = 28


def _header(cell: Cell, text: str, help_text: str | None = None) -> None:
    cell.value = text
    cell.font = HEADER_FONT
    cell.fill = HEADER_FILL
    cell.alignment = CENTER
    cell.border = BORDER
    if help_text:
        cell.comment = _comment(help_text)


def _input(cell: Cell, *, text: bool = False) -> None:
    """An input cell: bordered, unlocked; text format where Excel must not turn "=100%" into a formula.

    Styling thousands of cells one attribute at a time is slow in openpyxl; the style of the
    first such cell of the workbook is copied to the others.
    """
    key = (id(cell.parent.parent), text)
    proto = _PROTOTYPES.get(key)
    if proto is not None and proto.parent.parent is cell.parent.parent:
        cell._style = copy(proto._style)
        return
    cell.border = BORDER
    cell.font = BODY_FONT
    cell.protection = UNLOCKED
    cell.alignment = WRAP
    if text:
        cell.number_format = TEXT_FORMAT
    _PROTOTYPES[key] = cell


_PROTOTYPES: dict[tuple[int, bool], Cell] = {}


def _field_validation(ws: Worksheet, f: FieldSpec, ref: str) -> None:
    if f.kind == "enum" and f.choices:
        dv = _list_validation(f.choices)
    elif f.kind == "int" and f.name == "year":
        dv = DataValidation(type="whole", operator="between", formula1="1990", formula2="2100", allow_blank=True)
        dv.error, dv.errorTitle, dv.showErrorMessage = "年度应为1990—2100之间的整数。", "年度", True
    else:
        return
    ws.add_data_validation(dv)
    dv.add(ref)


# --------------------------------------------------------------------------------------------
# Sheets
# --------------------------------------------------------------------------------------------


def _instructions(ws: Worksheet, groups: Sequence[Group], names: Sequence[str]) -> None:
    kinds = "、".join(GROUP_LABEL[g] for g in groups)
    lines = [
        f"本工作簿用于填报医保绩效自评数据（{kinds}）。填好后登录医保绩效网站，在本单位页面点“上传工作簿”上传；"
        "全部通过校验后保存，即可在网站上查看指标、预警并下载自评报告。",
        "",
        "一、怎样填",
        "1. 先填“单位与年度”：单位代码、年度为必填；填写单位名称时，层级、单位类型也须填写。",
        "2. 基金数据：在“单位与年度”下方的基金列表中选择险种（下拉列表）、填写口径；"
        "各基金表的第1、2…数值列依次对应列表中的第1、2…个基金。",
        "   月报、季报数填在“月度数据”表：一行一个险种一个期间（1-6 为 1至6月累计，6 为 6月当月，4-6 为二季度），"
        "只填本工作簿年度的数；它们的报告所述数、备注写在共用表中，“记录”列写“险种 1-6月”。",
        "3. 项目数据：在“项目资金”表第2行填写项目名称，每个项目一列；“年度目标”“绩效指标”每行写明所属项目名称。",
        "4. 报告所述、文字说明、备注三张表的“记录”列写这一行属于哪条记录："
        "部门整体支出、险种名称（或 基金1、基金2…）、项目名称。",
        "5. 灰底单元格是项目名称和表头（已保护，防止误改；审阅→撤销工作表保护可解除，无密码）；白底单元格填写。"
        "把鼠标停在表头上可看到说明和示例。",
        "",
        "二、数字与单位",
        "1. 金额单位为万元（表头已注明）。写成“7.42亿元”“5000元”这样带单位的文字也可以，读取时按所写单位换算。",
        "2. 数字按显示的小数位数读取：要保留末尾的0（如 655.50），请把单元格设为两位小数格式，"
        "或先输入英文单引号再输入（'655.50）。",
        "3. 百分数直接输入“15.30%”；人数可写“1.8067万人”；减少、亏损填负数。",
        "4. 明显不合常理的数（如把“元”填进了万元栏）会被指出，请改正后再生成报告。",
        "",
        "三、出错时",
        "上传后每个问题都会指明工作表和单元格（如“基金收入!C5”）及原因；有任何错误时不保存任何数据，改正后重新上传即可。",
        "",
        "四、工作表",
        *(f"· {name}" for name in names if name != INSTRUCTIONS),
    ]
    ws.column_dimensions["A"].width = 120
    ws.cell(1, 1, "填表说明").font = TITLE_FONT
    for i, line in enumerate(lines, start=3):
        cell = ws.cell(i, 1, line)
        cell.font = HEADER_FONT if line.endswith(("怎样填", "数字与单位", "出错时", "工作表")) else BODY_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    _print_setup(ws, 1, landscape=False)


def _unit_sheet(ws: Worksheet, groups: Sequence[Group], n_funds: int, money_unit: str) -> None:
    _title(ws, "单位与年度", 3)
    _header(ws.cell(HEADER_ROW, 1), "项目")
    _header(ws.cell(HEADER_ROW, 2), "填写")
    _header(ws.cell(HEADER_ROW, 3), "说明")
    for f in UNIT_FIELDS:
        row = unit_row(f.name)
        required = f.name in UNIT_REQUIRED
        label = ws.cell(row, 1, f.title + (REQUIRED_MARK if required else ""))
        label.font = REQUIRED_FONT if required else BODY_FONT
        label.fill, label.border, label.alignment = LABEL_FILL, BORDER, WRAP
        label.comment = _comment(f.help_text())
        value = ws.cell(row, VALUE_COL)
        _input(value, text=f.kind == "text")
        _field_validation(ws, f, value.coordinate)
        note = ws.cell(row, 3, _UNIT_NOTES.get(f.name, ""))
        note.font, note.border, note.alignment = Font(name=FONT, size=9, color="595959"), BORDER, WRAP
    ws.cell(unit_row("money_unit"), VALUE_COL, money_unit)
    if "fund" in groups:
        _header(ws.cell(FUND_LIST_HEADER_ROW, 1), FUND_LIST_HEADER)
        _header(ws.cell(FUND_LIST_HEADER_ROW, 2), FUND_KIND.title + REQUIRED_MARK, FUND_KIND.help_text()
                + "\n各基金表的第1、2…数值列依次对应这里的第1、2…个基金。")
        _header(ws.cell(FUND_LIST_HEADER_ROW, 3), FUND_SCOPE.title, FUND_SCOPE.help_text())
        dv = _list_validation(FUND_KIND.choices)
        ws.add_data_validation(dv)
        for i in range(n_funds):
            row = FUND_LIST_FIRST_ROW + i
            number = ws.cell(row, 1, f"基金{i + 1}")
            number.font, number.fill, number.border, number.alignment = BODY_FONT, LABEL_FILL, BORDER, CENTER
            _input(ws.cell(row, 2), text=True)
            _input(ws.cell(row, 3), text=True)
            dv.add(ws.cell(row, 2).coordinate)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 34
    ws.column_dimensions["C"].width = 60
    ws.freeze_panes = "A3"
    _print_setup(ws, 2, landscape=False)


_UNIT_NOTES = {
    "code": "稳定且唯一，如行政区划代码：430900、510421-01",
    "name": "如 益阳市医疗保障局；只填代码时可不填",
    "level": "下拉选择",
    "kind": "下拉选择",
    "parent": "上级单位的单位代码（可不填）",
    "year": "四位数年份，如 2020",
    "money_unit": "金额栏不带单位的数字按此单位读取（默认万元）",
    "source": "数据来源，如所依据的报告（可不填）",
}


def _fund_header_formula(i: int) -> str:
    ref = f"{quote_sheetname(UNIT_SHEET)}!$B${FUND_LIST_FIRST_ROW + i}"
    return f'=IF({ref}="","（基金{i + 1}）",{ref})'


def _scope_formula(i: int) -> str:
    ref = f"{quote_sheetname(UNIT_SHEET)}!$C${FUND_LIST_FIRST_ROW + i}"
    return f'=IF({ref}="","",{ref})'


def _form_sheet(ws: Worksheet, sheet: FormSheet, n_cols: int, money_unit: str) -> None:
    last_col = VALUE_COL + n_cols - 1
    has_money = any(f.is_money for f in sheet.fields)
    _title(ws, f"{sheet.title}（金额单位：{money_unit}）" if has_money else sheet.title, last_col)
    _header(ws.cell(HEADER_ROW, 1), "项目" if sheet.group != "project" else sheet.header + REQUIRED_MARK)
    for i in range(n_cols):
        cell = ws.cell(HEADER_ROW, VALUE_COL + i)
        if sheet.group == "fund":
            _header(cell, _fund_header_formula(i))
            cell.fill = FORMULA_FILL
            scope = ws.cell(HEADER_ROW + 1, VALUE_COL + i, _scope_formula(i))
            scope.font, scope.fill, scope.border, scope.alignment = BODY_FONT, FORMULA_FILL, BORDER, CENTER
        elif sheet.group == "project":
            _input(cell, text=True)
            cell.font = HEADER_FONT
            cell.alignment = CENTER
        else:
            _header(cell, sheet.header)
    if sheet.group == "fund":
        label = ws.cell(HEADER_ROW + 1, 1, FUND_SCOPE.title)
        label.font, label.fill, label.border = HEADER_FONT, HEADER_FILL, BORDER
        label.comment = _comment("险种与口径在“单位与年度”表的基金列表中选择和填写，这里自动显示。")
    for row, item in form_rows(sheet):
        if isinstance(item, Section):
            cell = ws.cell(row, 1, item.title)
            cell.font, cell.fill, cell.alignment = HEADER_FONT, SECTION_FILL, WRAP
            for k in range(1, last_col + 1):
                ws.cell(row, k).border = BORDER
                ws.cell(row, k).fill = SECTION_FILL
            continue
        label = ws.cell(row, 1, item.label(money_unit))
        label.font, label.fill, label.border, label.alignment = BODY_FONT, LABEL_FILL, BORDER, WRAP
        label.comment = _comment(item.help_text())
        for k in range(VALUE_COL, last_col + 1):
            _input(ws.cell(row, k), text=item.kind == "text")
        _field_validation(ws, item, f"{get_column_letter(VALUE_COL)}{row}:{get_column_letter(last_col)}{row}")
    ws.column_dimensions["A"].width = 36
    for k in range(VALUE_COL, last_col + 1):
        ws.column_dimensions[get_column_letter(k)].width = 18 if sheet.group != "project" else 30
    ws.freeze_panes = ws.cell(sheet.header_rows + 1, VALUE_COL).coordinate
    _print_setup(ws, sheet.header_rows, landscape=n_cols > 3)


def _table_sheet(ws: Worksheet, sheet: TableSheet, rows: int, choices: dict[str, tuple[str, ...]]) -> None:
    n = len(sheet.columns)
    _title(ws, sheet.title, n)
    last = TABLE_FIRST_ROW + rows - 1
    for k, column in enumerate(sheet.columns, start=1):
        header = column.header + (REQUIRED_MARK if column.required and column.key not in ("project",) else "")
        _header(ws.cell(HEADER_ROW, k), header, column.help)
        letter = get_column_letter(k)
        ws.column_dimensions[letter].width = column.width
        text = column.text_only and column.key not in NUMBER_TEXT_COLUMNS
        for r in range(TABLE_FIRST_ROW, last + 1):
            _input(ws.cell(r, k), text=text)
        values = column.choices or choices.get(column.key, ())
        if values:
            strict = column.key not in choices
            dv = _list_validation(values, strict=strict)
            ws.add_data_validation(dv)
            dv.add(f"{letter}{TABLE_FIRST_ROW}:{letter}{last}")
        elif column.key in NUMBER_TEXT_COLUMNS:
            dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True)
            dv.error, dv.errorTitle, dv.showErrorMessage = "请填0—100之间的数字。", column.header, True
            ws.add_data_validation(dv)
            dv.add(f"{letter}{TABLE_FIRST_ROW}:{letter}{last}")
    ws.row_dimensions[HEADER_ROW].height = 32
    ws.freeze_panes = ws.cell(TABLE_FIRST_ROW, 1).coordinate
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(n)}{last}"
    _print_setup(ws, HEADER_ROW, landscape=sum(c.width for c in sheet.columns) > 100)


def _matrix_sheet(ws: Worksheet, sheet: MatrixSheet, money_unit: str) -> None:
    n = 1 + len(sheet.columns)
    _title(ws, f"{sheet.title}（金额单位：{money_unit}）", n)
    _header(ws.cell(HEADER_ROW, 1), "项目")
    for k, f in enumerate(sheet.columns, start=VALUE_COL):
        _header(ws.cell(HEADER_ROW, k), f.label(money_unit), f.help_text())
        ws.column_dimensions[get_column_letter(k)].width = 16
    for r, (_, label) in enumerate(sheet.rows, start=TABLE_FIRST_ROW):
        cell = ws.cell(r, 1, label)
        cell.font, cell.fill, cell.border, cell.alignment = BODY_FONT, LABEL_FILL, BORDER, WRAP
        for k in range(VALUE_COL, n + 1):
            _input(ws.cell(r, k))
    ws.column_dimensions["A"].width = 30
    ws.freeze_panes = "B3"
    _print_setup(ws, HEADER_ROW, landscape=False)


def _narrative_titles() -> tuple[str, ...]:
    from jixiao.write.context import SIGNATURE_KEYS, SLOTS

    return (*(slot.title for slot in SLOTS.values()), *SIGNATURE_KEYS)


def build_template(
    groups: Sequence[Group],
    *,
    funds: int = DEFAULT_FUNDS,
    projects: int = DEFAULT_PROJECTS,
    money_unit: str = "万元",
    table_rows: dict[str, int] | None = None,
) -> Workbook:
    """An empty fill-in workbook with the sheets of ``groups`` (fund, department, project)."""
    chosen = tuple(g for g in GROUPS if g in groups)
    if not chosen:
        raise ValueError("至少要有一种数据：fund、department 或 project")
    wb = Workbook()
    wb.remove(wb.active)
    sheets: list[Sheet | str] = [INSTRUCTIONS, UNIT_SHEET]
    for g in chosen:
        sheets += list(SHEETS_OF[g])
        if g == "fund":
            sheets.append(PERIOD_SHEET)  # the monthly sheet (月度数据), see ingest.workbook.layout
    sheets += list(COMMON_TABLES)
    names = [s if isinstance(s, str) else s.name for s in sheets]
    choices = {"narrative_key": _narrative_titles()}
    rows = table_rows or {}
    for item in sheets:
        name = item if isinstance(item, str) else item.name
        ws = wb.create_sheet(name)
        ws.sheet_properties.tabColor = None
        if item == INSTRUCTIONS:
            _instructions(ws, chosen, names)
            continue
        if item == UNIT_SHEET:
            _unit_sheet(ws, chosen, funds, money_unit)
        elif isinstance(item, FormSheet):
            n_cols = {"fund": funds, "project": projects}.get(item.group, 1)
            _form_sheet(ws, item, n_cols, money_unit)
        elif isinstance(item, TableSheet):
            _table_sheet(ws, item, rows.get(item.name, item.template_rows), choices)
        elif isinstance(item, MatrixSheet):
            _matrix_sheet(ws, item, money_unit)
        _protect(ws)
    wb.active = 1
    for key in [k for k in _PROTOTYPES if k[0] == id(wb)]:
        del _PROTOTYPES[key]
    wb.calculation.fullCalcOnLoad = True
    wb.properties.creator = "jixiao"
    wb.properties.title = f"医保绩效自评填报表（{'、'.join(GROUP_LABEL[g] for g in chosen)}）"
    return wb


def write_template(groups: Sequence[Group] | Group, path: str | Path, **kw: int | str) -> Path:
    """Write an empty fill-in workbook to ``path`` (``.xlsx``)."""
    chosen: Sequence[Group] = (groups,) if isinstance(groups, str) else groups
    wb = build_template(chosen, **kw)  # type: ignore[arg-type]
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


__all__ = [
    "DEFAULT_FUNDS",
    "DEFAULT_PROJECTS",
    "FUND_LIST_FIRST_ROW",
    "FUND_LIST_HEADER_ROW",
    "HEADER_ROW",
    "TABLE_FIRST_ROW",
    "VALUE_COL",
    "Column",
    "build_template",
    "form_rows",
    "unit_row",
    "write_template",
]
