"""Writing a unit-year's reports (docx, xlsx, html): into a folder for the command line, or as
one download (the file itself, or a zip of several) for the web.

Each 自评表 is scored by a rule set: the one asked for, else the unit's own (its own or its
nearest ancestor's). A report is written whole or not at all: files are staged in a temporary
folder and moved into place only when every one of them succeeded.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from jixiao.app.errors import InvalidRequest, NotFound
from jixiao.app.units import rules_of_unit
from jixiao.model import Dataset
from jixiao.rules import RuleSet
from jixiao.store.repository import load_dataset
from jixiao.write import score_tables, write_report

MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
    "zip": "application/zip",
}


@dataclass
class WrittenReports:
    """The files written, and each unit-year's 自评表 scores (table name → scores)."""

    paths: list[Path]
    scores: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)


def write_reports(
    dataset: Dataset, pairs: Sequence[tuple[str, int]], out_dir: Path, formats: Sequence[str], *, placeholders: bool,
    rules: RuleSet | str = "default", charts: bool = True,
    rules_for: Mapping[tuple[str, int], RuleSet | str] | None = None,
) -> WrittenReports:
    """Write the reports of every unit-year of ``pairs`` into ``out_dir``, all or nothing.

    Every 自评表 is scored by ``rules_for[(unit, year)]`` when given, else by ``rules``.
    :class:`InvalidRequest` when the data cannot make a report (the writer says why).
    """
    scored: dict[tuple[str, int], dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="jixiao-report-") as tmp:
        staged: list[Path] = []
        for code, year in pairs:
            try:
                scores = score_tables(dataset, code, year, (rules_for or {}).get((code, year), rules))
                scored[(code, year)] = dict(scores)
                staged += write_report(dataset, code, year, Path(tmp), formats, placeholders=placeholders,
                                       scores=scores, charts=charts)
            except ValueError as exc:
                raise InvalidRequest(str(exc)) from exc
        out_dir.mkdir(parents=True, exist_ok=True)
        written = []
        for path in staged:
            target = out_dir / path.relative_to(tmp)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(path), target)
            written.append(target)
    return WrittenReports(written, scored)


@dataclass(frozen=True)
class ReportFile:
    """One download: its file name, its bytes and its media type."""

    filename: str
    data: bytes
    media_type: str


def report_file(
    db: Session, unit: str, year: int, fmt: str, *,
    part: Callable[[Dataset], Dataset] | None = None, rules: str | None = None,
) -> ReportFile:
    """``unit``'s reports for ``year`` in ``fmt``: the file itself when there is one report, a zip
    of all of them when there are several; each 自评表 scored by ``rules``, else by the unit's
    rule set. ``part`` picks the records of one report out of the unit-year's.
    :class:`NotFound` when the unit-year has no data or the part makes no report."""
    dataset = load_dataset(db, unit, year)
    if not (dataset.fund_years or dataset.departments or dataset.projects):
        raise NotFound(f"{unit} 没有 {year} 年的数据，无法生成报告")
    if part is not None:
        dataset = part(dataset)
    with tempfile.TemporaryDirectory(prefix="jixiao-report-") as tmp:
        try:
            paths = write_report(dataset, unit, year, tmp, (fmt,), rules=rules or rules_of_unit(db, unit))
        except ValueError as exc:
            raise NotFound(str(exc)) from exc
        if len(paths) == 1:
            return ReportFile(paths[0].name, paths[0].read_bytes(), MEDIA_TYPES[fmt])
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in paths:
                archive.write(path, path.name)
        return ReportFile(f"{unit}_{year}_报告_{fmt}.zip", buffer.getvalue(), MEDIA_TYPES["zip"])


def report_part(dataset: Dataset, part: str) -> Dataset:
    """The records of ``dataset`` one report is made from: ``fund``, ``department`` or
    ``project-N`` (N: the project's place among the unit-year's, from 1). NotFound otherwise."""
    units = list(dataset.units)
    if part == "fund" and dataset.fund_years:
        return Dataset(units=units, fund_years=list(dataset.fund_years))
    if part == "department" and dataset.departments:
        return Dataset(units=units, departments=list(dataset.departments))
    number = part.removeprefix("project-")
    if part.startswith("project-") and number.isascii() and number.isdigit() \
            and 1 <= int(number) <= len(dataset.projects):
        return Dataset(units=units, projects=[dataset.projects[int(number) - 1]])
    raise NotFound(f"没有这份报告：{part}")


__all__ = ["MEDIA_TYPES", "ReportFile", "WrittenReports", "report_file", "report_part", "write_reports"]
