"""Fund indicators (医保基金指标) of one :class:`~jixiao.model.funds.FundYear`.

Money is computed in 万元, per-capita figures in 元 (万元 × 10000 ÷ 人), rates in %.
Sources: ``rules.md §3`` (working definitions used in practice and by audit models; no official
text found, hence [practice]) and the seeds that state the same figures.
"""

from __future__ import annotations

from collections.abc import Mapping

from jixiao.calc.define import indicator
from jixiao.calc.registry import IndicatorResult, definitions
from jixiao.calc.terms import MISSING, Gather, NotComputable, Term, rate, shared_reads, yoy_change, yoy_rate
from jixiao.model.funds import FUNDS, FundKind, FundYear

EMPLOYEE_WHOLE = frozenset({FundKind.employee, FundKind.employee_with_maternity})
EMPLOYEE_FUNDS = frozenset({
    FundKind.employee, FundKind.employee_with_maternity, FundKind.employee_pooling, FundKind.maternity,
})
MATERNITY_FUNDS = frozenset({FundKind.maternity, FundKind.employee_with_maternity})
RESIDENT_FUNDS = frozenset({FundKind.resident})
#: every fund but the 统筹基金/个人账户 parts (which have no insured persons of their own)
WHOLE_FUNDS = frozenset(k for k in FundKind if k not in (FundKind.employee_pooling, FundKind.employee_account))

_S3 = "rules.md §3"
_PRACTICE = "[practice]"


# --------------------------------------------------------------------------------------------
# Budget execution (预算执行率)
# --------------------------------------------------------------------------------------------

@indicator(
    "income_budget_execution_rate", "收入预算执行率",
    "基金收入合计 ÷ 收入预算 × 100%（有调整后收入预算时用调整后预算）",
    "%", 2, "fund", ("income.total", "budget.income_adjusted", "budget.income"),
    f"{_S3} 收入预算执行率 = 实际收入 / 收入预算 {_PRACTICE}；seed 001 验证（355212 ÷ 360240 = 98.60%）",
)
def _income_budget_execution_rate(g: Gather) -> Term:
    return rate(g.money("income.total"), g.first(("budget.income_adjusted", "budget.income")))


@indicator(
    "contributions_budget_execution_rate", "征缴收入预算执行率",
    "保险费（征缴）收入 ÷ 征缴收入预算 × 100%",
    "%", 2, "fund", ("income.contributions", "budget.contributions"),
    f"{_S3} 收入预算执行率的征缴分项 {_PRACTICE}；seed 004 所述 108.28%（未列预算数）",
)
def _contributions_budget_execution_rate(g: Gather) -> Term:
    return rate(g.money("income.contributions"), g.money("budget.contributions"))


@indicator(
    "expenditure_budget_execution_rate", "支出预算执行率",
    "基金支出合计 ÷ 支出预算 × 100%（有调整后支出预算时用调整后预算）",
    "%", 2, "fund", ("expenditure.total", "budget.expenditure_adjusted", "budget.expenditure"),
    f"{_S3} 支出预算执行率 = 实际支出 / 支出预算 {_PRACTICE}；seed 001 验证（268747 ÷ 335413 = 80.12%）",
)
def _expenditure_budget_execution_rate(g: Gather) -> Term:
    return rate(g.money("expenditure.total"), g.first(("budget.expenditure_adjusted", "budget.expenditure")))


@indicator(
    "benefits_budget_execution_rate", "待遇支出预算执行率",
    "待遇支出 ÷ 待遇支出预算 × 100%",
    "%", 2, "fund", ("expenditure.benefits", "budget.benefits"),
    f"{_S3} 支出预算执行率的待遇分项 {_PRACTICE}；seed 004 所述 103.17%（未列预算数）",
)
def _benefits_budget_execution_rate(g: Gather) -> Term:
    return rate(g.money("expenditure.benefits"), g.money("budget.benefits"))


# --------------------------------------------------------------------------------------------
# Year on year (同比)
# --------------------------------------------------------------------------------------------

@indicator(
    "income_yoy_change", "收入同比增减额",
    "本年收入合计 − 上年收入合计（基金：报告只给增减额时取所述增减额）",
    "万元", 2, "fund", ("income.total", "previous.income_total", "change.income_total"),
    f"{_S3} 同比增减额 = 本年 − 上年 {_PRACTICE}",
)
def _income_yoy_change(g: Gather) -> Term:
    return yoy_change(g, "income.total", "previous.income_total", "change.income_total")


