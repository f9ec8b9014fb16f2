"""Sentences with numbers, generated from the model and the engine (jixiao.write.narrative).

The data are the seeds' own figures (000 哈密, 001 自治区本级, 003 米易, 004 益阳). Expected strings
were checked by hand: 6284 ÷ (74200 − 6284) = 9.2526% → 9.25%; 994 ÷ (65884 + 994) = 1.4863% → 1.49%
(the seed wrote 1.48%); 903.39 ÷ 1650.49 = 54.73% (the seed wrote 903.38); 0.39 ÷ 0.69 − 1 = −43.48%
(the seed wrote 43.88%). Every number in a sentence must be an input figure as written or the
engine's display of a result, and a number after 减少/下降 is never negative.
"""

from __future__ import annotations

import re
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from jixiao.calc import compute_department, compute_fund_year, compute_project
from jixiao.model import DepartmentYear, FundKind, FundYear, Project
from jixiao.write import narrative as n

NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
#: numbers that are part of a label, not figures
LABELS = ("60岁以上",)


def fund(**fields: object) -> FundYear:
    base = {"unit": "650500", "year": 2019, "fund": "职工基本医疗保险（含生育）", "scope": "全市"}
    return FundYear.model_validate({**base, **fields})


def results_of(record: FundYear | DepartmentYear | Project, siblings: dict | None = None) -> dict:
    if isinstance(record, FundYear):
        return {r.id: r for r in compute_fund_year(record, siblings or {})}
    if isinstance(record, DepartmentYear):
        return {r.id: r for r in compute_department(record)}
    return {r.id: r for r in compute_project(record)}


def allowed_numbers(record: object, results: dict) -> set[str]:
    """Every number a sentence may print: inputs as written (and the year), the engine's displays."""
    allowed: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, BaseModel):
            for name in type(value).model_fields:
                walk(getattr(value, name))
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif value is not None:
            allowed.update(NUMBER.findall(str(value).replace("-", " ")))

    walk(record)
    for r in results.values():
        if r.value is not None:
            allowed.update(NUMBER.findall(r.display()))
            allowed.update(NUMBER.findall(r.display().replace("-", "")))
    return allowed


def assert_numbers_traceable(sentence: str, record: object, results: dict) -> None:
    allowed = allowed_numbers(record, results)
    text = sentence
    for label in LABELS:
        text = text.replace(label, "")
    for number in NUMBER.findall(text):
        assert number in allowed, f"“{number}” in “{sentence}” is neither an input nor an engine display"
    for word in ("增加", "减少", "增长", "下降", "缺口"):
        assert f"{word}-" not in sentence, sentence


# --- funds (seed 000's sentence, seed 001's deficit) -------------------------------------------


SEED_000 = fund(
    income={"total": "74200"}, expenditure={"total": "65884"},
    budget={"income": "66975", "expenditure": "62515"},
    change={"income_total": "6284", "expenditure_total": "-994"}, balance={"closing": "86448"},
)


def test_fund_income_sentence_reads_like_seed_000() -> None:
    r = results_of(SEED_000)
    s = n.fund_income_sentence(SEED_000, r)
    assert s == ("2019年全市职工基本医疗保险（含生育）基金收入74200万元，较上年增加6284万元，增长9.25%，"
                 "完成年度预算66975万元的110.79%。")
    assert r["income_yoy_rate"].display() == "9.25%"
    assert r["income_budget_execution_rate"].display() == "110.79%"
    assert_numbers_traceable(s, SEED_000, r)


def test_fund_expenditure_decrease_is_written_with_its_magnitude() -> None:
    r = results_of(SEED_000)
    s = n.fund_expenditure_sentence(SEED_000, r)
    assert s == "基金支出65884万元，较上年减少994万元，下降1.49%，完成年度预算62515万元的105.39%。"
    assert r["expenditure_yoy_change"].display() == "-994万元"
    assert r["expenditure_yoy_rate"].display() == "-1.49%"
    assert_numbers_traceable(s, SEED_000, r)


def test_fund_balance_and_budget_sentences() -> None:
    r = results_of(SEED_000)
    assert n.fund_balance_sentence(SEED_000, r) == (
        "基金当期结余8316万元，当期结余率为11.21%，年末累计结余86448万元，累计结余可支付15.7个月。")
    assert n.fund_budget_sentence(SEED_000, r) == (
        "2019年职工基本医疗保险（含生育）基金收入预算执行率为110.79%；支出预算执行率为105.39%。")


