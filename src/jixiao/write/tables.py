"""The tables a submitted report carries, laid out like the official forms.

* the 项目支出绩效自评表 of 财政部《项目支出绩效评价管理办法》(财预〔2020〕10号), with 分值/得分;
* the 绩效目标完成情况表 without scores, as 新疆 (社会保险基金) and 四川 forms print it;
* the 部门整体支出绩效自评表 (indicators the engine computes, 分值/得分 from a rule set);
* the 基金收支情况表, the 支出功能分类 (类/款/项) table and the 基础数据表.

The 分值/得分 come from a :class:`SelfEvalScores`: a rule set's (:mod:`jixiao.write.scores`) or the
data's own (:func:`scores_from_data`). A score that cannot be computed is printed “未计分” and a
total is printed only when every row it adds up is scored. No formula, rule or source is printed
here: those go to the working paper.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from pydantic import BaseModel

from jixiao.model import DepartmentYear, FundKind, FundYear, IndicatorRow, Project
from jixiao.model.funds import FUNDS
from jixiao.numbers import Quantity, round_half_up, to_decimal
from jixiao.write.context import display_name, fund_label
from jixiao.write.printed import Fig, of
from jixiao.write.report import Grid, Paragraph, Results
from jixiao.write.words import signs

DASH = "—"
NOT_SCORED = "未计分"


@dataclass(frozen=True)
class RowScore:
    """分值 and 得分 of one row as they are to be printed (None → blank cell)."""

    weight: str | None = None
    score: str | None = None
    explanation: str | None = None


@dataclass(frozen=True)
class ScoreLine:
    """One line of the 评分说明 (working paper): what was scored, by which rule, and the arithmetic."""

    item: str
    rule: str
    arithmetic: str


@dataclass(frozen=True)
class SelfEvalScores:
    """Everything a scorer fills in a 自评表. ``rows`` is parallel to the table's indicator rows.

    The department table has no fixed rows: its scores are keyed by indicator id (``by_indicator``).
    ``complete`` is False when a row could not be scored (its 得分 reads “未计分”, and so does the
    total); ``reason`` says why. ``explanations`` (with ``ruleset``) are the working paper's 评分说明;
    ``reference`` is a full scoring the rule set could make only by assumptions of its own (weights
    split evenly), kept for the working paper and never printed in the report.
    """

    rows: Sequence[RowScore] = ()
    budget_weight: str | None = None
    budget_score: str | None = None
    total_weight: str | None = None
    total_score: str | None = None
    grade: str | None = None
    notes: Sequence[str] = field(default_factory=tuple)
    by_indicator: Mapping[str, RowScore] = field(default_factory=dict)
    ruleset: str | None = None
    explanations: Sequence[ScoreLine] = ()
    complete: bool = True
    reason: str | None = None
    reference: SelfEvalScores | None = None


def _sum_if_all(values: Sequence[str | None]) -> str | None:
    """The sum of figures as written, only when every one is present and numeric."""
    if not values or any(v is None for v in values):
        return None
    try:
        total = sum((to_decimal(v) for v in values if v is not None), Decimal(0))
    except ValueError:
        return None
    return f"{total:f}"


def scores_from_data(project: Project) -> SelfEvalScores:
    """分值/得分 as the input states them (the report left them blank → blank here too)."""
    rows = [RowScore(r.weight, r.score) for r in project.indicators]
    return SelfEvalScores(
        rows=rows,
        total_weight=_sum_if_all([r.weight for r in rows]),
        total_score=_sum_if_all([r.score for r in rows]),
        complete=all(r.score for r in rows),
    )


def _q(q: Quantity | None) -> str:
    return "" if q is None else f"{q.value:f}"


def _number_format(places: int) -> str:
    return "0" if places == 0 else "0." + "0" * places


def _written_format(q: Quantity | Fig) -> str:
    """The spreadsheet format of a figure as written: as many decimals as it was written with."""
    exponent = int(q.value.as_tuple().exponent)
    return _number_format(max(0, -exponent))


def _money_cell(g: Grid, row: int, col: int, q: Quantity | Fig | None, **kw: object) -> None:
    if q is None:
        g.add(row, col, "", **kw)
        return
    g.add(row, col, f"{q.value:f}", align="right", value=q.value, number_format=_written_format(q))


def _money_span(g: Grid, row: int, col: int, q: Quantity | None, colspan: int, empty: str) -> None:
    if q is None:
        g.add(row, col, empty, colspan=colspan)
        return
    g.add(row, col, f"{q.value:f}", colspan=colspan, align="right", value=q.value, number_format=_written_format(q))


def project_self_eval_table(
    project: Project,
    results: Results,
    scores: SelfEvalScores | None = None,
    *,
    title: str = "项目支出绩效自评表",
    key: str = "self_eval",
    deviations: Sequence[Paragraph | None] = (),
) -> Grid:
    """The 项目支出绩效自评表 (财预〔2020〕10号 form): 10 columns, merged header blocks.

    The indicator part's header row repeats on every page (``repeat_from``); its rows never split.
    """
    scores = scores or scores_from_data(project)
    g = Grid(key=key, title=title, n_cols=10, subtitle=f"（{project.year}年度）", note="单位：万元",
             widths=[1.5, 1.5, 1.6, 3.0, 2.0, 2.0, 2.0, 1.3, 1.6, 2.0], header_rows=0, landscape=True)
    f = project.funds
    g.add(0, 0, "项目名称", colspan=2, header=True)
    g.add(0, 2, project.name, colspan=8, align="left")
    g.add(1, 0, "主管部门", colspan=2, header=True)
    g.add(1, 2, project.department or "", colspan=4, align="left")
    g.add(1, 6, "实施单位", colspan=2, header=True)
    g.add(1, 8, project.implementer or "", colspan=2, align="left")
    g.add(2, 0, "项目资金（万元）", rowspan=5, colspan=2, header=True)
    for col, text in ((2, ""), (4, "年初预算数"), (5, "全年预算数"), (6, "全年执行数"), (7, "分值"),
                      (8, "执行率"), (9, "得分")):
        g.add(2, col, text, colspan=2 if col == 2 else 1, header=True)
    execution = results.get("project_budget_execution_rate")
    rate = execution.display() if execution is not None and execution.value is not None else ""
    money_rows = [
        ("年度资金总额", f.initial_budget, f.budget, f.executed),
        ("其中：当年财政拨款", None, f.budget_fiscal, f.executed_fiscal),
        ("上年结转资金", None, f.budget_carryover, f.executed_carryover),
        ("其他资金", None, f.budget_other, f.executed_other),
    ]
    for i, (label, initial, budget, executed) in enumerate(money_rows):
        r = 3 + i
        g.add(r, 2, label, colspan=2, header=True, align="left")
        for col, q in ((4, initial), (5, budget), (6, executed)):
            _money_cell(g, r, col, q)
        if i == 0:
            g.add(r, 7, scores.budget_weight or "")
            g.add(r, 8, rate)
            g.add(r, 9, scores.budget_score or "")
        else:
            for col in (7, 8, 9):
                g.add(r, col, DASH)
    g.add(7, 0, "年度总体目标", rowspan=2, header=True)
    g.add(7, 1, "预期目标", colspan=5, header=True)
    g.add(7, 6, "实际完成情况", colspan=4, header=True)
    g.add(8, 1, project.goal_expected or "", colspan=5, align="left")
    g.add(8, 6, project.goal_actual or "", colspan=4, align="left")
    top = 9
    rows = project.indicators
    g.add(top, 0, "绩效指标", header=True)
    if rows:
        g.add(top + 1, 0, "", rowspan=len(rows), header=True)
    for col, text in ((1, "一级指标"), (2, "二级指标"), (3, "三级指标"), (4, "年度指标值"),
                      (5, "实际完成值"), (6, "分值"), (7, "得分"), (8, "偏差原因分析及改进措施")):
        g.add(top, col, text, colspan=2 if col == 8 else 1, header=True)
    _indicator_rows(g, top + 1, rows, scores.rows, deviations)
    last = top + 1 + len(rows)
    g.add(last, 0, "总分", colspan=6, header=True)
    g.add(last, 6, scores.total_weight or "")
    g.add(last, 7, scores.total_score or "")
    g.add(last, 8, scores.grade or "", colspan=2)
    g.repeat_from = top
    g.check()
    return g


def _runs(values: Sequence[str | None]) -> list[tuple[int, int]]:
    """(start, length) of runs of equal consecutive values: the vertical merges of 一级/二级 cells.

    A blank 二级 cell stays its own blank cell (the form left it blank; we do not guess).
    """
    runs: list[tuple[int, int]] = []
    current: str | None = None
    for i, v in enumerate(values):
        if i == 0 or v != current:
            runs.append((i, 1))
            current = v
        else:
            start, n = runs[-1]
            runs[-1] = (start, n + 1)
    return runs


def _levels(g: Grid, first: int, rows: Sequence[IndicatorRow], col: int) -> None:
    """一级 and 二级 cells at ``col`` and ``col + 1``, merged down their runs."""
    for start, n in _runs([r.level1 for r in rows]):
        g.add(first + start, col, rows[start].level1, rowspan=n)
        block = rows[start:start + n]
        for s2, n2 in _runs([r.level2 or "" for r in block]):
            g.add(first + start + s2, col + 1, block[s2].level2 or "", rowspan=n2)


def _indicator_rows(g: Grid, first: int, rows: Sequence[IndicatorRow], scores: Sequence[RowScore],
                    deviations: Sequence[Paragraph | None]) -> None:
    _levels(g, first, rows, 1)
    for i, r in enumerate(rows):
        score = scores[i] if i < len(scores) else RowScore()
        reason = deviations[i] if i < len(deviations) else None
        g.add(first + i, 3, r.level3, align="left")
        g.add(first + i, 4, signs(r.target))
        g.add(first + i, 5, signs(r.actual or ""))
        g.add(first + i, 6, score.weight or "")
        g.add(first + i, 7, score.score or "")
        g.add(first + i, 8, reason.text if reason else "", colspan=2, align="left")


def completion_table(project: Project, *, title: str, key: str, unit_label: str = "预算单位",
                     unit_name: str = "", source_label: str = "财政拨款") -> Grid:
    """绩效目标完成情况表 without scores (新疆 社会保险基金 and 四川 forms): 项目名称, 单位,
    预算执行情况, 年度目标, and the indicators with 预期指标值 / 实际完成指标值."""
    f = project.funds
    g = Grid(key=key, title=title, n_cols=6, subtitle=f"（{project.year}年度）", note="单位：万元",
             widths=[1.6, 1.8, 2.0, 4.0, 2.6, 2.6], header_rows=0, landscape=True)
    g.add(0, 0, "项目名称", colspan=2, header=True)
    g.add(0, 2, project.name, colspan=4, align="left")
    g.add(1, 0, unit_label, colspan=2, header=True)
    g.add(1, 2, unit_name or project.implementer or project.department or "", colspan=4, align="left")
    g.add(2, 0, "预算执行情况", rowspan=3, header=True)
    other_b = f.budget_other or f.budget_carryover
    other_e = f.executed_other or f.executed_carryover
    all_b = f.budget is not None and f.budget_fiscal == f.budget
    all_e = f.executed is not None and f.executed_fiscal == f.executed
    for r, label, budget, executed, none_b, none_e in (
        (2, "", f.budget, f.executed, False, False),
        (3, f"其中：{source_label}", f.budget_fiscal, f.executed_fiscal, False, False),
        (4, "其他资金", other_b, other_e, all_b, all_e),
    ):
        g.add(r, 1, f"{label or '预算数'}", header=True)
        _money_span(g, r, 2, budget, 1, "无" if none_b else "")
        g.add(r, 3, f"{label or '执行数'}", header=True)
        _money_span(g, r, 4, executed, 2, "无" if none_e else "")
    g.add(5, 0, "年度目标完成情况", rowspan=2, header=True)
    g.add(5, 1, "预期目标", colspan=2, header=True)
    g.add(5, 3, "实际完成目标", colspan=3, header=True)
    g.add(6, 1, project.goal_expected or "", colspan=2, align="left")
    g.add(6, 3, project.goal_actual or "", colspan=3, align="left")
    rows = project.indicators
    top = 7
    g.add(top, 0, "绩效指标完成情况", header=True)
    if rows:
        g.add(top + 1, 0, "", rowspan=len(rows), header=True)
    for col, text in ((1, "一级指标"), (2, "二级指标"), (3, "三级指标"), (4, "预期指标值"), (5, "实际完成指标值")):
        g.add(top, col, text, header=True)
    _levels(g, top + 1, rows, 1)
    for i, row in enumerate(rows):
        g.add(top + 1 + i, 3, row.level3, align="left")
        g.add(top + 1 + i, 4, signs(row.target))
        g.add(top + 1 + i, 5, signs(row.actual or ""))
    g.repeat_from = top
    g.check()
    return g


# --------------------------------------------------------------------------------------------
# Department: the 部门整体支出绩效自评表
# --------------------------------------------------------------------------------------------

#: 一级/二级 of the department indicators as Hunan's 部门整体支出绩效评价指标体系 groups them
DEPARTMENT_FORM: tuple[tuple[str, str, str], ...] = (
    ("运行成本", "经济成本控制", "operating_cost_control_rate"),
    ("运行成本", "经济成本控制", "public_operating_control_rate"),
    ("运行成本", "经济成本控制", "three_public_control_rate"),
    ("运行成本", "经济成本控制", "three_public_change_rate"),
    ("运行成本", "经济成本控制", "reception_control_rate"),
    ("管理效率", "预算执行", "budget_completion_rate"),
    ("管理效率", "预算执行", "budget_adjustment_rate"),
    ("管理效率", "预算执行", "budget_addition_rate"),
    ("管理效率", "预算执行", "budget_control_rate"),
    ("管理效率", "预算执行", "funding_control_rate"),
    ("管理效率", "预算执行", "carryover_rate"),
    ("管理效率", "人员管理", "staff_control_rate"),
)


def department_self_eval_table(
    dy: DepartmentYear, results: Results, scores: SelfEvalScores | None = None,
    reasons: Mapping[str, str] | None = None,
) -> Grid:
    """部门整体支出绩效自评表: 一级/二级/三级 指标, 实际值 from the engine, 分值/得分 from a scorer.

    A row the rule set does not score reads “未计分”; the 合计 is the sum of the rows only when
    every row is scored, else “未计分” too (never a partial total). The unit's own stated score,
    when it is not that 合计, is a row of its own marked 据报 — the same words the text uses
    (:func:`stated_self_score`), so text and table never disagree.
    """
    from jixiao.calc.registry import lookup

    scores = scores or SelfEvalScores(complete=False)
    present = [(l1, l2, i) for l1, l2, i in DEPARTMENT_FORM if i in results and results[i].value is not None]
    listed = {i for _, _, i in DEPARTMENT_FORM}
    present += [("其他", "", i) for i in scores.by_indicator
                if i not in listed and i in results and results[i].value is not None]
    g = Grid(key="department_self_eval", title="部门整体支出绩效自评表", n_cols=7,
             subtitle=f"（{dy.year}年度）", widths=[1.6, 1.8, 3.4, 1.8, 1.6, 1.6, 5.6], header_rows=1, landscape=True)
    for col, text in enumerate(("一级指标", "二级指标", "三级指标", "实际值", "分值", "得分", "偏差原因分析")):
        g.add(0, col, text, header=True)
    for start, n in _runs([p[0] for p in present]):
        g.add(1 + start, 0, present[start][0], rowspan=n)
        block = present[start:start + n]
        for s2, n2 in _runs([p[1] for p in block]):
            g.add(1 + start + s2, 1, block[s2][1], rowspan=n2)
    weights: list[str | None] = []
    got: list[str | None] = []
    for i, (_, _, ind) in enumerate(present):
        score = scores.by_indicator.get(ind, RowScore()) if scores.by_indicator else (
            scores.rows[i] if i < len(scores.rows) else RowScore())
        res = results[ind]
        d = lookup(ind, getattr(res, "subject", "department"))
        value = round_half_up(res.value, res.places) if res.value is not None else None
        g.add(1 + i, 2, display_name(d.name), align="left")
        # a rate keeps its number (as the audit reads it) and shows its sign: 95.57 displayed “95.57%”
        shown_as = _number_format(res.places) + ('"%"' if res.unit == "%" else "")
        g.add(1 + i, 3, res.display(), align="right", value=value, number_format=shown_as)
        g.add(1 + i, 4, score.weight or "")
        g.add(1 + i, 5, score.score or NOT_SCORED)
        g.add(1 + i, 6, (reasons or {}).get(ind, ""), align="left")
        weights.append(score.weight)
        got.append(score.score if score.score != NOT_SCORED else None)
    last = 1 + len(present)
    complete = scores.complete and all(w is not None for w in weights) and all(s is not None for s in got)
    g.add(last, 0, "合计", colspan=4, header=True)
    g.add(last, 4, (_sum_if_all(weights) or "") if complete else "")
    g.add(last, 5, (_sum_if_all(got) or NOT_SCORED) if complete else NOT_SCORED)
    g.add(last, 6, scores.grade or "" if complete else "")
    total = _sum_if_all(got) if complete else None
    stated = stated_self_score(dy.self_score, total)
    if stated is not None:
        g.add(last + 1, 0, STATED_SCORE, colspan=5, header=True)
        g.add(last + 1, 5, stated)
        g.add(last + 1, 6, "")
    g.check()
    return g


#: the label of the unit's own stated score, in the 自评表 and in the text alike
STATED_SCORE = "单位自评得分（据报）"


def table_total(g: Grid) -> str | None:
    """The 合计 a 自评表 prints as a figure (None when it reads “未计分” or is blank)."""
    row = next((c.row for c in g.cells if c.col == 0 and c.text == "合计"), None)
    cell = next((c for c in g.cells if c.row == row and c.col == 5), None) if row is not None else None
    return cell.text if cell is not None and cell.text not in ("", NOT_SCORED) else None


def stated_self_score(stated: str | None, total: str | None) -> str | None:
    """The unit's stated score when the report must print it as stated: it is there and it is not
    the 自评表's 合计 (which is unscored, or a different figure)."""
    if not stated:
        return None
    if total is None:
        return stated
    try:
        return None if to_decimal(stated) == to_decimal(total) else stated
    except ValueError:
        return stated