@indicator(
    "income_yoy_rate", "收入同比增减率",
    "（本年收入合计 − 上年收入合计）÷ 上年收入合计 × 100%；"
    "基金报告只给增减额时，上年 = 本年基金收入合计 − 收入较上年增减额",
    "%", 2, "fund", ("income.total", "previous.income_total", "change.income_total"),
    f"{_S3} 增长率 = 增减额 / 上年 {_PRACTICE}；seed 000 验证（6284 ÷ (74200 − 6284) = 9.25%）",
)
def _income_yoy_rate(g: Gather) -> Term:
    return yoy_rate(g, "income.total", "previous.income_total", "change.income_total")


@indicator(
    "expenditure_yoy_change", "支出同比增减额",
    "本年支出合计 − 上年支出合计（基金：报告只给增减额时取所述增减额）",
    "万元", 2, "fund", ("expenditure.total", "previous.expenditure_total", "change.expenditure_total"),
    f"{_S3} 同比增减额 = 本年 − 上年 {_PRACTICE}",
)
def _expenditure_yoy_change(g: Gather) -> Term:
    return yoy_change(g, "expenditure.total", "previous.expenditure_total", "change.expenditure_total")


@indicator(
    "expenditure_yoy_rate", "支出同比增减率",
    "（本年支出合计 − 上年支出合计）÷ 上年支出合计 × 100%；"
    "基金报告只给增减额时，上年 = 本年基金支出合计 − 支出较上年增减额",
    "%", 2, "fund", ("expenditure.total", "previous.expenditure_total", "change.expenditure_total"),
    f"{_S3} 增长率 = 增减额 / 上年 {_PRACTICE}；seed 001 验证（−6136 ÷ 274883 = −2.23%）",
)
def _expenditure_yoy_rate(g: Gather) -> Term:
    return yoy_rate(g, "expenditure.total", "previous.expenditure_total", "change.expenditure_total")


@indicator(
    "contributions_yoy_rate", "征缴收入同比增减率",
    "（本年保险费（征缴）收入 − 上年征缴收入）÷ 上年征缴收入 × 100%；"
    "只给增减额时，上年 = 本年征缴收入 − 征缴收入较上年增减额",
    "%", 2, "fund", ("income.contributions", "previous.contributions", "change.contributions"),
    f"{_S3} 增长率 = 增减额 / 上年 {_PRACTICE}；seed 000 验证（6284 ÷ (74200 − 6284) = 9.25%）",
)
def _contributions_yoy_rate(g: Gather) -> Term:
    return yoy_rate(g, "income.contributions", "previous.contributions", "change.contributions")


@indicator(
    "benefits_yoy_rate", "待遇支出同比增减率",
    "待遇支出较上年增减额 ÷（本年待遇支出 − 增减额）× 100%（模型无上年待遇支出，只能由增减额推算上年）",
    "%", 2, "fund", ("expenditure.benefits", "change.benefits"),
    f"{_S3} 增长率 = 增减额 / 上年 {_PRACTICE}；seed 000 所述“65884万元，较上年减少994万元，降幅1.48%”",
)
def _benefits_yoy_rate(g: Gather) -> Term:
    return yoy_rate(g, "expenditure.benefits", None, "change.benefits")


# --------------------------------------------------------------------------------------------
# Balances (结余)
# --------------------------------------------------------------------------------------------

def current_balance_term(g: Gather) -> Term:
    return g.money("income.total") - g.money("expenditure.total")


@indicator(
    "current_balance", "当期结余",
    "基金收入合计 − 基金支出合计",
    "万元", 2, "fund", ("income.total", "expenditure.total"),
    f"{_S3} 当期结余 = 本年收入 − 本年支出 {_PRACTICE}；seed 004 验证（151661 − 128457 = 23204）",
)
def _current_balance(g: Gather) -> Term:
    return current_balance_term(g)


@indicator(
    "current_balance_rate", "当期结余率",
    "（基金收入合计 − 基金支出合计）÷ 基金收入合计 × 100%",
    "%", 2, "fund", ("income.total", "expenditure.total"),
    f"{_S3} 当期结余率（实务口径）{_PRACTICE}；seed 004 验证（23204 ÷ 151661 = 15.30%）",
)
def _current_balance_rate(g: Gather) -> Term:
    return rate(current_balance_term(g), g.money("income.total"))


