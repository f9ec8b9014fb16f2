"""Read a report file (txt, md, html, docx, pdf) into a :class:`~jixiao.audit.document.Document`.

:func:`read_document` is the only entry point. It never lets a library exception escape: any
input that cannot be read becomes a :class:`~jixiao.audit.document.ReadError` whose Chinese
message says which file and why (not found, too large, zip bomb, corrupt, scanned PDF...).

What each format gives (``Document.blocks`` holds every piece of text once, in reading order):

* **txt / md** — one :class:`Block` per line of the file (``line`` 1-based, also for empty
  lines, so ``blocks[i].line == i + 1``), ``source_text`` the line as decoded, ``text`` the
  normalised line. Encoding: BOM (UTF-8/16/32), UTF-16 without BOM (recognised by its NUL
  bytes), strict UTF-8, strict GB18030, then charset-normalizer. Tab-separated lines forming a
  grid (seed 001: one row per line; seed 003: one cell per line with a leading tab, rows
  separated by blank lines) and Markdown pipe tables are *also* exposed as :class:`Table`\\ s
  whose cells are extra ``kind="cell"`` blocks (``line`` = the line they stand on,
  ``source_text`` = that whole line, ``origin`` = offsets in it); these cell blocks are not
  repeated in ``Document.blocks``, which keep the lines. Empty cells are ``None``.
* **html** — parsed with the standard library parser: one block per source line holding the
  text that stands on that line (tags removed, entities decoded, ``<script>``/``<style>``
  dropped, cell boundaries become a tab); ``<table>`` rows and cells become :class:`Table`\\ s of
  extra cell blocks (``colspan``/``rowspan`` honoured: a merged cell appears once, at its
  top-left, covered positions are ``None``).
* **docx** — paragraphs and tables in body order (the ``w:body`` children, content controls
  included). A non-empty paragraph is a block with ``paragraph`` = its index among non-empty
  body paragraphs (0-based; headings get ``kind="heading"``). Each table cell is a
  ``kind="cell"`` block *in* ``Document.blocks`` (there is no other copy of its text) and in
  its :class:`Table`; cells merged with ``gridSpan``/``vMerge`` are read once.
* **pdf** — pdfplumber: the text of each page as blocks with ``page`` (1-based; lines that
  wrap at the right margin are joined into one block, the newline dropped in ``text`` but kept
  in ``source_text``), and ``extract_tables`` grids as tables of extra cell blocks. A PDF
  without any text layer is refused as a scan.

``Block.origin == []`` means the identity map (``text`` is ``source_text`` with at most
one-for-one character folds), which keeps clean text cheap.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import logging
import re
import zipfile
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from jixiao.audit.document import Block, BlockKind, Document, ReadError, Table
from jixiao.audit.normalize import normalize_compact, normalize_lines

MAX_BYTES = 64 * 1024 * 1024  # a report is a few MB at most; refuse more
MAX_UNZIPPED = 200 * 1024 * 1024  # sum of declared sizes inside a docx
MAX_RATIO = 200  # a member that inflates more than this (and is large) is a zip bomb
MAX_ZIP_MEMBERS = 5000
MAX_PDF_PAGES = 2000

TEXT_SUFFIXES = {".txt": "txt", ".text": "txt", ".csv": "txt", ".tsv": "txt", ".md": "md",
                 ".markdown": "md", ".html": "html", ".htm": "html", ".xhtml": "html"}

_UNIT_WORDS = "万元|亿元|千元|百万元|元|万人次|人次|万人|人|%|个|家|户"
_UNIT_DECL = rf"单位\s*[：:]\s*(?:人民币)?({_UNIT_WORDS})(?![\u4e00-\u9fff])"  # 单位：万元, not 单位：人民医院
_UNIT_BRACKETS = rf"[（(]\s*({_UNIT_WORDS})\s*[）)]"
_UNIT_ABOVE = re.compile(rf"{_UNIT_DECL}|{_UNIT_BRACKETS}\s*$")
_UNIT_CELL = re.compile(rf"^\s*(?:金额)?{_UNIT_DECL}\s*$|^\s*{_UNIT_BRACKETS}\s*$")
_UNIT_IN_CELL = re.compile(_UNIT_DECL)


def read_document(
    path: str | Path,
    *,
    max_bytes: int = MAX_BYTES,
    max_unzipped: int = MAX_UNZIPPED,
    max_pages: int = MAX_PDF_PAGES,
) -> Document:
    """Read ``path`` into a :class:`Document`, or raise :class:`ReadError` (Chinese message)."""
    p = Path(path)
    name = str(path)
    try:
        if not p.exists():
            raise ReadError(f"无法读取“{name}”：文件不存在。")
        if p.is_dir():
            raise ReadError(f"无法读取“{name}”：这是一个目录，不是文件。")
        size = p.stat().st_size
        if size > max_bytes:
            raise ReadError(
                f"无法读取“{name}”：文件有 {_mb(size)}，超过上限 {_mb(max_bytes)}，"
                "不像是一份绩效报告。"
            )
        with p.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except ReadError:
        raise
    except OSError as exc:
        raise ReadError(f"无法读取“{name}”：{exc.strerror or exc}。") from exc
    if len(data) > max_bytes:  # grew while we looked, or a special file
        raise ReadError(f"无法读取“{name}”：文件超过上限 {_mb(max_bytes)}。")

    kind = _kind(p.suffix.lower(), data, name)
    try:
        if kind == "docx":
            return _read_docx(name, data, max_unzipped)
        if kind == "pdf":
            return _read_pdf(name, data, max_pages)
        text, notes = decode_text(data, name)
        if kind == "html":
            return _read_html(name, text, notes)
        return _read_text(name, text, notes, kind)
    except ReadError:
        raise
    except RecursionError as exc:
        raise ReadError(f"无法读取“{name}”：文件结构嵌套过深，无法解析。") from exc
    except MemoryError as exc:
        raise ReadError(f"无法读取“{name}”：文件过于复杂，内存不足。") from exc
    except Exception as exc:  # a reader library failed on a broken file: say so, never a traceback
        raise ReadError(f"无法读取“{name}”：文件已损坏或格式不受支持（{type(exc).__name__}）。") from exc


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


# ---------------------------------------------------------------------------------------------
# Format detection
# ---------------------------------------------------------------------------------------------


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return "zip"
    if data[:1024].lstrip().startswith(b"%PDF") or b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if data.startswith(b"{\\rtf"):
        return "rtf"
    return None


def _kind(suffix: str, data: bytes, name: str) -> str:
    sniffed = _sniff(data)
    if suffix in (".docx", ".docm", ".dotx"):
        if sniffed == "zip":
            return "docx"
        if sniffed == "pdf":
            return "pdf"
        if sniffed == "ole":
            raise ReadError(f"无法读取“{name}”：这是旧版 Word（.doc）格式，请在 Word 中另存为 .docx 后再审核。")
        raise ReadError(f"无法读取“{name}”：扩展名是 .docx，但内容不是 Word 文档（不是 zip 包），文件可能已损坏。")
    if suffix == ".pdf":
        if sniffed == "pdf":
            return "pdf"
        if sniffed == "zip":
            return "docx"
        raise ReadError(f"无法读取“{name}”：扩展名是 .pdf，但内容不是 PDF（缺少 %PDF 文件头），文件可能已损坏。")
    if suffix == ".doc" or sniffed == "ole":
        raise ReadError(f"无法读取“{name}”：这是旧版 Word（.doc）或其他 OLE 格式，请另存为 .docx 后再审核。")
    # a text extension on a Word or PDF file (a renamed download): trust the content
    if suffix in TEXT_SUFFIXES and sniffed not in ("zip", "pdf"):
        return TEXT_SUFFIXES[suffix]
    # unknown extension: look at the content
    if sniffed == "zip":
        return "docx"
    if sniffed == "pdf":
        return "pdf"
    if sniffed == "rtf":
        raise ReadError(f"无法读取“{name}”：RTF 格式不受支持，请另存为 .docx 或 .txt。")
    head = data[:2048].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:512]:
        return "html"
    return "txt"


# ---------------------------------------------------------------------------------------------
# Text decoding
# ---------------------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8（带 BOM）"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)


def decode_text(data: bytes, name: str = "") -> tuple[str, list[str]]:
    """Decode a text file; returns the text and notes such as ``检测到编码 GB18030``."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                break
            return _check_text(text, name), [f"检测到编码 {label}"]
    if not data:
        return "", []
    if b"\x00" in data:
        utf16 = _utf16_without_bom(data)
        if utf16 is not None:
            return _check_text(utf16[0], name), [f"检测到编码 {utf16[1]}（无 BOM）"]
    try:
        return _check_text(data.decode("utf-8"), name), []
    except UnicodeDecodeError:
        pass
    # UTF-8 with a few broken bytes (a truncated download, one bad character): keep it as UTF-8
    # rather than decoding the whole file as mojibake in another encoding
    lenient = data.decode("utf-8", errors="replace")
    broken = lenient.count("\ufffd") - data.count("\ufffd".encode())
    if broken <= max(1, len(lenient) // 2000) and _plausible(lenient):
        return lenient, [f"UTF-8 文本中有 {broken} 处无效字节，已替换为 \ufffd"]
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    else:
        if _plausible(text):
            return text, ["检测到编码 GB18030"]
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[: 4 * 1024 * 1024]).best()
    except Exception:  # pragma: no cover - detection library failure is just "unknown"
        best = None
    if best is not None and best.encoding:
        try:
            detected: str | None = data.decode(best.encoding)
        except (UnicodeDecodeError, LookupError):
            detected = None
        if detected is not None and _plausible(detected):
            return detected, [f"检测到编码 {best.encoding}"]
    raise ReadError(f"无法读取“{name}”：无法识别文本编码，文件可能不是文本（或已损坏）。")


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    sample = data[: 1 << 16]
    pairs = len(sample) // 2
    if pairs == 0 or len(data) % 2:
        return None
    even = sum(1 for i in range(0, pairs * 2, 2) if sample[i] == 0)
    odd = sum(1 for i in range(1, pairs * 2, 2) if sample[i] == 0)
    if odd > pairs * 0.1 and even < odd * 0.05:
        codec, label = "utf-16-le", "UTF-16LE"
    elif even > pairs * 0.1 and odd < even * 0.05:
        codec, label = "utf-16-be", "UTF-16BE"
    else:
        return None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    return (text, label) if _plausible(text) else None


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ufffd\ue000-\uf8ff]")


