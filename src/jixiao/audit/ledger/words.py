"""The words of running text, found once per block: terms (funds and items), periods, the
separators that end clauses and lists; what a block inherits (:class:`Context`), what carries
from block to block (:class:`ProseState`), and a scope (:class:`Scope`: a 其中 list or a bracket).
Shared by the walk through a block (:mod:`.walker`) and the naming of its figures (:mod:`.prose`)."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, fields
from typing import Any, Final

from jixiao.audit.document import Mention
from jixiao.audit.ledger.facts import LedgerFact
from jixiao.audit.ledger.naming import FLOW_OF
from jixiao.audit.ledger.periods import PeriodMark, period_marks
from jixiao.audit.ledger.vocab import TERM_OF, TERM_RE, Term
from jixiao.model.ledger import OTHER
from jixiao.numbers import dimension

SENTENCE_END: Final = frozenset("。！？!?")
SEPARATORS: Final = frozenset("，,；;：:、。！？!?（(）)")
STRENGTH: Final = {"、": 1, "，": 2, ",": 2, "；": 3, ";": 3}
LIST_OPEN: Final = re.compile(
    r"其中主要有|其中主要是|其中主要为|主要有|主要包括|主要是|其中|包括|内含|(?<![不包])含|分为|构成如下|具体为"
)
CHANGE: Final = re.compile(r"增加|减少|增长|下降|降低|提高|上升|增幅|降幅|减幅|回落|增减")
DECREASE: Final = re.compile(r"减少|下降|降低|降幅|减幅|回落")
#: a budget stated as the amount it was adjusted to (调整为, 追加至), not as the amount added
ADJUSTED_TO: Final = re.compile(r"(?:调整|调增|调减|追加|压减|核减)(?:后)?(?:为|至|到)")
#: words before a bare 收入/支出 that do not qualify it (全市, 当年, 实现, 医保基金…)
#: what stands around a listed part's own words (其中：…、…为)
PART_WORDS: Final = re.compile(
    r"^[\s，,、；;：:（(]*(?:其中)?(?:主要有|主要是|主要为|主要包括|包括|含)?[\s：:]*|(?:为|达|有|共|是)?[\s：:]*$")
QUALIFIER_FILLER: Final = re.compile(
    r"^(?:其中|主要有|主要是|主要为|主要|包括|含有|含|分别|全年|全市|全县|全区|全省|全州|全盟|当年|本年|本期|当期|年度|"
    r"累计|实现|完成|发生|共计|共|合计|总|医保|医疗保险|基本医疗保险|医疗保障|基金|年末|年底|上年|去年|同期|期末|"
    r"各项|全部|一般|用于|以及|及|和|与|年度|年|月份|月|为此|此|其|该|这些|财政资金|部门|本部门|单位|本单位|保险)+|(?:的|中)+$"
)
#: a figure named only as the sum of the figures before it (两项合计, 合计, 共计)
TOGETHER_WORDS: Final = re.compile(r"(?:[两二三四]项|以上|上述)?(?:合计|共计|总计)(?:为|达)?")
LEVEL: Final = re.compile(r"(?:提高|降低|增加|调整|下降|降)(?:到|至|为)")
RESPECTIVE: Final = re.compile(r"分别|依次|各为")
BOTH: Final = re.compile(r"两者|二者|两项|三者")
DEFICIT: Final = re.compile(r"缺口|亏损|赤字|收不抵支")
PROJECT_NAME: Final = re.compile(r"[“\"]([^”\"]{2,30})[”\"]项目")
COMPLETE: Final = re.compile(r"完成|达到|实际完成")
PER_HEAD: Final = re.compile(r"人均|次均|户均|每人")  # (ProseBinder.bind: each has 均 or 每)
MODIFIER: Final = re.compile(r"减征|减免|缓缴|返还|退回|追回|划转|倾斜")
BRACKETED: Final = re.compile(r"[（(][^（()）]*[）)]")
#: 占（该项|本）基金收入的: a share of a fund's whole income
FUND_INCOME: Final = re.compile(r"(?:该项|该|本|当年|全部)?(?:基金)?(?:总)?收入(?:合计|总额)?的")
SHARE_OF: Final = re.compile(r"占(.{0,16}?)的?(?:比重|比例)?$")
#: rates of one budget against another (全年预算 ÷ 年初预算), not of spending against a budget
CONTROL: Final = re.compile(r"预算控制率|预算调整率")
BUDGET_OF: Final = {"基金收入合计": "收入预算", "基金支出合计": "支出预算"}
BUDGET_ITEMS: Final = frozenset({"收入预算", "支出预算", "全年预算", "年初预算", "全年预算数", "年初预算数"})
COMPLETION_ITEMS: Final = frozenset({"收入预算完成率", "支出预算完成率", "预算执行率", "执行率"})
COUNTED: Final = {"参保人数": "人", "在职职工": "人", "退休人员": "人", "住院人次": "人次", "医疗救助人次": "人次",
            "享受待遇人次合计": "人次", "普通门急诊人次": "人次"}
OPERATORS: Final = frozenset("÷×*/=＝＋+")
LEAD: Final = re.compile(r"[\s\u3000]*(?:\d{1,2}[.、．]|[一二三四五六七八九十]+[是、]"
                         r"|[（(][一二三四五六七八九十\d]+[）)])?"
                         r"[\s\u3000]*(?:全年|全市|全县|全区|全省|全国|本市|我市|其中|同期|当年)?"
                         r"[\s\u3000]*(?:截至|截止到?|到|至|在|于|自|从|即|是|为|按)?[\s\u3000]*")
SPECIFIC_GENERIC: Final = frozenset({"基金收入", "基金支出", "参保", "参保人数", "累计结余", "当期结余"})
UNIT_BEFORE: Final = re.compile(r"(?<![\u4e00-\u9fff])(万元|亿元|元|万人次|人次|万人|人|个月)\s*$")


@dataclass(slots=True)
class Scope:
    """A list (其中…) or a bracket: the totals its figures may be parts of, and its parts so far."""

    kind: str  # "paren" | "list"
    candidates: list[LedgerFact]  # the totals it may list parts of, newest first
    listed: bool  # a list word opened it
    partial: bool
    list_id: int
    start: int
    hint: tuple[str | None, str | None] = (None, None)  # (fund, item) the words before the list name
    #: per dimension (money, persons…): its last part, and the separator between its first two parts
    last: dict[str | None, LedgerFact] = field(default_factory=dict)
    sep: dict[str | None, int] = field(default_factory=dict)
    closed: bool = False

    def __init__(self, kind: str, candidates: list[LedgerFact], listed: bool, partial: bool, list_id: int,
                 start: int, hint: tuple[str | None, str | None] = (None, None),
                 last: dict[str | None, LedgerFact] | None = None, sep: dict[str | None, int] | None = None,
                 closed: bool = False) -> None:
        # written out (compiled, made by the thousand): a dataclass's generated __init__ is interpreted
        self.kind = kind
        self.candidates = candidates
        self.listed = listed
        self.partial = partial
        self.list_id = list_id
        self.start = start
        self.hint = hint
        self.last = {} if last is None else last
        self.sep = {} if sep is None else sep
        self.closed = closed

    def __reduce__(self) -> tuple[type[Scope], tuple[Any, ...]]:
        # pickle and copy by the constructor (numbers.Interval says why)
        return Scope, tuple(getattr(self, f.name) for f in fields(self) if f.init)


@dataclass(slots=True)
class Context:
    """What a block inherits from the document and the sections above it."""

    fund: str | None
    named: bool  # the fund is a section's or the title's, not only the document kind's default
    year: int | None
    span: str
    kind: str  # "fund" | "department" | "project"
    budget: bool = False
    unit: str | None = None
    #: the sections the block stands in, outermost first (their first blocks)
    path: tuple[int, ...] = ()
    item: str | None = None  # the spending the innermost heading is about

    def __init__(self, fund: str | None, named: bool, year: int | None, span: str, kind: str,
                 budget: bool = False, unit: str | None = None, path: tuple[int, ...] = (),
                 item: str | None = None) -> None:
        # written out (compiled, made by the thousand): a dataclass's generated __init__ is interpreted
        self.fund = fund
        self.named = named
        self.year = year
        self.span = span
        self.kind = kind
        self.budget = budget
        self.unit = unit
        self.path = path
        self.item = item

    def __reduce__(self) -> tuple[type[Context], tuple[Any, ...]]:
        # pickle and copy by the constructor (numbers.Interval says why)
        return Context, tuple(getattr(self, f.name) for f in fields(self) if f.init)


@dataclass(slots=True)
class ProseState:
    """Carried from one block to the next: a 其中 list left open at the end of a line goes on in
    the numbered lines below it; numbered lines inherit from the line above them; a sentence
    opening with 其中 lists parts of the sentence before."""

    open_list: Scope | None = None
    last_sentence: list[LedgerFact] = field(default_factory=list)
    next_list: int = 1
    outline: list[tuple[int, LedgerFact]] = field(default_factory=list)

    def new_list(self) -> int:
        self.next_list += 1
        return self.next_list


#: "公务员医疗补助（项）": a subject of the budget classification (类/款/项), named like a fund
#: but a line of a department's accounts — the fund it spells is not the figure's fund
_SUBJECT_MARK: Final = re.compile(r"\s*[（(][类款项][）)]")


class Words:
    """One block's terms and period marks, found once and looked up by position."""

    def __init__(self, text: str) -> None:
        terms: list[tuple[int, int, Term]] = []
        term_starts: list[int] = []
        spans: list[tuple[int, int]] = []  # the items' (a period inside an item's name is no period)
        starts: list[int] = []
        for m in TERM_RE.finditer(text):
            term = TERM_OF[m.group()]
            s, e = m.span()
            if not (term.fund and _SUBJECT_MARK.match(text, e)):
                terms.append((s, e, term))
                term_starts.append(s)
                if term.item:
                    spans.append((s, e))
                    starts.append(s)
        self.terms = terms
        self.term_starts = term_starts
        found = period_marks(text)
        self.periods: list[PeriodMark] = [p for p in found if not covered(p.start, p.end, spans, starts)] \
            if spans else list(found)
        self.period_starts = [p.start for p in self.periods]

    def terms_in(self, lo: int, hi: int) -> list[tuple[int, int, Term]]:
        i = bisect_left(self.term_starts, lo)
        out = []
        while i < len(self.terms) and self.terms[i][1] <= hi:
            out.append(self.terms[i])
            i += 1
        return out

    def in_term(self, pos: int) -> int | None:
        """The start of the term covering ``pos`` (None: no term covers it)."""
        i = bisect_right(self.term_starts, pos) - 1
        if i >= 0 and self.terms[i][0] <= pos < self.terms[i][1]:
            return self.terms[i][0]
        return None

    def periods_in(self, lo: int, hi: int) -> list[PeriodMark]:
        i = bisect_left(self.period_starts, lo)
        j = bisect_right(self.period_starts, hi)
        return [p for p in self.periods[i:j] if p.end <= hi]


