"""Units as written → canonical unit (a key of :data:`jixiao.numbers.UNITS` where one exists).

The vocabulary of units, with the guards that keep words merely starting with one (人民, 元旦,
年代) from being read as a unit; the scan and the written-once rules both read it.
"""

from __future__ import annotations

import re
from typing import Final

from jixiao.numbers import UNITS

#: written form → (canonical unit, negative lookahead guarding words that merely start with it)
UNIT_TABLE: Final[list[tuple[str, str, str]]] = [
    ("元/人·年", "元/人·年", ""), ("元/人.年", "元/人·年", ""), ("元/人年", "元/人·年", ""),
    ("元/人/年", "元/人/年", ""), ("元/人·月", "元/人·月", ""), ("元/人次", "元/人次", ""),
    ("元/人", "元/人", ""), ("元/次", "元/次", ""), ("元/年", "元/年", ""), ("元/月", "元/月", ""),
    ("元/天", "元/天", ""), ("元/日", "元/天", ""),
    ("亿元", "亿元", ""), ("万元", "万元", ""), ("千元", "千元", ""), ("元", "元", "[旦素宵]"),
    ("%", "%", ""), ("％", "%", ""), ("‰", "‰", ""), ("个百分点", "个百分点", ""), ("百分点", "个百分点", ""),
    ("人次", "人次", ""), ("人（次）", "人次", ""), ("人(次)", "人次", ""),
    ("人", "人", "[民社员口均大事寿保力才文造群]"), ("名", "名", "[称单义字额录次下]"),
    ("户", "户", "[籍口主型]"), ("家", "家", "[庭属长]"),
    ("个工作日", "个工作日", ""), ("个月", "个月", ""), ("个", "个", "[人体性别案]"),
    ("项", "项", ""), ("种", "种", "[类子植]"), ("份", "份", "[额]"), ("台", "台", "[账湾风]"),
    ("辆", "辆", ""), ("张床", "张床", ""), ("张", "张", "[某]"), ("批次", "批次", ""),
    ("批", "批次", "[准复示]"), ("天", "天", "[然津]"), ("日", "日", "[常期均报]"),
    ("小时", "小时", ""), ("分钟", "分钟", ""), ("周岁", "岁", ""), ("岁", "岁", ""),
    ("周", "周", "[年边期末转]"), ("年", "年", "[代级龄限底末初]"), ("次", "次", "[年日月序要数]"),
    ("倍", "倍", ""), ("条", "条", "[件例款]"), ("所", "所", "[有以属得在述]"), ("例", "例", "[如外]"),
    ("℃", "℃", ""),
]
#: written unit → canonical unit, for callers (``金额（万元）`` headers, YAML, tests)
UNIT_ALIASES: Final[dict[str, str]] = {w: c for w, c, _ in UNIT_TABLE}
UNIT_ALIASES.update({u: u for u in UNITS})
UNIT_ALIASES.update({"亿": "亿元", "万": "万元"})

#: units of a time limit (5个工作日内 is "at most 5 days")
TIME_UNITS: Final = frozenset({"天", "日", "个工作日", "个月", "小时", "分钟", "周", "年"})
#: units a Chinese numeral may carry (三个, 两批次, 百分之…); never 年/月 (二〇一九年, 两年来)
HAN_UNITS_EXCLUDED: Final = frozenset({"年", "岁", "℃", "分", "分钟", "小时"})
#: units that a header, a label in parentheses or a 单位： line may declare
DECLARED_UNITS: Final = r"亿元|万元|千元|百万元|元/人|元|亿|万|%|％|‰|万人次|人次|万人|人|户|家|个月|个|项|天|日|次"


def unit_alternation() -> str:
    """Every written unit as one regular-expression alternation, longest first, with its guard."""
    parts = []
    for written, _, guard in sorted(UNIT_TABLE, key=lambda t: -len(t[0])):
        alt = re.escape(written)
        if guard:
            alt += f"(?!{guard})"
        if written == "分":
            continue
        parts.append(alt)
    parts.append("分(?![\u4e00-\u9fff])")
    parts.append("分(?=以[上下])")
    return "|".join(parts)


def canonical_unit(written: str) -> str | None:
    """``'万元'`` → ``'万元'``, ``'％'`` → ``'%'``, ``'亿'`` → ``'亿元'``, unknown → None."""
    return UNIT_ALIASES.get(written.strip())
