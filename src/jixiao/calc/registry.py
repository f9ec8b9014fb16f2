"""The indicator registry: every indicator is defined once, here, with its formula and source.

An :class:`IndicatorDef` says what an indicator is (id, 中文名, formula shown by ``--explain``,
unit, display places, the model fields it reads, the rule it follows) and how to compute it.
Computing gives an :class:`IndicatorResult`: the value in ``Decimal`` at full precision (never
rounded here), the :class:`~jixiao.numbers.Interval` that the inputs' written precision allows,
and — when it cannot be computed — ``value=None`` with a Chinese reason. Rounding happens only
in :meth:`IndicatorResult.display` (四舍五入).

Display precision (one rule, applied when a result is computed — :func:`jixiao.calc.terms.display_places`):
an amount computed by adding or subtracting written figures is shown with the most decimals
among its inputs (``151661 − 128457`` → ``23204万元``; ``655.50 − 100`` → ``555.50万元``); a
product or quotient (rates, 人均, 可支付月数) with the definition's declared ``places``
(``15.30%``, ``806元``, ``12.3个月``). :attr:`IndicatorResult.places` is the outcome, and every
writer (sentences, tables, xlsx number formats, charts, the CLI, the web pages) reads it
through :meth:`IndicatorResult.display` / :attr:`IndicatorResult.places`.

Four ids exist for both a fund and a department (``income_yoy_change``, ``income_yoy_rate``,
``expenditure_yoy_change``, ``expenditure_yoy_rate``), and a monthly or quarterly record
(subject ``period``, :mod:`jixiao.calc.period`) reuses a fund id wherever it is the same figure
for part of a year (``income_budget_execution_rate``, ``current_balance``, ``months_of_reserve``…):
:data:`BY_SUBJECT` keeps each subject's own definition; :data:`REGISTRY` maps every id to one
definition (the fund one for the shared ids, whose formula text is written for both). Use
:func:`lookup` or :attr:`IndicatorResult.definition` to get the exact definition of a result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from jixiao.numbers import Interval, fmt

if TYPE_CHECKING:
    from jixiao.model.funds import FundKind

Subject = Literal["fund", "department", "project", "period"]


@dataclass(frozen=True)
class IndicatorResult:
    """One computed indicator of one record."""

    id: str
    value: Decimal | None
    interval: Interval | None
    unit: str
    reason: str | None
    inputs: dict[str, str]
    # additions to the shared contract (all defaulted):
    #: decimals shown: the declared places, or a sum/difference's inputs' most written decimals
    places: int = 2
    subject: str = "fund"
    name: str = ""

    @property
    def computable(self) -> bool:
        return self.value is not None

    @property
    def definition(self) -> IndicatorDef:
        return lookup(self.id, self.subject)

    def display_value(self) -> str:
        """The value rounded half-up to the display places, without unit ('15.30')."""
        if self.value is None:
            return ""
        text = fmt(self.value, self.places)
        if text.startswith("-") and Decimal(text) == 0:
            text = text[1:]
        return text

    def display(self) -> str:
        """'15.30%', '806元', '23204万元', '555.50万元' — or '不可计算：缺少：支出预算'."""
        if self.value is None:
            return f"不可计算：{self.reason}"
        return f"{self.display_value()}{self.unit}"


@dataclass(frozen=True)
class IndicatorDef:
    """One indicator, defined once.

    ``places``: the declared display decimals, used for a product or quotient; a result that is
    a sum or difference of written figures is shown at its inputs' precision instead.
    """

    id: str
    name: str
    formula: str
    unit: str
    places: int
    subject: str
    inputs: tuple[str, ...]
    rule: str
    compute: Callable[..., IndicatorResult]
    # additions: the funds an indicator is meant for (None = every fund). An indicator outside
    # its funds is still reported when the record happens to make it computable.
    funds: frozenset[FundKind] | None = None
    note: str | None = None
    #: 文号 of the official document that defines the indicator (rules/documents.yaml), shown to
    #: users by :func:`jixiao.rules.citation_text`; ``rule`` is the maintainers' provenance note
    citation: str | None = None

    def applies_to(self, fund: FundKind) -> bool:
        return self.funds is None or fund in self.funds


#: id -> definition (for the four ids both a fund and a department have: the fund definition)
REGISTRY: dict[str, IndicatorDef] = {}
#: subject -> id -> definition, in display order
BY_SUBJECT: dict[str, dict[str, IndicatorDef]] = {"fund": {}, "department": {}, "project": {}, "period": {}}


def lookup(indicator_id: str, subject: str | None = None) -> IndicatorDef:
    """The definition of ``indicator_id`` (of ``subject`` when given). KeyError when unknown."""
    if subject is not None and indicator_id in BY_SUBJECT.get(subject, {}):
        return BY_SUBJECT[subject][indicator_id]
    return REGISTRY[indicator_id]


def places_shown(display: str) -> int | None:
    """The decimals of an :meth:`IndicatorResult.display` (``'23204万元'`` → 0, ``'15.30%'`` → 2,
    ``'-890.89万元'`` → 2); None for ``'不可计算：…'``. For a page that only has stored displays
    (a column's median is best shown with the most decimals of the column's own figures)."""
    if display.startswith("不可计算"):
        return None
    number = display.lstrip("-")
    end = 0
    while end < len(number) and (number[end].isdigit() or number[end] == "."):
        end += 1
    if end == 0:
        return None
    return len(number[:end].partition(".")[2])


def definitions(subject: str) -> list[IndicatorDef]:
    """The definitions of one subject in display order."""
    return list(BY_SUBJECT[subject].values())
