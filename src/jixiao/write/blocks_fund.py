"""Blocks about the funds (基金) and the ones every outline shares (problems, staff)."""

from __future__ import annotations

from typing import Any

from jixiao.model import FundYear
from jixiao.write import drafting
from jixiao.write import text_department as td
from jixiao.write import text_fund as tf
from jixiao.write import text_project as tp
from jixiao.write.build import Build, Made, block
from jixiao.write.context import fund_label
from jixiao.write.figures import execution_chart, fund_chart, parts_pie
from jixiao.write.para import Para
from jixiao.write.printed import Fig, of
from jixiao.write.report import Paragraph, Section
from jixiao.write.tables import completion_table, fund_table


@block("department_staff")
def _staff(b: Build, _: Any) -> Made:
    return b.paragraphs(td.staff(b.ctx)) if b.ctx.department is not None else []


@block("problems")
def _problems(b: Build, about: str | None) -> Made:
    """存在的问题 from the warnings: a fund report's on the funds; a department report's on the
    department (its signals too) and on the funds it reports."""
    made: list[Paragraph] = []
    if about in (None, "department", "all") and b.ctx.department is not None:
        made += drafting.problems(b.ctx, subjects=("department",), min_severity="info")
    if about in (None, "fund", "all"):
        made += drafting.problems(b.ctx, subjects=("fund",))
    return list(drafting.numbered(made))


def _fund_key(fy: FundYear) -> str:
    return f"{fy.fund.name}_{fy.scope or ''}"


@block("fund_totals")
def _fund_totals(b: Build, _: Any) -> Made:
    """One subsection a fund: its totals paragraph(s) and its chart."""
    out: Made = []
    for fy in b.ctx.funds:
        body: Made = list(tf.totals(b.ctx, fy))
        if not body:
            continue
        figs = tf.printed_totals(b.ctx, fy)
        body += b.figure(fund_chart(f"fund_{_fund_key(fy)}", tf.fund_charts_title(fy), fy.year, figs))
        out.append(Section(f"totals_{_fund_key(fy)}", fund_label(fy.fund), body))
    return out


@block("fund_goals")
def _fund_goals(b: Build, _: Any) -> Made:
    """The year's budgets of each fund (the targets the report is judged by) and each project's goal."""
    out: Made = []
    p = Para()
    bits = []
    for fy in b.ctx.funds:
        budget = fy.budget
        income = budget.income_adjusted or budget.income
        spend = budget.expenditure_adjusted or budget.expenditure
        parts = [x for x in (f"收入预算{of(income).text}" if income is not None else None,
                             f"支出预算{of(spend).text}" if spend is not None else None) if x]
        if budget.benefits is not None and budget.benefits != (budget.expenditure_adjusted or budget.expenditure):
            parts.append(f"其中待遇支出预算{of(budget.benefits).text}")
        if parts:
            bits.append(f"{tf.subject(fy, year=False)}{'，'.join(parts)}")
    if bits:
        p.add(f"{b.ctx.year}年，{'；'.join(bits)}")
        out += b.paragraphs(p.paragraph())
    for project in b.ctx.projects:
        if project.goal_expected:
            out.append(Paragraph(f"年度总体目标：{project.goal_expected}", "officer"))
        out += tp.goals(b.ctx, project, b.ctx.scored.get(project.name), who="")[1:]
        b.produced.add("fund_goals_projects")
    return out


@block("fund_running")
def _fund_running(b: Build, _: Any) -> Made:
    """One subsection a fund: income and expenditure with parts and budgets, 统筹/个账, coverage."""
    out: Made = []
    for fy in b.ctx.funds:
        body: Made = [*tf.flows(b.ctx, fy), *tf.structure(b.ctx, fy)]
        cov = tf.coverage(b.ctx, fy)
        if cov is not None:
            body.append(cov)
        pie = _structure_pie(b, fy)
        body += pie
        if body:
            out.append(Section(f"running_{_fund_key(fy)}", fund_label(fy.fund), body))
    return out


