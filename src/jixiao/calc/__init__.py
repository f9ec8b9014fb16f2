"""Pure functions from model objects to results: the indicator registry and engine
(:mod:`jixiao.calc.registry`), checks of the figures a report states (:mod:`jixiao.calc.stated`)
and fund/department risk warnings (:mod:`jixiao.calc.warnings`)."""

from jixiao.calc.dataset import DatasetIndicators, RecordIndicators, compute_dataset, fund_groups
from jixiao.calc.department import compute_department
from jixiao.calc.fund import compute_fund_year
from jixiao.calc.project import compute_project
from jixiao.calc.registry import BY_SUBJECT, REGISTRY, IndicatorDef, IndicatorResult, definitions, lookup
from jixiao.calc.stated import StatedCheck, check_stated
from jixiao.calc.warnings import Warning, department_warnings, fund_warnings

__all__ = [
    "BY_SUBJECT",
    "REGISTRY",
    "DatasetIndicators",
    "IndicatorDef",
    "IndicatorResult",
    "RecordIndicators",
    "StatedCheck",
    "Warning",
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
]
