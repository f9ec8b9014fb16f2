"""`jixiao template` and `jixiao report` on the real examples: a workbook, YAML files or the
database in; the reports out (all or nothing); one-line errors, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from openpyxl import load_workbook
from typer.testing import CliRunner, Result

from jixiao.cli import app as main_app
from jixiao.cli import data, indicators, report
from jixiao.ingest.files import read_file
from jixiao.ingest.workbook import read_workbook

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
UNITS = EXAMPLES / "units.yaml"
YIYANG = EXAMPLES / "004_yiyang_2020.yaml"
MIYI = EXAMPLES / "003_miyi_2019.yaml"


def _app() -> typer.Typer:
    app = typer.Typer(pretty_exceptions_enable=False)
    data.register(app)
    indicators.register(app)
    report.register(app)
    return app


APP = _app()


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    env = {"JIXIAO_HOME": str(tmp_path / "home"), "JIXIAO_DATABASE_URL": None}

    def invoke(*args: str | Path) -> Result:
        result = CliRunner().invoke(APP, [str(a) for a in args], env=env)
        assert "Traceback" not in result.stdout + result.stderr
        return result

    return invoke


def test_commands_are_registered_on_the_main_app() -> None:
    names = {c.name for c in main_app.registered_commands}
    assert {"template", "report", "load", "audit"} <= names


# --------------------------------------------------------------------------------------------
# template
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "sheet"), [("fund", "基金收入"), ("department", "三公经费"), ("project", "绩效指标"),
                                             ("基金", "基金支出"), ("项目", "年度目标")])
def test_template_writes_the_workbook(run, tmp_path: Path, kind: str, sheet: str) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "t.xlsx"
    result = run("template", kind, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert f"已生成填报表 → {out}" in result.stdout
    assert sheet in load_workbook(out).sheetnames


def test_template_with_several_kinds(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "t.xlsx"
    assert run("template", "fund", "project", "-o", out).exit_code == 0
    names = load_workbook(out).sheetnames
    assert "基金收入" in names and "绩效指标" in names and "人员" not in names


def test_template_refuses_to_overwrite_and_bad_kinds(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "t.xlsx"
    out.write_text("mine")
    result = run("template", "fund", "-o", out)
    assert result.exit_code == 1 and "文件已存在" in result.stderr and out.read_text() == "mine"
    assert run("template", "fund", "-o", out, "--force").exit_code == 0
    bad = run("template", "pension", "-o", tmp_path / "p.xlsx")
    assert bad.exit_code == 1 and "未知的填报表类型“pension”" in bad.stderr
    assert not (tmp_path / "p.xlsx").exists()
    csv = run("template", "fund", "-o", tmp_path / "t.csv")
    assert csv.exit_code == 1 and "应以 .xlsx 结尾" in csv.stderr
    none = run("template", "-o", tmp_path / "n.xlsx")
    assert none.exit_code == 1 and "请指定填报表类型" in none.stderr


def test_template_from_data_exports_it(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "yiyang.xlsx"
    result = run("template", "--from", UNITS, "--from", YIYANG, "--unit", "430900", "-o", out)
    assert result.exit_code == 0, result.stderr
    assert "已导出 430900 2020年的数据" in result.stdout
    read = read_workbook(out)
    assert read.dataset is not None
    expected = read_file(YIYANG).dataset
    assert expected is not None
    got = read.dataset.model_dump(mode="json")
    assert [u["name"] for u in got.pop("units")] == ["益阳市医疗保障局"]  # the unit came from units.yaml
    want = expected.model_dump(mode="json")
    want.pop("units")
    assert got == want
    several = run("template", "--from", UNITS, "--from", YIYANG, "--from", MIYI, "-o", tmp_path / "two.xlsx")
    assert several.exit_code == 1 and "请用 --unit/--year 指定" in several.stderr


# --------------------------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------------------------


def test_report_from_a_workbook(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book = tmp_path / "yiyang.xlsx"
    assert run("template", "--from", UNITS, "--from", YIYANG, "--unit", "430900", "-o", book).exit_code == 0
    out = tmp_path / "out"
    result = run("report", book, "-o", out, "--formats", "html,xlsx")
    assert result.exit_code == 0, result.stderr
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted([
        "430900_2020_基金支出绩效自评报告.html", "430900_2020_基金支出绩效自评报告.xlsx",
        "430900_2020_基金支出绩效自评报告_审核底稿.xlsx",
        "430900_2020_部门整体支出绩效自评报告.html", "430900_2020_部门整体支出绩效自评报告.xlsx",
        "430900_2020_部门整体支出绩效自评报告_审核底稿.xlsx",
    ])
    assert "2020年 益阳市医疗保障局" in result.stdout and "共写出 6 个文件（其中审核底稿 2 个）" in result.stdout
    assert "430900_2020_部门整体支出绩效自评报告_审核底稿.xlsx（审核底稿）" in result.stdout
    html = (out / "430900_2020_部门整体支出绩效自评报告.html").read_text(encoding="utf-8")
    assert "914.17" in html and "益阳市医疗保障局" in html  # figures and the unit from the workbook


def test_report_from_yaml_as_json(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    result = run("report", UNITS, MIYI, "-o", out, "--formats", "html", "--format", "json")
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["ok"] is True
    assert not [p for p in payload["problems"] if p["severity"] == "error"]
    # 米易 has fund figures but no fund spending: no fund report, and the notices say so
    assert any(p["code"] == "JX-RPT-002" and "基金支出绩效自评报告" in p["message"] for p in payload["problems"])
    names = sorted(Path(f).name for f in payload["files"])
    assert len(names) == 4  # department and three projects
    assert len(payload["workpapers"]) == 4 and all(f.endswith("_审核底稿.xlsx") for f in payload["workpapers"])
    assert all(Path(f).parent == out and Path(f).is_file() for f in payload["files"] + payload["workpapers"])


def test_report_from_the_database(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("load", UNITS, YIYANG).exit_code == 0
    out = tmp_path / "out"
    result = run("report", "益阳", "2020", "-o", out, "--formats", "html")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "430900_2020_基金支出绩效自评报告.html", "430900_2020_基金支出绩效自评报告_审核底稿.xlsx",
        "430900_2020_部门整体支出绩效自评报告.html", "430900_2020_部门整体支出绩效自评报告_审核底稿.xlsx",
    ]
    missing = run("report", "430900", "2019", "-o", tmp_path / "none", "--formats", "html")
    assert missing.exit_code == 1 and "没有 2019 年的数据（已有年份：2020）" in missing.stderr
    unknown = run("report", "火星市", "2020", "-o", tmp_path / "none")
    assert unknown.exit_code == 1 and "找不到单位“火星市”" in unknown.stderr
    assert not (tmp_path / "none").exists()


def test_report_errors_are_one_line(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad_format = run("report", YIYANG, "-o", tmp_path / "o", "--formats", "pdf")
    assert bad_format.exit_code == 1 and "不支持的输出格式“pdf”" in bad_format.stderr
    usage = run("report", "a", "b", "c", "-o", tmp_path / "o")
    assert usage.exit_code == 1 and "用法：jixiao report" in usage.stderr
    missing = run("report", tmp_path / "nope.xlsx", "-o", tmp_path / "o")
    assert missing.exit_code == 1 and "文件不存在或无法读取" in missing.stderr
    assert not (tmp_path / "o").exists()


def test_report_of_an_empty_template_names_the_required_cells(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book = tmp_path / "empty.xlsx"
    assert run("template", "department", "-o", book).exit_code == 0
    result = run("report", book, "-o", tmp_path / "out", "--format", "json")
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["ok"] is False and payload["files"] == []
    assert {(p["where"], p["message"]) for p in payload["problems"]} == {
        ("单位与年度!B3", "缺少必填项“单位代码”"), ("单位与年度!B9", "缺少必填项“年度”"),
    }
    assert not (tmp_path / "out").exists()


def test_report_scores_every_table_by_the_chosen_rules(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    result = run("report", UNITS, MIYI, "-o", out, "--formats", "html", "--rules", "sichuan", "--no-charts")
    assert result.exit_code == 0, result.stderr
    assert "自评表评分（规则集 sichuan 2023.1）" in result.stdout
    # the 目标表 gives no 分值: the rows are not scored, the 预算执行率 (10 分 of 财预〔2020〕10号) is
    assert ("财政代缴2019年建档立卡贫困人口城乡居民医保个人缴费：未计分（目标表未列三级指标分值，规则集不代为分配）"
            "；预算执行率得分 10 / 10") in result.stdout
    html = (out / "510421-01_2019_项目_医保专项工作经费.html").read_text(encoding="utf-8")
    assert "评分说明" not in html and "规则集" not in html  # both in the working paper
    paper = load_workbook(out / "510421-01_2019_项目_财政代缴2019年建档立卡贫困人口城乡居民医保个人缴费_审核底稿.xlsx")
    scoring = "\n".join(str(c.value) for row in paper["评分说明"].iter_rows() for c in row if c.value)
    assert "规则集：四川项目支出绩效自评规则（青神 2023、大英县医疗保障局 2023 表式））" in scoring
    assert "总分为82.43（满分100），等级“良”" in scoring and "报告中未采用" in scoring
    assert "<img" not in html  # --no-charts
    hunan = run("report", UNITS, YIYANG, "-o", tmp_path / "h", "--formats", "html", "--rules", "hunan",
                "--format", "json")
    assert hunan.exit_code == 0, hunan.stderr
    scores = json.loads(hunan.stdout)["scores"]
    assert scores == [{"unit": "430900", "year": 2020, "table": "department", "weight": None, "score": None,
                       "grade": None, "ruleset": "hunan 2018.1", "scored": False,
                       "reason": "规则集只规定了部分指标的评分方法"}]
    bad = run("report", UNITS, YIYANG, "-o", tmp_path / "b", "--rules", "guangdong")
    assert bad.exit_code == 1 and "未知的规则集“guangdong”（可用：default、hunan、sichuan" in bad.stderr
    assert not (tmp_path / "b").exists()


def _row(ws, label: str) -> int:  # type: ignore[no-untyped-def]
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == label)


def _put(ws, label: str, value: object, fmt: str = "0.00") -> None:  # type: ignore[no-untyped-def]
    cell = ws.cell(_row(ws, label), 2)
    cell.value = value
    if isinstance(value, float):
        cell.number_format = fmt


def test_empty_template_filled_by_hand_gives_reports_that_pass_the_audit(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The officer's path: `jixiao template fund`, type the figures in Excel, `jixiao report`."""
    from jixiao.audit.pipeline import audit_path

    book = tmp_path / "t.xlsx"
    assert run("template", "fund", "-o", book).exit_code == 0
    wb = load_workbook(book)
    units = wb["单位与年度"]
    for label, value in (("单位代码（必填）", "999001"), ("单位名称", "测试县医疗保障局"), ("层级", "县"),
                         ("单位类型", "医疗保障局"), ("年度（必填）", 2022)):
        units.cell(_row(units, label), 2).value = value
    units.cell(_row(units, "基金1"), 2).value = "城乡居民基本医疗保险"
    units.cell(_row(units, "基金1"), 3).value = "全县"
    income, spent, budget = wb["基金收入"], wb["基金支出"], wb["预算与结余"]
    _put(income, "基金收入合计（万元）", 12345.67)
    _put(income, "保险费（征缴）收入（万元）", 8000.0)
    _put(income, "财政补助收入（万元）", 4345.67)
    _put(spent, "基金支出合计（万元）", 11000.5)
    _put(spent, "待遇支出（万元）", 11000.5)
    _put(budget, "收入预算（万元）", 12000.0)
    _put(budget, "支出预算（万元）", 11500.0)
    _put(budget, "年初累计结余（万元）", 5000.0)
    _put(budget, "年末累计结余（万元）", 6345.17)
    _put(wb["参保与待遇"], "参保人数（人）", 150000)
    previous = wb["上年与增减"]
    _put(previous, next(previous.cell(r, 1).value for r in range(1, previous.max_row + 1)
                        if str(previous.cell(r, 1).value).startswith("上年基金收入")), 11800.0)
    _put(previous, next(previous.cell(r, 1).value for r in range(1, previous.max_row + 1)
                        if str(previous.cell(r, 1).value).startswith("上年基金支出")), 10500.0)
    wb.save(book)
    out = tmp_path / "out"
    result = run("report", book, "-o", out, "--formats", "docx,html")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "999001_2022_基金支出绩效自评报告.docx", "999001_2022_基金支出绩效自评报告.html",
        "999001_2022_基金支出绩效自评报告_审核底稿.xlsx"]
    html = (out / "999001_2022_基金支出绩效自评报告.html").read_text(encoding="utf-8")
    assert "测试县医疗保障局" in html and "12345.67万元" in html
    # figures as typed (two-decimal cells), derived ones from the printed figures
    assert "基金收入12345.67万元，较上年增加545.67万元，增长4.62%" in html
    assert "基金收入为年度收入预算12000.00万元的102.88%" in html
    assert "年末累计结余6345.17万元" in html
    for path in (p for p in out.iterdir() if p.suffix != ".xlsx"):
        found = audit_path(path)
        assert found.error is None and found.checks > 0
        assert [f.message for f in found.findings if f.severity == "error"] == []


def test_indicators_table_shows_amounts_at_their_inputs_precision(run) -> None:  # type: ignore[no-untyped-def]
    """`jixiao indicators`: 益阳's whole 万元 give whole results, 米易's two-decimal ones keep two."""
    assert run("load", UNITS, YIYANG, MIYI).exit_code == 0
    yiyang = run("indicators", "430900", "2020")
    assert yiyang.exit_code == 0, yiyang.stderr
    assert "23204万元" in yiyang.stdout and "-9054万元" in yiyang.stdout and "15.30%" in yiyang.stdout
    assert "23204.00" not in yiyang.stdout and "9054.00" not in yiyang.stdout
    miyi = run("indicators", "510421-01", "2019")
    assert miyi.exit_code == 0, miyi.stderr
    assert "-890.89" in miyi.stdout and "-903.39" in miyi.stdout
