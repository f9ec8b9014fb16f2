"""Structured facts for ``jixiao extract``: who (subject/fund), what (item), when (year), how much.

Every figure found by :func:`jixiao.audit.quantities.find_document_mentions` gets a best-effort
label read from the words around it:

* ``subject`` — the nearest known subject term before the figure in its paragraph (or in the
  heading / wrapped line just before it): 职工医保(含生育), 生育保险, 城乡居民医保, 统筹基金,
  个人账户, 一般公共预算, 三公经费, 公务接待费 …; ``fund`` is the fund-level subject it belongs
  to (统筹基金 → the 职工医保 named before it).
* ``item`` — the nearest item term before the figure in its clause (else in its sentence):
  收入, 支出, 当期结余, 累计结余, 资产, 负债, 征缴收入, 利息收入, 预算, 参保人数 …. A change
  (较上年增加/减少, 增长, 降幅) is named after what changed: ``支出增减额``, ``收入增长率``;
  likewise ``支出预算执行率``. ``收入、支出分别为74200、65884万元`` pairs the items in order.
* ``year`` — the nearest ``20xx年`` before the figure in its sentence (a compared year such as
  ``较2018年0.69万元`` or ``比上年人均751元`` applies to that figure only, not to the change that
  follows), else the document's year (the most frequent year written in it).

The vocabulary is data, in :mod:`jixiao.audit.vocabulary`: :data:`SUBJECT_TERMS` and
:data:`ITEM_TERMS` (canonical name ← written forms). The checks reuse them to decide that two
figures are "the same quantity" (:meth:`Fact.key`).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any, Final

from jixiao.audit.document import Block, Document, Mention
from jixiao.audit.quantities import find_document_mentions
from jixiao.audit.vocabulary import ITEM_OF, ITEM_RE, ITEM_TERMS, SUBJECT_OF, SUBJECT_RE, SUBJECT_TERMS, TO_LEVEL
from jixiao.numbers import Approx, Quantity, dimension

__all__ = ["ITEM_TERMS", "SUBJECT_TERMS", "Fact", "extract_facts", "label_mentions"]

_CHANGE: Final = "增减"
_FLOW_ITEMS: Final = frozenset({"收入", "支出", "征缴收入", "待遇支出", "当期结余", "累计结余", "参保人数",
                                "人均收入", "人均支出", "公用经费", "人员经费", "基本支出", "项目支出",
                                "财政拨款收入", "个人缴费收入", "利息收入", "预算", "全年预算", "年初预算"})
_SUBJECT_LEVEL: Final = {name: level for name, level, _ in SUBJECT_TERMS}
_RATE_UNITS: Final = ("%", "‰", "个百分点")
#: a generic name that means the specific fund named just before it in the same paragraph
_GENERIC: Final = {"基本医疗保险": ("职工医保(含生育)", "职工医保", "城乡居民医保")}


_COMPARE_BEFORE: Final = re.compile(r"(?:较|比|与|同|对比|相比|相较)[ \u3000]{0,2}$")
_RAISED_TO: Final = re.compile(r"提高到|提高至|提高了|增加到|增至|降至|降低至|降低到|调整至|调整为|调整到|变为")
_CLAUSE: Final = re.compile(r"[，,；;。：:！？!?\t]")
_SENTENCE: Final = re.compile(r"[；;。！？!?]")
_RESPECTIVELY: Final = "分别"
_SPACES: Final = " \u3000"
#: what may stand before a year that sets the time of what follows (``2019年，…``, ``截至2019年底``,
#: ``二是2019年在专项行动中``); a year after other words (``完成2018年度考核工作``) names the
#: object of its own sentence only
_YEAR_LEAD: Final = re.compile(r"[\s\u3000]*(?:\d{1,2}[.、．]|[一二三四五六七八九十]+[是、]"
                               r"|[（(][一二三四五六七八九十\d]+[）)])?[\s\u3000]*(?:截至|截止到?|到|至|在|于|自|从|即|是)?[\s\u3000]*")


@dataclass(slots=True)
class Fact:
    """One figure with its best-effort label and where it stands."""

    subject: str | None
    fund: str | None
    item: str | None
    year: int | None
    value: Decimal
    unit: str
    approx: Approx | None = None
    comparator: str | None = None
    negative_word: str | None = None
    unit_source: str = "written"
    flags: tuple[str, ...] = ()
    quote: str = ""  # the figure as written, e.g. "74200万元"
    context: str = ""  # the clause around it
    block: int = 0
    start: int = 0
    end: int = 0
    line: int | None = None
    page: int | None = None
    paragraph: int | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    where: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    item_text: str = ""  # the item as written (基金收入, 完成年度预算): the checks compare it
    subject_carried: bool = False  # the subject was named in an earlier block (a heading...)

    def __init__(self, subject: str | None, fund: str | None, item: str | None, year: int | None, value: Decimal,
                 unit: str, approx: Approx | None = None, comparator: str | None = None,
                 negative_word: str | None = None, unit_source: str = "written", flags: tuple[str, ...] = (),
                 quote: str = "", context: str = "", block: int = 0, start: int = 0, end: int = 0,
                 line: int | None = None, page: int | None = None, paragraph: int | None = None,
                 table: int | None = None, row: int | None = None, col: int | None = None, where: str = "",
                 extra: dict[str, str] | None = None, item_text: str = "", subject_carried: bool = False) -> None:
        # written out (one per figure, compiled): a dataclass's generated __init__ is interpreted
        self.subject = subject
        self.fund = fund
        self.item = item
        self.year = year
        self.value = value
        self.unit = unit
        self.approx = approx
        self.comparator = comparator
        self.negative_word = negative_word
        self.unit_source = unit_source
        self.flags = flags
        self.quote = quote
        self.context = context
        self.block = block
        self.start = start
        self.end = end
        self.line = line
        self.page = page
        self.paragraph = paragraph
        self.table = table
        self.row = row
        self.col = col
        self.where = where
        self.extra = {} if extra is None else extra
        self.item_text = item_text
        self.subject_carried = subject_carried

    def __reduce__(self) -> tuple[type[Fact], tuple[Any, ...]]:
        # pickle and copy by the constructor (numbers.Interval says why)
        return Fact, tuple(getattr(self, f.name) for f in fields(self))

    @property
    def quantity(self) -> Quantity:
        return Quantity(self.value, self.unit, self.approx)

    def key(self) -> tuple[str | None, str | None, int | None, str | None]:
        """(subject, item, year, dimension): two facts with the same key state the same quantity."""
        return self.subject, self.item, self.year, dimension(self.unit)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON types; decimals as strings exactly as written (``"15.30"``)."""
        q = self.quantity
        return {
            "subject": self.subject,
            "fund": self.fund,
            "item": self.item,
            "year": self.year,
            "value": f"{self.value:f}",
            "unit": self.unit,
            "interval": str(q.interval()),
            "approx": self.approx,
            "comparator": self.comparator,
            "negative_word": self.negative_word,
            "unit_source": self.unit_source,
            "flags": list(self.flags),
            "quote": self.quote,
            "context": self.context,
            "location": {
                "line": self.line, "page": self.page, "paragraph": self.paragraph,
                "table": self.table, "row": self.row, "col": self.col, "where": self.where,
            },
        }


