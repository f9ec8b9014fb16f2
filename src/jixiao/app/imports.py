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

import functools
import hashlib
import io
import re
import zipfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from jixiao.app.busy import CLI_PATIENCE, with_retry
from jixiao.app.changes import conflict, jsonable, record_change
from jixiao.app.errors import Busy, NotFound
from jixiao.app.lock import locked, locked_reason
from jixiao.app.pages.dashboard import keep_dashboards, stale_dashboards
from jixiao.app.pages.rollup import refresh_rollup, rollup_parents
from jixiao.ingest.files import read_files
from jixiao.ingest.workbook import read_workbook_bytes
from jixiao.model import Dataset, DepartmentYear, FundYear, Project
from jixiao.model.periods import FundPeriod
from jixiao.model.users import Principal
from jixiao.problems import Problem
from jixiao.store.db import DatabaseError
from jixiao.store.indicator_store import precompute
from jixiao.store.pages import unit_years_with_data
from jixiao.store.repository import (
    SaveCounts,
    import_row,
    load_dataset,
    save_dataset,
    save_parts,
    stored_funds,
    tree_problems,
    unit_codes,
    unit_year_records,
)
from jixiao.store.uploads import record_import
from jixiao.store.versions import LockedUnitYear, StaleVersion, UnitYear, versions


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
            outcome = with_retry(session, lambda: _import_files(session, paths), patience=CLI_PATIENCE)
        if outcome.counts is not None:
            keep_pages(engine, outcome.counts.versions)
            keep_rollups(engine, below={unit for unit, _ in outcome.counts.versions})
        return outcome
    except LockedUnitYear as exc:
        return ImportOutcome([_locked_problem(x.unit, x.year, x.status) for x in exc.locked])
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
        result = read_files(list(paths), known, stored=functools.partial(stored_funds, session))
        problems = list(result.problems)
        if not result.ok or result.dataset is None:
            return ImportOutcome(problems)
        batch = result.dataset
        ready = precompute(batch.fund_years, batch.departments, batch.projects)
        cycle = tree_problems(session, result.dataset)
        if cycle:
            source = result.parts[0][0] if len(result.parts) == 1 else None
            return ImportOutcome(problems + [replace(p, source=source) for p in cycle])
        files: list[ImportedFile] = []
        parts: list[tuple[int | None, Dataset]] = []
        for source, dataset in result.parts:
            path = Path(source)
            row, new = import_row(session, str(path.resolve()), _sha256(path), dataset)
            files.append(ImportedFile(source, row.sha256, row.id, new))
            parts.append((row.id, dataset))
        counts = save_parts(session, parts, by=CLI_USER, ready=ready)
        # how many files, not their names: the log is read by officials (who never see file names)
        how = f"命令行导入（{len(files)} 个文件）"
        for (unit, year), version in sorted(counts.versions.items()):
            record_change(session, None, "import", "unit_year", f"{unit}/{year}", new={"version": version},
                          detail=how, unit_year=(unit, year, version))
    return ImportOutcome(problems, counts, files)


def keep_pages(engine: Engine, keys: Collection[UnitYear], chunk: int = 50) -> int:
    """Keep the dashboards of the unit-years a load changed, after its transaction (computing a
    large batch's pages inside it would hold SQLite's one write lock for minutes), a few at a
    time. A page made from data that changed meanwhile is kept under that data's key, so it is
    never shown for other data; one missing is made when first shown. The number kept."""
    done = 0
    ordered = sorted(keys)
    for start in range(0, len(ordered), chunk):
        part = ordered[start:start + chunk]
        with Session(engine) as session:
            try:
                done += with_retry(session, functools.partial(_keep_chunk, session, part), patience=CLI_PATIENCE)
            except (Busy, SQLAlchemyError):  # a page not kept now is made when it is first shown
                session.rollback()
    return done


def refresh_pages(engine: Engine, *, force: bool = False) -> tuple[int, int]:
    """Keep the dashboard of every unit-year whose kept page is missing or stale (every one with
    ``force``): what ``jixiao db reindex`` does after the stored values. (unit-years, kept)."""
    with Session(engine) as session:
        keys = unit_years_with_data(session) if force else stale_dashboards(session)
    return len(keys), keep_pages(engine, keys)


