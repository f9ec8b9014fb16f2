"""Indicator commands: ``indicators`` (the indicator tables of a unit-year, checked against the
figures the report states) and ``warnings`` (its risk warnings), from the database or straight
from data files; printed as tables or JSON."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from jixiao.app.indicators import Section, build_sections
from jixiao.app.selection import one_unit_years, read_inputs, stored_unit_year
from jixiao.calc.registry import REGISTRY
from jixiao.cli.common import (
    CommandError,
    FormatOption,
    OutputFormat,
    console,
    echo_json,
    one_line_errors,
    print_problems,
    session,
)
from jixiao.model import Dataset, FundYear, Project, Unit
from jixiao.rules import SEVERITY_LABEL


def select(unit: str | None, year: str | None, files: Sequence[Path]) -> list[tuple[Dataset, str, int]]:
    """The unit-years a command shows: one from the database, or those of files read on their own."""
    if not files:
        if unit is None or year is None:
            raise CommandError("请给出单位和年度，例如：jixiao indicators 430900 2020（或用 --file 直接读文件）")
        with session() as db:
            return [stored_unit_year(db, unit, year)]
    dataset, problems = read_inputs(files)
    if dataset is None:
        print_problems(problems, "未写入数据库")
        raise typer.Exit(1)
    return [(dataset, code, y) for code, y in one_unit_years(dataset, unit, year)]


def unit_label(unit: Unit | None, code: str) -> str:
    return f"{unit.name}（{unit.code}）" if unit else code


def _formula(result: Any) -> str:
    try:
        return str(result.definition.formula)
    except (AttributeError, KeyError):
        definition = REGISTRY.get(result.id)
        return definition.formula if definition else ""


def _name(result: Any) -> str:
    if getattr(result, "name", ""):
        return str(result.name)
    definition = REGISTRY.get(result.id)
    return definition.name if definition else str(result.id)


def _value_text(result: Any) -> str:
    if result.value is None:
        return f"不可计算：{result.reason}"
    display = str(result.display())
    return display[: -len(result.unit)] if result.unit and display.endswith(result.unit) else display


def _check_text(check: Any | None) -> Text:
    """Short verdict for the table; the full message is printed under it."""
    if check is None:
        return Text("")
    where = f"（第{check.line}行）" if check.line else ""
    if check.ok:
        return Text("✓", style="green")
    if check.ok is None:
        return Text(f"？无法核对{where}", style="yellow")
    expected = getattr(check, "expected", None) or check.computed_display
    return Text(f"✗ 应为{expected}{where}", style="bold red")


def _indicator_json(result: Any, check: Any | None, explain: bool) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": result.id,
        "name": _name(result),
        "value": _value_text(result) if result.value is not None else None,
        "exact": None if result.value is None else f"{result.value:f}",
        "unit": result.unit,
        "display": result.display(),
        "reason": result.reason,
    }
    if result.interval is not None:
        item["interval"] = [f"{result.interval.lo:f}", f"{result.interval.hi:f}"]
    if explain:
        item["formula"] = _formula(result)
        item["inputs"] = dict(result.inputs)
    if check is not None:
        item["stated"] = str(check.stated)
        item["check"] = {"ok": check.ok, "line": check.line, "message": check.message}
    return item


def _warning_json(warning: Any) -> dict[str, Any]:
    return {
        "code": warning.code,
        "rule_id": warning.rule_id,
        "severity": str(warning.severity),
        "severity_label": _severity_label(str(warning.severity)),
        "rule_name": getattr(warning, "rule_name", ""),
        "message": warning.message,
        "figures": {str(k): str(v) for k, v in warning.figures.items()},
    }


def _section_head(section: Section) -> dict[str, Any]:
    head: dict[str, Any] = {"kind": section.kind, "title": section.title, "year": section.year}
    record = section.record
    if isinstance(record, FundYear):
        head.update(fund=record.fund.value, scope=record.scope)
    elif isinstance(record, Project):
        head.update(project=record.name)
    return head


def _check_json(check: Any) -> dict[str, Any]:
    return {"id": check.id, "name": getattr(check, "name", ""), "stated": str(check.stated),
            "computed": check.computed_display, "ok": check.ok, "line": check.line, "message": check.message}


def sections_json(sections: Sequence[Section], explain: bool) -> list[dict[str, Any]]:
    out = []
    for s in sections:
        shown = {r.id for r in s.results}
        out.append({
            **_section_head(s),
            "indicators": [_indicator_json(r, s.checks.get(r.id), explain) for r in s.results],
            "other_stated": [_check_json(c) for c in s.checks.values() if c.id not in shown],
        })
    return out


def print_indicator_tables(sections: Sequence[Section], *, explain: bool, show_all: bool) -> None:
    for section in sections:
        title = f"{section.year}年 {unit_label(section.unit, section.record.unit)} · {section.title}"
        table = Table(title=title, title_justify="left", title_style="bold")
        table.add_column("指标", overflow="fold")
        table.add_column("数值", justify="right", overflow="fold")
        table.add_column("单位")
        if explain:
            table.add_column("公式", overflow="fold", ratio=3)
        table.add_column("报告所述", justify="right", overflow="fold")
        table.add_column("核对", overflow="fold")
        hidden = 0
        notes: list[str] = []
        for result in section.results:
            check = section.checks.get(result.id)
            if result.value is None and not show_all and check is None:
                hidden += 1
                continue
            if result.value is None:
                value = Text("不可计算", style="dim")
                notes.append(f"{_name(result)}不可计算：{result.reason}")
            else:
                value = Text(_value_text(result))
            row: list[Any] = [_name(result), value, result.unit]
            if explain:
                row.append(_formula(result))
            row += [str(check.stated) if check is not None else "", _check_text(check)]
            table.add_row(*row)
            if check is not None and check.ok is False:
                notes.append(f"✗ {check.message}")
        shown = {r.id for r in section.results}
        for check in section.checks.values():
            if check.id in shown:
                continue
            row = [getattr(check, "name", "") or check.id, Text(check.computed_display or "", style="dim"), ""]
            if explain:
                row.append("")
            row += [str(check.stated), _check_text(check)]
            table.add_row(*row)
            if check.ok is not True and check.message:
                notes.append(("✗ " if check.ok is False else "？ ") + check.message)
        if hidden:
            table.caption = f"另有 {hidden} 项因缺少数据不可计算（加 --all 列出）"
        console.print(table)
        for note in notes:
            console.print(Text(f"  {note}", style="red" if note.startswith("✗") else "dim"), soft_wrap=True)
        if notes:
            console.print()


_SEVERITY_STYLE = {"serious": "bold red", "warning": "yellow", "info": "cyan"}


def _severity_label(severity: str) -> str:
    return SEVERITY_LABEL.get(severity, severity)


def print_warning_tables(sections: Sequence[Section]) -> None:
    for section in sections:
        if section.kind == "project":
            continue
        title = f"{section.year}年 {unit_label(section.unit, section.record.unit)} · {section.title} · 风险预警"
        if not section.warnings:
            console.print(Text(f"{title}：无预警", style="green"))
            continue
        table = Table(title=title, title_justify="left", title_style="bold")
        table.add_column("级别", no_wrap=True)
        table.add_column("规则", overflow="fold")
        table.add_column("说明", overflow="fold", ratio=3)
        table.add_column("依据数据", overflow="fold", ratio=2)
        for w in section.warnings:
            severity = str(w.severity)
            figures = "\n".join(f"{k}：{v}" for k, v in w.figures.items())
            rule = getattr(w, "rule_name", "") or w.rule_id
            table.add_row(Text(_severity_label(severity), style=_SEVERITY_STYLE.get(severity, "")), rule,
                          w.message, figures)
        console.print(table)



def _grouped_json(
    selected: Sequence[tuple[Dataset, str, int]], sections: Sequence[Section], explain: bool, *, warnings: bool
) -> list[dict[str, Any]]:
    out = []
    for dataset, code, year in selected:
        unit = dataset.unit(code)
        mine = [s for s in sections if s.record.unit == code and s.year == year]
        item: dict[str, Any] = {"unit": {"code": code, "name": unit.name if unit else None}, "year": year}
        if warnings:
            item["warnings"] = [
                {**_section_head(s), "warnings": [_warning_json(w) for w in s.warnings]}
                for s in mine if s.kind != "project"
            ]
        else:
            item["records"] = sections_json(mine, explain)
        out.append(item)
    return out



def register(app: typer.Typer) -> None:
    @app.command("indicators")
    @one_line_errors
    def indicators_command(
        unit: Annotated[str | None, typer.Argument(help="单位代码或名称")] = None,
        year: Annotated[str | None, typer.Argument(help="年度，如 2020")] = None,
        files: Annotated[
            list[Path] | None, typer.Option("--file", help="直接从数据文件计算（不用数据库）；可重复")
        ] = None,
        explain: Annotated[bool, typer.Option("--explain", help="列出公式")] = False,
        show_all: Annotated[bool, typer.Option("--all", help="也列出不可计算的指标")] = False,
        output: FormatOption = OutputFormat.text,
    ) -> None:
        """某单位某年度的指标表（与报告所述数核对）。"""
        selected = select(unit, year, files or [])
        sections = [s for ds, code, y in selected for s in build_sections(ds, code, y, with_warnings=False)]
        if output is OutputFormat.json:
            echo_json(_grouped_json(selected, sections, explain, warnings=False))
            return
        print_indicator_tables(sections, explain=explain, show_all=show_all)

    @app.command("warnings")
    @one_line_errors
    def warnings_command(
        unit: Annotated[str | None, typer.Argument(help="单位代码或名称")] = None,
        year: Annotated[str | None, typer.Argument(help="年度，如 2020")] = None,
        files: Annotated[
            list[Path] | None, typer.Option("--file", help="直接从数据文件计算（不用数据库）；可重复")
        ] = None,
        output: FormatOption = OutputFormat.text,
    ) -> None:
        """某单位某年度的基金风险预警（规则与阈值见规则集数据文件）。"""
        selected = select(unit, year, files or [])
        sections = [s for ds, code, y in selected for s in build_sections(ds, code, y)]
        if output is OutputFormat.json:
            echo_json(_grouped_json(selected, sections, False, warnings=True))
            return
        print_warning_tables(sections)


__all__ = ["print_indicator_tables", "print_warning_tables", "register", "sections_json", "select"]
