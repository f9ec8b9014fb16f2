"""The ledger vocabulary: what every figure of a report is filed under (fund, item, period).

One list, shared by the model, the extractor (``jixiao extract``) and the auditor: a fund is a
:class:`~jixiao.model.funds.FundKind` value (or :data:`DEPARTMENT`, or :data:`PROJECT` + the
project's name); an item is the title of the model field that holds the figure, or a derived
figure the model computes (growth and completion rates, months of reserve) named here once.
A figure that fits no item is ``其他:`` + the report's own words (:data:`OTHER`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from jixiao.model.funds import FundKind

#: a department's own budget and accounts (部门整体支出, 部门决算)
DEPARTMENT = "部门"
#: a project's figures: ``项目:`` + its name (项目支出绩效自评表)
PROJECT = "项目:"
#: a figure that fits no ledger item: ``其他:`` + the report's words
OTHER = "其他:"


class ItemKind(StrEnum):
    income = "收入"
    expenditure = "支出"
    balance = "结余"
    budget = "预算"
    change = "增减"
    people = "人数"
    reserve = "储备"
    department = "部门"
    project = "项目"


@dataclass(frozen=True, slots=True)
class LedgerItem:
    """One ledger item: its name, its kind, and the model field that holds it (``record.path``:
    ``FundYear.income.total``), ``None`` for a figure the model derives (a rate, a count of months)."""

    name: str
    kind: ItemKind
    field: str | None = None
    #: the item this one is a part of (保险费收入 of 基金收入合计; 单位缴费 of 保险费收入)
    parent: str | None = None


def _items() -> tuple[LedgerItem, ...]:
    k = ItemKind
    rows: list[tuple[str, ItemKind, str | None, str | None]] = [
        ("基金收入合计", k.income, "FundYear.income.total", None),
        ("保险费（征缴）收入", k.income, "FundYear.income.contributions", "基金收入合计"),
        ("单位缴费", k.income, "FundYear.income.contributions_employer", "保险费（征缴）收入"),
        ("个人缴费", k.income, "FundYear.income.contributions_individual", "保险费（征缴）收入"),
        ("财政补助收入", k.income, "FundYear.income.fiscal_subsidy", "基金收入合计"),
        ("利息收入", k.income, "FundYear.income.interest", "基金收入合计"),
        ("转移收入", k.income, "FundYear.income.transfer_in", "基金收入合计"),
        ("上级补助收入", k.income, "FundYear.income.higher_subsidy", "基金收入合计"),
        ("下级上解收入", k.income, "FundYear.income.lower_remittance", "基金收入合计"),
        ("其他收入", k.income, "FundYear.income.other", "基金收入合计"),
        ("基金支出合计", k.expenditure, "FundYear.expenditure.total", None),
        ("待遇支出", k.expenditure, "FundYear.expenditure.benefits", "基金支出合计"),
        ("住院费用支出", k.expenditure, "FundYear.expenditure.benefits_inpatient", "待遇支出"),
        ("门诊费用支出", k.expenditure, "FundYear.expenditure.benefits_outpatient", "待遇支出"),
        ("生育医疗费用支出", k.expenditure, "FundYear.expenditure.benefits_maternity_medical", "待遇支出"),
        ("生育津贴支出", k.expenditure, "FundYear.expenditure.benefits_maternity_allowance", "待遇支出"),
        ("大病保险（商保）支出", k.expenditure, "FundYear.expenditure.critical_illness_premium", "基金支出合计"),
        ("转移支出", k.expenditure, "FundYear.expenditure.transfer_out", "基金支出合计"),
        ("补助下级支出", k.expenditure, "FundYear.expenditure.subsidy_to_lower", "基金支出合计"),
        ("上解上级支出", k.expenditure, "FundYear.expenditure.remittance_to_higher", "基金支出合计"),
        ("其他支出", k.expenditure, "FundYear.expenditure.other", "基金支出合计"),
        ("当期结余", k.balance, "FundYear.balance.current", None),
        ("年初累计结余", k.balance, "FundYear.balance.opening", None),
        ("年末累计结余", k.balance, "FundYear.balance.closing", None),
        ("资产合计", k.balance, "FundYear.balance_sheet.assets_total", None),
        ("负债合计", k.balance, "FundYear.balance_sheet.liabilities_total", None),
        ("收入预算", k.budget, "FundYear.budget.income", None),
        ("支出预算", k.budget, "FundYear.budget.expenditure", None),
        ("收入预算完成率", k.budget, None, None),
        ("支出预算完成率", k.budget, None, None),
        ("收入较上年增减额", k.change, "FundYear.change.income_total", None),
        ("支出较上年增减额", k.change, "FundYear.change.expenditure_total", None),
        ("收入增长率", k.change, None, None),
        ("支出增长率", k.change, None, None),
        ("参保人数", k.people, "FundYear.coverage.insured", None),
        ("在职职工", k.people, "FundYear.coverage.employed", "参保人数"),
        ("退休人员", k.people, "FundYear.coverage.retired", "参保人数"),
        ("享受待遇人次合计", k.people, "FundYear.services.beneficiaries", None),
        ("住院人次", k.people, "FundYear.services.inpatient", "享受待遇人次合计"),
        ("普通门急诊人次", k.people, "FundYear.services.outpatient", "享受待遇人次合计"),
        ("医疗救助人次", k.people, "FundYear.services.assistance", None),
        ("医疗救助金额", k.people, "FundYear.services.assistance_amount", None),
        ("累计结余可支付月数", k.reserve, None, None),
        ("当期结余率", k.reserve, None, None),
        ("本年收入合计", k.department, "DepartmentYear.income.total", None),
        ("财政拨款收入", k.department, "DepartmentYear.income.fiscal", "本年收入合计"),
        ("本年支出合计", k.department, "DepartmentYear.expenditure.total", None),
        ("基本支出", k.department, "DepartmentYear.expenditure.basic", "本年支出合计"),
        ("项目支出", k.department, "DepartmentYear.expenditure.project", "本年支出合计"),
        ("人员经费", k.department, "DepartmentYear.expenditure.personnel", "基本支出"),
        ("公用经费", k.department, "DepartmentYear.expenditure.public_operating", "基本支出"),
        ("三公经费", k.department, "DepartmentYear.three_public.total", None),
        ("公务接待费", k.department, "DepartmentYear.three_public.reception", "三公经费"),
        ("公务用车购置及运行费", k.department, "DepartmentYear.three_public.vehicles", "三公经费"),
        ("因公出国（境）费", k.department, "DepartmentYear.three_public.overseas", "三公经费"),
        ("年初预算", k.department, "DepartmentYear.budget.initial", "全年预算"),
        ("全年预算", k.department, "DepartmentYear.budget.full_year", None),
        ("预算执行率", k.department, None, None),
        ("年初预算数", k.project, "Project.funds.initial_budget", "全年预算数"),
        ("全年预算数", k.project, "Project.funds.budget", None),
        ("全年执行数", k.project, "Project.funds.executed", None),
        ("执行率", k.project, None, None),
        ("分值", k.project, "IndicatorRow.weight", None),
        ("得分", k.project, "IndicatorRow.score", None),
        ("总分", k.project, None, None),
    ]
    return tuple(LedgerItem(name, kind, field, parent) for name, kind, field, parent in rows)


ITEMS: tuple[LedgerItem, ...] = _items()
ITEM: dict[str, LedgerItem] = {i.name: i for i in ITEMS}
#: the fund names of the ledger (the model's fund kinds)
FUND_NAMES: tuple[str, ...] = tuple(k.value for k in FundKind)

#: a title the model words differently from the ledger (the model's field keeps its own words
#: for forms and messages; the ledger uses the name reports and FORMAT use)
TITLE_DIFFERS: dict[str, str] = {
    "当期结余": "当期结余（报告所述）",
    "三公经费": "合计",
    "公务用车购置及运行费": "公务用车购置及运行维护费",
}

#: the flow a derived or budget item measures (its base in 基金收入合计 / 基金支出合计)
INCOME_TOTAL = "基金收入合计"
EXPENDITURE_TOTAL = "基金支出合计"


def children(name: str) -> tuple[str, ...]:
    """The items filed directly under ``name`` (its parts)."""
    return tuple(i.name for i in ITEMS if i.parent == name)


def is_fund(name: str) -> bool:
    return name in FUND_NAMES or name == DEPARTMENT or name.startswith(PROJECT)
