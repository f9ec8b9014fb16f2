"""What the per-seed engine tests share: load an example file, compute its fund indicators with
their siblings, check what the report states, look results up, round for literal comparisons."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from jixiao.calc import IndicatorResult, compute_fund_year
from jixiao.calc.stated import StatedCheck, check_stated
from jixiao.ingest.files import read_files
from jixiao.model import Dataset, FundYear

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

Results = dict[str, tuple[FundYear, list[IndicatorResult]]]


def round4(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def load_example(file: Path) -> Dataset:
    result = read_files([EXAMPLES / "units.yaml", file])
    assert result.ok, [str(p) for p in result.problems]
    assert result.dataset is not None
    return result.dataset


def fund_results(dataset: Dataset) -> Results:
    """Each fund year's indicators, keyed by fund name (one record per fund in these files)."""
    out: Results = {}
    for fy in dataset.fund_years:
        siblings = {o.fund: o for o in dataset.fund_years if (o.unit, o.year, o.scope) == (fy.unit, fy.year, fy.scope)}
        assert fy.fund.value not in out
        out[fy.fund.value] = (fy, compute_fund_year(fy, siblings))
    return out


def stated_checks(results: Results) -> dict[tuple[str, str], StatedCheck]:
    return {(label, c.id): c for label, (record, computed) in results.items() for c in check_stated(record, computed)}


def result_of(results: Results, key: tuple[str, str]) -> IndicatorResult:
    found = [r for r in results[key[0]][1] if r.id == key[1]]
    assert len(found) == 1, f"{key}: not computed"
    return found[0]
