"""Stored indicator values: the engine's results for every saved record, kept beside it.

The engine (:mod:`jixiao.calc`) stays the only place a formula lives; these tables are a cache
of what it gave, so a page that compares 3,000 units reads rows instead of computing 15,000
records. Three tables (migration ``0003``):

``indicator_records``
    one row per stored record (kind ``fund`` | ``department`` | ``project``, unit, year, fund,
    scope, project name — ``''`` where a kind has none), with the **digest** of what its results
    depend on (sha256 of the record's stored JSON and, for a fund record, of its siblings' — the
    same unit/year/口径's other funds, which the 职工医保 structure indicators and the approximate
    reserve rule read) and the **engine version** that computed them.
``indicator_values``
    one row per record × indicator of its subject: ``value`` (the full-precision ``Decimal`` as
    text, NULL when not computable), ``display`` (:meth:`IndicatorResult.display`), the value's
    unit, and the record's key columns again so the comparison is one indexed query
    (year, indicator, kind, fund).
``record_warnings``
    one row per record × rule set: the warnings (rule id, code, severity, message) as JSON, their
    count and the worst severity. A rule set is named by its label and a digest of its content,
    so an edited rule file is never served stale.

Freshness:

* :func:`index_saved` — called by the repository's save functions in the same transaction, for
  the records just saved and their fund siblings; a record whose digest, engine version and
  warnings are already current is left alone (saving the same data twice writes nothing here).
* the engine version is jixiao's version plus a digest of the engine's own source (``calc``,
  ``model``, ``numbers``): a changed formula makes every stored row stale. Readers check it
  (:func:`year_is_current`) and :func:`refresh_year` recomputes what differs, lazily, one year
  and one kind at a time; ``jixiao db reindex`` (:func:`reindex`) recomputes everything.
* records written behind the repository's back (SQL by hand) are found by ``reindex``, which
  compares every digest; a missing or orphaned record for a year is also found by
  :func:`refresh_year`.

Warnings are stored for every rule set shipped with jixiao (:func:`stored_rulesets`) and for
any other rule set the first time a reader asks for it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any, Literal, NamedTuple

from sqlalchemy import (
    Engine,
    and_,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

import jixiao
from jixiao.calc import (
    IndicatorResult,
    RiskWarning,
)
from jixiao.calc.dataset import record_values, record_warnings
from jixiao.model import DepartmentYear, FundYear, Project
from jixiao.model.funds import FundKind
from jixiao.rules import SEVERITY_ORDER, RuleSet, available_rulesets, load_ruleset
from jixiao.store.schema import (
    RECORDS,
    VALUES,
    WARNINGS,
    DepartmentYearRow,
    FundYearRow,
    IndicatorRecordRow,
    IndicatorValueRow,
    ProjectRow,
    RecordWarningsRow,
)

log = logging.getLogger(__name__)

Kind = Literal["fund", "department", "project"]
KINDS: tuple[Kind, ...] = ("fund", "department", "project")
#: (kind, unit, year, fund, scope, project) — '' where the kind has no such part
RecordKey = tuple[str, str, int, str, str, str]

_CHUNK = 500


# --------------------------------------------------------------------------------------------
# Versions and digests
# --------------------------------------------------------------------------------------------

_ENGINE_SOURCES = ("jixiao.calc", "jixiao.model")


@cache
def engine_version() -> str:
    """jixiao's version and a digest of the engine's source (``calc``, ``model``, ``numbers``):
    '0.1.0+3f2a9c1d04be'. Any change to a formula, a model field or the arithmetic changes it."""
    digest = hashlib.sha256()
    for package in _ENGINE_SOURCES:
        files = sorted((p for p in resources.files(package).iterdir() if p.name.endswith(".py")),
                       key=lambda p: p.name)
        for path in files:
            digest.update(f"{package}/{path.name}\n".encode())
            digest.update(path.read_bytes())
    digest.update((resources.files("jixiao") / "numbers.py").read_bytes())
    return f"{jixiao.__version__}+{digest.hexdigest()[:12]}"


_KEYS: dict[int, tuple[RuleSet, str]] = {}


def ruleset_key(ruleset: RuleSet) -> str:
    """'default 2024.1#9c0e…': the label and a digest of the whole rule set (a rule set is
    frozen, so the key is kept per object)."""
    found = _KEYS.get(id(ruleset))
    if found is not None and found[0] is ruleset:
        return found[1]
    content = hashlib.sha256(ruleset.model_dump_json().encode()).hexdigest()[:12]
    key = f"{ruleset.label}#{content}"
    if len(_KEYS) > 256:
        _KEYS.clear()
    _KEYS[id(ruleset)] = (ruleset, key)
    return key


@cache
def _shipped() -> tuple[RuleSet, ...]:
    return tuple(load_ruleset(name) for name in available_rulesets())


def stored_rulesets(extra: RuleSet | None = None) -> list[RuleSet]:
    """The rule sets whose warnings are stored: every shipped one, plus ``extra``."""
    out = {ruleset_key(rs): rs for rs in _shipped()}
    if extra is not None:
        out.setdefault(ruleset_key(extra), extra)
    return list(out.values())


def canonical_json(doc: Any) -> str:
    """The stored document as canonical JSON (sorted keys): the same on SQLite and PostgreSQL."""
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def record_digest(doc: Mapping[str, Any], siblings: Mapping[str, Mapping[str, Any]] | None = None) -> str:
    """sha256 of a record's stored JSON and, for a fund record, its siblings' (by fund)."""
    digest = hashlib.sha256(canonical_json(doc).encode())
    for fund in sorted(siblings or {}):
        digest.update(b"\n" + fund.encode() + b"\n")
        digest.update(canonical_json(siblings[fund]).encode())  # type: ignore[index]
    return digest.hexdigest()


# --------------------------------------------------------------------------------------------
# Computing one record
# --------------------------------------------------------------------------------------------


@dataclass
class _Source:
    """A stored record to index: its key, model, fund siblings and digest."""

    key: RecordKey
    model: FundYear | DepartmentYear | Project
    siblings: dict[FundKind, FundYear]
    digest: str


@dataclass
class _Computed:
    source: _Source
    values: list[IndicatorResult]
    warnings: dict[str, list[RiskWarning]]  # ruleset key → warnings


def _compute(src: _Source, rulesets: Sequence[RuleSet]) -> _Computed:
    """Every indicator of the record's subject (computable or not) and its warnings per rule set,
    by the engine's own functions — the results the dashboard shows."""
    # every indicator of the subject, also those meant for other funds (a comparison column may
    # ask for them); the warnings rest on the record's own ones, as on the dashboard
    values = record_values(src.model, src.siblings)
    warns = {ruleset_key(rs): record_warnings(src.model, values.own, rs, src.siblings) for rs in rulesets}
    return _Computed(src, values.every, warns)


