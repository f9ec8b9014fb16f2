"""Kept dashboards: a unit-year's dashboard kept in the database under the key of what it was
made from, so that showing it is a read — and never shown for data it was not made from.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from jixiao.app.cache import clear_caches
from jixiao.app.entry import entry_form, save_entry
from jixiao.app.imports import import_files
from jixiao.app.pages.dashboard import compute_dashboard, unit_year_dashboard, unit_year_dashboard_json
from jixiao.app.units import rules_of_unit
from jixiao.model.users import Principal, Role
from jixiao.store.db import open_database
from jixiao.store.schema import KeptDashboardRow, UnitRow
from web_helpers import example_files

YIYANG, YEAR = "430900", 2020


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = open_database(db_url)
    assert import_files(engine, example_files()).ok
    yield engine
    engine.dispose()


def _kept(engine: Engine) -> dict[tuple[str, int], KeptDashboardRow]:
    with Session(engine) as s:
        return {(r.unit, r.year): r for r in s.scalars(select(KeptDashboardRow))}


def _computed(engine: Engine, unit: str, year: int) -> str:
    with Session(engine) as s:
        return compute_dashboard(s, unit, year, ruleset=rules_of_unit(s, unit)).model_dump_json()


def _shown(engine: Engine, unit: str, year: int) -> str:
    clear_caches()  # as a process that has not shown it yet
    with Session(engine) as s:
        return unit_year_dashboard(s, unit, year).model_dump_json()


def test_a_load_keeps_every_unit_years_page_and_it_is_the_computed_one(engine: Engine) -> None:
    kept = _kept(engine)
    assert set(kept) == {("650000-01", 2019), ("650500", 2019), ("430200-01", 2018), (YIYANG, YEAR),
                         ("510421-01", 2019)}
    for unit, year in kept:
        assert _shown(engine, unit, year) == _computed(engine, unit, year), (unit, year)


def test_a_kept_page_is_read_not_computed(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    import jixiao.app.pages.dashboard as dashboard

    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("computed although kept")

    monkeypatch.setattr(dashboard, "compute_dashboard", refuse)
    clear_caches()
    with Session(engine) as s:
        board = unit_year_dashboard(s, YIYANG, YEAR)
    assert board.records and board.years == [YEAR]


def _json(engine: Engine, unit: str, year: int) -> bytes:
    clear_caches()
    with Session(engine) as s:
        return unit_year_dashboard_json(s, unit, year)


def test_a_kept_pages_json_is_served_as_kept_and_is_the_shown_pages(engine: Engine,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The API answers a first view with the kept bytes, not parsed and dumped again: the same
    bytes as the page shown, for every kept unit-year."""
    import jixiao.app.pages.dashboard as dashboard

    for unit, year in _kept(engine):
        assert _json(engine, unit, year) == _shown(engine, unit, year).encode(), (unit, year)

    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("parsed although kept")

    monkeypatch.setattr(dashboard, "unit_year_dashboard", refuse)
    assert _json(engine, YIYANG, YEAR).startswith(b'{"unit":{"code":"430900"')


