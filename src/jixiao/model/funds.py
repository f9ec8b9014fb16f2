"""Medical-insurance funds (医保基金): one record per unit × year × fund.

Figures are :class:`~jixiao.numbers.Quantity` values kept as written. A report rarely states
every item; every field is optional and the indicator engine says what it cannot compute.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from jixiao.model.types import Money, PerCapita, Persons, PersonTimes, Rate, SignedMoney


class FundKind(StrEnum):
    employee = "职工基本医疗保险"
    employee_pooling = "职工基本医疗保险统筹基金"
    employee_account = "职工基本医疗保险个人账户"
    maternity = "生育保险"
    employee_with_maternity = "职工基本医疗保险（含生育）"
    resident = "城乡居民基本医疗保险"
    critical_illness = "大病保险"
    civil_servant_subsidy = "公务员医疗补助"
    employee_large_subsidy = "职工大额医疗补助"
    retired_cadres = "离休干部医药费"
    medical_assistance = "医疗救助"
    long_term_care = "长期护理保险"
    #: 职工 and 城乡居民 together, as statistics bulletins and combined tables state them
    basic_total = "基本医疗保险（合计）"


@dataclass(frozen=True)
class FundInfo:
    kind: FundKind
    short: str
    #: funds this one is the sum of (a combined view or a whole with parts)
    parts: tuple[FundKind, ...] = ()
    #: risk thresholds on months of reserve apply to this fund (统筹基金, 生育保险)
    reserve_rule: str | None = None


FUNDS: dict[FundKind, FundInfo] = {
    f.kind: f
    for f in (
        FundInfo(FundKind.employee, "职工医保", (FundKind.employee_pooling, FundKind.employee_account)),
        FundInfo(FundKind.employee_pooling, "统筹基金", reserve_rule="employee_pooling_reserve"),
        FundInfo(FundKind.employee_account, "个人账户"),
        FundInfo(FundKind.maternity, "生育保险", reserve_rule="maternity_reserve"),
        FundInfo(FundKind.employee_with_maternity, "职工医保（含生育）", (FundKind.employee, FundKind.maternity)),
        FundInfo(FundKind.resident, "城乡居民医保"),
        FundInfo(FundKind.critical_illness, "大病保险"),
        FundInfo(FundKind.civil_servant_subsidy, "公务员医疗补助"),
        FundInfo(FundKind.employee_large_subsidy, "职工大额医疗补助"),
        FundInfo(FundKind.retired_cadres, "离休干部医药费"),
        FundInfo(FundKind.medical_assistance, "医疗救助"),
        FundInfo(FundKind.long_term_care, "长期护理保险"),
        FundInfo(FundKind.basic_total, "基本医保合计", (FundKind.employee_with_maternity, FundKind.resident)),
    )
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FundIncome(_Strict):
    """基金收入. ``total`` is 总收入; the other items are its parts (disjoint)."""

    total: Money | None = Field(default=None, title="基金收入合计")
    contributions: Money | None = Field(default=None, title="保险费（征缴）收入")
    contributions_employer: Money | None = Field(default=None, title="单位缴费")
    contributions_individual: Money | None = Field(default=None, title="个人缴费")
    fiscal_subsidy: Money | None = Field(default=None, title="财政补助收入")
    interest: Money | None = Field(default=None, title="利息收入")
    transfer_in: Money | None = Field(default=None, title="转移收入")
    higher_subsidy: Money | None = Field(default=None, title="上级补助收入")
    lower_remittance: Money | None = Field(default=None, title="下级上解收入")
    other: Money | None = Field(default=None, title="其他收入")

    #: items that add up to ``total`` (contributions' own parts are nested below it)
    PARTS: ClassVar[tuple[str, ...]] = (
        "contributions", "fiscal_subsidy", "interest", "transfer_in", "higher_subsidy",
        "lower_remittance", "other",
    )


class FundExpenditure(_Strict):
    """基金支出. ``total`` is 总支出; ``benefits`` is 待遇支出 with its breakdowns."""

    total: Money | None = Field(default=None, title="基金支出合计")
    benefits: Money | None = Field(default=None, title="待遇支出")
    benefits_inpatient: Money | None = Field(default=None, title="住院费用支出")
    benefits_outpatient: Money | None = Field(default=None, title="门诊费用支出")
    benefits_maternity_medical: Money | None = Field(default=None, title="生育医疗费用支出")
    benefits_maternity_allowance: Money | None = Field(default=None, title="生育津贴支出")
    critical_illness_premium: Money | None = Field(default=None, title="大病保险（商保）支出")
    transfer_out: Money | None = Field(default=None, title="转移支出")
    subsidy_to_lower: Money | None = Field(default=None, title="补助下级支出")
    remittance_to_higher: Money | None = Field(default=None, title="上解上级支出")
    other: Money | None = Field(default=None, title="其他支出")

    PARTS: ClassVar[tuple[str, ...]] = (
        "benefits", "critical_illness_premium", "transfer_out", "subsidy_to_lower",
        "remittance_to_higher", "other",
    )
    BENEFIT_PARTS: ClassVar[tuple[str, ...]] = (
        "benefits_inpatient", "benefits_outpatient", "benefits_maternity_medical",
        "benefits_maternity_allowance",
    )


class FundBudget(_Strict):
    """基金预算: initial (年初) and adjusted (调整后) figures."""

    income: Money | None = Field(default=None, title="收入预算")
    income_adjusted: Money | None = Field(default=None, title="调整后收入预算")
    contributions: Money | None = Field(default=None, title="征缴收入预算")
    expenditure: Money | None = Field(default=None, title="支出预算")
    expenditure_adjusted: Money | None = Field(default=None, title="调整后支出预算")
    benefits: Money | None = Field(default=None, title="待遇支出预算")


class FundBalance(_Strict):
    """结余: 年初/年末累计结余 (滚存结余) and the stated 当期结余."""

    opening: SignedMoney | None = Field(default=None, title="年初累计结余")
    current: SignedMoney | None = Field(default=None, title="当期结余（报告所述）")
    closing: SignedMoney | None = Field(default=None, title="年末累计结余")


class BalanceSheet(_Strict):
    """资产负债: 资产 − 负债 = 累计结余."""

    assets_total: Money | None = Field(default=None, title="资产合计")
    expenditure_account_deposit: Money | None = Field(default=None, title="支出户存款")
    fiscal_account_deposit: Money | None = Field(default=None, title="财政专户存款")
    income_account_deposit: Money | None = Field(default=None, title="收入户存款")
    advances: Money | None = Field(default=None, title="暂付款")
    other_assets: Money | None = Field(default=None, title="其他资产")
    liabilities_total: Money | None = Field(default=None, title="负债合计")
    temporary_receipts: Money | None = Field(default=None, title="暂收款")
    other_liabilities: Money | None = Field(default=None, title="其他负债")

    ASSET_PARTS: ClassVar[tuple[str, ...]] = (
        "expenditure_account_deposit", "fiscal_account_deposit", "income_account_deposit",
        "advances", "other_assets",
    )
    LIABILITY_PARTS: ClassVar[tuple[str, ...]] = ("temporary_receipts", "other_liabilities")


class Coverage(_Strict):
    """参保人数."""

    insured: Persons | None = Field(default=None, title="参保人数")
    employed: Persons | None = Field(default=None, title="在职职工")
    retired: Persons | None = Field(default=None, title="退休人员")
    over_60: Persons | None = Field(default=None, title="60岁以上参保人数")
    poor: Persons | None = Field(default=None, title="贫困人口参保人数")
    paying: Persons | None = Field(default=None, title="实际缴费人数")
    coverage_rate: Rate | None = Field(default=None, title="参保率")


class Services(_Strict):
    """享受待遇人次 and the like."""

    beneficiaries: PersonTimes | None = Field(default=None, title="享受待遇人次合计")
    outpatient: PersonTimes | None = Field(default=None, title="普通门急诊人次")
    chronic_outpatient: PersonTimes | None = Field(default=None, title="门诊慢特病人次")
    inpatient: PersonTimes | None = Field(default=None, title="住院人次")
    maternity: PersonTimes | None = Field(default=None, title="享受生育保险待遇人次")
    maternity_medical: PersonTimes | None = Field(default=None, title="生育医疗待遇人次")
    maternity_allowance: PersonTimes | None = Field(default=None, title="生育津贴人次")
    assistance: PersonTimes | None = Field(default=None, title="医疗救助人次")
    assistance_amount: Money | None = Field(default=None, title="医疗救助金额")
    subsidy_eligible: Persons | None = Field(default=None, title="列入补助范围人数")
    subsidy_recipients: Persons | None = Field(default=None, title="实际享受补助人数")
    subsidy_eligible_agencies: Persons | None = Field(default=None, title="其中：机关单位列入补助范围人数")
    subsidy_eligible_institutions: Persons | None = Field(default=None, title="其中：事业单位列入补助范围人数")
    subsidy_recipients_agencies: Persons | None = Field(default=None, title="其中：机关单位实际享受补助人数")
    subsidy_recipients_institutions: Persons | None = Field(default=None, title="其中：事业单位实际享受补助人数")

    SUBSIDY_ELIGIBLE_PARTS: ClassVar[tuple[str, ...]] = (
        "subsidy_eligible_agencies", "subsidy_eligible_institutions",
    )
    SUBSIDY_RECIPIENT_PARTS: ClassVar[tuple[str, ...]] = (
        "subsidy_recipients_agencies", "subsidy_recipients_institutions",
    )


class FundPrevious(_Strict):
    """上年数 as the report states them (never derived by the transcriber)."""

    income_total: Money | None = Field(default=None, title="上年基金收入")
    expenditure_total: Money | None = Field(default=None, title="上年基金支出")
    contributions: Money | None = Field(default=None, title="上年征缴收入")
    closing_balance: SignedMoney | None = Field(default=None, title="上年末累计结余")
    insured: Persons | None = Field(default=None, title="上年参保人数")
    income_per_capita: PerCapita | None = Field(default=None, title="上年人均基金收入")
    expenditure_per_capita: PerCapita | None = Field(default=None, title="上年人均基金支出")
    maternity_beneficiaries: PersonTimes | None = Field(default=None, title="上年享受生育待遇人次")


class FundChange(_Strict):
    """较上年增减额 as the report states them (signed: 减少 → negative)."""

    income_total: SignedMoney | None = Field(default=None, title="收入较上年增减额")
    expenditure_total: SignedMoney | None = Field(default=None, title="支出较上年增减额")
    contributions: SignedMoney | None = Field(default=None, title="征缴（保险费）收入较上年增减额")
    benefits: SignedMoney | None = Field(default=None, title="待遇支出较上年增减额")
    insured: int | None = Field(default=None, title="参保人数较上年增减")
    maternity_beneficiaries: int | None = Field(default=None, title="生育待遇人次较上年增减")


class StatedFigure(_Strict):
    """A derived figure as the report states it, to be checked against the engine."""

    value: str = Field(title="所述数值", description="as written, with unit: '9.25%', '8836万元'")
    line: int | None = Field(default=None, ge=1, title="原文行号")
    quote: str | None = Field(default=None, title="原文")


class FundYear(_Strict):
    """One unit × year × fund (基金年度数据)."""

    unit: str = Field(title="单位代码")
    year: int = Field(ge=1990, le=2100, title="年度")
    fund: FundKind = Field(title="险种/基金")
    scope: str | None = Field(default=None, title="口径", description="全市 / 市本级 / 区本级 ...")
    income: FundIncome = Field(default_factory=FundIncome)
    expenditure: FundExpenditure = Field(default_factory=FundExpenditure)
    budget: FundBudget = Field(default_factory=FundBudget)
    balance: FundBalance = Field(default_factory=FundBalance)
    balance_sheet: BalanceSheet = Field(default_factory=BalanceSheet)
    coverage: Coverage = Field(default_factory=Coverage)
    services: Services = Field(default_factory=Services)
    previous: FundPrevious = Field(default_factory=FundPrevious)
    change: FundChange = Field(default_factory=FundChange)
    stated: dict[str, StatedFigure] = Field(
        default_factory=dict, title="报告所述派生数", description="indicator id → figure as stated"
    )
    notes: list[str] = Field(default_factory=list, title="说明")
    narrative: dict[str, str] = Field(
        default_factory=dict,
        title="文字说明",
        description="section key → officer-written text (工作成效, 存在问题, 改进措施...), see jixiao.write.outline",
    )

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.unit, self.year, self.fund.value)
