"""Importing data: files from the command line, a filled-in workbook uploaded on the web.

Both validate everything first and save all of it or nothing, in one transaction that this
module owns; a workbook import also writes one change-log entry per record it changes.
Problems found in the input (file, line or sheet!cell, field, Chinese message) come back as
values in the result.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from jixiao.app.changes import record_change
from jixiao.ingest.files import read_files
from jixiao.ingest.workbook import read_workbook_bytes
from jixiao.model import Dataset, DepartmentYear, FundYear, Project
from jixiao.model.users import Principal
from jixiao.problems import Problem
from jixiao.store.db import DatabaseError
from jixiao.store.repository import (
    SaveCounts,
    import_row,
    load_dataset,
    save_dataset,
    save_parts,
    tree_problems,
    unit_codes,
)


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

    Problems (file, line, field path, message) come back as values; :class:`DatabaseError` is
    raised only when the database itself fails.
    """
    try:
        # one transaction: the stored units the batch is checked against are the ones it joins
        with Session(engine) as session, session.begin():
            known = unit_codes(session)
            result = read_files(list(paths), known)
            problems = list(result.problems)
            if not result.ok or result.dataset is None:
                return ImportOutcome(problems)
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
            counts = save_parts(session, parts)
        return ImportOutcome(problems, counts, files)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise DatabaseError(f"写入数据库失败（未做任何修改）：{reason}") from exc


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


def import_workbook(db: Session, principal: Principal, unit: str, filename: str, data: bytes) -> WorkbookImport:
    """Validate a filled workbook for ``unit`` and save all of it or nothing (one transaction,
    one change-log entry per record changed). Problems are named by sheet and cell."""
    result = read_workbook_bytes(data, filename, known_units=unit_codes(db))
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
    old = {(entity, key): rec for entity, key, rec in record_entries(load_dataset(db, unit))}
    counts = save_dataset(db, dataset)
    for entity, key, rec in record_entries(dataset):
        before = old.get((entity, key))
        if before is None or before != rec:
            record_change(db, principal, "import" if before is None else "update", entity, key,
                          old=before, new=rec, detail=f"工作簿 {filename}")
    db.commit()
    saved = {table: counts.inserted[table] + counts.updated[table] for table in counts.inserted}
    return WorkbookImport(ok=True, problems=problems, saved=saved, years=sorted({r.year for r in records}))


__all__ = ["ImportOutcome", "ImportedFile", "WorkbookImport", "import_files", "import_workbook", "record_entries"]
