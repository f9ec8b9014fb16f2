"""How reports write the ledger's funds and items: written form → fund (a model fund kind) and/or
ledger item (a model item name, :mod:`jixiao.model.ledger`).

The names come from the model; only the ways of writing them live here. Every written form is
in one trie-shaped expression (:func:`jixiao.audit.vocabulary.compile_terms`), so at each
position the longest form wins: ``基本医疗保险费收入`` is an item, not the fund ``基本医疗保险``
followed by ``费收入``; ``生育保险待遇支出`` names a fund and an item at once.

Items with no single ledger name are *generic* (``收入``, ``支出``, ``结余``…): the binder turns
them into the ledger item of the fund or scope they stand in (``收入`` of a fund is
基金收入合计, of a department 本年收入合计; ``结余`` inside a 当期结余's 其中 is a 当期结余).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from jixiao.audit.vocabulary import compile_terms
from jixiao.model.funds import FundKind
from jixiao.model.ledger import DEPARTMENT, OTHER

EMP: Final = FundKind.employee.value
EMPM: Final = FundKind.employee_with_maternity.value
POOL: Final = FundKind.employee_pooling.value
ACCT: Final = FundKind.employee_account.value
MAT: Final = FundKind.maternity.value
RES: Final = FundKind.resident.value
CRIT: Final = FundKind.critical_illness.value
CIV: Final = FundKind.civil_servant_subsidy.value
LARGE: Final = FundKind.employee_large_subsidy.value
RET: Final = FundKind.retired_cadres.value
AID: Final = FundKind.medical_assistance.value
LTC: Final = FundKind.long_term_care.value
TOTAL: Final = FundKind.basic_total.value
DEPT: Final = DEPARTMENT
#: the parts of the employee fund: a figure of 统筹基金 / 个人账户 is filed under them only when
#: the fund it belongs to is the employee fund
SUB_FUNDS: Final = (POOL, ACCT)
EMPLOYEE_FUNDS: Final = frozenset({EMP, EMPM})

# generic items (resolved by the binder)
INCOME: Final = "收入"
EXPENSE: Final = "支出"
BALANCE: Final = "结余"
BUDGET: Final = "预算"
INSURED: Final = "参保"
EXECUTED: Final = "执行"
PAYABLE: Final = "可支付"
#: a department's headcount (no ledger item holds it; the genre states it in every 部门 report)
STAFF_POSTS: Final = OTHER + "编制人数"
STAFF_PRESENT: Final = OTHER + "实有人数"
STAFF: Final = frozenset({STAFF_POSTS, STAFF_PRESENT})
#: a kind of medical aid, named alike for its count and its money: item of each (count, money)
INPATIENT_AID: Final = "住院救助"
OUTPATIENT_AID: Final = "门诊救助"
AID_KINDS: Final = {INPATIENT_AID: ("住院人次", "住院费用支出"),
                    OUTPATIENT_AID: (OTHER + "门诊救助人次", "门诊费用支出")}
#: 资助参保: the insurance aid pays for the needy, named by its own words (资助参保支出, 资助参加新农合人数)
AIDED_ENROLMENT: Final = "资助参保"
#: a named figure that no ledger item holds (银行存款, 参保率): it is not a figure of the item before it
UNFILED: Final = "-"


@dataclass(frozen=True, slots=True)
class Term:
    """What a written form names: a fund, an item, or both (生育保险待遇支出)."""

    fund: str | None = None
    item: str | None = None


_M: Final = r"[（(]含生育(?:保险|医疗)?[）)]"
_K: Final = r"(?:基金|资金)?"

#: fund → written forms (flat patterns: (?:a|b), [xy], optional groups, literals)
FUND_FORMS: Final[list[tuple[str, list[str]]]] = [
    (EMPM, [rf"(?:城镇)?(?:企业)?职工(?:基本)?医疗保险{_K}{_M}(?:基金)?", rf"职工医保{_K}{_M}",
            rf"职工医疗{_M}保险{_K}", rf"职工基本医疗{_M}", r"职工医保和生育保险", r"职工基本医疗保险和生育保险",
            r"职工基本医疗保险与生育保险"]),
    (EMP, [rf"(?:城镇)?(?:企业)?职工(?:基本)?医疗保险{_K}", rf"(?:城镇)?职工医保{_K}", rf"(?:城镇)?职工基本医疗{_K}",
           r"职工医疗保险", r"职工"]),
    (POOL, [r"统筹基金", r"统筹资金", r"职工(?:医保|基本医疗保险|基本医保)?统筹基金", rf"统筹基金{_M}"]),
    (ACCT, [rf"个人[账帐]户{_K}", r"个账", r"职工(?:医保|基本医疗保险|基本医保)?个人[账帐]户"]),
    (MAT, [rf"生育保险{_K}", rf"生育{_M}保险{_K}"]),
    (RES, [rf"城乡居民(?:基本)?医疗保险{_K}", rf"城乡居民(?:基本)?医保{_K}", rf"城镇居民(?:基本)?医疗保险{_K}",
           rf"居民(?:基本)?医疗保险{_K}", rf"居民医保{_K}", r"城乡居民基本医疗", r"城乡居民"]),
    (CRIT, [rf"(?:城乡居民)?大病保险{_K}"]),
    (CIV, [rf"公务员医疗补助{_K}"]),
    (LARGE, [rf"(?:职工)?大额医疗(?:费用)?(?:补助|保险){_K}", rf"(?:城镇职工)?补充医疗保险{_K}"]),
    (RET, [rf"离休(?:干部|人员)(?:医疗保障|医药费)(?:统筹)?{_K}"]),
    (AID, [r"(?:城乡)?(?:居民)?医疗救助(?:基金)?"]),
    (LTC, [rf"长期护理保险{_K}", r"长护险"]),
    (TOTAL, [rf"基本医疗保险{_K}", rf"基本医保{_K}", r"医保基金", r"医疗保险基金", rf"基本医疗保险统筹基金{_M}",
             rf"基本医疗保险{_K}{_M}", r"基本医疗保险和生育保险", r"医疗保障基金", rf"医疗保险{_K}{_M}"]),
    (DEPT, [r"部门整体", r"本部门", r"本单位", r"我单位", r"单位年度", r"部门预算", r"部门决算"]),
]

#: item → written forms; an item may carry its fund (生育保险待遇 → 生育保险, 待遇支出)
ITEM_FORMS: Final[list[tuple[Term, list[str]]]] = [
    (Term(item="基金收入合计"), [r"(?:基金)?收入合计", r"总收入", r"收入总额", r"收入总计", r"年度总收入"]),
    (Term(item="保险费（征缴）收入"), [
        r"(?:基本)?医疗保险费收入", r"(?:基本)?医疗保险费", r"保险费收入", r"保费收入", r"征缴收入", r"缴费收入",
        r"医保费收入", r"大额医疗(?:费用)?补助收入", r"保险费（征缴）收入", r"保险费\(征缴\)收入"]),
    (Term(item="单位缴费"), [r"单位缴费(?:收入)?", r"用人单位缴费"]),
    (Term(item="个人缴费"), [r"(?:居民)?个人缴费(?:收入)?"]),
    (Term(item="财政补助收入"), [r"(?:各级)?财政补[助贴](?:收入)?", r"财政补助资金收入"]),
    (Term(item="利息收入"), [r"利息收入"]),
    (Term(item="转移收入"), [r"转移收入"]),
    (Term(item="上级补助收入"), [r"上级补助(?:收入)?"]),
    (Term(item="下级上解收入"), [r"下级上解(?:收入)?"]),
    (Term(item="其他收入"), [r"其他(?:项目|资金)?收入"]),
    (Term(item="基金支出合计"), [r"(?:基金)?支出合计", r"总支出", r"支出总额", r"支出总计", r"年度总支出"]),
    (Term(item="待遇支出"), [r"(?:基本)?医疗(?:保险)?待遇支出", r"(?:社会)?保险待遇支出", r"待遇支出",
                             r"基本医疗保险支出", r"支付待遇"]),
    (Term(item="住院费用支出"), [r"住院(?:医疗)?费用?支出", r"住院费用", r"住院支出", r"住院救助(?:支出|资金|金额)"]),
    (Term(item="门诊费用支出"), [r"门诊(?:医疗)?费用?支出", r"门诊费用", r"门诊支出", r"门诊救助(?:支出|资金|金额)"]),
    (Term(item="生育医疗费用支出"), [r"生育医疗费用?(?:支出)?"]),
    (Term(item="生育津贴支出"), [r"生育津贴(?:支出)?"]),
    (Term(MAT, "待遇支出"), [r"生育保险待遇(?:支出)?", r"生育待遇(?:支出)?"]),
    (Term(item="大病保险（商保）支出"), [r"(?:划转|城乡居民)?大病保险(?:保费)?支出", r"大病支出", r"大病保费支出",
                                      r"商保大病(?:保费)?支出"]),
    (Term(item="转移支出"), [r"转移支出"]),
    (Term(item="补助下级支出"), [r"补助下级(?:支出)?"]),
    (Term(item="上解上级支出"), [r"上解上级(?:支出)?", r"向上级上解"]),
    (Term(item="其他支出"), [r"其他(?:项目)?支出"]),
    (Term(item="当期结余"), [r"当期结余", r"当年结余", r"本年结余", r"本期结余", r"本年收支结余", r"当年收支结余",
                             r"收支结余", r"当期结存", r"当年结存", r"收支差额",
                             r"(?:当期|当年|本年)?收支缺口"]),
    (Term(item="年初累计结余"), [r"上年结余", r"上年滚存结余", r"上年末累计结余", r"年初累计结余", r"年初结余",
                                 r"期初结余", r"期初累计结余", r"年初滚存结余"]),
    (Term(item="年末累计结余"), [r"(?:年末|期末)?累计(?:滚存)?结余", r"(?:年末|期末)?滚存结余", r"累计结存",
                                 r"年末结余"]),
    (Term(item="资产合计"), [r"资产总[计额]", r"资产合计", r"资产"]),
    (Term(item="负债合计"), [r"负债总[计额]", r"负债合计", r"负债"]),
    (Term(item="收入预算"), [r"收入预算", r"预算收入", r"年度收入预算"]),
    (Term(item="支出预算"), [r"支出预算", r"预算支出", r"年度支出预算"]),
    (Term(item="当期结余率"), [r"当期结余率", r"结余率"]),
    (Term(AID, "医疗救助金额"), [r"(?:城乡)?(?:居民)?医疗救助(?:资金|金)", r"救助金额", r"救助资金"]),
    (Term(item="收入预算完成率"), [r"收入预算(?:完成|执行)率"]),
    (Term(item="支出预算完成率"), [r"支出预算(?:完成|执行)率"]),
    (Term(item="年初累计结余"), [r"年初"]),
    (Term(item="在职职工"), [r"在职职工", r"在职人员", r"在职"]),
    (Term(item="退休人员"), [r"退休人员", r"退休职工", r"退休"]),
    (Term(item="享受待遇人次合计"), [r"享受待遇", r"享受医疗待遇", r"待遇享受"]),
    (Term(item="住院人次"), [r"享受住院待遇", r"住院待遇", r"住院人次"]),
    # 住院救助5826人次 / 住院救助208.7亿元: the aid's count or its money, by the figure
    (Term(item=INPATIENT_AID), [r"住院救助(?:人次)?"]),
    (Term(item=OUTPATIENT_AID), [r"门诊救助(?:人次)?"]),
    (Term(AID, AIDED_ENROLMENT), [r"(?:定额)?资助(?:困难群众)?参保(?:人数|支出|资金)?", r"资助参加"]),
    (Term(item="普通门急诊人次"), [r"享受门诊待遇", r"门诊待遇", r"普通门急诊"]),
    (Term(item="本年收入合计"), [r"本年收入合计"]),
    (Term(item="财政拨款收入"), [r"(?:一般公共预算)?财政拨款(?:收入)?"]),
    (Term(item="本年支出合计"), [r"本年支出合计"]),
    (Term(item="基本支出"), [r"基本支出"]),
    (Term(item="项目支出"), [r"项目支出"]),
    (Term(item="人员经费"), [r"人员经费", r"人员支出", r"人员经费支出"]),
    (Term(item="公用经费"), [r"(?:日常)?公用经费(?:支出)?"]),
    (Term(item="三公经费"), [r"[“\"]?三公[”\"]?经费"]),
    (Term(item="公务接待费"), [r"(?:国内)?公务接待费?"]),
    (Term(item="公务用车购置及运行费"), [r"公务用车(?:购置)?(?:及|和)?(?:运行)?(?:维护)?费", r"公务用车运行维护费",
                                      r"公车购置(?:和|及)?(?:运行)?维护费"]),
    (Term(item="因公出国（境）费"), [r"因公出国[（(]境[）)](?:经费|费用?)?", r"出国经费", r"出国费"]),
    (Term(item="年初预算"), [r"年初(?:部门)?(?:一般公共)?预算(?:资金|数)?"]),
    (Term(item=OTHER + "追加预算"), [r"(?:年中)?(?:调整)?追加(?:预算)?"]),
    (Term(item=OTHER + "压减预算"), [r"压减(?:预算)?"]),
    (Term(item="全年预算"), [r"全年预算", r"调整后(?:全年)?预算", r"全年预算数"]),
    (Term(item="预算执行率"), [r"(?:全年)?预算执行率", r"执行率"]),
    (Term(item="分值"), [r"分值"]),
    (Term(item="得分"), [r"得分"]),
    (Term(item="总分"), [r"总分", r"自评得分"]),
    # a department's staff: its approved posts and the people it has (核定编制78人，实有在职人员71人)
    (Term(DEPT, STAFF_POSTS), [r"(?:核定|人员)编制(?:人数|数)?", r"编制(?:人数|数)"]),
    (Term(DEPT, STAFF_PRESENT), [r"实有(?:在职|在编)?(?:人员|人数)", r"实有人"]),
    (Term(DEPT, UNFILED), [r"(?:核定)?(?:行政|事业)编制", r"离退休(?:人员|干部)"]),
    (Term(item=OTHER + "政府采购支出"), [r"政府采购(?:支出)?(?:总额)?"]),
    (Term(item=OTHER + "一般公共预算财政拨款支出"), [r"(?:一般公共预算)?财政拨款支出", r"一般公共预算支出"]),
    (Term(item="财政拨款收入"), [r"一般公共预算收入"]),
    (Term(item=OTHER + "年初结转和结余"), [r"年初结转(?:和|及)?结余"]),
    (Term(item=OTHER + "年末结转和结余"), [r"年末结转(?:和|及)?结余"]),
    # named, but filed under no ledger item (the parts of a balance sheet, the insured it aids)
    (Term(item=UNFILED), [
        r"固定资产", r"银行存款", r"其他应付款", r"暂付款", r"暂收款", r"支出户存款", r"财政专户存款",
        r"收入户存款", r"应参保人数", r"应参保", r"参保率", r"征缴率", r"费率",
        r"覆盖率", r"满意度", r"报销比例", r"支付比例", r"结算率", r"及时率", r"准确率", r"可用率",
        r"(?:预算|经费)?控制率", r"预算调整率",
    ]),
    # generic: the binder gives them their ledger name
    (Term(item=INCOME), [r"(?:基金)?收入", r"本年收入", r"本期收入", r"全年收入", r"取得收入", r"筹集"]),
    (Term(item=EXPENSE), [r"(?:基金)?支出", r"本年支出", r"本期支出", r"全年支出", r"发生支出"]),
    (Term(item=BALANCE), [r"结余", r"结存"]),
    (Term(item=BUDGET), [r"预算"]),
    (Term(item=INSURED), [r"参保人数", r"参保", r"参加"]),
    (Term(item=EXECUTED), [r"执行数", r"执行", r"实际支出"]),
    (Term(item=PAYABLE), [r"可支付", r"可供支付"]),
]


def _terms() -> list[tuple[Term, list[str]]]:
    out: list[tuple[Term, list[str]]] = [(Term(fund=f), forms) for f, forms in FUND_FORMS]
    return out + ITEM_FORMS


TERM_RE, TERM_OF = compile_terms(_terms())

#: the generic items and the fund-kind-specific item each stands for
GENERIC: Final = frozenset({INCOME, EXPENSE, BALANCE, BUDGET, INSURED, EXECUTED, PAYABLE, UNFILED, AIDED_ENROLMENT,
                            *AID_KINDS})

#: words that say a figure belongs to several funds together (两项合计, 三项基金合计)
TOGETHER: Final = re.compile(r"[两二三四]项(?:医疗保险)?(?:基金)?合计|合计收入|合计支出|(?:基金)?合计")
