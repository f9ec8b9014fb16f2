"""Every sentence of a report that carries a number, generated from the model and the engine.

One function per kind of sentence. Each returns the sentence (ending in 。) or ``None`` when the
data it needs are absent — a report leaves out what it cannot say rather than print a blank.

Figures come from two places only:

* input figures **as written** (``74200万元``, ``746.35万元``: the Decimal keeps its written
  digits), via :func:`written`;
* derived figures from the indicator engine (``jixiao.calc``), via the result's ``display()``,
  which rounds half-up to the result's display places (a sum or difference of written amounts
  with its inputs' precision — ``23204万元``, not ``23204.00万元``; rates, 人均 and 可支付月数 at
  the registry's declared places). A change is written as its absolute
  value after 增加/减少 (or 增长/下降), i.e. ``display()`` without its minus sign; never
  "减少-3万元". A change that rounds to zero is written "与上年持平".

The sentences are plain and standard (“收入X万元，较上年增加Y万元，增长Z%，完成年度预算W万元的V%”)
so that ``jixiao audit`` can read them back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import BaseModel

from jixiao.model import DepartmentYear, FundKind, FundYear, Project
from jixiao.numbers import Quantity
from jixiao.write.report import ResultLike, Results

# --------------------------------------------------------------------------------------------
# Formatting helpers
# --------------------------------------------------------------------------------------------


def written(q: Quantity | None) -> str:
    """An input figure as written, with its unit: ``74200万元``, ``1.8067万人``, ``约5万元``."""
    if q is None:
        return ""
    return str(q)


def per_capita(q: Quantity) -> str:
    """A per-capita figure after 人均: ``751元`` (not ``751元/人``)."""
    return f"{q.value:f}" + ("元" if q.unit.startswith("元") else q.unit)


def number_only(res: ResultLike) -> str:
    """The engine's display without its unit (``1.24`` of ``1.24倍``), for ratios written bare."""
    text = res.display()
    return text.removesuffix(res.unit) if res.unit else text


def result(results: Results, indicator_id: str) -> ResultLike | None:
    """The computed result of ``indicator_id``, or None when absent or not computable."""
    res = results.get(indicator_id)
    return res if res is not None and res.value is not None else None


def shown(res: ResultLike) -> str:
    """The engine's display of a result (``'9.25%'``)."""
    return res.display()


def magnitude(res: ResultLike) -> str:
    """The engine's display without its sign: the figure written after 增加/减少, 增长/下降."""
    return res.display().removeprefix("-")


def _sign(res: ResultLike) -> int:
    """-1, 0, 1 by the *displayed* value, so "增长0.00%" never appears (it is 持平)."""
    text = magnitude(res)
    digits = "".join(ch for ch in text if ch.isdigit())
    if not digits or int(digits) == 0:
        return 0
    assert res.value is not None
    return -1 if res.value < 0 else 1


def change_clause(amount: ResultLike | None, rate: ResultLike | None, *, against: str = "较上年") -> str | None:
    """``较上年增加6284万元，增长9.25%`` / ``较上年减少994万元，下降1.48%`` / ``与上年持平``."""
    if amount is None and rate is None:
        return None
    sign = _sign(amount) if amount is not None else _sign(rate)  # type: ignore[arg-type]
    if sign == 0 and (rate is None or _sign(rate) == 0):
        return "与上年持平"
    parts: list[str] = []
    if amount is not None:
        parts.append(f"{against}{'增加' if sign > 0 else '减少'}{magnitude(amount)}")
    if rate is not None:
        # a rate that rounds to 0.00% next to a real change takes the change's word: 增长0.00%
        rsign = _sign(rate) or sign
        text = f"{'增长' if rsign > 0 else '下降'}{magnitude(rate)}"
        parts.append(text if amount is not None else f"{against}{text}")
    return "，".join(parts)


def _join(parts: Sequence[str | None], sep: str = "，") -> str:
    return sep.join(p for p in parts if p)


def _sentence(parts: Sequence[str | None], sep: str = "，") -> str | None:
    body = _join(parts, sep)
    return f"{body}。" if body else None


