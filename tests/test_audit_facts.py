"""Structured facts for ``jixiao extract`` (audit/facts.py), checked on each seed's own lines."""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from jixiao.audit.document import Block, Document
from jixiao.audit.facts import ITEM_TERMS, SUBJECT_TERMS, Fact, extract_facts

SEEDS = Path(__file__).resolve().parent.parent / "examples" / "seeds"


@cache
def seed_facts(prefix: str) -> list[Fact]:
    """Facts of a seed read through a trivial line split (one block per line, as the reader does)."""
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    lines = path.read_text(encoding="utf-8").split("\n")
    doc = Document(path=str(path), format="txt", blocks=[Block(text=t, line=i + 1) for i, t in enumerate(lines)])
    return extract_facts(doc)


def find(prefix: str, line: int, quote: str, nth: int = 0) -> Fact:
    """The ``nth`` fact quoted ``quote`` on ``line`` (there must be no more than nth + 1 of them)."""
    hits = [f for f in seed_facts(prefix) if f.line == line and f.quote == quote]
    assert len(hits) == nth + 1, [(f.line, f.quote) for f in seed_facts(prefix) if f.line == line]
    return hits[nth]


def label(f: Fact) -> tuple[str | None, str | None, int | None, str, str]:
    return f.subject, f.item, f.year, f"{f.value:f}", f.unit


# ---- seed 000 (哈密 2019) ---------------------------------------------------------------------


def test_seed_000_employee_fund_line() -> None:
    assert label(find("000", 8, "74200万元")) == ("职工医保(含生育)", "收入", 2019, "74200", "万元")
    assert label(find("000", 8, "6284万元")) == ("职工医保(含生育)", "收入增减额", 2019, "6284", "万元")
    assert label(find("000", 8, "9.25%")) == ("职工医保(含生育)", "收入增长率", 2019, "9.25", "%")
    assert label(find("000", 8, "110.79%")) == ("职工医保(含生育)", "收入预算执行率", 2019, "110.79", "%")
    f = find("000", 8, "994万元")
    assert label(f) == ("职工医保(含生育)", "支出增减额", 2019, "994", "万元") and f.negative_word == "减少"
    assert label(find("000", 8, "8836万元")) == ("职工医保(含生育)", "当期结余", 2019, "8836", "万元")
    assert label(find("000", 8, "86448万元")) == ("职工医保(含生育)", "累计结余", 2019, "86448", "万元")


def test_seed_000_resident_fund_and_details() -> None:
    assert label(find("000", 9, "26773万元")) == ("城乡居民医保", "收入", 2019, "26773", "万元")
    assert label(find("000", 9, "569万元")) == ("城乡居民医保", "当期结余", 2019, "569", "万元")
    assert label(find("000", 13, "998万元")) == ("职工医保(含生育)", "利息收入", 2019, "998", "万元")
    # a sentence with no fund named takes the paragraph's: 总支出66545 is still 职工医保(含生育)
    assert label(find("000", 13, "66545万元")) == ("职工医保(含生育)", "支出", 2019, "66545", "万元")
    # 完成全年预算63918万元的103.08%: the money is the budget, the percentage the completion rate
    assert find("000", 15, "63918万元").item == "支出预算"
    assert find("000", 15, "103.08%").item == "支出预算执行率"
    f = find("000", 11, "5个工作日内")
    assert f.item == "办理时限" and "time_limit" in f.flags and f.comparator == "≤"


# ---- seed 001 (新疆 2019) ---------------------------------------------------------------------


def test_seed_001_balance_sheet() -> None:
    assert label(find("001", 29, "619029万元")) == ("职工医保", "资产", 2019, "619029", "万元")
    assert label(find("001", 29, "289785万元")) == ("职工医保", "支出户存款", 2019, "289785", "万元")
    assert label(find("001", 29, "58246万元")) == ("职工医保", "负债", 2019, "58246", "万元")
    assert label(find("001", 29, "560783万元")) == ("职工医保", "累计结余", 2019, "560783", "万元")
    f = find("001", 39, "-1913 万元")
    assert label(f) == ("生育保险", "当期结余", 2019, "-1913", "万元")


def test_seed_001_parts_name_their_fund() -> None:
    f = find("001", 49, "150719 万元")
    assert (f.subject, f.fund, f.item) == ("统筹基金", "职工医保", "支出")
    f = find("001", 49, "5.68%")
    assert (f.subject, f.fund, f.item, f.negative_word) == ("个人账户", "职工医保", "支出增长率", "降低")
    assert find("001", 43, "360240 万元").item == "收入预算"
    assert find("001", 43, "98.6%").item == "收入预算执行率"