def test_a_kept_pages_json_with_other_years_has_the_years_of_now(engine: Engine, tmp_path: object,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Another year of data is not part of a kept page's key: its JSON's years are the unit's now,
    written into the kept bytes (not parsed and dumped), the same bytes as the page shown."""
    from pathlib import Path

    import jixiao.app.pages.dashboard as dashboard
    from web_helpers import EXAMPLES

    folder = Path(str(tmp_path))
    text = (EXAMPLES / "004_yiyang_2020.yaml").read_text(encoding="utf-8").replace("year: 2020", "year: 2021")
    (folder / "yiyang_2021.yaml").write_text(text, encoding="utf-8")
    before = _kept(engine)[(YIYANG, YEAR)].key
    assert import_files(engine, [folder / "yiyang_2021.yaml"]).ok
    assert _kept(engine)[(YIYANG, YEAR)].key == before  # the 2020 page as kept, its years [2020]
    shown = _shown(engine, YIYANG, YEAR).encode()
    assert b',"years":[2020,2021],' in shown

    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("parsed although kept")

    monkeypatch.setattr(dashboard, "unit_year_dashboard", refuse)
    assert _json(engine, YIYANG, YEAR) == shown
    assert _json(engine, YIYANG, YEAR) == _shown(engine, YIYANG, YEAR).encode()


def test_an_edit_keeps_the_new_page_in_its_own_transaction(engine: Engine) -> None:
    before = _kept(engine)[(YIYANG, YEAR)].key
    admin = Principal(user_id=0, username="admin", role=Role.admin)
    with Session(engine) as s:
        form = entry_form(s, YIYANG, YEAR)
        field = next(f for r in form.records for f in r.fields if f.path == "coverage.insured" and f.value)
        assert save_entry(s, admin, YIYANG, YEAR, {field.name: "388090"}, form.version).ok
    after = _kept(engine)[(YIYANG, YEAR)]
    assert after.key != before
    assert "388090人" in zlib.decompress(after.doc).decode()
    assert _shown(engine, YIYANG, YEAR) == _computed(engine, YIYANG, YEAR)


def test_a_page_kept_for_other_data_is_never_shown(engine: Engine) -> None:
    """The unit's own row is part of the key: renamed (here by SQL, behind the app's back), the
    kept page is stale, so the page shown is computed again — and kept under the new key."""
    with Session(engine) as s:
        s.execute(update(UnitRow).where(UnitRow.code == YIYANG).values(name="益阳市医疗保障局（新名）"))
        s.commit()
    shown = _shown(engine, YIYANG, YEAR)
    assert "益阳市医疗保障局（新名）" in shown and shown == _computed(engine, YIYANG, YEAR)
    assert "（新名）" in zlib.decompress(_kept(engine)[(YIYANG, YEAR)].doc).decode()


def test_another_year_of_data_shows_in_the_years_of_a_kept_page(engine: Engine, tmp_path: object) -> None:
    from pathlib import Path

    from web_helpers import EXAMPLES

    folder = Path(str(tmp_path))
    text = (EXAMPLES / "004_yiyang_2020.yaml").read_text(encoding="utf-8").replace("year: 2020", "year: 2021")
    (folder / "yiyang_2021.yaml").write_text(text, encoding="utf-8")
    assert import_files(engine, [folder / "yiyang_2021.yaml"]).ok
    clear_caches()
    with Session(engine) as s:
        assert unit_year_dashboard(s, YIYANG, YEAR).years == [2020, 2021]


def test_reindex_keeps_the_pages_that_are_missing_or_stale(engine: Engine) -> None:
    from sqlalchemy import delete

    from jixiao.app.imports import refresh_pages

    assert refresh_pages(engine) == (0, 0)  # a load kept them all
    with Session(engine) as s:
        s.execute(delete(KeptDashboardRow).where(KeptDashboardRow.unit == YIYANG))
        s.execute(update(UnitRow).where(UnitRow.code == "650500").values(name="吐鲁番市医疗保障局（新名）"))
        s.commit()
    assert refresh_pages(engine) == (2, 2)
    kept = _kept(engine)
    assert (YIYANG, YEAR) in kept and "（新名）" in zlib.decompress(kept[("650500", 2019)].doc).decode()
    assert refresh_pages(engine) == (0, 0)
    assert refresh_pages(engine, force=True) == (5, 5)


def test_a_kept_write_leaves_the_connection_as_it_found_it(engine: Engine) -> None:
    """Derived data is committed without waiting for the disk, and without waiting long for a
    writer; the pooled connection then serves data writes as before (durable, patient)."""
    from jixiao.store.db import BUSY_TIMEOUT_MS
    from jixiao.store.pages import keep_html_if_free, read_kept_html

    with Session(engine) as s:
        assert keep_html_if_free(s, YIYANG, YEAR, "view", "key", "<p>内容</p>")
        assert read_kept_html(s, YIYANG, YEAR, "view", "key") == "<p>内容</p>"
        assert read_kept_html(s, YIYANG, YEAR, "view", "other key") is None
    if engine.dialect.name != "sqlite":
        return  # PostgreSQL's settings were SET LOCAL: they ended with the transaction
    for _ in range(engine.pool.size()):  # type: ignore[attr-defined]
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == BUSY_TIMEOUT_MS
