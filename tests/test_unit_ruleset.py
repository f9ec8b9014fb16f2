"""A unit carries its rule set (``units.yaml``: ``ruleset: hunan`` / ``sichuan``), inherited by
the units below it, stored in ``units.ruleset`` (migration 0005); the dashboard, the report
downloads and the CLI (``jixiao report``, ``jixiao warnings``) use it unless another is asked for.

Expected scores come from the scorer on the example data (益阳 2020's department table is scored
only by ``hunan.yaml``: 15.48 of its 24 points, see the closing note of session 1).
"""

from __future__ import annotations

import io
import sqlite3
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from jixiao.app.imports import import_files
from jixiao.app.pages.dashboard import unit_year_dashboard
from jixiao.calc import compute_department
from jixiao.calc.scoring import score_department
from jixiao.cli import data, indicators, report
from jixiao.ingest.files import read_files
from jixiao.model.units import effective_ruleset
from jixiao.rules import load_ruleset
from jixiao.store.db import open_database
from jixiao.store.repository import get_department, unit_ruleset
from web_helpers import logged_in, make_app

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path_factory.mktemp('ruleset') / 'ruleset.db'}"
    engine = open_database(url)
    outcome = import_files(engine, [EXAMPLES / "units.yaml", *sorted(EXAMPLES.glob("0*.yaml"))])
    assert outcome.ok, outcome.problems
    yield engine
    engine.dispose()


def test_inheritance_walks_up_the_tree() -> None:
    parents = {"c": "b", "b": "a", "a": None, "x": None, "loop1": "loop2", "loop2": "loop1"}
    assert effective_ruleset("c", {"a": "hunan"}, parents) == "hunan"
    assert effective_ruleset("c", {"a": "hunan", "b": "sichuan"}, parents) == "sichuan"
    assert effective_ruleset("x", {"a": "hunan"}, parents) == "default"
    assert effective_ruleset("loop1", {}, parents, fallback="none") == "none"  # a cycle ends


def test_stored_units_carry_their_own_or_their_parents_rule_set(engine: Engine) -> None:
    with Session(engine) as s:
        got = {code: unit_ruleset(s, code) for code in
               ("430000", "430900", "430200-01", "510000", "510421-01", "650500", "650000-01")}
    assert got == {"430000": "hunan", "430900": "hunan", "430200-01": "hunan", "510000": "sichuan",
                   "510421-01": "sichuan", "650500": "default", "650000-01": "default"}
    database = str(engine.url.database)
    with sqlite3.connect(database) as raw:  # the column itself: NULL where units.yaml says nothing
        rows = dict(raw.execute("SELECT code, ruleset FROM units").fetchall())
    assert rows["430000"] == "hunan" and rows["510000"] == "sichuan" and rows["430900"] is None


def test_an_unknown_rule_set_is_refused_with_its_path(tmp_path: Path) -> None:
    bad = tmp_path / "units.yaml"
    bad.write_text('units:\n  - {code: "430000", name: 湖南省医疗保障局, level: 省, kind: 医疗保障局,'
                   ' ruleset: henan}\n', encoding="utf-8")
    result = read_files([bad])
    assert not result.ok
    problem = next(p for p in result.problems if p.severity == "error")
    assert "ruleset" in str(problem.path) and "henan" in problem.message and "hunan" in problem.message


def test_dashboard_scores_yiyang_by_hunan_unless_asked_otherwise(engine: Engine) -> None:
    with Session(engine) as s:
        board = unit_year_dashboard(s, "430900", 2020)
        plain = unit_year_dashboard(s, "430900", 2020, ruleset="default")
        dept = get_department(s, "430900", 2020)
    assert dept is not None
    expected = score_department(dept, compute_department(dept), "hunan")
    # the page names a rule set by its title, never by its file's name
    assert board.ruleset == load_ruleset("hunan").title and board.department_score is not None
    assert (board.department_score.total, board.department_score.scored_weight) == (expected.total,
                                                                                     expected.scored_weight)
    assert (expected.total, expected.scored_weight) == (Decimal("15.48"), Decimal("24"))
    assert plain.ruleset == load_ruleset("default").title and plain.department_score is None