def test_seed_001_table_rows_get_the_table_unit() -> None:
    f = find("001", 79, "335412")
    assert (f.value, f.unit, f.unit_source, f.item) == (Decimal(335412), "万元", "table", "预算")
    assert find("001", 79, "289724").item == "执行数"
    f = find("001", 86, "≥6253人")
    assert (f.comparator, f.value, f.unit) == ("≥", 6253, "人")


# ---- seed 002 (株洲 2018) ---------------------------------------------------------------------


def test_seed_002_department_and_enrolment() -> None:
    assert label(find("002", 12, "241.46 万元")) == (None, "资产", 2018, "241.46", "万元")
    assert label(find("002", 13, "1562.46 万元", 1)) == ("部门", "支出", 2018, "1562.46", "万元")
    assert find("002", 13, "1548.65 万元").item == "财政拨款收入"
    assert find("002", 13, "10.79 万元").subject == "公务接待费"
    f = find("002", 14, "71 万余人")
    assert label(f) == ("城乡居民医保", "参保人数", 2018, "71", "万人") and f.approx == "余"
    assert label(find("002", 16, "64.27 万人")) == ("职工医保", "参保人数", 2018, "64.27", "万人")
    assert label(find("002", 16, "26.35 亿元")) == ("职工医保", "征缴收入", 2018, "26.35", "亿元")
    f = find("002", 14, "92 万")
    assert (f.item, f.unit, f.unit_source) == ("银行存款", "万元", "context")


def test_seed_002_years_follow_the_words() -> None:
    # 由2017年30元/人·年提高到40元/人·年: the first is 2017's, the raised one this year's
    assert find("002", 27, "30元/人·年").year == 2017
    assert find("002", 27, "40元/人·年").year == 2018


# ---- seed 003 (米易 2019) ---------------------------------------------------------------------


def test_seed_003_budget_lines() -> None:
    assert label(find("003", 46, "760.35万元")) == (None, "收入", 2019, "760.35", "万元")
    assert label(find("003", 49, "255.34万元")) == (None, "基本支出", 2019, "255.34", "万元")
    f = find("003", 36, "1651.24万元")  # 与上年度收入1651.24万元: last year's
    assert (f.item, f.year) == ("收入", 2018)
    f = find("003", 36, "890.89万元")
    assert (f.item, f.year, f.negative_word) == ("收入增减额", 2019, "减少")
    f = find("003", 405, "0.69万元")  # 较2018年0.69万元减少了0.3万元
    assert (f.subject, f.year) == ("公务接待费", 2018)
    assert find("003", 405, "0.3万元").year == 2019
    assert label(find("003", 92, "0.39万元")) == ("三公经费", "支出", 2019, "0.39", "万元")


# ---- seed 004 (益阳 2020) ---------------------------------------------------------------------


def test_seed_004_rates() -> None:
    f = find("004", 54, "15.30%")
    assert label(f) == ("职工医保", "当期结余率", 2020, "15.30", "%")
    assert f.value.as_tuple().exponent == -2
    assert label(find("004", 54, "5.01%")) == ("统筹基金", "当期结余率", 2020, "5.01", "%")
    assert label(find("004", 54, "27.33%")) == ("个人账户", "当期结余率", 2020, "27.33", "%")
    assert label(find("004", 61, "-2.84%")) == ("城乡居民医保", "当期结余率", 2020, "-2.84", "%")
    f = find("004", 61, "9054万元")
    assert (f.item, f.negative_word) == ("当期结余", "亏损")
    assert find("004", 56, "108.28%").item == "征缴收入预算执行率"
    assert find("004", 56, "103.17%").item == "待遇支出预算执行率"


def test_seed_004_per_capita_and_compared_year() -> None:
    assert label(find("004", 63, "806元")) == ("城乡居民医保", "人均收入", 2020, "806", "元")
    assert label(find("004", 63, "751元")) == ("城乡居民医保", "人均收入", 2019, "751", "元")  # 比上年人均751元
    assert label(find("004", 63, "7.32%")) == ("城乡居民医保", "人均收入增长率", 2020, "7.32", "%")
    assert find("004", 63, "23元").year == 2019  # 2019年人均支出大于人均收入23元


def test_seed_004_department_budget() -> None:
    assert label(find("004", 32, "655.56万元")) == ("一般公共预算", "年初预算", 2020, "655.56", "万元")
    assert label(find("004", 32, "270.61万元")) == ("一般公共预算", "追加预算", 2020, "270.61", "万元")
    assert label(find("004", 80, "29.32万元")) == ("三公经费", "全年预算", 2020, "29.32", "万元")
    assert label(find("004", 80, "54.63%")) == ("公务接待费", "预算执行率", 2020, "54.63", "%")
    assert label(find("004", 71, "99.9分")) == ("部门", "得分", 2020, "99.9", "分")
    f = find("004", 119, "26.58")
    assert (f.item, f.unit, f.unit_source) == ("压减预算", "万元", "context")


