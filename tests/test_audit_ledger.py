"""The ledger binder and the audit's certainty on small documents written for these tests in the
genre (never copied from a corpus): each test is one pattern of how fund reports are written."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from jixiao.audit.ledger import ledger_facts
from jixiao.audit.ledger.periods import document_period, name_period
from jixiao.audit.pipeline import audit_bytes
from jixiao.audit.readers import read_document

Fact = tuple[str | None, str | None, int | None, str, Decimal]


def facts(text: str, tmp_path: Path, name: str = "report.txt") -> list[Fact]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return [(f.fund, f.item, f.year, f.span, f.value) for f in ledger_facts(read_document(str(path)))]


def findings(text: str, name: str = "report.txt") -> list[tuple[str, str]]:
    result = audit_bytes(text.encode("utf-8"), name)
    return [(f.code, f.severity) for f in result.findings]


def errors(text: str) -> list[str]:
    return [code for code, severity in findings(text) if severity == "error"]


def filed(got: list[Fact], value: str) -> list[tuple[str | None, str | None]]:
    return [(f, i) for f, i, _, _, v in got if v == Decimal(value)]


TWO_FUNDS = (
    "某县医疗保障局2023年度基金运行情况\n"
    "（一）城乡居民基本医疗保险\n"
    "2023年基金收入5000.00万元，基金支出4800.00万元，当期结余{res}万元。\n"
    "（二）城镇职工基本医疗保险\n"
    "2023年基金收入3000.00万元，基金支出2900.00万元，当期结余100.00万元。\n"
)


def test_each_heading_s_fund_keeps_its_own_figures(tmp_path: Path) -> None:
    got = facts(TWO_FUNDS.format(res="200.00"), tmp_path)
    assert filed(got, "5000.00") == [("城乡居民基本医疗保险", "基金收入合计")]
    assert filed(got, "3000.00") == [("职工基本医疗保险", "基金收入合计")]
    assert errors(TWO_FUNDS.format(res="200.00")) == []  # the same words under two funds are no repeat
    assert errors(TWO_FUNDS.format(res="210.00")) == ["JX-BAL-001"]


def test_a_bracket_s_fund_closes_with_the_bracket(tmp_path: Path) -> None:
    text = ("某市2022年职工基本医疗保险基金运行情况\n"
            "全年统筹基金收入4210.30万元（含生育保险收入615.20万元），个人账户收入1800.50万元，"
            "基金支出5600.00万元，当期结余410.80万元。\n")
    got = facts(text, tmp_path)
    assert filed(got, "615.20") == [("生育保险", "基金收入合计")]
    assert filed(got, "1800.50") == [("职工基本医疗保险个人账户", "基金收入合计")]
    assert filed(got, "5600.00")[0][0] != "生育保险"
    assert filed(got, "410.80")[0][0] != "生育保险"


def test_items_are_the_ledger_s_fine_items(tmp_path: Path) -> None:
    text = ("某县2024年城乡居民基本医疗保险基金决算\n"
            "全年基金收入9000.00万元，其中：个人缴费2500.00万元，财政补助收入6000.00万元，上级补助收入400.00万元，"
            "利息收入100.00万元。基金支出8800.00万元，其中：待遇支出8500.00万元，上解上级支出300.00万元。\n")
    got = facts(text, tmp_path)
    assert filed(got, "2500.00") == [("城乡居民基本医疗保险", "个人缴费")]
    assert filed(got, "6000.00") == [("城乡居民基本医疗保险", "财政补助收入")]
    assert filed(got, "400.00") == [("城乡居民基本医疗保险", "上级补助收入")]
    assert filed(got, "300.00") == [("城乡居民基本医疗保险", "上解上级支出")]
    assert errors(text) == []


def test_an_upward_transfer_larger_than_the_total_that_includes_it() -> None:
    text = ("某县2024年城乡居民基本医疗保险基金决算\n"
            "基金支出800.00万元，其中：待遇支出600.00万元，上解上级支出950.00万元。\n")
    assert "JX-SUM-002" in errors(text) or "JX-SUM-001" in errors(text)


@pytest.mark.parametrize(("opening", "span"), [
    ("2025年1-5月", "1-5"), ("2025年上半年", "1-6"), ("2025年一季度", "1-3"), ("2025年前三季度", "1-9"),
])
def test_periods_other_than_a_year(tmp_path: Path, opening: str, span: str) -> None:
    text = f"某市医疗保障局基金运行分析\n{opening}，城乡居民基本医疗保险基金收入1234.56万元。\n"
    assert (2025, span) in {(y, s) for _, i, y, s, v in facts(text, tmp_path) if v == Decimal("1234.56")}


def test_last_year_s_figures_are_kept_apart(tmp_path: Path) -> None:
    text = ("某县2023年度城乡居民基本医疗保险基金运行情况\n"
            "2023年基金收入5200.00万元，较上年的4800.00万元增加400.00万元，增长8.33%。\n")
    got = facts(text, tmp_path)
    assert [(y, i) for _, i, y, _, v in got if v == Decimal("4800.00")] == [(2022, "基金收入合计")]
    assert [i for _, i, _, _, v in got if v == Decimal("400.00")] == ["收入较上年增减额"]
    assert errors(text) == []


def test_a_change_after_a_completed_budget_is_of_the_value(tmp_path: Path) -> None:
    text = ("某县2021年城乡居民基本医疗保险基金运行情况\n"
            "2021年基金收入2000.00万元，完成预算1900.00万元的105.26%，较上年增加100.00万元，增长5.26%。\n")
    got = facts(text, tmp_path)
    assert filed(got, "100.00") == [("城乡居民基本医疗保险", "收入较上年增减额")]
    assert filed(got, "5.26") == [("城乡居民基本医疗保险", "收入增长率")]


def test_a_unit_typo_is_its_own_finding_and_not_used() -> None:
    text = ("某县2023年城乡居民基本医疗保险基金运行情况\n"
            "基金收入9876.54万元，其中个人缴费2345.67万万元，财政补助收入7530.87万元。\n")
    got = findings(text)
    assert ("JX-TYP-001", "error") in got or ("JX-TYP-001", "warning") in got
    assert not {"JX-SUM-001", "JX-SUM-002"} & {c for c, _ in got}


def test_a_document_number_that_lost_its_brackets_is_a_typo_not_a_figure() -> None:
    text = ("某县2023年城乡居民基本医疗保险基金运行情况\n"
            "按照《关于做好医疗保障工作的通知》（某医保发20198号）要求，全年基金收入1200.00万元。\n")
    assert not [c for c in errors(text) if c != "JX-TYP-002"]


def test_an_adjusted_budget_is_not_an_addition() -> None:
    text = ("某县医疗保障局2022年度部门整体支出绩效自评报告\n"
            "年初预算800.00万元，年中调整为1200.00万元，全年执行1150.00万元，预算执行率95.83%。\n")
    assert errors(text) == []


def test_a_plan_with_a_small_listed_cost_is_no_part_exceeding_the_total() -> None:
    text = ("某县2023年医疗救助项目绩效自评表\n"
            "计划使用资金30万元，用于困难群众参保资助和住院救助，其中保险费2万元。\n")
    assert errors(text) == []


def test_an_explicitly_partial_list_never_gives_an_error() -> None:
    text = ("某县2023年城乡居民基本医疗保险基金运行情况\n"
            "基金支出5000.00万元，其中主要有住院费用支出3000.00万元、门诊费用支出900.00万元。\n")
    assert errors(text) == []


def test_a_balance_in_yuan_with_two_decimals() -> None:
    ok = ("某县2024年城乡居民基本医疗保险基金收支情况\n"
          "本期基金收入12345678.91元，基金支出10000000.00元，当期结余{}元。\n")
    assert errors(ok.format("2345678.91")) == []
    assert errors(ok.format("2345687.91")) == ["JX-BAL-001"]


STATEMENT = (
    "某县2023年城乡居民基本医疗保险基金收支公开表\n"
    "单位：万元\n"
    "项目 | 金额\n"
    "一、上年结余 | 1500.00\n"
    "二、收入合计 | 6000.00\n"
    "1、基本医疗保险费收入 | 2000.00\n"
    "2、财政补贴收入 | 3900.00\n"
    "3、利息收入 | 100.00\n"
    "三、支出合计 | 5500.00\n"
    "1、基本医疗保险待遇支出 | 5500.00\n"
    "四、年末滚存结余 | {end}\n"
)


def test_a_statement_table_is_read_and_its_balance_checked(tmp_path: Path) -> None:
    got = facts(STATEMENT.format(end="2000.00"), tmp_path)
    assert filed(got, "1500.00") == [("城乡居民基本医疗保险", "年初累计结余")]
    assert filed(got, "3900.00") == [("城乡居民基本医疗保险", "财政补助收入")]
    assert ("城乡居民基本医疗保险", "年末累计结余") in filed(got, "2000.00")
    assert errors(STATEMENT.format(end="2000.00")) == []
    assert errors(STATEMENT.format(end="2000.00").replace("2、财政补贴收入 | 3900.00", "2、财政补贴收入 | 3090.00"))
    assert errors(STATEMENT.format(end="2200.00")) == ["JX-BAL-003"]


def test_a_flattened_self_evaluation_whose_total_is_not_its_rows_sum() -> None:
    rows = ("某县2023年医保信息化建设项目绩效自评表\n"
            "一级指标 | 二级指标 | 分值 | 得分\n"
            "产出指标 | 数量指标 | 30 | 28\n"
            "产出指标 | 质量指标 | 30 | 27\n"
            "效益指标 | 社会效益 | 30 | 29\n"
            "满意度指标 | 服务对象满意度 | 10 | 9\n"
            "总分 | | 100 | {}\n")
    assert errors(rows.format(93)) == []
    assert errors(rows.format(95)) == ["JX-SCR-001"]


def test_parts_of_the_insured_named_by_their_group(tmp_path: Path) -> None:
    text = ("某市2024年城乡居民基本医疗保险参保情况\n"
            "截至年末，全市居民医保参保52.30万人，其中：老年人12.10万人、中小学生20.20万人；"
            "职工医保参保30.00万人，其中在职职工参保21.00万人，退休人员参保9.00万人。\n")
    got = facts(text, tmp_path)
    assert filed(got, "12.10") == [("城乡居民基本医疗保险", "其他:老年人参保人数")]
    assert filed(got, "21.00") == [("职工基本医疗保险", "在职职工")]
    assert filed(got, "9.00") == [("职工基本医疗保险", "退休人员")]


def test_a_file_name_states_the_period_when_the_text_does_not() -> None:
    assert name_period("07_somecity-ybj-2023m5-canbao") == (2023, "1-5")
    assert name_period("somecounty-2024q2-jijin") == (2024, "1-6")
    assert name_period("某县2022年1-9月基金运行情况") == (2022, "1-9")
    assert name_period("report") == (None, None)
    lines = ["截至本月末，全市参保人数为12.30万人。"]
    assert document_period(lines, "x-2023m5-y").year == 2023
    assert document_period(lines, "x-2023m5-y").span == "1-5"
    titled = ["某市2022年1-3月基金运行情况", "截至本月末，全市参保人数为12.30万人。"]
    assert (document_period(titled, "x-2023m5-y").year, document_period(titled, "x-2023m5-y").span) == (2022, "1-3")


def test_a_department_s_spending_items(tmp_path: Path) -> None:
    text = ("某县医疗保障局2022年度部门决算说明\n"
            "（三）“三公”经费情况\n"
            "2022年“三公”经费财政拨款支出6.40万元，完成预算8.00万元的80.00%。全年实际支出6.40万元。\n"
            "1.公务接待费支出1.20万元，完成预算2.00万元的60.00%，比2021年的1.50万元减少0.30万元。\n"
            "2.因公出国（境）经费支出0万元。\n")
    got = facts(text, tmp_path)
    assert set(filed(got, "6.40")) == {("部门", "三公经费")}
    assert filed(got, "8.00") == [("部门", "其他:三公经费预算")]
    assert filed(got, "1.20") == [("部门", "公务接待费")]
    assert filed(got, "2.00") == [("部门", "其他:公务接待费预算")]
    assert [(i, y) for _, i, y, _, v in got if v == Decimal("1.50")] == [("公务接待费", 2021)]
    assert filed(got, "0") == [("部门", "因公出国（境）费")]


def test_a_change_inside_a_bracket_is_of_the_part_before_it(tmp_path: Path) -> None:
    text = ("某区2020年城镇职工基本医疗保险基金运行情况\n"
            "2020年基金支出5000万元，比上年减少300万元，下降5.66%（其中统筹基金支出3000万元，比上年减少100万元，"
            "下降3.23%；个人账户支出2000万元，比上年减少200万元，下降9.09%）。\n")
    got = facts(text, tmp_path)
    assert [f for f, i, _, _, v in got if v == Decimal("-100")] == ["职工基本医疗保险统筹基金"]
    assert [f for f, i, _, _, v in got if v == Decimal("-200")] == ["职工基本医疗保险个人账户"]
    assert [f for f, i, _, _, v in got if v == Decimal("-300")] == ["职工基本医疗保险"]
    assert errors(text) == []
    assert errors(text.replace("下降9.09%", "下降8.09%")) == ["JX-CHG-001"]


def test_a_deficit_a_growth_after_last_year_s_figures_and_a_heading_s_count(tmp_path: Path) -> None:
    text = ("某区2019年医疗保险基金决算说明\n"
            "1.生育保险基金当年收支缺口120.50万元，由历年滚存结余弥补。\n"
            "2.与2018年相比（上年总收入8.20亿元，总支出7.90亿元），本年总收入增长6.10%，总支出增长4.43%。\n"
            "3.年末参保人数：职工基本医疗保险120000人，生育保险80000人，城乡居民基本医疗保险300000人。\n")
    got = facts(text, tmp_path)
    assert filed(got, "-120.50") == [("生育保险", "当期结余")]
    assert [i for _, i, _, _, v in got if v == Decimal("6.10")] == ["收入增长率"]
    assert [i for _, i, _, _, v in got if v == Decimal("4.43")] == ["支出增长率"]
    assert filed(got, "80000") == [("生育保险", "参保人数")]
    assert filed(got, "300000") == [("城乡居民基本医疗保险", "参保人数")]


def test_a_deficit_restated_as_a_negative_balance_is_the_same_figure() -> None:
    text = ("某县2021年生育保险基金运行情况\n"
            "一、基金当期收不抵支，收支缺口356万元，由历年结余弥补。\n"
            "二、生育保险基金收入1200万元，支出1556万元，当期结余-{}万元。\n")
    assert errors(text.format(356)) == []
    assert "JX-DUP-001" in errors(text.format(365)) or "JX-BAL-001" in errors(text.format(365))


def test_a_table_in_yuan_and_a_sentence_in_wan_yuan_are_added_in_one_unit() -> None:
    text = ("某县2019年生育保险基金决算表\n"
            "单位：元\n"
            "项目 | 生育保险\n"
            "一、基金收入 | 12000000.00\n"
            "二、基金支出 | 13560000.00\n"
            "三、本年收支结余 | -1560000.00\n"
            "说明：生育保险基金当年收支缺口{}万元，由历年滚存结余弥补。\n")
    assert errors(text.format("156.00")) == []
    assert errors(text.format("165.00"))


def test_a_self_evaluation_table_s_points_and_its_sentences_belong_to_its_project(tmp_path: Path) -> None:
    text = ("项目支出绩效自评表\n"
            "（2023年度）\n"
            "项目名称 | 医保经办窗口改造资金 | 医保经办窗口改造资金 | 医保经办窗口改造资金 | 医保经办窗口改造资金\n"
            "项目资金（万元） | 项目资金（万元） | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分\n"
            "项目资金（万元） | 年度资金总额 | 120.00 | 150.00 | 144.00 | 10 | 96.00% | 9.60\n"
            "偏差原因：全年预算150.00万元，执行144.00万元，结余6.00万元为设备尾款。\n")
    got = facts(text, tmp_path)
    assert ("项目:医保经办窗口改造资金", "分值") in filed(got, "10")
    path = tmp_path / "report.txt"
    points = [f.unit for f in ledger_facts(read_document(str(path))) if f.item == "分值"]
    assert points == ["分"]
    assert {f for f, _ in filed(got, "144.00")} == {"项目:医保经办窗口改造资金"}


def test_groups_listed_under_a_total_of_their_own_item_are_named_by_their_words(tmp_path: Path) -> None:
    text = ("某县医疗保障局2021年第一季度医疗救助情况\n"
            "全县累计救助困难群众80人次，支出医疗救助资金200000.00元。"
            "其中：特困供养人员医疗救助30人次、低保对象医疗救助50人次。\n")
    got = facts(text, tmp_path)
    assert filed(got, "30") == [("医疗救助", "其他:特困供养人员医疗救助人次")]
    assert filed(got, "80") == [("医疗救助", "医疗救助人次")]
    assert {(y, s) for _, _, y, s, v in got if v == Decimal("80")} == {(2021, "1-3")}


def test_a_month_that_lost_its_character_still_closes_a_cumulative_span(tmp_path: Path) -> None:
    text = "某区医疗救助工作简报\n截止10底，全区累计发放医疗救助金120.5万元，共救助3600人次。\n"
    assert {s for _, _, _, s, v in facts(text, tmp_path) if v == Decimal("120.5")} == {"1-10"}


def test_a_rate_written_as_a_bound_is_not_checked_as_its_value() -> None:
    """A warning says where a rate lies (执行率低于90%, 超过110%): no completion rate rests on it;
    the same sentence with the rate itself is still checked."""
    head = "某市医疗保障局2022年度基金运行情况\n（一）城乡居民基本医疗保险\n"
    bound = head + "2022年基金支出8000.00万元，支出预算10000.00万元。风险提示：基金支出预算执行率低于90%。\n"
    assert errors(bound) == []
    wrong = head + "2022年基金支出8000.00万元，完成支出预算10000.00万元的90%。\n"
    assert "JX-CMP-001" in errors(wrong)


def test_a_budget_subject_named_like_a_fund_is_not_that_fund() -> None:
    """“公务员医疗补助（项）” is a line of the department's accounts, not the fund 公务员医疗补助."""
    text = ("某县医疗保障局2021年度部门决算\n"
            "一、公务员医疗补助基金支出预算14.00万元。\n"
            "二、行政事业单位医疗（款）公务员医疗补助（项）支出决算1.23万元，完成预算100%。\n")
    assert "JX-CMP-001" not in errors(text)


def test_two_indicator_rows_or_a_target_and_its_outturn_are_two_figures(tmp_path: Path) -> None:
    """In 自评表 the 目标 and 实际 of a row, and two rows' indicators, are different figures."""
    rows = ("一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\n"
            "产出指标\t数量指标\t城乡居民参加基本医疗保险个人缴费人数\t18.8万人\t18.9627万人\n"
            "产出指标\t数量指标\t代缴城乡居民基本医疗保险个人缴费人数\t1.8067万人\t1.8067万人\n")
    assert "JX-DUP-001" not in errors("某县医疗保障局2019年项目支出绩效自评表\n" + rows)
