"""What a written item stands for where it stands, and which listed figure may be a part of which.

Generic words (``收入``, ``支出``, ``结余``, ``预算``…) become the ledger item of the fund kind
and of the total they are listed under; a part may be listed under a total when its item is
filed under the total's item in the ledger (利息收入 under 基金收入合计), or it is the same item
of a part of the total's fund (统筹基金结余 under the employee fund's 当期结余), or of another
fund when the list names the parts of a whole (公务员医疗补助收入 in a list of 收入).
"""

from __future__ import annotations

import re
from typing import Final

from jixiao.audit.document import Mention
from jixiao.audit.ledger.facts import LedgerFact
from jixiao.audit.ledger.vocab import (
    AID_KINDS,
    AIDED_ENROLMENT,
    BALANCE,
    BUDGET,
    EMPLOYEE_FUNDS,
    EXECUTED,
    EXPENSE,
    INCOME,
    INSURED,
    MAT,
    PAYABLE,
    SUB_FUNDS,
    TOTAL,
    UNFILED,
)
from jixiao.model.ledger import ITEM, OTHER

FLOW_OF: Final = {"基金收入合计": "收入", "基金支出合计": "支出", "本年收入合计": "收入", "本年支出合计": "支出"}
_CUMULATIVE: Final = re.compile(r"累计|滚存|年末|期末|月末")
_SUB_WORDS: Final = re.compile(r"统筹|个人[账帐]户|个账")
_DEPARTMENT_TOTAL: Final = {"基金收入合计": "本年收入合计", "基金支出合计": "本年支出合计"}
_PARTS_OF_TOTAL: Final = frozenset({*EMPLOYEE_FUNDS, MAT, "城乡居民基本医疗保险"})


def resolve(name: str, kind: str, parent: LedgerFact | None, words: str, m: Mention,
            flow: str | None) -> str | None:
    """The ledger item ``name`` (as the vocabulary gives it) stands for, for a document of
    ``kind`` (fund, department, project), listed under ``parent``, after a flow ``flow``."""
    parent_item = parent.item if parent is not None else None
    if name in (INCOME, EXPENSE):
        flow_kind = "收入" if name == INCOME else "支出"
        if parent_item and parent_item in ITEM and ITEM[parent_item].kind.value == flow_kind and \
                parent_item not in FLOW_OF and _SUB_WORDS.search(words):
            return parent_item  # 上级补助收入…（统筹基金收入…）: the part's own item
        if kind == "department":
            return "本年收入合计" if name == INCOME else "本年支出合计"
        return "基金收入合计" if name == INCOME else "基金支出合计"
    if name == BALANCE:
        return _balance(parent_item, kind, words)
    if name == BUDGET:
        if kind == "department":
            return "全年预算"
        if kind == "project":
            return "全年预算数"
        return f"{flow}预算" if flow else None
    if name == INSURED:
        return "参保人数" if m.quantity.dimension in ("person", None) and m.quantity.unit != "%" else None
    if name == EXECUTED:
        return "全年执行数" if kind == "project" else None
    if name == PAYABLE:
        return "累计结余可支付月数" if m.quantity.unit in ("个月", "月") else None
    if name == UNFILED:
        return None
    if name in AID_KINDS:
        return aid_item(name, m.quantity.dimension == "person_time", m.quantity.dimension == "money")
    if name == AIDED_ENROLMENT:
        return aided_item(words, m.quantity.dimension == "person")
    return _by_kind(name, kind)


_AIDED_END: Final = re.compile(r"(?:的|共|为|达|有|计|合计|约)+$")


def aided_item(words: str, person: bool) -> str | None:
    """资助参保支出442.68万元, 资助参加基本医疗保险的共6634.7万人: ``其他:`` + the words from 资助 on
    (a count of people ``…人数``)."""
    k = words.rfind("资助")
    if k < 0:
        return None
    if words[max(0, k - 2):k] == "定额":
        k -= 2
    phrase = _AIDED_END.sub("", words[k:].strip())
    if person and not phrase.endswith(("人数", "人员")):
        phrase += "人数"
    return OTHER + phrase if len(phrase) <= 16 else None


#: a group's aid money named by no words of its own (…、救助资金112418元; …，金额8774.31元)
BARE_AID_MONEY: Final = re.compile(r"(?:救助)?(?:资金|金额|金)")


def group_money(count_item: str, written: str) -> str | None:
    """The money of the group whose count was just stated: the aid kind's spending (门诊救助174人次，
    金额8774.31元 → 门诊费用支出), else the group's name with the money word (贫困户医疗救助资金)."""
    for count, money in AID_KINDS.values():
        if count_item == count:
            return money
    if count_item.startswith(OTHER) and count_item.endswith("人次"):
        return count_item.removesuffix("人次") + ("资金" if "资金" in written else "金额")
    return None


def aid_item(name: str, counted: bool, money: bool) -> str | None:
    """住院救助 of a count (人次) is the aid's count, of money its spending; else neither."""
    count_item, money_item = AID_KINDS[name]
    return count_item if counted else money_item if money else None