# ---- all seeds ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("prefix", "year"), [("000", 2019), ("001", 2019), ("002", 2018), ("003", 2019),
                                              ("004", 2020)])
def test_no_date_or_document_number_becomes_a_fact(prefix: str, year: int) -> None:
    facts = seed_facts(prefix)
    assert len(facts) > 40
    year_like = [f.quote for f in facts if f.unit in ("", "年") and 1949 <= f.value <= 2049
                 and f.value == f.value.to_integral_value()]
    assert year_like == []
    # the document's year is the year of most facts
    years = [f.year for f in facts]
    assert max(set(years), key=years.count) == year


def test_to_json_is_plain_and_keeps_written_digits() -> None:
    f = find("004", 54, "15.30%")
    data = f.to_json()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["value"] == "15.30" and data["unit"] == "%" and data["interval"] == "[15.295, 15.305]"
    assert data["location"]["line"] == 54 and data["location"]["where"] == "第54行"
    assert (data["subject"], data["fund"], data["item"], data["year"]) == ("职工医保", "职工医保", "当期结余率", 2020)
    assert find("001", 39, "-1913 万元").to_json()["value"] == "-1913"


def test_same_quantity_key() -> None:
    a = find("000", 9, "569万元")
    b = find("000", 15, "569万元")
    assert a.key() == b.key() == ("城乡居民医保", "当期结余", 2019, "money")
    assert find("000", 8, "74200万元").key() != find("000", 13, "74200万元").key()  # 收入 vs 征缴收入


def test_vocabulary_tables_are_data() -> None:
    subjects = {name for name, _, _ in SUBJECT_TERMS}
    items = {name for name, _ in ITEM_TERMS}
    assert {"职工医保(含生育)", "生育保险", "城乡居民医保", "统筹基金", "个人账户", "一般公共预算", "三公经费",
            "公务接待费"} <= subjects
    assert {"收入", "支出", "当期结余", "累计结余", "资产", "负债", "征缴收入", "利息收入", "预算", "参保人数"} <= items


def test_respectively_pairs_items_in_order() -> None:
    doc = Document(path="t", format="txt", blocks=[Block(text="2019年基金收入、支出分别为74200、65884万元。", line=1)])
    facts = extract_facts(doc)
    assert [(f.item, f"{f.value:f}", f.unit) for f in facts] == [("收入", "74200", "万元"), ("支出", "65884", "万元")]


def hand_facts(*lines: str) -> list[Fact]:
    doc = Document(path="hand.txt", format="txt", blocks=[Block(text=t, line=i) for i, t in enumerate(lines, 1)])
    return extract_facts(doc)


def test_a_year_after_a_verb_names_only_its_own_sentence() -> None:
    # 完成2018年度…考核: the 2018 is what was reviewed; the next sentence is the report's year
    facts = hand_facts("2019年度工作总结。",
                       "3月完成2018年度定点医药机构年度考核工作。专项行动中共查处存在违规行为的定点医疗机构14家。",
                       "2019年收入100万元。")
    [f] = [f for f in facts if f.quote == "14家"]
    assert (f.item, f.year) == ("违规医疗机构", 2019)
    # a year that opens its clause sets the time of what follows, in later sentences too
    facts = hand_facts("2019年度工作总结。", "2018年，全县完成考核。查处违规医疗机构14家。")
    [f] = [f for f in facts if f.quote == "14家"]
    assert f.year == 2018


def test_seed_003_enforcement_counts_get_their_item() -> None:
    assert label(find("003", 23, "14家")) == (None, "违规医疗机构", 2019, "14", "家")
    assert find("003", 403, "15家").item == "违规医疗机构"
    # a count of all institutions checked is not the count of those found in breach
    assert find("003", 23, "24家").item is None and find("003", 403, "24家").item is None


def test_eleven_digit_amount_with_a_money_unit_is_a_fact_and_a_phone_number_is_not() -> None:
    text = "联系电话13000000000，2019年基金收入13000000000元，支出13800000000.5元，另拨12345678901万元。"
    doc = Document(path="x.txt", format="txt", blocks=[Block(text=text, line=1)])
    assert [(f"{f.value:f}", f.unit) for f in extract_facts(doc)] == [
        ("13000000000", "元"), ("13800000000.5", "元"), ("12345678901", "万元")]
