"""Figures in free text (audit/quantities/), on the seeds' own sentences and the known traps."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from jixiao.audit.document import Block, Document, Mention, Table
from jixiao.audit.quantities import canonical_unit, find_document_mentions, find_mentions, scan_text

SEEDS = Path(__file__).resolve().parent.parent / "examples" / "seeds"


def seed_lines(prefix: str) -> list[str]:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    return path.read_text(encoding="utf-8").split("\n")


def figs(text: str) -> list[tuple[str, str]]:
    """(value as written, unit) for every figure in ``text``."""
    return [(f"{m.quantity.value:f}", m.quantity.unit) for m in scan_text(text)]


def one(text: str) -> Mention:
    ms = scan_text(text)
    assert len(ms) == 1, [(m.raw, str(m.quantity)) for m in ms]
    return ms[0]


# ---- the known traps ------------------------------------------------------------------------


def test_trap_bare_yi_in_money_sentence_is_yi_yuan() -> None:
    m = one("全市城镇职工基本医疗保险征缴基金16.4亿，同比增长")
    assert m.quantity.value == Decimal("16.4") and m.quantity.unit == "亿元"
    assert m.unit_source == "context" and "bare_multiplier" in m.flags
    assert m.quantity.interval_in("万元").lo == Decimal("163500")  # ±0.05亿 as written


def test_trap_bare_yi_without_money_is_a_scaled_unitless_figure() -> None:
    m = one("全国人口达到16.4亿，")
    assert m.quantity.unit == "" and m.quantity.value == Decimal("1640000000")
    assert m.quantity.exponent == 7  # still the precision of 16.4亿
    assert "bare_multiplier" in m.flags


def test_trap_13wan2_is_colloquial_132000() -> None:
    m = one("参保人数达13万2千人")
    assert m.quantity.unit == "万人" and m.quantity.value == Decimal("13.2")
    m = one("参保人数达13万2人")
    assert (m.quantity.unit, m.quantity.value) == ("万人", Decimal("13.2"))
    assert "colloquial" in m.flags
    m = one("补助资金13万2，")
    assert (m.quantity.unit, m.quantity.value) == ("万元", Decimal("13.2"))
    m = one("核查13万2个")
    assert m.quantity.unit == "个" and m.quantity.value == 132000 and m.quantity.exponent == 3
    # a following year is not the colloquial digit
    assert figs("资金13万2019年到位") == [("13", "万元")]


def test_trap_unit_does_not_leak_to_the_next_number() -> None:
    ms = scan_text("项目总投资3541.07万元2.3本项目建设内容")
    assert [(f"{m.quantity.value:f}", m.quantity.unit) for m in ms] == [("3541.07", "万元"), ("2.3", "")]


def test_trap_unit_in_parentheses_before_the_number() -> None:
    m = one("发行总额（亿）10.00")
    assert (m.quantity.value, m.quantity.unit, m.unit_source) == (Decimal("10.00"), "亿元", "label")
    assert m.quantity.exponent == -2
    assert figs("收入（万元）：1000，支出：800") == [("1000", "万元"), ("800", "万元")]
    # a figure with its own unit in between stops the label
    assert figs("金额（万元）100，占比5%，人数30") == [("100", "万元"), ("5", "%"), ("30", "")]


# ---- what is not a figure -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2019年",
        "2019年12月31日",
        "截至2019 年 4 月 15 日",
        "（株政发〔2017〕13号）",
        "（株政发〔2017〕13 号）",
        "米编发〔2002〕02号",
        "扣除川财社[2019]18号文",
        "（川人社办法【2018】984号）",
        "米财[2018]168号",
        "第1批",
        "第一、第二批次",
        "1.持续推动实施全民参保",
        "（二）绩效目标完成情况分析",
        "一、基本情况",
        "（1）继续加大完善智能监控",
        "9、 国有资本经营预算支出决算情况说明",
        "联系电话：28681677",
        "手机13812345678",
        "[304]米易县医疗保障事务中心",
        "填报日期：2019. 4. 28",
        "10 月 26 日，市人民政府办公室",
        "12月底",
        "（图1：收、支决算总计变动情况图）",
        "见附件（附件1）",
        "一是筑牢思想防线。二是筑牢制度防线",
        "“十三五”规划",
        "严格执行中央八项规定",
        "“十项规定”",
        "二〇一九年",
        "近两年来",
        "2020市财政批复的",
        "附件：1.2020年度部门整体支出绩效评价基础数据表",
        "[bookmark: _Toc15396600]",
    ],
)
def test_not_figures(text: str) -> None:
    assert scan_text(text) == [], [(m.raw, str(m.quantity)) for m in scan_text(text)]


def test_time_limit_is_marked() -> None:
    m = one("在业务申报5个工作日内（含业务审核、财务拨付）将申报资金拨付到位")
    assert (m.quantity.value, m.quantity.unit) == (5, "个工作日")
    assert m.comparator == "≤" and "time_limit" in m.flags
    m = one("\t90日内完成审核拨付")
    assert (m.quantity.unit, m.comparator, m.flags) == ("日", "≤", ("time_limit",))


# ---- percentages, signs, approximations, precision --------------------------------------------


def test_percentages_as_written() -> None:
    m = one("基金当期结余率为15.30%，")
    assert m.quantity.value == Decimal("15.30") and m.quantity.exponent == -2 and m.quantity.unit == "%"
    m = one("基金当期结余率为-2.84%。")
    assert m.quantity.value == Decimal("-2.84") and m.raw == "-2.84%"
    m = one("占贫困人口的30.05 %，")
    assert m.quantity.value == Decimal("30.05") and m.quantity.unit == "%"
    assert figs("拨款准确率99％以上") == [("99", "%")]
    assert figs("提高2个百分点") == [("2", "个百分点")]


def test_explicit_minus_and_ranges() -> None:
    assert figs("当年结余-1913 万元。") == [("-1913", "万元")]
    assert figs("结余负1913万元") == [("-1913", "万元")]
    # a dash between two numbers is a range, not a sign; the first takes the unit of the second
    ms = scan_text("起付线降至11000元，0-3万报销比例提高至60%")
    assert [(f"{m.quantity.value:f}", m.quantity.unit, m.unit_source) for m in ms] == [
        ("11000", "元", "written"), ("0", "万元", "list"), ("3", "万元", "context"), ("60", "%", "written")]
    assert figs("30万—60万政策项目内住院医疗费用报销60%") == [("30", "万元"), ("60", "万元"), ("60", "%")]


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("较上年减少994万元", "减少"),
        ("降幅1.48%", "降幅"),
        ("与上年同期相比降低 7106 万元", "降低"),
        ("当期亏损9054万元", "亏损"),
        ("减少了890.89万元", "减少"),
        ("减少率为117.17%", "减少"),
        ("比上年减少4.23%", "减少"),
        ("出现赤字300万元", "赤字"),
        ("资金缺口200万元", "缺口"),
        ("下降43.88%", "下降"),
    ],
)
def test_negative_words_keep_the_value(text: str, word: str) -> None:
    m = one(text)
    assert m.negative_word == word
    assert m.quantity.value > 0  # the value stays as written; relations decide


def test_levels_and_other_words_are_not_decreases() -> None:
    assert one("起付线降低至5500元").negative_word is None
    assert one("全市减征基本医疗统筹基金4700万元").negative_word is None
    assert one("负债总计58246万元").negative_word is None
    assert one("较上年增加6284万元").negative_word is None


def test_approximations() -> None:
    m = one("城乡居民医疗保险参保人数达 71 万余人")
    assert (m.quantity.value, m.quantity.unit, m.quantity.approx) == (71, "万人", "余")
    assert one("参保率稳定在 95%以上").quantity.approx == "以上"
    assert one("约300万元").quantity.approx == "约"
    assert one("近200人").quantity.approx == "近"
    assert one("5000余万元").quantity.approx == "余"
    assert one("100多人").quantity.approx == "多"
    assert one("60岁以下").quantity.approx == "以下"
    assert one("10万元左右").quantity.approx == "约"
    assert one("节约10万元").quantity.approx is None  # 节约 is not 约
    m = scan_text("单价50万元以上通用设备0台")
    assert [(str(x.quantity), x.quantity.approx) for x in m] == [("50以上万元", "以上"), ("0台", None)]


def test_comparators() -> None:
    assert [(m.comparator, str(m.quantity)) for m in scan_text("≥99%\t100%")] == [("≥", "99%"), (None, "100%")]
    assert one("满意度大于90%").comparator == ">"
    assert one("医疗保险报销平均时限小于等于20日").comparator == "≤"
    assert one("<=2天").comparator == "≤"
    assert one("=100%").comparator == "="
    assert one("不低于95%").comparator == "≥"


def test_units_written_in_many_ways() -> None:
    assert figs("按一档缴费220元/人的标准") == [("220", "元/人")]
    assert figs("由2017年30元/人·年提高到40元/人·年") == [("30", "元/人·年"), ("40", "元/人·年")]
    assert figs("手工结算508人（次）") == [("508", "人次")]
    assert figs("享受待遇 1290505 人次") == [("1290505", "人次")]
    assert figs("1.8067万人") == [("1.8067", "万人")]
    assert figs("收入 355,212 万元") == [("355212", "万元")]
    assert figs("自评得分99.9分，") == [("99.9", "分")]
    assert figs("检查医疗机构24家，抽检病历237份") == [("24", "家"), ("237", "份")]
    assert figs("公务用车0辆，通用设备0台（套）") == [("0", "辆"), ("0", "台")]
    assert canonical_unit("％") == "%" and canonical_unit("亿") == "亿元" and canonical_unit("斤") is None


def test_chinese_numerals_in_text() -> None:
    assert figs("共一千二百三十四万元") == [("1234", "万元")]
    assert figs("参保十三万二千人") == [("132000", "人")]
    assert figs("筹资两亿元") == [("2", "亿元")]
    assert figs("资金两亿，") == [("2", "亿元")]
    assert figs("覆盖率达三成以上") == [("30", "%")]
    assert figs("满意度百分之九十五") == [("95", "%")]
    assert figs("进行三批次的国家药品集中带量采购") == [("3", "批次")]
    assert figs("做了三个方面的工作") == [("3", "个")]
    assert figs("零缴费，一是，二是，第一名") == []


def test_units_given_once_for_a_list() -> None:
    ms = scan_text("收入、支出分别为74200、65884万元")
    assert [(f"{m.quantity.value:f}", m.quantity.unit, m.unit_source) for m in ms] == [
        ("74200", "万元", "list"), ("65884", "万元", "written")]
    assert figs("分别为1、2、3万元") == [("1", "万元"), ("2", "万元"), ("3", "万元")]
    assert figs("分别为355212，268747万元") == [("355212", "万元"), ("268747", "万元")]
    assert figs("3-5个工作日") == [("3", "个工作日"), ("5", "个工作日")]
    # no 分别: a comma does not join
    assert figs("预算数为747.1，完成预算100%") == [("747.1", ""), ("100", "%")]


def test_aside_after_a_figure_takes_its_unit() -> None:
    line = seed_lines("004")[118]
    assert line.startswith("2020年年初一般公共预算655.56万元")
    ms = scan_text(line)
    by_raw = {m.raw: m for m in ms}
    assert by_raw["26.58"].quantity.unit == "万元" and by_raw["26.58"].unit_source == "context"
    assert by_raw["26.58"].negative_word == "压减"
    assert by_raw["297.19"].quantity.unit == "万元"


def test_spans_point_at_the_figure() -> None:
    text = "基金当期结余8836万元，滚存结余86448万元。"
    for m in scan_text(text):
        assert text[m.start:m.end] == m.raw
    assert [m.raw for m in scan_text(text)] == ["8836万元", "86448万元"]


# ---- the seeds, line by line ------------------------------------------------------------------


def seed_mentions(prefix: str) -> list[tuple[int, Mention]]:
    """Raw seed lines through a trivial split (no reader): (1-based line, mention)."""
    out = []
    for i, line in enumerate(seed_lines(prefix), 1):
        out.extend((i, m) for m in find_mentions(Block(text=line, line=i), i - 1))
    return out


def test_seed_000_line_8_in_full() -> None:
    got = [(m.raw, m.negative_word) for i, m in seed_mentions("000") if i == 8]
    assert got == [
        ("74200万元", None), ("6284万元", None), ("9.25%", None), ("110.79%", None), ("65884万元", None),
        ("994万元", "减少"), ("1.48%", "降幅"), ("105.39%", None), ("8836万元", None), ("86448万元", None)]


def test_seed_001_balance_sheet_lines() -> None:
    got = {i: [str(m.quantity) for m in [mm for ii, mm in seed_mentions("001") if ii == i]] for i in (29, 39, 43)}
    assert got[29] == ["619029万元", "289785万元", "284620万元", "44624万元", "58246万元", "560783万元"]
    assert got[39] == ["19065万元", "20978万元", "-1913万元"]
    assert got[43][:4] == ["355212万元", "360240万元", "98.6%", "348610万元"]


def test_seed_002_units_and_debris() -> None:
    ms = {i: [str(m.quantity) for ii, m in seed_mentions("002") if ii == i] for i in (14, 16, 27, 56, 58)}
    assert "92万元" in ms[14] and "71余万人" in ms[14]
    assert ms[16][:4] == ["381.31万人", "64.27万人", "317.04万人", "95以上%"]
    assert "26.35亿元" in ms[16] and "8719万元" in ms[16]
    assert ms[27] == ["30元/人·年", "40元/人·年", "50%", "4272人次", "988.92万元"]
    assert ms[56] == [] and ms[58] == []  # telephone number, filling date


def test_seed_003_document_numbers_and_dates_are_skipped() -> None:
    ms = {i: [str(m.quantity) for ii, m in seed_mentions("003") if ii == i] for i in (26, 120, 123, 156)}
    assert ms[26] == ["17名", "14人"]  # 米编发〔2002〕02号, 2002年3月27日 ... are not figures
    assert ms[120] == ["0辆", "50以上万元", "0台", "100以上万元", "0台"]
    assert ms[123][:3] == ["18067人", "220元/人", "397.47万元"]
    assert ms[156] == []  # [304]米易县医疗保障事务中心


def test_seed_004_rates_and_signs() -> None:
    ms = {i: [(str(m.quantity), m.negative_word) for ii, m in seed_mentions("004") if ii == i] for i in (54, 61)}
    assert ms[54] == [("23204万元", None), ("4096万元", None), ("19108万元", None), ("15.30%", None),
                      ("5.01%", None), ("27.33%", None)]
    assert ms[61] == [("319286万元", None), ("3.69%", None), ("328340万元", None), ("3.44%", None),
                      ("9054万元", "亏损"), ("-2.84%", None)]


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_no_year_or_document_number_becomes_a_figure(prefix: str) -> None:
    ms = [m for _, m in seed_mentions(prefix)]
    assert len(ms) > 30
    year_like = [m.raw for m in ms
                 if m.quantity.unit in ("", "年") and m.quantity.value == m.quantity.value.to_integral_value()
                 and 1949 <= m.quantity.value <= 2049]
    assert year_like == []
    # and none of the numbers glued to 号 / 〔〕 survive
    assert not [m for m in ms if m.raw.endswith("号")]


# ---- units given once in tables -----------------------------------------------------------------


def test_unit_line_above_a_tab_table() -> None:
    lines = ["单位：万元", "", "预算执行情况\t预算数：\t335412\t执行数：\t289724", "说明文字，共3人。"]
    doc = Document(path="t.txt", format="txt", blocks=[Block(text=t, line=i + 1) for i, t in enumerate(lines)])
    ms = find_document_mentions(doc)
    assert [(str(m.quantity), m.unit_source, m.block) for m in ms] == [
        ("335412万元", "table", 2), ("289724万元", "table", 2), ("3人", "written", 3)]


def test_header_row_of_a_tab_table_gives_units_by_column() -> None:
    lines = ["项目\t金额（万元）\t占比（%）\t得分", "收入\t1000\t60.5\t9", "支出\t800\t39.5\t8"]
    doc = Document(path="t.txt", format="txt", blocks=[Block(text=t, line=i + 1) for i, t in enumerate(lines)])
    got = [(str(m.quantity), m.unit_source) for m in find_document_mentions(doc)]
    assert got == [("1000万元", "column"), ("60.5%", "column"), ("9", "written"),
                   ("800万元", "column"), ("39.5%", "column"), ("8", "written")]


def test_docx_like_table_cells_get_row_column_and_table_units() -> None:
    def cell(text: str, r: int, c: int) -> Block:
        return Block(text=text, kind="cell", table=0, row=r, col=c)

    grid = [
        [cell("项目", 0, 0), cell("金额（万元）", 0, 1), cell("人数", 0, 2)],
        [cell("收入", 1, 0), cell("74200", 1, 1), cell("30", 1, 2)],
        [cell("发行总额（亿）", 2, 0), cell("10.00", 2, 1), cell("12", 2, 2)],
    ]
    blocks = [b for row in grid for b in row]
    doc = Document(path="t.docx", format="docx", blocks=blocks, tables=[Table(index=0, rows=grid, unit="元")])
    got = {blocks[m.block].text: (str(m.quantity), m.unit_source) for m in find_document_mentions(doc)}
    assert got["74200"] == ("74200万元", "column")
    assert got["30"] == ("30元", "table")  # no header unit over this column: the table's 单位
    assert got["10.00"] == ("10.00亿元", "row")  # the row label wins over the column header
    assert got["12"] == ("12亿元", "row")


def test_unit_hint_only_for_numbers_alone_in_their_cell() -> None:
    ms = find_mentions(Block(text="共计拨付335412，其他说明"), 0, unit_hint="万元")
    assert [str(m.quantity) for m in ms] == ["335412"]
    ms = find_mentions(Block(text="335412"), 0, unit_hint="万元")
    assert [(str(m.quantity), m.unit_source) for m in ms] == [("335412万元", "table")]


# ---- robustness and speed ------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    "line",
    [
        "1" * 1_000_000,
        "一" * 1_000_000,
        " " * 999_999 + "1",
        "1万" * 333_333,
        "（" * 500_000 + "万元" * 250_000,
        ("收入、" * 100_000) + "1" + ("、2" * 100_000) + "万元",
        "-" * 1_000_000,
        "2019年" * 200_000,
    ],
    ids=["digits", "han-one", "spaces", "wan", "parens", "list", "dashes", "years"],
)
def test_million_character_lines_finish(line: str) -> None:
    """Linear-time scanning: a pathological line of ~1M characters is read without blowing up."""
    ms = find_mentions(Block(text=line), 0)
    assert isinstance(ms, list)
    for m in ms[:50]:
        assert line[m.start:m.end] == m.raw
