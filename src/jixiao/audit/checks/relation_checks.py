"""Every relation of a document checked: the outcome of each, counted, and the finding a failed
one gives (its code, severity, message, the right value and where it stands)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from jixiao.audit.checks.arithmetic import compute, stated_of
from jixiao.audit.checks.messages import expected_text, fig_text, finding_message, num_text, quote_around
from jixiao.audit.checks.rules import Outcome, check_relation
from jixiao.audit.document import Document, Mention
from jixiao.audit.findings import Finding, code_family
from jixiao.audit.relations.relation import Relation, Term
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


Gate = Callable[[Relation, Outcome, Finding, dict[tuple[int, int], set[str]]], Finding | None]


def run_checks(doc: Document, relations: list[Relation], gate: Gate | None = None,
               involved: set[tuple[int, int]] | None = None) -> tuple[int, list[Finding]]:
    """Check every relation; return (number of checks made, findings).

    Implicit readings (``explicit=False``) are counted only when they hold: they are readings
    the wording allows, not assertions the author plainly made. ``gate`` (the ledger's
    certainty, :mod:`.certainty`) may turn an error into a warning or drop it; it is told which
    figures a structure-bound (ledger) relation of the same family already found consistent.
    """
    counted: set[tuple[int, int, str]] = set()  # one check per stated figure and kind, however many readings
    seen: set[tuple[int, int, str]] = set()
    outcomes = [(rel, check_relation(rel)) for rel in relations]
    held: dict[tuple[int, int], set[str]] = {}
    for rel, outcome in outcomes:
        # a structure-bound reading that holds with figures of the stated figure's own paragraph
        if rel.ledger and outcome.holds and outcome.terms and \
                all(t.mention.block == rel.stated.block for t in outcome.terms[0] + outcome.terms[1]):
            held.setdefault((rel.stated.block, rel.stated.start), set()).add(code_family(rel.code))
    errors_at: dict[tuple[int, int], str] = {}  # where an error is stated → its right value
    reported: list[tuple[Relation, Outcome, Finding]] = []
    for rel, outcome in outcomes:
        if outcome.computed is None:
            continue
        if not rel.explicit and not outcome.holds:
            continue
        if outcome.short and outcome.part_over_total is None and not outcome.holds:
            counted.add((rel.stated.block, rel.stated.start, code_family(rel.code)))  # a short partial list
            continue
        counted.add((rel.stated.block, rel.stated.start, code_family(rel.code)))
        f = finding_for(doc, rel, outcome)
        if f is not None and gate is not None:
            f = gate(rel, outcome, f, held)
        if f is None:
            continue
        key = (rel.stated.block, rel.stated.start, f.code)
        where = (rel.stated.block, rel.stated.start)
        if key in seen or (f.severity == "error" and where in errors_at):
            continue  # one error per stated figure: the same slip found by two relations is one finding
        seen.add(key)
        if f.severity == "error":
            errors_at[where] = f.expected
        reported.append((rel, outcome, f))
    # a two-readings warning on a figure found wrong under its certain reading adds nothing
    reported = [(rel, outcome, f) for rel, outcome, f in reported
                if not (f.code == "JX-AMB-001" and (rel.stated.block, rel.stated.start) in errors_at)]
    final = [_consequence(rel, outcome, f, errors_at) for rel, outcome, f in reported]
    if involved is not None:
        for (rel, outcome, _), f in zip(reported, final, strict=True):
            if f.severity == "error":
                involved.add((rel.stated.block, rel.stated.start))
                for t in (outcome.terms[0] + outcome.terms[1]) if outcome.terms else []:
                    involved.add((t.mention.block, t.mention.start))
    return len(counted), final


def _consequence(rel: Relation, outcome: Outcome, f: Finding, errors_at: dict[tuple[int, int], str]) -> Finding:
    """An error computed from a figure that is itself found wrong in another paragraph or table,
    and that holds once that figure reads as it should, is its consequence: a warning pointing to
    it, not a second error (the balance restated below a table whose total is off). Both stand as
    errors where they stand together."""
    if f.severity != "error" or not outcome.terms:
        return f
    for t in outcome.terms[0] + outcome.terms[1]:
        where = (t.mention.block, t.mention.start)
        if where in errors_at and where != (rel.stated.block, rel.stated.start) and \
                where[0] != rel.stated.block and _holds_with(rel, t.mention, errors_at[where]):
            return replace(f, code="JX-AMB-001", severity="warning",
                           message=f"{f.message}；所用的{t.mention.raw.strip()}本身已查出有误，按其应有之数此处成立，"
                                   f"是其连带结果，请一并核对")
    return f


def _holds_with(rel: Relation, wrong: Mention, expected: str) -> bool:
    """Does ``rel`` hold once ``wrong`` reads ``expected`` (the right value an error gave it)?"""
    try:
        value = Decimal(expected.strip("[]").split(",")[0]) if not expected.startswith("[") else \
            (Decimal(expected.strip("[]").split(",")[0]) + Decimal(expected.strip("[]").split(",")[1])) / 2
    except (InvalidOperation, IndexError):
        return False
    if wrong.quantity.value < 0 < value or value < 0 < wrong.quantity.value:
        value = -value
    fixed = replace(wrong, quantity=replace(wrong.quantity, value=value))

    def swap(terms: list[Term]) -> list[Term]:
        return [replace(t, mention=fixed) if t.mention is wrong else t for t in terms]

    alts = [(swap(num), swap(den)) for num, den in rel.alternatives]
    return check_relation(replace(rel, alternatives=alts)).holds