def _listing(record: BaseModel, names: Sequence[str], *, prefix: str = "", suffix: str = "") -> list[str]:
    """``保险费（征缴）收入74200万元`` for each named field with a value, labelled by its title."""
    out = []
    fields = type(record).model_fields
    for name in names:
        q = getattr(record, name, None)
        if isinstance(q, Quantity):
            out.append(f"{prefix}{fields[name].title}{suffix}{written(q)}")
    return out


# --------------------------------------------------------------------------------------------
# Funds (基金)
# --------------------------------------------------------------------------------------------


def fund_name(fund: FundKind) -> str:
    """职工基本医疗保险（含生育） → 职工基本医疗保险（含生育）基金; 统筹基金 stays as it is."""
    return fund.value if fund.value.endswith("基金") else f"{fund.value}基金"


def fund_subject(fy: FundYear) -> str:
    """``2019年全市职工基本医疗保险（含生育）基金`` (scope when known)."""
    return f"{fy.year}年{fy.scope or ''}{fund_name(fy.fund)}"


def _execution_clause(rate: ResultLike | None, budget: Quantity | None) -> str | None:
    if rate is None:
        return None
    if budget is not None:
        return f"完成年度预算{written(budget)}的{shown(rate)}"
    return f"完成年度预算{shown(rate)}"


def fund_income_sentence(fy: FundYear, results: Results) -> str | None:
    """``2019年全市职工基本医疗保险（含生育）基金收入74200万元，较上年增加6284.00万元，增长9.25%，
    完成年度预算66975万元的110.79%。``"""
    if fy.income.total is None:
        return None
    budget = fy.budget.income_adjusted or fy.budget.income
    return _sentence([
        f"{fund_subject(fy)}收入{written(fy.income.total)}",
        change_clause(result(results, "income_yoy_change"), result(results, "income_yoy_rate")),
        _execution_clause(result(results, "income_budget_execution_rate"), budget),
    ])


def fund_expenditure_sentence(fy: FundYear, results: Results, *, subject: bool = False) -> str | None:
    """``基金支出65884万元，较上年减少994.00万元，下降1.48%，完成年度预算62515万元的105.39%。``"""
    if fy.expenditure.total is None:
        return None
    budget = fy.budget.expenditure_adjusted or fy.budget.expenditure
    head = f"{fund_subject(fy)}支出" if subject else "基金支出"
    return _sentence([
        f"{head}{written(fy.expenditure.total)}",
        change_clause(result(results, "expenditure_yoy_change"), result(results, "expenditure_yoy_rate")),
        _execution_clause(result(results, "expenditure_budget_execution_rate"), budget),
    ])


def fund_balance_sentence(fy: FundYear, results: Results) -> str | None:
    """``基金当期结余8836.00万元，当期结余率11.91%，年末累计结余86448万元，累计结余可支付15.75个月。``

    A negative 当期结余 is written as a 收支缺口 of its magnitude, with the (negative) rate.
    """
    current = result(results, "current_balance")
    rate = result(results, "current_balance_rate")
    closing_written = fy.balance.closing
    closing = result(results, "closing_balance")
    months = result(results, "months_of_reserve")
    parts: list[str | None] = []
    if current is not None:
        if _sign(current) < 0:
            parts.append(f"基金当期收不抵支，收支缺口{magnitude(current)}")
        else:
            parts.append(f"基金当期结余{shown(current)}")
    if rate is not None:
        parts.append(f"当期结余率为{shown(rate)}")
    if closing_written is not None:
        parts.append(f"年末累计结余{written(closing_written)}")
    elif closing is not None:
        parts.append(f"年末累计结余{shown(closing)}")
    if months is not None:
        parts.append(f"累计结余可支付{shown(months)}")
    return _sentence(parts)


def fund_income_parts_sentence(fy: FundYear) -> str | None:
    """``2019年全市职工基本医疗保险（含生育）基金总收入75381万元，其中：保险费（征缴）收入74200万元，
    利息收入998万元，其他收入19万元，转移收入164万元。``"""
    items = []
    for name in fy.income.PARTS:
        q = getattr(fy.income, name)
        if q is None:
            continue
        label = type(fy.income).model_fields[name].title
        text = f"{label}{written(q)}"
        if name == "contributions":
            sub = _listing(fy.income, ("contributions_employer", "contributions_individual"))
            if sub:
                text += f"（{'，'.join(sub)}）"
        items.append(text)
    if not items or fy.income.total is None:
        return None
    return f"{fund_subject(fy)}总收入{written(fy.income.total)}，其中：{'，'.join(items)}。"


