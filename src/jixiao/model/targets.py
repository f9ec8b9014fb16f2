"""Targets and actuals of indicator rows as people write them.

``≥99%`` → (≥, 99 %); ``1.8067万人`` → (=, 1.8067 万人, no sign written); ``90日内完成审核拨付``
→ (≤, 90 日, a time limit); ``2019年6月30日`` → a deadline date; ``<=2天`` → (≤, 2 天);
``按时拨付``/``达成预期指标`` → qualitative text; ``优`` → qualitative with grade 优.
What cannot be parsed stays text and is scored as qualitative.

A value carries whether its comparator was *written* (``≥95%``, ``大于等于90%``, ``95%以上``) or
implied (``100%``, ``9595人``): a target without a sign is read by the scorer's rule set (a count
is a minimum, a cost a maximum), and an actual with a sign is a bound, not a measured value.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from jixiao.numbers import UNITS, Quantity, to_decimal

Comparator = Literal[">=", ">", "<=", "<", "=", "qualitative", "deadline"]

_COMPARATORS: list[tuple[str, Comparator]] = [
    ("≥", ">="), ("≧", ">="), (">=", ">="), ("＞=", ">="), ("＞＝", ">="), ("不低于", ">="), ("不少于", ">="),
    ("大于等于", ">="), ("大于或等于", ">="), ("高于或等于", ">="), ("达到", ">="),
    ("≤", "<="), ("≦", "<="), ("<=", "<="), ("＜=", "<="), ("＜＝", "<="), ("不高于", "<="), ("不超过", "<="),
    ("不多于", "<="), ("小于等于", "<="), ("小于或等于", "<="), ("低于或等于", "<="),
    (">", ">"), ("＞", ">"), ("大于", ">"), ("高于", ">"), ("超过", ">"),
    ("<", "<"), ("＜", "<"), ("小于", "<"), ("低于", "<"),
    ("=", "="), ("＝", "="), ("等于", "="),
]
_UNIT_ALTERNATION = "|".join(sorted((re.escape(u) for u in UNITS), key=len, reverse=True))
_NUMBER = re.compile(rf"^(-?\d+(?:\.\d+)?)\s*({_UNIT_ALTERNATION})?")
_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(?:(\d{1,2})\s*日|(底|末))")
_DATE_TAIL = re.compile(r"^(?:前|之前|以前|止|前完成|完成|内完成)?\s*$")
_WITHIN = re.compile(rf"^(\d+(?:\.\d+)?)\s*({_UNIT_ALTERNATION})?\s*(?:以内|之内|内)")
_TRAILING = re.compile(r"^(及以上|及以下|以上|以下)")
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}(?!\d))")
_GRADES = ("优秀", "良好", "合格", "不合格", "优", "良", "中", "差")
_GRADE_NORMAL = {"优秀": "优", "良好": "良", "合格": "中", "不合格": "差"}
_TRANSLATE = str.maketrans({"％": "%", "．": ".", **{chr(0xFF10 + i): str(i) for i in range(10)}})


@dataclass(frozen=True)
class Target:
    """A parsed target or actual value.

    ``written`` — a comparator (sign or word) was written, not implied; ``within`` — a time
    limit written as ``N日内``; ``grade`` — 优/良/中/差 when that is all the value says.
    """

    text: str
    comparator: Comparator
    quantity: Quantity | None = None
    deadline: date | None = None
    written: bool = False
    within: bool = False
    grade: str | None = None

    @property
    def is_quantitative(self) -> bool:
        return self.quantity is not None

    @property
    def is_bound(self) -> bool:
        """An inequality written out (``≥95%``, ``95%以上``): a bound, not a measured value."""
        return self.written and self.comparator in (">=", ">", "<=", "<")


def _date(m: re.Match[str]) -> date | None:
    year, month = int(m.group(1)), int(m.group(2))
    try:
        if m.group(3):
            return date(year, month, int(m.group(3)))
        return date(year, month, calendar.monthrange(year, month)[1])
    except (ValueError, calendar.IllegalMonthError):
        return None


def parse_target(text: str) -> Target:
    raw = text.strip()
    rest = _THOUSANDS.sub("", raw.translate(_TRANSLATE).replace(" ", ""))
    comparator: Comparator | None = None
    for word, comp in _COMPARATORS:
        if rest.startswith(word):
            comparator, rest = comp, rest[len(word):].strip()
            break
    if m := _DATE.match(rest):
        when = _date(m)
        if when is None or not _DATE_TAIL.match(rest[m.end():]):
            return Target(raw, "qualitative")
        return Target(raw, "deadline", deadline=when, written=comparator is not None)
    if m := _WITHIN.match(rest):
        return Target(raw, "<=", Quantity(to_decimal(m.group(1)), m.group(2) or ""), written=True, within=True)
    if m := _NUMBER.match(rest):
        quantity = Quantity(to_decimal(m.group(1)), m.group(2) or "")
        tail = rest[m.end():].strip()
        written = comparator is not None
        if t := _TRAILING.match(tail):
            if comparator is None:
                comparator = ">=" if "上" in t.group(1) else "<="
                written = True
            tail = tail[t.end():].strip()
        if tail and not tail.startswith(("（", "(")):
            return Target(raw, "qualitative")
        return Target(raw, comparator or "=", quantity, written=written)
    if comparator is None:
        bare = rest.rstrip("。.")
        for grade in _GRADES:
            if bare == grade or bare in (f"{grade}等", f"{grade}级"):
                return Target(raw, "qualitative", grade=_GRADE_NORMAL.get(grade, grade))
    return Target(raw, "qualitative")
