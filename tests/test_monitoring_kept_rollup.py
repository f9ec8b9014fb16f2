"""A parent's monitoring roll-up kept in the database (a province's monitors every subordinate:
seconds): a new process reads it instead of computing it, a write elsewhere leaves it good, a
write to a subordinate's months makes it stale and the next request shows the new figures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from jixiao.app.cache import clear_caches
from jixiao.app.imports import import_files
from jixiao.app.pages import monitoring as page
from jixiao.store.db import open_database
from jixiao.store.schema import KeptRollupRow

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
UNITS = EXAMPLES / "units.yaml"
MONTHLY = EXAMPLES / "periods" / "650500_hami_monthly.yaml"
HAMI, PROVINCE = "650500", "650000"


def _june(tmp_path: Path, income: str) -> Path:
    data = yaml.safe_load(MONTHLY.read_text(encoding="utf-8"))
    data["fund_periods"] = [r for r in data["fund_periods"] if r["year"] == 2020 and str(r["span"]) == "1-6"
                            and r["fund"].startswith("职工")]
    data["fund_periods"][0]["income"] = {"total": income}
    out = tmp_path / f"june{income}.yaml"
    out.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return out


def _other_unit(tmp_path: Path) -> Path:
    """A month of a unit outside 新疆 (株洲): moves the data revision, not the roll-up's key."""
    record = {"unit": "430200-01", "year": 2020, "fund": "城乡居民基本医疗保险", "span": "1-1",
              "income": {"total": "100"}}
    out = tmp_path / "other.yaml"
    out.write_text(yaml.safe_dump({"money_unit": "万元", "fund_periods": [record]}, allow_unicode=True),
                   encoding="utf-8")
    return out


def _income_execution(rollup: Any) -> str:
    hami = next(c for c in rollup.children if c.unit.code == HAMI)
    return str(hami.funds[0].values["income_budget_execution_rate"])


def test_the_roll_up_is_kept_and_read_back_until_a_subordinate_changes(
        db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = open_database(db_url)
    try:
        assert import_files(engine, [UNITS, MONTHLY]).ok
        clear_caches()
        with Session(engine) as db:
            made = page.monitoring_rollup(db, PROVINCE, 2020)
        assert made.units_with_data == 1 and _income_execution(made) == "43.92%"
        with Session(engine) as db:
            slots = db.scalars(select(KeptRollupRow.fund).where(KeptRollupRow.unit == PROVINCE)).all()
        assert slots == ["monitoring-rollup/0"]

        computing = page._monitoring_rollup

        def refuse(*args: Any) -> Any:
            raise AssertionError("computed again instead of read")

        monkeypatch.setattr(page, "_monitoring_rollup", refuse)
        clear_caches()  # a new process
        with Session(engine) as db:
            assert page.monitoring_rollup(db, PROVINCE, 2020) == made
        assert import_files(engine, [_other_unit(tmp_path)]).ok  # another province's data
        with Session(engine) as db:
            assert page.monitoring_rollup(db, PROVINCE, 2020) == made
        # a subordinate's month changes: the kept page is stale, and computed again
        assert import_files(engine, [_june(tmp_path, "39500")]).ok
        clear_caches()
        with Session(engine) as db, pytest.raises(AssertionError, match="computed again"):
            page.monitoring_rollup(db, PROVINCE, 2020)
        monkeypatch.setattr(page, "_monitoring_rollup", computing)
        with Session(engine) as db:
            again = page.monitoring_rollup(db, PROVINCE, 2020)
        assert _income_execution(again) == "50.00%"  # 39500 of the budget's 79000
        # another month asked for is its own page
        with Session(engine) as db:
            march = page.monitoring_rollup(db, PROVINCE, 2020, 3)
        assert march.month == 3 and march != again
    finally:
        engine.dispose()
