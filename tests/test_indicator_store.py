"""Stored indicator values (jixiao.store.indicator_store) on SQLite and PostgreSQL.

What the store promises: every saved record's indicators and warnings are stored in the same
transaction, equal to what the engine gives (the engine is called here, never the store's own
code, for the expected values); saving again writes nothing; an edit — also of a fund sibling —
is reflected; stale values (new engine, new rule set, records written behind the repository's
back) are found and recomputed lazily or by ``jixiao db reindex``; migration 0004 fills the
tables of an existing database; and the comparison and unit tree read them without computing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

import jixiao.calc.registry as registry
from jixiao.app.imports import import_files
from jixiao.app.pages.comparison import comparison
from jixiao.app.pages.tree import unit_tree
from jixiao.calc import compute_department, compute_fund_year, definitions, department_warnings, fund_warnings
from jixiao.calc.dataset import fund_groups
from jixiao.cli import web as web_commands
from jixiao.model import Dataset
from jixiao.model.users import Principal, Role
from jixiao.numbers import Quantity
from jixiao.rules import load_ruleset
from jixiao.store import db as store_db
from jixiao.store import indicator_store as ist
from jixiao.store.repository import data_years, get_departments, get_fund_years, save_dataset
from jixiao.store.schema import IndicatorRecordRow, IndicatorValueRow, RecordWarningsRow

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FILES = [EXAMPLES / "units.yaml", *sorted(EXAMPLES.glob("0*.yaml"))]
ADMIN = Principal(1, "admin", Role.admin)
XINJIANG = "650000-01"  # seed 001: 职工医保 with its 统筹基金 and 个人账户 parts, 2019
EMPLOYEE = "职工基本医疗保险"
POOLING = "职工基本医疗保险统筹基金"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = store_db.open_database(db_url)
    outcome = import_files(engine, FILES)
    assert outcome.ok, outcome.problems
    yield engine
    engine.dispose()


def _values(session: Session) -> dict[tuple[Any, ...], tuple[str | None, str, str]]:
    v = IndicatorValueRow
    return {(kind, unit, year, fund, scope, project, ind): (value, display, vunit)
            for kind, unit, year, fund, scope, project, ind, value, display, vunit in session.execute(
                select(v.record_kind, v.unit, v.year, v.fund, v.scope, v.project, v.indicator_id, v.value,
                       v.display, v.value_unit))}


def _warnings(session: Session, ruleset: str = "default") -> dict[tuple[Any, ...], list[dict[str, str]]]:
    r, w = IndicatorRecordRow, RecordWarningsRow
    key = ist.ruleset_key(load_ruleset(ruleset))
    return {(kind, unit, year, fund, scope, project): json.loads(text_)
            for kind, unit, year, fund, scope, project, text_ in session.execute(
                select(r.kind, r.unit, r.year, r.fund, r.scope, r.project, w.warnings)
                .join(w, w.record_id == r.id).where(w.ruleset == key))}


def _snapshot(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    for table in ("indicator_records", "indicator_values", "record_warnings"):
        out[table] = [tuple(row) for row in session.execute(text(f"SELECT * FROM {table} ORDER BY id"))]
    return out


def test_saved_records_store_what_the_engine_computes(engine: Engine) -> None:
    rs = load_ruleset("default")
    with Session(engine) as s:
        stored = _values(s)
        warned = _warnings(s)
        funds = get_fund_years(s)
        departments = get_departments(s)
    assert funds and departments
    checked = 0
    for fy, group in ((fy, fund_groups(funds)[(fy.unit, fy.year, fy.scope)]) for fy in funds):
        others = {k: v for k, v in group.items() if k != fy.fund}
        key = ("fund", fy.unit, fy.year, fy.fund.value, fy.scope or "", "")
        for d in definitions("fund"):  # every fund indicator, computable or not
            r = d.compute(fy, others)
            assert stored[(*key, d.id)] == (None if r.value is None else str(r.value), r.display(), r.unit)
            checked += 1
        expected = fund_warnings(fy, compute_fund_year(fy, group), rs, group)
        assert [(w["rule_id"], w["code"], w["severity"], w["message"]) for w in warned[key]] == \
            [(w.rule_id, w.code, w.severity, w.message) for w in expected]
    for dy in departments:
        key = ("department", dy.unit, dy.year, "", "", "")
        results = compute_department(dy)
        for r in results:
            assert stored[(*key, r.id)] == (None if r.value is None else str(r.value), r.display(), r.unit)
        assert [w["message"] for w in warned[key]] == [w.message for w in department_warnings(dy, results, rs)]
    assert checked > 500
    # full precision: a stored value reads back as the very Decimal the engine gave
    some = next(v for v in stored.values() if v[0] is not None and len(v[0]) > 12)
    assert str(Decimal(some[0])) == some[0]
    # warnings of every shipped rule set are stored; seed 004's 城乡居民 deficit is among them
    with Session(engine) as s:
        for name in ("default", "hunan", "sichuan"):
            assert any(w["code"] == "JX-W-003" for ws in _warnings(s, name).values() for w in ws)


def test_saving_again_writes_nothing_and_stale_keys_is_empty(engine: Engine) -> None:
    with Session(engine) as s:
        before = _snapshot(s)
        assert ist.stale_keys(s) == []
    assert import_files(engine, FILES).ok
    with Session(engine) as s:
        assert _snapshot(s) == before  # same rows, same ids


def test_an_edit_and_a_siblings_edit_are_recomputed_in_the_same_transaction(engine: Engine) -> None:
    share = ("fund", XINJIANG, 2019, EMPLOYEE, "区本级", "", "pooling_expenditure_share")
    balance = ("fund", XINJIANG, 2019, EMPLOYEE, "区本级", "", "current_balance")
    with Session(engine) as s:
        before = _values(s)
        funds = {f.fund.value: f for f in get_fund_years(s, XINJIANG, 2019)}
        pooling = funds[POOLING]
        assert pooling.expenditure.total is not None
        # the 统筹基金 part changes: the 职工医保 record's share (which reads it) follows
        doubled = Quantity(pooling.expenditure.total.value * 2, pooling.expenditure.total.unit)
        save_dataset(s, Dataset(fund_years=[pooling.model_copy(
            update={"expenditure": pooling.expenditure.model_copy(update={"total": doubled})})]))
        during = _values(s)
        doubled_share = 2 * Decimal(before[share][0] or "0")
        assert doubled_share != 0 and abs(Decimal(during[share][0] or "0") - doubled_share) < Decimal("1e-20")
        assert during[balance] == before[balance]  # an indicator that does not read the part
        s.rollback()
        assert _values(s) == before  # rolled back with the records
    with Session(engine) as s:
        assert ist.stale_keys(s) == []


def test_a_failed_import_leaves_the_stored_values_alone(engine: Engine, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text((EXAMPLES / "004_yiyang_2020.yaml").read_text(encoding="utf-8").replace(
        'unit: "430900"', 'unit: "no-such-unit"', 1), encoding="utf-8")
    with Session(engine) as s:
        before = _snapshot(s)
    assert not import_files(engine, [broken]).ok
    with Session(engine) as s:
        assert _snapshot(s) == before


def test_comparison_and_tree_read_stored_values_without_computing(engine: Engine) -> None:
    with Session(engine) as s:
        expected = comparison(s, ADMIN, 2019, ["current_balance_rate", "pooling_expenditure_share"], fund=EMPLOYEE)
        years = data_years(s)

    def refuse(*_: Any, **__: Any) -> Any:
        raise AssertionError("the engine was called")

    for subject in ("fund", "department", "project"):  # frozen definitions: patched in place, restored
        for d in registry.BY_SUBJECT[subject].values():
            object.__setattr__(d, "compute", refuse)
    try:
        with Session(engine) as s:
            again = comparison(s, ADMIN, 2019, ["current_balance_rate", "pooling_expenditure_share"], fund=EMPLOYEE)
            tree = unit_tree(s, ADMIN)
    finally:
        _restore_computes()
    assert again == expected
    row = next(r for r in again.rows if r.unit == XINJIANG)
    assert row.scope == "区本级" and row.cells["pooling_expenditure_share"].value is not None

    def walk(nodes: list[Any]) -> Iterator[Any]:
        for n in nodes:
            yield n
            yield from walk(n.children)

    assert {n.code: n.years for n in walk(tree.roots) if n.years} == years


_ORIGINAL_COMPUTES = {(d.subject, d.id): d.compute for subject in ("fund", "department", "project")
                      for d in registry.BY_SUBJECT[subject].values()}


def _restore_computes() -> None:
    for subject in ("fund", "department", "project"):
        for d in registry.BY_SUBJECT[subject].values():
            object.__setattr__(d, "compute", _ORIGINAL_COMPUTES[(d.subject, d.id)])


def test_a_new_engine_version_is_recomputed_lazily_and_stored(engine: Engine,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    with Session(engine) as s:
        expected = comparison(s, ADMIN, 2019, ["current_balance_rate"], fund="城乡居民基本医疗保险")
    monkeypatch.setattr(ist, "engine_version", lambda: "9.9.9+test")
    with Session(engine) as s:
        assert len(ist.stale_keys(s)) == s.scalar(select(text("count(*)")).select_from(IndicatorRecordRow))
        again = comparison(s, ADMIN, 2019, ["current_balance_rate"], fund="城乡居民基本医疗保险")
    assert again == expected
    with Session(engine) as s:  # stored in a transaction of its own: this session finds them
        engines = dict(s.execute(select(IndicatorRecordRow.kind, IndicatorRecordRow.engine)
                                 .where(IndicatorRecordRow.year == 2019)
                                 .group_by(IndicatorRecordRow.kind, IndicatorRecordRow.engine)).all())
        assert engines["fund"] == "9.9.9+test"  # the kind the comparison read, that year
        assert s.scalar(select(text("count(*)")).select_from(IndicatorRecordRow)
                        .where(IndicatorRecordRow.engine != "9.9.9+test", IndicatorRecordRow.year != 2019)) > 0


def test_another_rule_set_is_computed_on_first_use_and_stored(engine: Engine, tmp_path: Path) -> None:
    lenient = tmp_path / "lenient.yaml"
    lenient.write_text("name: lenient\nversion: '1'\nextends: default\ndisable: [current_deficit]\n",
                       encoding="utf-8")
    rs = load_ruleset(str(lenient))
    with Session(engine) as s:
        default = comparison(s, ADMIN, 2020, ["current_balance_rate"], fund="城乡居民基本医疗保险")
        table = comparison(s, ADMIN, 2020, ["current_balance_rate"], fund="城乡居民基本医疗保险", ruleset=rs)
    yiyang = next(r for r in default.rows if r.unit == "430900")
    assert yiyang.cells["current_balance_rate"].display == "-2.84%"  # seed 004
    assert yiyang.cells["current_balance_rate"].warning is not None and any("赤字" in m for m in yiyang.messages)
    lenient_row = next(r for r in table.rows if r.unit == "430900")
    assert table.ruleset == rs.title  # a rule set by its title (this one keeps the default's)
    assert lenient_row.cells["current_balance_rate"].warning is None
    assert not any("赤字" in m for m in lenient_row.messages)
    with Session(engine) as s:
        keys = set(s.scalars(select(RecordWarningsRow.ruleset).distinct()))
    assert ist.ruleset_key(rs) in keys


def test_records_changed_behind_the_repositorys_back_are_found_and_reindexed(engine: Engine) -> None:
    with Session(engine) as s:
        before = _values(s)
        row = s.execute(text("SELECT id, doc FROM fund_years WHERE unit = :u AND year = 2019 AND fund = :f"),
                        {"u": XINJIANG, "f": POOLING}).one()
        doc = row.doc if isinstance(row.doc, dict) else json.loads(row.doc)
        doc["expenditure"]["total"] = "300000万元"
        s.execute(text("UPDATE fund_years SET doc = :d WHERE id = :i"), {"d": json.dumps(doc), "i": row.id})
        s.execute(text("DELETE FROM indicator_values WHERE record_id IN (SELECT id FROM indicator_records "
                       "WHERE kind = 'department')"))
        s.execute(text("DELETE FROM record_warnings WHERE record_id IN (SELECT id FROM indicator_records "
                       "WHERE kind = 'department')"))
        s.execute(text("DELETE FROM indicator_records WHERE kind = 'department'"))
        s.commit()
        stale = set(ist.stale_keys(s))
        funds_of_group = {f.fund.value for f in get_fund_years(s, XINJIANG, 2019) if f.scope == "区本级"}
    assert {EMPLOYEE, POOLING, "职工基本医疗保险个人账户"} < funds_of_group
    # the edited part and every fund record of its unit/year/口径 (a record's digest covers its
    # siblings, conservatively: any of them may be read); every department
    assert {k for k in stale if k[0] == "fund"} == {("fund", XINJIANG, 2019, f, "区本级", "")
                                                     for f in funds_of_group}
    assert {k[1] for k in stale if k[0] == "department"} and all(k[0] in ("fund", "department") for k in stale)

    runner = CliRunner()
    app = typer.Typer()
    web_commands.register(app)
    url = engine.url.render_as_string(hide_password=False)
    result = runner.invoke(app, ["db", "reindex"], env={"JIXIAO_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    assert f"本次重新计算 {len(stale)} 条" in result.output
    # the derived pages too: the roll-ups there are and every unit-year's dashboard as a page
    assert re.search(r"下级单位合计页：重新生成 \d+ 页（共 \d+ 页）", result.output)
    assert re.search(r"单位年度总览网页：预先生成 [1-9]\d* 页", result.output)
    with Session(engine) as s:
        assert ist.stale_keys(s) == []
        after = _values(s)
    share = ("fund", XINJIANG, 2019, EMPLOYEE, "区本级", "", "pooling_expenditure_share")
    assert after[share] != before[share]
    assert {k: v for k, v in after.items() if k[1] != XINJIANG or k[2] != 2019} == \
        {k: v for k, v in before.items() if k[1] != XINJIANG or k[2] != 2019}


def test_a_missing_year_is_refilled_by_the_first_comparison(engine: Engine) -> None:
    with Session(engine) as s:
        before = _values(s)
        expected = comparison(s, ADMIN, 2020, ["budget_completion_rate", "current_balance_rate"])
        for table in ("indicator_values", "record_warnings"):
            s.execute(text(f"DELETE FROM {table} WHERE record_id IN (SELECT id FROM indicator_records "
                           "WHERE year = 2020)"))
        s.execute(text("DELETE FROM indicator_records WHERE year = 2020"))
        s.commit()
        again = comparison(s, ADMIN, 2020, ["budget_completion_rate", "current_balance_rate"])
    assert again == expected
    with Session(engine) as s:
        after = _values(s)
    # the kinds the comparison read came back (projects of that year wait for reindex)
    assert {k: v for k, v in after.items() if k[0] != "project"} == \
        {k: v for k, v in before.items() if k[0] != "project"}


def test_migrating_from_0002_fills_an_existing_database(engine: Engine) -> None:
    from alembic import command

    with Session(engine) as s:
        before = _values(s)
        warned = _warnings(s)
    config = store_db.alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0002")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0002"
    store_db.migrate(engine)
    with Session(engine) as s:
        assert _values(s) == before
        assert _warnings(s) == warned
        assert ist.stale_keys(s) == []


def test_engine_version_and_ruleset_key_name_what_they_cover() -> None:
    import jixiao

    assert ist.engine_version().startswith(jixiao.__version__ + "+")
    default, hunan = load_ruleset("default"), load_ruleset("hunan")
    assert ist.ruleset_key(default).startswith(default.label + "#")
    assert ist.ruleset_key(default) != ist.ruleset_key(hunan)
    changed = default.model_copy(update={"warnings": default.warnings[1:]})
    assert changed.label == default.label and ist.ruleset_key(changed) != ist.ruleset_key(default)


def test_records_token_changes_with_every_write_and_only_then(engine: Engine) -> None:
    fund = "城乡居民基本医疗保险"
    with Session(engine) as s:
        before = ist.records_token(s, 2019, "fund", fund)
        other = ist.records_token(s, 2020, "fund", fund)
        assert before[0] == s.scalar(text("SELECT count(*) FROM fund_years WHERE year = 2019 AND fund = :f"),
                                     {"f": fund})
    assert import_files(engine, FILES).ok  # the same data: nothing rewritten
    with Session(engine) as s:
        assert ist.records_token(s, 2019, "fund", fund) == before
        fy = next(f for f in get_fund_years(s, "650500", 2019) if f.fund.value == fund)
        assert fy.income.total is not None
        edited = fy.model_copy(update={"income": fy.income.model_copy(
            update={"total": Quantity(fy.income.total.value + 1, fy.income.total.unit)})})
        save_dataset(s, Dataset(fund_years=[edited]))
        changed = ist.records_token(s, 2019, "fund", fund)
        assert changed[0] == before[0] and changed != before
        assert ist.records_token(s, 2020, "fund", fund) == other  # another year's records untouched
        s.rollback()
        assert ist.records_token(s, 2019, "fund", fund) == before


def test_a_refresh_that_loses_the_race_to_another_process_reads_the_others_values(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two processes find a year's values stale at once (a new engine). This one's own transaction
    times out on the other's locks; its second try, in the request's transaction, then meets the
    rows the other committed (PostgreSQL: a unique violation). The request must go on and read
    them, not fail with a 500."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers: a refresh cannot meet another's committed rows")
    from sqlalchemy.exc import IntegrityError, OperationalError

    with Session(engine) as s:
        expected = comparison(s, ADMIN, 2019, ["current_balance_rate"], fund="城乡居民基本医疗保险")
    monkeypatch.setattr(ist, "engine_version", lambda: "9.9.9+race")
    real = ist.refresh_year
    calls: list[str] = []

    def racing(session: Session, *args: Any) -> int:
        if session.info.get("request"):
            calls.append("request")
            with Session(engine) as other, other.begin():  # the other process wins and commits
                real(other, *args)
            raise IntegrityError("INSERT INTO indicator_values …", None, Exception("duplicate key value"))
        calls.append("own")
        raise OperationalError("SET LOCAL lock_timeout", None, Exception("canceling statement due to lock timeout"))

    monkeypatch.setattr(ist, "refresh_year", racing)
    with Session(engine) as s:
        s.info["request"] = True
        again = comparison(s, ADMIN, 2019, ["current_balance_rate"], fund="城乡居民基本医疗保险")
        assert again == expected
        assert s.scalar(select(text("count(*)")).select_from(IndicatorRecordRow)
                        .where(IndicatorRecordRow.year == 2019, IndicatorRecordRow.engine == "9.9.9+race")) > 0
    assert calls[:2] == ["own", "request"]
