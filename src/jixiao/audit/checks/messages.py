"""What a finding says: the figures as written, the right value at the stated precision, a quote
of the sentence, and one Chinese sentence per kind of relation saying what is wrong."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Final

from jixiao.audit.checks.arithmetic import compute, stated_of
from jixiao.audit.checks.rules import Outcome
from jixiao.audit.document import Document, Mention
from jixiao.audit.relations.relation import Relation, Term
from jixiao.numbers import Interval, Quantity, UnitError, fmt


def decimal_places(q: Quantity) -> int:
    return max(0, -q.exponent)


def expected_text(computed: Interval, q: Quantity, point: Decimal | None = None) -> str:
    """The right value at the stated precision: the arithmetic of the written figures
    (``point``), or the interval when the written figures cannot pin it down to one value
    at the stated precision (e.g. a rate from figures written to 0.1).
    """
    places = decimal_places(q)
    lo, hi = fmt(computed.lo, places), fmt(computed.hi, places)
    if lo == hi:
        return lo
    step = Decimal(1).scaleb(-places)
    if point is not None and computed.width <= 4 * step:
        return fmt(point, places)
    return f"[{lo}, {hi}]"


def num_text(q: Quantity, value: Decimal | None = None) -> str:
    v = q.value if value is None else value
    return f"{v:f}{q.unit}"


def fig_text(m: Mention, magnitude: bool = False) -> str:
    q = m.quantity
    v = abs(q.value) if magnitude else q.value
    return f"{v:f}{q.unit}"


def with_unit(text: str, q: Quantity) -> str:
    return text if text.startswith("[") else f"{text}{q.unit}"


def quote_around(doc: Document, m: Mention, width: int = 40) -> str:
    block = doc.blocks[m.block]
    text = block.text
    s = m.start
    e = m.end
    left = max(0, s - width)
    for k in range(s - 1, left - 1, -1):
        if text[k] in "。！？\n":
            left = k + 1
            break
    right = min(len(text), e + 16)
    for k in range(e, right):
        if text[k] in "。；！？\n":
            right = k + 1
            break
    return text[left:right].strip()


def finding_message(rel: Relation, outcome: Outcome, expected: str) -> str:
    """One Chinese sentence: what is wrong and what the right value is (one wording per code)."""
    num, den = outcome.terms or ([], [])
    exp = with_unit(expected, rel.stated.quantity)
    write = _MESSAGES.get(rel.code)
    if write is None:
        return f"应为{exp}，文中为{fig_text(rel.stated)}"
    return write(rel, outcome, num, den, exp)


def _bal_001_message(rel: Relation, outcome: Outcome, num: list[Term], den: list[Term], exp: str) -> str:
    """收入 − 支出 = 当期结余 (a 收支缺口/亏损 is said as the negative balance it stands for)."""
    q = rel.stated.quantity
    said = f"文中{rel.stated_name}为{fig_text(rel.stated)}"
    if rel.direction < 0 and q.value > 0:  # 收支缺口/亏损 X: 当期结余 is −X
        said += f"（即当期结余-{fig_text(rel.stated)}）"
    incomes = "加".join(fig_text(t.mention) for t in num if t.sign > 0)  # a fund's parts side by side
    expenses = "加".join(fig_text(t.mention) for t in num if t.sign < 0)
    return f"收入{incomes}减支出{expenses}应为{exp}，{said}"


def _bal_002_message(rel: Relation, outcome: Outcome, num: list[Term], den: list[Term], exp: str) -> str:
    """资产 − 负债 = 累计结余."""
    return (f"资产{fig_text(num[0].mention)}减负债{fig_text(num[1].mention)}应为{exp}，"
            f"文中{rel.stated_name}为{fig_text(rel.stated)}")


def _bal_003_message(rel: Relation, outcome: Outcome, num: list[Term], den: list[Term], exp: str) -> str:
    """年初 + 本期 = 年末/全年."""
    parts = "加".join(f"{t.name}{fig_text(t.mention)}" if t.sign > 0 else f"减{t.name}{fig_text(t.mention)}"
                     for t in num).replace("加减", "减")
    return f"{parts}应为{exp}，文中{rel.stated_name}为{fig_text(rel.stated)}"


def _bal_004_message(rel: Relation, outcome: Outcome, num: list[Term], den: list[Term], exp: str) -> str:
    """当期结余 / 收入 = 结余率."""
    sign = "-" if num[0].sign < 0 and num[0].mention.quantity.value > 0 else ""  # 收支缺口 X → −X
    return (f"当期结余{sign}{fig_text(num[0].mention)}除以收入{fig_text(den[0].mention)}应为{exp}，"
            f"文中结余率为{fig_text(rel.stated)}")


def _sum_001_message(rel: Relation, outcome: Outcome, num: list[Term], den: list[Term], exp: str) -> str:
    """A total and its parts: a part over the total, a short list with an 其他 part, a 共计
    that no parts add up to, parts over or under the total."""
    joined = "+".join(("−" if t.sign < 0 else "") + fig_text(t.mention) for t in num).replace("+−", "−")
    if outcome.part_over_total is not None:
        t = outcome.part_over_total
        return (f"分项{t.name}{fig_text(t.mention)}大于合计{rel.stated_name}{fig_text(rel.stated)}，"
                f"分项不可能超过总数（所列分项之和为{exp}）")
    if rel.note == "含其他" and outcome.computed is not None and outcome.computed.hi < stated_of(rel).lo:
        return (f"所列分项（含其他）{joined}合计为{exp}，少于文中{rel.stated_name}{fig_text(rel.stated)}，"
                f"可能漏列了某一分项或总数有误")
    if rel.note == "共计":
        return f"前文所列{joined}合计为{exp}，与文中合计{fig_text(rel.stated)}不符，也无任何几项之和等于它"
    if outcome.computed is not None and outcome.computed.lo > stated_of(rel).hi:
        return f"分项{joined}合计为{exp}，超过文中总数{rel.stated_name}{fig_text(rel.stated)}"
    return f"分项{joined}合计应为{exp}，文中{rel.stated_name}为{fig_text(rel.stated)}"


def _sum_004_message(rel: Relation, outcome: Outcome, num: list[Term], den: list[Term], exp: str) -> str:
    """A 类 total and its 项 amounts."""
    q = rel.stated.quantity
    joined = "+".join(fig_text(t.mention) for t in num)
    try:
        point = compute(rel, (num, den), exact=True).lo
        total = f"{fmt(point, decimal_places(q))}{q.unit}（按所写精度为{exp}）"
    except (UnitError, ArithmeticError):
        total = exp
    return (f"{rel.stated_name}支出为{fig_text(rel.stated)}，而明细中该类下所列各项（项级）支出"
            f"{joined}合计为{total}，超过类级合计，类级合计与项级明细不符")


def _cmp_002_message(rel: Relation, outcome: Outcome, num: list[Term], den: list[Term], exp: str) -> str:
    """完成预算0% beside an outturn that is not 0."""
    rate = den[0].mention if den else None
    rate_text = fig_text(rate) if rate is not None else "0%"
    return (f"完成预算{rate_text}即未发生支出，{rel.stated_name}应为{exp}；文中却为{fig_text(rel.stated)}"
            f"（若支出确为{fig_text(rel.stated)}，完成率不可能为{rate_text}，二者必有一误）")


def _sum_005_message(rel: Relation, outcome: Outcome, num: list[Term], den: list[Term], exp: str) -> str:
    """The changes of the parts against the change of the total."""
    word = "增加" if rel.direction > 0 else "减少"
    parts = "、".join(f"{t.name}{'增加' if t.sign > 0 else '减少'}{fig_text(t.mention, True)}" for t in num)
    total = f"合计{fig_text(den[0].mention)}" if den else "合计"
    return (f"{total}等于各分项之和，其增减额也应等于各分项增减额之和：{parts}，"
            f"合计应{word}{exp}，文中为{word}{fig_text(rel.stated, True)}")


def _shr_001_message(rel: Relation, outcome: Outcome, num: list[Term], den: list[Term], exp: str) -> str:
    """A share: part / base."""
    return (f"{num[0].name}{fig_text(num[0].mention)}占{den[0].name}{fig_text(den[0].mention)}的比例应为{exp}，"
            f"文中为{fig_text(rel.stated)}")


def _cmp_001_message(rel: Relation, outcome: Outcome, num: list[Term], den: list[Term], exp: str) -> str:
    """A completion rate: actual / budget."""
    return (f"{num[0].name}{fig_text(num[0].mention)}除以{den[0].name}{fig_text(den[0].mention)}应为{exp}，"
            f"文中为{fig_text(rel.stated)}")


def _chg_001_message(rel: Relation, outcome: Outcome, num: list[Term], den: list[Term], exp: str) -> str:
    """A growth rate, from the two years or from the current year and its change."""
    word = "增长" if rel.direction > 0 else ("下降" if rel.direction < 0 else "增减")
    if den and den[0].name == "上年" and len(den) == 1:
        cur = next(t for t in num if t.name == "本年").mention
        return (f"由上年{fig_text(den[0].mention)}到本年{fig_text(cur)}，{word}率应为{exp}，"
                f"文中为{fig_text(rel.stated, True)}")
    cur = den[0].mention
    chg = num[0].mention
    prev = _prev_value(cur, chg, rel.direction)
    dword = "增加" if rel.direction > 0 else "减少"
    return (f"本年{fig_text(cur)}较上年{dword}{fig_text(chg, True)}，上年应为{prev}，"
            f"{word}率应为{exp}，文中为{fig_text(rel.stated, True)}")


def _chg_002_message(rel: Relation, outcome: Outcome, num: list[Term], den: list[Term], exp: str) -> str:
    """The change between the two years."""
    cur = next(t for t in num if t.name == "本年").mention
    last = next(t for t in num if t.name == "上年").mention
    dword = "增加" if rel.direction > 0 else "减少"
    return (f"本年{fig_text(cur)}与上年{fig_text(last)}之差应为{exp}，"
            f"文中{dword}额为{fig_text(rel.stated, True)}")


def _pcp_001_message(rel: Relation, outcome: Outcome, num: list[Term], den: list[Term], exp: str) -> str:
    """Per capita: total / persons."""
    return (f"总额{fig_text(num[0].mention)}除以{fig_text(den[0].mention)}应为每人{exp}，"
            f"文中为{fig_text(rel.stated)}")


def _bal_005_message(rel: Relation, outcome: Outcome, num: list[Term], den: list[Term], exp: str) -> str:
    """累计结余 ÷ 月均支出 = 可支付月数."""
    return (f"累计结余{fig_text(num[0].mention)}除以{rel.scale}个月支出{fig_text(den[0].mention)}的月均数，"
            f"可支付月数应为{exp}，文中为{fig_text(rel.stated)}")


def _scr_001_message(rel: Relation, outcome: Outcome, num: list[Term], den: list[Term], exp: str) -> str:
    """自评表: 总分 = Σ 得分."""
    joined = "+".join(fig_text(t.mention) or "0" for t in num)
    return f"表中各项{num[0].name if num else '得分'}{joined}合计为{exp}，文中{rel.stated_name}为{fig_text(rel.stated)}"


#: the wording of each code's finding: (relation, outcome, numerator terms, denominator terms,
#: the right value with its unit) → the sentence
_MESSAGES: Final[dict[str, Callable[[Relation, Outcome, list[Term], list[Term], str], str]]] = {
    "JX-BAL-001": _bal_001_message,
    "JX-BAL-002": _bal_002_message,
    "JX-BAL-003": _bal_003_message,
    "JX-BAL-004": _bal_004_message,
    "JX-BAL-005": _bal_005_message,
    "JX-SCR-001": _scr_001_message,
    "JX-SUM-001": _sum_001_message,
    "JX-SUM-004": _sum_004_message,
    "JX-CMP-002": _cmp_002_message,
    "JX-SUM-005": _sum_005_message,
    "JX-SHR-001": _shr_001_message,
    "JX-CMP-001": _cmp_001_message,
    "JX-CHG-001": _chg_001_message,
    "JX-CHG-002": _chg_002_message,
    "JX-PCP-001": _pcp_001_message,
}


def _prev_value(cur: Mention, chg: Mention, direction: int) -> str:
    a, b = cur.quantity, chg.quantity
    try:
        bv = abs(b.value_in(a.unit)) if b.unit and a.unit else abs(b.value)
    except UnitError:
        bv = abs(b.value)
    prev = a.value - bv if direction > 0 else a.value + bv
    return f"{prev:f}{a.unit}"
