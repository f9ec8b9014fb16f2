"""Projects (项目支出) with their 绩效指标 table (三级指标 rows)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from jixiao.model.funds import StatedFigure
from jixiao.model.targets import Target, parse_target
from jixiao.model.types import Money


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Nature(StrEnum):
    """指标性质 as 四川 forms carry it."""

    ge = "≥"
    gt = ">"
    le = "≤"
    lt = "<"
    eq = "="
    qualitative = "定性"
    deadline = "时限"


class IndicatorRow(_Strict):
    """One 三级指标 row of a self-evaluation table."""

    level1: str = Field(min_length=1, title="一级指标")
    level2: str | None = Field(default=None, title="二级指标")
    level3: str = Field(min_length=1, title="三级指标")
    nature: Nature | None = Field(default=None, title="指标性质")
    target: str = Field(min_length=1, title="年度指标值")
    actual: str | None = Field(default=None, title="实际完成值")
    weight: str | None = Field(default=None, title="分值")
    score: str | None = Field(default=None, title="得分")
    deviation_reason: str | None = Field(default=None, title="偏差原因分析及改进措施")
    line: int | None = Field(default=None, ge=1, title="原文行号")
    actual_line: int | None = Field(
        default=None, ge=1, title="实际完成值原文行号", description="when the actual is stated away from the table row"
    )

    @property
    def parsed_target(self) -> Target:
        return parse_target(self.target)

    @property
    def parsed_actual(self) -> Target | None:
        return parse_target(self.actual) if self.actual else None


class ProjectFunds(_Strict):
    """项目资金 (万元): 年初预算数, 全年预算数, 全年执行数, by source."""

    initial_budget: Money | None = Field(default=None, title="年初预算数")
    budget: Money | None = Field(default=None, title="全年预算数")
    executed: Money | None = Field(default=None, title="全年执行数")
    budget_fiscal: Money | None = Field(default=None, title="其中：财政拨款（预算）")
    executed_fiscal: Money | None = Field(default=None, title="其中：财政拨款（执行）")
    budget_carryover: Money | None = Field(default=None, title="上年结转资金（预算）")
    executed_carryover: Money | None = Field(default=None, title="上年结转资金（执行）")
    budget_other: Money | None = Field(default=None, title="其他资金（预算）")
    executed_other: Money | None = Field(default=None, title="其他资金（执行）")


class Project(_Strict):
    """A project (项目) of one unit for one year, with its indicator table."""

    unit: str = Field(title="单位代码")
    year: int = Field(ge=1990, le=2100, title="年度")
    name: str = Field(min_length=2, title="项目名称")
    department: str | None = Field(default=None, title="主管部门")
    implementer: str | None = Field(default=None, title="实施单位")
    funds: ProjectFunds = Field(default_factory=ProjectFunds)
    goal_expected: str | None = Field(default=None, title="年度目标（预期）")
    goal_actual: str | None = Field(default=None, title="年度目标（实际完成）")
    indicators: list[IndicatorRow] = Field(default_factory=list, title="绩效指标")
    stated: dict[str, StatedFigure] = Field(default_factory=dict, title="报告所述派生数")
    notes: list[str] = Field(default_factory=list, title="说明")
    narrative: dict[str, str] = Field(
        default_factory=dict,
        title="文字说明",
        description="section key → officer-written text (工作成效, 存在问题, 改进措施...), see jixiao.write.outline",
    )

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.unit, self.year, self.name)
