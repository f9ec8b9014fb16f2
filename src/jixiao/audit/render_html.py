"""The HTML view of an audit: each document itself, every finding highlighted where it stands
and explained beside it (and on hover). Self-contained: inline CSS, no scripts, no CDN."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from jinja2 import Environment, PackageLoader, select_autoescape

from jixiao.audit.document import Block, Document
from jixiao.audit.findings import DocumentResult, Finding

_SEVERITY_RANK: Final = {"error": 0, "warning": 1, "info": 2}


@dataclass(slots=True)
class _Row:
    loc: str
    pieces: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)


def _env() -> Environment:
    return Environment(loader=PackageLoader("jixiao.audit", "templates"),
                       autoescape=select_autoescape(["html", "j2"]))


def _spans(block: Block, findings: list[tuple[int, Finding]]) -> list[tuple[int, int, int, Finding]]:
    """(start, end) in ``block.source_text`` for each finding, without overlaps."""
    out = []
    for number, f in findings:
        if f.start is None or f.end is None:
            continue
        s, e = block.original_span(f.start, f.end)
        out.append((s, e, number, f))
    out.sort(key=lambda x: (x[0], _SEVERITY_RANK.get(x[3].severity, 3)))
    cleaned: list[tuple[int, int, int, Finding]] = []
    last_end = -1
    for s, e, n, f in out:
        if s < last_end:
            continue
        cleaned.append((s, e, n, f))
        last_end = e
    return cleaned


def _rows(doc: Document, findings: list[Finding]) -> list[_Row]:
    by_block: dict[int, list[tuple[int, Finding]]] = {}
    for number, f in enumerate(findings, 1):
        if f.block is not None:
            by_block.setdefault(f.block, []).append((number, f))
    rows: list[_Row] = []
    for bi, block in enumerate(doc.blocks):
        source = block.source_text or block.text
        here = by_block.get(bi, [])
        loc = str(block.line) if block.line is not None else block.where()
        row = _Row(loc=loc)
        pos = 0
        for s, e, number, f in _spans(block, here):
            if s > pos:
                row.pieces.append({"text": source[pos:s], "finding": None})
            row.pieces.append({"text": source[s:e], "finding": number, "severity": f.severity,
                               "title": f"{f.code} {f.title}：{f.message}"})
            pos = e
        if pos < len(source):
            row.pieces.append({"text": source[pos:], "finding": None})
        for number, f in here:
            row.notes.append({"number": number, "code": f.code, "title": f.title, "message": f.message,
                              "severity": f.severity, "stated": f.stated, "expected": f.expected})
        rows.append(row)
    return rows


def render_html(results: list[DocumentResult]) -> str:
    """One self-contained page for all ``results`` (documents must have been kept)."""
    docs = []
    totals = {"error": 0, "warning": 0, "info": 0}
    for index, r in enumerate(results):
        for f in r.findings:
            totals[f.severity] = totals.get(f.severity, 0) + 1
        rows = _rows(r.document, r.findings) if isinstance(r.document, Document) else []
        docs.append({"index": index, "path": r.path, "chars": r.chars, "checks": r.checks,
                     "errors": r.errors, "warnings": r.warnings, "infos": r.infos,
                     "error": r.error, "rows": rows})
    title = results[0].path if len(results) == 1 else f"{len(results)} 份文件"
    return _env().get_template("audit.html.j2").render(docs=docs, totals=totals, title=title)
