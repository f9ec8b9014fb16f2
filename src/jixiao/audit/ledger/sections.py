"""Sections: the headings of a document, what each names (a fund, a period, a unit, a budget),
and what a block inherits from the headings above it.

A heading is a line that opens with a numbering (第一部分, 一、, （一）, 1., （1）) or a short line
without a figure that does not end a sentence. A numbered line that goes on into a sentence
(``（一）收入方面：截至…总收入16248.77万元``) heads its own text: its words before the first
full stop or colon are its heading. A numbered line whose first figure comes before any such
stop is an item of a list, not a heading (``1、利息收入8.5万元；``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Any, Final

from jixiao.audit.ledger.periods import Period, find_periods
from jixiao.audit.ledger.vocab import CRIT, DEPT, INSURED, TERM_OF, TERM_RE, TOTAL
from jixiao.model.ledger import ITEMS, ItemKind

NUMBERING: Final = re.compile(
    r"^[\s\u3000]*(?:(?P<part>第[一二三四五六七八九十]+(?:部分|章|节))"
    r"|(?P<cn>[一二三四五六七八九十]+)[、.．]"
    r"|[（(](?P<pcn>[一二三四五六七八九十]+)[）)]"
    r"|(?P<ar>\d{1,2})(?:[、．]|\.(?!\d))"
    r"|[（(](?P<par>\d{1,2})[）)]"
    r"|(?P<circ>[①②③④⑤⑥⑦⑧⑨⑩]))[\s\u3000]*"
)
_HEAD_STOP: Final = re.compile(r"[。：:；;！？]")
_UNIT_DECL: Final = re.compile(r"单位(?:均为|为|是)?\s*[：:]?\s*(?:人民币)?(万元|亿元|元|万人次|人次|万人|人)")
_BUDGET: Final = re.compile(r"预算安排|预算有关|预算数据|预算草案|收支预算|预算(?:绩效)?目标|预算编制|年度预算$")
_NOT_BUDGET: Final = re.compile(r"执行|决算|完成|收支情况|支出情况|运行")
#: kinds of budget that name where money comes from, not that the figures are budgets
_BUDGET_TYPES: Final = re.compile(r"一般公共预算|政府性基金预算|国有资本经营预算|社会保险基金预算|部门预算")


def numbering_level(text: str) -> tuple[int, int] | None:
    """(level, end of the numbering) of a numbered line: 第一部分 0, 一、 1, （一） 2, 1. 3, （1） 4, ① 5."""
    m = NUMBERING.match(text)
    if m is None:
        return None
    return _LEVEL[m.lastgroup or ""], m.end()  # one named group takes part in a match


_LEVEL: Final = {name: level for level, name in enumerate(("part", "cn", "pcn", "ar", "par", "circ"))}


@dataclass(slots=True)
class Section:
    level: int
    title: str
    fund: str | None = None
    period: Period | None = None
    year: int | None = None
    unit: str | None = None
    budget: bool = False
    block: int = 0
    #: the spending a department's heading is about (（四）“三公”经费情况): its bare 支出 is that;
    #: or 参保人数 (年末参保人数：职工…223618人): its counts of people are that
    item: str | None = None

    def __init__(self, level: int, title: str, fund: str | None = None, period: Period | None = None,
                 year: int | None = None, unit: str | None = None, budget: bool = False, block: int = 0,
                 item: str | None = None) -> None:
        # written out (compiled, made by the thousand): a dataclass's generated __init__ is interpreted
        self.level = level
        self.title = title
        self.fund = fund
        self.period = period
        self.year = year
        self.unit = unit
        self.budget = budget
        self.block = block
        self.item = item

    def __reduce__(self) -> tuple[type[Section], tuple[Any, ...]]:
        # pickle and copy by the constructor (numbers.Interval says why)
        return Section, tuple(getattr(self, f.name) for f in fields(self) if f.init)


@dataclass(slots=True)
class Outline:
    """The sections in force at a block, innermost last."""

    stack: list[Section] = field(default_factory=list)

    def enter(self, section: Section) -> None:
        while self.stack and self.stack[-1].level >= section.level:
            self.stack.pop()
        self.stack.append(section)

    def fund(self) -> str | None:
        for s in reversed(self.stack):
            if s.fund:
                return s.fund
        return None

    def year(self) -> int | None:
        for s in reversed(self.stack):
            if s.year:
                return s.year
        return None

    def span(self) -> str | None:
        for s in reversed(self.stack):
            if s.period and s.period.span:
                return s.period.span
        return None

    def unit(self) -> str | None:
        for s in reversed(self.stack):
            if s.unit:
                return s.unit
        return None

    def budget(self) -> bool:
        return any(s.budget for s in self.stack)

    def item(self) -> str | None:
        return self.stack[-1].item if self.stack else None


def heading_text(text: str, has_figure_before: int | None,
                 numbered: tuple[int, int] | None) -> tuple[int, str] | None:
    """(level, heading words) when ``text`` is a heading or a numbered paragraph heading its own
    text; ``has_figure_before`` is where the line's first figure starts (None: no figure);
    ``numbered`` is :func:`numbering_level` of ``text`` (the caller has it)."""
    if numbered is not None:
        level, start = numbered
        stop = _HEAD_STOP.search(text, start)
        end = stop.start() if stop else len(text)
        if has_figure_before is not None and has_figure_before < end:
            return None  # 1、利息收入8.5万元; — an item of a list
        words = text[start:end].strip()
        if len(words) > 40:
            return None
        return level, words
    stripped = text.strip()
    if not stripped or len(stripped) > 36 or has_figure_before is not None:
        return None
    if stripped[-1] in "。；;！？，,":
        return None
    return -1, stripped  # an unnumbered heading (a title, a caption): level set by the caller


#: a department's spending that a section may be about (not its totals, budgets or rates)
SPENDING: Final = frozenset(i.name for i in ITEMS if i.kind is ItemKind.department
                            and not i.name.endswith(("合计", "预算", "率")) and "收入" not in i.name)


INSURED_COUNT: Final = "参保人数"


def section_of(level: int, words: str, block: int) -> Section:
    """What a heading's words name: its fund (the last one written: 城镇职工补充医疗保险基金
    （大病保险） is 大病保险), period, unit and whether it is a budget."""
    fund, period, year, unit, budget, item = _heading_meaning(words)
    return Section(level, words, fund, period, year, unit, budget, block, item)


@lru_cache(maxsize=512)  # reports of one kind share their headings (一、基金收入情况)
def _heading_meaning(words: str) -> tuple[str | None, Period | None, int | None, str | None, bool, str | None]:
    """(fund, period, year, unit, budget, item) of a heading's words (the period is frozen: one
    shared object is safe)."""
    fund: str | None = None
    terms = [TERM_OF[m.group()] for m in TERM_RE.finditer(words)]
    funds = [t.fund for t in terms if t.fund]
    if funds:
        fund = funds[-1] if funds[-1] == CRIT and len(funds) > 1 else funds[0]
        if len(set(funds)) > 1 and fund != CRIT:
            # 职工…、城乡居民…基金预算完成情况: a heading over several funds names none of them (a
            # 合计 of them is their total)
            fund = TOTAL if "合计" in words else None
    year = None
    span = None
    for p in find_periods(words):
        if p.compared or p.previous:
            continue
        year = year or p.year
        span = span or p.span
    unit = None
    m = _UNIT_DECL.search(words)
    if m:
        unit = m.group(1)
    typeless = _BUDGET_TYPES.sub("", words)
    budget = _BUDGET.search(typeless) is not None and _NOT_BUDGET.search(typeless) is None
    if fund == DEPT:
        fund = None  # 部门整体支出情况: a department document is already the department's
    named = (t.item for t in terms)
    items = {INSURED_COUNT if i == INSURED else i for i in named if i in SPENDING or i in (INSURED, INSURED_COUNT)}
    return fund, Period(year, span) if span else None, year, unit, budget, items.pop() if len(items) == 1 else None
