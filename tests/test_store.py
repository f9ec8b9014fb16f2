"""The database: migrations on open, figures kept as written, idempotent and atomic loading.

Every storage test runs on SQLite and on PostgreSQL (the ``db_url`` fixture).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.orm import Session

from jixiao.app.imports import import_files
from jixiao.model import Dataset, FundKind
from jixiao.store import db as store_db
from jixiao.store import repository
from jixiao.store.db import DatabaseError, database_url, default_home, open_database
from jixiao.store.repository import (
    dump_state,
    find_unit,
    get_department,
    get_fund_years,
    get_projects,
    list_units,
    load_dataset,
    row_counts,
    years_of,
)
from jixiao.store.schema import FundYearRow

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

UNITS_YAML = """\
units:
  - {code: "430000", name: 湖南省医疗保障局, level: 省, kind: 医疗保障局, region: 湖南省}
  - {code: "430900", name: 益阳市医疗保障局, level: 市, kind: 医疗保障局, parent: "430000"}
  - {code: "430902", name: 资阳区医疗保障局, level: 县, kind: 医疗保障局, parent: "430900"}
"""

# Figures from seed 004 (益阳 2020), written with the precision the report uses.
DATA_YAML = """\
money_unit: 万元
source: 益阳市医疗保障局2020年度部门整体支出绩效自评报告
fund_years:
  - unit: "430900"
    year: 2020
    fund: 职工基本医疗保险
    scope: 全市
    income: {total: 151661}
    expenditure: {total: 128457}
    balance: {current: 23204}
    coverage: {insured: 388079, employed: 215057, retired: 173022}
    change: {insured: 13921}
    stated:
      current_balance_rate: {value: "15.30%", line: 40}
  - unit: "430900"
    year: 2020
    fund: 城乡居民基本医疗保险
    scope: 全市
    income: {total: "31.9286亿元"}
    expenditure: {total: 328340}
    balance: {current: -9054}
    coverage: {insured: "396.3292万人"}
    previous: {income_per_capita: "751元/人", expenditure_per_capita: "774元/人"}
    stated:
      income_per_capita: {value: "806元", line: 47}
departments:
  - unit: "430900"
    year: 2020
    staff: {authorized: 60, actual: 52, retired: 15}
    budget: {initial: "655.56", full_year: "926.17", operating_costs: "270.99"}
    expenditure: {total: "914.17", general_public: "914.17", operating_costs: "258.99"}
    three_public:
      total: {budget: "29.32", actual: "6.73"}
      reception: {budget: "12.32", actual: "6.73"}
projects:
  - unit: "430900"
    year: 2020
    name: 医疗保障信息化建设
    funds: {budget: "120.50", executed: "118.00"}
    indicators:
      - {level1: 产出指标, level3: 参保率, nature: "≥", target: "≥95%", actual: "96.2%"}
"""


def _write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = open_database(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    return [_write(tmp_path, "units.yaml", UNITS_YAML), _write(tmp_path, "yiyang-2020.yaml", DATA_YAML)]


def _records(ds: Dataset) -> dict[str, Any]:
    """A dataset's records as JSON, units in code order (the store lists them so)."""
    dump = ds.model_dump(mode="json", include={"units", "fund_years", "departments", "projects"})
    dump["units"] = sorted(dump["units"], key=lambda u: u["code"])
    return dump


