"""The functional classification: a 类 total stated in one place against the 项 amounts listed
under the numbered item with the same 类 name elsewhere (JX-SUM-004). It looks across
paragraphs, unlike the other sum finders, which read one segment."""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Final

from jixiao.audit.relations.items import Item, Segment, compatible, item_name
from jixiao.audit.relations.relation import Relation, Term

#: a 类 total: "社会保障和就业（类）支出225.05万元" (the words between 类 and the figure)
_CLASS_TOTAL: Final = re.compile(r"([\u4e00-\u9fff]{2,20})[（(]类[）)]\s*"
                                 r"(支出|决算|支出决算)?(数)?(为|是|合计)?[：:]?\s*$")
#: a numbered detail item opening with a 类 name: "1.社会保障和就业（类）人力资源…（款）行政运行（项）…"
_CLASS_DETAIL: Final = re.compile(r"^\s*\d{1,2}\s*[.、．]\s*([\u4e00-\u9fff]{2,20})[（(]类[）)]")
#: the next numbered item inside the same run of text ends the detail
_NEXT_NUMBERED: Final = re.compile(r"(?:[。；;\s])\d{1,2}\s*[.、．]\s*(?=[^\d\s])")
_PROJECT_MARK: Final = re.compile(r"[（(]项[）)]")


def _class_details(segments: list[Segment]) -> dict[str, list[tuple[int, list[Item]]]]:
    """类 name → [(segment, its 项 amounts)] for each numbered item opening with "X（类）".

    Each 项 (the text from one "（项）" to the next, or to the end of the numbered item) must
    carry exactly one money figure, written as an outturn (no 预算 in its clause), and no money
    figure may stand before the first 项 (a 类 line with its own total is read by the list rules);
    otherwise the item is not read at all.
    """
    details: dict[str, list[tuple[int, list[Item]]]] = {}
    for si, seg in enumerate(segments):
        head = _CLASS_DETAIL.match(seg.text)
        if head is None:
            continue
        nxt = _NEXT_NUMBERED.search(seg.text, head.end())
        end = nxt.start() if nxt else len(seg.text)
        marks = [m.end() for m in _PROJECT_MARK.finditer(seg.text, head.end(), end)]
        if not marks:
            continue
        money = [it for it in seg.items if head.end() <= it.start < end and it.dim == "money"]
        if any(it.start < marks[0] for it in money):
            continue
        bounds = [*marks, end]
        parts: list[Item] = []
        for lo, hi in pairwise(bounds):
            inside = [it for it in money if lo <= it.start < hi]
            if len(inside) != 1 or "预算" in inside[0].clause or inside[0].role != "value" \
                    or inside[0].mention.quantity.approx is not None:
                parts = []
                break
            parts.append(inside[0])
        if parts:
            details.setdefault(head.group(1), []).append((si, parts))
    return details


def classification_relations(segments: list[Segment]) -> list[Relation]:
    """A 类 total stated in one place ("社会保障和就业（类）支出225.05万元") against the 项
    amounts listed under the numbered item that opens with the same 类 name elsewhere.

    Conservative: the 类 name must be written the same in both places, each side exactly once
    in the document, and the 项 list is read as possibly incomplete (a 项 may stand on a line
    the item does not reach), so only parts exceeding the total are an error.
    """
    details = _class_details(segments)
    if not details:
        return []
    totals: dict[str, list[tuple[int, Item]]] = {}
    for si, seg in enumerate(segments):
        if _CLASS_DETAIL.match(seg.text):
            continue
        for it in seg.items:
            if it.dim != "money" or it.role != "value" or it.mention.quantity.approx is not None:
                continue
            m = _CLASS_TOTAL.search(it.label)
            if m is None:
                continue
            totals.setdefault(m.group(1), []).append((si, it))
    out: list[Relation] = []
    for name, found in totals.items():
        listed = details.get(name, [])
        if len(found) != 1 or len(listed) != 1:
            continue
        (tsi, total), (dsi, parts) = found[0], listed[0]
        if tsi == dsi or not all(compatible(p, total) for p in parts):
            continue
        terms = [Term(p.mention, 1, item_name(p, "项")) for p in parts]
        out.append(Relation("JX-SUM-004", total.mention, [(terms, [])], partial=True,
                            stated_name=f"{name}（类）", note="类级合计"))
    return out


#: a total whose details follow: "…支出决算数为592.52万元，具体情况如下："
_FOLLOWS: Final = re.compile(r"(?:具体情况|具体|明细|情况)如下[：:]?\s*$|主要用于以下方面[：:]?\s*$")
_NUMBERED: Final = re.compile(r"^\s*\d{1,2}\s*[.、．]")
_ITEM_AMOUNT: Final = re.compile(r"[（(]项[）)]\s*$")


def detail_list_relations(segments: list[Segment]) -> list[Relation]:
    """A total announced as "具体情况如下：" and the 项 amounts of the numbered items that follow it
    (the functional classification of a 部门决算): the 项 amounts cannot add up to more than the
    total (JX-SUM-004; the items may stop before a 项 that stands elsewhere, so falling short is
    no error)."""
    out: list[Relation] = []
    for si, seg in enumerate(segments):
        if not _FOLLOWS.search(seg.text):
            continue
        money = [it for it in seg.items if it.dim == "money" and it.role == "value"]
        if not money or money[-1].mention.quantity.approx is not None:
            continue
        total = money[-1]
        parts: list[Item] = []
        for nxt in segments[si + 1:si + 12]:
            if not _NUMBERED.match(nxt.text):
                break
            parts += [it for it in nxt.items if it.dim == "money" and _ITEM_AMOUNT.search(it.label)
                      and it.mention.quantity.approx is None]
        if len(parts) >= 2 and all(compatible(p, total) for p in parts):
            terms = [Term(p.mention, 1, item_name(p, "项")) for p in parts]
            out.append(Relation("JX-SUM-004", total.mention, [(terms, [])], partial=True,
                                stated_name=item_name(total, "合计"), note="项级明细"))
    return out
