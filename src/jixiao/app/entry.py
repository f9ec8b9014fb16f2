"""Data entry on the web: the main figures of a unit-year as a form, a submitted form validated
through the same reader and checks as a file, and saved with one change-log entry per figure.

The form carries the unit-year's version (:mod:`jixiao.store.versions`); a form submitted after
someone else saved the same unit-year is refused with :class:`~jixiao.app.errors.Conflict`,
which lists what was saved meanwhile — never saved over it."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from jixiao.app.busy import with_retry
from jixiao.app.changes import conflict, record_change
from jixiao.app.errors import InvalidRequest
from jixiao.app.lock import locked
from jixiao.app.pages.common import UnitInfo, fund_label, get_unit
from jixiao.app.pages.dashboard import keep_dashboards
from jixiao.ingest.data import dataset_from_data
from jixiao.ingest.validate import period_problems, validate_dataset
from jixiao.model import Dataset, DepartmentYear, FundYear, Project
from jixiao.model.users import Principal
from jixiao.model.workflow import EDITABLE
from jixiao.problems import Problem
from jixiao.store.repository import get_department, get_fund_years, get_projects, save_dataset, stored_funds
from jixiao.store.versions import Locked, LockedUnitYear, StaleVersion, version_of
from jixiao.store.workflow import state_of

FUND_FIELDS: tuple[str, ...] = (
    "income.total", "income.contributions", "income.fiscal_subsidy", "expenditure.total", "expenditure.benefits",
    "budget.income", "budget.expenditure", "balance.opening", "balance.closing", "coverage.insured",
    "coverage.employed", "coverage.retired", "previous.income_total", "previous.expenditure_total",
)
DEPARTMENT_FIELDS: tuple[str, ...] = (
    "budget.initial", "budget.full_year", "income.total", "expenditure.total", "expenditure.basic",
    "expenditure.personnel", "expenditure.public_operating", "expenditure.project", "expenditure.operating_costs",
    "three_public.total.budget", "three_public.total.actual", "staff.authorized", "staff.actual",
    "carryover.closing",
)
PROJECT_FIELDS: tuple[str, ...] = ("funds.initial_budget", "funds.budget", "funds.executed")


class EntryField(BaseModel):
    name: str = Field(description="form field name: record key | field path")
    path: str
    label: str
    value: str = Field(description="the figure as stored ('151661万元'), empty when absent")


class EntryRecord(BaseModel):
    key: str
    title: str
    fields: list[EntryField]


class EntryForm(BaseModel):
    unit: UnitInfo
    year: int
    version: int = Field(description="该单位该年度数据的版本号：提交时原样带回；期间有人修改过则拒绝保存（409）")
    money_unit: str = "万元"
    records: list[EntryRecord]


class FieldChange(BaseModel):
    name: str
    record: str
    label: str
    old: str | None
    new: str | None


class EntryOutcome(BaseModel):
    """A submitted form: errors by field name (``""`` for the form as a whole) or, when there are
    none, the changes and the dataset to save."""

    model_config = {"arbitrary_types_allowed": True}

    errors: dict[str, list[str]] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)
    changes: list[FieldChange] = Field(default_factory=list)
    dataset: Dataset | None = Field(default=None, exclude=True)

    @property
    def ok(self) -> bool:
        return not self.errors


def _title(model: type[BaseModel], path: str) -> str:
    parts = path.split(".")
    titles: list[str] = []
    current: Any = model
    for part in parts:
        info = current.model_fields[part]
        titles.append(info.title or part)
        annotation = info.annotation
        current = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
        if current is None:
            break
    if len(titles) > 1 and parts[0] == "three_public":
        return f"“三公”经费{titles[-1]}" if titles[1] == "合计" else "".join(titles[1:])
    return titles[-1]


def _get_path(doc: Mapping[str, Any], path: str) -> Any:
    current: Any = doc
    for part in path.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return None
        current = current[part]
    return current


def _set_path(doc: dict[str, Any], path: str, value: str | None) -> None:
    parts = path.split(".")
    current = doc
    for part in parts[:-1]:
        nxt = current.get(part)
        if not isinstance(nxt, dict):
            if value is None:
                return
            nxt = current[part] = {}
        current = nxt
    if value is None:
        current.pop(parts[-1], None)
    else:
        current[parts[-1]] = value


@dataclass
class _EntryRecord:
    key: str
    title: str
    kind: Literal["fund_years", "departments", "projects"]
    model: type[BaseModel]
    paths: tuple[str, ...]
    doc: dict[str, Any]


def _entry_records(session: Session, unit: str, year: int) -> list[_EntryRecord]:
    out: list[_EntryRecord] = []
    for fy in get_fund_years(session, unit, year):
        key = f"fund/{fy.fund.value}/{fy.scope or ''}"
        out.append(_EntryRecord(key, fund_label(fy) + f"（{fy.fund.value}）", "fund_years", FundYear, FUND_FIELDS,
                                fy.model_dump(mode="json", exclude_none=True)))
    dept = get_department(session, unit, year)
    if dept is not None:
        out.append(_EntryRecord("department", "部门整体支出", "departments", DepartmentYear, DEPARTMENT_FIELDS,
                                dept.model_dump(mode="json", exclude_none=True)))
    for pr in get_projects(session, unit, year):
        out.append(_EntryRecord(f"project/{pr.name}", f"项目：{pr.name}", "projects", Project, PROJECT_FIELDS,
                                pr.model_dump(mode="json", exclude_none=True)))
    return out


def field_name(record_key: str, path: str) -> str:
    return f"{record_key}|{path}"


def entry_form(session: Session, unit: str, year: int) -> EntryForm:
    """The main figures of every record of ``unit`` in ``year`` as form fields."""
    info = get_unit(session, unit)
    records = []
    for rec in _entry_records(session, unit, year):
        fields = []
        for path in rec.paths:
            value = _get_path(rec.doc, path)
            fields.append(EntryField(name=field_name(rec.key, path), path=path, label=_title(rec.model, path),
                                     value="" if value is None else str(value)))
        records.append(EntryRecord(key=rec.key, title=rec.title, fields=fields))
    return EntryForm(unit=info, year=year, version=version_of(session, unit, year), records=records)


def _form_data(records: list[_EntryRecord], values: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The unit-year's records as plain data with the form's values put in (a blank removes the
    figure), and where each field sits in that data (loader path → form field name)."""
    data: dict[str, Any] = {"money_unit": "万元", "fund_years": [], "departments": [], "projects": []}
    where: dict[str, str] = {}
    for rec in records:
        index = len(data[rec.kind])
        doc = json.loads(json.dumps(rec.doc))
        for path in rec.paths:
            name = field_name(rec.key, path)
            where[f"{rec.kind}[{index}].{path}"] = name
            if name in values:
                _set_path(doc, path, values[name].strip() or None)
        data[rec.kind].append(doc)
    return data, where