def fund_expenditure_parts_sentence(fy: FundYear) -> str | None:
    """``…基金总支出66545万元，其中：待遇支出65884万元（住院费用支出…），其他支出344万元，转移支出317万元。``"""
    items = []
    for name in fy.expenditure.PARTS:
        q = getattr(fy.expenditure, name)
        if q is None:
            continue
        text = f"{type(fy.expenditure).model_fields[name].title}{written(q)}"
        if name == "benefits":
            sub = _listing(fy.expenditure, fy.expenditure.BENEFIT_PARTS)
            if sub:
                text += f"（{'，'.join(sub)}）"
        items.append(text)
    if not items or fy.expenditure.total is None:
        return None
    return f"{fund_subject(fy)}总支出{written(fy.expenditure.total)}，其中：{'，'.join(items)}。"


def fund_budget_sentence(fy: FundYear, results: Results) -> str | None:
    """``收入预算执行率为107.45%，其中征缴收入预算执行率为108.28%；支出预算执行率为103.55%，
    其中待遇支出预算执行率为103.17%。``"""
    income = result(results, "income_budget_execution_rate")
    contributions = result(results, "contributions_budget_execution_rate")
    expenditure = result(results, "expenditure_budget_execution_rate")
    benefits = result(results, "benefits_budget_execution_rate")
    halves = []
    for main, sub, main_name, sub_name in (
        (income, contributions, "收入预算执行率", "征缴收入预算执行率"),
        (expenditure, benefits, "支出预算执行率", "待遇支出预算执行率"),
    ):
        bits = []
        if main is not None:
            bits.append(f"{main_name}为{shown(main)}")
        if sub is not None:
            bits.append(f"{'其中' if main is not None else ''}{sub_name}为{shown(sub)}")
        if bits:
            halves.append("，".join(bits))
    if not halves:
        return None
    return f"{fy.year}年{fund_name(fy.fund)}{'；'.join(halves)}。"


def fund_structure_sentences(fy: FundYear, siblings: Mapping[FundKind, FundYear], results: Results) -> list[str]:
    """统筹/个账 structure of 职工医保: ``其中：统筹基金收入81733万元，占53.89%；个人账户基金收入69928万元，
    占46.11%。`` and the same for 支出."""
    if fy.fund not in (FundKind.employee, FundKind.employee_with_maternity):
        return []
    pooling = siblings.get(FundKind.employee_pooling)
    account = siblings.get(FundKind.employee_account)
    out = []
    for side, word in (("income", "收入"), ("expenditure", "支出")):
        bits = []
        for sib, share_id, label in (
            (pooling, f"pooling_{side}_share", "统筹基金"),
            (account, f"account_{side}_share", "个人账户基金"),
        ):
            if sib is None:
                continue
            q = getattr(sib, side).total
            if q is None:
                continue
            share = result(results, share_id)
            bits.append(f"{label}{word}{written(q)}" + (f"，占{shown(share)}" if share else ""))
        total = getattr(fy, side).total
        if bits and total is not None:
            out.append(f"{fund_name(fy.fund)}{word}{written(total)}，其中：{'；'.join(bits)}。")
    return out


def fund_coverage_sentence(fy: FundYear, results: Results) -> str | None:
    """``参保人数388079人，其中在职职工215057人，退休人员173022人，较上年增加13921人，增长3.72%。``"""
    c = fy.coverage
    if c.insured is None:
        return None
    who = fund_name(fy.fund).removesuffix("基金")
    parts: list[str | None] = [f"{fy.year}年{fy.scope or ''}{who}参保人数{written(c.insured)}"]
    sub = _listing(c, ("employed", "retired"))
    if sub:
        parts[0] = f"{parts[0]}，其中{'，'.join(sub)}"
    rate = result(results, "insured_yoy_rate")
    change = fy.change.insured
    if change is None and fy.previous.insured is not None and c.insured.unit == fy.previous.insured.unit:
        diff = c.insured.value - fy.previous.insured.value
        change = int(diff) if diff == diff.to_integral_value() else None
    if change is not None:
        word = "增加" if change > 0 else "减少" if change < 0 else None
        if word:
            parts.append(f"较上年{word}{abs(change)}人")
            if rate is not None and _sign(rate):
                parts.append(f"{'增长' if _sign(rate) > 0 else '下降'}{magnitude(rate)}")
        else:
            parts.append("与上年持平")
    elif rate is not None:
        parts.append(change_clause(None, rate))
    ratio = result(results, "active_retired_ratio")
    if ratio is not None:
        parts.append(f"在职退休比为{number_only(ratio)}")
    over = result(results, "over_60_share")
    if c.over_60 is not None:
        parts.append(f"60岁以上参保人员{written(c.over_60)}" + (f"，占{shown(over)}" if over else ""))
    return _sentence(parts)


