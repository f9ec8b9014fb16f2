"""Tables: a 合计/小计 row (or column) against the rows above it. Tables are read by position
(rows and columns), not by the words before each figure, so they have their own finder."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from jixiao.audit.document import Block, Document, Mention, Table
from jixiao.audit.relations.relation import Relation, Term

TOTAL_ROW: Final = re.compile(r"^\s*(合\s*计|总\s*计|小\s*计|总额)\s*$")


def table_sum_relations(table: Table, doc: Document, mentions: list[Mention]) -> list[Relation]:
    """A 合计 row (or column) against the rows (columns) above it (before it)."""
    out: list[Relation] = []
    by_block: dict[int, Mention] = {}
    for m in mentions:
        by_block.setdefault(m.block, m)
    block_ids = {id(b): i for i, b in enumerate(doc.blocks)}

    def cell_mention(cell: Block | None) -> Mention | None:
        if cell is None:
            return None
        bi = block_ids.get(id(cell))
        return by_block.get(bi) if bi is not None else None

    rows = table.rows
    for r, row in enumerate(rows):
        first = _lead_cell(row)
        if first is None or not TOTAL_ROW.match(first.text):
            continue
        subtotal = "小" in first.text
        for c in range(len(row)):
            total_m = cell_mention(row[c])
            if total_m is None or row[c] is first:
                continue
            parts = _parts_above(rows, r, c, total_m, subtotal, cell_mention)
            if parts is None or len(parts) < 2:
                continue
            parts.reverse()
            terms = [Term(p, 1, "分项") for p in parts]
            out.append(Relation("JX-SUM-001", total_m, [(terms, [])], "sum", stated_name="合计"))
    return out


def _lead_cell(row: list[Block | None]) -> Block | None:
    """The first cell of a row with text in it."""
    return next((c for c in row if c is not None and c.text.strip()), None)


def _parts_above(rows: list[list[Block | None]], r: int, c: int, total_m: Mention, subtotal: bool,
                 cell_mention: Callable[[Block | None], Mention | None]) -> list[Mention] | None:
    """The figures of column ``c`` above the total row ``r``, nearest first, up to a header row
    (or, for a 小计, the previous total row); None when the rows above hold a total or an 其中
    of their own (nested rows: which rows add up to which is not known)."""
    parts: list[Mention] = []
    nested = False
    for rr in range(r - 1, -1, -1):
        lead = _lead_cell(rows[rr])
        if lead is not None and TOTAL_ROW.match(lead.text):
            if subtotal:
                break
            nested = True
        if lead is not None and lead.text.strip().startswith("其中"):
            nested = True
        if c >= len(rows[rr]):
            continue
        cell_m = cell_mention(rows[rr][c])
        if cell_m is None:
            # a header row (no figures at all) ends the part rows
            if parts and all(cell_mention(x) is None for x in rows[rr] if x is not None):
                break
            continue
        if cell_m.quantity.dimension not in (None, total_m.quantity.dimension) and cell_m.quantity.unit:
            continue
        parts.append(cell_m)
    return None if nested else parts
