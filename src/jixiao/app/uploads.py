"""Imports you can trust: an uploaded workbook previewed figure by figure (old → new) and saved
only when its uploader confirms; the imports made, and an undo of one; each figure's history.

* :func:`preview_upload` checks the workbook, works out every figure it would change and keeps
  the upload server-side (:mod:`jixiao.store.uploads`: bounded, expiring, tied to the user and to
  the unit-year versions it was previewed against). :func:`confirm_upload` saves exactly that
  upload at those versions — anyone's change in between makes it a
  :class:`~jixiao.app.errors.Conflict`, never an overwrite; :func:`cancel_upload` drops it.
* :func:`undo_import` puts back the records an import replaced (and removes those it added), as
  a new change with its own change-log entries — refused once any of its unit-years has changed
  since, or is submitted or approved.
* :func:`figure_history` reads one figure's changes from the change log: who, when, old → new.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from jixiao.app.access import can_edit
from jixiao.app.busy import with_retry
from jixiao.app.changes import conflict, jsonable, record_change
from jixiao.app.entry import entry_form
from jixiao.app.errors import Forbidden, InvalidRequest, NotFound
from jixiao.app.fields import differences, value_at
from jixiao.app.imports import WorkbookImport, check_workbook, record_entries, save_workbook
from jixiao.app.lock import locked
from jixiao.app.pages.common import fund_label
from jixiao.app.pages.dashboard import keep_dashboards
from jixiao.app.workflow import beijing
from jixiao.model import Dataset, DepartmentYear, FundYear, Project
from jixiao.model.periods import FundPeriod
from jixiao.model.users import Principal
from jixiao.model.workflow import EDITABLE
from jixiao.problems import Problem
from jixiao.store.repository import Removal, load_dataset, save_parts
from jixiao.store.schema import ChangeLogRow, WorkbookImportRow
from jixiao.store.uploads import (
    drop_pending,
    find_pending,
    keep_pending,
    made_versions,
    pending_versions,
    recent_imports,
)
from jixiao.store.users import now_utc
from jixiao.store.versions import Locked, LockedUnitYear, Stale, StaleVersion, UnitYear, versions
from jixiao.store.workflow import states

# --------------------------------------------------------------------------------------------
# The preview
# --------------------------------------------------------------------------------------------


class FigureChange(BaseModel):
    path: str
    label: str = Field(title="项目")
    old: str | None = Field(title="原值", description="null：原来没有")
    new: str | None = Field(title="新值", description="null：工作簿中没有（将删除）")
    kind: str = Field(description="added | changed | removed")


class RecordChange(BaseModel):
    entity: str
    key: str
    title: str = Field(title="记录")
    year: int
    status: str = Field(description="new（新增记录）| changed（有修改）| unchanged（没有变化）")
    changes: list[FigureChange]


class UploadPreview(BaseModel):
    """What an upload would change, before anything is saved."""

    ok: bool = Field(description="可以导入（无错误）")
    token: str | None = Field(default=None, description="确认或取消时带回；30 分钟内有效，仅限本人")
    unit: str
    filename: str
    expires: str | None = Field(default=None, title="有效期至（北京时间）")
    problems: list[dict[str, Any]] = Field(default_factory=list, description="问题（错误时不能导入）")
    years: list[int] = Field(default_factory=list)
    versions: dict[str, int] = Field(default_factory=dict, description="单位/年度 → 预览所据的版本（0：尚无数据）")
    records: list[RecordChange] = Field(default_factory=list)
    changed_figures: int = Field(default=0, title="将修改的数字个数")
    new_records: int = 0
    changed_records: int = 0
    unchanged_records: int = 0
    untouched: list[str] = Field(default_factory=list, title="库中有、工作簿中没有的记录（保持不变）")


def _title(entity: str, rec: FundYear | FundPeriod | DepartmentYear | Project) -> str:
    if isinstance(rec, FundYear):
        return f"{rec.year}年 {fund_label(rec)}"
    if isinstance(rec, FundPeriod):
        return f"{rec.label} {fund_label(rec)}"
    if isinstance(rec, DepartmentYear):
        return f"{rec.year}年 部门整体支出"
    return f"{rec.year}年 项目：{rec.name}"


def _record_changes(stored: Dataset, incoming: Dataset) -> tuple[list[RecordChange], list[str]]:
    old = {(e, k): r for e, k, r in record_entries(stored)}
    out: list[RecordChange] = []
    seen: set[tuple[str, str]] = set()
    for entity, key, rec in record_entries(incoming):
        seen.add((entity, key))
        before = old.get((entity, key))
        diffs = differences(entity, jsonable(before) if before is not None else None, jsonable(rec))
        status = "new" if before is None else "changed" if diffs else "unchanged"
        out.append(RecordChange(entity=entity, key=key, title=_title(entity, rec), year=rec.year, status=status,
                                changes=[FigureChange(path=d.path, label=d.label, old=d.old, new=d.new, kind=d.kind)
                                         for d in diffs]))
    years = {r.year for r in out}
    untouched = [_title(e, r) for (e, k), r in old.items() if (e, k) not in seen and r.year in years]
    return out, untouched


def _problems(problems: list[Problem]) -> list[dict[str, Any]]:
    return [p.to_json() for p in problems]


def preview_upload(db: Session, principal: Principal, unit: str, filename: str, data: bytes) -> UploadPreview:
    """Check an uploaded workbook for ``unit`` and show, record by record and figure by figure,
    what importing it would change; keep it for :func:`confirm_upload` (commits that alone —
    no data is written). A workbook filled from an older version, or for a submitted or approved
    year, is refused here already (Conflict, NotNow)."""
    checked = check_workbook(db, principal, unit, filename, data)
    if checked.dataset is None:
        return UploadPreview(ok=False, unit=unit, filename=filename, problems=_problems(checked.problems))
    dataset = checked.dataset
    keys = {(r.unit, r.year) for _, _, r in record_entries(dataset)}
    current = versions(db, keys)
    stale = [(k, v) for k, v in checked.expected.items() if current.get(k, 0) != v]
    if stale:
        raise conflict(db, StaleVersion([Stale(u, y, v, current.get((u, y), 0)) for (u, y), v in stale]))
    _refuse_locked(db, keys)
    records, untouched = _record_changes(load_dataset(db, unit), dataset)
    token, row = keep_pending(db, user_id=principal.user_id, unit=unit, filename=filename, data=data,
                              versions=current)
    db.commit()
    return UploadPreview(
        ok=True, token=token, unit=unit, filename=filename, expires=beijing(row.expires_at),
        problems=_problems(checked.problems), years=sorted({y for _, y in keys}),
        versions={f"{u}/{y}": v for (u, y), v in sorted(current.items())}, records=records,
        changed_figures=sum(len(r.changes) for r in records if r.status == "changed"),
        new_records=sum(r.status == "new" for r in records),
        changed_records=sum(r.status == "changed" for r in records),
        unchanged_records=sum(r.status == "unchanged" for r in records), untouched=untouched)


def _refuse_locked(db: Session, keys: set[UnitYear]) -> None:
    shut = [Locked(u, y, s.status.value) for (u, y), s in sorted(states(db, keys).items()) if s.status not in EDITABLE]
    if shut:
        raise locked(db, LockedUnitYear(shut))


def confirm_upload(db: Session, principal: Principal, unit: str, token: str) -> WorkbookImport:
    """Import the upload ``token`` names (this user's, not expired, for ``unit``) at the versions
    it was previewed against; the kept upload goes with it. NotFound when there is none."""
    row = find_pending(db, token, principal.user_id)
    if row is None or row.unit != unit:
        raise NotFound("没有这次上传的预览，或预览已过期（30 分钟）：请重新上传工作簿")
    filename, data, expected = row.filename, bytes(row.data), pending_versions(row)
    checked = check_workbook(db, principal, unit, filename, data)
    if checked.dataset is None:
        raise InvalidRequest("工作簿未通过校验，未导入：请重新上传")
    dataset = checked.dataset
    sha = hashlib.sha256(data).hexdigest()

    def attempt() -> WorkbookImport:
        kept = find_pending(db, token, principal.user_id)
        if kept is None:
            raise NotFound("这次上传已经确认或取消过了")
        drop_pending(db, kept)  # in the import's transaction: confirmed once, or not at all
        return save_workbook(db, principal, unit, filename, sha, dataset, expected, checked.problems)

    return with_retry(db, attempt)


def cancel_upload(db: Session, principal: Principal, token: str) -> bool:
    """Drop the upload ``token`` names (this user's); whether there was one. Commits."""
    row = find_pending(db, token, principal.user_id)
    if row is None:
        return False
    drop_pending(db, row)
    db.commit()
    return True


# --------------------------------------------------------------------------------------------
# Imports made, and their undo
# --------------------------------------------------------------------------------------------


class ImportRecord(BaseModel):
    id: int
    at: str = Field(title="导入时间（北京时间）")
    username: str = Field(title="导入人")
    filename: str = Field(title="文件")
    years: list[int]
    records: int = Field(title="新增或修改的记录数")
    undone: str | None = Field(default=None, title="已撤销（时间、操作人）")
    can_undo: bool = Field(description="此刻可以撤销：未撤销，且其后各有关年度的数据都没有再变、未提交")
    why_not: str | None = Field(default=None, description="不能撤销的原因")


def _import_view(db: Session, row: WorkbookImportRow) -> ImportRecord:
    made = made_versions(row)
    years = sorted({y for _, y in made})
    why: str | None = None
    if row.undone_at is not None:
        why = "已撤销"
    else:
        now = versions(db, made)
        if any(now.get(k) != v for k, v in made.items()):
            why = "导入之后数据又有修改，不能撤销"
        elif any(s.status not in EDITABLE for s in states(db, made).values()):
            why = "该年度数据已提交或已审核通过，不能撤销"
    undone = f"{row.undone_by}，{beijing(row.undone_at)}" if row.undone_at is not None else None
    return ImportRecord(id=row.id, at=beijing(row.at) or "", username=row.username, filename=row.filename,
                        years=years, records=len(row.replaced or []), undone=undone, can_undo=why is None,
                        why_not=why)


def import_history(db: Session, unit: str, limit: int = 20) -> list[ImportRecord]:
    """The workbook imports of ``unit`` made on the web, newest first, each with whether it can
    be undone now."""
    return [_import_view(db, row) for row in recent_imports(db, unit, limit)]


def _restoring(row: WorkbookImportRow) -> tuple[Dataset, Removal]:
    """What undoing ``row`` writes: the replaced records as they were, and the added ones to remove."""
    funds: list[FundYear] = []
    departments: list[DepartmentYear] = []
    projects: list[Project] = []
    gone_funds: list[tuple[str, int, str, str]] = []
    gone_departments: list[tuple[str, int]] = []
    gone_projects: list[tuple[str, int, str]] = []
    for item in row.replaced or []:
        entity, old = item["entity"], item.get("old")
        unit, year = str(item["unit"]), int(item["year"])
        if entity == "fund_year":
            if old is not None:
                funds.append(FundYear.model_validate(old))
            else:
                gone_funds.append((unit, year, str(item["fund"]), str(item.get("scope") or "")))
        elif entity == "department_year":
            if old is not None:
                departments.append(DepartmentYear.model_validate(old))
            else:
                gone_departments.append((unit, year))
        elif entity == "project":
            if old is not None:
                projects.append(Project.model_validate(old))
            else:
                gone_projects.append((unit, year, str(item["name"])))
    return (Dataset(fund_years=funds, departments=departments, projects=projects),
            Removal(tuple(gone_funds), tuple(gone_departments), tuple(gone_projects)))


def undo_import(db: Session, principal: Principal, unit: str, import_id: int) -> ImportRecord:
    """Put back what import ``import_id`` of ``unit`` replaced (and remove what it added), as a
    new change: versions move on, each record restored gets a change-log entry. Refused when
    any of its unit-years changed since (Conflict), is submitted or approved (NotNow), or it was
    undone already (InvalidRequest). Commits."""
    if not can_edit(principal, unit):
        raise Forbidden("只有本单位的填报员或管理员可以撤销导入")

    def attempt() -> ImportRecord:
        row = db.get(WorkbookImportRow, import_id)
        if row is None or row.unit != unit:
            raise NotFound("没有这次导入")
        if row.undone_at is not None:
            raise InvalidRequest(f"这次导入已于 {beijing(row.undone_at)} 由 {row.undone_by} 撤销")
        dataset, removal = _restoring(row)
        now = {(e, k): r for e, k, r in record_entries(load_dataset(db, unit))}
        try:
            counts = save_parts(db, [(None, dataset)], expected=made_versions(row), by=principal.username,
                                removal=removal)
        except StaleVersion as stale:
            db.rollback()
            raise conflict(db, stale) from None
        except LockedUnitYear as exc:
            db.rollback()
            raise locked(db, exc) from None
        keep_dashboards(db, counts.versions)
        for item in row.replaced or []:
            year = int(item["year"])
            made = counts.versions.get((str(item["unit"]), year))
            record_change(db, principal, "undo", str(item["entity"]), str(item["key"]),
                          old=now.get((str(item["entity"]), str(item["key"]))), new=item.get("old"),
                          detail=f"撤销工作簿导入 {row.filename}（{beijing(row.at)}）",
                          unit_year=(str(item["unit"]), year, made) if made is not None else None)
        row.undone_at = now_utc()
        row.undone_by = principal.username[:64]
        db.commit()
        return _import_view(db, row)

    return with_retry(db, attempt)


# --------------------------------------------------------------------------------------------
# One figure's history
# --------------------------------------------------------------------------------------------


class FigureEvent(BaseModel):
    at: str = Field(title="时间（北京时间）")
    username: str = Field(title="操作人")
    how: str = Field(title="方式")
    old: str | None = Field(title="原值")
    new: str | None = Field(title="新值")
    known: bool = Field(description="原值新值可知（命令行导入只记录整年，不逐项记录）")


class FigureHistory(BaseModel):
    unit: str
    year: int
    field: str = Field(description="录入表单的字段名：记录|字段路径")
    record: str = Field(title="记录")
    label: str = Field(title="项目")
    current: str | None = Field(title="现值")
    events: list[FigureEvent] = Field(description="最新的在前")


_HOW = {"update": "修改", "import": "导入", "undo": "撤销导入"}


def _log_key(unit: str, year: int, record_key: str) -> tuple[str, str]:
    """(entity, key) under which the change log keeps an entry-form record's whole-record changes."""
    kind, _, rest = record_key.partition("/")
    if kind == "fund":
        return "fund_year", f"{unit}/{year}/{rest}"
    if kind == "department":
        return "department_year", f"{unit}/{year}"
    return "project", f"{unit}/{year}/{rest}"


def _event(row: ChangeLogRow, entity: str, key: str, record_key: str, path: str) -> FigureEvent | None:
    at, who = beijing(row.at) or "", row.username
    if row.entity == "figure" and row.key.endswith("/" + record_key) and isinstance(row.new, Mapping) \
            and path in row.new:
        old = row.old.get(path) if isinstance(row.old, Mapping) else None
        return FigureEvent(at=at, username=who, how="网页录入", old=_text(old), new=_text(row.new.get(path)),
                           known=True)
    if row.entity == entity and row.key == key:
        old, new = value_at(row.old, path), value_at(row.new, path)
        if old != new:
            return FigureEvent(at=at, username=who, how=row.detail or _HOW.get(row.action, "修改"), old=_text(old),
                               new=_text(new), known=True)
        return None
    if row.entity == "unit_year" and row.action == "import":
        return FigureEvent(at=at, username=who, how=row.detail or "命令行导入", old=None, new=None, known=False)
    return None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _histories(db: Session, unit: str, year: int) -> list[FigureHistory]:
    form = entry_form(db, unit, year)
    rows = list(db.scalars(select(ChangeLogRow).where(ChangeLogRow.unit == unit, ChangeLogRow.year == year)
                           .order_by(ChangeLogRow.id.desc()).limit(2000)))
    out: list[FigureHistory] = []
    for rec in form.records:
        entity, key = _log_key(unit, year, rec.key)
        for f in rec.fields:
            events = [e for row in rows if (e := _event(row, entity, key, rec.key, f.path)) is not None]
            out.append(FigureHistory(unit=unit, year=year, field=f.name, record=rec.title, label=f.label,
                                     current=f.value or None, events=events))
    return out


def figure_history(db: Session, unit: str, year: int, field: str) -> FigureHistory:
    """Every change of one figure of the entry form (``record key|path``) from the change log —
    typed on the form, brought by a workbook, undone — newest first; command-line imports are
    logged per unit-year only and are listed without values."""
    found = next((h for h in _histories(db, unit, year) if h.field == field), None)
    if found is None:
        raise NotFound("没有这个数字")
    return found


def year_history(db: Session, unit: str, year: int) -> list[FigureHistory]:
    """:func:`figure_history` of every figure of the unit-year's entry form, in its order."""
    return _histories(db, unit, year)


__all__ = ["FigureHistory", "ImportRecord", "UploadPreview", "cancel_upload", "confirm_upload", "figure_history",
           "import_history", "preview_upload", "undo_import", "year_history"]
