"""Data commands: ``load``, ``units``, ``indicators``, ``warnings``, ``demo``.

A thin shell: validation is :mod:`jixiao.ingest.files`, storage :mod:`jixiao.store`, indicators and
warnings :mod:`jixiao.calc`. Every error reaches the user as one Chinese line and exit code 1
(an unexpected internal error: one line and exit code 70; ``JIXIAO_DEBUG=1`` shows the traceback).
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.table import Table
from rich.text import Text
from rich.tree import Tree
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from jixiao.cli.common import OutputFormat, console, fail
from jixiao.model import Dataset, DepartmentYear, FundYear, Project, Unit
from jixiao.problems import Problem
from jixiao.store.repository import records_of

P = ParamSpec("P")
R = TypeVar("R")

FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="输出格式：text 或 json")]


# --------------------------------------------------------------------------------------------
# Errors: one line, never a traceback
# --------------------------------------------------------------------------------------------


class CommandError(Exception):
    """A user-facing error: one Chinese line."""


def one_line_errors(fn: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from jixiao.store.db import DatabaseError
        from jixiao.store.repository import UnitNotFound

        try:
            return fn(*args, **kwargs)
        except (CommandError, DatabaseError, UnitNotFound) as exc:
            fail(str(exc).strip().replace("\n", " "))
        except (typer.Exit, typer.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:
            if os.environ.get("JIXIAO_DEBUG"):
                raise
            first = (str(exc).strip().splitlines() or [""])[0]
            fail(f"内部错误（请报告，设 JIXIAO_DEBUG=1 可看详情）：{type(exc).__name__}: {first}", code=70)

    return wrapper


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


@contextmanager
def _database() -> Iterator[Engine]:
    from jixiao.store.db import open_database

    engine = open_database()
    try:
        yield engine
    finally:
        engine.dispose()


# --------------------------------------------------------------------------------------------
# Indicator sections: the records of one unit-year with their indicators, checks and warnings
# --------------------------------------------------------------------------------------------


@dataclass
class Section:
    """One record (a fund year, a department year or a project) with what the engine says."""

    kind: str  # "fund" | "department" | "project"
    title: str
    unit: Unit | None
    year: int
    record: FundYear | DepartmentYear | Project
    results: list[Any] = field(default_factory=list)
    checks: dict[str, Any] = field(default_factory=dict)
    warnings: list[Any] = field(default_factory=list)


def _fund_title(fy: FundYear) -> str:
    return f"{fy.fund.value}（{fy.scope}）" if fy.scope else fy.fund.value


def build_sections(dataset: Dataset, unit_code: str, year: int, *, with_warnings: bool = True) -> list[Section]:
    """The indicators, stated checks and warnings of every record of ``unit_code`` in ``year``."""
    from jixiao.calc.dataset import compute_dataset

    unit = dataset.unit(unit_code)
    own = Dataset(
        units=[unit] if unit else [],
        fund_years=[r for r in dataset.fund_years if r.unit == unit_code and r.year == year],
        departments=[r for r in dataset.departments if r.unit == unit_code and r.year == year],
        projects=[r for r in dataset.projects if r.unit == unit_code and r.year == year],
    )
    from jixiao.model.units import ruleset_of
    from jixiao.rules import load_ruleset

    sections: list[Section] = []
    # warnings by the unit's own rule set (units.yaml ruleset, else its parent's), as the web app does
    for rec in compute_dataset(own, load_ruleset(ruleset_of(dataset.units, unit_code))):
        record = rec.record
        if isinstance(record, FundYear):
            title = f"基金：{_fund_title(record)}"
        elif isinstance(record, Project):
            title = f"项目：{record.name}"
        else:
            title = "部门整体支出"
        sections.append(Section(
            rec.subject, title, unit, year, record, list(rec.results), {c.id: c for c in rec.checks},
            list(rec.warnings) if with_warnings else [],
        ))
    return sections


def _unit_label(unit: Unit | None, code: str) -> str:
    return f"{unit.name}（{unit.code}）" if unit else code


def _formula(result: Any) -> str:
    try:
        return str(result.definition.formula)
    except (AttributeError, KeyError):
        from jixiao.calc.registry import REGISTRY

        definition = REGISTRY.get(result.id)
        return definition.formula if definition else ""


def _name(result: Any) -> str:
    if getattr(result, "name", ""):
        return str(result.name)
    from jixiao.calc.registry import REGISTRY

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
        title = f"{section.year}年 {_unit_label(section.unit, section.record.unit)} · {section.title}"
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
    from jixiao.rules import SEVERITY_LABEL

    return SEVERITY_LABEL.get(severity, severity)


def print_warning_tables(sections: Sequence[Section]) -> None:
    for section in sections:
        if section.kind == "project":
            continue
        title = f"{section.year}年 {_unit_label(section.unit, section.record.unit)} · {section.title} · 风险预警"
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


# --------------------------------------------------------------------------------------------
# Resolving UNIT YEAR against the database or files
# --------------------------------------------------------------------------------------------


def _parse_year(text: str) -> int:
    try:
        year = int(text.strip().removesuffix("年"))
    except ValueError as exc:
        raise CommandError(f"年度“{text}”不是四位数年份") from exc
    if not 1990 <= year <= 2100:
        raise CommandError(f"年度 {year} 超出范围（1990–2100）")
    return year


def _from_database(unit_text: str, year_text: str) -> tuple[Dataset, str, int]:
    from jixiao.store.repository import find_unit, load_dataset, years_of

    year = _parse_year(year_text)
    with _database() as engine, Session(engine) as session:
        unit = find_unit(session, unit_text)
        dataset = load_dataset(session, unit.code, year)
        if not (dataset.fund_years or dataset.departments or dataset.projects):
            years = years_of(session, unit.code)
            have = f"（已有年份：{'、'.join(map(str, years))}）" if years else "（该单位尚无任何数据）"
            raise CommandError(f"{unit.name}（{unit.code}）没有 {year} 年的数据{have}")
        dataset = with_unit_ruleset(session, dataset, unit.code)
    return dataset, unit.code, year


def with_unit_ruleset(session: Session, dataset: Dataset, code: str) -> Dataset:
    """``dataset`` (one unit's, read from the database) with that unit carrying the rule set it
    has in the stored tree (its own or inherited), so callers need not read its ancestors."""
    from jixiao.store.repository import unit_ruleset

    ruleset = unit_ruleset(session, code)
    units = [u.model_copy(update={"ruleset": ruleset}) if u.code == code else u for u in dataset.units]
    return dataset.model_copy(update={"units": units})


def _load_standalone(files: Sequence[Path]) -> Dataset:
    """Files validated on their own (no database): units they refer to need not be defined."""
    from jixiao.ingest.files import read_file, read_files

    referenced: set[str] = set()
    for path in files:
        ds = read_file(path).dataset
        if ds is not None:
            referenced |= {r.unit for r in records_of(ds)}
    result = read_files(list(files), referenced)
    if not result.ok or result.dataset is None:
        _print_problems(result.problems)
        raise typer.Exit(1)
    return result.dataset


def _find_in_dataset(dataset: Dataset, unit_text: str) -> str:
    text = unit_text.strip()
    codes = {r.unit for r in records_of(dataset)}
    codes |= {u.code for u in dataset.units}
    if text in codes:
        return text
    matches = [u for u in dataset.units if u.name == text] or [u for u in dataset.units if text in u.name]
    if len(matches) == 1:
        return matches[0].code
    if matches:
        raise CommandError(f"“{text}”对应多个单位：{'、'.join(f'{u.name}（{u.code}）' for u in matches)}")
    raise CommandError(f"文件中没有单位“{text}”（有：{'、'.join(sorted(codes)) or '无'}）")


def _unit_years(dataset: Dataset) -> list[tuple[str, int]]:
    """Every (unit, year) with records, in the order the records come."""
    seen: dict[tuple[str, int], None] = {}
    for r in records_of(dataset):
        seen.setdefault((r.unit, r.year), None)
    return list(seen)


def _select(unit: str | None, year: str | None, files: Sequence[Path]) -> list[tuple[Dataset, str, int]]:
    if not files:
        if unit is None or year is None:
            raise CommandError("请给出单位和年度，例如：jixiao indicators 430900 2020（或用 --file 直接读文件）")
        return [_from_database(unit, year)]
    dataset = _load_standalone(files)
    pairs = _unit_years(dataset)
    if unit is not None:
        code = _find_in_dataset(dataset, unit)
        pairs = [p for p in pairs if p[0] == code]
        if year is not None:
            wanted = _parse_year(year)
            years = [y for _, y in pairs]
            pairs = [p for p in pairs if p[1] == wanted]
            if not pairs:
                have = "、".join(map(str, years)) or "无"
                raise CommandError(f"文件中单位 {code} 没有 {wanted} 年的数据（已有年份：{have}）")
        elif not pairs:
            raise CommandError(f"文件中单位 {code} 没有任何数据记录")
    elif not pairs:
        raise CommandError("文件中没有基金、部门或项目数据")
    return [(dataset, code, y) for code, y in pairs]


# --------------------------------------------------------------------------------------------
# load
# --------------------------------------------------------------------------------------------


def _print_problems(problems: Sequence[Problem]) -> None:
    errors = sum(1 for p in problems if p.severity == "error")
    for p in problems:
        if p.severity == "error":
            typer.echo(str(p), err=True)
        else:
            where = p.location()
            label = "警告" if p.severity == "warning" else "提示"
            typer.echo(f"{where}: {label}：{p.message}" if where else f"{label}：{p.message}", err=True)
    if errors:
        typer.echo(f"共 {errors} 个错误，未写入数据库。", err=True)


def _problem_json(p: Problem) -> dict[str, Any]:
    return {"code": p.code, "severity": p.severity, "file": p.source, "line": p.line, "path": p.path,
            "message": p.message}


def _load(paths: Sequence[Path], output: OutputFormat) -> None:
    from jixiao.app.imports import import_files
    from jixiao.store.db import database_url, describe
    from jixiao.store.repository import TABLE_LABELS

    with _database() as engine:
        outcome = import_files(engine, list(paths))
    if output is OutputFormat.json:
        _echo_json({
            "ok": outcome.ok,
            "database": describe(database_url()),
            "problems": [_problem_json(p) for p in outcome.problems],
            "counts": outcome.counts.as_dict() if outcome.counts else None,
            "files": [{"file": f.file, "sha256": f.sha256, "new": f.new} for f in outcome.files],
        })
        if not outcome.ok:
            raise typer.Exit(1)
        return
    _print_problems(outcome.problems)
    if not outcome.ok or outcome.counts is None:
        raise typer.Exit(1)
    counts = outcome.counts
    table = Table(title=f"已导入 {len(outcome.files)} 个文件 → {describe(database_url())}", title_justify="left")
    for column in ("数据", "新增", "更新", "未变"):
        table.add_column(column, justify="left" if column == "数据" else "right")
    for key, label in TABLE_LABELS.items():
        table.add_row(label, str(counts.inserted[key]), str(counts.updated[key]), str(counts.unchanged[key]))
    console.print(table)


# --------------------------------------------------------------------------------------------
# demo
# --------------------------------------------------------------------------------------------


def find_examples() -> Path | None:
    """``examples/`` of the source tree jixiao is installed from (editable install)."""
    import jixiao

    for parent in Path(jixiao.__file__).resolve().parents:
        candidate = parent / "examples"
        if (candidate / "units.yaml").is_file():
            return candidate
    return None


def _example_files(directory: Path) -> list[Path]:
    units = directory / "units.yaml"
    if not units.is_file():
        raise CommandError(f"示例目录 {directory} 中没有 units.yaml")
    others = sorted(p for p in [*directory.glob("*.yaml"), *directory.glob("*.yml")] if p.name != "units.yaml")
    if not others:
        raise CommandError(f"示例目录 {directory} 中只有 units.yaml，没有单位数据文件")
    return [units, *others]


# --------------------------------------------------------------------------------------------
# Registration
# --------------------------------------------------------------------------------------------


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
        from jixiao.store.repository import data_years, list_units

        with _database() as engine, Session(engine) as session:
            units = list_units(session)
            years = data_years(session)
        if output is OutputFormat.json:
            _echo_json([{**u.model_dump(mode="json"), "years": years.get(u.code, [])} for u in units])
            return
        if not units:
            console.print("数据库中还没有单位。先导入：jixiao load examples/units.yaml")
            return
        console.print(_unit_tree(units, years))

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
        selected = _select(unit, year, files or [])
        sections = [s for ds, code, y in selected for s in build_sections(ds, code, y, with_warnings=False)]
        if output is OutputFormat.json:
            _echo_json(_grouped_json(selected, sections, explain, warnings=False))
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
        selected = _select(unit, year, files or [])
        sections = [s for ds, code, y in selected for s in build_sections(ds, code, y)]
        if output is OutputFormat.json:
            _echo_json(_grouped_json(selected, sections, False, warnings=True))
            return
        print_warning_tables(sections)

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
        if not directory.is_dir():
            raise CommandError(f"示例目录不存在：{directory}")
        paths = _example_files(directory)
        _load(paths, OutputFormat.text)
        from jixiao.store.repository import load_dataset

        with _database() as engine, Session(engine) as session:
            stored = load_dataset(session)
        from jixiao.ingest.files import read_files

        listed = read_files(list[str | Path](paths)).dataset
        assert listed is not None  # just imported without errors
        pairs = _unit_years(listed)
        for code, year in pairs:
            unit = stored.unit(code)
            console.rule(f"[bold]{year}年 {_unit_label(unit, code)}")
            sections = build_sections(stored, code, year)
            print_indicator_tables(sections, explain=explain, show_all=False)
            print_warning_tables(sections)
        _demo_reports(listed, pairs, output or directory.resolve().parent / "out")
        _demo_web_account()


def _demo_web_account() -> None:
    """The demo's web login: an admin named ``demo`` with a fresh password, shown this once."""
    import secrets

    from jixiao.model.users import Role
    from jixiao.store.users import create_user, find_user, set_password

    password = secrets.token_urlsafe(12)
    with _database() as engine, Session(engine) as session, session.begin():
        user = find_user(session, "demo")
        if user is None:
            create_user(session, "demo", password, Role.admin, display_name="演示管理员")
        else:
            set_password(session, user, password)
    console.rule("[bold]网页版")
    console.print("启动：[bold].venv/bin/jixiao serve[/]（默认 http://127.0.0.1:8000/）")
    console.print(f"演示管理员：用户名 [bold]demo[/]，密码 [bold]{password}[/]")
    console.print("（密码只显示这一次；再次运行 make demo 会换新密码）")


def _demo_rules(dataset: Dataset, code: str) -> str:
    """The unit's rule set in the examples' tree (units.yaml: 湖南 → hunan, 四川 → sichuan, else default)."""
    from jixiao.model.units import ruleset_of

    return ruleset_of(dataset.units, code)


def _demo_reports(dataset: Dataset, pairs: Sequence[tuple[str, int]], out_dir: Path) -> None:
    """The demo's last step: every example unit's reports (docx, xlsx, html) into ``out_dir``."""
    from jixiao.cli.report import write_reports
    from jixiao.write import FORMATS

    console.rule("[bold]自评报告")
    total = 0
    for code, year in pairs:
        unit = dataset.unit(code)
        rules = _demo_rules(dataset, code)
        scored: dict[tuple[str, int], dict[str, Any]] = {}
        written = write_reports(dataset, [(code, year)], out_dir, FORMATS, placeholders=True, rules=rules,
                                scored=scored)
        total += len(written)
        scores = "；".join(
            f"{'部门整体' if name == 'department' else name} {sc.total_score}/{sc.total_weight}"
            + (f" {sc.grade}" if sc.grade else "")
            for name, sc in scored.get((code, year), {}).items())
        console.print(f"{year}年 {_unit_label(unit, code)}：{len(written)} 个文件（规则集 {rules}）"
                      + (f"，自评表得分：{scores}" if scores else ""), soft_wrap=True, markup=False)
    console.print(f"共写出 {total} 个报告文件 → {out_dir}", soft_wrap=True, markup=False)


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


__all__ = ["Section", "build_sections", "find_examples", "register"]
