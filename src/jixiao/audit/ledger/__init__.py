"""The ledger reading of a document: every figure filed under the model's fund, item and period.

:func:`bind_document` reads the structure first — sections (:mod:`.sections`), tables
(:mod:`.tables`), sentences (:mod:`.prose`), periods (:mod:`.periods`) — and files each figure
with the vocabulary of :mod:`jixiao.model.ledger` (written forms in :mod:`.vocab`). ``jixiao
extract`` prints these facts; the auditor's ledger checks and its certainty rules read them.
"""

from jixiao.audit.ledger.bind import bind_document
from jixiao.audit.ledger.facts import LedgerFact

__all__ = ["LedgerFact", "bind_document"]
