"""PDF: pdfplumber gives each page's text lines (a line running to the right margin is joined
to the next) and its table grids; a PDF without a text layer is refused as a scan. pdfplumber
is imported only when a PDF is read."""

from __future__ import annotations

import contextlib
import io
import logging
from typing import Any

from jixiao.audit.document import Block, Document, ReadError, Table
from jixiao.audit.normalize import normalize_compact
from jixiao.audit.readers.table_unit import table_unit


def read_pdf(name: str, data: bytes, max_pages: int) -> Document:
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
        last_was_table = False
        for number, page in enumerate(pages, 1):
            try:
                lines = page.extract_text_lines(return_chars=False)
                found = page.find_tables()
                page_tables = sorted(((t.extract(), t.bbox) for t in found), key=lambda tb: float(tb[1][1]))
                width = float(page.width)
            except Exception:
                failed_pages.append(number)
                continue
            finally:
                _close_page(page)
            if not lines:
                empty_pages.append(number)
            last_was_table = _pdf_page(lines, page_tables, number, width, blocks, tables, last_was_table)
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


def _pdf_page(lines: list[dict[str, Any]], page_tables: list[tuple[Any, Any]], number: int, width: float,
              blocks: list[Block], tables: list[Table], continues: bool) -> bool:
    """One page: its text lines outside the tables as paragraphs, and each table as cell blocks
    where it stands (a table that goes on from the page before is joined to it). Returns
    whether the page ends with a table."""
    boxes = [bbox for _, bbox in page_tables]
    free = [ln for ln in lines if not any(_inside_box(ln, b) for b in boxes)]
    cursor = 0.0
    ends_with_table = False
    for k, (rows, bbox) in enumerate(page_tables):
        top, bottom = float(bbox[1]), float(bbox[3])
        before = [ln for ln in free if cursor <= float(ln["top"]) < top]
        blocks.extend(_pdf_page_blocks(before, number, width))
        above = _pdf_text_above(lines, top)
        joined = k == 0 and not before and continues and tables and _continues(tables[-1], rows)
        table = _pdf_table(rows, tables[-1].index if joined else len(tables), number, above,
                           first_row=len(tables[-1].rows) if joined else 0)
        if table is not None:
            if joined:
                tables[-1].rows.extend(table.rows)
            else:
                tables.append(table)
            blocks.extend(c for row in table.rows for c in row if c is not None)
        cursor = bottom
        ends_with_table = True
    rest = [ln for ln in free if float(ln["top"]) >= cursor]
    if rest:
        ends_with_table = False
    blocks.extend(_pdf_page_blocks(rest, number, width))
    return ends_with_table


def _inside_box(line: dict[str, Any], bbox: Any) -> bool:
    mid = (float(line["top"]) + float(line["bottom"])) / 2
    return float(bbox[1]) <= mid <= float(bbox[3]) and float(line["x1"]) > float(bbox[0]) and \
        float(line["x0"]) < float(bbox[2])


def _continues(previous: Table, rows: list[list[str | None]]) -> bool:
    """A table at the top of a page goes on the one that ended the page before: as many columns,
    and no header row of its own (its first cell is not the previous table's first cell)."""
    width = max((len(r) for r in previous.rows), default=0)
    if not rows or max(len(r) for r in rows) != width:
        return False
    head = previous.rows[0][0].text if previous.rows and previous.rows[0] and previous.rows[0][0] else ""
    return (rows[0][0] or "").strip() != head


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


def _pdf_table(rows: list[list[str | None]], index: int, page: int, above: list[str],
               first_row: int = 0) -> Table | None:
    if not rows or max((len(r) for r in rows), default=0) < 2 or (len(rows) < 2 and not first_row):
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
            cells.append(Block(text=norm, kind="cell", page=page, table=index, row=first_row + r, col=c,
                               source_text=raw, origin=origin))
        cells.extend([None] * (width - len(cells)))
        grid.append(cells)
    return Table(index=index, rows=grid, unit=table_unit(above, grid))
