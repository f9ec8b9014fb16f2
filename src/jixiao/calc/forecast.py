"""A year's end projected from its months so far, and next year from the years before.

* :func:`project_year_end` — the year's total from the cumulative figure through month N: by the
  share of the year the same months made in earlier years (上年同期进度; the mean of up to
  ``years`` most recent years). When no earlier year gives its same months, the history is too
  short for that: the trend of earlier whole years (:func:`forecast_next`) when there are any,
  else the run rate 累计 × 12 ÷ N (which knows nothing of the season: ``bench/forecast.py``
  shows what each costs).
* :func:`forecast_next` — next year's value from earlier years: the last value grown by the
  compound average growth of up to ``years`` most recent years (年均增长率); the mean of those
  years when one is not positive; the last value when there is only one.

Each answer carries a range from the method's own back-test on the same history: it predicts
every earlier year it can from the years before that one, and the largest relative miss, taken
both ways, is the range. With nothing to back-test there is no range, and the answer says so.
No parameter is fitted to any place or document; ``bench/forecast.py`` prints how both fare
against naive baselines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Literal

from jixiao.numbers import fmt

PRECISION = 34

ProjectionMethod = Literal["share", "annual_trend", "run_rate", "complete"]
ForecastMethod = Literal["growth", "mean", "last"]

PROJECTION_LABELS: dict[str, str] = {
    "share": "按往年同期进度推算",
    "annual_trend": "按往年全年数的趋势推算（无往年同期数）",
    "run_rate": "按本年已过月份月均数推算",
    "complete": "全年已结束",
}
FORECAST_LABELS: dict[str, str] = {
    "growth": "按年均增长率推算",
    "mean": "按近年平均数推算",
    "last": "按上年数推算",
}


@dataclass(frozen=True)
class SeasonYear:
    """An earlier year: its cumulative figure through the same month, and its whole-year total."""

    year: int
    so_far: Decimal
    total: Decimal


class _Ranged:
    """A value with a margin (the largest back-test miss, a fraction): its low and high ends."""

    value: Decimal

    @property
    def margin(self) -> Decimal | None:
        raise NotImplementedError

    @property
    def low(self) -> Decimal | None:
        return None if self.margin is None else self.value * (1 - self.margin)

    @property
    def high(self) -> Decimal | None:
        return None if self.margin is None else self.value * (1 + self.margin)


@dataclass(frozen=True)
class Projection(_Ranged):
    """A year-end projection; ``errors`` are the back-test's (year, (actual − predicted) ÷ predicted)."""

    value: Decimal
    method: ProjectionMethod
    months: int
    share: Decimal | None = None  # the share of the year the months made (0.4823), when by share
    years: tuple[int, ...] = ()  # the years whose share was used
    errors: tuple[tuple[int, Decimal], ...] = ()

    @property
    def margin(self) -> Decimal | None:
        """The largest back-test miss (a fraction), None when nothing could be back-tested."""
        return max((abs(e) for _, e in self.errors), default=None) if self.method != "complete" else Decimal(0)

    @property
    def label(self) -> str:
        return PROJECTION_LABELS[self.method]

    def describe(self, unit: str = "万元", places: int = 0) -> str:
        """One Chinese sentence: how, how much, and within what range."""
        text = f"{self.label}，全年约 {fmt(self.value, places)}{unit}"
        if self.method == "share" and self.share is not None:
            years = "、".join(str(y) for y in self.years)
            text += f"（{years}年前{self.months}个月占全年的 {fmt(self.share * 100, 2)}%）"
        elif self.method == "annual_trend" and self.years:
            text += f"（据{'–'.join(str(y) for y in (self.years[0], self.years[-1]) if y)}年全年数）"
        if self.method == "complete":
            return text
        if self.margin is None:
            return text + "；往年资料不足，无法回测误差范围"
        assert self.low is not None and self.high is not None
        return (text + f"；按往年回测误差 ±{fmt(self.margin * 100, 1)}%，约在 {fmt(self.low, places)}"
                f"–{fmt(self.high, places)}{unit}之间")


