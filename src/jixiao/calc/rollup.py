"""A roll-up: one fund's records of several units added into one record of their parent, figure
by figure, so the engine computes the parent's indicators on the sums (never an average of the
parts' rates).

Only what adds up is added: amounts of money, persons and person-times (参保人数, 享受待遇人次), the
change counts; never a rate, a per-capita figure or a stated figure. Each sum is exact (Decimal)
and keeps the written precision of its parts: every part is brought to one unit per kind (万元,
人, 人次) by moving the decimal point (:meth:`~jixiao.numbers.Quantity.to_unit`), and the sum has
the most decimals any part has. A figure some part lacks is left out of the sum (its total would
be wrong) and named in :attr:`RolledFund.gaps` with the parts that lack it; the engine then says
what it cannot compute.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from typing import Any

from pydantic import BaseModel

from jixiao.calc.terms import figure_places
from jixiao.model.funds import FundYear
from jixiao.numbers import Quantity

#: the parts of a fund record that hold figures (the rest is its identity, notes and text)
FIGURE_GROUPS = ("income", "expenditure", "budget", "balance", "balance_sheet", "coverage", "services", "previous",
                 "change")
#: what a part's figure is added in, by its kind, and the decimals a part written in a smaller
#: unit counts at most (as the engine shows such a figure)
SUM_UNITS = {"money": "万元", "person": "人", "person_time": "人次"}
_DECLARED = {"money": 2, "person": 0, "person_time": 0}


@dataclass(frozen=True)
class RolledFund:
    """The sum of one fund's records: ``record`` (a :class:`FundYear` of the parent holding the
    sums), the figures some part lacked (path → the units lacking it) and the parts summed."""

    record: FundYear
    parts: tuple[str, ...]
    gaps: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: path → the decimals a sum is shown with: the most its parts are shown with in the sum's
    #: unit (``1516614321元`` counts as 2 in 万元, as the engine shows such a figure)
    places: dict[str, int] = field(default_factory=dict)


def _addable(value: Any) -> bool:
    if isinstance(value, Quantity):
        return value.dimension in SUM_UNITS and value.approx is None
    return isinstance(value, int) and not isinstance(value, bool)


def _figures(record: FundYear) -> dict[str, Any]:
    """path → figure of every addable figure of ``record`` (``income.total`` → Quantity)."""
    out: dict[str, Any] = {}
    for group in FIGURE_GROUPS:
        part: BaseModel = getattr(record, group)
        for name in type(part).model_fields:
            value = getattr(part, name)
            if value is not None and _addable(value):
                out[f"{group}.{name}"] = value
    return out


def _add(values: Sequence[Any]) -> Any:
    """The exact sum of same-kind figures, in the kind's unit at the finest written precision."""
    if all(isinstance(v, int) for v in values):
        return sum(values)
    quantities = [v for v in values if isinstance(v, Quantity)]
    if len(quantities) != len(values) or len({q.dimension for q in quantities}) != 1:
        return None
    unit = SUM_UNITS[str(quantities[0].dimension)]
    with localcontext() as ctx:
        ctx.prec = 60
        total = sum((q.to_unit(unit).value for q in quantities), Decimal(0))
    return Quantity(total, unit)


def _without_spare_zeros(total: Quantity, places: int) -> Quantity:
    """``17050.2500万元`` (a part written in 元) as ``17050.25万元`` when that loses nothing: the
    digits dropped are zeros, so the sum is still exact; otherwise it stays as it is."""
    if -total.exponent <= places:
        return total
    shorter = total.value.quantize(Decimal(1).scaleb(-places))
    return Quantity(shorter, total.unit, total.approx) if shorter == total.value else total


def shown_places(value: Quantity, unit: str, known: int | None = None) -> int:
    """The decimals a part's figure counts with in ``unit``: ``known`` for a part that is itself a
    sum (its own :attr:`RolledFund.places`), else as the engine shows one written figure."""
    if known is not None:
        return known
    return figure_places(value, unit, _DECLARED.get(str(value.dimension), 2))


def roll_up(parts: Sequence[FundYear], *, unit: str, year: int, scope: str | None = None,
            names: Mapping[str, str] | None = None,
            part_places: Sequence[Mapping[str, int] | None] | None = None) -> RolledFund:
    """``parts`` (one fund, one year, one record per unit) added into one record of ``unit``.

    A figure is summed only when every part has it; otherwise it is left out and listed in
    ``gaps`` (path → the names, or codes, of the parts lacking it). ``part_places`` gives, for a
    part that is itself a sum, the decimals of its figures (its :attr:`RolledFund.places`)."""
    if not parts:
        raise ValueError("没有可以合计的记录")
    fund = parts[0].fund
    if any(p.fund != fund or p.year != year for p in parts):
        raise ValueError("合计的记录须为同一基金、同一年度")
    figures = [_figures(p) for p in parts]
    paths = [path for path in dict.fromkeys(path for f in figures for path in f)]
    data: dict[str, dict[str, Any]] = {}
    gaps: dict[str, tuple[str, ...]] = {}
    places: dict[str, int] = {}
    for path in paths:
        lacking = tuple((names or {}).get(p.unit, p.unit) for p, f in zip(parts, figures, strict=True)
                        if path not in f)
        if lacking:
            gaps[path] = lacking
            continue
        values = [f[path] for f in figures]
        total = _add(values)
        if total is None:  # parts of different kinds (人 beside 人次): no sum
            gaps[path] = ()
            continue
        if isinstance(total, Quantity):
            known = [(part_places[i] or {}).get(path) if part_places else None for i in range(len(parts))]
            places[path] = max(shown_places(v, total.unit, k) for v, k in zip(values, known, strict=True))
            total = _without_spare_zeros(total, places[path])
        group, name = path.split(".")
        data.setdefault(group, {})[name] = total
    record = FundYear.model_validate({"unit": unit, "year": year, "fund": fund, "scope": scope, **data})
    return RolledFund(record, tuple(p.unit for p in parts), gaps, places)


__all__ = ["FIGURE_GROUPS", "SUM_UNITS", "RolledFund", "roll_up", "shown_places"]
