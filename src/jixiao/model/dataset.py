"""A dataset: what one input file holds (units, fund years and periods, department years, projects)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from jixiao.model.department import DepartmentYear
from jixiao.model.funds import FundYear
from jixiao.model.periods import FundPeriod
from jixiao.model.project import Project
from jixiao.model.units import Unit


class Dataset(BaseModel):
    model_config = ConfigDict(extra="forbid")

    money_unit: Literal["元", "万元", "亿元"] = Field(default="万元", title="金额单位")
    source: str | None = Field(default=None, title="来源", description="the report transcribed")
    units: list[Unit] = Field(default_factory=list, title="单位")
    fund_years: list[FundYear] = Field(default_factory=list, title="基金年度数据")
    fund_periods: list[FundPeriod] = Field(default_factory=list, title="基金月度、季度数据")
    departments: list[DepartmentYear] = Field(default_factory=list, title="部门整体支出")
    projects: list[Project] = Field(default_factory=list, title="项目")

    def merged(self, other: Dataset) -> Dataset:
        return Dataset(
            money_unit=self.money_unit,
            source=self.source,
            units=[*self.units, *other.units],
            fund_years=[*self.fund_years, *other.fund_years],
            fund_periods=[*self.fund_periods, *other.fund_periods],
            departments=[*self.departments, *other.departments],
            projects=[*self.projects, *other.projects],
        )

    def unit(self, code: str) -> Unit | None:
        return next((u for u in self.units if u.code == code), None)
