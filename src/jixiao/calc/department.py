"""Department overall expenditure indicators (部门整体支出指标) of a
:class:`~jixiao.model.department.DepartmentYear`, in 万元 and %.

Sources: ``rules.md §2`` — 财预〔2013〕53号 共性指标框架 (formulas seen in secondary sources or
unconfirmed) and the Hunan practice written in seed 004 (益阳 2020).
"""

from __future__ import annotations

from jixiao.calc.define import indicator
from jixiao.calc.registry import IndicatorResult, definitions
from jixiao.calc.terms import Gather, Term, rate, shared_reads, yoy_rate
from jixiao.model.department import DepartmentYear

_S2 = "rules.md §2"
#: the framework that names the common department indicators (the formulas are practice)
_FRAMEWORK = "财预〔2013〕53号"


def _yoy(g: Gather, current: str, previous: str) -> Term:
    cur, prev = g.money(current), g.money(previous)
    return rate(cur - prev, prev)


# --------------------------------------------------------------------------------------------
# Budget (预算)
# --------------------------------------------------------------------------------------------

@indicator(
    "budget_completion_rate", "预算完成率",
    "本年支出合计（未列时用一般公共预算财政拨款支出）÷ 全年预算 × 100%",
    "%", 2, "department", ("expenditure.total", "expenditure.general_public", "budget.full_year"),
    f"{_S2} 预算完成率 = 预算完成数 / 预算数 [unconfirmed]；seed 004 所述 98.7%（914.17 ÷ 926.17）",
    citation=_FRAMEWORK,
)
def _budget_completion_rate(g: Gather) -> Term:
    return rate(g.first(("expenditure.total", "expenditure.general_public")), g.money("budget.full_year"))


def _adjustment(g: Gather) -> Term:
    full_year = g.opt_money("budget.full_year")
    initial = g.money("budget.initial")
    if full_year is not None:
        return g.note("预算调整数（全年 − 年初）", full_year - initial, "万元")
    adjustment = g.opt_money("budget.adjustment")
    if adjustment is not None:
        return adjustment
    additions, reductions = g.opt_money("budget.additions"), g.opt_money("budget.reductions")
    if additions is not None and reductions is not None:
        return g.note("预算调整数（追加 − 压减）", additions - reductions, "万元")
    return g.need("全年预算或调整预算净额（或追加与压减预算）")


@indicator(
    "budget_adjustment_rate", "预算调整率",
    "（全年预算 − 年初预算）÷ 年初预算 × 100%（未列全年预算时用调整预算净额，或 追加 − 压减）",
    "%", 2, "department", ("budget.full_year", "budget.initial", "budget.adjustment"),
    f"{_S2} 预算调整率 = 预算调整数 / 预算数 [unconfirmed]",
    citation=_FRAMEWORK,
)
def _budget_adjustment_rate(g: Gather) -> Term:
    adjustment = _adjustment(g)
    return rate(adjustment, g.money("budget.initial"))


@indicator(
    "budget_addition_rate", "追加预算占年初预算比",
    "追加预算 ÷ 年初预算 × 100%",
    "%", 2, "department", ("budget.additions", "budget.initial"),
    f"{_S2} 2018年评分表“预算调整（追加占年初预算）”（0 → 8分，≤10% → 6 …）[practice]",
)
def _budget_addition_rate(g: Gather) -> Term:
    return rate(g.money("budget.additions"), g.money("budget.initial"))


@indicator(
    "budget_control_rate", "预算控制率（湖南口径）",
    "全年预算 ÷ 年初预算 × 100%",
    "%", 2, "department", ("budget.full_year", "budget.initial"),
    f"{_S2} 湖南实务（seed 004：926.17 ÷ 655.56 = 141.28%）[practice]",
)
def _budget_control_rate(g: Gather) -> Term:
    return rate(g.money("budget.full_year"), g.money("budget.initial"))


@indicator(
    "funding_control_rate", "经费控制率",
    "一般公共预算财政拨款支出（未列时用本年支出合计）÷ 全年预算 × 100%",
    "%", 2, "department", ("expenditure.general_public", "expenditure.total", "budget.full_year"),
    f"{_S2} 湖南实务 经费控制率 = 一般公共预算支出 / 预算安排总额（seed 004：914.17 ÷ 926.17 = 98.7%）[practice]",
)
def _funding_control_rate(g: Gather) -> Term:
    return rate(g.first(("expenditure.general_public", "expenditure.total")), g.money("budget.full_year"))


