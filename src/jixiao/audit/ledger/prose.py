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
from bisect import bisect_left
from decimal import Decimal
from typing import Final

from jixiao.audit.document import Mention
from jixiao.audit.ledger.facts import LedgerFact, Role
from jixiao.audit.ledger.naming import (
    ADJUSTED_BUDGET,
    DERIVED,
    FLOW_OF,
    descends,
    fits,
    fund_part,
    other_words,
    plausible_part,
    resolve,
)
from jixiao.audit.ledger.sections import INSURED_COUNT, SPENDING
from jixiao.audit.ledger.vocab import (
    AID,
    BUDGET,
    EMPLOYEE_FUNDS,
    EXECUTED,
    EXPENSE,
    GENERIC,
    INCOME,
    INSURED,
    SUB_FUNDS,
    TERM_OF,
    TERM_RE,
    TOTAL,
    UNFILED,
    Term,
)
from jixiao.audit.ledger.walker import Walker
from jixiao.audit.ledger.words import (
    ADJUSTED_TO,
    BOTH,
    BRACKETED,
    BUDGET_ITEMS,
    BUDGET_OF,
    CHANGE,
    COMPLETE,
    COMPLETION_ITEMS,
    CONTROL,
    COUNTED,
    DECREASE,
    DEFICIT,
    FUND_INCOME,
    LEVEL,
    MODIFIER,
    PART_WORDS,
    PER_HEAD,
    QUALIFIER_FILLER,
    RESPECTIVE,
    SEQUENTIAL,
    SHARE_OF,
    SPECIFIC_GENERIC,
    STRENGTH,
    TOGETHER_WORDS,
    Scope,
    change_item,
    parallel_names,
    same_dimension,
    stock_change,
    stock_words,
    unit_before,
)
from jixiao.model.ledger import DEPARTMENT, ITEM, OTHER, ItemKind

FLOWS: Final = (INCOME, EXPENSE)
#: for :meth:`ProseBinder._clause`: a bracket, and everything up to the last stop of a clause
_BRACKET: Final = re.compile(r"[（()）]")
_LAST_STOP: Final = re.compile(r".*[，,；;。：:、]", re.S)
#: for :meth:`ProseBinder._separator_between`
_SEPARATOR_OR_BRACKET: Final = re.compile("[（()）" + re.escape("".join(STRENGTH)) + "]")
#: words that only restate a spending item written just before them (its flow, its source)
RESTATED_SPENDING: Final = frozenset({EXPENSE, OTHER + "一般公共预算财政拨款支出"})


