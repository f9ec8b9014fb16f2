"""Binding the figures of running text: each figure's fund, item and period from its own words,
its sentence, the 其中/含/bracket scope it stands in, and the section above.

A figure's *own words* are those after the last separator before it (``，其中：上级补助收入``
→ ``上级补助收入``). A fund named outside any scope is the subject of its sentence; a fund
named inside a scope (``（统筹基金收入…、个人账户收入…）``, ``其中：公务员医疗补助支出…``) is
the fund of that listed figure only.

A scope opens with a bracket or a list word (其中, 含, 包括, 分为, 主要有…) and closes with its
bracket, with its sentence, or at a separator stronger than the one between its first two parts
(``其中：A、B；C`` — C is not listed). Each listed figure is a part of the total it can be a part
of: the one the words before the list name (``统筹基金支出中，主要有…``), else the latest figure
of the sentence (or of the sentence before) whose item the part's item is filed under.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from jixiao.audit.document import Block, Mention
from jixiao.audit.ledger.facts import LedgerFact, Role
from jixiao.audit.ledger.naming import DERIVED, FLOW_OF, fits, fund_part, other_words, plausible_part, resolve
from jixiao.audit.ledger.periods import PeriodMark, find_periods
from jixiao.audit.ledger.vocab import AID, EMPLOYEE_FUNDS, GENERIC, SUB_FUNDS, TERM_OF, TERM_RE, TOTAL, Term
from jixiao.model.ledger import DEPARTMENT, OTHER, PROJECT

_SENTENCE_END = frozenset("。！？!?")
_SEPARATORS = frozenset("，,；;：:、。！？!?（(）)")
_STRENGTH = {"、": 1, "，": 2, ",": 2, "；": 3, ";": 3}
_LIST_OPEN = re.compile(r"其中主要有|其中主要是|其中主要为|主要有|主要包括|主要是|其中|包括|内含|(?<![不包])含|分为|构成如下|具体为")
_CHANGE = re.compile(r"增加|减少|增长|下降|降低|提高|上升|增幅|降幅|减幅|回落|增减")
_DECREASE = re.compile(r"减少|下降|降低|降幅|减幅|回落")
_LEVEL = re.compile(r"(?:提高|降低|增加|调整|下降|降)(?:到|至|为)")
_RESPECTIVE = re.compile(r"分别|依次|各为")
_BOTH = re.compile(r"两者|二者|两项|三者")
_DEFICIT = re.compile(r"缺口|亏损|赤字|收不抵支")
_PROJECT = re.compile(r"[“\"]([^”\"]{2,30})[”\"]项目")
_COMPLETE = re.compile(r"完成|达到|实际完成")
_PER_HEAD = re.compile(r"人均|次均|户均|每人")
_MODIFIER = re.compile(r"减征|减免|缓缴|返还|退回|追回|划转|倾斜")
_BRACKETED = re.compile(r"[（(][^（()）]*[）)]")
_SHARE_OF = re.compile(r"占(.{0,16}?)的?(?:比重|比例)?$")
#: rates of one budget against another (全年预算 ÷ 年初预算), not of spending against a budget
_CONTROL = re.compile(r"预算控制率|预算调整率")
_BUDGET_OF = {"基金收入合计": "收入预算", "基金支出合计": "支出预算"}
_BUDGET_ITEMS = frozenset({"收入预算", "支出预算", "全年预算", "年初预算", "全年预算数", "年初预算数"})
_COMPLETION_ITEMS = frozenset({"收入预算完成率", "支出预算完成率", "预算执行率", "执行率"})
_COUNTED = {"参保人数": "人", "在职职工": "人", "退休人员": "人", "住院人次": "人次", "医疗救助人次": "人次",
            "享受待遇人次合计": "人次", "普通门急诊人次": "人次"}
_OPERATORS = frozenset("÷×*/=＝＋+")
_LEAD = re.compile(r"[\s\u3000]*(?:\d{1,2}[.、．]|[一二三四五六七八九十]+[是、]|[（(][一二三四五六七八九十\d]+[）)])?"
                   r"[\s\u3000]*(?:全年|全市|全县|全区|全省|全国|本市|我市|其中|同期|当年)?"
                   r"[\s\u3000]*(?:截至|截止到?|到|至|在|于|自|从|即|是|为|按)?[\s\u3000]*")
_SPECIFIC_GENERIC = frozenset({"基金收入", "基金支出", "参保", "参保人数", "累计结余", "当期结余"})
_UNIT_BEFORE = re.compile(r"(?<![\u4e00-\u9fff])(万元|亿元|元|万人次|人次|万人|人|个月)\s*$")


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


class _Words:
    """One block's terms and period marks, found once and looked up by position."""

    def __init__(self, text: str) -> None:
        self.terms = [(m.start(), m.end(), TERM_OF[m.group()]) for m in TERM_RE.finditer(text)]
        self.term_starts = [t[0] for t in self.terms]
        self.spans = [(s, e) for s, e, _ in self.terms]
        covered = [(s, e) for s, e, t in self.terms if t.item]
        starts = [c[0] for c in covered]
        self.periods = [p for p in find_periods(text) if not _covered(p.start, p.end, covered, starts)]
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