def covered(s: int, e: int, spans: list[tuple[int, int]], starts: list[int]) -> bool:
    """Is ``[s, e)`` inside one of ``spans`` (sorted, not overlapping; ``starts`` their starts)?"""
    i = bisect_right(starts, s) - 1
    return i >= 0 and spans[i][1] >= e


def own_start(text: str, lo: int, hi: int, words: Words) -> int:
    """Where a figure's own words start: after the last separator in ``text[lo:hi]`` that is not
    inside a term (因公出国（境）费 is one name)."""
    k = hi
    while k > lo:
        last = _LAST_SEPARATOR.match(text, lo, k)  # the last separator before k, found in C
        if last is None:
            return lo
        k = last.end()
        inside = words.in_term(k - 1)
        if inside is None:
            return k
        k = inside
    return lo


_LAST_SEPARATOR: Final = re.compile("(?s:.*)[" + re.escape("".join(sorted(SEPARATORS))) + "]")



def unit_before(words: str) -> str:
    """``二、统筹基金收入 万元 22073.01``: a unit standing alone before a figure is its unit."""
    m = UNIT_BEFORE.search(words)
    return m.group(1) if m else ""


def same_dimension(f: LedgerFact, m: Mention) -> bool:
    a, b = dimension(f.mention.quantity.unit), dimension(m.quantity.unit)  # (Quantity.dimension, one call less)
    if a is None or b is None:
        return True
    return a == b


