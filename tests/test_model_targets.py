"""Targets and actuals as real forms write them (seeds 001 and 003, rules.md §1)."""

from datetime import date
from decimal import Decimal

import pytest

from jixiao.model.targets import parse_target


@pytest.mark.parametrize(
    ("text", "comparator", "value", "unit"),
    [
        ("≥99%", ">=", "99", "%"),
        (">90%", ">", "90", "%"),
        ("≤1%", "<=", "1", "%"),
        ("=100%", "=", "100", "%"),
        ("≥6253人", ">=", "6253", "人"),
        ("1.8067万人", "=", "1.8067", "万人"),
        ("220元/人", "=", "220", "元/人"),
        ("<=2天", "<=", "2", "天"),
        ("≥15000人次", ">=", "15000", "人次"),
        ("90日内完成审核拨付", "<=", "90", "日"),
        ("≥98%", ">=", "98", "%"),
    ],
)
def test_quantitative_targets(text, comparator, value, unit):
    target = parse_target(text)
    assert target.comparator == comparator
    assert target.quantity is not None
    assert target.quantity.value == Decimal(value)
    assert target.quantity.unit == unit


def test_deadline():
    target = parse_target("2019年6月30日")
    assert target.comparator == "deadline"
    assert target.deadline == date(2019, 6, 30)


@pytest.mark.parametrize("text", ["按时拨付", "达成预期指标", "优", "按标准审核后足额发放", "2019年2月30日"])
def test_qualitative_stays_text(text):
    target = parse_target(text)
    assert target.comparator == "qualitative"
    assert target.quantity is None
    assert target.text == text
