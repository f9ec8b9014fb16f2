"""Figures as written: a Decimal, its unit, and the precision it was written with.

Every check in jixiao compares at the precision of what was written, never with a magic
epsilon (Arelle's Calc 1.1 idea): ``12.35亿元`` stands for any value in [12.345, 12.355]亿元,
``74200万元`` for [74199.5, 74200.5]万元. A sum, difference or ratio of such figures is an
:class:`Interval`; a stated result is consistent when its own interval meets the computed one.

Money and rates are Decimal everywhere; floats never enter (``Decimal(str(x))`` at the edges).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Final, Literal

# --------------------------------------------------------------------------------------------
# Units: name -> (dimension, factor to the dimension's base unit)
# --------------------------------------------------------------------------------------------

Dimension = Literal[
    "money", "ratio", "points", "person", "person_time", "org", "item", "day", "month", "year",
    "times", "household", "money_per_person", "bed", "batch", "age", "score", "multiple",
    "temperature", "hour", "week", "money_per_visit", "money_per_year",
]

UNITS: Final[dict[str, tuple[Dimension, Decimal]]] = {
    "元": ("money", Decimal(1)),
    "千元": ("money", Decimal(1000)),
    "万元": ("money", Decimal(10_000)),
    "百万元": ("money", Decimal(1_000_000)),
    "亿元": ("money", Decimal(100_000_000)),
    "%": ("ratio", Decimal("0.01")),
    "‰": ("ratio", Decimal("0.001")),
    "个百分点": ("points", Decimal(1)),
    "人": ("person", Decimal(1)),
    "名": ("person", Decimal(1)),
    "万人": ("person", Decimal(10_000)),
    "人次": ("person_time", Decimal(1)),
    "万人次": ("person_time", Decimal(10_000)),
    "家": ("org", Decimal(1)),
    "个": ("item", Decimal(1)),
    "项": ("item", Decimal(1)),
    "种": ("item", Decimal(1)),
    "份": ("item", Decimal(1)),
    "台": ("item", Decimal(1)),
    "辆": ("item", Decimal(1)),
    "张": ("item", Decimal(1)),
    "批次": ("batch", Decimal(1)),
    "天": ("day", Decimal(1)),
    "日": ("day", Decimal(1)),
    "个工作日": ("day", Decimal(1)),
    "个月": ("month", Decimal(1)),
    "月": ("month", Decimal(1)),
    "年": ("year", Decimal(1)),
    "次": ("times", Decimal(1)),
    "户": ("household", Decimal(1)),
    "万户": ("household", Decimal(10_000)),
    "元/人": ("money_per_person", Decimal(1)),
    "元/人·年": ("money_per_person", Decimal(1)),
    "元/人/年": ("money_per_person", Decimal(1)),
    "张床": ("bed", Decimal(1)),
    "条": ("item", Decimal(1)),
    "所": ("org", Decimal(1)),
    "例": ("person_time", Decimal(1)),
    "岁": ("age", Decimal(1)),
    "分": ("score", Decimal(1)),
    "倍": ("multiple", Decimal(1)),
    "℃": ("temperature", Decimal(1)),
    "小时": ("hour", Decimal(1)),
    "分钟": ("hour", Decimal(1) / Decimal(60)),
    "周": ("week", Decimal(1)),
    "元/次": ("money_per_visit", Decimal(1)),
    "元/人次": ("money_per_visit", Decimal(1)),
    "元/年": ("money_per_year", Decimal(1)),
}

MONEY_UNITS: Final = ("元", "千元", "万元", "百万元", "亿元")


class UnitError(ValueError):
    """A unit that jixiao does not know, or a conversion between different dimensions."""


_DIMENSIONS: Final[dict[str, Dimension]] = {unit: dim for unit, (dim, _) in UNITS.items()}


def dimension(unit: str) -> Dimension | None:
    return _DIMENSIONS.get(unit)


def factor(unit: str) -> Decimal:
    """How many base units one ``unit`` is (1万元 = 10000 元; 1% = 0.01)."""
    try:
        return UNITS[unit][1]
    except KeyError as exc:
        raise UnitError(f"未知单位“{unit}”") from exc


def conversion(from_unit: str, to_unit: str) -> Decimal:
    """Factor turning a value in ``from_unit`` into ``to_unit`` (万元 → 元: 10000)."""
    if from_unit == to_unit:
        return Decimal(1)
    d1, d2 = dimension(from_unit), dimension(to_unit)
    if d1 is None or d2 is None or d1 != d2:
        raise UnitError(f"不能把“{from_unit}”换算为“{to_unit}”")
    return factor(from_unit) / factor(to_unit)


# --------------------------------------------------------------------------------------------
# Decimal helpers
# --------------------------------------------------------------------------------------------


def to_decimal(raw: object) -> Decimal:
    """Parse a number as written (``'74200'``, ``'1,562.46'``, ``12``) keeping its exponent.

    Floats are refused on purpose: ``0.1`` as a float is not what anybody wrote.
    """
    if isinstance(raw, Decimal):
        return raw
    if isinstance(raw, (bool, float)):
        raise ValueError(f"数值“{raw}”须写成字符串或整数，不能是浮点数")
    if isinstance(raw, int):
        return _bounded(Decimal(raw), raw)
    if not isinstance(raw, str):
        raise ValueError(f"不是数值：{raw!r}")
    text = without_separators(raw)
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"不是数值：“{raw}”") from exc
    if not value.is_finite():
        raise ValueError(f"不是有限数值：“{raw}”")
    return _bounded(value, raw)


#: more digits, or a larger or finer exponent, than any figure of a fund or budget has: past
#: these the rounding and interval arithmetic (50-digit contexts) cannot hold the value exactly
MAX_DIGITS: Final = 30
MAX_EXPONENT: Final = 30


def _bounded(value: Decimal, raw: object) -> Decimal:
    digits = len(value.as_tuple().digits)
    exponent = exponent_of(value)
    if digits > MAX_DIGITS or abs(exponent) > MAX_EXPONENT or abs(exponent + digits) > MAX_EXPONENT:
        shown = str(raw) if len(str(raw)) <= 40 else str(raw)[:37] + "…"
        raise ValueError(f"数值“{shown}”位数过多或超出范围（最多 {MAX_DIGITS} 位有效数字）")
    return value


#: a number with thousands separators: 1-3 digits, then groups of exactly three, then decimals
_GROUPED: Final = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def without_separators(raw: str) -> str:
    """``raw`` without its thousands separators (``1,896,270`` → ``1896270``; ``，`` counts as
    ``,``). A comma anywhere else (``7,0``, ``1,896,27``, ``12,5.3``) is an error that says so:
    read as a separator it would silently change the figure (``7,0`` → 70)."""
    text = raw.strip().replace("，", ",")
    if "," not in text:
        return text
    if _GROUPED.fullmatch(text) is None:
        raise ValueError(f"“{raw.strip()}”中的逗号不是千位分隔符：千位分隔符从个位起每三位一个"
                         f"（如 1,896,270），小数点应写“.”（如 7.0）")
    return text.replace(",", "")


def exponent_of(value: Decimal) -> int:
    """Exponent of the last written digit: 12.35 → -2, 74200 → 0, 7E+2 → 2."""
    # read off the decimal's own string (12.35, 7E+2, 1.20E+3): as_tuple builds a named tuple of
    # every digit, which costs several times as much
    s = str(value)
    if not s[-1].isdigit():
        raise ValueError(f"no exponent: {value}")  # NaN, Infinity
    e = s.find("E")
    if e < 0:
        dot = s.find(".")
        return 0 if dot < 0 else dot + 1 - len(s)
    dot = s.find(".", 0, e)
    return int(s[e + 1:]) - (0 if dot < 0 else e - dot - 1)


def half_unit(value: Decimal) -> Decimal:
    """Half a unit in the last written place: the rounding error a written figure may carry."""
    return _half_unit_at(exponent_of(value))


def _half_unit_at(exponent: int) -> Decimal:
    return _step_and_half(exponent)[1]


#: exponent → (one unit, half a unit) in that place; written figures use a few exponents only
_STEPS: Final[dict[int, tuple[Decimal, Decimal]]] = {}


def _step_and_half(exponent: int) -> tuple[Decimal, Decimal]:
    found = _STEPS.get(exponent)
    if found is None:
        found = (Decimal(1).scaleb(exponent), Decimal(5).scaleb(exponent - 1))
        if len(_STEPS) < 256:
            _STEPS[exponent] = found
    return found


def round_half_up(value: Decimal, places: int) -> Decimal:
    """Round as Chinese finance reports do (四舍五入), to ``places`` decimals."""
    with localcontext() as ctx:
        ctx.prec = 50
        return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def truncate(value: Decimal, places: int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 50
        return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)


def fmt(value: Decimal, places: int) -> str:
    """A Decimal rounded half-up and printed plain (no exponent, no thousands separators)."""
    return f"{round_half_up(value, places):f}"


# --------------------------------------------------------------------------------------------
# Intervals
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Interval:
    """A closed interval [lo, hi] of Decimals; arithmetic gives the interval of all results."""

    lo: Decimal
    hi: Decimal

    def __init__(self, lo: Decimal, hi: Decimal) -> None:
        # written out (the slots set directly): intervals are made by the hundred thousand, and the
        # generated frozen __init__ with a __post_init__ costs twice as much
        if lo > hi:
            raise ValueError(f"empty interval [{lo}, {hi}]")
        _set_lo(self, lo)
        _set_hi(self, hi)

    def __reduce__(self) -> tuple[type[Interval], tuple[Decimal, Decimal]]:
        # pickle and copy by the constructor: compiled (mypyc), the default way calls __init__ bare
        return Interval, (self.lo, self.hi)

    @classmethod
    def exact(cls, value: Decimal) -> Interval:
        return cls(value, value)

    @classmethod
    def around(cls, value: Decimal, radius: Decimal) -> Interval:
        return cls(value - abs(radius), value + abs(radius))

    @property
    def mid(self) -> Decimal:
        return (self.lo + self.hi) / 2

    @property
    def width(self) -> Decimal:
        return self.hi - self.lo

    def __add__(self, other: Interval) -> Interval:
        return Interval(self.lo + other.lo, self.hi + other.hi)

    def __sub__(self, other: Interval) -> Interval:
        return Interval(self.lo - other.hi, self.hi - other.lo)

    def __neg__(self) -> Interval:
        return Interval(-self.hi, -self.lo)

    def __mul__(self, other: Interval | Decimal | int) -> Interval:
        if not isinstance(other, Interval):  # a number (a unit's factor, a sign): two products, not four
            k = Decimal(other)
            a, b = self.lo * k, self.hi * k
            return Interval(min(a, b), max(a, b))
        products = (self.lo * other.lo, self.lo * other.hi, self.hi * other.lo, self.hi * other.hi)
        return Interval(min(products), max(products))

    def __rmul__(self, other: Decimal | int) -> Interval:  # not ``= __mul__``: mypyc needs a def
        return self * other

    def __truediv__(self, other: Interval | Decimal | int) -> Interval:
        if not isinstance(other, Interval):
            other = Interval.exact(Decimal(other))
        if other.lo <= 0 <= other.hi:
            raise ZeroDivisionError("divisor interval contains zero")
        with localcontext() as ctx:
            ctx.prec = 40
            quotients = (self.lo / other.lo, self.lo / other.hi, self.hi / other.lo, self.hi / other.hi)
        return Interval(min(quotients), max(quotients))

    def contains(self, value: Decimal) -> bool:
        return self.lo <= value <= self.hi

    def meets(self, other: Interval) -> bool:
        """True when the two intervals share at least one point."""
        return self.lo <= other.hi and other.lo <= self.hi

    def distance(self, other: Interval) -> Decimal:
        """How far apart two intervals are (0 when they meet)."""
        if self.meets(other):
            return Decimal(0)
        return other.lo - self.hi if other.lo > self.hi else self.lo - other.hi

    def scaled(self, k: Decimal) -> Interval:
        return self * k

    def widened(self, radius: Decimal) -> Interval:
        return Interval(self.lo - abs(radius), self.hi + abs(radius))

    def __str__(self) -> str:
        return f"[{_plain(self.lo)}, {_plain(self.hi)}]"


_set_lo = vars(Interval)["lo"].__set__  # the slots' own setters, past the frozen __setattr__ (vars: mypyc)
_set_hi = vars(Interval)["hi"].__set__


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"


def interval_sum(parts: list[Interval]) -> Interval:
    # the bounds added as ``total = total + part`` would, without an Interval for every step
    lo = hi = Decimal(0)
    for part in parts:
        lo += part.lo
        hi += part.hi
    return Interval(lo, hi)


# --------------------------------------------------------------------------------------------
# Quantities as written
# --------------------------------------------------------------------------------------------

Approx = Literal["约", "近", "余", "多", "以上", "以下"]


@dataclass(frozen=True, slots=True)
class Quantity:
    """A figure as written: ``value`` in ``unit`` with the precision of its written digits.

    ``approx`` records words that loosen it: 约 (about), 近 (just under), 余/多/以上 (over),
    以下 (under). ``value`` keeps its Decimal exponent, which *is* the written precision.
    """

    value: Decimal
    unit: str = ""
    approx: Approx | None = None

    def __init__(self, value: Decimal, unit: str = "", approx: Approx | None = None) -> None:
        # written out for speed, as Interval's: one per figure found, and more in every check
        _set_value(self, value)
        _set_unit(self, unit)
        _set_approx(self, approx)

    def __reduce__(self) -> tuple[type[Quantity], tuple[Decimal, str, Approx | None]]:
        return Quantity, (self.value, self.unit, self.approx)  # as Interval's

    @property
    def exponent(self) -> int:
        return exponent_of(self.value)

    @property
    def dimension(self) -> Dimension | None:
        return _DIMENSIONS.get(self.unit)

    def interval(self) -> Interval:
        """The values this figure stands for, in its own unit."""
        v = self.value
        step, h = _step_and_half(exponent_of(v))  # the exponent read once: as_tuple is slow
        match self.approx:
            case None:
                return Interval(v - h, v + h)
            case "约":
                return Interval(v - step, v + step)
            case "近" | "以下":
                return Interval(v - step, v + h)
            case "余" | "多" | "以上":
                return Interval(v - h, v + step)
        raise AssertionError(self.approx)

    def interval_in(self, unit: str) -> Interval:
        """The interval converted to ``unit`` (same dimension)."""
        return self.interval() * conversion(self.unit, unit)

    def value_in(self, unit: str) -> Decimal:
        return self.value * conversion(self.unit, unit)

    def to_unit(self, unit: str) -> Quantity:
        """The same figure in ``unit``, still at its written precision: ``7.42亿元`` → ``7.42E+4万元``
        (hundreds of 万元, as written), ``1234元`` → ``0.1234万元`` — a power-of-ten conversion
        moves the decimal point, it never invents digits (``74200.00``)."""
        if unit == self.unit:
            return self
        factor = conversion(self.unit, unit)
        normal = factor.normalize()
        if normal.as_tuple().digits == (1,):
            return Quantity(self.value.scaleb(normal.adjusted()), unit, self.approx)
        return Quantity(self.value * factor, unit, self.approx)

    def __str__(self) -> str:
        prefix = self.approx if self.approx in ("约", "近") else ""
        suffix = self.approx if self.approx in ("余", "多", "以上", "以下") else ""
        return f"{prefix}{self.value:f}{suffix}{self.unit}"


_set_value = vars(Quantity)["value"].__set__
_set_unit = vars(Quantity)["unit"].__set__
_set_approx = vars(Quantity)["approx"].__set__


def parse_quantity(text: str, default_unit: str = "") -> Quantity:
    """Parse a simple written figure such as ``'74200万元'``, ``'9.25%'``, ``'1.8067万人'``.

    This is the strict parser for structured inputs (YAML, Excel cells); the free-text
    extractor in :mod:`jixiao.audit` handles prose.
    """
    raw = text.strip()
    if not raw:
        raise ValueError("空值")
    approx: Approx | None = None
    for word in ("约", "近"):
        if raw.startswith(word):
            approx = word
            raw = raw[len(word):].strip()
    number_end = 0
    for i, ch in enumerate(raw):
        if ch.isdigit() or ch in ".-+,，":
            number_end = i + 1
        else:
            break
    number, unit = raw[:number_end], raw[number_end:].strip()
    for word in ("以上", "以下", "余", "多"):
        # 余/多 may stand inside the unit: "71万余人" = more than 71万人
        if unit.startswith(word) or (word in ("余", "多") and unit[1:2] == word and unit[:1] in "万亿"):
            approx = word  # type: ignore[assignment]
            unit = unit.replace(word, "", 1).strip()
            break
        if unit.endswith(word) and unit[: -len(word)] in UNITS:  # "95%以上"
            approx = word  # type: ignore[assignment]
            unit = unit[: -len(word)]
            break
    unit = unit or default_unit
    if unit and unit not in UNITS:
        raise UnitError(f"未知单位“{unit}”（在“{text}”中）")
    return Quantity(to_decimal(number), unit, approx)
