"""Monitoring commands: ``monitor`` (a unit's funds through the year against 序时进度, with 同比,
the reserve in months, the year-end projection and warnings) and ``budget`` (next year's 基金预算表
drafted from a file of assumptions, 以收定支), both from data files."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from jixiao.app.monitoring import (
    UnitMonitoring,
    monitor_database,
    monitor_files,
    write_budget_files,
    write_monitoring_docx,
)
from jixiao.calc.budget_draft import BudgetDraft
from jixiao.calc.monitoring import FundMonitor
from jixiao.cli.common import (
    FormatOption,
    OutputFormat,
    console,
    echo_json,
    one_line_errors,
    print_problems,
    session,
)
from jixiao.numbers import fmt
from jixiao.rules import SEVERITY_LABEL

#: the indicators a monitoring table shows first (the rest with --all)
_MAIN = ("time_progress", "income_budget_execution_rate", "expenditure_budget_execution_rate",
         "income_progress_gap", "expenditure_progress_gap", "income_yoy_rate", "expenditure_yoy_rate",
         "current_balance", "months_of_reserve")


def _pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{fmt(value, 2)}%"


def _fund_table(f: FundMonitor, show_all: bool) -> Table:
    table = Table(title=f"{f.label} {f.record.year}年{f.record.span.label}", title_justify="left")
    table.add_column("指标")
    table.add_column("数值", justify="right")
    for r in f.results:
        if show_all or r.id in _MAIN:
            table.add_row(r.name or r.id, r.display())
    for side, p in (("收入", f.income), ("支出", f.expenditure)):
        if p is not None:
            table.add_row(f"全年{side}预计", p.describe())
    return table


def _progress_table(f: FundMonitor) -> Table:
    table = Table(title=f"{f.label}：累计执行与序时进度", title_justify="left")
    for column in ("月份", "序时进度", "收入执行", "支出执行"):
        table.add_column(column, justify="right")
    for point in f.series:
        table.add_row(f"{point.month}月", _pct(point.time_progress), _pct(point.income_execution),
                      _pct(point.expenditure_execution))
    return table


def print_monitoring(found: UnitMonitoring, *, show_all: bool) -> None:
    m = found.monitoring
    console.rule(f"[bold]{found.name} {m.year}年1-{m.month}月基金运行监测")
    for f in m.funds:
        console.print(_fund_table(f, show_all))
        if f.series:
            console.print(_progress_table(f))
        for w in f.warnings:
            console.print(f"[bold]{SEVERITY_LABEL[w.severity]}[/]：{w.message}")
    if m.missing:
        console.print(f"以下基金没有到 {m.month} 月的累计数：{'、'.join(m.missing)}")
    if not m.funds:
        console.print("没有可监测的基金记录。")


def monitoring_json(found: UnitMonitoring) -> dict[str, Any]:
    m = found.monitoring
    def projection(p: Any) -> dict[str, Any] | None:
        if p is None:
            return None
        return {"value": f"{p.value:f}", "method": p.method, "low": None if p.low is None else f"{p.low:f}",
                "high": None if p.high is None else f"{p.high:f}", "text": p.describe()}

    return {
        "unit": m.unit, "name": found.name, "year": m.year, "month": m.month, "basis": m.basis, "ruleset": m.ruleset,
        "missing": m.missing,
        "funds": [{
            "fund": f.fund.value, "scope": f.record.scope, "span": f.record.span.label,
            "indicators": [{"id": r.id, "name": r.name, "value": None if r.value is None else f"{r.value:f}",
                            "display": r.display()} for r in f.results],
            "warnings": [w.problem().to_json() for w in f.warnings],
            "income_projection": projection(f.income), "expenditure_projection": projection(f.expenditure),
            "series": [{"month": p.month, "time_progress": f"{p.time_progress:f}",
                        "income_execution": None if p.income_execution is None else f"{p.income_execution:f}",
                        "expenditure_execution": None if p.expenditure_execution is None
                        else f"{p.expenditure_execution:f}"} for p in f.series],
        } for f in m.funds],
    }


def print_draft(d: BudgetDraft) -> None:
    a = d.assumptions
    scope = f"（{a.scope}）" if a.scope else ""
    table = Table(title=f"{a.unit} {a.year}年{a.fund.value}{scope}基金预算表（基期{d.base_year}年，万元）",
                  title_justify="left")
    table.add_column("项目")
    table.add_column("预算数", justify="right")
    table.add_column("测算")
    for line in d.lines:
        table.add_row(line.title, line.display(), line.formula)
    console.print(table)
    assumptions = Table(title="测算假设", title_justify="left")
    for column in ("假设", "取值", "依据"):
        assumptions.add_column(column)
    for u in d.used:
        assumptions.add_row(u.title, u.value, u.basis + (f"（{u.note}）" if u.note else ""))
    console.print(assumptions)


def register(app: typer.Typer) -> None:
    @app.command("monitor")
    @one_line_errors
    def monitor_command(
        unit: Annotated[str, typer.Argument(help="单位代码或名称")],
        year: Annotated[str, typer.Argument(help="年度，如 2020")],
        files: Annotated[list[Path] | None, typer.Option(
            "--file", help="数据文件（含 fund_periods 月度、季度数；可重复）；不给时读数据库")] = None,
        month: Annotated[str | None, typer.Option("--month", help="监测到几月（默认：有数据的最后一个月）")] = None,
        show_all: Annotated[bool, typer.Option("--all", help="列出全部指标")] = False,
        docx: Annotated[Path | None, typer.Option("--docx", help="写出基金运行分析报告（Word）")] = None,
        output: FormatOption = OutputFormat.text,
    ) -> None:
        """基金运行监测：累计收支与预算、序时进度对比，同比，可支付月数，全年预计与风险预警。"""
        if files:
            found, problems = monitor_files(files, unit, year, month)
        else:
            with session() as db:
                found, problems = monitor_database(db, unit, year, month), []
        if found is None:
            print_problems(problems, "未能监测")
            raise typer.Exit(1)
        if docx is not None:
            write_monitoring_docx(found, docx)
        if output is OutputFormat.json:
            echo_json(monitoring_json(found))
            return
        print_problems(problems, "")
        print_monitoring(found, show_all=show_all)
        if docx is not None:
            console.print(f"已写出基金运行分析报告：{docx}")

    @app.command("budget")
    @one_line_errors
    def budget_command(
        assumptions: Annotated[Path, typer.Argument(help="预算测算假设文件（.yaml，budgets:）")],
        files: Annotated[list[Path], typer.Option("--file", help="历年基金数据文件（可重复）")],
        docx: Annotated[Path | None, typer.Option("--docx", help="写出预算编制说明（Word）")] = None,
        xlsx: Annotated[Path | None, typer.Option("--xlsx", help="写出基金预算表（Excel，只有数值）")] = None,
        output: FormatOption = OutputFormat.text,
    ) -> None:
        """以收定支：按所给假设与历年数据测算下一年度基金预算表，每项列出算式与依据。"""
        drafts, problems = write_budget_files(files, assumptions, docx=docx, xlsx=xlsx)
        if not drafts:
            print_problems(problems, "未能测算")
            raise typer.Exit(1)
        if output is OutputFormat.json:
            typer.echo(json.dumps([{
                "unit": d.assumptions.unit, "year": d.assumptions.year, "fund": d.assumptions.fund.value,
                "base_year": d.base_year,
                "lines": [{"path": ln.path, "title": ln.title, "value": f"{ln.value:f}", "display": ln.display(),
                           "formula": ln.formula} for ln in d.lines],
                "assumptions": [{"title": u.title, "value": u.value, "basis": u.basis} for u in d.used],
            } for d in drafts], ensure_ascii=False, indent=2))
            return
        print_problems(problems, "")
        for d in drafts:
            print_draft(d)
        for path, what in ((docx, "预算编制说明"), (xlsx, "基金预算表")):
            if path is not None:
                console.print(f"已写出{what}：{path}")


__all__ = ["monitoring_json", "print_draft", "print_monitoring", "register"]
