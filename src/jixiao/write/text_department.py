"""The paragraphs of a report about a department's budget and accounts (部门整体支出, 部门决算):
staff, budget and its adjustment, income and expenditure with their structure and changes,
the 类/款/项 breakdown, 基本支出, “三公”经费, 机关运行经费, 政府采购, assets, 结转结余.

Derived figures printed beside their operands are computed from the printed operands (claims);
an item that is zero is said as such (“本单位无项目支出”), never “车辆0辆”.
"""

from __future__ import annotations

from jixiao.model import DepartmentYear
from jixiao.model.department import FunctionalLine
from jixiao.numbers import Quantity
from jixiao.write import printed as pr
from jixiao.write.context import Context, RecordFigures, officer_text
from jixiao.write.para import Para
from jixiao.write.printed import Fig, of
from jixiao.write.report import Paragraph
from jixiao.write.tables import STATED_SCORE, stated_self_score
from jixiao.write.words import change_clause, labelled, listing, no_item, than


def _f(ctx: Context) -> tuple[DepartmentYear, RecordFigures]:
    assert ctx.department is not None and ctx.department_figures is not None
    return ctx.department, ctx.department_figures


def _reason(dy: DepartmentYear, key: str) -> str | None:
    texts = officer_text([dy.narrative], key)
    return "；".join(t.rstrip("。") for t in texts) or None


def _zero(q: Quantity | None) -> bool:
    return q is not None and q.value == 0


def staff(ctx: Context) -> Paragraph | None:
    """``2020年末，本单位编制60人，其中行政编制12人，事业编制48人；年末实有在职人员52人，退休人员15人，
    在职人员控制率为86.67%。``"""
    dy, f = _f(ctx)
    st = dy.staff
    p = Para()
    fields = type(st).model_fields
    if st.authorized is not None:
        sub = [labelled(fields[n].title or n, of(getattr(st, n))) for n in st.AUTHORIZED_PARTS
               if getattr(st, n) is not None]
        p.add(f"{dy.year}年末，本单位编制{of(st.authorized).text}" + (f"，其中{'，'.join(sub)}" if sub else ""))
    people = []
    if st.actual is not None:
        people.append(f"实有在职人员{of(st.actual).text}")
    if st.retired is not None:
        people.append(f"退休人员{of(st.retired).text}")
    if people:
        # a sentence of its own: the people are not one more part of the 编制
        p.end().add(("年末" if st.authorized is not None else f"{dy.year}年末，本单位") + "，".join(people))
    if st.actual is not None and st.authorized is not None:
        rate = p.derive(pr.ratio(of(st.actual), of(st.authorized)))
        if rate is not None:
            p.add(f"在职人员控制率为{f.checked('staff_control_rate', rate).text}")
    return p.paragraph()


def budget(ctx: Context) -> Paragraph | None:
    """全年预算 with 年初预算 and the adjustment (追加, 压减)."""
    dy, _ = _f(ctx)
    b = dy.budget
    p = Para()
    if b.full_year is None and b.initial is None:
        return None
    if b.full_year is not None:
        head = f"{dy.year}年全年预算数{of(b.full_year).text}"
        sub = []
        if b.initial is not None:
            sub.append(f"年初预算{of(b.initial).text}")
        if b.adjustment is not None:
            adj = of(b.adjustment)
            word = "年中调整追加预算" if adj.sign >= 0 else "年中调减预算"
            detail = [x for x in (f"追加{of(b.additions).text}" if b.additions is not None else None,
                                  f"压减{of(b.reductions).text}" if b.reductions is not None else None) if x]
            sub.append(f"{word}{adj.magnitude}" + (f"（其中{'，'.join(detail)}）" if detail else ""))
        elif b.additions is not None or b.reductions is not None:
            sub += [x for x in (f"追加预算{of(b.additions).text}" if b.additions is not None else None,
                                f"压减预算{of(b.reductions).text}" if b.reductions is not None else None) if x]
        p.add(head + (f"，其中：{'，'.join(sub)}" if sub else ""))
    else:
        assert b.initial is not None
        p.add(f"{dy.year}年年初预算{of(b.initial).text}")
    reason = _reason(dy, "budget_adjustment_reason")
    if reason:
        p.add(f"预算调整的主要原因是{reason}")
    return p.paragraph()


