"""The 审核底稿 of a report: everything that explains it, for the preparer and the reviewer.

Written next to the report as ``<report>_审核底稿.xlsx``, one table a sheet:

* 待办事项 — what the report leaves to the unit (placeholders) and what it must check (data
  that disagree with the computation), each with where and why;
* 数据核对 — every figure the data state that differs from what the report prints or computes;
* 据报数 — figures printed as the data state them because the data cannot recompute them;
* 指标计算表 — every indicator with its formula, value and the documents it rests on;
* 评分说明 — how each 自评表 row was (or could be) scored, by which rule, with the arithmetic;
* 风险提示 — the rule set's warnings on the funds and the department;
* 数据说明 — the notes written with the data.

Rules are named, never by their ids; sources are documents (文号), never repository files.
"""

from __future__ import annotations

from collections.abc import Sequence

from jixiao.calc.registry import lookup
from jixiao.model import DepartmentYear, FundYear, Project
from jixiao.write.context import Context, RecordFigures, display_name
from jixiao.write.report import Grid, Report, WorkPaper
from jixiao.write.scores import DEPARTMENT, cite
from jixiao.write.tables import SelfEvalScores

SEVERITY = {"serious": "严重", "warning": "警示", "info": "提示"}


def _grid(key: str, title: str, header: Sequence[str], widths: Sequence[float], rows: Sequence[Sequence[str]]
          ) -> Grid | None:
    if not rows:
        return None
    g = Grid(key=key, title=title, n_cols=len(header), widths=list(widths), header_rows=1, landscape=True)
    for col, text in enumerate(header):
        g.add(0, col, text, header=True)
    for r, row in enumerate(rows, 1):
        for col, text in enumerate(row):
            g.add(r, col, text, align="center" if col == 0 else "left")
    g.check()
    return g


def _todo(ctx: Context) -> Grid | None:
    rows = [[str(i), "待填写", p.place, p.what, p.why] for i, p in enumerate(ctx.ledger.pending, 1)]
    n = len(rows)
    for f in ctx.ledger.findings:
        if f.serious:
            n += 1
            rows.append([str(n), "待核实", f.record, f.item,
                         f"数据为{f.written}，按所列数计算为{f.computed}；{f.action}"])
    return _grid("todo", "待填写和待核实事项", ("序号", "类别", "位置", "事项", "说明"),
                 (0.8, 1.2, 4.0, 4.6, 7.0), rows)


def _findings(ctx: Context) -> Grid | None:
    rows = [[str(i), f.record, f.item, f.written, f.computed, f.basis, f.action, str(f.line or "")]
            for i, f in enumerate(ctx.ledger.findings, 1)]
    header = ("序号", "对象", "项目", "数据所述", "按所列数计算", "计算所用数", "处理", "原文行号")
    return _grid("checks", "数据核对", header, (0.8, 2.6, 2.6, 2.2, 2.2, 4.8, 4.4, 1.2), rows)


def _stated(ctx: Context) -> Grid | None:
    rows = [[str(i), s.record, s.item, s.value, str(s.line or ""), s.why] for i, s in enumerate(ctx.ledger.stated, 1)]
    return _grid("stated", "据报数（无法由数据复算）", ("序号", "对象", "项目", "所述数", "原文行号", "未能复算的原因"),
                 (0.8, 3.0, 3.0, 1.8, 1.2, 7.0), rows)


def _records(ctx: Context, report: Report) -> list[tuple[RecordFigures, FundYear | DepartmentYear | Project]]:
    out: list[tuple[RecordFigures, FundYear | DepartmentYear | Project]] = []
    if report.kind == "project":
        if ctx.project is not None:
            out.append((ctx.project_view(ctx.project), ctx.project))
        return out
    for fy in ctx.all_funds():
        out.append((ctx.fund(fy), fy))
    if report.kind == "department" and ctx.department is not None and ctx.department_figures is not None:
        out.append((ctx.department_figures, ctx.department))
    out += [(ctx.project_view(p), p) for p in ctx.projects]
    return out


def _indicators(ctx: Context, report: Report) -> Grid | None:
    rows: list[list[str]] = []
    for figs, _ in _records(ctx, report):
        for res in figs.results.values():
            if res.value is None:
                continue
            d = lookup(res.id, figs.subject)
            value = res.display() if res.value is not None else f"不可计算（{res.reason}）"
            inputs = "，".join(f"{k}{v}" for k, v in res.inputs.items()) if res.value is not None else ""
            rows.append([str(len(rows) + 1), figs.label, display_name(d.name), d.formula, value, inputs, cite(d.rule)])
    return _grid("indicators", "指标计算表", ("序号", "对象", "指标", "计算公式", "数值", "计算所用数", "依据"),
                 (0.8, 2.6, 2.6, 5.4, 2.0, 4.4, 4.4), rows)


