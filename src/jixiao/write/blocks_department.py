"""Blocks about a department's budget and final accounts (部门整体支出, 部门决算)."""

from __future__ import annotations

from typing import Any

from jixiao.model import DepartmentYear
from jixiao.write import printed as pr
from jixiao.write import text_department as td
from jixiao.write.build import Build, Made, block
from jixiao.write.context import Pending, RecordFigures, StatedUse, officer_text
from jixiao.write.figures import bars, parts_pie
from jixiao.write.printed import Fig, of
from jixiao.write.report import Grid, Paragraph
from jixiao.write.scores import DEPARTMENT
from jixiao.write.tables import (
    STATED_SCORE,
    department_self_eval_table,
    figures_table,
    functional_table,
    stated_self_score,
    table_total,
)


def _dy(b: Build) -> tuple[DepartmentYear, RecordFigures] | None:
    if b.ctx.department is None or b.ctx.department_figures is None:
        return None
    return b.ctx.department, b.ctx.department_figures


def _simple(name: str, fn: Any) -> None:
    @block(name)
    def made(b: Build, _: Any) -> Made:
        return b.paragraphs(fn(b.ctx)) if _dy(b) else []


for _name, _fn in (("department_execution", td.execution), ("department_budget", td.budget),
                   ("department_projects", td.project_spending), ("department_operating_costs", td.operating_costs),
                   ("department_three_public", td.three_public), ("department_assets", td.assets),
                   ("department_totals", td.totals), ("department_income", td.income_structure),
                   ("department_expenditure", td.expenditure_structure), ("department_fiscal", td.fiscal),
                   ("functional_categories", td.functional_categories), ("functional_items", td.functional_items),
                   ("department_procurement", td.procurement), ("department_summary", td.summary)):
    _simple(_name, _fn)


@block("department_basic")
def _basic(b: Build, _: Any) -> Made:
    got = _dy(b)
    if got is None:
        return []
    dy, _ = got
    made = b.paragraphs(td.basic(b.ctx))
    ex = dy.expenditure
    if made and ex.basic is not None:
        parts = [(label, of(q), pr.ratio(of(q), of(ex.basic))) for label, q in
                 (("人员经费", ex.personnel), ("日常公用经费", ex.public_operating)) if q is not None]
        made += b.figure(parts_pie("department_basic", f"{dy.year}年基本支出结构",
                                   [(label, amount, got[0] if got else None) for label, amount, got in parts]))
    return made


@block("department_control")
def _control(b: Build, _: Any) -> Made:
    return b.paragraphs(td.control_rates(b.ctx)) if _dy(b) else []


@block("department_staff_annex")
def _staff_annex(b: Build, _: Any) -> Made:
    """The people once more, said the way an annex's 人员概况 says it (not the same sentence again)."""
    got = _dy(b)
    if got is None:
        return []
    dy, _ = got
    st = dy.staff
    bits = [x for x in (f"编制人数{of(st.authorized).text}" if st.authorized is not None else None,
                        f"在岗职工{of(st.actual).text}" if st.actual is not None else None,
                        f"退休职工{of(st.retired).text}" if st.retired is not None else None) if x]
    return [Paragraph(f"截至{dy.year}年底，本单位{'，'.join(bits)}。")] if bits else []


def _reasons(dy: DepartmentYear) -> dict[str, str]:
    return {ind: "；".join(t.rstrip("。") for t in officer_text([dy.narrative], key)) + "。"
            for ind, key in _REASONS.items() if officer_text([dy.narrative], key)}


def _table(b: Build) -> Grid | None:
    """The 自评表 as the annex prints it (None without figures): the text's score is read off it."""
    got = _dy(b)
    if got is None:
        return None
    dy, f = got
    if not any(r.value is not None for r in f.results.values()):
        return None
    return department_self_eval_table(dy, f.results, b.ctx.scores.get(DEPARTMENT), _reasons(dy))


@block("department_self_score")
def _self_score(b: Build, arg: Any) -> Made:
    """The score sentence; ``{department_self_score: {with_table: false}}`` in an outline that prints
    no 部门整体支出绩效自评表 (the sentence then does not refer to one)."""
    with_table = not (isinstance(arg, dict) and arg.get("with_table") is False)
    got = _dy(b)
    if got is None:
        return []
    dy, _ = got
    table = _table(b)
    total = table_total(table) if table is not None else None
    if stated_self_score(dy.self_score, total) is not None:
        b.ctx.ledger.stated_use(StatedUse(
            "部门整体支出", STATED_SCORE.replace("（据报）", ""), f"{dy.self_score}分", None,
            "各项指标未逐项计分，得分不能由数据复算" if total is None
            else f"与自评表各项得分之和{total}分不一致"))
    return b.paragraphs(td.self_score(b.ctx, total, table=with_table and table is not None))


