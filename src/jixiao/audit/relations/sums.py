"""Totals and their parts in prose: a total followed by 其中/分别/包括 and its parts, parts named
in brackets right after a figure (267778人次（职工：165551人，生育：102227人）), a 共/合计 after
its parts, and the changes of a whole split adding up like its levels (JX-SUM-005)."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import replace
from itertools import combinations
from typing import Final

from jixiao.audit.document import Mention
from jixiao.audit.relations.items import SENTENCE_END, Item, Segment, compatible, item_name, same_dim
from jixiao.audit.relations.lists import item_interval, list_relations, sum_relation
from jixiao.audit.relations.relation import Relation, Term
from jixiao.numbers import Quantity, UnitError, interval_sum

LIST_MARKER: Final = re.compile(
    r"(其中|分别为|分别是|分别|包括|主要用于|主要包括|具体内容包括|具体包括|主要是|主要为)[：:，,]?")
#: markers that introduce every part (分别为 A、B; 包括 A、B): a shortfall is an error
COMPLETE_MARKERS: Final = frozenset({"分别为", "分别是", "分别", "包括", "具体内容包括", "具体包括"})
TOTAL_AFTER: Final = re.compile(r"((?<!公)共|合计|总计|共计)[^，。；,;（）()]{0,8}$")
#: a total named 合计/总计 is the sum of the parts listed under it
TOTAL_NAME: Final = re.compile(r"(合计|总计)")
#: after the first part, a figure whose clause has one of these words (and the total's has not) ends the list
STOP_WORDS: Final = ("结余", "结存", "合计", "总计", "共计", "累计", "滚存", "资产", "负债", "当期", "当年")


def _value_like(it: Item) -> bool:
    return it.role == "value"


def sum_relations(seg: Segment, items: list[Item]) -> list[Relation]:
    """The totals of ``seg`` and their parts: 其中/分别/包括 lists, bracketed breakdowns, 共 after the parts."""
    out: list[Relation] = []
    text = seg.text
    starts = [it.start for it in items]
    ends = [it.end for it in items]
    index: dict[int, int] = {}  # id(item) → its position, filled once when first needed
    for marker in LIST_MARKER.finditer(text):
        mpos = marker.start()
        nb = bisect_right(ends, mpos)  # items[:nb] end before the marker
        na = bisect_left(starts, marker.end())  # items[na:] start after it
        if nb == 0 or na >= len(items):
            continue
        after = items[na:na + 60]
        marker_sentence = after[0].sentence
        total = _list_total(text, mpos, items[max(0, nb - 40):nb], marker_sentence)
        if total is None:
            continue
        parts = _list_parts(text, mpos, after, total, marker_sentence)
        if not parts:
            continue
        for p in parts:
            p.list_total = total
        complete = marker.group(1) in COMPLETE_MARKERS or TOTAL_NAME.search(total.clause) is not None
        listed = list_relations(total, parts, complete=complete)
        out += listed
        change_sum = _change_sum_relation(items, index, total, parts, listed)
        if change_sum is not None:
            out.append(change_sum)
    out += _bracketed_breakdowns(text, items)
    out += _total_after_relations(items)
    return out


def _list_total(text: str, mpos: int, before: list[Item], marker_sentence: int) -> Item | None:
    """The total of the list marker at ``mpos``: the nearest value figure before it (same
    sentence, or the last of the previous sentence when the marker opens a sentence:
    "…619029万元。其中，…")."""
    for it in reversed(before):
        if it.sentence < marker_sentence - 1:
            return None
        if it.sentence == marker_sentence - 1 and not _opens_sentence(text, mpos):
            return None
        if _value_like(it) and it.unit != "":
            return it
    return None


def _list_parts(text: str, mpos: int, after: list[Item], total: Item, marker_sentence: int) -> list[Item]:
    """The parts listed after the marker at ``mpos``: the value figures that may be parts of
    ``total``, to the end of the sentence (or of the brackets the marker stands in), stopping
    where the wording turns to something else (twelve at the most)."""
    close_at = _closing_paren(text, mpos) if _paren_depth_at(text, mpos) > 0 else None
    parts: list[Item] = []
    for j, it in enumerate(after):
        if it.sentence != marker_sentence and close_at is None:
            break
        if close_at is not None and it.start > close_at:
            break
        if _list_marker_follows(text, it, after[j + 1] if j + 1 < len(after) else None):
            break  # a figure with its own 其中 list starts a new total
        if "\t" in it.label:
            break  # the next cell of a table row flattened into a line: not a prose list
        if not _value_like(it) or not compatible(it, total):
            continue
        if it.unit == "" and total.unit and any(p.unit for p in parts):
            continue  # 在职退休比为1.24 after 人 parts: a ratio, not one more part
        if _turns_away(it, total, parts):
            break
        parts.append(it)
        if len(parts) >= 12:
            break
    return parts


def _turns_away(it: Item, total: Item, parts: list[Item]) -> bool:
    """Does ``it`` end the list? A word the total lacks (结余, 合计… after the first part), 支出
    after a 收入 total (or the reverse), or a 共/合计 of its own."""
    stop = [w for w in STOP_WORDS if w in it.clause and w not in total.clause]
    if stop and parts:
        return True
    if ("收入" in total.clause and "支出" in it.clause and "收入" not in it.clause) or (
            "支出" in total.clause and "收入" in it.clause and "支出" not in it.clause):
        return True
    return TOTAL_AFTER.search(it.label) is not None


_COUNTS: Final = frozenset({"person", "person_time"})
_BRACKET_OPEN: Final = re.compile(r"\s*[（(]")


def _bracketed_breakdown_parts(text: str, items: list[Item], i: int) -> list[Item] | None:
    """``267778人次（职工：165551人，生育：102227人）``: the parts named in the brackets right
    after a figure, each after its own ``名称：``; ``None`` when the brackets say something else."""
    total = items[i]
    opened = _BRACKET_OPEN.match(text, total.end)
    if opened is None or total.role != "value" or total.dim is None:
        return None
    close = _closing_paren(text, opened.end())
    parts = [it for it in items[i + 1:i + 13] if it.start < close]
    if len(parts) < 2 or any(it.list_total is not None or it.role != "value" for it in parts):
        return None
    for it in parts:
        if not re.fullmatch(r"[，,、；;\s]*[^，,、；;：:\d（）()]{1,8}[：:]\s*", it.label.replace("（", "", 1)
                            if it is parts[0] else it.label):
            return None
        if not (it.dim == total.dim or (it.dim in _COUNTS and total.dim in _COUNTS)):
            return None
    return parts


def _bracketed_breakdowns(text: str, items: list[Item]) -> list[Relation]:
    out: list[Relation] = []
    for i in range(len(items) - 2):
        parts = _bracketed_breakdown_parts(text, items, i)
        if parts is None:
            continue
        total = items[i]
        for p in parts:
            p.list_total = total
        terms = [Term(_as_unit(p.mention, total.unit) if p.dim != total.dim else p.mention, 1, item_name(p, "分项"))
                 for p in parts]
        out.append(Relation("JX-SUM-001", total.mention, [(terms, [])], "sum", partial=False, explicit=True,
                            stated_name=item_name(total, "合计")))
    return out


def _as_unit(m: Mention, unit: str) -> Mention:
    """A count written 人 where 人次 is meant (职工：165551人 under 267778人次)."""
    q = m.quantity
    return replace(m, quantity=Quantity(q.value, unit, q.approx))


def _paren_depth_at(text: str, pos: int) -> int:
    """Parenthesis depth at offset ``pos`` of ``text`` (counted from the sentence it stands in)."""
    floor = max(0, pos - 2000)  # as _closing_paren: a "sentence" of a million characters is looked at in part
    start = max(max(text.rfind(ch, floor, pos) for ch in SENTENCE_END) + 1, floor)
    depth = 0
    for m in _PARENS.finditer(text, start, pos):
        depth = depth + 1 if m.group() in "（(" else max(0, depth - 1)
    return depth


_PARENS: Final = re.compile(r"[（()）]")


def _opens_sentence(text: str, pos: int) -> bool:
    k = pos - 1
    while k >= 0 and text[k] in " \t\u3000":
        k -= 1
    return k < 0 or text[k] in "。！？!?"


def _closing_paren(text: str, pos: int) -> int:
    depth = 1
    for k in range(pos, min(len(text), pos + 2000)):
        ch = text[k]
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth -= 1
            if depth == 0:
                return k
        elif ch in SENTENCE_END:
            return k
    return min(len(text), pos + 2000)


def _list_marker_follows(text: str, it: Item, nxt: Item | None) -> bool:
    stop = nxt.start if nxt is not None else len(text)
    between = text[it.end:min(stop, it.end + 12)]
    m = LIST_MARKER.search(between)
    return m is not None and m.start() <= 4


def _change_after(items: list[Item], index: dict[int, int], it: Item) -> Item | None:
    """The change stated right after ``it`` (较上年减少B, before any other figure of its own):
    ``统筹基金支出150719万元，与上年同期相比减少1401万元，降低0.92%``."""
    k = index[id(it)]
    for nxt in items[k + 1:k + 4]:
        if nxt.sentence != it.sentence or nxt.role == "value":
            return None
        if nxt.role == "change":
            if nxt.direction == 0 or not same_dim(nxt, it) or nxt.value < 0:
                return None
            return nxt
    return None


def _change_sum_relation(items: list[Item], index: dict[int, int], total: Item, parts: list[Item],
                         listed: list[Relation]) -> Relation | None:
    """Changes add up like what changed: a total split into all its parts (统筹 + 个账), each
    with its own 较上年增减 amount, asserts ΔTotal = Σ ΔPart (JX-SUM-005).

    Only for a whole split (the list's own relation is explicit, not partial, has no other
    part and holds at the written precision), every part and the total with its change
    right after it.
    """
    rel = next((r for r in listed if r.stated is total.mention and r.explicit), None)
    if rel is None or rel.partial or rel.note or len(parts) < 2:
        return None
    terms = rel.alternatives[0][0]
    if [t.mention for t in terms] != [p.mention for p in parts] or any(t.sign < 0 for t in terms):
        return None
    unit = total.unit
    try:
        if not interval_sum([item_interval(p, unit) for p in parts]).meets(item_interval(total, unit)):
            return None  # the levels do not add up: that is the finding, not their changes
    except UnitError:
        return None
    if not index:
        index.update((id(it), k) for k, it in enumerate(items))
    delta = _change_after(items, index, total)
    if delta is None:
        return None
    part_deltas = [_change_after(items, index, p) for p in parts]
    if any(d is None for d in part_deltas):
        return None
    change_terms = [Term(d.mention, d.direction, item_name(p, "分项")) for p, d in zip(parts, part_deltas, strict=True)
                    if d is not None]
    return Relation("JX-SUM-005", delta.mention, [(change_terms, [Term(total.mention, 1, "合计")])], "sum",
                    explicit=True,
                    stated_name=item_name(total, "合计"), direction=delta.direction)


def _total_after_relations(items: list[Item]) -> list[Relation]:
    """共/合计 stated after its parts: "省级…136.78万元，县级…260.69万元，两级共…397.47万元"."""
    out: list[Relation] = []
    last_total = -1
    for i, it in enumerate(items):
        if not (_value_like(it) and TOTAL_AFTER.search(it.label) and it.unit != ""):
            continue
        if it.list_total is not None:
            continue
        cands = [p for p in items[max(last_total + 1, i - 30):i]
                 if _value_like(p) and same_dim(p, it) and p.value != it.value
                 and p.list_total is None][-6:]
        last_total = i
        if len(cands) < 2:
            continue
        unit = it.unit
        total_iv = item_interval(it, unit)
        all_iv = interval_sum([item_interval(p, unit) for p in cands])
        if all_iv.hi < total_iv.lo:
            continue  # the parts named fall short: 共 may count more than is listed
        found: list[Item] | None = None
        if all_iv.meets(total_iv):
            found = cands
        else:
            for n in range(2, len(cands)):
                for combo in combinations(cands, n):
                    if interval_sum([item_interval(p, unit) for p in combo]).meets(total_iv):
                        found = list(combo)
                        break
                if found:
                    break
        if found is not None:
            out.append(sum_relation(it, found, unit=unit, partial=False, explicit=False))
        else:
            rel = sum_relation(it, cands, unit=unit, partial=False, explicit=True)
            rel.note = "共计"
            out.append(rel)
    return out
