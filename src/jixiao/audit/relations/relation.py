"""What a relation is: a stated figure, the terms that should give it (a sum, or a ratio of two
sums), and how it is checked. Every finder produces these and :mod:`jixiao.audit.checks`
consumes them; kept apart so that neither side depends on the other's machinery."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Literal

from jixiao.audit.document import Mention


@dataclass(slots=True)
class Term:
    """A figure used in a relation, with its sign (+1 or −1)."""

    mention: Mention
    sign: int = 1
    name: str = ""  # what the figure is, in Chinese (收入, 支出, 上年...)

    def __init__(self, mention: Mention, sign: int = 1, name: str = "") -> None:
        # written out (compiled, made by the thousand): a dataclass's generated __init__ is interpreted
        self.mention = mention
        self.sign = sign
        self.name = name

    def __reduce__(self) -> tuple[type[Term], tuple[Any, ...]]:
        # pickle and copy by the constructor (numbers.Interval says why)
        return Term, tuple(getattr(self, f.name) for f in fields(self) if f.init)


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
    scale: int = 1  # a ratio's result times this (可支付月数: closing ÷ expenditure × months)
    #: read from the ledger (structure-bound figures) rather than from the wording of one sentence
    ledger: bool = False
    #: the figures are exact as written (a 自评表's points are given, not rounded)
    exact: bool = False

    def __init__(self, code: str, stated: Mention, alternatives: list[tuple[list[Term], list[Term]]],
                 form: Literal["sum", "ratio"] = "sum", percent: bool = False, magnitude: bool = False,
                 partial: bool = False, explicit: bool = True, stated_name: str = "", direction: int = 0,
                 note: str = "", scale: int = 1, ledger: bool = False, exact: bool = False) -> None:
        # written out (compiled, made by the thousand): a dataclass's generated __init__ is interpreted
        self.code = code
        self.stated = stated
        self.alternatives = alternatives
        self.form = form
        self.percent = percent
        self.magnitude = magnitude
        self.partial = partial
        self.explicit = explicit
        self.stated_name = stated_name
        self.direction = direction
        self.note = note
        self.scale = scale
        self.ledger = ledger
        self.exact = exact

    def __reduce__(self) -> tuple[type[Relation], tuple[Any, ...]]:
        # pickle and copy by the constructor (numbers.Interval says why)
        return Relation, tuple(getattr(self, f.name) for f in fields(self) if f.init)
