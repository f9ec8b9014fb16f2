"""The same quantity stated twice with two values (JX-DUP-001): facts grouped by subject, item,
wording and year, conservatively, and compared at their written precision. It works on
labelled facts, not on relations, so it has a module of its own."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from typing import Final

from jixiao.audit.checks.arithmetic import in_unit, truncated_interval
from jixiao.audit.checks.messages import fig_text, quote_around
from jixiao.audit.document import Document, Mention
from jixiao.audit.facts import Fact
from jixiao.audit.findings import Finding
from jixiao.audit.vocabulary import SUBJECT_RE, TO_LEVEL
from jixiao.numbers import UnitError, dimension
from jixiao.problems import Severity


def fact_mention(fact: Fact) -> Mention:
    return Mention(quantity=fact.quantity, block=fact.block, start=fact.start, end=fact.end,
                   raw=fact.quote, negative_word=fact.negative_word, comparator=fact.comparator)


_CLAUSE_CUT: Final = re.compile(r"[，,。；;：:、\s]")  # not brackets: 保险费（征缴）收入 is one name
_LAST_CLAUSE_CUT: Final = re.compile(r"(?s:.*)[，,。；;：:、\s]")  # up to the last _CLAUSE_CUT
_LAST_SENTENCE_CUT: Final = re.compile(r"(?s:.*)[。；;！？]")  # up to the last sentence end
_FILLER: Final = re.compile(
    r"(?:19|20)\d\d\s*年(?:度|底|末)?|全市|全县|全区|全省|[区市县]?本级|本年度?|当年|年度|全年|其中|共计|合计|总计"
    r"|基金|决算|[为是达的了约共]|达到|金额|实际|[“”\"'‘’]"
    # manner adverbs and the setting (在专项行动中) say how or where, not what is counted
    r"|严肃|严厉|依法|先后|集中|在?[\u4e00-\u9fff]{0,4}(?:行动|治理|检查|活动)中"
)
_FIGURE_TEXT: Final = re.compile(r"\d[\d.,]*\s*(?:万元|亿元|元|万人|人次|人|个百分点|%|％|个|家)?")
_CHANGE_WORDS: Final = re.compile(r"增加|减少|增长|下降|降低|提高|占|上年|去年|较|比|同期|人均|次均|平均"
                                  r"|预计|计划|目标")
_ITEM_TEXT_FILLER: Final = re.compile(r"基金|本年|全年|年度|当年")
#: items a figure with no subject may still be matched by: a unit's own totals, named only once
#: the unit's own enforcement counts: not a fund's, unless a fund is named in their sentence
_UNIT_COUNTS: Final = frozenset({"违规医疗机构", "违规医药机构", "违规零售药店"})
_UNIT_ITEMS: Final = frozenset({"项目支出", "基本支出", "人员经费", "公用经费", "财政拨款收入", "资产",
                                "负债"}) | _UNIT_COUNTS
_LABEL_GAP: Final = frozenset("：: \u3000")
#: a balance-sheet total is named with or without 总额/总计/合计 (负债总额 = 负债)
_TOTAL_SUFFIX: Final = re.compile(r"(?<=资产|负债)(?:总额|总计|合计)$")
_NOT_THE_SAME: Final = ("增减额", "增长率", "占比", "得分", "办理时限", TO_LEVEL)


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


@lru_cache(maxsize=4096)  # the items written are few (the vocabulary's forms)
def _written_item(item_text: str) -> str:
    """An item as written, without filler: 基金收入 = 收入, 完成年度预算 = 完成全年预算 = 完成预算."""
    written = _TOTAL_SUFFIX.sub("", _ITEM_TEXT_FILLER.sub("", item_text))
    return "完成预算" if written.startswith("完成") and written.endswith("预算") else written


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
    label = SUBJECT_RE.sub("", label)
    label = _FILLER.sub("", label)
    return _FILLER.sub("", _FIGURE_TEXT.sub("", label)).strip()


#: 财政拨款 comes from three budgets; a unit that states figures of only the first has no other
_OTHER_BUDGETS: Final = frozenset({"政府性基金预算", "国有资本经营预算"})
_ALL_BUDGETS_ITEMS: Final = frozenset({"财政拨款收入"})


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
    lo = max(0, fact.start - 200)
    cut = _LAST_SENTENCE_CUT.match(text, lo, fact.start)
    sentence = text[cut.end() if cut else lo:fact.start]
    if item in _UNIT_COUNTS and not SUBJECT_RE.search(sentence):
        subject = None  # the paragraph's (or heading's) fund is not what 查处违规医疗机构15家 counts
    if not subject and item not in _UNIT_ITEMS:
        return None
    if fact.subject_carried and subject:
        return None  # named only in a heading before: two projects' sections look alike
    label = _fact_label(doc, fact)
    qualifier = _qualifier(label, fact.item_text)
    if qualifier is None:
        return None
    written = item if item in _UNIT_COUNTS else _written_item(fact.item_text)
    if "预算" in sentence and "预算" not in label:
        qualifier = "预算:" + qualifier  # a budget figure is not the outturn of the same name
    return (subject or "", f"{item}|{written}|{qualifier}", str(year or ""))


def check_duplicates(doc: Document, facts: list[Fact], existing: list[Finding] | None = None,
                     same: Callable[[Mention, Mention], bool] | None = None) -> tuple[int, list[Finding]]:
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
        dim = dimension(fact.unit)
        if fact.approx is not None or fact.comparator or fact.flags or dim is None:
            continue  # (asked before the key, which reads the words around the figure)
        key = _fact_key(doc, fact, one_budget)
        if key is None:
            continue
        m = fact_mention(fact)
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
                a = in_unit(first, unit)
                b = in_unit(later, unit)
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
            if same is not None and not same(first, later):
                continue  # the document's structure does not make them one quantity
            reported.add(later.quantity.value)
            fine, coarse = (first, later) if first.quantity.exponent < later.quantity.exponent else (later, first)
            trunc = truncated_interval(coarse)
            truncated = (trunc is not None and fine.quantity.exponent < coarse.quantity.exponent
                         and in_unit(fine, coarse.quantity.unit).meets(trunc))
            first_block = doc.blocks[first.block]
            block = doc.blocks[later.block]
            where_first = first_block.where() or "前文"
            subject_text = f"{year}年" if year else ""
            subject_text += item if subject[:2] in item else f"{subject}{item}"
            message = (f"{subject_text}在{where_first}为{fig_text(first)}，此处为{fig_text(later)}，"
                       f"同一数额前后不一致")
            if (subject, item_label, year, _dim) in merged:
                message += "（文中无政府性基金、国有资本经营预算拨款，财政拨款收入即一般公共预算财政拨款收入）"
            severity: Severity = "error"
            code = "JX-DUP-001"
            if truncated:
                severity, code = "info", "JX-RND-001"
                message += f"；{fig_text(coarse)}只是{fig_text(fine)}截尾（非四舍五入）所得"
            findings.append(Finding(
                code=code, severity=severity, message=message,
                stated=f"{later.quantity.value:f}", expected=f"{first.quantity.value:f}",
                quote=quote_around(doc, later), line=block.line, page=block.page, where=block.where(),
                figures={where_first: fig_text(first), block.where() or "此处": fig_text(later)},
                block=later.block, start=later.start, end=later.end,
            ))
    return checks, findings
