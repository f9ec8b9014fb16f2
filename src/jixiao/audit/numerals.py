"""Chinese numerals (中文数字) as written in reports: ``十三万二千``, ``一千二百三十四``, ``两亿``.

Pure functions, no I/O. :func:`parse_chinese_number` reads a numeral (Chinese, financial
大写, or Arabic digits with a 万/亿 multiplier such as ``3万`` or ``1.5亿``) into a ``Decimal``;
:func:`parse_chinese_percent` reads ``百分之九十五`` and ``三成`` into a percentage.

Readings chosen (each has a test):

* ``十三`` = 13, ``二十`` = 20, ``一百零五`` = 105, ``两千`` = 2000.
* Colloquial elision (口语省略): a last digit after 百/千/万/亿 stands for the next lower place,
  so ``三千五`` = 3500, ``一百五`` = 150, ``十三万二`` = 132000, ``一亿二`` = 120000000. After
  ``零`` there is no elision (``一千零五`` = 1005).
* A run of bare digits is read digit by digit: ``二〇一九`` = 2019 (callers decide whether it
  is a year).
* Arabic with a multiplier keeps the written precision: ``1.5万`` = ``Decimal('1.5E+4')``
  (equal to 15000, exponent 3 → precision ±500); Arabic colloquial ``13万2`` = 13.2万 =
  ``Decimal('1.32E+5')``. A Chinese numeral states an exact integer (``十三万二千`` = 132000).
* Anything else (``万`` alone, ``十十``, ``一是``, an empty string) gives ``None``.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Final

DIGITS: Final[dict[str, int]] = {
    "零": 0, "〇": 0, "○": 0,
    "一": 1, "壹": 1, "幺": 1,
    "二": 2, "两": 2, "贰": 2, "貳": 2,
    "三": 3, "叁": 3, "參": 3,
    "四": 4, "肆": 4,
    "五": 5, "伍": 5,
    "六": 6, "陆": 6, "陸": 6,
    "七": 7, "柒": 7,
    "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}
SMALL_UNITS: Final[dict[str, int]] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG_UNITS: Final[dict[str, int]] = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}

#: Every character that may appear inside a Chinese numeral (without 点).
NUMERAL_CHARS: Final = "".join(DIGITS) + "".join(SMALL_UNITS) + "".join(BIG_UNITS)

#: Multipliers written after Arabic digits, longest first.
MULTIPLIERS: Final[dict[str, int]] = {"万亿": 12, "千万": 7, "百万": 6, "亿": 8, "万": 4, "千": 3}

_ARABIC: Final = re.compile(
    r"^(?P<num>\d+(?:\.\d+)?)(?P<mult>万亿|千万|百万|亿|万|千)?"
    r"(?:(?P<coll>[1-9])(?P<coll_unit>千)?)?$"
)
_MAX_LEN: Final = 40  # longer "numerals" are not numbers anybody wrote


def _integer_part(s: str) -> int | None:
    """Value of a Chinese integer numeral, or None when it is not well formed."""
    if not s:
        return None
    if all(ch in DIGITS for ch in s):
        if len(s) == 1:
            return DIGITS[s]
        return int("".join(str(DIGITS[ch]) for ch in s))  # 二〇一九 → 2019
    reader = _NumeralReader()
    for ch in s:
        if ch in DIGITS:
            ok = reader.add_digit(DIGITS[ch])
        elif ch in SMALL_UNITS:
            ok = reader.add_small_unit(SMALL_UNITS[ch])
        elif ch in BIG_UNITS:
            ok = reader.add_big_unit(BIG_UNITS[ch])
        else:
            return None
        if not ok:
            return None
    return reader.value()


class _NumeralReader:
    """A Chinese numeral with units read character by character: each ``add_…`` says whether
    the numeral is still well formed; :meth:`value` is what it has read."""

    __slots__ = ("after_zero", "last_small", "last_unit", "pending", "section", "total")

    def __init__(self) -> None:
        self.total = 0  # everything above the current 万/亿 section
        self.section = 0  # the current section (below 万)
        self.pending: int | None = None  # a digit waiting for its unit
        self.last_small = 0  # the last 十/百/千 in this section (they must fall: 千 > 百 > 十)
        self.last_unit = 0  # the last unit seen (for colloquial elision)
        self.after_zero = False

    def add_digit(self, value: int) -> bool:
        if self.pending is not None:
            return False  # 二三 inside a numeral with units
        if value == 0:
            self.after_zero = True
        else:
            self.pending = value
        return True

    def add_small_unit(self, unit: int) -> bool:
        """十, 百 or 千."""
        digit = self.pending
        if digit is None:
            if unit != 10:
                return False  # 百 or 千 with no digit
            digit = 1  # 十三 = 13; 一百一十 = 110
        if self.last_small and unit >= self.last_small:
            return False  # 一百一千
        self.section += digit * unit
        self.pending = None
        self.last_small = self.last_unit = unit
        self.after_zero = False
        return True

    def add_big_unit(self, unit: int) -> bool:
        """万 or 亿."""
        if self.pending is not None:
            self.section += self.pending
            self.pending = None
        if self.section == 0 and self.total == 0:
            return False
        if unit == 100_000_000:
            self.total = (self.total + self.section) * unit
        else:
            if self.total % 100_000_000 >= 10_000 and self.section:
                return False  # 一万二万
            self.total += self.section * unit
        self.section = 0
        self.last_small = 0
        self.last_unit = unit
        self.after_zero = False
        return True

    def value(self) -> int:
        section = self.section
        digit = self.pending
        if digit is not None:
            if self.last_unit >= 100 and not self.after_zero:
                section += digit * (self.last_unit // 10)  # 三千五 = 3500, 十三万二 = 132000
            else:
                section += digit
        return self.total + section


def parse_chinese_number(s: str) -> Decimal | None:
    """Read a numeral as written: ``十三万二千`` → 132000, ``两亿`` → 200000000, ``零`` → 0.

    Also Arabic with a multiplier (``3万`` → 3E+4, ``13万2`` → 1.32E+5) and 点 decimals
    (``三点五`` → 3.5). Returns ``None`` when ``s`` is not a numeral.
    """
    text = s.strip() if isinstance(s, str) else ""
    if not text or len(text) > _MAX_LEN:
        return None
    m = _ARABIC.match(text)
    if m:
        return _arabic_with_multiplier(m)
    if any(ch.isascii() for ch in text):
        return None
    if "点" in text:
        whole, _, rest = text.partition("点")
        big = ""
        while rest and rest[-1] in BIG_UNITS:
            big = rest[-1] + big
            rest = rest[:-1]
        if not rest or not all(ch in DIGITS for ch in rest):
            return None
        integer = _integer_part(whole)
        if integer is None:
            return None
        try:
            value = Decimal(f"{integer}.{''.join(str(DIGITS[ch]) for ch in rest)}")
        except InvalidOperation:  # pragma: no cover - digits only
            return None
        for ch in big:
            value = value.scaleb(4 if BIG_UNITS[ch] == 10_000 else 8)
        return value
    integer = _integer_part(text)
    return None if integer is None else Decimal(integer)


def _arabic_with_multiplier(m: re.Match[str]) -> Decimal | None:
    value = Decimal(m["num"])
    mult = m["mult"]
    if m["coll"]:
        if mult not in ("万", "亿"):
            return None
        # 13万2 = 13.2万; 13万2千 reads the same. Only an integer before the multiplier.
        if "." in m["num"]:
            return None
        value = Decimal(f"{m['num']}.{m['coll']}")
    if mult:
        value = value.scaleb(MULTIPLIERS[mult])
    return value


def parse_chinese_percent(s: str) -> Decimal | None:
    """``百分之九十五`` → 95, ``百分之3.5`` → 3.5, ``三成`` → 30, ``三成五`` → 35 (percent)."""
    text = s.strip() if isinstance(s, str) else ""
    if text.startswith("百分之"):
        body = text[3:]
        if re.fullmatch(r"\d+(?:\.\d+)?", body):
            return Decimal(body)
        if body == "百":
            return Decimal(100)
        return parse_chinese_number(body) if body and not any(ch in BIG_UNITS for ch in body) else None
    m = re.fullmatch(r"(?P<tens>[一二两三四五六七八九十])成(?P<ones>[一二三四五六七八九])?", text)
    if m:
        tens = 10 if m["tens"] == "十" else DIGITS[m["tens"]]
        ones = DIGITS[m["ones"]] if m["ones"] else 0
        if tens == 10 and ones:
            return None
        return Decimal(tens * 10 + ones)
    return None