def execution(ctx: Context) -> Paragraph | None:
    """The year's 一般公共预算 spending against the budget: 经费控制率 / 预算完成率, 结转结余."""
    dy, f = _f(ctx)
    spent = dy.expenditure.general_public or dy.expenditure.total
    full = dy.budget.full_year
    p = Para()
    if spent is None:
        return None
    what = "一般公共预算财政拨款支出" if dy.expenditure.general_public is not None else "本年支出"
    p.add(f"{dy.year}年{what}{of(spent).text}")
    if dy.expenditure.basic is not None and dy.expenditure.project is not None and _zero(dy.expenditure.project) \
            and dy.expenditure.basic.value == spent.value:
        p.add("均为基本支出")
    if full is not None:
        rate = p.derive(pr.ratio(of(spent), of(full)))
        if rate is not None:
            ind = "funding_control_rate" if dy.expenditure.general_public is not None else "budget_completion_rate"
            word = "经费控制率" if ind == "funding_control_rate" else "预算完成率"
            p.end().add(f"全年预算{of(full).text}", f"{word}为{f.checked(ind, rate).text}")
    closing = dy.carryover.closing
    if closing is not None:
        p.end().add(f"年末结转和结余{of(closing).text}")
        reason = _reason(dy, "carryover_reason")
        if reason:
            p.add(f"主要是{reason}")
    return p.paragraph()


def control_rates(ctx: Context) -> Paragraph | None:
    """预算调整率 and 预算控制率 from 全年预算 and 年初预算 (both printed)."""
    dy, f = _f(ctx)
    b = dy.budget
    if b.full_year is None or b.initial is None:
        return None
    p = Para()
    full, initial = of(b.full_year), of(b.initial)
    control = p.derive(pr.ratio(full, initial))
    if control is None:
        return None
    p.add(f"{dy.year}年年初预算{initial.text}，全年预算{full.text}",
          f"预算控制率为{f.checked('budget_control_rate', control).text}")
    if b.additions is not None:
        add = p.derive(pr.ratio(of(b.additions), initial))
        if add is not None:
            p.add(f"追加预算{of(b.additions).text}占年初预算的{f.checked('budget_addition_rate', add).text}")
    return p.paragraph()


def totals(ctx: Context) -> Paragraph | None:
    """``2019年本年收入合计760.35万元，较上年1651.24万元减少890.89万元，下降53.95%；…``"""
    dy, f = _f(ctx)
    p = Para()
    halves = []
    for now, before, word, id_ in ((dy.income.total, dy.previous.income_total, "收入", "income"),
                                   (dy.expenditure.total, dy.previous.expenditure_total, "支出", "expenditure")):
        if now is None:
            continue
        text = f"本年{word}合计{of(now).text}"
        if before is not None:
            change = p.derive(pr.difference(of(now), of(before)))
            rate = p.derive(pr.growth(of(now), of(before)))
            if change is not None:
                change = f.checked(f"{id_}_yoy_change", change)
            clause = change_clause(change, f.checked(f"{id_}_yoy_rate", rate) if rate else None,
                                   against=f"较上年{of(before).text}")
            if clause:
                text += f"，{clause}"
        halves.append(text)
    if not halves:
        return None
    p.add(f"{dy.year}年{'；'.join(halves)}")
    return p.paragraph()


def _shares(p: Para, total: Fig, parts: list[tuple[str, Quantity | None, str]], f: RecordFigures) -> list[str]:
    bits = []
    for label, q, ind in parts:
        if q is None:
            continue
        share = p.derive(pr.ratio(of(q), total))
        bits.append(f"{label}{of(q).text}" + (f"，占{f.checked(ind, share).text}" if share else ""))
    return bits


