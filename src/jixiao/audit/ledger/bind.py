"""The binder: a document's figures filed in the ledger, structure first.

The document is read as sections (headings that name a fund, a period, a unit, a budget),
tables (bound by row and column, :mod:`.tables`) and running text (bound sentence by sentence,
:mod:`.prose`). What a figure inherits comes from the innermost of these that says it; the
document's own kind (a fund report, a department's accounts, a project's self-evaluation) and
period (its title) come last.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import PurePath
from typing import Final

from jixiao.audit.document import Document, Mention
from jixiao.audit.ledger.facts import LedgerFact
from jixiao.audit.ledger.periods import document_period
from jixiao.audit.ledger.prose import ProseBinder
from jixiao.audit.ledger.sections import (
    INSURED_COUNT,
    Outline,
    Section,
    heading_text,
    numbering_level,
    section_of,
)
from jixiao.audit.ledger.tables import TableBinder, cell_mentions, prose_cell
from jixiao.audit.ledger.vocab import EMP, EMPM, TERM_OF, TERM_RE, TOTAL
from jixiao.audit.ledger.words import Context, ProseState
from jixiao.model.ledger import DEPARTMENT, PROJECT

_DEPARTMENT_DOC: Final = re.compile(r"部门整体支出|部门决算|单位决算|部门预算|整体支出绩效|部门（单位）|机构和人员"
                                    r"|部门概况|单位基本情况|部门职能|单位职能")
_PROJECT_DOC: Final = re.compile(r"项目支出绩效自评表|项目绩效自评|项目名称")
#: the employee fund includes maternity (合并实施, 列支生育保险待遇, （含生育）)
_MERGED: Final = re.compile(r"职工[^。；]{0,12}[（(]含生育|生育保险[^。；]{0,10}合并|合并[^。；]{0,10}生育保险"
                            r"|职工[^。；]{0,16}(?:列支|支付)生育(?:保险)?待遇|职工基本医疗保险与生育保险")
_SEPARATE_MATERNITY: Final = re.compile(r"生育保险(?:基金)?(?:收入|总收入)")
_HEAD_STOP: Final = re.compile(r"[。：:；;！？]")
_DOC_UNIT: Final = re.compile(r"^[\s（(]*(?:金额)?单位[：:]\s*(万元|亿元|元)[）)]?\s*$|单位均为(万元|亿元|元)")


def document_kind(lines: list[str]) -> str:
    head = "\n".join(lines[:8])
    if _PROJECT_DOC.search(head):
        return "project"
    if _DEPARTMENT_DOC.search(head):
        return "department"
    return "fund"


def _enter_heading(outline: Outline, state: ProseState, head: tuple[int, str], seen_numbered: bool, bi: int,
                   text: str, has_figures: bool, numbered: tuple[int, int] | None) -> int:
    """Open the section a heading starts; returns where the heading's words end in ``text`` (an
    unnumbered heading before any numbered one is the document's top level)."""
    level, words = head
    if level < 0:
        level = 9 if seen_numbered else 0
    outline.enter(section_of(level, words, bi))
    state.outline = []
    state.open_list = None
    if numbered is None:  # numbering_level(text)
        return len(text)
    stop = _HEAD_STOP.search(text)
    return stop.end() if stop and has_figures else len(text)