def fund_per_capita_sentence(fy: FundYear, results: Results) -> str | None:
    """``人均基金收入806元，比上年人均751元增长7.32%；人均基金支出828元，比上年人均774元增长6.97%；
    人均支出大于人均收入22元。``"""
    halves = []
    for ind, rate_id, prev, label in (
        ("income_per_capita", "income_per_capita_yoy_rate", fy.previous.income_per_capita, "人均基金收入"),
        ("expenditure_per_capita", "expenditure_per_capita_yoy_rate", fy.previous.expenditure_per_capita,
         "人均基金支出"),
    ):
        res = result(results, ind)
        if res is None:
            continue
        text = f"{label}{shown(res)}"
        rate = result(results, rate_id)
        if prev is not None and rate is not None:
            word = "增长" if _sign(rate) > 0 else "下降" if _sign(rate) < 0 else "持平"
            text += f"，比上年人均{per_capita(prev)}{word}{magnitude(rate) if _sign(rate) else ''}"
        halves.append(text)
    gap = result(results, "per_capita_gap")
    if gap is not None and _sign(gap):
        halves.append(f"人均支出大于人均收入{magnitude(gap)}" if _sign(gap) > 0
                      else f"人均收入大于人均支出{magnitude(gap)}")
    if not halves:
        return None
    return f"{fy.year}年{fy.scope or ''}{fund_name(fy.fund)}{'；'.join(halves)}。"


def fund_balance_sheet_sentence(fy: FundYear, results: Results) -> str | None:
    """``年末基金资产总计619029万元，其中支出户存款…；负债总计58246万元，其中暂收款…；资产减负债560783.00万元。``"""
    bs = fy.balance_sheet
    if bs.assets_total is None and bs.liabilities_total is None:
        return None
    parts = []
    if bs.assets_total is not None:
        sub = _listing(bs, bs.ASSET_PARTS)
        parts.append(f"{fy.year}年末{fund_name(fy.fund)}资产总计{written(bs.assets_total)}"
                     + (f"，其中{'，'.join(sub)}" if sub else ""))
    if bs.liabilities_total is not None:
        sub = _listing(bs, bs.LIABILITY_PARTS)
        parts.append(f"负债总计{written(bs.liabilities_total)}" + (f"，其中{'，'.join(sub)}" if sub else ""))
    net = result(results, "net_assets")
    if net is not None:
        parts.append(f"资产减负债{shown(net)}")
    return _sentence(parts, "；")


def fund_services_sentence(fy: FundYear, results: Results) -> str | None:
    """``享受普通门急诊待遇1290505人次，门诊慢特病待遇2009577人次，住院待遇138677人次；享受生育保险待遇
    9595人次，较上年增加1036人次，增长12.10%。``"""
    s = fy.services
    visits = []
    for name, label in (("outpatient", "普通门急诊"), ("chronic_outpatient", "门诊慢特病"), ("inpatient", "住院")):
        q = getattr(s, name)
        if q is not None:
            visits.append(f"{label}待遇{written(q)}")
    parts: list[str] = []
    if s.beneficiaries is not None:
        parts.append(f"享受待遇合计{written(s.beneficiaries)}")
    if visits:
        parts.append("享受" + "，".join(visits))
    if s.maternity is not None:
        text = f"享受生育保险待遇{written(s.maternity)}"
        change = fy.change.maternity_beneficiaries
        rate = result(results, "maternity_beneficiaries_yoy_rate")
        if change is not None and change != 0:
            text += f"，较上年{'增加' if change > 0 else '减少'}{abs(change)}人次"
            if rate is not None and _sign(rate):
                text += f"，{'增长' if _sign(rate) > 0 else '下降'}{magnitude(rate)}"
        sub = _listing(s, ("maternity_medical", "maternity_allowance"))
        if sub:
            text += f"（其中{'，'.join(sub)}）"
        parts.append(text)
    if not parts:
        return None
    return f"{fy.year}年{fy.scope or ''}{fund_name(fy.fund).removesuffix('基金')}{'；'.join(parts)}。"