@indicator(
    "closing_balance", "年末累计结余",
    "年初累计结余 + 当期结余（基金收入合计 − 基金支出合计）",
    "万元", 2, "fund", ("balance.opening", "income.total", "expenditure.total"),
    f"{_S3} 年末累计结余 = 年初累计结余 + 当期结余 {_PRACTICE}",
)
def _closing_balance(g: Gather) -> Term:
    return g.money("balance.opening") + current_balance_term(g)


@indicator(
    "net_assets", "资产减负债",
    "资产合计 − 负债合计（应等于年末累计结余）",
    "万元", 2, "fund", ("balance_sheet.assets_total", "balance_sheet.liabilities_total"),
    f"{_S3} 资产 − 负债 = 累计结余 {_PRACTICE}；seed 001 验证（619029 − 58246 = 560783）",
)
def _net_assets(g: Gather) -> Term:
    return g.money("balance_sheet.assets_total") - g.money("balance_sheet.liabilities_total")


@indicator(
    "months_of_reserve", "累计结余可支付月数",
    "年末累计结余 ÷（基金支出合计 ÷ 12）；未列年末累计结余时用 年初累计结余 + 当期结余",
    "个月", 1, "fund", ("balance.closing", "balance.opening", "income.total", "expenditure.total"),
    f"{_S3} 累计结余可支付月数 = 期末累计结余 / (本年支出 / 12) {_PRACTICE}；"
    "阈值见人社部发〔2009〕67号、人社部发〔2015〕70号 [secondary]",
)
def _months_of_reserve(g: Gather) -> Term:
    closing = g.opt_money("balance.closing")
    if closing is None:
        opening = g.opt_money("balance.opening")
        if opening is None:
            return g.need("年末累计结余（或年初累计结余）")
        closing = g.note("年末累计结余（推算：年初 + 当期结余）", opening + current_balance_term(g), "万元")
    monthly = g.money("expenditure.total") / 12
    return closing / monthly.named("月均基金支出")


# --------------------------------------------------------------------------------------------
# Per capita (人均), in 元
# --------------------------------------------------------------------------------------------

def _per_capita(g: Gather, money_path: str, persons_path: str = "coverage.insured") -> Term:
    amount = g.yuan(money_path)
    persons = g.persons(persons_path)
    assert persons is not None
    return amount / persons


@indicator(
    "income_per_capita", "人均筹资（人均基金收入，元）",
    "基金收入合计（万元）× 10000 ÷ 参保人数",
    "元", 0, "fund", ("income.total", "coverage.insured"),
    f"{_S3} 人均筹资 = 收入 / 参保人数 {_PRACTICE}；seed 004 验证（319286万元 ÷ 3963292人 = 806元）",
    funds=WHOLE_FUNDS,
)
def _income_per_capita(g: Gather) -> Term:
    return _per_capita(g, "income.total")


@indicator(
    "expenditure_per_capita", "人均基金支出（元）",
    "基金支出合计（万元）× 10000 ÷ 参保人数",
    "元", 0, "fund", ("expenditure.total", "coverage.insured"),
    f"{_S3} 人均支出 = 支出 / 参保人数 {_PRACTICE}；seed 004 验证（328340万元 ÷ 3963292人 = 828元）",
    funds=WHOLE_FUNDS,
)
def _expenditure_per_capita(g: Gather) -> Term:
    return _per_capita(g, "expenditure.total")


@indicator(
    "per_capita_gap", "人均支出与人均收入之差",
    "人均基金支出 − 人均基金收入（均按 万元 × 10000 ÷ 参保人数，不先取整）",
    "元", 0, "fund", ("income.total", "expenditure.total", "coverage.insured"),
    f"{_S3} 人均筹资、人均支出 {_PRACTICE}；seed 004 所述“人均支出大于人均收入22元”",
    funds=WHOLE_FUNDS,
)
def _per_capita_gap(g: Gather) -> Term:
    return _per_capita(g, "expenditure.total") - _per_capita(g, "income.total")


def _per_capita_yoy(g: Gather, money_path: str, previous_per_capita: str, previous_money: str) -> Term:
    current = g.note("本年人均（元）", _per_capita(g, money_path), "元")
    prev = g.get(previous_per_capita, "元/人", required=False)
    if prev is None:
        prev_money = g.get(previous_money, "元", required=False)
        prev_persons = g.persons("previous.insured", required=False)
        if prev_money is None or prev_persons is None:
            return g.first((previous_per_capita,))
        prev = g.note("上年人均（推算：上年收支 ÷ 上年参保人数）", prev_money / prev_persons, "元")
    return rate(current - prev, prev)