def _worst(warnings: Iterable[RiskWarning]) -> str | None:
    worst: str | None = None
    for w in warnings:
        if worst is None or SEVERITY_ORDER[w.severity] > SEVERITY_ORDER[worst]:
            worst = w.severity
    return worst


def _warnings_json(warnings: Sequence[RiskWarning]) -> str:
    return json.dumps([{"rule_id": w.rule_id, "code": w.code, "severity": w.severity, "message": w.message}
                       for w in warnings], ensure_ascii=False, separators=(",", ":"))


# --------------------------------------------------------------------------------------------
# Reading the sources
# --------------------------------------------------------------------------------------------


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i:i + _CHUNK]


def _fund_sources(rows: Iterable[tuple[str, int, str, str, dict[str, Any]]],
                  groups: Collection[tuple[str, int, str]] | None) -> list[_Source]:
    """Fund records (unit, year, fund, scope, doc) grouped by unit/year/口径 with their siblings;
    only the groups in ``groups`` (all when None)."""
    by_group: dict[tuple[str, int, str], dict[str, dict[str, Any]]] = {}
    for unit, year, fund, scope, doc in rows:
        if groups is None or (unit, year, scope) in groups:
            by_group.setdefault((unit, year, scope), {})[fund] = doc
    out: list[_Source] = []
    for (unit, year, scope), docs in by_group.items():
        models = {FundKind(fund): FundYear.model_validate(doc) for fund, doc in docs.items()}
        for fund, doc in docs.items():
            siblings = {k: v for k, v in docs.items() if k != fund}
            kind = FundKind(fund)
            out.append(_Source(("fund", unit, year, fund, scope, ""), models[kind],
                               {k: m for k, m in models.items() if k != kind}, record_digest(doc, siblings)))
    return out


