"""The data commands on the real example files: load, units, indicators, warnings, demo.

Each test gets its own database (SQLite in tmp_path, or a fresh PostgreSQL schema) through
``JIXIAO_HOME`` / ``JIXIAO_DATABASE_URL``, exactly as a user would select it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from jixiao.app.demo import find_examples
from jixiao.cli import data, indicators
from jixiao.store.db import open_database
from jixiao.store.repository import dump_state

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
UNITS = EXAMPLES / "units.yaml"
YIYANG = EXAMPLES / "004_yiyang_2020.yaml"
ALL_EXAMPLES = [UNITS, *sorted(p for p in EXAMPLES.glob("*.yaml") if p.name != "units.yaml")]


def _app() -> typer.Typer:
    app = typer.Typer(pretty_exceptions_enable=False)
    data.register(app)
    indicators.register(app)
    return app


APP = _app()


class Cli:
    """Runs the commands against one database."""

    def __init__(self, env: dict[str, str | None]):
        self.env = env
        self.runner = CliRunner()

    def __call__(self, *args: str | Path) -> Result:
        result = self.runner.invoke(APP, [str(a) for a in args], env=self.env)
        assert "Traceback" not in result.stdout + result.stderr
        return result

    def json(self, *args: str | Path) -> Any:
        result = self(*args, "--format", "json")
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)

    def state(self) -> dict[str, list[dict[str, Any]]]:
        url = self.env.get("JIXIAO_DATABASE_URL") or f"sqlite:///{self.env['JIXIAO_HOME']}/jixiao.db"
        engine = open_database(url)
        with Session(engine) as session:
            state = dump_state(session)
        engine.dispose()
        return state


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """SQLite in JIXIAO_HOME (the default location)."""
    return Cli({"JIXIAO_HOME": str(tmp_path / "home"), "JIXIAO_DATABASE_URL": None})


@pytest.fixture
def any_cli(tmp_path: Path, db_url: str) -> Cli:
    """The same commands on SQLite and on PostgreSQL."""
    return Cli({"JIXIAO_HOME": str(tmp_path / "home"), "JIXIAO_DATABASE_URL": db_url})


@pytest.fixture
def loaded(any_cli: Cli) -> Cli:
    result = any_cli("load", *ALL_EXAMPLES)
    assert result.exit_code == 0, result.stderr
    return any_cli


# --------------------------------------------------------------------------------------------
# load
# --------------------------------------------------------------------------------------------


def test_load_prints_counts_and_a_second_load_changes_nothing(any_cli: Cli) -> None:
    first = any_cli.json("load", *ALL_EXAMPLES)
    assert first["ok"] is True and first["problems"] == []
    assert first["counts"]["units"] == {"inserted": 10, "updated": 0, "unchanged": 0}
    assert first["counts"]["fund_years"]["inserted"] >= 5
    assert len(first["files"]) == len(ALL_EXAMPLES) and all(f["new"] for f in first["files"])
    state = any_cli.state()

    second = any_cli("load", *ALL_EXAMPLES)
    assert second.exit_code == 0
    assert "已导入 6 个文件" in second.stdout
    assert "未变" in second.stdout
    again = any_cli.json("load", *ALL_EXAMPLES)
    assert all(c["inserted"] == 0 and c["updated"] == 0 for c in again["counts"].values())
    assert any_cli.state() == state


def test_load_reports_every_problem_with_its_location_and_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    assert cli("load", UNITS).exit_code == 0
    before = cli.state()
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "fund_years:\n"
        '  - {unit: "430900", year: 2020, fund: 养老保险}\n'
        '  - {unit: "430900", year: 2020, fund: 生育保险, coverage: {insured: -3}}\n',
        encoding="utf-8",
    )
    result = cli("load", YIYANG, bad)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"{bad}:2:fund_years[0].fund: 险种/基金：取值“养老保险”不在允许范围内")
    assert lines[1] == f"{bad}:3:fund_years[1].coverage.insured: 参保人数：人数不能为负数（-3人）"
    assert lines[2] == "共 2 个错误，未写入数据库。"
    assert cli.state() == before


def test_load_of_a_missing_file_is_one_line(cli: Cli, tmp_path: Path) -> None:
    result = cli("load", tmp_path / "nope.yaml")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"{tmp_path / 'nope.yaml'}: 文件不存在或无法读取"


# --------------------------------------------------------------------------------------------
# units
# --------------------------------------------------------------------------------------------


def test_units_as_a_tree_and_as_json(loaded: Cli) -> None:
    text = loaded("units")
    assert text.exit_code == 0
    out = text.stdout
    # children are drawn under their parents
    assert out.index("湖南省医疗保障局") < out.index("益阳市医疗保障局")
    assert out.index("攀枝花市医疗保障局") < out.index("米易县医疗保障局") < out.index("米易县医疗保障事务中心")
    assert "数据年度：2020" in out
    units = {u["code"]: u for u in loaded.json("units")}
    assert len(units) == 10
    assert units["430900"]["parent"] == "430000" and units["430900"]["years"] == [2020]
    assert units["510421-01"]["parent"] == "510421"
    assert units["430000"]["years"] == []


def test_units_on_an_empty_database_says_what_to_do(cli: Cli) -> None:
    result = cli("units")
    assert result.exit_code == 0
    assert "数据库中还没有单位" in result.stdout


# --------------------------------------------------------------------------------------------
# indicators
# --------------------------------------------------------------------------------------------


def _indicators(report: list[dict[str, Any]], title_part: str) -> dict[str, dict[str, Any]]:
    records = [r for item in report for r in item["records"] if title_part in r["title"]]
    assert len(records) == 1, [r["title"] for item in report for r in item["records"]]
    return {i["id"]: i for i in records[0]["indicators"]}


def test_indicators_of_seed_004_at_users_precision(loaded: Cli) -> None:
    report = loaded.json("indicators", "430900", "2020")
    assert [item["unit"] for item in report] == [{"code": "430900", "name": "益阳市医疗保障局"}]
    employee = _indicators(report, "基金：职工基本医疗保险（")
    assert employee["current_balance_rate"]["display"] == "15.30%"
    assert employee["current_balance_rate"]["check"]["ok"] is True
    assert employee["current_balance"]["display"] == "23204万元"  # whole inputs: shown whole
    resident = _indicators(report, "城乡居民")
    assert resident["income_per_capita"]["display"] == "806元"
    assert resident["expenditure_per_capita"]["display"] == "828元"
    assert resident["current_balance_rate"]["display"] == "-2.84%"
    # full precision is kept next to the rounded figure, as a string (never a float)
    assert resident["income_per_capita"]["exact"].startswith("805.6")
    department = _indicators(report, "部门整体支出")
    assert department["three_public_control_rate"]["display"] == "22.95%"
    assert department["budget_control_rate"]["display"] == "141.28%"


def test_indicators_table_has_chinese_labels_and_checks(loaded: Cli) -> None:
    result = loaded("indicators", "益阳市医疗保障局", "2020")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for label in ("指标", "数值", "单位", "报告所述", "核对"):
        assert label in out
    assert "公式" not in out
    assert "当期结余率" in out and "15.30" in out and "✓" in out
    assert "“三公”经费控制率" in out and "22.95" in out
    explained = loaded("indicators", "430900", "2020", "--explain").stdout
    assert "公式" in explained and "÷" in explained


def test_indicators_json_with_explain_carries_formula_and_inputs(loaded: Cli) -> None:
    report = loaded.json("indicators", "430900", "2020", "--explain")
    rate = _indicators(report, "城乡居民")["current_balance_rate"]
    assert rate["formula"]
    assert rate["inputs"]  # the figures as written that went in
    assert all(isinstance(v, str) for v in rate["inputs"].values())


def test_indicators_straight_from_a_file_without_a_database(cli: Cli) -> None:
    home = Path(str(cli.env["JIXIAO_HOME"]))
    report = cli.json("indicators", "--file", YIYANG, "430900", "2020")
    assert _indicators(report, "部门整体支出")["three_public_control_rate"]["display"] == "22.95%"
    # every unit-year of the file when no unit is given
    whole = cli.json("indicators", "--file", YIYANG)
    assert [(i["unit"]["code"], i["year"]) for i in whole] == [("430900", 2020)]
    # with the unit tree, names resolve too
    named = cli.json("indicators", "--file", UNITS, "--file", YIYANG, "益阳", "2020")
    assert named[0]["unit"] == {"code": "430900", "name": "益阳市医疗保障局"}
    assert not (home / "jixiao.db").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("indicators", "999999", "2020"), "错误：找不到单位“999999”（用 jixiao units 查看已有单位）"),
        (("indicators", "430900", "2019"), "错误：益阳市医疗保障局（430900）没有 2019 年的数据（已有年份：2020）"),
        (("indicators", "430000", "2020"), "错误：湖南省医疗保障局（430000）没有 2020 年的数据（该单位尚无任何数据）"),
        (("indicators", "430900", "二〇二〇"), "错误：年度“二〇二〇”不是四位数年份"),
        (("indicators", "430900", "1800"), "错误：年度 1800 超出范围（1990–2100）"),
        (("indicators",), "错误：请给出单位和年度，例如：jixiao indicators 430900 2020（或用 --file 直接读文件）"),
        (("warnings", "999999", "2020"), "错误：找不到单位“999999”（用 jixiao units 查看已有单位）"),
        (("warnings", "430900", "2019"), "错误：益阳市医疗保障局（430900）没有 2019 年的数据（已有年份：2020）"),
        (("indicators", "--file", YIYANG, "510421-01", "2019"), "错误：文件中没有单位“510421-01”（有：430900）"),
        (("indicators", "--file", YIYANG, "430900", "2019"),
         "错误：文件中单位 430900 没有 2019 年的数据（已有年份：2020）"),
    ],
)
def test_errors_are_one_clear_line(loaded: Cli, args: tuple[str | Path, ...], message: str) -> None:
    result = loaded(*args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip() == message


def test_a_name_shared_by_several_units_asks_for_the_code(loaded: Cli) -> None:
    result = loaded("indicators", "医疗保障局", "2020")
    assert result.exit_code == 1
    assert result.stderr.startswith("错误：“医疗保障局”对应多个单位：")
    assert "请写单位代码" in result.stderr


def test_a_bad_file_given_to_indicators_lists_its_problems(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"fund_years": [', encoding="utf-8")
    result = cli("indicators", "--file", bad)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{bad}:1: JSON 语法错误（第17列）：此处缺少值", "共 1 个错误，未写入数据库。"]


def test_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    down = Cli({"JIXIAO_HOME": str(tmp_path), "JIXIAO_DATABASE_URL": "postgresql+psycopg://jixiao@127.0.0.1:1/x"})
    for args in (("units",), ("indicators", "430900", "2020"), ("load", UNITS), ("warnings", "430900", "2020")):
        result = down(*args)
        assert result.exit_code == 1
        assert result.stderr.startswith("错误：无法打开数据库 postgresql+psycopg://jixiao@127.0.0.1:1/x：")
        assert len(result.stderr.strip().splitlines()) == 1


def test_a_bad_database_url_is_one_line(tmp_path: Path) -> None:
    result = Cli({"JIXIAO_HOME": str(tmp_path), "JIXIAO_DATABASE_URL": "not a url"})("units")
    assert result.exit_code == 1
    assert result.stderr.strip() == "错误：数据库地址无效：not a url"


def test_an_internal_error_is_one_line_too(loaded: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: Any, **__: Any) -> None:
        raise RuntimeError("something broke\nsecond line")

    monkeypatch.setattr(indicators, "build_sections", boom)
    result = loaded("indicators", "430900", "2020")
    assert result.exit_code == 70
    assert result.stderr.strip() == (
        "错误：内部错误（请报告，设 JIXIAO_DEBUG=1 可看详情）：RuntimeError: something broke"
    )


# --------------------------------------------------------------------------------------------
# warnings
# --------------------------------------------------------------------------------------------


def test_warnings_name_the_deficits_the_seeds_describe(loaded: Cli) -> None:
    report = loaded.json("warnings", "430900", "2020")
    by_title = {w["title"]: w["warnings"] for w in report[0]["warnings"]}
    resident = next(ws for title, ws in by_title.items() if "城乡居民" in title)
    deficit = [w for w in resident if "赤字" in w["message"] or "deficit" in w["rule_id"]]
    assert deficit, resident
    assert any("-9054" in v or "−9054" in v for w in deficit for v in w["figures"].values())
    text = loaded("warnings", "益阳", "2020")
    assert text.exit_code == 0
    assert "风险预警" in text.stdout and "级别" in text.stdout and "规则" in text.stdout


def test_warnings_of_seed_001_include_the_maternity_deficit(loaded: Cli) -> None:
    report = loaded.json("warnings", "650000-01", "2019")
    maternity = [w for rec in report[0]["warnings"] if "生育保险" in rec["title"] for w in rec["warnings"]]
    assert any("赤字" in w["message"] for w in maternity), maternity


# --------------------------------------------------------------------------------------------
# demo
# --------------------------------------------------------------------------------------------


def test_demo_loads_the_examples_and_shows_every_unit(cli: Cli) -> None:
    result = cli("demo", "--examples", EXAMPLES)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for name in ("哈密市医疗保障局", "自治区医疗保障事业发展中心", "株洲市医疗保险处", "米易县医疗保障事务中心",
                 "益阳市医疗保障局"):
        assert name in out
    assert out.count("风险预警") >= 5
    assert "当期结余率" in out and "15.30" in out
    state = cli.state()
    assert len(state["units"]) == 10
    again = cli("demo", "--examples", EXAMPLES)  # running it twice is harmless
    assert again.exit_code == 0 and cli.state() == state


def test_demo_finds_the_examples_of_the_source_tree() -> None:
    assert find_examples() == EXAMPLES


def test_demo_with_a_wrong_examples_directory_is_one_line(cli: Cli, tmp_path: Path) -> None:
    result = cli("demo", "--examples", tmp_path / "none")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"错误：示例目录不存在：{tmp_path / 'none'}"
    empty = tmp_path / "empty"
    empty.mkdir()
    result = cli("demo", "--examples", empty)
    assert result.stderr.strip() == f"错误：示例目录 {empty} 中没有 units.yaml"


def test_the_installed_command_never_shows_a_traceback(tmp_path: Path) -> None:
    """The real entry point, as a user runs it, on a database that cannot be reached."""
    jixiao = Path(sys.executable).parent / "jixiao"
    env = {**os.environ, "JIXIAO_HOME": str(tmp_path), "JIXIAO_DATABASE_URL": "postgresql+psycopg://x@127.0.0.1:1/x"}
    for args in (["units"], ["indicators", "430900", "2020"], ["load", str(tmp_path / "missing.yaml")]):
        proc = subprocess.run([str(jixiao), *args], capture_output=True, text=True, env=env, timeout=60)
        assert proc.returncode == 1, proc.stderr
        assert "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) in (1, 2)
