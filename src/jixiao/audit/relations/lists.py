"""What a list of parts asserts about its total (JX-SUM-001): nested sub-lists, subtotals that
follow the parts, partial lists (其中 may name only some parts) and complete ones (分别/包括,
an 其他 part, a known split such as 在职 + 退休). The sum finders decide *which* figures form
a list; this module decides what the list claims."""

from __future__ import annotations

import re
from itertools import combinations
from typing import Final

from jixiao.audit.relations.items import Item, item_name
from jixiao.audit.relations.relation import Relation, Term
from jixiao.numbers import Interval, interval_sum

OTHER_PART: Final = re.compile(r"^(其中|包括)?[：:，,]?(其他|其它)")
NEGATIVE_PART: Final = re.compile(r"(压减|扣除|抵扣|减去|核减)")


#: Pairs of words that together make a complete split (so a shortfall is an error too).
EXHAUSTIVE_PAIRS: Final[tuple[tuple[str, str], ...]] = (
    ("医疗保险", "生育保险"),  # 职工医保(含生育) = 医疗 + 生育
    ("医疗待遇", "生育津贴"),  # 生育保险待遇 = 生育医疗费用 + 生育津贴
    ("职工", "城乡居民"),
    ("职工", "居民"),
    ("年初", "追加"),  # 全年预算 = 年初预算 + 调整追加
    ("年初", "调整"),
    ("压减", "追加"),
    ("省级", "县级"),
    ("省级", "市级"),
    ("在职", "退休"),
    ("基本支出", "项目支出"),
    ("人员经费", "公用经费"),
    ("统筹", "个人帐户"),
    ("统筹", "个人账户"),
    ("机关单位", "事业单位"),
    ("行政编制", "事业编制"),
    ("男", "女"),
)


def item_interval(it: Item, unit: str) -> Interval:
    """The values a figure stands for, in ``unit`` (a bare number is taken as written in it)."""
    q = it.mention.quantity
    if q.unit == "" or q.unit == unit:
        return q.interval()
    return q.interval_in(unit)


def _signed_part(it: Item) -> int:
    return -1 if NEGATIVE_PART.search(it.clause) else 1


class _PartIntervals:
    """Each part's interval in the total's unit (and signed: 压减 parts count negative), computed
    once, when first needed: the searches of a list try many sub-lists and combinations of the
    same parts."""

    __slots__ = ("ivs", "signed_ivs", "unit")

    def __init__(self, unit: str) -> None:
        self.unit = unit
        self.ivs: dict[int, Interval] = {}
        self.signed_ivs: dict[int, Interval] = {}

    def of(self, p: Item) -> Interval:
        iv = self.ivs.get(id(p))
        if iv is None:
            iv = self.ivs[id(p)] = item_interval(p, self.unit)
        return iv

    def signed(self, p: Item) -> Interval:
        iv = self.signed_ivs.get(id(p))
        if iv is None:
            iv = self.signed_ivs[id(p)] = self.of(p) * _signed_part(p)
        return iv


def list_relations(total: Item, parts: list[Item], *, complete: bool = False) -> list[Relation]:
    """Check a 其中 list: nested sub-lists, subtotals, partial lists, exhaustive splits.

    A 其中 list may name only some parts, so falling short is no error — unless the list is
    complete: introduced by 分别/包括 or under a 合计/总计 (``complete``), ending the parts with
    an 其他 part (the rest), a known split (在职 + 退休, 年初 + 追加 …), or a split of 编制 by kind.
    """
    unit = total.unit
    out: list[Relation] = []
    total_iv = item_interval(total, unit)
    ivs = _PartIntervals(unit)
    # a part equal to the total, beside others, means the list overlaps (13297人 of 18067人...)
    if len(parts) > 1 and any(ivs.of(p).meets(total_iv) and p.value == total.value
                              for p in parts):
        return out
    if len(parts) == 1 and parts[0].value == total.value:
        return out
    top = _nested_lists(parts, unit, ivs, out)
    exhaustive = complete or _is_exhaustive(top) or _split_by_kind(total, top)
    total_parts_iv = interval_sum([ivs.signed(p) for p in top])
    relation = sum_relation(total, top, unit=unit, partial=not exhaustive, explicit=True)
    if not exhaustive and _names_the_rest(top):
        # 其中 …, 其他收入 X: the list means to be whole, but a named part may have been left out
        # (财政补贴收入): a shortfall is a warning (JX-SUM-003), not an error
        relation.partial = False
        relation.note = "含其他"
    if total_parts_iv.meets(total_iv) or total_parts_iv.hi < total_iv.lo:
        out.append(relation)
        return out
    # parts exceed the total: subtotals may follow the parts ("项目支出, 基本支出, 人员支出…")
    subtotal = _subtotal_relation(total, top, total_iv, ivs)
    out.append(subtotal if subtotal is not None else relation)
    return out