# --------------------------------------------------------------------------------------------
# The web pages: the score, the picker, one file per report
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return make_app(f"sqlite:///{tmp_path_factory.mktemp('ruleset-web') / 'web.db'}")


@pytest.fixture(scope="module")
def admin(app: FastAPI) -> TestClient:
    return logged_in(app, "admin")


def test_dashboard_page_and_picker(admin: TestClient) -> None:
    own = admin.get("/units/430900/years/2020")
    assert own.status_code == 200
    assert "<h2>部门整体支出评分" in own.text and "合计 <strong>15.48</strong> / 24" in own.text
    assert f"本单位规则集：{load_ruleset('hunan').title}" in own.text and "（hunan）" not in own.text
    picked = admin.get("/units/430900/years/2020?rules=default")
    assert picked.status_code == 200 and "<h2>部门整体支出评分" not in picked.text  # (the picker names the 湖南 set)
    assert 'href="/units/430900/years/2020/reports/docx/department?rules=default"' in picked.text
    assert admin.get("/units/430900/years/2020?rules=henan").status_code == 422


def test_one_docx_per_report_and_an_explicit_zip(admin: TestClient) -> None:
    page = admin.get("/units/430900/years/2020").text
    for part in ("fund", "department"):
        assert f'href="/units/430900/years/2020/reports/docx/{part}"' in page
        got = admin.get(f"/units/430900/years/2020/reports/docx/{part}")
        assert got.status_code == 200
        assert got.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessing")
        with zipfile.ZipFile(io.BytesIO(got.content)) as docx:
            assert "word/document.xml" in docx.namelist()
    assert "全部 DOCX（zip）" in page
    everything = admin.get("/units/430900/years/2020/reports/docx")
    assert everything.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(everything.content)) as bundle:
        assert sorted(bundle.namelist()) == ["430900_2020_基金支出绩效自评报告.docx",
                                             "430900_2020_部门整体支出绩效自评报告.docx"]
    # the department report's 自评表 rows are scored by hunan (预算完成率 7.48 of 8) unless another rule
    # set is asked for; hunan's 2018 rules cover part of the table, so it has no total
    own = admin.get("/units/430900/years/2020/reports/html/department").text
    plain = admin.get("/units/430900/years/2020/reports/html/department?rules=default").text
    assert "<td class=\"center\">7.48</td>" in own and "7.48" not in plain and "15.48" not in own
    # the API's download scores the same way
    api = admin.get("/api/units/430900/years/2020/reports/html")
    with zipfile.ZipFile(io.BytesIO(api.content)) as bundle:
        html = bundle.read("430900_2020_部门整体支出绩效自评报告.html").decode("utf-8")
        assert "<td class=\"center\">7.48</td>" in html
    # each report's working paper (审核底稿) downloads beside it
    assert 'href="/units/430900/years/2020/workpapers/department"' in page
    paper = admin.get("/units/430900/years/2020/workpapers/department")
    assert paper.status_code == 200 and paper.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "审核底稿" in paper.headers["content-disposition"] or "%E5%AE%A1%E6%A0%B8" in paper.headers[
        "content-disposition"]
    both = admin.get("/units/430900/years/2020/workpapers")
    with zipfile.ZipFile(io.BytesIO(both.content)) as bundle:
        assert sorted(bundle.namelist()) == ["430900_2020_基金支出绩效自评报告_审核底稿.xlsx",
                                             "430900_2020_部门整体支出绩效自评报告_审核底稿.xlsx"]
    for missing in ("project-1", "project-x", "nothing"):
        assert admin.get(f"/units/430900/years/2020/reports/docx/{missing}").status_code == 404
    # 米易 2019: one link per project report, each its own file
    miyi = admin.get("/units/510421-01/years/2019").text
    assert miyi.count('/reports/docx/project-') == 3
    assert admin.get("/units/510421-01/years/2019/reports/docx/project-3").status_code == 200


# --------------------------------------------------------------------------------------------
# The CLI picks the same default
# --------------------------------------------------------------------------------------------


def _cli() -> typer.Typer:
    app = typer.Typer(pretty_exceptions_enable=False)
    data.register(app)
    indicators.register(app)
    report.register(app)
    return app