@block("department_figures_table")
def _figures_table(b: Build, _: Any) -> Made:
    got = _dy(b)
    if got is None:
        return []
    dy, _ = got
    return [figures_table(dy, key="department_figures", title=f"{dy.year}年度部门整体支出绩效评价基础数据表",
                          sections=("staff", "budget", "income", "expenditure", "carryover", "assets", "previous"))]


#: the row a reason the unit gave explains (once: the same words on three rows say nothing more)
_REASONS = {"budget_completion_rate": "carryover_reason", "budget_addition_rate": "budget_adjustment_reason"}


@block("department_self_eval_table")
def _self_eval(b: Build, _: Any) -> Made:
    got = _dy(b)
    if got is None:
        return []
    table = _table(b)
    if table is None:
        return []
    scores = b.ctx.scores.get(DEPARTMENT)
    if scores is None or not scores.complete:
        why = ("规则集未规定部门整体支出的评分方法" if scores is None else scores.reason or "部分指标无法计分")
        b.ctx.ledger.pend(Pending("附件／部门整体支出绩效自评表", "自评表各指标的分值和得分",
                                  f"{why}；需按财政部门下达的评分标准填写"))
    return [table]


# --------------------------------------------------------------------------------------------
# Charts of the final accounts
# --------------------------------------------------------------------------------------------


@block("department_totals_chart")
def _totals_chart(b: Build, _: Any) -> Made:
    got = _dy(b)
    if got is None:
        return []
    dy, _ = got
    now = [of(q) if q is not None else None for q in (dy.income.total, dy.expenditure.total)]
    before = [of(q) if q is not None else None for q in (dy.previous.income_total, dy.previous.expenditure_total)]
    series: list[tuple[str, list[Fig | None]]] = []
    if any(before):
        series.append((f"{dy.year - 1}年", before))
    series.append((f"{dy.year}年", now))
    return b.figure(bars("department_totals", "收、支决算总计变动情况", ["收入总计", "支出总计"], series))


def _pie(b: Build, key: str, title: str, total: Any, parts: list[tuple[str, Any]]) -> Made:
    if total is None:
        return []
    rows = []
    for label, q in parts:
        if q is None:
            continue
        share = pr.ratio(of(q), of(total))
        rows.append((label, of(q), share[0] if share else None))
    return b.figure(parts_pie(key, title, rows))


@block("department_income_chart")
def _income_chart(b: Build, _: Any) -> Made:
    got = _dy(b)
    if got is None:
        return []
    dy, _ = got
    return _pie(b, "department_income", "收入决算结构", dy.income.total,
                [("财政拨款收入", dy.income.fiscal), ("其他收入", dy.income.other)])


@block("department_expenditure_chart")
def _expenditure_chart(b: Build, _: Any) -> Made:
    got = _dy(b)
    if got is None:
        return []
    dy, _ = got
    return _pie(b, "department_expenditure", "支出决算结构", dy.expenditure.total,
                [("基本支出", dy.expenditure.basic), ("项目支出", dy.expenditure.project)])


@block("functional_chart")
def _functional_chart(b: Build, _: Any) -> Made:
    got = _dy(b)
    if got is None:
        return []
    dy, _ = got
    cats = [line for line in dy.functional if line.section is None and line.item is None]
    total = dy.expenditure.general_public or dy.expenditure.total
    return _pie(b, "functional", "一般公共预算财政拨款支出决算结构", total, [(c.category, c.actual) for c in cats])


@block("functional_table")
def _functional_table(b: Build, _: Any) -> Made:
    got = _dy(b)
    if got is None:
        return []
    table = functional_table(got[0])
    return [table] if table is not None else []


@block("three_public_chart")
def _three_public_chart(b: Build, _: Any) -> Made:
    got = _dy(b)
    if got is None:
        return []
    dy, _ = got
    tp = dy.three_public
    items = [(type(tp).model_fields[n].title or n, getattr(tp, n)) for n in tp.PARTS]
    items = [(label, item) for label, item in items if (item.actual is not None and item.actual.value > 0)
             or item.budget is not None]
    if not items:
        return []
    series: list[tuple[str, list[Fig | None]]] = []
    if any(item.budget is not None for _, item in items):
        series.append(("预算数", [of(item.budget) if item.budget is not None else None for _, item in items]))
    series.append(("决算数", [of(item.actual) if item.actual is not None else None for _, item in items]))
    labels = [label.replace("公务用车购置及运行维护费", "公务用车购置及运行费") for label, _ in items]
    return b.figure(bars("three_public", "“三公”经费财政拨款支出情况", labels, series))


@block("glossary")
def _glossary(b: Build, items: list[str]) -> Made:
    return [Paragraph(f"{i}.{text}", "fixed") for i, text in enumerate(items or [], 1)]
