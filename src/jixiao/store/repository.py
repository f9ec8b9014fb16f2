"""Repository functions: save a validated dataset, read records back as model objects.

Loading is idempotent and atomic:
- every record is upserted by its natural key (unit code; unit × year × fund × scope; the same ×
  span for a month or quarter; unit × year; unit × year × project name), so loading the same
  file twice leaves the same state;
- an import (:mod:`jixiao.app.imports`) validates the whole batch first (nothing is written if any
  file has an error), then writes everything in one transaction, which rolls back on any failure;
- every save also writes the saved records' indicator values (``indicator_values``, a cache of
  the engine's results, see :mod:`jixiao.store.indicator_store`) in that same transaction;
- every save that changes a unit-year's records moves its version on (:mod:`jixiao.store.versions`),
  refusing one based on a version that is no longer the stored one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from pydantic import BaseModel
from sqlalchemy import CursorResult, Table, delete, select
from sqlalchemy.orm import Session

from jixiao.model import Dataset, DepartmentYear, FundYear, Project, Unit
from jixiao.model.periods import FundPeriod
from jixiao.model.units import effective_ruleset
from jixiao.problems import Problem
from jixiao.store.indicator_store import Precomputed, RecordKey, drop_records, index_saved
from jixiao.store.schema import (
    TABLES,
    Base,
    DepartmentYearRow,
    FundPeriodRow,
    FundYearRow,
    ImportRow,
    ProjectRow,
    UnitRow,
)
from jixiao.store.versions import UnitYear, advance

TABLE_LABELS = {
    "units": "单位",
    "fund_years": "基金年度数据",
    "fund_periods": "基金月度、季度数据",
    "department_years": "部门整体支出",
    "projects": "项目",
}
_CHUNK = 500
M = TypeVar("M", bound=BaseModel)


@dataclass
class SaveCounts:
    """What a save did, per table: inserted, updated, unchanged."""

    inserted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLE_LABELS, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLE_LABELS, 0))
    unchanged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLE_LABELS, 0))
    #: the new version of each unit-year whose records changed
    versions: dict[UnitYear, int] = field(default_factory=dict)

    def add(self, other: SaveCounts) -> None:
        for mine, theirs in ((self.inserted, other.inserted), (self.updated, other.updated),
                             (self.unchanged, other.unchanged)):
            for key, value in theirs.items():
                mine[key] = mine.get(key, 0) + value
        self.versions.update(other.versions)

    def total(self, table: str) -> int:
        return self.inserted[table] + self.updated[table] + self.unchanged[table]

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {
            table: {"inserted": self.inserted[table], "updated": self.updated[table],
                    "unchanged": self.unchanged[table]}
            for table in TABLE_LABELS
        }


def _doc(model: BaseModel) -> dict[str, Any]:
    """The stored document: figures as written strings with their unit; absent fields left out."""
    return model.model_dump(mode="json", exclude_none=True)


def records_of(ds: Dataset) -> list[FundYear | DepartmentYear | Project]:
    """The fund years, department years and projects of a dataset, in that order."""
    return [*ds.fund_years, *ds.departments, *ds.projects]


def unit_year_records(ds: Dataset) -> list[FundYear | FundPeriod | DepartmentYear | Project]:
    """Every record that belongs to a unit-year (and moves its version): the annual ones and the
    months and quarters."""
    return [*ds.fund_years, *ds.fund_periods, *ds.departments, *ds.projects]


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i:i + _CHUNK]


def _ordered_units(units: Iterable[Unit]) -> list[Unit]:
    """Parents before children (the batch is known to be free of cycles)."""
    by_code = {u.code: u for u in units}
    done: set[str] = set()
    ordered: list[Unit] = []

    def visit(unit: Unit, trail: frozenset[str]) -> None:
        if unit.code in done:
            return
        if unit.parent in by_code and unit.parent not in trail:
            visit(by_code[unit.parent], trail | {unit.code})
        done.add(unit.code)
        ordered.append(unit)

    for unit in by_code.values():
        visit(unit, frozenset())
    return ordered


def _upsert(
    session: Session, row: Any, doc: dict[str, Any], import_id: int | None, columns: dict[str, Any],
    counts: SaveCounts, table: str, existing: Any | None,
) -> bool:
    """Insert or update one row; whether anything changed."""
    if existing is None:
        session.add(row(**columns, doc=doc, import_id=import_id))
        counts.inserted[table] += 1
        return True
    changed = existing.doc != doc or existing.import_id != import_id or any(
        getattr(existing, k) != v for k, v in columns.items()
    )
    if not changed:
        counts.unchanged[table] += 1
        return False
    for key, value in columns.items():
        setattr(existing, key, value)
    existing.doc = doc
    existing.import_id = import_id
    counts.updated[table] += 1
    return True


def _upsert_records(session: Session, parts: Sequence[tuple[int | None, Dataset]], counts: SaveCounts) -> set[UnitYear]:
    """Upsert the fund years, department years and projects of ``parts``; the unit-years changed."""
    codes = sorted({r.unit for _, ds in parts for r in unit_year_records(ds)})
    old_funds: dict[tuple[str, int, str, str], FundYearRow] = {}
    old_periods: dict[tuple[str, int, str, str, str], FundPeriodRow] = {}
    old_depts: dict[tuple[str, int], DepartmentYearRow] = {}
    old_projects: dict[tuple[str, int, str], ProjectRow] = {}
    for chunk in _chunks(codes):
        for f in session.scalars(select(FundYearRow).where(FundYearRow.unit.in_(chunk))):
            old_funds[(f.unit, f.year, f.fund, f.scope)] = f
        for fp in session.scalars(select(FundPeriodRow).where(FundPeriodRow.unit.in_(chunk))):
            old_periods[(fp.unit, fp.year, fp.fund, fp.scope, fp.span)] = fp
        for d in session.scalars(select(DepartmentYearRow).where(DepartmentYearRow.unit.in_(chunk))):
            old_depts[(d.unit, d.year)] = d
        for p in session.scalars(select(ProjectRow).where(ProjectRow.unit.in_(chunk))):
            old_projects[(p.unit, p.year, p.name)] = p
    changed: set[UnitYear] = set()
    for import_id, ds in parts:
        for fy in ds.fund_years:
            scope = fy.scope or ""
            cols = {"unit": fy.unit, "year": fy.year, "fund": fy.fund.value, "scope": scope}
            if _upsert(session, FundYearRow, _doc(fy), import_id, cols, counts, "fund_years",
                       old_funds.get((fy.unit, fy.year, fy.fund.value, scope))):
                changed.add((fy.unit, fy.year))
        for period in ds.fund_periods:
            scope, span = period.scope or "", str(period.span)
            cols = {"unit": period.unit, "year": period.year, "fund": period.fund.value, "scope": scope, "span": span}
            if _upsert(session, FundPeriodRow, _doc(period), import_id, cols, counts, "fund_periods",
                       old_periods.get((period.unit, period.year, period.fund.value, scope, span))):
                changed.add((period.unit, period.year))
        for dy in ds.departments:
            cols = {"unit": dy.unit, "year": dy.year}
            if _upsert(session, DepartmentYearRow, _doc(dy), import_id, cols, counts, "department_years",
                       old_depts.get((dy.unit, dy.year))):
                changed.add((dy.unit, dy.year))
        for pr in ds.projects:
            cols = {"unit": pr.unit, "year": pr.year, "name": pr.name}
            if _upsert(session, ProjectRow, _doc(pr), import_id, cols, counts, "projects",
                       old_projects.get((pr.unit, pr.year, pr.name))):
                changed.add((pr.unit, pr.year))
    session.flush()
    return changed


@dataclass(frozen=True)
class Removal:
    """Records to delete by their keys: funds (unit, year, fund, scope), departments (unit,
    year), projects (unit, year, name). Only undoing an import deletes records."""

    funds: tuple[tuple[str, int, str, str], ...] = ()
    departments: tuple[tuple[str, int], ...] = ()
    projects: tuple[tuple[str, int, str], ...] = ()

    def keys(self) -> list[RecordKey]:
        return ([("fund", u, y, f, s, "") for u, y, f, s in self.funds]
                + [("department", u, y, "", "", "") for u, y in self.departments]
                + [("project", u, y, "", "", n) for u, y, n in self.projects])


def _remove(session: Session, removal: Removal) -> set[UnitYear]:
    """Delete the records of ``removal`` that exist; the unit-years that lost one."""
    changed: set[UnitYear] = set()

    def gone(statement: Any) -> bool:
        return bool(cast(CursorResult[Any], session.execute(statement)).rowcount)

    for unit, year, fund, scope in removal.funds:
        if gone(delete(FundYearRow).where(FundYearRow.unit == unit, FundYearRow.year == year,
                                          FundYearRow.fund == fund, FundYearRow.scope == scope)):
            changed.add((unit, year))
    for unit, year in removal.departments:
        if gone(delete(DepartmentYearRow).where(DepartmentYearRow.unit == unit, DepartmentYearRow.year == year)):
            changed.add((unit, year))
    for unit, year, name in removal.projects:
        if gone(delete(ProjectRow).where(ProjectRow.unit == unit, ProjectRow.year == year, ProjectRow.name == name)):
            changed.add((unit, year))
    drop_records(session, removal.keys())
    return changed


def save_parts(session: Session, parts: Sequence[tuple[int | None, Dataset]], *,
               expected: Mapping[UnitYear, int] | None = None, by: str | None = None,
               ready: Precomputed | None = None, removal: Removal | None = None) -> SaveCounts:
    """Upsert the records of several datasets (each with the import row it came from), and
    recompute the stored indicator values of every record saved (and of its fund siblings) —
    unchanged records keep theirs (:func:`jixiao.store.indicator_store.index_saved`).

    Each unit-year whose records changed gets its next version (``counts.versions``); one in
    ``expected`` only if its stored version is still the expected one, else
    :class:`~jixiao.store.versions.StaleVersion` is raised. Runs inside the caller's
    transaction; the caller commits or rolls back (on StaleVersion or LockedUnitYear: rolls
    back). ``ready``: indicator results computed before the transaction
    (:func:`~jixiao.store.indicator_store.precompute`). ``removal``: records to delete in the
    same write (their unit-years' versions move on too).
    """
    counts = SaveCounts()
    unit_import: dict[str, int | None] = {}
    units: list[Unit] = []
    for import_id, ds in parts:
        for unit in ds.units:
            unit_import[unit.code] = import_id
            units.append(unit)
    ordered = _ordered_units(units)
    existing_units: dict[str, UnitRow] = {}
    for chunk in _chunks([u.code for u in ordered]):
        existing_units.update(
            (r.code, r) for r in session.scalars(select(UnitRow).where(UnitRow.code.in_(chunk)))
        )
    for unit in ordered:
        old = existing_units.get(unit.code)
        if "ruleset" not in unit.model_fields_set and old is not None and old.ruleset:
            # a unit's rule set is the administrator's choice: a document that does not name one
            # (a unit's own workbook, a YAML without the field) keeps the one it has
            unit = unit.model_copy(update={"ruleset": old.ruleset})
        columns = {"code": unit.code, "name": unit.name, "level": unit.level.value, "kind": unit.kind.value,
                   "parent": unit.parent, "region": unit.region, "ruleset": unit.ruleset}
        _upsert(session, UnitRow, _doc(unit), unit_import[unit.code], columns, counts, "units",
                existing_units.get(unit.code))
    # parents were added before children, so their rows are inserted first
    session.flush()

    changed = _upsert_records(session, parts, counts)
    if removal is not None:
        changed |= _remove(session, removal)
    counts.versions = advance(session, changed, expected=expected, by=by)
    # the saved records' indicator values (and their fund siblings'), in the same transaction
    index_saved(
        session,
        {(fy.unit, fy.year, fy.scope or "") for _, ds in parts for fy in ds.fund_years}
        | {(u, y, s) for u, y, _, s in (removal.funds if removal is not None else ())},
        {(dy.unit, dy.year) for _, ds in parts for dy in ds.departments},
        {(pr.unit, pr.year, pr.name) for _, ds in parts for pr in ds.projects},
        ready,
    )
    return counts


def save_dataset(session: Session, dataset: Dataset, import_id: int | None = None, *,
                 expected: Mapping[UnitYear, int] | None = None, by: str | None = None) -> SaveCounts:
    """Upsert one validated dataset (in the caller's transaction); see :func:`save_parts`."""
    return save_parts(session, [(import_id, dataset)], expected=expected, by=by)


# ------------------------------------------------------------------------------------------
# Reading back
# ------------------------------------------------------------------------------------------


def _unit_of(row: UnitRow) -> Unit:
    return Unit.model_validate(row.doc)


def list_units(session: Session) -> list[Unit]:
    """All units, ordered by code."""
    return [_unit_of(r) for r in session.scalars(select(UnitRow).order_by(UnitRow.code))]


def unit_codes(session: Session) -> set[str]:
    return set(session.scalars(select(UnitRow.code)))


class UnitNotFound(LookupError):
    """No unit (or more than one) answers to what the user typed; the message says which."""


def find_unit(session: Session, text: str) -> Unit:
    """A unit by code, by exact name, or by a part of its name that only one unit has."""
    text = text.strip()
    row = session.get(UnitRow, text)
    if row is None:
        row = session.scalars(select(UnitRow).where(UnitRow.name == text)).first()
    if row is None and text:
        candidates = list(session.scalars(
            select(UnitRow).where(UnitRow.name.contains(text, autoescape=True)).order_by(UnitRow.code).limit(6)
        ))
        if len(candidates) == 1:
            row = candidates[0]
        elif candidates:
            names = "、".join(f"{c.name}（{c.code}）" for c in candidates[:5])
            raise UnitNotFound(f"“{text}”对应多个单位：{names}；请写单位代码")
    if row is None:
        raise UnitNotFound(f"找不到单位“{text}”（用 jixiao units 查看已有单位）")
    return _unit_of(row)


def _stored_docs(session: Session, row: Any, model: type[M], unit: str | None, year: int | None,
                 units: Sequence[str] | None) -> list[M]:
    """One record table's documents as the model, filtered by unit (or several: in chunks, a
    province has more units than a statement takes parameters) and/or year, in stored order."""
    def read(part: Sequence[str] | None) -> list[M]:
        query = select(row.doc)
        if unit is not None:
            query = query.where(row.unit == unit)
        if part is not None:
            query = query.where(row.unit.in_(list(part)))
        if year is not None:
            query = query.where(row.year == year)
        query = query.order_by(row.unit, row.year, row.id)
        return [model.model_validate(doc) for doc in session.scalars(query)]

    if units is None:
        return read(None)
    return [r for chunk in _chunks(sorted(set(units))) for r in read(chunk)]


def get_fund_years(session: Session, unit: str | None = None, year: int | None = None,
                   units: Sequence[str] | None = None) -> list[FundYear]:
    """Fund years, filtered by unit (or several) and/or year, ordered by unit, year, fund, scope."""
    return _stored_docs(session, FundYearRow, FundYear, unit, year, units)


def get_fund_periods(session: Session, unit: str | None = None, year: int | None = None,
                     units: Sequence[str] | None = None) -> list[FundPeriod]:
    """Monthly and quarterly fund records, filtered by unit (or several), year; in stored order."""
    return _stored_docs(session, FundPeriodRow, FundPeriod, unit, year, units)


def period_years(session: Session, units: Sequence[str]) -> dict[str, list[int]]:
    """unit code → the years it has monthly or quarterly figures for (units without any left out)."""
    found: dict[str, set[int]] = {}
    for chunk in _chunks(list(units)):
        for code, year in session.execute(
                select(FundPeriodRow.unit, FundPeriodRow.year).where(FundPeriodRow.unit.in_(chunk)).distinct()):
            found.setdefault(code, set()).add(year)
    return {code: sorted(years) for code, years in found.items()}


def stored_funds(session: Session, keys: set[UnitYear], months: set[UnitYear]) -> Dataset:
    """The stored fund records an import of ``keys`` (unit-years) is checked against: their
    months and quarters, and their years where months are stored or ``months`` brings some (a
    load of annual records alone into a database without months reads no annual record)."""
    units = sorted({u for u, _ in keys})
    years = sorted({y for _, y in keys})
    periods: list[FundPeriod] = []
    for chunk in _chunks(units):
        query = (select(FundPeriodRow.doc).where(FundPeriodRow.unit.in_(list(chunk)), FundPeriodRow.year.in_(years))
                 .order_by(FundPeriodRow.unit, FundPeriodRow.year, FundPeriodRow.id))
        periods += [p for p in map(FundPeriod.model_validate, session.scalars(query)) if (p.unit, p.year) in keys]
    wanted = ({(p.unit, p.year) for p in periods} | months) & keys
    annual: list[FundYear] = []
    for chunk in _chunks(sorted({u for u, _ in wanted})):
        query = (select(FundYearRow.doc).where(FundYearRow.unit.in_(list(chunk)), FundYearRow.year.in_(years))
                 .order_by(FundYearRow.unit, FundYearRow.year, FundYearRow.id))
        annual += [a for a in map(FundYear.model_validate, session.scalars(query)) if (a.unit, a.year) in wanted]
    return Dataset(fund_years=annual, fund_periods=periods)


def get_department(session: Session, unit: str, year: int) -> DepartmentYear | None:
    doc = session.scalars(
        select(DepartmentYearRow.doc).where(DepartmentYearRow.unit == unit, DepartmentYearRow.year == year)
    ).first()
    return DepartmentYear.model_validate(doc) if doc is not None else None


def get_departments(session: Session, unit: str | None = None, year: int | None = None) -> list[DepartmentYear]:
    return _stored_docs(session, DepartmentYearRow, DepartmentYear, unit, year, None)


def get_projects(session: Session, unit: str | None = None, year: int | None = None) -> list[Project]:
    return _stored_docs(session, ProjectRow, Project, unit, year, None)


def years_of(session: Session, unit: str) -> list[int]:
    """The years for which ``unit`` has any record."""
    years: set[int] = set()
    for row in (FundYearRow, DepartmentYearRow, ProjectRow):
        years.update(session.scalars(select(row.year).where(row.unit == unit).distinct()))
    return sorted(years)


def unit_ruleset(session: Session, unit: str, fallback: str = "default") -> str:
    """The rule set ``unit`` is judged by: its own ``units.ruleset``, else its nearest ancestor's,
    else ``fallback`` (:func:`jixiao.model.units.effective_ruleset`)."""
    rulesets: dict[str, str | None] = {}
    parents: dict[str, str | None] = {}
    current: str | None = unit
    while current is not None and current not in parents:
        row = session.execute(select(UnitRow.parent, UnitRow.ruleset).where(UnitRow.code == current)).first()
        if row is None:
            break
        parents[current], rulesets[current] = row.parent, row.ruleset
        if row.ruleset:
            break
        current = row.parent
    return effective_ruleset(unit, rulesets, parents, fallback)


def data_years(session: Session) -> dict[str, list[int]]:
    """unit code → the years it has any record for."""
    years: dict[str, set[int]] = {}
    for row in (FundYearRow, DepartmentYearRow, ProjectRow):
        for code, year in session.execute(select(row.unit, row.year).distinct()):
            years.setdefault(code, set()).add(year)
    return {code: sorted(ys) for code, ys in years.items()}


def load_dataset(session: Session, unit: str | None = None, year: int | None = None) -> Dataset:
    """Everything stored (or one unit's / one year's records, months and quarters included) as a
    :class:`Dataset`.

    ``units`` holds every unit when no unit is given, else that unit alone.
    """
    if unit is None:
        units = list_units(session)
    else:
        row = session.get(UnitRow, unit)
        units = [_unit_of(row)] if row is not None else []
    return Dataset(
        units=units,
        fund_years=get_fund_years(session, unit, year),
        fund_periods=get_fund_periods(session, unit, year),
        departments=get_departments(session, unit, year),
        projects=get_projects(session, unit, year),
    )


def dump_state(session: Session) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table as plain dicts, in key order (for comparisons and backups)."""
    state: dict[str, list[dict[str, Any]]] = {}
    for model in TABLES:
        table = cast(Table, model.__table__)
        rows = session.execute(select(table).order_by(*table.primary_key.columns)).mappings()
        state[table.name] = [dict(r) for r in rows]
    return state


def row_counts(session: Session) -> dict[str, int]:
    return {name: len(rows) for name, rows in dump_state(session).items()}


# ------------------------------------------------------------------------------------------
# Checks and bookkeeping of an import (the use case is jixiao.app.imports)
# ------------------------------------------------------------------------------------------


def tree_problems(session: Session, dataset: Dataset) -> list[Problem]:
    """Cycles that only appear when the batch's units are put into the stored tree."""
    parents: dict[str, str | None] = {
        code: parent for code, parent in session.execute(select(UnitRow.code, UnitRow.parent))
    }
    batch = {u.code: u.parent for u in dataset.units}
    parents.update(batch)
    problems = []
    for i, unit in enumerate(dataset.units):
        seen, cur = {unit.code}, unit.parent
        while cur is not None:
            if cur in seen:
                problems.append(Problem(
                    "JX-IN-022", f"单位“{unit.code}”的上级关系与库中已有单位形成了循环",
                    path=f"units[{i}].parent",
                ))
                break
            seen.add(cur)
            cur = parents.get(cur)
    return problems


def import_row(session: Session, file: str, sha: str, dataset: Dataset) -> tuple[ImportRow, bool]:
    """The row recording that ``file`` (its content digest ``sha``) was imported: the existing one
    when the same content was imported from there before (second: False), else a new one."""
    row = session.scalars(select(ImportRow).where(ImportRow.file == file, ImportRow.sha256 == sha)).first()
    if row is not None:
        return row, False
    row = ImportRow(
        file=file, sha256=sha, imported_at=datetime.now(UTC), source=dataset.source,
        units=len(dataset.units), fund_years=len(dataset.fund_years),
        departments=len(dataset.departments), projects=len(dataset.projects),
    )
    session.add(row)
    session.flush()
    return row, True


__all__ = [
    "Base",
    "Removal",
    "SaveCounts",
    "UnitNotFound",
    "data_years",
    "dump_state",
    "find_unit",
    "get_department",
    "get_departments",
    "get_fund_periods",
    "get_fund_years",
    "get_projects",
    "import_row",
    "list_units",
    "load_dataset",
    "period_years",
    "records_of",
    "row_counts",
    "save_dataset",
    "save_parts",
    "stored_funds",
    "tree_problems",
    "unit_codes",
    "unit_year_records",
    "years_of",
]
