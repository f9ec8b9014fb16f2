"""Figures as written: precision, intervals, units, rounding."""

from decimal import Decimal

import pytest

from jixiao.numbers import (
    Interval,
    Quantity,
    UnitError,
    conversion,
    exponent_of,
    fmt,
    half_unit,
    parse_quantity,
    round_half_up,
    to_decimal,
    truncate,
)

D = Decimal


def test_written_precision_is_kept():
    assert to_decimal("655.50").as_tuple().exponent == -2
    assert to_decimal("1,562.46") == D("1562.46")
    assert half_unit(D("12.35")) == D("0.005")
    assert half_unit(D("74200")) == D("0.5")


@pytest.mark.parametrize("written", ["74200", "12.35", "-0.0", "0", "7E+2", "-1.20E+3", "1.5E-10", "0E-7",
                                     "0.000001", "123456789.123456789", "100.000"])
def test_exponent_of_is_the_last_written_digit(written):
    value = D(written)
    assert exponent_of(value) == value.as_tuple().exponent
    assert exponent_of(value * 1000) == (value * 1000).as_tuple().exponent


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-Infinity"])
def test_exponent_of_no_number_is_refused(bad):
    with pytest.raises(ValueError):
        exponent_of(D(bad))


@pytest.mark.parametrize("bad", [0.1, True, "12a", "", "NaN", "Infinity", None])
def test_to_decimal_refuses_floats_and_junk(bad):
    with pytest.raises(ValueError):
        to_decimal(bad)


def test_quantity_interval_from_written_digits():
    assert Quantity(D("12.35"), "亿元").interval() == Interval(D("12.345"), D("12.355"))
    assert Quantity(D("74200"), "万元").interval_in("元") == Interval(D("741995000"), D("742005000"))


def test_approximation_words_widen_the_interval():
    over = parse_quantity("71万余人")
    assert over.approx == "余"
    assert over.interval().lo == D("70.5") and over.interval().hi == D("72")
    about = parse_quantity("约95%")
    assert about.interval() == Interval(D("94"), D("96"))
    assert parse_quantity("95%以上").approx == "以上"


def test_rate_check_by_intervals_seed004():
    # 当期结余率 = 23204 / 151661 = 15.2999…%: "15.30%" is right at its precision, "15.3" too, 15.31 is not.
    computed = Quantity(D("23204"), "万元").interval() / Quantity(D("151661"), "万元").interval() * 100
    assert computed.meets(parse_quantity("15.30%").interval())
    assert not computed.meets(parse_quantity("15.31%").interval())


def test_sum_of_rounded_parts_allows_n_half_units():
    # 统筹 150719 + 个账 118027 = 268746 vs total 268747: each part may be off by 0.5, total by 0.5 → meets.
    parts = Quantity(D("150719"), "万元").interval() + Quantity(D("118027"), "万元").interval()
    assert parts.meets(Quantity(D("268747"), "万元").interval())
    assert not parts.meets(Quantity(D("268749"), "万元").interval())


def test_interval_arithmetic_signs_and_division():
    a, b = Interval(D(-2), D(3)), Interval(D(4), D(5))
    assert a * b == Interval(D(-10), D(15))
    assert b - a == Interval(D(1), D(7))
    with pytest.raises(ZeroDivisionError):
        _ = b / a
    assert Interval(D(1), D(2)).distance(Interval(D(5), D(6))) == D(3)


def test_units_convert_only_within_a_dimension():
    assert conversion("亿元", "万元") == D(10000)
    assert parse_quantity("1.8067万人").value_in("人") == D("18067.0000")
    with pytest.raises(UnitError):
        conversion("万元", "人")
    with pytest.raises(UnitError):
        parse_quantity("7.5美元")


def test_round_half_up_as_reports_do():
    assert round_half_up(D("2.345"), 2) == D("2.35")  # banker's rounding would give 2.34
    assert fmt(D("15.2999"), 2) == "15.30"
    assert truncate(D("9.2599"), 2) == D("9.25")
