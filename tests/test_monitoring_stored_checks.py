"""A year's months checked against what is already stored: importing months for a unit-year whose
annual record is stored (or an annual record where its months are stored) raises the same
JX-IN-031 / JX-IN-032 as one import holding both, at written precision — from ``jixiao load``
(app.imports.import_files) and from the web upload preview (app.imports.check_workbook) — and
the monitoring page shows stored months and years that disagree."""

from __future__ import annotations

import re
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

import yaml
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from jixiao.app.imports import import_files
from jixiao.ingest.files import read_files
from jixiao.store.db import open_database
from jixiao.store.repository import get_fund_periods, save_dataset
from jixiao.write.workbook import fill_workbook
from web_helpers import EXAMPLES, HAMI, logged_in, make_app, page_csrf

UNITS = EXAMPLES / "units.yaml"
ANNUAL = EXAMPLES / "000_hami_2019.yaml"
MONTHLY = EXAMPLES / "periods" / "650500_hami_monthly.yaml"
EMPLOYEES = "职工"


def _months(tmp_path: Path, name: str, keep: Callable[[dict[str, Any]], bool],
            change: Callable[[dict[str, Any]], None] = lambda r: None) -> Path:
    """The example's months that ``keep`` keeps, each passed through ``change``, as a new file."""
    data = yaml.safe_load(MONTHLY.read_text(encoding="utf-8"))
    data["fund_periods"] = [r for r in data["fund_periods"] if keep(r)]
    for record in data["fund_periods"]:
        change(record)
    out = tmp_path / name
    out.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return out


def _employees(year: int, span: str) -> Callable[[dict[str, Any]], bool]:
    return lambda r: r["year"] == year and str(r["span"]) == span and r["fund"].startswith(EMPLOYEES)


def _set_income(value: str) -> Callable[[dict[str, Any]], None]:
    def change(record: dict[str, Any]) -> None:
        record["income"]["total"] = value
    return change


def _annual(tmp_path: Path, income: str) -> Path:
    data = yaml.safe_load(ANNUAL.read_text(encoding="utf-8"))
    employees = next(r for r in data["fund_years"] if r["fund"].startswith(EMPLOYEES))
    employees["income"]["total"] = income
    out = tmp_path / "annual.yaml"
    out.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return out


def test_december_against_the_stored_year_at_written_precision(db_url: str, tmp_path: Path) -> None:
    engine = open_database(db_url)
    try:
        assert import_files(engine, [UNITS, ANNUAL]).ok
        # 75380.8 lies within 75381's written precision (±0.5): no problem
        close = _months(tmp_path, "close.yaml", _employees(2019, "1-12"), _set_income("75380.8"))
        assert [p.code for p in import_files(engine, [close]).problems] == []
        # 75383 does not: the same warning as one batch of both gives, at the months' record
        off = _months(tmp_path, "off.yaml", _employees(2019, "1-12"), _set_income("75383"))
        outcome = import_files(engine, [off])
        assert outcome.ok  # a warning: saved, and said
        [problem] = outcome.problems
        assert problem.code == "JX-IN-031" and problem.severity == "warning"
        assert problem.source == str(off) and problem.path == "fund_periods[0].income.total"
        assert "已保存的2019年年度数" in problem.message and "75383" in problem.message
        assert "fund_years" not in problem.message  # the stored side is named, not pointed at
        together = read_files([UNITS, ANNUAL, off]).problems
        assert [p.code for p in together] == ["JX-IN-031"]
        # the closing balance too: December's 期末 against the stored year's 年末
        def closing(record: dict[str, Any]) -> None:
            record["balance"]["closing"] = "86460"
        shut = _months(tmp_path, "closing.yaml", _employees(2019, "1-12"), closing)
        [problem] = import_files(engine, [shut]).problems
        assert problem.path == "fund_periods[0].balance.closing" and problem.source == str(shut)
        assert problem.message.startswith("2019年1-12月数期末累计结余 86460万元 与已保存的2019年年度数")
        assert "86448" in problem.message
    finally:
        engine.dispose()


def test_a_year_imported_after_its_months_meets_them(sqlite_url: str, tmp_path: Path) -> None:
    engine = open_database(sqlite_url)
    try:
        assert import_files(engine, [UNITS, MONTHLY]).ok
        assert import_files(engine, [ANNUAL]).problems == []  # as the example agrees
        outcome = import_files(engine, [_annual(tmp_path, "75390")])
        codes = [(p.code, p.path) for p in outcome.problems]
        assert ("JX-IN-031", "fund_years[0].income.total") in codes
        message = next(p.message for p in outcome.problems if p.code == "JX-IN-031")
        assert "已保存的2019年1-12月数" in message and "（数据库）" in message
    finally:
        engine.dispose()


def test_a_cumulative_below_a_stored_later_month_refuses_the_import(db_url: str, tmp_path: Path) -> None:
    engine = open_database(db_url)
    try:
        assert import_files(engine, [UNITS, MONTHLY]).ok
        # 1-3月 above the stored 1-6月 (34693): the 1-6 cumulative would fall
        early = _months(tmp_path, "march.yaml", _employees(2020, "1-3"), _set_income("40000"))
        outcome = import_files(engine, [early])
        assert not outcome.ok
        falling = [p for p in outcome.problems if p.code == "JX-IN-032"]
        assert falling and all(p.source == str(early) for p in falling)
        assert any("已保存的2020年" in p.message for p in falling)
        with Session(engine) as db:  # nothing saved
            march = [p for p in get_fund_periods(db, HAMI, 2020) if str(p.span) == "1-3"]
            assert all(str(p.income.total) != "40000" for p in march)
        # the same months again (replacing what is stored) are not checked against themselves
        assert import_files(engine, [MONTHLY]).problems == []
    finally:
        engine.dispose()


