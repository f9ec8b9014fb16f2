"""A unit that reports quarters only — cumulative (一季度, 上半年, 前三季度, 全年) or each quarter on
its own (一季度, 二季度 …) — monitored from files and from the database: the same figures as its
months give at the quarter's end, a 基金运行分析报告 that audits with no error and holds no internal
text, and the database's document the same as the files'."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.orm import Session

from jixiao.app.imports import import_files
from jixiao.app.monitoring import (
    UnitMonitoring,
    monitor_database,
    monitor_files,
    monitoring_docx_file,
    write_monitoring_docx,
)
from jixiao.app.pages.monitoring import unit_monitoring
from jixiao.audit.pipeline import audit_path
from jixiao.store.db import open_database
from submit_support import docx_texts, internal_text

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
UNITS = EXAMPLES / "units.yaml"
ANNUAL = EXAMPLES / "000_hami_2019.yaml"
MONTHLY = EXAMPLES / "periods" / "650500_hami_monthly.yaml"
UNIT = "650500"
CUMULATIVE = {"1-3": "一季度", "1-6": "上半年", "1-9": "前三季度", "1-12": "全年"}
QUARTER = {"1-6": ("1-3", "二季度"), "1-9": ("1-6", "三季度"), "1-12": ("1-9", "四季度")}


def _examples() -> dict[str, Any]:
    return yaml.safe_load(MONTHLY.read_text(encoding="utf-8"))


def _difference(later: dict[str, Any], earlier: dict[str, Any], group: str) -> dict[str, str]:
    return {k: str(Decimal(str(v)) - Decimal(str(earlier[group].get(k, 0)))) for k, v in later[group].items()}


def _cumulative_quarters(folder: Path) -> Path:
    """The example's months kept at each quarter's end, their spans written as words."""
    data = _examples()
    data["fund_periods"] = [dict(r, span=CUMULATIVE[str(r["span"])]) for r in data["fund_periods"]
                            if str(r["span"]) in CUMULATIVE]
    out = folder / "cumulative.yaml"
    out.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return out


def _each_quarter(folder: Path) -> Path:
    """Each quarter on its own: 一季度 as written, the others the difference of two cumulatives."""
    data = _examples()
    by_key = {(r["year"], r["fund"], str(r["span"])): r for r in data["fund_periods"]}
    quarters: list[dict[str, Any]] = []
    for (year, fund, span), r in by_key.items():
        if span == "1-3":
            quarters.append(dict(r, span="一季度"))
        if span in QUARTER and (year, fund, QUARTER[span][0]) in by_key:
            before = by_key[(year, fund, QUARTER[span][0])]
            q = {k: v for k, v in r.items() if k not in ("income", "expenditure", "balance", "span")}
            q.update(span=QUARTER[span][1], income=_difference(r, before, "income"),
                     expenditure=_difference(r, before, "expenditure"), balance={"closing": r["balance"]["closing"]})
            quarters.append(q)
    data["fund_periods"] = quarters
    out = folder / "quarters.yaml"
    out.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("quarters")
    return {"cumulative": _cumulative_quarters(folder), "quarters": _each_quarter(folder)}


def _figures(found: UnitMonitoring) -> dict[tuple[str, str], str]:
    return {(f.label, r.id): r.display() for f in found.monitoring.funds for r in f.results
            if r.value is not None}


def _audited(path: Path) -> list[str]:
    result = audit_path(path)
    assert result.error is None and result.checks > 0
    return [f"{f.code} {f.message}" for f in result.findings if f.severity == "error"]


@pytest.mark.parametrize("kind", ["cumulative", "quarters"])
def test_quarters_give_the_months_figures_at_each_quarters_end(files: dict[str, Path], kind: str) -> None:
    for month in ("3", "6"):
        quarterly, problems = monitor_files([UNITS, ANNUAL, files[kind]], UNIT, "2020", month)
        monthly, _ = monitor_files([UNITS, ANNUAL, MONTHLY], UNIT, "2020", month)
        assert problems == [] and quarterly is not None and monthly is not None
        assert quarterly.monitoring.month == int(month)
        for f in quarterly.monitoring.funds:
            assert [p.month for p in f.series] == [m for m in (3, 6) if m <= int(month)]
        same = _figures(monthly)
        got = _figures(quarterly)
        # 同比, 执行率, 序时进度, 当期结余 … as the months give them (可支付月数 needs each month's spending)
        shared = [k for k in got if k in same and k[1] != "months_of_reserve"]
        assert len(shared) >= 10 and all(got[k] == same[k] for k in shared), [
            (k, got[k], same[k]) for k in shared if got[k] != same[k]]
        assert [w.message for w in quarterly.monitoring.warnings if "序时进度" in w.message] == \
            [w.message for w in monthly.monitoring.warnings if "序时进度" in w.message]


@pytest.mark.parametrize("kind", ["cumulative", "quarters"])
def test_the_analysis_report_of_quarters_audits_clean(files: dict[str, Path], kind: str, tmp_path: Path) -> None:
    for with_year in (True, False):  # with the year's annual record, and without any
        paths = [UNITS, ANNUAL, files[kind]] if with_year else [UNITS, files[kind]]
        found, _ = monitor_files(paths, UNIT, "2020")
        assert found is not None
        written = write_monitoring_docx(found, tmp_path / f"{kind}-{with_year}.docx")
        texts = docx_texts(written)
        assert any("2020年1−6月基金运行分析报告" in t for t in texts)
        assert [hit for t in texts for hit in internal_text(t)] == []
        assert _audited(written) == []


@pytest.mark.parametrize("kind", ["cumulative", "quarters"])
def test_quarters_from_the_database_as_from_the_files(files: dict[str, Path], kind: str, sqlite_url: str,
                                                      tmp_path: Path) -> None:
    engine = open_database(sqlite_url)
    try:
        assert import_files(engine, [UNITS, ANNUAL, files[kind]]).ok
        from_files, _ = monitor_files([UNITS, ANNUAL, files[kind]], UNIT, "2020")
        assert from_files is not None
        with Session(engine) as db:
            stored = monitor_database(db, UNIT, "2020")
            assert _figures(stored) == _figures(from_files)
            page = unit_monitoring(db, UNIT, 2020)
            assert page.month == 6 and page.months == [3, 6] and page.disagreements == []
            assert [p.month for p in page.funds[0].progress] == [3, 6]
            download = monitoring_docx_file(db, UNIT, 2020)
        got = tmp_path / download.filename
        got.write_bytes(download.data)
        assert _audited(got) == []
        assert docx_texts(got) == docx_texts(write_monitoring_docx(from_files, tmp_path / "files.docx"))
    finally:
        engine.dispose()
