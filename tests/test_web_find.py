"""Find, compare like with like, export, and the small things people feel (through the real login).

The database: the five examples,益阳 2020 copied as 2021 with other figures (so 益阳 has a trend),
a synthetic province of 200 units in 2019 (province, cities and counties: levels to compare),
and a unit whose name starts with “=” (an export must keep it text). Expected figures come from
the examples and the library, not from the page code.
"""

from __future__ import annotations

import base64
import io
import json
import re
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from e2e_support import year_copy
from jixiao.app.changes import record_change
from jixiao.app.entry import entry_form
from jixiao.app.imports import import_files
from jixiao.app.pages.comparison import comparison
from jixiao.app.pages.trends import trends
from jixiao.model.users import Principal, Role
from jixiao.store.changelog import list_changes
from web_helpers import EXAMPLES, logged_in, make_app, page_csrf

REPO = Path(__file__).resolve().parents[1]
SEED = EXAMPLES / "seeds" / "000_1cda87d66f87ced2.txt"
FORMULA_NAME = "=SUM(1,2)测试医疗保障局"
ODD = f"""\
units:
  - {{code: "Z01", name: "{FORMULA_NAME}", level: 县, kind: 医疗保障局, parent: "650500",
     region: 新疆维吾尔自治区哈密市伊州区}}
fund_years:
  - {{unit: "Z01", year: 2019, fund: 城乡居民基本医疗保险, income: {{total: "100"}}, expenditure: {{total: "90"}}}}
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    folder = tmp_path_factory.mktemp("find")
    app = make_app(f"sqlite:///{folder / 'find.db'}")
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from province import make_year_file
    finally:
        sys.path.remove(str(REPO / "bench"))
    province = folder / "province.yaml"
    make_year_file(province, 200, 2019, 2019)
    odd = folder / "odd.yaml"
    odd.write_text(ODD, encoding="utf-8")
    later = year_copy(EXAMPLES / "004_yiyang_2020.yaml", folder, 2020, 2021, [("151661", "160000")])
    outcome = import_files(app.state.engine, [province, odd, later])
    assert outcome.ok, outcome
    return app


@pytest.fixture(scope="module")
def admin(app: FastAPI) -> TestClient:
    return logged_in(app, "admin")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --------------------------------------------------------------------------------------------
# Find
# --------------------------------------------------------------------------------------------


def test_find_units_by_name_code_level_region_and_warning(admin: TestClient) -> None:
    found = admin.get("/api/units", params={"q": "益阳"}).json()
    assert found["matched"] == 1
    root = found["roots"][0]
    assert root["code"] == "430000" and not root["matched"]  # shown as the way to the match
    assert [c["code"] for c in root["children"]] == ["430900"] and root["children"][0]["matched"]
    assert admin.get("/api/units", params={"q": "510421-01"}).json()["matched"] == 1
    counties = admin.get("/api/units", params={"level": "县", "region": "合成省1市"}).json()
    names = []
    stack = list(counties["roots"])
    while stack:
        node = stack.pop()
        stack += node["children"]
        if node["matched"]:
            assert node["level"] == "县" and "合成省1市" in node["region"]
            names.append(node["code"])
    assert len(names) == counties["matched"] > 10
    serious = admin.get("/api/units", params={"warning": "serious"}).json()
    stack = list(serious["roots"])
    while stack:
        node = stack.pop()
        stack += node["children"]
        assert not node["matched"] or node["worst"] == "serious"
    assert 0 < serious["matched"] < serious["count"]
    page = admin.get("/units", params={"q": "不存在的单位名"})
    assert page.status_code == 200 and "没有符合条件的单位" in page.text
    fragment = admin.get("/units", params={"q": "益阳"}, headers={"HX-Request": "true", "HX-Target": "unit-results"})
    assert "<html" not in fragment.text and "益阳市医疗保障局" in fragment.text
    tree = admin.get("/api/units").json()  # the full tree: unfolded at its roots only
    assert admin.get("/units").text.count("<details open>") == sum(1 for r in tree["roots"] if r["children"])


def test_comparison_ranks_like_with_like_by_default(app: FastAPI, admin: TestClient) -> None:
    admin_principal = Principal(user_id=0, username="admin", role=Role.admin, unit=None)
    with Session(app.state.engine) as s:
        default = comparison(s, admin_principal, 2019, ["current_balance_rate"], fund="城乡居民基本医疗保险")
        every = comparison(s, admin_principal, 2019, ["current_balance_rate"], fund="城乡居民基本医疗保险",
                           level="all")
        cities = comparison(s, admin_principal, 2019, ["current_balance_rate"], fund="城乡居民基本医疗保险",
                            level="市")
    assert default.level == "县" and default.levels["县"] > default.levels["市"]
    assert {r.unit for r in default.rows} <= {r.unit for r in every.rows}
    assert "P00" not in {r.unit for r in default.rows} and "P00" in {r.unit for r in every.rows}
    ranks = sorted(r.cells["current_balance_rate"].rank for r in default.rows if r.cells["current_balance_rate"].rank)
    assert ranks[0] == 1 and ranks[-1] <= default.total  # ranked among counties only
    assert {r.unit for r in cities.rows} >= {"C01", "C02"} and all(r.unit.startswith("C") or r.unit == "650500"
                                                                   for r in cities.rows)
    warned = admin.get("/api/compare", params={"year": 2019, "indicators": "current_balance_rate",
                                               "warning": "serious", "level": "all"}).json()
    assert warned["rows"] and all(r["worst"] == "serious" for r in warned["rows"])
    page = admin.get("/compare", params={"year": 2019, "region": "合成省2市"})
    assert page.status_code == 200 and "合成省2市" in _text(page.text) and "合成省1市" not in _text(
        page.text.split('id="compare-result"')[1])


def test_an_operator_opens_the_comparison_on_its_own_latest_year(app: FastAPI) -> None:
    hami = logged_in(app, "hami")
    page = hami.get("/compare")
    assert page.status_code == 200
    assert "2019年" in _text(page.text) and "共 0 个单位" not in _text(page.text)
    assert '<option value="2021"' not in page.text  # another unit's year is not offered


def test_trends_default_to_computable_indicators_and_draw_two_years(app: FastAPI, admin: TestClient) -> None:
    with Session(app.state.engine) as s:
        data = trends(s, "430900", fund="城乡居民基本医疗保险")
        chosen = trends(s, "430900", ["current_balance", "current_balance_rate"], fund="城乡居民基本医疗保险")
        single = trends(s, "650500")
    assert data.years == [2020, 2021] and data.series
    assert all(any(p.value is not None for p in s.points) for s in data.series)
    assert {c.unit: c.series[0].places for c in chosen.charts} == {"万元": 0, "%": 2}
    assert single.series and single.charts == []  # one year: the table, no chart of lone dots
    page = admin.get("/units/650500/trends")
    assert 'id="one-year"' in page.text and "不可计算" not in _text(page.text).split("历年趋势")[-1][:200]
    book = load_workbook(io.BytesIO(admin.get("/units/430900/trends.xlsx", params={
        "indicators": ["current_balance_rate"], "fund": "城乡居民基本医疗保险"}).content))
    rows = [[c.value for c in r] for r in book.active.iter_rows()]
    line = next(r for r in rows if r[0] == "当期结余率")
    shown = {p.year: p.display for p in chosen.series[1].points}
    assert f"{line[2] * 100:.2f}%" == shown[2020] and f"{line[3] * 100:.2f}%" == shown[2021]


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------


def test_comparison_export_is_values_with_the_page_figures(admin: TestClient) -> None:
    params = {"year": 2019, "fund": "城乡居民基本医疗保险", "indicators": ["current_balance", "current_balance_rate"],
              "level": "all", "sort": "unit", "order": "asc"}
    data = admin.get("/api/compare", params={**params, "indicators": "current_balance,current_balance_rate"}).json()
    download = admin.get("/compare.xlsx", params=params)
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(download.content))
    sheet = book.active
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not any(c.data_type == "f" for c in cells)  # never a formula
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    header = next(r for r in rows if r[0] == "单位代码")
    assert "当期结余（万元）" in header and "当期结余率" in header
    body = {r[0]: r for r in rows[rows.index(header) + 1:]}
    assert len(body) == data["total"]
    for row in data["rows"]:
        got = body[row["unit"]]
        assert got[1] == row["name"]
        cell = row["cells"].get("current_balance_rate")
        if cell and cell["value"] is not None:
            value = got[header.index("当期结余率")]
            assert f"{Decimal(str(value)) * 100:.2f}%" == cell["display"]
    odd = next(c for c in cells if c.value == FORMULA_NAME)
    assert odd.data_type == "s"  # a name that looks like a formula stays text


def test_audit_findings_export_and_a_tampered_page_is_refused(admin: TestClient) -> None:
    token = page_csrf(admin, "/audit")
    page = admin.post("/audit", data={"csrf_token": token},
                      files={"file": (SEED.name, SEED.read_bytes(), "text/plain")})
    assert page.status_code == 200
    payload = re.search(r'name="payload" value="([^"]+)"', page.text)
    signature = re.search(r'name="signature" value="([^"]+)"', page.text)
    assert payload and signature
    shown = json.loads(base64.urlsafe_b64decode(payload.group(1)))
    findings = page.text.split('id="audit-result"')[1].split("原文标注")[0]
    assert not re.search(r"JX-[A-Z]+-\d", _text(findings))  # 级别 says 错误/提示/说明, not codes
    download = admin.post("/audit/export", data={"csrf_token": token, "payload": payload.group(1),
                                                 "signature": signature.group(1)})
    assert download.status_code == 200
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(download.content)).active.iter_rows()]
    header = next(r for r in rows if r[0] == "序号")
    assert len(rows) - rows.index(header) - 1 == len(shown["findings"]) > 0
    assert {r[3] for r in rows[rows.index(header) + 1:]} <= {"错误", "提示", "说明"}
    forged = base64.urlsafe_b64encode(json.dumps({**shown, "errors": 0}).encode()).decode()
    refused = admin.post("/audit/export", data={"csrf_token": token, "payload": forged,
                                                "signature": signature.group(1)})
    assert refused.status_code == 400 and "改动" in refused.json()["detail"]


def test_blank_workbook_from_the_web_and_its_instructions_name_no_command(admin: TestClient) -> None:
    download = admin.get("/workbook/blank")
    assert download.status_code == 200
    book = load_workbook(io.BytesIO(download.content))
    assert {"填表说明", "单位与年度"} <= set(book.sheetnames)
    text = "\n".join(str(c.value) for c in book["填表说明"]["A"] if c.value)
    assert "上传工作簿" in text and "jixiao " not in text and "运行" not in text
    only_fund = load_workbook(io.BytesIO(admin.get("/workbook/blank", params={"kinds": "fund"}).content))
    assert len(only_fund.sheetnames) < len(book.sheetnames)
    assert admin.get("/workbook/blank", params={"kinds": "nonsense"}).status_code == 422
    upload = admin.get("/units/650500/upload").text
    assert 'href="/workbook/blank"' in upload and 'data-max-bytes="' in upload


# --------------------------------------------------------------------------------------------
# Speak the user's language
# --------------------------------------------------------------------------------------------


def test_errors_are_chinese_for_pages_and_the_api(admin: TestClient) -> None:
    html = {"accept": "text/html"}
    year = admin.get("/units/430900/years/1800", headers=html)
    assert year.status_code == 404 and "年度" in year.text and "1990" in year.text and "Input should" not in year.text
    api = admin.get("/api/units/430900/years/1800")
    assert api.status_code == 422 and api.json()["errors"][0]["where"] == "地址中的“年度”"
    assert "应不小于 1990" in api.json()["detail"]
    missing = admin.get("/no/such/page", headers=html)
    assert missing.status_code == 404 and "Not Found" not in missing.text and "找不到" in missing.text
    assert admin.get("/api/no-such-thing").json() == {"detail": "找不到页面或数据"}
    assert "Method Not Allowed" not in admin.delete("/api/indicators").text
    bad_body = admin.post("/api/units/430900/years/2020/entry", json={"values": "x"},
                          headers={"X-CSRF-Token": page_csrf(admin)})
    assert bad_body.status_code == 422 and "应为键值表" in bad_body.json()["detail"]
    slash = admin.get("/units/43%2F09", headers=html)
    assert slash.status_code == 404 and "找不到" in slash.text
    unit_form = admin.post("/admin/units", data={"csrf_token": page_csrf(admin), "code": "43/09", "name": "测试单位",
                                                 "level": "县", "kind": "医疗保障局"})  # follows to the flash
    assert "单位代码：格式不对" in unit_form.text and "pattern" not in unit_form.text


def test_docs_are_served_from_local_files(admin: TestClient) -> None:
    docs = admin.get("/docs")
    assert docs.status_code == 200
    scripts = re.findall(r'<script src="([^"]+)"', docs.text)
    assert scripts and all(s.startswith("/static/") for s in scripts)
    assert "<script>" not in docs.text  # nothing inline: the CSP allows only this site's script files
    assert admin.get("/static/js/docs.js").status_code == 200
    spec = admin.get("/openapi.json").json()
    assert spec["components"]["schemas"]["HTTPValidationError"]["title"] == "参数错误"
    assert "Validation Error" not in json.dumps(spec)


def test_numbers_are_read_strictly_and_every_error_comes_at_once(app: FastAPI, admin: TestClient) -> None:
    with Session(app.state.engine) as s:
        form = entry_form(s, "430900", 2020)
    fund = next(r for r in form.records if r.key == "fund/职工基本医疗保险/全市")
    contributions = next(f for f in fund.fields if f.path == "income.contributions")
    department = next(r for r in form.records if r.key == "department")
    initial = next(f for f in department.fields if f.path == "budget.initial")
    token = page_csrf(admin, "/units/430900/years/2020/edit")
    version = str(form.version)  # the version the form was read at (a save over a newer one is a conflict)
    for written in ("7,0", "1,896,27"):
        page = admin.post("/units/430900/years/2020/edit",
                          data={"csrf_token": token, "version": version, initial.name: written})
        assert page.status_code == 422 and "逗号不是千位分隔符" in page.text and written in page.text
    # one unreadable figure and one figure larger than its total: both reported by the one submit
    both = admin.post("/units/430900/years/2020/edit",
                      data={"csrf_token": token, "version": version, initial.name: "7,0",
                            contributions.name: "999999"})
    assert both.status_code == 422
    assert "逗号不是千位分隔符" in both.text and "大于其总数" in both.text
    saved = admin.post("/units/430900/years/2020/edit",
                       data={"csrf_token": token, "version": version, initial.name: "1,234.5"},
                       follow_redirects=False)  # a thousands separator is read as one
    assert saved.status_code == 303
    with Session(app.state.engine) as s:
        fields = next(r for r in entry_form(s, "430900", 2020).records if r.key == "department").fields
        assert next(f for f in fields if f.path == "budget.initial").value == "1234.5万元"


def test_the_change_log_reads_in_beijing_time_field_by_field(app: FastAPI, admin: TestClient) -> None:
    with Session(app.state.engine) as s:
        boss = Principal(user_id=0, username="审计测试", role=Role.admin, unit=None)
        for n in range(55):
            record_change(s, boss, "update", "figure", f"650500/2019/fund/城乡居民基本医疗保险/{n}",
                          old={"income.total": f"{n}万元"}, new={"income.total": f"{n + 1}万元"},
                          detail="城乡居民医保：基金收入合计")
        s.commit()
        newest = list_changes(s, limit=1)[0]
    page = admin.get("/admin/audit", params={"user": "审计测试"})
    text = _text(page.text)
    at = newest.at if newest.at.tzinfo else newest.at.replace(tzinfo=UTC)
    assert (at + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M") in text
    assert "时间（北京时间）" in text and "UTC" not in text
    assert "哈密市医疗保障局 · 2019年 · 城乡居民医保" in text and "基金收入合计 54万元 55万元" in text
    assert "共 55 条" in text and "page=2" in page.text and "下一页" in text
    second = _text(admin.get("/admin/audit", params={"user": "审计测试", "page": 2}).text)
    assert "第 2 / 2 页" in second and "基金收入合计 0万元 1万元" in second
    assert "没有符合条件的记录" in admin.get("/admin/audit", params={"unit": "999999"}).text
    bad_day = admin.get("/admin/audit", params={"since": "昨天"}, headers={"accept": "text/html"})
    assert bad_day.status_code == 422 and "不是日期" in bad_day.text
    today = datetime.now(UTC).astimezone().date().isoformat()
    assert admin.get("/api/changes", params={"until": today, "user": "审计测试"}).json()["total"] in (0, 55)