def fund_sentences(fy: FundYear, results: Results, siblings: Mapping[FundKind, FundYear] | None = None) -> list[str]:
    """The numeric paragraph of one fund, in report order."""
    out = [
        fund_income_sentence(fy, results),
        fund_expenditure_sentence(fy, results),
        fund_balance_sentence(fy, results),
    ]
    return [s for s in out if s]


# --------------------------------------------------------------------------------------------
# Department (部门整体支出)
# --------------------------------------------------------------------------------------------


def department_staff_sentence(dy: DepartmentYear, results: Results) -> str | None:
    """``2020年末，编制60人，其中行政编制12人，事业编制48人。年末实有在职人数52人，退休人数15人，在职人员控制率为86.67%。``

    Two sentences: the 编制 with its parts, then the people — so no reader (or auditor) takes the
    实有人数 for one more part of the 编制.
    """
    st = dy.staff
    sentences = []
    if st.authorized is not None:
        sub = _listing(st, ("authorized_admin", "authorized_institution", "authorized_other"))
        parts = f"，其中{'，'.join(sub)}" if sub else ""
        sentences.append(f"{dy.year}年末，编制{written(st.authorized)}{parts}。")
    people = _listing(st, ("actual", "retired"))
    rate = result(results, "staff_control_rate")
    tail = [*people, f"在职人员控制率为{shown(rate)}" if rate is not None else None]
    if any(tail):
        sentences.append(f"{'年末' if sentences else f'{dy.year}年末，'}{_join(tail)}。")
    return "".join(sentences) or None


def department_totals_sentence(dy: DepartmentYear, results: Results) -> str | None:
    """``2019年本年收入合计760.35万元，较上年减少890.89万元，下降53.95%；本年支出合计747.1万元，较上年减少
    903.38万元，下降54.73%。``"""
    halves = []
    if dy.income.total is not None:
        halves.append(_join([
            f"本年收入合计{written(dy.income.total)}",
            change_clause(result(results, "income_yoy_change"), result(results, "income_yoy_rate")),
        ]))
    if dy.expenditure.total is not None:
        halves.append(_join([
            f"本年支出合计{written(dy.expenditure.total)}",
            change_clause(result(results, "expenditure_yoy_change"), result(results, "expenditure_yoy_rate")),
        ]))
    if not halves:
        return None
    return f"{dy.year}年{'；'.join(halves)}。"


def department_income_structure_sentence(dy: DepartmentYear, results: Results) -> str | None:
    """``本年收入合计760.35万元，其中：财政拨款收入746.35万元，占98.16%；其他收入14万元，占1.84%。``"""
    inc = dy.income
    if inc.total is None:
        return None
    parts = ((inc.fiscal, "财政拨款收入", "fiscal_income_share"), (inc.other, "其他收入", "other_income_share"))
    return _total_with_shares(f"{dy.year}年本年收入合计{written(inc.total)}", parts, results)


def department_expenditure_structure_sentence(dy: DepartmentYear, results: Results) -> str | None:
    """``本年支出合计747.1万元，其中：基本支出255.34万元，占34.18%；项目支出491.76万元，占65.82%。``"""
    ex = dy.expenditure
    if ex.total is None:
        return None
    parts = ((ex.basic, "基本支出", "basic_share"), (ex.project, "项目支出", "project_share"))
    return _total_with_shares(f"{dy.year}年本年支出合计{written(ex.total)}", parts, results)