def _plausible(text: str) -> bool:
    """Mostly printable text: few control characters, replacement or private-use characters."""
    sample = text[:200_000]
    if not sample:
        return True
    bad = len(_CONTROL.findall(sample))
    return bad <= max(2, len(sample) // 100)


def _check_text(text: str, name: str) -> str:
    if not _plausible(text):
        raise ReadError(f"无法读取“{name}”：内容含大量控制字符，不是文本文件（可能是二进制文件）。")
    return text


# ---------------------------------------------------------------------------------------------
# txt / md
# ---------------------------------------------------------------------------------------------

_NEWLINE = re.compile(r"\r\n|\r|\n")


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


def _read_text(name: str, text: str, notes: list[str], fmt: str) -> Document:
    spans = line_spans(text)
    blocks: list[Block] = []
    md = fmt == "md"
    append = blocks.append
    for i, ((start, end), (norm, origin)) in enumerate(zip(spans, normalize_lines(text, spans), strict=True), 1):
        src = text[start:end]
        kind: BlockKind = "heading" if md and src.startswith("#") else "paragraph"
        append(Block(text=norm, kind=kind, line=i, source_text=src, origin=origin))
    tables = _tab_tables(blocks)
    if fmt == "md":
        tables.extend(_pipe_tables(blocks, start_index=len(tables)))
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


_DASHES = re.compile(r"^[\s\-—:|=_]*$")


def _tab_tables(blocks: list[Block]) -> list[Table]:
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
    return Table(index=index, rows=grid, unit=_table_unit(_lines_above(blocks, first_line - 1), grid))


def _lines_above(blocks: list[Block], first_index: int, count: int = 2, reach: int = 4) -> list[str]:
    out: list[str] = []
    k = first_index - 1
    while k >= 0 and k >= first_index - reach and len(out) < count:
        if blocks[k].text.strip():
            out.append(blocks[k].text)
        k -= 1
    return out


def _table_unit(above: list[str], grid: list[list[Block | None]]) -> str | None:
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


_PIPE_SEP = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


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


def _pipe_tables(blocks: list[Block], start_index: int) -> list[Table]:
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
            tables.append(Table(index=index, rows=grid, unit=_table_unit(_lines_above(blocks, i), grid)))
            i = j
        else:
            i += 1
    return tables


# ---------------------------------------------------------------------------------------------
# html
# ---------------------------------------------------------------------------------------------

_HTML_BLOCK = {"p", "div", "br", "hr", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6",
               "section", "article", "header", "footer", "blockquote", "pre", "title", "caption", "dt", "dd"}
_HTML_SKIP = {"script", "style", "template", "head"}
_HTML_VOID = {"br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr", "source"}
MAX_SPAN = 64  # colspan / gridSpan beyond this are clamped (real forms have a few dozen columns)
MAX_ROWSPAN = 1000
MAX_SPAN_MARKS = 200_000  # grid positions a table's merged cells may cover in total
MAX_COLUMNS = 256  # cells beyond this column are left out of the grid (their text stays in the lines)


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
            from html import unescape

            self._emit(unescape(f"&{name};"), self._abs())

    def handle_charref(self, name: str) -> None:
        if not self.skip:
            from html import unescape

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


def _read_html(name: str, text: str, notes: list[str]) -> Document:
    spans = line_spans(text)
    line_starts = [s for s, _ in spans] or [0]
    parser = _HtmlCollector(text, line_starts)
    parser.feed(text)
    parser.close()
    # per line: the visible characters standing on it, with their offsets
    per_line: list[tuple[list[str], list[int]]] = [([], []) for _ in spans]
    import bisect

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
        mapped = [rel[k] for k in origin] if origin else rel
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
    import bisect

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
        mapped = [rel[k] for k in origin] if origin else rel
        grid[r][c] = Block(text=norm, kind="cell", line=first_line + 1, table=index, row=r, col=c,
                           source_text=source, origin=mapped)
    above = [s for s in reversed(t["above"].splitlines()) if s.strip()][:2]
    return Table(index=index, rows=grid, unit=_table_unit(above, grid))


# ---------------------------------------------------------------------------------------------
# docx
# ---------------------------------------------------------------------------------------------


def _check_zip(name: str, data: bytes, max_unzipped: int) -> None:
    """Refuse a zip bomb before any XML is parsed."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ReadError(f"无法读取“{name}”：不是有效的 Word 文档（zip 包损坏或不完整）。") from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            raise ReadError(f"无法读取“{name}”：压缩包内有 {len(infos)} 个文件，超出正常 Word 文档，拒绝解压。")
        total = sum(i.file_size for i in infos)
        if total > max_unzipped:
            raise ReadError(
                f"无法读取“{name}”：解压后将有 {_mb(total)}，超过上限 {_mb(max_unzipped)}，"
                "疑似“压缩炸弹”，拒绝打开。"
            )
        for i in infos:
            if i.file_size > 5 * 1024 * 1024 and i.file_size > MAX_RATIO * max(i.compress_size, 1):
                raise ReadError(
                    f"无法读取“{name}”：其中 {i.filename} 的压缩比超过 {MAX_RATIO} 倍"
                    f"（{_mb(i.compress_size)} → {_mb(i.file_size)}），疑似“压缩炸弹”，拒绝打开。"
                )
        names = {i.filename for i in infos}
        if "word/document.xml" not in names:
            raise ReadError(f"无法读取“{name}”：这是 zip 包，但不是 Word 文档（缺少 word/document.xml）。")


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _read_docx(name: str, data: bytes, max_unzipped: int) -> Document:
    _check_zip(name, data, max_unzipped)
    import docx
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise ReadError(f"无法读取“{name}”：Word 文档已损坏，无法打开（{type(exc).__name__}）。") from exc
    body = document.element.body
    blocks: list[Block] = []
    tables: list[Table] = []
    paragraph_index = 0
    recent: list[str] = []  # the last non-empty paragraphs, for a 单位：万元 above a table

    def paragraph_text(p: Any) -> str:
        return str(Paragraph(p, document).text)

    for child in _body_children(body):
        tag = child.tag
        if tag == f"{_W}p":
            raw = paragraph_text(child)
            if not raw.strip():
                continue
            style = _style_name(child, document)
            heading = style.lower().startswith(("heading", "title")) or style.startswith("标题")
            kind: BlockKind = "heading" if heading else "paragraph"
            norm, origin = normalize_compact(raw)
            blocks.append(Block(text=norm, kind=kind, paragraph=paragraph_index, source_text=raw, origin=origin))
            paragraph_index += 1
            recent = [*recent[-1:], norm]
        elif tag == f"{_W}tbl":
            table = _docx_table(child, len(tables), paragraph_text)
            table.unit = _table_unit(list(reversed(recent)), table.rows)
            tables.append(table)
            for row in table.rows:
                blocks.extend(c for c in row if c is not None)
            recent = []
    chars = sum(len(b.source_text) for b in blocks)
    return Document(path=name, format="docx", blocks=blocks, tables=tables, chars=chars)


def _body_children(element: Any) -> Iterator[Any]:
    """Paragraphs and tables of the body in order, looking inside content controls (w:sdt)."""
    for child in element.iterchildren():
        tag = child.tag
        if tag in (f"{_W}p", f"{_W}tbl"):
            yield child
        elif tag in (f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml", f"{_W}smartTag"):
            yield from _body_children(child)


def _style_name(p: Any, document: Any) -> str:
    ppr = p.find(f"{_W}pPr")
    if ppr is None:
        return ""
    pstyle = ppr.find(f"{_W}pStyle")
    if pstyle is None:
        return ""
    style_id = pstyle.get(f"{_W}val") or ""
    try:
        style = document.styles.element.get_by_id(style_id)
        if style is not None:
            return str(style.name_val or style_id)
    except Exception:
        pass
    return style_id


def _docx_table(tbl: Any, index: int, paragraph_text: Callable[[Any], str]) -> Table:
    """A Word table as a grid: gridSpan/vMerge continuation positions are ``None``."""
    rows: list[list[Block | None]] = []
    for r, tr in enumerate(tbl.iterchildren(f"{_W}tr")):
        row: list[Block | None] = []
        trpr = tr.find(f"{_W}trPr")
        if trpr is not None:
            before = trpr.find(f"{_W}gridBefore")
            if before is not None:
                row.extend([None] * _int_attr(before, 1))
        for tc in _row_cells(tr):
            tcpr = tc.find(f"{_W}tcPr")
            span = 1
            continued = False
            if tcpr is not None:
                gs = tcpr.find(f"{_W}gridSpan")
                if gs is not None:
                    span = max(1, min(_int_attr(gs, 1), MAX_SPAN))
                vm = tcpr.find(f"{_W}vMerge")
                if vm is not None and vm.get(f"{_W}val") in (None, "continue"):
                    continued = True
            c = len(row)
            cell: Block | None = None
            if not continued:
                parts = [paragraph_text(p) for p in tc.iter(f"{_W}p")]
                raw = "\n".join(parts).strip()
                if raw:
                    norm, origin = normalize_compact(raw)
                    cell = Block(text=norm, kind="cell", table=index, row=r, col=c,
                                 source_text=raw, origin=origin)
            row.append(cell)
            row.extend([None] * (span - 1))
        rows.append(row)
    width = max((len(r) for r in rows), default=0)
    for row in rows:
        row.extend([None] * (width - len(row)))
    return Table(index=index, rows=rows)


def _row_cells(tr: Any) -> Iterator[Any]:
    for child in tr.iterchildren():
        if child.tag == f"{_W}tc":
            yield child
        elif child.tag in (f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml"):
            yield from _row_cells(child)


def _int_attr(el: Any, default: int) -> int:
    try:
        return int(el.get(f"{_W}val"))
    except (TypeError, ValueError):
        return default


# ---------------------------------------------------------------------------------------------
# pdf
# ---------------------------------------------------------------------------------------------


def _read_pdf(name: str, data: bytes, max_pages: int) -> Document:
    import pdfplumber

    for logger in ("pdfminer", "pdfplumber"):
        logging.getLogger(logger).setLevel(logging.ERROR)
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:
        raise ReadError(_pdf_open_error(name, exc)) from exc
    blocks: list[Block] = []
    tables: list[Table] = []
    notes: list[str] = []
    empty_pages: list[int] = []
    failed_pages: list[int] = []
    with pdf:
        try:
            pages = pdf.pages
        except Exception as exc:
            raise ReadError(_pdf_open_error(name, exc)) from exc
        if len(pages) > max_pages:
            raise ReadError(f"无法读取“{name}”：PDF 有 {len(pages)} 页，超过上限 {max_pages} 页。")
        if not pages:
            raise ReadError(f"无法读取“{name}”：PDF 没有任何页面。")
        for number, page in enumerate(pages, 1):
            try:
                lines = page.extract_text_lines(return_chars=False)
                found = page.find_tables()
                page_tables = [(t.extract(), t.bbox) for t in found]
            except Exception:
                failed_pages.append(number)
                continue
            finally:
                _close_page(page)
            if not lines:
                empty_pages.append(number)
            blocks.extend(_pdf_page_blocks(lines, number, float(page.width)))
            for rows, bbox in page_tables:
                above = _pdf_text_above(lines, bbox[1])
                table = _pdf_table(rows, len(tables), number, above)
                if table is not None:
                    tables.append(table)
    if not any(b.text.strip() for b in blocks):
        if failed_pages and len(failed_pages) == len(pages):
            raise ReadError(f"无法读取“{name}”：PDF 已损坏，所有页面都无法解析。")
        raise ReadError(
            f"无法读取“{name}”：这个 PDF 是扫描件，没有文字层（共 {len(pages)} 页，没有可提取的文字），"
            "请先用 OCR 转成文字版 PDF 或提供 Word/文本版。"
        )
    if empty_pages:
        notes.append(f"第{_page_list(empty_pages)}页没有文字层（可能是扫描页），未审核")
    if failed_pages:
        notes.append(f"第{_page_list(failed_pages)}页已损坏，无法解析，未审核")
    chars = sum(len(b.source_text) for b in blocks)
    return Document(path=name, format="pdf", blocks=blocks, tables=tables, chars=chars, notes=notes)


def _close_page(page: Any) -> None:
    with contextlib.suppress(Exception):
        page.close()


def _page_list(pages: list[int]) -> str:
    return "、".join(str(p) for p in pages[:20]) + ("等" if len(pages) > 20 else "")


def _pdf_open_error(name: str, exc: Exception) -> str:
    kind = type(exc).__name__
    described = f"{kind} {exc!r}".lower()
    if "password" in described or "encrypt" in described:
        return f"无法读取“{name}”：PDF 已加密（需要密码），请提供未加密的版本。"
    return f"无法读取“{name}”：PDF 已损坏或不完整，无法打开（{kind}）。"


def _pdf_page_blocks(lines: list[dict[str, Any]], page: int, width: float) -> list[Block]:
    """Lines of one page, joining a line that runs to the right margin with the next one."""
    if not lines:
        return []
    right = max(float(ln["x1"]) for ln in lines)
    left = min(float(ln["x0"]) for ln in lines)
    groups: list[list[str]] = []
    current: list[str] = []
    span = max(right - left, 1.0)
    for k, ln in enumerate(lines):
        text = str(ln["text"])
        current.append(text)
        gap = right - float(ln["x1"])
        # a line that runs to the right margin continues on the next line; so does one that
        # stops a little short (CJK wrapping does not break inside "105.39%") without ending
        # a sentence
        full = gap <= max(12.0, width * 0.03) or (gap <= span * 0.2 and not text.rstrip().endswith(_STOPS))
        next_indented = k + 1 < len(lines) and float(lines[k + 1]["x0"]) > left + 12.0
        if not full or next_indented or k + 1 == len(lines):
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    blocks: list[Block] = []
    for group in groups:
        source = "\n".join(group)
        joined_parts: list[str] = []
        origin: list[int] = []
        pos = 0
        for k, part in enumerate(group):
            joined_parts.append(part)
            origin.extend(range(pos, pos + len(part)))
            pos += len(part) + 1
            if k + 1 < len(group) and _needs_space(part, group[k + 1]):
                joined_parts.append(" ")
                origin.append(pos - 1)
        joined = "".join(joined_parts)
        norm, norigin = normalize_compact(joined)
        mapped = [origin[i] for i in norigin] if norigin else origin
        if mapped == list(range(len(norm))):
            mapped = []
        blocks.append(Block(text=norm, page=page, source_text=source, origin=mapped))
    return blocks


_STOPS = ("。", "！", "？", "；", "：", ":", ";", ".", "!", "?")


def _needs_space(a: str, b: str) -> bool:
    """Latin words broken across lines need a space; Chinese text does not."""
    return bool(a) and bool(b) and a[-1].isascii() and a[-1].isalpha() and b[0].isascii() and b[0].isalpha()


def _pdf_text_above(lines: list[dict[str, Any]], top: float) -> list[str]:
    above = [ln for ln in lines if float(ln["top"]) < top]
    above.sort(key=lambda ln: float(ln["top"]), reverse=True)
    return [str(ln["text"]) for ln in above[:2]]


def _pdf_table(rows: list[list[str | None]], index: int, page: int, above: list[str]) -> Table | None:
    if not rows or max((len(r) for r in rows), default=0) < 2 or len(rows) < 2:
        return None
    grid: list[list[Block | None]] = []
    width = max(len(r) for r in rows)
    for r, row in enumerate(rows):
        cells: list[Block | None] = []
        for c, raw in enumerate(row):
            if raw is None or not raw.strip():
                cells.append(None)
                continue
            norm, origin = normalize_compact(raw)
            cells.append(Block(text=norm, kind="cell", page=page, table=index, row=r, col=c,
                               source_text=raw, origin=origin))
        cells.extend([None] * (width - len(cells)))
        grid.append(cells)
    return Table(index=index, rows=grid, unit=_table_unit(above, grid))
