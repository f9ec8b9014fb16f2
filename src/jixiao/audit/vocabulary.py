"""The vocabulary of the facts: the subjects (funds, budgets and their parts) and the items
(收入, 支出, 参保人数 …) as canonical name ← written forms, and the trie-shaped expressions
that find any written form in one linear scan. It is data, kept apart from the labelling
(:mod:`jixiao.audit.facts`) that uses it; the duplicate checks read it too."""

from __future__ import annotations

import re
from typing import Any, Final, TypeVar

T = TypeVar("T")

_P: Final = r"[（(]含生育[）)]"
TO_LEVEL: Final = "→"  # 降低至/提高到: says the figure is a new level; the item is the word before it

#: (canonical subject, level, written forms). level "fund" names a fund or budget; "part" a
#: part of one (统筹基金 of 职工医保, 公务接待费 of 三公经费) or a population.
SUBJECT_TERMS: Final[list[tuple[str, str, list[str]]]] = [
    ("职工医保(含生育)", "fund", [
        rf"(?:城镇)?(?:企业)?职工(?:基本)?医疗(?:保险)?(?:基金)?{_P}(?:保险)?(?:基金)?",
        rf"基本医疗保?{_P}险?(?:基金)?", rf"基本医疗(?:保险)?(?:基金)?{_P}", rf"职工医保(?:基金)?{_P}",
        r"医疗生育保险(?:基金)?", r"职工医疗[（(]含生育[）)]保险(?:基金)?",
    ]),
    ("城乡居民医保", "fund", [
        r"城乡居民(?:基本)?医疗保险(?:基金)?", r"城乡居民(?:基本)?医疗(?:保险)?(?:基金)?", r"城乡居民医保(?:基金)?",
        r"居民医保(?:基金)?", r"城乡居民(?:基金|人均)", r"居民参保",
    ]),
    ("职工医保", "fund", [
        r"(?:城镇)?(?:企业)?职工(?:基本)?医疗保险(?:基金)?", r"职工医保(?:基金)?",
        r"(?:城镇)?职工基本医疗(?:保险)?(?:基金)?", r"职工医疗保险(?:基金)?",
    ]),
    ("生育保险", "fund", [r"生育保险(?:基金)?"]),
    ("大病保险", "fund", [r"大病保险", r"大病统筹基金"]),
    ("大病医疗互助", "fund", [r"(?:城镇职工)?大病医疗互助"]),
    ("公务员医疗补助", "fund", [r"公务员医疗补助"]),
    ("医疗救助", "fund", [r"(?:城乡)?医疗救助"]),
    ("离休干部医药费", "fund", [r"离休干部医药费(?:统筹金?)?"]),
    ("基本医疗保险", "fund", [r"基本医疗保险(?:基金)?", r"医疗保险基金", r"医保基金"]),
    ("一般公共预算", "fund", [r"一般公共预算(?:财政拨款)?", r"般公共预算(?:财政拨款)?"]),
    ("政府性基金预算", "fund", [r"政府性基金预算"]),
    ("国有资本经营预算", "fund", [r"国有资本经营预算"]),
    ("部门", "fund", [r"部门整体", r"单位年度", r"本单位", r"我单位", r"我局", r"我中心", r"本部门"]),
    ("统筹基金", "part", [r"(?:基本医疗)?统筹基金"]),
    ("个人账户", "part", [r"个人[账帐]户(?:基金)?"]),
    ("三公经费", "part", [r"[“\"]?三公[”\"]?经费"]),
    ("公务接待费", "part", [r"(?:国内)?公务接待(?:费|支出)?"]),
    ("公务用车购置及运行维护费", "part", [r"公务用车(?:购置)?(?:及|和)?(?:运行)?(?:维护)?费?", r"公车购置和维护费"]),
    ("因公出国（境）费", "part", [r"因公出国[（(]境[）)](?:经费|费用?)?", r"出国经费"]),
    ("机关运行经费", "part", [r"机关运行(?:经费|成本)"]),
    ("贫困人口", "part", [r"(?:建档立卡)?贫困(?:人口|人员)"]),
]

