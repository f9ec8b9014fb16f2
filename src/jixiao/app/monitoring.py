"""Watching a fund through the year: a unit's monthly or quarterly figures against 序时进度, with
同比, the reserve in months, the year-end projection and the warnings (:mod:`jixiao.calc.monitoring`);
and next year's budget drafted from stated assumptions (:mod:`jixiao.calc.budget_draft`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from jixiao.app.errors import InvalidRequest, NotFound
from jixiao.app.selection import find_in_dataset, parse_year, read_inputs
from jixiao.calc.budget_draft import BudgetDraft, BudgetDraftError, draft_budget
from jixiao.calc.monitoring import Monitoring, monitor
from jixiao.ingest.files import read_assumptions
from jixiao.model import Dataset
from jixiao.model.units import ruleset_of
from jixiao.problems import Problem
from jixiao.rules import load_ruleset


def parse_month(text: str | None) -> int | None:
    """``"6"`` or ``"6月"`` → 6; None stays None (the last month with figures)."""
    if text is None:
        return None
    try:
        month = int(text.strip().removesuffix("月"))
    except ValueError as exc:
        raise InvalidRequest(f"月份“{text}”不是 1–12 的数") from exc
    if not 1 <= month <= 12:
        raise InvalidRequest(f"月份 {month} 超出范围（1–12）")
    return month


@dataclass(frozen=True)
class UnitMonitoring:
    """A unit's monitoring with the unit's name (the monitoring knows only its code)."""

    name: str
    monitoring: Monitoring


def monitor_dataset(dataset: Dataset, unit_text: str, year_text: str,
                    month_text: str | None = None) -> UnitMonitoring:
    """The monitoring of the unit named ``unit_text`` in a dataset read from files, by its rule set."""
    code = find_in_dataset(dataset, unit_text)
    year = parse_year(year_text)
    if not any(p.unit == code and p.year == year for p in dataset.fund_periods):
        have = sorted({p.year for p in dataset.fund_periods if p.unit == code})
        known = f"（已有：{'、'.join(map(str, have))}年）" if have else "（没有任何月度、季度数据）"
        raise NotFound(f"单位 {code} 没有 {year} 年的月度、季度数据{known}")
    ruleset = load_ruleset(ruleset_of(dataset.units, code))
    unit = dataset.unit(code)
    found = monitor(dataset.fund_periods, dataset.fund_years, ruleset, unit=code, year=year,
                    month=parse_month(month_text))
    return UnitMonitoring(f"{unit.name}（{code}）" if unit else code, found)


def monitor_files(paths: Sequence[Path], unit_text: str, year_text: str,
                  month_text: str | None = None) -> tuple[UnitMonitoring | None, list[Problem]]:
    """:func:`monitor_dataset` of data files read on their own (units.yaml may be among them)."""
    dataset, problems = read_inputs(paths)
    if dataset is None:
        return None, problems
    return monitor_dataset(dataset, unit_text, year_text, month_text), problems


def draft_from_files(paths: Sequence[Path], assumptions: Path) -> tuple[list[BudgetDraft], list[Problem]]:
    """Every budget a file of assumptions asks for, drafted from the data files' fund records
    (the unit's name, when the files define it, in each draft's ``unit_name``)."""
    dataset, problems = read_inputs(paths)
    budgets, more = read_assumptions(assumptions)
    problems += more
    if dataset is None or budgets is None or any(p.severity == "error" for p in problems):
        return [], problems
    drafts = []
    for a in budgets.budgets:
        try:
            drafts.append(draft_budget(a, dataset.fund_years))
        except BudgetDraftError as exc:
            raise InvalidRequest(f"{a.unit} {a.year}年 {a.fund.value}：{exc}") from exc
    return drafts, problems


__all__ = ["UnitMonitoring", "draft_from_files", "monitor_dataset", "monitor_files", "parse_month"]
