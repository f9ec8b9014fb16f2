"""Watching a fund through the year: a unit's monthly or quarterly figures against 序时进度, with
同比, the reserve in months, the year-end projection and the warnings (:mod:`jixiao.calc.monitoring`),
from data files or from the database; and next year's budget drafted from stated assumptions
(:mod:`jixiao.calc.budget_draft`)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from jixiao.app.errors import InvalidRequest, NotFound
from jixiao.app.reports import MEDIA_TYPES, ReportFile
from jixiao.app.selection import find_in_dataset, parse_year, read_inputs
from jixiao.calc.budget_draft import BudgetDraft, BudgetDraftError, draft_budget
from jixiao.calc.monitoring import Monitoring, monitor
from jixiao.ingest.files import read_assumptions
from jixiao.model import Dataset
from jixiao.model.units import ruleset_of
from jixiao.problems import Problem
from jixiao.rules import RuleSet, load_ruleset
from jixiao.store.repository import (
    UnitNotFound,
    find_unit,
    get_fund_periods,
    get_fund_years,
    period_years,
    unit_ruleset,
)
from jixiao.write.budget import budget_report, budget_table
from jixiao.write.docx import build_docx, write_docx
from jixiao.write.monitoring import monitoring_report
from jixiao.write.report import Report
from jixiao.write.xlsx import write_xlsx


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
    #: the unit's name alone, as a document's title prints it
    title_name: str = ""


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
    return UnitMonitoring(f"{unit.name}（{code}）" if unit else code, found, unit.name if unit else code)


def monitor_files(paths: Sequence[Path], unit_text: str, year_text: str,
                  month_text: str | None = None) -> tuple[UnitMonitoring | None, list[Problem]]:
    """:func:`monitor_dataset` of data files read on their own (units.yaml may be among them)."""
    dataset, problems = read_inputs(paths)
    if dataset is None:
        return None, problems
    return monitor_dataset(dataset, unit_text, year_text, month_text), problems


def monitor_stored(session: Session, code: str, year: int, month: int | None = None, *,
                   ruleset: RuleSet | None = None) -> Monitoring:
    """The monitoring of a stored unit's year (through ``month``, else its last month with figures),
    by its rule set; its records of every year give 同比, the rolling reserve and the projection's
    history. NotFound when the unit has no monthly or quarterly figures of ``year``."""
    periods = get_fund_periods(session, code)
    if not any(p.year == year for p in periods):
        have = period_years(session, [code]).get(code, [])
        known = f"（已有：{'、'.join(map(str, have))}年）" if have else "（没有任何月度、季度数据）"
        raise NotFound(f"单位 {code} 没有 {year} 年的月度、季度数据{known}")
    rules = ruleset or load_ruleset(unit_ruleset(session, code))
    return monitor(periods, get_fund_years(session, code), rules, unit=code, year=year, month=month)


def monitor_database(session: Session, unit_text: str, year_text: str,
                     month_text: str | None = None) -> UnitMonitoring:
    """:func:`monitor_stored` of the unit named ``unit_text`` (code or name), for the command line."""
    try:
        unit = find_unit(session, unit_text)
    except UnitNotFound as exc:
        raise NotFound(str(exc)) from exc
    found = monitor_stored(session, unit.code, parse_year(year_text), parse_month(month_text))
    return UnitMonitoring(f"{unit.name}（{unit.code}）", found, unit.name)


def _analysis(found: UnitMonitoring) -> Report:
    if not found.monitoring.funds:
        raise InvalidRequest("没有可分析的基金数据，未生成基金运行分析报告")
    return monitoring_report(found.monitoring, found.title_name or found.name)


def write_monitoring_docx(found: UnitMonitoring, path: Path) -> Path:
    """The 基金运行分析报告 of a monitoring, as a Word file at ``path``."""
    return write_docx(_analysis(found), path)


def monitoring_docx_file(session: Session, code: str, year: int, month: int | None = None) -> ReportFile:
    """The 基金运行分析报告 of a stored unit's year through ``month`` (its last month when None):
    the document ``jixiao monitor --docx`` writes, for a download. NotFound without months."""
    found = monitor_database(session, code, str(year), None if month is None else str(month))
    buffer = io.BytesIO()
    build_docx(_analysis(found)).save(buffer)
    name = f"{found.title_name}_{year}年1-{found.monitoring.month}月_基金运行分析报告.docx"
    return ReportFile(name, buffer.getvalue(), MEDIA_TYPES["docx"])


def draft_from_files(paths: Sequence[Path], assumptions: Path) -> tuple[list[BudgetDraft], list[Problem]]:
    """Every budget a file of assumptions asks for, drafted from the data files' fund records."""
    drafts, problems, _ = _drafts(paths, assumptions)
    return drafts, problems


def write_budget_files(paths: Sequence[Path], assumptions: Path, *, docx: Path | None = None,
                       xlsx: Path | None = None) -> tuple[list[BudgetDraft], list[Problem]]:
    """:func:`draft_from_files`, and its 预算编制说明 (Word) and 基金预算表 (Excel) written when asked,
    named by the unit's name when the data files define it. One unit per file of assumptions."""
    drafts, problems, dataset = _drafts(paths, assumptions)
    if not drafts or (docx is None and xlsx is None):
        return drafts, problems
    keys = sorted({f"{d.assumptions.unit} {d.assumptions.year}年" for d in drafts})
    if len(keys) > 1:
        raise InvalidRequest(f"一份预算编制说明只写一个单位的一个年度，假设文件含：{'、'.join(keys)}")
    unit = dataset.unit(drafts[0].assumptions.unit) if dataset is not None else None
    name = unit.name if unit is not None else drafts[0].assumptions.unit
    if docx is not None:
        write_docx(budget_report(drafts, name), docx)
    if xlsx is not None:
        write_xlsx(budget_table(drafts, name), xlsx)
    return drafts, problems


def _drafts(paths: Sequence[Path], assumptions: Path) -> tuple[list[BudgetDraft], list[Problem], Dataset | None]:
    dataset, problems = read_inputs(paths)
    budgets, more = read_assumptions(assumptions)
    problems += more
    if dataset is None or budgets is None or any(p.severity == "error" for p in problems):
        return [], problems, dataset
    drafts = []
    for a in budgets.budgets:
        try:
            drafts.append(draft_budget(a, dataset.fund_years))
        except BudgetDraftError as exc:
            raise InvalidRequest(f"{a.unit} {a.year}年 {a.fund.value}：{exc}") from exc
    return drafts, problems, dataset


__all__ = ["UnitMonitoring", "draft_from_files", "monitor_database", "monitor_dataset", "monitor_files",
           "monitor_stored", "monitoring_docx_file", "parse_month", "write_budget_files", "write_monitoring_docx"]
