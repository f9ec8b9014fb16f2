"""Targets and actuals of indicator rows as people write them.

``≥99%`` → (≥, 99 %); ``1.8067万人`` → (=, 1.8067 万人); ``90日内完成审核拨付`` → (≤, 90 日, 时限);
``2019年6月30日`` → a deadline date; ``<=2天`` → (≤, 2 天); ``按时拨付``/``优`` → qualitative text.
What cannot be parsed stays text and is scored as qualitative.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from jixiao.numbers import UNITS, Quantity, to_decimal

Comparator = Literal[">=", ">", "<=", "<", "=", "qualitative", "deadline"]

_COMPARATORS: list[tuple[str, Comparator]] = [
    ("≥", ">="), (">=", ">="), ("＞=", ">="), ("不低于", ">="), ("不少于", ">="), ("大于等于", ">="),
    ("≤", "<="), ("<=", "<="), ("＜=", "<="), ("不高于", "<="), ("不超过", "<="), ("小于等于", "<="),
    (">", ">"), ("＞", ">"), ("大于", ">"), ("高于", ">"),
    ("<", "<"), ("＜", "<"), ("小于", "<"), ("低于", "<"),
    ("=", "="), ("＝", "="), ("等于", "="),
]
_UNIT_ALTERNATION = "|".join(sorted((re.escape(u) for u in UNITS), key=len, reverse=True))
_NUMBER = re.compile(rf"^(-?\d+(?:\.\d+)?)\s*({_UNIT_ALTERNATION})?")
_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日")
_WITHIN = re.compile(rf"^(\d+(?:\.\d+)?)\s*({_UNIT_ALTERNATION})?\s*内")
_TRAILING = re.compile(r"^(以上|以下|及以上|及以下)")


@dataclass(frozen=True)
class Target:
    """A parsed target or actual value."""

    text: str
    comparator: Comparator
    quantity: Quantity | None = None
    deadline: date | None = None

    @property
    def is_quantitative(self) -> bool:
        return self.quantity is not None


def parse_target(text: str) -> Target:
    raw = text.strip()
    rest = raw
    comparator: Comparator | None = None
    for word, comp in _COMPARATORS:
        if rest.startswith(word):
            comparator, rest = comp, rest[len(word):].strip()
            break
    if m := _DATE.match(rest):
        try:
            when = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return Target(raw, "qualitative")
        return Target(raw, "deadline", deadline=when)
    if m := _WITHIN.match(rest):
        return Target(raw, "<=", Quantity(to_decimal(m.group(1)), m.group(2) or ""))
    if m := _NUMBER.match(rest):
        quantity = Quantity(to_decimal(m.group(1)), m.group(2) or "")
        tail = rest[m.end():].strip()
        if t := _TRAILING.match(tail):
            comparator = comparator or (">=" if "上" in t.group(1) else "<=")
            tail = tail[t.end():].strip()
        if tail and not tail.startswith(("（", "(")):
            return Target(raw, "qualitative")
        return Target(raw, comparator or "=", quantity)
    return Target(raw, "qualitative")
