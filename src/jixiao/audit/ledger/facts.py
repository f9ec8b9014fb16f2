"""A figure filed in the ledger: its fund, item, year and span, and what it stands under.

The binder (:func:`jixiao.audit.ledger.bind_document`) reads these from the structure of the
document: the section heading a figure stands under, its table row and column, its sentence,
the 其中/含/parenthesis scope it is listed in. ``parent`` is the total a listed figure is a part
of; ``role`` says what the wording makes of the figure (a value, last year's value, a change, a
rate…), so that the checks can pick the figures a relation needs without reading words again.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any, Literal

from jixiao.audit.document import Mention
from jixiao.numbers import Quantity

Role = Literal["value", "prev", "change", "growth", "budget", "completion", "share", "months", "rate",
               "score", "other"]


@dataclass(slots=True, eq=False)
class LedgerFact:
    mention: Mention
    fund: str | None
    item: str | None
    year: int | None
    span: str
    value: Decimal  # as written, a decrease made negative (下降4.2% → -4.2)
    unit: str
    role: Role = "value"
    parent: LedgerFact | None = None
    partial: bool = False  # listed under a 其中主要有…: the list need not be whole
    list_id: int | None = None  # the list (其中…、…) or table block it was read in
    table: int | None = None
    row: int | None = None
    col: int | None = None
    line: int | None = None
    page: int | None = None
    where: str = ""
    #: the fund is named by the figure's own words, row, column or heading (not only the document's)
    named: bool = True
    #: the words that named the item, for a person reading the finding
    label: str = ""
    typo: str | None = None  # a meaning-changing typo in the figure (万万元)
    extra: dict[str, Any] = field(default_factory=dict)

    def __init__(self, mention: Mention, fund: str | None, item: str | None, year: int | None, span: str,
                 value: Decimal, unit: str, role: Role = "value", parent: LedgerFact | None = None,
                 partial: bool = False, list_id: int | None = None, table: int | None = None,
                 row: int | None = None, col: int | None = None, line: int | None = None,
                 page: int | None = None, where: str = "", named: bool = True, label: str = "",
                 typo: str | None = None, extra: dict[str, Any] | None = None) -> None:
        # written out (one per figure, compiled): a dataclass's generated __init__ is interpreted
        self.mention = mention
        self.fund = fund
        self.item = item
        self.year = year
        self.span = span
        self.value = value
        self.unit = unit
        self.role = role
        self.parent = parent
        self.partial = partial
        self.list_id = list_id
        self.table = table
        self.row = row
        self.col = col
        self.line = line
        self.page = page
        self.where = where
        self.named = named
        self.label = label
        self.typo = typo
        self.extra = {} if extra is None else extra

    def __reduce__(self) -> tuple[type[LedgerFact], tuple[Any, ...]]:
        # pickle and copy by the constructor (numbers.Interval says why)
        return LedgerFact, tuple(getattr(self, f.name) for f in fields(self) if f.init)

    @property
    def quantity(self) -> Quantity:
        return self.mention.quantity

    @property
    def key(self) -> tuple[str | None, str | None, int | None, str]:
        """(fund, item, year, span): two figures with the same key state the same quantity."""
        return self.fund, self.item, self.year, self.span

    def to_json(self) -> dict[str, Any]:
        q = self.mention.quantity
        return {
            "fund": self.fund,
            "item": self.item,
            "year": self.year,
            "span": self.span,
            "value": f"{self.value:f}",
            "unit": self.unit,
            "role": self.role,
            "quote": self.mention.raw.strip(),
            "approx": q.approx,
            "comparator": self.mention.comparator,
            "interval": str(q.interval()),
            "typo": self.typo,
            "location": {"line": self.line, "page": self.page, "table": self.table, "row": self.row,
                         "col": self.col, "where": self.where},
        }
