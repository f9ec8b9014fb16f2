"""Binding the figures of running text: each figure's fund, item and period from its own words,
its sentence, the 其中/含/parenthesis scope it stands in, and the section above.

A figure's *own words* are those after the last separator before it (``，其中：上级补助收入``
→ ``上级补助收入``). A fund named outside any scope is the subject of its sentence; a fund
named inside a scope (``（统筹基金收入…、个人账户收入…）``, ``其中：公务员医疗补助支出…``) is
the fund of that listed figure only, and the scope closes with its bracket or its sentence.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from jixiao.audit.document import Block, Mention
from jixiao.audit.ledger.facts import LedgerFact, Role
from jixiao.audit.ledger.periods import PeriodMark, find_periods
from jixiao.audit.ledger.vocab import (
    AID,
    BALANCE,
    BUDGET,
    EMPLOYEE_FUNDS,
    EXECUTED,
    EXPENSE,
    INCOME,
    INSURED,
    PAYABLE,
    SUB_FUNDS,
    TERM_OF,
    TERM_RE,
    TOTAL,
    UNFILED,
    Term,
)
from jixiao.model.ledger import DEPARTMENT, ITEM, OTHER, PROJECT

_SENTENCE_END = frozenset("。！？!?")
_SEPARATORS = frozenset("，,；;：:、。！？!?（(）)")
_LIST_OPEN = re.compile(r"其中主要有|其中主要是|其中主要为|主要有|主要包括|主要是|其中|包括|内含|(?<![不包])含|分为|构成如下|具体为")
_CHANGE = re.compile(r"增加|减少|增长|下降|降低|提高|上升|增幅|降幅|减幅|回落|增减")
_DECREASE = re.compile(r"减少|下降|降低|降幅|减幅|回落")
_LEVEL = re.compile(r"(?:提高|降低|增加|调整|下降|降)(?:到|至|为)")
_RESPECTIVE = re.compile(r"分别|依次|各为")
_BOTH = re.compile(r"两者|二者|两项|三者")
_DEFICIT = re.compile(r"缺口|亏损|赤字|收不抵支")
_PROJECT = re.compile(r"[“\"]([^”\"]{2,30})[”\"]项目")
_CUMULATIVE = re.compile(r"累计|滚存|年末|期末|月末")
_COMPLETE = re.compile(r"完成|达到|实际完成")
_FLOW_OF = {"基金收入合计": "收入", "基金支出合计": "支出", "本年收入合计": "收入", "本年支出合计": "支出"}
_BUDGET_OF = {"基金收入合计": "收入预算", "基金支出合计": "支出预算"}
_BUDGET_ITEMS = frozenset({"收入预算", "支出预算", "全年预算", "年初预算", "全年预算数", "年初预算数"})
_COMPLETION_ITEMS = frozenset({"收入预算完成率", "支出预算完成率", "预算执行率", "执行率"})
_SUB_WORDS = re.compile(r"统筹|个人[账帐]户|个账")
_COUNTED = {"参保人数": "人", "在职职工": "人", "退休人员": "人", "住院人次": "人次", "医疗救助人次": "人次",
            "享受待遇人次合计": "人次", "普通门急诊人次": "人次"}
_DEPARTMENT_TOTAL = {"基金收入合计": "本年收入合计", "基金支出合计": "本年支出合计"}
_PER_HEAD = re.compile(r"人均|次均|户均|每人")
_MODIFIER = re.compile(r"减征|减免|缓缴|返还|退回|追回|划转|倾斜")
_BRACKETED = re.compile(r"[（(][^（()）]*[）)]")
_FILLER = re.compile(r"^(?:其中|全年|全市|全县|全区|年末|年底|当年|本年|(?:19|20)\d\d年度?)+|(?:为|是|达到|达|约|共计|共)+$")


@dataclass(slots=True)
class Scope:
    kind: str  # "paren" | "list"
    parent: LedgerFact | None
    partial: bool = False
    list_id: int = 0
    start: int = 0


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
    the numbered lines below it; numbered lines inherit from the line above them."""

    open_list: Scope | None = None
    last_value: LedgerFact | None = None
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
        covered = [(s, e) for s, e, t in self.terms if t.item]
        self.periods = [p for p in find_periods(text) if not _inside(p.start, p.end, covered)]
        self.period_starts = [p.start for p in self.periods]

    def terms_in(self, lo: int, hi: int) -> list[tuple[int, int, Term]]:
        i = bisect_left(self.term_starts, lo)
        out = []
        while i < len(self.terms) and self.terms[i][1] <= hi:
            out.append(self.terms[i])
            i += 1
        return out

    def periods_in(self, lo: int, hi: int) -> list[PeriodMark]:
        i = bisect_left(self.period_starts, lo)
        j = bisect_right(self.period_starts, hi)
        return [p for p in self.periods[i:j] if p.end <= hi]


