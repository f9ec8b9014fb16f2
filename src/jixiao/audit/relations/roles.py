"""Roles: what the wording says each figure is — a value, a change (较上年增加B), the previous
year's value, a growth/share/completion/balance rate, the base of an inline ratio, a target
(≥95%) or ambiguous (增减). Every finder picks its figures by role, so roles are assigned once,
here, when a segment is built."""

from __future__ import annotations

import re
from typing import Final

from jixiao.audit.relations.items import Item

CLAUSE_PUNCT: Final = "，,；;。：:（）()、！？!? \t\u3000"

COMPARATOR: Final = re.compile(r"(较|比|与|同比|相比|对比)")
PREV_WORD: Final = re.compile(r"(上年|去年|上一年|上年度|上年同期|前一年|同期|(19|20)\d\d\s*年)")
UP_WORDS: Final = ("增加", "增长", "增幅", "提高", "上升", "上涨", "多")
DOWN_WORDS: Final = ("减少", "下降", "降幅", "降低", "下降率", "减少率", "减幅", "少", "减")
DIRECTION_END: Final = re.compile(
    r"(增加|增长|增幅|提高|上升|上涨|减少|下降|降幅|降低|减幅|增长率|减少率|下降率|增减)"
    r"(了|为|达|至|约)?\s*$"
)
GROWTH_LABEL: Final = re.compile(
    r"(增加|增长|增幅|提高|上升|上涨|减少|下降|降幅|降低|减幅|增长率|减少率|下降率|增减|同比)"
    r"(率)?(了|为|达|至|约|是)?\s*$"
)
SHARE_LABEL: Final = re.compile(r"占")
COMPLETION_LABEL: Final = re.compile(r"(完成|执行率|控制率|完成率|执行进度)")
BALANCE_RATE_LABEL: Final = re.compile(r"结余率")
INLINE_BASE_LABEL: Final = re.compile(r"(完成|占)[^，。；,;]{0,14}$")


def _direction(words: str) -> int:
    words = words.rstrip("了为达至约是 ")
    if "增减" in words[-4:]:
        return 0
    for w in ("下降率", "减少率", "减少", "下降", "降幅", "降低", "减幅"):
        if words.endswith(w) or words.endswith(w + "率"):
            return -1
    for w in ("增长率", "增加", "增长", "增幅", "提高", "上升", "上涨"):
        if words.endswith(w) or words.endswith(w + "率"):
            return 1
    if words.endswith("同比"):
        return 0
    return 0


_TARGET_END: Final = re.compile(r"(≥|≤|>|<|＞|＜|不低于|不高于|不少于|不超过|大于|小于|高于|低于|目标)\s*$")
_LABEL_CLAUSES: Final = re.compile(r"[，,；;。]")
_PREV_END: Final = re.compile(r"上年(人均|同期)?[^，。；]{0,8}$")
_OF_SHARE: Final = re.compile(r"\s*的(比重|比例)?(为|是)?\s*")


def assign_roles(items: list[Item]) -> None:
    """Set each item's role (and, for changes and growth rates, its direction) from its words."""
    for i, it in enumerate(items):
        q = it.mention.quantity
        prev = items[i - 1] if i > 0 and items[i - 1].sentence == it.sentence else None
        if getattr(it.mention, "comparator", None) or q.approx in ("以上", "以下") or _TARGET_END.search(it.clause):
            it.role = "target"
        elif q.unit in ("%", "‰", "个百分点"):
            _assign_rate_role(it, q.unit, prev)
        else:
            _assign_figure_role(items, i, prev)


def _assign_rate_role(it: Item, unit: str, prev: Item | None) -> None:
    """A percentage: a share, a completion rate, a balance rate, a growth rate or another rate."""
    label = it.label
    clause = it.clause
    if prev is not None and prev.role == "inline_base":
        it.role = "rate_share" if "占" in prev.clause else "rate_completion"
    elif BALANCE_RATE_LABEL.search(clause):
        it.role = "rate_balance"
    elif SHARE_LABEL.search(label) and not GROWTH_LABEL.search(clause):
        it.role = "rate_share"
    elif COMPLETION_LABEL.search(clause) or (
            prev is not None and prev.role == "inline_base" and "完成" in prev.label):
        it.role = "rate_completion"
    elif GROWTH_LABEL.search(clause) and unit != "个百分点":
        it.role = "rate_growth"
        it.direction = _direction(clause)
        if "增减" in clause:
            it.role = "ambiguous"
    else:
        it.role = "rate_other"


def _assign_figure_role(items: list[Item], i: int, prev: Item | None) -> None:
    """Any other figure: a change (较上年增加B), the previous year's value, the base of an inline
    ratio (完成X的Y%), or (the default) a value."""
    it = items[i]
    label = it.label
    clause = it.clause
    if DIRECTION_END.search(clause):
        has_comp = COMPARATOR.search(label) is not None
        if has_comp or (prev is not None and prev.role == "prev"):
            it.role = "change" if "增减" not in clause else "ambiguous"
            it.direction = _direction(clause)
            return
    if COMPARATOR.search(label) and PREV_WORD.search(label) and not DIRECTION_END.search(clause):
        seg = _LABEL_CLAUSES.split(label)[-1]
        if COMPARATOR.search(seg) and PREV_WORD.search(seg):
            it.role = "prev"
            return
    if _PREV_END.search(clause) and "较" not in clause:
        it.role = "prev"
        return
    if INLINE_BASE_LABEL.search(label):
        nxt = items[i + 1] if i + 1 < len(items) else None
        if (nxt is not None and nxt.sentence == it.sentence and nxt.unit in ("%",)
                and _OF_SHARE.fullmatch(nxt.label)):
            it.role = "inline_base"
