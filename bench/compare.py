"""Latency of the comparison, dashboard and unit-tree views on a synthetic province.

    .venv/bin/python bench/compare.py [--url sqlite:////tmp/province.db] [--units 3000] [--years 5] [--runs 30]

Builds the province with ``bench/province.py`` unless ``--url`` already holds one (``--url`` of
an existing database is reused as it is). Prints, for the library functions
(:mod:`jixiao.views`) and for the HTTP routes (in-process TestClient, logged in by an API
token — one client, sequential requests): the first (cold) call, then p50/p95/max of ``--runs``
warm calls. The comparison's first call computes every record; later calls find each record's
cells in the memo keyed by the record's stored text, so they only read the year's rows.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))

from province import build_province

from jixiao.access import Principal, Role
from jixiao.store.db import open_database
from jixiao.store.models import UnitRow
from jixiao.views import MEMO, clear_caches, comparison, unit_tree, unit_year_dashboard


def measure(label: str, fn: Callable[[], Any], runs: int) -> None:
    t = time.perf_counter()
    fn()
    cold = (time.perf_counter() - t) * 1000
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
    print(f"  {label:<58} first {cold:8.1f} ms   p50 {statistics.median(times):7.1f}   "
          f"p95 {p95:7.1f}   max {times[-1]:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url")
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    url = args.url or f"sqlite:///{Path(tmp.name) / 'province.db'}"
    engine = open_database(url)
    with Session(engine) as s:
        n_units = s.scalar(select(func.count()).select_from(UnitRow)) or 0
    if n_units == 0:
        print(f"building a province of {args.units} units × {args.years} years …")
        info = build_province(url, args.units, args.years, verbose=True)
        print(f"  built in {info.seconds:.0f} s")
    with Session(engine) as s:
        n_units = s.scalar(select(func.count()).select_from(UnitRow)) or 0
    print(f"{url}: {n_units} units")

    admin = Principal(1, "bench-admin", Role.admin)
    reviewer = Principal(2, "bench-reviewer", Role.reviewer, "C01")
    operator = Principal(3, "bench-operator", Role.operator, "U00001")
    year = 2023
    print("library (jixiao.views), one session per call:")

    def lib(fn: Callable[[Session], Any]) -> Callable[[], Any]:
        def run() -> Any:
            with Session(engine) as session:
                return fn(session)
        return run

    clear_caches()
    measure(f"comparison, admin, all units, 5 fund indicators, {year}",
            lib(lambda s: comparison(s, admin, year, limit=100)), args.runs)
    measure("comparison, admin, + 3 department indicators",
            lib(lambda s: comparison(s, admin, year, ["current_balance_rate", "months_of_reserve",
                                                      "budget_completion_rate", "staff_control_rate",
                                                      "three_public_control_rate"], limit=100)), args.runs)
    measure("comparison, admin, 城乡居民 fund, sorted by months_of_reserve",
            lib(lambda s: comparison(s, admin, year, fund="城乡居民基本医疗保险", sort="months_of_reserve",
                                     limit=100)), args.runs)
    measure("comparison, reviewer of one city", lib(lambda s: comparison(s, reviewer, year, limit=100)), args.runs)
    measure("comparison, operator (one unit)", lib(lambda s: comparison(s, operator, year)), args.runs)
    measure("unit-year dashboard (4 funds + department)", lib(lambda s: unit_year_dashboard(s, "U00001", year)),
            args.runs)
    measure("unit tree, admin (all units)", lib(lambda s: unit_tree(s, admin)), max(5, args.runs // 3))
    print(f"  (memo holds {len(MEMO)} records)")

    from fastapi.testclient import TestClient

    from jixiao.store.auth_repository import create_api_token, create_user, find_user
    from jixiao.web.app import create_app

    with Session(engine) as s:
        user = find_user(s, "bench-admin") or create_user(s, "bench-admin", "Bench-admin-pass-1", "admin")
        token, _ = create_api_token(s, user, "bench")
        s.commit()
    client = TestClient(create_app(url, engine=engine))
    headers = {"Authorization": f"Bearer {token}"}

    def get(path: str) -> Callable[[], Any]:
        def run() -> Any:
            r = client.get(path, headers=headers)
            assert r.status_code == 200, (path, r.status_code, r.text[:200])
            return r
        return run

    print("HTTP (TestClient in process, API token):")
    clear_caches()
    measure(f"GET /api/compare?year={year} (limit 500)", get(f"/api/compare?year={year}"), args.runs)
    measure(f"GET /compare?year={year} (HTML, 100 rows a page)", get(f"/compare?year={year}"), args.runs)
    measure(f"GET /api/units/U00001/years/{year}", get(f"/api/units/U00001/years/{year}"), args.runs)
    measure(f"GET /units/U00001/years/{year} (HTML)", get(f"/units/U00001/years/{year}"), args.runs)
    measure("GET /api/units/U00001/trends", get("/api/units/U00001/trends"), args.runs)
    measure("GET /api/units (tree of all units)", get("/api/units"), max(5, args.runs // 3))
    engine.dispose()
    tmp.cleanup()


if __name__ == "__main__":
    main()
