"""Seed 002 (株洲市医疗保险处 2018 整体支出绩效自评报告, a Hunan form) as example data.

``examples/002_zhuzhou_2018.yaml`` is a hand transcription of ``examples/seeds/002_fbfe553641ebb30d.txt``.
The form states its figures once and few derived figures; the tests check the transcription
against the seed text, the form's own sums at the precision it wrote them, the engine's values
computed by hand, and that the two derived figures it states cannot be checked (no 上年数).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from jixiao.calc import compute_department, compute_fund_year
from jixiao.calc.stated import check_stated
from jixiao.ingest.files import read_files
from jixiao.model import Dataset, DepartmentYear, FundKind
from jixiao.numbers import Interval, Quantity, interval_sum

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "examples" / "seeds" / "002_fbfe553641ebb30d.txt"
EXAMPLE = ROOT / "examples" / "002_zhuzhou_2018.yaml"
UNITS = ROOT / "examples" / "units.yaml"
LINES = SEED.read_text(encoding="utf-8").split("\n")

UNIT = "430200-01"


def line(n: int) -> str:
    """Line ``n`` (1-based) of the seed, with spaces removed (the form scatters them)."""
    return re.sub(r"\s+", "", LINES[n - 1])


def wan(q: Quantity | None) -> Interval:
    assert q is not None
    return q.interval_in("万元")


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


def test_loads_cleanly_with_the_unit_tree() -> None:
    result = read_files([UNITS, EXAMPLE])
    assert result.ok and result.problems == []
    assert result.dataset is not None
    assert [(d.unit, d.year) for d in result.dataset.departments] == [(UNIT, 2018)]
    assert {f.fund for f in result.dataset.fund_years} == {
        FundKind.employee, FundKind.resident, FundKind.maternity, FundKind.employee_large_subsidy,
        FundKind.civil_servant_subsidy, FundKind.retired_cadres,
    }
    assert all(f.scope == "全市" and f.year == 2018 for f in result.dataset.fund_years)


#: field path -> (line, the figure as the seed writes it)
FIGURES = {
    "staff.actual": (12, "年末职工人数：56人"),
    "staff.authorized": (12, "人员编制：56人"),
    "assets.assets_total": (12, "年末资产总额：241.46万元"),
    "assets.liabilities_total": (12, "负债总额：5.49万元"),
    "budget.initial": (13, "年初预算资金1350.68万元"),
    "income.total": (13, "单位年度总收入1562.46万元"),
    "income.fiscal": (13, "财政拨款1548.65万元"),
    "income.other": (13, "其他收入13.81万元"),
    "expenditure.total": (13, "单位年度总支出1562.46万元"),
    "expenditure.project": (13, "项目支出353.11万元"),
    "expenditure.basic": (13, "基本支出1209.35万元"),
    "expenditure.personnel": (13, "人员支出874.09万元"),
    "expenditure.public_operating": (13, "公用经费支出335.26万元"),
    "three_public.total.actual": (13, "三公经费17.79万元"),
    "three_public.vehicles.actual": (13, "公车购置和维护费7万元"),
    "three_public.reception.actual": (13, "公务接待费10.79万元"),
    "three_public.overseas.actual": (13, "出国经费0万元"),
    "assets.bank_deposits": (14, "银行存款92万"),
    "assets.fixed_assets": (14, "固定资产149万元"),
}


@pytest.mark.parametrize("path", sorted(FIGURES))
def test_department_figures_are_the_seed_figures(dept: DepartmentYear, path: str) -> None:
    where, text = FIGURES[path]
    assert text in line(where)
    value: object = dept
    for part in path.split("."):
        value = getattr(value, part)
    assert isinstance(value, Quantity)
    number = re.search(r"(\d+(?:\.\d+)?)(?:人|万)", text)
    assert number is not None
    assert value.value == Decimal(number.group(1)) and str(value.value) == number.group(1)  # same digits


def v(q: Quantity | None) -> Decimal:
    assert q is not None
    return q.value


def test_the_forms_sums(dept: DepartmentYear) -> None:
    exp, inc, tp, assets = dept.expenditure, dept.income, dept.three_public, dept.assets
    # 874.09 + 335.26 = 1209.35 (基本支出)
    assert v(exp.personnel) + v(exp.public_operating) == v(exp.basic) == Decimal("1209.35")
    # 353.11 + 1209.35 = 1562.46 (总支出)
    assert v(exp.project) + v(exp.basic) == v(exp.total) == Decimal("1562.46")
    # 1548.65 + 13.81 = 1562.46 (总收入)
    assert v(inc.fiscal) + v(inc.other) == v(inc.total) == Decimal("1562.46")
    # 三公 7 + 10.79 + 0 = 17.79
    assert v(tp.vehicles.actual) + v(tp.reception.actual) + v(tp.overseas.actual) == v(tp.total.actual)
    assert v(tp.total.actual) == Decimal("17.79")
    # 资产 241.46 vs 银行存款 92 + 固定资产 149 = 241: consistent at the precision of 92 and 149
    summed = interval_sum([wan(assets.bank_deposits), wan(assets.fixed_assets)])
    assert summed == Interval(Decimal("240"), Decimal("242"))
    assert summed.meets(wan(assets.assets_total))
    # 第14行 “年末资产 241 万元” is 241.46 rounded
    assert "年末资产241万元" in line(14)
    assert Quantity(Decimal("241")).interval().contains(Decimal("241.46"))


def test_liabilities_stated_twice() -> None:
    """第12行 负债总额 5.49 万元; 第14行 负债 5.4 万元 — 5.49 does not round to 5.4 (kept: 5.49)."""
    assert "负债总额：5.49万元" in line(12)
    assert "负债5.4万元" in line(14)
    assert not Quantity(Decimal("5.4")).interval().contains(Decimal("5.49"))
    assert "第14行" in EXAMPLE.read_text(encoding="utf-8")


def test_citywide_enrolment_adds_up(dataset: Dataset) -> None:
    """第16行: 全市 381.31 万人 = 职工 64.27 万人 + 城乡居民 317.04 万人."""
    funds = {f.fund: f for f in dataset.fund_years}
    employee, resident = funds[FundKind.employee].coverage.insured, funds[FundKind.resident].coverage.insured
    assert employee is not None and resident is not None
    assert employee.value + resident.value == Decimal("381.31")
    assert "基本医疗保险参保人数381.31万人" in line(16)
    assert str(funds[FundKind.employee].income.contributions) == "26.35亿元"
    assert str(funds[FundKind.resident].income.total) == "22.55亿元"
    assert str(funds[FundKind.maternity].income.contributions) == "1.33亿元"
    assert str(funds[FundKind.employee_large_subsidy].income.contributions) == "8719万元"
    assert str(funds[FundKind.civil_servant_subsidy].income.total) == "1.29亿元"
    assert str(funds[FundKind.retired_cadres].income.total) == "4487万元"
    for text in ("26.35亿元", "8719万元", "1.29亿元", "22.55亿元", "1.33亿元", "4487万元", "33.66万人"):
        assert text in line(16)


def test_engine_values_by_hand(dept: DepartmentYear) -> None:
    shown = {r.id: r.display() for r in compute_department(dept)}
    assert shown["staff_control_rate"] == "100.00%"  # 56 ÷ 56
    assert shown["basic_share"] == "77.40%"  # 1209.35 ÷ 1562.46
    assert shown["project_share"] == "22.60%"  # 353.11 ÷ 1562.46
    assert shown["personnel_share"] == "72.28%"  # 874.09 ÷ 1209.35
    assert shown["public_operating_share"] == "27.72%"  # 335.26 ÷ 1209.35
    assert shown["fiscal_income_share"] == "99.12%"  # 1548.65 ÷ 1562.46
    assert shown["other_income_share"] == "0.88%"  # 13.81 ÷ 1562.46: under the form's 10% line
    # no 全年预算 on the form: the budget indicators say so instead of inventing a figure
    for key in ("budget_completion_rate", "budget_control_rate", "funding_control_rate", "carryover_rate"):
        assert "全年预算" in shown[key] and shown[key].startswith("不可计算")


def test_stated_figures_cannot_be_checked(dept: DepartmentYear) -> None:
    """The form states two derived figures, neither with its 上年数: no right/wrong verdict."""
    checks = {c.key: c for c in check_stated(dept, compute_department(dept))}
    assert set(checks) == {"public_operating_yoy_rate", "three_public_change_rate"}
    assert all(c.ok is None and c.status == "not_computable" and c.line == 13 for c in checks.values())
    assert "上年公用经费" in checks["public_operating_yoy_rate"].message
    assert [c for c in checks.values() if c.ok is False] == []


def test_resident_income_per_capita(dataset: Dataset) -> None:
    """Not stated by the form, but computable: 22.55亿元 ÷ 317.04万人 = 711 元."""
    (resident,) = [f for f in dataset.fund_years if f.fund == FundKind.resident]
    shown = {r.id: r.display() for r in compute_fund_year(resident)}
    assert shown["income_per_capita"] == "711元"
    assert (Decimal("22.55") * 10**8 / (Decimal("317.04") * 10**4)).quantize(Decimal(1)) == 711
