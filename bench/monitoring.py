"""Latency of the monitoring page: one unit with 12 months × 5 funds in each of several years.

    .venv/bin/python bench/monitoring.py [--years 4] [--runs 30] [--cold-runs 5] [--children 15,150]

Builds a SQLite database in a temporary folder: the example unit tree and, for 哈密 (650500),
five funds' cumulative months 1-1 … 1-12 of each year (the last year through December too),
made from :mod:`jixiao.calc.synthetic` series (income and expenditure with a budget), loaded by
``jixiao.app.imports.import_files``. Prints cold (a new engine, every process cache emptied)
and warm timings of the page's data (``app.pages.monitoring.unit_monitoring``), the parent's
monitoring roll-up, and the HTML page and JSON answer through the web app (a logged-in client).

``--children 15,150``: also a parent (市 or 省) with that many subordinates, each with three funds'
cumulative months of two years (synthetic, each its own series), and the parent's roll-up timed
cold and warm (data, HTML, and again after a write to another unit, which moves the data revision).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from compare import measure

from jixiao.app.cache import clear_caches
from jixiao.app.imports import import_files
from jixiao.app.pages.monitoring import monitoring_rollup, unit_monitoring
from jixiao.calc.synthetic import synthetic_series
from jixiao.store.db import create_db_engine

REPO = Path(__file__).resolve().parent.parent
UNIT, PARENT = "650500", "650000"
FUNDS = ("职工基本医疗保险统筹基金", "职工基本医疗保险个人账户", "城乡居民基本医疗保险", "大病保险", "医疗救助")


def month_records(unit: str, years: int, last: int, funds: tuple[str, ...] = FUNDS, seed: int = 0,
                  level: float = 80_000.0) -> list[dict[str, Any]]:
    """``years`` years of 12 cumulative months of ``funds`` for ``unit`` (synthetic series)."""
    records: list[dict[str, Any]] = []
    for k, fund in enumerate(funds):
        income = synthetic_series(seed + k, "职工征缴收入", years=years, first_year=last - years + 1, level=level)
        spent = synthetic_series(seed + k + 100, "待遇支出", years=years, first_year=last - years + 1,
                                 level=level * 7 / 8)
        closing = Decimal(50_000)
        for i, year in enumerate(income.years):
            opening = closing
            for month in range(1, 13):
                got, out = income.so_far(i, month), spent.so_far(i, month)
                records.append({
                    "unit": unit, "year": year, "fund": fund, "span": f"1-{month}",
                    "income": {"total": f"{got:.2f}"}, "expenditure": {"total": f"{out:.2f}"},
                    "budget": {"income": f"{income.total(i) * Decimal('1.02'):.2f}",
                               "expenditure": f"{spent.total(i) * Decimal('0.98'):.2f}"},
                    "balance": {"opening": f"{opening:.2f}", "closing": f"{opening + got - out:.2f}"}})
            closing = opening + income.total(i) - spent.total(i)
    return records


def months_file(folder: Path, years: int, last: int) -> Path:
    """``years`` years of 12 cumulative months of five funds for :data:`UNIT`."""
    path = folder / "months.yaml"
    path.write_text(yaml.safe_dump({"money_unit": "万元", "fund_periods": month_records(UNIT, years, last)},
                                   allow_unicode=True), encoding="utf-8")
    return path


def family_file(folder: Path, children: int, last: int) -> tuple[str, Path]:
    """A parent with ``children`` subordinates and their months (three funds, two years)."""
    parent = f"B{children}"
    units: list[dict[str, Any]] = [{"code": parent, "name": f"测试省{children}医疗保障局", "level": "省",
                                    "kind": "医疗保障局", "region": f"测试省{children}"}]
    records: list[dict[str, Any]] = []
    for i in range(children):
        code = f"{parent}-{i:03d}"
        units.append({"code": code, "name": f"测试市{children}-{i:03d}医疗保障局", "level": "市",
                      "kind": "医疗保障局", "parent": parent, "region": f"测试省{children}测试市{i:03d}"})
        records += month_records(code, 2, last, FUNDS[:3], seed=7 * i, level=20_000.0 + 300 * i)
    path = folder / f"family{children}.yaml"
    path.write_text(yaml.safe_dump({"money_unit": "万元", "units": units, "fund_periods": records},
                                   allow_unicode=True), encoding="utf-8")
    return parent, path


def time_family(app: Any, engine: Engine, url: str, folder: Path, children: int, last: int, args: Any) -> None:
    """The monitoring roll-up of a parent with ``children`` subordinates: cold, warm, and after a
    write elsewhere (the data revision moves: the process's cache of every page is emptied)."""
    parent, path = family_file(folder, children, last)
    t = time.perf_counter()
    outcome = import_files(engine, [path])
    assert outcome.ok, outcome.problems[:3]
    print(f"{parent}: {children} subordinates × 3 funds × 12 months × 2 years, imported in "
          f"{time.perf_counter() - t:.1f} s", flush=True)

    def rollup(e: Engine) -> None:
        with Session(e) as db:
            assert monitoring_rollup(db, parent, last).units_with_data == children

    print(f"  {'first request (nothing kept: computes, keeps)':<52} {_fresh(rollup, url):7.1f} ms", flush=True)
    measure(f"monitoring_rollup ({children} subordinates)", rollup, engine, url, args.runs, args.cold_runs)
    client = _client(app)

    def html(_: Engine) -> None:
        assert client.get(f"/units/{parent}/years/{last}/monitoring/rollup").status_code == 200

    measure(f"GET …/monitoring/rollup HTML ({children} subordinates)", html, engine, url, args.runs, args.cold_runs)
    after: list[float] = []
    for n in range(args.cold_runs):  # a write to another unit, then the roll-up
        assert import_files(engine, [_touch(folder, n)]).ok
        t = time.perf_counter()
        rollup(engine)
        after.append((time.perf_counter() - t) * 1000)
    print(f"  {'… after a write to another unit':<52} p50 {statistics.median(after):7.1f} ms "
          f"(max {max(after):7.1f})", flush=True)
    assert import_files(engine, [_touch(folder, 0, f"{parent}-000", last)]).ok  # a subordinate's month
    print(f"  {'… after a write to a subordinate (recomputes)':<52} {_fresh(rollup, url):7.1f} ms", flush=True)
    print(f"  {'… then a new process (reads the kept one)':<52} {_fresh(rollup, url):7.1f} ms", flush=True)


def _fresh(fn: Any, url: str) -> float:
    """``fn`` on a new engine with every process cache emptied, in ms."""
    fresh = create_db_engine(url)
    clear_caches()
    t = time.perf_counter()
    fn(fresh)
    took = (time.perf_counter() - t) * 1000
    fresh.dispose()
    return took


def _touch(folder: Path, n: int, unit: str = UNIT, year: int = 2000) -> Path:
    """A small change to a unit's months (by default 哈密's, another unit's data): moves the data
    revision and that unit-year's version."""
    path = folder / f"touch{unit}{n}.yaml"
    record = {"unit": unit, "year": year, "fund": FUNDS[4], "span": "1-1", "income": {"total": str(100 + n)}}
    path.write_text(yaml.safe_dump({"money_unit": "万元", "fund_periods": [record]}, allow_unicode=True),
                    encoding="utf-8")
    return path


_CLIENTS: dict[int, Any] = {}


def _client(app: Any) -> Any:
    from web_helpers import logged_in

    if id(app) not in _CLIENTS:
        _CLIENTS[id(app)] = logged_in(app, "admin")
    return _CLIENTS[id(app)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--years", type=int, default=4)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--children", default="", help="e.g. 15,150: time a parent's roll-up with so many subordinates")
    parser.add_argument("--only-children", action="store_true", help="skip the one unit's timings")
    args = parser.parse_args()
    last = 2024
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'monitoring.db'}"
        from web_helpers import make_app

        app = make_app(url)
        engine: Engine = app.state.engine
        outcome = import_files(engine, [REPO / "examples" / "units.yaml", months_file(folder, args.years, last)])
        assert outcome.ok, outcome.problems[:3]
        print(f"{UNIT}: {len(FUNDS)} funds × 12 months × {args.years} years "
              f"({outcome.counts.inserted['fund_periods'] if outcome.counts else 0} period records)")

        def page_data(e: Engine) -> None:
            with Session(e) as db:
                page = unit_monitoring(db, UNIT, last)
                assert len(page.funds) == len(FUNDS) and page.month == 12

        def rollup_data(e: Engine) -> None:
            with Session(e) as db:
                assert monitoring_rollup(db, PARENT, last).units_with_data == 1

        for n in (int(x) for x in args.children.split(",") if x.strip()):
            time_family(app, engine, url, folder, n, last, args)
        if args.only_children:
            return
        measure("unit_monitoring (page data, 5 funds × 12 months)", page_data, engine, url, args.runs,
                args.cold_runs)
        measure("monitoring_rollup (parent of the unit)", rollup_data, engine, url, args.runs, args.cold_runs)
        client = _client(app)

        def html(_: Engine) -> None:
            assert client.get(f"/units/{UNIT}/years/{last}/monitoring").status_code == 200

        def api(_: Engine) -> None:
            assert client.get(f"/api/units/{UNIT}/years/{last}/monitoring").status_code == 200

        measure("GET /units/…/monitoring (HTML, same process)", html, engine, url, args.runs, args.cold_runs)
        measure("GET /api/units/…/monitoring (JSON, same process)", api, engine, url, args.runs, args.cold_runs)


if __name__ == "__main__":
    main()
