"""The binder's shortcuts give the answers of the straightforward way they replace: scans rewritten
so that each alternative opens with a literal character, the backward search for a figure's own
words, the numbering read by its group's name, a heading's meaning remembered by its wording, a
figure's clause read once, the per-head and formula tests skipped in blocks without their marks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from jixiao.audit.document import Block, Document
from jixiao.audit.ledger import bind_document, naming, periods, prose, sections, walker, words
from jixiao.audit.quantities import find_document_mentions
from jixiao.audit.readers import read_document

TEXTS = [
    "2023年，全市职工基本医疗保险基金收入74200万元，其中：统筹基金收入52000万元、个人账户收入22200万元；"
    "基金支出65884万元，较上年增长16.4%，完成预算的97.5%。",
    "城乡居民医保参保人数不含学生，包含在校生；内含（其中主要有）住院18.63万人次，人均筹资1025元。",
    "（一）收入方面：截至11月底，上年同期收入43.15亿元，比去年减少2.1%，较去年同期、与去年相比持平。",
    "可支付月数 = 年末累计结余 ÷（基金支出合计 ÷ 12），资产减负债为12.5万元，在职退休比为2.8，增长1倍。",
    "1、利息收入8.5万元；2.其他收入3万元；①财政补贴；第二部分 单位决算；（3）公用经费；十、附表",
    "不含税收入；包含；含生育保险；因公出国（境）费12万元，“三公”经费支出3.26万元！是否？是。",
]

_OLD_LIST_OPEN = (r"其中主要有|其中主要是|其中主要为|主要有|主要包括|主要是|其中|包括|内含|(?<![不包])含|分为|构成如下"
                  r"|具体为")
_OLD_EVENTS = re.compile(r"[。！？!?、，,；;（()）]|" + _OLD_LIST_OPEN)
_OLD_DERIVED = re.compile(r"人均|次均|户均|每人|比(?:为|是|达|约)?$|比例|占比|(?<=[\u4e00-\u9fff])减(?=[\u4e00-\u9fff])"
                          r"|倍")
_OLD_PREVIOUS = re.compile(r"上年同期|去年同期|上年|(?<=[较比同])去年|上一年|上年末|上年度")


def _all(rx: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], str]]:
    return [(m.span(), m.group()) for m in rx.finditer(text)]


def test_rewritten_scans_find_what_the_plain_patterns_find() -> None:
    assert words.LIST_OPEN.pattern == _OLD_LIST_OPEN  # the walk's events are built from it
    for text in TEXTS:
        assert _all(walker._EVENTS, text) == _all(_OLD_EVENTS, text)
        assert _all(naming.DERIVED, text) == _all(_OLD_DERIVED, text)
        assert _all(periods._PREVIOUS, text) == _all(_OLD_PREVIOUS, text)
        for k in range(len(text)):  # each figure's own words: DERIVED searches their end too
            assert bool(naming.DERIVED.search(text[:k])) == bool(_OLD_DERIVED.search(text[:k]))
    assert _all(walker._EVENTS, "不含、包含、含") == [((2, 3), "、"), ((5, 6), "、"), ((6, 7), "含")]


def _own_start_plain(text: str, lo: int, hi: int, found: words.Words) -> int:
    k = hi
    while k > lo:
        if text[k - 1] in words.SEPARATORS:
            inside = found.in_term(k - 1)
            if inside is None:
                return k
            k = inside
            continue
        k -= 1
    return lo


def test_own_start_is_the_last_separator_outside_a_term() -> None:
    for text in TEXTS:
        found = words.Words(text)
        for lo in range(0, len(text), 7):
            for hi in range(lo, len(text) + 1):
                assert words.own_start(text, lo, hi, found) == _own_start_plain(text, lo, hi, found)
    text = "因公出国（境）费12万元"
    assert words.own_start(text, 0, 8, words.Words(text)) == 0  # the bracket is inside the term


def _numbering_plain(text: str) -> tuple[int, int] | None:
    m = sections.NUMBERING.match(text)
    if m is None:
        return None
    for level, name in enumerate(("part", "cn", "pcn", "ar", "par", "circ")):
        if m.group(name):
            return level, m.end()
    return None


def test_numbering_level_by_group_name() -> None:
    lines = [part for text in TEXTS for part in re.split(r"[；;]", text)]
    lines += ["第三章 附则", "（十二）其他", "12．合计", "3.5万元", "⑩ 说明", "一是收入"]
    levels = [sections.numbering_level(t) for t in lines]
    assert levels == [_numbering_plain(t) for t in lines]
    assert {lv[0] for lv in levels if lv} == {0, 1, 2, 3, 4, 5}


def test_heading_meaning_remembered_is_the_meaning_read() -> None:
    headings = ["一、2023年职工基本医疗保险基金收入情况", "（二）城乡居民医保基金预算安排（单位：万元）",
                "职工医保、城乡居民医保基金收支合计", "（四）“三公”经费情况", "年末参保人数"]
    for h in headings:
        first = sections.section_of(1, h, 3)
        again = sections.section_of(2, h, 9)  # from the cache now
        fresh = sections._heading_meaning.__wrapped__(h)
        for s in (first, again):
            assert (s.fund, s.period, s.year, s.unit, s.budget, s.item) == fresh
        assert (again.level, again.block, again.title) == (2, 9, h)
    assert sections.section_of(1, headings[0], 0).year == 2023


def _document(tmp_path: Path) -> Document:
    path = tmp_path / "2023年某市医疗保障基金运行情况.txt"
    path.write_text("\n".join(["2023年某市医疗保障基金运行情况", *TEXTS, "人（含退休）均筹资1000元，增长3%。"]),
                    encoding="utf-8")
    return read_document(str(path))


def _bound(doc: Document) -> list[tuple[object, ...]]:
    return [(f.to_json(), f.role, f.item, f.fund, f.label, f.mention.start)
            for f in bind_document(doc, find_document_mentions(doc))]


def test_clause_read_once_is_the_clause_read_afresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    pure_python: bool) -> None:
    if pure_python:
        return  # passed in a child on the .py files: a compiled class cannot be spied on
    doc = _document(tmp_path)
    pairs: list[tuple[str, str]] = []
    original = walker.Walker.__init__

    def spy(self: walker.Walker, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.clauses = _Checked(self, pairs)

    monkeypatch.setattr(walker.Walker, "__init__", spy)
    _bound(doc)
    assert pairs and all(a == b for a, b in pairs)
    assert ("人均筹资", "人均筹资") in pairs  # a clause joined across its bracket (人（含退休）均筹资)


def test_skipped_tests_change_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pure_python: bool) -> None:
    """The per-head test of blocks without 均/每 and the formula test of blocks without an operator
    are skipped: binding with both always run gives the same facts."""
    if pure_python:
        return  # passed in a child on the .py files, as above
    doc = _document(tmp_path)
    fast = _bound(doc)
    def run_all(self: prose.ProseBinder) -> list[Any]:
        self.per_head = True
        self.operators = True
        return walker.Walker.bind(self)

    monkeypatch.setattr(prose.ProseBinder, "bind", run_all)
    slow = _bound(doc)
    assert fast == slow
    assert any(f[1] == "rate" for f in fast)  # 人均筹资1025元: a per-head amount, not the income


class _Checked(dict):  # type: ignore[type-arg]
    """A clause cache that also reads each clause afresh, to compare."""

    def __init__(self, binder: walker.Walker, seen: list[tuple[str, str]]) -> None:
        super().__init__()
        self.binder, self.seen = binder, seen

    def __setitem__(self, end: int, clause: str) -> None:
        self.seen.append((clause, self.binder._read_clause(end)))  # type: ignore[attr-defined]
        super().__setitem__(end, clause)


def test_formula_gate_matches_the_operator_set() -> None:
    for text in [*TEXTS, "基金支出合计÷12", "1+1=2", "a*b/c", "全＋年＝"]:
        assert (walker._OPERATOR.search(text) is not None) == (not walker.OPERATORS.isdisjoint(text))


def test_adverbial_period_by_the_clause_s_last_stop() -> None:
    """A period opens its clause's words (the clause found by one backward match) as when read
    character by character back to the last stop or the heading's end."""
    texts = [*TEXTS, "全年，截至2023年12月底，基金收入1万元；于2019年1月挂牌。\n2020年，收入2万元",
             "（一）2023年收入情况：2023年全市收入3万元",
             "全年" + "基金收入稳定增长" * 30 + "2023年全市收入3万元，" + "较上年" * 40 + "2022年"]  # windows of 64
    seen = 0
    for text in texts:
        for head_end in (0, 3, 12):
            binder = walker.Walker(_context(), words.ProseState(), Block(text=text, kind="paragraph", line=1), 0, [],
                                   None, head_end)
            for p in binder.words.periods:
                k = p.start
                while k > head_end and text[k - 1] not in "，,；;。：:！？\n":
                    k -= 1
                assert binder._adverbial(p) == (words.LEAD.fullmatch(text, k, p.start) is not None)
                seen += 1
    assert seen > 20