def test_fund_deficit_is_a_gap_never_a_negative_balance() -> None:
    maternity = fund(fund="生育保险", scope="区本级", income={"total": "19065"}, expenditure={"total": "20978"},
                     balance={"closing": "47043"})
    r = results_of(maternity)
    s = n.fund_balance_sentence(maternity, r)
    assert s is not None
    assert s.startswith("基金当期收不抵支，收支缺口1913万元，当期结余率为-10.03%")
    assert r["current_balance"].display() == "-1913万元"
    assert_numbers_traceable(s, maternity, r)


def test_fund_structure_of_pooling_and_account_seed_004() -> None:
    whole = fund(unit="430900", year=2020, fund="职工基本医疗保险", income={"total": "151661"},
                 expenditure={"total": "128457"})
    pooling = fund(unit="430900", year=2020, fund="职工基本医疗保险统筹基金", income={"total": "81733"},
                   expenditure={"total": "77637"})
    account = fund(unit="430900", year=2020, fund="职工基本医疗保险个人账户", income={"total": "69928"},
                   expenditure={"total": "50820"})
    siblings = {FundKind.employee_pooling: pooling, FundKind.employee_account: account}
    r = results_of(whole, siblings)
    income, spent = n.fund_structure_sentences(whole, siblings, r)
    assert income == ("职工基本医疗保险基金收入151661万元，其中：统筹基金收入81733万元，占53.89%；"
                      "个人账户基金收入69928万元，占46.11%。")
    assert spent == ("职工基本医疗保险基金支出128457万元，其中：统筹基金支出77637万元，占60.44%；"
                     "个人账户基金支出50820万元，占39.56%。")
    # only 职工医保 has this structure
    resident = fund(unit="430900", year=2020, fund="城乡居民基本医疗保险", income={"total": "319286"})
    assert n.fund_structure_sentences(resident, siblings, results_of(resident)) == []


def test_fund_coverage_and_per_capita_seed_004() -> None:
    resident = fund(
        unit="430900", year=2020, fund="城乡居民基本医疗保险", income={"total": "319286"},
        expenditure={"total": "328340"}, coverage={"insured": "3963292", "over_60": "809051"},
        change={"insured": -135817}, previous={"income_per_capita": "751", "expenditure_per_capita": "774"},
    )
    r = results_of(resident)
    cov = n.fund_coverage_sentence(resident, r)
    assert cov == ("2020年全市城乡居民基本医疗保险参保人数3963292人，较上年减少135817人，下降3.31%，"
                   "60岁以上参保人员809051人，占20.41%。")
    per = n.fund_per_capita_sentence(resident, r)
    assert per is not None
    assert per.startswith("2020年全市城乡居民基本医疗保险基金人均基金收入806元，比上年人均751元增长")
    assert "人均支出大于人均收入" in per and "-" not in per
    for s in (cov, per):
        assert_numbers_traceable(s, resident, r)


def test_unchanged_figure_is_written_as_unchanged() -> None:
    same = fund(income={"total": "500"}, change={"income_total": "0"})
    s = n.fund_income_sentence(same, results_of(same))
    assert s == "2019年全市职工基本医疗保险（含生育）基金收入500万元，与上年持平。"


def test_missing_figures_leave_the_sentence_out() -> None:
    empty = fund()
    r = results_of(empty)
    assert n.fund_income_sentence(empty, r) is None
    assert n.fund_balance_sentence(empty, r) is None
    assert n.fund_budget_sentence(empty, r) is None


@settings(max_examples=60, deadline=None)
@given(
    income=st.integers(min_value=1, max_value=10_000_000),
    change=st.integers(min_value=-5_000_000, max_value=5_000_000),
    cents=st.integers(min_value=0, max_value=99),
)
def test_sign_words_follow_the_sign(income: int, change: int, cents: int) -> None:
    total = Decimal(income) + Decimal(cents) / 100
    if total - change <= 0:  # previous year must be positive for a rate
        change = -change
    # the change as stated (whole 万元: written as it was) and as 本年 − 上年 (2 decimals: the
    # most decimals of its inputs)
    for fields, written in (({"change": {"income_total": str(change)}}, f"{abs(change)}"),
                            ({"previous": {"income_total": f"{total - change:.2f}"}}, f"{abs(change)}.00")):
        fy = fund(income={"total": f"{total:.2f}"}, **fields)
        r = results_of(fy)
        s = n.fund_income_sentence(fy, r)
        assert s is not None
        assert_numbers_traceable(s, fy, r)
        if change > 0:
            assert f"较上年增加{written}万元，增长" in s
        elif change < 0:
            assert f"较上年减少{written}万元，下降" in s
        else:
            assert "与上年持平" in s