def _upload(client: TestClient, data: bytes) -> str:
    csrf = page_csrf(client, f"/units/{HAMI}/upload")
    shown = client.post(f"/units/{HAMI}/upload", data={"csrf_token": csrf},
                        files={"file": ("一季度.xlsx", data, "application/octet-stream")}, follow_redirects=False)
    assert shown.status_code in (200, 422), shown.text[:500]
    return shown.text


def test_the_upload_preview_checks_months_against_the_stored_ones(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'web.db'}")
    assert import_files(app.state.engine, [UNITS, MONTHLY]).ok
    early = _months(tmp_path, "march.yaml", _employees(2020, "1-3"), _set_income("40000"))
    dataset = read_files([UNITS, early]).dataset
    assert dataset is not None
    buffer = BytesIO()
    fill_workbook(dataset, HAMI, 2020).save(buffer)
    client = logged_in(app, "hami")
    html = _upload(client, buffer.getvalue())
    assert "累计数不会减少" in html and "已保存的2020年1-" in html
    assert "月度数据!" in html  # named by its cell
    assert re.search(r'name="token" value="[^"]+"', html) is None  # an error: nothing to confirm
    # the workbook of the same months as stored is previewed without a problem
    same = read_files([UNITS, MONTHLY]).dataset
    assert same is not None
    buffer = BytesIO()
    fill_workbook(same, HAMI, 2020).save(buffer)
    html = _upload(client, buffer.getvalue())
    assert "累计数不会减少" not in html and re.search(r'name="token" value="[^"]+"', html)


def test_the_monitoring_page_shows_a_stored_disagreement(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'page.db'}")
    engine = app.state.engine
    assert import_files(engine, [UNITS, MONTHLY]).ok
    client = logged_in(app, "admin")
    assert client.get(f"/api/units/{HAMI}/years/2019/monitoring").json()["disagreements"] == []
    # a year saved past the import's checks (as before they existed): the page says it
    annual = read_files([UNITS, _annual(tmp_path, "75390")]).dataset
    assert annual is not None
    with Session(engine) as db:
        save_dataset(db, annual.model_copy(update={"units": []}), by="test")
        db.commit()
    data = client.get(f"/api/units/{HAMI}/years/2019/monitoring").json()
    [shown] = [d for d in data["disagreements"] if "基金收入合计" in d["message"] or "收入" in d["message"]]
    assert shown["code"] == "JX-IN-031" and "75390" in shown["message"] and "75381" in shown["message"]
    assert "fund_" not in shown["message"] and "数据库" not in shown["message"]
    page = client.get(f"/units/{HAMI}/years/2019/monitoring").text
    assert 'id="monitoring-disagreements"' in page and "75390" in page


def test_the_entry_form_checks_a_year_against_its_stored_months(sqlite_url: str) -> None:
    from jixiao.app.entry import entry_form, prepare_entry

    engine = open_database(sqlite_url)
    try:
        assert import_files(engine, [UNITS, ANNUAL, MONTHLY]).ok
        with Session(engine) as db:
            form = entry_form(db, HAMI, 2019)
            values = {f.name: f.value for r in form.records for f in r.fields}
            income = next(f.name for r in form.records if EMPLOYEES in r.title for f in r.fields
                          if f.path == "income.total")
            assert prepare_entry(db, HAMI, 2019, values).warnings == []  # as stored: they agree
            changed = prepare_entry(db, HAMI, 2019, {**values, income: "75390"})
            assert changed.ok and any("已保存的2019年1-12月数" in w and "75390" in w for w in changed.warnings)
            # below the stored 1-11月 cumulative: the year cannot be less than its first eleven months
            falling = prepare_entry(db, HAMI, 2019, {**values, income: "100"})
            assert not falling.ok and any("累计数不会减少" in m for m in falling.errors.get(income, []))
    finally:
        engine.dispose()


def test_the_upload_preview_warns_at_the_cell_when_december_differs_from_the_stored_year(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'warn.db'}")  # the examples: 哈密's 2019 year is stored
    off = _months(tmp_path, "off.yaml", lambda r: r["year"] == 2019, _only_december_income("75383"))
    dataset = read_files([UNITS, off]).dataset
    assert dataset is not None
    buffer = BytesIO()
    fill_workbook(dataset, HAMI, 2019).save(buffer)
    html = _upload(logged_in(app, "hami"), buffer.getvalue())
    assert "与已保存的2019年年度数 75381万元（数据库）不符" in html
    assert re.search(r"月度数据!\$?[A-Z]+\$?\d+", html)  # at its cell
    assert re.search(r'name="token" value="[^"]+"', html)  # a warning: it may still be confirmed


def _only_december_income(value: str) -> Callable[[dict[str, Any]], None]:
    def change(record: dict[str, Any]) -> None:
        if str(record["span"]) == "1-12" and record["fund"].startswith(EMPLOYEES):
            record["income"]["total"] = value
    return change
