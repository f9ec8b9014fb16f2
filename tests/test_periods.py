"""Monthly and quarterly fund figures (``fund_periods``): the span, the record, and the checks of
a year's periods against each other and against the year (JX-IN-030, -031, -032), on the example
file and on small files written here with figures worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from jixiao.app.imports import import_files
from jixiao.ingest.files import read_files
from jixiao.model import FundPeriod, Span, parse_span, tiling
from jixiao.store.db import open_database

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
UNITS = EXAMPLES / "units.yaml"
HAMI = EXAMPLES / "000_hami_2019.yaml"
MONTHLY = EXAMPLES / "periods" / "650500_hami_monthly.yaml"
UNIT = "650500"  # 哈密市医疗保障局, in examples/units.yaml
EMPLOYEE = "职工基本医疗保险（含生育）"


def _write(tmp_path: Path, name: str, data: dict) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _period(span: str, income: str, expenditure: str, **extra: object) -> dict:
    return {"unit": UNIT, "year": 2021, "fund": EMPLOYEE, "scope": "全市", "span": span,
            "income": {"total": income}, "expenditure": {"total": expenditure}, **extra}


def _year(income: str, expenditure: str, **extra: object) -> dict:
    return {"unit": UNIT, "year": 2021, "fund": EMPLOYEE, "scope": "全市",
            "income": {"total": income}, "expenditure": {"total": expenditure}, **extra}


def _read(tmp_path: Path, periods: list[dict], years: list[dict] | None = None):
    path = _write(tmp_path, "data.yaml", {"fund_periods": periods, "fund_years": years or []})
    return read_files([UNITS, path])


# --------------------------------------------------------------------------------------------
# Span
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("1-6", (1, 6)), ("1－6月", (1, 6)), ("1至9月", (1, 9)), ("6", (6, 6)), ("6月", (6, 6)),
    ("4-6", (4, 6)), ("二季度", (4, 6)), ("第一季度", (1, 3)), ("上半年", (1, 6)), ("前三季度", (1, 9)),
    ("全年", (1, 12)), ("12", (12, 12)),
])
def test_a_span_is_read_as_reports_write_it(text: str, expected: tuple[int, int]) -> None:
    span = parse_span(text)
    assert (span.first, span.last) == expected
    assert span.cumulative == (expected[0] == 1)
    assert parse_span(str(span)) == span  # written back as "1-6" / "6"


@pytest.mark.parametrize(("text", "words"), [
    ("13", "不在 1–12"), ("0-6", "不在 1–12"), ("6-3", "起月晚于止月"), ("上旬", "应写成"), ("1-6-9", "应写成"),
])
def test_a_bad_span_is_refused_with_its_own_code(tmp_path: Path, text: str, words: str) -> None:
    result = _read(tmp_path, [_period(text, "100", "90")])
    assert not result.ok
    [problem] = result.problems
    assert (problem.code, problem.path) == ("JX-IN-030", "fund_periods[0].span")
    assert words in problem.message and problem.line is not None


def test_tiling_takes_the_fewest_pieces_without_gaps() -> None:
    spans = [Span(1, 3), Span(4, 6), Span(1, 5), Span(6, 6), Span(7, 12)]
    assert tiling(Span(1, 6), spans) in ([Span(1, 3), Span(4, 6)], [Span(1, 5), Span(6, 6)])
    assert tiling(Span(1, 12), spans) is not None and len(tiling(Span(1, 12), spans) or []) == 3
    assert tiling(Span(1, 12), [Span(1, 6), Span(8, 12)]) is None  # July is missing
    assert tiling(Span(1, 6), [Span(1, 6)]) == [Span(1, 6)]


def test_a_period_record_round_trips_through_json() -> None:
    record = FundPeriod.model_validate(
        {**_period("1-6", "655.50", "600"), "budget": {"income": "1300"}, "previous": {"income_total": "620.1"}},
        context={"money_unit": "万元"})
    dumped = record.model_dump(mode="json", exclude_defaults=True)
    assert dumped["span"] == "1-6" and dumped["income"]["total"] == "655.50万元"
    assert FundPeriod.model_validate(dumped) == record
    assert record.key == (UNIT, 2021, EMPLOYEE, "1-6") and record.label == "2021年1-6月"


# --------------------------------------------------------------------------------------------
# The example and the checks
# --------------------------------------------------------------------------------------------


def test_the_monthly_example_agrees_with_its_annual_record() -> None:
    """examples/periods/ (kept out of examples/*.yaml, which several tests load as the seeds):
    its 1-12月 figures are 000's year, so the batch loads with no problem at all."""
    result = read_files([UNITS, HAMI, MONTHLY])
    assert result.ok and result.problems == [], [str(p) for p in result.problems]
    assert result.dataset is not None
    december = [p for p in result.dataset.fund_periods if p.year == 2019 and p.span == Span(1, 12)]
    annual = {fy.fund: fy for fy in result.dataset.fund_years if fy.unit == UNIT}
    assert {p.fund for p in december} == set(annual)
    for period in december:
        assert period.income.total == annual[period.fund].income.total
        assert period.expenditure.total == annual[period.fund].expenditure.total
        assert period.balance.closing == annual[period.fund].balance.closing


def test_the_example_alone_needs_the_unit_tree() -> None:
    result = read_files([MONTHLY])
    assert not result.ok and {p.code for p in result.problems} == {"JX-IN-020"}


def test_the_december_cumulative_equals_the_year_at_written_precision(tmp_path: Path) -> None:
    # 1200 stands for [1199.5, 1200.5] and meets 1200.5: consistent as written
    ok = _read(tmp_path, [_period("1-12", "1200", "1100.0")], [_year("1200.5", "1100.04")])
    assert ok.ok and ok.problems == [], [str(p) for p in ok.problems]
    # 1201 is [1200.5, 1201.5]; 1200.3 is [1200.25, 1200.35]: they do not meet
    bad = _read(tmp_path, [_period("1-12", "1201", "1100")], [_year("1200.3", "1100")])
    [problem] = bad.problems
    assert bad.ok  # a warning: monthly 快报 figures are often revised in the final accounts
    assert (problem.code, problem.severity, problem.path) == ("JX-IN-031", "warning", "fund_years[0].income.total")
    assert "1-12月数 1201万元" in problem.message and "1200.3" in problem.message


def test_the_year_is_checked_across_files(tmp_path: Path) -> None:
    months = _write(tmp_path, "months.yaml", {"fund_periods": [_period("1-12", "1300", "1100")]})
    year = _write(tmp_path, "year.yaml", {"fund_years": [_year("1200", "1100")]})
    result = read_files([UNITS, months, year])
    assert [(p.code, p.source) for p in result.problems] == [("JX-IN-031", str(year))]


def test_quarters_add_up_to_the_half_year(tmp_path: Path) -> None:
    fine = _read(tmp_path, [_period("1-3", "300.25", "280"), _period("4-6", "310.5", "290"),
                            _period("1-6", "610.75", "570")])
    assert fine.problems == []
    wrong = _read(tmp_path, [_period("1-3", "300.25", "280"), _period("4-6", "310.5", "290"),
                             _period("1-6", "610.75", "575")])
    [problem] = wrong.problems
    assert (problem.code, problem.path) == ("JX-IN-031", "fund_periods[2].expenditure.total")
    assert "1-3月、4-6月之和约为 570万元" in problem.message


def test_the_year_closes_as_december_closes(tmp_path: Path) -> None:
    periods = [_period("1-12", "1200", "1100", balance={"opening": "5000", "closing": "5100"})]
    result = _read(tmp_path, periods, [_year("1200", "1100", balance={"opening": "5000", "closing": "5200"})])
    [problem] = result.problems
    assert (problem.code, problem.path) == ("JX-IN-031", "fund_years[0].balance.closing")


def test_a_cumulative_figure_that_falls_is_an_error(tmp_path: Path) -> None:
    periods = [_period("1-4", "400", "350"), _period("1-5", "500", "440"), _period("1-6", "480", "530")]
    result = _read(tmp_path, periods)
    assert not result.ok and result.dataset is None
    [problem] = result.problems
    assert (problem.code, problem.severity, problem.path) == ("JX-IN-032", "error", "fund_periods[2].income.total")
    assert "1-5月数 500万元" in problem.message
    # a 当期结余 may fall, and so may a balance: no problem
    fine = _read(tmp_path, [_period("1-5", "500", "440", balance={"current": "60", "closing": "900"}),
                            _period("1-6", "520", "530", balance={"current": "-10", "closing": "830"})])
    assert fine.ok and fine.problems == []


def test_rounded_cumulative_figures_are_not_a_fall(tmp_path: Path) -> None:
    # 500.4 in 万元 against 500 written whole ([499.5, 500.5]): may be the same, so no error
    assert _read(tmp_path, [_period("1-5", "500.4", "440"), _period("1-6", "500", "445")]).ok


def test_a_period_twice_and_a_part_above_its_total(tmp_path: Path) -> None:
    twice = _read(tmp_path, [_period("1-6", "600", "500"), _period("1-6", "600", "500")])
    assert [p.code for p in twice.problems] == ["JX-IN-021"]
    part = _read(tmp_path, [{**_period("1-6", "600", "500"), "income": {"total": "600", "interest": "700"}}])
    assert [(p.code, p.path) for p in part.problems] == [("JX-IN-010", "fund_periods[0].income.interest")]


def test_importing_periods_says_they_are_not_stored_yet(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'jixiao.db'}")
    outcome = import_files(engine, [UNITS, HAMI, MONTHLY])
    assert outcome.ok
    [problem] = outcome.problems
    assert (problem.code, problem.severity, problem.source) == ("JX-IN-040", "warning", str(MONTHLY))
    assert "36 条月度、季度基金数据" in problem.message
