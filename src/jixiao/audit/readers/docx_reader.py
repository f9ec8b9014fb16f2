"""Word (docx): the zip is checked for bombs before any XML is parsed; then python-docx gives
the body's paragraphs and tables in order (content controls included, merged cells read once).
python-docx is imported only when a docx is read."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from typing import Any, Final

from jixiao.audit.document import Block, BlockKind, Document, ReadError, Table
from jixiao.audit.normalize import normalize_compact
from jixiao.audit.readers.limits import MAX_RATIO, MAX_SPAN, MAX_ZIP_MEMBERS, mb
from jixiao.audit.readers.table_unit import table_unit


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
                f"无法读取“{name}”：解压后将有 {mb(total)}，超过上限 {mb(max_unzipped)}，"
                "疑似“压缩炸弹”，拒绝打开。"
            )
        for i in infos:
            if i.file_size > 5 * 1024 * 1024 and i.file_size > MAX_RATIO * max(i.compress_size, 1):
                raise ReadError(
                    f"无法读取“{name}”：其中 {i.filename} 的压缩比超过 {MAX_RATIO} 倍"
                    f"（{mb(i.compress_size)} → {mb(i.file_size)}），疑似“压缩炸弹”，拒绝打开。"
                )
        names = {i.filename for i in infos}
        if "word/document.xml" not in names:
            raise ReadError(f"无法读取“{name}”：这是 zip 包，但不是 Word 文档（缺少 word/document.xml）。")


_W: Final = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(name: str, data: bytes, max_unzipped: int) -> Document:
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
            table.unit = table_unit(list(reversed(recent)), table.rows)
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

