"""Fund figures of part of a year (月报、季报): one record per unit × year × fund × span.

A monthly or quarterly report gives the same ledger items as the year's final accounts, for the
months it covers: ``1-6`` is January to June cumulative (1-6月累计), ``6`` June alone (6月当月),
``4-6`` the second quarter. The groups are FundYear's own (:class:`FundIncome`,
:class:`FundExpenditure`, :class:`FundBudget`, :class:`Coverage`); only balances and the
same-period figures are titled for a period (期末, 上年同期), under the same field names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from jixiao.model.funds import (
    Coverage,
    FundBudget,
    FundExpenditure,
    FundIncome,
    FundKind,
    StatedFigure,
)
from jixiao.model.types import Money, Persons, SignedMoney

#: the pydantic error type of a span that cannot be read; ingest reports it as JX-IN-030
SPAN_ERROR = "period_span"

_WORDS: dict[str, tuple[int, int]] = {
    "全年": (1, 12), "上半年": (1, 6), "下半年": (7, 12), "前三季度": (1, 9),
    "一季度": (1, 3), "二季度": (4, 6), "三季度": (7, 9), "四季度": (10, 12),
    "第一季度": (1, 3), "第二季度": (4, 6), "第三季度": (7, 9), "第四季度": (10, 12),
    "Q1": (1, 3), "Q2": (4, 6), "Q3": (7, 9), "Q4": (10, 12),
}
_RANGE = re.compile(r"^(\d{1,2})\s*(?:月)?\s*(?:-|－|—|–|~|～|至|到)\s*(\d{1,2})\s*(?:月|月份)?$")
_MONTH = re.compile(r"^(\d{1,2})\s*(?:月|月份)?$")


@dataclass(frozen=True, order=True)
class Span:
    """The months a record covers, ``first`` to ``last`` (1–12, both included)."""

    first: int
    last: int

    @property
    def months(self) -> int:
        return self.last - self.first + 1

    @property
    def cumulative(self) -> bool:
        """From January (累计数): 1-6 is, 4-6 and 6 are not."""
        return self.first == 1

    @property
    def whole_year(self) -> bool:
        return self.first == 1 and self.last == 12

    @property
    def label(self) -> str:
        """As reports write it: 1-6月, 6月, 4-6月."""
        return f"{self.first}月" if self.first == self.last else f"{self.first}-{self.last}月"

    def __str__(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"


def parse_span(raw: Any) -> Span:
    """``"1-6"``, ``"1-6月"``, ``"6"``, ``"6月"``, ``"二季度"``, ``"上半年"`` … as a :class:`Span`.

    Raises ValueError with a Chinese message when the text is not a span or a month is outside
    1–12 or the span runs backwards.
    """
    if isinstance(raw, Span):
        return raw
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise ValueError(f"“{raw}”应写成“1-6”（1至6月累计）、“6”（6月当月）或“4-6”（二季度）")
    text = str(raw).strip().replace(" ", "")
    if text in _WORDS:
        return Span(*_WORDS[text])
    m = _RANGE.match(text) or _MONTH.match(text)
    if m is None:
        raise ValueError(f"“{raw}”应写成“1-6”（1至6月累计）、“6”（6月当月）或“4-6”（二季度）")
    first = int(m.group(1))
    last = int(m.group(2)) if m.lastindex == 2 else first
    for month in (first, last):
        if not 1 <= month <= 12:
            raise ValueError(f"“{raw}”中的月份 {month} 不在 1–12 之间")
    if first > last:
        raise ValueError(f"“{raw}”的起月晚于止月（跨年的期间须分到两个年度）")
    return Span(first, last)


def _validate_span(raw: Any) -> Span:
    try:
        return parse_span(raw)
    except ValueError as exc:
        raise PydanticCustomError(SPAN_ERROR, "{reason}", {"reason": str(exc)}) from exc


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


SpanField = Annotated[
    Span,
    PlainValidator(_validate_span),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "description": "期间：1-6（1至6月累计）、6（6月当月）、4-6（二季度）"}),
]


class PeriodBalance(_Strict):
    """结余 of a period: FundBalance's fields, titled for a period (期末, not 年末)."""

    opening: SignedMoney | None = Field(default=None, title="年初累计结余")
    current: SignedMoney | None = Field(default=None, title="本期当期结余（报告所述）")
    closing: SignedMoney | None = Field(default=None, title="期末累计结余")


class PeriodPrevious(_Strict):
    """上年同期数 as the report states them (FundPrevious's fields for a period)."""

    income_total: Money | None = Field(default=None, title="上年同期基金收入")
    expenditure_total: Money | None = Field(default=None, title="上年同期基金支出")
    contributions: Money | None = Field(default=None, title="上年同期征缴收入")
    closing_balance: SignedMoney | None = Field(default=None, title="上年同期末累计结余")
    insured: Persons | None = Field(default=None, title="上年同期参保人数")


class FundPeriod(_Strict):
    """One unit × year × fund × span (基金月度、季度数据).

    ``budget`` is the year's budget as the period's report states it (年度预算, perhaps
    adjusted mid-year); when absent the year's annual record gives it.
    """

    unit: str = Field(title="单位代码")
    year: int = Field(ge=1990, le=2100, title="年度")
    fund: FundKind = Field(title="险种/基金")
    scope: str | None = Field(default=None, title="口径", description="全市 / 市本级 / 区本级 ...")
    span: SpanField = Field(title="期间", description="1-6：1至6月累计；6：6月当月；4-6：二季度")
    income: FundIncome = Field(default_factory=FundIncome)
    expenditure: FundExpenditure = Field(default_factory=FundExpenditure)
    budget: FundBudget = Field(default_factory=FundBudget)
    balance: PeriodBalance = Field(default_factory=PeriodBalance)
    coverage: Coverage = Field(default_factory=Coverage)
    previous: PeriodPrevious = Field(default_factory=PeriodPrevious)
    stated: dict[str, StatedFigure] = Field(
        default_factory=dict, title="报告所述派生数", description="indicator id → figure as stated"
    )
    notes: list[str] = Field(default_factory=list, title="说明")

    @property
    def key(self) -> tuple[str, int, str, str]:
        return (self.unit, self.year, self.fund.value, str(self.span))

    @property
    def label(self) -> str:
        return f"{self.year}年{self.span.label}"


def tiling(whole: Span, spans: Iterable[Span]) -> list[Span] | None:
    """The fewest of ``spans`` that cover ``whole`` month after month, without gaps or overlaps
    (1-6 from 1-3 and 4-6, or from 1-5 and 6); None when they cannot."""
    inside = sorted({s for s in spans if whole.first <= s.first and s.last <= whole.last})
    best: dict[int, list[Span]] = {whole.first: []}  # first month not yet covered → pieces so far
    for month in range(whole.first, whole.last + 1):
        reached = best.get(month)
        if reached is None:
            continue
        for piece in inside:
            end = piece.last + 1
            if piece.first == month and (end not in best or len(best[end]) > len(reached) + 1):
                best[end] = [*reached, piece]
    return best.get(whole.last + 1)
