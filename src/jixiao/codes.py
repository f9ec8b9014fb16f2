"""The catalogue of problem codes: every code jixiao reports, once, with what it means.

A code never changes meaning; a new rule gets a new code. Families:

* ``JX-IN-*``  a data file (YAML, JSON) or the data it holds;
* ``JX-WB-*``  a filled-in workbook (named by sheet and cell);
* ``JX-WEB-*`` an upload on the web that does not fit where it was sent;
* ``JX-ST-*``  a figure a report states, against the one computed from its data;
* ``JX-W-*``   a fund or department risk warning (the rule sets' rules carry these codes);
* ``JX-S-*``   a note of the 自评表 scorer (weights, targets, actual values);
* ``JX-RPT-*`` a note on the reports written (a unit not in the unit table, a part with no report,
  what is left to fill in or to check — the working paper lists them);
* ``JX-BAL-*`` … ``JX-RND-*``: an inconsistency the audit of a report finds.

``docs/codes.md`` is made from this table (``python -m jixiao.codes > docs/codes.md``; a test
keeps it current), and a test finds every code written anywhere in the sources here.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    code: str
    family: str  # the Chinese name of the family
    title: str  # what the problem is, in a few words
    meaning: str = ""  # when it is reported, when the title does not say it all


_IN = "数据文件"
_WB = "填报工作簿"
_WEB = "网页上传"
_ST = "报告所述数"
_W = "风险预警"
_S = "自评表评分"
_AU = "报告审核"
_RPT = "报告生成"

CATALOGUE: tuple[Code, ...] = (
    Code("JX-IN-001", _IN, "文件无法读取", "不存在、是目录、过大、扩展名不对或不是 UTF-8 编码"),
    Code("JX-IN-002", _IN, "语法错误", "YAML 或 JSON 写法有误（缩进、冒号、引号……），指出行和列"),
    Code("JX-IN-003", _IN, "字段取值不对", "缺少必填字段、未知字段、类型或取值范围不对、数值无法识别"),
    Code("JX-IN-004", _IN, "文件为空或结构不对",
         "顶层应为键值表（units / fund_years / fund_periods / departments / projects）"),
    Code("JX-IN-005", _IN, "字段重复", "同一层写了两次同一个字段（YAML 会只留后一个），指出两处的行"),
    Code("JX-IN-006", _IN, "文件结构超出上限", "别名（&锚点、*引用）展开过大或嵌套过深，拒绝读取"),
    Code("JX-IN-010", _IN, "分项大于总数"),
    Code("JX-IN-011", _IN, "分项之和超过总数", "警告：各分项相加超过合计"),
    Code("JX-IN-012", _IN, "数值大得不合常理", "常见原因：把“元”填成了“万元”"),
    Code("JX-IN-013", _IN, "人数、人次不是整数"),
    Code("JX-IN-014", _IN, "所述数值无法识别", "stated 中的数写法无法解析"),
    Code("JX-IN-020", _IN, "单位代码未定义", "记录所属单位既不在本批文件中，也不在数据库中"),
    Code("JX-IN-021", _IN, "记录重复", "同一单位、年度、险种（项目）在一批文件中出现两次"),
    Code("JX-IN-022", _IN, "上级单位关系有误", "上级单位不存在，或上下级关系形成循环"),
    Code("JX-IN-030", _IN, "期间写法不对",
         "期间应写成 1-6（1至6月累计）、6（6月当月）或 4-6（二季度），月份在 1–12 之间"),
    Code("JX-IN-031", _IN, "期间数与年度数（或各期之和）不符",
         "警告：1-12月累计数与年度数不符，或几个期间相加与覆盖同样月份的数不符（按书写精度比较；快报数常在决算时调整）"),
    Code("JX-IN-032", _IN, "累计数减少", "同一年度中较晚月份的累计收入或支出小于较早月份的，意味着某月为负数"),
    Code("JX-IN-041", _IN, "该年度数据已提交或已审核通过",
         "提交审核期间和审核通过后数据不能修改，整批文件未导入；须先撤回或由审核员退回"),
    Code("JX-WB-001", _WB, "无法作为 .xlsx 工作簿打开"),
    Code("JX-WB-002", _WB, "多出的工作表", "这种填报表不应有的工作表"),
    Code("JX-WB-003", _WB, "缺少工作表", "这种填报表必须有的工作表"),
    Code("JX-WB-004", _WB, "表头与模板不符", "表头被改动或列的顺序被调换"),
    Code("JX-WB-005", _WB, "行标签不是本表的栏目"),
    Code("JX-WB-006", _WB, "单元格内容不合要求", "数值栏填了文字、日期、逻辑值，或公式没有计算结果"),
    Code("JX-WB-007", _WB, "不属于任何记录的行或值", "未知的险种列、项目或记录"),
    Code("JX-WB-008", _WB, "重复", "指标行、指标代码、项目名称或标签重复"),
    Code("JX-WB-009", _WB, "分值或得分有误", "分值合计不是 100，或得分大于分值"),
    Code("JX-WB-010", _WB, "必填单元格为空", "单位代码、年度、险种等"),
    Code("JX-WB-011", _WB, "工作簿超出处理上限", "解压后过大、单元格过多或部件过多，打开前即拒绝"),
    Code("JX-WB-020", _WB, "按显示读取的数", "提示：按单元格显示的小数位或另一计量单位读取（如 7.42亿元）"),
    Code("JX-WEB-001", _WEB, "工作簿的单位与当前单位不符", "上传到某单位的工作簿写的是另一个单位"),
    Code("JX-ST-001", _ST, "所述数与计算值不符", "按书写精度，报告所述的数不可能由所列数据算出"),
    Code("JX-ST-002", _ST, "所述数无法核对", "指标不可计算、所述数无法识别，或指标未知"),
    Code("JX-W-001", _W, "职工医保统筹基金累计结余可支付月数过低或过高"),
    Code("JX-W-002", _W, "生育保险基金累计结余可支付月数过低或过高"),
    Code("JX-W-003", _W, "当期赤字", "当期收不抵支"),
    Code("JX-W-004", _W, "城乡居民医保当年结余率偏离合理区间"),
    Code("JX-W-005", _W, "收入增速低于支出增速"),
    Code("JX-W-006", _W, "基金收入预算执行偏离"),
    Code("JX-W-007", _W, "基金支出预算执行偏离"),
    Code("JX-W-008", _W, "基金收入执行进度偏离序时进度", "累计收入预算执行率与序时进度之差超出规则集的区间"),
    Code("JX-W-009", _W, "基金支出执行进度偏离序时进度", "累计支出预算执行率与序时进度之差超出规则集的区间"),
    Code("JX-W-010", _W, "预计全年收不抵支", "按已过月份推算的全年收入低于全年支出"),
    Code("JX-W-101", _W, "部门预算完成率偏低"),
    Code("JX-W-102", _W, "“三公”经费增加"),
    Code("JX-W-103", _W, "“三公”经费超预算"),
    Code("JX-W-104", _W, "在职人员超编"),
    Code("JX-W-105", _W, "追加预算占年初预算比例大"),
    Code("JX-S-001", _S, "分值合计不对", "已填分值超过一级指标权重，或分值合计不是 100"),
    Code("JX-S-002", _S, "分值按权重平均分配", "表中未写分值，按一级指标权重平均分给各行"),
    Code("JX-S-003", _S, "未达满分而未写偏差原因"),
    Code("JX-S-004", _S, "目标可能设定偏低", "实际完成值是目标值的许多倍"),
    Code("JX-S-005", _S, "目标与实际的单位不可比"),
    Code("JX-S-006", _S, "实际完成值写成了界限", "应填写实际达到的数值，而不是“≥95%”之类"),
    Code("JX-S-007", _S, "预算数与执行数不一致", "执行数大于预算数、分项之和与总数不符，或所述执行率不符"),
    Code("JX-S-008", _S, "预算执行率偏低"),
    Code("JX-S-009", _S, "未填写实际完成值", "按 0 分计"),
    Code("JX-S-010", _S, "一级指标无法归类"),
    Code("JX-S-011", _S, "此行不另计分", "指标属于另行计分的部分（如预算执行率）"),
    Code("JX-S-012", _S, "定性指标看不出是否达成", "暂按规则集的档次计分，请评价人选定"),
    Code("JX-S-013", _S, "表中得分与按规则计算的不同"),
    Code("JX-S-014", _S, "表中缺少某一级指标", "其权重按规则分给其余一级指标"),
    Code("JX-S-015", _S, "未填写指标性质", "未写 =、≥、≤ 或定性"),
    Code("JX-S-016", _S, "预算执行率不可计算", "该项未计分"),
    Code("JX-S-017", _S, "分值或得分不是数值"),
    Code("JX-S-020", _S, "部门指标不可计算", "该项未计分"),
    Code("JX-RPT-001", _RPT, "单位不在单位表中", "报告中单位名称留待填写，自评表按默认规则集评分；请一并载入单位表"),
    Code("JX-RPT-002", _RPT, "没有数据的部分不生成报告", "如只有基金收入而无基金支出，不生成基金支出绩效自评报告"),
    Code("JX-RPT-003", _RPT, "数据与计算不一致", "录入数与按所列数计算的不同：报告未写该数，或按计算写入；见审核底稿"),
    Code("JX-RPT-004", _RPT, "报告留有待填写事项", "数据中没有的文字（工作成效、改进措施等）；清单见审核底稿"),
    Code("JX-BAL-001", _AU, "收支结余不符", "收入 − 支出 ≠ 当期（当年）结余"),
    Code("JX-BAL-002", _AU, "资产负债与结余不符", "资产 − 负债 ≠ 累计结余（净资产）"),
    Code("JX-BAL-003", _AU, "年初、本期与年末（滚存）数不符", "年初数 + 本期增减 ≠ 年末（全年）数"),
    Code("JX-BAL-004", _AU, "当期结余率不符", "当期结余 ÷ 收入 ≠ 结余率"),
    Code("JX-BAL-005", _AU, "累计结余可支付月数不符", "累计结余 ÷（期内支出 ÷ 期内月数）≠ 可支付月数"),
    Code("JX-SUM-001", _AU, "分项之和与合计不符", "分项多于合计，或完整分项少于合计"),
    Code("JX-SUM-002", _AU, "分项大于合计"),
    Code("JX-SUM-003", _AU, "所列分项（含其他）少于合计", "警告：可能漏列分项"),
    Code("JX-SUM-004", _AU, "功能分类类级合计与项级明细不符", "项级金额之和超过类级合计"),
    Code("JX-SUM-005", _AU, "合计增减额与分项增减额之和不符"),
    Code("JX-SUM-006", _AU, "自评表预算数与执行数口径不一", "执行数为几项基金支出之和，预算数不是其预算之和"),
    Code("JX-SHR-001", _AU, "占比不符", "占比与所列数额不符"),
    Code("JX-CMP-001", _AU, "完成率（执行率、控制率）不符"),
    Code("JX-CMP-002", _AU, "完成率为0而支出不为0"),
    Code("JX-CHG-001", _AU, "增减率与增减额不符", "或与两年数额不符"),
    Code("JX-CHG-002", _AU, "增减额与两年数额不符"),
    Code("JX-PCP-001", _AU, "人均数不符", "人均（次均）数与总额、人数不符"),
    Code("JX-DUP-001", _AU, "同一数额前后不一致", "同一数额在两处写法不同"),
    Code("JX-RND-001", _AU, "仅按截尾取数成立", "提示：只有按截尾（非四舍五入）才成立"),
    Code("JX-SCR-001", _AU, "自评表总分与各项得分之和不符", "或分值合计与各项分值之和不符"),
    Code("JX-TYP-001", _AU, "数额单位笔误", "单位写错（如“万万元”，或同列分项中一项误写为亿元），该数不参与计算"),
    Code("JX-TYP-002", _AU, "数字笔误", "文号括号缺失被读成数字、期间缺字等改变含义的笔误，该数不参与计算"),
    Code("JX-AMB-001", _AU, "存在两种读法", "提示：同一数额有两种读法，一种成立、一种不成立，请核对"),
)

CODES: dict[str, Code] = {c.code: c for c in CATALOGUE}


def title_of(code: str) -> str:
    """The Chinese title of ``code`` (the code itself when a rule file made one up)."""
    found = CODES.get(code)
    return found.title if found is not None else code


def markdown() -> str:
    """The catalogue as a Markdown table, one section per family."""
    lines = ["# jixiao 问题代码", "",
             "每个代码含义固定；新规则用新代码。本文件由 `python -m jixiao.codes > docs/codes.md` 生成。", ""]
    families: dict[str, list[Code]] = {}
    for c in CATALOGUE:
        families.setdefault(c.family, []).append(c)
    for family, codes in families.items():
        lines += [f"## {family}", "", "| 代码 | 含义 | 说明 |", "| --- | --- | --- |"]
        lines += [f"| `{c.code}` | {c.title} | {c.meaning} |" for c in codes]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(markdown())