class ProseBinder(Walker):
    """Binds the figures of one prose block: each figure's role, item, fund and period."""

    def bind(self) -> list[LedgerFact]:
        # no clause of a block without 均 or 每 names a per-head amount: its clauses need not be read for it
        self.per_head = "均" in self.text or "每" in self.text
        return super().bind()

    def _figure(self, m: Mention, own: int) -> LedgerFact:
        words = self.text[own:m.start]
        terms = self.words.terms_in(own, m.start)
        item_term = self._item_term(terms)
        unit = m.quantity.unit or unit_before(words)
        role, base = self._role(m, words, item_term, own)
        scope = self._scope() if role == "value" else None
        own_fund = next((t[2].fund for t in reversed(terms) if t[2].fund), None) if terms else None
        parent, item = None, None
        if role == "value":
            parent, item, role, base = self._value(m, words, item_term, own_fund, scope, base)
        elif role in ("change", "growth"):
            item = change_item(base.item if base is not None and base.role in ("value", "prev") else None, role)
            if item is None and base is not None and base.role == "value" and base.item and \
                    (COUNTED.get(base.item) == "人" or base.item == "年末累计结余") and \
                    not SEQUENTIAL.search(self._clause(m.start)):
                item = stock_change(stock_words(base), role, self.span)  # 参保人数…较上年同期增加7.66万人
            if item is None and base is None and item_term is not None and self._qualified(item_term) is None:
                # 本年总收入增长7.95% after last year's figures only: the change of the item it names
                item = change_item(self._resolve(str(item_term[2].item), None, words, m), role)
        previous = self._previous(own, m.start) if role not in ("change", "growth") else None
        if previous is not None and role == "value":
            role, parent = "prev", None
            if base is not None and base.role == "budget":
                base = self._before_completed_budget(base, m)  # …的57.33%，比2019年的1.12万元
            if item is None and base is not None and same_dimension(base, m) and \
                    (base.mention.quantity.unit == "%") == (m.quantity.unit == "%"):
                item = base.item
        fund, named, item, role = self._fund_of_figure(m, words, terms, parent, item, role, base)
        year, span = self.year, self.span
        if previous is not None:
            year = previous or (year - 1 if year else None)
        role, item, parent = self._budget_and_outline(role, item, parent)
        value = self._signed(m, words, role, item)
        if not unit and not self.ctx.unit and item in COUNTED:
            unit = COUNTED[item]
        block = self.block
        fact = LedgerFact(
            mention=m, fund=fund, item=item, year=year, span=span, value=value,
            unit=unit or (self.ctx.unit or ""), role=role, parent=parent,
            partial=bool(scope and scope.partial), list_id=scope.list_id if scope is not None and parent else None,
            line=block.line, page=block.page, where=self.where, named=named, label=words,
        )
        if self.joining is not None and parent is not None:
            self.joining.last[m.quantity.dimension] = fact
        self.joining = None
        self._annotate(fact, base, terms, words, item_term, parent, scope)
        if not fact.unit and fact.item in COUNTED:
            fact.unit = COUNTED[fact.item]  # 1.城乡居民基本医疗保险 674973 under 一、参保人数: a count of people
        self._respective(words, fact)
        return fact

    @staticmethod
    def _item_term(terms: list[tuple[int, int, Term]]) -> tuple[int, int, Term] | None:
        """The term that names the figure: the last one, except that 参保 right after a group of
        the insured (在职职工参保118.91万人) says what the group did, not whose count it is, and a
        bare 支出 (or its source) right after a spending item restates that item."""
        named = [t for t in terms if t[2].item]
        if not named:
            return None
        last = named[-1]
        if len(named) < 2 or named[-2][1] != last[0] or named[-2][2].item not in ITEM:
            return last
        before = ITEM[str(named[-2][2].item)].kind
        if last[2].item == INSURED and before is ItemKind.people:
            return named[-2]
        if last[2].item in RESTATED_SPENDING and before in (ItemKind.department, ItemKind.expenditure):
            return named[-2]  # 公务接待费支出0.86万元, “三公”经费财政拨款支出3.26万元: that spending
        return last

    def _fund_of_figure(self, m: Mention, words: str, terms: list[tuple[int, int, Term]], parent: LedgerFact | None,
                        item: str | None, role: Role, base: LedgerFact | None
                        ) -> tuple[str | None, bool, str | None, Role]:
        fund, named, item = self._fund(terms, parent or self._annotated(), item)
        if role == "value" and not terms and item and self._together(m, words) == item:
            fund, named = TOTAL, True
        if role in ("change", "growth", "prev") and base is not None and base.fund and not \
                (terms and any(t[2].fund for t in terms)):
            fund, named = base.fund, base.named  # 生育保险待遇9595人次，增加1036人次: the change of that figure
        if item is not None and not fits(item, m):
            item = None  # 享受生育保险待遇人次 9595人次: a count is not the 待遇支出 its words name
        role, item = self._special(m, words, role, item, fund)
        if role == "months":
            fund = self._reserve_fund() or fund
        return fund, named, item, role

    def _budget_and_outline(self, role: Role, item: str | None, parent: LedgerFact | None
                            ) -> tuple[Role, str | None, LedgerFact | None]:
        if self.ctx.budget and role == "value":
            item, role = BUDGET_OF.get(item or "", item), "budget"  # a budget's figures are budget figures
        if parent is None and role == "value" and self.numbered is not None:
            parent = self._outline_parent()
        if parent is not None and parent.role == "budget" and role == "value":
            role = "budget"  # a part of a budget is a budget figure
        return role, item, parent

    @staticmethod
    def _signed(m: Mention, words: str, role: Role, item: str | None) -> Decimal:
        """The value with its sign as meant: 下降4.2% is −4.2, 收支缺口541.82万元 −541.82."""
        value = m.quantity.value
        if role in ("change", "growth") and value > 0 and DECREASE.search(words):
            return -value
        if item == "当期结余" and value > 0 and DEFICIT.search(words):
            return -value
        return value

    def _role(self, m: Mention, words: str, item_term: tuple[int, int, Term] | None,
              own: int) -> tuple[Role, LedgerFact | None]:
        """What the wording makes of the figure, and the figure it refers to (for a change or a rate)."""
        base = self._base(m)
        change = CHANGE.search(words) if not LEVEL.search(words) else None
        if change is not None and (item_term is None or own + change.start() >= item_term[1]):
            if item_term is not None:
                base = self._named_base(item_term[2].item)  # 其中待遇支出增加…: a change of 待遇支出
            elif base is not None and base.role == "budget":
                base = self._before_completed_budget(base, m)
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
        if name in FLOWS and item_term is not None:
            name = self._qualified(item_term) or name
        parent, item = self._named_or_listed(m, words, name, item_term, own_fund, scope, base)
        if name is None and item is None:
            unnamed = self._unnamed(m, words, base)
            if unnamed is not None:
                return (None, *unnamed)
            if unit in ("个月", "月") and ("支付" in words or "可供" in words):
                item = "累计结余可支付月数"
            elif self.ctx.item == INSURED_COUNT and parent is None and m.quantity.dimension == "person" and \
                    not DERIVED.search(words):
                item = INSURED_COUNT  # 年末参保人数：职工基本医疗保险223618人，…
        role: Role = "value"
        if unit == "%" and (item in BUDGET_ITEMS or name == "预算") and ("完成" in words or "执行" in words):
            return parent, self._completion_flow(), "completion", base  # 完成年度预算110.79%
        if item in BUDGET_ITEMS or ((item or "").endswith("预算") and (item or "").startswith(OTHER)):
            role = "budget"
        elif item in COMPLETION_ITEMS or (item or "").endswith("控制率"):
            role = "completion"  # 控制率: spending over its budget, as a completion rate is
        elif item == "累计结余可支付月数":
            role = "months"
        elif item in ("分值", "得分", "总分"):
            role = "score"
        elif (unit == "%" or DERIVED.search(words)) and item is not None and not item.endswith("率"):
            item = None  # a percentage or a ratio is not the amount its words name
        return parent, item, role, base

    def _named_item(self, m: Mention, words: str, name: str, item_term: tuple[int, int, Term],
                    base: LedgerFact | None) -> str | None:
        """The item of a figure its words name that is listed under no total."""
        item = self._resolve(name, None, words, m)
        if name in (EXPENSE, EXECUTED) and self.ctx.item and item in (None, "本年支出合计") and \
                m.quantity.dimension == "money":
            return self.ctx.item  # （四）“三公”经费情况 … 全年实际支出14.85万元: that spending
        if name == "预算" and self._kind() == "department":
            before = [t for t in self.words.terms_in(m.start - len(words), item_term[0]) if t[2].item]
            if before and before[-1][1] >= item_term[0] - 1:
                return OTHER + str(before[-1][2].item) + "预算"  # “三公”经费预算: that item's budget
            if base is not None and base.role == "value" and base.item in SPENDING and not before:
                return OTHER + base.item + "预算"  # 三公经费3.26万元，完成预算4.50万元: its budget
        return item

    def _named_or_listed(self, m: Mention, words: str, name: str | None, item_term: tuple[int, int, Term] | None,
                         own_fund: str | None, scope: Scope | None, base: LedgerFact | None
                         ) -> tuple[LedgerFact | None, str | None]:
        """The total a figure is listed under (None: none) and the item its words name."""
        parent = None
        item: str | None = None
        if scope is not None:
            parent, item = self._listed_under(scope, name, own_fund, words, m)
            if parent is None and name == "预算" and item_term is not None:
                item = self._named_item(m, words, name, item_term, base)  # …，年初安排公用经费预算289.50万元
        elif name is not None and item_term is not None:
            item = self._named_item(m, words, name, item_term, base)
        if name == UNFILED and item_term is not None and m.quantity.unit == "%" and \
                self.text[item_term[0]:item_term[1]].endswith("控制率"):
            item = self._control_rate(item_term)
        return parent, item

    def _control_rate(self, term: tuple[int, int, Term]) -> str:
        """公用经费控制率95.46%: spending against its budget, named by the spending (``其他:公用经费控制率``);
        a bare 预算控制率 is of the item the sentence budgets (“三公”经费预算32万元…预算控制率67.09%)."""
        before = [t for t in self.words.terms_in(max(0, term[0] - 12), term[0]) if t[2].item]
        if before and before[-1][1] >= term[0] - 1 and before[-1][2].item in ITEM and \
                ITEM[str(before[-1][2].item)].kind in (ItemKind.department, ItemKind.expenditure):
            return f"{OTHER}{before[-1][2].item}控制率"
        for f in self.sentence:
            if f.role == "budget" and f.item and f.item.startswith(OTHER) and f.item.endswith("预算"):
                return f.item.removesuffix("预算") + "控制率"
        return OTHER + "预算控制率"

    def _unnamed(self, m: Mention, words: str, base: LedgerFact | None
                 ) -> tuple[str | None, Role, LedgerFact | None] | None:
        """A figure its own words do not name: the next of a 分别 list, the completion rate after
        its budget, the growth of one of 两者…"""
        unit = m.quantity.unit
        if self.respective:
            return self.respective.pop(0), "value", base
        together = self._together(m, words)
        if together is not None:
            return together, "value", base  # 职工…收入X万元，居民…收入Y万元，两项合计Z万元
        last = self.sentence[-1] if self.sentence else None
        if last is not None and last.role == "prev" and last.item and LEVEL.search(words) and \
                last.mention.quantity.unit == unit:
            return last.item, "value", base  # 当期结余率由上年的3.75%降至-1.18%: this year's of that item
        if unit == "%" and base is not None and (
                (base.role == "budget" and self.facts and self.facts[-1] is base
                 and self.text[base.mention.end:m.start].strip() in ("", "的"))
                or (COMPLETE.search(words) and any(f.role == "budget" for f in self.sentence))):
            return self._completion(base), "completion", base
        if unit == "%" and self.both:
            b = self.both.pop(0)
            return change_item(b.item, "growth"), "growth", b
        if base is not None and base.role == "budget" and base.item and ADJUSTED_TO.search(words) and \
                same_dimension(base, m):
            return ADJUSTED_BUDGET.get(base.item, base.item), "budget", base  # 调整为1200万元: the budget as adjusted
        return None

    def _together(self, m: Mention, words: str) -> str | None:
        """合计/两项合计 after one item of two or more funds of the basic insurance: that item of all of them."""
        if not TOGETHER_WORDS.fullmatch(words.strip()):
            return None
        values = [f for f in self.sentence if f.role == "value" and f.item and f.parent is None and
                  same_dimension(f, m) and fund_part(f.fund, TOTAL)]
        if len({f.fund for f in values}) < 2 or len({f.item for f in values}) != 1:
            return None
        return values[-1].item

    def _qualified(self, term: tuple[int, int, Term]) -> str | None:
        """``药店购药支出``: a bare 收入/支出 that words of their own qualify names an item no ledger
        item holds (``其他:`` + the words), not the fund's whole flow."""
        text = self.text
        k = term[0]
        floor = max(0, k - 12)
        while k > floor and "\u4e00" <= text[k - 1] <= "\u9fff" and self.words.in_term(k - 1) is None:
            k -= 1
        words = QUALIFIER_FILLER.sub("", text[k:term[0]])
        if len(words) < 2:
            return None
        return OTHER + words + text[term[0]:term[1]].removeprefix("基金")

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
                    same_dimension(c, m):
                self.joining = scope
                return c, item
        cands = [c for c in scope.candidates if same_dimension(c, m) and
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
        for mark in _SEPARATOR_OR_BRACKET.finditer(self.text, lo, hi):  # (the other characters change nothing)
            k = mark.start()
            ch = mark.group()
            if ch in "（(":
                depth += 1
            elif ch in "）)":
                depth = max(0, depth - 1)
            elif depth == 0 and ch in STRENGTH and self.words.in_term(k) is None:
                strength = max(strength, STRENGTH[ch])
        return strength

    def _resolve(self, name: str, parent: LedgerFact | None, words: str, m: Mention) -> str | None:
        flow = self._flow() if name == BUDGET else None  # (only a bare 预算 reads the flow before it)
        return resolve(name, self._kind(), parent, words, m, flow)

    def _special(
        self, m: Mention, words: str, role: Role, item: str | None, fund: str | None
    ) -> tuple[Role, str | None]:
        """Per-head amounts, counts of aid, and items a verb qualifies (减征单位缴费)."""
        if role == "value" and self.per_head and PER_HEAD.search(self._clause(m.start)):
            return "rate", self._other_words(m.start)
        if role == "value" and item is None and fund == AID and m.quantity.dimension == "person_time":
            return role, "医疗救助人次"
        if role == "value" and item is not None and MODIFIER.search(words) and not item.startswith(OTHER):
            return role, self._other_words(m.start)
        return role, item

    def _annotate(self, fact: LedgerFact, base: LedgerFact | None, terms: list[tuple[int, int, Term]], words: str,
                  item_term: tuple[int, int, Term] | None, parent: LedgerFact | None, scope: Scope | None) -> None:
        # named by a word of its own (基金收入, 参保), not only by a bare generic one (支出) or by the total above
        written = self.text[item_term[0]:item_term[1]] if item_term is not None else ""
        fact.extra = {  # (the fact's extra is empty until here: one dict made at once)
            "base": base,
            "path": self.ctx.path,
            "bracketed": bool(self.scopes) and any(s.kind == "paren" and not s.closed for s in self.scopes),
            "sentence": (self.bi, self.sentence_no),
            "specific": item_term is not None and (item_term[2].item not in GENERIC or written in SPECIFIC_GENERIC),
        }
        if terms and any(t[2].fund == SUB_FUNDS[0] for t in terms):
            fact.extra["pool"] = True
            if fact.fund == TOTAL:
                fact.extra["scope"] = "统筹基金"  # 统筹基金当期结余 of all funds: not the whole fund's
        if fact.role == "share":
            self._share_part(fact, words)
            named = SHARE_OF.search(words)
            if named:
                base_terms = [t[2].item for t in self.words.terms_in(fact.mention.start - len(words)
                                                                     + named.start(1), fact.mention.start) if t[2].item]
                if "预算" in named.group(1) and not base_terms:
                    fact.extra["share_base"] = "预算"
                elif base_terms:
                    fact.extra["share_base"] = self._resolve(base_terms[-1], None, words, fact.mention)
        control = CONTROL.search(words)
        if control:
            fact.extra["rate_word"] = control.group()
        if parent is not None and fact.item is None and item_term is None:
            fact.item = self._part_item(parent, terms, words)
        if self.numbered is not None and fact.item is None and not self.facts:
            ancestor = self._outline_parent()
            if ancestor is not None:
                fact.item = ancestor.item

    @staticmethod
    def _part_item(parent: LedgerFact, terms: list[tuple[int, int, Term]], words: str) -> str | None:
        """A listed part its words do not name as an item: 其中职工527.96万人 is the total's item of
        another fund; 其中成年人17.38万人 a group of the insured no ledger item holds."""
        if any(t[2].fund for t in terms) or parent.mention.quantity.dimension != "person" or not parent.item:
            return parent.item
        own = PART_WORDS.sub("", words)
        if len(own) < 2 or not all("\u4e00" <= ch <= "\u9fff" for ch in own):
            return parent.item
        return OTHER + own + parent.item

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
            part = self._resolve(str(named[-1][2].item), None, clause, fact.mention)
            fact.extra["share_part"] = part
            if fact.item is None and descends(part, "基金收入合计") and \
                    FUND_INCOME.match(self.text, clause_start + k + 1):
                # 财政补贴收入占该项基金收入的63.57%: the fund's income structure, a figure of its own
                fact.item = f"{OTHER}{self.text[named[-1][0]:named[-1][1]]}占基金收入比重"

    def _reserve_fund(self) -> str | None:
        """可支付N个月 is the reserve of the 累计结余 just stated before it."""
        for f in reversed(self.sentence):
            if f.item == "年末累计结余" and not (f.parent is not None and self._bracketed(f)):
                return f.fund  # …累计结余X万元（其中个人账户结余Y万元），可支付N个月: the whole balance's
        return None

    def _other_words(self, end: int) -> str | None:
        words = TERM_RE.sub(lambda t: "" if TERM_OF[t.group()].fund and not TERM_OF[t.group()].item else t.group(),
                            self._clause(end))
        return other_words(words)

    def _clause(self, end: int) -> str:
        """The words of the clause before ``end``, brackets left out (read once per figure: several
        tests of a figure read its clause)."""
        clause = self.clauses.get(end)
        if clause is None:
            clause = self.clauses[end] = self._read_clause(end)
        return clause

    def _read_clause(self, end: int) -> str:
        text = self.text
        k = end
        depth = 0
        floor = max(0, end - 60)
        if _BRACKET.search(text, floor, end) is None:  # the usual case: the clause after the last stop
            last = _LAST_STOP.match(text, floor, end)
            return text[last.end() if last else floor:end]
        while k > floor:
            ch = text[k - 1]
            if ch in "）)":
                depth += 1
            elif ch in "（(":
                depth = max(0, depth - 1)
            elif depth == 0 and ch in "，,；;。：:、":
                break
            k -= 1
        return BRACKETED.sub("", text[k:end])

    def _base(self, m: Mention) -> LedgerFact | None:
        """The figure a change, a rate or a comparison refers to: the sentence's last value (or
        budget) of the same dimension, not a part listed in brackets; for a percentage, of any
        dimension."""
        inner = max((s.start for s in self.scopes if s.kind == "paren" and not s.closed), default=None) \
            if self.scopes else None
        for f in reversed(self.sentence):
            if f.role in ("value", "budget") and (m.quantity.unit == "%" or same_dimension(f, m)) and \
                    not (f.parent is not None and f.list_id is not None and self._bracketed(f)
                         and (inner is None or f.mention.start < inner)):
                return f  # （其中统筹基金支出X，减少Y）: inside the bracket, the change is of its part
        if not self.sentence and self.state.last_sentence:
            last = self.state.last_sentence[-1]
            if m.quantity.unit == "%" or same_dimension(last, m):
                return last
        return None

    def _before_completed_budget(self, budget: LedgerFact, m: Mention) -> LedgerFact:
        """收入X，完成预算Y的Z%，较上年增加W: once its completion is said, the budget's clause is
        closed and the change is of the value before it."""
        at = next(i for i, f in enumerate(self.sentence) if f is budget)
        if not any(f.role == "completion" for f in self.sentence[at + 1:]):
            return budget
        for f in reversed(self.sentence[:at]):
            if f.role == "value" and (m.quantity.unit == "%" or same_dimension(f, m)):
                return f
        return budget

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
        if RESPECTIVE.search(words) is None:
            if self.listing:
                fact.extra["respective"] = True
            return
        self.listing = True
        fact.extra["respective"] = True
        if BOTH.search(words):
            values = [f for f in self.sentence[:-1] if f.role == "value"][-2:] if len(self.sentence) > 1 else []
            if fact.mention.quantity.unit == "%" and values:
                self.both = values[1:]
                fact.role, fact.item = "growth", change_item(values[0].item, "growth")
                fact.extra["base"] = values[0]
            return
        lo = max(0, fact.mention.start - 80)
        k = max(self.text.rfind(c, lo, fact.mention.start) for c in "。；;：:，,")
        names = [t[2].item for t in self.words.terms_in(max(k, lo), fact.mention.start) if t[2].item]
        if len(names) < 2:
            said = RESPECTIVE.search(words)
            parallel = parallel_names(self.text[max(k + 1, lo):fact.mention.start - len(words) + said.start()]) \
                if said is not None else None
            if parallel:
                fact.item, fact.role = parallel[0], "value"
                self.respective = list(parallel[1:])
        elif len(names) >= 2:
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
        periods = self.words.periods
        if not periods:
            return None
        lo = own - 6
        for s in self.scopes:
            if s.kind == "paren" and not s.closed and s.start < lo:
                lo = s.start
        for i in range(bisect_left(self.words.period_starts, max(lo, 0)), len(periods)):  # (no copy of the rest)
            p = periods[i]
            if p.start > end:
                break
            if (p.compared or p.previous) and lo <= p.start and p.end <= end:
                if CHANGE.search(self.text[p.end:end]):
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
        own = [t[2].fund for t in terms if t[2].fund] if terms else []
        fund = own[-1] if own else outer
        if own:
            named = True
        if fund in SUB_FUNDS:
            base = outer if own else None
            if base == TOTAL:
                whose = self._pool_of(terms)  # 其中职工医保统筹基金…、居民医保统筹基金…: that fund's pooling
                if whose is not None:
                    return whose, named, item
            if base == TOTAL or (base is None and self.numbered is not None):
                return TOTAL if base == TOTAL else outer, named, item  # 统筹基金收入 of all funds together
            if base is not None and base not in EMPLOYEE_FUNDS and base not in SUB_FUNDS:
                sub = "统筹基金" if fund == SUB_FUNDS[0] else "个人账户"
                return base, named, (OTHER + sub + item) if item and not item.startswith(OTHER) else item
        if fund in EMPLOYEE_FUNDS and self.numbered is not None and self._pool_above():
            return SUB_FUNDS[0], named, item  # 二、统筹基金收入 / 1.职工基本医疗保险: the employee pooling fund
        return fund, named, item

    def _pool_of(self, terms: list[tuple[int, int, Term]]) -> str | None:
        """The fund whose 统筹基金 its own words name (职工医保统筹基金; 居民医保 统筹基金), None: none."""
        funds = [t for t in terms if t[2].fund]
        last = funds[-1]
        if last[2].fund == SUB_FUNDS[0] and self.text.startswith("职工", last[0]):
            return last[2].fund
        if (len(funds) >= 2 and funds[-2][1] == last[0]
                and funds[-2][2].fund != TOTAL and funds[-2][2].fund not in SUB_FUNDS):  # mypyc: no (TOTAL, *SUB_FUNDS)
            before = funds[-2][2].fund
            return last[2].fund if before in EMPLOYEE_FUNDS else before
        return None

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

