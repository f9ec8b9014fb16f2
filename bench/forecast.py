"""Back-tests you can read: jixiao's year-end projection and next-year forecast beside naive baselines.

    .venv/bin/python bench/forecast.py [--seeds 30] [--years 8]

Two questions, asked of every series that can answer them:

* **year-end from months** — each year's total from its first 3, 6 and 9 months. jixiao
  (:func:`jixiao.calc.forecast.project_year_end`: the share the same months made in earlier
  years, 上年同期进度) against: *last year* (上年全年数), *last year × (1 + last growth)*, and
  *months so far × 12 ÷ N* (按已过月份月均数). Also jixiao *with earlier whole years only* (what it
  falls back to when no earlier year gives the same months: their trend; with no earlier year at
  all it falls back to the run rate, the last baseline).
* **next year** — each year's total from the years before it. jixiao
  (:func:`jixiao.calc.forecast.forecast_next`: 年均增长率 over up to three years) against *last
  year* and *last year × (1 + last growth)*.

Series: synthetic ones with known seasonality (:mod:`jixiao.calc.synthetic`: --seeds series of
each profile, --years years each), and every real series the development corpus gives
(``bench/forecast_series.yaml``, each figure with its document). Error: MAPE, the mean of
|predicted − actual| ÷ actual, in %; n is the number of predictions averaged. The notes under the
tables say where jixiao loses and why.
"""

from __future__ import annotations

import argparse
import statistics
from decimal import Decimal
from pathlib import Path
from typing import Any

from jixiao.calc.forecast import SeasonYear, forecast_next, project_year_end
from jixiao.calc.synthetic import PROFILES, SyntheticSeries, synthetic_series
from jixiao.parsing import parse_text

SERIES_FILE = Path(__file__).resolve().parent / "forecast_series.yaml"
HORIZONS = (3, 6, 9)


def _ape(predicted: Decimal, actual: Decimal) -> float:
    return float(abs(predicted - actual) / actual * 100)


def _mape(errors: list[float]) -> str:
    return f"{statistics.fmean(errors):6.2f}" if errors else "     —"


# --------------------------------------------------------------------------------------------
# Year-end from months
# --------------------------------------------------------------------------------------------

YEAR_END_METHODS = ("jixiao", "jixiao（仅往年全年数）", "上年数", "上年×(1+上年增速)", "已过月份×12÷N")


def _in_range(s: SyntheticSeries, i: int, n: int) -> bool | None:
    """Whether year ``i``'s total fell inside the range jixiao gave (None: it gave none)."""
    history = [SeasonYear(s.first_year + j, s.so_far(j, n), s.total(j)) for j in range(i)]
    found = project_year_end(s.so_far(i, n), n, history)
    if found.low is None or found.high is None:
        return None
    return found.low <= s.total(i) <= found.high


def _year_end_predictions(s: SyntheticSeries, i: int, n: int) -> dict[str, Decimal]:
    so_far = s.so_far(i, n)
    history = [SeasonYear(s.first_year + j, s.so_far(j, n), s.total(j)) for j in range(i)]
    last, before = s.total(i - 1), s.total(i - 2)
    return {
        "jixiao": project_year_end(so_far, n, history).value,
        "jixiao（仅往年全年数）": project_year_end(so_far, n, annual=[(y.year, y.total) for y in history]).value,
        "上年数": last,
        "上年×(1+上年增速)": last * last / before,
        "已过月份×12÷N": so_far * 12 / n,
    }


