"""Segments: the blocks of a document grouped into runs of text (a line wrapped by the
conversion is joined to its rest), with each usable figure placed in its segment as an
:class:`~jixiao.audit.relations.items.Item` (dates and bare integers are left out) and annotated."""

from __future__ import annotations

import re
from typing import Final

from jixiao.audit.document import Block, Document, Mention
from jixiao.audit.relations.items import SENTENCE_END, Item, Segment
from jixiao.audit.relations.roles import assign_roles

#: the only units a date-like figure has (a figure in 万元, %, 人... is never one: checked first)
_DATE_UNITS: Final = frozenset({"年", "月", "个月", "日", "天", ""})


def _is_date_like(m: Mention, block: Block) -> bool:
    q = m.quantity
    if q.unit not in _DATE_UNITS:
        return False
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


_ANNOTATE_MARKS: Final = re.compile(r"[。！？!?\n（()）]")
_CLAUSE_SPLIT: Final = re.compile(r"[，,；;。：:（）()、]")


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
    assign_roles(items)
