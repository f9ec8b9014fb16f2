"""Chinese numerals (audit/numerals.py): the readings each ambiguous form was given."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jixiao.audit.numerals import parse_chinese_number, parse_chinese_percent


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("零", 0),
        ("一", 1),
        ("十", 10),
        ("十三", 13),
        ("二十", 20),
        ("二十五", 25),
        ("一百零五", 105),
        ("一百一十", 110),
        ("两千", 2000),
        ("一千零五", 1005),
        ("一千二百三十四", 1234),
        ("十三万二千", 132000),
        ("两万零五百", 20500),
        ("两亿", 200_000_000),
        ("一亿二千万", 120_000_000),
        ("一万亿", 1_000_000_000_000),
        ("贰拾叁", 23),
        ("壹佰", 100),
        ("二〇一九", 2019),  # digit by digit; callers decide it is a year
    ],
)
def test_chinese_integers(text: str, value: int) -> None:
    assert parse_chinese_number(text) == Decimal(value)


@pytest.mark.parametrize(
    ("text", "value"),
    [("三千五", 3500), ("一百五", 150), ("十三万二", 132000), ("一亿二", 120_000_000), ("两万五", 25000)],
)
def test_colloquial_elision(text: str, value: int) -> None:
    """A last digit after 百/千/万/亿 is the next lower place (口语), never after 零 or 十."""
    assert parse_chinese_number(text) == value


def test_no_elision_after_zero_or_ten() -> None:
    assert parse_chinese_number("一千零五") == 1005
    assert parse_chinese_number("十五") == 15


def test_decimals_with_dian() -> None:
    assert parse_chinese_number("三点五") == Decimal("3.5")
    assert parse_chinese_number("三点一四万") == Decimal("31400")
    assert parse_chinese_number("三点一四万").as_tuple().exponent == 2  # precision of 0.01万


def test_arabic_with_multiplier_keeps_precision() -> None:
    v = parse_chinese_number("3万")
    assert v == 30000 and v is not None and v.as_tuple().exponent == 4
    v = parse_chinese_number("1.5亿")
    assert v == 150_000_000 and v is not None and v.as_tuple().exponent == 7
    # 13万2 is the colloquial 13.2万: 132000 written to the thousand
    v = parse_chinese_number("13万2")
    assert v == 132000 and v is not None and v.as_tuple().exponent == 3
    assert parse_chinese_number("13万2千") == 132000
    assert parse_chinese_number("13.5万2") is None  # colloquial digit after a decimal: not a number


@pytest.mark.parametrize(
    "text", ["", "万", "亿", "百", "十十", "一百一千", "一万二万", "一是", "二是", "第一", "十三五", "abc", "一" * 50]
)
def test_not_numbers(text: str) -> None:
    assert parse_chinese_number(text) is None


@pytest.mark.parametrize(
    ("text", "pct"),
    [
        ("百分之九十五", 95),
        ("百分之九十", 90),
        ("百分之百", 100),
        ("百分之3.5", Decimal("3.5")),
        ("三成", 30),
        ("三成五", 35),
        ("十成", 100),
    ],
)
def test_percent_forms(text: str, pct: int | Decimal) -> None:
    assert parse_chinese_percent(text) == Decimal(pct)


def test_percent_refuses_other_text() -> None:
    assert parse_chinese_percent("九十五") is None
    assert parse_chinese_percent("百分之") is None
    assert parse_chinese_percent("百分之一万") is None