def _score_rows(name: str, scores: SelfEvalScores) -> list[list[str]]:
    rows = [[name, line.item, line.rule, line.arithmetic] for line in scores.explanations]
    if scores.reference is not None:
        ref = scores.reference
        rows.append([name, "参考总分", "—",
                     f"若按一级指标分值平均分配到各三级指标，总分为{ref.total_score}（满分{ref.total_weight}）"
                     + (f"，等级“{ref.grade}”" if ref.grade else "")
                     + "；此分配不是核定分值，报告中未采用"])
    if not scores.complete and scores.reason:
        rows.append([name, "报告中的处理", "—", f"{scores.reason}：表中未计分的行写“未计分”，不计总分"])
    rows += [[name, "提示", "—", note] for note in scores.notes]
    return rows


def _scoring(ctx: Context, report: Report) -> Grid | None:
    rows: list[list[str]] = []
    names = [ctx.project.name] if report.kind == "project" and ctx.project else [p.name for p in ctx.projects]
    for name in names:
        scores = ctx.scores.get(name)
        if scores is not None:
            rows += _score_rows(f"{name}自评表", scores)
    if report.kind == "department" and DEPARTMENT in ctx.scores:
        rows += _score_rows("部门整体支出绩效自评表", ctx.scores[DEPARTMENT])
    label = ctx.ruleset.title if getattr(ctx.ruleset, "title", None) else ctx.ruleset.label
    tables = list(dict.fromkeys(row[0] for row in rows))
    if len(tables) == 1:
        # one 评分表: named once above the table, not on every row (a column of the same name,
        # wrapped to four lines, doubled the pages)
        grid = _grid("scoring", "评分说明", ("序号", "评分项目", "规则及依据", "计算过程"), (0.8, 4.0, 6.4, 9.4),
                     [[str(i), *row[1:]] for i, row in enumerate(rows, 1)])
        if grid is not None:
            grid.subtitle = f"（{tables[0]}；规则集：{label}）"
        return grid
    grid = _grid("scoring", "评分说明", ("序号", "评分表", "评分项目", "规则及依据", "计算过程"),
                 (0.8, 3.4, 3.4, 5.0, 8.0), [[str(i), *row] for i, row in enumerate(rows, 1)])
    if grid is not None:
        grid.subtitle = f"（规则集：{label}）"
    return grid


def _warnings(ctx: Context, report: Report) -> Grid | None:
    subjects = ("fund",) if report.kind == "fund" else ("fund", "department") if report.kind == "department" else ()
    rows = [[str(i), SEVERITY.get(w.severity, w.severity), w.rule_name, w.message, cite(w.source)]
            for i, w in enumerate((w for w in ctx.warnings if w.subject in subjects), 1)]
    return _grid("warnings", "风险提示", ("序号", "级别", "规则", "说明", "依据"), (0.8, 1.0, 3.6, 9.0, 5.0), rows)


def _notes(ctx: Context, report: Report) -> Grid | None:
    rows = [[figs.label, note] for figs, record in _records(ctx, report) for note in record.notes]
    rows = [[str(i), *row] for i, row in enumerate(rows, 1)]
    return _grid("notes", "数据说明", ("序号", "对象", "说明"), (0.8, 3.0, 16.0), rows)


def build_workpaper(report: Report, ctx: Context) -> WorkPaper:
    """The working paper of a built report (its context's ledger is complete by now)."""
    for figs, _ in _records(ctx, report):
        figs.unchecked_findings()
    sheets = [g for g in (_todo(ctx), _findings(ctx), _stated(ctx), _indicators(ctx, report),
                          _scoring(ctx, report), _warnings(ctx, report), _notes(ctx, report)) if g is not None]
    if not sheets:
        sheets = [Grid(key="todo", title="待填写和待核实事项", n_cols=1, widths=[12.0])]
        sheets[0].add(0, 0, "无待填写或待核实的事项。", align="left")
    return WorkPaper(title=f"{report.title}审核底稿", file_stem=f"{report.file_stem}_审核底稿",
                     unit_name=report.unit_name, year=report.year, sheets=sheets)