def _total_with_shares(
    opening: str, parts: tuple[tuple[Quantity | None, str, str], ...], results: Results
) -> str | None:
    """``<opening>，其中：A…万元，占x%；B…万元，占y%。`` over the parts that are stated."""
    bits = []
    for q, label, share_id in parts:
        if q is None:
            continue
        share = result(results, share_id)
        bits.append(f"{label}{written(q)}" + (f"，占{shown(share)}" if share else ""))
    if not bits:
        return None
    return f"{opening}，其中：{'；'.join(bits)}。"


def department_basic_sentence(dy: DepartmentYear, results: Results) -> str | None:
    """``基本支出255.34万元，其中：人员经费224.78万元，占基本支出的88.03%；公用经费30.56万元，占基本支出的11.97%。``"""
    ex = dy.expenditure
    if ex.basic is None or (ex.personnel is None and ex.public_operating is None):
        return None
    bits = []
    for q, label, share_id in ((ex.personnel, "人员经费", "personnel_share"),
                               (ex.public_operating, "公用经费", "public_operating_share")):
        if q is None:
            continue
        share = result(results, share_id)
        bits.append(f"{label}{written(q)}" + (f"，占基本支出的{shown(share)}" if share else ""))
    return f"{dy.year}年基本支出{written(ex.basic)}，其中：{'；'.join(bits)}。"


def department_budget_sentence(dy: DepartmentYear, results: Results) -> str | None:
    """``全年预算数926.17万元，其中：年初预算655.56万元，追加预算297.19万元，压减预算26.58万元；
    预算完成率为98.70%，预算调整率为41.28%，预算控制率为141.28%。``"""
    b = dy.budget
    parts = []
    if b.full_year is not None:
        sub = _listing(b, ("initial", "additions", "reductions"))
        if b.adjustment is not None and b.additions is None and b.reductions is None:
            sub.append(("调整预算" if b.adjustment.value >= 0 else "调减预算")
                       + written(Quantity(abs(b.adjustment.value), b.adjustment.unit)))
        parts.append(f"全年预算数{written(b.full_year)}" + (f"，其中：{'，'.join(sub)}" if sub else ""))
    rates = []
    for ind, label in (("budget_completion_rate", "预算完成率"), ("budget_adjustment_rate", "预算调整率"),
                       ("budget_control_rate", "预算控制率"), ("funding_control_rate", "经费控制率")):
        res = result(results, ind)
        if res is not None:
            rates.append(f"{label}为{shown(res)}")
    if rates:
        parts.append("，".join(rates))
    if not parts:
        return None
    return f"{dy.year}年{'；'.join(parts)}。"


def department_operating_cost_sentence(dy: DepartmentYear, results: Results) -> str | None:
    """``机关运行经费258.99万元，预算安排270.99万元，运行成本控制率为95.57%，较上年增长21.22%。``"""
    spent = dy.expenditure.operating_costs
    if spent is None:
        return None
    parts: list[str | None] = [f"{dy.year}年机关运行经费支出{written(spent)}"]
    if dy.budget.operating_costs is not None:
        parts.append(f"预算安排{written(dy.budget.operating_costs)}")
    rate = result(results, "operating_cost_control_rate")
    if rate is not None:
        parts.append(f"运行成本控制率为{shown(rate)}")
    parts.append(change_clause(None, result(results, "operating_costs_yoy_rate")))
    return _sentence(parts)


def department_three_public_sentence(dy: DepartmentYear, results: Results) -> str | None:
    """``“三公”经费预算安排29.32万元，实际支出6.73万元，“三公”经费控制率为22.95%。其中：因公出国（境）费
    0万元，公务用车购置及运行维护费0万元，公务接待费6.73万元，占预算12.32万元的54.63%，比上年0.69万元下降…。``"""
    tp = dy.three_public
    if tp.total.actual is None and tp.total.budget is None:
        return None
    head: list[str | None] = []
    if tp.total.budget is not None:
        head.append(f"{dy.year}年“三公”经费预算安排{written(tp.total.budget)}")
    if tp.total.actual is not None:
        spent = written(tp.total.actual)
        head.append(f"实际支出{spent}" if head else f"{dy.year}年“三公”经费支出{spent}")
    rate = result(results, "three_public_control_rate")
    if rate is not None:
        head.append(f"“三公”经费控制率为{shown(rate)}")
    change = result(results, "three_public_change_rate")
    if change is not None:
        head.append(f"“三公”经费变动率为{shown(change)}")
    text = _sentence(head) or ""
    items = []
    for name in tp.PARTS:
        item = getattr(tp, name)
        if item.actual is None:
            continue
        label = type(tp).model_fields[name].title
        bit = f"{label}{written(item.actual)}"
        if name == "reception":
            ctrl = result(results, "reception_control_rate")
            if ctrl is not None and item.budget is not None:
                bit += f"，占全年预算{written(item.budget)}的{shown(ctrl)}"
            yoy = result(results, "reception_yoy_rate")
            if yoy is not None and item.previous is not None:
                word = "增长" if _sign(yoy) > 0 else "下降" if _sign(yoy) < 0 else "持平"
                bit += f"，比上年{written(item.previous)}{word}{magnitude(yoy) if _sign(yoy) else ''}"
        items.append(bit)
    if items:
        text += f"其中：{'；'.join(items)}。"
    return text or None


