"""Table builders: the 自评表 laid out like the official form, indicator tables, figure tables.

The 自评表 takes its 分值/得分 from a :class:`SelfEvalScores`: by default the scorer's
(:mod:`jixiao.write.scores`, from :func:`jixiao.calc.scoring.score_project` and
``score_department``), or the data's own (:func:`scores_from_data`: ``IndicatorRow.weight``/
``score`` as written, blank when absent). A scored table is followed by its 评分说明
(:func:`score_notes_table`): each line's rule and arithmetic, then the reviewer's notes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from pydantic import BaseModel

from jixiao.model import DepartmentYear, IndicatorRow, Project
from jixiao.numbers import Quantity, round_half_up, to_decimal
from jixiao.write.report import Grid, Results

DASH = "—"


@dataclass(frozen=True)
class RowScore:
    """分值 and 得分 of one row as they are to be printed (None → blank cell)."""

    weight: str | None = None
    score: str | None = None
    explanation: str | None = None


@dataclass(frozen=True)
class ScoreLine:
    """One line of the 评分说明: what was scored, by which rule, and the arithmetic."""

    item: str
    rule: str
    arithmetic: str


@dataclass(frozen=True)
class SelfEvalScores:
    """Everything a scorer fills in a 自评表. ``rows`` is parallel to the table's indicator rows.

    The department table has no fixed rows: its scores are keyed by indicator id (``by_indicator``).
    ``explanations`` (with ``ruleset``) become the 评分说明 table printed after the 自评表.
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
    )


def _q(q: Quantity | None) -> str:
    return "" if q is None else f"{q.value:f}"


def project_self_eval_table(
    project: Project,
    results: Results,
    scores: SelfEvalScores | None = None,
    *,
    title: str = "项目支出绩效自评表",
    key: str = "self_eval",
) -> Grid:
    """The 项目支出绩效自评表 (财预〔2020〕10号 form): 10 columns, merged header blocks."""
    scores = scores or scores_from_data(project)
    g = Grid(key=key, title=title, n_cols=10, subtitle=f"（{project.year}年度）", note="单位：万元",
             widths=[1.5, 1.5, 1.6, 3.0, 2.0, 2.0, 2.0, 1.3, 1.6, 2.0], header_rows=0)
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
            g.add(r, col, _q(q), align="right", value=q.value if q else None,
                  number_format=_written_format(q) if q else None)
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
    g.add(top, 0, "绩效指标", rowspan=len(rows) + 1, header=True)
    for col, text in ((1, "一级指标"), (2, "二级指标"), (3, "三级指标"), (4, "年度指标值"),
                      (5, "实际完成值"), (6, "分值"), (7, "得分"), (8, "偏差原因分析及改进措施")):
        g.add(top, col, text, colspan=2 if col == 8 else 1, header=True)
    _indicator_rows(g, top + 1, rows, scores.rows)
    last = top + 1 + len(rows)
    g.add(last, 0, "总分", colspan=6, header=True)
    g.add(last, 6, scores.total_weight or "")
    g.add(last, 7, scores.total_score or "")
    g.add(last, 8, scores.grade or "", colspan=2)
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


def _indicator_rows(g: Grid, first: int, rows: Sequence[IndicatorRow], scores: Sequence[RowScore]) -> None:
    for start, n in _runs([r.level1 for r in rows]):
        g.add(first + start, 1, rows[start].level1, rowspan=n)
        # 二级 runs only inside one 一级 block
        block = rows[start:start + n]
        for s2, n2 in _runs([r.level2 or "" for r in block]):
            g.add(first + start + s2, 2, block[s2].level2 or "", rowspan=n2)
    for i, r in enumerate(rows):
        score = scores[i] if i < len(scores) else RowScore()
        g.add(first + i, 3, r.level3, align="left")
        g.add(first + i, 4, r.target)
        g.add(first + i, 5, r.actual or "")
        g.add(first + i, 6, score.weight or "")
        g.add(first + i, 7, score.score or "")
        g.add(first + i, 8, r.deviation_reason or "", colspan=2, align="left")


# --------------------------------------------------------------------------------------------
# Department: the 部门整体支出绩效自评表 (indicators the engine computes, 分值/得分 by a scorer)
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
) -> Grid:
    """部门整体支出绩效自评表: 一级/二级/三级 指标, 实际值 from the engine, 分值/得分 from a scorer.

    The rows are the form's (:data:`DEPARTMENT_FORM`) that can be computed, then any other
    indicator the rule set scores (一级 “其他”). The 合计 row adds the weights and scores of the
    rows scored; the grade is the scorer's (none when its rules do not cover a 100-point table).
    """
    from jixiao.calc.registry import lookup

    scores = scores or SelfEvalScores()
    present = [(l1, l2, i) for l1, l2, i in DEPARTMENT_FORM if i in results and results[i].value is not None]
    listed = {i for _, _, i in DEPARTMENT_FORM}
    present += [("其他", "", i) for i in scores.by_indicator
                if i not in listed and i in results and results[i].value is not None]
    g = Grid(key="department_self_eval", title="部门整体支出绩效自评表", n_cols=8,
             subtitle=f"（{dy.year}年度）", widths=[1.6, 1.8, 3.0, 5.0, 2.0, 1.2, 1.2, 3.0], header_rows=1)
    for col, text in enumerate(("一级指标", "二级指标", "三级指标", "计算公式", "实际值", "分值", "得分",
                                "偏差原因分析")):
        g.add(0, col, text, header=True)
    for start, n in _runs([p[0] for p in present]):
        g.add(1 + start, 0, present[start][0], rowspan=n)
        block = present[start:start + n]
        for s2, n2 in _runs([p[1] for p in block]):
            g.add(1 + start + s2, 1, block[s2][1], rowspan=n2)
    for i, (_, _, ind) in enumerate(present):
        if scores.by_indicator:
            score = scores.by_indicator.get(ind, RowScore())
        else:
            score = scores.rows[i] if i < len(scores.rows) else RowScore()
        res = results[ind]
        d = lookup(ind, getattr(res, "subject", "department"))
        g.add(1 + i, 2, d.name, align="left")
        g.add(1 + i, 3, d.formula, align="left")
        g.add(1 + i, 4, res.display(), align="right", value=_rounded(res.value, res.places),
              number_format=_number_format(res.places))
        g.add(1 + i, 5, score.weight or "")
        g.add(1 + i, 6, score.score or "")
        g.add(1 + i, 7, "", align="left")
    last = 1 + len(present)
    g.add(last, 0, "合计", colspan=5, header=True)
    g.add(last, 5, scores.total_weight or "")
    g.add(last, 6, scores.total_score or ("" if scores.ruleset else dy.self_score or ""))
    g.add(last, 7, scores.grade or "")
    g.check()
    return g


