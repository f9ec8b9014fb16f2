"""Importing data: files from the command line, a filled-in workbook uploaded on the web.

Both validate everything first and save all of it or nothing, in one transaction that this
module owns; a workbook import also writes one change-log entry per record it changes, a
command-line import one per unit-year it changes. Problems found in the input (file, line or
sheet!cell, field, Chinese message) come back as values in the result.

Versions: every import moves on the version of each unit-year it changes. A workbook downloaded
from jixiao carries the version of the data it was filled from (a custom document property,
kept by Excel and WPS when the file is saved); uploaded after someone else changed that
unit-year, it is refused with :class:`~jixiao.app.errors.Conflict` instead of undoing their
change. A workbook that carries no version (a blank template filled by hand) replaces what is
stored, and the change log keeps every replaced record.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from jixiao.app.busy import CLI_PATIENCE, with_retry
from jixiao.app.changes import conflict, record_change
from jixiao.app.errors import Busy, NotFound
from jixiao.ingest.files import read_files
from jixiao.ingest.workbook import read_workbook_bytes
from jixiao.model import Dataset, DepartmentYear, FundYear, Project
from jixiao.model.users import Principal
from jixiao.problems import Problem
from jixiao.store.db import DatabaseError
from jixiao.store.indicator_store import precompute
from jixiao.store.repository import (
    SaveCounts,
    import_row,
    load_dataset,
    save_dataset,
    save_parts,
    tree_problems,
    unit_codes,
)
from jixiao.store.versions import StaleVersion, UnitYear, versions


@dataclass
class ImportedFile:
    file: str
    sha256: str
    import_id: int
    new: bool


@dataclass
class ImportOutcome:
    """Result of :func:`import_files`: the problems found, and what was saved when none were errors."""

    problems: list[Problem]
    counts: SaveCounts | None = None
    files: list[ImportedFile] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.counts is not None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def import_files(engine: Engine, paths: Sequence[str | Path]) -> ImportOutcome:
    """Validate ``paths`` as one batch against the stored units, then save all of it or nothing.

    Problems (file, line, field path, message) come back as values; a busy database is waited
    for (:data:`~jixiao.app.busy.CLI_PATIENCE`); :class:`DatabaseError` is raised only when the
    database itself fails.
    """
    try:
        with Session(engine) as session:
            return with_retry(session, lambda: _import_files(session, paths), patience=CLI_PATIENCE)
    except Busy as exc:
        raise DatabaseError(str(exc)) from exc
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise DatabaseError(f"写入数据库失败（未做任何修改）：{reason}") from exc


def _import_files(session: Session, paths: Sequence[str | Path]) -> ImportOutcome:
    # one transaction: the stored units the batch is checked against are the ones it joins. On
    # SQLite it holds the write lock from its first write: reading, checking and computing the
    # indicators all come before that, so other writers wait for the writing only
    with session.begin():
        known = unit_codes(session)
        result = read_files(list(paths), known)
        problems = list(result.problems)
        if not result.ok or result.dataset is None:
            return ImportOutcome(problems)
        batch = result.dataset
        ready = precompute(batch.fund_years, batch.departments, batch.projects)
        cycle = tree_problems(session, result.dataset)
        if cycle:
            source = result.parts[0][0] if len(result.parts) == 1 else None
            return ImportOutcome(problems + [replace(p, source=source) for p in cycle])
        problems += _periods_not_kept(result.parts)
        files: list[ImportedFile] = []
        parts: list[tuple[int | None, Dataset]] = []
        for source, dataset in result.parts:
            path = Path(source)
            row, new = import_row(session, str(path.resolve()), _sha256(path), dataset)
            files.append(ImportedFile(source, row.sha256, row.id, new))
            parts.append((row.id, dataset))
        counts = save_parts(session, parts, by=CLI_USER, ready=ready)
        for (unit, year), version in sorted(counts.versions.items()):
            record_change(session, None, "import", "unit_year", f"{unit}/{year}", new={"version": version},
                          detail=f"命令行导入数据文件 {len(files)} 个", unit_year=(unit, year, version))
    return ImportOutcome(problems, counts, files)


#: who a command-line import is in the unit-year rows (the change log says "（系统）")
CLI_USER = "（命令行）"

def _periods_not_kept(parts: list[tuple[str, Dataset]]) -> list[Problem]:
    """The store keeps no monthly or quarterly figures yet: say so rather than drop them unseen."""
    return [Problem("JX-IN-040", f"本文件的 {len(ds.fund_periods)} 条月度、季度基金数据已通过校验，"
                                 "但数据库尚不保存这类数据，本次未导入", "warning", source)
            for source, ds in parts if ds.fund_periods]


# --------------------------------------------------------------------------------------------
# A workbook uploaded for one unit
# --------------------------------------------------------------------------------------------


@dataclass
class WorkbookImport:
    """What an uploaded workbook did: its problems, and when it was saved, the records saved per
    table and the years they are of."""

    ok: bool
    problems: list[Problem]
    saved: dict[str, int] = field(default_factory=dict)
    years: list[int] = field(default_factory=list)
    versions: dict[str, int] = field(default_factory=dict)  # "unit/year" → version after the save


def record_entries(dataset: Dataset) -> list[tuple[str, str, Any]]:
    """(entity, key, record) of every record of a dataset, keyed as the change log keys them."""
    out: list[tuple[str, str, Any]] = []
    for fy in dataset.fund_years:
        out.append(("fund_year", f"{fy.unit}/{fy.year}/{fy.fund.value}/{fy.scope or ''}", fy))
    for dy in dataset.departments:
        out.append(("department_year", f"{dy.unit}/{dy.year}", dy))
    for pr in dataset.projects:
        out.append(("project", f"{pr.unit}/{pr.year}/{pr.name}", pr))
    return out


def _records(dataset: Dataset) -> list[FundYear | DepartmentYear | Project]:
    return [*dataset.fund_years, *dataset.departments, *dataset.projects]


#: the custom document property a downloaded workbook carries: "unit/year/version"
VERSION_PROPERTY = "jixiao-version"
_STAMP = re.compile(r"^(?P<unit>[^/]{1,40})/(?P<year>\d{4})/(?P<version>\d{1,9})$")


def workbook_stamp(data: bytes) -> dict[UnitYear, int]:
    """The unit-year version a workbook downloaded from jixiao was filled from ({} when none)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("docProps/custom.xml")
            if info.file_size > 64 * 1024:
                return {}
            text = archive.read(info).decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, OSError, ValueError):
        return {}
    found = re.search(r'name="' + VERSION_PROPERTY + r'"[^>]*>\s*<vt:lpwstr[^>]*>([^<]{1,80})</vt:lpwstr>', text)
    match = _STAMP.match(found.group(1).strip()) if found else None
    if match is None:
        return {}
    return {(match["unit"], int(match["year"])): int(match["version"])}