def department_carryover_sentence(dy: DepartmentYear, results: Results) -> str | None:
    """``年末结转和结余12万元，结转结余率为1.30%。``"""
    if dy.carryover.closing is None:
        return None
    rate = result(results, "carryover_rate")
    return _sentence([f"{dy.year}年末结转和结余{written(dy.carryover.closing)}",
                      f"结转结余率为{shown(rate)}" if rate else None])


def department_general_public_sentence(dy: DepartmentYear, results: Results) -> str | None:
    """``2019年一般公共预算财政拨款支出746.35万元，比上年415.13万元增长79.79%。``"""
    spent = dy.expenditure.general_public
    if spent is None:
        return None
    prev = dy.previous.general_public_expenditure
    rate = result(results, "general_public_expenditure_yoy_rate")
    text = f"{dy.year}年一般公共预算财政拨款支出{written(spent)}"
    if prev is not None and rate is not None:
        word = "增长" if _sign(rate) > 0 else "下降" if _sign(rate) < 0 else "持平"
        text += f"，比上年{written(prev)}{word}{magnitude(rate) if _sign(rate) else ''}"
    elif rate is not None:
        text += f"，{change_clause(None, rate)}"
    return text + "。"


def department_procurement_sentence(dy: DepartmentYear) -> str | None:
    if dy.procurement_actual is None:
        return None
    budget = f"，预算{written(dy.procurement_budget)}" if dy.procurement_budget is not None else ""
    return f"{dy.year}年政府采购支出{written(dy.procurement_actual)}{budget}。"


def department_assets_sentence(dy: DepartmentYear) -> str | None:
    a = dy.assets
    bits = _listing(a, ("assets_total", "bank_deposits", "fixed_assets", "liabilities_total"))
    if a.vehicles is not None:
        bits.append(f"车辆{a.vehicles}辆")
    return f"{dy.year}年末，{'，'.join(bits)}。" if bits else None


# --------------------------------------------------------------------------------------------
# Projects (项目)
# --------------------------------------------------------------------------------------------


def project_funds_sentence(pr: Project, results: Results) -> str | None:
    """``该项目全年预算数251.2万元，执行数251.2万元，预算执行率为100.00%。``

    “该项目”, not the name: the sentence stands under the project's own heading, and two
    projects of one unit often share most of their names (seed 003: both 城乡居民医保 projects).
    """
    f = pr.funds
    if f.budget is None and f.executed is None:
        return None
    parts: list[str | None] = []
    if f.initial_budget is not None:
        parts.append(f"该项目年初预算数{written(f.initial_budget)}")
    if f.budget is not None:
        parts.append(f"{'全年预算数' if parts else '该项目全年预算数'}{written(f.budget)}")
    if f.executed is not None:
        parts.append(f"执行数{written(f.executed)}")
    rate = result(results, "project_budget_execution_rate")
    if rate is not None:
        parts.append(f"预算执行率为{shown(rate)}")
    return _sentence(parts)


def project_indicator_sentences(pr: Project) -> list[str]:
    """One per 三级指标 with an actual: ``代缴…人数：年度指标值1.8067万人，实际完成值1.8067万人。``"""
    out = []
    for row in pr.indicators:
        if row.actual:
            out.append(f"{row.level3}：年度指标值{row.target}，实际完成值{row.actual}。")
    return out
