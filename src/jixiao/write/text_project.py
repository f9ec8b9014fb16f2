"""The paragraphs of a project's evaluation: its funds, its goals, what its indicators reached,
the 偏差原因 of each shortfall (from the figures: what fell short, by how much, against what),
its problems and its conclusion.

Whether a row reached its target is the scorer's judgement (:func:`jixiao.calc.scoring.score_project`:
the comparator, bounds written as “≥95%”, deadlines), never a second reading of the text here.
"""

from __future__ import annotations

from collections.abc import Sequence

from jixiao.calc.score_results import ScoredRow, ScoredTable
from jixiao.model import IndicatorRow, Project
from jixiao.model.targets import parse_target
from jixiao.write import printed as pr
from jixiao.write.context import Context
from jixiao.write.para import Para
from jixiao.write.printed import of
from jixiao.write.report import Paragraph
from jixiao.write.words import listing, signs

#: the order the categories are told in, and how a sentence names them
CATEGORY_NAMES = {"output": "产出指标", "outcome": "效益指标", "satisfaction": "满意度指标"}


def funds(ctx: Context, project: Project) -> Paragraph | None:
    """``该项目全年预算数251.2万元，执行数251.2万元，预算执行率为100.00%，其中财政拨款…``"""
    f = project.funds
    fig = ctx.project_view(project)
    if f.budget is None and f.executed is None:
        return None
    p = Para()
    if f.initial_budget is not None:
        p.add(f"该项目年初预算数{of(f.initial_budget).text}")
    if f.budget is not None:
        p.add(f"{'全年预算数' if not p.empty else '该项目全年预算数'}{of(f.budget).text}")
    if f.executed is not None:
        p.add(f"执行数{of(f.executed).text}")
    if f.budget is not None and f.executed is not None:
        rate = p.derive(pr.ratio(of(f.executed), of(f.budget)))
        if rate is not None:
            p.add(f"预算执行率为{fig.checked('project_budget_execution_rate', rate).text}")
    sources = [(label, q) for label, q in (("财政拨款", f.executed_fiscal), ("上年结转资金", f.executed_carryover),
                                          ("其他资金", f.executed_other)) if q is not None]
    if sources and f.executed is not None and not (len(sources) == 1 and sources[0][1] == f.executed):
        p.add(f"执行数中{listing([label + of(q).text for label, q in sources], '，')}")
    elif len(sources) == 1 and sources[0][0] == "财政拨款":
        p.add("资金全部来源于财政拨款")
    return p.paragraph()


def goals(ctx: Context, project: Project, scored: ScoredTable | None, *, who: str = "该项目") -> list[Paragraph]:
    """The 年度总体目标 as the unit wrote it, then the indicators it set, by category."""
    out = []
    if project.goal_expected:
        out.append(Paragraph(project.goal_expected, "officer"))
    counts = _by_category(project, scored)
    if counts:
        parts = [f"{name}{len(rows)}项" for name, rows in counts]
        total = sum(len(rows) for _, rows in counts)
        out.append(Paragraph(f"围绕上述目标，{who}设置三级绩效指标{total}项，其中{'、'.join(parts)}。"))
    return out


def _by_category(project: Project, scored: ScoredTable | None) -> list[tuple[str, list[int]]]:
    groups: dict[str, list[int]] = {}
    for i, row in enumerate(project.indicators):
        name = row.level1
        if scored is not None and i < len(scored.rows) and scored.rows[i].category in CATEGORY_NAMES:
            name = CATEGORY_NAMES[scored.rows[i].category or ""]
        groups.setdefault(name, []).append(i)
    return list(groups.items())


def deviation(row: IndicatorRow, scored: ScoredRow | None) -> Paragraph | None:
    """偏差原因 of one row from its figures; None when it reached its target (or nothing can be said).

    The unit's own text wins; otherwise: what fell short, by how much, against what.
    """
    if row.deviation_reason:
        return Paragraph(row.deviation_reason, "officer")
    if scored is None or scored.met is not False or not row.actual:
        return None
    target, actual = parse_target(row.target), parse_target(row.actual)
    p = Para()
    t_text, a_text = signs(row.target), signs(row.actual)
    if target.quantity is not None and actual.quantity is not None and target.quantity.unit == actual.quantity.unit \
            and not actual.is_bound:
        a, t = of(actual.quantity), of(target.quantity)
        gap = p.derive(pr.difference(t, a) if scored.kind != "reverse" else pr.difference(a, t))
        if scored.kind == "reverse":
            p.add(f"实际{a.text}，超出年度指标值{t_text}的要求" + (f"{gap.text}" if gap and gap.sign > 0 else ""))
        elif t.unit == "%":
            p.add(f"实际{a.text}，比年度指标值{t_text}低{gap.magnitude.removesuffix('%')}个百分点"
                  if gap and gap.sign > 0 else f"实际{a.text}，未达到年度指标值{t_text}")
        else:
            share = p.derive(pr.ratio(a, t))
            p.add(f"实际完成{a.text}，比年度指标值{t_text}少{gap.magnitude}" if gap and gap.sign > 0
                  else f"实际完成{a.text}，未达到年度指标值{t_text}",
                  f"完成指标值的{share.text}" if share and gap and gap.sign > 0 else None)
    elif scored.kind == "deadline":
        p.add(f"实际完成时间为{a_text}，晚于年度指标值{t_text}")
    elif scored.kind == "qualitative":
        p.add(f"实际完成情况为“{a_text}”，未完全达到年度指标值“{t_text}”")
    else:
        p.add(f"实际完成值为{a_text}，未达到年度指标值{t_text}")
    return p.paragraph()


