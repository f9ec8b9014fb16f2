"""What the figures are: units, fund years and periods, department years, projects (pydantic, no I/O)."""

from jixiao.model.dataset import Dataset
from jixiao.model.department import DepartmentYear
from jixiao.model.funds import FUNDS, FundKind, FundYear, StatedFigure
from jixiao.model.periods import FundPeriod, Span, parse_span, tiling
from jixiao.model.project import IndicatorRow, Nature, Project
from jixiao.model.units import Level, Unit, UnitKind

__all__ = [
    "FUNDS",
    "Dataset",
    "DepartmentYear",
    "FundKind",
    "FundPeriod",
    "FundYear",
    "IndicatorRow",
    "Level",
    "Nature",
    "Project",
    "Span",
    "StatedFigure",
    "Unit",
    "UnitKind",
    "parse_span",
    "tiling",
]
