"""The entry point: every relation a document asserts, in reading order — each segment's sums,
changes, shares, completion rates, balances and per capita amounts, then the classification
across paragraphs, then the tables."""

from __future__ import annotations

from jixiao.audit.document import Document, Mention
from jixiao.audit.relations.balances import balance_relations
from jixiao.audit.relations.changes import change_relations
from jixiao.audit.relations.classification import classification_relations
from jixiao.audit.relations.ratios import completion_relations, per_capita_relations, share_relations
from jixiao.audit.relations.relation import Relation
from jixiao.audit.relations.segments import build_segments
from jixiao.audit.relations.sums import sum_relations
from jixiao.audit.relations.tables import table_sum_relations


def find_relations(doc: Document, mentions: list[Mention]) -> list[Relation]:
    """All relations asserted in ``doc`` (prose and tables), in reading order."""
    segments = build_segments(doc, mentions)
    relations: list[Relation] = []
    for seg_index, seg in enumerate(segments):
        items = seg.items
        if not items:
            continue
        relations += sum_relations(seg, items)
        relations += change_relations(items)
        relations += share_relations(items)
        relations += completion_relations(items)
        relations += balance_relations(items, segments, seg_index)
        relations += per_capita_relations(items)
    relations += classification_relations(segments)
    for table in doc.tables:
        relations += table_sum_relations(table, doc, mentions)
    return relations
