"""The unit a table declares for its figures: ``单位：万元`` (or ``（万元）``) in the lines just
above it, else in one of its cells. Every reader (text, html, docx, pdf) asks the same question
of the text it has, so the patterns live here once."""

from __future__ import annotations

import re
from typing import Final

from jixiao.audit.document import Block

_UNIT_WORDS: Final = "万元|亿元|千元|百万元|元|万人次|人次|万人|人|%|个|家|户"
_UNIT_DECL: Final = rf"单位\s*[：:]\s*(?:人民币)?({_UNIT_WORDS})(?![\u4e00-\u9fff])"  # 单位：万元, not 单位：人民医院
_UNIT_BRACKETS: Final = rf"[（(]\s*({_UNIT_WORDS})\s*[）)]"
_UNIT_ABOVE: Final = re.compile(rf"{_UNIT_DECL}|{_UNIT_BRACKETS}\s*$")
_UNIT_CELL: Final = re.compile(rf"^\s*(?:金额)?{_UNIT_DECL}\s*$|^\s*{_UNIT_BRACKETS}\s*$")
_UNIT_IN_CELL: Final = re.compile(_UNIT_DECL)


def table_unit(above: list[str], grid: list[list[Block | None]]) -> str | None:
    for text in above:
        m = _UNIT_ABOVE.search(text.strip())
        if m:
            return m.group(1) or m.group(2)
    for row in grid:
        for cell in row:
            if cell is None:
                continue
            m = _UNIT_CELL.match(cell.text) or _UNIT_IN_CELL.search(cell.text)
            if m:
                return next(g for g in m.groups() if g)
    return None

