"""Malformed inputs: each is refused with its own clear Chinese message, and none changes the database.

Every case is run through ``jixiao load --format json`` against a database that already holds the
unit tree and seed 004 (益阳 2020), on SQLite and on PostgreSQL. Each asserts the problem's code,
file, line, field path and the key words of its message, then that every table holds exactly
what it held before (rows and content).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from jixiao.cli import data, indicators
from jixiao.store.db import open_database
from jixiao.store.repository import dump_state

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
APP = typer.Typer(pretty_exceptions_enable=False)
data.register(APP)
indicators.register(APP)

FUND = '  - unit: "430900"\n    year: 2021\n    fund: 生育保险\n'


@dataclass
class Case:
    """Files to load as one batch (``None`` content = a directory) and the problem expected first."""

    files: dict[str, str | bytes | None]
    code: str
    line: int | None
    path: str | None
    words: tuple[str, ...]
    file: str | None = None  # which file the problem names (default: the last one)
    count: int = 1  # how many error problems
    extra: list[str] = field(default_factory=list)  # files passed that are not created (missing)


CASES: dict[str, Case] = {
    "yaml_syntax_error": Case(
        {"a.yaml": "fund_years:\n  - unit: \"430900\"\n    year: 2021\n   fund: 生育保险\n"},
        "JX-IN-002", 4, None, ("YAML 语法错误", "第4列", "缩进不齐"),
    ),
    "json_syntax_error": Case(
        {"a.json": '{"fund_years": [\n  {"unit": "430900", "year": 2021,}\n]}\n'},
        "JX-IN-002", 2, None, ("JSON 语法错误", "第35列", "多了一个逗号"),
    ),
    "empty_file": Case({"a.yaml": ""}, "JX-IN-004", None, None, ("文件为空",)),
    "only_a_comment": Case({"a.yaml": "# 还没填\n"}, "JX-IN-004", None, None, ("文件为空",)),
    "top_level_list": Case(
        {"a.yaml": '- unit: "430900"\n  year: 2021\n'}, "JX-IN-004", None, None, ("顶层应为键值表", "fund_years"),
    ),
    "unknown_fund": Case(
        {"a.yaml": 'fund_years:\n  - unit: "430900"\n    year: 2021\n    fund: 养老保险\n'},
        "JX-IN-003", 4, "fund_years[0].fund", ("险种/基金", "“养老保险”不在允许范围内", "生育保险、"),
    ),
    "unknown_field": Case(
        {"a.yaml": "fund_years:\n" + FUND + "    income: {totl: 100}\n"},
        "JX-IN-003", 5, "fund_years[0].income.totl", ("未知字段", "拼写错误"),
    ),
    "negative_persons": Case(
        {"a.yaml": "fund_years:\n" + FUND + "    coverage:\n      insured: -388079\n"},
        "JX-IN-003", 6, "fund_years[0].coverage.insured", ("参保人数", "不能为负数", "-388079人"),
    ),
    "fractional_persons": Case(
        {"a.yaml": "fund_years:\n" + FUND + "    coverage: {insured: 388079.5}\n"},
        "JX-IN-013", 5, "fund_years[0].coverage.insured", ("参保人数", "388079.5人", "不是整数"),
    ),
    "fractional_year": Case(
        {"a.yaml": 'fund_years:\n  - unit: "430900"\n    year: 2021.5\n    fund: 生育保险\n'},
        "JX-IN-003", 3, "fund_years[0].year", ("年度", "应为整数"),
    ),
    "year_out_of_range": Case(
        {"a.yaml": 'departments:\n  - unit: "430900"\n    year: 1899\n'},
        "JX-IN-003", 3, "departments[0].year", ("年度", "数值过小", "1899", "不小于 1990"),
    ),
    "part_larger_than_total": Case(
        {"a.yaml": "fund_years:\n" + FUND + "    coverage: {insured: 3.5万人, employed: 50000}\n"},
        "JX-IN-010", 5, "fund_years[0].coverage.employed", ("在职职工 50000人", "大于其总数", "参保人数 3.5万人"),
    ),
    "three_public_part_larger_than_total": Case(
        {"a.yaml": 'departments:\n  - unit: "430900"\n    year: 2021\n    three_public:\n'
                   '      total: {actual: "6.73"}\n      reception: {actual: "67.3"}\n'},
        "JX-IN-010", 6, "departments[0].three_public.reception.actual", ("公务接待费 67.3万元", "大于合计 6.73万元"),
    ),
    "yuan_typed_into_wan_yuan": Case(
        {"a.yaml": "money_unit: 万元\nfund_years:\n" + FUND + "    income: {total: 3192860000}\n"},
        "JX-IN-012", 6, "fund_years[0].income.total", ("3192860000万元", "大得不合常理", "把“元”填成了“万元”"),
    ),
    "unknown_unit_code": Case(
        {"a.yaml": 'fund_years:\n  - {unit: "999999", year: 2021, fund: 生育保险}\n'},
        "JX-IN-020", 2, "fund_years[0].unit", ("单位代码“999999”未定义",),
    ),
    "parent_cycle_in_file": Case(
        {"a.yaml": "units:\n"
                   '  - {code: "x1", name: 单位甲, level: 市, kind: 医疗保障局, parent: "x2"}\n'
                   '  - {code: "x2", name: 单位乙, level: 市, kind: 医疗保障局, parent: "x1"}\n'},
        "JX-IN-022", 2, "units[0].parent", ("单位“x1”", "形成了循环"), count=2,
    ),
    "parent_cycle_through_stored_units": Case(
        {"a.yaml": "units:\n"
                   '  - {code: "430000", name: 湖南省医疗保障局, level: 省, kind: 医疗保障局, parent: "430900"}\n'},
        "JX-IN-022", None, "units[0].parent", ("单位“430000”", "与库中已有单位形成了循环"),
    ),
    "unknown_parent": Case(
        {"a.yaml": 'units:\n  - {code: "x1", name: 单位甲, level: 市, kind: 医疗保障局, parent: "nowhere"}\n'},
        "JX-IN-022", 2, "units[0].parent", ("上级单位“nowhere”不存在",),
    ),
    "duplicate_record_in_one_file": Case(
        {"a.yaml": 'fund_years:\n  - {unit: "430900", year: 2021, fund: 生育保险}\n'
                   '  - {unit: "430900", year: 2021, fund: 生育保险}\n'},
        "JX-IN-021", 3, "fund_years[1]", ("430900 2021年生育保险重复", "fund_years[0]"),
    ),
    "duplicate_record_across_the_batch": Case(
        {"a.yaml": 'departments:\n  - {unit: "430900", year: 2021}\n',
         "b.yaml": 'departments:\n  - {unit: "430900", year: 2021}\n'},
        "JX-IN-021", 2, "departments[0]", ("430900 2021年部门数据重复", "a.yaml:departments[0]"),
    ),
    "bad_unit_string": Case(
        {"a.yaml": "fund_years:\n" + FUND + '    income: {total: "7.5美元"}\n'},
        "JX-IN-003", 5, "fund_years[0].income.total", ("基金收入合计", "未知单位“美元”", "7.5美元"),
    ),
    "words_instead_of_digits": Case(
        {"a.yaml": "fund_years:\n" + FUND + "    income: {total: 十二万}\n"},
        "JX-IN-003", 5, "fund_years[0].income.total", ("不是数值：“十二万”", "阿拉伯数字"),
    ),
    "persons_where_money_is_due": Case(
        {"a.yaml": "fund_years:\n" + FUND + '    income: {total: "300人"}\n'},
        "JX-IN-003", 5, "fund_years[0].income.total", ("单位“人”不是金额的单位",),
    ),
    "unknown_money_unit": Case(
        {"a.yaml": "money_unit: 美元\nfund_years: []\n"},
        "JX-IN-003", 1, "money_unit", ("金额单位", "“美元”不在允许范围内", "元、万元、亿元"),
    ),
    "missing_required_field": Case(
        {"a.yaml": "fund_years:\n  - year: 2021\n    fund: 生育保险\n"},
        "JX-IN-003", 2, "fund_years[0].unit", ("单位代码", "缺少必填字段"),
    ),
    "unparsable_stated_figure": Case(
        {"a.yaml": "fund_years:\n" + FUND + '    stated:\n      current_balance_rate: {value: "约百分之十"}\n'},
        "JX-IN-014", 6, "fund_years[0].stated.current_balance_rate", ("所述数值“约百分之十”无法识别",),
    ),
    "wrong_file_type": Case({"a.csv": "unit,year\n430900,2021\n"}, "JX-IN-001", None, None,
                            ("不支持的文件类型“.csv”", ".yaml、.json 或 .xlsx")),
    "non_utf8_file": Case(
        {"a.yaml": "fund_years:\n  - {unit: \"430900\", year: 2021, fund: 生育保险, notes: [益阳]}\n".encode("gbk")},
        "JX-IN-001", None, None, ("不是 UTF-8 编码",),
    ),
    "missing_file": Case({}, "JX-IN-001", None, None, ("文件不存在或无法读取",), extra=["nope.yaml"]),
    "a_directory": Case({"d.yaml": None}, "JX-IN-001", None, None, ("这是目录，不是数据文件",)),
    "one_bad_record_next_to_good_files": Case(
        {"good.yaml": (EXAMPLES / "000_hami_2019.yaml").read_text(encoding="utf-8"),
         "bad.yaml": "fund_years:\n" + FUND + "    coverage: {insured: -1}\n"},
        "JX-IN-003", 5, "fund_years[0].coverage.insured", ("不能为负数",),
    ),
}


# --------------------------------------------------------------------------------------------
# One database per module and backend, holding the unit tree and seed 004
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('bad') / 'jixiao.db'}"
        cleanup = None
    else:
        base = os.environ.get("JIXIAO_TEST_POSTGRES_URL")
        if not base:
            if os.environ.get("CI"):  # as in conftest: CI tests PostgreSQL for real
                pytest.fail("CI 中未设置 JIXIAO_TEST_POSTGRES_URL：PostgreSQL 没有启动")
            pytest.skip("JIXIAO_TEST_POSTGRES_URL 未设置")
        schema = f"bad_{uuid.uuid4().hex[:12]}"
        admin = create_engine(base)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(False)
        cleanup = (admin, schema)
    result = CliRunner().invoke(
        APP, ["load", str(EXAMPLES / "units.yaml"), str(EXAMPLES / "004_yiyang_2020.yaml")],
        env={"JIXIAO_DATABASE_URL": url},
    )
    assert result.exit_code == 0, result.stderr
    yield url
    if cleanup is not None:
        admin, schema = cleanup
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _state(url: str) -> dict[str, list[dict[str, Any]]]:
    engine = open_database(url)
    with Session(engine) as session:
        state = dump_state(session)
    engine.dispose()
    return state


def _write(directory: Path, files: dict[str, str | bytes | None]) -> list[Path]:
    paths = []
    for name, content in files.items():
        path = directory / name
        if content is None:
            path.mkdir()
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        paths.append(path)
    return paths


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_refused_with_its_message_and_changes_nothing(
    name: str, database: str, tmp_path: Path
) -> None:
    case = CASES[name]
    paths = _write(tmp_path, case.files) + [tmp_path / extra for extra in case.extra]
    before = _state(database)
    assert len(before["units"]) == 10 and len(before["fund_years"]) >= 5

    result = CliRunner().invoke(APP, ["load", "--format", "json", *map(str, paths)],
                                env={"JIXIAO_DATABASE_URL": database})
    assert result.exit_code == 1, result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["counts"] is None
    errors = [p for p in report["problems"] if p["severity"] == "error"]
    assert len(errors) == case.count, errors
    first = errors[0]
    expected_file = str(tmp_path / case.file) if case.file else str(paths[-1])
    assert (first["code"], first["line"], first["path"]) == (case.code, case.line, case.path), first
    assert first["file"] == expected_file
    for word in case.words:
        assert word in first["message"], (word, first["message"])

    assert _state(database) == before


def test_the_text_output_is_file_line_path_message(tmp_path: Path, database: str) -> None:
    paths = _write(tmp_path, CASES["negative_persons"].files)
    result = CliRunner().invoke(APP, ["load", *map(str, paths)], env={"JIXIAO_DATABASE_URL": database})
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{paths[0]}:6:fund_years[0].coverage.insured: 参保人数：人数不能为负数（-388079人）",
        "共 1 个错误，未写入数据库。",
    ]


def test_all_bad_files_at_once_report_every_problem(tmp_path: Path, database: str) -> None:
    """One batch with many broken files: every file's problem is listed, nothing is written."""
    paths: list[Path] = []
    wanted = [n for n in CASES if not CASES[n].extra and n not in (
        "duplicate_record_across_the_batch", "one_bad_record_next_to_good_files",
        "parent_cycle_through_stored_units")]
    for i, name in enumerate(wanted):
        sub = tmp_path / f"{i:02d}"
        sub.mkdir()
        paths += _write(sub, CASES[name].files)
    before = _state(database)
    result = CliRunner().invoke(APP, ["load", "--format", "json", *map(str, paths)],
                                env={"JIXIAO_DATABASE_URL": database})
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    # files that cannot even be read or parsed are reported; the batch stops before cross-checks
    named = {p["file"] for p in problems}
    for path, name in zip(paths, wanted, strict=True):
        if CASES[name].code in ("JX-IN-001", "JX-IN-002", "JX-IN-003", "JX-IN-004"):
            assert str(path) in named, name
    assert _state(database) == before
