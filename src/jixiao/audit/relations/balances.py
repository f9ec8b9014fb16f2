"""Balances (收支结余): 收入 − 支出 = 当期结余 (JX-BAL-001), 资产 − 负债 = 累计结余 (JX-BAL-002),
年初 + 本期 = 年末/全年 (JX-BAL-003) and 当期结余 / 收入 = 结余率 (JX-BAL-004) — within a
paragraph, or with the flows stated earlier in the same section about the same fund and year."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from jixiao.audit.relations.items import Item, Segment, item_name, same_dim
from jixiao.audit.relations.lists import NEGATIVE_PART
from jixiao.audit.relations.relation import Relation, Term

BALANCE_NEGATIVE: Final = re.compile(r"(亏损|赤字|缺口)[为了达]?\s*$")

INCOME_LABEL: Final = re.compile(r"(收入|收入合计|收入总额|总收入)(为|是|达|达到|共|合计)?\s*$")
EXPENSE_LABEL: Final = re.compile(r"(支出|支出合计|支出总额|总支出)(为|是|达|达到|共|合计|决算为)?\s*$")
INCOME_EXCLUDE: Final = re.compile(r"(人均|次均|收入预算|预算数|年预算|预算安排"
                                   r"|利息|其他收入|转移收入|征缴收入|保险费收入|缴费收入|上年|执行数)")
EXPENSE_EXCLUDE: Final = re.compile(r"(人均|次均|支出预算|预算数|年预算|预算安排"
                                    r"|待遇支出|其他支出|转移支出|上年|执行数|基本支出|项目支出)")
RESULT_LABEL: Final = re.compile(
    r"(当期结余|当年结余|本年结余|本期结余|年终结余|年末结余|当期亏损|当年亏损|当期赤字|当年收支结余|收支结余"
    r"|当年结余额|收支缺口)(为|是|达|-)?\s*$"
)
ASSET_LABEL: Final = re.compile(r"(资产总计|资产总额|资产合计|资产)(为|是|共)?\s*$")
LIABILITY_LABEL: Final = re.compile(r"(负债总计|负债总额|负债合计|负债)(为|是|共)?\s*$")
NET_LABEL: Final = re.compile(r"(累计结余|滚存结余|净资产|基金结余|资产减负债)(为|是)?\s*$")
START_LABEL: Final = re.compile(r"年初")
ADD_LABEL: Final = re.compile(r"(追加|调整|调增|增加|当期结余|本年结余|当年结余)")
END_LABEL: Final = re.compile(r"(全年|年末|期末|滚存|调整后)")
#: an adjustment stated as the amount it came to (调整为, 追加至), not as the amount added
_NEW_TOTAL: Final = re.compile(r"(?:调整|调增|调减|追加|增加|压减|核减)(?:后)?(?:为|至|到)")
#: a year's spending or its execution is not the year-end total of a budget
_NOT_A_TOTAL: Final = re.compile(r"执行|支出|使用|完成|实际|拨付")


#: Words that say which part of a fund a figure belongs to (统筹基金 / 个人账户...).
QUALIFIERS: Final[tuple[tuple[str, ...], ...]] = (
    ("统筹",),
    ("个人帐户", "个人账户", "个账"),
    ("生育",),
    ("职工",),
    ("居民",),
)


def _qualifier(label: str) -> int | None:
    for qi, words in enumerate(QUALIFIERS[:2]):
        if any(w in label for w in words):
            return qi
    return None


def _is_income(it: Item) -> bool:
    return (it.role == "value" and it.dim == "money" and INCOME_LABEL.search(it.clause) is not None
            and not INCOME_EXCLUDE.search(it.clause))


def _is_expense(it: Item) -> bool:
    return (it.role == "value" and it.dim == "money" and EXPENSE_LABEL.search(it.clause) is not None
            and not EXPENSE_EXCLUDE.search(it.clause))


def _is_result(it: Item) -> bool:
    if (it.role == "value" and it.list_total is not None and it.clause.endswith("结余")
            and _is_result(it.list_total)):
        return True
    return it.role == "value" and it.dim == "money" and (
        RESULT_LABEL.search(it.clause) is not None
        or (it.clause.endswith("结余") and not re.search(r"(累计|滚存|年初|上年|结转)", it.clause)
            and re.search(r"(当期|当年|本年|年终|年末)", it.clause) is not None))


def _signed_result(it: Item) -> int:
    if it.value < 0:
        return 1
    if BALANCE_NEGATIVE.search(it.clause) or (it.mention.negative_word or "") in ("亏损", "赤字", "缺口"):
        return -1
    return 1


def balance_relations(items: list[Item], segments: list[Segment], seg_index: int) -> list[Relation]:
    out: list[Relation] = []
    income: Item | None = None
    expense: Item | None = None
    results: dict[int, Item] = {}
    income_k = 0
    for k, it in enumerate(items):
        if it.role == "value" and it.list_total is None and _is_income(it):
            income, expense, income_k = it, None, k
        elif it.role == "value" and it.list_total is None and _is_expense(it) and income is not None:
            expense = it
        elif _is_result(it):
            q = _qualifier(it.clause)
            if q is not None or it.list_total is not None:
                inc, exp = _find_flows(items, segments, seg_index, k, q)
            elif income is not None and expense is not None:
                inc, exp = income, expense
                if it.sentence != income.sentence and not _one_subject(segments, items[income_k:k + 1]):
                    inc = exp = None  # a later sentence about another fund or year
            else:
                inc, exp = _find_flows(items, segments, seg_index, k, None)
                if inc is None or exp is None:
                    inc, exp = _section_flows(items, segments, seg_index, k)
            if inc is not None and exp is not None:
                out.append(_balance(it, inc, exp))
                results[id(it)] = it
                _balance_rate(items, k, inc, out)
            income, expense = None, None
    own = _asset_relations(items)
    asset_stated = {id(r.stated) for r in own}
    out += own
    for k, it in enumerate(items):  # 年末累计结余 in a paragraph of its own, after the balance sheet
        if (_whole_value(it) and CLOSING_NET.search(it.clause) and id(it.mention) not in asset_stated
                and (rel := _section_net(items, segments, seg_index, k)) is not None):
            out.append(rel)
    out += _rollover_relations(items)
    return out


def _balance(result: Item, inc: Item, exp: Item) -> Relation:
    terms = [Term(inc.mention, 1, "收入"), Term(exp.mention, -1, "支出")]
    name = "收支缺口" if "缺口" in result.clause else "当期结余"
    rel = Relation("JX-BAL-001", result.mention, [(terms, [])], "sum", stated_name=name)
    rel.direction = _signed_result(result)
    return rel


def _balance_rate(items: list[Item], k: int, inc: Item, out: list[Relation]) -> None:
    """结余率 right after a balance: 当期结余 / 收入."""
    result = items[k]
    for it in items[k + 1:k + 4]:
        if it.role == "rate_balance" and it.sentence <= result.sentence + 1:
            if _qualifier(it.clause) != _qualifier(result.clause):
                continue
            sign = _signed_result(result)
            out.append(Relation("JX-BAL-004", it.mention,
                                [([Term(result.mention, sign, "当期结余")], [Term(inc.mention, 1, "收入")])],
                                "ratio", percent=True, stated_name="当期结余率"))
            # the sub-rates: 其中统筹基金当期结余率… are matched by their own balances
            break


def _find_flows(items: list[Item], segments: list[Segment], seg_index: int, k: int,
                qualifier: int | None) -> tuple[Item | None, Item | None]:
    """Income and expenditure for the 当期结余 ``items[k]`` whose flows were given in earlier paragraphs."""
    result = items[k]
    pool: list[Item] = items[max(0, k - 100):k]
    for back in range(1, 4):
        if seg_index - back < 0:
            break
        pool = segments[seg_index - back].items[-100:] + pool
    inc = exp = None
    for it in reversed(pool):
        if it.role != "value" or it.dim != "money":
            continue
        if it is not result and _is_result(it) and _qualifier(it.clause) == qualifier:
            break  # flows before another balance belong to that balance
        if qualifier is None:
            if it.list_total is not None or _qualifier(it.clause) is not None:
                continue
            if exp is None and re.search(r"总支出\s*$", it.clause):
                exp = it
            elif inc is None and re.search(r"总收入\s*$", it.clause):
                inc = it
        else:
            if _qualifier(it.clause) != qualifier:
                continue
            if exp is None and re.search(r"支出\s*$", it.clause) and "待遇" not in it.clause:
                exp = it
            elif inc is None and re.search(r"收入\s*$", it.clause) and "征缴" not in it.clause:
                inc = it
        if inc is not None and exp is not None:
            break
    return inc, exp


#: a 当期 result (not a cumulative 年末结余) may take its flows from earlier paragraphs of its section
PERIOD_RESULT: Final = re.compile(r"(当期|当年|本年|本期|收支缺口|收不抵支|亏损|赤字)")
#: the funds a sentence can be about; a sentence naming none is about the fund of its section
FUND_SUBJECTS: Final[tuple[tuple[str, ...], ...]] = (
    ("职工",), ("城乡居民", "居民"), ("生育",), ("大病",), ("医疗救助",), ("公务员",), ("离休",),
    ("统筹",), ("个人账户", "个人帐户", "个账"),
)
#: 职工基本医疗保险（含生育）: 生育 is included, not the subject
_INCLUDED_FUND: Final = re.compile(r"[（(]含[^）)]{1,6}[）)]")
_YEAR_WORD: Final = re.compile(r"((?:19|20)\d\d)\s*年")
_HEADING: Final = re.compile(r"^\s*([一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]{1,3}[）)]"
                             r"|\d{1,2}[、.．]|图\s*\d|表\s*\d|第[一二三四五六七八九十\d]+[章节部分])")
#: how many paragraphs back a 当期结余 looks for its 收入 and 支出 (within its section)
SECTION_LOOKBACK: Final = 6


def _sentence_prefix(seg: Segment, it: Item) -> str:
    """The words of ``it``'s sentence before it (where the subject of the sentence stands)."""
    text = seg.text
    floor = max(0, it.start - 300)  # a subject stands near: a longer sentence is read from 300 back
    k = max(floor - 1, *(text.rfind(c, floor, it.start) for c in "。！？!?\n"))
    return text[k + 1:it.start]


