"""The monitoring page and its JSON twin, and the parent's monitoring roll-up, on the examples
with 哈密's months (2019 whole, 2020 through June) loaded: the same numbers as the library's
monitoring of the same records, another unit's monitoring out of reach, a workbook of months only
uploaded on the web lands on the monitoring page."""

from __future__ import annotations

import re
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from jixiao.app.imports import import_files
from jixiao.calc.monitoring import monitor
from jixiao.ingest.files import read_files
from jixiao.rules import load_ruleset
from jixiao.write.workbook import fill_workbook
from web_helpers import EXAMPLES, HAMI, logged_in, make_app, page_csrf

MONTHLY = EXAMPLES / "periods" / "650500_hami_monthly.yaml"
PROVINCE = "650000"  # 新疆, 哈密's parent


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    app = make_app(f"sqlite:///{tmp_path_factory.mktemp('monitoring') / 'm.db'}")
    assert import_files(app.state.engine, [EXAMPLES / "units.yaml", MONTHLY]).ok
    return app


@pytest.fixture(scope="module")
def admin(app: FastAPI) -> TestClient:
    return logged_in(app, "admin")


def _library() -> object:
    dataset = read_files([EXAMPLES / "units.yaml", EXAMPLES / "000_hami_2019.yaml", MONTHLY]).dataset
    assert dataset is not None
    return monitor(dataset.fund_periods, dataset.fund_years, load_ruleset("default"), unit=HAMI, year=2020)


def test_the_api_gives_the_librarys_monitoring(admin: TestClient) -> None:
    answer = admin.get(f"/api/units/{HAMI}/years/2020/monitoring")
    assert answer.status_code == 200, answer.text
    data = answer.json()
    expected = _library()
    assert data["month"] == 6 and data["months"] == [1, 2, 3, 4, 5, 6] and data["years"] == [2019, 2020]
    assert [f["label"] for f in data["funds"]] == [f.label for f in expected.funds]  # type: ignore[attr-defined]
    for got, want in zip(data["funds"], expected.funds, strict=True):  # type: ignore[attr-defined]
        assert [w["message"] for w in got["warnings"]] == [w.message for w in want.warnings]
        assert [Decimal(p["time_progress"]) for p in got["progress"]] == [p.time_progress for p in want.series]
        shown = {i["id"]: i["display"] for i in got["indicators"]}
        assert shown == {r.id: r.display() for r in want.results}
        assert [p["text"] for p in got["projections"]] == [p.describe() for p in (want.income, want.expenditure)
                                                          if p is not None]
    employees = data["funds"][0]
    assert any("序时进度" in w["message"] for w in employees["warnings"])
    assert employees["chart"]["kind"] == "line" and employees["chart"]["series"][0]["name"] == "序时进度"
    earlier = admin.get(f"/api/units/{HAMI}/years/2020/monitoring?month=3").json()
    assert earlier["month"] == 3 and [p["month"] for p in earlier["funds"][0]["progress"]] == [1, 2, 3]


def test_no_months_and_bad_months_are_answered_in_chinese(admin: TestClient) -> None:
    missing = admin.get(f"/api/units/{HAMI}/years/2018/monitoring").json()
    assert (missing["month"], missing["funds"], missing["years"]) == (None, [], [2019, 2020])
    page = admin.get(f"/units/{HAMI}/years/2018/monitoring").text
    assert "该单位 2018 年没有月度、季度数据" in page and f'href="/units/{HAMI}/years/2019/monitoring"' in page
    assert admin.get(f"/api/units/{HAMI}/years/2020/monitoring?month=13").status_code == 422


def test_the_page_shows_execution_against_time_progress_and_the_warnings(admin: TestClient) -> None:
    page = admin.get(f"/units/{HAMI}/years/2020/monitoring")
    assert page.status_code == 200
    html = page.text
    assert "基金运行监测" in html and "序时进度" in html and "50.00%" in html
    assert "收入执行进度较序时进度为 -6.08个百分点" in html
    assert 'data-chart="chart-monitor-1"' in html and "全年预计" in html
    board = admin.get(f"/units/{HAMI}/years/2019")
    assert f'href="/units/{HAMI}/years/2019/monitoring"' in board.text


