"""The rules: does any reading of a relation hold at the written precision? Sums (balances,
totals, changes from two years) and ratios (shares, completion and growth rates, per capita);
a stated figure that fits only if its author cut digits off instead of rounding is noted as
truncated."""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from jixiao.audit.checks.arithmetic import compute, in_unit, stated_of, truncated_of
from jixiao.audit.relations.relation import Relation, Term
from jixiao.numbers import Interval, UnitError


@dataclass(slots=True)
class Outcome:
    """The result of checking one relation."""

    holds: bool
    truncated: bool  # holds only if the stated figure was truncated, not rounded
    computed: Interval | None  # for the first (preferred) reading, in the stated unit
    terms: tuple[list[Term], list[Term]] | None
    short: bool = False  # a partial list that falls short (not an error)
    part_over_total: Term | None = None

    def __init__(self, holds: bool, truncated: bool, computed: Interval | None,
                 terms: tuple[list[Term], list[Term]] | None, short: bool = False,
                 part_over_total: Term | None = None) -> None:
        # written out (compiled, made by the thousand): a dataclass's generated __init__ is interpreted
        self.holds = holds
        self.truncated = truncated
        self.computed = computed
        self.terms = terms
        self.short = short
        self.part_over_total = part_over_total

    def __reduce__(self) -> tuple[type[Outcome], tuple[Any, ...]]:
        # pickle and copy by the constructor (numbers.Interval says why)
        return Outcome, tuple(getattr(self, f.name) for f in fields(self) if f.init)


def check_relation(rel: Relation) -> Outcome:
    """Does any reading of ``rel`` hold? Returns the outcome for the reading to report."""
    if rel.form == "sum":
        return _check_sum(rel)
    return _check_ratio(rel)


def _check_sum(rel: Relation) -> Outcome:
    """Balances, sums and changes-from-two-years: Σ signed terms = stated."""
    stated = stated_of(rel)
    if rel.exact:
        stated = Interval.exact(rel.stated.quantity.value)
    first: Outcome | None = None
    for alt in rel.alternatives:
        try:
            computed = compute(rel, alt, exact=rel.exact)
        except (UnitError, ZeroDivisionError, ArithmeticError):
            continue
        if computed.meets(stated):
            return Outcome(True, False, computed, alt)
        if first is None:
            over = _part_over_total(rel, alt, stated)
            short = rel.partial and computed.hi < stated.lo
            trunc = truncated_of(rel)
            first = Outcome(False, trunc is not None and computed.meets(trunc), computed, alt,
                            short=short, part_over_total=over)
    return first or Outcome(False, False, None, None)


def _part_over_total(rel: Relation, alt: tuple[list[Term], list[Term]], stated: Interval) -> Term | None:
    if rel.code != "JX-SUM-001" or stated.hi < 0 or any(t.sign < 0 for t in alt[0]):
        return None  # with parts subtracted (压减), one part may well exceed the total
    unit = rel.stated.quantity.unit
    worst: Term | None = None
    for t in alt[0]:
        if t.sign > 0:
            try:
                iv = in_unit(t.mention, unit)
            except UnitError:
                continue
            if iv.lo > stated.hi and (worst is None or iv.lo > in_unit(worst.mention, unit).lo):
                worst = t
    return worst


def _check_ratio(rel: Relation) -> Outcome:
    """Shares, completion rates, growth rates, per capita: numerator / denominator = stated."""
    stated = stated_of(rel)
    first: Outcome | None = None
    for alt in rel.alternatives:
        try:
            computed = compute(rel, alt)
        except (UnitError, ZeroDivisionError, ArithmeticError):
            continue
        if rel.magnitude:
            computed = Interval(min(abs(computed.lo), abs(computed.hi)) if computed.lo * computed.hi > 0
                                else Decimal(0), max(abs(computed.lo), abs(computed.hi)))
        if computed.meets(stated):
            return Outcome(True, False, computed, alt)
        if first is None:
            trunc = truncated_of(rel)
            first = Outcome(False, trunc is not None and computed.meets(trunc), computed, alt)
    return first or Outcome(False, False, None, None)