class _BlockTerms:
    """Term positions in one block, found once (linear) and searched by bisection."""

    __slots__ = ("adverbial", "clauses", "item_ends", "items", "sentences", "subject_ends", "subjects",
                 "year_ends", "years")

    def __init__(self, text: str, *, subjects_only: bool = False,
                 years: list[tuple[int, int, int | None]] | None = None) -> None:
        self.subjects = [(m.start(), m.end(), SUBJECT_OF[m.group()]) for m in SUBJECT_RE.finditer(text)]
        self.subject_ends = [s[1] for s in self.subjects]
        if subjects_only:
            return  # a block without figures: only what it names is carried on
        self.items = [(m.start(), m.end(), ITEM_OF[m.group()]) for m in ITEM_RE.finditer(text)]
        self.item_ends = [s[1] for s in self.items]
        self.clauses = [m.end() for m in _CLAUSE.finditer(text)]
        self.sentences = [m.end() for m in _SENTENCE.finditer(text)]
        self.years = []
        self.adverbial: list[bool] = []
        for start, end, year in years_in(text) if years is None else years:
            compared = bool(_COMPARE_BEFORE.search(text, max(0, start - 4), start))
            self.years.append((start, end, year, (compared or year is None) and year != 0))
            lead = self.clause_start(start)
            self.adverbial.append(start - lead <= 12 and _YEAR_LEAD.fullmatch(text, lead, start) is not None)
        self.year_ends = [y[1] for y in self.years]

    @staticmethod
    def _start_of(bounds: list[int], pos: int) -> int:
        k = bisect_right(bounds, pos) - 1
        return bounds[k] if k >= 0 else 0

    def clause_start(self, pos: int) -> int:
        return self._start_of(self.clauses, pos)

    def sentence_start(self, pos: int) -> int:
        return self._start_of(self.sentences, pos)

    def last_before(self, ends: list[int], pos: int, floor: int) -> int:
        """Index of the last term ending at or before ``pos`` and starting at/after ``floor``."""
        k = bisect_right(ends, pos) - 1
        return k if k >= 0 and ends[k] > floor else -1


