"""The audit's fast paths give the answers of the straightforward way they replace."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jixiao.audit.facts import years_in

SEEDS = Path(__file__).resolve().parent.parent / "examples" / "seeds"

#: the straightforward way: one regular expression over the text
_YEAR_RE = re.compile(r"((?:19|20)\d{2})(?<!\d\d{4})[ \u3000]{0,2}年|(上年|去年|上一年)|(今年|本年|当年)")


def _years_by_regex(text: str) -> list[tuple[int, int, int | None]]:
    return [(m.start(), m.end(), int(m.group(1)) if m.group(1) else (0 if m.group(3) else None))
            for m in _YEAR_RE.finditer(text)]


@pytest.mark.parametrize("text", [
    "2019年基金收入74200万元，较上年增加1.2%，上一年为2018 年，去年和今年、本年、当年都有。",
    "12019年不是年份，2019  年是，2019   年不是，２０１９年是全角。",
    "1999年、2000年、2100年、1899年、20年、19年、201年、年、上上年、一年、本年度、当年年底",
    "年2019年年 2020年\u3000\u30002021年",
    "",
])
def test_years_in_is_the_regex(text: str) -> None:
    assert years_in(text) == _years_by_regex(text)


def test_years_in_is_the_regex_on_the_seeds() -> None:
    lines = [line for p in sorted(SEEDS.glob("*.txt")) for line in p.read_text(encoding="utf-8").splitlines()]
    found = [years_in(t) for t in lines]
    assert sum(map(len, found)) > 50  # the seeds write many years
    assert found == [_years_by_regex(t) for t in lines]


def _traditional_by_counting_both(text: str) -> bool:
    """The straightforward test: count both the traditional markers and their simplified forms."""
    from collections import Counter

    from jixiao.audit.readers.script import _MARKERS, _table

    table = _table()
    simplified = "".join(table[ord(c)] for c in _MARKERS)
    found = Counter(c for c in text if c in _MARKERS or c in simplified)
    trad = sum(found[c] for c in _MARKERS)
    return trad >= 5 and trad > sum(found[c] for c in simplified)


def test_traditional_reports_are_told_as_before() -> None:
    """Markers counted first give the answer of counting both kinds, on simplified seeds, the
    same seeds in traditional characters, and texts with a few or a balance of markers."""
    from jixiao.audit.readers.script import _is_traditional, _table

    to_traditional = {ord(s): chr(t) for t, s in _table().items()}
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    texts = seeds + [s.translate(to_traditional) for s in seeds] + [
        "醫療保險基金收入萬元", "醫療醫療醫療，医疗医疗医疗医疗", "醫療醫療醫療費，医疗", "",
    ]
    answers = [_is_traditional([t]) for t in texts]
    assert answers == [_traditional_by_counting_both(t) for t in texts]
    assert any(answers) and not all(answers)