# --------------------------------------------------------------------------------------------
# Figures: funds, 类/款/项, the 基础数据表
# --------------------------------------------------------------------------------------------


def fund_table(rows: Sequence[tuple[FundYear, Mapping[str, Fig | None]]], *, year: int, key: str = "funds") -> Grid:
    """基金收支情况表: one row per fund, the figures as the report prints them (万元)."""
    cols = (("income", "基金收入"), ("expenditure", "基金支出"), ("balance", "当期结余"),
            ("closing", "年末累计结余"), ("income_budget", "收入预算"), ("expenditure_budget", "支出预算"))
    used = [(k, t) for k, t in cols if any(figs.get(k) is not None for _, figs in rows)]
    g = Grid(key=key, title=f"{year}年度医疗保险基金收支情况表", n_cols=1 + len(used), note="单位：万元",
             widths=[4.2] + [1.8] * len(used), header_rows=1)
    g.add(0, 0, "险种", header=True)
    for col, (_, title) in enumerate(used, 1):
        g.add(0, col, title, header=True)
    parts = (FundKind.employee_pooling, FundKind.employee_account)
    for r, (fy, figs) in enumerate(rows, 1):
        # a part of the fund above it (统筹基金, 个人账户) is printed as its part: “其中：统筹基金”
        label = f"{fy.scope or ''}{fund_label(fy.fund)}"
        if fy.fund in parts and r > 1:
            label = ("　　　" if rows[r - 2][0].fund in parts else "　其中：") + FUNDS[fy.fund].short
        g.add(r, 0, label, align="left")
        for col, (k, _) in enumerate(used, 1):
            _money_cell(g, r, col, figs.get(k))
    g.check()
    return g


