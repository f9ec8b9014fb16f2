"""Tables inside plain text: tab-separated grids (a row per line, or a cell per line with rows
between blank lines) and Markdown pipe tables, as :class:`Table`\\ s of extra cell blocks over
the lines. Finding a grid among lines is its own job, apart from reading the lines."""

from __future__ import annotations

import re
from typing import Final

from jixiao.audit.document import Block, Table
from jixiao.audit.readers.table_unit import table_unit


def _cell_from_line(line: Block, start: int, end: int, table: int, row: int, col: int) -> Block | None:
    """A cell block for ``line.text[start:end]`` (stripped); ``None`` when it is empty."""
    text = line.text
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        return None
    if not line.origin:
        cell_origin: list[int] = [] if start == 0 else list(range(start, end))
    else:
        cell_origin = line.origin[start:end]
    return Block(text=text[start:end], kind="cell", line=line.line, table=table, row=row, col=col,
                 source_text=line.source_text, origin=cell_origin)


def _split_tabs(line: Block) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    text = line.text
    while True:
        k = text.find("\t", start)
        if k < 0:
            spans.append((start, len(text)))
            return spans
        spans.append((start, k))
        start = k + 1


_DASHES: Final = re.compile(r"^[\s\-—:|=_]*$")


def tab_tables(blocks: list[Block]) -> list[Table]:
    """Grids of tab-separated cells: a row per line, or a cell per line (rows between blanks)."""
    tables: list[Table] = []
    n = len(blocks)
    i = 0
    while i < n:
        src = blocks[i].source_text
        if "\t" not in src:
            i += 1
            continue
        if src.startswith("\t") and src.count("\t") == 1:
            end, rows = _cell_per_line_rows(blocks, i)
            grid_ok = _looks_like_cells(rows)
        else:
            end, rows = _row_per_line_rows(blocks, i)
            grid_ok = _looks_like_rows(rows)
        if grid_ok:
            tables.append(_make_tab_table(blocks, rows, len(tables)))
        i = max(end, i + 1)
    return tables


def _looks_like_rows(rows: list[list[tuple[Block, int, int]]]) -> bool:
    """Tab-separated rows: at least two, most of them as wide as the widest (two cells or more)."""
    if len(rows) < 2:
        return False
    widths = [sum(1 for line, s, e in r if line.text[s:e].strip()) for r in rows]
    return max(len(r) for r in rows) >= 2 and sum(1 for w in widths if w >= 2) * 2 >= len(rows)


