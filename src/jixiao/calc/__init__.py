"""Pure functions from model objects to results: the indicator registry and engine
(:mod:`jixiao.calc.registry`), checks of the figures a report states (:mod:`jixiao.calc.stated`),
fund/department risk warnings (:mod:`jixiao.calc.risks`), monthly monitoring
(:mod:`jixiao.calc.monitoring`), year-end projections and forecasts (:mod:`jixiao.calc.forecast`)
and next year's budget draft (:mod:`jixiao.calc.budget_draft`)."""

from jixiao.calc.dataset import DatasetIndicators, RecordIndicators, compute_dataset, fund_groups
from jixiao.calc.department import compute_department
from jixiao.calc.fund import compute_fund_year
from jixiao.calc.monitoring import FundMonitor, Monitoring, monitor
from jixiao.calc.period import period_values
from jixiao.calc.project import compute_project
from jixiao.calc.registry import BY_SUBJECT, REGISTRY, IndicatorDef, IndicatorResult, definitions, lookup
from jixiao.calc.risks import RiskWarning, department_warnings, fund_warnings
from jixiao.calc.stated import StatedCheck, check_stated

__all__ = [
    "BY_SUBJECT",
    "REGISTRY",
    "DatasetIndicators",
    "FundMonitor",
    "IndicatorDef",
    "IndicatorResult",
    "Monitoring",
    "RecordIndicators",
    "RiskWarning",
    "StatedCheck",
    "check_stated",
    "compute_dataset",
    "compute_department",
    "compute_fund_year",
    "compute_project",
    "definitions",
    "department_warnings",
    "fund_groups",
    "fund_warnings",
    "lookup",
    "monitor",
    "period_values",
]