def bind_document(doc: Document, mentions: list[Mention]) -> list[LedgerFact]:
    """Every figure of ``doc`` with its fund, item, year, span, role and the total it is listed
    under (``parent``); a figure the binder cannot file has ``item`` None."""
    lines = [b.text for b in doc.blocks if b.kind != "cell"]
    period = document_period(lines, PurePath(doc.path).stem)
    kind = document_kind(lines)
    whole = "\n".join(lines)
    employee_with_maternity = bool(_MERGED.search(whole)) and not _SEPARATE_MATERNITY.search(whole)
    doc_unit = next((m.group(1) or m.group(2) for t in lines[:40] if (m := _DOC_UNIT.search(t.strip()))), None)
    title_fund = _title_fund(lines[:3])
    base_fund = DEPARTMENT if kind == "department" else title_fund
    by_block: dict[int, list[Mention]] = {}
    for mention in mentions:
        by_block.setdefault(mention.block, []).append(mention)
    block_index = {id(b): i for i, b in enumerate(doc.blocks)}
    table_lines = {c.line for t in doc.tables for row in t.rows
                   if not any(c is not None and prose_cell(c.text) for c in row)
                   for c in row if c is not None and c.line is not None and id(c) not in block_index}
    line_block = {b.line: i for i, b in enumerate(doc.blocks) if b.line is not None and b.kind != "cell"}
    outline = Outline()
    state = ProseState()
    facts: list[LedgerFact] = []
    contexts: dict[int, Context] = {}  # block → the context in force (for the tables)
    #: a table's block or a block without figures → the sections in force there (its context is made
    #: only if a table starts there)
    cell_sections: dict[int, list[Section]] = {}
    seen_numbered = False
    for bi, block in enumerate(doc.blocks):
        text = block.text
        if not text.strip():
            continue
        if (block.kind == "cell" and not prose_cell(text)) or (block.line is not None and block.line in table_lines):
            cell_sections[bi] = list(outline.stack)
            continue
        ms = by_block.get(bi, [])
        numbered = numbering_level(text)
        head = heading_text(text, ms[0].start if ms else None, numbered)
        head_end = 0
        if head is not None:
            seen_numbered = seen_numbered or head[0] >= 0
            head_end = _enter_heading(outline, state, head, seen_numbered, bi, text, bool(ms), numbered)
        if not ms:
            cell_sections[bi] = list(outline.stack)
            continue
        ctx = _context(outline, period, kind, base_fund, title_fund, doc_unit)
        contexts[bi] = ctx
        if ctx.fund in (EMP,) and employee_with_maternity:
            ctx.fund = EMPM
        level = numbered[0] if numbered is not None and head is None else None
        binder = ProseBinder(ctx, state, block, bi, ms, level, head_end)
        got = binder.bind()
        if employee_with_maternity:
            for f in got:
                if f.fund == EMP:
                    f.fund = EMPM
        facts.extend(got)

    def context_of(sections: list[Section]) -> Context:
        return _context(Outline(sections), period, kind, base_fund, title_fund, doc_unit)

    facts.extend(_table_facts(doc, by_block, block_index, line_block, contexts, cell_sections, context_of,
                              employee_with_maternity))
    facts.sort(key=lambda f: (f.mention.block, f.mention.start))
    _generic_total(facts)
    if kind == "project":
        _project_prose(facts)
    for f in facts:
        _doubled_unit(f)
    return facts


def _table_facts(doc: Document, by_block: dict[int, list[Mention]], block_index: dict[int, int],
                 line_block: dict[int, int], contexts: dict[int, Context], cell_sections: dict[int, list[Section]],
                 context_of: Callable[[list[Section]], Context], employee_with_maternity: bool) -> list[LedgerFact]:
    """The facts of every table, each bound in the context of the block it starts at."""
    facts: list[LedgerFact] = []
    for t_index, table in enumerate(doc.tables):
        first = _first_block(table, block_index, line_block)
        if first is not None and first in cell_sections and first not in contexts:
            contexts[first] = context_of(cell_sections[first])
        found = contexts.get(first) if first is not None else None
        ctx = found or context_of([])
        if table.unit and not ctx.unit:
            ctx.unit = table.unit
        cells = cell_mentions(doc, table, by_block, block_index, line_block)
        facts.extend(TableBinder(table, ctx, cells, [t_index + 1], employee_with_maternity).bind())
    return facts


def _project_prose(facts: list[LedgerFact]) -> None:
    """A 自评表's sentences (偏差原因, 自评结论) speak of its one project: a figure no heading or
    word gives a fund is that project's (not named: no certainty rests on it)."""
    projects = {f.fund for f in facts if f.fund and f.fund.startswith(PROJECT)}
    if len(projects) != 1:
        return
    project = projects.pop()
    for f in facts:
        if f.fund is None and f.item is not None:
            f.fund, f.named = project, False


#: a unit word written twice (8765.43万万元): a slip of the keyboard, not a figure 10⁴ times larger
_DOUBLED: Final = re.compile(r"(万万|亿亿|千千)(元|人)")


