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
    return Table(index=index, rows=grid, unit=table_unit(above, grid))