def _department_sources(rows: Iterable[tuple[str, int, dict[str, Any]]]) -> list[_Source]:
    return [_Source(("department", unit, year, "", "", ""), DepartmentYear.model_validate(doc), {},
                    record_digest(doc)) for unit, year, doc in rows]


def _project_sources(rows: Iterable[tuple[str, int, str, dict[str, Any]]]) -> list[_Source]:
    return [_Source(("project", unit, year, "", "", name), Project.model_validate(doc), {}, record_digest(doc))
            for unit, year, name, doc in rows]


def _year_sources(session: Session, year: int, kinds: Collection[Kind]) -> list[_Source]:
    out: list[_Source] = []
    if "fund" in kinds:
        out += _fund_sources(session.execute(
            select(FundYearRow.unit, FundYearRow.year, FundYearRow.fund, FundYearRow.scope, FundYearRow.doc)
            .where(FundYearRow.year == year)), None)
    if "department" in kinds:
        out += _department_sources(session.execute(
            select(DepartmentYearRow.unit, DepartmentYearRow.year, DepartmentYearRow.doc)
            .where(DepartmentYearRow.year == year)))
    if "project" in kinds:
        out += _project_sources(session.execute(
            select(ProjectRow.unit, ProjectRow.year, ProjectRow.name, ProjectRow.doc)
            .where(ProjectRow.year == year)))
    return out


# --------------------------------------------------------------------------------------------
# What is stored
# --------------------------------------------------------------------------------------------


@dataclass
class _Stored:
    id: int
    digest: str
    engine: str
    rulesets: set[str] = field(default_factory=set)


def _stored(session: Session, where: Any) -> dict[RecordKey, _Stored]:
    """Stored records matching ``where`` (a condition on indicator_records) with their rule sets."""
    r = IndicatorRecordRow
    found: dict[RecordKey, _Stored] = {}
    by_id: dict[int, _Stored] = {}
    for rid, kind, unit, year, fund, scope, project, digest, engine in session.execute(
            select(r.id, r.kind, r.unit, r.year, r.fund, r.scope, r.project, r.digest, r.engine).where(where)):
        found[(kind, unit, year, fund, scope, project)] = by_id[rid] = _Stored(rid, digest, engine)
    if by_id:
        w = RecordWarningsRow
        for rid, key in session.execute(select(w.record_id, w.ruleset).join(r, r.id == w.record_id).where(where)):
            by_id[rid].rulesets.add(key)
    return found


def _is_current(src: _Source, stored: _Stored | None, keys: Collection[str]) -> bool:
    return (stored is not None and stored.digest == src.digest and stored.engine == engine_version()
            and all(k in stored.rulesets for k in keys))


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def _delete_records(session: Session, ids: Sequence[int], *, keep_records: bool) -> None:
    for chunk in _chunks(list(ids)):
        session.execute(delete(VALUES).where(VALUES.c.record_id.in_(chunk)))
        session.execute(delete(WARNINGS).where(WARNINGS.c.record_id.in_(chunk)))
        if not keep_records:
            session.execute(delete(RECORDS).where(RECORDS.c.id.in_(chunk)))