def _looks_like_cells(rows: list[list[tuple[Block, int, int]]]) -> bool:
    """One cell per line: several rows of several short cells, not tab-indented paragraphs."""
    if len(rows) < 2:
        return False
    multi = sum(1 for r in rows if len(r) >= 2)
    lengths = sorted(len(line.text[s:e].strip()) for r in rows for line, s, e in r)
    median = lengths[len(lengths) // 2]
    return multi >= 2 and multi * 2 >= len(rows) and median <= 30


def _row_per_line_rows(blocks: list[Block], i: int) -> tuple[int, list[list[tuple[Block, int, int]]]]:
    """Consecutive lines with at least one tab (and not one-cell-per-line): one row each."""
    rows: list[list[tuple[Block, int, int]]] = []
    j = i
    while j < len(blocks) and "\t" in blocks[j].source_text:
        line = blocks[j]
        if not _DASHES.match(line.text):
            rows.append([(line, s, e) for s, e in _split_tabs(line)])
        j += 1
    return j, rows


def _cell_per_line_rows(blocks: list[Block], i: int) -> tuple[int, list[list[tuple[Block, int, int]]]]:
    """Seed 003 layout: every cell on its own line after a tab; blank lines end a row."""
    rows: list[list[tuple[Block, int, int]]] = []
    current: list[tuple[Block, int, int]] = []
    j = i
    blanks = 0
    last_cell_line = i
    while j < len(blocks):
        src = blocks[j].source_text
        if src.strip() == "" and "\t" not in src:
            if current:
                rows.append(current)
                current = []
            blanks += 1
            if blanks > 8:
                break
            j += 1
            continue
        if not (src.startswith("\t") and src.count("\t") == 1):
            break
        blanks = 0
        line = blocks[j]
        current.append((line, 1 if line.text.startswith("\t") else 0, len(line.text)))
        last_cell_line = j
        j += 1
    if current:
        rows.append(current)
    # a blank line inside a row (seed 003: "=100%", blank, "100%") splits it in two: a short
    # row that fits after a longer one is its continuation
    width = max((len(r) for r in rows), default=0)
    merged: list[list[tuple[Block, int, int]]] = []
    for row in rows:
        if merged and len(row) < len(merged[-1]) and len(merged[-1]) + len(row) <= width:
            merged[-1].extend(row)
        else:
            merged.append(row)
    while merged and all(s >= e or not line.text[s:e].strip() for line, s, e in merged[-1]):
        merged.pop()
    return last_cell_line + 1, merged


def _make_tab_table(blocks: list[Block], rows: list[list[tuple[Block, int, int]]], index: int) -> Table:
    width = max(len(r) for r in rows)
    grid: list[list[Block | None]] = []
    for r, row in enumerate(rows):
        cells: list[Block | None] = [_cell_from_line(line, s, e, index, r, c) for c, (line, s, e) in enumerate(row)]
        cells.extend([None] * (width - len(cells)))
        grid.append(cells)
    first_line = rows[0][0][0].line or 1
    return Table(index=index, rows=grid, unit=table_unit(_lines_above(blocks, first_line - 1), grid))


def _lines_above(blocks: list[Block], first_index: int, count: int = 2, reach: int = 4) -> list[str]:
    out: list[str] = []
    k = first_index - 1
    while k >= 0 and k >= first_index - reach and len(out) < count:
        if blocks[k].text.strip():
            out.append(blocks[k].text)
        k -= 1
    return out



_PIPE_SEP: Final = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _pipe_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    stripped_start = len(text) - len(text.lstrip())
    if text[stripped_start:stripped_start + 1] == "|":
        start = stripped_start + 1
    k = start
    while k <= len(text):
        j = text.find("|", k)
        while j > 0 and text[j - 1] == "\\":
            j = text.find("|", j + 1)
        if j < 0:
            tail = (start, len(text))
            if text[start:].strip():
                spans.append(tail)
            return spans
        spans.append((start, j))
        start = k = j + 1
    return spans


def _bar_line(text: str) -> bool:
    return "|" in text and not _PIPE_SEP.match(text)


def bar_tables(blocks: list[Block], start_index: int, taken: set[int]) -> list[Table]:
    """Tables of ``|``-separated cells in plain text, without Markdown's ``---`` line: a run of
    at least two consecutive lines with ``|`` (a statement table pasted from a web page:
    ``项目 | 职工 | 居民 | 合计``). A row broken over lines (``| 一、参保人数 |`` / ``人 |`` /
    ``714699 |``: each line but the first ends a cell without opening one) is joined back."""
    tables: list[Table] = []
    n = len(blocks)
    i = 0
    while i < n:
        if i in taken or not _bar_line(blocks[i].text):
            i += 1
            continue
        j = i
        while j < n and j not in taken and _bar_line(blocks[j].text) and blocks[j].text.strip():
            j += 1
        if j - i >= 2:
            table = _bar_table(blocks[i:j], start_index + len(tables), _lines_above(blocks, i))
            if table is not None:
                tables.append(table)
        i = max(j, i + 1)
    return tables


def _bar_table(lines: list[Block], index: int, above: list[str]) -> Table | None:
    # rows broken over lines: a line that opens with "|" starts a row, the others continue it
    single = sum(1 for ln in lines if ln.text.rstrip().endswith("|")
                 and sum(1 for s, e in _pipe_spans(ln.text) if ln.text[s:e].strip()) <= 1)
    broken = single * 5 >= len(lines) * 3
    bordered = sum(1 for ln in lines if ln.text.strip().startswith("|") and ln.text.strip().endswith("|")) * 2 \
        > len(lines)
    rows: list[list[tuple[Block, int, int]]] = []
    for ln in lines:
        spans = _pipe_spans(ln.text)
        if broken:
            spans = [(s, e) for s, e in spans if ln.text[s:e].strip()]
        elif not bordered and ln.text.lstrip().startswith("|"):
            spans.insert(0, (0, 0))  # " | 年度资金总额 | …": the row's first cell is empty
        if not broken or ln.text.lstrip().startswith("|") or not rows:
            rows.append([(ln, s, e) for s, e in spans])
        else:
            rows[-1].extend((ln, s, e) for s, e in spans)
    rows = [r for r in rows if any(ln.text[s:e].strip() for ln, s, e in r)]
    if len(rows) < 2 or max(len(r) for r in rows) < 2:
        return None
    width = max(len(r) for r in rows)
    grid: list[list[Block | None]] = []
    for r, row in enumerate(rows):
        cells: list[Block | None] = [_cell_from_line(line, s, e, index, r, c) for c, (line, s, e) in enumerate(row)]
        cells.extend([None] * (width - len(cells)))
        grid.append(cells)
    return Table(index=index, rows=grid, unit=table_unit(above, grid))


def pipe_tables(blocks: list[Block], start_index: int) -> list[Table]:
    tables: list[Table] = []
    i = 0
    n = len(blocks)
    while i + 1 < n:
        head = blocks[i]
        if "|" in head.text and _PIPE_SEP.match(blocks[i + 1].text) and "\t" not in head.source_text:
            rows_src = [head]
            j = i + 2
            while j < n and "|" in blocks[j].text and blocks[j].text.strip():
                rows_src.append(blocks[j])
                j += 1
            index = start_index + len(tables)
            grid: list[list[Block | None]] = []
            for r, line in enumerate(rows_src):
                spans = _pipe_spans(line.text)
                grid.append([_cell_from_line(line, s, e, index, r, c) for c, (s, e) in enumerate(spans)])
            width = max(len(r) for r in grid)
            for row in grid:
                row.extend([None] * (width - len(row)))
            tables.append(Table(index=index, rows=grid, unit=table_unit(_lines_above(blocks, i), grid)))
            i = j
        else:
            i += 1
    return tables

