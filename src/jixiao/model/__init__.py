"""What the figures are: units, fund years, department years, projects (pydantic, no I/O)."""

from jixiao.model.dataset import Dataset
from jixiao.model.department import DepartmentYear
from jixiao.model.funds import FUNDS, FundKind, FundYear, StatedFigure
from jixiao.model.project import IndicatorRow, Nature, Project
from jixiao.model.units import Level, Unit, UnitKind

__all__ = [
    "FUNDS",
    "Dataset",
    "DepartmentYear",
    "FundKind",
    "FundYear",
    "IndicatorRow",
    "Level",
    "Nature",
    "Project",
    "StatedFigure",
    "Unit",
    "UnitKind",
]
