"""Where each model field lives in the fill-in workbook (填报工作簿), derived from the model.

One layout serves the template writer, the exporter (:mod:`jixiao.write.workbook.fill`) and the
reader, so the three never disagree and the workbook never drifts from the model: every row
label and column header is the field's Chinese ``title`` (plus its unit), and
:func:`uncovered_fields` lists any model field the layout forgot (a test keeps it empty).

Three kinds of sheet:

* **form** (表单): one field per row, labels in column A, one value column per record — the
  fund sheets have one column per 险种 (declared once in 单位与年度), the department sheets one
  column, 项目资金 one column per project (its header row is the 项目名称);
* **table** (明细表): one record per row, one field per column (功能分类, 绩效指标, 报告所述...);
* **matrix**: 三公经费, rows 合计/因公出国（境）费/... × columns 预算数/决算数/....
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Literal

from pydantic import BaseModel

from jixiao.model import Dataset, DepartmentYear, FundYear, IndicatorRow, Project, Unit
from jixiao.model import types as t
from jixiao.model.department import (
    Assets,
    Carryover,
    DepartmentBudget,
    DepartmentChange,
    DepartmentExpenditure,
    DepartmentIncome,
    DepartmentPrevious,
    FunctionalLine,
    Staff,
    ThreePublic,
    ThreePublicItem,
)
from jixiao.model.funds import (
    BalanceSheet,
    Coverage,
    FundBalance,
    FundBudget,
    FundChange,
    FundExpenditure,
    FundIncome,
    FundPrevious,
    Services,
    StatedFigure,
)
from jixiao.model.project import ProjectFunds

Group = Literal["fund", "department", "project"]
GROUPS: tuple[Group, ...] = ("fund", "department", "project")
GROUP_LABEL: dict[str, str] = {"fund": "基金", "department": "部门整体支出", "project": "项目"}

Kind = Literal["money", "signed_money", "persons", "person_times", "rate", "per_capita", "int", "text", "enum"]
QUANTITY_KINDS = ("money", "signed_money", "persons", "person_times", "rate", "per_capita")

_QUANTITY_TYPES: list[tuple[object, Kind, str]] = [
    (t.Money, "money", "万元"),
    (t.SignedMoney, "signed_money", "万元"),
    (t.Persons, "persons", "人"),
    (t.PersonTimes, "person_times", "人次"),
    (t.Rate, "rate", "%"),
    (t.PerCapita, "per_capita", "元/人"),
]

#: units of the few plain-integer fields (the model types them ``int``)
_INT_UNITS: dict[tuple[type, str], str] = {
    (Assets, "vehicles"): "辆",
    (FundChange, "insured"): "人",
    (FundChange, "maternity_beneficiaries"): "人次",
}

_EXAMPLES: dict[str, str] = {
    "money": "74200、655.50 或 7.42亿元（不带单位即为万元）",
    "signed_money": "23204 或 -9054（减少、亏损填负数）",
    "persons": "388079 或 1.8067万人",
    "person_times": "40101 或 5.2万人次",
    "rate": "15.30%（可直接输入百分数）",
    "per_capita": "806 或 220元/人",
    "int": "12",
}
_KIND_HELP: dict[str, str] = {
    "money": "金额，不能为负。",
    "signed_money": "金额，可为负数。",
    "persons": "人数，不能为负。",
    "person_times": "人次，不能为负。",
    "rate": "比率（百分数）。",
    "per_capita": "人均金额。",
    "int": "整数。",
    "text": "文字。",
    "enum": "从下拉列表中选择。",
}

MONEY_UNIT_CHOICES = ("元", "万元", "亿元")


@dataclass(frozen=True)
class FieldSpec:
    """One model field as the workbook shows it."""

    path: tuple[str, ...]  # inside the record: ("income", "total")
    title: str
    kind: Kind
    unit: str = ""  # "万元" stands for the workbook's money unit
    choices: tuple[str, ...] = ()
    description: str | None = None
    required: bool = False

    @property
    def name(self) -> str:
        return self.path[-1]

    @property
    def is_money(self) -> bool:
        return self.kind in ("money", "signed_money")

    @property
    def is_quantity(self) -> bool:
        return self.kind in QUANTITY_KINDS

    def shown_unit(self, money_unit: str = "万元") -> str:
        return money_unit if self.is_money else self.unit

    def label(self, money_unit: str = "万元") -> str:
        """``基金收入合计（万元）``; a title ending in ）gets the unit inside: ``完成预算（报告所述，%）``."""
        unit = self.shown_unit(money_unit)
        if not unit:
            return self.title
        if self.title.endswith("）"):
            return f"{self.title[:-1]}，{unit}）"
        return f"{self.title}（{unit}）"

    def labels(self) -> set[str]:
        """Every label the reader accepts for this field (any money unit, or the bare title)."""
        out = {self.title, self.label()}
        if self.is_money:
            out |= {self.label(u) for u in MONEY_UNIT_CHOICES}
        return out

    def help_text(self) -> str:
        """The header comment: what the field is, and an example."""
        lines = [self.label()]
        if self.description:
            lines.append(self.description)
        lines.append(_KIND_HELP[self.kind])
        if self.choices:
            shown = "、".join(self.choices[:12])
            lines.append(f"可选：{shown}")
        example = _EXAMPLES.get(self.kind)
        if example:
            lines.append(f"例：{example}")
        if self.required:
            lines.append("必填。")
        return "\n".join(lines)


def _flatten(annotation: object) -> Iterator[object]:
    """The annotation itself and what it wraps (``Annotated``, unions), outermost first."""
    yield annotation
    if typing.get_origin(annotation) is typing.Annotated:
        yield from _flatten(typing.get_args(annotation)[0])
    elif typing.get_origin(annotation) in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            yield from _flatten(arg)


def _kind_of(model: type[BaseModel], name: str) -> tuple[Kind, str, tuple[str, ...]]:
    info = model.model_fields[name]
    annotation = info.rebuild_annotation() if info.metadata else info.annotation
    args = list(_flatten(annotation))
    for candidate in args:
        for typ, kind, unit in _QUANTITY_TYPES:
            if candidate == typ:
                return kind, unit, ()
        if isinstance(candidate, type) and issubclass(candidate, Enum):
            return "enum", "", tuple(str(m.value) for m in candidate)
        if typing.get_origin(candidate) is Literal:
            return "enum", "", tuple(str(a) for a in typing.get_args(candidate))
        if candidate is int:
            return "int", _INT_UNITS.get((model, name), ""), ()
        if candidate is str:
            return "text", "", ()
    raise TypeError(f"{model.__name__}.{name}: no workbook kind for {annotation!r}")


def spec(model: type[BaseModel], name: str, prefix: tuple[str, ...] = (), *, title: str | None = None) -> FieldSpec:
    info = model.model_fields[name]
    kind, unit, choices = _kind_of(model, name)
    return FieldSpec(
        path=(*prefix, name),
        title=title or info.title or name,
        kind=kind,
        unit=unit,
        choices=choices,
        description=info.description,
        required=info.is_required(),
    )


def specs(model: type[BaseModel], prefix: tuple[str, ...] = (), exclude: tuple[str, ...] = ()) -> tuple[FieldSpec, ...]:
    """Every field of a flat sub-model (all of them scalars)."""
    return tuple(spec(model, name, prefix) for name in model.model_fields if name not in exclude)


# --------------------------------------------------------------------------------------------
# Sheets
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    title: str | None
    fields: tuple[FieldSpec, ...]


@dataclass(frozen=True)
class FormSheet:
    """Fields as rows; one value column per record of the group."""

    name: str
    title: str
    group: Group
    sections: tuple[Section, ...]
    #: the header of the value columns' first row (项目名称 for projects: typed there)
    header: str = "数值"

    @property
    def fields(self) -> tuple[FieldSpec, ...]:
        return tuple(f for s in self.sections for f in s.fields)

    #: rows before the first section: title (1) and header (2); fund sheets add 口径 (3)
    @property
    def header_rows(self) -> int:
        return 3 if self.group == "fund" else 2


@dataclass(frozen=True)
class Column:
    """A column of a table sheet: a model field, or one of the keys that say whose row it is."""

    key: str  # field name, or "record" / "stated_key" / "project" / "narrative_key"
    header: str
    field: FieldSpec | None = None
    width: float = 14
    required: bool = False
    choices: tuple[str, ...] = ()
    help: str = ""

    @property
    def text_only(self) -> bool:
        return self.field is None or self.field.kind in ("text", "enum")


@dataclass(frozen=True)
class TableSheet:
    name: str
    title: str
    group: Group | None  # None: shared by every kind of workbook
    columns: tuple[Column, ...]
    template_rows: int = 60

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


@dataclass(frozen=True)
class MatrixSheet:
    """三公经费: one row per sub-model of ``ThreePublic``, one column per ``ThreePublicItem`` field."""

    name: str
    title: str
    group: Group
    path: tuple[str, ...]
    rows: tuple[tuple[str, str], ...]  # (attribute, row label)
    columns: tuple[FieldSpec, ...]


Sheet = FormSheet | TableSheet | MatrixSheet


def _field_column(model: type[BaseModel], name: str, width: float = 14) -> Column:
    f = spec(model, name)
    return Column(name, f.label(), f, width=width, required=f.required, choices=f.choices, help=f.help_text())


INSTRUCTIONS = "填表说明"
UNIT_SHEET = "单位与年度"

#: record column of the shared tables
RECORD_HELP = (
    "这一行属于哪条记录：部门数据填“部门整体支出”；基金填险种名称（同一险种有两个口径时写“险种（口径）”，"
    "也可写“基金1”“基金2”…，即单位与年度表中基金列表的序号）；项目填项目名称。"
)
DEPARTMENT_RECORD = "部门整体支出"

FUND_SHEETS: tuple[FormSheet, ...] = (
    FormSheet("基金收入", "基金收入", "fund", (Section(None, specs(FundIncome, ("income",))),)),
    FormSheet("基金支出", "基金支出", "fund", (Section(None, specs(FundExpenditure, ("expenditure",))),)),
    FormSheet("预算与结余", "基金预算、结余与资产负债", "fund", (
        Section("基金预算", specs(FundBudget, ("budget",))),
        Section("结余", specs(FundBalance, ("balance",))),
        Section("资产负债", specs(BalanceSheet, ("balance_sheet",))),
    )),
    FormSheet("参保与待遇", "参保人数与享受待遇", "fund", (
        Section("参保人数", specs(Coverage, ("coverage",))),
        Section("享受待遇", specs(Services, ("services",))),
    )),
    FormSheet("上年与增减", "上年数与较上年增减", "fund", (
        Section("上年数（报告所述）", specs(FundPrevious, ("previous",))),
        Section("较上年增减（减少填负数）", specs(FundChange, ("change",))),
    )),
)

DEPARTMENT_SHEETS: tuple[Sheet, ...] = (
    FormSheet("人员", "编制与人员", "department", (Section(None, specs(Staff, ("staff",))),)),
    FormSheet("预算", "部门预算", "department", (
        Section("预算", specs(DepartmentBudget, ("budget",))),
        Section("政府采购", (spec(DepartmentYear, "procurement_budget"),)),
    )),
    FormSheet("收入支出", "收入、支出与上年对比", "department", (
        Section("收入", specs(DepartmentIncome, ("income",))),
        Section("支出", specs(DepartmentExpenditure, ("expenditure",))),
        Section("上年数（报告所述）", specs(DepartmentPrevious, ("previous",))),
        Section("较上年增减额（减少填负数）", specs(DepartmentChange, ("change",))),
    )),
    TableSheet("功能分类", "支出功能分类（类/款/项）", "department", tuple(
        _field_column(FunctionalLine, name, 26 if name in ("category", "section", "item") else 14)
        for name in FunctionalLine.model_fields
    ), template_rows=60),
    MatrixSheet("三公经费", "“三公”经费", "department", ("three_public",),
                tuple((name, ThreePublic.model_fields[name].title or name) for name in ThreePublic.model_fields),
                specs(ThreePublicItem)),
    FormSheet("资产与结转", "资产、结转结余与自评", "department", (
        Section("资产", specs(Assets, ("assets",))),
        Section("结转结余", specs(Carryover, ("carryover",))),
        Section("政府采购与自评", (spec(DepartmentYear, "procurement_actual"), spec(DepartmentYear, "self_score"))),
    )),
)

PROJECT_NAME = spec(Project, "name")
PROJECT_COLUMN = Column("project", PROJECT_NAME.title, width=28, required=True,
                        help="这一行属于哪个项目：与“项目资金”表第2行的项目名称一致（只有一个项目时可不填）。")

PROJECT_SHEETS: tuple[Sheet, ...] = (
    FormSheet("项目资金", "项目基本信息与项目资金", "project", (
        Section("项目信息", (spec(Project, "department"), spec(Project, "implementer"))),
        Section("项目资金", specs(ProjectFunds, ("funds",))),
    ), header=PROJECT_NAME.title),
    TableSheet("年度目标", "年度总体目标", "project", (
        PROJECT_COLUMN,
        _field_column(Project, "goal_expected", 50),
        _field_column(Project, "goal_actual", 50),
    ), template_rows=20),
    TableSheet("绩效指标", "绩效指标", "project", (
        PROJECT_COLUMN,
        *(_field_column(IndicatorRow, name, {"level3": 30, "deviation_reason": 30, "target": 18, "actual": 18}
                        .get(name, 12))
          for name in IndicatorRow.model_fields),
    ), template_rows=200),
)

RECORD_COLUMN = Column("record", "记录", width=24, required=True, help=RECORD_HELP)

COMMON_TABLES: tuple[TableSheet, ...] = (
    TableSheet("报告所述", "报告所述派生数（用于与计算结果核对）", None, (
        RECORD_COLUMN,
        Column("stated_key", "指标代码", width=30, required=True,
               help="指标代码，如 income_yoy_rate（网站“指标目录”页列出全部指标的代码、名称与公式）；"
                    "同一指标第二处表述加“@line行号”后缀。"),
        *(_field_column(StatedFigure, name, {"value": 16, "line": 10, "quote": 60}[name])
          for name in StatedFigure.model_fields),
    ), template_rows=200),
    TableSheet("文字说明", "文字说明（工作成效、存在问题、改进措施等，由填报人撰写）", None, (
        RECORD_COLUMN,
        Column("narrative_key", "章节", width=22, required=True,
               help="报告中的章节，如 工作成效、存在问题、改进措施（下拉列表可选，也可填其英文键）。"),
        Column("narrative_text", "内容", width=90, required=True,
               help="整段文字；多段可分行填写，或在多行填同一章节。"),
    ), template_rows=60),
    TableSheet("备注", "说明（录入依据、口径差异等）", None, (
        RECORD_COLUMN,
        Column("note", "说明", width=100, required=True, help="一条说明一行，按顺序保存。"),
    ), template_rows=100),
)

#: fields of 单位与年度 (the unit of the workbook, its year, money unit and source)
UNIT_FIELDS: tuple[FieldSpec, ...] = (
    spec(Unit, "code"),
    spec(Unit, "name"),
    spec(Unit, "level"),
    spec(Unit, "kind"),
    spec(Unit, "parent"),
    spec(Unit, "region"),
    spec(FundYear, "year"),
    spec(Dataset, "money_unit"),
    spec(Dataset, "source"),
)
UNIT_REQUIRED = ("code", "year")
FUND_LIST_HEADER = "序号"
FUND_KIND = spec(FundYear, "fund")
FUND_SCOPE = spec(FundYear, "scope")

SHEETS_OF: dict[Group, tuple[Sheet, ...]] = {
    "fund": FUND_SHEETS,
    "department": DEPARTMENT_SHEETS,
    "project": PROJECT_SHEETS,
}


def sheet_names(groups: tuple[Group, ...]) -> list[str]:
    """The sheets of a workbook holding ``groups``, in order."""
    names = [INSTRUCTIONS, UNIT_SHEET]
    for g in GROUPS:
        if g in groups:
            names += [s.name for s in SHEETS_OF[g]]
    names += [s.name for s in COMMON_TABLES]
    return names


def all_sheet_names() -> list[str]:
    return sheet_names(GROUPS)


def group_of_sheet(name: str) -> Group | None:
    for g, sheets in SHEETS_OF.items():
        if any(s.name == name for s in sheets):
            return g
    return None


def fund_labels(funds: list[tuple[str | None, str | None]]) -> list[str]:
    """How the shared tables name each fund column: the 险种, or 险种（口径） when the 险种 repeats,
    or 基金N when even that repeats. ``funds`` are (险种, 口径) in column order."""
    kinds = [f for f, _ in funds]
    full = [f"{f}（{s}）" if s else (f or "") for f, s in funds]
    out = []
    for i, (fund, _scope) in enumerate(funds):
        if fund and kinds.count(fund) == 1:
            out.append(fund)
        elif fund and full.count(full[i]) == 1:
            out.append(full[i])
        else:
            out.append(f"基金{i + 1}")
    return out


# --------------------------------------------------------------------------------------------
# Coverage: every model field has a place
# --------------------------------------------------------------------------------------------

#: record fields placed by the workbook's structure rather than by a labelled cell
_STRUCTURAL: dict[type[BaseModel], set[str]] = {
    FundYear: {"unit", "year", "fund", "scope", "stated", "notes", "narrative"},
    DepartmentYear: {"unit", "year", "functional", "three_public", "stated", "notes", "narrative"},
    Project: {"unit", "year", "name", "goal_expected", "goal_actual", "indicators", "stated", "notes", "narrative"},
}


def _leaf_paths(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from _leaf_paths(annotation, (*prefix, name))
        else:
            yield (*prefix, name)


def uncovered_fields() -> list[str]:
    """Model fields with no place in the workbook (should be none)."""
    missing: list[str] = []
    placed: dict[type[BaseModel], set[tuple[str, ...]]] = {
        FundYear: {f.path for s in FUND_SHEETS for f in s.fields},
        DepartmentYear: {f.path for s in DEPARTMENT_SHEETS if isinstance(s, FormSheet) for f in s.fields},
        Project: {f.path for s in PROJECT_SHEETS if isinstance(s, FormSheet) for f in s.fields},
    }
    for model, paths in placed.items():
        for path in _leaf_paths(model):
            if path[0] in _STRUCTURAL[model] or path in paths:
                continue
            missing.append(f"{model.__name__}.{'.'.join(path)}")
    table_models: list[tuple[type[BaseModel], set[str]]] = [
        (FunctionalLine, {c.key for c in DEPARTMENT_SHEETS[3].columns} if isinstance(DEPARTMENT_SHEETS[3], TableSheet)
         else set()),
        (IndicatorRow, {c.key for c in PROJECT_SHEETS[2].columns} if isinstance(PROJECT_SHEETS[2], TableSheet)
         else set()),
        (StatedFigure, {c.key for c in COMMON_TABLES[0].columns}),
        # a unit's rule set is set by the administrator (units.yaml, 管理), not in the unit's workbook;
        # an import without it keeps the unit's (store.repository.save_parts)
        (Unit, {f.name for f in UNIT_FIELDS} | {"ruleset"}),
    ]
    for model, keys in table_models:
        missing += [f"{model.__name__}.{n}" for n in model.model_fields if n not in keys]
    matrix = DEPARTMENT_SHEETS[4]
    if isinstance(matrix, MatrixSheet):
        missing += [f"ThreePublic.{n}" for n in ThreePublic.model_fields if n not in {r for r, _ in matrix.rows}]
        missing += [f"ThreePublicItem.{n}" for n in ThreePublicItem.model_fields
                    if n not in {f.name for f in matrix.columns}]
    # fund_periods: monthly and quarterly figures have no sheet yet (issue 14's monthly sheet comes
    # later); until then they are written in data files only
    missing += [f"Dataset.{n}" for n in Dataset.model_fields
                if n not in {"money_unit", "source", "units", "fund_years", "fund_periods", "departments", "projects"}]
    return missing



# --------------------------------------------------------------------------------------------
# Where things are on a sheet (the template writes them there, the reader looks there)
# --------------------------------------------------------------------------------------------

TITLE_ROW = 1
HEADER_ROW = 2
TABLE_FIRST_ROW = 3
VALUE_COL = 2
#: 单位与年度: the unit fields start here; the fund list header two rows after them
UNIT_FIRST_ROW = 3
FUND_LIST_HEADER_ROW = UNIT_FIRST_ROW + len(UNIT_FIELDS) + 1
FUND_LIST_FIRST_ROW = FUND_LIST_HEADER_ROW + 1
#: appended to the label of a field that must be filled in
REQUIRED_MARK = "（必填）"


def unit_row(name: str) -> int:
    """Row of a unit field (``code``, ``year``...) in 单位与年度."""
    return UNIT_FIRST_ROW + next(i for i, f in enumerate(UNIT_FIELDS) if f.name == name)


def form_rows(sheet: FormSheet) -> list[tuple[int, Section | FieldSpec]]:
    """Rows of a form sheet: a section heading (when titled), then its fields."""
    row = sheet.header_rows + 1
    out: list[tuple[int, Section | FieldSpec]] = []
    for section in sheet.sections:
        if section.title:
            out.append((row, section))
            row += 1
        for f in section.fields:
            out.append((row, f))
            row += 1
    return out


__all__ = [
    "COMMON_TABLES",
    "DEPARTMENT_RECORD",
    "DEPARTMENT_SHEETS",
    "FUND_KIND",
    "FUND_LIST_FIRST_ROW",
    "FUND_LIST_HEADER",
    "FUND_LIST_HEADER_ROW",
    "FUND_SCOPE",
    "FUND_SHEETS",
    "GROUPS",
    "GROUP_LABEL",
    "HEADER_ROW",
    "INSTRUCTIONS",
    "PROJECT_NAME",
    "PROJECT_SHEETS",
    "REQUIRED_MARK",
    "SHEETS_OF",
    "TABLE_FIRST_ROW",
    "TITLE_ROW",
    "UNIT_FIELDS",
    "UNIT_FIRST_ROW",
    "UNIT_SHEET",
    "VALUE_COL",
    "Column",
    "FieldSpec",
    "FormSheet",
    "Group",
    "MatrixSheet",
    "Section",
    "Sheet",
    "TableSheet",
    "all_sheet_names",
    "form_rows",
    "fund_labels",
    "group_of_sheet",
    "sheet_names",
    "uncovered_fields",
    "unit_row",
]