def _subject(seg: Segment, it: Item) -> tuple[frozenset[int], frozenset[str]]:
    """The funds and years a figure's sentence names before its first figure (empty: the
    section's subject); the parts named later (其中统筹基金收入…) do not change the subject."""
    if not seg.first_items:
        for x in reversed(seg.items):
            seg.first_items[x.sentence] = x
    first = seg.first_items[it.sentence]
    prefix = _INCLUDED_FUND.sub("", _sentence_prefix(seg, first))
    funds = frozenset(i for i, words in enumerate(FUND_SUBJECTS) if any(w in prefix for w in words))
    return funds, frozenset(_YEAR_WORD.findall(prefix))


def _is_heading(seg: Segment) -> bool:
    """A heading or caption line: short, no money figure, numbered or without a full stop."""
    t = seg.text.strip()
    if len(t) > 40 or any(x.dim == "money" for x in seg.items):
        return False
    return _HEADING.match(t) is not None or t[-1:] not in "。；;！？!?"


def _section_flows(items: list[Item], segments: list[Segment], seg_index: int,
                   k: int) -> tuple[Item | None, Item | None]:
    """收入 and 支出 for a 当期结余 (or 收支缺口) stated in a later sentence or paragraph of the same
    section: the nearest 支出 and 收入 before it, when every sentence from them to the result is
    about the same fund and year (a sentence naming no fund or year is about the section's).

    Stops at a heading, at another balance (its flows are its own) and after
    ``SECTION_LOOKBACK`` paragraphs; gives nothing when the subject is mixed or unclear.
    """
    result = items[k]
    if _qualifier(result.clause) is not None or not PERIOD_RESULT.search(_sentence_prefix(segments[result.seg],
                                                                                          result)):
        return None, None
    inc = exp = None
    seen: list[Item] = [result]
    for it in _section_before(items, segments, seg_index, k):
        if it.dim == "money" and it.role == "value" and _is_result(it):
            break  # flows before another balance belong to that balance
        seen.append(it)
        if not _whole_value(it):
            continue
        if exp is None and inc is None and _is_expense(it):
            exp = it
        elif inc is None and _is_income(it):
            inc = it
            break
    if inc is None or exp is None or not _one_subject(segments, seen):
        return None, None
    return inc, exp


