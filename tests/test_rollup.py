"""Roll-ups: a parent unit's subordinates added up per fund, right by construction.

The data: a test province (T00) with four cities — 甲市 reports one whole-city record written in
亿元 and 万人; 乙市 reports nothing itself, its two counties do (one only a 职工医保 record); 丙市
reports its 市本级 part and its county reports in 元; 丁市 has no data. The province's own
record must never be added into its roll-up. Every expected figure is worked out here by hand
from those written figures, not by the code under test.
"""

from __future__ import annotations

import io
from decimal import Decimal, localcontext

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from jixiao.app.imports import import_files
from jixiao.app.pages.rollup import unit_rollup
from jixiao.calc.rollup import roll_up
from jixiao.model import FundYear
from jixiao.numbers import parse_quantity
from jixiao.store.users import create_user
from web_helpers import PASSWORD, logged_in, make_app

TREE = """\
money_unit: 万元
units:
  - {code: "T00", name: 测试省医疗保障局, level: 省, kind: 医疗保障局, region: 测试省}
  - {code: "T01", name: 甲市医疗保障局, level: 市, kind: 医疗保障局, parent: "T00", region: 测试省甲市}
  - {code: "T02", name: 乙市医疗保障局, level: 市, kind: 医疗保障局, parent: "T00", region: 测试省乙市}
  - {code: "T0201", name: 乙市一县医疗保障局, level: 县, kind: 医疗保障局, parent: "T02", region: 测试省乙市一县}
  - {code: "T0202", name: 乙市二县医疗保障局, level: 县, kind: 医疗保障局, parent: "T02", region: 测试省乙市二县}
  - {code: "T03", name: 丙市医疗保障局, level: 市, kind: 医疗保障局, parent: "T00", region: 测试省丙市}
  - {code: "T0301", name: 丙市一县医疗保障局, level: 县, kind: 医疗保障局, parent: "T03", region: 测试省丙市一县}
  - {code: "T04", name: 丁市医疗保障局, level: 市, kind: 医疗保障局, parent: "T00", region: 测试省丁市}
fund_years:
  - {unit: "T01", year: 2023, fund: 城乡居民基本医疗保险, scope: 全市, income: {total: "1.25亿元"},
     expenditure: {total: "11800"}, balance: {closing: "20000.5"}, coverage: {insured: "1.2万人"},
     budget: {income: "12000"}}
  - {unit: "T0201", year: 2023, fund: 城乡居民基本医疗保险, income: {total: "3000.25"}, expenditure: {total: "3100"},
     balance: {closing: "4000"}, coverage: {insured: "30000"}, budget: {income: "3100"}}
  - {unit: "T0202", year: 2023, fund: 职工基本医疗保险, income: {total: "2000"}, expenditure: {total: "1500"}}
  - {unit: "T03", year: 2023, fund: 城乡居民基本医疗保险, scope: 市本级, income: {total: "800"},
     expenditure: {total: "900"}, balance: {closing: "100"}, coverage: {insured: "5000"}}
  - {unit: "T0301", year: 2023, fund: 城乡居民基本医疗保险, income: {total: "7500000元"}, expenditure: {total: "700"},
     balance: {closing: "300"}, coverage: {insured: "8000"}}
  - {unit: "T00", year: 2023, fund: 城乡居民基本医疗保险, scope: 全省, income: {total: "999999"},
     expenditure: {total: "1"}}
"""
RESIDENT = "城乡居民基本医疗保险"
# by hand: 甲市 1.25亿元 = 12500万元; 乙市 = its county 3000.25; 丙市 = 800 + 7500000元 (750万元)
INCOME = Decimal("12500") + Decimal("3000.25") + Decimal("800") + Decimal("750")
SPENDING = Decimal("11800") + Decimal("3100") + Decimal("900") + Decimal("700")
CLOSING = Decimal("20000.5") + Decimal("4000") + Decimal("100") + Decimal("300")
INSURED = 12000 + 30000 + 5000 + 8000


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    folder = tmp_path_factory.mktemp("rollup")
    app = make_app(f"sqlite:///{folder / 'rollup.db'}", {"admin": ("admin", None), "hami": ("operator", "650500")})
    data = folder / "tree.yaml"
    data.write_text(TREE, encoding="utf-8")
    outcome = import_files(app.state.engine, [data])
    assert outcome.ok, outcome
    with Session(app.state.engine) as s:
        for name, unit in (("t02", "T02"), ("t04", "T04")):
            create_user(s, name, PASSWORD, "reviewer", unit)
        s.commit()
    return app