def _covered(s: int, e: int, spans: list[tuple[int, int]], starts: list[int]) -> bool:
    """Is ``[s, e)`` inside one of ``spans`` (sorted, not overlapping; ``starts`` their starts)?"""
    i = bisect_right(starts, s) - 1
    return i >= 0 and spans[i][1] >= e


def _own_start(text: str, lo: int, hi: int, words: _Words) -> int:
    """Where a figure's own words start: after the last separator in ``text[lo:hi]`` that is not
    inside a term (因公出国（境）费 is one name)."""
    k = hi
    while k > lo:
        if text[k - 1] in _SEPARATORS:
            inside = words.in_term(k - 1)
            if inside is None:
                return k
            k = inside
            continue
        k -= 1
    return lo


class ProseBinder:
    """Binds the figures of one prose block (a line or a paragraph), left to right."""

    def __init__(self, ctx: Context, state: ProseState, block: Block, block_index: int,
                 mentions: list[Mention], numbered: int | None, head_end: int) -> None:
        self.ctx = ctx
        self.state = state
        self.block = block
        self.text = block.text
        self.bi = block_index
        self.ms = mentions
        self.numbered = numbered  # the numbering level of the line, if it is a numbered item
        self.head_end = head_end
        self.words = _Words(block.text)
        self.facts: list[LedgerFact] = []
        self.scopes: list[Scope] = []
        self.sent_fund: str | None = None
        self.sent_fund_at = 0
        self.sent_project: str | None = None
        self.year = ctx.year
        self.span = ctx.span
        self.sentence: list[LedgerFact] = []
        self.respective: list[str | None] = []
        self.both: list[LedgerFact] = []
        self.seps: int = 0  # the strongest separator since the last figure
        self.joining: Scope | None = None
        self.sentence_no = 0
        self.para_fund: str | None = None
        self.listing = False  # within the figures of a 分别/依次 list

    # ---- the walk ----------------------------------------------------------------------------

    def bind(self) -> list[LedgerFact]:
        prev = self.head_end
        carried = self.state.open_list
        if carried is not None and (self.numbered is not None or self._starts_listed()):
            carried.start = -1
            self.scopes.append(carried)
        self.state.open_list = None
        for m in self.ms:
            if m.start < prev or self._in_period(m) or self._operand(m):
                continue
            self._walk(prev, m.start)
            fact = self._figure(m, _own_start(self.text, prev, m.start, self.words))
            self.facts.append(fact)
            self.sentence.append(fact)
            self.seps = 0
            prev = m.end
        self._walk(prev, len(self.text))
        self._carry_open_list(prev)
        self._remember()
        return self.facts

    def _in_period(self, m: Mention) -> bool:
        """A number that is part of a period (the 1 of 2023年1—12月) is not a figure."""
        i = bisect_right(self.words.period_starts, m.start) - 1
        return i >= 0 and self.words.periods[i].end > m.start

    def _operand(self, m: Mention) -> bool:
        """A number in a formula (``基金支出合计 ÷ 12``) is not a figure of the report."""
        before = self.text[max(0, m.start - 3):m.start].rstrip()
        after = self.text[m.end:m.end + 3].lstrip()
        return before[-1:] in _OPERATORS or after[:1] in _OPERATORS

    def _starts_listed(self) -> bool:
        """A line that goes on a list without a numbering of its own (``其中：…``)."""
        return self.text.lstrip().startswith(("其中", "、"))

    def _carry_open_list(self, prev: int) -> None:
        lists = [s for s in self.scopes if s.kind == "list" and not s.closed]
        if not lists:
            return
        tail = self.text[prev:].rstrip()
        if tail.endswith(("：", ":")) or (self.numbered is not None and not tail.endswith("。")):
            self.state.open_list = lists[-1]

    def _remember(self) -> None:
        values = [f for f in self.sentence if f.role == "value"]
        if values:
            self.state.last_sentence = values
        first = next((f for f in self.facts if f.role == "value"), None)
        if self.numbered is not None and first is not None:
            self.state.outline = [(lv, f) for lv, f in self.state.outline if lv < self.numbered]
            self.state.outline.append((self.numbered, first))

    def _walk(self, lo: int, hi: int) -> None:
        """Sentences, scopes, separators, the sentence's fund and its period over ``text[lo:hi]``
        (a fund named inside a bracket or a list is not the sentence's)."""
        text = self.text
        k = lo
        while k < hi:
            start = self.words.in_term(k)
            if start is not None:
                if start == k:
                    term = self.words.terms[bisect_right(self.words.term_starts, k) - 1]
                    if term[2].fund and not term[2].item and not self._scoped(k) and term[1] <= hi:
                        self._sentence_fund(term[2].fund, k)
                k += 1
                continue
            ch = text[k]
            if ch in _SENTENCE_END:
                self._new_sentence()
            elif ch in _STRENGTH:
                self.seps = max(self.seps, _STRENGTH[ch])
            elif ch in "（(":
                self._open_paren(k)
            elif ch in "）)":
                self._close_paren()
            elif ch in "其包内含分构具主":
                m = _LIST_OPEN.match(text, k)
                if m and m.end() <= hi:
                    self._open_list(k, "主要" in m.group())
                    k = m.end()
                    continue
            k += 1
        for p in self.words.periods_in(lo, hi):
            if p.compared or p.previous or not self._adverbial(p):
                continue
            if p.year:
                self.year = p.year
            if p.span:
                self.span = p.span
        m = _PROJECT.search(text, lo, hi)
        if m:
            self.sent_project = PROJECT + m.group(1)

    def _adverbial(self, p: PeriodMark) -> bool:
        """Does a period set the time of what follows (``2019年，…``, ``截至9月底，…``)? A period
        after other words (``完成2018年度考核工作``) names the object of its own clause only."""
        k = p.start
        while k > self.head_end and self.text[k - 1] not in "，,；;。：:！？\n":
            k -= 1
        return _LEAD.fullmatch(self.text, k, p.start) is not None

    def _open_paren(self, k: int) -> None:
        before = self._last_value()
        after = self.text[k + 1:k + 6]
        listed = _LIST_OPEN.match(after) is not None
        self.scopes.append(Scope("paren", [before] if before is not None else [], listed, "主要" in after[:4],
                                 self.state.new_list(), k))

    def _close_paren(self) -> None:
        while self.scopes:
            if self.scopes.pop().kind == "paren":
                break

    def _open_list(self, k: int, partial: bool) -> None:
        if self.scopes and self.scopes[-1].kind == "paren" and self.scopes[-1].listed and \
                self.scopes[-1].start >= k - 2:
            return  # （其中…: the bracket is the list
        candidates = [f for f in reversed(self.sentence) if f.role in ("value", "budget")]
        if not self.sentence and (self.facts or self._starts_listed()):
            candidates = list(reversed(self.state.last_sentence))  # 。其中…: the sentence before
        lo = self.facts[-1].mention.end if self.facts and self.facts[-1].mention.end <= k else 0
        hint = self._hint(lo, k)
        self.scopes.append(Scope("list", candidates, True, partial, self.state.new_list(), k, hint))

    def _hint(self, lo: int, hi: int) -> tuple[str | None, str | None]:
        """统筹基金支出中，主要有…: the fund and item the words before a list name."""
        fund = item = None
        for _s, _e, t in self.words.terms_in(lo, hi):
            fund = t.fund or fund
            item = t.item or item
        return fund, item

    def _scoped(self, pos: int) -> bool:
        return any(s.start <= pos and not s.closed for s in self.scopes)

    def _sentence_fund(self, fund: str, pos: int) -> None:
        if fund == TOTAL and self.sent_fund not in (None, TOTAL) and \
                not any(ch in "，,；;：:" for ch in self.text[self.sent_fund_at:pos]):
            return  # 为职工缴纳基本医疗保险: the specific fund named just before is the subject
        current = self.sent_fund or self.ctx.fund
        if fund in SUB_FUNDS and current is not None and current not in EMPLOYEE_FUNDS and current not in SUB_FUNDS:
            return  # 公务员医疗补助…统筹基金结余: a part's word, not the sentence's fund
        self.sent_fund = fund
        self.sent_fund_at = pos

    def _new_sentence(self) -> None:
        self.sentence_no += 1
        self.scopes.clear()
        if self.sent_fund is not None:
            self.para_fund = self.sent_fund  # a sentence naming no fund is about the paragraph's last
        self.sent_fund = None
        self.sent_project = None
        values = [f for f in self.sentence if f.role == "value"]
        if values:
            self.state.last_sentence = values
        self.sentence = []
        self.respective = []
        self.both = []
        self.listing = False

    def _last_value(self) -> LedgerFact | None:
        """The value a bracket follows (changes and rates between): what the bracket is about."""
        return next((f for f in reversed(self.sentence) if f.role == "value"), None)

    def _scope(self) -> Scope | None:
        for s in reversed(self.scopes):
            if not s.closed and (s.candidates or s.kind == "list"):
                return s
        return None

    # ---- one figure --------------------------------------------------------------------------

    def _figure(self, m: Mention, own: int) -> LedgerFact:
        words = self.text[own:m.start]
        terms = self.words.terms_in(own, m.start)
        item_term = next((t for t in reversed(terms) if t[2].item), None)
        unit = m.quantity.unit or _unit_before(words)
        role, base = self._role(m, words, item_term, own)
        scope = self._scope() if role == "value" else None
        own_fund = next((t[2].fund for t in reversed(terms) if t[2].fund), None)
        parent, item = None, None
        if role == "value":
            parent, item, role, base = self._value(m, words, item_term, own_fund, scope, base)
        elif role in ("change", "growth"):
            item = _change_item(base.item if base is not None and base.role in ("value", "prev") else None, role)
        previous = self._previous(own, m.start) if role not in ("change", "growth") else None
        if previous is not None and role == "value":
            role, parent = "prev", None
            if item is None and base is not None and _same_dimension(base, m) and \
                    (base.mention.quantity.unit == "%") == (m.quantity.unit == "%"):
                item = base.item
        fund, named, item = self._fund(terms, parent or self._annotated(), item)
        if role in ("change", "growth", "prev") and base is not None and base.fund and not \
                any(t[2].fund for t in terms):
            fund, named = base.fund, base.named  # 生育保险待遇9595人次，增加1036人次: the change of that figure
        if item is not None and not fits(item, m):
            item = None  # 享受生育保险待遇人次 9595人次: a count is not the 待遇支出 its words name
        role, item = self._special(m, words, role, item, fund)
        if role == "months":
            fund = self._reserve_fund() or fund
        year, span = self.year, self.span
        if previous is not None:
            year = previous or (year - 1 if year else None)
        if self.ctx.budget and role == "value":
            item, role = _BUDGET_OF.get(item or "", item), "budget"  # a budget's figures are budget figures
        value = m.quantity.value
        if role in ("change", "growth") and value > 0 and _DECREASE.search(words):
            value = -value
        if item == "当期结余" and value > 0 and _DEFICIT.search(words):
            value = -value
        if parent is None and role == "value" and self.numbered is not None:
            parent = self._outline_parent()
        if parent is not None and parent.role == "budget" and role == "value":
            role = "budget"  # a part of a budget is a budget figure
        if not unit and not self.ctx.unit and item in _COUNTED:
            unit = _COUNTED[item]
        block = self.block
        fact = LedgerFact(
            mention=m, fund=fund, item=item, year=year, span=span, value=value,
            unit=unit or (self.ctx.unit or ""), role=role, parent=parent,
            partial=bool(scope and scope.partial), list_id=scope.list_id if scope is not None and parent else None,
            line=block.line, page=block.page, where=block.where(), named=named, label=words,
        )
        if self.joining is not None and parent is not None:
            self.joining.last[m.quantity.dimension] = fact
        self.joining = None
        self._annotate(fact, base, terms, words, item_term, parent, scope)
        self._respective(words, fact)
        return fact

    def _role(self, m: Mention, words: str, item_term: tuple[int, int, Term] | None,
              own: int) -> tuple[Role, LedgerFact | None]:
        """What the wording makes of the figure, and the figure it refers to (for a change or a rate)."""
        base = self._base(m)
        change = _CHANGE.search(words) if not _LEVEL.search(words) else None
        if change is not None and (item_term is None or own + change.start() >= item_term[1]):
            if item_term is not None:
                base = self._named_base(item_term[2].item)  # 其中待遇支出增加…: a change of 待遇支出
            return ("growth" if m.quantity.unit == "%" else "change"), base
        if "占" in words and m.quantity.unit == "%":
            return "share", base
        if m.quantity.unit == "个百分点":
            return "rate", base
        return "value", base

    def _value(self, m: Mention, words: str, item_term: tuple[int, int, Term] | None, own_fund: str | None,
               scope: Scope | None, base: LedgerFact | None
               ) -> tuple[LedgerFact | None, str | None, Role, LedgerFact | None]:
        """A value's item, its role (a budget, a rate…) and the total it is listed under."""
        unit = m.quantity.unit
        name = item_term[2].item if item_term is not None else None
        parent = None
        item: str | None = None
        if scope is not None:
            parent, item = self._listed_under(scope, name, own_fund, words, m)
        elif name is not None:
            item = self._resolve(name, None, words, m)
            if name == "预算" and item_term is not None and self._kind() == "department":
                before = [t for t in self.words.terms_in(m.start - len(words), item_term[0]) if t[2].item]
                if before and before[-1][1] >= item_term[0] - 1:
                    item = OTHER + str(before[-1][2].item) + "预算"  # “三公”经费预算: that item's budget
        if name is None and item is None:
            if self.respective:
                item = self.respective.pop(0)
            elif unit == "%" and base is not None and (
                    (base.role == "budget" and self.facts and self.facts[-1] is base
                     and self.text[base.mention.end:m.start].strip() in ("", "的"))
                    or (_COMPLETE.search(words) and any(f.role == "budget" for f in self.sentence))):
                return None, self._completion(base), "completion", base
            elif unit == "%" and self.both:
                b = self.both.pop(0)
                return None, _change_item(b.item, "growth"), "growth", b
            elif unit in ("个月", "月") and ("支付" in words or "可供" in words):
                item = "累计结余可支付月数"
        role: Role = "value"
        if unit == "%" and (item in _BUDGET_ITEMS or name == "预算") and ("完成" in words or "执行" in words):
            return parent, self._completion_flow(), "completion", base  # 完成年度预算110.79%
        if item in _BUDGET_ITEMS or (item or "").endswith("预算") and (item or "").startswith(OTHER):
            role = "budget"
        elif item in _COMPLETION_ITEMS:
            role = "completion"
        elif item == "累计结余可支付月数":
            role = "months"
        elif item in ("分值", "得分", "总分"):
            role = "score"
        elif (unit == "%" or DERIVED.search(words)) and item is not None and not item.endswith("率"):
            item = None  # a percentage or a ratio is not the amount its words name
        return parent, item, role, base

    def _listed_under(self, scope: Scope, name: str | None, own_fund: str | None, words: str,
                      m: Mention) -> tuple[LedgerFact | None, str | None]:
        """The total a listed figure is a part of (None: it is not a part) and its item there."""
        if m.quantity.dimension in ("ratio", "points") or DERIVED.search(words):
            return None, self._resolve(name, None, words, m) if name else None  # rates are not parts
        dim = m.quantity.dimension
        prev = scope.last.get(dim)
        if prev is not None:
            strength = self._separator_between(prev.mention.end, m.start)
            if dim not in scope.sep:
                scope.sep[dim] = strength
            elif strength > scope.sep[dim]:
                scope.closed = True  # 其中：A、B；C — C is not in the list
                return None, self._resolve(name, None, words, m) if name else None
        # a sibling that is a part by its item (基本支出 of 本年支出合计) may have parts of its own
        siblings = [f for f in reversed(self.sentence) if f.parent is not None and f.list_id == scope.list_id
                    and f.item is not None and f.item != f.parent.item]
        for c in siblings:  # 基本支出1209.35万元，人员经费874.09万元: a part of an earlier part
            item = self._resolve(name, c, words, m) if name else None
            if item is not None and item != c.item and plausible_part(item, own_fund, c, False) and \
                    _same_dimension(c, m):
                self.joining = scope
                return c, item
        cands = [c for c in scope.candidates if _same_dimension(c, m) and
                 not (not m.quantity.unit and c.mention.quantity.dimension in ("person", "person_time", "org"))]
        fund_hint, item_hint = scope.hint
        if fund_hint or item_hint:
            hinted = [c for c in cands if (not fund_hint or c.fund == fund_hint) and
                      (not item_hint or c.item == item_hint or FLOW_OF.get(c.item or "") == item_hint)]
            cands = hinted
        for c in cands:
            item = self._resolve(name, c, words, m) if name else None
            if plausible_part(item, own_fund, c, scope.listed):
                self.joining = scope
                return c, item if name else c.item if own_fund else None
        if name is None and cands and scope.listed:
            self.joining = scope
            return cands[0], None
        return None, self._resolve(name, None, words, m) if name else None

    def _separator_between(self, lo: int, hi: int) -> int:
        """The strongest separator in ``text[lo:hi]`` outside terms and brackets."""
        strength = 0
        depth = 0
        for k in range(lo, hi):
            ch = self.text[k]
            if ch in "（(":
                depth += 1
            elif ch in "）)":
                depth = max(0, depth - 1)
            elif depth == 0 and ch in _STRENGTH and self.words.in_term(k) is None:
                strength = max(strength, _STRENGTH[ch])
        return strength

    def _resolve(self, name: str, parent: LedgerFact | None, words: str, m: Mention) -> str | None:
        return resolve(name, self._kind(), parent, words, m, self._flow())

    def _special(self, m: Mention, words: str, role: Role, item: str | None, fund: str | None) -> tuple[Role, str | None]:
        """Per-head amounts, counts of aid, and items a verb qualifies (减征单位缴费)."""
        if role == "value" and _PER_HEAD.search(self._clause(m.start)):
            return "rate", self._other_words(m.start)
        if role == "value" and item is None and fund == AID and m.quantity.dimension == "person_time":
            return role, "医疗救助人次"
        if role == "value" and item is not None and _MODIFIER.search(words) and not item.startswith(OTHER):
            return role, self._other_words(m.start)
        return role, item

    def _annotate(self, fact: LedgerFact, base: LedgerFact | None, terms: list[tuple[int, int, Term]], words: str,
                  item_term: tuple[int, int, Term] | None, parent: LedgerFact | None, scope: Scope | None) -> None:
        fact.extra["base"] = base
        fact.extra["path"] = self.ctx.path
        fact.extra["bracketed"] = any(s.kind == "paren" and not s.closed for s in self.scopes)
        fact.extra["sentence"] = (self.bi, self.sentence_no)
        # named by a word of its own (基金收入, 参保), not only by a bare generic one (支出) or by the total above
        written = self.text[item_term[0]:item_term[1]] if item_term is not None else ""
        fact.extra["specific"] = item_term is not None and (item_term[2].item not in GENERIC or
                                                            written in _SPECIFIC_GENERIC)
        if any(t[2].fund == SUB_FUNDS[0] for t in terms):
            fact.extra["pool"] = True
            if fact.fund == TOTAL:
                fact.extra["scope"] = "统筹基金"  # 统筹基金当期结余 of all funds: not the whole fund's
        if fact.role == "share":
            self._share_part(fact, words)
            named = _SHARE_OF.search(words)
            if named:
                base_terms = [t[2].item for t in self.words.terms_in(fact.mention.start - len(words)
                                                                     + named.start(1), fact.mention.start) if t[2].item]
                if "预算" in named.group(1) and not base_terms:
                    fact.extra["share_base"] = "预算"
                elif base_terms:
                    fact.extra["share_base"] = self._resolve(base_terms[-1], None, words, fact.mention)
        control = _CONTROL.search(words)
        if control:
            fact.extra["rate_word"] = control.group()
        if parent is not None and fact.item is None and item_term is None:
            fact.item = parent.item  # 其中职工527.96万人、城乡居民4045.51万人: the total's item
        if self.numbered is not None and fact.item is None and not self.facts:
            ancestor = self._outline_parent()
            if ancestor is not None:
                fact.item = ancestor.item

    def _annotated(self) -> LedgerFact | None:
        """The figure an open bracket follows (（年初66564.16万元） is that figure's fund's)."""
        for s in reversed(self.scopes):
            if s.kind == "paren" and not s.closed and s.candidates:
                return s.candidates[0]
        return None

    def _share_part(self, fact: LedgerFact, words: str) -> None:
        """住院费用支出占待遇支出的72.88%: the item named before 占 is what the share is of."""
        k = words.find("占")
        clause_start = fact.mention.start - len(words)
        clause = self._clause(clause_start + k) if k > 0 else ""
        lo = clause_start + k - len(clause)
        named = [t for t in self.words.terms_in(lo, clause_start + k) if t[2].item]
        if named:
            fact.extra["share_part"] = self._resolve(str(named[-1][2].item), None, clause, fact.mention)

    def _reserve_fund(self) -> str | None:
        """可支付N个月 is the reserve of the 累计结余 just stated before it."""
        for f in reversed(self.sentence):
            if f.item == "年末累计结余":
                return f.fund
        return None

    def _other_words(self, end: int) -> str | None:
        words = TERM_RE.sub(lambda t: "" if TERM_OF[t.group()].fund and not TERM_OF[t.group()].item else t.group(),
                            self._clause(end))
        return other_words(words)

    def _clause(self, end: int) -> str:
        """The words of the clause before ``end``, brackets left out."""
        text = self.text
        k = end
        depth = 0
        floor = max(0, end - 60)
        while k > floor:
            ch = text[k - 1]
            if ch in "）)":
                depth += 1
            elif ch in "（(":
                depth = max(0, depth - 1)
            elif depth == 0 and ch in "，,；;。：:、":
                break
            k -= 1
        return _BRACKETED.sub("", text[k:end])

    def _base(self, m: Mention) -> LedgerFact | None:
        """The figure a change, a rate or a comparison refers to: the sentence's last value (or
        budget) of the same dimension, not a part listed in brackets; for a percentage, of any
        dimension."""
        for f in reversed(self.sentence):
            if f.role in ("value", "budget") and (m.quantity.unit == "%" or _same_dimension(f, m)) and \
                    not (f.parent is not None and f.list_id is not None and self._bracketed(f)):
                return f
        if not self.sentence and self.state.last_sentence:
            last = self.state.last_sentence[-1]
            if m.quantity.unit == "%" or _same_dimension(last, m):
                return last
        return None

    @staticmethod
    def _bracketed(f: LedgerFact) -> bool:
        """Does ``f`` stand inside brackets (a part noted beside its total)?"""
        return bool(f.extra.get("bracketed"))

    def _named_base(self, written: str | None) -> LedgerFact | None:
        for f in reversed(self.sentence):
            if f.role == "value" and written and f.item and (f.item == written or FLOW_OF.get(f.item) == written):
                return f
        return None

    def _respective(self, words: str, fact: LedgerFact) -> None:
        """收入、支出分别为74200、65884万元: the items named before 分别 go to the figures after it;
        两者分别增长16.4%和16.6%: the two figures before are what grew."""
        if self.listing and self.seps >= 3:
            self.listing = False
        if _RESPECTIVE.search(words) is None:
            if self.listing:
                fact.extra["respective"] = True
            return
        self.listing = True
        fact.extra["respective"] = True
        if _BOTH.search(words):
            values = [f for f in self.sentence[:-1] if f.role == "value"][-2:] if len(self.sentence) > 1 else []
            if fact.mention.quantity.unit == "%" and values:
                self.both = values[1:]
                fact.role, fact.item = "growth", _change_item(values[0].item, "growth")
                fact.extra["base"] = values[0]
            return
        lo = max(0, fact.mention.start - 80)
        k = max(self.text.rfind(c, lo, fact.mention.start) for c in "。；;：:，,")
        names = [t[2].item for t in self.words.terms_in(max(k, lo), fact.mention.start) if t[2].item]
        if len(names) >= 2:
            resolved = [self._resolve(n, None, "", fact.mention) for n in names]
            fact.item = resolved[0]
            fact.role = "value"
            self.respective = resolved[1:]
        fact.extra["specific"] = False  # 分别/依次: the words name a list, not this figure alone

    def _kind(self) -> str:
        if self.sent_project:
            return "project"
        if self.sent_fund and self.sent_fund != DEPARTMENT:
            return "fund"
        return self.ctx.kind

    def _flow(self) -> str | None:
        for f in reversed(self.sentence):
            if f.item in FLOW_OF:
                return FLOW_OF[f.item]
            if f.item in ("收入预算", "支出预算"):
                return f.item[:2]
        return None

    def _completion_flow(self) -> str:
        kind = self._kind()
        if kind in ("project", "department"):
            return "执行率" if kind == "project" else "预算执行率"
        flow = self._flow()
        return f"{flow}预算完成率" if flow else "预算执行率"

    def _completion(self, base: LedgerFact) -> str:
        kind = self._kind()
        if kind == "project":
            return "执行率"
        if kind == "department":
            return "预算执行率"
        flow = base.item[:2] if base.item in ("收入预算", "支出预算") else self._flow()
        return f"{flow}预算完成率" if flow else "预算执行率"

    def _previous(self, own: int, end: int) -> int | None:
        """Last year's figure (上年同期628540万元, 较上年的43.15亿元, 比2020年的16.92万元; in a
        bracket opened by 上年, each of its figures): 0 for the year before the one in force, else
        the year written; None for this year's figure."""
        lo = own - 6
        for s in self.scopes:
            if s.kind == "paren" and not s.closed and s.start < lo:
                lo = s.start
        for p in self.words.periods[bisect_left(self.words.period_starts, max(lo, 0)):]:
            if p.start > end:
                break
            if (p.compared or p.previous) and lo <= p.start and p.end <= end:
                if _CHANGE.search(self.text[p.end:end]):
                    return None
                return p.year or 0
        return None

    def _fund(self, terms: list[tuple[int, int, Term]], parent: LedgerFact | None,
              item: str | None) -> tuple[str | None, bool, str | None]:
        """The figure's fund (and its item, when a part of a fund without parts turns it into
        ``其他:``): named in its own words, else its total's or sentence's, else the section's."""
        if self.sent_project:
            return self.sent_project, True, item
        outer, named = self._outer_fund(parent)
        own = [t[2].fund for t in terms if t[2].fund]
        fund = own[-1] if own else outer
        if own:
            named = True
        if fund in SUB_FUNDS:
            base = outer if own else None
            if base == TOTAL or base is None and self.numbered is not None:
                return TOTAL if base == TOTAL else outer, named, item  # 统筹基金收入 of all funds together
            if base is not None and base not in EMPLOYEE_FUNDS and base not in SUB_FUNDS:
                sub = "统筹基金" if fund == SUB_FUNDS[0] else "个人账户"
                return base, named, (OTHER + sub + item) if item and not item.startswith(OTHER) else item
        if fund in EMPLOYEE_FUNDS and self.numbered is not None and self._pool_above():
            return SUB_FUNDS[0], named, item  # 二、统筹基金收入 / 1.职工基本医疗保险: the employee pooling fund
        return fund, named, item

    def _pool_above(self) -> bool:
        ancestor = self._outline_parent()
        return ancestor is not None and bool(ancestor.extra.get("pool"))

    def _outer_fund(self, parent: LedgerFact | None) -> tuple[str | None, bool]:
        if parent is not None and parent.fund and parent.fund != TOTAL:
            return parent.fund, parent.named
        if self.sent_fund:
            return self.sent_fund, True
        if parent is not None and parent.fund:
            return parent.fund, parent.named
        if self.para_fund:
            return self.para_fund, True
        if self.numbered is not None:
            ancestor = self._outline_parent()
            if ancestor is not None and ancestor.fund:
                return ancestor.fund, ancestor.named
        return self.ctx.fund, self.ctx.named

    def _outline_parent(self) -> LedgerFact | None:
        if self.numbered is None:
            return None
        for lv, f in reversed(self.state.outline):
            if lv < self.numbered:
                return f
        return None


def _unit_before(words: str) -> str:
    """``二、统筹基金收入 万元 22073.01``: a unit standing alone before a figure is its unit."""
    m = _UNIT_BEFORE.search(words)
    return m.group(1) if m else ""


def _same_dimension(f: LedgerFact, m: Mention) -> bool:
    a, b = f.mention.quantity.dimension, m.quantity.dimension
    if a is None or b is None:
        return True
    return a == b


def _change_item(base_item: str | None, role: str) -> str | None:
    flow = FLOW_OF.get(base_item or "")
    if flow is None:
        return None
    return f"{flow}较上年增减额" if role == "change" else f"{flow}增长率"


_ = fund_part
