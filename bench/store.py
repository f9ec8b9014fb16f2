"""Speed of the store at the size the web app needs: 3,000 units × 4 funds × 1 year.

    .venv/bin/python bench/store.py [--units 3000] [--url URL]

Without ``--url``: a SQLite file in a temporary directory, and PostgreSQL too when
``JIXIAO_TEST_POSTGRES_URL`` is set (``eval "$(bash scripts/postgres.sh start)"``), in a
throw-away schema. Prints, per backend: the time to import one YAML file of that size
(parse + validate + write), to import it again (idempotent: nothing changes), to read one
year's fund records of every unit back into model objects, and to compute their indicators.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from jixiao.app.imports import import_files
from jixiao.calc.dataset import fund_groups
from jixiao.calc.fund import compute_fund_year
from jixiao.store.db import open_database
from jixiao.store.repository import get_fund_years, row_counts
from jixiao.store.schema import FundYearRow

FUNDS = ("职工基本医疗保险", "职工基本医疗保险统筹基金", "职工基本医疗保险个人账户", "城乡居民基本医疗保险")


def make_file(path: Path, n_units: int, year: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    lines = ["money_unit: 万元", "units:"]
    lines.append('  - {code: "P0", name: 测试省医疗保障局, level: 省, kind: 医疗保障局}')
    for i in range(n_units):
        lines.append(f'  - {{code: "U{i:05d}", name: 测试{i}号医保局, level: 县, kind: 医疗保障局, parent: "P0"}}')
    lines.append("fund_years:")
    for i in range(n_units):
        for fund in FUNDS:
            income = rng.randint(1000, 200000)
            spent = int(income * rng.uniform(0.8, 1.1))
            insured = rng.randint(10000, 900000)
            lines += [
                f'  - unit: "U{i:05d}"',
                f"    year: {year}",
                f"    fund: {fund}",
                f'    income: {{total: "{income}.{rng.randint(0, 99):02d}"}}',
                f'    expenditure: {{total: "{spent}.{rng.randint(0, 99):02d}"}}',
                f'    budget: {{income: "{int(income * 1.02)}", expenditure: "{int(spent * 0.98)}"}}',
                f'    balance: {{opening: "{income * 2}", closing: "{income * 2 + income - spent}"}}',
                f"    coverage: {{insured: {insured}, employed: {insured // 2}, retired: {insured // 3}}}",
            ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def timed(label: str, fn: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = fn()
    print(f"  {label:<44} {time.perf_counter() - start:8.2f} s")
    return result


def run(url: str, data: Path, year: int) -> None:
    engine = timed("open + migrate a fresh database", lambda: open_database(url))
    first = timed("import the file (parse, validate, write)", lambda: import_files(engine, [data]))
    assert first.ok, first.problems[:3]
    again = timed("import it again (idempotent, nothing written)", lambda: import_files(engine, [data]))
    assert again.counts is not None and sum(again.counts.updated.values()) == 0
    with Session(engine) as session:
        print(f"  rows: {row_counts(session)}")
        query = select(FundYearRow.unit, FundYearRow.fund, FundYearRow.doc).where(FundYearRow.year == year)
        docs = timed(f"SQL only: the {year} documents of every unit", lambda: session.execute(query).all())
        assert len(docs) == row_counts(session)["fund_years"]
        explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
        compiled = query.compile(engine, compile_kwargs={"literal_binds": True})
        plan = " | ".join(str(r[-1]) for r in session.execute(text(explain + str(compiled))))
        print(f"  plan: {plan}")
        fys = timed(f"read all fund years of {year} as models", lambda: get_fund_years(session, year=year))

    def compute() -> int:
        groups = fund_groups(fys)
        n = 0
        for fy in fys:
            n += len(compute_fund_year(fy, groups[(fy.unit, fy.year, fy.scope)]))
        return n

    n = timed(f"compute indicators of {len(fys)} fund years", compute)
    print(f"  ({n} indicator results)")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "bench.yaml"
        make_file(data, args.units, args.year)
        print(f"{args.units} units × {len(FUNDS)} funds: {data.stat().st_size / 1e6:.1f} MB of YAML")
        if args.url:
            print(args.url)
            run(args.url, data, args.year)
            return
        print("SQLite")
        run(f"sqlite:///{Path(tmp) / 'bench.db'}", data, args.year)
        base = os.environ.get("JIXIAO_TEST_POSTGRES_URL")
        if not base:
            print("PostgreSQL: skipped (JIXIAO_TEST_POSTGRES_URL unset)")
            return
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(base)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            print("PostgreSQL")
            url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
            run(url.render_as_string(hide_password=False), data, args.year)
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


if __name__ == "__main__":
    main()