@pytest.fixture(scope="module")
def admin(app: FastAPI) -> TestClient:
    return logged_in(app, "admin")


def _figures(fund: object) -> dict[str, str]:
    return {f.path: f.display for f in fund.figures}  # type: ignore[attr-defined]


def test_sums_are_exact_at_the_written_precision_and_never_count_twice(app: FastAPI) -> None:
    with Session(app.state.engine) as s:
        data = unit_rollup(s, "T00", 2023)
    resident = next(f for f in data.funds if f.fund == RESIDENT)
    sums = {f.path: f.value for f in resident.figures}
    assert sums["income.total"] == INCOME == Decimal("17050.25")  # the province's own 999999 is not in it
    assert sums["expenditure.total"] == SPENDING
    assert sums["balance.closing"] == CLOSING
    assert sums["coverage.insured"] == INSURED
    # shown at the finest precision a part was written with (a part in 元 counts 2 places in 万元)
    assert _figures(resident)["income.total"] == "17050.25万元"
    assert _figures(resident)["balance.closing"] == "24400.5万元"
    assert _figures(resident)["coverage.insured"] == "55000人"
    # 收入预算: 丙市 and its county lack it, so no total is claimed; the gap names 丙市
    assert "budget.income" not in sums
    assert [(g.label, g.missing) for g in resident.gaps] == [("收入预算", ["丙市医疗保障局"])]
    # the units added: 甲市's own record, 乙市's county (through 乙市), 丙市 (its 市本级 and county)
    assert sorted(resident.units) == ["T01", "T02", "T03"]
    employee = next(f for f in data.funds if f.fund == "职工基本医疗保险")
    assert _figures(employee)["income.total"] == "2000万元" and employee.units == ["T02"]
    assert sorted(employee.without) == ["丙市医疗保障局", "甲市医疗保障局"]


def test_indicators_are_computed_on_the_sums_not_averaged(app: FastAPI) -> None:
    with Session(app.state.engine) as s:
        data = unit_rollup(s, "T00", 2023)
    resident = next(f for f in data.funds if f.fund == RESIDENT)
    rate = next(i for i in resident.indicators if i.id == "current_balance_rate")
    with localcontext() as ctx:
        ctx.prec = 34  # the engine's working precision
        assert rate.value == (INCOME - SPENDING) / INCOME * 100
    assert rate.display == "3.23%"  # 550.25 / 17050.25
    parts = [(Decimal("12500"), Decimal("11800")), (Decimal("3000.25"), Decimal("3100")),
             (Decimal("1550"), Decimal("1600"))]
    average = sum(((i - e) / i * 100 for i, e in parts), Decimal(0)) / len(parts)
    assert abs(rate.value - average) > 1  # an average of the cities' rates would be another figure
    assert next(i for i in resident.indicators if i.id == "current_balance").display == "550.25万元"


def test_each_subordinate_its_part_completeness_and_the_total_row(app: FastAPI) -> None:
    with Session(app.state.engine) as s:
        data = unit_rollup(s, "T00", 2023)
    rows = {c.unit.code: c for c in data.children}
    assert [c.unit.code for c in data.children] == ["T01", "T02", "T03", "T04"]
    assert rows["T01"].source == "own" and rows["T01"].figures["income.total"].display == "12500万元"
    assert rows["T02"].source == "subordinates" and rows["T02"].figures["income.total"].display == "3000.25万元"
    assert rows["T03"].source == "own_and_subordinates" and "市本级" in rows["T03"].source_label
    assert rows["T03"].figures["income.total"].value == Decimal("1550")
    assert rows["T04"].source == "none" and rows["T04"].figures["income.total"].display == "—"
    column = [c.figures["income.total"].value for c in data.children if c.figures["income.total"].value is not None]
    assert sum(column, Decimal(0)) == data.totals["income.total"].value == INCOME
    # every unit below T00: 7; with 2023 data: T01, T0201, T0202, T03, T0301
    assert (data.units_total, data.units_with_data) == (7, 5)
    assert (rows["T02"].units_total, rows["T02"].units_with_data) == (3, 2)
    assert data.status_counts is None  # the place for submission status, until the workflow exists


