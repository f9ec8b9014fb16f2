"""The arithmetic of a check, with no epsilon anywhere: every written figure is the interval of
values that round to it (``74200万元`` → [74199.5, 74200.5]), and a relation's right-hand side
is computed with interval arithmetic in the stated figure's unit. Shared by the rules, the
messages (the right value a finding quotes) and the duplicate checks."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Final

from jixiao.audit.document import Mention
from jixiao.audit.relations.relation import Relation, Term
from jixiao.numbers import Interval, conversion, interval_sum

HUNDRED: Final = Decimal(100)


def stated_interval(m: Mention, *, magnitude: bool = False, sign: int = 1) -> Interval:
    q = m.quantity
    iv = q.interval()
    if sign < 0 and q.value > 0:
        iv = -iv
    if magnitude and q.value < 0:
        iv = -iv
    return iv


def truncated_interval(m: Mention, *, magnitude: bool = False, sign: int = 1) -> Interval | None:
    """The values a figure stands for if its author cut off digits instead of rounding."""
    q = m.quantity
    if q.approx is not None:
        return None
    v = q.value
    if sign < 0 and v > 0:
        v = -v
    if magnitude:
        v = abs(v)
    step = Decimal(1).scaleb(q.exponent)
    return Interval(v, v + step) if v >= 0 else Interval(v - step, v)


def in_unit(m: Mention, unit: str, exact: bool = False) -> Interval:
    q = m.quantity
    iv = Interval.exact(q.value) if exact else q.interval()
    if q.unit in ("", unit) or unit == "":
        return iv
    return iv * conversion(q.unit, unit)


def _common_unit(terms: Iterable[Term], fallback: str) -> str:
    for t in terms:
        if t.mention.quantity.unit:
            return t.mention.quantity.unit
    return fallback


def _sum_terms(terms: list[Term], unit: str, exact: bool = False) -> Interval:
    # a term added (sign 1) is taken as it is: ×1 would give the same interval, only slower
    return interval_sum([in_unit(t.mention, unit, exact) if t.sign == 1 else in_unit(t.mention, unit, exact) * t.sign
                         for t in terms])


def compute(rel: Relation, alt: tuple[list[Term], list[Term]], *, exact: bool = False) -> Interval:
    """The interval the stated figure should fall in, in the stated figure's unit.

    With ``exact`` every figure is taken at its written value (no rounding interval): the
    "right value" a finding quotes.
    """
    num, den = alt
    stated_unit = rel.stated.quantity.unit
    if rel.form == "sum":
        unit = stated_unit or _common_unit(num, "")
        return _sum_terms(num, unit, exact)
    if rel.code == "JX-PCP-001":
        numer = _sum_terms(num, "元", exact)
        denom = interval_sum([_count(t.mention, exact) * t.sign for t in den])
        return numer / denom
    unit = _common_unit(den + num, stated_unit)
    numer = _sum_terms(num, unit, exact)
    denom = _sum_terms(den, unit, exact)
    result = numer / denom
    if rel.percent:
        result = result * HUNDRED
    if rel.scale != 1:
        result = result * Decimal(rel.scale)
    return result


def _count(m: Mention, exact: bool = False) -> Interval:
    q = m.quantity
    iv = Interval.exact(q.value) if exact else q.interval()
    if q.unit.startswith("万"):
        return iv * Decimal(10000)
    return iv


_SIGNED_BY_DIRECTION: Final = ("JX-BAL-001", "JX-SUM-005")


def stated_of(rel: Relation) -> Interval:
    if rel.code in _SIGNED_BY_DIRECTION:
        return stated_interval(rel.stated, sign=rel.direction or 1)
    if rel.code == "JX-CHG-002" or rel.magnitude:
        return stated_interval(rel.stated, magnitude=True)
    return stated_interval(rel.stated)


def truncated_of(rel: Relation) -> Interval | None:
    if rel.code in _SIGNED_BY_DIRECTION:
        return truncated_interval(rel.stated, sign=rel.direction or 1)
    if rel.code == "JX-CHG-002" or rel.magnitude:
        return truncated_interval(rel.stated, magnitude=True)
    return truncated_interval(rel.stated)