def _structure_pie(b: Build, fy: FundYear) -> Made:
    from jixiao.model import FundKind

    if fy.fund not in tf.EMPLOYEE or fy.income.total is None:
        return []
    from jixiao.write import printed as pr

    parts = []
    for kind, label in ((FundKind.employee_pooling, "统筹基金收入"), (FundKind.employee_account, "个人账户收入")):
        part = b.ctx.part(fy, kind)
        if part is None or part.income.total is None:
            return []
        amount = of(part.income.total)
        share = pr.ratio(amount, of(fy.income.total))
        parts.append((label, amount, share[0] if share else None))
    title = f"{fy.year}年{fy.scope or ''}{fund_label(fy.fund)}收入构成"
    return b.figure(parts_pie(f"structure_{_fund_key(fy)}", title, parts))


@block("fund_budget_chart")
def _fund_budget_chart(b: Build, _: Any) -> Made:
    rows = []
    for fy in b.ctx.funds:
        f = b.ctx.fund(fy)
        figs = tf.printed_totals(b.ctx, fy)
        from jixiao.write import printed as pr

        rates: list[Fig | None] = []
        for done, budget, ind in (("income", "income_budget", "income_budget_execution_rate"),
                                  ("expenditure", "expenditure_budget", "expenditure_budget_execution_rate")):
            d, bud = figs.get(done), figs.get(budget)
            got = pr.ratio(d, bud) if d is not None and bud is not None else None
            rates.append(got[0] if got else f.stated_only(ind))
        rows.append((tf.short(fy).replace("基本医疗保险", "医保"), rates[0], rates[1]))
    return b.figure(execution_chart("fund_budget_execution", f"{b.ctx.year}年基金预算执行率", rows))


@block("fund_services")
def _fund_services(b: Build, _: Any) -> Made:
    return b.paragraphs([p for fy in b.ctx.all_funds() if fy in b.ctx.funds or fy.fund.name not in
                         ("employee_pooling", "employee_account") if (p := tf.services(b.ctx, fy)) is not None])


@block("project_results")
def _project_results(b: Build, _: Any) -> Made:
    """The projects' indicators against their targets (a fund report's 绩效目标完成情况)."""
    out: Made = []
    for project in b.ctx.projects:
        if project.goal_actual:
            out.append(Paragraph(project.goal_actual, "officer"))
        out += tp.results(b.ctx, project, b.ctx.scored.get(project.name), ("output", "outcome", "satisfaction"))
    return out


@block("fund_self_eval_tables")
def _fund_tables(b: Build, _: Any) -> Made:
    """The 自评表 of the fund's expenditure, as 新疆 prints it (预期/实际 指标值, no scores)."""
    title = f"{b.ctx.unit_name}医疗保险支出绩效自评表"
    out: Made = []
    for i, project in enumerate(b.ctx.projects):
        out.append(completion_table(project, title=title if len(b.ctx.projects) == 1 else f"{project.name}绩效自评表",
                                    key=f"completion_fund_{i}", unit_label="社会保险基金预算支出部门",
                                    unit_name=project.department or project.implementer or b.ctx.unit_name,
                                    source_label="医疗保险基金"))
    return out


@block("fund_table")
def _fund_table(b: Build, _: Any) -> Made:
    rows = []
    for fy in b.ctx.all_funds():
        figs = tf.printed_totals(b.ctx, fy)
        if any(figs.get(k) is not None for k in ("income", "expenditure", "balance", "closing")):
            rows.append((fy, figs))
    if not rows:
        return []
    return [fund_table(rows, year=b.ctx.year)]


@block("fund_sections")
def _fund_sections(b: Build, _: Any) -> Made:
    """A department report's account of each fund: coverage, income and spending with their parts
    and changes, balances, 人均, budget execution."""
    out: Made = []
    for fy in b.ctx.funds:
        body: Made = []
        cov = tf.coverage(b.ctx, fy)
        body += b.paragraphs(cov, tf.flows(b.ctx, fy, changes=True), tf.structure(b.ctx, fy))
        body += b.paragraphs(tf.balance_paragraph(b.ctx, fy), tf.services(b.ctx, fy))
        if body:
            out.append(Section(f"fund_{_fund_key(fy)}", f"{fund_label(fy.fund)}情况", body))
    return out


@block("fund_summary")
def _fund_summary(b: Build, _: Any) -> Made:
    return b.paragraphs(tf.summary(b.ctx, b.ctx.all_funds()))
