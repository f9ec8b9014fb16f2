"""Synthetic monthly fund series with known seasonality: the data of ``bench/forecast.py``'s
back-test and of the test that holds the year-end projection to beating naive baselines there.

A series is one ledger item month by month over several years. Each year's total grows by a
rate drawn around a trend; it is spread over the months by a fixed seasonal profile (below),
each month disturbed by noise. The profiles are the shapes agencies describe in their monthly
analyses: 职工 contributions near even with a January and December lift, 居民 contributions
collected at the start of the year with fiscal subsidies by the quarter, benefits low around
the Spring Festival and highest in December (年底清算). The same seed gives the same series.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

#: the share of a year each month takes (before noise), by the kind of item
PROFILES: dict[str, tuple[float, ...]] = {
    "职工征缴收入": (0.095, 0.075, 0.082, 0.081, 0.082, 0.083, 0.082, 0.081, 0.082, 0.083, 0.084, 0.090),
    "居民缴费与补助收入": (0.30, 0.15, 0.12, 0.02, 0.02, 0.10, 0.02, 0.02, 0.10, 0.02, 0.03, 0.10),
    "待遇支出": (0.072, 0.060, 0.080, 0.081, 0.082, 0.084, 0.085, 0.084, 0.085, 0.086, 0.088, 0.113),
}


@dataclass(frozen=True)
class SyntheticSeries:
    """``months[i]`` are year ``first_year + i``'s twelve monthly figures (万元, two decimals)."""

    name: str
    first_year: int
    months: tuple[tuple[Decimal, ...], ...]

    @property
    def years(self) -> list[int]:
        return [self.first_year + i for i in range(len(self.months))]

    def total(self, i: int) -> Decimal:
        return sum(self.months[i], Decimal(0))

    def so_far(self, i: int, month: int) -> Decimal:
        """Year ``i``'s cumulative figure through ``month`` (1-N月累计)."""
        return sum(self.months[i][:month], Decimal(0))


def synthetic_series(seed: int, profile: str, *, years: int = 8, first_year: int = 2015, level: float = 100_000.0,
                     growth: float = 0.06, growth_spread: float = 0.03, noise: float = 0.03) -> SyntheticSeries:
    """One series: ``years`` years of ``profile``'s seasonality around a yearly ``growth`` (drawn
    with ``growth_spread``), each month disturbed by ``noise`` (relative, normal)."""
    rng = random.Random(f"{profile}:{seed}")
    shape = PROFILES[profile]
    weight = sum(shape)
    out = []
    total = level
    for _ in range(years):
        months = tuple(Decimal(f"{max(0.0, total * s / weight * rng.gauss(1.0, noise)):.2f}") for s in shape)
        out.append(months)
        total *= 1 + rng.gauss(growth, growth_spread)
    return SyntheticSeries(f"{profile}#{seed}", first_year, tuple(out))