def _nested_lists(parts: list[Item], unit: str, ivs: _PartIntervals, out: list[Relation]) -> list[Item]:
    """Nested lists: a part followed by parts that add up to it (each such sub-list is a relation
    of its own, added to ``out``). Returns the top-level parts."""
    top: list[Item] = []
    k = 0
    while k < len(parts):
        p = parts[k]
        top.append(p)
        nested_end = None
        for j in range(k + 2, len(parts)):
            sub = parts[k + 1:j + 1]
            if interval_sum([ivs.of(s) for s in sub]).meets(ivs.of(p)):
                nested_end = j
                # take trailing zeros too (出国经费 0 万元)
                while nested_end + 1 < len(parts) and parts[nested_end + 1].value == 0:
                    nested_end += 1
                break
        if nested_end is not None and p.value != 0:
            sub = parts[k + 1:nested_end + 1]
            out.append(sum_relation(p, sub, unit=p.unit or unit, partial=False, explicit=False))
            k = nested_end + 1
        else:
            k += 1
    return top


def _subtotal_relation(total: Item, top: list[Item], total_iv: Interval, ivs: _PartIntervals) -> Relation | None:
    """Parts that exceed the total: the first parts, or (up to ten parts) some of them, that add
    up to it (the others are subtotals or another breakdown); None when none do."""
    if len(top) < 3:
        return None
    unit = total.unit
    for n in range(2, len(top)):
        if interval_sum([ivs.signed(p) for p in top[:n]]).meets(total_iv):
            return sum_relation(total, top[:n], unit=unit, partial=False, explicit=True)
    if len(top) <= 10:
        for n in range(2, len(top)):
            for combo in combinations(top, n):
                if interval_sum([ivs.signed(p) for p in combo]).meets(total_iv):
                    return sum_relation(total, list(combo), unit=unit, partial=False, explicit=False)
    return None


def _names_the_rest(parts: list[Item]) -> bool:
    """The last parts include 其他收入 / 其他支出 / 其他…: the list covers the whole."""
    return len(parts) >= 2 and any(OTHER_PART.match(p.clause) for p in parts[1:])


def _split_by_kind(total: Item, parts: list[Item]) -> bool:
    """编制22人，其中：行政编制5人，统筹编制16人，工人编制1人 — every kind of 编制 listed."""
    return (len(parts) >= 2 and total.dim == "person" and "编" in total.clause
            and all("编" in p.clause for p in parts))


def _is_exhaustive(parts: list[Item]) -> bool:
    if len(parts) >= 2 and "年初" in parts[0].clause and all(
            any(w in p.clause for w in ("追加", "调整", "压减", "调增", "调减")) for p in parts[1:]):
        return True  # 全年预算 = 年初预算 + 追加 − 压减: every adjustment listed
    if len(parts) != 2:
        return False
    a, b = parts[0].clause, parts[1].clause
    return any((x in a and y in b) or (y in a and x in b) for x, y in EXHAUSTIVE_PAIRS)


def sum_relation(total: Item, parts: list[Item], *, unit: str, partial: bool,
                  explicit: bool) -> Relation:
    terms = [Term(p.mention, _signed_part(p), item_name(p, "分项")) for p in parts]
    return Relation(
        code="JX-SUM-001", stated=total.mention, alternatives=[(terms, [])], form="sum",
        partial=partial, explicit=explicit, stated_name=item_name(total, "合计"),
    )
