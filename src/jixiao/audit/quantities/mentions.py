"""The finders: the figures of one block, of one text, and of a whole document with the units
its tables and tab rows declare (row labels, column headers, ``单位：万元`` lines)."""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import Final

from jixiao.audit.document import Block, Document, Mention
from jixiao.audit.quantities.scan import scan_figures
from jixiao.audit.quantities.units import DECLARED_UNITS, UNIT_ALIASES
from jixiao.audit.quantities.written_once import Span, apply_spans, apply_written_once, tab_spans


def find_mentions(block: Block, block_index: int, *, unit_hint: str | None = None) -> list[Mention]:
    """Every figure in ``block.text``, in order.

    ``unit_hint`` is a unit written once elsewhere (a table's ``单位：万元``); it is given to
    unit-less numbers that stand alone in the block (a cell) or in one of its tab-separated
    segments.
    """
    spans: list[Span] = []
    if unit_hint:
        unit = UNIT_ALIASES.get(unit_hint, unit_hint)
        spans = tab_spans(block.text, unit, None)
    return _find(block.text, block_index, spans)


def _find(text: str, block_index: int, spans: list[Span]) -> list[Mention]:
    figures = scan_figures(text, block_index)
    if figures:
        apply_written_once(text, figures)
        if spans:
            apply_spans(text, figures, spans)
    return [f.mention(text, block_index) for f in figures if f.unit or "year_like" not in f.flags]


_UNIT_LINE: Final = re.compile(
    rf"(?:^|[\s（(])(?:金额|计量)?单位[ \u3000]{{0,2}}[：:][ \u3000]{{0,2}}(?P<u>{DECLARED_UNITS})"
    r"[ \u3000]{0,2}[）)]?[ \u3000]*$"
)
_HEADER_UNIT: Final = re.compile(rf"[（(][ \u3000]{{0,2}}(?P<u>{DECLARED_UNITS})[ \u3000]{{0,2}}[）)]")
_NO_UNIT_HEADER: Final = re.compile(r"分值|得分|权重|序号|编号|行次|栏次|年度|年份|代码|科目编码")
_HAS_DIGIT: Final = re.compile(r"\d")


def _header_unit(text: str) -> str | None:
    """Unit declared by a header cell: ``金额（万元）`` → 万元; ``得分`` → '' (no unit); else None."""
    if _HAS_DIGIT.search(text):
        return None
    m = _HEADER_UNIT.search(text) or _UNIT_LINE.search(text)
    if m:
        written = m.group("u")
        unit = UNIT_ALIASES.get(written, written)
        return unit
    if _NO_UNIT_HEADER.search(text):
        return ""
    return None


def _table_hints(doc: Document) -> dict[int, tuple[str, str]]:
    """id(cell block) → (unit, source) from row labels, column headers and the table's unit."""
    hints: dict[int, tuple[str, str]] = {}
    for table in doc.tables:
        table_unit = UNIT_ALIASES.get(table.unit, table.unit) if table.unit else None
        col_units: dict[int, str] = {}
        for row in table.rows:
            row_unit: str | None = None
            for c, cell in enumerate(row):
                if cell is None:
                    continue
                declared = _header_unit(cell.text)
                if declared is not None:
                    # a header: it governs the cells below it, and those to its right in its row
                    col_units[c] = declared
                    row_unit = declared
                    continue
                if row_unit is not None:
                    hints[id(cell)] = (row_unit, "row")
                elif c in col_units:
                    hints[id(cell)] = (col_units[c], "column")
                elif table_unit:
                    hints[id(cell)] = (table_unit, "table")
    return hints


def _cell_span_in_line(cell: Block, line: Block) -> tuple[int, int] | None:
    """Where an extra cell block (txt/html tables) stands in the normalised text of its line."""
    n = len(cell.text)
    if not cell.origin:
        start = 0
    elif not line.origin:
        start = cell.origin[0]
    else:
        start = bisect_left(line.origin, cell.origin[0])
    if line.text[start:start + n] == cell.text:
        return start, start + n
    k = line.text.find(cell.text)
    return (k, k + n) if k >= 0 and cell.text else None