@indicator(
    "income_per_capita_yoy_rate", "人均收入增长率",
    "（人均基金收入 − 上年人均基金收入）÷ 上年人均基金收入 × 100%；人均基金收入 = 基金收入合计 × 10000 ÷ 参保人数",
    "%", 2, "fund", ("income.total", "coverage.insured", "previous.income_per_capita"),
    f"{_S3} 增长率 = 增减额 / 上年 {_PRACTICE}；seed 004 所述 806 元比上年 751 元增长 7.32%",
    funds=WHOLE_FUNDS,
)
def _income_per_capita_yoy_rate(g: Gather) -> Term:
    return _per_capita_yoy(g, "income.total", "previous.income_per_capita", "previous.income_total")


@indicator(
    "expenditure_per_capita_yoy_rate", "人均支出增长率",
    "（人均基金支出 − 上年人均基金支出）÷ 上年人均基金支出 × 100%；人均基金支出 = 基金支出合计 × 10000 ÷ 参保人数",
    "%", 2, "fund", ("expenditure.total", "coverage.insured", "previous.expenditure_per_capita"),
    f"{_S3} 增长率 = 增减额 / 上年 {_PRACTICE}；seed 004 所述 828 元比上年 774 元增长 6.97%",
    funds=WHOLE_FUNDS,
)
def _expenditure_per_capita_yoy_rate(g: Gather) -> Term:
    return _per_capita_yoy(g, "expenditure.total", "previous.expenditure_per_capita", "previous.expenditure_total")


# --------------------------------------------------------------------------------------------
# Coverage and services (参保与待遇)
# --------------------------------------------------------------------------------------------

@indicator(
    "insured_yoy_rate", "参保人数增长率",
    "（参保人数 − 上年参保人数）÷ 上年参保人数 × 100%；只给增减人数时，上年 = 参保人数 − 参保人数较上年增减",
    "%", 2, "fund", ("coverage.insured", "previous.insured", "change.insured"),
    f"{_S3} 增长率 = 增减额 / 上年 {_PRACTICE}；seed 004 验证（13921 ÷ (388079 − 13921) = 3.72%）",
    funds=WHOLE_FUNDS,
)
def _insured_yoy_rate(g: Gather) -> Term:
    current = g.persons("coverage.insured")
    assert current is not None
    prev = g.persons("previous.insured", required=False)
    if prev is not None:
        return rate(current - prev, prev)
    change = g.get("change.insured", "人", required=False)
    if change is None:
        return g.first(("previous.insured", "change.insured"), "人")
    return rate(change, g.note("上年参保人数（推算）", current - change, "人", 0))


@indicator(
    "active_retired_ratio", "在职退休比",
    "在职职工 ÷ 退休人员",
    "倍", 2, "fund", ("coverage.employed", "coverage.retired"),
    f"{_S3} 职工医保参保结构（实务常用）{_PRACTICE}；seed 004 列在职 215057 人、退休 173022 人",
    funds=EMPLOYEE_FUNDS,
)
def _active_retired_ratio(g: Gather) -> Term:
    employed, retired = g.persons("coverage.employed"), g.persons("coverage.retired")
    assert employed is not None and retired is not None
    return employed / retired


@indicator(
    "over_60_share", "60岁以上参保人员占比",
    "60岁以上参保人数 ÷ 参保人数 × 100%",
    "%", 2, "fund", ("coverage.over_60", "coverage.insured"),
    f"{_S3} 参保结构 {_PRACTICE}；seed 004 验证（809051 ÷ 3963292 = 20.41%）",
    funds=RESIDENT_FUNDS,
)
def _over_60_share(g: Gather) -> Term:
    over, insured = g.persons("coverage.over_60"), g.persons("coverage.insured")
    assert over is not None and insured is not None
    return rate(over, insured)


@indicator(
    "maternity_beneficiaries_yoy_rate", "生育待遇人次增长率",
    "（享受生育保险待遇人次 − 上年人次）÷ 上年人次 × 100%；只给增减人次时，上年 = 本年 − 增减人次",
    "%", 2, "fund", ("services.maternity", "previous.maternity_beneficiaries", "change.maternity_beneficiaries"),
    f"{_S3} 增长率 = 增减额 / 上年 {_PRACTICE}；seed 001 验证（1036 ÷ (9595 − 1036) = 12.10%）",
    funds=MATERNITY_FUNDS,
)
def _maternity_beneficiaries_yoy_rate(g: Gather) -> Term:
    current = g.count("services.maternity", "人次")
    assert current is not None
    prev = g.count("previous.maternity_beneficiaries", "人次", required=False)
    if prev is not None:
        return rate(current - prev, prev)
    change = g.count("change.maternity_beneficiaries", "人次", required=False)
    if change is None:
        return g.first(("previous.maternity_beneficiaries", "change.maternity_beneficiaries"), "人次")
    return rate(change, g.note("上年人次（推算）", current - change, "人次", 0))