def results(ctx: Context, project: Project, scored: ScoredTable | None, categories: Sequence[str]) -> list[Paragraph]:
    """What the indicators of ``categories`` reached: one paragraph per category — how many reached
    their targets, the notable ones by name, and each shortfall with its figures."""
    if scored is None:
        return []
    out = []
    for cat in categories:
        idx = [i for i, r in enumerate(scored.rows) if r.category == cat and i < len(project.indicators)]
        if not idx:
            continue
        name = CATEGORY_NAMES.get(cat, cat)
        met = [i for i in idx if scored.rows[i].met]
        short = [i for i in idx if scored.rows[i].met is False and project.indicators[i].actual]
        unknown = [i for i in idx if not project.indicators[i].actual]
        p = Para()
        rows = project.indicators
        if len(idx) == 1:
            lead = f"{name}1项，{'达到' if met else '未达到'}年度指标值"
        elif len(met) == len(idx):
            lead = f"{name}{len(idx)}项均达到年度指标值"
        else:
            lead = f"{name}{len(idx)}项中，{len(met)}项达到年度指标值"
        examples = [_reached(rows[i]) for i in met if rows[i].actual and _measured(rows[i])][:3]
        if examples:
            lead += f"，{'' if len(idx) == 1 else '其中'}{'；'.join(examples)}"
        p.add(lead).end()
        texts = []
        for i in short:
            d = deviation(rows[i], scored.rows[i])
            if d is not None:
                texts.append(f"{_name(rows[i])}{d.text.removesuffix('。')}")
                p.claims += list(d.claims)
        if texts:
            p.add(f"未达到年度指标值的有{len(short)}项：{'；'.join(texts)}").end()
        if unknown:
            p.add(f"{listing([_name(rows[i]) for i in unknown])}尚未取得实际完成值")
        para = p.paragraph()
        if para:
            out.append(para)
    return out


def _measured(row: IndicatorRow) -> bool:
    """A row whose actual is a figure (not a bound or words): worth naming as reached."""
    actual = parse_target(row.actual or "")
    return actual.quantity is not None and not actual.is_bound


def _name(row: IndicatorRow) -> str:
    """A 三级指标 named in running text (a form's “其中：” prefix dropped)."""
    return row.level3.removeprefix("其中：").removeprefix("其中:")


def _before_figure(row: IndicatorRow) -> str:
    """The name put right before its figure: without the unit the figure carries (“…享受人次25266人次”
    reads “…享受25266人次”)."""
    name = _name(row)
    actual = parse_target(row.actual or "")
    unit = actual.quantity.unit if actual.quantity is not None else ""
    if unit and unit != "%" and name.endswith(unit) and len(name) > len(unit) + 1:
        return name[: -len(unit)]
    return name


def _reached(row: IndicatorRow) -> str:
    return f"{_before_figure(row)}{signs(row.actual or '')}（年度指标值{signs(row.target)}）"


def conclusion(ctx: Context, project: Project, scored: ScoredTable | None, total: str | None,
               grade: str | None, *, rate: bool = True) -> Paragraph | None:
    """综合评价结论: execution rate, how many indicators reached their targets, the score when the
    自评表 has one."""
    p = Para()
    f = project.funds
    if rate and f.budget is not None and f.executed is not None:
        executed = p.derive(pr.ratio(of(f.executed), of(f.budget)))
        if executed is not None:
            p.add(f"{project.year}年该项目预算执行率为{executed.text}")
    if scored is not None and scored.rows:
        met = sum(1 for r in scored.rows if r.met)
        n = len(scored.rows)
        lead = "" if not p.empty else "该项目"
        p.add(f"{lead}设置的{n}项绩效指标中，{met}项达到年度指标值" if met < n
              else f"{lead}设置的{n}项绩效指标全部达到年度指标值")
    if total:
        p.add(f"按项目支出绩效自评表计算，自评得分{total}分" + (f"，评价等级为“{grade}”" if grade else ""))
    return p.paragraph()


def problems(ctx: Context, project: Project, scored: ScoredTable | None) -> list[Paragraph]:
    """存在的问题 of a project from its figures: spending short of the budget, indicators short of
    their targets."""
    out = []
    f = project.funds
    if f.budget is not None and f.executed is not None and f.executed.value < f.budget.value:
        p = Para()
        rate = p.derive(pr.ratio(of(f.executed), of(f.budget)))
        left = p.derive(pr.difference(of(f.budget), of(f.executed)))
        if rate is not None and left is not None:
            p.add(f"预算未全部执行。全年预算数{of(f.budget).text}，执行数{of(f.executed).text}，"
                  f"预算执行率为{rate.text}，尚有{left.text}未执行")
            para = p.paragraph()
            if para:
                out.append(para)
    if scored is not None:
        short = [i for i, r in enumerate(scored.rows) if r.met is False and i < len(project.indicators)
                 and project.indicators[i].actual]
        if short:
            names = listing([_name(project.indicators[i]) for i in short])
            out.append(Paragraph(f"部分绩效指标未达到年度指标值。{names}共{len(short)}项未达到年度目标，"
                                 "偏差情况见绩效自评表。"))
    return out