def income_structure(ctx: Context) -> Paragraph | None:
    dy, f = _f(ctx)
    inc = dy.income
    if inc.total is None:
        return None
    p = Para()
    bits = _shares(p, of(inc.total), [("财政拨款收入", inc.fiscal, "fiscal_income_share"),
                                      ("其他收入", inc.other, "other_income_share")], f)
    if not bits:
        return None
    p.add(f"{dy.year}年本年收入合计{of(inc.total).text}，其中：{'；'.join(bits)}")
    return p.paragraph()


def expenditure_structure(ctx: Context) -> Paragraph | None:
    dy, f = _f(ctx)
    ex = dy.expenditure
    if ex.total is None:
        return None
    p = Para()
    bits = _shares(p, of(ex.total), [("基本支出", ex.basic, "basic_share"), ("项目支出", ex.project, "project_share")],
                   f)
    if not bits:
        return None
    p.add(f"{dy.year}年本年支出合计{of(ex.total).text}，其中：{'；'.join(bits)}")
    return p.paragraph()


def basic(ctx: Context) -> Paragraph | None:
    """基本支出 with 人员经费 and 公用经费 and their shares."""
    dy, f = _f(ctx)
    ex = dy.expenditure
    if ex.basic is None or (ex.personnel is None and ex.public_operating is None):
        return None
    p = Para()
    bits = []
    for q, label, ind in ((ex.personnel, "人员经费", "personnel_share"),
                          (ex.public_operating, "日常公用经费", "public_operating_share")):
        if q is None:
            continue
        share = p.derive(pr.ratio(of(q), of(ex.basic)))
        bits.append(f"{label}{of(q).text}" + (f"，占基本支出的{f.checked(ind, share).text}" if share else ""))
    p.add(f"{dy.year}年基本支出{of(ex.basic).text}，其中：{'；'.join(bits)}")
    return p.paragraph()


def project_spending(ctx: Context) -> Paragraph | None:
    dy, _ = _f(ctx)
    ex = dy.expenditure
    if _zero(ex.project):
        return Paragraph(no_item(dy.year, "项目支出"))
    if ex.project is None:
        return None
    names = [p.name for p in ctx.projects]
    text = f"{dy.year}年项目支出{of(ex.project).text}"
    if len(names) == 1:
        text += f"，用于{names[0]}"
    elif names:
        text += f"，包括{listing(names[:3])}{'等' if len(names) > 3 else ''}{len(names)}个项目"
    return Paragraph(text + "。")


def fiscal(ctx: Context) -> Paragraph | None:
    """财政拨款收入 and 一般公共预算财政拨款支出 (and its change when the data give the previous year)."""
    dy, f = _f(ctx)
    p = Para()
    inc = dy.income.fiscal or dy.income.general_public
    spent = dy.expenditure.general_public
    if inc is None and spent is None:
        return None
    if inc is not None:
        p.add(f"{dy.year}年财政拨款收入{of(inc).text}")
    if spent is not None:
        text = f"一般公共预算财政拨款支出{of(spent).text}"
        if dy.expenditure.total is not None:
            share = p.derive(pr.ratio(of(spent), of(dy.expenditure.total)))
            if share is not None:
                text += f"，占本年支出合计的{share.text}"
        before = dy.previous.general_public_expenditure
        if before is not None:
            rate = p.derive(pr.growth(of(spent), of(before)))
            if rate is not None:
                text += f"，{than(of(before), f.checked('general_public_expenditure_yoy_rate', rate))}"
        p.add(text if inc is not None else f"{dy.year}年{text}")
    return p.paragraph()


def functional_categories(ctx: Context) -> Paragraph | None:
    """一般公共预算财政拨款支出 by 类, each with its share."""
    dy, _ = _f(ctx)
    cats = [line for line in dy.functional if line.section is None and line.item is None]
    total = dy.expenditure.general_public or dy.expenditure.total
    if not cats or total is None:
        return None
    p = Para()
    bits = []
    for line in cats:
        share = p.derive(pr.ratio(of(line.actual), of(total)))
        bits.append(f"{line.category}{of(line.actual).text}" + (f"，占{share.text}" if share else ""))
    p.add(f"{dy.year}年一般公共预算财政拨款支出{of(total).text}，按支出功能分类：{'；'.join(bits)}")
    return p.paragraph()