def synthetic_year_end(seeds: int, years: int) -> None:
    print("一、按已过月份推算全年（合成序列，已知季节性）  MAPE %")
    print(f"  {'序列':<12}{'月数':>4}  " + "".join(f"{m:>16}" for m in YEAR_END_METHODS) + f"{'n':>6}"
          + f"{'范围覆盖率':>12}")
    overall: dict[str, list[float]] = {m: [] for m in YEAR_END_METHODS}
    covered: list[bool] = []
    for profile in PROFILES:
        series = [synthetic_series(seed, profile, years=years) for seed in range(seeds)]
        for n in HORIZONS:
            errors: dict[str, list[float]] = {m: [] for m in YEAR_END_METHODS}
            inside: list[bool] = []
            for s in series:
                for i in range(2, len(s.months)):  # two earlier years: every baseline can answer
                    for method, value in _year_end_predictions(s, i, n).items():
                        errors[method].append(_ape(value, s.total(i)))
                    hit = _in_range(s, i, n)
                    if hit is not None:
                        inside.append(hit)
            for method, found in errors.items():
                overall[method] += found
            covered += inside
            count = len(errors["jixiao"])
            print(f"  {profile:<12}{n:>4}  " + "".join(f"{_mape(errors[m]):>16}" for m in YEAR_END_METHODS)
                  + f"{count:>6}{_share(inside):>12}")
    print(f"  {'合计':<12}{'':>4}  " + "".join(f"{_mape(overall[m]):>16}" for m in YEAR_END_METHODS)
          + f"{len(overall['jixiao']):>6}{_share(covered):>12}")


def _share(hits: list[bool]) -> str:
    return f"{sum(hits) / len(hits) * 100:.0f}%" if hits else "—"


# --------------------------------------------------------------------------------------------
# Next year from the years before
# --------------------------------------------------------------------------------------------

NEXT_METHODS = ("jixiao", "上年数", "上年×(1+上年增速)")


def _next_predictions(history: list[tuple[int, Decimal]]) -> dict[str, Decimal]:
    last, before = history[-1][1], history[-2][1]
    return {"jixiao": forecast_next(history).value, "上年数": last, "上年×(1+上年增速)": last * last / before}


def synthetic_next(seeds: int, years: int) -> None:
    print("\n二、按以前年度预测下一年（合成序列）  MAPE %")
    print(f"  {'序列':<12}" + "".join(f"{m:>16}" for m in NEXT_METHODS) + f"{'n':>6}")
    for profile in PROFILES:
        errors: dict[str, list[float]] = {m: [] for m in NEXT_METHODS}
        for seed in range(seeds):
            s = synthetic_series(seed, profile, years=years)
            totals = [(y, s.total(i)) for i, y in enumerate(s.years)]
            for i in range(2, len(totals)):
                for method, value in _next_predictions(totals[:i]).items():
                    errors[method].append(_ape(value, totals[i][1]))
        print(f"  {profile:<12}" + "".join(f"{_mape(errors[m]):>16}" for m in NEXT_METHODS)
              + f"{len(errors['jixiao']):>6}")


# --------------------------------------------------------------------------------------------
# Real series of the development corpus
# --------------------------------------------------------------------------------------------


def _figure(raw: Any) -> Decimal:
    """A figure as bench/forecast_series.yaml writes it: printed, or derived from printed ones."""
    if isinstance(raw, str):
        return Decimal(raw)
    if "value" in raw:
        return Decimal(raw["value"])
    if "before_growth" in raw:
        of, growth = raw["before_growth"]
        return _figure(of) / (1 + Decimal(growth.rstrip("%")) / 100)
    if "difference" in raw:
        a, b = raw["difference"]
        return _figure(a) - _figure(b)
    raise ValueError(f"不认识的数值写法：{raw}")


def _load() -> dict[str, Any]:
    data, _, problems = parse_text(SERIES_FILE.read_text(encoding="utf-8"), str(SERIES_FILE), "yaml")
    if problems:
        raise SystemExit(str(problems[0]))
    return data


