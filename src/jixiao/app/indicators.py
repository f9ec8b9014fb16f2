"""The indicators of a unit-year, record by record: what the engine says of each fund year,
department year and project (indicators, checks of the stated figures, risk warnings by the
unit's own rule set). The command line prints them as tables or JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jixiao.calc.dataset import compute_dataset
from jixiao.model import Dataset, DepartmentYear, FundYear, Project, Unit
from jixiao.model.units import ruleset_of
from jixiao.rules import load_ruleset


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
    unit = dataset.unit(unit_code)
    own = Dataset(
        units=[unit] if unit else [],
        fund_years=[r for r in dataset.fund_years if r.unit == unit_code and r.year == year],
        departments=[r for r in dataset.departments if r.unit == unit_code and r.year == year],
        projects=[r for r in dataset.projects if r.unit == unit_code and r.year == year],
    )
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


__all__ = ["Section", "build_sections"]
