"""A synthetic province for speed and load tests: 1 province, its cities, ~3,000 units × 5 years.

    .venv/bin/python bench/province.py --url sqlite:///tmp/province.db [--units 3000] [--years 5] [--jobs N]

Library use (``bench/compare.py``, ``bench/load.py``)::

    from province import build_province
    info = build_province("sqlite:///...", units=3000, years=5)   # imports through import_files

Every unit-year has four fund records (职工医保 with its 统筹基金 and 个人账户 parts, 城乡居民医保)
and a department record; figures are random but plausible (seeded, so two runs give the same
database) and a share of them trip the default rule set's warnings (deficits, low or high
reserves, budget deviations, “三公”经费 over budget) so pages have colours to show. Units:
``P00`` the province, ``C01``… its cities, ``U00001``… counties under the cities. The units
are imported first, then each year's file (JSON) with :func:`jixiao.app.imports.import_files`,
the years side by side (``--jobs``, default one per core).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from jixiao.app.imports import import_files
from jixiao.store.db import open_database

PROVINCE = "P00"


@dataclass(frozen=True)
class ProvinceInfo:
    url: str
    units: list[str]  # every unit code, province first
    cities: list[str]
    counties: list[str]
    years: list[int]
    seconds: float


def unit_codes(n_units: int) -> tuple[list[str], list[str]]:
    """(cities, counties) for a province of ``n_units`` units in all (province included)."""
    n_cities = max(1, min(40, n_units // 80))
    n_counties = max(0, n_units - 1 - n_cities)
    return [f"C{i:02d}" for i in range(1, n_cities + 1)], [f"U{i:05d}" for i in range(1, n_counties + 1)]


def _money(rng: random.Random, value: float) -> str:
    return f"{value:.2f}"


def year_data(n_units: int, year: int, first_year: int, seed: int = 7, *, with_units: bool | None = None
              ) -> dict[str, Any]:
    """One year's data (the units too in the first year's, or when ``with_units`` says so)."""
    cities, counties = unit_codes(n_units)
    data: dict[str, Any] = {"money_unit": "万元"}
    if with_units if with_units is not None else year == first_year:
        data["units"] = unit_rows(n_units)
    codes = [PROVINCE, *cities, *counties]
    funds_out: list[dict[str, Any]] = []
    departments: list[dict[str, Any]] = []
    for index, code in enumerate(codes):
        # per-unit base figures are stable across years (seeded by unit), the year adds growth and noise
        base = random.Random(seed * 100_003 + index)
        rng = random.Random(seed * 1_000_003 + index * 101 + year)
        scale = base.uniform(0.3, 3.0) * (8 if code == PROVINCE else 3 if code.startswith("C") else 1)
        growth = (1 + base.uniform(0.0, 0.08)) ** (year - first_year)
        insured_emp = int(base.randint(20_000, 200_000) * scale)
        insured_res = int(base.randint(100_000, 900_000) * scale)
        funds = (("职工基本医疗保险", insured_emp, 1.0), ("职工基本医疗保险统筹基金", insured_emp, 0.62),
                 ("职工基本医疗保险个人账户", insured_emp, 0.38), ("城乡居民基本医疗保险", insured_res, 1.3))
        scope = "全市" if code.startswith("C") else "全县" if code.startswith("U") else "全省"
        for fund, insured, share in funds:
            income = 40_000 * scale * share * growth * rng.uniform(0.95, 1.05)
            spend = income * rng.uniform(0.82, 1.08)
            prev_income = income / rng.uniform(1.0, 1.09)
            prev_spend = spend / rng.uniform(0.98, 1.12)
            opening = spend * rng.uniform(0.1, 1.6)
            closing = opening + income - spend
            funds_out.append({
                "unit": code, "year": year, "fund": fund, "scope": scope,
                "income": {"total": _money(rng, income)}, "expenditure": {"total": _money(rng, spend)},
                "budget": {"income": f"{income * rng.uniform(0.95, 1.08):.0f}",
                           "expenditure": f"{spend * rng.uniform(0.9, 1.1):.0f}"},
                "balance": {"opening": _money(rng, opening), "closing": _money(rng, closing)},
                "previous": {"income_total": _money(rng, prev_income), "expenditure_total": _money(rng, prev_spend)},
                "coverage": {"insured": f"{insured}", "employed": f"{int(insured * 0.7)}",
                             "retired": f"{int(insured * 0.3)}"},
            })
        budget = 800 * scale * growth * rng.uniform(0.9, 1.1)
        full_year = budget * rng.uniform(1.0, 1.4)
        spent = full_year * rng.uniform(0.85, 1.0)
        basic = spent * rng.uniform(0.7, 0.95)
        tp_budget = 20 * scale * rng.uniform(0.8, 1.2)
        departments.append({
            "unit": code, "year": year,
            "budget": {"initial": f"{budget:.2f}", "full_year": f"{full_year:.2f}"},
            "expenditure": {"total": f"{spent:.2f}", "basic": f"{basic:.2f}", "project": f"{spent - basic:.2f}"},
            "three_public": {"total": {"budget": f"{tp_budget:.2f}",
                                       "actual": f"{tp_budget * rng.uniform(0.5, 1.15):.2f}"}},
            "staff": {"authorized": f"{int(40 * scale) + 5}",
                      "actual": f"{int(40 * scale * rng.uniform(0.85, 1.05)) + 5}"},
        })
    data["fund_years"] = funds_out
    data["departments"] = departments
    return data


def unit_rows(n_units: int) -> list[dict[str, str]]:
    cities, counties = unit_codes(n_units)
    rows = [{"code": PROVINCE, "name": "合成省医疗保障局", "level": "省", "kind": "医疗保障局", "region": "合成省"}]
    rows += [{"code": c, "name": f"合成省{i + 1}市医疗保障局", "level": "市", "kind": "医疗保障局", "parent": PROVINCE,
              "region": f"合成省{i + 1}市"} for i, c in enumerate(cities)]
    rows += [{"code": u, "name": f"合成{i + 1}县医疗保障局", "level": "县", "kind": "医疗保障局",
              "parent": cities[i % len(cities)], "region": f"合成省{int(cities[i % len(cities)][1:])}市{i + 1}县"}
             for i, u in enumerate(counties)]
    return rows


def make_year_file(path: Path, n_units: int, year: int, first_year: int, seed: int = 7) -> None:
    """One year's file (units are listed in the first year's file only): JSON for a ``.json``
    path (read about fifty times faster than YAML), else YAML."""
    data = year_data(n_units, year, first_year, seed)
    if path.suffix == ".json":
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _import_year(url: str, path: str) -> tuple[str, float, list[str]]:
    """Import one file in a process of its own (its own engine): (file, seconds, problems)."""
    started = time.perf_counter()
    engine = open_database(url)
    try:
        outcome = import_files(engine, [Path(path)])
    finally:
        engine.dispose()
    return path, time.perf_counter() - started, [str(p) for p in outcome.problems[:3]] if not outcome.ok else []


def build_province(url: str, units: int = 3000, years: int = 5, first_year: int = 2019, *,
                   verbose: bool = False, jobs: int | None = None) -> ProvinceInfo:
    """Create (or bring up to date: loading is idempotent) the synthetic province at ``url``.

    The units go in first (a file of their own); then the years are imported side by side, one
    process per core (``jobs``): a load's cost is the engine's (every record's indicators and
    each unit-year's kept dashboard), which one process does on one core, and the years are
    independent of one another."""
    started = time.perf_counter()
    jobs = max(1, jobs or os.cpu_count() or 1)
    engine = open_database(url)  # the schema, made once before the workers start
    engine.dispose()
    with tempfile.TemporaryDirectory() as tmp:
        unit_file = Path(tmp) / "units.json"
        unit_file.write_text(json.dumps({"units": unit_rows(units)}, ensure_ascii=False), encoding="utf-8")
        _, seconds, problems = _import_year(url, str(unit_file))
        if problems:
            raise RuntimeError(f"units: {problems}")
        if verbose:
            print(f"  {units} units in {seconds:.1f} s", flush=True)
        paths = []
        for year in range(first_year, first_year + years):
            path = Path(tmp) / f"province_{year}.json"
            path.write_text(json.dumps(year_data(units, year, first_year, with_units=False), ensure_ascii=False),
                            encoding="utf-8")
            paths.append(str(path))
        with ProcessPoolExecutor(max_workers=min(jobs, len(paths)) or 1,
                                 mp_context=multiprocessing.get_context("spawn")) as pool:
            for path, seconds, problems in pool.map(_import_year, [url] * len(paths), paths):
                if problems:
                    raise RuntimeError(f"{Path(path).name}: {problems}")
                if verbose:
                    print(f"  {Path(path).stem}: {Path(path).stat().st_size / 1e6:.1f} MB imported in {seconds:.1f} s",
                          flush=True)
    cities, counties = unit_codes(units)
    return ProvinceInfo(url, [PROVINCE, *cities, *counties], cities, counties,
                        list(range(first_year, first_year + years)), time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="database URL, e.g. sqlite:////tmp/province.db")
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--first-year", type=int, default=2019)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="years imported side by side")
    args = parser.parse_args()
    info = build_province(args.url, args.units, args.years, args.first_year, verbose=True, jobs=args.jobs)
    print(f"{len(info.units)} units × {len(info.years)} years in {info.seconds:.1f} s → {args.url}")


if __name__ == "__main__":
    main()