def import_workbook(db: Session, principal: Principal, unit: str, filename: str, data: bytes,
                    version: int | None = None) -> WorkbookImport:
    """Validate a filled workbook for ``unit`` and save all of it or nothing (one transaction,
    one change-log entry per record changed). Problems are named by sheet and cell.

    The version the workbook was filled from (its stamp, or ``version`` for every unit-year it
    holds) must still be the stored one, else :class:`~jixiao.app.errors.Conflict`."""
    result = read_workbook_bytes(data, filename, known_units=unit_codes(db))
    db.rollback()  # the read above must not hold a snapshot the write would then find stale
    problems = [replace(p, source=filename) for p in result.problems]
    dataset = result.dataset
    if dataset is None or any(p.severity == "error" for p in problems):
        return WorkbookImport(ok=False, problems=problems)
    records = _records(dataset)
    wrong = sorted({r.unit for r in records} - {unit} | {u.code for u in dataset.units} - {unit})
    if wrong:
        problems.append(Problem("JX-WEB-001", f"工作簿中的单位代码“{'、'.join(wrong)}”与当前单位“{unit}”不符，"
                                "未保存任何数据", source=filename, path="单位信息"))
        return WorkbookImport(ok=False, problems=problems)
    if not principal.is_admin:
        # the unit's own definition (name, parent) is the administrator's; an operator sends figures only
        dataset = dataset.model_copy(update={"units": []})
    expected = workbook_stamp(data)
    if version is not None:
        expected.update(dict.fromkeys({(r.unit, r.year) for r in records}, version))
    return with_retry(db, lambda: _save_workbook(db, principal, unit, filename, dataset, expected, problems))


def _save_workbook(db: Session, principal: Principal, unit: str, filename: str, dataset: Dataset,
                   expected: dict[UnitYear, int], problems: list[Problem]) -> WorkbookImport:
    old = {(entity, key): rec for entity, key, rec in record_entries(load_dataset(db, unit))}
    try:
        counts = save_dataset(db, dataset, expected=expected, by=principal.username)
    except StaleVersion as stale:
        db.rollback()
        raise conflict(db, stale) from None
    for entity, key, rec in record_entries(dataset):
        before = old.get((entity, key))
        if before is None or before != rec:
            made = counts.versions.get((rec.unit, rec.year))
            record_change(db, principal, "import" if before is None else "update", entity, key,
                          old=before, new=rec, detail=f"工作簿 {filename}",
                          unit_year=(rec.unit, rec.year, made) if made is not None else None)
    db.commit()
    saved = {table: counts.inserted[table] + counts.updated[table] for table in counts.inserted}
    return WorkbookImport(ok=True, problems=problems, saved=saved, years=sorted({r.year for r in _records(dataset)}),
                          versions={f"{u}/{y}": v for (u, y), v in counts.versions.items()})


def filled_workbook(db: Session, unit: str, year: int) -> bytes:
    """The unit-year's data in the fill-in workbook, stamped with the version it was filled
    from; NotFound when the unit-year has no data."""
    from openpyxl.packaging.custom import StringProperty

    from jixiao.write.workbook import fill_workbook

    dataset = load_dataset(db, unit, year)
    if not (dataset.fund_years or dataset.departments or dataset.projects):
        raise NotFound(f"{unit} 没有 {year} 年的数据")
    version = versions(db, [(unit, year)])[(unit, year)]
    workbook = fill_workbook(dataset, unit, year)
    workbook.custom_doc_props.append(StringProperty(name=VERSION_PROPERTY, value=f"{unit}/{year}/{version}"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


__all__ = [
    "VERSION_PROPERTY",
    "ImportOutcome",
    "ImportedFile",
    "WorkbookImport",
    "filled_workbook",
    "import_files",
    "import_workbook",
    "record_entries",
    "workbook_stamp",
]
