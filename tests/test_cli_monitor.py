"""``jixiao monitor`` and ``jixiao budget`` on the bundled monthly example and assumptions: what an
officer sees in a terminal and in JSON, and the errors for a year or month that is not there."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import typer
from rich.cells import cell_len
from typer.testing import CliRunner

from jixiao.app.monitoring import monitor_files
from jixiao.cli import monitor

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
FILES = ["--file", str(EXAMPLES / "units.yaml"), "--file", str(EXAMPLES / "000_hami_2019.yaml"),
         "--file", str(EXAMPLES / "periods" / "650500_hami_monthly.yaml")]


def _run(*args: str) -> tuple[int, str, str]:
    app = typer.Typer()
    monitor.register(app)
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "80"})
    return result.exit_code, result.stdout, result.stderr


def test_monitor_shows_execution_against_time_progress_and_the_warnings() -> None:
    code, out, _ = _run("monitor", "哈密", "2020", *FILES)
    assert code == 0
    assert "哈密市医疗保障局（650500） 2020年1-6月基金运行监测" in out
    assert "序时进度" in out and "50.00%" in out and "全年收入预计" in out
    assert "收入进度落后序时进度" in out  # 职工 income at 43.92% of budget after half the year
    assert max(cell_len(line) for line in out.splitlines()) <= 80  # display columns (汉字 take two)


def test_monitor_json_carries_the_library_figures_month_by_month() -> None:
    code, out, _ = _run("monitor", "650500", "2020年", "--month", "3月", *FILES, "-f", "json")
    assert code == 0
    payload = json.loads(out)
    assert (payload["year"], payload["month"]) == (2020, 3)
    found, _ = monitor_files([Path(a) for a in FILES[1::2]], "650500", "2020", "3")
    assert found is not None
    expected = {(f.fund.value, r.id): r.display() for f in found.monitoring.funds for r in f.results}
    shown = {(f["fund"], i["id"]): i["display"] for f in payload["funds"] for i in f["indicators"]}
    assert shown == expected
    for fund in payload["funds"]:
        assert [p["month"] for p in fund["series"]] == [1, 2, 3]
        assert Decimal(fund["series"][-1]["time_progress"]) == 25


def test_monitor_says_which_years_there_are_and_refuses_a_month_13() -> None:
    code, _, err = _run("monitor", "哈密", "2018", *FILES)
    assert code == 1 and "没有 2018 年的月度、季度数据（已有：2019、2020年）" in err
    code, _, err = _run("monitor", "哈密", "2020", "--month", "13", *FILES)
    assert code == 1 and "月份 13 超出范围" in err


def test_budget_drafts_the_table_from_the_example_assumptions() -> None:
    assumptions = str(EXAMPLES / "budget" / "650500_hami_2020.yaml")
    code, out, _ = _run("budget", assumptions, *FILES[:4], "-f", "json")
    assert code == 0
    (draft,) = json.loads(out)
    lines = {ln["path"]: Decimal(ln["value"]) for ln in draft["lines"]}
    # 430000 × (1 − 0.5%) = 427850 people; × 280 and × 550 元 ÷ 10000
    assert lines["income.contributions_individual"] == Decimal("11979.80")
    assert lines["income.fiscal_subsidy"] == Decimal("23531.75")
    assert lines["balance.current"] == lines["income.total"] - lines["expenditure.total"]
    code, out, _ = _run("budget", assumptions, *FILES[:4])
    assert code == 0 and "基金预算表（基期2019年，万元）" in out and "测算假设" in out
