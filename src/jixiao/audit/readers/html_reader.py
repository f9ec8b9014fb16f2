"""HTML: the standard library parser collects the visible text with its source offsets; each
source line becomes a block, and ``<table>`` rows and cells (``colspan``/``rowspan`` honoured)
become tables of extra cell blocks."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from html import unescape
from html.parser import HTMLParser
from typing import Any, Final

from jixiao.audit.document import Block, Document, Table
from jixiao.audit.normalize import normalize_compact
from jixiao.audit.readers.limits import MAX_COLUMNS, MAX_ROWSPAN, MAX_SPAN, MAX_SPAN_MARKS
from jixiao.audit.readers.table_unit import table_unit
from jixiao.audit.readers.text_reader import line_spans

_HTML_BLOCK: Final = {"p", "div", "br", "hr", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6",
                      "section", "article", "header", "footer", "blockquote", "pre", "title", "caption", "dt", "dd"}
_HTML_SKIP: Final = {"script", "style", "template", "head"}
_HTML_VOID: Final = {"br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr", "source"}


class _HtmlCollector(HTMLParser):
    """Collects text characters with their absolute offsets, and table structure."""

    def __init__(self, text: str, line_starts: list[int]) -> None:
        super().__init__(convert_charrefs=False)
        self.src = text
        self.line_starts = line_starts
        self.chars: list[str] = []  # text pieces (one or more chars) ...
        self.offsets: list[int] = []  # ... and the absolute offset of each piece
        self.skip = 0
        self.tables: list[dict[str, Any]] = []  # open tables (stack)
        self.done_tables: list[dict[str, Any]] = []
        self.cell: dict[str, Any] | None = None

    # position of the current event in the source
    def _abs(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col if line - 1 < len(self.line_starts) else len(self.src)

    def _emit(self, piece: str, offset: int) -> None:
        self.chars.append(piece)
        self.offsets.append(offset)
        if self.tables and self.tables[-1]["cell"] is not None:
            cell = self.tables[-1]["cell"]
            cell["chars"].append(piece)
            cell["offsets"].append(offset)

    def _separator(self, sep: str) -> None:
        if self.chars and not self.chars[-1].isspace():
            self._emit(sep, self._abs())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HTML_SKIP:
            self.skip += 1
            return
        if tag in ("td", "th"):
            first = not self.tables or not self.tables[-1]["row"]
            if first:
                self._separator(" ")
            elif not self.chars or self.chars[-1] != "\t":
                self._emit("\t", self._abs())
            if self.tables:
                t = self.tables[-1]
                if t["row"] is None:
                    t["row"] = []
                    t["rows"].append(t["row"])
                cell = {"chars": [], "offsets": [], "colspan": _span(attrs, "colspan"),
                        "rowspan": _span(attrs, "rowspan")}
                t["row"].append(cell)
                t["cell"] = cell
            return
        if tag == "table":
            self._separator(" ")
            self.tables.append({"rows": [], "row": None, "cell": None, "above": self._text_before()})
            return
        if tag == "tr" and self.tables:
            self._separator(" ")
            t = self.tables[-1]
            t["row"] = []
            t["rows"].append(t["row"])
            t["cell"] = None
            return
        if tag in _HTML_BLOCK:
            self._separator(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HTML_BLOCK:
            self._separator(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HTML_SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if tag in ("td", "th") and self.tables:
            self.tables[-1]["cell"] = None
        elif tag == "tr" and self.tables:
            self.tables[-1]["row"] = None
            self.tables[-1]["cell"] = None
        elif tag == "table" and self.tables:
            self.done_tables.append(self.tables.pop())
        if tag in _HTML_BLOCK:
            self._separator(" ")

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        start = self._abs()
        # the parser may hand over text that spans lines; offsets are consecutive in the source
        self.chars.append(data)
        self.offsets.append(start)
        if self.tables and self.tables[-1]["cell"] is not None:
            cell = self.tables[-1]["cell"]
            cell["chars"].append(data)
            cell["offsets"].append(start)

    def handle_entityref(self, name: str) -> None:
        if not self.skip:
            self._emit(unescape(f"&{name};"), self._abs())

    def handle_charref(self, name: str) -> None:
        if not self.skip:
            self._emit(unescape(f"&#{name};"), self._abs())

    def _text_before(self) -> str:
        tail = "".join(self.chars[-40:])
        return tail[-200:]


def _span(attrs: list[tuple[str, str | None]], key: str) -> int:
    limit = MAX_SPAN if key == "colspan" else MAX_ROWSPAN
    for k, v in attrs:
        if k == key and v:
            try:
                return max(1, min(int(v.strip()), limit))
            except ValueError:
                return 1
    return 1


def read_html(name: str, text: str, notes: list[str]) -> Document:
    spans = line_spans(text)
    line_starts = [s for s, _ in spans] or [0]
    parser = _HtmlCollector(text, line_starts)
    parser.feed(text)
    parser.close()
    # per line: the visible characters standing on it, with their offsets
    per_line: list[tuple[list[str], list[int]]] = [([], []) for _ in spans]
    for piece, off in zip(parser.chars, parser.offsets, strict=True):
        _distribute(piece, off, text, line_starts, per_line, bisect.bisect_right)
    blocks: list[Block] = []
    for i, (start, end) in enumerate(spans):
        chars, offs = per_line[i]
        visible = "".join(chars)
        lead = len(visible) - len(visible.lstrip())
        trail = len(visible.rstrip())
        if lead or trail < len(visible):
            visible, offs = visible[lead:trail], offs[lead:trail]
        norm, origin = normalize_compact(visible)
        rel = [o - start for o in offs]
        mapped = [rel[k] for k in origin] if origin or not norm else rel  # all removed: no origin
        if not origin and rel == list(range(len(rel))):
            mapped = []
        blocks.append(Block(text=norm, line=i + 1, source_text=text[start:end], origin=mapped))
    tables: list[Table] = []
    for t in parser.done_tables:
        table = _html_table(t, len(tables), text, spans, line_starts)
        if table is not None:
            tables.append(table)
    return Document(path=name, format="html", blocks=blocks, tables=tables, original_text=text,
                    chars=len(text), notes=notes)


def _distribute(piece: str, off: int, text: str, line_starts: list[int],
                per_line: list[tuple[list[str], list[int]]], bisect_right: Callable[..., int]) -> None:
    """Put each visible character of ``piece`` (starting at ``off``) on its source line."""
    is_source = text.startswith(piece, off)
    line = bisect_right(line_starts, off) - 1
    if not is_source:  # a decoded entity or an inserted separator: one unit at ``off``
        chars, offs = per_line[line]
        for ch in piece:
            if ch in "\r\n":
                continue
            chars.append(ch)
            offs.append(off)
        return
    pos = off
    for seg in re.split(r"(\r\n|\r|\n)", piece):
        if seg in ("\r\n", "\r", "\n"):
            pos += len(seg)
            line = bisect_right(line_starts, pos) - 1
            continue
        if seg:
            chars, offs = per_line[line]
            chars.append(seg)
            offs.extend(range(pos, pos + len(seg)))
            pos += len(seg)


def _html_table(t: dict[str, Any], index: int, text: str, spans: list[tuple[int, int]],
                line_starts: list[int]) -> Table | None:
    rows = [r for r in t["rows"] if r]
    if not rows:
        return None
    occupied: dict[tuple[int, int], bool] = {}
    placed: list[tuple[int, int, dict[str, Any]]] = []
    width = 0
    budget = MAX_SPAN_MARKS
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while occupied.get((r, c)):
                c += 1
            rowspan = min(cell["rowspan"], len(rows) - r)
            colspan = cell["colspan"]
            if rowspan * colspan > budget:  # absurd spans: read the cell as a plain one
                rowspan = colspan = 1
            if c + colspan > MAX_COLUMNS:
                break
            budget -= rowspan * colspan
            for dr in range(rowspan):
                for dc in range(colspan):
                    occupied[(r + dr, c + dc)] = True
            placed.append((r, c, cell))
            c += colspan
            width = max(width, c)
    grid: list[list[Block | None]] = [[None] * width for _ in rows]
    for r, c, cell in placed:
        raw = "".join(cell["chars"])
        offs: list[int] = []
        for piece, off in zip(cell["chars"], cell["offsets"], strict=True):
            if text.startswith(piece, off):
                offs.extend(range(off, off + len(piece)))
            else:
                offs.extend([off] * len(piece))
        # drop newlines and collapse the cell to its visible text
        keep = [k for k, ch in enumerate(raw) if ch not in "\r\n"]
        visible = "".join(raw[k] for k in keep)
        offs = [offs[k] for k in keep]
        lead = len(visible) - len(visible.lstrip())
        trail = len(visible.rstrip())
        visible, offs = visible[lead:trail], offs[lead:trail]
        if not visible:
            continue
        first_line = bisect.bisect_right(line_starts, offs[0]) - 1
        last_line = bisect.bisect_right(line_starts, offs[-1]) - 1
        base = spans[first_line][0]
        source = text[base:spans[last_line][1]]
        norm, origin = normalize_compact(visible)
        rel = [o - base for o in offs]
        mapped = [rel[k] for k in origin] if origin or not norm else rel  # all removed: no origin
        grid[r][c] = Block(text=norm, kind="cell", line=first_line + 1, table=index, row=r, col=c,
                           source_text=source, origin=mapped)
    above = [s for s in reversed(t["above"].splitlines()) if s.strip()][:2]
    return Table(index=index, rows=grid, unit=table_unit(above, grid))