#: (canonical item, written forms). ``增减`` is resolved by unit: 增减额 (an amount) or 增长率 (%).
ITEM_TERMS: Final[list[tuple[str, list[str]]]] = [
    ("收入预算执行率", ["收入预算执行率", "总收入预算执行率"]),
    ("支出预算执行率", ["支出预算执行率", "总支出预算执行率"]),
    ("征缴收入预算执行率", ["征缴收入预算执行率"]),
    ("待遇支出预算执行率", ["待遇支出预算执行率"]),
    ("预算执行率", ["预算执行率", "执行率", "完成年度预算", "完成全年预算", "完成预算", "预算完成率", "完成率"]),
    ("当期结余率", ["当期结余率", "结余率"]),
    ("控制率", ["经费控制率", "运行成本经费控制率", "预算控制率", "控制率"]),
    ("参保率", ["参保率"]),
    ("满意度", ["满意度", "满意率"]),
    ("准确率", ["准确率"]),
    ("上访率", ["上访率"]),
    ("知晓率", ["知晓率"]),
    ("报销比例", ["报销比例", "支付比例"]),
    ("人均收入", ["人均基金收入", "人均收入", "人均筹资"]),
    ("人均支出", ["人均基金支出", "人均支出"]),
    ("征缴收入", ["征缴收入", "保险费收入", "缴费收入", "征缴基金", "征收医保基金"]),
    ("个人缴费收入", ["个人缴费收入"]),
    ("利息收入", ["利息收入"]),
    ("其他收入", ["其他收入"]),
    ("转移收入", ["转移收入"]),
    ("财政补贴收入", ["财政补贴收入"]),
    ("财政拨款收入", ["财政拨款收入", "拨款收入", "财政拨款"]),
    ("收入", ["年度总收入", "总收入", "基金收入", "本年收入", "收入合计", "全年收入", "收入"]),
    ("待遇支出", ["医疗保险待遇支出", "生育保险待遇支出", "待遇支出"]),
    ("其他支出", ["其他支出"]),
    ("转移支出", ["转移支出"]),
    ("大病保费支出", ["商保大病保费支出", "商保大病支出", "大病保费支出"]),
    ("基本支出", ["基本支出"]),
    ("项目支出", ["项目支出"]),
    ("人员经费", ["人员经费", "人员支出"]),
    ("公用经费", ["日常公用经费", "公用经费支出", "公用经费"]),
    ("支出", ["年度总支出", "总支出", "基金支出", "本年支出", "支出合计", "全年支出", "支出决算", "支出"]),
    ("当期结余", ["当期结余", "当年结余", "本年结余", "年终结余", "年末结余", "当期亏损", "基金结余"]),
    ("累计结余", ["年末累计结余", "累计结余", "滚存结余", "结转和结余", "结转结余"]),
    ("资产", ["资产总计", "资产总额", "年末资产", "资产"]),
    ("负债", ["负债总计", "负债总额", "负债"]),
    ("支出户存款", ["支出户存款"]),
    ("财政专户存款", ["财政专户存款"]),
    ("银行存款", ["银行存款"]),
    ("暂付款", ["暂付款"]),
    ("暂收款", ["暂收款"]),
    ("固定资产", ["固定资产"]),
    ("年初预算", ["年初预算"]),
    ("全年预算", ["全年预算数", "全年预算", "预算安排经费总额", "预算安排数", "预算安排"]),
    ("追加预算", ["年中调整追加预算", "调整追加预算", "追加预算"]),
    ("压减预算", ["压减预算"]),
    ("预算", ["预算数", "预算支出", "预算"]),
    ("执行数", ["执行数", "决算数", "实际支出数", "实际支出"]),
    ("增减", ["同比增长", "同比减少", "增长", "增幅", "增加", "减少率", "减少", "下降", "降幅", "降低", "增减"]),
    ("占比", ["占比", "比重", "占"]),
    ("参保人数", ["参保人数", "参保实际缴费人数", "参保缴费人数", "缴费人数"]),
    ("在职参保人数", ["在职"]),
    ("退休参保人数", ["退休"]),
    ("编制数", ["编制"]),
    ("实有人数", ["实有在职人员", "实有编制", "实有", "年末职工人数", "在职在册职工"]),
    ("享受待遇人次", ["享受待遇人次", "享受待遇", "待遇人次", "享受医疗待遇", "享受生育津贴待遇", "待遇享受",
                "享受住院就医", "享受生育人次", "门诊享受", "住院享受"]),
    ("医保支付", ["医保支付", "基金支付"]),
    ("医疗总费用", ["医疗总费用", "总费用"]),
    ("得分", ["自评得分", "得分", "总分"]),
    ("起付线", ["起付线"]),
    ("封顶线", ["封顶线"]),
    ("违规医疗机构", ["存在违规行为的定点医疗机构", "存在违规行为的医疗机构", "违规行为的定点医疗机构",
                "违规行为的医疗机构", "违规的定点医疗机构", "违规的医疗机构", "违规定点医疗机构", "违规医疗机构"]),
    ("违规医药机构", ["存在违规行为的定点医药机构", "违规行为的定点医药机构", "违规的定点医药机构", "违规定点医药机构",
                "违规医药机构"]),
    ("违规零售药店", ["存在违规行为的定点零售药店", "违规的定点零售药店", "违规定点零售药店", "违规零售药店",
                "违规定点药店", "违规药店"]),
    (TO_LEVEL, ["降低至", "降低到", "降至", "提高到", "提高至", "提高了", "调整至", "调整为", "增加到", "增至"]),
    ("补助资金", ["补助资金", "救助资金", "资助金额", "资助缴费", "代缴资金", "资助", "代缴"]),
]


