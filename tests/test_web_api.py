"""The JSON API: the same data as the pages, by session or API token, with permissions per unit.

Users from ``web_helpers.USERS``: admin, operators ``hami`` (650500) and ``miyi`` (510421), reviewer
``sichuan`` (510000 and below).
"""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from jixiao.app.entry import entry_form
from jixiao.app.pages.dashboard import unit_year_dashboard
from jixiao.audit.pipeline import audit_path
from jixiao.store.repository import get_fund_years, load_dataset
from jixiao.store.users import create_api_token, find_user
from jixiao.write.workbook import fill_workbook
from web_helpers import HAMI, OTHER_UNITS, logged_in, make_app, page_csrf

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return make_app(f"sqlite:///{tmp_path_factory.mktemp('api') / 'api.db'}")


def _token(app: FastAPI, username: str, scope: str = "write") -> dict[str, str]:
    with Session(app.state.engine) as s:
        user = find_user(s, username)
        assert user is not None
        token, _ = create_api_token(s, user, f"test {username}", scope)
        s.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def client(app: FastAPI) -> TestClient:
    return TestClient(app)


def test_token_authentication(app: FastAPI, client: TestClient) -> None:
    assert client.get("/api/units").status_code == 401
    assert client.get("/api/units", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    tree = client.get("/api/units", headers=_token(app, "sichuan"))
    assert tree.status_code == 200
    body = tree.json()
    assert [r["code"] for r in body["roots"]] == ["510000"] and body["count"] == 4


def test_dashboard_json_is_the_views_model(app: FastAPI, client: TestClient) -> None:
    response = client.get("/api/units/510421-01/years/2019", headers=_token(app, "sichuan"))
    assert response.status_code == 200
    with Session(app.state.engine) as s:
        expected = unit_year_dashboard(s, "510421-01", 2019).model_dump(mode="json")
    assert response.json() == expected
    scores = sorted(Decimal(p["total"]) for p in response.json()["projects"])
    assert scores == [Decimal("82.43"), Decimal("100.00"), Decimal("100.00")]  # decimals as strings, exact


def test_unit_summary_and_trends(app: FastAPI, client: TestClient) -> None:
    headers = _token(app, "admin")
    summary = client.get("/api/units/430900", headers=headers).json()
    assert summary["years"] == [2020] and summary["editable"] is True
    trends = client.get("/api/units/430900/trends?indicators=current_balance_rate&fund=城乡居民基本医疗保险",
                        headers=headers).json()
    assert trends["series"][0]["points"] == [{"year": 2020, "value": trends["series"][0]["points"][0]["value"],
                                              "display": "-2.84%", "warning": trends["series"][0]["points"][0]
                                              ["warning"]}]
    assert client.get("/api/units/430900/trends?indicators=nope", headers=headers).status_code == 400


def test_compare_api(app: FastAPI, client: TestClient) -> None:
    headers = _token(app, "admin")
    table = client.get("/api/compare", params={"year": 2019, "fund": "城乡居民基本医疗保险",
                                               "indicators": "current_balance_rate,months_of_reserve",
                                               "sort": "name", "order": "asc"}, headers=headers)
    assert table.status_code == 200
    body = table.json()
    assert [c["id"] for c in body["columns"]] == ["current_balance_rate", "months_of_reserve"]
    assert sorted(r["unit"] for r in body["rows"]) == ["510421-01", "650500"]
    bad = client.get("/api/compare", params={"year": 2019, "indicators": "nope"}, headers=headers)
    assert bad.status_code == 400 and "未知指标" in bad.json()["detail"]
    assert client.get("/api/compare", params={"year": 1800}, headers=headers).status_code == 422
    mine = client.get("/api/compare", params={"year": 2019}, headers=_token(app, "hami")).json()
    assert [r["unit"] for r in mine["rows"]] == [HAMI]


def _all_routes(routes: list) -> list[APIRoute]:
    """Every APIRoute, also inside included routers (FastAPI ≥ 0.16x keeps them nested)."""
    out: list[APIRoute] = []
    for route in routes:
        nested = getattr(route, "original_router", None)
        if nested is not None:
            out += _all_routes(nested.routes)
        elif isinstance(route, APIRoute):
            out.append(route)
    return out


def _unit_routes(app: FastAPI) -> list[APIRoute]:
    return [r for r in _all_routes(list(app.routes)) if "{unit}" in r.path]


def test_operator_cannot_reach_another_unit_through_any_route(app: FastAPI) -> None:
    """Every page and API route with {unit}, every method, by session (with a valid CSRF token)
    and by API token: another unit answers 404 and shows none of its data."""
    routes = _unit_routes(app)
    assert len(routes) >= 10
    browser = logged_in(app, "hami")
    csrf = page_csrf(browser, "/units")
    token = _token(app, "hami")
    checked = 0
    for route in routes:
        for unit in (*OTHER_UNITS, "430900", "510421-01"):
            path = route.path.replace("{unit}", unit).replace("{year}", "2019").replace("{fmt}", "docx")
            for method in route.methods:
                for client, headers in ((browser, {"X-CSRF-Token": csrf}), (TestClient(app), token)):
                    kwargs: dict[str, object] = {"headers": headers, "follow_redirects": False}
                    if method == "POST":
                        kwargs["files"] = {"file": ("x.xlsx", b"PK", "application/octet-stream")} \
                            if "upload" in path or "workbook" in path or "audit" in path else None
                        if "entry" in path:
                            kwargs["json"] = {"values": {}}
                    response = client.request(method, path, **kwargs)  # type: ignore[arg-type]
                    assert response.status_code == 404, (method, path, response.status_code)
                    checked += 1
    assert checked >= len(routes) * 5 * 2
    # and their own unit is reachable
    assert TestClient(app).get(f"/api/units/{HAMI}/years/2019", headers=token).status_code == 200


def test_entry_api_all_or_nothing(app: FastAPI, client: TestClient) -> None:
    headers = _token(app, "admin")
    unit = "650000-01"
    with Session(app.state.engine) as s:
        form = entry_form(s, unit, 2019)
    income = next(f for r in form.records for f in r.fields if f.path == "income.total" and f.value)
    insured = next(f for r in form.records for f in r.fields if f.path == "coverage.insured")
    bad = client.post(f"/api/units/{unit}/years/2019/entry", headers=headers,
                      json={"version": form.version, "values": {income.name: income.value, insured.name: "-3"}})
    assert bad.status_code == 422
    assert bad.json()["ok"] is False and list(bad.json()["errors"]) == [insured.name]
    shown = client.get(f"/api/units/{unit}/years/2019/entry", headers=headers).json()
    assert any(f["name"] == income.name and f["value"] == income.value for r in shown["records"] for f in r["fields"])
    # a total that no longer matches its parts is refused by the dataset checks, by field
    parts = client.post(f"/api/units/{unit}/years/2019/entry", headers=headers,
                        json={"version": form.version, "values": {income.name: "1"}})
    assert parts.status_code == 422 and parts.json()["errors"]
    good = client.post(f"/api/units/{unit}/years/2019/entry", headers=headers,
                       json={"version": form.version, "values": {insured.name: "123456"}})
    assert good.status_code == 200 and good.json()["ok"] is True
    change = good.json()["changes"][0]
    assert change["old"] == (insured.value or None) and change["new"] == "123456人"
    with Session(app.state.engine) as s:
        assert any(str(f.coverage.insured) == "123456人" for f in get_fund_years(s, unit, 2019))
    reviewer = client.post("/api/units/510421-01/years/2019/entry", headers=_token(app, "sichuan"),
                           json={"version": 1, "values": {}})
    assert reviewer.status_code == 403


def test_workbook_api_reports_problems_by_cell(app: FastAPI, client: TestClient) -> None:
    headers = _token(app, "hami")
    with Session(app.state.engine) as s:
        dataset = load_dataset(s, HAMI, 2019)
        total = next(f for f in get_fund_years(s, HAMI, 2019) if f.expenditure.total is not None).expenditure.total
    assert total is not None
    wb = fill_workbook(dataset, HAMI, 2019)
    where = ""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if not where and isinstance(cell.value, int | float) and Decimal(str(cell.value)) == total.value:
                    cell.value = "-5"
                    where = f"{ws.title}!{cell.coordinate}"
    buffer = io.BytesIO()
    wb.save(buffer)
    response = client.post(f"/api/units/{HAMI}/workbook", headers=headers,
                           files={"file": ("哈密.xlsx", buffer.getvalue(), "application/octet-stream")})
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert any(p["where"] == where and p["severity"] == "error" for p in problems), problems
    other = client.post("/api/units/430900/workbook", headers=headers,
                        files={"file": ("哈密.xlsx", buffer.getvalue(), "application/octet-stream")})
    assert other.status_code == 404


def test_report_and_audit_api(app: FastAPI, client: TestClient) -> None:
    headers = _token(app, "sichuan")
    report = client.get("/api/units/510421-01/years/2019/reports/xlsx", headers=headers)
    assert report.status_code == 200 and report.content[:2] == b"PK"
    seed = SEEDS / "001_4b816f501919dc28.txt"
    expected = audit_path(seed)
    result = client.post("/api/audit", headers=headers, files={"file": ("001.txt", seed.read_bytes(), "text/plain")})
    assert result.status_code == 200
    body = result.json()
    assert body["ok"] is True and body["file"] == "001.txt"
    assert [f["code"] for f in body["findings"]] == [f.code for f in expected.findings]
    assert body["errors"] == expected.errors
    empty = client.post("/api/audit", headers=headers, files={"file": ("e.txt", b"", "text/plain")})
    assert empty.status_code == 400


def test_openapi_documents_every_api_route(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    api_paths = {p: ops for p, ops in schema["paths"].items() if p.startswith("/api/")}
    for path in ("/api/units", "/api/units/{unit}/years/{year}", "/api/compare", "/api/units/{unit}/trends",
                 "/api/audit", "/api/units/{unit}/years/{year}/reports/{fmt}", "/api/units/{unit}/workbook"):
        assert path in api_paths, path
    for path, ops in api_paths.items():
        for method, op in ops.items():
            assert re.search(r"[\u4e00-\u9fff]", op.get("summary", "")), (method, path)
            assert "200" in op["responses"]
    assert not [p for p in schema["paths"] if not p.startswith("/api/") and p.startswith("/units")]
    dashboard = schema["paths"]["/api/units/{unit}/years/{year}"]["get"]["responses"]["200"]
    assert dashboard["content"]["application/json"]["schema"]["$ref"].endswith("/Dashboard")