def _write(session: Session, computed: Sequence[_Computed], stored: Mapping[RecordKey, _Stored]) -> None:
    """Replace the stored rows of ``computed`` records (in the session's transaction)."""
    if not computed:
        return
    version = engine_version()
    old = [c for c in computed if c.source.key in stored]
    new = [c for c in computed if c.source.key not in stored]
    _delete_records(session, [stored[c.source.key].id for c in old], keep_records=True)
    ids: dict[RecordKey, int] = {}
    if old:
        session.execute(
            update(RECORDS).where(RECORDS.c.id == bindparam("rid"))
            .values(digest=bindparam("d"), engine=bindparam("e"), stamp=bindparam("s")),
            [{"rid": stored[c.source.key].id, "d": c.source.digest, "e": version, "s": _stamp()} for c in old],
        )
        ids.update((c.source.key, stored[c.source.key].id) for c in old)
    for chunk in _chunks(new):
        rows = [{"kind": k[0], "unit": k[1], "year": k[2], "fund": k[3], "scope": k[4], "project": k[5],
                 "digest": c.source.digest, "engine": version, "stamp": _stamp()}
                for c in chunk for k in (c.source.key,)]
        returned = session.execute(
            insert(RECORDS).returning(RECORDS.c.id, sort_by_parameter_order=True), rows).scalars().all()
        ids.update((c.source.key, rid) for c, rid in zip(chunk, returned, strict=True))
    values: list[dict[str, Any]] = []
    warnings: list[dict[str, Any]] = []
    for c in computed:
        kind, unit, year, fund, scope, project = c.source.key
        rid = ids[c.source.key]
        for r in c.values:
            values.append({"record_id": rid, "record_kind": kind, "unit": unit, "year": year, "fund": fund,
                           "scope": scope, "project": project, "indicator_id": r.id,
                           "value": None if r.value is None else str(r.value), "display": r.display(),
                           "value_unit": r.unit})
        for key, ws in c.warnings.items():
            warnings.append({"record_id": rid, "ruleset": key, "count": len(ws), "worst": _worst(ws),
                             "warnings": _warnings_json(ws)})
        if len(values) >= 5000:
            session.execute(insert(VALUES), values)
            values = []
    if values:
        session.execute(insert(VALUES), values)
    for start in range(0, len(warnings), 5000):
        session.execute(insert(WARNINGS), warnings[start:start + 5000])


def _stamp() -> int:
    return secrets.randbits(40)


#: results computed before a write transaction, by (record key, digest): see :func:`precompute`
Precomputed = dict[tuple[RecordKey, str], "_Computed"]


def _sync(session: Session, sources: Sequence[_Source], stored: Mapping[RecordKey, _Stored],
          rulesets: Sequence[RuleSet], *, force: bool = False, ready: Precomputed | None = None) -> int:
    """Recompute and write the sources that are not current; the number recomputed."""
    keys = [ruleset_key(rs) for rs in rulesets]
    stale = [s for s in sources if force or not _is_current(s, stored.get(s.key), keys)]
    ready = ready or {}
    done = 0
    for chunk in _chunks(stale):
        _write(session, [ready.get((s.key, s.digest)) or _compute(s, rulesets) for s in chunk], stored)
        done += len(chunk)
    return done


def precompute(fund_years: Iterable[FundYear], departments: Iterable[DepartmentYear],
               projects: Iterable[Project]) -> Precomputed:
    """The results of records about to be saved, computed before the write transaction starts:
    on SQLite a transaction holds the one write lock from its first write to its commit, and
    computing a large import's indicators inside it (seconds) kept every other writer — logins
    too — waiting. A result is used only if the record's digest (its document and its fund
    siblings' as stored) is the one computed here, so a sibling stored but not in the batch
    just means that record is computed again, inside."""
    def doc(model: FundYear | DepartmentYear | Project) -> dict[str, Any]:
        return model.model_dump(mode="json", exclude_none=True)

    rulesets = stored_rulesets()
    sources = _fund_sources(((f.unit, f.year, f.fund.value, f.scope or "", doc(f)) for f in fund_years), None)
    sources += _department_sources((d.unit, d.year, doc(d)) for d in departments)
    sources += _project_sources((p.unit, p.year, p.name, doc(p)) for p in projects)
    return {(s.key, s.digest): _compute(s, rulesets) for s in sources}


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