def test_the_parents_roll_up_lists_each_subordinate_with_its_warnings(admin: TestClient) -> None:
    data = admin.get(f"/api/units/{PROVINCE}/years/2020/monitoring/rollup").json()
    assert data["month"] == 6 and data["units_with_data"] == 1
    by_code = {c["unit"]["code"]: c for c in data["children"]}
    hami = by_code[HAMI]
    assert hami["source"] == "own" and hami["warnings"]["serious"] >= 1
    assert hami["funds"][0]["values"]["time_progress"] == "50.00%"
    assert by_code["650000-01"]["source"] == "none"
    # one subordinate with data: the total is its figures, monitored by the province's rule set
    assert [f["indicators"] for f in data["total"]] and data["total"][0]["progress"][-1]["income_execution"] \
        == admin.get(f"/api/units/{HAMI}/years/2020/monitoring").json()["funds"][0]["progress"][-1]["income_execution"]
    page = admin.get(f"/units/{PROVINCE}/years/2020/monitoring/rollup").text
    assert "哈密市医疗保障局" in page and "下级单位基金运行监测" in page


def test_another_units_monitoring_is_not_found(app: FastAPI) -> None:
    client = logged_in(app, "miyi")
    assert client.get(f"/api/units/{HAMI}/years/2020/monitoring").status_code == 404
    assert client.get(f"/units/{HAMI}/years/2020/monitoring/rollup").status_code == 404


def test_a_workbook_of_months_lands_on_the_monitoring_page(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'upload.db'}")
    dataset = read_files([EXAMPLES / "units.yaml", MONTHLY]).dataset
    assert dataset is not None
    buffer = BytesIO()
    fill_workbook(dataset, HAMI, 2020).save(buffer)
    client = logged_in(app, "hami")
    csrf = page_csrf(client, f"/units/{HAMI}/upload")
    shown = client.post(f"/units/{HAMI}/upload", data={"csrf_token": csrf},
                        files={"file": ("月报.xlsx", buffer.getvalue(), "application/octet-stream")},
                        follow_redirects=False)
    assert shown.status_code == 200 and "2020年1-6月" in shown.text  # the preview names each month
    preview = re.search(r'name="token" value="([^"]+)"', shown.text)
    assert preview is not None
    answer = client.post(f"/units/{HAMI}/upload/confirm", data={"csrf_token": csrf, "token": preview.group(1)},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text[:2000]
    assert answer.headers["location"] == f"/units/{HAMI}/years/2020/monitoring"
    with Session(app.state.engine) as db:
        from jixiao.store.repository import get_fund_periods

        assert len(get_fund_periods(db, HAMI, 2020)) == 12
    shown = client.get(answer.headers["location"])
    assert shown.status_code == 200 and "序时进度" in shown.text
    # the months come back in the unit's filled workbook, offered on the upload page
    assert f'href="/units/{HAMI}/years/2020/workbook"' in client.get(f"/units/{HAMI}/upload").text
    book = client.get(f"/units/{HAMI}/years/2020/workbook")
    from jixiao.ingest.workbook import read_workbook_bytes

    again = read_workbook_bytes(book.content, "下载.xlsx", known_units={HAMI, "650000"})
    assert again.dataset is not None and len(again.dataset.fund_periods) == 12
    # each month saved is in the change log, named as a person would
    log = logged_in(app, "admin").get("/api/changes", params={"entity": "fund_period"}).json()
    assert log["total"] == 12
    subjects = {e["subject"] for e in log["entries"]}
    assert "哈密市医疗保障局 · 2020年1-6月 · 职工医保（含生育）（全市）" in subjects
    june = next(e for e in log["entries"] if e["subject"].startswith("哈密市医疗保障局 · 2020年1-6月 · 职工"))
    assert {"field": "基金收入合计", "old": None, "new": "34693万元"} in june["diffs"]
