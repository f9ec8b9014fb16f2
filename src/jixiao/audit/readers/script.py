"""Reports reposted in traditional characters (醫療保險基金…萬元) are read as simplified ones.

The fold is one character for one (hanziconv's character map), so every offset into the
original text still holds. It is made only for a document written mostly in traditional
characters: some traditional forms are ordinary simplified characters too (著, 乾, 藉), and a
simplified report must be read as written.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from typing import Final

from jixiao.audit.document import Block, Document

#: traditional-only characters common in fund reports, and their simplified forms
_MARKERS: Final = "醫療險費萬億與實際數據機構總區縣會財貼結餘統籌經這為說應報國參門診發職員項資額"


@cache
def _table() -> dict[int, str]:
    from hanziconv.charmap import simplified_charmap, traditional_charmap

    return {ord(t): s for t, s in zip(traditional_charmap, simplified_charmap, strict=True) if t != s}


_TRADITIONAL: Final = re.compile(f"[{_MARKERS}]")


@cache
def _markers() -> tuple[str, re.Pattern[str]]:
    """The markers' simplified forms, and one expression finding either (one pass over the text)."""
    table = _table()
    simplified = "".join(table[ord(c)] for c in _MARKERS)
    return simplified, re.compile("[" + "".join(sorted(set(_MARKERS + simplified))) + "]")


def _is_traditional(texts: list[str]) -> bool:
    text = "".join(texts)
    # the traditional markers first: a simplified report has (almost) none, and its common
    # simplified characters (医, 费, 万...) need not be counted then
    if len(_TRADITIONAL.findall(text)) < 5:
        return False
    simplified, either = _markers()
    found = Counter(either.findall(text))
    trad = sum(found[c] for c in _MARKERS)
    simp = sum(found[c] for c in simplified)
    return trad >= 5 and trad > simp


def fold_traditional(doc: Document) -> None:
    """Fold ``doc``'s text to simplified characters in place when it is written in traditional ones."""
    texts = [b.text for b in doc.blocks]
    if not _is_traditional(texts):
        return
    table = _table()
    seen: set[int] = set()
    cells: list[Block] = [c for t in doc.tables for row in t.rows for c in row if c is not None]
    for block in [*doc.blocks, *cells]:
        if id(block) in seen:
            continue
        seen.add(id(block))
        block.text = block.text.translate(table)
    doc.notes.append("原文为繁体字，已按简体字审核")
