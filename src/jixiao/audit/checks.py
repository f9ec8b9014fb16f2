"""Checks: does each asserted relation hold at the precision the figures were written with?

One algorithm (Arelle's Calc 1.1 idea), no epsilon anywhere: every written figure is the interval
of values that round to it (``74200万元`` → [74199.5, 74200.5]); the relation's right-hand side is
computed with interval arithmetic; the stated figure is consistent when its interval meets the
computed one. So a correctly rounded report never gets an error. When the stated figure only
fits if its author cut digits off instead of rounding (1.486% written 1.48%), the finding is
``JX-RND-001`` at ``info`` level.

Each rule is one function here; :func:`check_relation` dispatches on the relation's form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations

from jixiao.audit.document import Document, Mention
from jixiao.audit.facts import _SUBJECT_RE, _TO, Fact
from jixiao.audit.findings import Finding
from jixiao.audit.relations import Relation, Term
from jixiao.numbers import Interval, Quantity, UnitError, conversion, fmt, interval_sum
from jixiao.problems import Severity

HUNDRED = Decimal(100)


@dataclass(slots=True)
class Outcome:
    """The result of checking one relation."""

    holds: bool
    truncated: bool  # holds only if the stated figure was truncated, not rounded
    computed: Interval | None  # for the first (preferred) reading, in the stated unit
    terms: tuple[list[Term], list[Term]] | None
    short: bool = False  # a partial list that falls short (not an error)
    part_over_total: Term | None = None


# --------------------------------------------------------------------------------------------
# Interval helpers
# --------------------------------------------------------------------------------------------


def stated_interval(m: Mention, *, magnitude: bool = False, sign: int = 1) -> Interval:
    q = m.quantity
    iv = q.interval()
    if sign < 0 and q.value > 0:
        iv = -iv
    if magnitude and q.value < 0:
        iv = -iv
    return iv


def truncated_interval(m: Mention, *, magnitude: bool = False, sign: int = 1) -> Interval | None:
    """The values a figure stands for if its author cut off digits instead of rounding."""
    q = m.quantity
    if q.approx is not None:
        return None
    v = q.value
    if sign < 0 and v > 0:
        v = -v
    if magnitude:
        v = abs(v)
    step = Decimal(1).scaleb(q.exponent)
    return Interval(v, v + step) if v >= 0 else Interval(v - step, v)


def _in_unit(m: Mention, unit: str, exact: bool = False) -> Interval:
    q = m.quantity
    iv = Interval.exact(q.value) if exact else q.interval()
    if q.unit in ("", unit) or unit == "":
        return iv
    return iv * conversion(q.unit, unit)


def _common_unit(terms: Iterable[Term], fallback: str) -> str:
    for t in terms:
        if t.mention.quantity.unit:
            return t.mention.quantity.unit
    return fallback


def _sum_terms(terms: list[Term], unit: str, exact: bool = False) -> Interval:
    return interval_sum([_in_unit(t.mention, unit, exact) * t.sign for t in terms])


def compute(rel: Relation, alt: tuple[list[Term], list[Term]], *, exact: bool = False) -> Interval:
    """The interval the stated figure should fall in, in the stated figure's unit.

    With ``exact`` every figure is taken at its written value (no rounding interval): the
    "right value" a finding quotes.
    """
    num, den = alt
    stated_unit = rel.stated.quantity.unit
    if rel.form == "sum":
        unit = stated_unit or _common_unit(num, "")
        return _sum_terms(num, unit, exact)
    if rel.code == "JX-PCP-001":
        numer = _sum_terms(num, "元", exact)
        denom = interval_sum([_count(t.mention, exact) * t.sign for t in den])
        return numer / denom
    unit = _common_unit(den + num, stated_unit)
    numer = _sum_terms(num, unit, exact)
    denom = _sum_terms(den, unit, exact)
    result = numer / denom
    if rel.percent:
        result = result * HUNDRED
    return result


def _count(m: Mention, exact: bool = False) -> Interval:
    q = m.quantity
    iv = Interval.exact(q.value) if exact else q.interval()
    if q.unit.startswith("万"):
        return iv * Decimal(10000)
    return iv


# --------------------------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------------------------


def check_relation(rel: Relation) -> Outcome:
    """Does any reading of ``rel`` hold? Returns the outcome for the reading to report."""
    if rel.form == "sum":
        return _check_sum(rel)
    return _check_ratio(rel)


_SIGNED_BY_DIRECTION = ("JX-BAL-001", "JX-SUM-005")


def _stated(rel: Relation) -> Interval:
    if rel.code in _SIGNED_BY_DIRECTION:
        return stated_interval(rel.stated, sign=rel.direction or 1)
    if rel.code == "JX-CHG-002" or rel.magnitude:
        return stated_interval(rel.stated, magnitude=True)
    return stated_interval(rel.stated)


def _truncated(rel: Relation) -> Interval | None:
    if rel.code in _SIGNED_BY_DIRECTION:
        return truncated_interval(rel.stated, sign=rel.direction or 1)
    if rel.code == "JX-CHG-002" or rel.magnitude:
        return truncated_interval(rel.stated, magnitude=True)
    return truncated_interval(rel.stated)


def _check_sum(rel: Relation) -> Outcome:
    """Balances, sums and changes-from-two-years: Σ signed terms = stated."""
    stated = _stated(rel)
    first: Outcome | None = None
    for alt in rel.alternatives:
        try:
            computed = compute(rel, alt)
        except (UnitError, ZeroDivisionError, ArithmeticError):
            continue
        if computed.meets(stated):
            return Outcome(True, False, computed, alt)
        if first is None:
            over = _part_over_total(rel, alt, stated)
            short = rel.partial and computed.hi < stated.lo
            trunc = _truncated(rel)
            first = Outcome(False, trunc is not None and computed.meets(trunc), computed, alt,
                            short=short, part_over_total=over)
    return first or Outcome(False, False, None, None)


def _part_over_total(rel: Relation, alt: tuple[list[Term], list[Term]], stated: Interval) -> Term | None:
    if rel.code != "JX-SUM-001" or stated.hi < 0 or any(t.sign < 0 for t in alt[0]):
        return None  # with parts subtracted (压减), one part may well exceed the total
    unit = rel.stated.quantity.unit
    worst: Term | None = None
    for t in alt[0]:
        if t.sign > 0:
            try:
                iv = _in_unit(t.mention, unit)
            except UnitError:
                continue
            if iv.lo > stated.hi and (worst is None or iv.lo > _in_unit(worst.mention, unit).lo):
                worst = t
    return worst


def _check_ratio(rel: Relation) -> Outcome:
    """Shares, completion rates, growth rates, per capita: numerator / denominator = stated."""
    stated = _stated(rel)
    first: Outcome | None = None
    for alt in rel.alternatives:
        try:
            computed = compute(rel, alt)
        except (UnitError, ZeroDivisionError, ArithmeticError):
            continue
        if rel.magnitude:
            computed = Interval(min(abs(computed.lo), abs(computed.hi)) if computed.lo * computed.hi > 0
                                else Decimal(0), max(abs(computed.lo), abs(computed.hi)))
        if computed.meets(stated):
            return Outcome(True, False, computed, alt)
        if first is None:
            trunc = _truncated(rel)
            first = Outcome(False, trunc is not None and computed.meets(trunc), computed, alt)
    return first or Outcome(False, False, None, None)


# --------------------------------------------------------------------------------------------
# Findings from outcomes
# --------------------------------------------------------------------------------------------


def _places(q: Quantity) -> int:
    return max(0, -q.exponent)


def expected_text(computed: Interval, q: Quantity, point: Decimal | None = None) -> str:
    """The right value at the stated precision: the arithmetic of the written figures
    (``point``), or the interval when the written figures cannot pin it down to one value
    at the stated precision (e.g. a rate from figures written to 0.1).
    """
    places = _places(q)
    lo, hi = fmt(computed.lo, places), fmt(computed.hi, places)
    if lo == hi:
        return lo
    step = Decimal(1).scaleb(-places)
    if point is not None and computed.width <= 4 * step:
        return fmt(point, places)
    return f"[{lo}, {hi}]"


def _num(q: Quantity, value: Decimal | None = None) -> str:
    v = q.value if value is None else value
    return f"{v:f}{q.unit}"


def _fig(m: Mention, magnitude: bool = False) -> str:
    q = m.quantity
    v = abs(q.value) if magnitude else q.value
    return f"{v:f}{q.unit}"


def _with_unit(text: str, q: Quantity) -> str:
    return text if text.startswith("[") else f"{text}{q.unit}"


def _quote(doc: Document, m: Mention, width: int = 40) -> str:
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


def _message(rel: Relation, outcome: Outcome, expected: str) -> str:
    """One Chinese sentence: what is wrong and what the right value is."""
    q = rel.stated.quantity
    num, den = outcome.terms or ([], [])
    exp = _with_unit(expected, q)
    code = rel.code
    if code == "JX-BAL-001":
        inc, exp_t = num[0].mention, num[1].mention
        said = f"文中{rel.stated_name}为{_fig(rel.stated)}"
        if rel.direction < 0 and q.value > 0:  # 收支缺口/亏损 X: 当期结余 is −X
            said += f"（即当期结余-{_fig(rel.stated)}）"
        return f"收入{_fig(inc)}减支出{_fig(exp_t)}应为{exp}，{said}"
    if code == "JX-BAL-002":
        return (f"资产{_fig(num[0].mention)}减负债{_fig(num[1].mention)}应为{exp}，"
                f"文中{rel.stated_name}为{_fig(rel.stated)}")
    if code == "JX-BAL-003":
        parts = "加".join(f"{t.name}{_fig(t.mention)}" if t.sign > 0 else f"减{t.name}{_fig(t.mention)}"
                         for t in num).replace("加减", "减")
        return f"{parts}应为{exp}，文中{rel.stated_name}为{_fig(rel.stated)}"
    if code == "JX-BAL-004":
        sign = "-" if num[0].sign < 0 and num[0].mention.quantity.value > 0 else ""  # 收支缺口 X → −X
        return (f"当期结余{sign}{_fig(num[0].mention)}除以收入{_fig(den[0].mention)}应为{exp}，"
                f"文中结余率为{_fig(rel.stated)}")
    if code == "JX-SUM-001":
        joined = "+".join(("−" if t.sign < 0 else "") + _fig(t.mention) for t in num).replace("+−", "−")
        if outcome.part_over_total is not None:
            t = outcome.part_over_total
            return (f"分项{t.name}{_fig(t.mention)}大于合计{rel.stated_name}{_fig(rel.stated)}，"
                    f"分项不可能超过总数（所列分项之和为{exp}）")
        if rel.note == "含其他" and outcome.computed is not None and outcome.computed.hi < _stated(rel).lo:
            return (f"所列分项（含其他）{joined}合计为{exp}，少于文中{rel.stated_name}{_fig(rel.stated)}，"
                    f"可能漏列了某一分项或总数有误")
        if rel.note == "共计":
            return f"前文所列{joined}合计为{exp}，与文中合计{_fig(rel.stated)}不符，也无任何几项之和等于它"
        if outcome.computed is not None and outcome.computed.lo > _stated(rel).hi:
            return f"分项{joined}合计为{exp}，超过文中总数{rel.stated_name}{_fig(rel.stated)}"
        return f"分项{joined}合计应为{exp}，文中{rel.stated_name}为{_fig(rel.stated)}"
    if code == "JX-SUM-004":
        joined = "+".join(_fig(t.mention) for t in num)
        try:
            point = compute(rel, (num, den), exact=True).lo
            total = f"{fmt(point, _places(q))}{q.unit}（按所写精度为{exp}）"
        except (UnitError, ArithmeticError):
            total = exp
        return (f"{rel.stated_name}支出为{_fig(rel.stated)}，而明细中该类下所列各项（项级）支出"
                f"{joined}合计为{total}，超过类级合计，类级合计与项级明细不符")
    if code == "JX-CMP-002":
        rate = den[0].mention if den else None
        rate_text = _fig(rate) if rate is not None else "0%"
        return (f"完成预算{rate_text}即未发生支出，{rel.stated_name}应为{exp}；文中却为{_fig(rel.stated)}"
                f"（若支出确为{_fig(rel.stated)}，完成率不可能为{rate_text}，二者必有一误）")
    if code == "JX-SUM-005":
        word = "增加" if rel.direction > 0 else "减少"
        parts = "、".join(f"{t.name}{'增加' if t.sign > 0 else '减少'}{_fig(t.mention, True)}" for t in num)
        total = f"合计{_fig(den[0].mention)}" if den else "合计"
        return (f"{total}等于各分项之和，其增减额也应等于各分项增减额之和：{parts}，"
                f"合计应{word}{exp}，文中为{word}{_fig(rel.stated, True)}")
    if code == "JX-SHR-001":
        return (f"{num[0].name}{_fig(num[0].mention)}占{den[0].name}{_fig(den[0].mention)}的比例应为{exp}，"
                f"文中为{_fig(rel.stated)}")
    if code == "JX-CMP-001":
        return (f"{num[0].name}{_fig(num[0].mention)}除以{den[0].name}{_fig(den[0].mention)}应为{exp}，"
                f"文中为{_fig(rel.stated)}")
    if code == "JX-CHG-001":
        word = "增长" if rel.direction > 0 else ("下降" if rel.direction < 0 else "增减")
        if den and den[0].name == "上年" and len(den) == 1:
            cur = next(t for t in num if t.name == "本年").mention
            return (f"由上年{_fig(den[0].mention)}到本年{_fig(cur)}，{word}率应为{exp}，"
                    f"文中为{_fig(rel.stated, True)}")
        cur = den[0].mention
        chg = num[0].mention
        prev = _prev_value(cur, chg, rel.direction)
        dword = "增加" if rel.direction > 0 else "减少"
        return (f"本年{_fig(cur)}较上年{dword}{_fig(chg, True)}，上年应为{prev}，"
                f"{word}率应为{exp}，文中为{_fig(rel.stated, True)}")
    if code == "JX-CHG-002":
        cur = next(t for t in num if t.name == "本年").mention
        last = next(t for t in num if t.name == "上年").mention
        dword = "增加" if rel.direction > 0 else "减少"
        return (f"本年{_fig(cur)}与上年{_fig(last)}之差应为{exp}，"
                f"文中{dword}额为{_fig(rel.stated, True)}")
    if code == "JX-PCP-001":
        return (f"总额{_fig(num[0].mention)}除以{_fig(den[0].mention)}应为每人{exp}，"
                f"文中为{_fig(rel.stated)}")
    return f"应为{exp}，文中为{_fig(rel.stated)}"


def _prev_value(cur: Mention, chg: Mention, direction: int) -> str:
    a, b = cur.quantity, chg.quantity
    try:
        bv = abs(b.value_in(a.unit)) if b.unit and a.unit else abs(b.value)
    except UnitError:
        bv = abs(b.value)
    prev = a.value - bv if direction > 0 else a.value + bv
    return f"{prev:f}{a.unit}"


def finding_for(doc: Document, rel: Relation, outcome: Outcome) -> Finding | None:
    """The finding a failed relation gives (or ``None`` when it holds or is not an error)."""
    if outcome.holds or outcome.computed is None:
        return None
    if outcome.short and outcome.part_over_total is None:
        return None
    if not rel.explicit:
        return None
    q = rel.stated.quantity
    code = rel.code
    severity: Severity = "error"
    point = None
    if outcome.terms is not None:
        try:
            exact = compute(rel, outcome.terms, exact=True)
            point = abs(exact.lo) if rel.magnitude or rel.code == "JX-CHG-002" else exact.lo
        except (UnitError, ZeroDivisionError, ArithmeticError):
            point = None
    computed = outcome.computed
    if code == "JX-SUM-005" and rel.direction < 0:
        # a decrease is stated as a size: the right value in the same terms (减少8507, not −8507)
        computed = -computed
        point = -point if point is not None else None
    expected = expected_text(computed, q, point)
    if code == "JX-SUM-001" and outcome.part_over_total is not None:
        code = "JX-SUM-002"
    elif code == "JX-SUM-001" and rel.note == "含其他" and outcome.computed.hi < _stated(rel).lo:
        code = "JX-SUM-003"
        severity = "warning"
    stated_text = _num(q)
    message = _message(rel, outcome, expected)
    if outcome.truncated and code not in ("JX-SUM-002", "JX-SUM-003"):
        severity = "info"
        message = message + "；只有按截尾而非四舍五入取数才成立"
        code_shown = "JX-RND-001"
    else:
        code_shown = code
    block = doc.blocks[rel.stated.block]
    figures = {}
    if outcome.terms:
        for t in outcome.terms[0] + outcome.terms[1]:
            figures[t.name or "数"] = _fig(t.mention)
    return Finding(
        code=code_shown,
        severity=severity,
        message=message,
        stated=re.sub(r"[^\d.\-]", "", stated_text) or stated_text,
        expected=expected,
        quote=_quote(doc, rel.stated),
        line=block.line,
        page=block.page,
        where=block.where(),
        figures=figures,
        block=rel.stated.block,
        start=rel.stated.start,
        end=rel.stated.end,
    )


def run_checks(doc: Document, relations: list[Relation]) -> tuple[int, list[Finding]]:
    """Check every relation; return (number of checks made, findings).

    Implicit readings (``explicit=False``) are counted only when they hold: they are readings
    the wording allows, not assertions the author plainly made.
    """
    findings: list[Finding] = []
    count = 0
    seen: set[tuple[int, int, str]] = set()
    for rel in relations:
        outcome = check_relation(rel)
        if outcome.computed is None:
            continue
        if not rel.explicit and not outcome.holds:
            continue
        if outcome.short and outcome.part_over_total is None and not outcome.holds:
            count += 1  # a partial list that falls short: checked, nothing wrong
            continue
        count += 1
        f = finding_for(doc, rel, outcome)
        if f is None:
            continue
        key = (rel.stated.block, rel.stated.start, f.code)
        if key in seen:
            continue
        seen.add(key)
        findings.append(f)
    return count, findings


# --------------------------------------------------------------------------------------------
# The same quantity stated twice (JX-DUP-001)
# --------------------------------------------------------------------------------------------


def _fact_mention(fact: Fact) -> Mention:
    return Mention(quantity=fact.quantity, block=fact.block, start=fact.start, end=fact.end,
                   raw=fact.quote, negative_word=fact.negative_word, comparator=fact.comparator)


_CLAUSE_CUT = re.compile(r"[，,。；;：:、\s]")  # not brackets: 保险费（征缴）收入 is one name
_LAST_CLAUSE_CUT = re.compile(r"(?s:.*)[，,。；;：:、\s]")  # up to the last _CLAUSE_CUT
_SENTENCE_CUT = re.compile(r"[。；;！？]")
_FILLER = re.compile(
    r"(?:19|20)\d\d\s*年(?:度|底|末)?|全市|全县|全区|全省|[区市县]?本级|本年度?|当年|年度|全年|其中|共计|合计|总计"
    r"|基金|决算|[为是达的了约共]|达到|金额|实际|[“”\"'‘’]"
    # manner adverbs and the setting (在专项行动中) say how or where, not what is counted
    r"|严肃|严厉|依法|先后|集中|在?[\u4e00-\u9fff]{0,4}(?:行动|治理|检查|活动)中"
)
_FIGURE_TEXT = re.compile(r"\d[\d.,]*\s*(?:万元|亿元|元|万人|人次|人|个百分点|%|％|个|家)?")
_CHANGE_WORDS = re.compile(r"增加|减少|增长|下降|降低|提高|占|上年|去年|较|比|同期|人均|次均|平均|预计|计划|目标")
_ITEM_TEXT_FILLER = re.compile(r"基金|本年|全年|年度|当年")
#: items a figure with no subject may still be matched by: a unit's own totals, named only once
#: the unit's own enforcement counts: not a fund's, unless a fund is named in their sentence
_UNIT_COUNTS = frozenset({"违规医疗机构", "违规医药机构", "违规零售药店"})
_UNIT_ITEMS = frozenset({"项目支出", "基本支出", "人员经费", "公用经费", "财政拨款收入", "资产", "负债"}) | _UNIT_COUNTS
_LABEL_GAP = frozenset("：: \u3000")
#: a balance-sheet total is named with or without 总额/总计/合计 (负债总额 = 负债)
_TOTAL_SUFFIX = re.compile(r"(?<=资产|负债)(?:总额|总计|合计)$")
_NOT_THE_SAME = ("增减额", "增长率", "占比", "得分", "办理时限", _TO)


def _fact_label(doc: Document, fact: Fact) -> str:
    """The words naming a figure: its clause up to the figure (at most 40 characters)."""
    text = doc.blocks[fact.block].text
    start = fact.start
    while start > 0 and fact.start - start < 3 and text[start - 1] in _LABEL_GAP:
        start -= 1  # 负债总额：5.49万元 — the name stands before a colon or a space
    # back to the last clause cut in the 40 characters before (one scan, not a loop per character)
    lo = max(0, start - 40)
    cut = _LAST_CLAUSE_CUT.match(text, lo, start)
    return text[cut.end() if cut else lo:start]


def _qualifier(label: str, item_text: str) -> str | None:
    """What the clause says besides the fund, the item, years and filler words: two figures are
    the same quantity only when this is the same (总收入 is not 收入; 住院 is not 门诊)."""
    if item_text:
        k = label.rfind(item_text)
        if k < 0:
            return None
        label = label[:k] + label[k + len(item_text):]
    if _CHANGE_WORDS.search(label):
        return None
    label = _SUBJECT_RE.sub("", label)
    label = _FILLER.sub("", label)
    return _FILLER.sub("", _FIGURE_TEXT.sub("", label)).strip()


#: 财政拨款 comes from three budgets; a unit that states figures of only the first has no other
_OTHER_BUDGETS = frozenset({"政府性基金预算", "国有资本经营预算"})
_ALL_BUDGETS_ITEMS = frozenset({"财政拨款收入"})


def _one_budget_kind(facts: list[Fact]) -> bool:
    """No figure of 政府性基金预算 or 国有资本经营预算 (other than 0) in the document: its
    财政拨款 is all 一般公共预算, so 财政拨款收入 and 一般公共预算财政拨款收入 are one quantity."""
    return not any(f.subject in _OTHER_BUDGETS and f.value != 0 for f in facts)


def _fact_key(doc: Document, fact: Fact, one_budget: bool = False) -> tuple[str, str, str] | None:
    """(subject, item | written item | qualifier, year): "the same quantity", conservatively.

    The extractor's subject and item are the nearest known terms; two figures are taken as the
    same quantity only when, in addition, the item is written the same way (基金收入 = 收入,
    完成年度预算 = 完成全年预算, but 总收入 ≠ 收入) and nothing else in their clause tells them
    apart. A budget sentence (预算…) keeps its figures apart from the outturn of the same name.
    A figure with no fund named is matched only for a unit's own totals (项目支出, 基本支出…).
    """
    subject, item, year, _dim = fact.key()
    if not item or item.endswith(_NOT_THE_SAME) or not fact.item_text:
        return None
    if one_budget and subject == "一般公共预算" and item in _ALL_BUDGETS_ITEMS:
        subject = None  # the unit's 财政拨款收入 (all of it is 一般公共预算)
    text = doc.blocks[fact.block].text
    sentence = _SENTENCE_CUT.split(text[max(0, fact.start - 200):fact.start])[-1]
    if item in _UNIT_COUNTS and not _SUBJECT_RE.search(sentence):
        subject = None  # the paragraph's (or heading's) fund is not what 查处违规医疗机构15家 counts
    if not subject and item not in _UNIT_ITEMS:
        return None
    if fact.subject_carried and subject:
        return None  # named only in a heading before: two projects' sections look alike
    label = _fact_label(doc, fact)
    qualifier = _qualifier(label, fact.item_text)
    if qualifier is None:
        return None
    written = _TOTAL_SUFFIX.sub("", _ITEM_TEXT_FILLER.sub("", fact.item_text))
    if item in _UNIT_COUNTS:
        written = item  # 违规医疗机构 = 存在违规行为的定点医疗机构: one count, however worded
    if written.startswith("完成") and written.endswith("预算"):
        written = "完成预算"
    if "预算" in sentence and "预算" not in label:
        qualifier = "预算:" + qualifier  # a budget figure is not the outturn of the same name
    return (subject or "", f"{item}|{written}|{qualifier}", str(year or ""))


def check_duplicates(doc: Document, facts: list[Fact],
                     existing: list[Finding] | None = None) -> tuple[int, list[Finding]]:
    """The same quantity (same subject, item and year) stated in two places with two values.

    Conservative: both facts must name a subject and an item (the extractor's vocabulary),
    have the same dimension and no approximation word; two values whose written intervals meet
    are the same figure at two precisions (``241.46`` and ``241``) and are fine. One finding per
    pair of distinct values, placed at the later statement.
    """
    groups: dict[tuple[str, str, str, str], list[Mention]] = {}
    one_budget = _one_budget_kind(facts)
    merged: set[tuple[str, str, str, str]] = set()  # groups where 一般公共预算 stands for all 财政拨款
    for fact in facts:
        key = _fact_key(doc, fact, one_budget)
        if key is None or fact.approx is not None or fact.comparator or fact.flags:
            continue
        m = _fact_mention(fact)
        dim = m.quantity.dimension
        if dim is None:
            continue
        groups.setdefault((*key, dim), []).append(m)
        if fact.subject == "一般公共预算" and not key[0]:
            merged.add((*key, dim))
    findings: list[Finding] = []
    checks = 0
    flagged = {(f.block, f.start) for f in existing or [] if f.severity == "error"}
    for (subject, item_label, year, _dim), ms in groups.items():
        item = item_label.split("|", 1)[0]
        if len(ms) < 2:
            continue
        ms = sorted(ms, key=lambda m: (m.block, m.start))
        first = ms[0]
        unit = first.quantity.unit
        reported: set[Decimal] = set()
        for later in ms[1:]:
            checks += 1
            try:
                a = _in_unit(first, unit)
                b = _in_unit(later, unit)
            except UnitError:
                continue
            same_precision = first.quantity.exponent == later.quantity.exponent and \
                first.quantity.unit == later.quantity.unit
            if same_precision and first.quantity.value == later.quantity.value:
                continue
            # two values written to the same digits are two different roundings: 491.76 ≠ 491.77
            if later.block == first.block or (a.meets(b) and not same_precision) \
                    or (later.block, later.start) in flagged:
                continue
            if later.quantity.value in reported:
                continue
            reported.add(later.quantity.value)
            fine, coarse = (first, later) if first.quantity.exponent < later.quantity.exponent else (later, first)
            trunc = truncated_interval(coarse)
            truncated = (trunc is not None and fine.quantity.exponent < coarse.quantity.exponent
                         and _in_unit(fine, coarse.quantity.unit).meets(trunc))
            first_block = doc.blocks[first.block]
            block = doc.blocks[later.block]
            where_first = first_block.where() or "前文"
            subject_text = f"{year}年" if year else ""
            subject_text += item if subject[:2] in item else f"{subject}{item}"
            message = (f"{subject_text}在{where_first}为{_fig(first)}，此处为{_fig(later)}，"
                       f"同一数额前后不一致")
            if (subject, item_label, year, _dim) in merged:
                message += "（文中无政府性基金、国有资本经营预算拨款，财政拨款收入即一般公共预算财政拨款收入）"
            severity: Severity = "error"
            code = "JX-DUP-001"
            if truncated:
                severity, code = "info", "JX-RND-001"
                message += f"；{_fig(coarse)}只是{_fig(fine)}截尾（非四舍五入）所得"
            findings.append(Finding(
                code=code, severity=severity, message=message,
                stated=f"{later.quantity.value:f}", expected=f"{first.quantity.value:f}",
                quote=_quote(doc, later), line=block.line, page=block.page, where=block.where(),
                figures={where_first: _fig(first), block.where() or "此处": _fig(later)},
                block=later.block, start=later.start, end=later.end,
            ))
    return checks, findings


# --------------------------------------------------------------------------------------------
# A self-evaluation table's 预算数 against the expenditure budget the text states (JX-DUP-001)
# --------------------------------------------------------------------------------------------

_TABLE_BUDGET_LABEL = re.compile(r"^(年度|全年)?预算数[：:]?$")
_TABLE_BUDGET_BEFORE = re.compile(r"(?:^|\t)(年度|全年)?预算数[：:]?\t+$")
#: a budget this close to a text budget (relative) yet written differently is the same budget
#: miswritten; further apart it may be another scope (another fund, 年初 vs 调整后) and is left alone
_NEAR = Decimal("0.001")
_MIN_STEPS = 1000  # at least four significant digits, so near means a slip, not a coincidence


def _table_of(doc: Document, block_index: int) -> tuple[int, int] | None:
    """(table, row) of the table row a block stands in: its own cell, or the text line of it."""
    block = doc.blocks[block_index]
    if block.table is not None and block.row is not None:
        return block.table, block.row
    if block.line is None:
        return None
    for t in doc.tables:
        for ri, row in enumerate(t.rows):
            if any(c is not None and c.line == block.line for c in row):
                return t.index, ri
    return None


_TABLE_ACTUAL_LABEL = re.compile(r"^(年度|全年)?(执行数|实际支出数?|决算数)[：:]?$")
_TABLE_ACTUAL_BEFORE = re.compile(r"(?:^|\t)(年度|全年)?(执行数|实际支出数?|决算数)[：:]?\t+$")


def _table_budget(doc: Document, m: Mention) -> bool:
    """The figure written in the cell right of a 预算数 cell."""
    return _table_labelled(doc, m, _TABLE_BUDGET_LABEL, _TABLE_BUDGET_BEFORE)


def _table_labelled(doc: Document, m: Mention, label: re.Pattern[str], before: re.Pattern[str]) -> bool:
    """The figure written in the cell right of a cell named by ``label`` (a row flattened into a
    line of text: right after ``before``)."""
    block = doc.blocks[m.block]
    if block.kind == "cell" and block.table is not None and block.row is not None and block.col is not None:
        table = next((t for t in doc.tables if t.index == block.table), None)
        if table is None or block.text.strip() != m.raw.strip():
            return False
        left = [c for c in table.rows[block.row][:block.col] if c is not None and c.text.strip()]
        return bool(left) and label.match(left[-1].text.strip()) is not None
    rest = block.text[m.end:m.end + 1]
    return before.search(block.text[:m.start]) is not None and rest in ("", "\t")


def _row_actual(doc: Document, m: Mention, by_block: dict[int, list[Mention]]) -> Mention | None:
    """The 执行数 of the table row whose 预算数 is ``m`` (one such figure, after it in the row)."""
    block = doc.blocks[m.block]
    if block.kind == "cell":
        row = [b for b in by_block if doc.blocks[b].kind == "cell" and doc.blocks[b].table == block.table
               and doc.blocks[b].row == block.row and (doc.blocks[b].col or 0) > (block.col or 0)]
        cands = [x for b in row for x in by_block[b]]
    else:
        cands = [x for x in by_block.get(m.block, []) if x.start > m.end]
    found = [x for x in cands if _table_labelled(doc, x, _TABLE_ACTUAL_LABEL, _TABLE_ACTUAL_BEFORE)]
    return found[0] if len(found) == 1 else None


def _outturn_budget_pairs(doc: Document, facts: list[Fact], budgets: list[tuple[Mention, Fact]]
                          ) -> list[tuple[Fact, Fact]]:
    """(支出, 支出预算) stated together in the text: ``总支出20978万元，完成预算25338万元的82.79%``."""
    index = {id(f): k for k, f in enumerate(facts)}
    pairs: list[tuple[Fact, Fact]] = []
    seen: set[tuple[str | None, Decimal, Decimal]] = set()
    for _m, budget in budgets:
        k = index[id(budget)]
        for f in reversed(facts[max(0, k - 3):k]):
            if f.block != budget.block or _SENTENCE_END.search(doc.blocks[f.block].text, f.end, budget.start):
                break
            if (f.item == "支出" and f.year == budget.year and f.subject == budget.subject and f.approx is None
                    and f.quantity.dimension == "money" and not f.comparator):
                key = (f.subject, f.value, budget.value)
                if key not in seen:
                    seen.add(key)
                    pairs.append((f, budget))
                break
    return pairs


_SENTENCE_END = re.compile(r"[。；;！？!?]")
#: at most this many funds are tried as the scope of one table row
_MAX_SCOPE = 6


def _scope_finding(doc: Document, m: Mention, actual: Mention, pairs: list[tuple[Fact, Fact]]) -> Finding | None:
    """A 自评表 row whose 执行数 is the sum of several funds' expenditures (职工 268747 + 生育 20978
    = 289725) must have as 预算数 the sum of the same funds' budgets (335413 + 25338 = 360751).

    Only when no single fund's expenditure is the 执行数 (that scope is the one-fund rule's),
    exactly one set of two or more funds gives it at the written precision (with at least four
    significant digits, so a match is no coincidence), and their budgets do not.
    """
    unit = m.quantity.unit
    step = Decimal(1).scaleb(actual.quantity.exponent)
    if len(pairs) < 2 or len(pairs) > _MAX_SCOPE or abs(actual.quantity.value) < _MIN_STEPS * step:
        return None
    try:
        target = _in_unit(actual, unit)
        outturns = [_in_unit(_fact_mention(a), unit) for a, _b in pairs]
        budgets = [_in_unit(_fact_mention(b), unit) for _a, b in pairs]
    except UnitError:
        return None
    if any(iv.meets(target) for iv in outturns):
        return None
    matches = [combo for n in range(2, len(pairs) + 1) for combo in combinations(range(len(pairs)), n)
               if interval_sum([outturns[i] for i in combo]).meets(target)]
    if len(matches) != 1:
        return None
    combo = matches[0]
    budget_iv = interval_sum([budgets[i] for i in combo])
    if budget_iv.meets(m.quantity.interval()):
        return None
    exact = interval_sum([Interval.exact(pairs[i][1].quantity.value_in(unit)) for i in combo]).lo
    expected = expected_text(budget_iv, m.quantity, exact)
    funds = "、".join(f"{pairs[i][0].subject or ''}支出{_fig(_fact_mention(pairs[i][0]))}" for i in combo)
    plans = "+".join(_fig(_fact_mention(pairs[i][1])) for i in combo)
    block = doc.blocks[m.block]
    message = (f"自评表执行数{_fig(actual)}即{funds}之和（按所写精度），预算数应为同样口径的预算之和"
               f"{plans}={_with_unit(expected, m.quantity)}，表中预算数为{_fig(m)}，预算数与执行数口径不一致")
    figures = {"执行数": _fig(actual), "预算数": _fig(m)}
    for i in combo:
        a, b = pairs[i]
        figures[f"{a.where}支出"] = _fig(_fact_mention(a))
        figures[f"{b.where}预算"] = _fig(_fact_mention(b))
    return Finding(
        code="JX-SUM-006", severity="error", message=message, stated=f"{m.quantity.value:f}", expected=expected,
        quote=_quote(doc, m), line=block.line, page=block.page, where=block.where(), figures=figures,
        block=m.block, start=m.start, end=m.end,
    )


def _expenditure_table(doc: Document, table_index: int, row_index: int) -> bool:
    """The table is about an expenditure: its 项目名称 or its title (just above) says 支出."""
    table = next((t for t in doc.tables if t.index == table_index), None)
    if table is None:
        return False
    texts = [c.text for row in table.rows[:row_index] for c in row if c is not None]
    if any("项目名称" in t for t in texts) and any("支出" in t and "部门" not in t for t in texts
                                                 if "项目名称" not in t):
        return True
    first = next((c for row in table.rows for c in row if c is not None), None)
    if first is None or first.line is None:
        return False
    above = [b.text for b in doc.blocks if b.line is not None and first.line - 8 <= b.line < first.line
             and b.text.strip()]
    return any("支出" in t and ("自评表" in t or "绩效" in t) for t in above)


def check_table_budgets(doc: Document, mentions: list[Mention],
                        facts: list[Fact]) -> tuple[int, list[Finding]]:
    """The 预算数 of an expenditure self-evaluation table (自评表) and the expenditure budget the
    text states for the same year (支出…完成预算X) are one quantity. Conservative: only a text
    budget written to the same precision, differing from the table's yet within 0.1% of it (a
    slip of a digit, 335412 for 335413), and no text budget equal to it, gives an error; a
    budget further off may be another scope and is left alone.
    """
    by_place = {(f.block, f.start): f for f in facts}
    table_lines = {c.line for t in doc.tables for row in t.rows for c in row
                   if c is not None and c.line is not None}
    budgets: list[tuple[Mention, Fact]] = []
    for f in facts:
        block = doc.blocks[f.block]
        if (f.item == "支出预算" and f.year is not None and f.approx is None and not f.comparator
                and not f.flags and block.kind != "cell" and block.line not in table_lines
                and f.quantity.dimension == "money"):
            budgets.append((_fact_mention(f), f))
    if not budgets:
        return 0, []
    checks = 0
    findings: list[Finding] = []
    pairs = _outturn_budget_pairs(doc, facts, budgets)
    by_block: dict[int, list[Mention]] = {}
    for m in mentions:
        by_block.setdefault(m.block, []).append(m)
    for m in mentions:
        q = m.quantity
        if q.dimension != "money" or q.approx is not None or m.comparator or not _table_budget(doc, m):
            continue
        place = _table_of(doc, m.block)
        if place is None or not _expenditure_table(doc, *place):
            continue
        fact = by_place.get((m.block, m.start))
        year = fact.year if fact is not None else None
        actual = _row_actual(doc, m, by_block)
        if actual is not None and actual.quantity.approx is None and year is not None:
            checks += 1
            scope = _scope_finding(doc, m, actual, [(a, b) for a, b in pairs if a.year == year])
            if scope is not None:
                findings.append(scope)
        same_year = [(b, f) for b, f in budgets if year is not None and f.year == year]
        checks += len(same_year)
        near: list[Mention] = []
        equal = False
        for b, _f in same_year:
            bq = b.quantity
            try:
                tv = q.value_in(bq.unit) if q.unit != bq.unit else q.value
            except UnitError:
                continue
            if q.unit != bq.unit or q.exponent != bq.exponent:
                equal = equal or _in_unit(m, bq.unit).meets(b.quantity.interval())
                continue
            if tv == bq.value:
                equal = True
                continue
            step = Decimal(1).scaleb(bq.exponent)
            if abs(bq.value) >= _MIN_STEPS * step and abs(tv - bq.value) <= abs(bq.value) * _NEAR:
                near.append(b)
        if equal or len(near) != 1:
            continue
        first = near[0]
        first_block = doc.blocks[first.block]
        block = doc.blocks[m.block]
        where_first = first_block.where() or "前文"
        message = (f"{year}年支出预算在{where_first}为{_fig(first)}，自评表预算数为{_fig(m)}，"
                   f"同一预算数额前后不一致")
        findings.append(Finding(
            code="JX-DUP-001", severity="error", message=message,
            stated=f"{q.value:f}", expected=f"{first.quantity.value:f}",
            quote=_quote(doc, m), line=block.line, page=block.page, where=block.where(),
            figures={where_first: _fig(first), block.where() or "此处": _fig(m)},
            block=m.block, start=m.start, end=m.end,
        ))
    return checks, findings
