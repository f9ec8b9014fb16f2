"""Seed 003 (米易县医疗保障事务中心 2019 部门决算 with self-evaluations) as example data.

``examples/003_miyi_2019.yaml`` is a hand transcription of ``examples/seeds/003_412221cf2913b38d.txt``.
These tests check the transcription against the seed text (every cited line holds what is
cited), the report's own sums at the precision it wrote them, and the indicator engine against
the derived figures the report states: equal where the report is right, and where it is wrong
the right value is pinned here with the report's line.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from jixiao.calc import compute_department, compute_project
from jixiao.calc.stated import check_stated
from jixiao.ingest.files import read_files
from jixiao.model import Dataset, DepartmentYear, FundKind, Project
from jixiao.numbers import Interval, Quantity, interval_sum, round_half_up

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "examples" / "seeds" / "003_412221cf2913b38d.txt"
EXAMPLE = ROOT / "examples" / "003_miyi_2019.yaml"
UNITS = ROOT / "examples" / "units.yaml"
LINES = SEED.read_text(encoding="utf-8").split("\n")

UNIT = "510421-01"
PROJECT_PREMIUMS = "建档立卡贫困人员参加2019年城乡居民医保个人缴费代缴资金"
PROJECT_SPECIAL = "医保专项工作经费"
PROJECT_EVALUATION = "财政代缴2019年建档立卡贫困人口城乡居民医保个人缴费"


def line(n: int) -> str:
    """Line ``n`` (1-based) of the seed, with spaces removed (the conversion scatters them)."""
    return re.sub(r"\s+", "", LINES[n - 1])


def wan(q: Quantity | None) -> Interval:
    assert q is not None
    return q.interval_in("万元")


def written(text: str) -> Interval:
    """The interval a figure written as ``text`` (in 万元 or %) stands for."""
    return Quantity(Decimal(text)).interval()


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    result = read_files([UNITS, EXAMPLE])
    assert result.ok, [str(p) for p in result.problems]
    assert result.dataset is not None
    return result.dataset


@pytest.fixture(scope="module")
def dept(dataset: Dataset) -> DepartmentYear:
    (dy,) = [d for d in dataset.departments if d.unit == UNIT]
    return dy


@pytest.fixture(scope="module")
def projects(dataset: Dataset) -> dict[str, Project]:
    return {p.name: p for p in dataset.projects if p.unit == UNIT}


# --------------------------------------------------------------------------------------------
# The transcription against the seed text
# --------------------------------------------------------------------------------------------


def test_loads_cleanly_with_the_unit_tree() -> None:
    result = read_files([UNITS, EXAMPLE])
    assert result.ok
    assert result.problems == []  # not even a warning
    assert result.dataset is not None
    assert {(r.unit, r.year) for r in result.dataset.departments} == {(UNIT, 2019)}
    assert {p.name for p in result.dataset.projects} == {PROJECT_PREMIUMS, PROJECT_SPECIAL, PROJECT_EVALUATION}
    assert {f.fund for f in result.dataset.fund_years} == {FundKind.resident, FundKind.medical_assistance}


def test_every_stated_quote_is_on_its_line(dept: DepartmentYear, projects: dict[str, Project]) -> None:
    records: list[DepartmentYear | Project] = [dept, *projects.values()]
    count = 0
    for record in records:
        for key, figure in record.stated.items():
            assert figure.line is not None and figure.quote, key
            assert re.sub(r"\s+", "", figure.quote) in line(figure.line), (key, figure.line)
            count += 1
    assert count == 19


def test_every_indicator_row_is_on_its_line(projects: dict[str, Project]) -> None:
    rows = [(p, row) for p in projects.values() for row in p.indicators]
    assert len(rows) == 7 + 6 + 14
    for project, row in rows:
        assert row.line is not None
        assert line(row.line) == re.sub(r"\s+", "", row.level3), (project.name, row.line)
        following = [line(n) for n in range(row.line + 1, row.line + 5) if line(n)]
        assert following[0] == row.target, (project.name, row.line)
        if row.actual is None:
            continue
        if row.actual_line is None:  # the 项目绩效目标完成情况表: the actual follows the target
            assert following[1] == row.actual, (project.name, row.line)
        else:  # 附件2: the table has no actual column; the text states it
            assert row.actual in line(row.actual_line), (project.name, row.line)


def test_functional_lines_cite_their_lines(dept: DepartmentYear) -> None:
    for fl in dept.functional:
        assert fl.line is not None
        text = line(fl.line)
        if fl.item is not None:
            assert fl.item in text
        if fl.category != "卫生健康支出" or fl.item != "其他卫生健康支出":
            assert f"{fl.actual.value:f}万元" in text, fl
        if fl.completion is not None:
            assert f"完成预算{fl.completion.value:f}%" in text


#: field path -> (line, the figure as the seed writes it)
FIGURES = {
    "staff.authorized": (383, "总的编制人数为17人"),
    "staff.authorized_institution": (26, "事业编制17名"),
    "staff.actual": (26, "年末在职在册职工14人"),
    "staff.retired": (383, "退休职工1人"),
    "income.total": (46, "本年收入合计760.35万元"),
    "income.fiscal": (46, "一般公共预算财政拨款收入746.35万元"),
    "income.general_public": (46, "一般公共预算财政拨款收入746.35万元"),
    "income.other": (46, "其他收入14万元"),
    "expenditure.total": (49, "本年支出合计747.1万元"),
    "expenditure.basic": (49, "基本支出255.34万元"),
    "expenditure.project": (49, "项目支出491.76万元"),
    "expenditure.personnel": (88, "人员经费224.78万元"),
    "expenditure.public_operating": (89, "日常公用经费30.56万元"),
    "expenditure.general_public": (72, "一般公共预算财政拨款支出747.1万元"),
    "expenditure.operating_costs": (116, "机关运行经费支出30.56万元"),
    "three_public.total.actual": (92, "支出决算为0.39万元"),
    "three_public.overseas.actual": (105, "因公出国（境）经费支出0万元"),
    "three_public.vehicles.actual": (106, "公务用车购置及运行维护费支出0万元"),
    "three_public.reception.actual": (107, "公务接待费支出0.39万元"),
    "three_public.reception.previous": (405, "较2018年0.69万元"),
    "procurement_actual": (118, "政府采购支出总额0万元"),
    "assets.vehicles": (120, "共有车辆0辆"),
    "carryover.closing": (389, "年末结转和结余资金14万元"),
    "previous.income_total": (36, "与上年度收入1651.24万元"),
    "previous.expenditure_total": (36, "与上年支出1650.49万元"),
    "change.operating_costs": (116, "比2018年增加5.35万元"),
}


@pytest.mark.parametrize("path", sorted(FIGURES))
def test_department_figures_are_the_seed_figures(dept: DepartmentYear, path: str) -> None:
    where, text = FIGURES[path]
    assert text in line(where)
    value: object = dept
    for part in path.split("."):
        value = getattr(value, part)
    number = re.search(r"(\d+(?:\.\d+)?)(?:人|名|万元|辆)", text)
    assert number is not None
    shown = f"{value.value:f}" if isinstance(value, Quantity) else str(value)
    assert shown == number.group(1)  # the same digits as written


# --------------------------------------------------------------------------------------------
# The report's own sums, at the precision it wrote them
# --------------------------------------------------------------------------------------------


def test_income_and_expenditure_add_up(dept: DepartmentYear) -> None:
    inc, exp = dept.income, dept.expenditure
    assert interval_sum([wan(inc.fiscal), wan(inc.other)]).meets(wan(inc.total))  # 746.35 + 14 = 760.35
    assert interval_sum([wan(exp.basic), wan(exp.project)]).meets(wan(exp.total))  # 255.34 + 491.76 = 747.10
    assert interval_sum([wan(exp.personnel), wan(exp.public_operating)]).meets(wan(exp.basic))  # 224.78 + 30.56
    assert exp.operating_costs == exp.public_operating  # 机关运行经费 = 日常公用经费 30.56
    parts = [dept.three_public.overseas.actual, dept.three_public.vehicles.actual, dept.three_public.reception.actual]
    assert interval_sum([wan(q) for q in parts]).meets(wan(dept.three_public.total.actual))


def test_functional_classification(dept: DepartmentYear) -> None:
    categories = [fl for fl in dept.functional if fl.item is None]
    items = [fl for fl in dept.functional if fl.item is not None]
    general_public = wan(dept.expenditure.general_public)
    # 第72行: the four 类 add up to 747.1 and each share is of 747.1
    assert sum(fl.actual.value for fl in categories) == Decimal("747.10")
    assert interval_sum([wan(fl.actual) for fl in categories]).meets(general_public)
    for fl in categories:
        assert fl.share is not None
        assert (wan(fl.actual) / general_public * 100).meets(fl.share.interval()), fl.category
    # 基本支出 = 行政运行 + 离退休 + 养老保险缴费 + 行政单位医疗 + 公务员医疗补助 + 住房公积金
    basic_items = {"行政运行", "未归口管理的行政单位离退休", "机关事业单位基本养老保险缴费支出", "行政单位医疗",
                   "公务员医疗补助", "住房公积金"}
    basic = [fl for fl in items if fl.item in basic_items]
    assert sum(fl.actual.value for fl in basic) == Decimal("255.34")
    assert interval_sum([wan(fl.actual) for fl in basic]).meets(wan(dept.expenditure.basic))
    # 项目支出 = 社会保险经办机构 5.23 + 扶贫 社会发展 486.53 (= 225.84 + 260.69, 第388行)
    project = [fl for fl in items if fl.item in ("社会保险经办机构", "社会发展")]
    assert interval_sum([wan(fl.actual) for fl in project]).meets(wan(dept.expenditure.project))
    assert Decimal("225.84") + Decimal("260.69") == Decimal("486.53")
    # 其他卫生健康支出: 决算 0 of 预算 14 is 完成预算 0%
    (other_health,) = [fl for fl in items if fl.item == "其他卫生健康支出"]
    assert other_health.actual.value == 0 and other_health.budget is not None
    assert other_health.completion is not None and other_health.completion.value == 0
    assert other_health.budget == dept.carryover.closing == dept.income.other  # the unspent 14 万元


#: category -> (line of the 类 figure, the 类 figure as stated, the sum of its 项 as stated)
CATEGORY_SUMS = {
    "社会保障和就业支出": (83, "225.05", "244.16"),  # wrong: the 项 include 19.12 that the 类 does not
    "卫生健康支出": (84, "13.73", "13.74"),  # consistent at the written precision
    "农林水支出": (85, "486.53", "486.53"),
    "住房保障支出": (86, "21.79", "21.79"),
}


def test_category_sums_pinned(dept: DepartmentYear) -> None:
    wrong = {}
    for category, (where, stated, items_sum) in CATEGORY_SUMS.items():
        (total,) = [fl for fl in dept.functional if fl.category == category and fl.item is None]
        items = [fl for fl in dept.functional if fl.category == category and fl.item is not None]
        assert total.actual.value == Decimal(stated)
        assert sum(fl.actual.value for fl in items) == Decimal(items_sum)
        assert all(fl.line == where for fl in items)
        if not interval_sum([wan(fl.actual) for fl in items]).meets(wan(total.actual)):
            wrong[category] = (where, stated, items_sum)
    assert wrong == {"社会保障和就业支出": (83, "225.05", "244.16")}
    # without 其他人力资源和社会保障管理事务支出 19.12 the 类 adds up (225.04 ≈ 225.05)
    rest = [fl for fl in dept.functional
            if fl.category == "社会保障和就业支出" and fl.item not in (None, "其他人力资源和社会保障管理事务支出")]
    assert interval_sum([wan(fl.actual) for fl in rest]).meets(written("225.05"))


def test_premium_subsidy_figures() -> None:
    """附件2: 18067 人 × 220 元 = 397.47 万元 = 省级 136.78 + 9.49 + 县级 251.20; 第553行 writes 394.47."""
    assert round_half_up(Decimal(18067) * 220 / 10000, 2) == Decimal("397.47")
    assert "18067人" in line(446) and "220元/人" in line(446) and "397.47万元" in line(446)
    assert Decimal("136.78") + Decimal("9.49") + Decimal("251.20") == Decimal("397.47")
    assert Decimal("260.69") - Decimal("9.49") == Decimal("251.20")
    # 第553行: 136.78 + 260.69 stated as 394.47
    assert "136.78万元" in line(553) and "260.69万元" in line(553) and "394.47万元" in line(553)
    assert Decimal("136.78") + Decimal("260.69") == Decimal("397.47") != Decimal("394.47")


def test_evaluated_project_holds_the_consistent_total(projects: dict[str, Project]) -> None:
    funds = projects[PROJECT_EVALUATION].funds
    assert funds.budget is not None and funds.executed is not None
    assert funds.budget.value == funds.executed.value == Decimal("397.47")
    assert "397.47万元" in line(551) and "397.47万元" in line(552)
    premiums = projects[PROJECT_PREMIUMS].funds
    assert premiums.executed is not None and premiums.executed.value == Decimal("251.2")


def test_general_public_expenditure_statements() -> None:
    """第63行 gives 746.35 (the income figure) as 一般公共预算财政拨款支出; 第72、82行 and the 类 say 747.1."""
    assert "一般公共预算财政拨款支出746.35万元" in line(63)
    assert "一般公共预算财政拨款支出747.1万元" in line(72)
    assert "决算数为747.1" in line(82)
    # 99.9% and 79.79% on 第63行 are right for 746.35 (上年 = 746.35 − 331.22 = 415.13)
    assert round_half_up(Decimal("746.35") / Decimal("747.1") * 100, 1) == Decimal("99.9")
    assert round_half_up(Decimal("331.22") / (Decimal("746.35") - Decimal("331.22")) * 100, 2) == Decimal("79.79")


#: the same figure stated twice with different values: (line, as stated) held / (line, as stated) other
CONFLICTS = [
    # 财政拨款收入: 第46行 746.35 (+ 其他收入 14 = 760.35); 第54、386行 760.35
    ((46, "一般公共预算财政拨款收入746.35万元"), (54, "2019年财政拨款收入760.35万元")),
    ((46, "一般公共预算财政拨款收入746.35万元"), (386, "2019年财政拨款收入760.35万元")),
    # 项目支出: 第49行 491.76 (= 5.23 + 486.53); 第388行 491.77
    ((49, "项目支出491.76万元"), (388, "项目支出491.77万元")),
    # 社会保险经办机构: 第83行 5.23; 第388行 5.24
    ((83, "社会保险经办机构（项）：支出决算为5.23万元"), (388, "专项工作经费5.24万元")),
    # 本年支出: 第49行 747.1; 第388行 747.11 (within the precision of 747.1)
    ((49, "本年支出合计747.1万元"), (388, "财政资金支出747.11万元")),
    # 一般公共预算财政拨款支出: 第72行 747.1; 第63行 746.35
    ((72, "一般公共预算财政拨款支出747.1万元"), (63, "一般公共预算财政拨款支出746.35万元")),
    # 代缴资金: 第552行 397.47; 第553行 394.47
    ((552, "共代缴资金397.47万元"), (553, "代缴的资金394.47万元")),
    # 其他卫生健康支出: 决算 0 (完成预算0%, 资金暂未使用); 第84行 writes 支出决算为14万元
    ((84, "完成预算0%"), (84, "支出决算为14万元")),
    # 查处违规定点医疗机构: 第23行 14家; 第403行 15家
    ((23, "定点医疗机构14家"), (403, "违规医疗机构15家")),
]


@pytest.mark.parametrize(("held", "other"), CONFLICTS)
def test_conflicting_statements_are_in_the_seed_and_noted(held: tuple[int, str], other: tuple[int, str]) -> None:
    assert held[1] in line(held[0])
    assert other[1] in line(other[0])
    text = EXAMPLE.read_text(encoding="utf-8")
    assert f"第{other[0]}行" in text  # the other statement is recorded in the notes


def test_held_figures(dept: DepartmentYear) -> None:
    assert dept.income.fiscal is not None and dept.income.fiscal.value == Decimal("746.35")
    assert dept.expenditure.project is not None and dept.expenditure.project.value == Decimal("491.76")
    assert dept.expenditure.general_public is not None and dept.expenditure.general_public.value == Decimal("747.1")
    assert dept.expenditure.total is not None and str(dept.expenditure.total) == "747.1万元"
    # 747.11 (第388行) lies within 747.1 as written; 491.77 within 5.23 + 486.53 at their precision
    assert wan(dept.expenditure.total).contains(Decimal("747.11"))
    assert (written("5.23") + written("486.53")).meets(written("491.77"))


def test_reception_change(dept: DepartmentYear) -> None:
    """第107/405行: 0.39 vs 0.69 is 减少 0.3 万元 — as stated."""
    reception = dept.three_public.reception
    assert reception.actual is not None and reception.previous is not None
    assert (wan(reception.actual) - wan(reception.previous)).meets(-written("0.3"))
    assert "较2018年0.69万元减少了0.3万元" in line(405)


# --------------------------------------------------------------------------------------------
# The engine against what the report states
# --------------------------------------------------------------------------------------------

#: stated key -> (line, as stated, the right value at the report's precision): where the report is wrong
WRONG = {
    # 第386行: 904.89 = 1651.24 − 746.35 (财政拨款, not 收入合计 760.35)
    "income_yoy_change@line386": (386, "-904.89万元", "-890.89万元"),
    # 第386行: 117.17% = 890.89 ÷ 760.35 (divided by this year instead of last year)
    "income_yoy_rate@line386": (386, "-117.17%", "-53.95%"),
}

#: stated key -> (line, what is missing): stated but the report gives no budget to check them with
NOT_COMPUTABLE = {
    "budget_completion_rate": (82, "全年预算"),
    "three_public_control_rate": (92, "“三公”经费预算数"),
    "reception_control_rate": (107, "公务接待费预算数"),
}

#: stated key -> the engine's value, computed by hand with Decimal (right as stated)
RIGHT = {
    "income_yoy_change": "-890.89万元",  # 760.35 − 1651.24
    "income_yoy_rate": "-53.95%",  # −890.89 ÷ 1651.24
    "expenditure_yoy_change": "-903.39万元",  # 747.1 − 1650.49; stated −903.38 (747.11) is within 747.1's precision
    "expenditure_yoy_rate": "-54.73%",
    "fiscal_income_share": "98.16%",  # 746.35 ÷ 760.35
    "other_income_share": "1.84%",  # 14 ÷ 760.35
    "basic_share": "34.18%",  # 255.34 ÷ 747.1
    "project_share": "65.82%",  # 491.76 ÷ 747.1
    "basic_share@line388": "34.18%",  # 255.34 ÷ 747.11 rounds the same
    "project_share@line388": "65.82%",
    "reception_yoy_rate": "-43.48%",  # (0.39 − 0.69) ÷ 0.69; stated −43.88% = −0.305 ÷ 0.695, within precision
    "operating_costs_yoy_rate": "21.22%",  # 5.35 ÷ (30.56 − 5.35)
}


def test_department_stated_figures(dept: DepartmentYear) -> None:
    checks = {c.key: c for c in check_stated(dept, compute_department(dept))}
    assert set(checks) == set(WRONG) | set(NOT_COMPUTABLE) | set(RIGHT)
    for key, value in RIGHT.items():
        assert checks[key].ok is True, checks[key].message
        assert checks[key].computed_display == value, key
    wrong = {k: (c.line, c.stated, c.expected) for k, c in checks.items() if c.ok is False}
    assert wrong == WRONG
    for key in WRONG:
        assert f"第{WRONG[key][0]}行" in checks[key].message
    unchecked = {k: c for k, c in checks.items() if c.ok is None}
    assert set(unchecked) == set(NOT_COMPUTABLE)
    for key, (where, missing) in NOT_COMPUTABLE.items():
        assert unchecked[key].status == "not_computable"
        assert unchecked[key].line == where and missing in unchecked[key].message


def test_department_indicators_by_hand(dept: DepartmentYear) -> None:
    shown = {r.id: r.display() for r in compute_department(dept)}
    assert shown["staff_control_rate"] == "82.35%"  # 14 ÷ 17
    assert shown["personnel_share"] == "88.03%"  # 224.78 ÷ 255.34
    assert shown["public_operating_share"] == "11.97%"  # 30.56 ÷ 255.34
    assert shown["budget_completion_rate"] == "不可计算：缺少：全年预算"
    assert shown["three_public_change_rate"].startswith("不可计算")  # no 2018 “三公”经费 total


def test_close_calls_are_within_the_written_precision(dept: DepartmentYear) -> None:
    """Two statements a point-wise check would call wrong but the written figures allow."""
    # 公务接待费 第107行: −43.88% vs −43.48% from 0.39 and 0.69; 0.69 may be 0.695
    assert round_half_up((Decimal("0.39") - Decimal("0.69")) / Decimal("0.69") * 100, 2) == Decimal("-43.48")
    assert round_half_up((Decimal("0.39") - Decimal("0.695")) / Decimal("0.695") * 100, 2) == Decimal("-43.88")
    assert round_half_up(Decimal("0.695") - Decimal("0.39"), 1) == Decimal("0.3")  # “减少0.3万元”
    # 支出减少 第36行: 903.38 = 1650.49 − 747.11, and 747.1 may be 747.11
    assert Decimal("1650.49") - Decimal("747.11") == Decimal("903.38")
    assert dept.expenditure.total is not None and dept.expenditure.total.interval().contains(Decimal("747.11"))


@pytest.mark.parametrize("name", [PROJECT_PREMIUMS, PROJECT_SPECIAL, PROJECT_EVALUATION])
def test_project_execution(projects: dict[str, Project], name: str) -> None:
    project = projects[name]
    results = compute_project(project)
    shown = {r.id: r.display() for r in results}
    assert shown["project_budget_execution_rate"] == "100.00%"  # 251.2/251.2, 7/7, 397.47/397.47
    checks = check_stated(project, results)
    if name == PROJECT_EVALUATION:  # 附件2 states 到位率 100%, not 执行率
        assert checks == []
    else:
        (check,) = checks
        assert check.ok is True and check.line == {PROJECT_PREMIUMS: 128, PROJECT_SPECIAL: 127}[name]


def test_fund_years(dataset: Dataset) -> None:
    funds = {f.fund: f for f in dataset.fund_years}
    resident = funds[FundKind.resident]
    assert resident.coverage.insured is not None and resident.coverage.insured.value == 189627
    assert resident.income.contributions is not None and str(resident.income.contributions) == "4435.97万元"
    assistance = funds[FundKind.medical_assistance]
    assert assistance.services.assistance is not None and assistance.services.assistance.value == 6772
    # the report states no fund derived figure
    assert all(not f.stated for f in dataset.fund_years)
    # 第1个项目表: 1.8067万人 = 18067 人 = resident.coverage.poor
    assert resident.coverage.poor is not None and resident.coverage.poor.value == 18067