def test_roll_up_refuses_what_does_not_add_up() -> None:
    a = FundYear(unit="A", year=2023, fund=RESIDENT, income={"total": parse_quantity("7.42亿元")},
                 coverage={"insured": parse_quantity("1.5万人"), "coverage_rate": parse_quantity("95%")})
    b = FundYear(unit="B", year=2023, fund=RESIDENT, income={"total": parse_quantity("655.50万元")},
                 coverage={"insured": parse_quantity("100人"), "coverage_rate": parse_quantity("97%")})
    summed = roll_up([a, b], unit="P", year=2023)
    assert summed.record.income.total == parse_quantity("74855.50万元")
    assert summed.places["income.total"] == 2
    assert summed.record.coverage.insured is not None and summed.record.coverage.insured.value == 15100
    assert summed.record.coverage.coverage_rate is None  # a rate is never added
    with pytest.raises(ValueError):
        roll_up([a, b.model_copy(update={"year": 2022})], unit="P", year=2023)


def test_rollup_page_api_and_excel_show_the_same_figures(admin: TestClient) -> None:
    page = admin.get("/units/T00/years/2023/rollup")
    assert page.status_code == 200
    assert "17050.25万元" in page.text and "3.23%" in page.text and "收入预算（缺：丙市医疗保障局）" in page.text
    body = admin.get("/api/units/T00/years/2023/rollup").json()
    assert body["totals"]["income.total"]["display"] == "17050.25万元"
    download = admin.get("/units/T00/years/2023/rollup.xlsx")
    assert download.status_code == 200
    book = load_workbook(io.BytesIO(download.content))
    sheet = book["下级单位"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(r for r in rows if r[0] == "单位代码")
    column = header.index("基金收入合计")
    by_code = {r[0]: r for r in rows[rows.index(header) + 1:]}
    total = next(r for r in rows if r[1] == "合计")
    assert Decimal(str(by_code["T01"][column])) == 12500 and Decimal(str(by_code["T02"][column])) == Decimal("3000.25")
    assert Decimal(str(total[column])) == INCOME
    assert not any(isinstance(c.value, str) and c.value.startswith("=") for row in sheet.iter_rows() for c in row)
    indicators = [[c.value for c in row] for row in book["按合计数计算的指标"].iter_rows()]
    rate = next(r for r in indicators if r[0] == "城乡居民医保" and r[1] == "当期结余率")
    assert rate[2] == pytest.approx(0.0323) and "%" in book["按合计数计算的指标"].cell(
        indicators.index(rate) + 1, 3).number_format


def test_who_sees_a_rollup(app: FastAPI) -> None:
    t02 = logged_in(app, "t02")  # a reviewer of 乙市: its roll-up, not the province's
    assert t02.get("/units/T02/years/2023/rollup").status_code == 200
    assert t02.get("/units/T00/years/2023/rollup").status_code == 404
    assert t02.get("/api/units/T00/years/2023/rollup").status_code == 404
    # a parent without data of its own opens on its subordinates' roll-up, not an upload form
    opened = t02.get("/units/T02", follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == "/units/T02/years/2023/rollup"
    hami = logged_in(app, "hami")
    assert hami.get("/units/650000/years/2019/rollup").status_code == 404
    admin = logged_in(app, "admin")
    nothing = admin.get("/units/T04", follow_redirects=False)  # no data anywhere: the upload page, for an admin
    assert nothing.headers["location"] == "/units/T04/upload"


def test_a_reviewer_without_rights_to_edit_sees_a_page_not_an_error(app: FastAPI) -> None:
    page = logged_in(app, "t04").get("/units/T04")
    assert page.status_code == 200 and "还没有任何年度的数据" in page.text