def years_in(text: str) -> list[tuple[int, int, int | None]]:
    """The years written in ``text``: (start, end, year), year None for 上年 (the year before) and
    0 for 今年 (the document's year).

    ``2019年`` (four digits with no digit before, at most two spaces, 年), 上年/去年/上一年,
    今年/本年/当年. Every one ends with 年, which is far rarer than the digits 1 and 2 a regular
    expression would try at: each 年 is found (str.find) and read backwards.
    """
    out: list[tuple[int, int, int | None]] = []
    k = text.find("年")
    while k >= 0:
        j = k
        while j > 0 and k - j < 2 and text[j - 1] in _SPACES:
            j -= 1
        digits = text[j - 4:j] if j >= 4 else ""
        if (digits[:2] in ("19", "20") and digits[2:].isdecimal()
                and (j == 4 or not text[j - 5].isdecimal())):
            out.append((j - 4, k + 1, int(digits)))
        elif k > 0 and text[k - 1] in "上去":
            out.append((k - 1, k + 1, None))
        elif k > 1 and text[k - 2:k] == "上一":
            out.append((k - 2, k + 1, None))
        elif k > 0 and text[k - 1] in "今本当":
            out.append((k - 1, k + 1, 0))
        k = text.find("年", k + 1)
    return out


def _document_year(years: list[list[tuple[int, int, int | None]]]) -> int | None:
    """The year written most often (the first of equals), from each block's :func:`years_in`."""
    counts: Counter[int] = Counter(y for block in years for _, _, y in block if y)
    return counts.most_common(1)[0][0] if counts else None


def _carries_context(block: Block) -> bool:
    """A heading or a wrapped line: its subject carries on into the next block."""
    t = block.text.strip()
    return bool(t) and (len(t) <= 30 or not t.endswith(("。", "；", ";", "！", "？")))


def label_mentions(doc: Document, mentions: list[Mention]) -> list[Fact]:
    """Label figures already found (sorted by block) with subject, item and year."""
    years = [years_in(b.text) for b in doc.blocks]  # once: the document's year and each block's
    doc_year = _document_year(years)
    facts: list[Fact] = []
    by_block: dict[int, list[Mention]] = {}
    for m in mentions:
        by_block.setdefault(m.block, []).append(m)
    carried: tuple[str | None, str | None] = (None, None)  # (subject, fund) from the previous block
    for bi, block in enumerate(doc.blocks):
        text = block.text
        if not text.strip():
            continue
        ms = by_block.get(bi)
        if ms:
            terms: _BlockTerms | None = _BlockTerms(text, years=years[bi])
        else:
            terms = _BlockTerms(text, subjects_only=True)
            terms = terms if terms.subjects else None
        if ms and terms is not None:
            ms = sorted(ms, key=lambda x: x.start)
            state = _BlockState(text, terms, ms, doc_year, carried, block.where())
            for m in ms:
                fact = state.label(doc, block, bi, m)
                if fact is not None:
                    facts.append(fact)
        if terms is not None and terms.subjects:
            last = terms.subjects[-1][2]
            fund = last if _SUBJECT_LEVEL[last] == "fund" else _fund_before(terms, len(text), carried[1])
            carried = (last, fund) if _carries_context(block) else (None, None)
        elif not _carries_context(block):
            carried = (None, None)
    _resolve_generic_subjects(facts)
    return facts


