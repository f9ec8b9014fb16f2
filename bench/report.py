"""Report writing speed on one core: one unit's full output, and a batch of synthetic units.

    .venv/bin/python bench/report.py [--units 300] [--profile 20] [--top 15]

Prints, for each example unit, the time to write its full output (every report as .docx, .xlsx
and .html, with charts and scored 自评表); then the time for a batch of ``--units`` synthetic
unit-years (:mod:`jixiao.write.synthetic`: fund, department and project, consistent figures)
with charts and without (``--no-charts``); then where the time goes (a cProfile of
``--profile`` units: shares by stage and the top functions). The process is pinned to one CPU;
both wall and CPU time are printed (the CPU time is the steadier figure on a busy machine).
Target: under 1 s per unit.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
#: example file → (unit, year, rule set of its province)
EXAMPLE_UNITS = {
    "000_hami_2019.yaml": ("650500", 2019, "default"),
    "001_xinjiang_2019.yaml": ("650000-01", 2019, "default"),
    "002_zhuzhou_2018.yaml": ("430200-01", 2018, "hunan"),
    "003_miyi_2019.yaml": ("510421-01", 2019, "sichuan"),
    "004_yiyang_2020.yaml": ("430900", 2020, "hunan"),
}


def pin_to_one_core() -> str:
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"CPU {cpu}"
    except (AttributeError, OSError):  # not Linux: say so, measure anyway
        return "未能绑定单核（非 Linux）"


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def example_units(out: Path) -> None:
    from jixiao.ingest.files import read_files
    from jixiao.write import reports_for, write_report

    print("一、单个单位的全部输出（docx + xlsx + html，含图表与自评表评分；3 次取中位数）")
    print(f"  {'单位':<28}{'报告':>4}{'图':>4}{'文件':>5}{'墙钟 s':>9}{'CPU s':>8}")
    for name, (unit, year, rules) in EXAMPLE_UNITS.items():
        ds = read_files([EXAMPLES / "units.yaml", EXAMPLES / name]).dataset
        assert ds is not None
        reports = reports_for(ds, unit, year, rules=rules)
        figures = sum(len(r.figures()) for r in reports)
        target = out / name
        runs = [timed(lambda ds=ds, unit=unit, year=year, target=target, rules=rules:  # type: ignore[misc]
                      write_report(ds, unit, year, target, rules=rules)) for _ in range(3)]
        files = len(list(target.iterdir()))
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        label = f"{name.removesuffix('.yaml')} {unit}"
        print(f"  {label:<30}{len(reports):>3}{figures:>4}{files:>5}{wall:>9.2f}{cpu:>8.2f}")


def batch(units: Sequence[tuple[object, str, int]], out: Path, *, charts: bool) -> tuple[float, float, list[float]]:
    from jixiao.write import write_report

    each: list[float] = []
    wall, cpu = time.perf_counter(), time.process_time()
    for ds, code, year in units:
        started = time.process_time()
        write_report(ds, code, year, out, charts=charts)  # type: ignore[arg-type]
        each.append(time.process_time() - started)
    return time.perf_counter() - wall, time.process_time() - cpu, each


STAGES = (
    ("图表（matplotlib 绘制与 PNG 编码）", ("charts.py:bar_chart", "charts.py:pie_chart")),
    ("DOCX（python-docx 组装与保存）", ("docx.py:write_docx",)),
    ("XLSX（openpyxl 组装与保存）", ("xlsx.py:write_xlsx",)),
    ("HTML", ("html.py:write_html",)),
    ("自评表评分", ("scores.py:score_tables",)),
    ("报告结构与语句（不含图表、评分）", ("outline.py:reports_for",)),
)


def profile(units: Sequence[tuple[object, str, int]], out: Path, top: int) -> None:
    from jixiao.write import write_report

    prof = cProfile.Profile()
    prof.enable()
    for ds, code, year in units:
        write_report(ds, code, year, out)  # type: ignore[arg-type]
    prof.disable()
    stats = pstats.Stats(prof)
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, object]] = stats.stats  # type: ignore[attr-defined]
    total = max((v[3] for k, v in raw.items() if k[2] == "write_report"), default=0.0)

    def cumulative(pattern: str) -> float:
        file_part, func = pattern.split(":")
        return sum(v[3] for k, v in raw.items() if k[0].endswith(file_part) and k[2] == func)

    shares = {label: sum(cumulative(p) for p in patterns) for label, patterns in STAGES}
    # charts and scoring are drawn inside reports_for: report the outline without them
    outline = "报告结构与语句（不含图表、评分）"
    shares[outline] -= shares["图表（matplotlib 绘制与 PNG 编码）"] + shares["自评表评分"]
    print(f"\n三、时间花在哪里（cProfile，{len(units)} 个单位，含图表；剖析本身使总时长变慢，看占比）")
    for label, seconds in shares.items():
        print(f"  {label:<30}{seconds:>8.2f} s {seconds / total:>7.1%}" if total else f"  {label}")
    rest = total - sum(shares.values())
    print(f"  {'其余（写文件目录、数据读取等）':<30}{rest:>8.2f} s {rest / total:>7.1%}" if total else "")
    print(f"\n  自身耗时最多的 {top} 个函数：")
    stats.sort_stats("tottime")
    rows = sorted(raw.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    for (filename, line, func), (_, ncalls, tottime, cumtime, _) in rows:
        short = "/".join(Path(filename).parts[-2:]) if filename != "~" else "(内置)"
        print(f"  {tottime:>7.2f} s  {cumtime:>7.2f} s  {ncalls:>8}  {short}:{line}({func})")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--units", type=int, default=300, help="synthetic units in the batch")
    parser.add_argument("--profile", type=int, default=20, help="units profiled")
    parser.add_argument("--top", type=int, default=15, help="functions listed")
    args = parser.parse_args(argv)
    where = pin_to_one_core()
    print(f"报告写出速度（单核：{where}；Python {sys.version.split()[0]}）\n")

    from jixiao.write import write_report
    from jixiao.write.synthetic import synthetic_units

    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
        out = Path(tmp)
        first = synthetic_units(1, seed=99)[0]
        cold = timed(lambda: write_report(*first, out / "cold"))  # type: ignore[arg-type]
        print(f"首次写出（加载字体、模板等一次性开销）：墙钟 {cold[0]:.2f} s，CPU {cold[1]:.2f} s\n")
        example_units(out / "examples")

        gen_started = time.perf_counter()
        units = synthetic_units(args.units, seed=1)
        gen = time.perf_counter() - gen_started
        print(f"\n二、批量：{args.units} 个合成单位（每个：基金、部门整体、项目 3 份报告 × 3 种格式；"
              f"生成数据 {gen:.2f} s）")
        for charts in (True, False):
            wall, cpu, each = batch(units, out / ("charts" if charts else "plain"), charts=charts)
            label = "含图表" if charts else "不含图表（--no-charts）"
            p95 = sorted(each)[int(0.95 * (len(each) - 1))]
            print(f"  {label:<20} 合计墙钟 {wall:>7.1f} s，CPU {cpu:>7.1f} s；每单位 CPU 平均 "
                  f"{cpu / len(units):.3f} s，中位数 {statistics.median(each):.3f} s，P95 {p95:.3f} s；"
                  f"每单位墙钟 {wall / len(units):.3f} s")
        profile(units[: args.profile], out / "profile", args.top)


if __name__ == "__main__":
    main()