def _field_of(problem: Problem, where: Mapping[str, str]) -> str:
    """The form field a problem belongs to: its own, or for a problem on a group (parts that do
    not add up) the group's first field on the form; "" for the form as a whole."""
    path = problem.path or ""
    name = where.get(path)
    if name is None:
        name = next((n for p, n in where.items() if p.startswith(path + ".")), "") if path else ""
    return name


def _changes(records: list[_EntryRecord], dataset: Dataset) -> list[FieldChange]:
    """The figures that differ between the stored records and the validated form, old → new."""
    changes: list[FieldChange] = []
    new_records: list[BaseModel] = [*dataset.fund_years, *dataset.departments, *dataset.projects]
    for rec, model in zip(records, new_records, strict=True):
        new_doc = model.model_dump(mode="json", exclude_none=True)
        for path in rec.paths:
            old, new = _get_path(rec.doc, path), _get_path(new_doc, path)
            if old != new:
                changes.append(FieldChange(name=field_name(rec.key, path), record=rec.title,
                                           label=_title(rec.model, path), old=None if old is None else str(old),
                                           new=None if new is None else str(new)))
    return changes


def prepare_entry(session: Session, unit: str, year: int, values: Mapping[str, str]) -> EntryOutcome:
    """Validate a submitted entry form for ``unit``/``year`` through the loader and the dataset
    checks; nothing is written. Unknown field names are refused (errors under ``""``); a blank
    field removes the figure. Every error is reported at once: when some fields cannot be read,
    the dataset checks still run on the others (those fields left out), so a second submit never
    brings up errors the first could have shown. With no errors, ``dataset`` holds the records to
    save (every record of the unit-year, edited or not) and ``changes`` the figures that differ
    (old → new, as the model writes them)."""
    records = _entry_records(session, unit, year)
    if not records:
        return EntryOutcome(errors={"": [f"{unit} 在 {year} 年没有可编辑的数据（请先上传工作簿）"]})
    allowed = {field_name(r.key, p) for r in records for p in r.paths}
    unknown = [k for k in values if k not in allowed]
    if unknown:
        return EntryOutcome(errors={"": [f"表单含有未知字段：{'、'.join(sorted(unknown)[:5])}"]})
    data, where = _form_data(records, values)
    errors: dict[str, list[str]] = {}
    loaded = dataset_from_data(data, "网页表单")
    for p in loaded.problems:
        if p.severity == "error":
            errors.setdefault(_field_of(p, where), []).append(p.message)
    dataset = loaded.dataset
    if dataset is None and errors and "" not in errors:
        # the checks of the whole dataset on the fields that could be read: the others left blank
        unread = {name: "" for name in errors}
        dataset = dataset_from_data(_form_data(records, {**values, **unread})[0], "网页表单").dataset
    if dataset is None:
        return EntryOutcome(errors=errors or {"": ["数据无法通过校验"]})
    unread_fields = set(errors)
    warnings: list[str] = []
    # a year's figures against its months already stored (JX-IN-031/032), as an import checks them
    stored = functools.partial(stored_funds, session)
    for p in validate_dataset(dataset, {unit}, "网页表单") + period_problems([("网页表单", dataset)], stored):
        name = _field_of(p, where)
        if p.severity != "error":
            warnings.append(p.message)
        elif name not in unread_fields:  # a field left blank in the second pass has its own error
            errors.setdefault(name, []).append(p.message)
    if errors:
        return EntryOutcome(errors=errors, warnings=warnings)
    return EntryOutcome(warnings=warnings, changes=_changes(records, dataset), dataset=dataset)


