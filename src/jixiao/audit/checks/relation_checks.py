"""Every relation of a document checked: the outcome of each, counted, and the finding a failed
one gives (its code, severity, message, the right value and where it stands)."""

from __future__ import annotations

import re

from jixiao.audit.checks.arithmetic import compute, stated_of
from jixiao.audit.checks.messages import expected_text, fig_text, finding_message, num_text, quote_around
from jixiao.audit.checks.rules import Outcome, check_relation
from jixiao.audit.document import Document
from jixiao.audit.findings import Finding
from jixiao.audit.relations.relation import Relation
from jixiao.numbers import UnitError
from jixiao.problems import Severity


def finding_for(doc: Document, rel: Relation, outcome: Outcome) -> Finding | None:
    """The finding a failed relation gives (or ``None`` when it holds or is not an error)."""
    if outcome.holds or outcome.computed is None:
        return None
    if outcome.short and outcome.part_over_total is None:
        return None
    if not rel.explicit:
        return None
    q = rel.stated.quantity
    code = rel.code
    severity: Severity = "error"
    point = None
    if outcome.terms is not None:
        try:
            exact = compute(rel, outcome.terms, exact=True)
            point = abs(exact.lo) if rel.magnitude or rel.code == "JX-CHG-002" else exact.lo
        except (UnitError, ZeroDivisionError, ArithmeticError):
            point = None
    computed = outcome.computed
    if code == "JX-SUM-005" and rel.direction < 0:
        # a decrease is stated as a size: the right value in the same terms (减少8507, not −8507)
        computed = -computed
        point = -point if point is not None else None
    expected = expected_text(computed, q, point)
    if code == "JX-SUM-001" and outcome.part_over_total is not None:
        code = "JX-SUM-002"
    elif code == "JX-SUM-001" and rel.note == "含其他" and outcome.computed.hi < stated_of(rel).lo:
        code = "JX-SUM-003"
        severity = "warning"
    stated_text = num_text(q)
    message = finding_message(rel, outcome, expected)
    if outcome.truncated and code not in ("JX-SUM-002", "JX-SUM-003"):
        severity = "info"
        message = message + "；只有按截尾而非四舍五入取数才成立"
        code_shown = "JX-RND-001"
    else:
        code_shown = code
    block = doc.blocks[rel.stated.block]
    figures = {}
    if outcome.terms:
        for t in outcome.terms[0] + outcome.terms[1]:
            figures[t.name or "数"] = fig_text(t.mention)
    return Finding(
        code=code_shown,
        severity=severity,
        message=message,
        stated=re.sub(r"[^\d.\-]", "", stated_text) or stated_text,
        expected=expected,
        quote=quote_around(doc, rel.stated),
        line=block.line,
        page=block.page,
        where=block.where(),
        figures=figures,
        block=rel.stated.block,
        start=rel.stated.start,
        end=rel.stated.end,
    )


def run_checks(doc: Document, relations: list[Relation]) -> tuple[int, list[Finding]]:
    """Check every relation; return (number of checks made, findings).

    Implicit readings (``explicit=False``) are counted only when they hold: they are readings
    the wording allows, not assertions the author plainly made.
    """
    findings: list[Finding] = []
    count = 0
    seen: set[tuple[int, int, str]] = set()
    for rel in relations:
        outcome = check_relation(rel)
        if outcome.computed is None:
            continue
        if not rel.explicit and not outcome.holds:
            continue
        if outcome.short and outcome.part_over_total is None and not outcome.holds:
            count += 1  # a partial list that falls short: checked, nothing wrong
            continue
        count += 1
        f = finding_for(doc, rel, outcome)
        if f is None:
            continue
        key = (rel.stated.block, rel.stated.start, f.code)
        if key in seen:
            continue
        seen.add(key)
        findings.append(f)
    return count, findings
