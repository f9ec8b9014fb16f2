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

__all__ = ["LedgerFact", "bind_document", "ledger_facts"]


def ledger_facts(doc: Document) -> list[LedgerFact]:
    """The figures of ``doc`` that the ledger files (an item named), as ``jixiao extract`` gives them."""
    return [f for f in bind_document(doc, find_document_mentions(doc)) if f.item]
