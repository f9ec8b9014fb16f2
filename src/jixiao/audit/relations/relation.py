"""What a relation is: a stated figure, the terms that should give it (a sum, or a ratio of two
sums), and how it is checked. Every finder produces these and :mod:`jixiao.audit.checks`
consumes them; kept apart so that neither side depends on the other's machinery."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from jixiao.audit.document import Mention


@dataclass(slots=True)
class Term:
    """A figure used in a relation, with its sign (+1 or −1)."""

    mention: Mention
    sign: int = 1
    name: str = ""  # what the figure is, in Chinese (收入, 支出, 上年...)


@dataclass(slots=True)
class Relation:
    """``stated`` should equal ``Σ numerator`` (sum form) or ``Σ numerator / Σ denominator``
    (ratio form, ×100 when ``percent``) for at least one of ``alternatives``.

    ``code`` is the finding code the relation is checked under. ``magnitude`` means the stated
    figure is a size (增加/减少 B, 增长/下降 C%) and is compared by absolute value.
    ``partial`` marks a 其中 list that may name only some parts (falling short is no error).
    """

    code: str
    stated: Mention
    alternatives: list[tuple[list[Term], list[Term]]]
    form: Literal["sum", "ratio"] = "sum"
    percent: bool = False
    magnitude: bool = False
    partial: bool = False
    explicit: bool = True  # False: only counted when it holds (an implicit reading)
    stated_name: str = ""
    direction: int = 0  # for changes: +1 increase, −1 decrease
    note: str = ""