def _resolve_generic_subjects(facts: list[Fact]) -> None:
    """A generic name (基本医疗保险) in a paragraph whose figures repeat those of one specific
    fund (职工医保: the same item, year and value written the same way) means that fund.

    ``2019年基本医疗保险基金支出65884万元`` after ``职工医疗保险基金（含生育）…基金支出65884万元``:
    the anchor figure identifies the fund; every figure of that paragraph labelled with the
    generic name takes the specific one. No anchor, or anchors to two funds: left as written.
    """
    if not any(f.subject in _GENERIC for f in facts):
        return  # no generic name to resolve (most reports): the anchors need not be gathered
    specific: dict[tuple[str | None, int | None, Decimal, str], set[str]] = {}
    for f in facts:
        if f.subject and f.subject not in _GENERIC and _SUBJECT_LEVEL.get(f.subject) == "fund" and f.item:
            specific.setdefault((f.item, f.year, f.value, f.unit), set()).add(f.subject)
    by_block: dict[int, list[Fact]] = {}
    for f in facts:
        if f.subject in _GENERIC:
            by_block.setdefault(f.block, []).append(f)
    for group in by_block.values():
        named = {f.subject for f in group}
        if len(named) != 1:
            continue
        generic = next(iter(named))
        anchors: set[str] = set()
        for f in group:
            if f.item and f.value != 0 and f.quantity.dimension == "money":
                anchors |= {s for s in specific.get((f.item, f.year, f.value, f.unit), set())
                            if s in _GENERIC[generic or ""]}
        if len(anchors) == 1:
            fund = next(iter(anchors))
            for f in group:
                f.subject = f.fund = fund


#: how many terms back a label looks (a paragraph names far fewer; a million-character line with
#: a fund name in every sentence must not make each figure scan all of them)
_LOOKBACK_TERMS: Final = 64


def _fund_before(terms: _BlockTerms, pos: int, carried_fund: str | None) -> str | None:
    k = bisect_right(terms.subject_ends, pos) - 1
    stop = k - _LOOKBACK_TERMS
    while k >= 0 and k > stop:
        name = terms.subjects[k][2]
        if _SUBJECT_LEVEL[name] == "fund":
            return name
        k -= 1
    return carried_fund


def _respectively(text: str, ms: list[Mention], terms: _BlockTerms) -> dict[int, str]:
    """收入、支出分别为74200、65884万元: the k-th figure after 分别 gets the k-th item before it."""
    out: dict[int, str] = {}
    start = 0
    while True:
        k = text.find(_RESPECTIVELY, start)
        if k < 0:
            return out
        start = k + 2
        sent_lo = terms.sentence_start(k)
        sent_hi = next((e for e in terms.sentences if e > k), len(text))
        names = [name for s, e, name in terms.items if sent_lo <= s and e <= k]
        figs = [m for m in ms if k < m.start < sent_hi]
        if len(names) >= 2 and len(figs) == len(names):
            for m, name in zip(figs, names, strict=True):
                out[m.start] = name


_BASE_SUFFIXES: Final = ("增减额", "增长率", "预算执行率", "预算")
_BASE_ITEMS: Final = _FLOW_ITEMS | {"资产", "负债"}


