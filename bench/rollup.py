"""Latency of the roll-ups, finding units and the Excel exports on a synthetic province.

    .venv/bin/python bench/rollup.py [--url sqlite:////tmp/province.db] [--units 3000] [--years 1]
                                     [--runs 20] [--cold-runs 3]

Builds the province with ``bench/province.py`` unless ``--url`` already holds one. Prints cold
(a new engine, every process cache emptied) and warm timings, as ``bench/compare.py`` does:
the province's roll-up (its cities; each city contributes its own record), a city's roll-up (its
counties), the unit tree with each unit's latest warnings and a search in it, the comparison
with its like-with-like default, and the comparison and roll-up written as Excel.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))

from compare import measure
from province import build_province

from jixiao.app.exports import comparison_xlsx, rollup_xlsx
from jixiao.app.pages.comparison import comparison
from jixiao.app.pages.rollup import unit_rollup
from jixiao.app.pages.tree import find_units, unit_tree
from jixiao.model.users import Principal, Role
from jixiao.store.db import open_database
from jixiao.store.schema import UnitRow


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url")
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--cold-runs", type=int, default=3)
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    url = args.url or f"sqlite:///{Path(tmp.name) / 'province.db'}"
    engine = open_database(url)
    with Session(engine) as s:
        n_units = s.scalar(select(func.count()).select_from(UnitRow)) or 0
    if n_units == 0:
        print(f"building a province of {args.units} units × {args.years} years …", flush=True)
        info = build_province(url, args.units, args.years, verbose=True)
        print(f"  built in {info.seconds:.0f} s")
    year = 2019 + args.years - 1
    admin = Principal(1, "bench-admin", Role.admin)
    reviewer = Principal(2, "bench-reviewer", Role.reviewer, "C01")
    n, c = args.runs, args.cold_runs

    def lib(fn: Callable[[Session], Any]) -> Callable[[Engine], Any]:
        def run(eng: Engine) -> Any:
            with Session(eng) as session:
                return fn(session)
        return run

    with Session(engine) as s:
        cities = len(unit_rollup(s, "P00", year).children)
        counties = len(unit_rollup(s, "C01", year).children)
    print(f"{engine.url.render_as_string(hide_password=True)}: {year}; the province has {cities} cities, "
          f"C01 {counties} counties")
    measure(f"roll-up of the province ({cities} cities)", lib(lambda s: unit_rollup(s, "P00", year)),
            engine, url, n, c)
    measure(f"roll-up of a city ({counties} counties)", lib(lambda s: unit_rollup(s, "C01", year)),
            engine, url, n, c)
    measure("unit tree with latest warnings, admin", lib(lambda s: unit_tree(s, admin)), engine, url, n, c)
    measure("find: name contains 县1, admin", lib(lambda s: find_units(s, admin, q="县1")), engine, url, n, c)
    measure("find: counties with a serious warning", lib(lambda s: find_units(s, admin, level="县",
                                                                                  warning="serious")),
            engine, url, n, c)
    measure("comparison, admin, like with like (default level)",
            lib(lambda s: comparison(s, admin, year, limit=100)), engine, url, n, c)
    measure("comparison, reviewer of one city, region filter",
            lib(lambda s: comparison(s, reviewer, year, region="合成省1市", limit=100)), engine, url, n, c)
    measure("comparison as Excel, every row (admin, all levels)",
            lib(lambda s: comparison_xlsx(comparison(s, admin, year, level="all"))), engine, url, max(3, n // 4), 1)
    measure("roll-up of the province as Excel", lib(lambda s: rollup_xlsx(unit_rollup(s, "P00", year))),
            engine, url, max(3, n // 4), 1)
    engine.dispose()
    tmp.cleanup()


if __name__ == "__main__":
    main()
