"""Latency of the comparison, dashboard and unit-tree views on a synthetic province.

    .venv/bin/python bench/compare.py [--url sqlite:////tmp/province.db] [--units 3000] [--years 5]
                                      [--runs 30] [--cold-runs 5] [--no-http]

Builds the province with ``bench/province.py`` unless ``--url`` already holds one (``--url`` of
an existing database is reused as it is; opening it migrates it, which fills the stored
indicator values once). Prints, for the library functions (:mod:`jixiao.app.pages`) and for the
HTTP routes (in-process TestClient, one API token per role — one client, sequential requests):

* cold: the first call on a new engine (new connection pool, nothing in any process cache), p50
  and p95 over ``--cold-runs`` such engines — what a freshly started worker process sees;
* warm: p50/p95/max of ``--runs`` further calls on the same engine.

The comparison reads the indicator values stored with each record
(:mod:`jixiao.store.indicator_store`); it computes nothing unless they are stale.
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

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))

from province import build_province

from jixiao.app.cache import clear_caches
from jixiao.app.pages.comparison import comparison
from jixiao.app.pages.dashboard import unit_year_dashboard
from jixiao.app.pages.tree import unit_tree
from jixiao.model.users import Principal, Role
from jixiao.store.db import create_db_engine, open_database
from jixiao.store.schema import UnitRow


def _p95(times: list[float]) -> float:
    s = sorted(times)
    return s[min(len(s) - 1, max(0, round(0.95 * len(s)) - 1))]


def measure(label: str, fn: Callable[[Engine], Any], engine: Engine, url: str, runs: int, cold_runs: int) -> None:
    """``fn(engine)`` first on ``cold_runs`` new engines, then ``runs`` times on ``engine``."""
    cold: list[float] = []
    for _ in range(cold_runs):
        fresh = create_db_engine(url)
        clear_caches()
        t = time.perf_counter()
        fn(fresh)
        cold.append((time.perf_counter() - t) * 1000)
        fresh.dispose()
    fn(engine)
    warm: list[float] = []
    for _ in range(runs):
        t = time.perf_counter()
        fn(engine)
        warm.append((time.perf_counter() - t) * 1000)
    cold_text = f"cold p50 {statistics.median(cold):7.1f} p95 {_p95(cold):7.1f}" if cold else "cold   —"
    print(f"  {label:<52} {cold_text}   warm p50 {statistics.median(warm):7.1f}   p95 {_p95(warm):7.1f}"
          f"   max {max(warm):7.1f} ms", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url")
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--no-http", action="store_true")
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    url = args.url or f"sqlite:///{Path(tmp.name) / 'province.db'}"
    t = time.perf_counter()
    engine = open_database(url)
    opened = time.perf_counter() - t
    with Session(engine) as s:
        n_units = s.scalar(select(func.count()).select_from(UnitRow)) or 0
    if n_units == 0:
        print(f"building a province of {args.units} units × {args.years} years …", flush=True)
        info = build_province(url, args.units, args.years, verbose=True)
        print(f"  built in {info.seconds:.0f} s (indicator values stored as the records are imported)")
    elif opened > 5:
        print(f"  opening (migrating, filling the stored indicator values) took {opened:.0f} s")
    with Session(engine) as s:
        n_units = s.scalar(select(func.count()).select_from(UnitRow)) or 0
        counts = {t: s.scalar(text(f"SELECT count(*) FROM {t}"))
                  for t in ("fund_years", "department_years", "indicator_records", "indicator_values",
                            "record_warnings")}
    print(f"{engine.url.render_as_string(hide_password=True)}: {n_units} units; "
          + ", ".join(f"{k} {v}" for k, v in counts.items()))
    n, c = args.runs, args.cold_runs

    admin = Principal(1, "bench-admin", Role.admin)
    reviewer = Principal(2, "bench-reviewer", Role.reviewer, "C01")
    operator = Principal(3, "bench-operator", Role.operator, "U00001")
    year = 2023
    print("library (jixiao.app.pages), one session per call:")

    def lib(fn: Callable[[Session], Any]) -> Callable[[Engine], Any]:
        def run(eng: Engine) -> Any:
            with Session(eng) as session:
                return fn(session)
        return run

    measure(f"comparison, admin, all units, 5 fund indicators, {year}",
            lib(lambda s: comparison(s, admin, year, limit=100)), engine, url, n, c)
    measure("comparison, admin, + 3 department indicators",
            lib(lambda s: comparison(s, admin, year, ["current_balance_rate", "months_of_reserve",
                                                      "budget_completion_rate", "staff_control_rate",
                                                      "three_public_control_rate"], limit=100)), engine, url, n, c)
    measure("comparison, admin, 城乡居民, sorted by months_of_reserve",
            lib(lambda s: comparison(s, admin, year, fund="城乡居民基本医疗保险", sort="months_of_reserve",
                                     limit=100)), engine, url, n, c)
    measure("comparison, admin, all 3,000 rows (no limit)",
            lib(lambda s: comparison(s, admin, year)), engine, url, n, c)
    measure("comparison, reviewer of one city", lib(lambda s: comparison(s, reviewer, year, limit=100)),
            engine, url, n, c)
    measure("comparison, operator (one unit)", lib(lambda s: comparison(s, operator, year)), engine, url, n, c)
    measure("unit-year dashboard (4 funds + department)", lib(lambda s: unit_year_dashboard(s, "U00001", year)),
            engine, url, n, c)
    measure("unit tree, admin (all units)", lib(lambda s: unit_tree(s, admin)), engine, url, n, c)
    measure("unit tree, reviewer of one city", lib(lambda s: unit_tree(s, reviewer)), engine, url, n, c)
    measure("unit tree, operator", lib(lambda s: unit_tree(s, operator)), engine, url, n, c)
    if args.no_http:
        engine.dispose()
        tmp.cleanup()
        return

    from fastapi.testclient import TestClient

    from jixiao.store.users import create_api_token, create_user, find_user
    from jixiao.web.app import create_app

    tokens: dict[str, str] = {}
    with Session(engine) as s:
        for name, role, unit in (("bench-admin", "admin", None), ("bench-reviewer", "reviewer", "C01"),
                                 ("bench-operator", "operator", "U00001")):
            user = find_user(s, name) or create_user(s, name, "Bench-pass-word-1", role, unit)
            tokens[role], _ = create_api_token(s, user, "bench")
        s.commit()

    def get(path: str, role: str = "admin") -> Callable[[Engine], Any]:
        def run(eng: Engine) -> Any:
            client = clients.get(eng)
            if client is None:
                client = clients[eng] = TestClient(create_app(url, engine=eng))
            r = client.get(path, headers={"Authorization": f"Bearer {tokens[role]}"})
            assert r.status_code == 200, (path, r.status_code, r.text[:200])
            return r
        return run

    clients: dict[Engine, TestClient] = {}
    print("HTTP (TestClient in process, API token; cold = first request to a new app and engine):")
    measure(f"GET /api/compare?year={year} (admin, limit 500)", get(f"/api/compare?year={year}"), engine, url, n, c)
    measure(f"GET /compare?year={year} (admin, HTML, 100 a page)", get(f"/compare?year={year}"), engine, url, n, c)
    measure("GET /api/compare (reviewer of one city)", get(f"/api/compare?year={year}", "reviewer"),
            engine, url, n, c)
    measure("GET /api/compare (operator)", get(f"/api/compare?year={year}", "operator"), engine, url, n, c)
    measure(f"GET /api/units/U00001/years/{year}", get(f"/api/units/U00001/years/{year}"), engine, url, n, c)
    measure(f"GET /units/U00001/years/{year} (HTML)", get(f"/units/U00001/years/{year}"), engine, url, n, c)
    measure("GET /api/units (tree, admin: all units)", get("/api/units"), engine, url, n, c)
    measure("GET /api/units (tree, reviewer)", get("/api/units", "reviewer"), engine, url, n, c)
    measure("GET /api/units (tree, operator)", get("/api/units", "operator"), engine, url, n, c)
    engine.dispose()
    tmp.cleanup()


if __name__ == "__main__":
    main()
