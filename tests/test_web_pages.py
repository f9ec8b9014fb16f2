"""The HTML pages, driven through the real login (TestClient) as an admin, an operator and a reviewer.

Operator ``hami`` (哈密市医保局 650500), reviewer ``sichuan`` (四川省 and its subtree): see
``web_helpers.USERS``. Expected figures come from the library or the example data, not from the
page code.
"""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from jixiao.app.entry import entry_form
from jixiao.audit.pipeline import audit_path
from jixiao.store.changelog import list_changes
from jixiao.store.repository import get_fund_years, load_dataset
from jixiao.write.workbook import fill_workbook
from web_helpers import HAMI, OTHER_UNITS, logged_in, make_app, page_csrf

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return make_app(f"sqlite:///{tmp_path_factory.mktemp('pages') / 'pages.db'}")


@pytest.fixture(scope="module")
def admin(app: FastAPI) -> TestClient:
    return logged_in(app, "admin")


@pytest.fixture(scope="module")
def hami(app: FastAPI) -> TestClient:
    return logged_in(app, "hami")


@pytest.fixture(scope="module")
def sichuan(app: FastAPI) -> TestClient:
    return logged_in(app, "sichuan")


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_home_and_unit_tree(admin: TestClient, hami: TestClient) -> None:
    assert admin.get("/", follow_redirects=False).headers["location"] == "/units"
    page = admin.get("/units")
    assert page.status_code == 200
    for name in ("湖南省医疗保障局", "益阳市医疗保障局", "米易县医疗保障事务中心", "哈密市医疗保障局"):
        assert name in page.text
    mine = hami.get("/units").text
    assert "哈密市医疗保障局" in mine
    assert "益阳市医疗保障局" not in mine and "新疆维吾尔自治区医疗保障局" not in mine


def test_dashboard_shows_indicators_formulas_warnings_charts(admin: TestClient) -> None:
    page = admin.get("/units/430900/years/2020")
    assert page.status_code == 200
    html = page.text
    assert "益阳市医疗保障局 · 2020年" in html
    assert "当期结余率" in html and "-2.84%" in html  # seed 004: 城乡居民 当期结余率
    # the formula is one click away, in a <details> beside the figure
    assert re.search(r"<details class=\"formula\"><summary>公式</summary>\s*<p><strong>当期结余率</strong> = ", html)
    assert "当期赤字" in html and "sev-" in html  # a warning, coloured
    assert 'id="chart-fund_income_expenditure"' in html and 'data-chart="chart-fund_income_expenditure"' in html
    assert "/static/js/charts.js" in html
    for fmt in ("docx", "xlsx", "html"):
        assert f"/units/430900/years/2020/reports/{fmt}" in html


def test_dashboard_project_scores(admin: TestClient) -> None:
    html = admin.get("/units/510421-01/years/2019").text
    assert "项目自评评分" in html and "82.43" in html and "良" in html


def test_static_assets_are_local(admin: TestClient) -> None:
    script = admin.get("/static/js/charts.js")
    assert script.status_code == 200 and "echarts.init" in script.text
    assert admin.get("/static/pages.css").status_code == 200
    html = admin.get("/units/430900/years/2020").text
    assert "http://" not in html.replace("http://testserver", "") and "https://" not in html


def test_operator_reaches_only_its_own_unit(hami: TestClient) -> None:
    assert hami.get(f"/units/{HAMI}/years/2019").status_code == 200
    assert hami.get(f"/units/{HAMI}/years/2019/edit").status_code == 200
    assert hami.get(f"/units/{HAMI}/upload").status_code == 200
    for unit in (*OTHER_UNITS, "430900", "510421-01"):
        for path in (f"/units/{unit}", f"/units/{unit}/years/2020", f"/units/{unit}/years/2019/edit",
                     f"/units/{unit}/upload", f"/units/{unit}/trends", f"/units/{unit}/years/2020/reports/docx",
                     f"/units/{unit}/years/2020/workbook"):
            response = hami.get(path, follow_redirects=False)
            assert response.status_code == 404, (path, response.status_code)
            assert "益阳" not in response.text and "米易" not in response.text
    compare = hami.get("/compare?year=2019").text
    assert "哈密市医疗保障局" in compare and "米易县" not in compare


