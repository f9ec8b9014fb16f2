"""The ledger reading of a document: every figure filed under the model's fund, item and period.

:func:`bind_document` reads the structure first — sections (:mod:`.sections`), tables
(:mod:`.tables`), sentences (:mod:`.prose`), periods (:mod:`.periods`) — and files each figure
with the vocabulary of :mod:`jixiao.model.ledger` (written forms in :mod:`.vocab`). ``jixiao
extract`` prints these facts; the auditor's ledger checks and its certainty rules read them.
"""

from jixiao.audit.document import Document
from jixiao.audit.ledger.bind import bind_document
from jixiao.audit.ledger.facts import LedgerFact
from jixiao.audit.ledger.naming import BARE_AID_MONEY, group_money
from jixiao.audit.ledger.vocab import STAFF
from jixiao.audit.ledger.words import PART_WORDS
from jixiao.audit.quantities import find_document_mentions
from jixiao.model.ledger import DEPARTMENT, ITEM, OTHER, ItemKind

__all__ = ["LedgerFact", "bind_document", "ledger_facts"]


def ledger_facts(doc: Document) -> list[LedgerFact]:
    """The figures of ``doc`` that the ledger files (an item named), as ``jixiao extract`` gives them.

    A budgeted figure of an item that has no budget item of its own (a budget table's 参保人数 or
    当期结余) is not that item's actual figure: the ledger holds it as ``其他:预算`` + the item (the
    checks read it by its item and role, as a budget table's sums need)."""
    facts = [f for f in bind_document(doc, find_document_mentions(doc)) if f.item]
    before: LedgerFact | None = None
    named = {id(f): f.item for f in facts}  # as bound: a renamed total still names its parts' group
    for f in facts:
        if f.item in STAFF and f.unit == "名":
            f.unit = "人"  # 核定编制112名
        item = f.item or ""
        if f.role == "budget" and item in ITEM and ITEM[item].kind not in (ItemKind.budget, ItemKind.department,
                                                                            ItemKind.project):
            f.item = OTHER + "预算" + item
        elif f.role == "value" and f.parent is not None and \
                (f.parent.fund, named.get(id(f.parent), f.parent.item)) == (f.fund, f.item):
            f.item = _group_item(f, before)
        before = f
    return [f for f in facts if f.item and not _staff_group(f)]


def _staff_group(f: LedgerFact) -> bool:
    """A department's count of people other than its headcount (其中行政17人, 离退休人员23人) is no
    ledger figure; a headcount word before an amount (编制…预算) names no headcount."""
    person = f.mention.quantity.dimension == "person"
    if f.item in STAFF:
        return not person
    return person and f.fund == DEPARTMENT


def _group_item(f: LedgerFact, before: LedgerFact | None) -> str | None:
    """A part listed under a total of its own fund and item (贫困户医疗救助39人次 under 救助57人次)
    is a group no ledger item holds: ``其他:`` + its own words (None: it has none to be named by).
    A group of the aided counted in 人次 is its 救助人次 (包括城乡低保对象3661人次); its money named
    only as 救助资金/金额 right after its count is that group's (贫困户医疗救助39人次、救助资金112418元)."""
    own = PART_WORDS.sub("", f.label)
    if len(own) < 2 or not all("\u4e00" <= ch <= "\u9fff" for ch in own):
        return None
    if BARE_AID_MONEY.fullmatch(own) and before is not None and before.line == f.line and before.item and \
            before.mention.quantity.dimension == "person_time" and f.mention.quantity.dimension == "money":
        return group_money(before.item, own)
    if f.mention.quantity.dimension == "person_time" and not own.endswith("人次"):
        own += "救助人次" if f.item == "医疗救助人次" and "助" not in own else "人次"
    return own if own in ITEM else OTHER + own  # 其中主要有住院18.63万人次: a group the ledger names