def find_document_mentions(doc: Document) -> list[Mention]:
    """Every figure in the document (sorted by block, then position), units written once applied.

    Table cells get their row label's unit (``发行总额（亿）``), else their column header's
    (``金额（万元）``), else the table's (``Table.unit``): in docx the cells are blocks of their
    own; in txt/html they are extra blocks over the lines, so the unit goes to the figure
    standing in that cell's part of the line. Lines with tabs that no table covers fall back
    to the text rules: a ``单位：万元`` line governs the tab-separated rows below it (until the
    first line without a tab), and a tab row of headers such as
    ``项目\t金额（万元）\t占比（%）`` gives units by column.
    """
    hints = _table_hints(doc) if doc.tables else {}
    extra_spans, covered = _line_cells(doc, hints)
    out: list[Mention] = []
    tab_rows = _TabRowUnits()
    for i, block in enumerate(doc.blocks):
        text = block.text
        if not text.strip():
            continue
        if id(block) in hints:
            unit, source = hints[id(block)]
            spans: list[Span] = [(0, len(text), unit, source)] if unit else []
        elif i in covered:
            spans = extra_spans.get(i, [])
        elif block.kind == "cell":
            spans = []
        else:
            spans = tab_rows.spans(text)
        out.extend(_find(text, i, spans))
    return out


def _line_cells(doc: Document, hints: dict[int, tuple[str, str]]) -> tuple[dict[int, list[Span]], set[int]]:
    """The cells of reader-made tables (txt/html: extra cell blocks over the lines) in their lines:
    the spans of each line that carry a cell's unit, and the line blocks any table covers."""
    index_of = {id(b): i for i, b in enumerate(doc.blocks)}
    line_index: dict[int, int] = {}
    for i, b in enumerate(doc.blocks):
        if b.line is not None and b.kind != "cell":
            line_index.setdefault(b.line, i)
    extra_spans: dict[int, list[Span]] = {}
    covered: set[int] = set()  # line blocks that a reader-made table covers
    for table in doc.tables:
        for row in table.rows:
            for cell in row:
                if cell is None or id(cell) in index_of or cell.line is None:
                    continue
                bi = line_index.get(cell.line)
                if bi is None:
                    continue
                covered.add(bi)
                hint = hints.get(id(cell))
                if not hint or not hint[0]:
                    continue
                span = _cell_span_in_line(cell, doc.blocks[bi])
                if span:
                    extra_spans.setdefault(bi, []).append((span[0], span[1], hint[0], hint[1]))
    return extra_spans, covered


class _TabRowUnits:
    """Units that plain lines declare for the tab-separated rows no table covers, read line by
    line: a ``单位：万元`` line (in force until the first line without a tab) and a header row
    (by column)."""

    __slots__ = ("columns", "unit")

    def __init__(self) -> None:
        self.unit: str | None = None
        self.columns: dict[int, str] = {}

    def spans(self, text: str) -> list[Span]:
        """The unit spans of a line of text (none for a line without a tab), noting what it declares."""
        line_unit = _UNIT_LINE.search(text) if "单位" in text else None
        if "\t" in text:
            declared = {k: _header_unit(seg) for k, seg in enumerate(text.split("\t")) if seg.strip()}
            if line_unit:
                self.unit = UNIT_ALIASES.get(line_unit.group("u"))
            if not _HAS_DIGIT.search(text) and any(declared.values()):  # a header row
                self.columns = {k: v for k, v in declared.items() if v is not None}
            return tab_spans(text, self.unit, self.columns or None)
        if line_unit and len(text.strip()) <= 40:
            self.unit = UNIT_ALIASES.get(line_unit.group("u"))
        else:
            self.unit = None
        self.columns = {}
        return []


def scan_text(text: str) -> list[Mention]:
    """Figures in one piece of text (block index 0): for tests and quick looks."""
    return _find(text, 0, [])
