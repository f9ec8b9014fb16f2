"""Monthly and quarterly fund records in the database: stored by ``jixiao load``, read back as
they were written, versioned per unit-year like the annual records, in the change log, the
data revision, backups and the migrations."""

from __future__ import annotations

from pathlib import Path

import yaml
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from jixiao.app.imports import import_files
from jixiao.ingest.files import read_files
from jixiao.store.backup import backup, restore
from jixiao.store.db import alembic_config, open_database
from jixiao.store.repository import dump_state, get_fund_periods, get_fund_years, load_dataset, period_years
from jixiao.store.revision import data_revision
from jixiao.store.schema import ChangeLogRow
from jixiao.store.versions import version_of

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
UNITS = EXAMPLES / "units.yaml"
HAMI = EXAMPLES / "000_hami_2019.yaml"
MONTHLY = EXAMPLES / "periods" / "650500_hami_monthly.yaml"
UNIT = "650500"


def _june_changed(tmp_path: Path, income: str) -> Path:
    """The example's monthly file with the employees' fund 2020 1-6 income total replaced."""
    data = yaml.safe_load(MONTHLY.read_text(encoding="utf-8"))
    for record in data["fund_periods"]:
        if record["year"] == 2020 and record["span"] == "1-6" and record["fund"].startswith("职工"):
            record["income"]["total"] = income
    out = tmp_path / "monthly.yaml"
    out.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return out


def test_load_stores_periods_as_written(db_url: str) -> None:
    engine = open_database(db_url)
    try:
        outcome = import_files(engine, [UNITS, HAMI, MONTHLY])
        assert outcome.ok and outcome.problems == []
        assert outcome.counts is not None and outcome.counts.inserted["fund_periods"] == 36
        expected = read_files([UNITS, MONTHLY]).dataset
        assert expected is not None
        with Session(engine) as db:
            stored = get_fund_periods(db, UNIT)
            assert sorted(stored, key=lambda p: p.key) == sorted(expected.fund_periods, key=lambda p: p.key)
            # figures keep their written precision, spans their meaning
            june = next(p for p in stored
                        if p.year == 2020 and str(p.span) == "1-6" and p.fund.value.startswith("职工"))
            assert june.span.cumulative and june.budget.income is not None
            assert period_years(db, [UNIT, "650000"]) == {UNIT: [2019, 2020]}
            assert len(load_dataset(db, UNIT, 2020).fund_periods) == 12
            # many units at once (a province's subordinates): read in chunks, the same records
            many = [f"X{i:04d}" for i in range(1200)] + [UNIT]
            assert get_fund_periods(db, units=many) == stored
            assert get_fund_years(db, units=many) == get_fund_years(db, UNIT)
            # 2020 has only months: its unit-year exists and was versioned by them
            assert version_of(db, UNIT, 2020) == 1
        again = import_files(engine, [UNITS, HAMI, MONTHLY])
        assert again.counts is not None and again.counts.unchanged["fund_periods"] == 36
        assert again.counts.versions == {}
    finally:
        engine.dispose()


def test_a_changed_month_moves_the_version_and_the_revision_and_is_logged(sqlite_url: str, tmp_path: Path) -> None:
    engine = open_database(sqlite_url)
    try:
        assert import_files(engine, [UNITS, HAMI, MONTHLY]).ok
        with Session(engine) as db:
            before = (version_of(db, UNIT, 2019), version_of(db, UNIT, 2020), data_revision(db))
        outcome = import_files(engine, [UNITS, _june_changed(tmp_path, "39000")])
        assert outcome.ok, outcome.problems
        # every record of the file now points at the file's new import; June's figure changed
        assert outcome.counts is not None and outcome.counts.updated["fund_periods"] == 36
        with Session(engine) as db:
            assert version_of(db, UNIT, 2020) == before[1] + 1
            assert data_revision(db) != before[2]
            entry = db.scalars(select(ChangeLogRow).where(ChangeLogRow.unit == UNIT, ChangeLogRow.year == 2020)
                               .order_by(ChangeLogRow.id.desc())).first()
            assert entry is not None and entry.version == before[1] + 1
            june = [p for p in get_fund_periods(db, UNIT, 2020)
                    if str(p.span) == "1-6" and p.fund.value.startswith("职工")]
            assert [str(p.income.total) for p in june] == ["39000万元"]
    finally:
        engine.dispose()


def test_backup_and_restore_keep_the_periods(sqlite_url: str, tmp_path: Path) -> None:
    engine = open_database(sqlite_url)
    try:
        assert import_files(engine, [UNITS, HAMI, MONTHLY]).ok
        with Session(engine) as db:
            original = dump_state(db)["fund_periods"]
        assert len(original) == 36
        info = backup(engine, tmp_path / "backup.json")
        assert info.rows["fund_periods"] == 36
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM fund_periods WHERE year = 2020"))
        restore(engine, tmp_path / "backup.json")
        with Session(engine) as db:
            assert dump_state(db)["fund_periods"] == original
    finally:
        engine.dispose()


def test_the_migration_goes_down_and_up(sqlite_url: str) -> None:
    engine = open_database(sqlite_url)
    try:
        assert import_files(engine, [UNITS, MONTHLY]).ok
        config = alembic_config()
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0007")
        with engine.connect() as conn:
            tables = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))}
            triggers = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))}
        assert "fund_periods" not in tables and not any(t.startswith("fund_periods") for t in triggers)
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
        assert import_files(engine, [UNITS, MONTHLY]).ok
        with Session(engine) as db:
            assert len(get_fund_periods(db, UNIT)) == 36
    finally:
        engine.dispose()
