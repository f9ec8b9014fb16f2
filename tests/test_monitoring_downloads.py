"""The monitoring page's downloads: the 基金运行分析报告 (Word) from the database — the document
``jixiao monitor --docx`` writes, audited with no error, no internal text — and the page and its
roll-up as Excel (values only, the page's figures at its precision), read as the page is."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from jixiao.app.imports import import_files
from jixiao.app.monitoring import monitor_database, monitor_files, write_monitoring_docx
from jixiao.audit.pipeline import audit_path
from jixiao.calc.registry import places_shown
from jixiao.numbers import round_half_up
from submit_support import docx_texts, formula_cells, internal_text, xlsx_texts
from web_helpers import EXAMPLES, HAMI, logged_in, make_app

MONTHLY = EXAMPLES / "periods" / "650500_hami_monthly.yaml"
DATA = [EXAMPLES / "units.yaml", EXAMPLES / "000_hami_2019.yaml", MONTHLY]
PROVINCE = "650000"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    app = make_app(f"sqlite:///{tmp_path_factory.mktemp('downloads') / 'd.db'}")
    assert import_files(app.state.engine, [MONTHLY]).ok
    return app


@pytest.fixture(scope="module")
def operator(app: FastAPI) -> TestClient:
    return logged_in(app, "hami")


def _saved(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_the_analysis_report_downloads_as_the_command_writes_it(app: FastAPI, operator: TestClient,
                                                               tmp_path: Path) -> None:
    page = operator.get(f"/units/{HAMI}/years/2020/monitoring").text
    assert f'href="/units/{HAMI}/years/2020/monitoring/report.docx?month=6"' in page
    assert f'href="/units/{HAMI}/years/2020/monitoring.xlsx?month=6"' in page
    answer = operator.get(f"/units/{HAMI}/years/2020/monitoring/report.docx")
    assert answer.status_code == 200, answer.text[:500]
    assert answer.headers["content-type"] == DOCX and "attachment" in answer.headers["content-disposition"]
    got = _saved(tmp_path, "web.docx", answer.content)
    Document(str(got))  # Word's format
    texts = docx_texts(got)
    assert any("2020年1−6月基金运行分析报告" in t for t in texts)  # the document's own dash
    assert [hit for t in texts for hit in internal_text(t)] == []
    audited = audit_path(got)
    assert audited.error is None and audited.checks > 0
    assert [f"{f.code} {f.message}" for f in audited.findings if f.severity == "error"] == []
    # the command's document from the database, and from the same files, say the same
    with Session(app.state.engine) as db:
        cli = write_monitoring_docx(monitor_database(db, HAMI, "2020"), tmp_path / "cli.docx")
    found, _ = monitor_files(DATA, HAMI, "2020")
    assert found is not None
    files = write_monitoring_docx(found, tmp_path / "files.docx")
    assert docx_texts(cli) == texts == docx_texts(files)


def test_the_api_gives_the_report_of_a_chosen_month(operator: TestClient, tmp_path: Path) -> None:
    answer = operator.get(f"/api/units/{HAMI}/years/2020/monitoring/report", params={"month": 3})
    assert answer.status_code == 200 and answer.headers["content-type"] == DOCX
    texts = docx_texts(_saved(tmp_path, "march.docx", answer.content))
    assert any("2020年1−3月基金运行分析报告" in t for t in texts) and not any("1−6月" in t for t in texts)
    missing = operator.get(f"/api/units/{HAMI}/years/2018/monitoring/report")
    assert missing.status_code == 404 and "没有 2018 年的月度、季度数据" in missing.text


def test_the_downloads_follow_the_pages_permissions(app: FastAPI) -> None:
    other = logged_in(app, "miyi")  # an operator of another unit
    for path in ("monitoring/report.docx", "monitoring.xlsx", "monitoring/rollup.xlsx"):
        assert other.get(f"/units/{HAMI}/years/2020/{path}").status_code == 404
    assert other.get(f"/api/units/{HAMI}/years/2020/monitoring/report").status_code == 404
    reviewer = logged_in(app, "sichuan")  # a reviewer of another province
    assert reviewer.get(f"/units/{HAMI}/years/2020/monitoring.xlsx").status_code == 404


def _expected_cell(value: Decimal, display: str) -> Decimal:
    places = places_shown(display)
    assert places is not None
    shown = round_half_up(value, places)
    return shown / 100 if display.endswith("%") and not display.endswith("个百分点") else shown


def _rows(sheet: Any) -> list[tuple[Any, ...]]:
    return [tuple(c.value for c in row) for row in sheet.iter_rows()]


def test_the_page_as_excel_has_the_pages_figures_and_no_formula(operator: TestClient, tmp_path: Path) -> None:
    page = operator.get(f"/api/units/{HAMI}/years/2020/monitoring").json()
    answer = operator.get(f"/units/{HAMI}/years/2020/monitoring.xlsx")
    assert answer.status_code == 200
    path = _saved(tmp_path, "page.xlsx", answer.content)
    assert formula_cells(path) == []
    # the rule set's title is what the page shows of it (a user-facing name); nothing else internal
    texts = [t.replace(page["ruleset"], "") for t in xlsx_texts(path)]
    assert [hit for t in texts for hit in internal_text(t)] == []
    book = load_workbook(path)
    assert book.sheetnames == ["监测指标", "执行进度", "预警", "全年预计"]
    cells = {(r[0], r[1]): r[2] for r in _rows(book["监测指标"]) if len(r) > 2}
    checked = 0
    for fund in page["funds"]:
        for i in fund["indicators"]:
            got = cells[(fund["label"], i["name"])]
            if i["value"] is None:
                assert got == "不可计算"
                continue
            want = _expected_cell(Decimal(i["value"]), i["display"])
            assert isinstance(got, int | float) and Decimal(str(got)) == want, (i["name"], got, want)
            checked += 1
    assert checked >= 10
    progress = {(r[0], r[1]): r[2:5] for r in _rows(book["执行进度"])}
    for fund in page["funds"]:
        for p in fund["progress"]:
            row = progress[(fund["label"], f"1-{p['month']}月")]
            assert Decimal(str(row[0])) == round_half_up(Decimal(p["time_progress"]), 2) / 100
            if p["income_execution"] is not None:
                assert Decimal(str(row[1])) == round_half_up(Decimal(p["income_execution"]), 2) / 100
    warned = {r[2] for r in _rows(book["预警"])}
    assert {w["message"] for f in page["funds"] for w in f["warnings"]} <= warned
    projected = {(r[0], r[1]): r[2] for r in _rows(book["全年预计"])}
    for fund in page["funds"]:
        for p in fund["projections"]:
            assert projected[(fund["label"], p["side_label"])] == round_half_up(Decimal(p["value"]), 0)


def test_the_roll_up_as_excel_has_each_subordinates_row(operator: TestClient, app: FastAPI, tmp_path: Path) -> None:
    admin = logged_in(app, "admin")
    data = admin.get(f"/api/units/{PROVINCE}/years/2020/monitoring/rollup").json()
    answer = admin.get(f"/units/{PROVINCE}/years/2020/monitoring/rollup.xlsx")
    assert answer.status_code == 200
    path = _saved(tmp_path, "rollup.xlsx", answer.content)
    assert formula_cells(path) == []
    book = load_workbook(path)
    rows = _rows(book["下级单位"])
    head = next(r for r in rows if r[0] == "单位代码")
    hami = [r for r in rows if r[0] == HAMI]
    child = next(c for c in data["children"] if c["unit"]["code"] == HAMI)
    assert len(hami) == len(child["funds"])
    for row, fund in zip(hami, child["funds"], strict=True):
        for i, name in zip(data["indicator_ids"], data["indicators"], strict=True):
            shown = fund["values"].get(i)
            got = row[head.index(name)]
            if shown is None:
                assert got == "—"
            else:
                assert isinstance(got, int | float), (name, got)
                number = Decimal(shown.rstrip("%万元个月百分点"))
                assert Decimal(str(got)) == (number / 100 if shown.endswith("%") else number)
    assert "合计监测指标" in book.sheetnames
    assert BytesIO(answer.content).getbuffer().nbytes > 0
