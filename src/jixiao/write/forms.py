"""The 湖南 部门整体支出绩效自评报告 as a one-page form (seed 002): the unit and its head, people
and assets, the year's budget, the analysis of its spending, what it achieved, the reviewers' boxes.

Every figure comes from the data; the analysis and the work done are the unit's own text where
it wrote them, else a placeholder (listed in the working paper) beside what the figures can say.
"""

from __future__ import annotations

from typing import Any

from jixiao.model import DepartmentYear
from jixiao.write import drafting
from jixiao.write import text_department as td
from jixiao.write import text_fund as tf
from jixiao.write.build import Build, Made, block
from jixiao.write.context import Pending, officer_text
from jixiao.write.printed import of
from jixiao.write.report import Grid, Paragraph
from jixiao.write.words import change_clause, listing

SPENDING_PROMPT = ("年度支出情况分析说明（重点说明贯彻落实厉行节约、严控“三公经费”、降低一般运行经费、"
                   "加强项目支出管理等方面的成绩、存在问题及改进措施）")
RESULTS_PROMPT = ("整体绩效目标完成情况（党委政府下达的年度工作任务及本部门发展规划实施情况，"
                  "描述年度内单位使用财政资金达到的产出和效果）")


def _budget_lines(b: Build, dy: DepartmentYear) -> list[str]:
    """1. 年初预算 2. 总收入 with its sources 3. 总支出 with 项目/基本/人员/公用 and “三公”经费."""
    f = b.ctx.department_figures
    assert f is not None
    lines = []
    if dy.budget.initial is not None:
        lines.append(f"年初预算资金{of(dy.budget.initial).text}。")
    inc = dy.income
    if inc.total is not None:
        parts = [x for x in (f"财政拨款{of(inc.fiscal).text}" if inc.fiscal is not None else None,
                             f"其他收入{of(inc.other).text}" if inc.other is not None else None) if x]
        lines.append(f"单位年度总收入{of(inc.total).text}" + (f"，其中：{'，'.join(parts)}" if parts else "") + "。")
    ex = dy.expenditure
    if ex.total is not None:
        basic = ""
        if ex.basic is not None:
            inner = []
            if ex.personnel is not None:
                inner.append(f"人员支出{of(ex.personnel).text}")
            if ex.public_operating is not None:
                yoy = f.stated_only("public_operating_yoy_rate")
                inner.append(f"公用经费支出{of(ex.public_operating).text}"
                             + (f"，{change_clause(None, yoy, against='比上年')}" if yoy else ""))
            basic = f"基本支出{of(ex.basic).text}" + (f"（{'；'.join(inner)}）" if inner else "")
        parts = [x for x in (f"项目支出{of(ex.project).text}" if ex.project is not None else None, basic or None) if x]
        text = f"单位年度总支出{of(ex.total).text}" + (f"，其中：{'，'.join(parts)}" if parts else "")
        tp = dy.three_public
        if tp.total.actual is not None:
            change = f.stated_only("three_public_change_rate")
            items: list[str] = []
            none: list[str] = []
            for name in tp.PARTS:
                item = getattr(tp, name)
                label = type(tp).model_fields[name].title or name
                if item.actual is None:
                    continue
                (none if item.actual.value == 0 else items).append(label if item.actual.value == 0
                                                                    else f"{label}{of(item.actual).text}")
            detail = "，".join(items) + (f"，无{listing(none)}" if none else "")
            text += (f"；“三公”经费{of(tp.total.actual).text}"
                     + (f"，{change_clause(None, change, against='比上年')}" if change else "")
                     + (f"（{detail}）" if detail else ""))
        lines.append(text + "。")
    return [f"{i}. {line}" for i, line in enumerate(lines, 1)]


def _cell_text(b: Build, place: str, key: str, what: str, generated: list[Paragraph | None]) -> str:
    own = officer_text(b.ctx.texts, key)
    paras = [p.text for p in generated if p is not None]
    if own:
        paras = own + paras
    elif b.ctx.placeholders:
        b.ctx.ledger.pend(Pending(place, what, "数据中没有这部分文字，需由单位撰写"))
        paras.append(f"（待填写：{what}。）")
    return "\n".join(paras)


def _signature(b: Build, *keys: str) -> str:
    """A signature field the unit gave in its records' narrative (单位负责人, 负责人 …), else blank."""
    for key in keys:
        for mapping in b.ctx.texts:
            if mapping.get(key):
                return mapping[key].strip()
    return ""


@block("hunan_form")
def _form(b: Build, _: Any) -> Made:
    dy = b.ctx.department
    if dy is None:
        return []
    g = Grid(key="hunan_form", title="", n_cols=4, widths=[3.2, 4.4, 2.4, 4.4], header_rows=0,
             splittable=frozenset({3, 4}))
    st, a = dy.staff, dy.assets
    g.add(0, 0, f"部门（单位）名称：{b.ctx.unit_name}", colspan=2, align="left")
    g.add(0, 2, f"单位负责人：{_signature(b, '单位负责人', '负责人')}", colspan=2, align="left")
    people = (f"年末职工人数：{of(st.actual).text}" if st.actual is not None else "年末职工人数：") + (
        f"（人员编制：{of(st.authorized).text}）" if st.authorized is not None else "")
    assets = "；".join(x for x in (f"年末资产总额：{of(a.assets_total).text}" if a.assets_total is not None else None,
                                  f"负债总额：{of(a.liabilities_total).text}" if a.liabilities_total is not None
                                  else None) if x)
    g.add(1, 0, people, colspan=2, align="left")
    g.add(1, 2, assets or "年末资产总额：", colspan=2, align="left")
    g.add(2, 0, "年度预算收支情况", header=True)
    g.add(2, 1, "\n".join(_budget_lines(b, dy)), colspan=3, align="left")
    analysis: list[Paragraph | None] = [td.assets(b.ctx)]
    analysis += drafting.problems(b.ctx, subjects=("department",), min_severity="info")
    g.add(3, 0, SPENDING_PROMPT, header=True)
    g.add(3, 1, _cell_text(b, "年度支出情况分析说明", "spending_analysis",
                           "厉行节约、严控“三公”经费、降低一般运行经费、加强项目支出管理等方面的成绩、存在问题及改进措施",
                           analysis), colspan=3, align="left")
    results: list[Paragraph | None] = [tf.summary(b.ctx, b.ctx.all_funds())]
    g.add(4, 0, RESULTS_PROMPT, header=True)
    g.add(4, 1, _cell_text(b, "整体绩效目标完成情况", "achievements", "年度工作任务完成情况及取得的产出和效果",
                           results), colspan=3, align="left")
    g.add(5, 0, "审核意见", header=True)
    g.add(5, 1, "归口管理科室意见：\n\n\n（盖章）", align="left")
    g.add(5, 2, "绩效管理科意见：\n\n\n（盖章）", colspan=2, align="left")
    g.check()
    return [g]
