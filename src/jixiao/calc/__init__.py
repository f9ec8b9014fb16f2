"""Pure functions from model objects to results: the indicator registry and engine
(:mod:`jixiao.calc.registry`), checks of the figures a report states (:mod:`jixiao.calc.stated`)
and fund/department risk warnings (:mod:`jixiao.calc.warnings`)."""

from jixiao.calc.department import compute_department
from jixiao.calc.fund import compute_fund_year
from jixiao.calc.project import compute_project
from jixiao.calc.registry import BY_SUBJECT, REGISTRY, IndicatorDef, IndicatorResult, definitions, lookup

__all__ = [
    "BY_SUBJECT",
    "REGISTRY",
    "IndicatorDef",
    "IndicatorResult",
    "compute_department",
    "compute_fund_year",
    "compute_project",
    "definitions",
    "lookup",
]
