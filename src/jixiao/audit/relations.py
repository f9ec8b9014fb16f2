"""Relations an author asserts between figures, found in sentences, paragraphs and tables.

A relation says "this stated figure should equal that arithmetic of those figures":

- balance (收支结余): 收入 − 支出 = 当期结余; 资产 − 负债 = 累计结余; 年初 + 本期 = 年末/全年;
  当期结余 / 收入 = 结余率;
- sum (分项与合计): a total and its parts (其中, 分别, 包括, 主要用于; 共/合计 after the parts;
  合计/小计 rows of a table);
- share (占比): part / base = 占X%;
- completion (完成率、执行率、控制率): actual / budget = X%;
- change (增减): 较上年增加B、增长C% (C = B / (A ∓ B)); 与上年P相比 (A − P = ±B, C = (A − P) / P);
- per capita (人均): total / persons.

The finder is deliberately conservative: a relation is built only where the wording says which
figure is which; where several readings are possible every plausible reading is kept as an
*alternative* and the relation holds when any of them holds. Checking (with interval arithmetic)
is :mod:`jixiao.audit.checks`; the same-quantity-twice rule works on facts and lives there too.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from itertools import combinations, pairwise
from typing import Literal

from jixiao.audit.document import Block, Document, Mention, Table
from jixiao.numbers import Interval, Quantity, UnitError, interval_sum

Role = Literal["value", "change", "prev", "rate_growth", "rate_share", "rate_completion",
               "rate_balance", "rate_other", "inline_base", "ambiguous", "target"]


@dataclass(slots=True)
class Term:
    """A figure used in a relation, with its sign (+1 or −1)."""

    mention: Mention
    sign: int = 1
    name: str = ""  # what the figure is, in Chinese (收入, 支出, 上年...)


@dataclass(slots=True)
class Relation:
    """``stated`` should equal ``Σ numerator`` (sum form) or ``Σ numerator / Σ denominator``
    (ratio form, ×100 when ``percent``) for at least one of ``alternatives``.

    ``code`` is the finding code the relation is checked under. ``magnitude`` means the stated
    figure is a size (增加/减少 B, 增长/下降 C%) and is compared by absolute value.
    ``partial`` marks a 其中 list that may name only some parts (falling short is no error).
    """

    code: str
    stated: Mention
    alternatives: list[tuple[list[Term], list[Term]]]
    form: Literal["sum", "ratio"] = "sum"
    percent: bool = False
    magnitude: bool = False
    partial: bool = False
    explicit: bool = True  # False: only counted when it holds (an implicit reading)
    stated_name: str = ""
    direction: int = 0  # for changes: +1 increase, −1 decrease
    note: str = ""


# --------------------------------------------------------------------------------------------
# Items: mentions with the words in front of them
# --------------------------------------------------------------------------------------------

SENTENCE_END = "。！？!?\n"
CLAUSE_PUNCT = "，,；;。：:（）()、！？!? \t\u3000"

COMPARATOR = re.compile(r"(较|比|与|同比|相比|对比)")
PREV_WORD = re.compile(r"(上年|去年|上一年|上年度|上年同期|前一年|同期|(19|20)\d\d\s*年)")
UP_WORDS = ("增加", "增长", "增幅", "提高", "上升", "上涨", "多")
DOWN_WORDS = ("减少", "下降", "降幅", "降低", "下降率", "减少率", "减幅", "少", "减")
DIRECTION_END = re.compile(
    r"(增加|增长|增幅|提高|上升|上涨|减少|下降|降幅|降低|减幅|增长率|减少率|下降率|增减)"
    r"(了|为|达|至|约)?\s*$"
)
GROWTH_LABEL = re.compile(
    r"(增加|增长|增幅|提高|上升|上涨|减少|下降|降幅|降低|减幅|增长率|减少率|下降率|增减|同比)"
    r"(率)?(了|为|达|至|约|是)?\s*$"
)
SHARE_LABEL = re.compile(r"占")
COMPLETION_LABEL = re.compile(r"(完成|执行率|控制率|完成率|执行进度)")
BALANCE_RATE_LABEL = re.compile(r"结余率")
INLINE_BASE_LABEL = re.compile(r"(完成|占)[^，。；,;]{0,14}$")
LIST_MARKER = re.compile(
    r"(其中|分别为|分别是|分别|包括|主要用于|主要包括|具体内容包括|具体包括|主要是|主要为)[：:，,]?")
#: markers that introduce every part (分别为 A、B; 包括 A、B): a shortfall is an error
COMPLETE_MARKERS = frozenset({"分别为", "分别是", "分别", "包括", "具体内容包括", "具体包括"})
TOTAL_AFTER = re.compile(r"((?<!公)共|合计|总计|共计)[^，。；,;（）()]{0,8}$")
#: a total named 合计/总计 is the sum of the parts listed under it
TOTAL_NAME = re.compile(r"(合计|总计)")
OTHER_PART = re.compile(r"^(其中|包括)?[：:，,]?(其他|其它)")
NEGATIVE_PART = re.compile(r"(压减|扣除|抵扣|减去|核减)")
BALANCE_NEGATIVE = re.compile(r"(亏损|赤字|缺口)[为了达]?\s*$")

INCOME_LABEL = re.compile(r"(收入|收入合计|收入总额|总收入)(为|是|达|达到|共|合计)?\s*$")
EXPENSE_LABEL = re.compile(r"(支出|支出合计|支出总额|总支出)(为|是|达|达到|共|合计|决算为)?\s*$")
INCOME_EXCLUDE = re.compile(r"(人均|次均|收入预算|预算数|年预算|预算安排"
                            r"|利息|其他收入|转移收入|征缴收入|保险费收入|缴费收入|上年|执行数)")
EXPENSE_EXCLUDE = re.compile(r"(人均|次均|支出预算|预算数|年预算|预算安排"
                             r"|待遇支出|其他支出|转移支出|上年|执行数|基本支出|项目支出)")
RESULT_LABEL = re.compile(
    r"(当期结余|当年结余|本年结余|本期结余|年终结余|年末结余|当期亏损|当年亏损|当期赤字|当年收支结余|收支结余"
    r"|当年结余额|收支缺口)(为|是|达|-)?\s*$"
)
ASSET_LABEL = re.compile(r"(资产总计|资产总额|资产合计|资产)(为|是|共)?\s*$")
LIABILITY_LABEL = re.compile(r"(负债总计|负债总额|负债合计|负债)(为|是|共)?\s*$")
NET_LABEL = re.compile(r"(累计结余|滚存结余|净资产|基金结余|资产减负债)(为|是)?\s*$")
START_LABEL = re.compile(r"年初")
ADD_LABEL = re.compile(r"(追加|调整|调增|增加|当期结余|本年结余|当年结余)")
END_LABEL = re.compile(r"(全年|年末|期末|滚存|调整后)")
PER_CAPITA_LABEL = re.compile(r"(人均|次均|户均)[^，。；]{0,10}$")
PER_PERSON_UNITS = ("元/人", "元/人·年", "元/人/年")

#: Pairs of words that together make a complete split (so a shortfall is an error too).
EXHAUSTIVE_PAIRS: tuple[tuple[str, str], ...] = (
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

#: Words that say which part of a fund a figure belongs to (统筹基金 / 个人账户...).
QUALIFIERS: tuple[tuple[str, ...], ...] = (
    ("统筹",),
    ("个人帐户", "个人账户", "个账"),
    ("生育",),
    ("职工",),
    ("居民",),
)

STOP_WORDS = ("结余", "结存", "合计", "总计", "共计", "累计", "滚存", "资产", "负债", "当期", "当年")


@dataclass(slots=True)
class Item:
    """A mention placed in a segment of text, with the words before it and its role."""

    mention: Mention
    start: int  # offsets in the segment text
    end: int
    label: str  # text since the previous item (or sentence start), punctuation kept
    clause: str  # the label after the last clause punctuation
    sentence: int  # sentence number in the segment (split at 。！？)
    paren: int  # parenthesis depth at the item
    role: Role = "value"
    direction: int = 0
    list_total: Item | None = None  # set when the item is a part of a 其中 list
    seg: int = 0
    dim: str | None = field(init=False)  # the quantity's dimension, unit and value, looked up once
    unit: str = field(init=False)
    value: Decimal = field(init=False)

    def __post_init__(self) -> None:
        q = self.mention.quantity
        self.dim = q.dimension
        self.unit = q.unit
        self.value = q.value


@dataclass(slots=True)
class Segment:
    """Consecutive blocks read as one run of text (a wrapped line is joined to its rest)."""

    text: str
    blocks: list[int]
    items: list[Item] = field(default_factory=list)
    #: sentence number → its first item (filled on first use by :func:`_subject`)
    first_items: dict[int, Item] = field(default_factory=dict)


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


def _is_date_like(m: Mention, block: Block) -> bool:
    q = m.quantity
    after = block.text[m.end:m.end + 1]
    if q.unit == "年" and q.exponent >= 0 and 1900 <= q.value <= 2100:
        return True
    if q.unit in ("月", "个月") and after in "份" and q.exponent >= 0 and q.value <= 12:
        return q.unit == "月"
    if q.unit == "月" and q.exponent >= 0 and q.value <= 12:
        return True
    if q.unit in ("日", "天") and q.exponent >= 0 and q.value <= 31:
        before = block.text[max(0, m.start - 2):m.start]
        if "月" in before:
            return True
    if q.unit == "" and after in "年月日号":
        return True
    before = block.text[max(0, m.start - 1):m.start]
    return q.unit == "" and before in "〔[【第"


def _usable(m: Mention, block: Block) -> bool:
    if _is_date_like(m, block):
        return False
    q = m.quantity
    if q.unit == "":
        # a bare number: keep it only when it looks like an amount (has decimals); lists inherit
        return q.exponent < 0
    return q.dimension is not None


def build_segments(doc: Document, mentions: list[Mention]) -> list[Segment]:
    """Group blocks into segments and place each usable mention in its segment."""
    by_block: dict[int, list[Mention]] = {}
    for m in mentions:
        by_block.setdefault(m.block, []).append(m)
    segments: list[Segment] = []
    pieces: list[list[str]] = []  # each segment's texts, joined once at the end
    current: Segment | None = None
    offsets: dict[int, int] = {}
    blank_run = 0
    length = 0
    for bi, block in enumerate(doc.blocks):
        text = block.text
        if not text.strip():
            blank_run += 1
            continue
        joinable = (
            current is not None
            and block.kind == "paragraph"
            and doc.blocks[current.blocks[-1]].kind == "paragraph"
            and blank_run <= 2
            and _wrapped(doc.blocks[current.blocks[-1]].text)
        )
        blank_run = 0
        if not joinable or current is None:
            current = Segment(text="", blocks=[])
            segments.append(current)
            pieces.append([])
            length = 0
        offsets[bi] = length
        pieces[-1].append(text)
        length += len(text)
        current.blocks.append(bi)
    for seg, texts in zip(segments, pieces, strict=True):
        seg.text = "".join(texts)
    for seg_index, seg in enumerate(segments):
        items: list[Item] = []
        for bi in seg.blocks:
            ms = by_block.get(bi)
            if not ms:
                continue
            block = doc.blocks[bi]
            for m in sorted(ms, key=lambda m: m.start):
                if not _usable(m, block):
                    continue
                off = offsets[bi]
                items.append(Item(m, off + m.start, off + m.end, "", "", 0, 0, seg=seg_index))
        if items:
            _annotate(seg.text, items)
        seg.items = items
    return segments


def _wrapped(text: str) -> bool:
    """A line cut in the middle of a sentence by the conversion (long, no closing punctuation)."""
    t = text.rstrip()
    if len(t) < 20 or "\t" in t:
        return False
    return t[-1] not in "。！？!?；;：:）)》”\"" and not t[-1].isdigit() and t[-1] not in "%％"


_ANNOTATE_MARKS = re.compile(r"[。！？!?\n（()）]")
_CLAUSE_SPLIT = re.compile(r"[，,；;。：:（）()、]")


def _annotate(text: str, items: list[Item]) -> None:
    """Label, clause, sentence number and parenthesis depth of each item (one pass over the
    sentence ends and parentheses between items, found by a compiled scan)."""
    sentence = 0
    depth = 0
    pos = 0
    prev_end = 0
    for it in items:
        label_start = prev_end
        for m in _ANNOTATE_MARKS.finditer(text, pos, it.start):
            ch = m.group()
            if ch in SENTENCE_END:
                sentence += 1
                label_start = m.end()
                depth = 0
            elif ch in "（(":
                depth += 1
            else:
                depth = max(0, depth - 1)
        label = text[max(label_start, prev_end):it.start]
        it.label = label
        it.sentence = sentence
        it.paren = depth
        it.clause = _CLAUSE_SPLIT.split(label)[-1].strip()
        pos = it.start
        prev_end = it.end
    _assign_roles(items)


_TARGET_END = re.compile(r"(≥|≤|>|<|＞|＜|不低于|不高于|不少于|不超过|大于|小于|高于|低于|目标)\s*$")
_LABEL_CLAUSES = re.compile(r"[，,；;。]")
_PREV_END = re.compile(r"上年(人均|同期)?[^，。；]{0,8}$")
_OF_SHARE = re.compile(r"\s*的(比重|比例)?(为|是)?\s*")


def _assign_roles(items: list[Item]) -> None:
    for i, it in enumerate(items):
        q = it.mention.quantity
        label = it.label
        clause = it.clause
        prev = items[i - 1] if i > 0 and items[i - 1].sentence == it.sentence else None
        if getattr(it.mention, "comparator", None) or q.approx in ("以上", "以下") or _TARGET_END.search(clause):
            it.role = "target"
            continue
        if q.unit in ("%", "‰", "个百分点"):
            if prev is not None and prev.role == "inline_base":
                it.role = "rate_share" if "占" in prev.clause else "rate_completion"
            elif BALANCE_RATE_LABEL.search(clause):
                it.role = "rate_balance"
            elif SHARE_LABEL.search(label) and not GROWTH_LABEL.search(clause):
                it.role = "rate_share"
            elif COMPLETION_LABEL.search(clause) or (
                    prev is not None and prev.role == "inline_base" and "完成" in prev.label):
                it.role = "rate_completion"
            elif GROWTH_LABEL.search(clause) and q.unit != "个百分点":
                it.role = "rate_growth"
                it.direction = _direction(clause)
                if "增减" in clause:
                    it.role = "ambiguous"
            else:
                it.role = "rate_other"
            continue
        if DIRECTION_END.search(clause):
            has_comp = COMPARATOR.search(label) is not None
            if has_comp or (prev is not None and prev.role == "prev"):
                it.role = "change" if "增减" not in clause else "ambiguous"
                it.direction = _direction(clause)
                continue
        if COMPARATOR.search(label) and PREV_WORD.search(label) and not DIRECTION_END.search(clause):
            seg = _LABEL_CLAUSES.split(label)[-1]
            if COMPARATOR.search(seg) and PREV_WORD.search(seg):
                it.role = "prev"
                continue
        if _PREV_END.search(clause) and "较" not in clause:
            it.role = "prev"
            continue
        if INLINE_BASE_LABEL.search(label):
            nxt = items[i + 1] if i + 1 < len(items) else None
            if (nxt is not None and nxt.sentence == it.sentence and nxt.unit in ("%",)
                    and _OF_SHARE.fullmatch(nxt.label)):
                it.role = "inline_base"
                continue


# --------------------------------------------------------------------------------------------
# Finding relations
# --------------------------------------------------------------------------------------------


def _same_dim(a: Item, b: Item) -> bool:
    return a.dim is not None and a.dim == b.dim


def _compatible(part: Item, total: Item) -> bool:
    if _same_dim(part, total):
        return True
    return part.unit == "" and total.dim is not None


_NAME_LEAD = re.compile(r"^(其中|分别为|分别是|分别|包括|主要用于|主要包括|为|是|达|合计|共计|共)")
_NAME_TAIL = re.compile(r"(为|是|达|达到|共|合计|：|:)$")
_NAME_YEAR = re.compile(r"^\d{4}\s*年(度|底|末)?")
_NAME_NUMBERING = re.compile(r"^(\d+\s*[.、．]|[一二三四五六七八九十]+、|（[一二三四五六七八九十\d]+）)\s*")


def _name(it: Item, fallback: str) -> str:
    clause = _NAME_LEAD.sub("", it.clause)
    clause = _NAME_TAIL.sub("", clause).strip()
    clause = _NAME_YEAR.sub("", clause).strip()
    clause = _NAME_NUMBERING.sub("", clause)
    return clause[-12:] if clause else fallback


def find_relations(doc: Document, mentions: list[Mention]) -> list[Relation]:
    """All relations asserted in ``doc`` (prose and tables), in reading order."""
    segments = build_segments(doc, mentions)
    relations: list[Relation] = []
    for seg_index, seg in enumerate(segments):
        items = seg.items
        if not items:
            continue
        relations += _sum_relations(seg, items)
        relations += _change_relations(items)
        relations += _share_relations(items)
        relations += _completion_relations(items)
        relations += _balance_relations(items, segments, seg_index)
        relations += _per_capita_relations(items)
    relations += _classification_relations(segments)
    for table in doc.tables:
        relations += _table_sum_relations(table, doc, mentions)
    return relations


# ---- functional classification: a 类 total and its 项 amounts in another paragraph ---------

#: a 类 total: "社会保障和就业（类）支出225.05万元" (the words between 类 and the figure)
_CLASS_TOTAL = re.compile(r"([\u4e00-\u9fff]{2,20})[（(]类[）)]\s*(支出|决算|支出决算)?(数)?(为|是|合计)?[：:]?\s*$")
#: a numbered detail item opening with a 类 name: "1.社会保障和就业（类）人力资源…（款）行政运行（项）…"
_CLASS_DETAIL = re.compile(r"^\s*\d{1,2}\s*[.、．]\s*([\u4e00-\u9fff]{2,20})[（(]类[）)]")
#: the next numbered item inside the same run of text ends the detail
_NEXT_NUMBERED = re.compile(r"(?:[。；;\s])\d{1,2}\s*[.、．]\s*(?=[^\d\s])")
_PROJECT_MARK = re.compile(r"[（(]项[）)]")


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


def _classification_relations(segments: list[Segment]) -> list[Relation]:
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
        if tsi == dsi or not all(_compatible(p, total) for p in parts):
            continue
        terms = [Term(p.mention, 1, _name(p, "项")) for p in parts]
        out.append(Relation("JX-SUM-004", total.mention, [(terms, [])], partial=True,
                            stated_name=f"{name}（类）", note="类级合计"))
    return out


# ---- sums ----------------------------------------------------------------------------------


def _value_like(it: Item) -> bool:
    return it.role == "value"


def _sum_relations(seg: Segment, items: list[Item]) -> list[Relation]:
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
        before = items[max(0, nb - 40):nb]
        after = items[na:na + 60]
        # the total: the nearest value figure before the marker (same sentence, or the last of the
        # previous sentence when the marker opens a sentence: "…619029万元。其中，…")
        marker_sentence = after[0].sentence
        total = None
        for it in reversed(before):
            if it.sentence < marker_sentence - 1:
                break
            if it.sentence == marker_sentence - 1 and not _opens_sentence(text, mpos):
                break
            if _value_like(it) and it.unit != "":
                total = it
                break
        if total is None:
            continue
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
            if not _value_like(it) or not _compatible(it, total):
                continue
            if it.unit == "" and total.unit and any(p.unit for p in parts):
                continue  # 在职退休比为1.24 after 人 parts: a ratio, not one more part
            stop = [w for w in STOP_WORDS if w in it.clause and w not in total.clause]
            if stop and parts:
                break
            if ("收入" in total.clause and "支出" in it.clause and "收入" not in it.clause) or (
                    "支出" in total.clause and "收入" in it.clause and "支出" not in it.clause):
                break
            if TOTAL_AFTER.search(it.label):
                break
            parts.append(it)
            if len(parts) >= 12:
                break
        if not parts:
            continue
        for p in parts:
            p.list_total = total
        complete = marker.group(1) in COMPLETE_MARKERS or TOTAL_NAME.search(total.clause) is not None
        listed = _list_relations(total, parts, complete=complete)
        out += listed
        change_sum = _change_sum_relation(items, index, total, parts, listed)
        if change_sum is not None:
            out.append(change_sum)
    out += _bracketed_breakdowns(text, items)
    out += _total_after_relations(items)
    return out


_COUNTS = frozenset({"person", "person_time"})
_BRACKET_OPEN = re.compile(r"\s*[（(]")


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
        terms = [Term(_as_unit(p.mention, total.unit) if p.dim != total.dim else p.mention, 1, _name(p, "分项"))
                 for p in parts]
        out.append(Relation("JX-SUM-001", total.mention, [(terms, [])], "sum", partial=False, explicit=True,
                            stated_name=_name(total, "合计")))
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


_PARENS = re.compile(r"[（()）]")


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


def _interval(it: Item, unit: str) -> Interval:
    q = it.mention.quantity
    if q.unit == "" or q.unit == unit:
        return q.interval()
    return q.interval_in(unit)


def _signed_part(it: Item) -> int:
    return -1 if NEGATIVE_PART.search(it.clause) else 1


def _list_relations(total: Item, parts: list[Item], *, complete: bool = False) -> list[Relation]:
    """Check a 其中 list: nested sub-lists, subtotals, partial lists, exhaustive splits.

    A 其中 list may name only some parts, so falling short is no error — unless the list is
    complete: introduced by 分别/包括 or under a 合计/总计 (``complete``), ending the parts with
    an 其他 part (the rest), a known split (在职 + 退休, 年初 + 追加 …), or a split of 编制 by kind.
    """
    unit = total.unit
    out: list[Relation] = []
    total_iv = _interval(total, unit)
    # each part's interval (and signed interval) is computed once, when first needed: the
    # searches below try many sub-lists and combinations of the same parts
    ivs: dict[int, Interval] = {}
    signed: dict[int, Interval] = {}

    def iv_of(p: Item) -> Interval:
        iv = ivs.get(id(p))
        if iv is None:
            iv = ivs[id(p)] = _interval(p, unit)
        return iv

    def signed_of(p: Item) -> Interval:
        iv = signed.get(id(p))
        if iv is None:
            iv = signed[id(p)] = iv_of(p) * _signed_part(p)
        return iv

    # a part equal to the total, beside others, means the list overlaps (13297人 of 18067人...)
    if len(parts) > 1 and any(iv_of(p).meets(total_iv) and p.value == total.value
                              for p in parts):
        return out
    if len(parts) == 1 and parts[0].value == total.value:
        return out
    # nested lists: a part followed by parts that add up to it
    top: list[Item] = []
    k = 0
    while k < len(parts):
        p = parts[k]
        top.append(p)
        nested_end = None
        for j in range(k + 2, len(parts)):
            sub = parts[k + 1:j + 1]
            if interval_sum([iv_of(s) for s in sub]).meets(iv_of(p)):
                nested_end = j
                # take trailing zeros too (出国经费 0 万元)
                while nested_end + 1 < len(parts) and parts[nested_end + 1].value == 0:
                    nested_end += 1
                break
        if nested_end is not None and p.value != 0:
            sub = parts[k + 1:nested_end + 1]
            out.append(_sum_relation(p, sub, unit=p.unit or unit, partial=False, explicit=False))
            k = nested_end + 1
        else:
            k += 1
    exhaustive = complete or _is_exhaustive(top) or _split_by_kind(total, top)
    total_parts_iv = interval_sum([signed_of(p) for p in top])
    relation = _sum_relation(total, top, unit=unit, partial=not exhaustive, explicit=True)
    if not exhaustive and _names_the_rest(top):
        # 其中 …, 其他收入 X: the list means to be whole, but a named part may have been left out
        # (财政补贴收入): a shortfall is a warning (JX-SUM-003), not an error
        relation.partial = False
        relation.note = "含其他"
    if total_parts_iv.meets(total_iv) or total_parts_iv.hi < total_iv.lo:
        out.append(relation)
        return out
    # parts exceed the total: subtotals may follow the parts ("项目支出, 基本支出, 人员支出…")
    if len(top) >= 3:
        for n in range(2, len(top)):
            if interval_sum([signed_of(p) for p in top[:n]]).meets(total_iv):
                out.append(_sum_relation(total, top[:n], unit=unit, partial=False, explicit=True))
                return out
        if len(top) <= 10:
            for n in range(2, len(top)):
                for combo in combinations(top, n):
                    if interval_sum([signed_of(p) for p in combo]).meets(total_iv):
                        out.append(_sum_relation(total, list(combo), unit=unit, partial=False,
                                                 explicit=False))
                        return out
    out.append(relation)
    return out


def _change_after(items: list[Item], index: dict[int, int], it: Item) -> Item | None:
    """The change stated right after ``it`` (较上年减少B, before any other figure of its own):
    ``统筹基金支出150719万元，与上年同期相比减少1401万元，降低0.92%``."""
    k = index[id(it)]
    for nxt in items[k + 1:k + 4]:
        if nxt.sentence != it.sentence or nxt.role == "value":
            return None
        if nxt.role == "change":
            if nxt.direction == 0 or not _same_dim(nxt, it) or nxt.value < 0:
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
        if not interval_sum([_interval(p, unit) for p in parts]).meets(_interval(total, unit)):
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
    change_terms = [Term(d.mention, d.direction, _name(p, "分项")) for p, d in zip(parts, part_deltas, strict=True)
                    if d is not None]
    return Relation("JX-SUM-005", delta.mention, [(change_terms, [Term(total.mention, 1, "合计")])], "sum",
                    explicit=True,
                    stated_name=_name(total, "合计"), direction=delta.direction)


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


def _sum_relation(total: Item, parts: list[Item], *, unit: str, partial: bool,
                  explicit: bool) -> Relation:
    terms = [Term(p.mention, _signed_part(p), _name(p, "分项")) for p in parts]
    return Relation(
        code="JX-SUM-001", stated=total.mention, alternatives=[(terms, [])], form="sum",
        partial=partial, explicit=explicit, stated_name=_name(total, "合计"),
    )


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
                 if _value_like(p) and _same_dim(p, it) and p.value != it.value
                 and p.list_total is None][-6:]
        last_total = i
        if len(cands) < 2:
            continue
        unit = it.unit
        total_iv = _interval(it, unit)
        all_iv = interval_sum([_interval(p, unit) for p in cands])
        if all_iv.hi < total_iv.lo:
            continue  # the parts named fall short: 共 may count more than is listed
        found: list[Item] | None = None
        if all_iv.meets(total_iv):
            found = cands
        else:
            for n in range(2, len(cands)):
                for combo in combinations(cands, n):
                    if interval_sum([_interval(p, unit) for p in combo]).meets(total_iv):
                        found = list(combo)
                        break
                if found:
                    break
        if found is not None:
            out.append(_sum_relation(it, found, unit=unit, partial=False, explicit=False))
        else:
            rel = _sum_relation(it, cands, unit=unit, partial=False, explicit=True)
            rel.note = "共计"
            out.append(rel)
    return out


# ---- changes -------------------------------------------------------------------------------


def _current_candidates(items: list[Item], k: int, hint: str = "") -> list[Item]:
    """The figure a change refers to: the nearest value before it (and its list total)."""
    target = items[k]
    cands: list[Item] = []
    for it in reversed(items[max(0, k - 50):k]):
        # "…746.35万元，占…。与2018年相比，…增加331.22万元" refers back one sentence
        if it.sentence != target.sentence and (
                cands or it.sentence < target.sentence - 1
                or not COMPARATOR.match(_sentence_start_label(items, k))):
            break
        if it.role == "value" and _same_dim(it, target):
            cands.append(it)
    if not cands:
        return []
    ordered: list[Item] = []
    if hint:
        for c in cands:
            if hint in c.clause:
                ordered.append(c)
                break
    nearest = cands[0]
    if nearest not in ordered:
        ordered.append(nearest)
    if nearest.list_total is not None and nearest.list_total not in ordered:
        ordered.append(nearest.list_total)
    return ordered[:3]


def _sentence_start_label(items: list[Item], k: int) -> str:
    """The words that open the sentence of ``items[k]`` (its first item's label)."""
    j = k
    while j > 0 and items[j - 1].sentence == items[k].sentence:
        j -= 1
    return items[j].label.lstrip("。，, \t")


def _flow_word(label: str) -> str:
    for w in ("收入", "支出", "人数", "结余"):
        if w in label:
            return w
    return ""


def _change_relations(items: list[Item]) -> list[Relation]:
    out: list[Relation] = []
    for k, it in enumerate(items):
        if it.role == "change" and it.direction != 0:
            b = it
            p = items[k - 1] if k > 0 and items[k - 1].role == "prev" and items[k - 1].sentence == it.sentence \
                else None
            anchor = k - 1 if p is not None else k
            cands = _current_candidates(items, anchor, _flow_word(p.label) if p else "")
            if p is not None:
                cands = [c for c in cands if _same_dim(c, p)]
            if not cands:
                continue
            c = items[k + 1] if k + 1 < len(items) else None
            if c is not None and not (c.role == "rate_growth" and c.sentence == it.sentence):
                c = None
            if p is not None:
                # A − P = ±B
                alts: list[tuple[list[Term], list[Term]]] = []
                for a in cands:
                    sign = 1 if b.direction > 0 else -1
                    alts.append(([Term(a.mention, sign, "本年"), Term(p.mention, -sign, "上年")], []))
                out.append(Relation("JX-CHG-002", b.mention, alts, "sum", magnitude=False,
                                    stated_name="增减额", direction=b.direction))
                if c is not None:
                    out.append(_rate_from_years(c, cands, p))
            elif c is not None:
                alts = []
                for a in cands:
                    # previous = A − B (increase) or A + B (decrease)
                    prev_terms = [Term(a.mention, 1, "本年"), Term(b.mention, -b.direction, "增减额")]
                    alts.append(([Term(b.mention, 1, "增减额")], prev_terms))
                out.append(Relation("JX-CHG-001", c.mention, alts, "ratio", percent=True, magnitude=True,
                                    stated_name="增减率", direction=c.direction))
        elif it.role == "prev":
            c = items[k + 1] if k + 1 < len(items) else None
            if c is None or c.role != "rate_growth" or c.sentence != it.sentence:
                continue
            cands = [x for x in _current_candidates(items, k, _flow_word(it.label)) if _same_dim(x, it)]
            if cands:
                out.append(_rate_from_years(c, cands, it))
    return out


def _rate_from_years(c: Item, cands: list[Item], p: Item) -> Relation:
    alts = []
    for a in cands:
        sign = 1 if c.direction >= 0 else -1
        alts.append(([Term(a.mention, sign, "本年"), Term(p.mention, -sign, "上年")],
                     [Term(p.mention, 1, "上年")]))
    return Relation("JX-CHG-001", c.mention, alts, "ratio", percent=True, magnitude=c.direction != 0,
                    stated_name="增减率", direction=c.direction)


# ---- shares and completion rates -----------------------------------------------------------


def _share_relations(items: list[Item]) -> list[Relation]:
    out: list[Relation] = []
    for k, it in enumerate(items):
        if it.role != "rate_share":
            continue
        prev = items[k - 1] if k > 0 else None
        if prev is not None and prev.role == "inline_base" and prev.sentence == it.sentence:
            part = next((x for x in reversed(items[:k - 1]) if x.role == "value" and _same_dim(x, prev)
                         and x.sentence == it.sentence), None)
            if part is not None:
                out.append(_ratio("JX-SHR-001", it, [(part, prev)], explicit=True, name="占比"))
            continue
        part = next((x for x in reversed(items[:k]) if x.sentence == it.sentence), None)
        if part is None or part.role != "value" or part.dim is None:
            continue
        if part.list_total is not None:
            out.append(_ratio("JX-SHR-001", it, [(part, part.list_total)], explicit=True, name="占比"))
            continue
        bases = [x for x in items[max(0, k - 60):k] if x is not part and x.role == "value" and _same_dim(x, part)
                 and abs(x.value) > abs(part.value)][-3:]
        if len(bases) == 1:
            out.append(_ratio("JX-SHR-001", it, [(part, bases[0])], explicit=True, name="占比"))
        elif bases:
            out.append(_ratio("JX-SHR-001", it, [(part, b) for b in reversed(bases)], explicit=False,
                              name="占比"))
    return out


def _ratio(code: str, stated: Item, pairs: list[tuple[Item, Item]], *, explicit: bool,
           name: str) -> Relation:
    alts = [([Term(a.mention, 1, _name(a, "分子"))], [Term(b.mention, 1, _name(b, "分母"))])
            for a, b in pairs]
    return Relation(code, stated.mention, alts, "ratio", percent=stated.unit == "%",
                    explicit=explicit, stated_name=name)


BUDGET_LABEL = re.compile(r"(预算|安排|计划)")
ACTUAL_LABEL = re.compile(r"(支出|执行|决算|实际|完成)")


def _completion_relations(items: list[Item]) -> list[Relation]:
    out: list[Relation] = []
    for k, it in enumerate(items):
        if it.role != "rate_completion" or it.unit != "%":
            continue
        if "未完成" in it.clause:
            continue
        prev = items[k - 1] if k > 0 else None
        if prev is not None and prev.role == "inline_base" and prev.sentence == it.sentence:
            actual = next((x for x in reversed(items[:k - 1]) if x.role == "value" and _same_dim(x, prev)
                           and x.sentence == it.sentence), None)
            if actual is not None:
                out.append(_ratio("JX-CMP-001", it, [(actual, prev)], explicit=True, name="完成率"))
            continue
        cands = [x for x in items[max(0, k - 30):k] if x.sentence == it.sentence and x.role == "value"
                 and x.dim is not None and x.list_total is None][-5:]
        if len(cands) == 1 and it.value == 0:
            zero = _zero_completion(it, cands[0])
            if zero is not None:
                out.append(zero)
            continue
        if len(cands) < 2:
            continue
        if "预算控制率" in it.clause:
            # 预算控制率 = 全年预算 / 年初预算 (Hunan 部门整体 practice, rules.md §2)
            start = next((c for c in cands if "年初" in c.clause and c.dim == "money"), None)
            full = next((c for c in reversed(cands) if "全年" in c.clause and c.dim == "money"), None)
            if start is not None and full is not None:
                out.append(_ratio("JX-CMP-001", it, [(full, start)], explicit=True, name="预算控制率"))
                continue
        dims = {c.dim for c in cands}
        if len(dims) != 1:
            cands = [c for c in cands if c.dim == cands[-1].dim]
        bases = [c for c in cands if BUDGET_LABEL.search(c.clause) and not ACTUAL_LABEL.search(c.clause)]
        actuals = [c for c in cands if c not in bases]
        if len(bases) == 1 and actuals:
            pairs = [(a, bases[0]) for a in reversed(actuals)]
            out.append(_ratio("JX-CMP-001", it, pairs[:2], explicit=len(pairs) == 1 or True,
                              name="完成率"))
        else:
            pairs = [(a, b) for a in cands for b in cands if a is not b and b.value != 0]
            if pairs:
                out.append(_ratio("JX-CMP-001", it, pairs, explicit=False, name="完成率"))
    return out


def _zero_completion(rate: Item, actual: Item) -> Relation | None:
    """``支出决算为14万元，完成预算0%``: a completion of 0% says nothing was spent, so the
    outturn stated beside it (with no budget in the sentence) should be 0 (JX-CMP-002).

    0% written to whole percents is any rate under 0.5%: it could hold only with a budget over
    200 times the outturn, which a report would state; so a non-zero outturn is an error.
    Only an outturn (支出/执行/决算/实际) is read, never a budget figure.
    """
    q = rate.mention.quantity
    if q.approx is not None or actual.dim != "money" or actual.value <= 0 or actual.mention.quantity.approx:
        return None
    if not ACTUAL_LABEL.search(actual.clause) or BUDGET_LABEL.search(actual.clause):
        return None
    return Relation("JX-CMP-002", actual.mention, [([], [Term(rate.mention, 1, "完成率")])], "sum",
                    explicit=True, stated_name=_name(actual, "支出"))


# ---- balances ------------------------------------------------------------------------------


def _qualifier(label: str) -> int | None:
    for qi, words in enumerate(QUALIFIERS[:2]):
        if any(w in label for w in words):
            return qi
    return None


def _is_income(it: Item) -> bool:
    return (it.role == "value" and it.dim == "money" and INCOME_LABEL.search(it.clause) is not None
            and not INCOME_EXCLUDE.search(it.clause))


def _is_expense(it: Item) -> bool:
    return (it.role == "value" and it.dim == "money" and EXPENSE_LABEL.search(it.clause) is not None
            and not EXPENSE_EXCLUDE.search(it.clause))


def _is_result(it: Item) -> bool:
    if (it.role == "value" and it.list_total is not None and it.clause.endswith("结余")
            and _is_result(it.list_total)):
        return True
    return it.role == "value" and it.dim == "money" and (
        RESULT_LABEL.search(it.clause) is not None
        or (it.clause.endswith("结余") and not re.search(r"(累计|滚存|年初|上年|结转)", it.clause)
            and re.search(r"(当期|当年|本年|年终|年末)", it.clause) is not None))


def _signed_result(it: Item) -> int:
    if it.value < 0:
        return 1
    if BALANCE_NEGATIVE.search(it.clause) or (it.mention.negative_word or "") in ("亏损", "赤字", "缺口"):
        return -1
    return 1


def _balance_relations(items: list[Item], segments: list[Segment], seg_index: int) -> list[Relation]:
    out: list[Relation] = []
    income: Item | None = None
    expense: Item | None = None
    results: dict[int, Item] = {}
    income_k = 0
    for k, it in enumerate(items):
        if it.role == "value" and it.list_total is None and _is_income(it):
            income, expense, income_k = it, None, k
        elif it.role == "value" and it.list_total is None and _is_expense(it) and income is not None:
            expense = it
        elif _is_result(it):
            q = _qualifier(it.clause)
            if q is not None or it.list_total is not None:
                inc, exp = _find_flows(items, segments, seg_index, k, q)
            elif income is not None and expense is not None:
                inc, exp = income, expense
                if it.sentence != income.sentence and not _one_subject(segments, items[income_k:k + 1]):
                    inc = exp = None  # a later sentence about another fund or year
            else:
                inc, exp = _find_flows(items, segments, seg_index, k, None)
                if inc is None or exp is None:
                    inc, exp = _section_flows(items, segments, seg_index, k)
            if inc is not None and exp is not None:
                out.append(_balance(it, inc, exp))
                results[id(it)] = it
                _balance_rate(items, k, inc, out)
            income, expense = None, None
    own = _asset_relations(items)
    asset_stated = {id(r.stated) for r in own}
    out += own
    for k, it in enumerate(items):  # 年末累计结余 in a paragraph of its own, after the balance sheet
        if (_whole_value(it) and CLOSING_NET.search(it.clause) and id(it.mention) not in asset_stated
                and (rel := _section_net(items, segments, seg_index, k)) is not None):
            out.append(rel)
    out += _rollover_relations(items)
    return out


def _balance(result: Item, inc: Item, exp: Item) -> Relation:
    terms = [Term(inc.mention, 1, "收入"), Term(exp.mention, -1, "支出")]
    name = "收支缺口" if "缺口" in result.clause else "当期结余"
    rel = Relation("JX-BAL-001", result.mention, [(terms, [])], "sum", stated_name=name)
    rel.direction = _signed_result(result)
    return rel


def _balance_rate(items: list[Item], k: int, inc: Item, out: list[Relation]) -> None:
    """结余率 right after a balance: 当期结余 / 收入."""
    result = items[k]
    for it in items[k + 1:k + 4]:
        if it.role == "rate_balance" and it.sentence <= result.sentence + 1:
            if _qualifier(it.clause) != _qualifier(result.clause):
                continue
            sign = _signed_result(result)
            out.append(Relation("JX-BAL-004", it.mention,
                                [([Term(result.mention, sign, "当期结余")], [Term(inc.mention, 1, "收入")])],
                                "ratio", percent=True, stated_name="当期结余率"))
            # the sub-rates: 其中统筹基金当期结余率… are matched by their own balances
            break


def _find_flows(items: list[Item], segments: list[Segment], seg_index: int, k: int,
                qualifier: int | None) -> tuple[Item | None, Item | None]:
    """Income and expenditure for the 当期结余 ``items[k]`` whose flows were given in earlier paragraphs."""
    result = items[k]
    pool: list[Item] = items[max(0, k - 100):k]
    for back in range(1, 4):
        if seg_index - back < 0:
            break
        pool = segments[seg_index - back].items[-100:] + pool
    inc = exp = None
    for it in reversed(pool):
        if it.role != "value" or it.dim != "money":
            continue
        if it is not result and _is_result(it) and _qualifier(it.clause) == qualifier:
            break  # flows before another balance belong to that balance
        if qualifier is None:
            if it.list_total is not None or _qualifier(it.clause) is not None:
                continue
            if exp is None and re.search(r"总支出\s*$", it.clause):
                exp = it
            elif inc is None and re.search(r"总收入\s*$", it.clause):
                inc = it
        else:
            if _qualifier(it.clause) != qualifier:
                continue
            if exp is None and re.search(r"支出\s*$", it.clause) and "待遇" not in it.clause:
                exp = it
            elif inc is None and re.search(r"收入\s*$", it.clause) and "征缴" not in it.clause:
                inc = it
        if inc is not None and exp is not None:
            break
    return inc, exp


#: a 当期 result (not a cumulative 年末结余) may take its flows from earlier paragraphs of its section
PERIOD_RESULT = re.compile(r"(当期|当年|本年|本期|收支缺口|收不抵支|亏损|赤字)")
#: the funds a sentence can be about; a sentence naming none is about the fund of its section
FUND_SUBJECTS: tuple[tuple[str, ...], ...] = (
    ("职工",), ("城乡居民", "居民"), ("生育",), ("大病",), ("医疗救助",), ("公务员",), ("离休",),
    ("统筹",), ("个人账户", "个人帐户", "个账"),
)
_INCLUDED_FUND = re.compile(r"[（(]含[^）)]{1,6}[）)]")  # 职工基本医疗保险（含生育）: 生育 is included, not the subject
_YEAR_WORD = re.compile(r"((?:19|20)\d\d)\s*年")
_HEADING = re.compile(r"^\s*([一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[、.．]"
                      r"|图\s*\d|表\s*\d|第[一二三四五六七八九十\d]+[章节部分])")
#: how many paragraphs back a 当期结余 looks for its 收入 and 支出 (within its section)
SECTION_LOOKBACK = 6


def _sentence_prefix(seg: Segment, it: Item) -> str:
    """The words of ``it``'s sentence before it (where the subject of the sentence stands)."""
    text = seg.text
    floor = max(0, it.start - 300)  # a subject stands near: a longer sentence is read from 300 back
    k = max(floor - 1, *(text.rfind(c, floor, it.start) for c in "。！？!?\n"))
    return text[k + 1:it.start]


def _subject(seg: Segment, it: Item) -> tuple[frozenset[int], frozenset[str]]:
    """The funds and years a figure's sentence names before its first figure (empty: the
    section's subject); the parts named later (其中统筹基金收入…) do not change the subject."""
    if not seg.first_items:
        for x in reversed(seg.items):
            seg.first_items[x.sentence] = x
    first = seg.first_items[it.sentence]
    prefix = _INCLUDED_FUND.sub("", _sentence_prefix(seg, first))
    funds = frozenset(i for i, words in enumerate(FUND_SUBJECTS) if any(w in prefix for w in words))
    return funds, frozenset(_YEAR_WORD.findall(prefix))


def _is_heading(seg: Segment) -> bool:
    """A heading or caption line: short, no money figure, numbered or without a full stop."""
    t = seg.text.strip()
    if len(t) > 40 or any(x.dim == "money" for x in seg.items):
        return False
    return _HEADING.match(t) is not None or t[-1:] not in "。；;！？!?"


def _section_flows(items: list[Item], segments: list[Segment], seg_index: int,
                   k: int) -> tuple[Item | None, Item | None]:
    """收入 and 支出 for a 当期结余 (or 收支缺口) stated in a later sentence or paragraph of the same
    section: the nearest 支出 and 收入 before it, when every sentence from them to the result is
    about the same fund and year (a sentence naming no fund or year is about the section's).

    Stops at a heading, at another balance (its flows are its own) and after
    ``SECTION_LOOKBACK`` paragraphs; gives nothing when the subject is mixed or unclear.
    """
    result = items[k]
    if _qualifier(result.clause) is not None or not PERIOD_RESULT.search(_sentence_prefix(segments[result.seg],
                                                                                          result)):
        return None, None
    inc = exp = None
    seen: list[Item] = [result]
    for it in _section_before(items, segments, seg_index, k):
        if it.dim == "money" and it.role == "value" and _is_result(it):
            break  # flows before another balance belong to that balance
        seen.append(it)
        if not _whole_value(it):
            continue
        if exp is None and inc is None and _is_expense(it):
            exp = it
        elif inc is None and _is_income(it):
            inc = it
            break
    if inc is None or exp is None or not _one_subject(segments, seen):
        return None, None
    return inc, exp


def _section_before(items: list[Item], segments: list[Segment], seg_index: int, k: int) -> Iterator[Item]:
    """The items before ``items[k]`` in its section, nearest first: its own paragraph, then up to
    ``SECTION_LOOKBACK`` paragraphs back, stopping at a heading (100 items of each at the most)."""
    yield from reversed(items[max(0, k - 100):k])
    for back in range(1, SECTION_LOOKBACK + 1):
        if seg_index - back < 0 or _is_heading(segments[seg_index - back]):
            return
        yield from reversed(segments[seg_index - back].items[-100:])


def _whole_value(it: Item) -> bool:
    """A money figure of the whole fund (not a listed part, not 统筹/个账 alone)."""
    return (it.role == "value" and it.dim == "money" and it.list_total is None
            and _qualifier(it.clause) is None)


def _one_subject(segments: list[Segment], seen: list[Item]) -> bool:
    """Do the sentences of ``seen`` name at most one fund and one year between them?

    A sentence naming several funds or years (a heading joined to its paragraph, 职工和居民…)
    says nothing about which one is meant and is left out."""
    funds: set[frozenset[int]] = set()
    years: set[frozenset[str]] = set()
    sentences = {(it.seg, it.sentence): it for it in seen}
    for (si, _), it in sentences.items():
        f, y = _subject(segments[si], it)
        if len(f) == 1:
            funds.add(f)
        if len(y) == 1:
            years.add(y)
    return len(funds) <= 1 and len(years) <= 1


#: a closing cumulative balance written apart from the balance sheet (年末累计结余560783万元)
CLOSING_NET = re.compile(r"(年末|期末)(累计|滚存)结余(为|是)?\s*$")


def _section_net(items: list[Item], segments: list[Segment], seg_index: int, k: int) -> Relation | None:
    """年末累计结余 = 资产 − 负债 when the 资产 and 负债 totals were stated earlier in the same
    section (same fund and year, see :func:`_section_flows`); a section with no 负债 gives none."""
    net = items[k]
    asset = liability = None
    seen: list[Item] = [net]
    for it in _section_before(items, segments, seg_index, k):
        seen.append(it)
        if not _whole_value(it):
            continue
        if CLOSING_NET.search(it.clause):
            return None  # the balance sheet before another closing balance belongs to it
        if NET_LABEL.search(it.clause):
            continue  # 资产减负债 of the balance sheet: neither an asset nor a liability
        if liability is None and LIABILITY_LABEL.search(it.clause):
            liability = it
        elif liability is not None and ASSET_LABEL.search(it.clause) and "固定资产" not in it.clause:
            asset = it
            break
    if asset is None or liability is None or not _one_subject(segments, seen):
        return None
    terms = [Term(asset.mention, 1, "资产"), Term(liability.mention, -1, "负债")]
    return Relation("JX-BAL-002", net.mention, [(terms, [])], "sum", stated_name="年末累计结余")


def _asset_relations(items: list[Item]) -> list[Relation]:
    out: list[Relation] = []
    asset = liability = None
    for it in items:
        if it.role != "value" or it.dim != "money" or it.list_total is not None:
            continue
        if ASSET_LABEL.search(it.clause) and "固定资产" not in it.clause:
            asset, liability = it, None
        elif LIABILITY_LABEL.search(it.clause) and asset is not None and not NET_LABEL.search(it.clause):
            liability = it
        elif NET_LABEL.search(it.clause) and asset is not None and liability is not None:
            terms = [Term(asset.mention, 1, "资产"), Term(liability.mention, -1, "负债")]
            name = "资产减负债" if "资产减负债" in it.clause else "累计结余"
            out.append(Relation("JX-BAL-002", it.mention, [(terms, [])], "sum", stated_name=name))
            asset = liability = None
    return out


def _rollover_relations(items: list[Item]) -> list[Relation]:
    """年初 + 本期增减 = 年末/全年 (年初预算 + 追加 = 全年预算; 年初结余 + 当期结余 = 年末结余)."""
    out: list[Relation] = []
    for k, it in enumerate(items):
        if it.role != "value" or it.dim != "money" or not START_LABEL.search(it.clause):
            continue
        if it.list_total is not None:
            continue
        adds: list[Item] = []
        for nxt in items[k + 1:k + 8]:
            if nxt.role != "value" or not _same_dim(nxt, it):
                continue
            if nxt.list_total is not None:
                continue
            if END_LABEL.search(nxt.clause) and not START_LABEL.search(nxt.clause):
                if adds:
                    terms = [Term(it.mention, 1, "年初数")] + [
                        Term(a.mention, -1 if NEGATIVE_PART.search(a.clause) else 1, _name(a, "本期"))
                        for a in adds]
                    out.append(Relation("JX-BAL-003", nxt.mention, [(terms, [])], "sum",
                                        stated_name=_name(nxt, "年末数")))
                break
            if ADD_LABEL.search(nxt.clause):
                adds.append(nxt)
            else:
                break
    return out


# ---- per capita ----------------------------------------------------------------------------


def _per_capita_relations(items: list[Item]) -> list[Relation]:
    out: list[Relation] = []
    for k, it in enumerate(items):
        per_person = it.unit in PER_PERSON_UNITS
        labelled = it.dim == "money" and PER_CAPITA_LABEL.search(it.clause) is not None
        if not (per_person or labelled) or it.role != "value":
            continue
        count_dim = "person_time" if "次均" in it.clause else "person"
        persons = [x for x in items[max(0, k - 30):k] if x.sentence == it.sentence and x.dim == count_dim
                   and x.role == "value"]
        totals = [x for x in items[k + 1:k + 30] if x.sentence == it.sentence and x.dim == "money"
                  and x.role == "value" and x.unit not in PER_PERSON_UNITS]
        if not persons or not totals:
            continue
        n, t = persons[-1], totals[0]
        # the persons must come after any other count in between: "按13297人计算…" belongs to the next
        between = [x for x in items[k + 1:items.index(t)] if x.dim == count_dim]
        if between:
            continue
        out.append(Relation("JX-PCP-001", it.mention,
                            [([Term(t.mention, 1, "总额")], [Term(n.mention, 1, "人数")])], "ratio",
                            stated_name="人均"))
    return out


# ---- tables --------------------------------------------------------------------------------

TOTAL_ROW = re.compile(r"^\s*(合\s*计|总\s*计|小\s*计|总额)\s*$")


def _table_sum_relations(table: Table, doc: Document, mentions: list[Mention]) -> list[Relation]:
    """A 合计 row (or column) against the rows (columns) above it (before it)."""
    out: list[Relation] = []
    by_block: dict[int, Mention] = {}
    for m in mentions:
        by_block.setdefault(m.block, m)
    block_ids = {id(b): i for i, b in enumerate(doc.blocks)}

    def cell_mention(cell: Block | None) -> Mention | None:
        if cell is None:
            return None
        bi = block_ids.get(id(cell))
        return by_block.get(bi) if bi is not None else None

    rows = table.rows
    for r, row in enumerate(rows):
        first = next((c for c in row if c is not None and c.text.strip()), None)
        if first is None or not TOTAL_ROW.match(first.text):
            continue
        subtotal = "小" in first.text
        for c in range(len(row)):
            total_m = cell_mention(row[c])
            if total_m is None or row[c] is first:
                continue
            parts: list[Mention] = []
            nested = False
            for rr in range(r - 1, -1, -1):
                lead = next((x for x in rows[rr] if x is not None and x.text.strip()), None)
                if lead is not None and TOTAL_ROW.match(lead.text):
                    if subtotal:
                        break
                    nested = True
                if lead is not None and lead.text.strip().startswith("其中"):
                    nested = True
                if c >= len(rows[rr]):
                    continue
                cell_m = cell_mention(rows[rr][c])
                if cell_m is None:
                    # a header row (no figures at all) ends the part rows
                    if parts and all(cell_mention(x) is None for x in rows[rr] if x is not None):
                        break
                    continue
                if cell_m.quantity.dimension not in (None, total_m.quantity.dimension) and cell_m.quantity.unit:
                    continue
                parts.append(cell_m)
            if len(parts) < 2 or nested:
                continue
            parts.reverse()
            terms = [Term(p, 1, "分项") for p in parts]
            out.append(Relation("JX-SUM-001", total_m, [(terms, [])], "sum", stated_name="合计"))
    return out
