"""Department budget (部门预算/决算) of an agency for one year: 部门整体支出."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from jixiao.model.funds import StatedFigure
from jixiao.model.types import Money, Persons, Rate, SignedMoney


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Staff(_Strict):
    """编制与人员."""

    authorized: Persons | None = Field(default=None, title="编制人数")
    authorized_admin: Persons | None = Field(default=None, title="行政编制")
    authorized_institution: Persons | None = Field(default=None, title="事业编制")
    authorized_other: Persons | None = Field(default=None, title="其他编制")
    actual: Persons | None = Field(default=None, title="实有在职人数")
    retired: Persons | None = Field(default=None, title="退休人数")

    AUTHORIZED_PARTS: ClassVar[tuple[str, ...]] = (
        "authorized_admin", "authorized_institution", "authorized_other",
    )


class DepartmentBudget(_Strict):
    """预算: 年初预算 + 调整 (追加 − 压减) = 全年预算."""

    initial: Money | None = Field(default=None, title="年初预算")
    additions: Money | None = Field(default=None, title="追加预算")
    reductions: Money | None = Field(default=None, title="压减预算")
    adjustment: SignedMoney | None = Field(default=None, title="调整预算净额")
    full_year: Money | None = Field(default=None, title="全年预算")
    basic: Money | None = Field(default=None, title="基本支出预算")
    project: Money | None = Field(default=None, title="项目支出预算")
    public_operating: Money | None = Field(default=None, title="公用经费预算")
    operating_costs: Money | None = Field(default=None, title="机关运行经费预算")


class DepartmentIncome(_Strict):
    """收入 by source."""

    total: Money | None = Field(default=None, title="本年收入合计")
    fiscal: Money | None = Field(default=None, title="财政拨款收入")
    general_public: Money | None = Field(default=None, title="一般公共预算财政拨款收入")
    government_fund: Money | None = Field(default=None, title="政府性基金预算财政拨款收入")
    other: Money | None = Field(default=None, title="其他收入")

    PARTS: ClassVar[tuple[str, ...]] = ("fiscal", "other")


class DepartmentExpenditure(_Strict):
    """支出: 基本 (人员 + 公用) + 项目."""

    total: Money | None = Field(default=None, title="本年支出合计")
    basic: Money | None = Field(default=None, title="基本支出")
    personnel: Money | None = Field(default=None, title="人员经费")
    public_operating: Money | None = Field(default=None, title="公用经费")
    project: Money | None = Field(default=None, title="项目支出")
    general_public: Money | None = Field(default=None, title="一般公共预算财政拨款支出")
    operating_costs: Money | None = Field(default=None, title="机关运行经费")

    PARTS: ClassVar[tuple[str, ...]] = ("basic", "project")
    BASIC_PARTS: ClassVar[tuple[str, ...]] = ("personnel", "public_operating")


class FunctionalLine(_Strict):
    """支出功能分类 类/款/项 line of the final accounts."""

    category: str = Field(min_length=1, title="类")
    section: str | None = Field(default=None, title="款")
    item: str | None = Field(default=None, title="项")
    actual: Money = Field(title="决算数")
    budget: Money | None = Field(default=None, title="预算数")
    completion: Rate | None = Field(default=None, title="完成预算（报告所述）", description="e.g. '100%'")
    share: Rate | None = Field(
        default=None, title="占比（报告所述）", description="share of the total it is set against, e.g. '30.12%'"
    )
    line: int | None = Field(default=None, ge=1, title="原文行号")


class ThreePublicItem(_Strict):
    budget: Money | None = Field(default=None, title="预算数")
    actual: Money | None = Field(default=None, title="决算数")
    previous: Money | None = Field(default=None, title="上年决算数")
    previous_budget: Money | None = Field(default=None, title="上年预算数")


class ThreePublic(_Strict):
    """“三公”经费: 因公出国（境）, 公务用车购置及运行维护, 公务接待."""

    total: ThreePublicItem = Field(default_factory=ThreePublicItem, title="合计")
    overseas: ThreePublicItem = Field(default_factory=ThreePublicItem, title="因公出国（境）费")
    vehicles: ThreePublicItem = Field(default_factory=ThreePublicItem, title="公务用车购置及运行维护费")
    reception: ThreePublicItem = Field(default_factory=ThreePublicItem, title="公务接待费")

    PARTS: ClassVar[tuple[str, ...]] = ("overseas", "vehicles", "reception")


class Assets(_Strict):
    assets_total: Money | None = Field(default=None, title="资产总额")
    bank_deposits: Money | None = Field(default=None, title="银行存款")
    fixed_assets: Money | None = Field(default=None, title="固定资产")
    liabilities_total: Money | None = Field(default=None, title="负债总额")
    vehicles: int | None = Field(default=None, ge=0, title="车辆数")


class Carryover(_Strict):
    """结转结余."""

    opening: Money | None = Field(default=None, title="年初结转和结余")
    closing: Money | None = Field(default=None, title="年末结转和结余")


class DepartmentPrevious(_Strict):
    income_total: Money | None = Field(default=None, title="上年收入合计")
    expenditure_total: Money | None = Field(default=None, title="上年支出合计")
    general_public_expenditure: Money | None = Field(default=None, title="上年一般公共预算财政拨款支出")
    operating_costs: Money | None = Field(default=None, title="上年机关运行经费")
    public_operating: Money | None = Field(default=None, title="上年公用经费")
    carryover_closing: Money | None = Field(default=None, title="上年末结转结余")


class DepartmentChange(_Strict):
    """较上年增减额 as the report states them when it does not state the 上年数 itself (减少 → negative)."""

    operating_costs: SignedMoney | None = Field(default=None, title="机关运行经费较上年增减额")
    general_public_expenditure: SignedMoney | None = Field(
        default=None, title="一般公共预算财政拨款支出较上年增减额"
    )


class DepartmentYear(_Strict):
    """部门整体支出 of one unit for one year."""

    unit: str = Field(title="单位代码")
    year: int = Field(ge=1990, le=2100, title="年度")
    staff: Staff = Field(default_factory=Staff)
    budget: DepartmentBudget = Field(default_factory=DepartmentBudget)
    income: DepartmentIncome = Field(default_factory=DepartmentIncome)
    expenditure: DepartmentExpenditure = Field(default_factory=DepartmentExpenditure)
    functional: list[FunctionalLine] = Field(default_factory=list, title="支出功能分类")
    three_public: ThreePublic = Field(default_factory=ThreePublic)
    procurement_budget: Money | None = Field(default=None, title="政府采购预算")
    procurement_actual: Money | None = Field(default=None, title="政府采购支出")
    assets: Assets = Field(default_factory=Assets)
    carryover: Carryover = Field(default_factory=Carryover)
    previous: DepartmentPrevious = Field(default_factory=DepartmentPrevious)
    change: DepartmentChange = Field(default_factory=DepartmentChange, title="较上年增减额")
    self_score: str | None = Field(default=None, title="自评得分")
    stated: dict[str, StatedFigure] = Field(default_factory=dict, title="报告所述派生数")
    notes: list[str] = Field(default_factory=list, title="说明")
    narrative: dict[str, str] = Field(
        default_factory=dict,
        title="文字说明",
        description="section key → officer-written text (工作成效, 存在问题, 改进措施...), see jixiao.write.outline",
    )

    @property
    def key(self) -> tuple[str, int]:
        return (self.unit, self.year)