@dataclass
class SavedEntry:
    """A submitted form: saved (with the figures changed) or refused (errors by field)."""

    ok: bool
    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    changes: list[FieldChange] = field(default_factory=list)
    version: int | None = None  # the unit-year's version after a save that changed something


def save_entry(db: Session, principal: Principal, unit: str, year: int, values: Mapping[str, str],
               version: int | None) -> SavedEntry:
    """Validate the entry form and, when every field is valid and the unit-year is still at
    ``version`` (the one the form was read at), save it with one change-log entry per changed
    figure, in one transaction; nothing is saved otherwise. Someone else's save in between:
    :class:`~jixiao.app.errors.Conflict` with what they changed; a submitted or approved year:
    :class:`~jixiao.app.errors.NotNow`. A busy database is waited for."""
    if version is None:
        raise InvalidRequest("表单缺少版本号（version）：请重新打开编辑页面或先读取 GET …/entry，再提交")
    state = state_of(db, unit, year)
    if state is not None and state.status not in EDITABLE:  # said first: no use checking figures
        raise locked(db, LockedUnitYear([Locked(unit, year, state.status.value)]))

    def attempt() -> SavedEntry:
        outcome = prepare_entry(db, unit, year, values)
        if not outcome.ok or outcome.dataset is None:
            db.rollback()
            return SavedEntry(ok=False, errors=outcome.errors, warnings=outcome.warnings)
        if not outcome.changes:
            db.rollback()
            return SavedEntry(ok=True, warnings=outcome.warnings)
        try:
            counts = save_dataset(db, outcome.dataset, expected={(unit, year): version}, by=principal.username)
        except StaleVersion as stale:
            db.rollback()
            raise conflict(db, stale) from None
        except LockedUnitYear as exc:
            db.rollback()
            raise locked(db, exc) from None
        made = counts.versions.get((unit, year), version)
        keep_dashboards(db, counts.versions)  # the page with its data, in the same transaction
        for change in outcome.changes:
            record_key, _, path = change.name.partition("|")
            record_change(db, principal, "update", "figure", f"{unit}/{year}/{record_key}",
                          old={path: change.old}, new={path: change.new}, detail=f"{change.record}：{change.label}",
                          unit_year=(unit, year, made))
        db.commit()
        return SavedEntry(ok=True, warnings=outcome.warnings, changes=outcome.changes, version=made)

    return with_retry(db, attempt)