def _section_before(items: list[Item], segments: list[Segment], seg_index: int, k: int) -> Iterator[Item]:
    """The items before ``items[k]`` in its section, nearest first: its own paragraph, then up to
    ``SECTION_LOOKBACK`` paragraphs back, stopping at a heading (100 items of each at the most)."""
    yield from reversed(items[max(0, k - 100):k])
    for back in range(1, SECTION_LOOKBACK + 1):
        if seg_index - back < 0 or _is_heading(segments[seg_index - back]):
            return
        yield from reversed(segments[seg_index - back].items[-100:])


def _whole_value(it: Item) -> bool:
    """A money figure of the whole fund (not a listed part, not 统筹/个账 alone)."""
    return (it.role == "value" and it.dim == "money" and it.list_total is None
            and _qualifier(it.clause) is None)


def _one_subject(segments: list[Segment], seen: list[Item]) -> bool:
    """Do the sentences of ``seen`` name at most one fund and one year between them?

    A sentence naming several funds or years (a heading joined to its paragraph, 职工和居民…)
    says nothing about which one is meant and is left out."""
    funds: set[frozenset[int]] = set()
    years: set[frozenset[str]] = set()
    sentences = {(it.seg, it.sentence): it for it in seen}
    for (si, _), it in sentences.items():
        f, y = _subject(segments[si], it)
        if len(f) == 1:
            funds.add(f)
        if len(y) == 1:
            years.add(y)
    return len(funds) <= 1 and len(years) <= 1


