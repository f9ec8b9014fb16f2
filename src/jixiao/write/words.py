"""The small words of a report: 增加/减少 by sign, comparison signs as printed (≤, ≥), 本单位无….

Kept apart from the sentences so every report says these things the same way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from jixiao.write.printed import Fig

_SIGNS = (("<=", "≤"), (">=", "≥"), ("＜=", "≤"), ("＞=", "≥"), ("＜＝", "≤"), ("＞＝", "≥"),
          ("=<", "≤"), ("=>", "≥"), ("＝", "="), ("＜", "<"), ("＞", ">"))


def signs(text: str) -> str:
    """A target or actual as printed: ``<=2天`` → ``≤2天``, ``>=95%`` → ``≥95%``."""
    out = text.strip()
    for ascii_sign, sign in _SIGNS:
        out = out.replace(ascii_sign, sign)
    return out


def amount_word(sign: int) -> str:
    return "增加" if sign > 0 else "减少"


def rate_word(sign: int) -> str:
    return "增长" if sign > 0 else "下降"


def change_clause(change: Fig | None, rate: Fig | None, *, against: str = "较上年") -> str | None:
    """``较上年增加6284万元，增长9.25%`` / ``较上年减少994万元，下降1.48%`` / ``与上年持平``.

    The sign decides the word; the figure follows without its sign (never “增长-4.23%”).
    """
    if change is None and rate is None:
        return None
    sign = change.sign if change is not None else rate.sign  # type: ignore[union-attr]
    if sign == 0 and (rate is None or rate.sign == 0):
        return "与上年持平"
    parts = []
    if change is not None:
        parts.append(f"{against}{amount_word(sign)}{change.magnitude}")
    if rate is not None:
        rsign = rate.sign or sign
        text = f"{rate_word(rsign)}{rate.magnitude}"
        parts.append(text if change is not None else f"{against}{text}")
    return "，".join(parts)


def than(before: Fig, rate: Fig, *, what: str = "上年") -> str:
    """``比上年751元增长7.32%`` / ``比上年0.69万元下降43.48%`` / ``与上年0.69万元持平``."""
    if rate.sign == 0:
        return f"与{what}{before.text}持平"
    return f"比{what}{before.text}{rate_word(rate.sign)}{rate.magnitude}"


def listing(items: Sequence[str], last: str = "和") -> str:
    """``A、B和C`` (a short list in running text)."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return "、".join(items[:-1]) + last + items[-1]


def sentence(parts: Sequence[str | None], sep: str = "，") -> str | None:
    body = sep.join(p for p in parts if p)
    return f"{body}。" if body else None


def labelled(label: str, fig: Fig) -> str:
    """``生育津贴1218人次`` — the label without a unit it already ends with (not “…人次1218人次”)."""
    for unit in ("人次", "人数", "金额"):
        if label.endswith(unit) and fig.unit and unit.startswith(fig.unit[:1]):
            label = label[: -len(unit)]
            break
    return f"{label}{fig.text}"


_NUMBER_START = re.compile(r"^[\d.]")


def no_item(year: int, what: str) -> str:
    """``2020年度本单位无项目支出。`` — what a form says for an item that is zero."""
    return f"{year}年度本单位无{what}。"