def keep_rollups(engine: Engine, *, below: Collection[str] | None = None, force: bool = False) -> tuple[int, int]:
    """Keep the roll-up of every parent unit and year whose kept one is missing or stale (every
    one with ``force``; ``below``: only the parents of these units), one transaction each, after
    an import's: what ``jixiao db reindex`` does too. (roll-ups there are, made)."""
    with Session(engine) as session:
        keys = rollup_parents(session, below)
    made = 0
    for unit, year in keys:
        with Session(engine) as session:
            def one(session: Session = session, unit: str = unit, year: int = year) -> bool:
                done = refresh_rollup(session, unit, year, force=force)
                session.commit()
                return done
            try:
                made += with_retry(session, one, patience=CLI_PATIENCE)
            except (Busy, SQLAlchemyError):  # a roll-up not kept now is made when it is first shown
                session.rollback()
    return len(keys), made


def _keep_chunk(session: Session, keys: Sequence[UnitYear]) -> int:
    kept = keep_dashboards(session, keys)
    session.commit()
    return kept


def _locked_problem(unit: str, year: int, status: str) -> Problem:
    reason = locked_reason(status, subject=f"单位 {unit} {year} 年的数据")
    return Problem("JX-IN-041", f"{reason}；本批文件未导入任何数据")


#: who a command-line import is in the unit-year rows (the change log says "（系统）")
CLI_USER = "（命令行）"


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
    import_id: int | None = None  # the kept import (an undo names it); None when nothing changed


def record_entries(dataset: Dataset) -> list[tuple[str, str, Any]]:
    """(entity, key, record) of every record of a dataset, keyed as the change log keys them."""
    out: list[tuple[str, str, Any]] = []
    for fy in dataset.fund_years:
        out.append(("fund_year", f"{fy.unit}/{fy.year}/{fy.fund.value}/{fy.scope or ''}", fy))
    for fp in dataset.fund_periods:
        out.append(("fund_period", f"{fp.unit}/{fp.year}/{fp.fund.value}/{fp.scope or ''}/{fp.span}", fp))
    for dy in dataset.departments:
        out.append(("department_year", f"{dy.unit}/{dy.year}", dy))
    for pr in dataset.projects:
        out.append(("project", f"{pr.unit}/{pr.year}/{pr.name}", pr))
    return out


def _records(dataset: Dataset) -> list[FundYear | FundPeriod | DepartmentYear | Project]:
    return unit_year_records(dataset)


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


@dataclass
class CheckedWorkbook:
    """An uploaded workbook read and checked for one unit: its problems, and the dataset to save
    (None when it cannot be saved) with the unit-year versions it was filled from."""

    problems: list[Problem]
    dataset: Dataset | None = None
    expected: dict[UnitYear, int] = field(default_factory=dict)


def check_workbook(db: Session, principal: Principal, unit: str, filename: str, data: bytes,
                   version: int | None = None) -> CheckedWorkbook:
    """Read a filled workbook for ``unit`` and check it (problems named by sheet and cell); an
    operator's workbook brings figures only, never the unit's own definition. ``expected``: the
    version it was filled from (its stamp, or ``version`` for every unit-year it holds)."""
    result = read_workbook_bytes(data, filename, known_units=unit_codes(db), stored=functools.partial(stored_funds, db))
    db.rollback()  # the read above must not hold a snapshot the write would then find stale
    problems = [replace(p, source=filename) for p in result.problems]
    dataset = result.dataset
    if dataset is None or any(p.severity == "error" for p in problems):
        return CheckedWorkbook(problems)
    records = _records(dataset)
    wrong = sorted({r.unit for r in records} - {unit} | {u.code for u in dataset.units} - {unit})
    if wrong:
        problems.append(Problem("JX-WEB-001", f"工作簿中的单位代码“{'、'.join(wrong)}”与当前单位“{unit}”不符，"
                                "未保存任何数据", source=filename, path="单位信息"))
        return CheckedWorkbook(problems)
    if not principal.is_admin:
        # the unit's own definition (name, parent) is the administrator's; an operator sends figures only
        dataset = dataset.model_copy(update={"units": []})
    expected = workbook_stamp(data)
    if version is not None:
        expected.update(dict.fromkeys({(r.unit, r.year) for r in records}, version))
    return CheckedWorkbook(problems, dataset, expected)