@indicator(
    "operating_cost_control_rate", "运行成本控制率",
    "机关运行经费 ÷ 机关运行经费预算 × 100%",
    "%", 2, "department", ("expenditure.operating_costs", "budget.operating_costs"),
    f"{_S2} 湖南实务 运行成本控制率 = 机关运行成本 / 预算安排（seed 004：258.99 ÷ 270.99 = 95.57%）[practice]",
)
def _operating_cost_control_rate(g: Gather) -> Term:
    return rate(g.money("expenditure.operating_costs"), g.money("budget.operating_costs"))


@indicator(
    "public_operating_control_rate", "公用经费控制率",
    "公用经费 ÷ 公用经费预算 × 100%",
    "%", 2, "department", ("expenditure.public_operating", "budget.public_operating"),
    f"{_S2} 公用经费控制率 = 实际支出公用经费 / 预算安排公用经费 [unconfirmed]",
    citation=_FRAMEWORK,
)
def _public_operating_control_rate(g: Gather) -> Term:
    return rate(g.money("expenditure.public_operating"), g.money("budget.public_operating"))


# --------------------------------------------------------------------------------------------
# “三公”经费
# --------------------------------------------------------------------------------------------

_TP = "“三公”经费"


@indicator(
    "three_public_control_rate", "“三公”经费控制率",
    "“三公”经费决算数 ÷ “三公”经费预算数 × 100%",
    "%", 2, "department", ("three_public.total.actual", "three_public.total.budget"),
    f"{_S2}“三公经费”控制率 = 实际支出 / 预算安排数 [unconfirmed]；seed 004 验证（6.73 ÷ 29.32 = 22.95%）",
    citation=_FRAMEWORK,
)
def _three_public_control_rate(g: Gather) -> Term:
    return rate(g.money("three_public.total.actual", label=f"{_TP}决算数"),
                g.money("three_public.total.budget", label=f"{_TP}预算数"))


@indicator(
    "three_public_change_rate", "“三公”经费变动率",
    "（本年“三公”经费预算数 − 上年预算数）÷ 上年预算数 × 100%；"
    "未列两年预算数时，用（本年决算数 − 上年决算数）÷ 上年决算数",
    "%", 2, "department",
    ("three_public.total.budget", "three_public.total.previous_budget", "three_public.total.actual",
     "three_public.total.previous"),
    f"{_S2}“三公经费”变动率 = (本年预算 − 上年预算) / 上年预算（有的用决算）[secondary]",
    citation=_FRAMEWORK,
)
def _three_public_change_rate(g: Gather) -> Term:
    budget = g.opt_money("three_public.total.budget", label=f"{_TP}预算数")
    prev_budget = g.opt_money("three_public.total.previous_budget", label=f"{_TP}上年预算数")
    if budget is not None and prev_budget is not None:
        g.used["口径"] = "预算数对上年预算数"
        return rate(budget - prev_budget, prev_budget)
    actual = g.opt_money("three_public.total.actual", label=f"{_TP}决算数")
    previous = g.opt_money("three_public.total.previous", label=f"{_TP}上年决算数")
    if actual is not None and previous is not None:
        g.used["口径"] = "决算数对上年决算数"
        return rate(actual - previous, previous)
    return g.need(f"{_TP}本年与上年预算数（或本年与上年决算数）")


@indicator(
    "reception_control_rate", "公务接待费控制率",
    "公务接待费决算数 ÷ 公务接待费预算数 × 100%",
    "%", 2, "department", ("three_public.reception.actual", "three_public.reception.budget"),
    f"{_S2} 湖南实务（seed 004：6.73 ÷ 12.32 = 54.63%）[practice]",
)
def _reception_control_rate(g: Gather) -> Term:
    return rate(g.money("three_public.reception.actual", label="公务接待费决算数"),
                g.money("three_public.reception.budget", label="公务接待费预算数"))


