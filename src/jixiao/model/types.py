"""Pydantic field types for figures as written.

A figure in an input file may be a bare number (in the file's ``money_unit``, default 万元) or
a string with its unit (``"7.42亿元"``, ``"1.8067万人"``, ``"15.30%"``). Either way it becomes a
:class:`~jixiao.numbers.Quantity` that keeps its unit and written precision. Floats are refused:
YAML is read with every scalar as a string, so ``655.50`` keeps its two decimals.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator, ValidationInfo, WithJsonSchema

from jixiao.numbers import Dimension, Quantity, UnitError, parse_quantity, to_decimal

DEFAULT_MONEY_UNIT = "万元"


def _context(info: ValidationInfo, key: str, default: str) -> str:
    ctx = info.context or {}
    value = ctx.get(key, default)
    return str(value)


def _parse(raw: Any, default_unit: str) -> Quantity:
    if isinstance(raw, Quantity):
        return raw
    if isinstance(raw, bool):
        raise ValueError(f"不是数值：{raw!r}")
    if isinstance(raw, float):
        raise ValueError(f"数值 {raw!r} 须写成字符串（如 \"{raw}\"），以保留书写精度")
    if isinstance(raw, int | Decimal):
        return Quantity(to_decimal(raw), default_unit)
    if isinstance(raw, str):
        try:
            return parse_quantity(raw, default_unit)
        except UnitError as exc:
            raise ValueError(str(exc)) from exc
    raise ValueError(f"不是数值：{raw!r}")


def _make(
    default_unit_key: str | None,
    default_unit: str,
    dimensions: tuple[Dimension, ...],
    *,
    non_negative: bool,
    what: str,
) -> Any:
    def validate(raw: Any, info: ValidationInfo) -> Quantity:
        unit = _context(info, default_unit_key, default_unit) if default_unit_key else default_unit
        if "money" in dimensions and isinstance(raw, str) and raw.strip().endswith(("万", "亿")):
            raw = raw.strip() + "元"  # "7.5亿" in a money field means 7.5亿元
        q = _parse(raw, unit)
        if q.dimension not in dimensions:
            raise ValueError(f"单位“{q.unit or '（无）'}”不是{what}的单位")
        if non_negative and q.value < 0:
            raise ValueError(f"{what}不能为负数（{q}）")
        return q

    return Annotated[
        Quantity,
        PlainValidator(validate),
        PlainSerializer(lambda q: str(q), return_type=str),
        WithJsonSchema({"type": "string", "description": what}),
    ]


#: A non-negative amount of money (收入, 支出, 预算, 资产...).
Money = _make("money_unit", DEFAULT_MONEY_UNIT, ("money",), non_negative=True, what="金额")
#: An amount of money that may be negative (当期结余, 增减额).
SignedMoney = _make("money_unit", DEFAULT_MONEY_UNIT, ("money",), non_negative=False, what="金额")
#: A count of people (参保人数, 编制数).
Persons = _make(None, "人", ("person",), non_negative=True, what="人数")
#: A count of person-times (享受待遇人次).
PersonTimes = _make(None, "人次", ("person_time",), non_negative=True, what="人次")
#: A rate or share as written (``"9.25%"``).
Rate = _make(None, "%", ("ratio", "points"), non_negative=False, what="比率")
#: Money per person (人均, 缴费标准 ``220元/人``).
PerCapita = _make(None, "元/人", ("money_per_person", "money"), non_negative=False, what="人均金额")
#: Money per visit (次均费用 ``8500元/人次``).
PerVisit = _make(None, "元/人次", ("money_per_visit", "money"), non_negative=True, what="次均金额")