def import_workbook(db: Session, principal: Principal, unit: str, filename: str, data: bytes,
                    version: int | None = None) -> WorkbookImport:
    """Validate a filled workbook for ``unit`` and save all of it or nothing (one transaction,
    one change-log entry per record changed; the import kept so it can be undone). Problems are
    named by sheet and cell.

    The version the workbook was filled from (its stamp, or ``version`` for every unit-year it
    holds) must still be the stored one, else :class:`~jixiao.app.errors.Conflict`; a submitted
    or approved year: :class:`~jixiao.app.errors.NotNow`."""
    checked = check_workbook(db, principal, unit, filename, data, version)
    if checked.dataset is None:
        return WorkbookImport(ok=False, problems=checked.problems)
    dataset = checked.dataset
    sha = hashlib.sha256(data).hexdigest()
    return with_retry(db, lambda: save_workbook(db, principal, unit, filename, sha, dataset, checked.expected,
                                                checked.problems))


def _where(entity: str, rec: FundYear | DepartmentYear | Project) -> dict[str, Any]:
    """A record's key as plain fields (what an undo needs to find it again)."""
    out: dict[str, Any] = {"unit": rec.unit, "year": rec.year}
    if isinstance(rec, FundYear):
        out.update(fund=rec.fund.value, scope=rec.scope or "")
    elif isinstance(rec, Project):
        out.update(name=rec.name)
    return out


def save_workbook(db: Session, principal: Principal, unit: str, filename: str, sha256: str, dataset: Dataset,
                  expected: dict[UnitYear, int], problems: list[Problem]) -> WorkbookImport:
    """Save a checked workbook's dataset at the ``expected`` versions (one change-log entry per
    record changed, and the records it replaced kept for an undo); commits."""
    old = {(entity, key): rec for entity, key, rec in record_entries(load_dataset(db, unit))}
    try:
        counts = save_dataset(db, dataset, expected=expected, by=principal.username)
    except StaleVersion as stale:
        db.rollback()
        raise conflict(db, stale) from None
    except LockedUnitYear as exc:
        db.rollback()
        raise locked(db, exc) from None
    keep_dashboards(db, counts.versions)  # the pages with their data, in the same transaction
    replaced: list[dict[str, Any]] = []
    for entity, key, rec in record_entries(dataset):
        before = old.get((entity, key))
        if before is None or before != rec:
            made = counts.versions.get((rec.unit, rec.year))
            record_change(db, principal, "import" if before is None else "update", entity, key,
                          old=before, new=rec, detail=f"工作簿 {filename}",
                          unit_year=(rec.unit, rec.year, made) if made is not None else None)
            replaced.append({"entity": entity, "key": key, **_where(entity, rec), "old": jsonable(before)})
    kept = record_import(db, user_id=principal.user_id, username=principal.username, unit=unit, filename=filename,
                         sha256=sha256, made=counts.versions, replaced=replaced) if counts.versions else None
    db.commit()
    saved = {table: counts.inserted[table] + counts.updated[table] for table in counts.inserted}
    return WorkbookImport(ok=True, problems=problems, saved=saved, years=sorted({r.year for r in _records(dataset)}),
                          versions={f"{u}/{y}": v for (u, y), v in counts.versions.items()},
                          import_id=kept.id if kept is not None else None)


def filled_workbook(db: Session, unit: str, year: int) -> bytes:
    """The unit-year's data in the fill-in workbook, stamped with the version it was filled
    from; NotFound when the unit-year has no data."""
    from openpyxl.packaging.custom import StringProperty

    from jixiao.write.workbook import fill_workbook

    dataset = load_dataset(db, unit, year)
    if not unit_year_records(dataset):
        raise NotFound(f"{unit} 没有 {year} 年的数据")
    version = versions(db, [(unit, year)])[(unit, year)]
    workbook = fill_workbook(dataset, unit, year)
    workbook.custom_doc_props.append(StringProperty(name=VERSION_PROPERTY, value=f"{unit}/{year}/{version}"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


__all__ = [
    "VERSION_PROPERTY",
    "CheckedWorkbook",
    "ImportOutcome",
    "ImportedFile",
    "WorkbookImport",
    "check_workbook",
    "filled_workbook",
    "import_files",
    "import_workbook",
    "keep_rollups",
    "record_entries",
    "refresh_pages",
    "save_workbook",
    "workbook_stamp",
]