@indicator(
    "reception_yoy_rate", "公务接待费增减率",
    "（公务接待费决算数 − 上年决算数）÷ 上年决算数 × 100%",
    "%", 2, "department", ("three_public.reception.actual", "three_public.reception.previous"),
    f"{_S2} 同比增减率（实务）[practice]",
)
def _reception_yoy_rate(g: Gather) -> Term:
    actual = g.money("three_public.reception.actual", label="公务接待费决算数")
    previous = g.money("three_public.reception.previous", label="公务接待费上年决算数")
    return rate(actual - previous, previous)


# --------------------------------------------------------------------------------------------
# Staff, carry-over, procurement
# --------------------------------------------------------------------------------------------

@indicator(
    "staff_control_rate", "在职人员控制率",
    "实有在职人数 ÷ 编制人数 × 100%",
    "%", 2, "department", ("staff.actual", "staff.authorized"),
    f"{_S2} 在职人员控制率 = 在职人员数 / 编制数 [secondary]",
    citation=_FRAMEWORK,
)
def _staff_control_rate(g: Gather) -> Term:
    actual, authorized = g.persons("staff.actual"), g.persons("staff.authorized")
    assert actual is not None and authorized is not None
    return rate(actual, authorized)


@indicator(
    "carryover_rate", "结转结余率",
    "年末结转和结余 ÷ 全年预算 × 100%",
    "%", 2, "department", ("carryover.closing", "budget.full_year"),
    f"{_S2} 结转结余率 = 结转结余总额 / 支出预算数 [unconfirmed]（另一口径除以一般公共预算支出 [secondary]）",
    citation=_FRAMEWORK,
)
def _carryover_rate(g: Gather) -> Term:
    return rate(g.money("carryover.closing"), g.money("budget.full_year"))


@indicator(
    "carryover_change_rate", "结转结余变动率",
    "（年末结转和结余 − 上年末结转结余）÷ 上年末结转结余 × 100%（未列上年末数时用年初结转和结余）",
    "%", 2, "department", ("carryover.closing", "previous.carryover_closing", "carryover.opening"),
    f"{_S2} 结转结余变动率 = (本年累计结转结余 − 上年) / 上年 [unconfirmed]",
    citation=_FRAMEWORK,
)
def _carryover_change_rate(g: Gather) -> Term:
    closing = g.money("carryover.closing")
    previous = g.first(("previous.carryover_closing", "carryover.opening"))
    return rate(closing - previous, previous)


@indicator(
    "procurement_execution_rate", "政府采购执行率",
    "政府采购支出 ÷ 政府采购预算 × 100%",
    "%", 2, "department", ("procurement_actual", "procurement_budget"),
    f"{_S2} 政府采购执行率 = 实际政府采购金额 / 政府采购预算数 [unconfirmed]",
    citation=_FRAMEWORK,
)
def _procurement_execution_rate(g: Gather) -> Term:
    return rate(g.money("procurement_actual"), g.money("procurement_budget"))


# --------------------------------------------------------------------------------------------
# Structure (结构)
# --------------------------------------------------------------------------------------------

_STRUCT = f"{_S2} 预算配置（支出结构，实务）[practice]"


@indicator(
    "basic_share", "基本支出占比", "基本支出 ÷ 本年支出合计 × 100%",
    "%", 2, "department", ("expenditure.basic", "expenditure.total"), _STRUCT,
)
def _basic_share(g: Gather) -> Term:
    return rate(g.money("expenditure.basic"), g.money("expenditure.total"))


@indicator(
    "project_share", "项目支出占比", "项目支出 ÷ 本年支出合计 × 100%",
    "%", 2, "department", ("expenditure.project", "expenditure.total"), _STRUCT,
)
def _project_share(g: Gather) -> Term:
    return rate(g.money("expenditure.project"), g.money("expenditure.total"))


@indicator(
    "personnel_share", "人员经费占基本支出比", "人员经费 ÷ 基本支出 × 100%",
    "%", 2, "department", ("expenditure.personnel", "expenditure.basic"),
    f"{_STRUCT}；seed 004 验证（655.18 ÷ 914.17 = 71.67%）",
)
def _personnel_share(g: Gather) -> Term:
    return rate(g.money("expenditure.personnel"), g.money("expenditure.basic"))


@indicator(
    "public_operating_share", "公用经费占基本支出比", "公用经费 ÷ 基本支出 × 100%",
    "%", 2, "department", ("expenditure.public_operating", "expenditure.basic"),
    f"{_STRUCT}；seed 004 验证（258.99 ÷ 914.17 = 28.33%）",
)
def _public_operating_share(g: Gather) -> Term:
    return rate(g.money("expenditure.public_operating"), g.money("expenditure.basic"))


