"""Latency of the monitoring page: one unit with 12 months × 5 funds in each of several years.

    .venv/bin/python bench/monitoring.py [--years 4] [--runs 30] [--cold-runs 5]

Builds a SQLite database in a temporary folder: the example unit tree and, for 哈密 (650500),
five funds' cumulative months 1-1 … 1-12 of each year (the last year through December too),
made from :mod:`jixiao.calc.synthetic` series (income and expenditure with a budget), loaded by
``jixiao.app.imports.import_files``. Prints cold (a new engine, every process cache emptied)
and warm timings of the page's data (``app.pages.monitoring.unit_monitoring``), the parent's
monitoring roll-up, and the HTML page and JSON answer through the web app (a logged-in client).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from compare import measure

from jixiao.app.imports import import_files
from jixiao.app.pages.monitoring import monitoring_rollup, unit_monitoring
from jixiao.calc.synthetic import synthetic_series

REPO = Path(__file__).resolve().parent.parent
UNIT, PARENT = "650500", "650000"
FUNDS = ("职工基本医疗保险统筹基金", "职工基本医疗保险个人账户", "城乡居民基本医疗保险", "大病保险", "医疗救助")


def months_file(folder: Path, years: int, last: int) -> Path:
    """``years`` years of 12 cumulative months of five funds for :data:`UNIT`."""
    records: list[dict[str, Any]] = []
    for k, fund in enumerate(FUNDS):
        income = synthetic_series(k, "职工征缴收入", years=years, first_year=last - years + 1, level=80_000.0)
        spent = synthetic_series(k + 100, "待遇支出", years=years, first_year=last - years + 1, level=70_000.0)
        closing = Decimal(50_000)
        for i, year in enumerate(income.years):
            opening = closing
            for month in range(1, 13):
                got, out = income.so_far(i, month), spent.so_far(i, month)
                records.append({
                    "unit": UNIT, "year": year, "fund": fund, "span": f"1-{month}",
                    "income": {"total": f"{got:.2f}"}, "expenditure": {"total": f"{out:.2f}"},
                    "budget": {"income": f"{income.total(i) * Decimal('1.02'):.2f}",
                               "expenditure": f"{spent.total(i) * Decimal('0.98'):.2f}"},
                    "balance": {"opening": f"{opening:.2f}", "closing": f"{opening + got - out:.2f}"}})
            closing = opening + income.total(i) - spent.total(i)
    path = folder / "months.yaml"
    path.write_text(yaml.safe_dump({"money_unit": "万元", "fund_periods": records}, allow_unicode=True),
                    encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--years", type=int, default=4)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--cold-runs", type=int, default=5)
    args = parser.parse_args()
    last = 2024
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'monitoring.db'}"
        from web_helpers import logged_in, make_app

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

        measure("unit_monitoring (page data, 5 funds × 12 months)", page_data, engine, url, args.runs,
                args.cold_runs)
        measure("monitoring_rollup (parent of the unit)", rollup_data, engine, url, args.runs, args.cold_runs)
        client = logged_in(app, "admin")

        def html(_: Engine) -> None:
            assert client.get(f"/units/{UNIT}/years/{last}/monitoring").status_code == 200

        def api(_: Engine) -> None:
            assert client.get(f"/api/units/{UNIT}/years/{last}/monitoring").status_code == 200

        measure("GET /units/…/monitoring (HTML, same process)", html, engine, url, args.runs, args.cold_runs)
        measure("GET /api/units/…/monitoring (JSON, same process)", api, engine, url, args.runs, args.cold_runs)


if __name__ == "__main__":
    main()