_TOKEN: Final = re.compile(r"(?:\(\?:([^()]*)\)|\[([^\]]*)\]|\\(.)|([^?]))(\?)?")


def _expand(pattern: str) -> list[str]:
    """All strings a flat pattern spells: ``(?:a|b)``, ``(?:a)?``, ``[xy]`` and literal characters."""
    forms = [""]
    for m in _TOKEN.finditer(pattern):
        group, cls, escaped, char, optional = m.groups()
        if group is not None:
            options = group.split("|")
        elif cls is not None:
            options = list(cls)
        else:
            options = [escaped if escaped is not None else char]
        if optional:
            options.append("")
        forms = [f + o for f in forms for o in options]
    return forms


def _trie_pattern(words: list[str]) -> str:
    """A regular expression matching exactly ``words``, longest first at each position (a trie)."""
    trie: dict[str, Any] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        alts = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:
            return f"(?:{body})?"
        return body

    return emit(trie)


def compile_terms(terms: list[tuple[T, list[str]]]) -> tuple[re.Pattern[str], dict[str, T]]:
    """One trie-shaped expression over every written form; written form ↦ what it names.

    A trie rather than an alternation of ~600 forms keeps the scan fast (each position fails on
    its first character); at a position the longest form wins; the first meaning listed wins
    a form spelt by two of them.
    """
    meaning: dict[str, T] = {}
    for name, patterns in terms:
        for pattern in patterns:
            for form in _expand(pattern):
                meaning.setdefault(form, name)
    return re.compile(_trie_pattern(list(meaning))), meaning


def _compile(terms: list[tuple[str, list[str]]]) -> tuple[re.Pattern[str], dict[str, str]]:
    return compile_terms(terms)


SUBJECT_RE, SUBJECT_OF = _compile([(n, pats) for n, _, pats in SUBJECT_TERMS])
ITEM_RE, ITEM_OF = _compile([(n, [re.escape(p) for p in pats]) for n, pats in ITEM_TERMS])
