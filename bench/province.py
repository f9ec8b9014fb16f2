"""A synthetic province for speed and load tests: 1 province, its cities, ~3,000 units × 5 years.

    .venv/bin/python bench/province.py --url sqlite:///tmp/province.db [--units 3000] [--years 5]

Library use (``bench/compare.py``, ``bench/load.py``)::

    from province import build_province
    info = build_province("sqlite:///...", units=3000, years=5)   # imports through import_files

Every unit-year has four fund records (职工医保 with its 统筹基金 and 个人账户 parts, 城乡居民医保)
and a department record; figures are random but plausible (seeded, so two runs give the same
database) and a share of them trip the default rule set's warnings (deficits, low or high
reserves, budget deviations, “三公”经费 over budget) so pages have colours to show. Units:
``P00`` the province, ``C01``… its cities, ``U00001``… counties under the cities. Each year
is written as one YAML file and imported with :func:`jixiao.app.imports.import_files`.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

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


def make_year_file(path: Path, n_units: int, year: int, first_year: int, seed: int = 7) -> None:
    """One year's YAML (units are listed in the first year's file only)."""
    cities, counties = unit_codes(n_units)
    lines = ["money_unit: 万元"]
    if year == first_year:
        lines.append("units:")
        lines.append(f'  - {{code: "{PROVINCE}", name: 合成省医疗保障局, level: 省, kind: 医疗保障局, region: 合成省}}')
        for i, c in enumerate(cities):
            lines.append(f'  - {{code: "{c}", name: 合成省{i + 1}市医疗保障局, level: 市, kind: 医疗保障局, '
                         f'parent: "{PROVINCE}", region: 合成省{i + 1}市}}')
        for i, u in enumerate(counties):
            city = cities[i % len(cities)]
            lines.append(f'  - {{code: "{u}", name: 合成{i + 1}县医疗保障局, level: 县, kind: 医疗保障局, '
                         f'parent: "{city}", region: 合成省{int(city[1:])}市{i + 1}县}}')
    codes = [PROVINCE, *cities, *counties]
    lines.append("fund_years:")
    dept_lines = ["departments:"]
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
            lines += [
                f'  - unit: "{code}"',
                f"    year: {year}",
                f"    fund: {fund}",
                f"    scope: {scope}",
                f'    income: {{total: "{_money(rng, income)}"}}',
                f'    expenditure: {{total: "{_money(rng, spend)}"}}',
                f'    budget: {{income: "{income * rng.uniform(0.95, 1.08):.0f}", '
                f'expenditure: "{spend * rng.uniform(0.9, 1.1):.0f}"}}',
                f'    balance: {{opening: "{_money(rng, opening)}", closing: "{_money(rng, closing)}"}}',
                f'    previous: {{income_total: "{_money(rng, prev_income)}", '
                f'expenditure_total: "{_money(rng, prev_spend)}"}}',
                f'    coverage: {{insured: "{insured}", employed: "{int(insured * 0.7)}", '
                f'retired: "{int(insured * 0.3)}"}}',
            ]
        budget = 800 * scale * growth * rng.uniform(0.9, 1.1)
        full_year = budget * rng.uniform(1.0, 1.4)
        spent = full_year * rng.uniform(0.85, 1.0)
        basic = spent * rng.uniform(0.7, 0.95)
        tp_budget = 20 * scale * rng.uniform(0.8, 1.2)
        dept_lines += [
            f'  - unit: "{code}"',
            f"    year: {year}",
            f'    budget: {{initial: "{budget:.2f}", full_year: "{full_year:.2f}"}}',
            f'    expenditure: {{total: "{spent:.2f}", basic: "{basic:.2f}", project: "{spent - basic:.2f}"}}',
            f'    three_public: {{total: {{budget: "{tp_budget:.2f}", '
            f'actual: "{tp_budget * rng.uniform(0.5, 1.15):.2f}"}}}}',
            f'    staff: {{authorized: "{int(40 * scale) + 5}", '
            f'actual: "{int(40 * scale * rng.uniform(0.85, 1.05)) + 5}"}}',
        ]
    path.write_text("\n".join(lines + dept_lines) + "\n", encoding="utf-8")


def build_province(url: str, units: int = 3000, years: int = 5, first_year: int = 2019, *,
                   verbose: bool = False) -> ProvinceInfo:
    """Create (or bring up to date: loading is idempotent) the synthetic province at ``url``."""
    started = time.perf_counter()
    engine = open_database(url)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for year in range(first_year, first_year + years):
                path = Path(tmp) / f"province_{year}.yaml"
                make_year_file(path, units, year, first_year)
                t = time.perf_counter()
                outcome = import_files(engine, [path])
                if not outcome.ok:
                    raise RuntimeError(f"{year}: {[str(p) for p in outcome.problems[:3]]}")
                if verbose:
                    print(f"  {year}: {path.stat().st_size / 1e6:.1f} MB imported in {time.perf_counter() - t:.1f} s")
    finally:
        engine.dispose()
    cities, counties = unit_codes(units)
    return ProvinceInfo(url, [PROVINCE, *cities, *counties], cities, counties,
                        list(range(first_year, first_year + years)), time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="database URL, e.g. sqlite:////tmp/province.db")
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--first-year", type=int, default=2019)
    args = parser.parse_args()
    info = build_province(args.url, args.units, args.years, args.first_year, verbose=True)
    print(f"{len(info.units)} units × {len(info.years)} years in {info.seconds:.1f} s → {args.url}")


if __name__ == "__main__":
    main()