#: a closing cumulative balance written apart from the balance sheet (年末累计结余560783万元)
CLOSING_NET: Final = re.compile(r"(年末|期末)(累计|滚存)结余(为|是)?\s*$")


def _section_net(items: list[Item], segments: list[Segment], seg_index: int, k: int) -> Relation | None:
    """年末累计结余 = 资产 − 负债 when the 资产 and 负债 totals were stated earlier in the same
    section (same fund and year, see :func:`_section_flows`); a section with no 负债 gives none."""
    net = items[k]
    asset = liability = None
    seen: list[Item] = [net]
    for it in _section_before(items, segments, seg_index, k):
        seen.append(it)
        if not _whole_value(it):
            continue
        if CLOSING_NET.search(it.clause):
            return None  # the balance sheet before another closing balance belongs to it
        if NET_LABEL.search(it.clause):
            continue  # 资产减负债 of the balance sheet: neither an asset nor a liability
        if liability is None and LIABILITY_LABEL.search(it.clause):
            liability = it
        elif liability is not None and ASSET_LABEL.search(it.clause) and "固定资产" not in it.clause:
            asset = it
            break
    if asset is None or liability is None or not _one_subject(segments, seen):
        return None
    terms = [Term(asset.mention, 1, "资产"), Term(liability.mention, -1, "负债")]
    return Relation("JX-BAL-002", net.mention, [(terms, [])], "sum", stated_name="年末累计结余")


def _asset_relations(items: list[Item]) -> list[Relation]:
    out: list[Relation] = []
    asset = liability = None
    for it in items:
        if it.role != "value" or it.dim != "money" or it.list_total is not None:
            continue
        if ASSET_LABEL.search(it.clause) and "固定资产" not in it.clause:
            asset, liability = it, None
        elif LIABILITY_LABEL.search(it.clause) and asset is not None and not NET_LABEL.search(it.clause):
            liability = it
        elif NET_LABEL.search(it.clause) and asset is not None and liability is not None:
            terms = [Term(asset.mention, 1, "资产"), Term(liability.mention, -1, "负债")]
            name = "资产减负债" if "资产减负债" in it.clause else "累计结余"
            out.append(Relation("JX-BAL-002", it.mention, [(terms, [])], "sum", stated_name=name))
            asset = liability = None
    return out


def _rollover_relations(items: list[Item]) -> list[Relation]:
    """年初 + 本期增减 = 年末/全年 (年初预算 + 追加 = 全年预算; 年初结余 + 当期结余 = 年末结余)."""
    out: list[Relation] = []
    for k, it in enumerate(items):
        if it.role != "value" or it.dim != "money" or not START_LABEL.search(it.clause):
            continue
        if it.list_total is not None:
            continue
        adds: list[Item] = []
        for nxt in items[k + 1:k + 8]:
            if nxt.role != "value" or not same_dim(nxt, it):
                continue
            if nxt.list_total is not None:
                continue
            if _NEW_TOTAL.search(nxt.clause) or (END_LABEL.search(nxt.clause) and _NOT_A_TOTAL.search(nxt.clause)):
                break  # 调整为1200万元: the new total, not an addition; 全年执行: what was spent, not the total
            if END_LABEL.search(nxt.clause) and not START_LABEL.search(nxt.clause):
                if adds:
                    terms = [Term(it.mention, 1, "年初数")] + [
                        Term(a.mention, -1 if NEGATIVE_PART.search(a.clause) else 1, item_name(a, "本期"))
                        for a in adds]
                    out.append(Relation("JX-BAL-003", nxt.mention, [(terms, [])], "sum",
                                        stated_name=item_name(nxt, "年末数")))
                break
            if ADD_LABEL.search(nxt.clause):
                adds.append(nxt)
            else:
                break
    return out
