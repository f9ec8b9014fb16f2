"""Plain text and Markdown: one block per line (normalised, with its offsets in the line as
decoded); tab grids and pipe tables found among the lines (:mod:`.text_tables`) are added as
tables of extra cell blocks."""

from __future__ import annotations

import re
from typing import Final

from jixiao.audit.document import Block, BlockKind, Document, Table
from jixiao.audit.normalize import normalize_lines
from jixiao.audit.readers.text_tables import bar_tables, pipe_tables, tab_tables

_NEWLINE: Final = re.compile(r"\r\n|\r|\n")


def line_spans(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of each line, terminators (``\\n``, ``\\r\\n``, ``\\r``) excluded."""
    spans: list[tuple[int, int]] = []
    start = 0
    if "\r" not in text:
        for line in text.split("\n"):
            end = start + len(line)
            spans.append((start, end))
            start = end + 1
    else:
        for m in _NEWLINE.finditer(text):
            spans.append((start, m.start()))
            start = m.end()
        spans.append((start, len(text)))
    if len(spans) > 1 and spans[-1][0] == len(text):  # the file ends with a newline
        spans.pop()
    if spans == [(0, 0)]:
        return []
    return spans


def read_text(name: str, text: str, notes: list[str], fmt: str) -> Document:
    spans = line_spans(text)
    blocks: list[Block] = []
    md = fmt == "md"
    append = blocks.append
    for i, ((start, end), (norm, origin)) in enumerate(zip(spans, normalize_lines(text, spans), strict=True), 1):
        src = text[start:end]
        kind: BlockKind = "heading" if md and src.startswith("#") else "paragraph"
        append(Block(text=norm, kind=kind, line=i, source_text=src, origin=origin))
    tables = tab_tables(blocks)
    if fmt == "md":
        tables.extend(pipe_tables(blocks, start_index=len(tables)))
    else:
        taken = {c.line - 1 for t in tables for row in t.rows for c in row if c is not None and c.line}
        tables.extend(bar_tables(blocks, len(tables), taken))
    if len(tables) > 1:
        tables.sort(key=lambda t: _first_line(t))
        for i, t in enumerate(tables):
            t.index = i
            for row in t.rows:
                for cell in row:
                    if cell is not None:
                        cell.table = i
    return Document(path=name, format=fmt, blocks=blocks, tables=tables, original_text=text,
                    chars=len(text), notes=notes)


def _first_line(t: Table) -> int:
    for row in t.rows:
        for cell in row:
            if cell is not None and cell.line is not None:
                return cell.line
    return 0

