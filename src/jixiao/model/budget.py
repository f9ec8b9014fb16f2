"""The assumptions of next year's fund budget (以收定支): every one stated, editable, kept as written.

Income from its parts — 职工: 缴费人数 × 缴费基数 × 费率; 居民: 参保人数 × (个人缴费标准 + 财政补助
标准); 利息, 其他 and the other items by the trend of earlier years unless stated — and 待遇支出 from
history: 人均支出 × 人数, or 待遇人次 × 次均费用, each with its growth; the other expenditure items
by their trend. A figure left out is taken from the
base year's record (the draft says so); a growth left out is the trend of earlier years.
Loaded from YAML like any data file (:func:`jixiao.ingest.files.read_assumptions`); the draft is
:func:`jixiao.calc.budget_draft.draft_budget`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from jixiao.model.funds import FundExpenditure, FundIncome, FundKind
from jixiao.model.types import Money, PerCapita, Persons, PersonTimes, PerVisit, Rate, SignedMoney

_TREND = "None: the trend of earlier years (0% when there is none)"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EmployeeIncome(_Strict):
    """职工医保征缴收入 = 缴费人数 × 人均缴费基数 × 费率 (× 征缴率), each grown by its stated rate."""

    paying: Persons | None = Field(default=None, title="基期缴费人数",
                                   description="None: the base year's 实际缴费人数, else its 在职职工")
    paying_growth: Rate | None = Field(default=None, title="缴费人数增长率", description=_TREND)
    base: PerCapita = Field(title="基期人均缴费基数", description="元/人·年: annual wage base per payer")
    base_growth: Rate | None = Field(default=None, title="缴费基数增长率", description="None: 0%")
    employer_rate: Rate = Field(title="单位缴费费率")
    individual_rate: Rate = Field(title="个人缴费费率")
    collection_rate: Rate | None = Field(default=None, title="征缴率", description="None: 100%")


class ResidentIncome(_Strict):
    """城乡居民: 参保人数 × 个人缴费标准 (个人缴费) and × 财政补助标准 (财政补助收入)."""

    insured: Persons | None = Field(default=None, title="基期参保人数", description="None: the base year's")
    insured_growth: Rate | None = Field(default=None, title="参保人数增长率", description=_TREND)
    individual_standard: PerCapita = Field(title="个人缴费标准")
    fiscal_standard: PerCapita = Field(title="财政补助标准")


class TrendItem(_Strict):
    """An item taken as stated, grown from the base year by a stated rate, or by its trend."""

    amount: Money | None = Field(default=None, title="预算数（直接给定）")
    growth: Rate | None = Field(default=None, title="较基期增长率", description=_TREND)


class Expenditure(_Strict):
    """待遇支出 from history: 人均支出 × 人数 (``per_capita``) or 待遇人次 × 次均费用 (``per_visit``)."""

    method: Literal["per_capita", "per_visit"] = Field(default="per_capita", title="测算方法")
    per_capita: PerCapita | None = Field(default=None, title="基期人均待遇支出",
                                         description="None: the base year's 待遇支出 ÷ 参保人数")
    per_capita_growth: Rate | None = Field(default=None, title="人均待遇支出增长率",
                                           description=_TREND)
    persons: Persons | None = Field(default=None, title="预算年度人数",
                                    description="None: the income's insured (or paying) persons of the budget year")
    visits: PersonTimes | None = Field(default=None, title="基期享受待遇人次", description="None: the base year's")
    visits_growth: Rate | None = Field(default=None, title="待遇人次增长率",
                                       description=_TREND)
    per_visit: PerVisit | None = Field(default=None, title="基期次均费用",
                                       description="None: the base year's 待遇支出 ÷ 享受待遇人次")
    per_visit_growth: Rate | None = Field(default=None, title="次均费用增长率",
                                          description=_TREND)


class BudgetAssumptions(_Strict):
    """Next year's budget of one unit's fund: the assumptions, each as written."""

    unit: str = Field(title="单位代码")
    year: int = Field(ge=1990, le=2100, title="预算年度")
    fund: FundKind = Field(title="险种/基金")
    scope: str | None = Field(default=None, title="口径")
    base_year: int | None = Field(default=None, title="基期年度", description="None: the year before")
    places: int = Field(default=2, ge=0, le=4, title="金额小数位数", description="万元 decimals of the table")
    employee: EmployeeIncome | None = Field(default=None, title="职工征缴收入测算")
    resident: ResidentIncome | None = Field(default=None, title="城乡居民缴费与财政补助测算")
    trends: dict[str, TrendItem] = Field(
        default_factory=dict, title="其余收支项目",
        description="ledger path (income.interest, income.other, expenditure.transfer_out …) → how to budget it; "
                    "an item the base year has and this leaves out goes by its trend",
    )
    expenditure: Expenditure = Field(default_factory=Expenditure, title="待遇支出测算")
    opening: SignedMoney | None = Field(default=None, title="预算年度年初累计结余",
                                        description="None: the base year's 年末累计结余")
    notes: dict[str, str] = Field(default_factory=dict, title="依据说明",
                                  description="assumption path → why it is what it is (as the officer writes it)")

    @field_validator("trends")
    @classmethod
    def _known_items(cls, trends: dict[str, TrendItem]) -> dict[str, TrendItem]:
        unknown = [k for k in trends if k not in TREND_ITEMS]
        if unknown:
            raise ValueError(f"“{'、'.join(unknown)}”不是可按趋势测算的收支项目（可用：{'、'.join(TREND_ITEMS)}）")
        return trends

    @model_validator(mode="after")
    def _one_way_each(self) -> BudgetAssumptions:
        if self.resident is not None and "income.fiscal_subsidy" in self.trends:
            raise ValueError("给出了居民财政补助标准时，财政补助收入按标准测算，不能再按趋势（trends）给定")
        if self.employee is None and self.resident is None:
            raise ValueError("须给出职工征缴收入测算（employee）或城乡居民缴费与财政补助测算（resident）")
        return self


#: the items a draft computes from their parts (财政补助收入 too when the 居民 standards are given);
#: every other ledger item goes by trend
COMPUTED: frozenset[str] = frozenset({
    "income.total", "income.contributions", "income.contributions_employer", "income.contributions_individual",
    "expenditure.total", "expenditure.benefits",
})
#: the items that may go by trend (the ledger's income and expenditure parts not computed)
TREND_ITEMS: tuple[str, ...] = tuple(
    path for path in (*(f"income.{n}" for n in FundIncome.PARTS), *(f"expenditure.{n}" for n in FundExpenditure.PARTS))
    if path not in COMPUTED
)


class BudgetFile(_Strict):
    """A YAML/JSON file of budget assumptions (one or several funds)."""

    money_unit: Literal["元", "万元", "亿元"] = Field(default="万元", title="金额单位")
    source: str | None = Field(default=None, title="来源")
    budgets: list[BudgetAssumptions] = Field(default_factory=list, title="预算测算假设")


