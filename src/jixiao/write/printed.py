"""Figures as a reader sees them on the page, and the arithmetic a reader does with them.

A report is checked by people with a calculator: 806 元 “比上年人均751元增长7.32%” must give
806 ÷ 751 − 1 = 7.32%, not the 7.27% the unrounded 805.61 元 would give. So a derived figure
printed next to its operands is computed here from the operands *as printed* (:class:`Fig`: the
Decimal with exactly the digits shown) and rounded half-up to its own places; each such figure
comes with a :class:`~jixiao.write.report.Claim` that a test recomputes from the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext

from jixiao.numbers import Quantity, conversion, round_half_up
from jixiao.write.report import Claim, ClaimOp, ResultLike

HUNDRED = Decimal(100)
#: a difference of two rates, in percentage points
POINTS = "个百分点"


@dataclass(frozen=True)
class Fig:
    """A figure exactly as printed: ``value`` carries the printed digits (its exponent is the
    printed precision), ``unit`` follows it; ``approx`` (约, 余 …) marks a figure no one computes with."""

    value: Decimal
    unit: str = ""
    approx: str | None = None

    @property
    def places(self) -> int:
        return max(0, -int(self.value.as_tuple().exponent))

    @property
    def text(self) -> str:
        """``74200万元``, ``-2.84%``, ``约5万元`` — the sign as a minus, never ``-0``."""
        number = f"{self.value:f}"
        if number.startswith("-") and self.value == 0:
            number = number[1:]
        prefix = self.approx if self.approx in ("约", "近") else ""
        suffix = self.approx if self.approx in ("余", "多", "以上", "以下") else ""
        return f"{prefix}{number}{suffix}{self.unit}"

    @property
    def magnitude(self) -> str:
        """The text without its sign: what follows 增加/减少, 增长/下降."""
        return self.text.replace("-", "", 1) if self.value < 0 else self.text

    @property
    def sign(self) -> int:
        return 0 if self.value == 0 else (1 if self.value > 0 else -1)

    @property
    def exact(self) -> bool:
        return self.approx is None

    def __str__(self) -> str:
        return self.text


def of(q: Quantity) -> Fig:
    """A written figure, as written."""
    return Fig(q.value, q.unit, q.approx)


def shown(res: ResultLike) -> Fig:
    """An engine result as its display prints it (half-up at its places)."""
    assert res.value is not None
    value = round_half_up(res.value, res.places)
    if value == 0:
        value = abs(value)
    return Fig(value, res.unit)


def _round(value: Decimal, places: int, unit: str) -> Fig:
    out = round_half_up(value, places)
    return Fig(abs(out) if out == 0 else out, unit)


def _in(f: Fig, unit: str) -> Decimal:
    if f.unit == unit or not f.unit or not unit or (f.unit, unit) == ("%", POINTS):
        return f.value
    return f.value * conversion(f.unit, unit)


def _claim(op: ClaimOp, operands: tuple[Fig, ...], result: Fig) -> Claim:
    return Claim(op, tuple(o.text for o in operands), result.text)


def _checkable(*figs: Fig) -> bool:
    return all(f.exact for f in figs)


def difference(a: Fig, b: Fig, places: int | None = None, unit: str | None = None) -> tuple[Fig, Claim | None]:
    """a − b in ``unit`` (default: a's), at the most decimals of the two (a sum of written figures
    is exact) or at ``places`` (a difference of 元 figures shown in 万元)."""
    unit = unit or a.unit or b.unit
    out = _round(_in(a, unit) - _in(b, unit), max(a.places, b.places) if places is None else places, unit)
    return out, _claim("difference", (a, b), out) if _checkable(a, b) else None


def ratio(part: Fig, whole: Fig, places: int = 2) -> tuple[Fig, Claim | None] | None:
    """part ÷ whole × 100%: a share, a completion or execution rate. None when whole is 0."""
    unit = part.unit or whole.unit
    denominator = _in(whole, unit)
    if denominator == 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 40
        value = _in(part, unit) / denominator * HUNDRED
    out = _round(value, places, "%")
    return out, _claim("ratio", (part, whole), out) if _checkable(part, whole) else None


def growth(now: Fig, before: Fig, places: int = 2) -> tuple[Fig, Claim | None] | None:
    """(now − before) ÷ before × 100%. None when before is 0."""
    unit = now.unit or before.unit
    base = _in(before, unit)
    if base == 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 40
        value = (_in(now, unit) - base) / base * HUNDRED
    out = _round(value, places, "%")
    return out, _claim("growth", (now, before), out) if _checkable(now, before) else None


def growth_by_change(now: Fig, change: Fig, places: int = 2) -> tuple[Fig, Claim | None] | None:
    """change ÷ (now − change) × 100%: the rate when a report gives this year and the 增减额."""
    unit = now.unit or change.unit
    base = _in(now, unit) - _in(change, unit)
    if base == 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 40
        value = _in(change, unit) / base * HUNDRED
    out = _round(value, places, "%")
    return out, _claim("growth_by_change", (now, change), out) if _checkable(now, change) else None


def per_capita(amount: Fig, persons: Fig) -> tuple[Fig, Claim | None] | None:
    """An amount (any money unit) per person, in whole 元."""
    people = _in(persons, "人") if persons.unit in ("人", "万人") else persons.value
    if people == 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 40
        value = _in(amount, "元") / people
    out = _round(value, 0, "元")
    return out, _claim("per_capita", (amount, persons), out) if _checkable(amount, persons) else None


def months(closing: Fig, spent: Fig, places: int = 1) -> tuple[Fig, Claim | None] | None:
    """Months of spending a reserve pays: closing ÷ (spent ÷ 12)."""
    unit = closing.unit or spent.unit
    monthly = _in(spent, unit) / 12
    if monthly == 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 40
        value = _in(closing, unit) / monthly
    out = _round(value, places, "个月")
    return out, _claim("months", (closing, spent), out) if _checkable(closing, spent) else None


def times(a: Fig, b: Fig, places: int = 2) -> tuple[Fig, Claim | None] | None:
    """a ÷ b as a bare ratio (在职退休比 1.24)."""
    if b.value == 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 40
        value = _in(a, a.unit or b.unit) / _in(b, a.unit or b.unit)
    out = _round(value, places, "")
    return out, _claim("times", (a, b), out) if _checkable(a, b) else None

