"""Auditing a report someone uploaded: the figures found, the relations checked, the findings."""

from __future__ import annotations

from dataclasses import dataclass

from jixiao.audit.findings import DocumentResult
from jixiao.audit.pipeline import audit_bytes
from jixiao.audit.render_html import render_html

#: the kinds of report file the audit reads
AUDIT_TYPES = (".txt", ".md", ".html", ".docx", ".pdf")


@dataclass
class UploadAudit:
    """The audit of one uploaded file, with the highlighted findings page when asked for."""

    result: DocumentResult
    html: str | None = None


def audit_upload(filename: str, data: bytes, *, html: bool = False) -> UploadAudit:
    """Audit an uploaded report file named ``filename`` (read from memory, never written to
    disk); with ``html`` also the page that shows each finding where it stands in the text. An
    unreadable file gives ``result.error``."""
    result = audit_bytes(data, filename, keep_document=html)
    return UploadAudit(result, render_html([result]) if html else None)


__all__ = ["AUDIT_TYPES", "UploadAudit", "audit_upload"]