def _doubled_unit(f: LedgerFact) -> None:
    """File a figure whose unit is doubled at the value and unit the context means, marked as a typo
    (the checks report it once and compute nothing with it)."""
    m = _DOUBLED.search(f.mention.raw)
    if m is None:
        return
    digits = re.match(r"\s*-?[\d.,，]+", f.mention.raw)
    written = digits.group(0).replace(",", "").replace("，", "").strip() if digits else ""
    try:
        f.value = Decimal(written)
    except ArithmeticError:
        return
    f.typo = m.group(0)
    f.unit = m.group(1)[0] + m.group(2)


def _generic_total(facts: list[LedgerFact]) -> None:
    """``2019年基本医疗保险基金支出65884万元`` after ``职工医疗保险基金（含生育）…支出65884万元``:
    a paragraph that names only the generic fund but repeats, figure for figure, what one fund
    states is about that fund. Anchors: its money figures equal to one specific fund's (same
    item, period and value as written); none that differs from that fund's."""
    specific: dict[tuple[str | None, int | None, str, str], dict[str, set[str]]] = {}
    for f in facts:
        if f.fund not in (None, TOTAL, DEPARTMENT) and f.item and f.role == "value" and f.table is None \
                and f.mention.quantity.dimension == "money" and f.value != 0:
            values = specific.setdefault((f.item, f.year, f.span, f.mention.quantity.unit), {})
            values.setdefault(f"{f.value}", set()).add(f.fund)
    blocks: dict[int, list[LedgerFact]] = {}
    for f in facts:
        if f.fund == TOTAL and f.table is None:
            blocks.setdefault(f.mention.block, []).append(f)
    for group in blocks.values():
        anchors: set[str] = set()
        money = [f for f in group if f.item and f.role == "value" and f.mention.quantity.dimension == "money"]
        for f in money:
            anchors |= specific.get((f.item, f.year, f.span, f.mention.quantity.unit), {}).get(f"{f.value}", set())
        if len(anchors) != 1:
            continue
        fund = next(iter(anchors))
        clash = any(fund not in specific.get((f.item, f.year, f.span, f.mention.quantity.unit), {}).get(f"{f.value}",
                                                                                                     {fund})
                    and fund in {x for v in specific.get((f.item, f.year, f.span, f.mention.quantity.unit), {}).values()
                                 for x in v} for f in money)
        if not clash:
            for f in group:
                f.fund = fund


def _first_block(table: object, block_index: dict[int, int], line_block: dict[int, int]) -> int | None:
    for row in table.rows:  # type: ignore[attr-defined]
        for c in row:
            if c is None:
                continue
            if id(c) in block_index:
                return block_index[id(c)]
            if c.line is not None and c.line in line_block:
                return line_block[c.line]
    return None


def _title_fund(lines: list[str]) -> str | None:
    """The fund a document's title names (a title: a short line without figures)."""
    for t in lines:
        if len(t.strip()) > 50 or re.search(r"\d+(?:\.\d+)?\s*(?:万元|亿元|元|万人|人|%)", t):
            continue
        funds = [TERM_OF[m.group()].fund for m in TERM_RE.finditer(t) if TERM_OF[m.group()].fund]
        funds = [f for f in funds if f]
        if len(set(funds)) == 1:
            return funds[0]
        if len(set(funds)) > 1:
            return TOTAL
    return None


def _context(outline: Outline, period: object, kind: str, base_fund: str | None, title_fund: str | None,
             doc_unit: str | None) -> Context:
    fund = outline.fund()
    named = fund is not None
    if fund is None:
        fund = base_fund
        named = fund is not None and fund == title_fund
    year = outline.year() or period.year  # type: ignore[attr-defined]
    span = outline.span() or period.span  # type: ignore[attr-defined]
    item = outline.item()
    return Context(fund=fund, named=named, year=year, span=span, kind=kind, budget=outline.budget(),
                   unit=outline.unit() or doc_unit, path=tuple(s.block for s in outline.stack),
                   item=item if kind == "department" or item == INSURED_COUNT else None)