def score_notes_table(scores: SelfEvalScores, *, key: str, title: str) -> Grid | None:
    """评分说明: one line per scored item (指标, 规则, 计算过程), then the reviewer's notes (提示).

    None when the scores carry no explanation (分值/得分 taken from the data as written).
    """
    if not scores.explanations:
        return None
    g = Grid(key=key, title=title, n_cols=4, widths=[0.8, 3.4, 4.0, 7.6], header_rows=1,
             subtitle=f"（规则集：{scores.ruleset}）" if scores.ruleset else None)
    for col, text in enumerate(("序号", "评分项目", "规则", "计算过程")):
        g.add(0, col, text, header=True)
    row = 1
    for line in scores.explanations:
        g.add(row, 0, str(row))
        g.add(row, 1, line.item, align="left")
        g.add(row, 2, line.rule, align="left")
        g.add(row, 3, line.arithmetic, align="left")
        row += 1
    if scores.notes:
        g.add(row, 0, "提示", rowspan=len(scores.notes), header=True)
        for i, note in enumerate(scores.notes):
            g.add(row + i, 1, note, colspan=3, align="left")
    g.check()
    return g


# --------------------------------------------------------------------------------------------
# Indicator table and figure table
# --------------------------------------------------------------------------------------------


def _number_format(places: int) -> str:
    return "0" if places == 0 else "0." + "0" * places


def _written_format(q: Quantity) -> str:
    """The spreadsheet format of a figure as written: as many decimals as it was written with."""
    return _number_format(max(0, -q.exponent))


def _rounded(value: Decimal | None, places: int) -> Decimal | None:
    return None if value is None else round_half_up(value, places)


def indicator_table(
    results: Results, *, key: str, title: str, ids: Sequence[str] | None = None, computable_only: bool = True,
) -> Grid | None:
    """The computed indicators: 序号, 指标, 计算公式, 数值 (the engine's display), 单位, 依据 (or why not).

    None when nothing is computable (a fund the report only names).
    """
    from jixiao.calc.registry import lookup

    g = Grid(key=key, title=title, n_cols=6, widths=[0.8, 3.4, 5.2, 1.8, 1.0, 3.2], header_rows=1)
    for col, text in enumerate(("序号", "指标", "计算公式", "数值", "单位", "依据/说明")):
        g.add(0, col, text, header=True)
    chosen = [i for i in (ids or list(results)) if i in results
              and (results[i].value is not None or not computable_only)]
    if not chosen:
        return None
    row = 1
    for ind in chosen:
        res = results[ind]
        try:
            d = lookup(ind, getattr(res, "subject", None))
        except KeyError:
            continue
        computable = res.value is not None
        g.add(row, 0, str(row))
        g.add(row, 1, d.name, align="left")
        g.add(row, 2, d.formula, align="left")
        if computable:
            shown = res.display()
            number = shown[: -len(d.unit)] if d.unit and shown.endswith(d.unit) else shown
            g.add(row, 3, number, align="right", value=_rounded(res.value, res.places),
                  number_format=_number_format(res.places))
        else:
            g.add(row, 3, DASH)
        g.add(row, 4, d.unit)
        g.add(row, 5, _basis(d.rule) if computable else (res.reason or "不可计算"), align="left")
        row += 1
    g.check()
    return g


_CITATION = re.compile(r"^rules\.md\s*§\s*\d+(?:\s*/\s*§\s*\d+)*\s*|\s*\[(?:official|secondary|practice|unconfirmed)\]"
                       r"|[（(][^（）()]*seed[^（）()]*[）)]")


def _basis(rule: str) -> str:
    """The 依据 of an indicator as a reader wants it: its first clause, without the repository's
    citation marks (``rules.md §2``, ``[unconfirmed]``, “(seed 004: …)”, whose figures belong to
    another report) that only the developers can follow."""
    first = rule.split("；")[0]
    if first.count("（") > first.count("）"):  # the clause ended inside a bracket: stop before it
        first = first[: first.rfind("（")]
    return _CITATION.sub("", first).strip() or first


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
        g.add(row, 0, _section_title(record, name), rowspan=len(lines))
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


def _section_title(record: BaseModel, name: str) -> str:
    info = type(record).model_fields.get(name)
    return _SECTION_TITLES.get(name) or (info.title if info and info.title else name)
