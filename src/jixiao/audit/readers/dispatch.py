"""The entry point: open a file within its size limit, tell its format from its content and its
extension (a renamed download is read as what it is; old Word, RTF and the like are refused with
a Chinese message), and hand it to that format's reader. Any library failure on a broken file
becomes a :class:`~jixiao.audit.document.ReadError`, never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from jixiao.audit.document import Document, ReadError
from jixiao.audit.readers.docx_reader import read_docx
from jixiao.audit.readers.encoding import decode_text
from jixiao.audit.readers.html_reader import read_html
from jixiao.audit.readers.limits import MAX_BYTES, MAX_PDF_PAGES, MAX_UNZIPPED, mb
from jixiao.audit.readers.pdf_reader import read_pdf
from jixiao.audit.readers.script import fold_traditional
from jixiao.audit.readers.text_reader import read_text

TEXT_SUFFIXES: Final = {".txt": "txt", ".text": "txt", ".csv": "txt", ".tsv": "txt", ".md": "md",
                        ".markdown": "md", ".html": "html", ".htm": "html", ".xhtml": "html"}


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
                f"无法读取“{name}”：文件有 {mb(size)}，超过上限 {mb(max_bytes)}，"
                "不像是一份绩效报告。"
            )
        with p.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except ReadError:
        raise
    except OSError as exc:
        raise ReadError(f"无法读取“{name}”：{exc.strerror or exc}。") from exc
    if len(data) > max_bytes:  # grew while we looked, or a special file
        raise ReadError(f"无法读取“{name}”：文件超过上限 {mb(max_bytes)}。")
    return read_bytes(data, name, max_unzipped=max_unzipped, max_pages=max_pages)


def read_bytes(
    data: bytes,
    name: str,
    *,
    max_bytes: int = MAX_BYTES,
    max_unzipped: int = MAX_UNZIPPED,
    max_pages: int = MAX_PDF_PAGES,
) -> Document:
    """Read a file held in memory (an upload) called ``name`` into a :class:`Document`, or raise
    :class:`ReadError`: the same limits and messages as :func:`read_document`."""
    if len(data) > max_bytes:
        raise ReadError(f"无法读取“{name}”：文件有 {mb(len(data))}，超过上限 {mb(max_bytes)}，"
                        "不像是一份绩效报告。")
    kind = _kind(Path(name).suffix.lower(), data, name)
    doc = _read_kind(kind, data, name, max_unzipped, max_pages)
    fold_traditional(doc)
    return doc


def _read_kind(kind: str, data: bytes, name: str, max_unzipped: int, max_pages: int) -> Document:
    try:
        if kind == "docx":
            return read_docx(name, data, max_unzipped)
        if kind == "pdf":
            return read_pdf(name, data, max_pages)
        text, notes = decode_text(data, name)
        if kind == "html":
            return read_html(name, text, notes)
        return read_text(name, text, notes, kind)
    except ReadError:
        raise
    except RecursionError as exc:
        raise ReadError(f"无法读取“{name}”：文件结构嵌套过深，无法解析。") from exc
    except MemoryError as exc:
        raise ReadError(f"无法读取“{name}”：文件过于复杂，内存不足。") from exc
    except Exception as exc:  # a reader library failed on a broken file: say so, never a traceback
        raise ReadError(f"无法读取“{name}”：文件已损坏或格式不受支持（{type(exc).__name__}）。") from exc


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

