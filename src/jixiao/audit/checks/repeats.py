"""The same ledger quantity stated twice with two values (JX-DUP-001), read from the structure.

Two figures are the same quantity when the ledger files both under one fund (named by their own
words, row, column or heading — not only by the document's kind), one item, one year and one
span, both as values (not last year's, a change or a rate) and neither approximate. Written at
two precisions they are the same figure when their intervals meet (``15.18亿元`` and
``1517636097.34元``); otherwise the later one is reported once, against the first.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from typing import Final

from jixiao.audit.checks.arithmetic import in_unit
from jixiao.audit.checks.messages import fig_text, quote_around
from jixiao.audit.document import Document
from jixiao.audit.findings import Finding
from jixiao.audit.ledger.facts import LedgerFact
from jixiao.audit.ledger.vocab import TERM_RE
from jixiao.model.ledger import DEPARTMENT, OTHER
from jixiao.numbers import Interval, UnitError, dimension


def check_repeats(doc: Document, facts: list[LedgerFact], existing: list[Finding],
                  involved: set[tuple[int, int]] | None = None) -> tuple[int, list[Finding]]:
    groups: dict[tuple[str | None, str | None, int | None, str, str], list[LedgerFact]] = defaultdict(list)
    for f in facts:
        named = f.named or f.fund == DEPARTMENT  # a department's accounts are the department's
        if not (f.item and f.fund and named and f.role == "value" and f.typo is None) or f.item.startswith(OTHER):
            continue
        if f.mention.quantity.approx is not None or f.mention.comparator:
            continue
        if not f.extra.get("specific") or (f.parent is not None and (f.parent.fund, f.parent.item) == (f.fund, f.item)):
            continue  # an item read from a generic word, or a part of a total of the same name
        groups[(f.fund, f.item, f.year, f.span, str(f.extra.get("scope", "")))].append(f)
    flagged = {(x.block, x.start) for x in existing if x.severity == "error"}
    findings: list[Finding] = []
    checks = 0
    for (fund, item, year, span, _), same in groups.items():
        if len(same) < 2:
            continue
        same.sort(key=lambda f: (f.mention.block, f.mention.start))
        first = same[0]
        unit = first.mention.quantity.unit or first.unit
        known = {f.mention.quantity.value for f in same if (f.mention.block, f.mention.start) in flagged}
        for later in same[1:]:
            checks += 1
            if later.mention.block == first.mention.block or later.mention.quantity.value in known:
                continue  # the same slip restated: reported where first found
            if involved and ((first.mention.block, first.mention.start) in involved or
                             (later.mention.block, later.mention.start) in involved):
                continue  # a figure of an error already found: the same slip
            try:
                if _signed(first, unit).meets(_signed(later, unit)):
                    continue
            except UnitError:
                continue
            if _qualifier(doc, first) != _qualifier(doc, later):
                continue  # 手工结算…发放 / 一单制结算…合计: the words tell the two apart
            if _both_cells_apart(doc, first, later):
                continue  # two table cells: another row's words or another column (目标 / 实际完成)
            findings.append(_finding(doc, first, later, fund, item, year, span))
            break
    return checks, findings


def _signed(f: LedgerFact, unit: str) -> Interval:
    """A figure's interval with the sign its words give it (收支缺口1913万元 is −1913), in the unit
    the ledger read for it (a bare table cell under 单位：万元 is in 万元)."""
    m = f.mention
    if not m.quantity.unit and f.unit and dimension(f.unit) == "money":
        m = replace(m, quantity=replace(m.quantity, unit=f.unit))
    iv = in_unit(m, unit)
    return -iv if f.value < 0 < f.mention.quantity.value else iv


_FILLER: Final = re.compile(r"(?:19|20)\d\d\s*年度?|\d{1,2}\s*[-—至]?\s*\d{0,2}\s*月(?:份|末|底)?|[\d.,%]+"
                            r"|全市|全县|全区|全省|全国|市本级|本级|本年度?|当年|全年|年度|年末|年底|期末|月末|截至|截止|其中"
                            r"|共计|合计|总计|达到|实现|取得|发生|累计|同期|基金|资金|[为是达的了约共到至在]|[（）()\s“”\"、]")
_CLAUSE_END: Final = "，,；;。：:"


def _qualifier(doc: Document, f: LedgerFact) -> str:
    """What a figure's clause says besides its fund, item, period and filler words."""
    text = doc.blocks[f.mention.block].text
    k = f.mention.start
    lo = max(0, k - 40)
    while k > lo and text[k - 1] not in _CLAUSE_END:
        k -= 1
    words = TERM_RE.sub("", text[k:f.mention.start])
    return _FILLER.sub("", words)


def _both_cells_apart(doc: Document, a: LedgerFact, b: LedgerFact) -> bool:
    """Two cells that are two things: in one table, another row or column (目标 / 实际完成); in
    two 自评表 (an indicator per row, named by its 三级指标), rows of other indicators."""
    ca, cb = doc.blocks[a.mention.block], doc.blocks[b.mention.block]
    pa, pb = _cell_place(doc, a), _cell_place(doc, b)
    if pa is None or pb is None:
        return False
    if ca.table == cb.table:
        return pa != pb
    return _indicator_table(doc, ca.table) and _indicator_table(doc, cb.table) and pa[0] != pb[0]


def _indicator_table(doc: Document, index: int | None) -> bool:
    rows = doc.tables[index].rows if index is not None and index < len(doc.tables) else []
    return any(c is not None and "三级指标" in c.text for row in rows[:3] for c in row)


def _cell_place(doc: Document, f: LedgerFact) -> tuple[str, str] | None:
    """A table cell's row words (its label cells, without funds, items and filler) and its
    column's header; None for a figure of the prose."""
    cell = doc.blocks[f.mention.block]
    if cell.table is None or cell.row is None or cell.col is None or cell.table >= len(doc.tables):
        return None
    rows = doc.tables[cell.table].rows
    row = rows[cell.row] if cell.row < len(rows) else []
    label = "".join(c.text for c in row if c is not None and c.col != cell.col and not _FIGURE.fullmatch(c.text))
    head = rows[0][cell.col] if rows and cell.row > 0 and cell.col < len(rows[0]) else None
    return _FILLER.sub("", TERM_RE.sub("", label)), head.text if head is not None else ""


_FIGURE: Final = re.compile(r"[\s\d.,%+\-−≥≤<>=＝约万亿千元人次户个家月日年]*")


def _finding(doc: Document, first: LedgerFact, later: LedgerFact, fund: str | None, item: str | None,
             year: int | None, span: str) -> Finding:
    m1, m2 = first.mention, later.mention
    b1, b2 = doc.blocks[m1.block], doc.blocks[m2.block]
    where_first = b1.where() or "前文"
    period = f"{year}年" if year else ""
    if span != "1-12":
        period += f"{span}月"
    message = (f"{period}{fund}{item}在{where_first}为{fig_text(m1)}，此处为{fig_text(m2)}，"
               f"同一数额前后不一致")
    return Finding(code="JX-DUP-001", severity="error", message=message, stated=f"{m2.quantity.value:f}",
                   expected=f"{m1.quantity.value:f}", quote=quote_around(doc, m2), line=b2.line, page=b2.page,
                   where=b2.where(), figures={where_first: fig_text(m1), b2.where() or "此处": fig_text(m2)},
                   block=m2.block, start=m2.start, end=m2.end)