def test_cli_report_and_warnings_use_the_units_rule_set(tmp_path: Path) -> None:
    app = _cli()
    env = {"JIXIAO_HOME": str(tmp_path / "home"), "JIXIAO_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    runner = CliRunner()
    loaded = runner.invoke(app, ["load", str(EXAMPLES / "units.yaml"), str(EXAMPLES / "004_yiyang_2020.yaml")], env=env)
    assert loaded.exit_code == 0, loaded.output
    own = runner.invoke(app, ["report", "430900", "2020", "-o", str(tmp_path / "a"), "--formats", "html"], env=env)
    assert own.exit_code == 0, own.output
    assert "规则集 hunan" in own.output and "部门整体：未计分（规则集只规定了部分指标的评分方法）" in own.output
    plain = runner.invoke(app, ["report", "430900", "2020", "-o", str(tmp_path / "b"), "--formats", "html",
                                "--rules", "default"], env=env)
    assert plain.exit_code == 0 and "部门整体：" not in plain.output
    # from files, the tree given beside the data decides
    files = runner.invoke(app, ["report", str(EXAMPLES / "units.yaml"), str(EXAMPLES / "004_yiyang_2020.yaml"),
                                "-o", str(tmp_path / "c"), "--formats", "html"], env=env)
    assert files.exit_code == 0 and "规则集 hunan" in files.output and "部门整体：未计分" in files.output
    # warnings: the same rule set as the dashboard's
    with Session(open_database(env["JIXIAO_DATABASE_URL"])) as s:
        board = unit_year_dashboard(s, "430900", 2020)
    shown = runner.invoke(app, ["warnings", "430900", "2020", "-f", "json"], env=env)
    assert shown.exit_code == 0, shown.output
    import json

    codes = sorted(w["code"] for item in json.loads(shown.output) for sec in item["warnings"] for w in sec["warnings"])
    assert codes == sorted(w.code for r in board.records for w in r.warnings)


def test_migration_0005_fills_the_column_from_the_stored_documents(tmp_path: Path) -> None:
    from alembic import command
    from sqlalchemy import text

    from jixiao.store import db as store_db

    url = f"sqlite:///{tmp_path / 'migrate.db'}"
    engine = open_database(url)
    assert import_files(engine, [EXAMPLES / "units.yaml", EXAMPLES / "004_yiyang_2020.yaml"]).ok
    config = store_db.alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0004")
    with engine.connect() as conn:
        assert "ruleset" not in [r[1] for r in conn.execute(text("PRAGMA table_info(units)"))]
    engine.dispose()
    engine = open_database(url)  # opening upgrades to the head again
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() >= "0005"
        filled = dict(conn.execute(text("SELECT code, ruleset FROM units WHERE ruleset IS NOT NULL")).all())
    assert filled == {"430000": "hunan", "510000": "sichuan"}
    with Session(engine) as s:
        assert unit_ruleset(s, "430900") == "hunan"
    engine.dispose()


def test_a_document_without_a_rule_set_keeps_the_units_own(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'keep.db'}")
    try:
        assert import_files(engine, [EXAMPLES / "units.yaml", EXAMPLES / "004_yiyang_2020.yaml"]).ok
        # the unit again, as a unit's own workbook or a YAML without the field brings it
        again = tmp_path / "units_again.yaml"
        again.write_text('units:\n  - {code: "430000", name: 湖南省医疗保障局（改名）, level: 省, kind: 医疗保障局, '
                         'region: 湖南省}\n', encoding="utf-8")
        assert import_files(engine, [again]).ok
        with Session(engine) as s:
            assert unit_ruleset(s, "430000") == "hunan" and unit_ruleset(s, "430900") == "hunan"
        # naming one changes it
        again.write_text('units:\n  - {code: "430000", name: 湖南省医疗保障局, level: 省, kind: 医疗保障局, '
                         'region: 湖南省, ruleset: sichuan}\n', encoding="utf-8")
        assert import_files(engine, [again]).ok
        with Session(engine) as s:
            assert unit_ruleset(s, "430900") == "sichuan"
    finally:
        engine.dispose()
