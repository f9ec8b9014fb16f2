"""The year-end projection and the next-year forecast: worked examples, the fallbacks, the range
from the method's own back-test, and — on synthetic series with known seasonality — beating the
naive baselines (``bench/forecast.py`` prints the same comparison in full)."""

from __future__ import annotations

import statistics
from decimal import Decimal, localcontext

import pytest

from jixiao.calc.forecast import SeasonYear, forecast_next, project_year_end
from jixiao.calc.synthetic import PROFILES, synthetic_series

D = Decimal


def test_projection_by_the_share_the_same_months_made() -> None:
    # 2019: 450 of 1000 by June (45%); 2020: 480 of 1100 (43.6364%); mean share 44.3182%
    history = [SeasonYear(2020, D(480), D(1100)), SeasonYear(2019, D(450), D(1000))]
    found = project_year_end(D(500), 6, history)
    with localcontext() as ctx:
        ctx.prec = 34  # the engine's working precision
        share = (D(450) / D(1000) + D(480) / D(1100)) / 2
        assert found.method == "share" and found.share == share and found.years == (2019, 2020)
        assert found.value == D(500) / share  # 1128.205…
    # back-test: 2020 from 2019's share alone: 480 ÷ 45% = 1066.67, actual 1100 → +3.125%
    [(year, error)] = found.errors
    assert year == 2020 and f"{error:.20f}" == "0.03125000000000000000"
    assert f"{found.margin:.5f}" == "0.03125"
    assert found.low == found.value * (1 - found.margin) and found.high == found.value * (1 + found.margin)
    text = found.describe()
    assert "按往年同期进度推算" in text and "2019、2020年前6个月占全年的 44.32%" in text and "±3.1%" in text


def test_projection_averages_only_the_most_recent_years() -> None:
    history = [SeasonYear(y, D(s), D(100)) for y, s in ((2016, 10), (2017, 40), (2018, 40), (2019, 40))]
    assert project_year_end(D(44), 3, history, years=3).value == D(110)  # 44 ÷ 40%; 2016's 10% left out
    assert project_year_end(D(44), 3, history, years=1).years == (2019,)


def test_one_earlier_year_gives_a_projection_without_a_range() -> None:
    found = project_year_end(D(500), 6, [SeasonYear(2021, D(450), D(1000))])
    assert f"{found.value:.6f}" == "1111.111111" and found.margin is None and found.low is None
    assert "无法回测误差范围" in found.describe()


def test_without_the_same_months_the_trend_of_whole_years_then_the_run_rate() -> None:
    annual = [(2019, D(100)), (2020, D(110)), (2021, D(121))]
    by_trend = project_year_end(D(30), 3, annual=annual)
    assert by_trend.method == "annual_trend" and by_trend.value == D("133.1")  # 121 × 1.1
    assert "据2019–2021年全年数" in by_trend.describe()
    run_rate = project_year_end(D(30), 3)
    assert run_rate.method == "run_rate" and run_rate.value == D(120)  # 30 × 12 ÷ 3
    done = project_year_end(D(131), 12, [SeasonYear(2021, D(50), D(121))])
    assert done.method == "complete" and done.value == D(131) and done.margin == 0
    with pytest.raises(ValueError, match="不在 1–12"):
        project_year_end(D(1), 13)


def test_forecast_next_by_compound_average_growth() -> None:
    found = forecast_next([(2018, D(100)), (2019, D(110)), (2020, D(121)), (2021, D("133.1"))])
    assert found.method == "growth" and found.years == (2018, 2019, 2020, 2021)
    assert found.growth is not None and f"{found.growth:.10f}" == "0.1000000000"
    assert f"{found.value:.6f}" == "146.410000"
    # back-test: 2020 from 2018–2019 (110 × 1.1) and 2021 from 2018–2020: both exact
    assert [y for y, _ in found.errors] == [2020, 2021] and found.margin is not None and found.margin < D("1e-20")


