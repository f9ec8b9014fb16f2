"""Auditing a report someone uploaded: the figures found, the relations checked, the findings.

Bounded work: an upload is measured before the audit reads it (:func:`check_audit_upload`) —
text length, a Word document's unzipped text part, a PDF's pages — so a 19 MB text file is a
clear refusal in a millisecond, not 40 seconds and 1.3 GB. A report of a hundred pages is about
200 KB of text; the bounds are ten times that.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from jixiao.app.errors import InvalidRequest
from jixiao.audit.findings import DocumentResult
from jixiao.audit.pipeline import audit_bytes
from jixiao.audit.render_html import render_html

#: the kinds of report file the audit reads
AUDIT_TYPES = (".txt", ".md", ".html", ".docx", ".pdf")
#: text (UTF-8 bytes) of a .txt or .md report: about 700 000 Chinese characters, 1 s of audit
MAX_TEXT_BYTES = 2 * 1024 * 1024
#: an .html report (markup included)
MAX_HTML_BYTES = 8 * 1024 * 1024
#: a .docx's word/document.xml unzipped
MAX_DOCX_XML_BYTES = 16 * 1024 * 1024
MAX_PDF_PAGES = 500
_PDF_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def check_audit_upload(filename: str, data: bytes) -> None:
    """Refuse (InvalidRequest, one Chinese sentence) a file larger than any report, before reading it."""
    suffix = Path(filename).suffix.lower()
    if suffix in (".txt", ".md") and len(data) > MAX_TEXT_BYTES:
        raise InvalidRequest(f"文本有 {_mb(len(data))}，超过审核上限 {_mb(MAX_TEXT_BYTES)}（约 70 万字）："
                             "请只上传报告本身")
    if suffix == ".html" and len(data) > MAX_HTML_BYTES:
        raise InvalidRequest(f"网页文件有 {_mb(len(data))}，超过审核上限 {_mb(MAX_HTML_BYTES)}：请只上传报告本身")
    if suffix == ".docx":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                size = archive.getinfo("word/document.xml").file_size
        except (KeyError, zipfile.BadZipFile, OSError, ValueError):
            return  # not a Word document: the audit says so
        if size > MAX_DOCX_XML_BYTES:
            raise InvalidRequest(f"Word 文档正文解压后有 {_mb(size)}，超过审核上限 {_mb(MAX_DOCX_XML_BYTES)}")
    if suffix == ".pdf":
        pages = len(_PDF_PAGE.findall(data))
        if pages > MAX_PDF_PAGES:
            raise InvalidRequest(f"PDF 有约 {pages} 页，超过审核上限 {MAX_PDF_PAGES} 页：请只上传报告本身")


@dataclass
class UploadAudit:
    """The audit of one uploaded file, with the highlighted findings page when asked for."""

    result: DocumentResult
    html: str | None = None


def audit_upload(filename: str, data: bytes, *, html: bool = False) -> UploadAudit:
    """Audit an uploaded report file named ``filename`` (read from memory, never written to
    disk); with ``html`` also the page that shows each finding where it stands in the text. An
    unreadable file gives ``result.error``; one past the bounds of :func:`check_audit_upload` is
    refused before it is read."""
    check_audit_upload(filename, data)
    result = audit_bytes(data, filename, keep_document=html)
    return UploadAudit(result, render_html([result]) if html else None)


__all__ = ["AUDIT_TYPES", "UploadAudit", "audit_upload", "check_audit_upload"]
