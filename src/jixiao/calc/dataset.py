"""What the engine says of a stored record — its indicators (:func:`record_values`), the checks
of its stated figures and its risk warnings (:func:`assess`) — and of a whole dataset.

This is the one path from a record to its numbers: the dashboard, the trends, the CLI's tables,
the reports and the values the store keeps for the comparison all come through here."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

from jixiao.calc.department import compute_department
from jixiao.calc.fund import fund_values
from jixiao.calc.project import project_values
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


Record = FundYear | DepartmentYear | Project


@dataclass(frozen=True)
class RecordValues:
    """A record's indicators: ``every`` definition of its subject computed (a comparison column
    may ask for one meant for another fund), and the record's ``own`` list (what its pages show
    and its warnings rest on: for a fund, the indicators meant for it and any other it makes
    computable; for a project, 预算执行率 and what is computable)."""

    every: list[IndicatorResult]
    own: list[IndicatorResult]


def record_values(record: Record, siblings: Mapping[FundKind, FundYear] | None = None) -> RecordValues:
    """The one place a stored record's indicators are computed (the dashboard, the comparison's
    stored values, the trends, the CLI and the reports all come here)."""
    if isinstance(record, FundYear):
        return RecordValues(*fund_values(record, siblings))
    if isinstance(record, DepartmentYear):
        every = compute_department(record)
        return RecordValues(every, every)
    return RecordValues(*project_values(record))


def record_warnings(record: Record, own: list[IndicatorResult], ruleset: RuleSet,
                    siblings: Mapping[FundKind, FundYear] | None = None) -> list[RiskWarning]:
    """The risk warnings of a record by ``ruleset``, resting on its ``own`` indicators."""
    if isinstance(record, FundYear):
        return fund_warnings(record, own, ruleset, {record.fund: record, **(siblings or {})})
    if isinstance(record, DepartmentYear):
        return department_warnings(record, own, ruleset)
    return []


def assess(record: Record, ruleset: RuleSet, siblings: Mapping[FundKind, FundYear] | None = None,
           label: str = "") -> RecordIndicators:
    """Everything the engine says of one record: its indicators, the checks of the figures the
    report states, and its risk warnings by ``ruleset``."""
    own = record_values(record, siblings).own
    subject: Literal["fund", "department", "project"] = (
        "fund" if isinstance(record, FundYear) else "department" if isinstance(record, DepartmentYear) else "project")
    return RecordIndicators(subject, record.key, label, record, own, check_stated(record, own),
                            record_warnings(record, own, ruleset, siblings))


def compute_dataset(ds: Dataset, ruleset: RuleSet | None = None) -> DatasetIndicators:
    """Indicators, stated checks and warnings of every record of ``ds``."""
    ruleset = ruleset or load_ruleset("default")
    groups = fund_groups(ds.fund_years)
    funds = []
    for fy in ds.fund_years:
        scope = f"（{fy.scope}）" if fy.scope else ""
        funds.append(assess(fy, ruleset, groups[(fy.unit, fy.year, fy.scope)],
                            f"{fy.unit} {fy.year} {FUNDS[fy.fund].short}{scope}"))
    departments = [assess(dy, ruleset, label=f"{dy.unit} {dy.year} 部门整体支出") for dy in ds.departments]
    projects = [assess(pr, ruleset, label=f"{pr.unit} {pr.year} {pr.name}") for pr in ds.projects]
    return DatasetIndicators(funds, departments, projects, ruleset)