# --------------------------------------------------------------------------------------------
# 统筹基金 / 个人账户 structure (on the 职工医保 record, from its sibling part records)
# --------------------------------------------------------------------------------------------

def _share(g: Gather, part: FundKind, path: str) -> Term:
    if g.record.fund not in EMPLOYEE_WHOLE:
        raise NotComputable(f"只适用于职工医保（统筹基金与个人账户之和），不适用于{FUNDS[g.record.fund].short}")
    whole = g.money(path)
    sibling = g.sibling(part, FUNDS[part].short)
    part_term = sibling.money(path) if sibling is not None else MISSING
    return rate(part_term, whole)


_STRUCTURE_RULE = f"{_S3}“统筹基金与个人账户分开”{_PRACTICE}；seed 004 列统筹 81733/77637、个账 69928/50820 万元"


@indicator(
    "pooling_income_share", "统筹基金收入占比",
    "统筹基金的基金收入合计 ÷ 职工医保基金收入合计 × 100%",
    "%", 2, "fund", ("siblings[统筹基金].income.total", "income.total"), _STRUCTURE_RULE, funds=EMPLOYEE_WHOLE,
)
def _pooling_income_share(g: Gather) -> Term:
    return _share(g, FundKind.employee_pooling, "income.total")


@indicator(
    "account_income_share", "个人账户收入占比",
    "个人账户的基金收入合计 ÷ 职工医保基金收入合计 × 100%",
    "%", 2, "fund", ("siblings[个人账户].income.total", "income.total"), _STRUCTURE_RULE, funds=EMPLOYEE_WHOLE,
)
def _account_income_share(g: Gather) -> Term:
    return _share(g, FundKind.employee_account, "income.total")


@indicator(
    "pooling_expenditure_share", "统筹基金支出占比",
    "统筹基金的基金支出合计 ÷ 职工医保基金支出合计 × 100%",
    "%", 2, "fund", ("siblings[统筹基金].expenditure.total", "expenditure.total"), _STRUCTURE_RULE,
    funds=EMPLOYEE_WHOLE,
)
def _pooling_expenditure_share(g: Gather) -> Term:
    return _share(g, FundKind.employee_pooling, "expenditure.total")


@indicator(
    "account_expenditure_share", "个人账户支出占比",
    "个人账户的基金支出合计 ÷ 职工医保基金支出合计 × 100%",
    "%", 2, "fund", ("siblings[个人账户].expenditure.total", "expenditure.total"), _STRUCTURE_RULE,
    funds=EMPLOYEE_WHOLE,
)
def _account_expenditure_share(g: Gather) -> Term:
    return _share(g, FundKind.employee_account, "expenditure.total")


# --------------------------------------------------------------------------------------------

def compute_fund_year(
    fy: FundYear, siblings: Mapping[FundKind, FundYear] | None = None,
) -> list[IndicatorResult]:
    """Every fund indicator of ``fy`` in registry order.

    ``siblings`` are the same unit/year/scope's other fund records (统筹基金, 个人账户 for the
    职工医保 structure). An indicator meant for other funds (e.g. 在职退休比 on 城乡居民) is left
    out unless the record makes it computable; all others are listed, computable or not.
    """
    return fund_values(fy, siblings)[1]


def fund_values(
    fy: FundYear, siblings: Mapping[FundKind, FundYear] | None = None,
) -> tuple[list[IndicatorResult], list[IndicatorResult]]:
    """(every fund indicator of ``fy``, the ones :func:`compute_fund_year` lists): a comparison
    column may ask for an indicator meant for another fund, so the store keeps them all."""
    others = {k: v for k, v in (siblings or {}).items() if k != fy.fund}
    fund_defs = definitions("fund")
    with shared_reads():
        every = [definition.compute(fy, others) for definition in fund_defs]
    own = [r for d, r in zip(fund_defs, every, strict=True) if d.applies_to(fy.fund) or r.computable]
    return every, own