#: a change against the period before (环比), not against last year
SEQUENTIAL: Final = re.compile(r"环比|比上月|较上月|比上季度|较上季度")


_AT_END: Final = re.compile(r"^(?:年末|期末|年底|月末|季末)")


def stock_words(f: LedgerFact) -> str:
    """The name of a stock as written, without its date (年末滚存结余 → 滚存结余); a count by its item."""
    if f.item != "年末累计结余":
        return str(f.item)
    written = [t.group() for t in TERM_RE.finditer(f.label) if TERM_OF[t.group()].item == f.item]
    return _AT_END.sub("", written[-1]) if written else str(f.item)


def stock_change(item: str, role: str, span: str) -> str:
    """The change of a stock at a date (参保人数, 滚存结余), which no ledger item holds: against the
    same date of last year, its amount is ``其他:…比上年(同期)增减``, its rate ``其他:…增长率``."""
    if role == "growth":
        return f"{OTHER}{item}增长率"
    return f"{OTHER}{item}比上年{'' if span == '1-12' else '同期'}增减"


def change_item(base_item: str | None, role: str) -> str | None:
    flow = FLOW_OF.get(base_item or "")
    if flow is None:
        if base_item and base_item.startswith(OTHER) and not base_item.endswith("率"):  # 机关运行经费支出…增长21.22%
            return base_item + ("增减额" if role == "change" else "增长率")
        return None
    return f"{flow}较上年增减额" if role == "change" else f"{flow}增长率"



