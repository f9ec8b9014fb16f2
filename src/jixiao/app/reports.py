"""Writing a unit-year's reports (docx, xlsx, html) and their working papers (审核底稿, xlsx): into
a folder for the command line, or as one download (the file itself, or a zip of several) for the web.

Each 自评表 is scored by a rule set: the one asked for, else the unit's own (its own or its
nearest ancestor's). A report is written whole or not at all: files are staged in a temporary
folder and moved into place only when every one of them succeeded. A part of a unit-year with no
data makes no report; the notices say which, and what each report leaves to fill in or to check.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from jixiao.app.errors import InvalidRequest, NotFound
from jixiao.app.units import rules_of_unit
from jixiao.model import Dataset
from jixiao.problems import Problem
from jixiao.rules import RuleSet
from jixiao.store.repository import load_dataset
from jixiao.write import is_workpaper, notices, plan, reports_for, score_tables, write_files
from jixiao.write.report import Report

MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
    "zip": "application/zip",
}
#: the download of a report's working paper (an .xlsx)
WORKPAPER = "workpaper"


@dataclass
class WrittenReports:
    """The files written (working papers among them), each unit-year's 自评表 scores (table name →
    scores), and the notices on the reports (parts without a report, what is left to do)."""

    paths: list[Path]
    scores: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    notices: list[Problem] = field(default_factory=list)

    @property
    def workpapers(self) -> list[Path]:
        return [p for p in self.paths if is_workpaper(p)]


def _reports(dataset: Dataset, code: str, year: int, rules: RuleSet | str, *, placeholders: bool,
             charts: bool) -> tuple[list[Report], dict[str, Any]]:
    scores = score_tables(dataset, code, year, rules)
    reports = reports_for(dataset, code, year, placeholders=placeholders, scores=scores, rules=rules, charts=charts)
    if not reports:
        why = "；".join(p.reason for p in plan(dataset, code, year) if p.reason)
        raise InvalidRequest(f"数据中没有单位“{code}”{year}年度可写成报告的基金、部门或项目数据，无法生成报告"
                             + (f"（{why}）" if why else ""))
    return reports, dict(scores)


def write_reports(
    dataset: Dataset, pairs: Sequence[tuple[str, int]], out_dir: Path, formats: Sequence[str], *, placeholders: bool,
    rules: RuleSet | str = "default", charts: bool = True,
    rules_for: Mapping[tuple[str, int], RuleSet | str] | None = None,
) -> WrittenReports:
    """Write the reports of every unit-year of ``pairs`` into ``out_dir``, each with its working
    paper, all or nothing.

    Every 自评表 is scored by ``rules_for[(unit, year)]`` when given, else by ``rules``.
    :class:`InvalidRequest` when the data cannot make a report (the writer says why).
    """
    scored: dict[tuple[str, int], dict[str, Any]] = {}
    said: list[Problem] = []
    with tempfile.TemporaryDirectory(prefix="jixiao-report-") as tmp:
        staged: list[Path] = []
        for code, year in pairs:
            chosen = (rules_for or {}).get((code, year), rules)
            try:
                reports, scores = _reports(dataset, code, year, chosen, placeholders=placeholders, charts=charts)
                for report in reports:
                    staged += write_files(report, Path(tmp), formats)
            except ValueError as exc:
                raise InvalidRequest(str(exc)) from exc
            scored[(code, year)] = scores
            said += notices(dataset, code, year, reports)
        out_dir.mkdir(parents=True, exist_ok=True)
        written = []
        for path in staged:
            target = out_dir / path.relative_to(tmp)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(path), target)
            written.append(target)
    return WrittenReports(written, scored, said)


@dataclass(frozen=True)
class ReportFile:
    """One download: its file name, its bytes and its media type."""

    filename: str
    data: bytes
    media_type: str


@dataclass(frozen=True)
class ReportPart:
    """One report of a unit-year (the fund report, the department report, one per project)."""

    part: str  # "fund" | "department" | "project-N" (N: the project's place among the unit-year's, from 1)
    title: str


def report_parts(db: Session, unit: str, year: int) -> list[ReportPart]:
    """The reports a unit-year's data make, in order (a part with no data makes none)."""
    return planned_parts(load_dataset(db, unit, year), unit, year)


def planned_parts(dataset: Dataset, unit: str, year: int) -> list[ReportPart]:
    """:func:`report_parts` of records already read (the dashboard keeps them with its page)."""
    return [ReportPart(p.part, p.title) for p in plan(dataset, unit, year) if p.made]


def report_file(db: Session, unit: str, year: int, fmt: str, *, part: str | None = None, rules: str | None = None,
                ) -> ReportFile:
    """``unit``'s reports for ``year`` in ``fmt`` (docx, xlsx, html, or ``workpaper``: the 审核底稿):
    one report (``part``: fund, department, project-N) as its own file, or all of them — the file
    itself when there is one, a zip when there are several. Each 自评表 is scored by ``rules``, else
    by the unit's rule set. :class:`NotFound` when the unit-year has no data or no such report."""
    dataset = load_dataset(db, unit, year)
    if not (dataset.fund_years or dataset.departments or dataset.projects):
        raise NotFound(f"{unit} 没有 {year} 年的数据，无法生成报告")
    try:
        reports, _ = _reports(dataset, unit, year, rules or rules_of_unit(db, unit), placeholders=True, charts=True)
    except InvalidRequest as exc:
        raise NotFound(str(exc)) from exc
    if part is not None:
        reports = [r for r in reports if r.part == part]
        if not reports:
            raise NotFound(f"没有这份报告：{part}")
    with tempfile.TemporaryDirectory(prefix="jixiao-report-") as tmp:
        paths: list[Path] = []
        for report in reports:
            written = write_files(report, Path(tmp), () if fmt == WORKPAPER else (fmt,), workpaper=fmt == WORKPAPER)
            paths += written
        if len(paths) == 1:
            kind = "xlsx" if fmt == WORKPAPER else fmt
            return ReportFile(paths[0].name, paths[0].read_bytes(), MEDIA_TYPES[kind])
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in paths:
                archive.write(path, path.name)
        name = "审核底稿" if fmt == WORKPAPER else f"报告_{fmt}"
        return ReportFile(f"{unit}_{year}_{name}.zip", buffer.getvalue(), MEDIA_TYPES["zip"])


__all__ = ["MEDIA_TYPES", "WORKPAPER", "ReportFile", "ReportPart", "WrittenReports", "planned_parts", "report_file",
           "report_parts", "write_reports"]
