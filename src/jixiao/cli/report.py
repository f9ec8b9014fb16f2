"""Report commands: ``template`` (the fill-in workbook) and ``report`` (the self-evaluation reports).

``jixiao template fund|department|project -o FILE.xlsx`` writes an empty fill-in workbook;
``--from DATA.yaml`` exports existing data into it instead.

``jixiao report FILE.xlsx|FILE.yaml... -o DIR`` or ``jixiao report UNIT YEAR -o DIR`` reads a filled
workbook, data files or the database and writes every report of the unit-year (docx, xlsx, html)
with :func:`jixiao.write.write_report`, each 自评表 scored by ``--rules`` (default, sichuan,
hunan) and followed by its 评分说明; ``--no-charts`` leaves the figures out. Any error in the
input → the problems, one per line (``file:sheet!cell: message``), exit code 1, and nothing
written. Reports are first written to a temporary directory and moved into DIR only when all of
them succeeded.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from jixiao.app.reports import WrittenReports, write_reports
from jixiao.app.selection import WORKBOOK_SUFFIXES, matching_unit_years, read_inputs, stored_unit_year
from jixiao.cli.common import (
    CommandError,
    OutputFormat,
    console,
    one_line_errors,
    print_problems,
    problem_json,
    session,
)
from jixiao.ingest.workbook.layout import Group
from jixiao.model import Dataset
from jixiao.model.units import ruleset_of
from jixiao.problems import Problem
from jixiao.rules import RuleSet, RuleSetError, load_ruleset
from jixiao.write import FORMATS, RULESETS, is_workpaper
from jixiao.write.workbook import fill_workbook, write_template

DATA_SUFFIXES = (".yaml", ".yml", ".json")
KIND_NAMES: dict[str, Group] = {
    "fund": "fund", "基金": "fund",
    "department": "department", "部门": "department", "部门整体": "department",
    "project": "project", "项目": "project",
}


def _is_file_arg(text: str) -> bool:
    return Path(text).suffix.lower() in (*WORKBOOK_SUFFIXES, *DATA_SUFFIXES) or Path(text).is_file()


def _formats(text: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(f.strip().lower().lstrip(".") for f in text.split(",") if f.strip()))
    bad = [f for f in chosen if f not in FORMATS]
    if bad or not chosen:
        raise CommandError(f"不支持的输出格式“{'、'.join(bad) or text}”（可用：{'、'.join(FORMATS)}）")
    return chosen


def _rules(text: str) -> RuleSet:
    """The rule set named by ``--rules`` (a shipped name or a rule file), or a one-line error."""
    name = text.strip()
    if name not in RULESETS and not name.endswith((".yaml", ".yml")):
        raise CommandError(f"未知的规则集“{text}”（可用：{'、'.join(RULESETS)}，或规则文件 .yaml）")
    try:
        return load_ruleset(name)
    except RuleSetError as exc:
        raise CommandError(str(exc)) from exc


def _score_line(name: str, scores: Any) -> str:
    if scores.complete and scores.total_score is not None:
        total = f"{scores.total_score} / {scores.total_weight}" + (f"，{scores.grade}" if scores.grade else "")
    else:
        total = f"未计分（{scores.reason or '部分指标无法计分'}）"
        if scores.budget_score is not None:
            total += f"；预算执行率得分 {scores.budget_score} / {scores.budget_weight}"
    return f"  {'部门整体' if name == 'department' else name}：{total}"


def _export_workbook(source: list[Path], unit: str | None, year: str | None, output: Path) -> None:
    """One unit-year of data files or workbooks exported into the fill-in workbook ``output``."""
    dataset, problems = read_inputs(source)
    if dataset is None:
        print_problems(problems, "未生成填报表")
        raise typer.Exit(1)
    pairs = matching_unit_years(dataset, unit, year)
    if len(pairs) > 1:
        have = "、".join(f"{u} {y}年" for u, y in pairs)
        raise CommandError(f"一个填报表只放一个单位一个年度；请用 --unit/--year 指定（有：{have}）")
    output.parent.mkdir(parents=True, exist_ok=True)
    fill_workbook(dataset, *pairs[0]).save(output)
    console.print(f"已导出 {pairs[0][0]} {pairs[0][1]}年的数据 → {output}", soft_wrap=True, markup=False)


def _template_kinds(kinds: list[str] | None) -> tuple[Group, ...]:
    if not kinds:
        raise CommandError("请指定填报表类型：fund（基金）、department（部门）或 project（项目）")
    chosen: list[Group] = []
    for k in kinds:
        if k.strip().lower() not in KIND_NAMES:
            raise CommandError(f"未知的填报表类型“{k}”（可用：fund、department、project）")
        chosen.append(KIND_NAMES[k.strip().lower()])
    return tuple(chosen)


def _report_inputs(inputs: list[str], unit: str | None, year: str | None, json_output: bool
                   ) -> tuple[Dataset, list[tuple[str, int]], list[Problem]]:
    """The data to write reports of (files, or a unit and year of the database) and its unit-years."""
    if all(_is_file_arg(a) for a in inputs):
        dataset, problems = read_inputs([Path(a) for a in inputs])
        if dataset is None:
            if json_output:
                typer.echo(json.dumps({"ok": False, "files": [], "problems": [problem_json(p) for p in problems]},
                                      ensure_ascii=False, indent=2))
            else:
                print_problems(problems, "未生成报告")
            raise typer.Exit(1)
        return dataset, matching_unit_years(dataset, unit, year), problems
    if len(inputs) == 2:
        with session() as db:
            dataset, code, yr = stored_unit_year(db, inputs[0], inputs[1])
        return dataset, [(code, yr)], []
    raise CommandError("用法：jixiao report 文件.xlsx|文件.yaml -o 目录，或 jixiao report 单位 年度 -o 目录")


def _print_written(dataset: Dataset, pairs: list[tuple[str, int]], done: WrittenReports, output: Path,
                   rules_for: dict[tuple[str, int], RuleSet]) -> None:
    for code, yr in pairs:
        unit_obj = dataset.unit(code)
        console.print(f"[bold]{yr}年 {unit_obj.name if unit_obj else code}[/]", soft_wrap=True)
        tables = done.scores.get((code, yr), {})
        if tables:
            console.print(f"  自评表评分（规则集 {rules_for[(code, yr)].label}）：", soft_wrap=True, markup=False)
            for name, sc in tables.items():
                console.print(_score_line(name, sc), soft_wrap=True, markup=False)
    for path in done.paths:
        label = "（审核底稿）" if is_workpaper(path) else ""
        console.print(f"  {path}{label}", soft_wrap=True, markup=False)
    print_problems(done.notices, "")
    papers = len(done.workpapers)
    console.print(f"共写出 {len(done.paths)} 个文件（其中审核底稿 {papers} 个）→ {output}", soft_wrap=True,
                  markup=False)


def register(app: typer.Typer) -> None:
    @app.command("template")
    @one_line_errors
    def template_command(
        kinds: Annotated[
            list[str] | None, typer.Argument(help="fund（基金）、department（部门）、project（项目），可多个")
        ] = None,
        output: Annotated[Path, typer.Option("--output", "-o", help="输出的 .xlsx 文件")] = Path("填报表.xlsx"),
        source: Annotated[
            list[Path] | None, typer.Option("--from", help="把已有数据（YAML/JSON/工作簿）导出到填报表；可重复")
        ] = None,
        unit: Annotated[str | None, typer.Option("--unit", help="与 --from 同用：单位代码")] = None,
        year: Annotated[str | None, typer.Option("--year", help="与 --from 同用：年度")] = None,
        force: Annotated[bool, typer.Option("--force", help="覆盖已有文件")] = False,
    ) -> None:
        """生成填报工作簿（Excel）：中文表头、单位写在表头里、下拉列表、每栏有说明。"""
        if output.suffix.lower() != ".xlsx":
            raise CommandError(f"输出文件应以 .xlsx 结尾：{output}")
        if output.exists() and not force:
            raise CommandError(f"文件已存在：{output}（加 --force 覆盖）")
        if source:
            _export_workbook(source, unit, year, output)
        else:
            write_template(_template_kinds(kinds), output)
            console.print(f"已生成填报表 → {output}", soft_wrap=True, markup=False)

    @app.command("report")
    @one_line_errors
    def report_command(
        inputs: Annotated[
            list[str], typer.Argument(help="填报工作簿 .xlsx、数据文件 .yaml/.json；或 单位 年度（读数据库）")
        ],
        output: Annotated[Path, typer.Option("--output", "-o", help="输出目录")],
        formats: Annotated[str, typer.Option("--formats", help="输出格式，逗号分隔")] = "docx,xlsx,html",
        unit: Annotated[str | None, typer.Option("--unit", help="只生成这个单位（读文件时）")] = None,
        year: Annotated[str | None, typer.Option("--year", help="只生成这个年度（读文件时）")] = None,
        no_placeholders: Annotated[
            bool, typer.Option("--no-placeholders", help="文字说明缺失时不留“（待填写）”占位")
        ] = False,
        rules: Annotated[
            str | None, typer.Option("--rules", help="自评表评分规则集：default、sichuan、hunan（或规则文件 .yaml）；"
                                     "默认用单位的规则集（units.yaml 的 ruleset，未写则沿用上级的，再无则 default）")
        ] = None,
        no_charts: Annotated[bool, typer.Option("--no-charts", help="不绘制图表（批量生成时更快）")] = False,
        output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="text 或 json")] = OutputFormat.text,
    ) -> None:
        """由填报工作簿、数据文件或数据库生成自评报告（docx、xlsx、html），并按规则集为自评表评分；输入有任何错误则不生成。"""
        chosen = _formats(formats)
        ruleset = _rules(rules) if rules is not None else None
        dataset, pairs, problems = _report_inputs(inputs, unit, year, output_format is OutputFormat.json)
        # without --rules, each unit-year is scored by its unit's own rule set (as the web app does)
        rules_for = {(code, yr): ruleset or _rules(ruleset_of(dataset.units, code)) for code, yr in pairs}
        done = write_reports(dataset, pairs, output, chosen, placeholders=not no_placeholders,
                             rules=ruleset or "default", charts=not no_charts, rules_for=dict(rules_for))
        if output_format is OutputFormat.json:
            scores_json = [
                {"unit": code, "year": yr, "table": name, "weight": sc.total_weight,
                 "score": sc.total_score if sc.complete else None, "grade": sc.grade, "ruleset": sc.ruleset,
                 "scored": sc.complete, "reason": sc.reason}
                for (code, yr), tables in done.scores.items() for name, sc in tables.items()
            ]
            typer.echo(json.dumps({"ok": True, "files": [str(p) for p in done.paths if not is_workpaper(p)],
                                   "workpapers": [str(p) for p in done.workpapers], "scores": scores_json,
                                   "problems": [problem_json(p) for p in [*problems, *done.notices]]},
                                  ensure_ascii=False, indent=2))
            return
        print_problems(problems, "")
        _print_written(dataset, pairs, done, output, rules_for)


__all__ = ["register"]