def functional_items(ctx: Context) -> list[Paragraph]:
    """One paragraph per 类: its 款/项 lines with 决算数 and, when the data give a budget, 完成预算."""
    dy, _ = _f(ctx)
    lines = [line for line in dy.functional if line.section is not None or line.item is not None]
    if not lines:
        return []
    out = []
    for category in dict.fromkeys(line.category for line in lines):
        p = Para()
        bits = []
        for line in (x for x in lines if x.category == category):
            bits.append(_item_text(line, p))
        p.add(f"{category}（类）：{'；'.join(bits)}")
        para = p.paragraph()
        if para:
            out.append(para)
    return out


def _item_text(line: FunctionalLine, p: Para) -> str:
    name = "".join(x for x in (f"{line.section}（款）" if line.section else "",
                               f"{line.item}（项）" if line.item else ""))
    if line.budget is not None and line.actual.value == 0:
        return f"{name}预算{of(line.budget).text}，本年未支出"
    text = f"{name}支出决算{of(line.actual).text}"
    if line.budget is not None:
        rate = p.derive(pr.ratio(of(line.actual), of(line.budget)))
        text += f"，预算{of(line.budget).text}" + (f"，完成预算的{rate.text}" if rate else "")
    elif line.completion is not None:
        text += f"，完成预算{of(line.completion).text}"
    return text


def three_public(ctx: Context) -> Paragraph | None:
    """“三公”经费: 预算、决算、控制率, by item; an item with 0 said as “无…支出”."""
    dy, f = _f(ctx)
    tp = dy.three_public
    if tp.total.actual is None and tp.total.budget is None:
        return None
    p = Para()
    total = tp.total
    if total.budget is not None and total.actual is not None:
        rate = p.derive(pr.ratio(of(total.actual), of(total.budget)))
        p.add(f"{dy.year}年“三公”经费预算安排{of(total.budget).text}，实际支出{of(total.actual).text}"
              + (f"，“三公”经费控制率为{f.checked('three_public_control_rate', rate).text}" if rate else ""))
    elif total.actual is not None:
        text = f"{dy.year}年“三公”经费财政拨款支出{of(total.actual).text}"
        stated = f.stated_only("three_public_control_rate")
        if stated is not None:
            text += f"，完成预算的{stated.text}"
        change = f.stated_only("three_public_change_rate")
        if change is not None:
            text += f"，{change_clause(None, change)}"
        p.add(text)
    p.end()
    fields = type(tp).model_fields
    spent, none = [], []
    for name in tp.PARTS:
        item = getattr(tp, name)
        label = fields[name].title or name
        if item.actual is None:
            continue
        if _zero(item.actual):
            none.append(label)
            continue
        bit = f"{label}{of(item.actual).text}"
        if item.budget is not None:
            rate = p.derive(pr.ratio(of(item.actual), of(item.budget)))
            if rate is not None:
                ind = "reception_control_rate" if name == "reception" else ""
                bit += f"，占全年预算{of(item.budget).text}的{f.checked(ind, rate).text if ind else rate.text}"
        if item.previous is not None:
            rate = p.derive(pr.growth(of(item.actual), of(item.previous)))
            if rate is not None:
                ind = "reception_yoy_rate" if name == "reception" else ""
                bit += f"，{than(of(item.previous), f.checked(ind, rate) if ind else rate)}"
        spent.append(bit)
    if spent:
        p.add(f"其中：{'；'.join(spent)}")
        p.end()
    if none:
        p.add(f"本单位{dy.year}年无{listing(none)}支出")
    return p.paragraph()


def operating_costs(ctx: Context) -> Paragraph | None:
    """机关运行经费 against its budget (运行成本控制率) and the previous year."""
    dy, f = _f(ctx)
    spent = dy.expenditure.operating_costs
    if spent is None:
        return None
    p = Para()
    text = f"{dy.year}年机关运行经费支出{of(spent).text}"
    if dy.budget.operating_costs is not None:
        rate = p.derive(pr.ratio(of(spent), of(dy.budget.operating_costs)))
        text += f"，预算安排{of(dy.budget.operating_costs).text}"
        if rate is not None:
            text += f"，运行成本控制率为{f.checked('operating_cost_control_rate', rate).text}"
    change = dy.change.operating_costs
    if change is not None:
        rate = p.derive(pr.growth_by_change(of(spent), of(change)))
        checked = f.checked("operating_costs_yoy_rate", rate) if rate else None
        text += f"，{change_clause(of(change), checked, against='比上年')}"
    elif dy.previous.operating_costs is not None:
        rate = p.derive(pr.growth(of(spent), of(dy.previous.operating_costs)))
        if rate is not None:
            text += f"，{than(of(dy.previous.operating_costs), rate)}"
    p.add(text)
    return p.paragraph()