@indicator(
    "fiscal_income_share", "财政拨款收入占比", "财政拨款收入 ÷ 本年收入合计 × 100%",
    "%", 2, "department", ("income.fiscal", "income.total"), _STRUCT,
)
def _fiscal_income_share(g: Gather) -> Term:
    return rate(g.money("income.fiscal"), g.money("income.total"))


@indicator(
    "other_income_share", "其他收入占比", "其他收入 ÷ 本年收入合计 × 100%",
    "%", 2, "department", ("income.other", "income.total"),
    f"{_STRUCT}；seed 002 表式要求“占比10%以上需列出具体项目”",
)
def _other_income_share(g: Gather) -> Term:
    return rate(g.money("income.other"), g.money("income.total"))


# --------------------------------------------------------------------------------------------
# Year on year (同比)
# --------------------------------------------------------------------------------------------

_YOY = f"{_S2}/§3 同比增减额 = 本年 − 上年；增长率 = 增减额 / 上年 [practice]"


@indicator(
    "income_yoy_change", "收入增减额", "本年收入合计 − 上年收入合计",
    "万元", 2, "department", ("income.total", "previous.income_total"), _YOY,
)
def _income_yoy_change(g: Gather) -> Term:
    return g.money("income.total") - g.money("previous.income_total")


@indicator(
    "income_yoy_rate", "收入增减率", "（本年收入合计 − 上年收入合计）÷ 上年收入合计 × 100%",
    "%", 2, "department", ("income.total", "previous.income_total"), _YOY,
)
def _income_yoy_rate(g: Gather) -> Term:
    return _yoy(g, "income.total", "previous.income_total")


@indicator(
    "expenditure_yoy_change", "支出增减额", "本年支出合计 − 上年支出合计",
    "万元", 2, "department", ("expenditure.total", "previous.expenditure_total"), _YOY,
)
def _expenditure_yoy_change(g: Gather) -> Term:
    return g.money("expenditure.total") - g.money("previous.expenditure_total")


@indicator(
    "expenditure_yoy_rate", "支出增减率", "（本年支出合计 − 上年支出合计）÷ 上年支出合计 × 100%",
    "%", 2, "department", ("expenditure.total", "previous.expenditure_total"), _YOY,
)
def _expenditure_yoy_rate(g: Gather) -> Term:
    return _yoy(g, "expenditure.total", "previous.expenditure_total")


@indicator(
    "operating_costs_yoy_rate", "机关运行经费增长率", "（机关运行经费 − 上年机关运行经费）÷ 上年机关运行经费 × 100%",
    "%", 2, "department", ("expenditure.operating_costs", "previous.operating_costs"), _YOY,
)
def _operating_costs_yoy_rate(g: Gather) -> Term:
    return yoy_rate(g, "expenditure.operating_costs", "previous.operating_costs", "change.operating_costs")


@indicator(
    "general_public_expenditure_yoy_rate", "一般公共预算财政拨款支出增减率",
    "（一般公共预算财政拨款支出 − 上年数）÷ 上年数 × 100%；只给增减额时，上年 = 本年 − 增减额",
    "%", 2, "department",
    ("expenditure.general_public", "previous.general_public_expenditure", "change.general_public_expenditure"),
    _YOY,
)
def _general_public_expenditure_yoy_rate(g: Gather) -> Term:
    return yoy_rate(g, "expenditure.general_public", "previous.general_public_expenditure",
                    "change.general_public_expenditure")


@indicator(
    "public_operating_yoy_rate", "公用经费增减率", "（公用经费 − 上年公用经费）÷ 上年公用经费 × 100%",
    "%", 2, "department", ("expenditure.public_operating", "previous.public_operating"),
    f"{_YOY}；seed 002 所述“公用经费支出 335.26 万元，比上年减少 41.7%”",
)
def _public_operating_yoy_rate(g: Gather) -> Term:
    return _yoy(g, "expenditure.public_operating", "previous.public_operating")


def compute_department(dy: DepartmentYear) -> list[IndicatorResult]:
    """Every department indicator of ``dy`` in registry order, computable or not."""
    with shared_reads():
        return [definition.compute(dy) for definition in definitions("department")]
