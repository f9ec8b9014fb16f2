"""Read input files (YAML, JSON, filled-in workbooks) into a :class:`~jixiao.model.Dataset`.

:func:`read_file` reads one file by its kind; :func:`read_files` reads several as one batch and
validates them together (a unit may be defined in another file of the batch, or be one already
stored). A batch with any error-level problem yields no dataset at all, so nothing half-read
goes on.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from jixiao.ingest.data import ReadResult, assumptions_from_data, dataset_from_data
from jixiao.ingest.validate import StoredFunds, duplicate_records, period_problems, validate_dataset
from jixiao.ingest.workbook.reader import read_workbook
from jixiao.model import Dataset, Unit
from jixiao.model.budget import BudgetFile
from jixiao.parsing import parse_text
from jixiao.problems import Problem

MAX_INPUT_BYTES = 20 * 1024 * 1024


def read_file(path: str | Path) -> ReadResult:
    """Read one YAML/JSON file or filled workbook (.xlsx); never raises for bad content."""
    p = Path(path)
    source = str(path)
    try:
        size = p.stat().st_size
    except OSError:
        return ReadResult(None, [Problem("JX-IN-001", "文件不存在或无法读取", source=source)])
    if p.is_dir():
        return ReadResult(None, [Problem("JX-IN-001", "这是目录，不是数据文件", source=source)])
    if size > MAX_INPUT_BYTES:
        message = f"文件过大（{size} 字节，上限 {MAX_INPUT_BYTES}）"
        return ReadResult(None, [Problem("JX-IN-001", message, source=source)])
    suffix = p.suffix.lower()
    if suffix == ".xlsx":  # a filled-in workbook (jixiao template); problems name sheet and cell
        return read_workbook(p)
    if suffix not in (".yaml", ".yml", ".json"):
        message = f"不支持的文件类型“{suffix or '无扩展名'}”（应为 .yaml、.json 或 .xlsx）"
        return ReadResult(None, [Problem("JX-IN-001", message, source=source)])
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return ReadResult(None, [Problem("JX-IN-001", "文件不是 UTF-8 编码", source=source)])
    data, lines, problems = parse_text(text, source, "json" if suffix == ".json" else "yaml")
    if problems:
        return ReadResult(None, problems)
    return dataset_from_data(data, source, lines)


def read_assumptions(path: str | Path) -> tuple[BudgetFile | None, list[Problem]]:
    """Read a YAML/JSON file of budget assumptions (``budgets:``); never raises for bad content."""
    p, source = Path(path), str(path)
    if p.suffix.lower() not in (".yaml", ".yml", ".json"):
        return None, [Problem("JX-IN-001", "预算测算假设应为 .yaml 或 .json 文件", source=source)]
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except OSError:
        return None, [Problem("JX-IN-001", "文件不存在或无法读取", source=source)]
    except UnicodeDecodeError:
        return None, [Problem("JX-IN-001", "文件不是 UTF-8 编码", source=source)]
    data, lines, problems = parse_text(text, source, "json" if p.suffix.lower() == ".json" else "yaml")
    if problems:
        return None, problems
    return assumptions_from_data(data, source, lines)


def _with_line(problem: Problem, lines: dict[tuple[str | int, ...], int]) -> Problem:
    """Give a validation problem the YAML line of its field path when known."""
    if problem.line is not None or not problem.path or not lines:
        return problem
    loc = tuple(int(p) if p.isdigit() else p for p in re.split(r"[.\[\]]+", problem.path) if p)
    line = next((lines[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in lines), None)
    return replace(problem, line=line) if line else problem


def read_files(paths: list[str | Path], known_units: set[str] | None = None, *,
               stored: StoredFunds | None = None) -> ReadResult:
    """Load several files as one batch and validate them together (units may be in another file;
    a year's months may be in one file and the year in another).

    ``known_units`` are unit codes already in the database; ``stored`` gives the fund records
    already stored, which a year's months and the year are checked against too. Any error
    anywhere → no dataset.
    """
    problems: list[Problem] = []
    loaded: list[tuple[str, Dataset]] = []
    lines: dict[str, dict[tuple[str | int, ...], int]] = {}
    for path in paths:
        result = read_file(path)
        problems.extend(result.problems)
        if result.dataset is not None:
            loaded.append((str(path), result.dataset))
            lines[str(path)] = result.lines
    if not loaded or any(p.severity == "error" for p in problems):
        return ReadResult(None, problems)
    units = set(known_units or ()) | {u.code for _, ds in loaded for u in ds.units}
    for source, dataset in loaded:
        problems.extend(validate_dataset(dataset, units, source))
    problems.extend(duplicate_records(loaded))
    problems.extend(period_problems(loaded, stored))
    problems = [_with_line(p, lines.get(p.source or "", {})) for p in problems]
    # a workbook is validated by its reader too: say each problem once
    problems = list({(p.code, p.source, p.path, p.message): p for p in problems}.values())
    if any(p.severity == "error" for p in problems):
        return ReadResult(None, problems)
    merged = loaded[0][1]
    for _, dataset in loaded[1:]:
        merged = merged.merged(dataset)
    unique_units: dict[str, Unit] = {}
    for unit in merged.units:  # a unit stated alike in two files is kept once
        unique_units.setdefault(unit.code, unit)
    merged.units = list(unique_units.values())
    return ReadResult(merged, problems, parts=loaded)
