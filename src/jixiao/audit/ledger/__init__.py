"""The ledger reading of a document: every figure filed under the model's fund, item and period.

:func:`bind_document` reads the structure first — sections (:mod:`.sections`), tables
(:mod:`.tables`), sentences (:mod:`.prose`), periods (:mod:`.periods`) — and files each figure
with the vocabulary of :mod:`jixiao.model.ledger` (written forms in :mod:`.vocab`). ``jixiao
extract`` prints these facts; the auditor's ledger checks and its certainty rules read them.
"""

from jixiao.audit.document import Document
from jixiao.audit.ledger.bind import bind_document
from jixiao.audit.ledger.facts import LedgerFact
from jixiao.audit.quantities import find_document_mentions
from jixiao.model.ledger import ITEM, OTHER, ItemKind

__all__ = ["LedgerFact", "bind_document", "ledger_facts"]


def ledger_facts(doc: Document) -> list[LedgerFact]:
    """The figures of ``doc`` that the ledger files (an item named), as ``jixiao extract`` gives them.

    A budgeted figure of an item that has no budget item of its own (a budget table's 参保人数 or
    当期结余) is not that item's actual figure: the ledger holds it as ``其他:预算`` + the item (the
    checks read it by its item and role, as a budget table's sums need)."""
    facts = [f for f in bind_document(doc, find_document_mentions(doc)) if f.item]
    for f in facts:
        item = f.item or ""
        if f.role == "budget" and item in ITEM and ITEM[item].kind not in (ItemKind.budget, ItemKind.department,
                                                                            ItemKind.project):
            f.item = OTHER + "预算" + item
    return facts
