"""The audit pipeline: read → mentions → relations → checks → findings, for one file or many.

:func:`audit_path` never raises for a bad input: an unreadable file gives a
:class:`DocumentResult` whose ``error`` says why (the CLI exits 2). :func:`audit_paths` runs
many files across processes and keeps the input order.
"""

from __future__ import annotations

import glob
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Final

from jixiao.audit.checks import check_duplicates, check_table_budgets, run_checks
from jixiao.audit.checks.certainty import Certainty
from jixiao.audit.checks.repeats import check_repeats
from jixiao.audit.checks.typos import find_typos
from jixiao.audit.document import Document, ReadError
from jixiao.audit.facts import label_mentions
from jixiao.audit.findings import DocumentResult, Finding
from jixiao.audit.ledger import bind_document
from jixiao.audit.quantities import find_document_mentions
from jixiao.audit.readers import read_bytes, read_document
from jixiao.audit.relations import Relation, find_relations
from jixiao.audit.relations.ledger import ledger_relations

SUFFIXES: Final = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")


def audit_document(doc: Document, *, keep_document: bool = False) -> DocumentResult:
    """Audit a document already read (tests build documents by hand)."""
    mentions = find_document_mentions(doc)
    ledger = bind_document(doc, mentions)
    certainty = Certainty(ledger)
    typo_checks, typo_findings, typo_mentions = find_typos(doc, ledger, mentions)
    relations = [r for r in find_relations(doc, mentions) + ledger_relations(ledger)
                 if not _uses(r, typo_mentions)]
    involved: set[tuple[int, int]] = set()  # the figures of the errors found: their restatements add nothing
    checks, findings = run_checks(doc, relations, certainty.gate, involved)
    findings += typo_findings
    checks += typo_checks
    facts = label_mentions(doc, mentions)
    dup_checks, dup_findings = check_duplicates(doc, facts, findings, certainty.same_quantity)
    repeat_checks, repeats = check_repeats(doc, ledger, findings + dup_findings, involved)
    dup_checks += repeat_checks
    dup_findings += [r for r in repeats if (r.block, r.start) not in {(d.block, d.start) for d in dup_findings}]
    budget_checks, budget_findings = check_table_budgets(doc, mentions, facts)
    dup_checks += budget_checks
    dup_findings += budget_findings
    findings = sorted(findings + dup_findings, key=_order)
    return DocumentResult(
        path=doc.path,
        chars=doc.chars or sum(len(b.text) for b in doc.blocks),
        facts=len(facts),
        checks=checks + dup_checks,
        findings=findings,
        document=doc if keep_document else None,
    )


def _uses(rel: Relation, mentions: set[tuple[int, int]]) -> bool:
    """A relation with a figure whose typo changes its meaning is not checked with it."""
    if not mentions:
        return False
    figures = [rel.stated] + [t.mention for alt in rel.alternatives for side in alt for t in side]
    return any((m.block, m.start) in mentions for m in figures)


def _order(f: Finding) -> tuple[int, int, int]:
    return (f.block if f.block is not None else -1, f.start or 0, 0 if f.severity == "error" else 1)


def audit_path(path: str | os.PathLike[str], *, keep_document: bool = False) -> DocumentResult:
    """Audit one file. Unreadable input → ``error`` set, never an exception."""
    started = time.perf_counter()
    name = str(path)
    try:
        doc = read_document(name)
    except ReadError as exc:
        return DocumentResult(path=name, error=str(exc), seconds=time.perf_counter() - started)
    return _audited(doc, name, keep_document, started)


def audit_bytes(data: bytes, name: str, *, keep_document: bool = False) -> DocumentResult:
    """Audit a file held in memory (an upload) called ``name``: the same as :func:`audit_path`
    without a file on disk."""
    started = time.perf_counter()
    try:
        doc = read_bytes(data, name)
    except ReadError as exc:
        return DocumentResult(path=name, error=str(exc), seconds=time.perf_counter() - started)
    return _audited(doc, name, keep_document, started)


def _audited(doc: Document, name: str, keep_document: bool, started: float) -> DocumentResult:
    try:
        result = audit_document(doc, keep_document=keep_document)
    except RecursionError:
        return DocumentResult(path=name, chars=doc.chars, error=f"{name}：文本结构过深，无法审核",
                              seconds=time.perf_counter() - started)
    except Exception as exc:  # a defect in jixiao must not lose the other files' results
        return DocumentResult(path=name, chars=doc.chars,
                              error=f"{name}：审核时出现内部错误（{type(exc).__name__}: {exc}）",
                              seconds=time.perf_counter() - started)
    result.path = name
    result.seconds = time.perf_counter() - started
    return result


def expand_paths(args: Iterable[str]) -> tuple[list[str], list[str]]:
    """Files named by ``args``: files as given, directories walked for report files, globs
    expanded. Returns (files, arguments that matched nothing)."""
    files: list[str] = []
    missing: list[str] = []
    for arg in args:
        p = Path(arg)
        if p.is_dir():
            found = sorted(str(f) for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES)
            files += found
        elif p.exists():
            files.append(str(p))
        elif any(ch in arg for ch in "*?["):
            matched = sorted(m for m in glob.glob(arg, recursive=True) if Path(m).is_file())
            if matched:
                files += matched
            else:
                missing.append(arg)
        else:
            missing.append(arg)
    return list(dict.fromkeys(files)), missing  # each file once, in the order first named


def _audit_for_pool(path: str, keep_document: bool) -> DocumentResult:
    return audit_path(path, keep_document=keep_document)


def audit_paths(
    paths: list[str],
    *,
    jobs: int | None = None,
    keep_documents: bool = False,
    on_result: Callable[[DocumentResult], None] | None = None,
) -> list[DocumentResult]:
    """Audit many files, in parallel across ``jobs`` processes (default: all cores).

    Results come back in the order of ``paths``; ``on_result`` is called as each finishes
    (the CLI advances its progress bar there).
    """
    workers = jobs or os.cpu_count() or 1
    results: list[DocumentResult] = []
    if workers <= 1 or len(paths) <= 1:
        for p in paths:
            r = audit_path(p, keep_document=keep_documents)
            if on_result:
                on_result(r)
            results.append(r)
        return results
    workers = min(workers, len(paths))
    # Few large tasks rather than one per file: a chunk of files per message keeps the pickling
    # and queue traffic small (only results come back, without the documents unless asked).
    chunksize = max(1, min(32, len(paths) // (workers * 4)))
    try:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for r in pool.map(_audit_for_pool, paths, [keep_documents] * len(paths), chunksize=chunksize):
                if on_result:
                    on_result(r)
                results.append(r)
    except BrokenProcessPool:  # a worker died (memory...): the rest one by one, keep going
        results += _audit_one_per_task(paths[len(results):], workers, keep_documents, on_result)
    return results


def _audit_one_per_task(paths: list[str], workers: int, keep_documents: bool,
                        on_result: Callable[[DocumentResult], None] | None) -> list[DocumentResult]:
    """One task per file, so a file that kills its worker is reported alone."""
    out: dict[int, DocumentResult] = {}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(_audit_for_pool, p, keep_documents): i for i, p in enumerate(paths)}
        for fut in as_completed(futures):
            i = futures[fut]
            try:
                r = fut.result()
            except Exception as exc:
                r = DocumentResult(path=paths[i], error=f"{paths[i]}：审核进程异常退出（{exc}）")
            out[i] = r
            if on_result:
                on_result(r)
    return [out[i] for i in range(len(paths))]