def functional_table(dy: DepartmentYear) -> Grid | None:
    """一般公共预算财政拨款支出决算明细（类/款/项）: 决算数 and, where written, 预算数 and 完成预算."""
    lines = [line for line in dy.functional if line.section is not None or line.item is not None]
    if not lines:
        return None
    has_budget = any(line.budget is not None or line.completion is not None for line in lines)
    n = 5 if has_budget else 4
    g = Grid(key="functional", title=f"{dy.year}年度一般公共预算财政拨款支出决算明细表", n_cols=n, note="单位：万元",
             widths=[3.0, 3.4, 4.6, 1.8] + ([1.8] if has_budget else []), header_rows=1)
    for col, text in enumerate(("类", "款", "项", "决算数", "完成预算")[:n]):
        g.add(0, col, text, header=True)
    row = 1
    for category in dict.fromkeys(line.category for line in lines):
        block = [line for line in lines if line.category == category]
        g.add(row, 0, category, rowspan=len(block), align="left")
        for start, k in _runs([line.section or "" for line in block]):
            g.add(row + start, 1, block[start].section or "", rowspan=k, align="left")
        for i, line in enumerate(block):
            g.add(row + i, 2, line.item or "", align="left")
            _money_cell(g, row + i, 3, line.actual)
            if has_budget:
                g.add(row + i, 4, of(line.completion).text if line.completion is not None else "")
        row += len(block)
    g.check()
    return g