def index_saved(session: Session, fund_groups: Collection[tuple[str, int, str]],
                departments: Collection[tuple[str, int]], projects: Collection[tuple[str, int, str]],
                ready: Precomputed | None = None) -> int:
    """Bring the stored values of just-saved records up to date, in the caller's transaction.

    ``fund_groups`` are (unit, year, scope) groups with a saved fund record: every fund record of
    such a group is checked, as a sibling's figures can change another's results. Records whose
    digest, engine version and shipped rule sets' warnings are current are not touched. Returns
    the number of records recomputed. The caller has flushed the records.
    """
    rulesets = stored_rulesets()
    sources: list[_Source] = []
    group_set = set(fund_groups)
    dept_set = set(departments)
    project_set = set(projects)
    units = sorted({u for u, _, _ in group_set} | {u for u, _ in dept_set} | {u for u, _, _ in project_set})
    years = sorted({y for _, y, _ in group_set} | {y for _, y in dept_set} | {y for _, y, _ in project_set})
    done = 0
    for chunk in _chunks(units):
        sources = []
        if group_set:
            rows = session.execute(
                select(FundYearRow.unit, FundYearRow.year, FundYearRow.fund, FundYearRow.scope, FundYearRow.doc)
                .where(FundYearRow.unit.in_(chunk), FundYearRow.year.in_(years)))
            sources += _fund_sources(rows, group_set)
        if dept_set:
            rows_d = session.execute(
                select(DepartmentYearRow.unit, DepartmentYearRow.year, DepartmentYearRow.doc)
                .where(DepartmentYearRow.unit.in_(chunk), DepartmentYearRow.year.in_(years)))
            sources += _department_sources(r for r in rows_d if (r[0], r[1]) in dept_set)
        if project_set:
            rows_p = session.execute(
                select(ProjectRow.unit, ProjectRow.year, ProjectRow.name, ProjectRow.doc)
                .where(ProjectRow.unit.in_(chunk), ProjectRow.year.in_(years)))
            sources += _project_sources(r for r in rows_p if (r[0], r[1], r[2]) in project_set)
        if not sources:
            continue
        stored = _stored(session, and_(IndicatorRecordRow.unit.in_(chunk), IndicatorRecordRow.year.in_(years)))
        done += _sync(session, sources, stored, rulesets, ready=ready)
    session.flush()
    return done


def drop_records(session: Session, keys: Collection[RecordKey]) -> None:
    """Forget the stored values of records that were deleted (in the caller's transaction)."""
    r = IndicatorRecordRow
    ids = [rid for key in keys for rid in session.scalars(select(r.id).where(
        r.kind == key[0], r.unit == key[1], r.year == key[2], r.fund == key[3], r.scope == key[4],
        r.project == key[5]))]
    _delete_records(session, ids, keep_records=False)


def refresh_year(session: Session, year: int, kinds: Collection[Kind] = KINDS,
                 ruleset: RuleSet | None = None, *, force: bool = False) -> int:
    """Make the stored values of ``year``'s records of ``kinds`` current (in the caller's
    transaction): compute what is missing or stale, drop rows whose record is gone. Returns the
    number of records recomputed or dropped."""
    rulesets = stored_rulesets(ruleset)
    sources = _year_sources(session, year, kinds)
    stored = _stored(session, and_(IndicatorRecordRow.year == year, IndicatorRecordRow.kind.in_(list(kinds))))
    present = {s.key for s in sources}
    orphans = [s.id for k, s in stored.items() if k not in present]
    _delete_records(session, orphans, keep_records=False)
    done = _sync(session, sources, stored, rulesets, force=force) + len(orphans)
    if force or done:
        # warnings of rule sets no longer stored (an edited rule file) go with a full pass
        keep = [ruleset_key(rs) for rs in rulesets]
        ids = select(IndicatorRecordRow.id).where(IndicatorRecordRow.year == year,
                                                  IndicatorRecordRow.kind.in_(list(kinds)))
        session.execute(delete(WARNINGS).where(WARNINGS.c.record_id.in_(ids), WARNINGS.c.ruleset.not_in(keep)))
    session.flush()
    return done


def stored_years(session: Session) -> list[int]:
    """Years with any record (stored data or stored values)."""
    years: set[int] = set()
    for row in (FundYearRow, DepartmentYearRow, ProjectRow, IndicatorRecordRow):
        years.update(session.scalars(select(row.year).group_by(row.year)))
    return sorted(years)


@dataclass
class ReindexResult:
    years: list[int]
    records: int  # records present
    recomputed: int  # records recomputed or dropped


def reindex(engine: Engine, *, force: bool = False, progress: Callable[[int, int], None] | None = None
            ) -> ReindexResult:
    """Compare every stored record with its stored values and recompute what differs (all of it
    with ``force``). One transaction per year, so an interrupted run keeps the years done."""
    with Session(engine) as session:
        years = stored_years(session)
    total = recomputed = 0
    for year in years:
        with Session(engine) as session, session.begin():
            n = refresh_year(session, year, force=force)
            count = session.scalar(select(func.count()).select_from(IndicatorRecordRow)
                                   .where(IndicatorRecordRow.year == year)) or 0
        total += count
        recomputed += n
        if progress is not None:
            progress(year, n)
    return ReindexResult(years, total, recomputed)