def _state(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    with Session(engine) as session:
        return dump_state(session)


# --------------------------------------------------------------------------------------------
# Opening and migrating
# --------------------------------------------------------------------------------------------


def test_open_migrates_a_fresh_database_and_is_idempotent(db_url: str) -> None:
    engine = open_database(db_url)
    tables = set(inspect(engine).get_table_names())
    assert {"imports", "units", "fund_years", "department_years", "projects", "alembic_version"} <= tables
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(store_db.alembic_config()).get_current_head()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head
    engine.dispose()
    again = open_database(db_url)  # second open: already at head, nothing to do, nothing breaks
    with again.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
    again.dispose()


def test_unit_year_lookups_are_indexed(db_url: str) -> None:
    engine = open_database(db_url)
    insp = inspect(engine)
    for table in ("fund_years", "department_years", "projects"):
        keys = [u["column_names"] for u in insp.get_unique_constraints(table)]
        keys += [i["column_names"] for i in insp.get_indexes(table)]
        assert any(cols[:2] == ["unit", "year"] for cols in keys), table
        assert any(cols[:1] == ["year"] for cols in keys), table
    engine.dispose()


def test_default_location_follows_environment(tmp_path: Path) -> None:
    assert database_url({"JIXIAO_DATABASE_URL": "postgresql+psycopg://u@h/db"}) == "postgresql+psycopg://u@h/db"
    assert database_url({"JIXIAO_HOME": str(tmp_path)}) == f"sqlite:///{tmp_path / 'jixiao.db'}"
    assert default_home({"XDG_DATA_HOME": "/x/share"}) == Path("/x/share/jixiao")
    assert default_home({}) == Path.home() / ".local" / "share" / "jixiao"


def test_sqlite_file_and_its_directory_are_created(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "er" / "jixiao.db"
    engine = open_database(f"sqlite:///{target}")
    engine.dispose()
    assert target.is_file()


def test_unreachable_database_is_one_clear_error() -> None:
    with pytest.raises(DatabaseError) as info:
        open_database("postgresql+psycopg://jixiao@127.0.0.1:1/nothing")
    message = str(info.value)
    assert message.startswith("无法打开数据库 postgresql+psycopg://jixiao@127.0.0.1:1/nothing")
    assert "\n" not in message


def test_unwritable_sqlite_location_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(DatabaseError, match="无法创建数据目录"):
        open_database(f"sqlite:///{blocker / 'sub' / 'jixiao.db'}")


# --------------------------------------------------------------------------------------------
# Saving and reading back
# --------------------------------------------------------------------------------------------


def test_figures_keep_unit_and_written_precision(engine: Engine, files: list[Path]) -> None:
    from jixiao.ingest.files import read_files

    original = read_files(files).dataset
    assert original is not None
    outcome = import_files(engine, files)
    assert outcome.ok, outcome.problems
    with Session(engine) as session:
        back = load_dataset(session)
        resident = get_fund_years(session, "430900", 2020)[1]
        dept = get_department(session, "430900", 2020)
    # the whole dataset comes back as it went in, every figure as the same written string
    assert _records(back) == _records(original)
    assert resident.fund is FundKind.resident
    assert str(resident.income.total) == "31.9286亿元"
    assert resident.income.total is not None and resident.income.total.exponent == -4
    assert str(resident.coverage.insured) == "396.3292万人"
    assert str(resident.balance.current) == "-9054万元"
    assert dept is not None and str(dept.budget.initial) == "655.56万元"
    assert dept.budget.initial is not None and dept.budget.initial.exponent == -2
    assert resident.stated["income_per_capita"].line == 47


def test_trailing_zero_survives_the_database(engine: Engine, tmp_path: Path) -> None:
    body = UNITS_YAML + (
        'fund_years:\n  - {unit: "430900", year: 2021, fund: 生育保险, income: {total: "655.50"},'
        ' expenditure: {total: "1200.0"}}\n'
    )
    assert import_files(engine, [_write(tmp_path, "zeros.yaml", body)]).ok
    with Session(engine) as session:
        fy = get_fund_years(session, "430900", 2021)[0]
        raw = session.scalars(select(FundYearRow.doc)).one()
    assert raw["income"]["total"] == "655.50万元"
    assert fy.income.total is not None and fy.income.total.exponent == -2
    assert str(fy.expenditure.total) == "1200.0万元"


def test_reading_by_unit_year_and_name(engine: Engine, files: list[Path]) -> None:
    assert import_files(engine, files).ok
    with Session(engine) as session:
        assert [u.code for u in list_units(session)] == ["430000", "430900", "430902"]
        assert find_unit(session, "430900").name == "益阳市医疗保障局"
        assert find_unit(session, "益阳市医疗保障局").code == "430900"
        assert find_unit(session, "资阳").code == "430902"
        with pytest.raises(repository.UnitNotFound, match="对应多个单位"):
            find_unit(session, "医疗保障局")
        with pytest.raises(repository.UnitNotFound, match="找不到单位“999999”"):
            find_unit(session, "999999")
        assert years_of(session, "430900") == [2020]
        assert years_of(session, "430902") == []
        assert [fy.fund for fy in get_fund_years(session, year=2020)] == [FundKind.employee, FundKind.resident]
        assert get_fund_years(session, "430900", 2019) == []
        assert get_department(session, "430900", 2019) is None
        assert [p.name for p in get_projects(session, "430900", 2020)] == ["医疗保障信息化建设"]
        assert get_projects(session, "430900", 2020)[0].indicators[0].target == "≥95%"


# --------------------------------------------------------------------------------------------
# Idempotent and atomic
# --------------------------------------------------------------------------------------------


def test_loading_the_same_files_twice_gives_the_same_state(engine: Engine, files: list[Path]) -> None:
    first = import_files(engine, files)
    assert first.ok and first.counts is not None
    assert first.counts.inserted == {"units": 3, "fund_years": 2, "fund_periods": 0, "department_years": 1,
                                     "projects": 1}
    state = _state(engine)
    assert [len(state[t]) for t in ("imports", "units", "fund_years", "department_years", "projects")] == [
        2, 3, 2, 1, 1]

    second = import_files(engine, files)
    assert second.ok and second.counts is not None
    assert sum(second.counts.inserted.values()) == 0
    assert sum(second.counts.updated.values()) == 0
    assert second.counts.unchanged == {"units": 3, "fund_years": 2, "fund_periods": 0, "department_years": 1,
                                      "projects": 1}
    assert not any(f.new for f in second.files)
    assert _state(engine) == state

    # and in the other order, as separate loads: still the same state
    assert import_files(engine, files[1:]).ok
    assert import_files(engine, files[:1]).ok
    assert _state(engine) == state


def test_a_changed_file_updates_records_in_place(engine: Engine, files: list[Path]) -> None:
    assert import_files(engine, files).ok
    before = _state(engine)
    files[1].write_text(DATA_YAML.replace("total: 128457", "total: 128458"), encoding="utf-8")
    outcome = import_files(engine, files[1:])
    assert outcome.ok and outcome.counts is not None
    assert outcome.counts.updated["fund_years"] == 2  # both now point at the new import of the file
    assert outcome.counts.inserted == {"units": 0, "fund_years": 0, "fund_periods": 0, "department_years": 0,
                                      "projects": 0}
    after = _state(engine)
    assert len(after["imports"]) == 3  # the file's new content is a new import; the old one is history
    assert [r["id"] for r in after["fund_years"]] == [r["id"] for r in before["fund_years"]]
    with Session(engine) as session:
        assert str(get_fund_years(session, "430900", 2020)[0].expenditure.total) == "128458万元"


def test_a_batch_with_one_bad_record_changes_nothing(engine: Engine, files: list[Path], tmp_path: Path) -> None:
    assert import_files(engine, files[:1]).ok
    before = _state(engine)
    good = _write(tmp_path, "good.yaml", DATA_YAML)
    bad = _write(tmp_path, "bad.yaml", (
        'fund_years:\n'
        '  - {unit: "430902", year: 2020, fund: 生育保险, income: {total: 120}}\n'
        '  - {unit: "430902", year: 2020, fund: 医疗救助, coverage: {insured: -5}}\n'
    ))
    outcome = import_files(engine, [good, bad])
    assert not outcome.ok
    assert [(p.code, p.source, p.line, p.path) for p in outcome.problems] == [
        ("JX-IN-003", str(bad), 3, "fund_years[1].coverage.insured")]
    assert "参保人数" in outcome.problems[0].message and "不能为负数" in outcome.problems[0].message
    assert _state(engine) == before


def test_a_failure_in_the_middle_of_writing_rolls_everything_back(
    engine: Engine, files: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert import_files(engine, files[:1]).ok
    before = _state(engine)
    real_upsert = repository._upsert
    calls = {"n": 0}

    def failing_upsert(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if args[6] == "department_years":  # units and both fund years are already written
            from sqlalchemy.exc import OperationalError

            raise OperationalError("INSERT", {}, Exception("disk I/O error (injected)"))
        real_upsert(*args, **kwargs)

    monkeypatch.setattr(repository, "_upsert", failing_upsert)
    with pytest.raises(DatabaseError, match=r"写入数据库失败（未做任何修改）：disk I/O error \(injected\)"):
        import_files(engine, files)
    assert calls["n"] == 3 + 2 + 1
    assert _state(engine) == before
    monkeypatch.setattr(repository, "_upsert", real_upsert)
    assert import_files(engine, files).ok  # and the database is still usable


def test_a_cycle_through_stored_units_is_refused(engine: Engine, files: list[Path], tmp_path: Path) -> None:
    assert import_files(engine, files[:1]).ok
    before = _state(engine)
    # 430000 stored as the root, 430900 under it; now make 430000 a child of 430902
    body = 'units:\n  - {code: "430000", name: 湖南省医疗保障局, level: 省, kind: 医疗保障局, parent: "430902"}\n'
    outcome = import_files(engine, [_write(tmp_path, "cycle.yaml", body)])
    assert not outcome.ok
    assert [(p.code, p.path) for p in outcome.problems] == [("JX-IN-022", "units[0].parent")]
    assert "形成了循环" in outcome.problems[0].message
    assert _state(engine) == before


def test_children_may_come_before_parents_in_a_batch(engine: Engine, tmp_path: Path) -> None:
    body = (
        "units:\n"
        '  - {code: "c", name: 子单位甲, level: 县, kind: 医疗保障局, parent: "b"}\n'
        '  - {code: "b", name: 中间单位, level: 市, kind: 医疗保障局, parent: "a"}\n'
        '  - {code: "a", name: 顶层单位, level: 省, kind: 医疗保障局}\n'
    )
    assert import_files(engine, [_write(tmp_path, "u.yaml", body)]).ok
    with Session(engine) as session:
        assert {u.code: u.parent for u in list_units(session)} == {"a": None, "b": "a", "c": "b"}
        assert row_counts(session)["units"] == 3


def test_the_database_rejects_a_record_of_an_unknown_unit(engine: Engine) -> None:
    """Foreign keys are enforced on both backends (SQLite needs a pragma for it)."""
    from sqlalchemy.exc import IntegrityError

    with Session(engine) as session, pytest.raises(IntegrityError):
        session.add(FundYearRow(unit="nope", year=2020, fund="生育保险", scope="", doc={}))
        session.commit()


EXAMPLE_FILES = sorted(p for p in EXAMPLES.glob("*.yaml") if p.name != "units.yaml")


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=[p.stem for p in EXAMPLE_FILES])
def test_each_example_file_round_trips(engine: Engine, example: Path) -> None:
    from jixiao.ingest.files import read_files

    paths = [EXAMPLES / "units.yaml", example]
    original = read_files(paths).dataset
    assert original is not None
    assert import_files(engine, paths).ok
    with Session(engine) as session:
        back = load_dataset(session)
    assert _records(back) == _records(original)


def test_migrate_uses_the_packaged_scripts() -> None:
    config = store_db.alembic_config()
    location = Path(config.get_main_option("script_location") or "")
    assert (location / "env.py").is_file()
    assert (location / "versions" / "0001_initial.py").is_file()