# --- department (seeds 003, 004) -------------------------------------------------------------


SEED_003 = DepartmentYear.model_validate({
    "unit": "510421-01", "year": 2019,
    "income": {"total": "760.35", "fiscal": "746.35", "other": "14"},
    "expenditure": {"total": "747.1", "basic": "255.34", "project": "491.76", "personnel": "224.78",
                    "public_operating": "30.56", "operating_costs": "30.56"},
    "previous": {"income_total": "1651.24", "expenditure_total": "1650.49", "operating_costs": "25.21"},
    "three_public": {"total": {"budget": "0.76", "actual": "0.39"},
                     "reception": {"budget": "0.76", "actual": "0.39", "previous": "0.69"}},
})


def test_department_sentences_seed_003() -> None:
    r = results_of(SEED_003)
    expected = {
        n.department_totals_sentence: "2019年本年收入合计760.35万元，较上年减少890.89万元，下降53.95%；"
                                      "本年支出合计747.1万元，较上年减少903.39万元，下降54.73%。",
        n.department_income_structure_sentence: "2019年本年收入合计760.35万元，其中：财政拨款收入746.35万元，"
                                                "占98.16%；其他收入14万元，占1.84%。",
        n.department_expenditure_structure_sentence: "2019年本年支出合计747.1万元，其中：基本支出255.34万元，"
                                                     "占34.18%；项目支出491.76万元，占65.82%。",
        n.department_basic_sentence: "2019年基本支出255.34万元，其中：人员经费224.78万元，占基本支出的88.03%；"
                                     "公用经费30.56万元，占基本支出的11.97%。",
        n.department_operating_cost_sentence: "2019年机关运行经费支出30.56万元，较上年增长21.22%。",
        n.department_three_public_sentence: "2019年“三公”经费预算安排0.76万元，实际支出0.39万元，“三公”经费"
                                            "控制率为51.32%。其中：公务接待费0.39万元，占全年预算0.76万元的"
                                            "51.32%，比上年0.69万元下降43.48%。",
    }
    for fn, text in expected.items():
        s = fn(SEED_003, r)
        assert s == text, fn.__name__
        assert_numbers_traceable(s, SEED_003, r)
    assert r["reception_yoy_rate"].display() == "-43.48%"


def test_department_budget_and_staff_seed_004() -> None:
    dy = DepartmentYear.model_validate({
        "unit": "430900", "year": 2020,
        "staff": {"authorized": "60", "authorized_admin": "12", "authorized_institution": "48", "actual": "52",
                  "retired": "15"},
        "budget": {"initial": "655.56", "additions": "297.19", "reductions": "26.58", "full_year": "926.17"},
        "expenditure": {"general_public": "914.17"},
    })
    r = results_of(dy)
    budget = n.department_budget_sentence(dy, r)
    assert budget == ("2020年全年预算数926.17万元，其中：年初预算655.56万元，追加预算297.19万元，压减预算26.58万元；"
                      "预算完成率为98.70%，预算调整率为41.28%，预算控制率为141.28%，经费控制率为98.70%。")
    staff = n.department_staff_sentence(dy, r)
    assert staff == ("2020年末，编制60人，其中行政编制12人，事业编制48人。年末实有在职人数52人，退休人数15人，"
                     "在职人员控制率为86.67%。")
    for s in (budget, staff):
        assert_numbers_traceable(s, dy, r)


def test_project_funds_sentence_seed_003() -> None:
    pr = Project.model_validate({
        "unit": "510421-01", "year": 2019, "name": "医保专项工作经费",
        "funds": {"budget": "7", "executed": "7"},
    })
    r = results_of(pr)
    s = n.project_funds_sentence(pr, r)
    assert s == "该项目全年预算数7万元，执行数7万元，预算执行率为100.00%。"
    assert_numbers_traceable(s, pr, r)


def test_change_clause_words() -> None:
    class R:
        def __init__(self, value: str, unit: str) -> None:
            self.id, self.value, self.unit, self.reason, self.places = "x", Decimal(value), unit, None, 2

        def display(self) -> str:
            return f"{self.value:.2f}{self.unit}"

    assert n.change_clause(R("-3", "万元"), R("-0.5", "%")) == "较上年减少3.00万元，下降0.50%"
    assert n.change_clause(R("3", "万元"), R("0.5", "%")) == "较上年增加3.00万元，增长0.50%"
    assert n.change_clause(R("0.001", "万元"), R("0.0001", "%")) == "与上年持平"
    assert n.change_clause(None, R("-7.1", "%")) == "较上年下降7.10%"