def test_forecast_next_over_uneven_growth_has_a_range() -> None:
    found = forecast_next([(2019, D(100)), (2020, D(120)), (2021, D(126))])
    # 年均增长率 (126 ÷ 100)^(1/2) − 1 = 12.25%; back-test: 2021 from 2019–2020 = 120 × 1.2 = 144, actual 126
    assert f"{found.growth:.4f}" == "0.1225"
    [(year, error)] = found.errors
    assert year == 2021 and f"{error:.10f}" == "-0.1250000000"  # (126 − 144) ÷ 144
    assert found.label == "按年均增长率推算"


def test_forecast_next_when_growth_is_undefined() -> None:
    assert forecast_next([(2021, D(7))]).method == "last"
    mean = forecast_next([(2019, D(0)), (2020, D(10)), (2021, D(20))])
    assert mean.method == "mean" and mean.value == D(10)  # a zero year: no growth, the mean of the years
    with pytest.raises(ValueError):
        forecast_next([])


# --------------------------------------------------------------------------------------------
# Synthetic series with known seasonality: the projection beats each naive baseline
# --------------------------------------------------------------------------------------------


def _errors(n: int, profiles: tuple[str, ...], seeds: int = 15) -> dict[str, list[float]]:
    errors: dict[str, list[float]] = {"jixiao": [], "last": [], "growth": [], "run_rate": []}
    for profile in profiles:
        for seed in range(seeds):
            s = synthetic_series(seed, profile, years=7)
            for i in range(2, len(s.months)):
                history = [SeasonYear(s.first_year + j, s.so_far(j, n), s.total(j)) for j in range(i)]
                actual, last, before = s.total(i), s.total(i - 1), s.total(i - 2)
                predicted = {
                    "jixiao": project_year_end(s.so_far(i, n), n, history).value,
                    "last": last,
                    "growth": last * last / before,
                    "run_rate": s.so_far(i, n) * 12 / n,
                }
                for method, value in predicted.items():
                    errors[method].append(float(abs(value - actual) / actual))
    return errors


@pytest.mark.parametrize("months", [3, 6, 9])
def test_the_projection_beats_every_naive_baseline_on_seasonal_series(months: int) -> None:
    """Pooled over the three profiles, and on each strongly seasonal one alone. On the near-even
    职工 profile the run rate is unbiased at six months and ties with jixiao (the bench prints it)."""
    for profiles in (tuple(PROFILES), ("居民缴费与补助收入",), ("待遇支出",)):
        mape = {m: statistics.fmean(e) for m, e in _errors(months, profiles).items()}
        assert mape["jixiao"] < min(mape["last"], mape["growth"], mape["run_rate"]), (profiles, mape)


def test_the_next_year_forecast_beats_both_naive_baselines_on_synthetic_series() -> None:
    errors: dict[str, list[float]] = {"jixiao": [], "last": [], "growth": []}
    for profile in PROFILES:
        for seed in range(15):
            s = synthetic_series(seed, profile, years=7)
            totals = [(y, s.total(i)) for i, y in enumerate(s.years)]
            for i in range(2, len(totals)):
                actual, last, before = totals[i][1], totals[i - 1][1], totals[i - 2][1]
                for method, value in (("jixiao", forecast_next(totals[:i]).value), ("last", last),
                                      ("growth", last * last / before)):
                    errors[method].append(float(abs(value - actual) / actual))
    mape = {m: statistics.fmean(e) for m, e in errors.items()}
    assert mape["jixiao"] < min(mape["last"], mape["growth"]), mape


def test_synthetic_series_are_seeded_and_keep_their_season() -> None:
    a, b = synthetic_series(3, "居民缴费与补助收入"), synthetic_series(3, "居民缴费与补助收入")
    assert a == b and a != synthetic_series(4, "居民缴费与补助收入")
    first_quarter = statistics.fmean(float(a.so_far(i, 3) / a.total(i)) for i in range(len(a.months)))
    assert 0.5 < first_quarter < 0.65  # the profile puts 57% of the year in January–March
    assert all(m == m.quantize(D("0.01")) for year in a.months for m in year)
