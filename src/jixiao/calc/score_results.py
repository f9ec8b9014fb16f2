"""The scorer's results (a scored 自评表, a scored department) and the small helpers every
part of the scorer writes its arithmetic with (plain decimals, rounding, the reviewer's flags)."""


from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from typing import Literal

from jixiao.model.project import Nature
from jixiao.numbers import Quantity, round_half_up, to_decimal, truncate
from jixiao.problems import Problem, Severity

RowKind = Literal["positive", "reverse", "equality", "qualitative", "deadline", "missing", "unscored"]
WeightOrigin = Literal["written", "equal", "none"]

SIGN = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": "="}
NOT = {">=": "<", ">": "≤", "<=": ">", "<": "≥", "=": "≠"}
NATURE = {Nature.ge: ">=", Nature.gt: ">", Nature.le: "<=", Nature.lt: "<", Nature.eq: "="}
TIME_DIMENSIONS = ("day", "month", "year")
ZERO = Decimal(0)
HUNDRED = Decimal(100)


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoredRow:
    """One 三级指标 row, scored."""

    index: int
    level1: str
    level2: str | None
    level3: str
    category: str | None  # category id (output / outcome / satisfaction …); None: not classified
    category_name: str
    target: str
    actual: str | None
    weight: Decimal | None
    weight_origin: WeightOrigin
    score: Decimal | None
    kind: RowKind
    rule: str  # rule id
    met: bool | None
    explanation: str
    band: str | None = None
    line: int | None = None
    written_score: str | None = None

    @property
    def full(self) -> bool:
        return self.score is not None and self.weight is not None and self.score >= self.weight


@dataclass(frozen=True)
class ScoredBudget:
    """The 预算执行率 line of the table."""

    rate: Decimal | None  # percent, full precision
    rate_display: str  # '86.38%' or '不可计算：…'
    weight: Decimal
    score: Decimal | None
    rule: str
    explanation: str


@dataclass(frozen=True)
class CategoryScore:
    id: str
    name: str
    weight: Decimal
    score: Decimal
    rows: int


@dataclass(frozen=True)
class ScoredTable:
    """A scored 自评表: rows, first-level subtotals, 预算执行率, total, grade and flags."""

    project: str
    unit: str
    year: int
    ruleset: str  # 'default 2024.1'
    budget: ScoredBudget
    rows: tuple[ScoredRow, ...]
    categories: tuple[CategoryScore, ...]
    weight_total: Decimal
    total: Decimal
    grade: str | None
    flags: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()

    def flag_codes(self) -> list[str]:
        return [f.code for f in self.flags]

    def explanation(self) -> str:
        """Every line of the scoring, as a reviewer reads it."""
        lines = [f"{self.project}（{self.year}年）按规则集 {self.ruleset} 评分",
                 f"预算执行率：{self.budget.explanation}"]
        for r in self.rows:
            lines.append(f"{r.index + 1}. {r.category_name}／{r.level3}：{r.explanation}")
        for c in self.categories:
            lines.append(f"{c.name}：{_n(c.score)} / {_n(c.weight)}")
        lines.append(f"总分 {_n(self.total)} / {_n(self.weight_total)}，等级：{self.grade or '—'}")
        lines += [f"[{f.code}] {f.message}" for f in self.flags]
        return "\n".join(lines)


@dataclass(frozen=True)
class ScoredIndicator:
    """One department indicator scored by a rule of ``scoring:`` (Hunan 部门整体)."""

    rule: str
    name: str
    indicator: str
    value: Decimal | None
    value_display: str
    weight: Decimal
    score: Decimal | None
    explanation: str


@dataclass(frozen=True)
class ScoredDepartment:
    unit: str
    year: int
    ruleset: str
    rows: tuple[ScoredIndicator, ...]
    weight_total: Decimal  # the weights of every rule
    scored_weight: Decimal  # the weights of the rules that could be computed
    total: Decimal
    grade: str | None  # only when the rules cover a 100-point table
    flags: tuple[Problem, ...] = ()

    def flag_codes(self) -> list[str]:
        return [f.code for f in self.flags]

    def explanation(self) -> str:
        lines = [f"{self.unit} {self.year}年 部门整体支出评分（规则集 {self.ruleset}）"]
        lines += [f"{r.name}：{r.explanation}" for r in self.rows]
        lines.append(f"合计 {_n(self.total)} / {_n(self.scored_weight)}（规则总分值 {_n(self.weight_total)}）")
        lines += [f"[{f.code}] {f.message}" for f in self.flags]
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def score_text(value: Decimal) -> str:
    """A Decimal printed plainly: 10 → '10', 8.640 → '8.64', 3.30 → '3.3', −44.4 with a real minus."""
    text = f"{value.quantize(Decimal(1)):f}" if value == value.to_integral_value() else f"{value.normalize():f}"
    return "0" if text in ("-0", "0") else text.replace("-", "−")


_n = score_text  # the short name the explanations below are written with


def rounded_text(value: Decimal, places: int = 2) -> str:
    return _n(round_half_up(value, places))


def quantity_text(q: Quantity) -> str:
    return f"{q.value:f}{q.unit}"


def clamp(value: Decimal, weight: Decimal) -> Decimal:
    return max(ZERO, min(weight, value))


def split_evenly(total: Decimal, shares: list[Decimal], places: int) -> list[Decimal]:
    """Split ``total`` in proportion to ``shares`` at ``places`` decimals; the parts add up exactly.

    Largest remainder: every part is first truncated; the units left over go to the parts with
    the largest remainders (earlier rows first on ties).
    """
    if not shares:
        return []
    whole = sum(shares, ZERO)
    if whole <= 0:
        shares, whole = [Decimal(1)] * len(shares), Decimal(len(shares))
    quantum = Decimal(1).scaleb(-places)
    with localcontext() as ctx:
        ctx.prec = 40
        raw = [total * s / whole for s in shares]
        parts = [truncate(x, places) for x in raw]
        left = int((total - sum(parts, ZERO)) / quantum)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - parts[i]), i))
    for i in order[:max(0, left)]:
        parts[i] += quantum
    return parts


def weight_of_text(text: str | None) -> Decimal | None:
    if text is None or not text.strip():
        return None
    return to_decimal(text.strip().removesuffix("分"))


@dataclass
class Flags:
    source: str
    items: list[Problem] = field(default_factory=list)

    def add(self, code: str, message: str, severity: Severity = "warning", *, row: int | None = None,
            line: int | None = None, **details: str) -> None:
        path = f"indicators[{row}]" if row is not None else None
        self.items.append(Problem(code, message, severity, self.source, path, line, dict(details)))



def places_text(value: Decimal, places: int = 2) -> str:
    return f"{round_half_up(value, places):f}"