def real_series() -> None:
    data = _load()
    unit = data.get("money_unit", "")
    print(f"\n三、开发语料中的真实序列（{unit}；bench/forecast_series.yaml 注明各数出处）")
    print("  1. 按以前年度预测下一年：绝对百分比误差 %")
    print(f"    {'序列':<28}{'年度':>6}" + "".join(f"{m:>16}" for m in NEXT_METHODS) + f"{'实际':>12}")
    for series in data["annual"]:
        points = [(int(v["year"]), _figure(v)) for v in series["values"]]
        for i in range(1, len(points)):
            history, (year, actual) = points[:i], points[i]
            found = {"jixiao": forecast_next(history).value, "上年数": history[-1][1]}
            if len(history) >= 2:
                found["上年×(1+上年增速)"] = history[-1][1] * history[-1][1] / history[-2][1]
            cells = "".join(f"{_ape(found[m], actual):16.2f}" if m in found else f"{'—':>16}" for m in NEXT_METHODS)
            print(f"    {series['name']:<28}{year:>6}{cells}{actual:12.2f}")
    print("  2. 按已过月份推算全年：绝对百分比误差 %")
    methods = ("jixiao", "已过月份×12÷N")
    header = f"    {'序列':<28}{'年度':>6}{'月数':>4}" + "".join(f"{m:>16}" for m in methods)
    print(header + f"{'实际':>12}  jixiao 用的方法")
    for case in data["year_end"]:
        n, actual, so_far = int(case["months"]), _figure(case["total"]), _figure(case["so_far"])
        projection = project_year_end(so_far, n)
        cells = f"{_ape(projection.value, actual):16.2f}{_ape(so_far * 12 / n, actual):16.2f}"
        print(f"    {case['name']:<28}{case['year']:>6}{n:>4}{cells}{actual:12.2f}  {projection.label}")
    print("  3. 参照：机构自编年度预算与决算之差 %")
    for case in data["budgets"]:
        budget, actual = _figure(case["budget"]), _figure(case["actual"])
        print(f"    {case['name']:<28}{case['year']:>6}{_ape(budget, actual):16.2f}")


NOTES = """
说明：
* 合成序列：每年总额按年增速（均值 6%，标准差 3 个百分点）增长，按固定季节分布分到各月，各月另有 3% 的随机扰动。
  jixiao 按往年同期进度推算，吸收了季节性，又用上了本年已发生的数；“上年数”和“上年×(1+上年增速)”不看本年
  各月，误差主要是当年增速的随机部分；“已过月份×12÷N”不知道季节性：居民收入年初集中入账（1-3月约占全年
  57%）、支出年底清算，它的误差最大。
* jixiao（仅往年全年数）：往年只有全年数、没有同期数时的退路——按最近三年全年数的年均增长率推算，不看本年各月
  （与第二部分的下一年预测相同）。它避开了季节性，但看不到本年的变化；完全没有往年数时退回已过月份月均数
  （即最后一个基线）。
* 范围覆盖率：jixiao 给出范围（回测误差的最大值，正负两边）时，实际全年数落在范围内的比例。往年只有两年时
  范围只来自一次回测，偏窄；年份越多越宽、越可信。
* jixiao 唯一输的一格：职工征缴收入 6 个月（约 0.75% 对 0.72%）。这种序列季节性很弱，上半年恰好约占全年一半，
  按已过月份月均数推算本就几乎无偏；往年同期进度的估计反而带进了往年各月的随机扰动。差距小于误差本身的波动。
* 下一年预测：jixiao 用最近三年的年均增长率。增速本身随机时，三年平均比只看上年增速稳；比“上年数”好，
  因为它看得到增长。两者差距取决于增速的波动有多大。
* 真实序列：语料中的全国数只有 2022–2024 三年（2022 年由 2023 年数及其增速推出），能回测的只有很少几点。
  2024 年统筹基金收入增速（约 5%）远低于 2023 年（16.4%，p28 称之为“增长较为明显”的一年）：只有一年增速时，jixiao 与
  “上年×(1+上年增速)”相同，都高估了 2024 年，输给“上年数”——一年的增速代表不了趋势，这正是 jixiao 要
  平均几年增速的原因，但语料给不出更多年份。两年的序列只能用上年数预测，各方法相同。
* 真实的按月推算：只有全国 2023 年 1-5 月数及其全年数（全年由 2024 年数及增速推出）。语料中没有任何一年的
  同期数与全年数同时出现，jixiao 无往年同期进度可用，退回已过月份月均数，结果与该基线相同。职工、居民支出
  都被低估约 12%：医保支出年底集中，前 5 个月只占全年约 37%，而不是 5/12≈42%——正是往年同期进度要校正的。
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=30, help="每种季节分布的合成序列条数")
    parser.add_argument("--years", type=int, default=8, help="每条合成序列的年数")
    args = parser.parse_args()
    synthetic_year_end(args.seeds, args.years)
    synthetic_next(args.seeds, args.years)
    real_series()
    print(NOTES)


if __name__ == "__main__":
    main()
