"""Certainty before an error: a relation read from the wording of one sentence is an error only
where the structure of the document binds its figures the way the relation needs them.

The ledger (:mod:`jixiao.audit.ledger`) files every figure by fund, item, period and role. A
relation found from wording alone is doubted when the ledger says otherwise: a 当期结余 computed
from budget figures, a part that is a change or a rate, figures of two funds or two years, a
share whose words name another base, a completion rate that is a 控制率. A doubted relation and
one that fails while another, structure-bound reading of the same figure holds give a warning
that names both readings (JX-AMB-001), never an error.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from jixiao.audit.checks.rules import Outcome
from jixiao.audit.document import Mention
from jixiao.audit.findings import Finding, code_family
from jixiao.audit.ledger.facts import LedgerFact
from jixiao.audit.relations.relation import Relation, Term
from jixiao.model.funds import FundKind
from jixiao.model.ledger import DEPARTMENT, ITEM, OTHER

_SUB: Final = {FundKind.employee_pooling.value, FundKind.employee_account.value}
_EMPLOYEE: Final = {FundKind.employee.value, FundKind.employee_with_maternity.value}
_TOTAL: Final = FundKind.basic_total.value
_INCOME: Final = {"基金收入合计", "本年收入合计"}
_EXPENSE: Final = {"基金支出合计", "本年支出合计"}
_COMPLETION: Final = {"收入预算完成率", "支出预算完成率", "执行率", "预算执行率"}
_NOT_PARTS: Final = {"change", "growth", "share", "completion", "months", "rate", "prev"}


class Certainty:
    """Looks up the ledger fact of a figure and judges the relations read from wording."""

    def __init__(self, facts: list[LedgerFact]) -> None:
        self.facts = {(f.mention.block, f.mention.start): f for f in facts}

    def fact(self, m: Mention) -> LedgerFact | None:
        return self.facts.get((m.block, m.start))

    def gate(self, rel: Relation, outcome: Outcome, finding: Finding,
             held: dict[tuple[int, int], set[str]]) -> Finding | None:
        """The finding as reported: kept, turned into a two-readings warning, or dropped."""
        if finding.severity != "error" or rel.ledger:
            return finding
        family = code_family(rel.code)
        if family in held.get((rel.stated.block, rel.stated.start), set()):
            return _two_readings(finding, "按文中结构（所属基金、期间、科目）读，另一种算法成立")
        doubt = self.doubt(rel, outcome)
        if doubt is not None:
            return _two_readings(finding, doubt)
        return finding

    def doubt(self, rel: Relation, outcome: Outcome) -> str | None:
        """Why the ledger does not bind the relation's figures as it needs them (None: it does)."""
        stated = self.fact(rel.stated)
        terms = (outcome.terms[0] + outcome.terms[1]) if outcome.terms else []
        facts = [self.fact(t.mention) for t in terms]
        if any(f is not None and f.typo for f in [stated, *facts]):
            return "所用数额有笔误"
        family = code_family(rel.code)
        check = _DOUBTS.get(family)
        return check(rel, stated, terms, facts) if check is not None else None

    def same_quantity(self, first: Mention, later: Mention) -> bool:
        """May two figures the wording takes for one quantity be one? Not when the ledger files
        them under two funds, two items, two periods or two roles (last year's, a budget…)."""
        a, b = self.fact(first), self.fact(later)
        if a is None or b is None:
            return True
        if a.item and b.item and a.item != b.item:
            return False
        if a.fund and b.fund and a.fund != b.fund and a.named and b.named:
            return False
        if (a.year, a.span) != (b.year, b.span) or a.role != b.role:
            return False
        return a.extra.get("scope") == b.extra.get("scope")


def _two_readings(finding: Finding, why: str) -> Finding:
    return replace(finding, code="JX-AMB-001", severity="warning",
                   message=f"{finding.message}；但{why}，两种读法请核对")


def _period_differs(stated: LedgerFact | None, facts: list[LedgerFact | None]) -> bool:
    if stated is None or stated.year is None:
        return False
    return any(f is not None and f.year is not None and (f.year, f.span) != (stated.year, stated.span) and
               f.role not in ("prev",) for f in facts)


def _fund_differs(stated: LedgerFact | None, facts: list[LedgerFact | None]) -> bool:
    if stated is None or stated.fund is None or not stated.named:
        return False
    for f in facts:
        if f is None or f.fund is None or not f.named or f.fund == stated.fund:
            continue
        if stated.fund == _TOTAL:
            continue
        return True
    return False


