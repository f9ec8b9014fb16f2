"""``jixiao audit`` and ``jixiao extract``: a thin shell over :mod:`jixiao.audit`."""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from jixiao.audit.findings import DocumentResult, exit_code, results_to_json
from jixiao.cli.common import console, err_console, fail

_SEVERITY_TEXT = {"error": ("错误", "bold red"), "warning": ("提示", "yellow"), "info": ("说明", "cyan")}


#: objects allocated (net) between two collections of the youngest generation while auditing: an
#: audit makes tens of thousands of short-lived objects a report, few in cycles, and Python's 700
#: ran the collector several times a report, walking and promoting them (5-10% of a batch's CPU)
AUDIT_GC_YOUNG = 20_000


@contextmanager
def batch_gc() -> Iterator[None]:
    """The collector's settings for auditing a batch: what is loaded already (modules, compiled
    patterns, vocabularies) frozen out of its walks, its youngest generation collected less often.
    Pool workers are forked inside and inherit both. (The web server has its own: web/app.py.)"""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(AUDIT_GC_YOUNG, threshold[1], threshold[2])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


class AuditFormat(StrEnum):
    text = "text"
    json = "json"
    html = "html"


class ExtractFormat(StrEnum):
    text = "text"
    json = "json"


def _document_text(r: DocumentResult) -> list[Text]:
    lines: list[Text] = []
    head = Text(r.path, style="bold")
    if r.error:
        head.append("  ")
        head.append(r.error if r.error.startswith("无法读取") else f"无法读取：{r.error}", style="bold red")
        return [head]
    head.append(f"  （{r.chars} 字，{r.facts} 个数据，核对 {r.checks} 项）", style="dim")
    lines.append(head)
    if not r.findings:
        lines.append(Text("  未发现算术不一致。", style="green"))
    for f in r.findings:
        label, style = _SEVERITY_TEXT[f.severity]
        where = f.where or (f"第{f.line}行" if f.line else (f"第{f.page}页" if f.page else ""))
        line = Text("  ")
        line.append(f"{where:<8}", style="bold")
        line.append(f" {label} ", style=style)
        line.append(f"{f.code} {f.title}")
        lines.append(line)
        lines.append(Text(f"      {f.message}"))
        lines.append(Text(f"      文中 {f.stated}，应为 {f.expected}｜原文：{f.quote}", style="dim"))
    return lines


def _summary_line(results: list[DocumentResult]) -> Text:
    errors = sum(r.errors for r in results)
    warnings = sum(r.warnings for r in results)
    infos = sum(r.infos for r in results)
    unreadable = sum(1 for r in results if r.error)
    text = Text(f"合计：{len(results)} 份文件，错误 {errors} 处，提示 {warnings} 处，说明 {infos} 处",
                style="bold")
    if unreadable:
        text.append(f"，{unreadable} 份无法读取", style="bold red")
    text.append("。")
    return text


def _summary_table(results: list[DocumentResult]) -> Table:
    table = Table(title="审核汇总", show_lines=False)
    for col, justify in (("文件", "left"), ("字数", "right"), ("数据", "right"), ("核对", "right"),
                         ("错误", "right"), ("提示", "right"), ("说明", "right")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for r in results:
        if r.error:
            table.add_row(r.path, "—", "—", "—", Text("无法读取", style="red"), "", "")
        else:
            table.add_row(r.path, str(r.chars), str(r.facts), str(r.checks),
                          Text(str(r.errors), style="bold red" if r.errors else ""),
                          str(r.warnings), str(r.infos))
    return table


def _write(output: Path | None, content: str) -> None:
    if output is None:
        sys.stdout.write(content)
        if not content.endswith("\n"):
            sys.stdout.write("\n")
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(content, encoding="utf-8")
    except OSError as exc:
        fail(f"无法写入 {output}：{exc.strerror or exc}", code=2)


def audit_command(
    paths: Annotated[list[str], typer.Argument(help="要审核的文件、目录或通配符（txt, docx, pdf, md, html）")],
    format: Annotated[AuditFormat, typer.Option("--format", "-f", help="输出格式")] = AuditFormat.text,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="写入文件而不是屏幕")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="并行进程数（默认：全部核心）")] = None,
) -> None:
    """审核报告中的算术：收支结余、分项合计、占比、完成率、增减率、人均数、前后不一致。

    退出码：0 无错误；1 有错误级发现；2 有文件无法读取。
    """
    from jixiao.audit.pipeline import audit_paths, expand_paths

    files, missing = expand_paths(paths)
    if not files and not missing:
        fail("没有找到可审核的文件（支持 .txt .md .html .docx .pdf）", code=2)
    results: list[DocumentResult] = [DocumentResult(path=m, error=f"找不到文件：{m}") for m in missing]
    keep = format is AuditFormat.html
    if len(files) > 1:
        progress = Progress(TextColumn("审核"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            TextColumn("{task.description}"), console=err_console, transient=True)
        with progress:
            task = progress.add_task("", total=len(files))

            def advance(r: DocumentResult) -> None:
                progress.update(task, advance=1, description=Path(r.path).name)

            with batch_gc():
                results += audit_paths(files, jobs=jobs, keep_documents=keep, on_result=advance)
    else:
        with batch_gc():
            results += audit_paths(files, jobs=1, keep_documents=keep)
    for r in results:
        if r.error:
            err_console.print(Text.assemble(("错误", "bold red"), "：", r.error), soft_wrap=True)
    if format is AuditFormat.json:
        _write(output, json.dumps(results_to_json(results), ensure_ascii=False, indent=2))
    elif format is AuditFormat.html:
        from jixiao.audit.render_html import render_html

        _write(output, render_html(results))
    else:
        target = console if output is None else Console(record=True, file=open(_devnull(), "w"),  # noqa: SIM115
                                                        width=120)
        for r in results:
            for line in _document_text(r):
                target.print(line, soft_wrap=True)
            target.print()
        target.print(_summary_line(results))
        if output is not None:
            _write(output, target.export_text())
    if len(results) > 1:
        err_console.print(_summary_table(results))
    raise typer.Exit(exit_code(results))


def _devnull() -> str:
    import os

    return os.devnull


def extract_command(
    file: Annotated[Path, typer.Argument(help="要提取数据的报告文件")],
    format: Annotated[ExtractFormat, typer.Option("--format", "-f", help="输出格式")] = ExtractFormat.text,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="写入文件而不是屏幕")] = None,
) -> None:
    """提取报告中的数据（基金、项目、年度、期间、数值、单位、位置），按台账口径命名，可供入库。"""
    from jixiao.audit.document import ReadError
    from jixiao.audit.ledger import ledger_facts
    from jixiao.audit.readers import read_document

    try:
        doc = read_document(str(file))
    except ReadError as exc:
        fail(str(exc), code=2)
    facts = ledger_facts(doc)
    if format is ExtractFormat.json:
        payload = {"path": str(file), "facts": [f.to_json() for f in facts]}
        _write(output, json.dumps(payload, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{file}：{len(facts)} 个数据")
    rows = [f.to_json() for f in facts]
    columns = ["fund", "item", "year", "span", "value", "unit", "quote"]
    for row in rows:
        row["quote"] = row["quote"]
    for col in columns:
        table.add_column(col)
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
    if output is None:
        console.print(table)
    else:
        rec = Console(record=True, file=open(_devnull(), "w"), width=160)  # noqa: SIM115
        rec.print(table)
        _write(output, rec.export_text())


def register(app: typer.Typer) -> None:
    app.command("audit")(audit_command)
    app.command("extract")(extract_command)
