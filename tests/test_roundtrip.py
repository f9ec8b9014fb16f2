"""Round trip: every generated report, read back by the auditor, has no error-level finding.

* each example unit: its reports (fund, department, projects) written as .docx and .html,
  scored by its province's rule set, then :func:`jixiao.audit.pipeline.audit_path` on each file;
* a property test: random but consistent fund, department and project data
  (:mod:`jixiao.write.synthetic`: totals are sums of parts, two decimals in 万元, previous-year
  values, budgets, coverage) → report → audit → no error;
* and the other way round, so the property cannot hold by accident: the same data with one total
  made inconsistent gives the auditor something to find.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.audit.findings import DocumentResult
from jixiao.audit.pipeline import audit_path
from jixiao.ingest.files import read_files
from jixiao.model import Dataset
from jixiao.numbers import Quantity
from jixiao.write import write_report
from jixiao.write.synthetic import synthetic_unit

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

#: example file → (unit, year, rule set of its province, reports expected: 002 and 003 have fund
#: figures but no fund spending, so no fund report)
UNITS = {
    "000_hami_2019.yaml": ("650500", 2019, "default", 1),
    "001_xinjiang_2019.yaml": ("650000-01", 2019, "default", 2),
    "002_zhuzhou_2018.yaml": ("430200-01", 2018, "hunan", 1),
    "003_miyi_2019.yaml": ("510421-01", 2019, "sichuan", 4),
    "004_yiyang_2020.yaml": ("430900", 2020, "hunan", 2),
}


def _dataset(name: str) -> Dataset:
    result = read_files([EXAMPLES / "units.yaml", EXAMPLES / name])
    assert result.ok and result.dataset is not None
    return result.dataset


def _errors(result: DocumentResult) -> list[str]:
    assert result.error is None, result.error
    return [f"{Path(result.path).name}: {f.code} {f.message}" for f in result.findings if f.severity == "error"]


def _round_trip(ds: Dataset, unit: str, year: int, out: Path, **kw: object) -> tuple[list[Path], list[str], int]:
    paths = write_report(ds, unit, year, out, ("docx", "html"), workpapers=False, **kw)  # type: ignore[arg-type]
    errors: list[str] = []
    checks = 0
    for path in paths:
        result = audit_path(path)
        errors += _errors(result)
        checks += result.checks
    return paths, errors, checks


@pytest.mark.parametrize("name", sorted(UNITS))
def test_example_unit_reports_pass_the_audit(name: str, tmp_path: Path) -> None:
    unit, year, rules, count = UNITS[name]
    paths, errors, checks = _round_trip(_dataset(name), unit, year, tmp_path, rules=rules)
    assert len(paths) == 2 * count
    assert errors == []
    assert checks > 5  # the auditor did read and check the figures


def test_every_example_file_is_covered() -> None:
    assert sorted(p.name for p in EXAMPLES.glob("0*.yaml")) == sorted(UNITS)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(rng=st.randoms(use_true_random=False))
def test_random_consistent_data_gives_reports_without_audit_errors(rng: random.Random, tmp_path: Path) -> None:
    ds = synthetic_unit(rng, "S00001", 2021)
    out = tmp_path / f"r{rng.getrandbits(32)}"
    paths, errors, checks = _round_trip(ds, "S00001", 2021, out, charts=False)
    assert len(paths) == 6  # fund, department, project × docx, html
    assert errors == []
    assert checks >= 20


def test_an_inconsistent_total_is_caught(tmp_path: Path) -> None:
    """The property above is not vacuous: break one sum and the auditor reports it."""
    ds = synthetic_unit(random.Random(5), "S00001", 2021)
    resident = next(fy for fy in ds.fund_years if fy.fund.value == "城乡居民基本医疗保险")
    total = resident.income.total
    assert total is not None and resident.income.contributions is not None
    broken = resident.model_copy(update={"income": resident.income.model_copy(
        update={"total": Quantity(total.value - 1000, total.unit)})})
    ds = ds.model_copy(update={"fund_years": [broken if fy is resident else fy for fy in ds.fund_years]})
    _, errors, _ = _round_trip(ds, "S00001", 2021, tmp_path, charts=False)
    assert any("JX-SUM" in e or "JX-BAL" in e for e in errors), errors