def procurement(ctx: Context) -> Paragraph | None:
    dy, _ = _f(ctx)
    if dy.procurement_actual is None:
        return None
    if _zero(dy.procurement_actual):
        return Paragraph(no_item(dy.year, "政府采购支出"))
    p = Para()
    text = f"{dy.year}年政府采购支出{of(dy.procurement_actual).text}"
    if dy.procurement_budget is not None:
        rate = p.derive(pr.ratio(of(dy.procurement_actual), of(dy.procurement_budget)))
        text += f"，政府采购预算{of(dy.procurement_budget).text}" + (f"，执行率为{rate.text}" if rate else "")
    p.add(text)
    return p.paragraph()


def assets(ctx: Context) -> Paragraph | None:
    """年末资产 and 负债; vehicles (none said as none)."""
    dy, _ = _f(ctx)
    a = dy.assets
    p = Para()
    if a.assets_total is not None:
        sub = [x for x in (f"银行存款{of(a.bank_deposits).text}" if a.bank_deposits is not None else None,
                           f"固定资产{of(a.fixed_assets).text}" if a.fixed_assets is not None else None) if x]
        p.add(f"{dy.year}年末资产总额{of(a.assets_total).text}" + (f"，其中{'，'.join(sub)}" if sub else ""))
    if a.liabilities_total is not None:
        p.add(f"负债总额{of(a.liabilities_total).text}")
    if a.vehicles is not None:
        p.end().add(f"截至{dy.year}年末，本单位无公务用车" if a.vehicles == 0
                    else f"截至{dy.year}年末，本单位共有车辆{a.vehicles}辆")
    return p.paragraph()


def summary(ctx: Context) -> Paragraph | None:
    """A compact account of the year's money (an annex's 部门财政资金收支情况), said once."""
    dy, _ = _f(ctx)
    inc = dy.income.fiscal or dy.income.general_public or dy.income.total
    ex = dy.expenditure
    spent = ex.total or ex.general_public
    if inc is None and spent is None:
        return None
    p = Para()
    if inc is not None:
        p.add(f"{dy.year}年部门财政资金收入{of(inc).text}")
    if spent is not None:
        parts = [x for x in (f"基本支出{of(ex.basic).text}" if ex.basic is not None else None,
                             f"项目支出{of(ex.project).text}" if ex.project is not None and not _zero(ex.project)
                             else None) if x]
        p.add(f"财政资金支出{of(spent).text}" + (f"，包括{'和'.join(parts)}" if parts else ""))
    return p.paragraph()


def self_score(ctx: Context, scored_total: str | None, *, table: bool = True) -> Paragraph | None:
    """The self-evaluation score as the 自评表 prints it: its 合计 when every row is scored; the
    unit's stated score under the table's own words for it (单位自评得分（据报）) when the table
    cannot add up to it — never a score the table does not show."""
    dy, _ = _f(ctx)
    stated = stated_self_score(dy.self_score, scored_total)
    label = STATED_SCORE.replace("（据报）", "")
    if scored_total and stated:
        return Paragraph(f"按自评表计算，{dy.year}年度部门整体支出绩效自评得分{scored_total}分；"
                         f"{label}为{stated}分（据报）。")
    if scored_total:
        return Paragraph(f"经自评，{dy.year}年度部门整体支出绩效自评得分{scored_total}分。")
    if stated:
        return Paragraph(f"经自评，{dy.year}年度部门整体支出绩效{label}{stated}分（据报）"
                         + ("，自评表合计未计分。" if table else "。"))
    return None
