"""Items: the figures of a run of text with the words in front of them (label, clause, sentence,
parenthesis depth) and the role the wording gives them; the segments they stand in; and the
small questions every finder asks of an item (same dimension? may it be a part of that total?
what is it called?)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any, Final, Literal

from jixiao.audit.document import Mention

#: what the wording says a figure is (assigned by :func:`jixiao.audit.relations.roles.assign_roles`)
Role = Literal["value", "change", "prev", "rate_growth", "rate_share", "rate_completion",
               "rate_balance", "rate_other", "inline_base", "ambiguous", "target"]
#: the characters that end a sentence
SENTENCE_END: Final = "。！？!?\n"


@dataclass(slots=True)
class Item:
    """A mention placed in a segment of text, with the words before it and its role."""

    mention: Mention
    start: int  # offsets in the segment text
    end: int
    label: str  # text since the previous item (or sentence start), punctuation kept
    clause: str  # the label after the last clause punctuation
    sentence: int  # sentence number in the segment (split at 。！？)
    paren: int  # parenthesis depth at the item
    role: Role = "value"
    direction: int = 0
    list_total: Item | None = None  # set when the item is a part of a 其中 list
    seg: int = 0
    dim: str | None = field(init=False)  # the quantity's dimension, unit and value, looked up once
    unit: str = field(init=False)
    value: Decimal = field(init=False)

    def __init__(self, mention: Mention, start: int, end: int, label: str, clause: str, sentence: int, paren: int,
                 role: Role = "value", direction: int = 0, list_total: Item | None = None, seg: int = 0) -> None:
        # written out (compiled, made by the thousand): a dataclass's generated __init__ is interpreted
        self.mention = mention
        self.start = start
        self.end = end
        self.label = label
        self.clause = clause
        self.sentence = sentence
        self.paren = paren
        self.role = role
        self.direction = direction
        self.list_total = list_total
        self.seg = seg
        q = mention.quantity
        self.dim = q.dimension
        self.unit = q.unit
        self.value = q.value

    def __reduce__(self) -> tuple[type[Item], tuple[Any, ...]]:
        # pickle and copy by the constructor (numbers.Interval says why)
        return Item, tuple(getattr(self, f.name) for f in fields(self) if f.init)


@dataclass(slots=True)
class Segment:
    """Consecutive blocks read as one run of text (a wrapped line is joined to its rest)."""

    text: str
    blocks: list[int]
    items: list[Item] = field(default_factory=list)
    #: sentence number → its first item (filled on first use by the balances' ``_subject``)
    first_items: dict[int, Item] = field(default_factory=dict)

    def __init__(self, text: str, blocks: list[int], items: list[Item] | None = None,
                 first_items: dict[int, Item] | None = None) -> None:
        # written out (compiled, made by the thousand): a dataclass's generated __init__ is interpreted
        self.text = text
        self.blocks = blocks
        self.items = [] if items is None else items
        self.first_items = {} if first_items is None else first_items

    def __reduce__(self) -> tuple[type[Segment], tuple[Any, ...]]:
        # pickle and copy by the constructor (numbers.Interval says why)
        return Segment, tuple(getattr(self, f.name) for f in fields(self) if f.init)


def same_dim(a: Item, b: Item) -> bool:
    """Both figures have a known dimension, the same (money and money, persons and persons)."""
    return a.dim is not None and a.dim == b.dim


def compatible(part: Item, total: Item) -> bool:
    """``part`` may be a part of ``total``: the same dimension, or a bare number under a total with a unit."""
    if same_dim(part, total):
        return True
    return part.unit == "" and total.dim is not None


_NAME_LEAD: Final = re.compile(r"^(其中|分别为|分别是|分别|包括|主要用于|主要包括|为|是|达|合计|共计|共)")
_NAME_TAIL: Final = re.compile(r"(为|是|达|达到|共|合计|：|:)$")
_NAME_YEAR: Final = re.compile(r"^\d{4}\s*年(度|底|末)?")
_NAME_NUMBERING: Final = re.compile(r"^(\d+\s*[.、．]|[一二三四五六七八九十]+、|（[一二三四五六七八九十\d]+）)\s*")


def item_name(it: Item, fallback: str) -> str:
    """What a figure is called, for a finding (its clause without list words, years and numbering)."""
    clause = _NAME_LEAD.sub("", it.clause)
    clause = _NAME_TAIL.sub("", clause).strip()
    clause = _NAME_YEAR.sub("", clause).strip()
    clause = _NAME_NUMBERING.sub("", clause)
    return clause[-12:] if clause else fallback
