"""Relations and interval checks on small hand-written paragraphs (one rule per test)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from jixiao.audit.document import Block, Document
from jixiao.audit.findings import CODES, DocumentResult, Finding, exit_code, results_to_json
from jixiao.audit.pipeline import audit_document


def doc_of(*lines: str) -> Document:
    blocks = [Block(text=t, line=i, source_text=t) for i, t in enumerate(lines, 1)]
    return Document(path="hand.txt", format="txt", blocks=blocks, original_text="\n".join(lines),
                    chars=sum(len(t) for t in lines))


def audit(*lines: str) -> DocumentResult:
    return audit_document(doc_of(*lines))


def codes(result: DocumentResult, severity: str = "error") -> list[str]:
    return [f.code for f in result.findings if f.severity == severity]


# ---- balance -------------------------------------------------------------------------------

def test_balance_error_names_the_right_value() -> None:
    r = audit("城乡居民医疗保险基金收入26773万元，基金支出24624万元，基金当期结余569万元。")
    [f] = [f for f in r.findings if f.code == "JX-BAL-001"]
    assert f.severity == "error"
    assert (f.stated, f.expected, f.line) == ("569", "2149", 1)
    assert f.message == "收入26773万元减支出24624万元应为2149万元，文中当期结余为569万元"


def test_balance_correct_within_rounding_is_not_an_error() -> None:
    # 355212 − 268747 = 86465; each figure ±0.5, so 86466 is possible
    r = audit("2019年，基金总收入355212万元，总支出268747万元，当年结余86466万元。")
    assert r.findings == []
    assert r.checks >= 1


def test_balance_deficit_written_as_loss() -> None:
    assert codes(audit("基金总收入319286万元，同比增长3.69%，总支出328340万元，当期亏损9054万元。")) == []
    assert codes(audit("基金总收入319286万元，总支出328340万元，当期亏损9154万元。")) == ["JX-BAL-001"]


def test_assets_minus_liabilities() -> None:
    ok = audit("基金资产总计619029万元。负债总计58246万元，全部为暂收款。基金累计结余560783万元。")
    bad = audit("基金资产总计619029万元。负债总计58246万元，全部为暂收款。基金累计结余561783万元。")
    assert codes(ok) == [] and codes(bad) == ["JX-BAL-002"]


def test_rollover_start_plus_additions() -> None:
    line = "年初预算655.56万元，调整追加预算270.61万元，一般公共预算全年收入{}万元，支出914.17万元。"
    assert codes(audit(line.format("926.17"))) == []
    assert "JX-BAL-003" in codes(audit(line.format("936.17")))


# ---- sums ----------------------------------------------------------------------------------

def test_sum_parts_exceeding_total_is_an_error_but_a_short_partial_list_is_not() -> None:
    over = audit("列入补助范围人数为128912人（其中：机关单位34073人、事业单位94893人）。")
    short = audit("基金收入27034万元，其中：个人缴费收入8186万元，利息收入163万元，其他收入98万元。")
    assert codes(over) == ["JX-SUM-001"]
    assert codes(short) == []


def test_part_larger_than_total() -> None:
    r = audit("基金支出22275万元,其中医疗保险待遇支出26465万元，商保大病保费支出1476万元。")
    assert codes(r) == ["JX-SUM-002"]


def test_two_rounded_parts_may_be_one_off() -> None:
    r = audit("总支出268747万元（其中统筹基金支出150719万元；个人账户基金支出118027万元）。")
    assert codes(r) == []


def test_exhaustive_split_falling_short_is_an_error() -> None:
    r = audit("代缴资金397.47万元，其中:省级代缴资金136.78万元，县级代缴251.20万元。")
    [f] = r.findings
    assert (f.code, f.expected) == ("JX-SUM-001", "387.98")


def test_nested_parts_and_subtotals_are_understood() -> None:
    r = audit("单位年度总支出1562.46万元，其中：项目支出353.11万元，基本支出1209.35万元，人员支出874.09万元，"
              "公用经费支出335.26万元，三公经费17.79万元，公务接待费10.79万元，公车维护费7万元。")
    assert codes(r) == []


def test_negative_parts() -> None:
    ok = audit("调整追加预算270.61万元（其中压减预算26.58，追加预算297.19）。")
    bad = audit("调整追加预算270.61万元（其中压减预算26.58，追加预算299.19）。")
    assert codes(ok) == [] and codes(bad) == ["JX-SUM-001"]


def test_total_after_parts() -> None:
    bad = audit("省级财政预拨的136.78万元于12月转入，县级代缴资金260.69万元于2月转入。省县两级共代缴的资金394.47万元。")
    assert codes(bad) == ["JX-SUM-001"]


# ---- shares, completion, change, per capita ------------------------------------------------

def test_share_of_list_total() -> None:
    ok = audit("本年支出合计747.1万元，其中：基本支出255.34万元，占34.18%；项目支出491.76万元，占65.82%。")
    bad = audit("本年支出合计747.1万元，其中：基本支出255.34万元，占36.18%；项目支出491.76万元，占65.82%。")
    assert codes(ok) == []
    [f] = bad.findings
    assert (f.code, f.stated, f.expected) == ("JX-SHR-001", "36.18", "34.18")


def test_completion_with_inline_budget_and_control_rate() -> None:
    assert codes(audit("支出268747万元，完成预算335413万元的80.12%。")) == []
    assert codes(audit("支出268747万元，完成预算335413万元的82.12%。")) == ["JX-CMP-001"]
    assert codes(audit("“三公”经费预算安排数29.32万元，实际支出数为6.73万元，控制率为22.95%。")) == []
    assert codes(audit("“三公”经费预算安排数29.32万元，实际支出数为6.73万元，控制率为23.95%。")) == ["JX-CMP-001"]


def test_growth_rate_from_change() -> None:
    assert codes(audit("基金收入74200万元，较上年增加6284万元，增长9.25%。")) == []
    bad = audit("基金收入74200万元，较上年增加6284万元，增长9.75%。")
    [f] = bad.findings
    assert (f.code, f.expected) == ("JX-CHG-001", "9.25")
    assert "上年应为67916万元" in f.message


def test_truncated_rate_is_info_not_error() -> None:
    r = audit("基金支出65884万元，较上年减少994万元，降幅1.48%。")
    [f] = r.findings
    assert (f.code, f.severity, f.expected) == ("JX-RND-001", "info", "1.49")


def test_change_against_both_years() -> None:
    r = audit("2019年财政拨款收入760.35万元，比2018年财政拨款收入1651.24万元减少了904.89万元，减少率为117.17%。")
    assert sorted(codes(r)) == ["JX-CHG-001", "JX-CHG-002"]
    by_code = {f.code: f for f in r.findings}
    assert by_code["JX-CHG-002"].expected == "890.89"
    assert by_code["JX-CHG-001"].expected == "53.95"


def test_growth_rate_alone_is_not_checked() -> None:
    r = audit("基金总收入151661万元，比上年增长1.28%。")
    assert r.findings == [] and r.checks == 0


def test_per_capita() -> None:
    line = "贫困人口18067人，按一档缴费{}元/人的标准由财政全额资助缴费，应资助缴费397.47万元。"
    assert codes(audit(line.format("220"))) == []
    assert codes(audit(line.format("250"))) == ["JX-PCP-001"]


def test_targets_are_not_relations() -> None:
    r = audit("其他收入13.81万元（占比10%以上需列出具体项目和金额），满意度≥95%，完成预算90%以上。")
    assert r.findings == []


# ---- the same quantity twice ---------------------------------------------------------------

def test_same_figure_twice_with_two_values() -> None:
    r = audit("2019年一般公共预算财政拨款支出746.35万元，占本年支出合计的99.9%。",
              "2019年一般公共预算财政拨款支出747.1万元，主要用于以下方面。")
    [f] = r.findings
    assert (f.code, f.line, f.stated, f.expected) == ("JX-DUP-001", 2, "747.1", "746.35")


def test_same_figure_at_two_precisions_is_fine() -> None:
    r = audit("2018年末资产总额241.46万元。", "2018年末资产总额241万元。")
    assert r.findings == []


# ---- records and JSON ----------------------------------------------------------------------

def test_every_code_has_a_kind_and_a_chinese_title() -> None:
    assert len(CODES) >= 12
    for code, (kind, title) in CODES.items():
        assert code.startswith("JX-") and kind and any("\u4e00" <= ch <= "\u9fff" for ch in title)


def test_json_shape_and_exit_codes() -> None:
    f = Finding(code="JX-SUM-001", severity="error", message="m", stated="1", expected="[2, 3]",
                quote="q", line=3)
    ok = DocumentResult(path="a.txt", chars=10, facts=2, checks=1)
    bad = DocumentResult(path="b.txt", chars=10, facts=2, checks=1, findings=[f])
    unreadable = DocumentResult(path="c.docx", error="坏文件")
    payload = json.loads(json.dumps(results_to_json([ok, bad, unreadable])))
    assert [d["path"] for d in payload["documents"]] == ["a.txt", "b.txt"]
    assert set(payload["documents"][1]) == {"path", "chars", "facts", "checks", "findings"}
    assert payload["documents"][1]["findings"][0] == {
        "code": "JX-SUM-001", "kind": "sum", "severity": "error", "line": 3, "page": None,
        "stated": "1", "expected": "[2, 3]", "quote": "q", "message": "m"}
    assert exit_code([ok]) == 0 and exit_code([ok, bad]) == 1 and exit_code([bad, unreadable]) == 2


@pytest.mark.parametrize("value", ["0.5", "12.35", "74200"])
def test_expected_is_a_decimal_string(value: str) -> None:
    r = audit(f"基金收入{value}万元，其中：甲收入{Decimal(value) * 2}万元，乙收入1万元。")
    for f in r.findings:
        Decimal(f.stated)
        assert f.expected.startswith("[") or Decimal(f.expected) is not None


# ---- functional classification: 类 total vs its 项 amounts (JX-SUM-004) ----------------------

CLASS_TOTAL = ("2019年财政拨款支出300万元，主要用于：社会保障和就业（类）支出{total}万元；"
               "农林水支出（类）支出{farm}万元。")
CLASS_DETAIL = ("1.社会保障和就业（类）人力资源和社会保障管理事务（款）行政运行（项）："
                "支出决算为200.57万元，完成预算100%；"
                "社会保险经办机构（项）：支出决算为5.23万元，完成预算100%；行政事业单位离退休（款）"
                "机关事业单位基本养老保险缴费支出（项）18.29万元，完成预算100%。")
FARM_DETAIL = "2.农林水支出（类）扶贫（款）社会发展（项）：支出决算为75.91万元，完成预算100%。"


def test_class_total_below_its_items_elsewhere_is_an_error() -> None:
    r = audit(CLASS_TOTAL.format(total="210.05", farm="75.91"), "说明。", CLASS_DETAIL, FARM_DETAIL)
    [f] = [f for f in r.findings if f.code == "JX-SUM-004"]
    assert (f.severity, f.line, f.stated, f.expected) == ("error", 1, "210.05", "224.09")
    assert "200.57万元+5.23万元+18.29万元合计为224.09万元" in f.message
    assert codes(r) == ["JX-SUM-004"]


def test_class_total_matching_its_items_within_rounding_is_fine() -> None:
    r = audit(CLASS_TOTAL.format(total="224.1", farm="75.9"), CLASS_DETAIL, FARM_DETAIL)
    assert codes(r) == []
    assert r.checks >= 2


def test_class_items_falling_short_may_be_an_incomplete_list() -> None:
    # a 项 may stand on a line the numbered item does not reach: falling short is not an error
    r = audit(CLASS_TOTAL.format(total="300", farm="75.91"), CLASS_DETAIL, FARM_DETAIL)
    assert "JX-SUM-004" not in codes(r)


def test_class_rule_needs_the_same_name_and_one_figure_per_item() -> None:
    # 社会保障和就业支出 is not written 社会保障和就业（类）: no reading
    r = audit("2019年支出300万元，其中社会保障和就业支出210.05万元。", CLASS_DETAIL)
    assert "JX-SUM-004" not in codes(r)
    # a 项 with a budget and an outturn: which one adds up is unclear, so the item is not read
    two = CLASS_DETAIL.replace("支出决算为5.23万元", "预算数6万元，支出决算为5.23万元")
    r = audit(CLASS_TOTAL.format(total="210.05", farm="75.91"), two)
    assert "JX-SUM-004" not in codes(r)
    # the total and its items in the same numbered line are read by the list rules, not this one
    r = audit("1.社会保障和就业（类）支出210.05万元，行政运行（项）200.57万元；社会保险经办机构（项）18.29万元。")
    assert "JX-SUM-004" not in codes(r)


# ---- a 自评表's 预算数 vs the text's expenditure budget (JX-DUP-001) ----------------------------

def self_evaluation(tmp_path: Any, text_budget: str, table_budget: str,
                    title: str = "医疗保险支出绩效自评表", outturn: str = "268747",
                    more_text: tuple[str, ...] = ()) -> DocumentResult:
    from jixiao.audit.pipeline import audit_path
    lines = [
        "2019年基本医疗保险收入355212万元，完成预算360240万元的98.6%。"
        f"支出268747万元，完成预算{text_budget}万元的80.12%。",
        *more_text,
        "",
        title,
        "(2019年度)",
        "单位：万元",
        "项目名称\t\t自治区本级医疗生育保险基金支出\t\t\t",
        "社会保险基金预算支出部门\t\t自治区医疗保障局\t\t\t",
        f"预算执行情况\t预算数：\t{table_budget}\t执行数：\t{outturn}\t",
        f"\t其中：医疗保险基金\t{table_budget}\t其中：医疗保险基金\t{outturn}\t",
    ]
    path = tmp_path / "self.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = audit_path(path)
    assert r.error is None
    return r


def test_table_budget_one_digit_off_the_text_budget_is_an_error(tmp_path: Any) -> None:
    r = self_evaluation(tmp_path, "335413", "335412")
    [f] = [f for f in r.findings if f.severity == "error"]
    assert (f.code, f.line, f.stated, f.expected) == ("JX-DUP-001", 8, "335412", "335413")
    assert "自评表预算数为335412万元" in f.message


@pytest.mark.parametrize("table_budget", ["335413", "360751", "300000"])
def test_table_budget_equal_or_of_another_scope_is_not_an_error(tmp_path: Any, table_budget: str) -> None:
    # equal: fine; far off (360751 = 职工 + 生育, or another figure): may be another scope
    assert codes(self_evaluation(tmp_path, "335413", table_budget)) == []


def test_table_budget_of_an_income_table_is_not_compared(tmp_path: Any) -> None:
    from jixiao.audit.pipeline import audit_path
    lines = ["2019年基本医疗保险支出268747万元，完成预算335413万元的80.12%。", "", "医疗保险收入情况表",
             "单位：万元", "项目名称\t\t自治区本级医疗保险基金收入\t\t\t",
             "预算执行情况\t预算数：\t335412\t执行数：\t268747\t"]
    path = tmp_path / "income.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert codes(audit_path(path)) == []
    # the same table about an expenditure is compared
    path.write_text("\n".join(lines).replace("收入情况表", "支出绩效自评表").replace("基金收入", "基金支出") + "\n",
                    encoding="utf-8")
    assert codes(audit_path(path)) == ["JX-DUP-001"]


# ---- changes of parts add up like the parts (JX-SUM-005) ---------------------------------------

CHANGE_SPLIT = ("2019年职工医保基金总支出268747万元，与上年同期相比减少{total}万元，降低{rate}%"
                "（其中统筹基金支出150719万元，与上年同期相比减少1401万元，降低0.92%；"
                "个人账户基金支出118027万元，与上年同期相比降低7106万元，降低5.68%）。")


def test_change_of_a_total_must_be_the_sum_of_its_parts_changes() -> None:
    # 统筹 −1401 + 个账 −7106 = −8507, yet the total fell by 6136 (2.23% of 274883 is itself right)
    r = audit(CHANGE_SPLIT.format(total="6136", rate="2.23"))
    [f] = [f for f in r.findings if f.severity == "error"]
    assert (f.code, f.line, f.stated, f.expected) == ("JX-SUM-005", 1, "6136", "8507")
    assert "统筹基金支出减少1401万元、个人账户基金支出减少7106万元，合计应减少8507万元" in f.message


def test_change_of_a_total_within_rounding_of_its_parts_changes_is_fine() -> None:
    # 1401 + 7106 = 8507; 8508 is within the three half-units of the written figures
    r = audit(CHANGE_SPLIT.format(total="8508", rate="3.07"))
    assert codes(r) == []
    assert r.checks >= 4


def test_changes_of_a_partial_list_are_not_added_up() -> None:
    # 其中 names one part only: its change need not match the total's
    r = audit("2019年基金总支出268747万元，较上年减少6136万元（其中统筹基金支出150719万元，较上年减少1401万元）。")
    assert "JX-SUM-005" not in codes(r)
    # a split by kind whose parts do not state their own change: nothing to add
    r = audit("2019年基金总支出268747万元，较上年减少6136万元（其中统筹基金支出150719万元；"
              "个人账户基金支出118027万元，较上年减少7106万元）。")
    assert "JX-SUM-005" not in codes(r)


def test_changes_in_opposite_directions_are_signed() -> None:
    # +300 − 100 = +200: a total that rose by 200 is right, one that fell by 200 is not
    ok = ("2019年基金总支出1000万元，较上年增加200万元（其中统筹基金支出600万元，较上年增加300万元；"
          "个人账户基金支出400万元，较上年减少100万元）。")
    assert codes(audit(ok)) == []
    [f] = [f for f in audit(ok.replace("较上年增加200", "较上年减少200")).findings if f.code == "JX-SUM-005"]
    assert (f.stated, f.expected) == ("200", "-200")


# ---- a completion rate of 0% beside a non-zero outturn (JX-CMP-002) ----------------------------

def test_zero_completion_with_money_spent_is_an_error() -> None:
    r = audit("其他卫生健康支出（项）支出决算为14万元，完成预算0%。该项资金暂未开始使用。")
    [f] = [f for f in r.findings if f.severity == "error"]
    assert (f.code, f.line, f.stated, f.expected) == ("JX-CMP-002", 1, "14", "0")
    assert "完成预算0%即未发生支出" in f.message


@pytest.mark.parametrize("line", [
    "其他卫生健康支出（项）支出决算为0万元，完成预算0%。",  # nothing spent: consistent
    "其他卫生健康支出（项）预算数14万元，完成预算0%。",  # the figure is the budget, not the outturn
    "支出决算为14万元，完成预算100%。",  # not zero
    "预算3000万元，支出决算为14万元，完成预算0%。",  # with its budget: 0.47% rounds to 0%
])
def test_zero_completion_near_misses(line: str) -> None:
    assert "JX-CMP-002" not in codes(audit(line))
    assert codes(audit(line)) == []


# ---- the same quantity stated twice (JX-DUP-001): unit totals and counts ---------------------

FISCAL_INCOME = ("2019年本年收入合计760.35万元，其中：一般公共预算财政拨款收入746.35万元，其他收入14万元。",
                 "2019年支出合计747.1万元。",
                 "2019年财政拨款收入{fiscal}万元，支出747.1万元。")


def test_fiscal_income_is_the_general_budget_one_when_no_other_budget_gives_any() -> None:
    r = audit(*FISCAL_INCOME[:2], FISCAL_INCOME[2].format(fiscal="760.35"))
    [f] = [f for f in r.findings if f.severity == "error"]
    assert (f.code, f.line, f.stated, f.expected) == ("JX-DUP-001", 3, "760.35", "746.35")
    assert "财政拨款收入即一般公共预算财政拨款收入" in f.message
    # stated with the other budgets at 0, still one quantity
    r = audit(*FISCAL_INCOME[:2], FISCAL_INCOME[2].format(fiscal="760.35"), "2019年政府性基金预算拨款收入0万元。")
    assert codes(r) == ["JX-DUP-001"]


def test_fiscal_income_near_misses() -> None:
    assert codes(audit(*FISCAL_INCOME[:2], FISCAL_INCOME[2].format(fiscal="746.35"))) == []
    # a unit with 政府性基金 money: its 财政拨款收入 is more than the 一般公共预算 part
    r = audit(*FISCAL_INCOME[:2], FISCAL_INCOME[2].format(fiscal="760.35"), "2019年政府性基金预算财政拨款收入14万元。")
    assert codes(r) == []


def test_liability_written_again_truncated_is_info() -> None:
    r = audit("部门名称：某医疗保险处\t年末资产总额：241.46 万元； 负债总额：5.49 万元",
              "年末资产 241 万元，其中银行存款 92 万元，固定资产 149 万元。负债 5.4 万元，为其他应付款。")
    [f] = r.findings
    assert (f.code, f.severity, f.line, f.stated, f.expected) == ("JX-RND-001", "info", 2, "5.4", "5.49")
    # 5.5 is 5.49 rounded: the same figure at two precisions
    r = audit("部门名称：某医疗保险处\t负债总额：5.49 万元", "负债 5.5 万元，为其他应付款。")
    assert r.findings == []
    # a digit apart at the same precision is an error
    r = audit("部门名称：某医疗保险处\t负债总额：5.49 万元", "负债 5.94 万元，为其他应付款。")
    assert codes(r) == ["JX-DUP-001"]


ENFORCEMENT = ("3月完成2018年度定点医药机构年度考核工作。"
               "专项行动中共查处存在违规行为的定点医疗机构14家，定点零售药店26家。",
               "四是持续保持高压态势。2019年在专项行动中，共检查医疗机构24家。严肃查处违规医疗机构{n}家。")


def test_enforcement_count_stated_twice_differently() -> None:
    r = audit("2019年度城乡居民医保工作总结。", ENFORCEMENT[0], ENFORCEMENT[1].format(n=15))
    [f] = [f for f in r.findings if f.severity == "error"]
    assert (f.code, f.line, f.stated, f.expected) == ("JX-DUP-001", 3, "15", "14")


def test_enforcement_count_near_misses() -> None:
    assert codes(audit("2019年度工作总结。", ENFORCEMENT[0], ENFORCEMENT[1].format(n=14))) == []
    # another year's campaign (the year opens its sentence): not the same count
    r = audit("2019年度工作总结（2019年）。", ENFORCEMENT[0],
              ENFORCEMENT[1].format(n=15).replace("2019年在", "2018年在"))
    assert codes(r) == []
    # funds named in their own sentences: two counts
    r = audit("2019年城乡居民医保专项行动中查处违规医疗机构14家。", "2019年职工医保专项行动中查处违规医疗机构15家。")
    assert codes(r) == []


# ---- a 自评表 row's 预算数 and 执行数 of one scope (JX-SUM-006) ---------------------------------

BIRTH_FUND = ("2019年区本级生育保险基金总收入19065万元，完成预算18506万元的103.02%。"
              "生育保险基金总支出20978万元，完成预算25338万元的82.79%。")


def two_fund_table(tmp_path: Any, budget: str, outturn: str) -> DocumentResult:
    return self_evaluation(tmp_path, "335413", budget, outturn=outturn, more_text=(BIRTH_FUND,))


def test_table_budget_of_one_fund_beside_the_outturn_of_two_is_an_error(tmp_path: Any) -> None:
    # 执行数 289724 ≈ 职工 268747 + 生育 20978 = 289725: the 预算数 should be 335413 + 25338
    r = two_fund_table(tmp_path, "335000", "289724")
    [f] = [f for f in r.findings if f.severity == "error"]
    assert (f.code, f.line, f.stated, f.expected) == ("JX-SUM-006", 9, "335000", "360751")
    assert "335413万元+25338万元=360751万元" in f.message


@pytest.mark.parametrize("budget,outturn", [
    ("360751", "289724"),  # both of the two funds: one scope
    ("360750", "289725"),  # within rounding of the two budgets (±1)
    ("335000", "268747"),  # both of one fund (a budget far off that one is another rule's, and left alone)
    ("335000", "289000"),  # the outturn is no sum of stated expenditures: the scope is unknown
])
def test_table_budget_scope_near_misses(tmp_path: Any, budget: str, outturn: str) -> None:
    assert "JX-SUM-006" not in codes(two_fund_table(tmp_path, budget, outturn))


def test_table_scope_in_an_html_table(tmp_path: Any) -> None:
    from jixiao.audit.pipeline import audit_path
    rows = ("<tr><td>项目名称</td><td colspan='4'>自治区本级医疗生育保险基金支出</td></tr>"
            "<tr><td>预算执行情况</td><td>预算数：</td><td>{b}</td><td>执行数：</td><td>289724</td></tr>")
    page = "\n".join(["<html><body>", "<p>2019年基本医疗保险支出268747万元，完成预算335413万元的80.12%。</p>",
                      f"<p>{BIRTH_FUND}</p>", "<p>自治区本级医疗保险支出绩效自评表</p>", "<p>单位：万元</p>",
                      "<table>{rows}</table>", "</body></html>"])
    path = tmp_path / "scope.html"
    path.write_text(page.format(rows=rows.format(b="335000")), encoding="utf-8")
    [f] = [f for f in audit_path(path).findings if f.severity == "error"]
    assert (f.code, f.stated, f.expected) == ("JX-SUM-006", "335000", "360751")
    path.write_text(page.format(rows=rows.format(b="360751")), encoding="utf-8")
    assert codes(audit_path(path)) == []


# ---- balances across the sentences and paragraphs of one section (the layout jixiao writes) --

#: the 职工 section of the fund report jixiao writes (write/narrative.py): 收入, 支出 and 当期结余
#: in three paragraphs, 资产减负债 in its own sentence; the 生育 section ends in a 收支缺口
SECTION = (
    "（一）职工基本医疗保险基金",
    "2019年末职工基本医疗保险基金资产总计619029万元，其中支出户存款289785万元，财政专户存款284620万元，"
    "暂付款44624万元；负债总计58246万元，其中暂收款58246万元；资产减负债{net}万元。",
    "2019年区本级职工基本医疗保险基金收入355212万元，完成年度预算360240万元的98.60%。",
    "基金支出268747万元，较上年减少6136万元，下降2.23%，完成年度预算335413万元的80.12%。",
    "基金当期结余{current}万元，当期结余率为24.34%，年末累计结余{closing}万元，累计结余可支付25.0个月。",
    "（二）生育保险基金",
    "2019年区本级生育保险基金收入19065万元，完成年度预算18506万元的103.02%。",
    "基金支出20978万元，较上年增加1313万元，增长6.68%，完成年度预算25338万元的82.79%。",
    "基金当期收不抵支，收支缺口{gap}万元，当期结余率为-10.03%，年末累计结余47043万元。",
)


def section(net: str = "560783", current: str = "86465", gap: str = "1913", closing: str = "560783") -> DocumentResult:
    return audit(*(line.format(net=net, current=current, gap=gap, closing=closing) for line in SECTION))


def test_balance_across_paragraphs_of_a_section_is_checked() -> None:
    r = section()
    assert codes(r) == []
    assert r.checks >= 9  # both balances, both 结余率, 资产减负债 and 年末累计结余 are checked
    # one 万元 past what the three rounded figures allow (355212 − 268747 = 86465 ± 1): caught
    [f] = [f for f in section(current="86467").findings if f.code == "JX-BAL-001"]
    assert (f.severity, f.line, f.stated, f.expected) == ("error", 5, "86467", "86465")
    assert f.message == "收入355212万元减支出268747万元应为86465万元，文中当期结余为86467万元"
    # right at the written precision: 86466 and 86464 may come from unrounded figures
    assert codes(section(current="86466")) == codes(section(current="86464")) == []


def test_deficit_written_as_a_gap_is_income_minus_expenditure() -> None:
    # 收支缺口 = 支出 − 收入 = 20978 − 19065 = 1913 (当期结余 −1913)
    [f] = [f for f in section(gap="1915").findings if f.code == "JX-BAL-001"]
    assert (f.severity, f.line, f.stated, f.expected) == ("error", 9, "1915", "-1913")
    assert "收支缺口为1915万元（即当期结余-1915万元）" in f.message
    assert codes(section(gap="1914")) == []  # within the rounding of 19065 and 20978
    assert "JX-BAL-001" in codes(section(gap="2913"))


def test_assets_minus_liabilities_written_as_such() -> None:
    [f] = [f for f in section(net="560785").findings if f.code == "JX-BAL-002"]
    assert (f.severity, f.line, f.expected) == ("error", 2, "560783")
    assert f.message == "资产619029万元减负债58246万元应为560783万元，文中资产减负债为560785万元"
    assert codes(section(net="560784")) == []


def test_flows_of_another_fund_year_or_section_are_not_used() -> None:
    # the paragraph in between is about another fund: whose 当期结余 this is, is unclear
    other_fund = audit("2019年职工基本医疗保险基金收入355212万元。", "2019年城乡居民基本医疗保险基金支出24624万元。",
                       "基金当期结余1万元。")
    other_year = audit("2019年职工基本医疗保险基金收入355212万元。", "2018年基金支出268747万元。",
                       "基金当期结余1万元。")
    # a heading starts another section: its 当期结余 does not take the flows above the heading
    other_section = audit("2019年职工基本医疗保险基金收入355212万元。", "基金支出268747万元。",
                          "（二）生育保险基金", "基金当期结余1万元。")
    # a cumulative 年末结余 is not income minus expenditure of earlier paragraphs
    cumulative = audit("2019年基金收入355212万元。", "基金支出268747万元。", "年末累计结余560783万元。")
    for r in (other_fund, other_year, other_section, cumulative):
        assert codes(r) == [] and r.checks == 0, r.findings
    # the same three paragraphs under one fund and year are checked
    assert codes(audit("2019年职工基本医疗保险基金收入355212万元。", "2019年职工基本医疗保险基金支出268747万元。",
                       "基金当期结余1万元。")) == ["JX-BAL-001"]


def test_a_balance_takes_the_flows_after_the_previous_balance() -> None:
    r = audit("2019年职工基金收入100万元，支出90万元，当期结余10万元。", "基金当期结余20万元。")
    assert codes(r) == [] and r.checks == 1  # the second 结余 has no flows of its own


def test_negative_balance_off_by_one_within_rounding() -> None:
    # 100 − 130 with each figure ±0.5 lies in [−31, −29]: −31 may be right (as seed 001's 86466),
    # −32 and a positive 31 cannot be
    line = "基金收入100万元，支出130万元，当期结余{}万元。"
    assert codes(audit(line.format("-31"))) == codes(audit(line.format("-30"))) == []
    assert codes(audit(line.format("-29"))) == []
    assert codes(audit(line.format("-32"))) == codes(audit(line.format("31"))) == ["JX-BAL-001"]
    assert codes(audit(line.format("-27"))) == ["JX-BAL-001"]
    assert codes(audit(line.format("-28")), "info") == ["JX-RND-001"]  # holds only if truncated


def test_eleven_digit_yuan_amount_is_not_a_phone_number() -> None:
    line = "2019年基金收入23000000000元，支出10000000000元，当期结余{}元。"
    assert codes(audit(line.format("13000000000"))) == []
    assert codes(audit(line.format("13000000001"))) == []  # within the rounding of the two 元 amounts
    [f] = audit(line.format("13000000002")).findings
    assert (f.code, f.stated, f.expected) == ("JX-BAL-001", "13000000002", "13000000000")
    # a phone number stays out of the figures (no unit after it)
    r = audit("联系电话13000000000，基金收入100万元，支出90万元，当期结余10万元。")
    assert codes(r) == [] and r.checks == 1


def test_closing_balance_after_the_balance_sheet_of_its_section() -> None:
    # 年末累计结余 three paragraphs after 资产总计 and 负债总计 of the same fund and year
    [f] = [f for f in section(closing="560785").findings if f.code == "JX-BAL-002"]
    assert (f.severity, f.line, f.expected) == ("error", 5, "560783")
    assert f.message == "资产619029万元减负债58246万元应为560783万元，文中年末累计结余为560785万元"
    assert codes(section(closing="560784")) == []
    # the 生育 section states assets but no liabilities: its 年末累计结余 is not checked against them
    lines = ["2019年末生育保险基金资产总计47043万元。", "2019年生育保险基金收入19065万元。", "年末累计结余1万元。"]
    assert codes(audit(*lines)) == []
    # nor across a heading, nor for another fund
    assert codes(audit("2019年末职工基金资产总计619029万元；负债总计58246万元。", "（二）生育保险基金",
                       "年末累计结余1万元。")) == []
    assert codes(audit("2019年末职工基金资产总计619029万元；负债总计58246万元。",
                       "2019年生育保险基金年末累计结余1万元。")) == []


def test_a_later_sentence_of_the_same_paragraph_about_another_fund_or_year_is_not_a_balance() -> None:
    flows = "2019年职工基金收入100万元，支出90万元。"
    assert codes(audit(flows + "2019年城乡居民基金当期结余50万元。")) == []
    assert codes(audit(flows + "2018年基金当期结余50万元。")) == []
    # the same fund and year, or a sentence naming none: the 当期结余 is checked
    assert codes(audit(flows + "基金当期结余50万元。")) == ["JX-BAL-001"]
    assert codes(audit(flows + "2019年职工基金当期结余50万元。")) == ["JX-BAL-001"]
    assert codes(audit(flows + "基金当期结余10万元。")) == []