def test_reviewer_reads_its_region_and_changes_nothing(sichuan: TestClient) -> None:
    assert sichuan.get("/units/510421-01/years/2019").status_code == 200
    assert "编辑数据" not in sichuan.get("/units/510421-01/years/2019").text
    assert sichuan.get("/units/510421-01/years/2019/edit").status_code == 403
    assert sichuan.get("/units/510421-01/upload").status_code == 403
    assert sichuan.get("/units/430900/years/2020").status_code == 404
    token = page_csrf(sichuan, "/units")
    refused = sichuan.post("/units/510421-01/years/2019/edit", data={"csrf_token": token})
    assert refused.status_code == 403


def test_entry_form_errors_by_field_then_saved_with_audit(app: FastAPI, hami: TestClient) -> None:
    engine = app.state.engine
    with Session(engine) as s:
        form = entry_form(s, HAMI, 2019)
    record = next(r for r in form.records if r.key.startswith("fund/城乡居民基本医疗保险"))
    income = next(f for f in record.fields if f.path == "income.total")
    spent = next(f for f in record.fields if f.path == "expenditure.total")
    page = hami.get(f"/units/{HAMI}/years/2019/edit")
    assert income.name in page.text and income.value in page.text
    token = page_csrf(hami, f"/units/{HAMI}/years/2019/edit")

    bad = hami.post(f"/units/{HAMI}/years/2019/edit",
                    data={"csrf_token": token, "version": str(form.version), income.name: "26780", spent.name: "很多"})
    assert bad.status_code == 422
    assert "未通过校验，未保存任何数据" in bad.text
    # the error sits beside its field, and what was typed is kept
    field_html = bad.text[bad.text.index(f'name="{spent.name}"'):]
    assert "field-error" in field_html[:600] and 'value="很多"' in field_html[:200]
    with Session(engine) as s:  # nothing saved, not even the valid field
        fy = next(f for f in get_fund_years(s, HAMI, 2019) if f.fund.value == "城乡居民基本医疗保险")
        assert str(fy.income.total) == income.value

    good = hami.post(f"/units/{HAMI}/years/2019/edit",
                     data={"csrf_token": token, "version": str(form.version), income.name: "26780"},
                     follow_redirects=False)
    assert good.status_code == 303 and good.headers["location"] == f"/units/{HAMI}/years/2019"
    with Session(engine) as s:
        fy = next(f for f in get_fund_years(s, HAMI, 2019) if f.fund.value == "城乡居民基本医疗保险")
        assert fy.income.total is not None and fy.income.total.value == Decimal("26780")
        entry = list_changes(s, entity="figure")[0]
        assert entry.username == "hami" and entry.old == {"income.total": income.value}
        assert entry.new == {"income.total": "26780万元"}
    assert "已保存 1 项修改" in hami.get(f"/units/{HAMI}/years/2019").text
    # without the CSRF token nothing is accepted
    assert hami.post(f"/units/{HAMI}/years/2019/edit", data={income.name: "1"}).status_code == 403


def _workbook_bytes(app: FastAPI, unit: str, year: int, break_value: Decimal | None = None) -> tuple[bytes, str]:
    """The unit-year exported as a filled workbook; with ``break_value``, the cell holding that
    number gets text instead (returns its 'sheet!cell')."""
    with Session(app.state.engine) as s:
        wb = fill_workbook(load_dataset(s, unit, year), unit, year)
    where = ""
    if break_value is not None:
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, int | float) and Decimal(str(cell.value)) == break_value and not where:
                        cell.value = "七万五千"
                        where = f"{ws.title}!{cell.coordinate}"
        assert where, "value not found in the workbook"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue(), where


