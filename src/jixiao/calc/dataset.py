"""All indicators, stated-figure checks and warnings of a dataset, grouped by record."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from jixiao.calc.department import compute_department
from jixiao.calc.fund import compute_fund_year
from jixiao.calc.project import compute_project
from jixiao.calc.registry import IndicatorResult
from jixiao.calc.risks import RiskWarning, department_warnings, fund_warnings
from jixiao.calc.stated import StatedCheck, check_stated
from jixiao.model.dataset import Dataset
from jixiao.model.department import DepartmentYear
from jixiao.model.funds import FUNDS, FundKind, FundYear
from jixiao.model.project import Project
from jixiao.rules import RuleSet, load_ruleset


@dataclass
class RecordIndicators:
    """One record's indicators, checks of its stated figures, and warnings."""

    subject: Literal["fund", "department", "project"]
    key: tuple[str | int, ...]
    label: str
    record: FundYear | DepartmentYear | Project
    results: list[IndicatorResult]
    checks: list[StatedCheck] = field(default_factory=list)
    warnings: list[RiskWarning] = field(default_factory=list)

    def result(self, indicator_id: str) -> IndicatorResult | None:
        return next((r for r in self.results if r.id == indicator_id), None)


@dataclass
class DatasetIndicators:
    funds: list[RecordIndicators]
    departments: list[RecordIndicators]
    projects: list[RecordIndicators]
    ruleset: RuleSet

    def __iter__(self) -> Iterator[RecordIndicators]:
        yield from self.funds
        yield from self.departments
        yield from self.projects

    @property
    def warnings(self) -> list[RiskWarning]:
        return [w for rec in self for w in rec.warnings]

    @property
    def checks(self) -> list[StatedCheck]:
        return [c for rec in self for c in rec.checks]


def fund_groups(fund_years: list[FundYear]) -> dict[tuple[str, int, str | None], dict[FundKind, FundYear]]:
    """Fund records by (unit, year, scope): the siblings of each other."""
    groups: dict[tuple[str, int, str | None], dict[FundKind, FundYear]] = {}
    for fy in fund_years:
        groups.setdefault((fy.unit, fy.year, fy.scope), {})[fy.fund] = fy
    return groups


def compute_dataset(ds: Dataset, ruleset: RuleSet | None = None) -> DatasetIndicators:
    """Indicators, stated checks and warnings of every record of ``ds``."""
    ruleset = ruleset or load_ruleset("default")
    groups = fund_groups(ds.fund_years)
    funds = []
    for fy in ds.fund_years:
        siblings = groups[(fy.unit, fy.year, fy.scope)]
        results = compute_fund_year(fy, siblings)
        scope = f"（{fy.scope}）" if fy.scope else ""
        funds.append(RecordIndicators(
            "fund", fy.key, f"{fy.unit} {fy.year} {FUNDS[fy.fund].short}{scope}", fy, results,
            check_stated(fy, results), fund_warnings(fy, results, ruleset, siblings),
        ))
    departments = []
    for dy in ds.departments:
        results = compute_department(dy)
        departments.append(RecordIndicators(
            "department", dy.key, f"{dy.unit} {dy.year} 部门整体支出", dy, results,
            check_stated(dy, results), department_warnings(dy, results, ruleset),
        ))
    projects = []
    for pr in ds.projects:
        results = compute_project(pr)
        projects.append(RecordIndicators(
            "project", pr.key, f"{pr.unit} {pr.year} {pr.name}", pr, results, check_stated(pr, results),
        ))
    return DatasetIndicators(funds, departments, projects, ruleset)
