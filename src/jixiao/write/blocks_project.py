"""Blocks about projects (项目支出): a project report's parts, and project tables in other reports."""

from __future__ import annotations

from typing import Any

from jixiao.model import Project
from jixiao.write import text_project as tp
from jixiao.write.build import Build, Made, block
from jixiao.write.context import Pending
from jixiao.write.report import Paragraph, Section
from jixiao.write.tables import NOT_SCORED, completion_table, project_self_eval_table, scores_from_data


def _one(b: Build) -> Project | None:
    return b.ctx.project


@block("project_funds")
def _funds(b: Build, _: Any) -> Made:
    p = _one(b)
    return b.paragraphs(tp.funds(b.ctx, p)) if p else []


@block("project_goals")
def _goals(b: Build, _: Any) -> Made:
    p = _one(b)
    return b.paragraphs(tp.goals(b.ctx, p, b.ctx.scored.get(p.name))) if p else []


def _total(b: Build, p: Project) -> tuple[str | None, str | None]:
    scores = b.ctx.scores.get(p.name)
    if scores is not None and scores.complete and scores.total_score not in (None, NOT_SCORED):
        return scores.total_score, scores.grade
    return None, None


@block("project_conclusion")
def _conclusion(b: Build, _: Any) -> Made:
    p = _one(b)
    if p is None:
        return []
    total, grade = _total(b, p)
    return b.paragraphs(tp.conclusion(b.ctx, p, b.ctx.scored.get(p.name), total, grade))


@block("project_outputs")
def _outputs(b: Build, _: Any) -> Made:
    p = _one(b)
    return b.paragraphs(tp.results(b.ctx, p, b.ctx.scored.get(p.name), ("output",))) if p else []


@block("project_outcomes")
def _outcomes(b: Build, _: Any) -> Made:
    p = _one(b)
    return b.paragraphs(tp.results(b.ctx, p, b.ctx.scored.get(p.name), ("outcome", "satisfaction"))) if p else []


@block("project_problems")
def _problems(b: Build, _: Any) -> Made:
    p = _one(b)
    if p is None:
        return []
    made = tp.problems(b.ctx, p, b.ctx.scored.get(p.name))
    from jixiao.write.drafting import numbered

    return list(numbered(made))


def _self_eval(b: Build, p: Project, *, title: str, key: str) -> Made:
    scored = b.ctx.scored.get(p.name)
    scores = b.ctx.scores.get(p.name) or scores_from_data(p)
    deviations = [tp.deviation(row, scored.rows[i] if scored and i < len(scored.rows) else None)
                  for i, row in enumerate(p.indicators)]
    if not scores.complete:
        b.ctx.ledger.pend(Pending(f"附件／{title}", "自评表三级指标的分值和得分",
                                  f"{scores.reason or '目标表未列分值'}；参考评分见本底稿“评分说明”"))
    for row in p.indicators:
        if not row.actual:
            b.ctx.ledger.pend(Pending(f"附件／{title}", f"“{row.level3}”的实际完成值", "数据中没有该指标的实际完成值"))
    return [project_self_eval_table(p, b.ctx.project_view(p).results, scores, title=title, key=key,
                                    deviations=deviations)]


@block("project_self_eval_table")
def _table(b: Build, _: Any) -> Made:
    p = _one(b)
    return _self_eval(b, p, title="项目支出绩效自评表", key="self_eval") if p else []


@block("project_self_eval_tables")
def _tables(b: Build, _: Any) -> Made:
    out: Made = []
    for i, p in enumerate(b.ctx.projects):
        out += _self_eval(b, p, title=f"{p.name}项目支出绩效自评表", key=f"self_eval_{i}")
    return out


@block("project_funds_all")
def _funds_all(b: Build, _: Any) -> Made:
    """Each project's money and what it reached, one subsection a project (a 决算's 预算绩效管理情况)."""
    out: Made = []
    for i, p in enumerate(b.ctx.projects):
        body = b.paragraphs(tp.funds(b.ctx, p),
                            tp.conclusion(b.ctx, p, b.ctx.scored.get(p.name), None, None, rate=False))
        if body:
            out.append(Section(f"project_{i}", f"{p.name}项目", body))
    if b.ctx.projects:
        out.insert(0, Paragraph(f"{b.ctx.year}年度本单位对{len(b.ctx.projects)}个项目开展了绩效目标完成情况自评，"
                                "各项目绩效目标完成情况如下。"))
    return out


@block("project_completion_tables")
def _completion(b: Build, _: Any) -> Made:
    """四川 项目绩效目标完成情况表: one a project, without scores."""
    return [completion_table(p, title="项目绩效目标完成情况表", key=f"completion_{i}", unit_label="预算单位",
                             unit_name=p.implementer or b.ctx.unit_name)
            for i, p in enumerate(b.ctx.projects)]
