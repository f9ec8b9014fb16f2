"""The walk through a block of running text: sentences, the separators between clauses and list
items, the scopes that brackets and list words (其中, 含, 包括, 分为, 主要有…) open and that close
with their bracket, their sentence, or a separator stronger than the one between their first two
parts (``其中：A、B；C`` — C is not listed); the fund a sentence is about, and its period.
:class:`.prose.ProseBinder` names each figure the walk reaches."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import Final

from jixiao.audit.document import Block, Mention
from jixiao.audit.ledger.facts import LedgerFact
from jixiao.audit.ledger.periods import PeriodMark
from jixiao.audit.ledger.vocab import EMP, EMPLOYEE_FUNDS, SUB_FUNDS, TOTAL
from jixiao.audit.ledger.words import (
    LEAD,
    LIST_OPEN,
    OPERATORS,
    PROJECT_NAME,
    SENTENCE_END,
    STRENGTH,
    Context,
    ProseState,
    Scope,
    Words,
    own_start,
)
from jixiao.model.ledger import PROJECT

#: what the walk stops at: sentence ends, separators, brackets and the words that open a list.
#: Written as alternatives that each open with a literal character (the marks one by one, 含's
#: lookbehind after it) so that the scan skips in C every character that opens none of them.
_EVENTS: Final = re.compile("|".join(map(re.escape, "。！？!?、，,；;（()）")) + "|"
                            + LIST_OPEN.pattern.replace("(?<![不包])含", "含(?<![不包]含)"))


_LAST_CLAUSE_STOP: Final = re.compile(r"(?s:.*)[，,；;。：:！？\n]")
_OPERATOR: Final = re.compile("[" + re.escape("".join(sorted(OPERATORS))) + "]")


class Walker:
    """Walks one prose block (a line or a paragraph) left to right; ``_figure`` names a figure."""

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
        self.words = Words(block.text)
        self.where = block.where()  # the same for every figure of the block
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
        self.clauses: dict[int, str] = {}  # end → the clause before it (:meth:`.prose.ProseBinder._clause`)
        self.operators = _OPERATOR.search(block.text) is not None  # most blocks hold no formula

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
            fact = self._figure(m, own_start(self.text, prev, m.start, self.words))
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
        if not self.operators:
            return False
        before = self.text[max(0, m.start - 3):m.start].rstrip()
        after = self.text[m.end:m.end + 3].lstrip()
        return before[-1:] in OPERATORS or after[:1] in OPERATORS

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
        terms = self.words.terms
        n = len(terms)
        i = bisect_left(self.words.term_starts, lo)
        k = lo  # where the walk stands: events before it (inside a term or a list word) are passed
        for ev in _EVENTS.finditer(text, lo, hi):
            p = ev.start()
            while i < n and terms[i][0] <= p:
                s, e, term = terms[i]
                if s >= k:
                    if term.fund and not term.item:
                        self._at_term(term.fund, s, e, hi)
                    k = e
                i += 1
            if p < k:
                continue
            k = ev.end()
            ch = text[p]
            if ch in STRENGTH:  # the most frequent event: a separator (inline, not a call)
                if STRENGTH[ch] > self.seps:
                    self.seps = STRENGTH[ch]
            else:
                self._event(ch, p, ev)
        while i < n and terms[i][0] < hi:
            s, e, term = terms[i]
            if s >= k:
                if term.fund and not term.item:
                    self._at_term(term.fund, s, e, hi)
                k = e
            i += 1
        self._set_period(lo, hi)
        m = PROJECT_NAME.search(text, lo, hi)
        if m:
            self.sent_project = PROJECT + m.group(1)

    def _event(self, ch: str, p: int, ev: re.Match[str]) -> None:
        """A sentence end, a bracket or a list word at ``p`` (:meth:`_walk` takes the separators)."""
        if ch in SENTENCE_END:
            self._new_sentence()
        elif ch in "（(":
            self._open_paren(p)
        elif ch in "）)":
            self._close_paren()
        else:
            self._open_list(p, "主要" in ev.group())

    def _at_term(self, fund: str, s: int, e: int, hi: int) -> None:
        """A fund named alone (``fund``, at ``text[s:e]``), outside brackets and lists, is the sentence's fund."""
        if e <= hi and not self._scoped(s):
            self._sentence_fund(fund, s)

    def _set_period(self, lo: int, hi: int) -> None:
        """The period a clause opens with is the time of the figures after it."""
        if not self.words.periods:
            return
        for p in self.words.periods_in(lo, hi):
            if p.compared or p.previous or not self._adverbial(p):
                continue
            if p.year:
                self.year = p.year
            if p.span:
                self.span = p.span

    def _adverbial(self, p: PeriodMark) -> bool:
        """Does a period set the time of what follows (``2019年，…``, ``截至9月底，…``)? A period
        after other words (``完成2018年度考核工作``) names the object of its own clause only."""
        k = p.start
        lo = k
        while k > self.head_end:  # after the clause's last stop, else from the heading's end
            lo = max(self.head_end, lo - 64)  # (found in C, a window at a time: a long line stays linear)
            stop = _LAST_CLAUSE_STOP.match(self.text, lo, k)
            if stop:
                k = stop.end()
                break
            k = lo
        return LEAD.fullmatch(self.text, k, p.start) is not None

    def _open_paren(self, k: int) -> None:
        before = self._last_value()
        after = self.text[k + 1:k + 6]
        listed = LIST_OPEN.match(after) is not None
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
        if fund in SUB_FUNDS and self.sent_fund in SUB_FUNDS and fund != self.sent_fund:
            # 统筹基金收入…，个人账户收入…，基金支出…: the parts named side by side, each for its own
            # figure; what the sentence says after them is the whole fund's
            self.sent_fund = self.ctx.fund if self.ctx.fund in EMPLOYEE_FUNDS else EMP
            self.sent_fund_at = pos
            return
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
        raise NotImplementedError
