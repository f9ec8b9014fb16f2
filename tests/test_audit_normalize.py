"""Normalisation of conversion debris, on real seed lines, with the map back to the original."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.audit.normalize import normalize, normalize_compact, normalize_lines

SEEDS = Path(__file__).resolve().parent.parent / "examples" / "seeds"


def seed_line(prefix: str, number: int) -> str:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    return path.read_text(encoding="utf-8").split("\n")[number - 1]


def back(source: str, text: str, origin: list[int], needle: str) -> str:
    """The original characters behind the first occurrence of ``needle`` in ``text``."""
    i = text.index(needle)
    return source[origin[i]: origin[i + len(needle) - 1] + 1]


def check_origin(source: str, text: str, origin: list[int]) -> None:
    assert len(origin) == len(text)
    assert all(0 <= o < len(source) for o in origin)
    assert all(a < b for a, b in itertools.pairwise(origin)), "origin must increase"


# --- the debris of each seed -------------------------------------------------------------------


def test_thousands_separators_and_unit_spaces_seed_001() -> None:
    line = seed_line("001", 43)
    assert "355,212 万元" in line and "348,610 万元" in line
    text, origin = normalize(line)
    check_origin(line, text, origin)
    assert "355212万元" in text and "348610万元" in text and "5330万元" in text and "1262万元" in text
    assert "98.6%" in text and "80.12%" in text
    assert "," not in text  # every separator here is a thousands separator
    # the figure maps back to its place in the line, separator and space included
    assert back(line, text, origin, "355212万元") == "355,212 万元"
    # a clause comma stays
    assert "，完成预算" in text


def test_space_between_number_and_unit_seed_001() -> None:
    line = seed_line("001", 37)
    assert "17096 万元" in line
    text, origin = normalize(line)
    check_origin(line, text, origin)
    assert "支出户存款 17096万元，财政专户存款 29947万元" in text
    assert back(line, text, origin, "17096万元") == "17096 万元"
    # the negative balance of line 39 keeps its sign
    text39, _ = normalize(seed_line("001", 39))
    assert "当年结余-1913万元" in text39


def test_stray_letter_and_bookmarks_seed_003() -> None:
    line = seed_line("003", 36)
    assert "760.35d万元" in line
    text, origin = normalize(line)
    check_origin(line, text, origin)
    assert "收入760.35万元，支出747.1万元" in text
    assert back(line, text, origin, "760.35万元") == "760.35d万元"

    heading = seed_line("003", 3)
    assert heading.startswith("[bookmark: _Toc15396600][bookmark: _Toc15377197]")
    text, origin = normalize(heading)
    assert text == "一、基本职能及主要工作"
    assert origin[0] == heading.index("一")

    image = seed_line("003", 47)
    assert image.startswith("[image: ]")
    assert normalize(image)[0] == "（图2：收入决算结构图）"
    # a bookmark in the middle of a line
    mid = seed_line("003", 112)
    assert normalize(mid)[0] == "9、 国有资本经营预算支出决算情况说明"


def test_html_tags_seed_002() -> None:
    line = seed_line("002", 16)
    assert line.startswith("<p>整体绩效目标完成情况</p> <p>")
    text, origin = normalize(line)
    check_origin(line, text, origin)
    assert "<p>" not in text and "</p>" not in text
    assert text.startswith("整体绩效目标完成情况 （党委政府")
    assert "\t一、工作进展及成效" in text  # the tab (a cell boundary) survives
    assert "参保人数 381.31万人" in text
    assert back(line, text, origin, "381.31万人") == "381.31 万人"


def test_nbsp_and_full_width_percent_seed_000_and_004() -> None:
    line = seed_line("000", 2)
    assert "\xa0" in line
    text, origin = normalize(line)
    assert "\xa0" not in text and "主要工作职责: 办公室" in text
    assert len(text) == len(line) and origin == list(range(len(line)))  # folds keep offsets

    line = seed_line("000", 11)
    assert "99％" in line
    assert "99%" in normalize(line)[0]

    line = seed_line("004", 65)
    assert "30.05 %" in line
    assert "30.05%" in normalize(line)[0]


def test_clean_seed_lines_are_untouched() -> None:
    for prefix in ("000", "004"):
        path = next(SEEDS.glob(f"{prefix}_*.txt"))
        lines = path.read_text(encoding="utf-8").split("\n")
        untouched = [ln for ln in lines if normalize(ln)[0] == ln]
        assert len(untouched) >= len(lines) - 5
    line = seed_line("000", 9)
    assert normalize(line) == (line, list(range(len(line))))
    assert normalize_compact(line) == (line, [])


# --- each rule on its own, including what must NOT change ----------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # full-width digits and punctuation that matter to numbers
        ("收入７４２００万元，增长９．２５％", "收入74200万元，增长9.25%"),
        ("结余－１９１３万元", "结余-1913万元"),
        ("时间１０：３０，地点：会议室", "时间10:30，地点：会议室"),
        ("（万元）与(万元)", "（万元）与(万元)"),  # brackets stay as written
        ("句末。下一句", "句末。下一句"),
        ("ＡＢＣ标准", "ABC标准"),
        # thousands separators
        ("1,562.46万元", "1562.46万元"),
        ("12,345,678元", "12345678元"),
        ("355，212万元", "355212万元"),
        ("2019,2020年", "2019,2020年"),  # not groups of three after 1-3 digits
        ("1,2,3项", "1,2,3项"),
        ("12,34元", "12,34元"),
        ("1,234,56元", "1,234,56元"),  # a broken grouping is left alone
        ("3.5,123", "3.5,123"),
        ("收入增加，支出减少", "收入增加，支出减少"),
        ("共计5,比上年多", "共计5,比上年多"),
        # spaces inside numbers: only groups of three directly followed by a unit
        ("收入 355 212 万元", "收入 355212万元"),
        ("收入 1 562.46 万元", "收入 1562.46万元"),
        ("2019 12 345万元", "2019 12 345万元"),  # preceded by another number: ambiguous
        ("编号 100 200", "编号 100 200"),  # no unit: may be two numbers in a row
        ("3 4567万元", "3 4567万元"),  # not a group of three
        ("1234 567万元", "1234 567万元"),  # leading group longer than three
        ("第1 季度", "第1 季度"),
        # spaces before a unit
        ("截至 2018 年 12 月底，参保 64.27 万人", "截至 2018年 12月底，参保 64.27万人"),
        ("比例 95 %", "比例 95%"),
        ("共 48 家", "共 48家"),
        ("人员 56 人 （编制：56 人）", "人员 56人 （编制：56人）"),
        ("项目 A 万元", "项目 A 万元"),  # no number before the space
        ("见表 3 人员情况", "见表 3 人员情况"),  # 人员 is a word, not the unit 人
        ("附件 2 项目支出", "附件 2 项目支出"),
        ("共 12 个 人", "共 12个 人"),
        ("2019 年度", "2019年度"),
        ("抽查 3 批次", "抽查 3批次"),
        # stray letters
        ("760.35d万元", "760.35万元"),
        ("12x人", "12人"),
        ("5G网络", "5G网络"),
        ("COVID-19疫情", "COVID-19疫情"),
        ("3A级", "3A级"),
        ("12ab万元", "12ab万元"),  # two letters are a word, not a typo
        # markup
        ("[bookmark: _Toc1][bookmark: _Toc2]标题", "标题"),
        ("[image: ]（图1）", "（图1）"),
        ("<p>甲</p><p>乙</p>", "甲 乙"),
        ("12</p><p>34", "12 34"),  # never glue two numbers together
        ("<span style='x'>100</span>万元", "100万元"),
        ("a<br/>b", "a b"),
        ("<!-- 注释 -->正文", "正文"),
        ("<=2天，>90%", "<=2天，>90%"),  # comparison signs are not tags
        ("[1]参考文献", "[1]参考文献"),
        ("a&nbsp;b&amp;c&#20803;", "a b&c元"),
        # whitespace
        ("a\u3000b\u2003c\u200bd\ufeffe", "a b cde"),
        ("甲\t乙", "甲\t乙"),
    ],
)
def test_rules(raw: str, expected: str) -> None:
    text, origin = normalize(raw)
    assert text == expected
    check_origin(raw, text, origin)


def test_origin_points_at_the_kept_characters() -> None:
    raw = "[bookmark: x]收入 355,212 万元，增长９．２５％"
    text, origin = normalize(raw)
    assert text == "收入 355212万元，增长9.25%"
    fold = {0xFF10 + k: 0x30 + k for k in range(10)} | {ord("．"): ".", ord("％"): "%"}
    for i, ch in enumerate(text):
        assert raw[origin[i]].translate(fold) == ch


def test_normalize_lines_matches_line_by_line() -> None:
    path = next(SEEDS.glob("003_*.txt"))
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    spans = []
    pos = 0
    for ln in lines:
        spans.append((pos, pos + len(ln)))
        pos += len(ln) + 1
    for ln, (out, origin) in zip(lines, normalize_lines(text, spans), strict=True):
        expected, expected_origin = normalize(ln)
        assert out == expected
        assert (origin or list(range(len(out)))) == expected_origin


# --- properties --------------------------------------------------------------------------------

_alphabet = st.sampled_from(
    [*list("0123456789０１２３４５ ,，.．%％万元人年月d\t甲乙。、（）:：-－"), "\xa0", "\u3000", "\u200b"]
)


@settings(max_examples=300, deadline=None)
@given(st.text(_alphabet, max_size=60))
def test_digits_are_never_lost_or_invented(raw: str) -> None:
    """Without markup, normalisation only folds and deletes separators: digits all survive."""
    text, origin = normalize(raw)
    check_origin(raw, text, origin)
    folded_digits = re.sub(r"\D", "", raw.translate({0xFF10 + k: 0x30 + k for k in range(10)}))
    assert re.sub(r"\D", "", text) == folded_digits


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_a_consistent_map(raw: str) -> None:
    text, origin = normalize(raw)
    check_origin(raw, text, origin)
    compact_text, compact_origin = normalize_compact(raw)
    assert compact_text == text
    assert (compact_origin or list(range(len(text)))) == origin
