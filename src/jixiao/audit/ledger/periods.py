"""Periods as reports write them: a year, and the months a figure covers (``span``).

``span`` is ``"1-12"`` for a full year, ``"1-6"`` for a half year or 1-6月, ``"1-3"`` for a
first quarter, ``"1-11"`` for 截至11月末, ``"11"`` for 11月当月. Quarters and 截至 are read as
cumulative from January, as fund reports state them; a stock (累计结余, 参保人数) is at the end
of its span.

:func:`find_periods` lists every period expression of a text with where it stands;
:func:`document_period` reads the period a document is about from its title lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

_CN: Final = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
              "十一": 11, "十二": 12}


def _num(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    return _CN.get(s)


@dataclass(frozen=True, slots=True)
class PeriodMark:
    """A period expression at ``[start, end)``: its year (if written), its span (if written), and
    ``compared`` when it names the period a figure is compared with (较上年, 比2018年, 上年同期)."""

    start: int
    end: int
    year: int | None
    span: str | None
    compared: bool = False
    previous: bool = False  # 上年 / 去年 / 上年同期: the year before the one in force
    #: a bare month (2019年11月): the period of a title, the date of an event in a sentence
    month: int | None = None

    def __init__(self, start: int, end: int, year: int | None, span: str | None, compared: bool = False,
                 previous: bool = False, month: int | None = None) -> None:
        # written out (the slots set directly, as numbers.Interval's): the generated frozen
        # __init__ is interpreted and sets each field through object.__setattr__
        _set_start(self, start)
        _set_end(self, end)
        _set_year(self, year)
        _set_span(self, span)
        _set_compared(self, compared)
        _set_previous(self, previous)
        _set_month(self, month)

    def __reduce__(self) -> tuple[type[PeriodMark], tuple[int, int, int | None, str | None, bool, bool, int | None]]:
        # pickle and copy by the constructor (numbers.Interval says why)
        return PeriodMark, (self.start, self.end, self.year, self.span, self.compared, self.previous, self.month)


_set_start = vars(PeriodMark)["start"].__set__  # the slots' own setters, past the frozen __setattr__
_set_end = vars(PeriodMark)["end"].__set__
_set_year = vars(PeriodMark)["year"].__set__
_set_span = vars(PeriodMark)["span"].__set__
_set_compared = vars(PeriodMark)["compared"].__set__
_set_previous = vars(PeriodMark)["previous"].__set__
_set_month = vars(PeriodMark)["month"].__set__


_M: Final = r"(1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_Y: Final = r"((?:19|20)\d{2})(?<!\d\d{4})\s{0,2}年(?:度)?"
_RANGE: Final = rf"{_M}\s{{0,2}}(?:月份?)?\s{{0,2}}[-—–~至到]\s{{0,2}}{_M}\s{{0,2}}月(?:份)?"
_PERIOD: Final = re.compile(
    # (the lookahead lets the scan skip at once every position that cannot open a period)
    rf"(?=[\d一二三四五六七八九十前第上下年全])(?=(?:19|20)\d\d\s{{0,2}}年|(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])\s{{0,2}}[月份\-—–~至到]|前|第|[一二三四1-4]\s{{0,2}}季|[上下]半年|年[末底]|全年)"
    rf"(?P<y>{_Y})?\s{{0,2}}(?:"
    rf"(?P<range>{_RANGE})"
    rf"|前\s{{0,2}}(?P<first>{_M})\s{{0,2}}(?:个)?月"
    rf"|第?(?P<q>[一二三四1-4])\s{{0,2}}季度"
    rf"|前三季度(?P<q3>)"
    rf"|(?P<half>上半年|下半年)"
    rf"|(?P<end>{_M})\s{{0,2}}月\s{{0,2}}(?:\d{{1,2}}\s{{0,2}}日|末|底|份|当月)?"
    rf"|(?P<yearend>年末|年底|全年|(?<=年)[底末])"
    rf")?"
)
_UNTIL_BARE: Final = re.compile(r"截[至止]\s{0,2}(1[0-2]|0?[1-9])\s{0,2}[底末](?!\d)")
_COMPARE: Final = re.compile(r"(?:较|比|与|同|对比|相比|相较)\s{0,2}(?:的)?$")
#: (each alternative opens with a literal character: the scan skips in C every character that opens none)
_PREVIOUS: Final = re.compile(r"上年同期|去年同期|上年|去(?<=[较比同]去)年|上一年|上年末|上年度")


def _span_of(m: re.Match[str]) -> str | None:
    g = m.group
    if g("range"):
        parts = re.findall(_M, g("range"))
        a, b = _num(parts[0]), _num(parts[1])
        if a and b and a <= b:
            return f"{a}-{b}"
        return None
    if g("first"):
        n = _num(g("first"))
        return f"1-{n}" if n else None
    if g("q"):
        q = _num(g("q"))
        return f"1-{3 * q}" if q else None
    if g("q3") is not None and "前三季度" in m.group(0):
        return "1-9"
    if g("half"):
        return "1-6" if g("half") == "上半年" else "7-12"
    if g("end"):
        n = _num(g("end"))
        if not n:
            return None
        whole = m.group(0)
        return str(n) if whole.endswith("当月") else f"1-{n}"
    if g("yearend"):
        return "1-12"
    return None


def find_periods(text: str) -> list[PeriodMark]:
    """Every period expression in ``text``, in order (years, month ranges, quarters, 截至N月末,
    上年/上年同期)."""
    return list(period_marks(text))


@lru_cache(maxsize=1024)  # a block's periods are wanted by the document's period and by its binder
def period_marks(text: str) -> tuple[PeriodMark, ...]:
    """:func:`find_periods` as a tuple (shared, not to be changed).

    Every period but 截至N底 writes 年, 月 or 季, and each of 上年/去年… writes 年: most lines of a
    report (figures, headings without a date) have none of them and are not scanned."""
    out = _dated(text) if "年" in text or "月" in text or "季" in text else []
    if "截" in text:
        for m in _UNTIL_BARE.finditer(text):  # 截止11底: the month of 截至11月底 with its 月 lost
            out.append(PeriodMark(m.start(1), m.end(), None, f"1-{int(m.group(1))}"))
    if "年" in text:
        for m in _PREVIOUS.finditer(text):
            compared = _COMPARE.search(text, max(0, m.start() - 4), m.start()) is not None or "同期" in m.group()
            out.append(PeriodMark(m.start(), m.end(), None, None, compared, previous=True))
    out.sort(key=lambda p: p.start)
    return tuple(out)


def _dated(text: str) -> list[PeriodMark]:
    """The years, month ranges, quarters and months of ``text``."""
    out: list[PeriodMark] = []
    for m in _PERIOD.finditer(text):
        if m.end() == m.start():
            continue
        year = int(m.group(2)) if m.group("y") else None
        span = _span_of(m)
        if year is None and span is None:
            continue
        if m.group("end") and not year and not _month_context(text, m):
            continue  # a bare "3月" in prose dates an event, not a period of figures
        month = None
        if m.group("end") and not _after_until(text, m.start()) and not m.group(0).endswith(("末", "底", "当月")):
            # 2024年4月28日, 于2019年1月挂牌: a date, not the period of figures (a title's month is)
            if m.group(0).endswith("日"):
                continue
            month = _num(m.group("end"))
            span = None
            if year is None and month is None:
                continue
        compared = _COMPARE.search(text, max(0, m.start() - 4), m.start()) is not None
        out.append(PeriodMark(m.start(), m.end(), year, span, compared, month=month))
    return out


def _after_until(text: str, pos: int) -> bool:
    before = text[max(0, pos - 3):pos]
    return "截至" in before or "截止" in before or before.endswith(("到", "至"))


def _month_context(text: str, m: re.Match[str]) -> bool:
    """A month without a year is a period when it ends a span (末/底/当月) or opens a sentence
    about cumulative figures (11月当月, 截至3月末, 1-3月)."""
    whole = m.group(0)
    if whole.endswith(("末", "底", "当月")):
        return True
    before = text[max(0, m.start() - 3):m.start()]
    return "截至" in before or "截止" in before or "至" in before[-1:]


@dataclass(frozen=True, slots=True)
class Period:
    year: int | None
    span: str

    def previous(self) -> Period:
        return Period(self.year - 1 if self.year else None, self.span)


_TITLE_LINES: Final = 4


#: a period in a file's name written the way files are named (…-2021m9-…, 2025q1, 2024h1)
_NAME_PERIOD: Final = re.compile(
    r"(?<![0-9A-Za-z])((?:19|20)\d{2})(?:[-_ ]?(?:m(1[0-2]|0?[1-9])|q([1-4])|h([12])))?(?![0-9A-Za-z])", re.I)


def name_period(name: str) -> tuple[int | None, str | None]:
    """The year and span a document's file name states (a name is the publisher's label of the
    period when the text says only 本月末 or a publication date)."""
    for p in find_periods(name):
        if p.year and not (p.previous or p.compared):
            return p.year, p.span
    m = _NAME_PERIOD.search(name)
    if m is None:
        return None, None
    month, quarter, half = m.group(2), m.group(3), m.group(4)
    span = None
    if month:
        span = f"1-{int(month)}"
    elif quarter:
        span = f"1-{3 * int(quarter)}"
    elif half:
        span = "1-6" if half == "1" else "1-12"
    return int(m.group(1)), span


def document_period(lines: list[str], name: str = "") -> Period:
    """The period a document is about: the first year and span written in its first lines (its
    title), else the one its file name states, else the most frequent year of the text and a
    full year."""
    year: int | None = None
    span: str | None = None
    for k, text in enumerate(lines[:_TITLE_LINES]):
        for p in find_periods(text):
            if p.previous or p.compared:
                continue
            year = year or p.year
            span = span or p.span or (f"1-{p.month}" if p.month and k == 0 else None)
        if year and span:
            break
    named_year, named_span = name_period(name) if name else (None, None)
    year = year or named_year
    if year is None:
        counts: dict[int, int] = {}
        for text in lines:
            for p in find_periods(text):
                if p.year and not p.compared:
                    counts[p.year] = counts.get(p.year, 0) + 1
        if counts:
            year = max(counts, key=lambda y: counts[y])
    if span is None:
        # a body that opens with its span (1-9月，全市…) states the document's period
        for text in lines[_TITLE_LINES:_TITLE_LINES + 12]:
            marks = [p for p in find_periods(text) if p.span and not p.compared and p.start < 12]
            if marks:
                span = marks[0].span
                break
    span = span or (named_span if year == named_year else None)
    if span is None:
        year, span = _published_now(lines, year)
    return Period(year, span or "1-12")


_PUBLISHED: Final = re.compile(r"(?:发布|发表|更新)(?:时间|日期)\s*[:：]?\s*"
                               r"((?:19|20)\d\d)[-/.年](1[0-2]|0?[1-9])(?!\d)")
_NOW: Final = re.compile(r"目前|截至目前|截止目前|当前")


def _published_now(lines: list[str], year: int | None) -> tuple[int | None, str | None]:
    """A news item that states no period but says 目前 (参保人数目前已达…) speaks of the month it was
    published in (发布时间:2020-11-17 → 1-11 of 2020)."""
    for text in lines[:_TITLE_LINES + 2]:
        m = _PUBLISHED.search(text)
        if m is not None:
            published = int(m.group(1))
            if (year is not None and published != year) or not any(_NOW.search(t) for t in lines):
                return year, None
            return published, f"1-{int(m.group(2))}"
    return year, None