@dataclass(frozen=True)
class Forecast(_Ranged):
    """Next year's value from earlier years; ``growth`` is the average growth used (0.065)."""

    value: Decimal
    method: ForecastMethod
    growth: Decimal | None = None
    years: tuple[int, ...] = ()
    errors: tuple[tuple[int, Decimal], ...] = ()

    @property
    def margin(self) -> Decimal | None:
        return max((abs(e) for _, e in self.errors), default=None)

    @property
    def label(self) -> str:
        return FORECAST_LABELS[self.method]


# --------------------------------------------------------------------------------------------
# Year-end projection
# --------------------------------------------------------------------------------------------


def _share(so_far: Decimal, history: Sequence[SeasonYear],
           years: int) -> tuple[Decimal, Decimal, tuple[int, ...]] | None:
    """(projection, mean share, years used) by the share the same months made in earlier years."""
    usable = [h for h in history if h.total > 0 and h.so_far >= 0][-years:]
    if not usable:
        return None
    share = sum((h.so_far / h.total for h in usable), Decimal(0)) / len(usable)
    if share <= 0:
        return None
    return so_far / share, share, tuple(h.year for h in usable)


def _share_backtest(history: Sequence[SeasonYear], years: int) -> tuple[tuple[int, Decimal], ...]:
    errors = []
    for i in range(1, len(history)):
        found = _share(history[i].so_far, history[:i], years)
        if found is not None and found[0] != 0:
            errors.append((history[i].year, (history[i].total - found[0]) / found[0]))
    return tuple(errors)


def project_year_end(so_far: Decimal, months: int, history: Sequence[SeasonYear] = (), *,
                     annual: Sequence[tuple[int, Decimal]] = (), years: int = 3) -> Projection:
    """The year's total from ``so_far``, its cumulative figure through month ``months``.

    ``history``: earlier years with their cumulative figure through the same month and their
    total (any order); ``annual``: earlier years' totals, for the trend when no year of
    ``history`` has both; ``years``: how many recent years' shares (or growths) to average.
    """
    if not 1 <= months <= 12:
        raise ValueError(f"月份 {months} 不在 1–12 之间")
    if months == 12:
        return Projection(so_far, "complete", 12)
    ordered = sorted(history, key=lambda h: h.year)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        found = _share(so_far, ordered, years)
        if found is not None:
            value, share, used = found
            return Projection(value, "share", months, share, used, _share_backtest(ordered, years))
    if annual:
        trend = forecast_next(annual, years=years)
        return Projection(trend.value, "annual_trend", months, years=trend.years, errors=trend.errors)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return Projection(so_far * 12 / months, "run_rate", months)


# --------------------------------------------------------------------------------------------
# Next year from the years before
# --------------------------------------------------------------------------------------------


def _next(history: Sequence[tuple[int, Decimal]], years: int) -> Forecast:
    window = list(history[-(years + 1):])
    last = window[-1][1]
    used = tuple(y for y, _ in window)
    if len(window) == 1:
        return Forecast(last, "last", None, used)
    if all(v > 0 for _, v in window):
        growth = (last / window[0][1]) ** (Decimal(1) / Decimal(len(window) - 1)) - 1
        return Forecast(last * (1 + growth), "growth", growth, used)
    return Forecast(sum((v for _, v in window), Decimal(0)) / len(window), "mean", None, used)


def forecast_next(history: Sequence[tuple[int, Decimal]], *, years: int = 3) -> Forecast:
    """Next year's value from ``history`` ((year, value) pairs, any order, at least one).

    ``years``: how many recent year-on-year steps the average growth spans (年均增长率 over
    ``years`` years needs ``years`` + 1 values; fewer are used when fewer are known).
    """
    if not history:
        raise ValueError("没有历史数据，无法预测")
    ordered = sorted(history, key=lambda h: h[0])
    with localcontext() as ctx:
        ctx.prec = PRECISION
        found = _next(ordered, years)
        errors = []
        for i in range(2, len(ordered)):  # back-test by the same method: two or more earlier years
            earlier = _next(ordered[:i], years)
            if earlier.method == found.method and earlier.value != 0:
                errors.append((ordered[i][0], (ordered[i][1] - earlier.value) / earlier.value))
        return Forecast(found.value, found.method, found.growth, found.years, tuple(errors))
