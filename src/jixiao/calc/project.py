"""Project indicators (项目支出指标) of a :class:`~jixiao.model.project.Project`.

Source: ``rules.md §1`` — 财预〔2020〕10号 as applied by provincial self-evaluation forms.
"""

from __future__ import annotations

from jixiao.calc.define import indicator
from jixiao.calc.registry import IndicatorResult, definitions
from jixiao.calc.terms import Gather, Term, rate
from jixiao.model.project import Project

_S1 = "rules.md §1 预算执行率 = 全年执行数 / 全年预算数（四川：/ 调整后预算数；低于90%须说明原因）[secondary]"


@indicator(
    "project_budget_execution_rate", "预算执行率",
    "全年执行数 ÷ 全年预算数 × 100%",
    "%", 2, "project", ("funds.executed", "funds.budget"), _S1, citation="财预〔2020〕10号",
)
def _project_budget_execution_rate(g: Gather) -> Term:
    return rate(g.money("funds.executed"), g.money("funds.budget"))


@indicator(
    "project_fiscal_execution_rate", "财政拨款预算执行率",
    "财政拨款执行数 ÷ 财政拨款预算数 × 100%",
    "%", 2, "project", ("funds.executed_fiscal", "funds.budget_fiscal"),
    f"{_S1}；自评表“其中：当年财政拨款”一行",
)
def _project_fiscal_execution_rate(g: Gather) -> Term:
    return rate(g.money("funds.executed_fiscal"), g.money("funds.budget_fiscal"))


def compute_project(pr: Project) -> list[IndicatorResult]:
    """Every project indicator of ``pr``. 财政拨款执行率 only when the form splits the funds."""
    return project_values(pr)[1]


def project_values(pr: Project) -> tuple[list[IndicatorResult], list[IndicatorResult]]:
    """(every project indicator of ``pr``, the ones :func:`compute_project` lists)."""
    every = [definition.compute(pr) for definition in definitions("project")]
    own = [r for r in every if r.id == "project_budget_execution_rate" or r.computable]
    return every, own