def _balance(parent_item: str | None, kind: str, words: str) -> str:
    if parent_item in ("当期结余", "年末累计结余", "年初累计结余"):
        return parent_item
    if kind == "project":
        return OTHER + "结余资金"  # a project's money left unspent, no fund's 当期结余
    return "年末累计结余" if _CUMULATIVE.search(words) else "当期结余"


_PROJECT_ITEM: Final = {"预算执行率": "执行率", "年初预算": "年初预算数", "全年预算": "全年预算数"}
#: the budget a year-start budget came to when adjusted (年初预算800万元，年中调整为1200万元)
ADJUSTED_BUDGET: Final = {"年初预算": "全年预算", "年初预算数": "全年预算数"}


def _by_kind(name: str, kind: str) -> str | None:
    if kind == "department":
        if name in _DEPARTMENT_TOTAL:
            return _DEPARTMENT_TOTAL[name]
        if name in ITEM and ITEM[name].kind.value in ("收入", "支出"):
            return OTHER + name  # a fund's item word in a department's accounts (其他收入)
        if name in ("收入预算", "支出预算"):
            return "全年预算"
    if kind == "project" and name in _PROJECT_ITEM:
        return _PROJECT_ITEM[name]  # a project's budget is filed with the 自评表's words
    if name in ("总分", "得分", "分值") and kind not in ("department", "project"):
        return None
    return name


#: words that make a figure a derived quantity of the item they name (人均筹资, 在职退休比, 资产减负债)
#: (each alternative opens with a literal character, 减's lookbehind after it: the scan skips in C
#: every character that opens none)
DERIVED: Final = re.compile(r"人均|次均|户均|每人|比(?:为|是|达|约)?$|比例|占比"
                            r"|减(?<=[\u4e00-\u9fff]减)(?=[\u4e00-\u9fff])|倍")


_MONEY_KINDS: Final = frozenset({"收入", "支出", "结余", "预算", "部门", "项目"})


def fits(item: str, m: Mention) -> bool:
    """Can a figure of ``m``'s dimension be a figure of ``item`` (money for an amount, a count of
    people for 参保人数, a percentage for a rate)? A figure without a unit fits any."""
    dim = m.quantity.dimension
    if dim is None or item.startswith(OTHER) or item not in ITEM:
        return True
    if item.endswith("率"):
        return dim == "ratio"
    if item == "累计结余可支付月数":
        return dim == "month"
    if item in ("分值", "得分", "总分"):
        return dim in ("score", "ratio") or m.quantity.unit in ("分", "")
    kind = ITEM[item].kind.value
    if kind == "人数":
        return dim in ("person", "person_time") or (item == "医疗救助金额" and dim == "money")
    if kind in _MONEY_KINDS or kind == "增减":
        return dim == "money"
    return True


def descends(item: str | None, total: str | None) -> bool:
    """Is ``item`` filed under ``total`` (at any depth) in the ledger?"""
    seen = 0
    while item in ITEM and ITEM[item].parent and seen < 6:
        item = ITEM[item].parent
        seen += 1
        if item == total:
            return True
    return False


def fund_part(fund: str | None, whole: str | None) -> bool:
    """Is ``fund`` a part of ``whole`` (统筹基金 of the employee fund; a fund of all funds together)?"""
    if fund is None or whole is None or fund == whole:
        return False
    if fund in SUB_FUNDS:
        return whole in EMPLOYEE_FUNDS
    if whole == TOTAL:
        return fund in _PARTS_OF_TOTAL
    return whole == "职工基本医疗保险（含生育）" and fund in (MAT, "职工基本医疗保险")


def plausible_part(item: str | None, fund: str | None, total: LedgerFact, listed: bool) -> bool:
    """May a figure of ``item`` (named ``fund`` in its own words) be listed under ``total``?

    ``listed``: a list word (其中, 含, 包括…) opened the list, so a figure whose words name no
    item is taken as a part; inside a bare bracket its item must say so."""
    if fund == total.fund:
        fund = None  # the total's own fund named again
    total_item = _BUDGETED.get(total.item or "", total.item) if total.role == "budget" else total.item
    if item is None:
        return listed or (fund is not None and fund_part(fund, total.fund))
    if total_item is None:
        return listed
    if item == total_item:
        return (fund is None and listed) or fund_part(fund, total.fund)
    if descends(item, total_item):
        return True
    if listed and fund is not None and fund != total.fund and item in FLOW_OF and \
            FLOW_OF.get(item) == FLOW_OF.get(total_item or ""):
        return True  # 职工医保基金收入…其中：公务员医疗补助收入175万元
    return item.startswith(OTHER) and listed


def other_words(clause: str, strip_funds: re.Pattern[str] | None = None) -> str | None:
    """``其他:`` + a clause's words naming a figure no ledger item holds (人均筹资)."""
    words = _FILLER.sub("", clause).strip()
    return OTHER + words if 2 <= len(words) <= 16 else None


#: a budget total lists the parts of the flow it budgets
_BUDGETED: Final = {"收入预算": "基金收入合计", "支出预算": "基金支出合计", "全年预算": "本年支出合计"}
_FILLER: Final = re.compile(
    r"^(?:其中|全年|全市|全县|全区|年末|年底|当年|本年|(?:19|20)\d\d年度?)+|(?:为|是|达到|达|约|共计|共)+$"
)