def _context() -> words.Context:
    return words.Context(fund=None, named=False, year=2023, span="1-12", kind="fund")


def test_separator_between_reads_only_separators_and_brackets() -> None:
    for text in TEXTS:
        binder = prose.ProseBinder(_context(), words.ProseState(), Block(text=text, kind="paragraph", line=1), 0, [],
                                   None, 0)
        for lo in range(0, len(text), 5):
            for hi in range(lo, len(text) + 1, 3):
                strength = depth = 0
                for k in range(lo, hi):
                    ch = text[k]
                    if ch in "（(":
                        depth += 1
                    elif ch in "）)":
                        depth = max(0, depth - 1)
                    elif depth == 0 and ch in words.STRENGTH and binder.words.in_term(k) is None:
                        strength = max(strength, words.STRENGTH[ch])
                assert binder._separator_between(lo, hi) == strength


def test_texts_without_a_date_word_have_no_period_but_until_bare() -> None:
    """period_marks scans only texts that write 年, 月 or 季 (截至N底 aside): the plain scan of
    every text finds the same marks."""
    texts = [*TEXTS, "截至11底，收入3万元", "截止9末", "一季度收入", "前三季度", "前3个月", "1-6", "1至3", "第二季",
             "上半", "上半年", "年底", "2023年底", "末", "全", "12", "十一", "去年同期", "较上年", "比去年增长",
             "11月当月", "2024年4月28日", "1—12月份", "合计", "3月", "于3月", "截至3月末"]
    for text in texts:
        plain = periods._dated(text)
        for m in periods._UNTIL_BARE.finditer(text):
            plain.append(periods.PeriodMark(m.start(1), m.end(), None, f"1-{int(m.group(1))}"))
        for m in periods._PREVIOUS.finditer(text):
            compared = periods._COMPARE.search(text, max(0, m.start() - 4), m.start()) is not None \
                or "同期" in m.group()
            plain.append(periods.PeriodMark(m.start(), m.end(), None, None, compared, previous=True))
        plain.sort(key=lambda p: p.start)
        assert periods.period_marks.__wrapped__(text) == tuple(plain)
        if not any(ch in text for ch in "年月季"):
            assert not plain or all(p.span and not p.year for p in plain)  # 截至N底 only
    assert periods.find_periods("截至11底")[0].span == "1-11"
