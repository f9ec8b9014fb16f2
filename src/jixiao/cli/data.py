"""Data commands: ``load`` (import data files into the database), ``units`` (the unit tree) and
``demo`` (the bundled examples imported, shown and written out as reports).

A thin shell over :mod:`jixiao.app`: every error reaches the user as one Chinese line and exit
code 1 (an unexpected internal error: one line and exit code 70).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from jixiao.app.demo import demo_account, example_files, find_examples
from jixiao.app.imports import import_files
from jixiao.app.indicators import build_sections
from jixiao.app.reports import write_reports
from jixiao.app.selection import unit_years
from jixiao.cli.common import (
    CommandError,
    FormatOption,
    OutputFormat,
    console,
    database,
    echo_json,
    one_line_errors,
    print_problems,
    session,
)
from jixiao.cli.indicators import print_indicator_tables, print_warning_tables, unit_label
from jixiao.ingest.files import read_files
from jixiao.model import Dataset, Unit
from jixiao.model.units import ruleset_of
from jixiao.store.db import database_url, describe
from jixiao.store.repository import TABLE_LABELS, data_years, list_units, load_dataset
from jixiao.write import FORMATS


def _load(paths: Sequence[Path], output: OutputFormat) -> None:
    with database() as engine:
        outcome = import_files(engine, list(paths))
    if output is OutputFormat.json:
        echo_json({
            "ok": outcome.ok,
            "database": describe(database_url()),
            "problems": [p.to_json() for p in outcome.problems],
            "counts": outcome.counts.as_dict() if outcome.counts else None,
            "files": [{"file": f.file, "sha256": f.sha256, "new": f.new} for f in outcome.files],
        })
        if not outcome.ok:
            raise typer.Exit(1)
        return
    print_problems(outcome.problems, "未写入数据库")
    if not outcome.ok or outcome.counts is None:
        raise typer.Exit(1)
    counts = outcome.counts
    table = Table(title=f"已导入 {len(outcome.files)} 个文件 → {describe(database_url())}", title_justify="left")
    for column in ("数据", "新增", "更新", "未变"):
        table.add_column(column, justify="left" if column == "数据" else "right")
    for key, label in TABLE_LABELS.items():
        table.add_row(label, str(counts.inserted[key]), str(counts.updated[key]), str(counts.unchanged[key]))
    console.print(table)


def _demo_reports(dataset: Dataset, pairs: Sequence[tuple[str, int]], out_dir: Path) -> None:
    """The demo's last step: every example unit's reports (docx, xlsx, html) into ``out_dir``."""
    console.rule("[bold]自评报告")
    total = 0
    for code, year in pairs:
        unit = dataset.unit(code)
        # the unit's rule set in the examples' tree (units.yaml: 湖南 → hunan, 四川 → sichuan, else default)
        rules = ruleset_of(dataset.units, code)
        done = write_reports(dataset, [(code, year)], out_dir, FORMATS, placeholders=True, rules=rules)
        written, scored = done.paths, done.scores
        total += len(written)
        scores = "；".join(
            f"{'部门整体' if name == 'department' else name} "
            + (f"{sc.total_score}/{sc.total_weight}" + (f" {sc.grade}" if sc.grade else "") if sc.complete
               else "未计分")
            for name, sc in scored.get((code, year), {}).items())
        papers = len(done.workpapers)
        console.print(f"{year}年 {unit_label(unit, code)}：{len(written)} 个文件，其中审核底稿 {papers} 个"
                      f"（规则集 {rules}）" + (f"，自评表得分：{scores}" if scores else ""),
                      soft_wrap=True, markup=False)
    console.print(f"共写出 {total} 个文件（报告及其审核底稿）→ {out_dir}", soft_wrap=True, markup=False)


def _unit_tree(units: Sequence[Unit], years: dict[str, list[int]]) -> Tree:
    children: dict[str | None, list[Unit]] = {}
    codes = {u.code for u in units}
    for u in units:
        children.setdefault(u.parent if u.parent in codes else None, []).append(u)
    root = Tree(Text("单位", style="bold"))

    def label(u: Unit) -> Text:
        text = Text(u.name, style="bold")
        text.append(f"  {u.code} · {u.level.value} · {u.kind.value}", style="dim")
        if years.get(u.code):
            text.append(f"  数据年度：{'、'.join(map(str, years[u.code]))}", style="cyan")
        return text

    def add(node: Tree, parent: str | None) -> None:
        for u in children.get(parent, []):
            add(node.add(label(u)), u.code)

    add(root, None)
    return root


def register(app: typer.Typer) -> None:
    @app.command("load")
    @one_line_errors
    def load_command(
        files: Annotated[list[Path], typer.Argument(help="YAML/JSON 数据文件（可多个，作为一批校验）")],
        output: FormatOption = OutputFormat.text,
    ) -> None:
        """校验并导入数据文件：任何一处错误都不写入数据库；重复导入结果不变。"""
        _load(files, output)

    @app.command("units")
    @one_line_errors
    def units_command(output: FormatOption = OutputFormat.text) -> None:
        """列出数据库中的单位（按上下级成树）。"""
        with session() as db:
            units = list_units(db)
            years = data_years(db)
        if output is OutputFormat.json:
            echo_json([{**u.model_dump(mode="json"), "years": years.get(u.code, [])} for u in units])
            return
        if not units:
            console.print("数据库中还没有单位。先导入：jixiao load examples/units.yaml")
            return
        console.print(_unit_tree(units, years))

    @app.command("demo")
    @one_line_errors
    def demo_command(
        examples: Annotated[
            Path | None, typer.Option("--examples", help="示例数据目录（默认：源码树中的 examples/）")
        ] = None,
        explain: Annotated[bool, typer.Option("--explain", help="列出公式")] = False,
        output: Annotated[
            Path | None, typer.Option("--output", "-o", help="报告输出目录（默认：示例目录旁的 out/）")
        ] = None,
    ) -> None:
        """把示例数据导入默认数据库，列出每个示例单位的指标表和风险预警，并把各单位的自评报告写入 out/。"""
        directory = examples or find_examples()
        if directory is None:
            raise CommandError("找不到示例目录 examples/（请用 --examples DIR 指定）")
        paths = example_files(directory)
        _load(paths, OutputFormat.text)
        with session() as db:
            stored = load_dataset(db)
        listed = read_files(list[str | Path](paths)).dataset
        assert listed is not None  # just imported without errors
        pairs = unit_years(listed)
        for code, year in pairs:
            unit = stored.unit(code)
            console.rule(f"[bold]{year}年 {unit_label(unit, code)}")
            sections = build_sections(stored, code, year)
            print_indicator_tables(sections, explain=explain, show_all=False)
            print_warning_tables(sections)
        _demo_reports(listed, pairs, output or directory.resolve().parent / "out")
        _demo_monitoring(listed)
        _demo_web_account()


def _demo_monitoring(dataset: Dataset) -> None:
    """Where the examples' months can be looked at (when the examples have any)."""
    latest: dict[str, int] = {}
    for p in dataset.fund_periods:
        latest[p.unit] = max(p.year, latest.get(p.unit, p.year))
    if not latest:
        return
    console.rule("[bold]基金运行监测（月度数据）")
    for code, year in sorted(latest.items()):
        console.print(f"{unit_label(dataset.unit(code), code)}：jixiao monitor {code} {year}；"
                      f"网页 /units/{code}/years/{year}/monitoring", soft_wrap=True, markup=False)


def _demo_web_account() -> None:
    """The demo's web login: an admin named ``demo`` with a fresh password, shown this once."""
    with session() as db:
        password = demo_account(db)
    console.rule("[bold]网页版")
    console.print("启动：[bold].venv/bin/jixiao serve[/]（默认 http://127.0.0.1:8000/）")
    console.print(f"演示管理员：用户名 [bold]demo[/]，密码 [bold]{password}[/]")
    console.print("（密码只显示这一次；再次运行 make demo 会换新密码）")




__all__ = ["register"]
