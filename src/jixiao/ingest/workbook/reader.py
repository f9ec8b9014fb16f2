"""Read a filled workbook back into a :class:`~jixiao.model.Dataset`.

The workbook becomes the same plain data a YAML file gives (numbers as the strings they were
written as), then goes through :func:`jixiao.ingest.data.dataset_from_data` and
:mod:`jixiao.ingest.validate` like any other input. Every problem is named by sheet and cell
(``Problem.path = "基金收入!C5"``; the model path is kept in ``details["field"]``). Any error →
no dataset, so nothing is written. The cells are read by :mod:`~jixiao.ingest.workbook.book`,
each sheet by :mod:`~jixiao.ingest.workbook.sheets`.

Rows are found by their labels (a user may insert or delete rows), columns of tables by their
headers; fund columns follow the fund list of 单位与年度, project columns the 项目名称 row.
Numbers are read by the precision rule of :mod:`jixiao.ingest.workbook.cells`.

Problem codes (besides the loader's ``JX-IN-*``):

* ``JX-WB-001`` the file cannot be opened as an .xlsx workbook (a part with a DTD included);
* ``JX-WB-002`` a sheet this workbook cannot have; ``JX-WB-003`` a sheet it must have;
* ``JX-WB-004`` a header that is not the template's (wrong or reordered sheet content);
* ``JX-WB-005`` a row label that is not a field of the sheet;
* ``JX-WB-006`` a value that is not what the cell needs (text in a number cell, a date...);
* ``JX-WB-007`` a row or value that belongs to no record (unknown 险种 column, 项目, 记录);
* ``JX-WB-008`` a duplicate (indicator row, 指标代码, project name, label);
* ``JX-WB-009`` 分值 (weights) not summing to 100, or 得分 above 分值;
* ``JX-WB-010`` a required cell left empty (单位代码, 年度, 险种...);
* ``JX-WB-011`` a workbook past the bounds of :mod:`~jixiao.ingest.workbook.package` (unzipped
  size, cells per sheet), refused before it is opened;
* ``JX-WB-020`` (info) a value read differently from how it looks: rounded to the displayed
  decimals, or converted from another unit (``7.42亿元``).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from jixiao.ingest.data import ReadResult, dataset_from_data
from jixiao.ingest.validate import StoredFunds, duplicate_records, period_problems, validate_dataset
from jixiao.ingest.workbook.book import MAX_WORKBOOK_BYTES, Loc, WorkbookReader
from jixiao.ingest.workbook.layout import (
    SHEETS_OF,
    UNIT_SHEET,
    FormSheet,
)
from jixiao.ingest.workbook.package import check_package
from jixiao.ingest.workbook.periods import read_period_sheet
from jixiao.ingest.workbook.sheets import (
    Plain,
    read_common_tables,
    read_department_sheets,
    read_form_sheet,
    read_project_sheets,
    read_unit_sheet,
)
from jixiao.problems import Problem

# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def _loc_of(path: str) -> Loc:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"[.\[\]]+", path) if p)


def _to_cell(r: WorkbookReader, problem: Problem) -> Problem:
    if not problem.path:
        return replace(problem, source=r.source)
    loc = _loc_of(problem.path)
    where = next((r.cells[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in r.cells), None)
    details = {**problem.details, "field": problem.path}
    return replace(problem, source=r.source, path=where or problem.path, line=None, details=details)


def _check_name(name: str, size: int, source: str) -> list[Problem]:
    """Refusals before opening: too large, an old .xls, not a workbook at all."""
    def fail(message: str) -> list[Problem]:
        return [Problem("JX-WB-001", message, source=source)]

    if size > MAX_WORKBOOK_BYTES:
        return fail(f"文件过大（{size} 字节，上限 {MAX_WORKBOOK_BYTES}）")
    suffix = Path(name).suffix.lower()
    if suffix == ".xls":
        return fail("不支持旧版 .xls 文件：请在 Excel/WPS 中另存为 .xlsx 后再读取")
    if suffix not in (".xlsx", ".xlsm"):
        return fail(f"不是 Excel 工作簿（.xlsx）：扩展名为“{suffix or '无'}”")
    return []


def _load(file: Path | bytes, source: str) -> tuple[Workbook | None, list[Problem]]:
    refused = check_package(file, source)
    if refused:
        return None, refused
    try:
        return load_workbook(io.BytesIO(file) if isinstance(file, bytes) else file,
                             data_only=False, read_only=False), []
    # SyntaxError: the XML parsers' errors (ElementTree's ParseError, lxml's XMLSyntaxError)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, SyntaxError, EOFError) as exc:
        message = f"无法打开工作簿：不是有效的 .xlsx 文件（{type(exc).__name__}）"
        return None, [Problem("JX-WB-001", message, source=source)]


def read_workbook(path: str | Path, *, known_units: set[str] | None = None) -> ReadResult:
    """Read a filled workbook into a Dataset; every problem names its sheet and cell.

    ``known_units`` are unit codes defined elsewhere (the database); the workbook's own unit
    and its 上级单位代码 are always accepted, so a workbook is complete on its own.
    """
    p = Path(path)
    source = str(path)
    try:
        size = p.stat().st_size
    except OSError:
        return ReadResult(None, [Problem("JX-WB-001", "文件不存在或无法读取", source=source)])
    if p.is_dir():
        return ReadResult(None, [Problem("JX-WB-001", "这是目录，不是工作簿", source=source)])
    problems = _check_name(p.name, size, source)
    if problems:
        return ReadResult(None, problems)
    wb, problems = _load(p, source)
    if wb is None:
        return ReadResult(None, problems)
    return _read(WorkbookReader(source, wb, p), known_units)


def read_workbook_bytes(data: bytes, name: str, *, known_units: set[str] | None = None,
                        stored: StoredFunds | None = None) -> ReadResult:
    """Read a filled workbook held in memory (an upload) whose file name is ``name``; the same
    checks and problems as :func:`read_workbook`, without a file on disk. With ``stored``, its
    months and years are checked against each other and the records already stored (named by
    cell); without, a batch of files checks them (:func:`jixiao.ingest.files.read_files`)."""
    problems = _check_name(name, len(data), name)
    if problems:
        return ReadResult(None, problems)
    wb, problems = _load(data, name)
    if wb is None:
        return ReadResult(None, problems)
    return _read(WorkbookReader(name, wb, data), known_units, stored)


def read_loaded(wb: Workbook, source: str = "<workbook>", *, known_units: set[str] | None = None) -> ReadResult:
    """Read a workbook already in memory (formula results are not available)."""
    return _read(WorkbookReader(source, wb), known_units)


def _read(r: WorkbookReader, known_units: set[str] | None, stored: StoredFunds | None = None) -> ReadResult:
    groups = r.check_sheets()
    if r.errors:
        return ReadResult(None, r.problems)
    plain = Plain()
    code, year = read_unit_sheet(r, plain, groups)
    if "fund" in groups:
        for sheet in SHEETS_OF["fund"]:
            assert isinstance(sheet, FormSheet)
            read_form_sheet(r, sheet, plain.funds, plain)
        read_period_sheet(r, plain.periods)
    if "department" in groups:
        read_department_sheets(r, plain)
    if "project" in groups:
        read_project_sheets(r, plain)
    read_common_tables(r, plain)
    data = _assemble(r, plain, code, year)
    if code is None or year is None:
        return ReadResult(None, r.problems)
    loaded = dataset_from_data(data, r.source)
    r.problems += [_to_cell(r, p) for p in loaded.problems]
    if r.errors or loaded.dataset is None:
        return ReadResult(None, r.problems)
    dataset = loaded.dataset
    units = {code, *(known_units or ())} | ({str(plain.unit["parent"])} if plain.unit.get("parent") else set())
    checks = validate_dataset(dataset, units, r.source) + duplicate_records([(r.source, dataset)])
    if stored is not None:
        checks += period_problems([(r.source, dataset)], stored)
    r.problems += [_to_cell(r, p) for p in checks]
    if not (dataset.fund_years or dataset.fund_periods or dataset.departments or dataset.projects):
        r.problem("JX-WB-010", "工作簿中没有填写任何基金、部门或项目数据", r.cells.get(("unit_sheet", "code")),
                  "warning")
    if r.errors:
        return ReadResult(None, r.problems)
    return ReadResult(dataset, r.problems)


def _assemble(r: WorkbookReader, plain: Plain, code: str | None, year: int | None) -> dict[str, Any]:
    data: dict[str, Any] = {"money_unit": plain.money_unit}
    if plain.source is not None:
        data["source"] = plain.source
    if plain.unit:
        data["units"] = [plain.unit]
        for name in ("code", "name", "level", "kind", "parent", "region"):
            r.cells[("units", 0, name)] = r.cells.get(("unit_sheet", name), UNIT_SHEET)
    common = {"unit": code, "year": year}
    lists: dict[str, list[dict[str, Any]]] = {"fund_years": [], "fund_periods": [], "departments": [], "projects": []}
    records = [f for f in plain.funds if f.loc[0] == "fund_years"]
    if plain.department is not None and plain.department.touched:
        records.append(plain.department)
    records += plain.periods
    records += plain.projects
    for record in records:
        kind, index = str(record.loc[0]), record.loc[1]
        assert index == len(lists[kind]), (record.loc, len(lists[kind]))
        for name in ("unit", "year"):
            r.cells[(kind, index, name)] = r.cells.get(("unit_sheet", "code" if name == "unit" else "year"), UNIT_SHEET)
        lists[kind].append({**common, **record.data})
    data.update({k: v for k, v in lists.items() if v})
    return data


__all__ = ["read_loaded", "read_workbook", "read_workbook_bytes"]