def _base_of(item: str | None) -> str | None:
    """What an item measures: 支出增长率 → 支出, 收入预算 → 收入, 收入 → 收入, 参保率 → None."""
    if item is None:
        return None
    for suffix in _BASE_SUFFIXES:
        if item.endswith(suffix) and len(item) > len(suffix):
            item = item[: -len(suffix)]
            break
    return item if item in _BASE_ITEMS else None


class _BlockState:
    """Labelling one block: its terms, its figures and what the last figure was about."""

    def __init__(self, text: str, terms: _BlockTerms, ms: list[Mention], doc_year: int | None,
                 carried: tuple[str | None, str | None], where: str) -> None:
        self.text = text
        self.where = where  # the block's place: the same for each of its figures
        self.terms = terms
        self.starts = [m.start for m in ms]
        self.doc_year = doc_year
        self.carried = carried
        self.respective = _respectively(text, ms, terms)
        self.tabs = [k for k, ch in enumerate(text) if ch == "\t"] if "\t" in text else []
        self.last_base: str | None = None  # what the previous figure of this sentence measured
        self.last_sentence = -1

    def _figure_between(self, lo: int, hi: int) -> bool:
        k = bisect_right(self.starts, lo)
        return k < len(self.starts) and self.starts[k] < hi

    def _floor(self, pos: int) -> int:
        """In a table row, prose inside one cell does not see the other cells."""
        if not self.tabs:
            return 0
        k = bisect_left(self.tabs, pos)
        seg = self.tabs[k - 1] + 1 if k > 0 else 0
        seg_end = self.tabs[k] if k < len(self.tabs) else len(self.text)
        return seg if seg_end - seg > 20 else 0

    def label(self, doc: Document, block: Block, bi: int, m: Mention) -> Fact | None:
        text, terms = self.text, self.terms
        pos = m.start
        floor = self._floor(pos)
        clause = max(terms.clause_start(pos), floor)
        sentence = max(terms.sentence_start(pos), floor)
        if sentence != self.last_sentence:
            self.last_base = None
            self.last_sentence = sentence
        item = self.respective.get(pos)
        item_text = item or ""
        if item is None:
            item, item_text = self._item_before(pos, clause, sentence)
        if item is None and m.quantity.unit == "":
            return None  # a bare number with no word saying what it is: not a fact
        if item in (_CHANGE, "预算执行率"):
            base = self.last_base
            if item == _CHANGE:
                suffix = "增长率" if m.quantity.unit in _RATE_UNITS else "增减额"
                item = f"{base}{suffix}" if base else suffix
            elif m.quantity.dimension == "money":  # 完成全年预算63918万元的103.08%: 63918 is the budget
                item = f"{base}预算" if base in ("收入", "支出", "征缴收入", "待遇支出") else "预算"
            elif base in ("收入", "支出", "征缴收入", "待遇支出"):
                item = f"{base}预算执行率"
        if item in ("预算", "全年预算", "年初预算") and m.quantity.unit in _RATE_UNITS:
            # 占全年预算12.32万元的54.63%: a completion rate
            item = f"{self.last_base}预算执行率" if self.last_base in ("收入", "支出") else "预算执行率"
        unit = m.quantity.unit
        if item and item.endswith(("率", "满意度", "比例")) and unit and unit not in _RATE_UNITS:
            item = None
        if item and item.endswith(("机构", "药店")) and m.quantity.dimension != "org":
            item = None  # 对违规医疗机构追回5.55万元: the money is not a count of institutions
        if "time_limit" in m.flags:
            item = "办理时限"
        self.last_base = _base_of(item)
        subject, fund = self._subject(pos, floor)
        k = terms.last_before(terms.subject_ends, pos, floor - 1)
        carried = subject is not None and (k < 0 or terms.subjects[k][0] < floor)
        year = _year_for(text, terms, pos, clause, self.doc_year, (item or "").endswith(("增减额", "增长率")))
        q = m.quantity
        return Fact(
            subject=subject, fund=fund, item=item, year=year, value=q.value, unit=q.unit, approx=q.approx,
            comparator=m.comparator, negative_word=m.negative_word, unit_source=m.unit_source, flags=m.flags,
            quote=m.raw, context=text[max(clause, m.start - 80):min(len(text), m.end + 8)].strip(), block=bi,
            start=m.start, end=m.end, line=block.line, page=block.page, paragraph=block.paragraph, table=block.table,
            row=block.row, col=block.col, where=self.where, item_text=item_text,
            subject_carried=carried,
        )

    def _item_before(self, pos: int, clause: int, sentence: int) -> tuple[str | None, str]:
        """The item a figure at ``pos`` measures, and its words as written: the nearest item in
        its clause, else in its sentence when no other figure stands between (None, "": none)."""
        terms = self.terms
        k = terms.last_before(terms.item_ends, pos, clause - 1)
        if k >= 0 and terms.items[k][0] < clause:
            k = -1
        if k < 0:
            k = terms.last_before(terms.item_ends, pos, sentence - 1)
            if k >= 0 and (terms.items[k][0] < sentence or self._figure_between(terms.items[k][1], pos)):
                k = -1
        while k >= 0 and terms.items[k][2] == TO_LEVEL:
            k -= 1  # 起付线降低至5500元: look past 降低至
            if k >= 0 and terms.items[k][0] < clause:
                k = -1
        if k < 0:
            return None, ""
        return terms.items[k][2], self.text[terms.items[k][0]:terms.items[k][1]]

    def _subject(self, pos: int, floor: int) -> tuple[str | None, str | None]:
        """Nearest subject before ``pos`` in the block, else the one carried from the block before."""
        terms = self.terms
        k = terms.last_before(terms.subject_ends, pos, floor - 1)
        if k < 0 or terms.subjects[k][0] < floor:
            return self.carried if floor == 0 else (None, None)
        sentence = max(terms.sentence_start(pos), floor)
        if terms.subjects[k][0] < sentence:
            # nothing named in this sentence (基金当期结余率为15.30%): the fund of the paragraph
            stop = k - _LOOKBACK_TERMS
            while k > stop and k >= 0 and _SUBJECT_LEVEL[terms.subjects[k][2]] != "fund":
                k -= 1
            if k <= stop or k < 0 or terms.subjects[k][0] < floor:
                return self.carried if floor == 0 else (None, None)
        subject = terms.subjects[k][2]
        if subject in _GENERIC:
            j = k - 1
            stop = k - _LOOKBACK_TERMS
            while j > stop and j >= 0 and terms.subjects[j][2] not in _GENERIC[subject]:
                j -= 1
            if j > stop and j >= 0 and terms.subjects[j][0] >= floor:
                k = j
                subject = terms.subjects[j][2]
        if _SUBJECT_LEVEL[subject] == "fund":
            return subject, subject
        return subject, _fund_before(terms, terms.subjects[k][0], self.carried[1])


def _year_for(text: str, terms: _BlockTerms, pos: int, clause: int, doc_year: int | None,
              is_change: bool) -> int | None:
    k = terms.last_before(terms.year_ends, pos, -1)
    # the year in force: the nearest year written before, not one that is compared with
    current: int | None = None
    j = k
    sentence = terms.sentence_start(pos)
    while j >= 0 and j > k - _LOOKBACK_TERMS:
        start, _, year, compared = terms.years[j]
        if not compared and year is not None and (start >= sentence or terms.adverbial[j]):
            current = year or doc_year
            break
        j -= 1
    if j >= 0 and _RAISED_TO.search(text, max(terms.years[j][1], pos - 200), pos):
        current = None  # 由2017年30元提高到40元: the 40 is this year's
    if current is None:
        current = doc_year
    if k >= 0 and not is_change:
        start, _, year, compared = terms.years[k]
        if compared and start >= clause:  # 较2018年0.69万元, 比上年人均751元
            if year is not None:
                return year
            return current - 1 if current is not None else None
    return current


def extract_facts(doc: Document) -> list[Fact]:
    """Every figure in ``doc`` as a labelled :class:`Fact` (bare numbers with no item are left out)."""
    return label_mentions(doc, find_document_mentions(doc))
