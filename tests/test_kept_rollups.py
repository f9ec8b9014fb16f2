"""Kept roll-ups: a parent's roll-up kept in the database under the key of its whole subtree's
records — read, not computed, by a process that has not made it; made again at once when any
unit under the parent changes; left kept when a unit under another parent does. Both databases.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

import jixiao.app.pages.rollup as rollup_module
from jixiao.app.cache import clear_caches
from jixiao.app.entry import entry_form, save_entry
from jixiao.app.imports import import_files, keep_rollups
from jixiao.app.pages.rollup import Rollup, unit_rollup
from jixiao.app.pages.status import rollup_with_status
from jixiao.app.workflow import act, year_status
from jixiao.model.users import Principal, Role
from jixiao.model.workflow import Action
from jixiao.store.db import open_database
from jixiao.store.schema import KeptRollupRow
from test_rollup import INCOME, RESIDENT, TREE

YEAR = 2023
ADMIN = Principal(user_id=0, username="admin", role=Role.admin)


@pytest.fixture
def engine(db_url: str, tmp_path: Path) -> Iterator[Engine]:
    engine = open_database(db_url)
    data = tmp_path / "tree.yaml"
    data.write_text(TREE, encoding="utf-8")
    assert import_files(engine, [data]).ok
    clear_caches()
    yield engine
    clear_caches()
    engine.dispose()


class Counted:
    """compute_rollup, counting whose roll-ups are computed (not read)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.made: list[str] = []
        real = rollup_module.compute_rollup

        def counted(session: Session, unit: str, year: int, **kwargs: object) -> Rollup:
            self.made.append(unit)
            return real(session, unit, year, **kwargs)  # type: ignore[arg-type]
        monkeypatch.setattr(rollup_module, "compute_rollup", counted)


def _shown(engine: Engine, unit: str) -> Rollup:
    clear_caches()  # as another process (a second worker, a restart) that has not shown it yet
    with Session(engine) as s:
        return unit_rollup(s, unit, YEAR)


def _income(data: Rollup) -> Decimal:
    resident = next(f for f in data.funds if f.fund == RESIDENT)
    return next(f.value for f in resident.figures if f.path == "income.total")


def _set_income(engine: Engine, unit: str, value: str) -> None:
    with Session(engine) as s:
        form = entry_form(s, unit, YEAR)
        field = next(f for r in form.records for f in r.fields if f.path == "income.total" and f.value)
        assert save_entry(s, ADMIN, unit, YEAR, {field.name: value}, form.version).ok


def _kept_rollups(engine: Engine) -> set[tuple[str, int]]:
    with Session(engine) as s:
        return {(r.unit, r.year) for r in s.scalars(select(KeptRollupRow))}


def test_an_import_keeps_its_parents_rollups_and_a_childs_change_shows_at_once(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    # the import kept the roll-up of every unit with subordinates (甲市 has none; 丁市's has no data)
    assert _kept_rollups(engine) == {("T00", YEAR), ("T02", YEAR), ("T03", YEAR)}
    counted = Counted(monkeypatch)
    first = _shown(engine, "T00")
    city = _shown(engine, "T03")
    assert _income(first) == INCOME and counted.made == []  # read, not computed
    with Session(engine) as s:
        assert first.model_dump() == rollup_module.compute_rollup(s, "T00", YEAR).model_dump()
    counted.made.clear()
    # another process shows them by reading what was kept: the same page, nothing computed
    assert _shown(engine, "T00") == first and _shown(engine, "T03") == city
    assert counted.made == []
    # a county of 乙市 changes its income (3000.25 → 3100.25): the province's roll-up and 乙市's
    # show it at once, in this process (its revision moved) and in one that kept nothing
    _set_income(engine, "T0201", "3100.25")
    with Session(engine) as s:
        assert _income(unit_rollup(s, "T00", YEAR)) == INCOME + 100
    assert _income(_shown(engine, "T00")) == INCOME + 100
    assert _income(_shown(engine, "T02")) == Decimal("3100.25")
    # 丙市's subtree did not change: its kept roll-up is still good, read and not computed again
    before = len(counted.made)
    assert _shown(engine, "T03") == city and len(counted.made) == before
    # a change under 丙市 makes it stale in turn (its roll-up is its county's 750万元, now 760)
    assert _income(city) == Decimal("750")
    _set_income(engine, "T0301", "760")
    assert _income(_shown(engine, "T03")) == Decimal("760")
    assert counted.made[-1] == "T03"


def test_reindex_keeps_the_rollups_that_are_missing_or_stale(engine: Engine) -> None:
    with Session(engine) as s:
        s.execute(delete(KeptRollupRow).where(KeptRollupRow.unit == "T02"))
        s.commit()
    assert keep_rollups(engine) == (3, 1)  # 乙市's made again, the other two still good
    assert _kept_rollups(engine) == {("T00", YEAR), ("T02", YEAR), ("T03", YEAR)}
    assert keep_rollups(engine) == (3, 0)
    _set_income(engine, "T0201", "3100.25")  # a save through the form keeps no roll-up ...
    assert keep_rollups(engine, below={"T0201"}) == (2, 2)  # ... its parent's and the province's are stale
    assert _income(_shown(engine, "T00")) == INCOME + 100
    assert keep_rollups(engine, force=True) == (3, 3)


def test_a_status_change_below_shows_in_the_parents_rollup_at_once(engine: Engine) -> None:
    with Session(engine) as s:
        kept = unit_rollup(s, "T02", YEAR)
        assert rollup_with_status(s, ADMIN, kept).status_counts == {"未开始": 0, "填报中": 2, "已退回": 0,
                                                                     "已提交待审核": 0, "审核通过": 0}
        version = year_status(s, ADMIN, "T0201", YEAR).version
        act(s, ADMIN, "T0201", YEAR, Action.submit, version)
    with Session(engine) as s:
        shown = rollup_with_status(s, ADMIN, unit_rollup(s, "T02", YEAR))
    assert shown.status_counts is not None and shown.status_counts["已提交待审核"] == 1
    assert {c.unit.code: c.status for c in shown.children}["T0201"] == "已提交待审核"