def _inside(s: int, e: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= s and e <= b for a, b in spans)


def _own_start(text: str, lo: int, hi: int, terms: list[tuple[int, int, Term]]) -> int:
    """Where a figure's own words start: after the last separator in ``text[lo:hi]`` that is not
    inside a term (因公出国（境）费 is one name)."""
    k = hi
    spans = [(s, e) for s, e, _ in terms]
    while k > lo:
        if text[k - 1] in _SEPARATORS:
            inside = next((s for s, e in spans if s < k - 1 < e), None)
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

    # ---- the walk ----------------------------------------------------------------------------

    def bind(self) -> list[LedgerFact]:
        prev = self.head_end
        carried = self.state.open_list
        if carried is not None and (self.numbered is not None or self._starts_listed()):
            self.scopes.append(Scope("list", carried.parent, carried.partial, carried.list_id, -1))
        self.state.open_list = None
        for m in self.ms:
            if m.start < prev or self._in_period(m):
                continue
            self._walk(prev, m.start)
            fact = self._figure(m, _own_start(self.text, prev, m.start, self.words.terms_in(prev, m.start)))
            self.facts.append(fact)
            self.sentence.append(fact)
            prev = m.end
        self._walk(prev, len(self.text))
        self._carry_open_list(prev)
        self._remember()
        return self.facts

    def _in_period(self, m: Mention) -> bool:
        """A number that is part of a period (the 1 of 2023年1—12月) is not a figure."""
        i = bisect_right(self.words.period_starts, m.start) - 1
        return i >= 0 and self.words.periods[i].end > m.start

    def _starts_listed(self) -> bool:
        """A line that goes on a list (``2、利息收入…``, ``其中：…``) without a numbering of its own."""
        return self.text.lstrip().startswith(("其中", "、"))

    def _carry_open_list(self, prev: int) -> None:
        lists = [s for s in self.scopes if s.kind == "list"]
        if not lists:
            return
        tail = self.text[prev:].rstrip()
        if tail.endswith(("：", ":")) or (self.numbered is not None and not tail.endswith("。")):
            self.state.open_list = lists[-1]

    def _remember(self) -> None:
        values = [f for f in self.sentence if f.role == "value"]
        if values:
            self.state.last_value = values[-1]
        first = next((f for f in self.facts if f.role == "value"), None)
        if self.numbered is not None and first is not None:
            self.state.outline = [(lv, f) for lv, f in self.state.outline if lv < self.numbered]
            self.state.outline.append((self.numbered, first))

    def _walk(self, lo: int, hi: int) -> None:
        """Sentences, scopes, the sentence's fund and its period over ``text[lo:hi]``."""
        text = self.text
        spans = [(s, e) for s, e, _ in self.words.terms_in(lo, hi)]
        k = lo
        while k < hi:
            ch = text[k]
            if spans and _inside(k, k + 1, spans):
                k += 1
                continue
            if ch in _SENTENCE_END:
                self._new_sentence()
            elif ch in "（(":
                self.scopes.append(Scope("paren", self._fact_before(k), False, self.state.new_list(), k))
            elif ch in "）)":
                while self.scopes and self.scopes.pop().kind != "paren":
                    pass
            elif ch in "其包内含分构具主":
                m = _LIST_OPEN.match(text, k)
                if m and m.end() <= hi:
                    parent = self._parent_for_list()
                    self.scopes.append(Scope("list", parent, "主要" in m.group(), self.state.new_list(), k))
                    k = m.end()
                    continue
            k += 1
        for s, _e, term in self.words.terms_in(lo, hi):
            if term.fund and not term.item and not self._scoped(s):
                self._sentence_fund(term.fund, s)
        for p in self.words.periods_in(lo, hi):
            if p.compared or p.previous:
                continue
            if p.year:
                self.year = p.year
            if p.span:
                self.span = p.span
        m = _PROJECT.search(text, lo, hi)
        if m:
            self.sent_project = PROJECT + m.group(1)

    def _scoped(self, pos: int) -> bool:
        return any(s.start <= pos for s in self.scopes)

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
        self.scopes.clear()
        self.sent_fund = None
        self.sent_project = None
        values = [f for f in self.sentence if f.role == "value"]
        if values:
            self.state.last_value = values[-1]
        self.sentence = []
        self.respective = []
        self.both = []

    def _fact_before(self, pos: int) -> LedgerFact | None:
        """The value that a bracket at ``pos`` follows directly: the total it opens a list of."""
        if self.facts:
            f = self.facts[-1]
            gap = self.text[f.mention.end:pos]
            if len(gap.strip()) <= 2 and f.role == "value":
                return f
        return None

    def _parent_for_list(self) -> LedgerFact | None:
        for f in reversed(self.sentence):
            if f.role == "value":
                return f
        return self.state.last_value

    def _scope(self) -> Scope | None:
        for s in reversed(self.scopes):
            if s.parent is not None:
                return s
        return None

    # ---- one figure --------------------------------------------------------------------------

    def _figure(self, m: Mention, own: int) -> LedgerFact:
        text = self.text
        words = text[own:m.start]
        terms = self.words.terms_in(own, m.start)
        scope = self._scope()
        item_term = next((t for t in reversed(terms) if t[2].item), None)
        unit = m.quantity.unit or _unit_before(words)
        role: Role = "value"
        item: str | None = None
        base = self._base(m)
        change = _CHANGE.search(words) if not _LEVEL.search(words) else None
        if change is not None and (item_term is None or own + change.start() >= item_term[1]):
            role = "growth" if unit == "%" else "change"
            if item_term is not None:
                base = self._named_base(item_term[2].item) or base
        elif "占" in words and unit == "%":
            role = "share"
        if role == "value":
            item, role, base = self._value_item(m, words, item_term, scope, base)
        if role in ("change", "growth"):
            item = _change_item(base.item if base is not None and base.role in ("value", "prev") else None, role)
        previous = self._previous(own, m.start) if role not in ("change", "growth") else None
        if previous is not None and role == "value":
            role = "prev"
            if item is None and base is not None:
                item = base.item
        fund, named, item = self._fund(terms, scope, item, words)
        if role == "value" and _PER_HEAD.search(self._clause(m.start)):
            role, item = "rate", self._other_words(m.start)
        elif role == "value" and item is None and fund == AID and m.quantity.dimension == "person_time":
            item = "医疗救助人次"
        elif role == "value" and item is not None and _MODIFIER.search(words) and not item.startswith(OTHER):
            item = self._other_words(m.start)
        year, span = self.year, self.span
        if previous is not None:
            year = previous or (year - 1 if year else None)
        if self.ctx.budget and role == "value" and item in _BUDGET_OF:
            item, role = _BUDGET_OF[item], "budget"
        value = m.quantity.value
        if role in ("change", "growth") and value > 0 and _DECREASE.search(words):
            value = -value
        if item == "当期结余" and value > 0 and _DEFICIT.search(words):
            value = -value
        parent = scope.parent if scope is not None and role == "value" else None
        if parent is not None and not _same_dimension(parent, m):
            parent = None
        if parent is None and role == "value" and self.numbered is not None:
            parent = self._outline_parent()
        block = self.block
        if not unit and not self.ctx.unit and item in _COUNTED:
            unit = _COUNTED[item]
        fact = LedgerFact(
            mention=m, fund=fund, item=item, year=year, span=span, value=value,
            unit=unit or (self.ctx.unit or ""), role=role, parent=parent,
            partial=bool(scope and scope.partial), list_id=scope.list_id if scope is not None else None,
            line=block.line, page=block.page, where=block.where(), named=named, label=words,
        )
        fact.extra["base"] = base
        fact.extra["path"] = self.ctx.path
        if any(t[2].fund == SUB_FUNDS[0] for t in terms):
            fact.extra["pool"] = True
        if parent is not None and fact.item is None and item_term is None:
            fact.item = parent.item  # 其中职工527.96万人、城乡居民4045.51万人: the total's item
        if self.numbered is not None and fact.item is None and not self.facts:
            ancestor = self._outline_parent()
            if ancestor is not None:
                fact.item = ancestor.item
        self._respective(words, fact)
        return fact

    def _value_item(self, m: Mention, words: str, item_term: tuple[int, int, Term] | None, scope: Scope | None,
                    base: LedgerFact | None) -> tuple[str | None, Role, LedgerFact | None]:
        unit = m.quantity.unit
        role: Role = "value"
        item: str | None = None
        if item_term is not None:
            item = self._generic(item_term[2].item or "", scope, words, m)
        elif self.respective:
            item = self.respective.pop(0)
        elif (unit == "%" and base is not None and base.role == "budget") or (unit == "%" and base is not None and _COMPLETE.search(words) and self._budget_in_sentence()):
            return self._completion(base), "completion", base
        elif unit == "%" and self.both:
            b = self.both.pop(0)
            return _change_item(b.item, "growth"), "growth", b
        elif unit in ("个月", "月") and ("支付" in words or "可供" in words):
            item = "累计结余可支付月数"
        if item in _BUDGET_ITEMS:
            role = "budget"
        elif item in _COMPLETION_ITEMS:
            role = "completion"
        elif item == "累计结余可支付月数":
            role = "months"
        elif item in ("分值", "得分", "总分"):
            role = "score"
        elif unit == "%" and item is not None and item not in ("当期结余率",) and not item.endswith("率"):
            item = None  # a percentage is not the amount its words name
        return item, role, base

    def _other_words(self, end: int) -> str | None:
        """``其他:`` + the words naming a figure that fits no ledger item (人均筹资, 减征单位缴费):
        its clause without brackets, funds, periods and linking words."""
        words = self._clause(end)
        words = TERM_RE.sub(lambda m: "" if TERM_OF[m.group()].fund and not TERM_OF[m.group()].item else m.group(),
                            words)
        words = _FILLER.sub("", words).strip()
        return OTHER + words if 2 <= len(words) <= 16 else None

    def _clause(self, end: int) -> str:
        """The words of the clause before ``end``, brackets left out."""
        text = self.text
        k = end
        depth = 0
        while k > 0:
            ch = text[k - 1]
            if ch in "）)":
                depth += 1
            elif ch in "（(":
                depth = max(0, depth - 1)
            elif depth == 0 and ch in "，,；;。：:、":
                break
            k -= 1
        return _BRACKETED.sub("", text[k:end])

    def _budget_in_sentence(self) -> bool:
        return any(f.role == "budget" for f in self.sentence)

    def _base(self, m: Mention) -> LedgerFact | None:
        """The figure a change, a rate or a comparison refers to: the sentence's last value (or
        budget) of the same dimension; for a percentage, of any dimension."""
        for f in reversed(self.sentence):
            if f.role in ("value", "budget") and (m.quantity.unit == "%" or _same_dimension(f, m)):
                return f
        if not self.sentence and self.state.last_value is not None and \
                (m.quantity.unit == "%" or _same_dimension(self.state.last_value, m)):
            return self.state.last_value
        return None

    def _named_base(self, written: str | None) -> LedgerFact | None:
        for f in reversed(self.sentence):
            if f.role == "value" and written and f.item and (f.item == written or _FLOW_OF.get(f.item) == written):
                return f
        return None

    def _respective(self, words: str, fact: LedgerFact) -> None:
        """收入、支出分别为74200、65884万元: the items named before 分别 go to the figures after it;
        两者分别增长16.4%和16.6%: the two figures before are what grew."""
        r = _RESPECTIVE.search(words)
        if r is None:
            return
        if _BOTH.search(words):
            values = [f for f in self.sentence[:-1] if f.role == "value"][-2:] if len(self.sentence) > 1 else []
            if fact.mention.quantity.unit == "%" and values:
                self.both = values[1:]
                fact.role, fact.item = "growth", _change_item(values[0].item, "growth")
                fact.extra["base"] = values[0]
            return
        text = self.text
        k = max(text.rfind(c, 0, fact.mention.start) for c in "。；;：:，,")
        names = [t[2].item for t in self.words.terms_in(max(k, 0), fact.mention.start) if t[2].item]
        if len(names) >= 2:
            resolved = [self._generic(n, None, "", fact.mention) for n in names]
            fact.item = resolved[0]
            fact.role = "value"
            self.respective = resolved[1:]

    def _generic(self, name: str, scope: Scope | None, words: str, m: Mention) -> str | None:
        """The ledger item a written item stands for where it stands."""
        kind = self._kind()
        parent_item = scope.parent.item if scope is not None and scope.parent is not None else None
        if name in (INCOME, EXPENSE):
            flow_kind = "收入" if name == INCOME else "支出"
            if parent_item and parent_item in ITEM and ITEM[parent_item].kind.value == flow_kind and \
                    parent_item not in _FLOW_OF and _SUB_WORDS.search(words):
                return parent_item  # 上级补助收入…（统筹基金收入…）: the part's own item
            if kind == "department":
                return "本年收入合计" if name == INCOME else "本年支出合计"
            return "基金收入合计" if name == INCOME else "基金支出合计"
        if name == BALANCE:
            if parent_item in ("当期结余", "年末累计结余", "年初累计结余"):
                return parent_item
            return "年末累计结余" if _CUMULATIVE.search(words) else "当期结余"
        if name == BUDGET:
            if kind == "department":
                return "全年预算"
            if kind == "project":
                return "全年预算数"
            flow = self._flow()
            return f"{flow}预算" if flow else None
        if name == INSURED:
            return "参保人数" if m.quantity.dimension in ("person", None) and m.quantity.unit != "%" else None
        if name == EXECUTED:
            return "全年执行数" if kind == "project" else None
        if name == PAYABLE:
            return "累计结余可支付月数" if m.quantity.unit in ("个月", "月") else None
        if name == UNFILED:
            return None
        if kind == "department" and name in _DEPARTMENT_TOTAL:
            return _DEPARTMENT_TOTAL[name]
        if kind == "department" and name in ITEM and ITEM[name].kind.value in ("收入", "支出"):
            return OTHER + name  # a fund's item word in a department's accounts (其他收入)
        if name == "预算执行率" and kind == "project":
            return "执行率"
        if name in ("收入预算", "支出预算") and kind == "department":
            return "全年预算"
        if name in ("总分", "得分", "分值") and kind not in ("department", "project"):
            return None
        return name

    def _kind(self) -> str:
        if self.sent_project:
            return "project"
        if self.sent_fund and self.sent_fund != DEPARTMENT:
            return "fund"
        return self.ctx.kind

    def _flow(self) -> str | None:
        for f in reversed(self.sentence):
            if f.item in _FLOW_OF:
                return _FLOW_OF[f.item]
            if f.item in ("收入预算", "支出预算"):
                return f.item[:2]
        return None

    def _completion(self, base: LedgerFact) -> str:
        kind = self._kind()
        if kind == "project":
            return "执行率"
        if kind == "department":
            return "预算执行率"
        flow = base.item[:2] if base.item in ("收入预算", "支出预算") else self._flow()
        return f"{flow}预算完成率" if flow else "预算执行率"

    def _previous(self, own: int, end: int) -> int | None:
        """Last year's figure (上年同期628540万元, 较上年的43.15亿元, 比2020年的16.92万元): 0 for
        the year before the one in force, else the year written; None for this year's figure."""
        for p in self.words.periods:
            if p.start > end:
                break
            if (p.compared or p.previous) and own - 6 <= p.start and p.end <= end:
                after = self.text[p.end:end]
                if _CHANGE.search(after):
                    return None
                return p.year or 0
        return None

    def _fund(self, terms: list[tuple[int, int, Term]], scope: Scope | None, item: str | None,
              words: str) -> tuple[str | None, bool, str | None]:
        """The figure's fund (and its item, when a part of a fund without parts turns it into
        ``其他:``): named in its own words, else its scope's or sentence's, else the section's."""
        if self.sent_project:
            return self.sent_project, True, item
        outer, named = self._outer_fund(scope)
        own = [t[2].fund for t in terms if t[2].fund]
        fund = own[-1] if own else outer
        if own:
            named = True
        if fund in SUB_FUNDS:
            base = outer if own else None
            if base == TOTAL or (base is None and self.numbered is not None):
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

    def _outer_fund(self, scope: Scope | None) -> tuple[str | None, bool]:
        if scope is not None and scope.parent is not None and scope.parent.fund:
            return scope.parent.fund, scope.parent.named
        if self.sent_fund:
            return self.sent_fund, True
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


_UNIT_BEFORE = re.compile(r"(?<![\u4e00-\u9fff])(万元|亿元|元|万人次|人次|万人|人|个月)\s*$")


def _unit_before(words: str) -> str:
    """``二、统筹基金收入 万元 22073.01``: a unit standing alone before a figure is its unit."""
    m = _UNIT_BEFORE.search(words)
    return m.group(1) if m else ""


def _same_dimension(f: LedgerFact, m: Mention) -> bool:
    a, b = f.mention.quantity.dimension, m.quantity.dimension
    if a is None or b is None:
        return f.mention.quantity.unit == m.quantity.unit
    return a == b


def _change_item(base_item: str | None, role: str) -> str | None:
    flow = _FLOW_OF.get(base_item or "")
    if flow is None:
        return None
    return f"{flow}较上年增减额" if role == "change" else f"{flow}增长率"