_LIST_SPLIT: Final = re.compile(r"、|和|及|与")
_LIST_LEAD: Final = re.compile(r"^(?:其中|按[^，,]{1,8}分|包括)?[\s，,：:]*")


def parallel_names(clause: str) -> list[str] | None:
    """``一档、二档、三档医疗参保人数依次为``: the names of a parallel list sharing the words of its last
    element (``医疗参保人数``), as ``其他:`` items. None: the clause is no such list."""
    clause = _LIST_LEAD.sub("", clause.strip())
    parts = [p for p in _LIST_SPLIT.split(clause)]
    if len(parts) < 2 or not all(p and all("\u4e00" <= ch <= "\u9fff" for ch in p) for p in parts):
        return None
    terms = [(m.start(), m.end(), TERM_OF[m.group()]) for m in TERM_RE.finditer(parts[-1])]
    named = [t for t in terms if t[2].item and len(parts[-1]) - t[1] <= 2]
    if not named:
        return None
    first = parts[0]
    lead = next((t for t in TERM_RE.finditer(first) if t.start() == 0 and TERM_OF[t.group()].fund
                 and not TERM_OF[t.group()].item), None)
    if lead is not None and lead.end() < len(first):
        parts[0] = first = first[lead.end():]  # 职工医保统账结合和单建统筹参保人员: the fund is not a name
    # 一档、二档、三档: elements of one length ending in one classifier (档, 类, 级) mark where the
    # last one ends; else the shared words are the item's
    lengths = {len(p) for p in parts[:-1]}
    n = lengths.pop() if len(lengths) == 1 else 0
    marks = {p[-1] for p in parts[:-1]}
    classified = 0 < n < named[-1][0] and len(marks) == 1 and parts[-1][n - 1] in marks
    cut = n if classified else named[-1][0]
    if cut < 1:
        return None
    suffix = parts[-1][cut:]
    return [OTHER + p + suffix for p in parts[:-1]] + [OTHER + parts[-1]]
