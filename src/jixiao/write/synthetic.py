"""Synthetic but consistent unit-years: for the report benchmark and the round-trip property test.

:func:`synthetic_unit` draws, from a ``random.Random``, one unit's fund years (职工医保 with its
统筹基金 and 个人账户 parts, 城乡居民医保), its department year and a project with its 自评表 —
every figure coherent: totals are the sums of their parts, 当期结余 = 收入 − 支出, 年末 = 年初 +
当期, 资产 − 负债 = 年末累计结余, 编制 = 行政 + 事业, 全年预算 = 年初 + 调整, previous-year
values, budgets and coverage. Money is written in 万元 with two decimals (the figures as an
officer types them; ``places=0`` or ``1`` for whole or one-decimal figures, ``places=None`` for
each figure at 0, 1 or 2 decimals drawn at random — the parts of a total at the total's own),
people as whole numbers. The same seed gives the same data.

A generated report of such data must pass the audit with no error: whatever the auditor finds
is either a sentence the writer should make plainer or a defect of the auditor.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jixiao.model import Dataset


@dataclass(frozen=True)
class _Draw:
    """The random source and the decimals amounts are written with (None: 0, 1 or 2 at random)."""

    rng: random.Random
    places: int | None = 2

    def _places(self) -> int:
        return self.rng.choice((0, 1, 2)) if self.places is None else self.places

    def money(self, low: float, high: float) -> Decimal:
        """A random amount in 万元 in [low, high] (both ends rounded inwards to its decimals)."""
        places = self._places()
        scale = 10 ** places
        first, last = math.ceil(round(low * scale, 6)), math.floor(round(high * scale, 6))
        steps = self.rng.randint(first, max(first, last))
        return Decimal(steps).scaleb(-places)

    def zero(self) -> Decimal:
        return Decimal(0).scaleb(-self._places())

    def split(self, total: Decimal, n: int) -> list[Decimal]:
        """``total`` cut into ``n`` positive parts with its decimals that add up to it exactly."""
        places = max(0, -_exponent(total))
        zero = Decimal(0).scaleb(-places)
        steps = int(total.scaleb(places))
        if n <= 1 or steps < n:
            return [total] + [zero] * (n - 1)
        cuts = sorted(self.rng.sample(range(1, steps), n - 1))
        bounds = [0, *cuts, steps]
        return [Decimal(b - a).scaleb(-places) for a, b in itertools.pairwise(bounds)]


def _exponent(value: Decimal) -> int:
    exp = value.as_tuple().exponent
    assert isinstance(exp, int)
    return exp


def _s(value: Decimal) -> str:
    """An amount as written: its own decimals (sums keep their terms' most decimals)."""
    return f"{value:f}"


def _people(n: int) -> str:
    return str(n)


def _fund_year(draw: _Draw, code: str, year: int, fund: str, scale: float, insured: int,
               parts: bool) -> dict[str, Any]:
    income = draw.money(0.8 * scale, 1.2 * scale)
    expenditure = draw.money(0.75 * scale, 1.15 * scale)
    current = income - expenditure
    opening = draw.money(0.3 * scale, 1.5 * scale)
    closing = opening + current
    record: dict[str, Any] = {
        "unit": code, "year": year, "fund": fund, "scope": "全市",
        "income": {"total": _s(income)},
        "expenditure": {"total": _s(expenditure)},
        "balance": {"opening": _s(opening), "current": _s(current), "closing": _s(closing)},
        "previous": {
            "income_total": _s(draw.money(0.85 * float(income), 1.1 * float(income))),
            "expenditure_total": _s(draw.money(0.85 * float(expenditure), 1.1 * float(expenditure))),
            "insured": _people(int(insured * draw.rng.uniform(0.93, 1.03))),
        },
        "budget": {
            "income": _s(draw.money(0.9 * float(income), 1.1 * float(income))),
            "expenditure": _s(draw.money(0.9 * float(expenditure), 1.1 * float(expenditure))),
        },
        "coverage": {"insured": _people(insured)},
    }
    if parts:
        contributions, subsidy, interest, other = draw.split(income, 4)
        record["income"].update({"contributions": _s(contributions), "fiscal_subsidy": _s(subsidy),
                                 "interest": _s(interest), "other": _s(other)})
        benefits, other_out = draw.split(expenditure, 2)
        record["expenditure"].update({"benefits": _s(benefits), "other": _s(other_out)})
    if closing > 0 and draw.rng.random() < 0.6:
        liabilities = draw.money(0, 0.05 * scale)
        record["balance_sheet"] = {"assets_total": _s(closing + liabilities), "liabilities_total": _s(liabilities)}
    return record


def _employee_funds(draw: _Draw, code: str, year: int, scale: float) -> list[dict[str, Any]]:
    """职工医保 as the sum of its 统筹基金 and 个人账户 (income, expenditure, balances)."""
    insured = draw.rng.randint(20_000, 400_000)
    employed = draw.rng.randint(int(insured * 0.55), int(insured * 0.8))
    pooling = _fund_year(draw, code, year, "职工基本医疗保险统筹基金", scale * 0.62, insured, parts=False)
    account = _fund_year(draw, code, year, "职工基本医疗保险个人账户", scale * 0.38, insured, parts=False)
    for part in (pooling, account):  # the parts state no coverage or previous year of their own
        del part["coverage"], part["previous"], part["budget"]
        part.pop("balance_sheet", None)

    def add(*path: str) -> str:
        total = Decimal(0)
        for part in (pooling, account):
            node: Any = part
            for key in path:
                node = node[key]
            total += Decimal(node)
        return _s(total)

    whole = _fund_year(draw, code, year, "职工基本医疗保险", scale, insured, parts=False)
    whole["income"] = {"total": add("income", "total")}
    whole["expenditure"] = {"total": add("expenditure", "total")}
    whole["balance"] = {key: add("balance", key) for key in ("opening", "current", "closing")}
    whole["coverage"] = {"insured": _people(insured), "employed": _people(employed),
                         "retired": _people(insured - employed)}
    income, expenditure = Decimal(whole["income"]["total"]), Decimal(whole["expenditure"]["total"])
    whole["budget"] = {"income": _s(draw.money(0.9 * float(income), 1.1 * float(income))),
                       "expenditure": _s(draw.money(0.9 * float(expenditure), 1.1 * float(expenditure)))}
    whole["previous"]["income_total"] = _s(draw.money(0.85 * float(income), 1.1 * float(income)))
    whole["previous"]["expenditure_total"] = _s(draw.money(0.85 * float(expenditure), 1.1 * float(expenditure)))
    whole.pop("balance_sheet", None)
    closing = Decimal(whole["balance"]["closing"])
    if closing > 0:
        liabilities = draw.money(0, 0.05 * scale)
        whole["balance_sheet"] = {"assets_total": _s(closing + liabilities), "liabilities_total": _s(liabilities)}
    return [whole, pooling, account]


def _department(draw: _Draw, code: str, year: int) -> dict[str, Any]:
    admin, institution = draw.rng.randint(5, 40), draw.rng.randint(0, 80)
    authorized = admin + institution
    personnel, public_operating = draw.money(100, 900), draw.money(20, 300)
    basic = personnel + public_operating
    project = draw.money(0, 600) if draw.rng.random() < 0.7 else draw.zero()
    total = basic + project
    initial = draw.money(0.6 * float(total), 0.95 * float(total))
    full_year = draw.money(float(total), 1.08 * float(total))
    overseas, vehicles, reception = draw.money(0, 3), draw.money(0, 15), draw.money(0, 10)
    three_actual = overseas + vehicles + reception
    closing = full_year - total
    return {
        "unit": code, "year": year,
        "staff": {"authorized": _people(authorized), "authorized_admin": _people(admin),
                  "authorized_institution": _people(institution),
                  "actual": _people(draw.rng.randint(max(1, authorized - 10), authorized + 3)),
                  "retired": _people(draw.rng.randint(0, 30))},
        "budget": {"initial": _s(initial), "adjustment": _s(full_year - initial), "full_year": _s(full_year),
                   "operating_costs": _s(draw.money(float(public_operating), 1.1 * float(public_operating)))},
        "income": {"total": _s(full_year), "general_public": _s(full_year)},
        "expenditure": {"total": _s(total), "basic": _s(basic), "personnel": _s(personnel),
                        "public_operating": _s(public_operating), "project": _s(project),
                        "general_public": _s(total), "operating_costs": _s(public_operating)},
        "three_public": {
            "total": {"budget": _s(three_actual + draw.money(0, 10)), "actual": _s(three_actual)},
            "overseas": {"actual": _s(overseas)},
            "vehicles": {"actual": _s(vehicles)},
            "reception": {"actual": _s(reception)},
        },
        "carryover": {"closing": _s(closing)},
        "previous": {"expenditure_total": _s(draw.money(0.85 * float(total), 1.1 * float(total)))},
        # the score the unit states, as often as not (a report must print it without contradicting its 自评表)
        "self_score": draw.rng.choice([None, f"{draw.rng.randint(800, 1000) / 10:g}"]),
    }


def _project(draw: _Draw, code: str, year: int, name: str) -> dict[str, Any]:
    budget = draw.money(5, 800)
    executed = draw.money(0.7 * float(budget), float(budget))
    fiscal, carryover = draw.split(budget, 2)
    executed_fiscal = min(fiscal, executed)
    persons = draw.rng.randint(1_000, 50_000)
    done = persons + draw.rng.randint(-persons // 10, persons // 5)
    rows = [
        {"level1": "产出指标", "level2": "数量指标", "level3": "享受待遇人数", "target": f"≥{persons}人",
         "actual": f"{done}人"},
        {"level1": "产出指标", "level2": "质量指标", "level3": "待遇发放准确率", "target": "≥99%",
         "actual": f"{draw.rng.choice(['99.5', '100', '98.6'])}%"},
        {"level1": "产出指标", "level2": "时效指标", "level3": "待遇拨付时限", "target": "30日内完成审核拨付",
         "actual": "按时拨付"},
        {"level1": "效益指标", "level2": "社会效益指标", "level3": "参保人员待遇保障", "target": "有效保障",
         "actual": draw.rng.choice(["达成预期指标", "基本达成", "部分完成"])},
        {"level1": "满意度指标", "level2": "服务对象满意度指标", "level3": "参保人员满意度", "target": "≥90%",
         "actual": f"{draw.rng.randint(85, 99)}%"},
    ]
    return {
        "unit": code, "year": year, "name": name, "department": "医疗保障局", "implementer": "医疗保障事务中心",
        "funds": {"budget": _s(budget), "executed": _s(executed), "budget_fiscal": _s(fiscal),
                  "executed_fiscal": _s(executed_fiscal), "budget_carryover": _s(carryover),
                  "executed_carryover": _s(executed - executed_fiscal)},
        "goal_expected": "保障参保人员医疗待遇按时足额支付。",
        "goal_actual": "全年医疗待遇按时足额支付。",
        "indicators": rows,
    }


def synthetic_unit(rng: random.Random, code: str = "S00001", year: int = 2021, *,
                   department: bool = True, project: bool = True, places: int | None = 2) -> Dataset:
    """One unit-year of consistent random figures (see the module docstring); amounts in 万元
    with ``places`` decimals (None: each at 0, 1 or 2 decimals, drawn at random)."""
    draw = _Draw(rng, places)
    scale = rng.uniform(2_000, 300_000)
    funds = _employee_funds(draw, code, year, scale)
    resident_insured = rng.randint(50_000, 2_000_000)
    funds.append(_fund_year(draw, code, year, "城乡居民基本医疗保险", scale * rng.uniform(0.8, 2.5),
                            resident_insured, parts=True))
    data: dict[str, Any] = {
        "money_unit": "万元",
        "units": [{"code": code, "name": f"合成{code}医疗保障局", "level": "县", "kind": "医疗保障局",
                   "region": "合成省"}],
        "fund_years": funds,
        "departments": [_department(draw, code, year)] if department else [],
        "projects": [_project(draw, code, year, f"{year}年度医疗保障待遇支出项目")] if project else [],
    }
    return Dataset.model_validate(data)


def synthetic_units(n: int, *, seed: int = 1, year: int = 2021) -> list[tuple[Dataset, str, int]]:
    """``n`` unit-years (dataset, unit code, year), reproducible from ``seed``."""
    rng = random.Random(seed)
    return [(synthetic_unit(rng, f"S{i:05d}", year), f"S{i:05d}", year) for i in range(1, n + 1)]


__all__ = ["synthetic_unit", "synthetic_units"]