def reindex_connection(session: Session, *, force: bool = False) -> int:
    """Every year in the caller's transaction (the 0003 migration fills the tables with this)."""
    return sum(refresh_year(session, year, force=force) for year in stored_years(session))


# --------------------------------------------------------------------------------------------
# Reading (the comparison and the unit tree)
# --------------------------------------------------------------------------------------------


class StoredWarning(NamedTuple):
    rule_id: str
    severity: str
    message: str
    code: str


@dataclass(slots=True)
class StoredRecord:
    """One record's stored state as a reader sees it."""

    id: int
    unit: str
    fund: str
    scope: str
    project: str
    current: bool  # engine version current and warnings present for the rule set asked about
    warnings: tuple[StoredWarning, ...] = ()
    worst: str | None = None  # the most serious of ``warnings``
    values: dict[str, tuple[Decimal | None, str]] = field(default_factory=dict)


_WARNINGS_CACHE: dict[str, tuple[StoredWarning, ...]] = {"[]": ()}


def clear_read_caches() -> None:
    """Forget the parsed warning lists kept between reads (benchmarks use this for cold timings)."""
    _WARNINGS_CACHE.clear()
    _WARNINGS_CACHE["[]"] = ()


def _parse_warnings(text: str) -> tuple[StoredWarning, ...]:
    found = _WARNINGS_CACHE.get(text)
    if found is None:
        found = tuple(StoredWarning(w["rule_id"], w["severity"], w["message"], w["code"]) for w in json.loads(text))
        if len(_WARNINGS_CACHE) < 20_000:
            _WARNINGS_CACHE[text] = found
    return found


def read_records(session: Session, year: int, kind: Kind, ruleset: RuleSet, *, fund: str | None = None,
                 units: Collection[str] | None = None, indicator_ids: Sequence[str] = ()) -> list[StoredRecord]:
    """The stored records of ``year`` and ``kind`` (of ``fund``; of ``units`` when given, else
    all), each with its warnings under ``ruleset`` and the values of ``indicator_ids``.

    Two indexed queries. A record's ``current`` is False when its engine version differs or its
    warnings under ``ruleset`` are not stored; see :func:`year_is_current` for missing records."""
    r, w = IndicatorRecordRow, RecordWarningsRow
    version, key = engine_version(), ruleset_key(ruleset)
    conditions = [r.year == year, r.kind == kind]
    if fund is not None:
        conditions.append(r.fund == fund)
    unit_list = sorted(units) if units is not None else None
    out: dict[int, StoredRecord] = {}
    for part in _unit_parts(unit_list):
        query = select(r.id, r.unit, r.fund, r.scope, r.project, r.engine, w.warnings, w.worst) \
            .outerjoin(w, and_(w.record_id == r.id, w.ruleset == key)).where(*conditions)
        if part is not None:
            query = query.where(r.unit.in_(part))
        for rid, unit, fund_value, scope, project, engine, warnings, worst in session.execute(query):
            out[rid] = StoredRecord(rid, unit, fund_value, scope, project,
                                    engine == version and warnings is not None,
                                    _parse_warnings(warnings) if warnings is not None else (), worst)
    if indicator_ids and out:
        v = IndicatorValueRow
        value_conditions = [v.year == year, v.indicator_id.in_(list(indicator_ids)), v.record_kind == kind]
        if fund is not None:
            value_conditions.append(v.fund == fund)
        decimals: dict[str, Decimal] = {}
        for part in _unit_parts(unit_list):
            vquery = select(v.record_id, v.indicator_id, v.value, v.display).where(*value_conditions)
            if part is not None:
                vquery = vquery.where(v.unit.in_(part))
            for rid, indicator_id, value, display in session.execute(vquery):
                rec = out.get(rid)
                if rec is None:
                    continue
                number: Decimal | None = None
                if value is not None:
                    number = decimals.get(value)
                    if number is None:
                        number = decimals[value] = Decimal(value)
                rec.values[indicator_id] = (number, display)
    return sorted(out.values(), key=lambda rec: (rec.unit, rec.fund, rec.scope, rec.project))


