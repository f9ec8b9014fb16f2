"""Patterns of the genre the ledger names with the report's own words (``其他:``…), each on a small
document written for this test (never copied from a corpus)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from jixiao.audit.ledger import ledger_facts
from jixiao.audit.ledger.words import parallel_names
from jixiao.audit.readers import read_document

Fact = tuple[str | None, str | None, int | None, str, Decimal, str]


def facts(text: str, tmp_path: Path) -> list[Fact]:
    path = tmp_path / "report.txt"
    path.write_text(text, encoding="utf-8")
    return [(f.fund, f.item, f.year, f.span, f.value, f.unit) for f in ledger_facts(read_document(str(path)))]


def items(got: list[Fact], value: str) -> list[str | None]:
    return [i for _, i, _, _, v, _ in got if v == Decimal(value)]


def test_a_parallel_list_shares_the_words_of_its_last_element(tmp_path: Path) -> None:
    text = ("某市2023年6月城乡居民医保参保情况\n"
            "截至6月底，全市城乡居民医保参保人数52.30万人，其中甲类、乙类、丙类居民参保人数依次为"
            "20.10万人、18.40万人、13.80万人。\n")
    got = facts(text, tmp_path)
    assert items(got, "20.10") == ["其他:甲类居民参保人数"]
    assert items(got, "18.40") == ["其他:乙类居民参保人数"]
    assert items(got, "13.80") == ["其他:丙类居民参保人数"]
    assert items(got, "52.30") == ["参保人数"]


def test_parallel_names_of_unequal_length_share_only_the_item() -> None:
    assert parallel_names("按单位类型分，企业、机关、灵活就业人员参保人数") == [
        "其他:企业参保人数", "其他:机关参保人数", "其他:灵活就业人员参保人数"]
    assert parallel_names("居民医保门诊统筹和住院统筹参保人员") == ["其他:门诊统筹参保人员", "其他:住院统筹参保人员"]
    assert parallel_names("收入、支出") is None  # each element its own item: the items themselves
    assert parallel_names("今年以来，各地") is None


def test_the_change_of_a_count_at_a_date_is_named_by_its_count(tmp_path: Path) -> None:
    text = ("某县2024年1-6月职工医保运行情况\n"
            "至6月底，全县职工医保参保人数为8.20万人，较上年同期增加0.35万人，增长4.46%；"
            "其中退休人员2.10万人，同比减少0.04万人。城乡居民医保参保人数环比增加0.12万人。\n")
    got = facts(text, tmp_path)
    assert items(got, "0.35") == ["其他:参保人数比上年同期增减"]
    assert items(got, "4.46") == ["其他:参保人数增长率"]
    assert items(got, "-0.04") == ["其他:退休人员比上年同期增减"]  # a decrease is negative
    assert items(got, "0.12") == []  # against last month (环比): not a change against last year


def test_a_department_s_headcount_is_its_own_not_the_insured(tmp_path: Path) -> None:
    text = ("某区医疗保障局2023年度部门整体支出绩效自评报告\n"
            "一、部门基本情况\n"
            "本局负责全区基本医疗保险、医疗救助等工作。核定编制36名，其中行政编制10名、事业编制26名；"
            "年末实有在编人员33人，其中行政9人、事业24人；另有离退休人员12人。\n"
            "二、预算执行情况\n"
            "2023年本年支出合计1520.60万元，其中基本支出1100.20万元、项目支出420.40万元。\n")
    got = facts(text, tmp_path)
    people = [(fund, item, v, unit) for fund, item, _, _, v, unit in got if unit in ("人", "名")]
    assert people == [("部门", "其他:编制人数", Decimal("36"), "人"), ("部门", "其他:实有人数", Decimal("33"), "人")]
    assert items(got, "1520.60") == ["本年支出合计"]


def test_a_control_rate_is_named_by_the_spending_it_controls(tmp_path: Path) -> None:
    text = ("某县医疗保障局2022年度部门整体支出绩效自评报告\n"
            "（一）公用经费\n"
            "全年基本支出820.40万元，其中人员经费700.10万元，日常公用经费120.30万元，"
            "年初安排公用经费预算130.00万元，公用经费控制率92.54%。\n"
            "（二）“三公”经费\n"
            "2022年“三公”经费预算12.00万元，实际支出9.60万元，预算控制率80.00%。\n"
            "（三）预算调整\n"
            "全年预算较年初预算增加50.00万元，预算控制率106.10%。\n")
    got = facts(text, tmp_path)
    assert items(got, "130.00") == ["其他:公用经费预算"]
    assert items(got, "92.54") == ["其他:公用经费控制率"]
    assert items(got, "80.00") == ["其他:三公经费控制率"]
    assert items(got, "106.10") == ["其他:预算控制率"]


def test_a_count_under_a_numbered_count_is_a_count_of_people(tmp_path: Path) -> None:
    text = ("某县2024年1-9月基本医疗保险主要指标\n"
            "指标名称 单位 指标数据\n"
            "一、参保人数 52310\n"
            "1.职工基本医疗保险 8120\n"
            "2.城乡居民基本医疗保险 44190\n"
            "二、统筹基金收入 万元 9021.40\n")
    got = facts(text, tmp_path)
    counts = {(fund, v): unit for fund, item, _, _, v, unit in got if item == "参保人数"}
    assert counts == {("基本医疗保险（合计）", Decimal("52310")): "人", ("职工基本医疗保险", Decimal("8120")): "人",
                      ("城乡居民基本医疗保险", Decimal("44190")): "人"}


def test_a_header_cell_s_unit_is_the_unit_of_the_rows_below(tmp_path: Path) -> None:
    text = ("2024年度医保经办能力提升项目支出绩效自评表\n"
            "项目名称 | 医保经办能力提升项目 |  |  |  |  |  | \n"
            "主管部门 | 某县医疗保障局 |  |  | 实施单位 | 某县医疗保障局 |  | \n"
            "项目资金（万元） |  | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分\n"
            " | 年度资金总额 | 120.00 | 150.00 | 141.30 | 10 | 94.20% | 9.42\n")
    got = facts(text, tmp_path)
    money = {item: (v, unit) for _, item, _, _, v, unit in got if item in ("年初预算数", "全年预算数", "全年执行数")}
    assert money == {"年初预算数": (Decimal("120.00"), "万元"), "全年预算数": (Decimal("150.00"), "万元"),
                     "全年执行数": (Decimal("141.30"), "万元")}
    assert [(v, unit) for _, item, _, _, v, unit in got if item == "分值"] == [(Decimal("10"), "分")]


def test_an_income_s_share_of_the_fund_s_income_is_a_figure_of_its_own(tmp_path: Path) -> None:
    text = ("某县2023年城乡居民基本医疗保险基金收支情况\n"
            "2023年基金收入8120.50万元，其中财政补助收入5302.10万元，个人缴费2710.30万元。"
            "财政补助收入占该项基金收入的65.29%；住院费用支出占基金支出的70.12%。\n")
    got = facts(text, tmp_path)
    assert items(got, "65.29") == ["其他:财政补助收入占基金收入比重"]
    assert items(got, "70.12") == []  # a share of spending is no income structure


def test_a_news_item_s_now_is_the_month_it_was_published(tmp_path: Path) -> None:
    text = ("某省基本医保参保人数持续增长\n"
            "发布时间:2023-08-21 10:02:11\n"
            "记者从省医保局获悉，目前全省基本医疗保险参保人数已达2315.60万人。\n")
    got = facts(text, tmp_path)
    assert [(i, y, s) for _, i, y, s, v, _ in got if v == Decimal("2315.60")] == [("参保人数", 2023, "1-8")]
    plain = text.replace("目前", "2022年末")
    assert [(y, s) for _, _, y, s, v, _ in facts(plain, tmp_path) if v == Decimal("2315.60")] == [(2022, "1-12")]


def test_an_aid_s_count_and_its_money_are_told_by_the_figure(tmp_path: Path) -> None:
    text = ("某市2023年城乡医疗救助情况\n"
            "2023年全市直接医疗救助5.20万人次，其中住院救助1.80万人次、门诊救助3.40万人次；"
            "支出医疗救助资金8420.00万元，其中住院救助6310.00万元、门诊救助1250.00万元，"
            "资助参保支出860.00万元，全年资助参保2.35万人。\n")
    got = facts(text, tmp_path)
    assert items(got, "1.80") == ["住院人次"]
    assert items(got, "3.40") == ["其他:门诊救助人次"]
    assert items(got, "6310.00") == ["住院费用支出"]
    assert items(got, "1250.00") == ["门诊费用支出"]
    assert items(got, "860.00") == ["其他:资助参保支出"]
    assert items(got, "2.35") == ["其他:资助参保人数"]


def test_a_group_of_the_aided_is_named_with_its_aid(tmp_path: Path) -> None:
    text = ("某县2024年1-6月医疗救助情况\n"
            "1-6月全县开展医疗救助820人次，救助金额合计96.30万元，包括特困人员210人次、低保对象610人次。"
            "其中：门诊救助500人次，金额12.40万元；孤儿医疗救助6人次、救助资金1.20万元。\n")
    got = facts(text, tmp_path)
    assert items(got, "210") == ["其他:特困人员救助人次"]
    assert items(got, "12.40") == ["门诊费用支出"]
    assert items(got, "1.20") == ["其他:孤儿医疗救助资金"]


def test_a_pooling_fund_named_with_its_fund_is_that_fund_s(tmp_path: Path) -> None:
    text = ("某省2023年医保基金运行情况\n"
            "2023年全省基本医疗保险统筹基金收入合计820.5亿元、支出合计700.2亿元；统筹基金累计结余960.0亿元。"
            "其中职工医保统筹基金累计结余为610.0亿元，居民医保统筹基金累计结余为350.0亿元。\n")
    got = facts(text, tmp_path)
    filed = {v: (f, i) for f, i, _, _, v, _ in got}
    assert filed[Decimal("960.0")] == ("基本医疗保险（合计）", "年末累计结余")
    assert filed[Decimal("610.0")] == ("职工基本医疗保险统筹基金", "年末累计结余")
    assert filed[Decimal("350.0")] == ("城乡居民基本医疗保险", "年末累计结余")


def test_a_growth_column_of_a_table_in_wan_yuan_is_in_percent(tmp_path: Path) -> None:
    text = ("某县2022年度职工基本医疗保险基金收支决算表\n"
            "编制单位：某县医疗保障局　　　　单位：万元\n"
            "项目 | 上年数 | 本年数 | 增减%\n"
            "一、收入合计 | 5210.40 | 5630.10 | 8.06\n"
            "二、支出合计 | 4980.20 | 5102.70 | 2.46\n")
    got = facts(text, tmp_path)
    rates = {(i, v): unit for _, i, _, _, v, unit in got if i and i.endswith("增长率")}
    assert rates == {("收入增长率", Decimal("8.06")): "%", ("支出增长率", Decimal("2.46")): "%"}
    assert [(y, unit) for _, i, y, _, v, unit in got if v == Decimal("5210.40")] == [(2021, "万元")]


def test_the_growth_of_a_balance_stock_is_named_as_written(tmp_path: Path) -> None:
    text = ("某市2022年1-6月城乡居民医保基金运行情况\n"
            "城乡居民基本医疗保险基金1-6月总收入为12.30亿元，较上年增长4.10%；"
            "年末滚存结余为20.50亿元，较上年增长9.20%。\n")
    got = facts(text, tmp_path)
    assert items(got, "9.20") == ["其他:滚存结余增长率"]
    assert items(got, "4.10") == ["收入增长率"]


def test_months_payable_are_of_the_whole_balance_not_its_bracketed_part(tmp_path: Path) -> None:
    text = ("某县2024年1-9月职工基本医疗保险基金运行情况\n"
            "截至9月底，职工基本医疗保险基金累计结余8650.20万元（其中统筹基金结余6120.10万元、"
            "个人账户结余2530.10万元），可供支付18.40个月。\n")
    got = facts(text, tmp_path)
    assert [(f, i) for f, i, _, _, v, _ in got if v == Decimal("18.40")] == [("职工基本医疗保险", "累计结余可支付月数")]


def test_a_level_reached_from_last_year_s_is_this_year_s_of_that_item(tmp_path: Path) -> None:
    text = ("某县2023年城乡居民基本医疗保险基金运行分析\n"
            "本年收支结余120.40万元，当期结余率由上年的2.15%提高到4.02%，上升1.87个百分点。\n")
    got = facts(text, tmp_path)
    assert [(i, y) for _, i, y, _, v, _ in got if v in (Decimal("2.15"), Decimal("4.02"))] == [
        ("当期结余率", 2022), ("当期结余率", 2023)]


def test_a_listed_group_named_like_a_ledger_item_is_that_item(tmp_path: Path) -> None:
    text = ("某市2023年职工基本医疗保险基金运行情况\n"
            "全年职工医保享受待遇210.40万人次，其中主要有住院6.20万人次、门诊慢特病20.10万人次。\n")
    got = facts(text, tmp_path)
    assert items(got, "6.20") == ["住院人次"]
    assert items(got, "20.10") == ["其他:门诊慢特病人次"]


def test_a_sum_named_only_as_together_is_all_the_funds_item(tmp_path: Path) -> None:
    text = ("某市医疗保障局2022年度部门整体支出绩效自评报告\n"
            "全年职工医保基金支出402310万元，居民医保基金支出388120万元，两项合计790430万元，基金运行平稳。\n")
    got = facts(text, tmp_path)
    assert [(f, i) for f, i, _, _, v, _ in got if v == Decimal("790430")] == [("基本医疗保险（合计）", "基金支出合计")]


def test_a_project_s_balance_is_its_money_left_not_a_fund_s(tmp_path: Path) -> None:
    text = ("2023年度困难群众参保资助项目支出绩效自评表\n"
            "项目名称 | 困难群众参保资助项目 |  |  |  |  |  | \n"
            "主管部门 | 某县医疗保障局 |  |  | 实施单位 | 某县医疗保障局 |  | \n"
            "1.本项目全年预算860.00万元，全年执行842.30万元，结余17.70万元为年末新增对象的预留资金。\n")
    got = facts(text, tmp_path)
    assert items(got, "17.70") == ["其他:结余资金"]
    assert items(got, "842.30") == ["全年执行数"]


def test_a_table_column_of_the_employee_fund_that_pays_maternity_is_with_maternity(tmp_path: Path) -> None:
    text = ("某市2024年1-6月医疗保障基金运行分析\n"
            "1-6月，职工基本医疗保险基金收入40210.50万元。\n"
            "1-6月，职工基本医疗保险基金支付生育保险待遇1620.30万元。\n"
            "附表：2024年1-6月医保基金收支情况（单位：万元）\n"
            "项目 | 职工基本医疗保险 | 城乡居民基本医疗保险\n"
            "基金收入 | 40210.50 | 65120.80\n")
    got = facts(text, tmp_path)
    assert {f for f, i, _, _, v, _ in got if v == Decimal("40210.50")} == {"职工基本医疗保险（含生育）"}
    assert {f for f, i, _, _, v, _ in got if v == Decimal("65120.80")} == {"城乡居民基本医疗保险"}