def test_workbook_upload_error_by_cell_then_fixed(app: FastAPI, admin: TestClient) -> None:
    unit = "430900"
    with Session(app.state.engine) as s:
        fy = get_fund_years(s, unit, 2020)[0]
    assert fy.income.total is not None
    broken, where = _workbook_bytes(app, unit, 2020, fy.income.total.value)
    token = page_csrf(admin, f"/units/{unit}/upload")
    response = admin.post(f"/units/{unit}/upload", data={"csrf_token": token},
                          files={"file": ("益阳.xlsx", broken, "application/octet-stream")})
    assert response.status_code == 422
    assert "未通过校验，未保存任何数据" in response.text
    assert where in _text(response.text)  # the error is shown by sheet and cell
    fixed, _ = _workbook_bytes(app, unit, 2020)
    ok = admin.post(f"/units/{unit}/upload", data={"csrf_token": token},
                    files={"file": ("益阳.xlsx", fixed, "application/octet-stream")}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == f"/units/{unit}/years/2020"
    # a file that is not a workbook is refused with a clear message
    bad = admin.post(f"/units/{unit}/upload", data={"csrf_token": token},
                     files={"file": ("x.xlsx", b"not a zip", "application/octet-stream")})
    assert bad.status_code == 415 and "不是 Office 文档" in bad.text


def test_workbook_export_round_trips(admin: TestClient) -> None:
    response = admin.get("/units/430900/years/2020/workbook")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert len(wb.sheetnames) > 1


def _docx_ok(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as docx:
        assert "word/document.xml" in docx.namelist()
        assert "<w:t" in docx.read("word/document.xml").decode("utf-8")


def test_report_download_is_a_valid_docx(admin: TestClient) -> None:
    response = admin.get("/units/430900/years/2020/reports/docx")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    if response.headers["content-type"] == "application/zip":  # several reports: one zip of docx files
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            names = archive.namelist()
            assert names and all(n.endswith(".docx") for n in names)
            for name in names:
                _docx_ok(archive.read(name))
    else:
        _docx_ok(response.content)
    html = admin.get("/units/510421-01/years/2019/reports/html")
    assert html.status_code == 200
    assert admin.get("/units/430900/years/2015/reports/docx").status_code == 404
    assert admin.get("/units/430900/years/2020/reports/pdf").status_code in (404, 422)


def test_audit_page_shows_the_seed_findings(admin: TestClient) -> None:
    seed = SEEDS / "004_53bbde0474885cbd.txt"
    expected = audit_path(seed)
    token = page_csrf(admin, "/audit")
    response = admin.post("/audit", data={"csrf_token": token},
                          files={"file": ("004.txt", seed.read_bytes(), "text/plain")})
    assert response.status_code == 200
    html = response.text
    assert f"错误 {expected.errors}" in html and f"{expected.checks} 项核对" in html
    for finding in expected.findings[:3]:
        assert finding.code in html
    assert "<iframe" in html and "srcdoc=" in html and "&lt;mark" in html  # the highlighted text, escaped
    refused = admin.post("/audit", data={"csrf_token": token},
                         files={"file": ("x.exe", b"MZ\x00\x00", "application/octet-stream")})
    assert refused.status_code == 415


def test_compare_page_sorts_with_htmx_fragment(admin: TestClient) -> None:
    page = admin.get("/compare?year=2019&fund=城乡居民基本医疗保险&indicators=current_balance_rate"
                     "&indicators=months_of_reserve")
    assert page.status_code == 200
    html = page.text
    assert 'id="compare-table"' in html and "哈密市医疗保障局" in html and "米易县医疗保障事务中心" in html
    assert "#1" in html and 'id="chart-compare"' in html
    fragment = admin.get("/compare?year=2019&fund=城乡居民基本医疗保险&indicators=current_balance_rate&sort=name"
                         "&order=asc", headers={"HX-Request": "true", "HX-Target": "compare-result"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and 'id="compare-table"' in fragment.text
    assert admin.get("/compare?year=2019&indicators=bogus").status_code == 400
    assert admin.get("/compare").status_code == 200  # the latest year by default


def test_trends_page(admin: TestClient) -> None:
    page = admin.get("/units/430900/trends?fund=城乡居民基本医疗保险&indicators=current_balance_rate")
    assert page.status_code == 200
    assert "-2.84%" in page.text and 'id="chart-trend_0"' not in page.text  # one year: no chart of lone dots
    assert 'id="one-year"' in page.text