def figures_table(record: BaseModel, *, key: str, title: str, sections: Sequence[str]) -> Grid:
    """The input figures of a record (基础数据表): 项目, 数值 as written, 单位 — every field with a value."""
    g = Grid(key=key, title=title, n_cols=4, widths=[3.0, 5.0, 2.6, 1.6], header_rows=1)
    for col, text in enumerate(("类别", "项目", "数值", "单位")):
        g.add(0, col, text, header=True)
    row = 1
    for name in sections:
        part = getattr(record, name, None)
        if not isinstance(part, BaseModel):
            continue
        lines = [(info.title or fname, getattr(part, fname)) for fname, info in type(part).model_fields.items()]
        lines = [(t, q) for t, q in lines if isinstance(q, Quantity)]
        if not lines:
            continue
        g.add(row, 0, _SECTION_TITLES.get(name, name), rowspan=len(lines))
        for label, q in lines:
            g.add(row, 1, label, align="left")
            g.add(row, 2, f"{q.value:f}", align="right", value=q.value, number_format=_written_format(q))
            g.add(row, 3, q.unit)
            row += 1
    g.check()
    return g


_SECTION_TITLES = {
    "income": "收入", "expenditure": "支出", "budget": "预算", "balance": "结余", "balance_sheet": "资产负债",
    "coverage": "参保", "services": "待遇享受", "previous": "上年数", "change": "较上年增减", "staff": "人员",
    "carryover": "结转结余", "assets": "资产", "funds": "项目资金",
}
