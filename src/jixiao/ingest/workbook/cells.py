"""Excel cell values to figures as written, and back.

Excel keeps every number as a binary float and shows it through the cell's number format;
``655.50`` typed into a cell formatted ``0.00`` is stored as ``655.5``. jixiao keeps the
precision a figure was written with, so a number cell is read by this rule:

1. start from the shortest decimal that round-trips the float (Python's ``repr``: ``655.5``,
   ``0.153``, ``74200``) — never the float's binary expansion;
2. a percentage format (``0.00%``) multiplies by 100 and appends ``%`` (``0.153`` → ``15.30%``);
3. when the format fixes the decimals (``0.00``, ``#,##0.00``, ``0.0#``), the figure gets at
   least the format's fixed decimals (``655.5`` → ``655.50``) and at most the decimals it
   shows; a typed value with more decimals than shown is read as shown (half-up) and the
   reader says so;
4. ``General`` (常规) and text formats keep the shortest decimal; a formula result in
   ``General`` keeps at most 10 significant digits (what Excel shows).

Text cells are taken as typed (``'655.50`` keeps both decimals).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext

_QUOTED = re.compile(r'"[^"]*"')
_ESCAPED = re.compile(r"\\.|_.|\*.")
_BRACKETS = re.compile(r"\[[^\]]*\]")
_DECIMALS = re.compile(r"\.([0#?]+)")
_DATE_CODES = re.compile(r"[ymdhs]", re.IGNORECASE)

#: Above this many significant digits a figure cannot pass through a float unchanged.
MAX_FLOAT_DIGITS = 15


@dataclass(frozen=True)
class NumberFormat:
    """What a number format says about decimals: fixed (min) and shown (max) places, percent."""

    min_places: int | None = None  # None: General / text, no fixed decimals
    max_places: int | None = None
    percent: bool = False
    is_date: bool = False


def parse_format(number_format: str | None) -> NumberFormat:
    """``0.00`` → 2..2; ``#,##0.0#`` → 1..2; ``0.00%`` → 2..2 percent; ``General`` → none."""
    fmt = (number_format or "General").split(";")[0]
    fmt = _QUOTED.sub("", fmt)
    fmt = _ESCAPED.sub("", fmt)
    fmt = _BRACKETS.sub("", fmt)
    if fmt.strip().lower() in ("general", "@", ""):
        return NumberFormat(percent="%" in fmt)
    percent = "%" in fmt
    if "e" in fmt.lower() and "0" in fmt:
        return NumberFormat(percent=percent)
    if _DATE_CODES.search(fmt) and not any(ch in fmt for ch in "0#?"):
        return NumberFormat(is_date=True)
    m = _DECIMALS.search(fmt)
    if m:
        places = m.group(1)
        fixed = sum(1 for ch in places if ch in "0?")
        return NumberFormat(fixed, len(places), percent)
    if any(ch in fmt for ch in "0#?"):
        return NumberFormat(0, 0, percent)
    return NumberFormat(percent=percent)


def shortest_decimal(value: int | float) -> Decimal:
    """The shortest decimal that is this float (``repr``), or the int itself."""
    if isinstance(value, bool):
        raise TypeError("bool is not a number")
    if isinstance(value, int):
        return Decimal(value)
    if value == 0:
        return Decimal(0)
    return Decimal(repr(value))


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


@dataclass(frozen=True)
class NumberText:
    """A number cell read as written: ``text`` (``"655.50"``, ``"15.30%"``); ``rounded_from`` when
    the cell held more decimals than its format shows."""

    text: str
    rounded_from: str | None = None


def number_text(value: int | float, number_format: str | None = None, *, computed: bool = False) -> NumberText:
    """A numeric cell value as the figure it shows (see the module docstring for the rule)."""
    fmt = parse_format(number_format)
    d = shortest_decimal(value)
    if fmt.percent:
        d = d * 100
    suffix = "%" if fmt.percent else ""
    natural = _places(d)
    rounded_from = None
    if fmt.min_places is None or fmt.max_places is None:
        if computed and d != 0:
            with localcontext() as ctx:
                ctx.prec = 10
                d = +d
            natural = _places(d)
        places = natural
    else:
        places = min(max(natural, fmt.min_places), fmt.max_places)
        if natural > places and not computed:
            rounded_from = f"{d.normalize():f}{suffix}"
    with localcontext() as ctx:
        ctx.prec = 60
        q = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if q == 0:
        q = abs(q)
    return NumberText(f"{q:f}{suffix}", rounded_from)


def date_text(value: date | datetime) -> str:
    """A date cell in a text field as Chinese forms write dates: ``2019年6月30日``."""
    return f"{value.year}年{value.month}月{value.day}日"


def excel_number(value: Decimal) -> tuple[int | float, str] | None:
    """A written figure as an Excel number and the format that shows it with the same decimals.

    ``655.50`` → (655.5, ``0.00``); ``74200`` → (74200, ``General``). None when a float cannot
    carry it (more than 15 significant digits, or a positive exponent such as ``7E+2``).
    """
    _sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if exponent > 0 or len(digits) > MAX_FLOAT_DIGITS:
        return None
    if exponent == 0:
        return int(value), "General"
    return float(value), "0." + "0" * (-exponent)


def excel_percent(value: Decimal) -> tuple[float, str] | None:
    """``15.30`` (per cent) → (0.153, ``0.00%``)."""
    _sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if exponent > 0 or len(digits) > MAX_FLOAT_DIGITS - 2:
        return None
    places = -exponent
    return float(value / 100), ("0." + "0" * places + "%") if places else "0%"