_IN_LIMIT = 900


def _unit_parts(units: Sequence[str] | None) -> Iterator[Sequence[str] | None]:
    """The unit filter in pieces an SQL IN (…) takes (None: no filter)."""
    if units is None:
        yield None
        return
    for i in range(0, len(units), _IN_LIMIT):
        yield units[i:i + _IN_LIMIT]


def source_count(session: Session, year: int, kind: Kind, *, fund: str | None = None,
                 units: Collection[str] | None = None) -> int:
    """How many records of ``kind`` the data tables hold for ``year`` (and ``fund``, ``units``)."""
    row: Any = {"fund": FundYearRow, "department": DepartmentYearRow, "project": ProjectRow}[kind]
    total = 0
    for part in _unit_parts(sorted(units) if units is not None else None):
        query = select(func.count()).select_from(row).where(row.year == year)
        if fund is not None and kind == "fund":
            query = query.where(row.fund == fund)
        if part is not None:
            query = query.where(row.unit.in_(part))
        total += session.scalar(query) or 0
    return total


def year_is_current(session: Session, records: Sequence[StoredRecord], year: int, kind: Kind, *,
                    fund: str | None = None, units: Collection[str] | None = None) -> bool:
    """True when ``records`` (from :func:`read_records` with the same filters) are all current
    and as many as the data tables hold."""
    return all(r.current for r in records) and len(records) == source_count(session, year, kind, fund=fund,
                                                                             units=units)


def refresh_year_now(session: Session, year: int, kinds: Collection[Kind], ruleset: RuleSet | None = None) -> int:
    """:func:`refresh_year` for a reader: committed in a transaction of its own when it can be,
    so the next request finds the values stored; otherwise (the database is busy, or in memory)
    inside the caller's transaction, which the caller may roll back."""
    bind = session.get_bind()
    separate = isinstance(bind, Engine) and not (bind.dialect.name == "sqlite" and bind.url.database in
                                                  (None, "", ":memory:"))
    for _attempt in range(2 if separate else 0):
        assert isinstance(bind, Engine)
        try:
            with Session(bind) as own, own.begin():
                if bind.dialect.name == "sqlite":
                    own.connection().exec_driver_sql("PRAGMA busy_timeout=2000")
                elif bind.dialect.name == "postgresql":
                    own.connection().exec_driver_sql("SET LOCAL lock_timeout = '2s'")
                try:
                    return refresh_year(own, year, kinds, ruleset)
                finally:
                    if bind.dialect.name == "sqlite":
                        own.connection().exec_driver_sql("PRAGMA busy_timeout=10000")
        except IntegrityError as exc:
            # another process stored the same values first and committed: again, from what it left
            log.info("stored indicator values of %s refreshed meanwhile by another process: %s", year, exc)
        except SQLAlchemyError as exc:  # busy
            log.info("stored indicator values of %s not refreshed in their own transaction: %s", year, exc)
            break
    if not (isinstance(bind, Engine) and bind.dialect.name == "postgresql"):
        return refresh_year(session, year, kinds, ruleset)
    try:  # a refresh that timed out on another's locks lands here and may lose the race: a savepoint
        with session.begin_nested():
            return refresh_year(session, year, kinds, ruleset)
    except IntegrityError as exc:  # the other committed the same values: they are there to read
        log.info("stored indicator values of %s refreshed meanwhile by another process: %s", year, exc)
        return 0


def unit_years(session: Session, units: Collection[str] | None = None) -> dict[str, list[int]]:
    """unit code → the years it has any record for: one GROUP BY over ``indicator_records``
    (every stored record has a row there, see :func:`index_saved`)."""
    r = IndicatorRecordRow
    out: dict[str, list[int]] = {}
    for part in _unit_parts(sorted(units) if units is not None and len(units) <= _IN_LIMIT else None):
        query = select(r.unit, r.year).group_by(r.unit, r.year).order_by(r.unit, r.year)
        if part is not None:
            query = query.where(r.unit.in_(part))
        rows = session.execute(query).all()
        if units is not None:
            wanted = units if isinstance(units, (set, frozenset, dict)) else set(units)  # a list: a walk per row
            rows = [row for row in rows if row[0] in wanted]
        for unit, year in rows:
            found = out.get(unit)
            if found is None:
                out[unit] = [year]
            else:
                found.append(year)
    return out


