"""Typos that change what a number means, each reported once, its figure kept out of the arithmetic.

- a doubled unit (``432518万万元``: 万万元 is 亿元; the figure is meant in 万元) — JX-TYP-001;
- one part of a list written in another unit than the total and the other parts (``利息收入2316亿元``
  among 万元 figures) when only the list's unit makes the list add up — JX-TYP-001;
- a 文号 whose bracket was lost (``医保发2019〕8号`` read as a number 20198) — JX-TYP-002;
- a period missing its 月 (``截至11底``) — JX-TYP-002, a warning: the reading is clear.
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from typing import Final

from jixiao.audit.checks.arithmetic import in_unit
from jixiao.audit.checks.messages import quote_around
from jixiao.audit.document import Document, Mention
from jixiao.audit.findings import Finding
from jixiao.audit.ledger.facts import LedgerFact
from jixiao.numbers import Quantity, UnitError, interval_sum
from jixiao.problems import Severity

#: a document number (文号) that lost one bracket or both: 发〔2019 8号, 发2019〕8号, 发20198号
_DOC_NUMBER: Final = re.compile(r"(?:发|字|函|办|规|令)\s*(?:"
                                r"[〔\[【（(]\s*((?:19|20)\d{2})(?![〕\]】）)\d])\s*(\d{1,4})|"
                                r"((?:19|20)\d{2})\s*[〕\]】）)]\s*(\d{1,4})|"
                                r"((?:19|20)\d{2})(\d{1,4}))\s*号")
_PERIOD_MISSING_MONTH: Final = re.compile(r"(?:截至|截止|至)\s*(\d{1,2})\s*(?:底|末)")


def find_typos(doc: Document, facts: list[LedgerFact],
               mentions: list[Mention]) -> tuple[int, list[Finding], set[tuple[int, int]]]:
    """(checks made, findings, the figures not to compute with: (block, start) of each)."""
    findings: list[Finding] = []
    excluded: set[tuple[int, int]] = set()
    checks = 0
    for f in facts:
        if f.typo is None:
            continue
        checks += 1
        written = f"{f.value:f}"
        excluded.add((f.mention.block, f.mention.start))
        findings.append(_finding(doc, f.mention, "JX-TYP-001", "error", written, f"{written}{f.unit}",
                                 f"单位写成“{f.typo}”（即{_as_big(f.typo)}），按上下文应为{f.unit}："
                                 f"{written}{f.unit}；此数未参与核对"))
    c, found = _odd_unit_parts(doc, facts, excluded)
    checks += c
    findings += found
    c, found = _text_typos(doc, excluded)
    checks += c
    findings += found
    spans = [(f.block, f.start or 0, f.end or 0) for f in found]
    for mention in mentions:
        if any(b == mention.block and s <= mention.start < e for b, s, e in spans):
            excluded.add((mention.block, mention.start))
    return checks, findings, excluded


def _as_big(word: str) -> str:
    return {"万万元": "亿元", "亿亿元": "亿亿元", "万万人": "亿人"}.get(word, word)


def _odd_unit_parts(doc: Document, facts: list[LedgerFact],
                    excluded: set[tuple[int, int]]) -> tuple[int, list[Finding]]:
    """A listed part in another money unit than its total and siblings that makes the list add up
    only when read in their unit."""
    groups: dict[int, list[LedgerFact]] = defaultdict(list)
    totals: dict[int, LedgerFact] = {}
    for f in facts:
        if f.parent is not None and f.role == "value" and f.mention.quantity.dimension == "money":
            groups[id(f.parent)].append(f)
            totals[id(f.parent)] = f.parent
    findings = []
    checks = 0
    for pid, parts in groups.items():
        total = totals[pid]
        unit = total.mention.quantity.unit
        odd = [p for p in parts if p.mention.quantity.unit not in (unit, "")]
        if len(odd) != 1 or len(parts) < 2 or not unit:
            continue
        checks += 1
        p = odd[0]
        try:
            as_written = interval_sum([in_unit(x.mention, unit) for x in parts])
            meant = interval_sum([x.mention.quantity.interval() if x is p else in_unit(x.mention, unit) for x in parts])
            stated = total.mention.quantity.interval()
        except UnitError:
            continue
        if as_written.meets(stated) or not meant.meets(stated):
            continue
        q = p.mention.quantity
        p.typo = q.unit
        excluded.add((p.mention.block, p.mention.start))
        findings.append(_finding(doc, p.mention, "JX-TYP-001", "error", f"{q.value:f}", f"{q.value:f}{unit}",
                                 f"{q.value:f}{q.unit}应为{q.value:f}{unit}：同列各项与合计{total.mention.raw.strip()}"
                                 f"都以{unit}计，按{unit}读各项之和恰为合计，按{q.unit}读则远超合计；此数未参与核对"))
    return checks, findings


def _text_typos(doc: Document, excluded: set[tuple[int, int]]) -> tuple[int, list[Finding]]:
    findings = []
    checks = 0
    for bi, block in enumerate(doc.blocks):
        text = block.text
        if "号" in text:
            for m in _DOC_NUMBER.finditer(text):
                checks += 1
                year = m.group(1) or m.group(3) or m.group(5)
                number = m.group(2) or m.group(4) or m.group(6)
                mention = Mention(quantity=_plain(year + number), block=bi, start=m.start(), end=m.end(),
                                  raw=m.group(0))
                excluded.add((bi, m.start()))
                findings.append(_finding(doc, mention, "JX-TYP-002", "error", year + number,
                                         f"〔{year}〕{number}号",
                                         f"文号“{m.group(0)}”缺少括号，应写作〔{year}〕{number}号"))
        if "底" in text or "末" in text:
            for m in _PERIOD_MISSING_MONTH.finditer(text):
                if text[m.end(1):m.end(1) + 1] == "月":
                    continue
                checks += 1
                mention = Mention(quantity=_plain(m.group(1)), block=bi, start=m.start(1), end=m.end(1),
                                  raw=m.group(0))
                excluded.add((bi, m.start(1)))
                findings.append(_finding(doc, mention, "JX-TYP-002", "warning", m.group(1), f"{m.group(1)}月",
                                         f"“{m.group(0)}”缺少“月”字，应为截至{m.group(1)}月底"))
    return checks, findings


def _plain(digits: str) -> Quantity:
    return Quantity(Decimal(digits), "")


def _finding(doc: Document, m: Mention, code: str, severity: Severity, stated: str, expected: str,
             message: str) -> Finding:
    block = doc.blocks[m.block]
    return Finding(code=code, severity=severity, message=message, stated=stated, expected=expected,
                   quote=quote_around(doc, m), line=block.line, page=block.page, where=block.where(),
                   block=m.block, start=m.start, end=m.end)
