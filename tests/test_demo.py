"""`jixiao demo` (what `make demo` runs) ends by writing every example unit's reports into out/.

The examples are copied to a temporary directory, so the default output — ``out/`` beside the
examples directory, the repository root's git-ignored ``out/`` in a checkout — lands there too.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import typer
from typer.testing import CliRunner

from jixiao.cli import data, indicators, monitor

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

#: unit code → reports written (fund, department, projects), each in docx, xlsx and html and with its
#: working paper (审核底稿, xlsx); 株洲 and 米易 have fund figures but no fund spending: no fund report
REPORTS = {"650500": 1, "650000-01": 2, "430200-01": 1, "510421-01": 4, "430900": 2}


def test_demo_writes_every_example_units_reports_into_out(tmp_path: Path) -> None:
    examples = tmp_path / "examples"
    examples.mkdir()
    for path in EXAMPLES.glob("*.yaml"):
        shutil.copy(path, examples / path.name)
    app = typer.Typer(pretty_exceptions_enable=False)
    data.register(app)
    indicators.register(app)
    env = {"JIXIAO_HOME": str(tmp_path / "home"), "JIXIAO_DATABASE_URL": None}
    result = CliRunner().invoke(app, ["demo", "--examples", str(examples)], env=env)
    assert result.exit_code == 0, result.stderr
    out = tmp_path / "out"
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == 4 * sum(REPORTS.values())
    for unit, count in REPORTS.items():
        mine = [f for f in files if f.startswith(f"{unit}_")]
        assert len(mine) == 4 * count, (unit, mine)
        assert {Path(f).suffix for f in mine} == {".docx", ".xlsx", ".html"}
        assert len([f for f in mine if f.endswith("_审核底稿.xlsx")]) == count
    assert all((out / f).stat().st_size > 1000 for f in files)
    text = result.stdout
    assert f"共写出 40 个文件（报告及其审核底稿）→ {out}" in text
    assert "米易县医疗保障事务中心（510421-01）：16 个文件，其中审核底稿 4 个（规则集 sichuan）" in text
    # the 目标表 gives no 分值: the tables are not scored (the rule set's own split is in the working paper)
    assert "财政代缴2019年建档立卡贫困人口城乡居民医保个人缴费 未计分" in text
    assert ("益阳市医疗保障局（430900）：8 个文件，其中审核底稿 2 个（规则集 hunan），"
            "自评表得分：部门整体 未计分") in text
    html = (out / "510421-01_2019_项目_医保专项工作经费.html").read_text(encoding="utf-8")
    assert "规则集" not in html and "sichuan" not in html
    assert "<img" in (out / "510421-01_2019_部门整体支出绩效自评报告.html").read_text(encoding="utf-8")


def test_demo_output_directory_can_be_chosen(tmp_path: Path) -> None:
    app = typer.Typer(pretty_exceptions_enable=False)
    data.register(app)
    indicators.register(app)
    env = {"JIXIAO_HOME": str(tmp_path / "home"), "JIXIAO_DATABASE_URL": None}
    target = tmp_path / "reports"
    result = CliRunner().invoke(app, ["demo", "--examples", str(EXAMPLES), "-o", str(target)], env=env)
    assert result.exit_code == 0, result.stderr
    assert len(list(target.glob("*.docx"))) == sum(REPORTS.values())
    # the examples' months are loaded too: the monitoring page of 哈密 has its 1-6月
    assert "jixiao monitor 650500 2020" in result.stdout and "/units/650500/years/2020/monitoring" in result.stdout
    monitor.register(app)
    shown = CliRunner().invoke(app, ["monitor", "650500", "2020", "--format", "json"], env=env)
    assert shown.exit_code == 0, shown.stderr
    answer = json.loads(shown.stdout)
    assert answer["month"] == 6 and len(answer["funds"]) == 2

def test_demo_prints_a_web_admin_password_once_and_a_new_one_each_run(tmp_path: Path) -> None:
    import re

    from sqlalchemy.orm import Session

    from jixiao.store.db import open_database
    from jixiao.store.users import find_user, verify_password

    app = typer.Typer(pretty_exceptions_enable=False)
    data.register(app)
    indicators.register(app)
    home = tmp_path / "home"
    env = {"JIXIAO_HOME": str(home), "JIXIAO_DATABASE_URL": None}
    passwords = []
    for _ in range(2):
        result = CliRunner().invoke(app, ["demo", "-o", str(tmp_path / "out")], env=env)
        assert result.exit_code == 0, result.stderr
        assert "jixiao serve" in result.stdout
        found = re.search(r"用户名 demo，密码 (\S+)", result.stdout)
        assert found is not None
        passwords.append(found.group(1))
    assert passwords[0] != passwords[1]
    engine = open_database(f"sqlite:///{home / 'jixiao.db'}")
    with Session(engine) as session:
        user = find_user(session, "demo")
        assert user is not None and user.role == "admin"
        assert verify_password(user.password_hash, passwords[1])
        assert not verify_password(user.password_hash, passwords[0])
