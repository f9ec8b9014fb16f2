"""Check the derived figures a report states (``record.stated``) against the engine.

A stated figure stands for the interval its written precision allows (``15.30%`` → [15.295,
15.305]); the computed indicator carries the interval its inputs allow. The statement is
consistent (``ok``) when the two intervals meet — so a figure rounded correctly from rounded
inputs is never flagged, and a wrong one is reported with the value it should have, written at
the report's own precision.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Literal

from jixiao.calc.registry import BY_SUBJECT, IndicatorDef, IndicatorResult
from jixiao.model.department import DepartmentYear
from jixiao.model.funds import FundYear
from jixiao.model.periods import FundPeriod
from jixiao.model.project import Project
from jixiao.numbers import Interval, Quantity, UnitError, conversion, dimension, fmt, parse_quantity, truncate
from jixiao.problems import Problem, Severity

Status = Literal["ok", "mismatch", "not_computable", "unknown", "unparsable"]


@dataclass(frozen=True)
class StatedCheck:
    """The verdict on one stated figure.

    A key may carry a suffix after ``@`` (``income_yoy_rate@line386``) when a report states the
    same indicator twice; ``id`` is the indicator, ``key`` the key as written.

    ``ok`` is True (consistent), False (wrong: ``expected`` is the right value at the stated
    precision) or None (cannot be checked: unknown id, unparsable figure, or the indicator is not
    computable from the record — ``status`` says which).
    """

    id: str
    stated: str
    computed_display: str
    ok: bool | None
    line: int | None
    message: str
    # additions to the shared contract:
    name: str = ""
    status: Status = "ok"
    expected: str | None = None
    quote: str | None = None
    stated_interval: Interval | None = None
    computed_interval: Interval | None = None
    key: str = ""  # the key in ``stated`` ('income_yoy_rate@line386'); id is without the suffix

    def problem(self, source: str | None = None) -> Problem | None:
        """The check as a problem: JX-ST-001 when the stated figure is wrong, JX-ST-002 (info)
        when it cannot be checked, None when it holds."""
        if self.ok:
            return None
        code: str = "JX-ST-001" if self.ok is False else "JX-ST-002"
        severity: Severity = "error" if self.ok is False else "info"
        details = {"stated": self.stated, "computed": self.computed_display, **(
            {"expected": self.expected} if self.expected else {})}
        return Problem(code, self.message, severity, source, f"stated.{self.key or self.id}", self.line, details)


def subject_of(record: Any) -> str:
    if isinstance(record, FundYear):
        return "fund"
    if isinstance(record, FundPeriod):
        return "period"
    if isinstance(record, DepartmentYear):
        return "department"
    if isinstance(record, Project):
        return "project"
    raise TypeError(f"not a record with indicators: {type(record).__name__}")


def parse_stated(text: str, unit: str) -> Quantity:
    """A stated figure as a Quantity; a bare number takes the indicator's unit.

    Accepts what :func:`~jixiao.numbers.parse_quantity` accepts plus the indicator's own unit
    when jixiao's unit table lacks it (``1.24倍``) and the ratio form ``1.24:1``.
    """
    raw = text.strip().replace("：", ":")
    if raw.endswith(":1"):
        raw = raw[:-2]
    if unit and raw.endswith(unit) and unit not in ("%",):
        number = raw[: -len(unit)].strip()
        try:
            q = parse_quantity(number)
        except (UnitError, ValueError):
            q = None
        if q is not None and q.unit == "":
            return Quantity(q.value, unit, q.approx)
    q = parse_quantity(raw)
    return q if q.unit else Quantity(q.value, unit, q.approx)


def _to_result_unit(q: Quantity, unit: str) -> tuple[Interval, Decimal]:
    """The stated figure's interval in the indicator's unit, and the factor used."""
    if q.unit == unit:
        return q.interval(), Decimal(1)
    if unit == "元" and dimension(q.unit) == "money_per_person":
        return q.interval(), Decimal(1)  # '806元/人' for a per-capita indicator in 元
    k = conversion(q.unit, unit)
    return q.interval() * k, k


def _places(q: Quantity) -> int:
    return max(0, -q.exponent)


def _inputs_text(inputs: Mapping[str, str]) -> str:
    return "，".join(f"{k}{v}" for k, v in inputs.items())


def check_one(indicator_id: str, stated_text: str, line: int | None, quote: str | None,
              result: IndicatorResult | None, definition: IndicatorDef | None) -> StatedCheck:
    where = f"（原文第{line}行）" if line else ""
    if definition is None:
        return StatedCheck(indicator_id, stated_text, "", None, line,
                           f"未知指标“{indicator_id}”{where}：报告所述派生数的键须是指标 id", status="unknown",
                           quote=quote)
    name = definition.name
    if result is None:
        return StatedCheck(indicator_id, stated_text, "", None, line, f"{name}：未计算{where}",
                           name=name, status="not_computable", quote=quote)
    if result.value is None:
        return StatedCheck(indicator_id, stated_text, result.display(), None, line,
                           f"{name}：报告写“{stated_text}”{where}，无法核对——{result.reason}",
                           name=name, status="not_computable", quote=quote)
    try:
        q = parse_stated(stated_text, result.unit)
        stated_iv, factor = _to_result_unit(q, result.unit)
    except (UnitError, ValueError) as exc:
        return StatedCheck(indicator_id, stated_text, result.display(), None, line,
                           f"{name}：报告所述“{stated_text}”{where}无法解读（{exc}）",
                           name=name, status="unparsable", quote=quote)
    computed_iv = result.interval or Interval.exact(result.value)
    value_in_stated = result.value / factor
    places = _places(q)
    expected = f"{fmt(value_in_stated, places)}{q.unit}"
    if expected.startswith("-") and Decimal(fmt(value_in_stated, places)) == 0:
        expected = expected[1:]
    if stated_iv.meets(computed_iv):
        return StatedCheck(indicator_id, stated_text, result.display(), True, line,
                           f"{name}：报告所述“{stated_text}”与计算值{result.display()}相符",
                           name=name, status="ok", expected=expected, quote=quote,
                           stated_interval=stated_iv, computed_interval=computed_iv)
    message = (f"{name}：报告写“{stated_text}”{where}，按 {definition.formula} 计算应为{expected}"
               f"（{_inputs_text(result.inputs)}）")
    if truncate(value_in_stated, places) == q.value:
        message += "；报告数系截尾取数，而非四舍五入"
    return StatedCheck(indicator_id, stated_text, result.display(), False, line, message,
                       name=name, status="mismatch", expected=expected, quote=quote,
                       stated_interval=stated_iv, computed_interval=computed_iv)


def base_id(key: str) -> str:
    """``'income_yoy_rate@line386'`` → ``'income_yoy_rate'``: a second statement of one indicator."""
    return key.split("@", 1)[0].strip()


def check_stated(record: FundYear | FundPeriod | DepartmentYear | Project,
                 results: Iterable[IndicatorResult]) -> list[StatedCheck]:
    """Compare each ``record.stated[id]`` with the computed indicator ``id``.

    ``results`` are the record's computed indicators (from :func:`compute_fund_year` etc.); an
    id they lack but the registry knows is computed here from the record alone (no siblings).
    """
    subject = subject_of(record)
    by_id = {r.id: r for r in results}
    own = BY_SUBJECT[subject]
    checks: list[StatedCheck] = []
    for key, figure in record.stated.items():
        indicator_id = base_id(key)
        definition = own.get(indicator_id)
        result = by_id.get(indicator_id)
        if result is None and definition is not None:
            result = definition.compute(record)
        check = check_one(indicator_id, figure.value, figure.line, figure.quote, result, definition)
        checks.append(replace(check, key=key))
    return checks
