"""Project indicators (项目预算执行率)."""

from __future__ import annotations

from decimal import Decimal

from jixiao.calc import check_stated, compute_project, lookup
from jixiao.model import Dataset, Project


def project(funds: dict, stated: dict | None = None) -> Project:
    ds = Dataset.model_validate(
        {"projects": [{"unit": "xj", "year": 2019, "name": "自治区本级医疗生育保险基金支出", "funds": funds,
                       "stated": stated or {}}]},
        context={"money_unit": "万元"},
    )
    return ds.projects[0]


def test_seed001_self_evaluation_table_execution_rate():
    # seed 001 自评表: 预算数 335412, 执行数 289724 (万元)
    pr = project({"budget": "335412", "executed": "289724"}, {"project_budget_execution_rate": {"value": "86.38%"}})
    results = compute_project(pr)
    (rate,) = results  # 财政拨款执行率 only appears when the form splits the funds
    assert rate.id == "project_budget_execution_rate"
    assert rate.display() == "86.38%"
    assert abs(rate.value - Decimal(289724) * 100 / Decimal(335412)) < Decimal("1e-20")
    (check,) = check_stated(pr, results)
    assert check.ok is True
    assert lookup("project_budget_execution_rate").name == "预算执行率"


def test_fiscal_split_and_missing_budget():
    r = {x.id: x for x in compute_project(project({"executed": "60", "budget_fiscal": "50",
                                                   "executed_fiscal": "49.5"}))}
    assert r["project_budget_execution_rate"].reason == "缺少：全年预算数"
    assert r["project_fiscal_execution_rate"].display() == "99.00%"


def test_zero_budget_is_not_computable():
    (rate,) = compute_project(project({"budget": "0", "executed": "0"}))
    assert rate.value is None and rate.reason == "全年预算数为零，无法相除"