def records_token(session: Session, year: int, kind: Kind, fund: str | None = None) -> tuple[int, int]:
    """(count, sum of stamps) of the stored records of ``year``/``kind`` (/``fund``): changes
    whenever any of them is written, added or dropped (one range of a covering index). Readers
    key what they derive from these records by it; a different set with the same token has a
    chance of about 2⁻⁴⁰ per change."""
    r = IndicatorRecordRow
    query = select(func.count(), func.coalesce(func.sum(r.stamp), 0)).where(r.year == year, r.kind == kind)
    if fund is not None:
        query = query.where(r.fund == fund)
    count, total = session.execute(query).one()
    return int(count), int(total)


def keys_complete(session: Session, year: int, kind: Kind) -> bool:
    """Whether ``indicator_records`` has as many rows of ``kind`` in ``year`` as the data tables
    have records (two counts over indexes): a record saved behind the repository's back, or a
    stored row whose record is gone, makes them differ."""
    return source_count(session, year, kind) == (session.scalar(
        select(func.count()).select_from(IndicatorRecordRow)
        .where(IndicatorRecordRow.year == year, IndicatorRecordRow.kind == kind)) or 0)


def funds_of_year(session: Session, year: int, units: Collection[str] | None = None) -> dict[str, int]:
    """fund → how many units (of ``units``, else all) have a record of it in ``year``: one GROUP BY
    over the covering index of ``indicator_records`` (see :func:`keys_complete`)."""
    r = IndicatorRecordRow
    counts: dict[str, int] = {}
    if units is not None and len(units) > _IN_LIMIT:
        seen: dict[str, set[str]] = {}
        for unit, fund in session.execute(select(r.unit, r.fund).where(r.year == year, r.kind == "fund")):
            if unit in units:
                seen.setdefault(fund, set()).add(unit)
        return {fund: len(codes) for fund, codes in seen.items()}
    query = select(r.fund, func.count(r.unit.distinct())).where(r.year == year, r.kind == "fund").group_by(r.fund)
    if units is not None:
        query = query.where(r.unit.in_(sorted(units)))
    for fund, count in session.execute(query):
        counts[fund] = count
    return counts


def stale_keys(session: Session) -> list[RecordKey]:
    """Records whose stored values are missing, stale or orphaned (for tests and ``reindex``'s
    dry run): reads every record, so it is slow on a large database."""
    out: list[RecordKey] = []
    keys = [ruleset_key(rs) for rs in stored_rulesets()]
    for year in stored_years(session):
        sources = _year_sources(session, year, KINDS)
        stored = _stored(session, IndicatorRecordRow.year == year)
        out += [s.key for s in sources if not _is_current(s, stored.get(s.key), keys)]
        present = {s.key for s in sources}
        out += [k for k in stored if k not in present]
    return out


__all__ = [
    "ReindexResult",
    "StoredRecord",
    "StoredWarning",
    "canonical_json",
    "clear_read_caches",
    "drop_records",
    "engine_version",
    "funds_of_year",
    "index_saved",
    "keys_complete",
    "read_records",
    "record_digest",
    "records_token",
    "refresh_year",
    "refresh_year_now",
    "reindex",
    "reindex_connection",
    "ruleset_key",
    "source_count",
    "stale_keys",
    "stored_rulesets",
    "unit_years",
    "year_is_current",
]


def fund_scopes_of_year(session: Session, year: int) -> dict[str, dict[str, list[str]]]:
    """unit → fund → the 口径 (scopes) it has a fund record of in ``year``: one range of the
    covering index, for a reader that must know who has what before loading any record."""
    r = IndicatorRecordRow
    out: dict[str, dict[str, list[str]]] = {}
    query = select(r.unit, r.fund, r.scope).where(r.year == year, r.kind == "fund")
    for unit, fund, scope in session.execute(query):
        out.setdefault(unit, {}).setdefault(fund, []).append(scope or "")
    return out