def _doubt_balance(rel: Relation, stated: LedgerFact | None, terms: list[Term],
                   facts: list[LedgerFact | None]) -> str | None:
    if rel.code != "JX-BAL-001":
        return None
    if any(f is not None and f.role == "budget" for f in facts) or \
            any(f is not None and f.item in ("收入预算", "支出预算", "全年预算", "全年预算数") for f in facts):
        return "所用收入、支出是预算数，不是决算数"
    if stated is not None and stated.item not in (None, "当期结余") and \
            not (stated.fund == DEPARTMENT and stated.item in ("年末累计结余", OTHER + "年末结转和结余")):
        return f"该数是“{stated.item}”，不是当期结余"
    for t, f in zip(terms, facts, strict=False):
        if f is None or f.item is None:
            continue
        if t.sign > 0 and f.item not in _INCOME and not f.item.startswith(OTHER):
            return f"{f.mention.raw.strip()}是“{f.item}”，不是收入合计"
        if t.sign < 0 and f.item not in _EXPENSE and not f.item.startswith(OTHER):
            return f"{f.mention.raw.strip()}是“{f.item}”，不是支出合计"
    if _fund_differs(stated, facts):
        return "所用数额属于不同基金"
    if _period_differs(stated, facts):
        return "所用数额属于不同期间"
    return None


_BUDGETED: Final = {"收入预算": "基金收入合计", "支出预算": "基金支出合计", "全年预算": "本年支出合计"}


def _is_part(part: LedgerFact, total: LedgerFact) -> bool:
    """Can ``part`` be listed under ``total`` (by fund and item)?"""
    if part.parent is total:
        return True
    whole = _BUDGETED.get(total.item or "", total.item) if total.role == "budget" else total.item
    if part.item and whole and part.item == whole:
        return part.fund != total.fund
    item = part.item
    while item in ITEM and ITEM[item].parent:
        item = ITEM[item].parent
        if item == whole:
            return True
    return False


def _doubt_sum(rel: Relation, stated: LedgerFact | None, terms: list[Term],
               facts: list[LedgerFact | None]) -> str | None:
    if rel.code not in ("JX-SUM-001", "JX-SUM-002", "JX-SUM-003"):
        return None
    for f in facts:
        if f is not None and f.role in _NOT_PARTS:
            return f"{f.mention.raw.strip()}是增减额、比率或上年数，不是分项"
        if f is not None and stated is not None and (f.role == "budget") != (stated.role == "budget"):
            return f"{f.mention.raw.strip()}与合计一为预算数、一为实际数"
    if stated is not None and stated.role in _NOT_PARTS:
        return "合计数是增减额、比率或上年数"
    if stated is not None and stated.extra.get("respective"):
        return "该数是“分别/依次”列举的并列数之一，不是合计"
    if _period_differs(stated, facts):
        return "所用数额属于不同期间"
    if stated is None or any(f is not None and f.parent is stated for f in facts):
        return None  # the structure lists them under this total
    known = [f for f in facts if f is not None and f.item and not f.item.startswith(OTHER)]
    if stated.item and not stated.item.startswith(OTHER):
        for f in known:
            if not _is_part(f, stated) and _other_kind(f, stated):
                return f"“{f.item}”不是“{stated.item}”的分项"
    return None


def _other_kind(part: LedgerFact, total: LedgerFact) -> bool:
    """Is ``part`` of another kind of figure than ``total`` (a balance listed under a spending, a
    total under its own part)? Figures of one kind the ledger does not link may still be parts."""
    a, b = ITEM.get(part.item or ""), ITEM.get(total.item or "")
    if a is None or b is None:
        return False
    return a.kind != b.kind or _is_part(total, part)


def _doubt_share(rel: Relation, stated: LedgerFact | None, terms: list[Term],
                 facts: list[LedgerFact | None]) -> str | None:
    if stated is None or rel.form != "ratio" or len(facts) < 2:
        return None
    named = stated.extra.get("share_base")
    base = facts[-1]
    if named and base is not None:
        if named.endswith("预算") and base.role != "budget":
            return "文中说的是占预算的比例"
        if named != "预算" and base.item and named != base.item and not base.item.startswith(OTHER):
            return f"文中说的是占“{named}”的比例，所用分母是“{base.item}”"
    return None


def _doubt_completion(rel: Relation, stated: LedgerFact | None, terms: list[Term],
                      facts: list[LedgerFact | None]) -> str | None:
    if rel.code != "JX-CMP-001":
        return None
    if stated is not None and stated.item and stated.item not in _COMPLETION and stated.role != "completion":
        return f"该比率是“{stated.item.removeprefix(OTHER)}”，不是完成率"
    if stated is not None and stated.extra.get("rate_word") and facts and facts[-1] is not None and \
            facts[-1].item not in ("年初预算", "年初预算数"):
        return f"该比率是{stated.extra['rate_word']}（调整后预算与年初预算之比），分母不是年初预算"
    if terms and facts and facts[0] is not None and facts[0].role == "budget":
        return "分子是预算数"
    if _fund_differs(stated, facts):
        return "所用数额属于不同基金"
    return None


def _doubt_change(rel: Relation, stated: LedgerFact | None, terms: list[Term],
                  facts: list[LedgerFact | None]) -> str | None:
    if _fund_differs(stated, facts):
        return "所用数额属于不同基金"
    return None


_DOUBTS: Final = {"BAL": _doubt_balance, "SUM": _doubt_sum, "SHR": _doubt_share, "CMP": _doubt_completion,
                  "CHG": _doubt_change}
