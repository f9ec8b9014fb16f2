"""Rule sets as data: warning thresholds and scoring rules, loaded from YAML.

A rule set lives in ``jixiao/rules/data/<name>.yaml`` (``default`` is the national set;
``hunan`` extends it with the 2018 Hunan department scoring table). Every rule carries its
``source`` and a ``confidence`` tag (official, secondary, practice or unconfirmed) for the
maintainers, and — when an official document is behind it — its ``citation`` (文号), which is all
a user ever sees of where a rule comes from (:mod:`jixiao.rules.citations`). Thresholds live
here, never in code.

Two families of rules:

* **warning rules** (``warnings:``) — read by :mod:`jixiao.calc.risks`:
  ``bands`` (an indicator's value falls in a band with a severity), ``deficit`` (当期赤字,
  severity by the size of the deficit), ``growth_gap`` (income growing slower than
  expenditure) and ``projected_deficit`` (a year projected from its months to end in deficit);
  a fund rule with ``periods: true`` applies to monthly and quarterly figures too, a rule with
  ``subject: period`` only to them;
* **monitoring** (``monitoring:``) — how 序时进度 is measured (by months or by days) and how
  many earlier years the year-end projection averages (:mod:`jixiao.calc.monitoring`);
* **scoring rules** (``scoring:``) — indicator scores read by :mod:`jixiao.calc.scoring`:
  ``threshold_deduction`` (full marks up to a threshold, then a fixed deduction per point),
  ``bands`` (a score per band) and ``proportional`` (weight × value ÷ target, capped, optionally
  truncated like 稷山's 99% → 9);
* **the 自评表 scoring** (``project_table:``) — first-level weights, how each 三级指标 row is
  scored by its nature (positive, reverse, equality, qualitative bands, deadline), what to do
  with blank 分值, the reviewer's flags (target set too low, 预算执行率 below a line), and
  **grades** (``grades:``, 优/良/中/差 cut-offs).

Ranges are written as intervals: ``"[6, 9]"``, ``"(9, 15]"``, ``"(15, +inf)"``, ``"(-inf, 3)"``.
Numbers are read as the strings they are written as (no floats).
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from jixiao.model.funds import FundKind
from jixiao.parsing import parse_text
from jixiao.rules.citations import check_citation, citation_tag, citation_text
from jixiao.rules.messages import validation_message

Confidence = Literal["official", "secondary", "practice", "unconfirmed"]
Severity = Literal["info", "warning", "serious"]
SEVERITY_ORDER: dict[str, int] = {"info": 0, "warning": 1, "serious": 2}
SEVERITY_LABEL: dict[str, str] = {"info": "提示", "warning": "警示", "serious": "严重"}

_RANGE = re.compile(r"^\s*([\[(])\s*([-+]?(?:inf|\d+(?:\.\d+)?))\s*,\s*([-+]?(?:inf|\d+(?:\.\d+)?))\s*([\])])\s*$")


class RuleSetError(ValueError):
    """A rule set that cannot be found or read; the message is Chinese and names the file."""


class Range(BaseModel):
    """An interval of an indicator's values, written ``"[6, 9)"``; ±inf for open ends."""

    model_config = ConfigDict(frozen=True)

    lower: Decimal | None = None
    upper: Decimal | None = None
    lower_closed: bool = True
    upper_closed: bool = False

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, raw: Any) -> Any:
        if not isinstance(raw, str):
            return raw
        m = _RANGE.match(raw)
        if not m:
            raise ValueError(f"区间“{raw}”应写成 \"[6, 9)\"、\"(15, +inf)\" 这样的形式")
        lo, hi = m.group(2), m.group(3)
        lower = None if lo.lstrip("+-") == "inf" else Decimal(lo)
        upper = None if hi.lstrip("+-") == "inf" else Decimal(hi)
        if lo.startswith("+") and lower is None:
            raise ValueError(f"区间“{raw}”的下界不能是 +inf")
        if lower is not None and upper is not None and lower > upper:
            raise ValueError(f"区间“{raw}”下界大于上界")
        return {"lower": lower, "upper": upper, "lower_closed": m.group(1) == "[" and lower is not None,
                "upper_closed": m.group(4) == "]" and upper is not None}

    def contains(self, value: Decimal) -> bool:
        if self.lower is not None and (value < self.lower or (value == self.lower and not self.lower_closed)):
            return False
        return not (self.upper is not None
                    and (value > self.upper or (value == self.upper and not self.upper_closed)))

    def overlaps(self, other: Range) -> bool:
        def below(a: Range, b: Range) -> bool:  # a lies entirely below b
            if a.upper is None or b.lower is None:
                return False
            return a.upper < b.lower or (a.upper == b.lower and not (a.upper_closed and b.lower_closed))
        return not (below(self, other) or below(other, self))

    def words(self, unit: str = "") -> str:
        """The interval as people say it: 大于 30%、不大于 100%、不小于 6个月且小于 9个月."""
        def bound(value: Decimal, word: str) -> str:
            return f"{word} {value:f}{unit}"
        lower = None if self.lower is None else bound(self.lower, "不小于" if self.lower_closed else "大于")
        upper = None if self.upper is None else bound(self.upper, "不大于" if self.upper_closed else "小于")
        if self.lower is not None and self.lower == self.upper:
            return f"等于 {self.lower:f}{unit}"
        return "且".join(part for part in (lower, upper) if part) or "任意值"

    def __str__(self) -> str:
        lo = "-inf" if self.lower is None else f"{self.lower}"
        hi = "+inf" if self.upper is None else f"{self.upper}"
        return f"{'[' if self.lower_closed else '('}{lo}, {hi}{']' if self.upper_closed else ')'}"


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=2, description="中文名")
    source: str = Field(min_length=2, description="where the rule comes from, for maintainers (never shown)")
    confidence: Confidence
    citation: str | None = Field(default=None, description="文号 of the official document the rule rests on "
                                                            "(catalogued in rules/documents.yaml); shown to users")
    note: str | None = None

    @field_validator("confidence", mode="before")
    @classmethod
    def _strip_brackets(cls, raw: Any) -> Any:
        return raw.strip().strip("[]") if isinstance(raw, str) else raw

    @field_validator("citation")
    @classmethod
    def _catalogued(cls, value: str | None) -> str | None:
        return check_citation(value)


def _check_bands(ranges: list[Range], what: str) -> None:
    for i, a in enumerate(ranges):
        for b in ranges[i + 1:]:
            if a.overlaps(b):
                raise ValueError(f"{what}的区间 {a} 与 {b} 重叠")


# --------------------------------------------------------------------------------------------
# Warning rules
# --------------------------------------------------------------------------------------------


class Band(BaseModel):
    """One band of a warning rule: values in ``range`` get ``severity`` (None: no warning)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    range: Range
    severity: Severity | None = None
    label: str = Field(min_length=1, description="合理 / 结余不足 / 结余过多 …")
    advice: str | None = Field(default=None, description="what the rule asks for, appended to the message")


class _WarningRule(_Rule):
    code: str = Field(pattern=r"^JX-W-\d{3}$", description="stable warning code")
    subject: Literal["fund", "department", "period"] = "fund"
    periods: bool = Field(
        default=False, description="a fund rule that applies to monthly and quarterly figures as well",
    )
    funds: list[FundKind] = Field(default_factory=list, description="funds the rule applies to; empty: all")
    approximate_funds: list[FundKind] = Field(
        default_factory=list,
        description="funds where the rule is applied approximately (e.g. the combined 职工医保 for a 统筹基金 rule)",
    )
    approximate_note: str | None = None
    use_stated: bool = Field(
        default=True, description="when the indicator is not computable, use the figure the report states",
    )

    def fund_match(self, fund: FundKind) -> Literal["exact", "approximate"] | None:
        if not self.funds or fund in self.funds:
            return "exact"
        if fund in self.approximate_funds:
            return "approximate"
        return None


class BandWarningRule(_WarningRule):
    """An indicator's value falls in a band (e.g. 可支付月数 < 3 → 结余不足, serious)."""

    kind: Literal["bands"]
    indicator: str
    bands: list[Band] = Field(min_length=1)

    @model_validator(mode="after")
    def _no_overlap(self) -> BandWarningRule:
        _check_bands([b.range for b in self.bands], self.id)
        return self

    def band_for(self, value: Decimal) -> Band | None:
        return next((b for b in self.bands if b.range.contains(value)), None)


class DeficitRule(_WarningRule):
    """当期赤字: current balance below zero; severity by the deficit rate (当期结余率)."""

    kind: Literal["deficit"]
    severity: Severity = Field(default="warning", description="when the deficit rate cannot be computed")
    rate_bands: list[Band] = Field(default_factory=list, description="bands on current_balance_rate (negative %)")
    exhausted_severity: Severity = Field(
        default="serious", description="when the 年末累计结余 is itself negative",
    )

    @model_validator(mode="after")
    def _no_overlap(self) -> DeficitRule:
        _check_bands([b.range for b in self.rate_bands], self.id)
        return self


class GrowthGapRule(_WarningRule):
    """Income growing slower than expenditure: gap = expenditure rate − income rate (points)."""

    kind: Literal["growth_gap"]
    income_indicator: str = "income_yoy_rate"
    expenditure_indicator: str = "expenditure_yoy_rate"
    bands: list[Band] = Field(min_length=1, description="bands on the gap in percentage points")

    @model_validator(mode="after")
    def _no_overlap(self) -> GrowthGapRule:
        _check_bands([b.range for b in self.bands], self.id)
        return self

    def band_for(self, gap: Decimal) -> Band | None:
        return next((b for b in self.bands if b.range.contains(gap)), None)


class ProjectedDeficitRule(_WarningRule):
    """A year projected from its months so far to end with expenditure above income (预计全年赤字)."""

    kind: Literal["projected_deficit"]
    subject: Literal["period"] = "period"
    severity: Severity = Field(default="warning", description="when the projected balance is below zero")
    certain_severity: Severity = Field(
        default="serious", description="when even the top of the projection's range is below zero",
    )


WarningRule = Annotated[
    BandWarningRule | DeficitRule | GrowthGapRule | ProjectedDeficitRule, Field(discriminator="kind"),
]
AnyWarningRule = BandWarningRule | DeficitRule | GrowthGapRule | ProjectedDeficitRule


class MonitoringRules(BaseModel):
    """月度、季度监测: how 序时进度 is measured and how many years the year-end projection averages."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    time_progress: Literal["month", "day"] = Field(
        default="month", description="month: 已过月数 ÷ 12; day: 已过天数 ÷ 全年天数",
    )
    projection_years: int = Field(
        default=3, ge=1, le=10, description="earlier years whose 上年同期进度 the year-end projection averages",
    )
    source: str = Field(default="jixiao 默认：序时进度按月计算", min_length=2)
    confidence: Confidence = "practice"
    note: str | None = None

    @field_validator("confidence", mode="before")
    @classmethod
    def _strip_brackets(cls, raw: Any) -> Any:
        return raw.strip().strip("[]") if isinstance(raw, str) else raw


# --------------------------------------------------------------------------------------------
# Scoring rules (schema only; the scorer reads them)
# --------------------------------------------------------------------------------------------


class _ScoringRule(_Rule):
    indicator: str
    weight: Decimal = Field(gt=0, description="full marks (分值)")


class ThresholdDeductionRule(_ScoringRule):
    """Full marks at the threshold, then ``deduction`` per ``per`` points beyond it, down to ``floor``.

    ``direction: at_most`` — full marks while value ≤ threshold (在职人员控制率 ≤ 100%);
    ``at_least`` — full marks while value ≥ threshold (预算完成率 100%).
    ``step``: ``linear`` deducts pro rata; ``started`` counts every begun step of ``per``
    points; ``completed`` counts only whole steps.
    """

    kind: Literal["threshold_deduction"]
    direction: Literal["at_most", "at_least"]
    threshold: Decimal
    deduction: Decimal = Field(gt=0)
    per: Decimal = Field(default=Decimal(1), gt=0)
    step: Literal["linear", "started", "completed"] = "linear"
    floor: Decimal = Decimal(0)


class ScoreBand(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    range: Range
    score: Decimal = Field(ge=0)


class BandScoreRule(_ScoringRule):
    """A score per band of the indicator's value (预算调整: 0 → 8, ≤10% → 6 …)."""

    kind: Literal["bands"]
    bands: list[ScoreBand] = Field(min_length=1)

    @model_validator(mode="after")
    def _valid(self) -> BandScoreRule:
        _check_bands([b.range for b in self.bands], self.id)
        for b in self.bands:
            if b.score > self.weight:
                raise ValueError(f"{self.id}：区间 {b.range} 的得分 {b.score} 大于分值 {self.weight}")
        return self


class ProportionalScoreRule(_ScoringRule):
    """weight × min(value, cap) ÷ target (预算执行率: min(执行率, 100%) × 10)."""

    kind: Literal["proportional"]
    target: Decimal = Field(default=Decimal(100), gt=0)
    cap: Decimal = Decimal(100)
    rounding: Literal["none", "floor", "half_up"] = Field(
        default="none", description="none: keep the exact score; floor: truncate (稷山 99% → 9); half_up: 四舍五入",
    )
    rounding_places: int = Field(default=0, ge=0, le=4, description="decimals kept by floor/half_up")


ScoringRule = Annotated[
    ThresholdDeductionRule | BandScoreRule | ProportionalScoreRule, Field(discriminator="kind"),
]


# --------------------------------------------------------------------------------------------
# The 自评表 (project self-evaluation table) scoring and grades
# --------------------------------------------------------------------------------------------


class _Cited(BaseModel):
    """A part of the table rules that cites its source (no id of its own)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(min_length=2)
    confidence: Confidence
    citation: str | None = None
    note: str | None = None

    @field_validator("confidence", mode="before")
    @classmethod
    def _strip_brackets(cls, raw: Any) -> Any:
        return raw.strip().strip("[]") if isinstance(raw, str) else raw

    @field_validator("citation")
    @classmethod
    def _catalogued(cls, value: str | None) -> str | None:
        return check_citation(value)


class ScoreCategory(_Rule):
    """A first-level indicator (一级指标) with its weight and the names it goes by in forms."""

    weight: Decimal = Field(ge=0, description="分值")
    level1: list[str] = Field(default_factory=list, description="names in the 一级指标 column")
    level2: list[str] = Field(default_factory=list, description="二级指标 names that belong here")


class BlankWeights(_Cited):
    """Rows whose 分值 is blank: ``equal`` shares of the first-level weight (largest remainder)."""

    mode: Literal["equal", "none"] = "equal"
    places: int = Field(default=2, ge=0, le=4)


class MissingCategory(_Cited):
    """A first-level indicator without rows: its weight moves to ``to`` (pro rata) or is dropped."""

    mode: Literal["redistribute", "drop"] = "redistribute"
    to: list[str] = Field(default_factory=list, description="category ids; empty: every category with rows")


class ImplicitComparator(_Cited):
    """How a target written without a sign (``9595人``, ``220元/人``) is read."""

    default: Literal[">=", "<=", "="] = ">="
    by_level2: dict[str, Literal[">=", "<=", "="]] = Field(default_factory=dict)


class PositiveRule(_Rule):
    """≥ / >: met → full; else ``proportional`` weight × actual ÷ target, or ``zero``."""

    mode: Literal["proportional", "zero"] = "proportional"


class ReverseRule(_Rule):
    """≤ / <: met → full; else ``linear`` decay to 0 at ``zero_at`` × target, or ``zero``."""

    mode: Literal["linear", "zero"] = "linear"
    zero_at: Decimal = Field(default=Decimal(2), gt=1, description="score reaches 0 at this multiple of the target")


class EqualityRule(_Rule):
    """=: met → full; else ``zero``, or ``proportional`` weight × (1 − |actual − target| ÷ target)."""

    mode: Literal["zero", "proportional"] = "zero"


class QualitativeBand(BaseModel):
    """达成 80–100% of the weight, 部分达成 60–80%, 未达成 0–60%."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = Field(min_length=2)
    low: Decimal = Field(ge=0, le=100, description="% of the weight")
    high: Decimal = Field(ge=0, le=100, description="% of the weight")
    words: list[str] = Field(default_factory=list, description="words in an actual that put it in this band")

    @model_validator(mode="after")
    def _ordered(self) -> QualitativeBand:
        if self.low > self.high:
            raise ValueError(f"定性档次“{self.label}”的下限 {self.low}% 大于上限 {self.high}%")
        return self


class QualitativeRule(_Rule):
    """定性指标: the band an actual falls in (by its words, its grade, or the officer's choice)."""

    bands: list[QualitativeBand] = Field(min_length=1)
    default_at: Literal["high", "low", "middle"] = Field(
        default="high", description="where in its band an actual with a clear word is scored",
    )
    unclear_band: str = Field(description="band used when the actual says nothing either way")
    unclear_at: Literal["high", "low", "middle"] = "low"
    grades: dict[str, Decimal] = Field(
        default_factory=dict, description="优/良/中/差 written as an actual → % of the weight",
    )

    @model_validator(mode="after")
    def _valid(self) -> QualitativeRule:
        labels = [b.label for b in self.bands]
        if len(set(labels)) != len(labels):
            raise ValueError(f"{self.id}：定性档次名称重复")
        if self.unclear_band not in labels:
            raise ValueError(f"{self.id}：unclear_band“{self.unclear_band}”不是已定义的档次（{'、'.join(labels)}）")
        for grade, pct in self.grades.items():
            if not Decimal(0) <= pct <= Decimal(100):
                raise ValueError(f"{self.id}：等级“{grade}”的得分比例 {pct}% 不在 0–100% 之间")
        return self

    def band(self, label: str) -> QualitativeBand:
        for b in self.bands:
            if b.label == label:
                return b
        raise KeyError(label)


class DeadlineRule(_Rule):
    """时限 / 完成时间: met by the date (plus ``grace_days``) or within N days → full; late → ``late``."""

    grace_days: int = Field(default=0, ge=0)
    late: Literal["zero", "qualitative"] = "zero"


class TooLowRule(_Rule):
    """Actual far above the target (target set too low): flag, or reduce by the excess deviation."""

    ratio: Decimal = Field(gt=1, description="actual > ratio × target raises the flag")
    mode: Literal["flag", "deviation"] = "flag"


class ExecutionReasonRule(_Rule):
    """预算执行率 below ``below`` % needs a written reason (四川 form)."""

    below: Decimal = Field(gt=0, le=100)
    severity: Literal["info", "warning"] = "warning"


class ProjectTableScoring(_Cited):
    """How a project self-evaluation table (项目支出绩效自评表) is scored (rules.md §1)."""

    categories: list[ScoreCategory] = Field(min_length=1)
    budget_execution: str = Field(description="id of the scoring rule for 预算执行率 (in ``scoring``)")
    budget_category: str = Field(description="id of the category the 预算执行率 weight belongs to")
    blank_weights: BlankWeights
    missing_category: MissingCategory
    implicit_comparator: ImplicitComparator
    positive: PositiveRule
    reverse: ReverseRule
    equality: EqualityRule
    qualitative: QualitativeRule
    deadline: DeadlineRule
    too_low: TooLowRule
    execution_reason: ExecutionReasonRule | None = None
    require_nature: bool = Field(default=False, description="flag rows without 指标性质 (四川 forms carry it)")
    score_places: int = Field(default=2, ge=0, le=4, description="row scores are rounded (四舍五入) to this")

    @model_validator(mode="after")
    def _valid(self) -> ProjectTableScoring:
        ids = [c.id for c in self.categories]
        if len(set(ids)) != len(ids):
            raise ValueError("一级指标 id 重复")
        total = sum((c.weight for c in self.categories), Decimal(0))
        if total != 100:
            parts = "、".join(f"{c.name}（{c.id}）{c.weight:f}" for c in self.categories)
            raise ValueError(f"一级指标权重之和为 {total:f}，应为 100（{parts}）")
        if self.budget_category not in ids:
            raise ValueError(f"budget_category“{self.budget_category}”不是已定义的一级指标（{'、'.join(ids)}）")
        for target in self.missing_category.to:
            if target not in ids:
                raise ValueError(f"missing_category.to 中的“{target}”不是已定义的一级指标（{'、'.join(ids)}）")
        return self

    def category(self, category_id: str) -> ScoreCategory:
        for c in self.categories:
            if c.id == category_id:
                return c
        raise KeyError(category_id)


class GradeBand(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = Field(min_length=1)
    range: Range


class GradeScale(_Cited):
    """Grades by total score: 优 ≥ 90, 良 80–<90, 中 60–<80, 差 < 60."""

    bands: list[GradeBand] = Field(min_length=1)

    @model_validator(mode="after")
    def _valid(self) -> GradeScale:
        _check_bands([b.range for b in self.bands], "等级")
        for value in (Decimal(0), Decimal(100)):
            if not any(b.range.contains(value) for b in self.bands):
                raise ValueError(f"等级区间没有覆盖总分 {value}")
        return self

    def grade(self, total: Decimal) -> str | None:
        return next((b.label for b in self.bands if b.range.contains(total)), None)


# --------------------------------------------------------------------------------------------
# The rule set
# --------------------------------------------------------------------------------------------


class RuleSet(BaseModel):
    """A named, versioned set of warning and scoring rules."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_\-]*$")
    version: str = Field(min_length=1)
    title: str = Field(min_length=2)
    #: where the rules apply, in the words a page shows beside the name (全国通用、湖南、四川)
    region: str | None = None
    description: str | None = None
    extends: str | None = None
    warnings: list[WarningRule] = Field(default_factory=list)
    scoring: list[ScoringRule] = Field(default_factory=list)
    project_table: ProjectTableScoring | None = None
    grades: GradeScale | None = None
    monitoring: MonitoringRules = Field(default_factory=MonitoringRules)

    @model_validator(mode="after")
    def _table_refs(self) -> RuleSet:
        table = self.project_table
        if table is not None:
            ids = {r.id: r for r in self.scoring}
            rule = ids.get(table.budget_execution)
            if rule is None:
                raise ValueError(f"project_table.budget_execution“{table.budget_execution}”不是 scoring 中的规则 id")
            weight = table.category(table.budget_category).weight
            if rule.weight != weight:
                raise ValueError(f"预算执行率规则 {rule.id} 的分值 {rule.weight:f} 与一级指标"
                                 f"“{table.budget_category}”的权重 {weight:f} 不一致")
        return self

    @model_validator(mode="after")
    def _unique(self) -> RuleSet:
        for what, ids in (
            ("规则 id", [r.id for r in self.warnings] + [r.id for r in self.scoring]),
            ("警示代码", [r.code for r in self.warnings]),
        ):
            seen: set[str] = set()
            for i in ids:
                if i in seen:
                    raise ValueError(f"{what}“{i}”重复")
                seen.add(i)
        return self

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}"

    def warning_rules(self, subject: str) -> list[AnyWarningRule]:
        return [r for r in self.warnings if r.subject == subject]

    def period_rules(self) -> list[AnyWarningRule]:
        """The rules for monthly and quarterly figures: their own, and fund rules marked ``periods``."""
        return [r for r in self.warnings if r.subject == "period" or (r.subject == "fund" and r.periods)]

    def rule(self, rule_id: str) -> AnyWarningRule | ThresholdDeductionRule | BandScoreRule | ProportionalScoreRule:
        for r in (*self.warnings, *self.scoring):
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def indicators(self) -> set[str]:
        """Every indicator id the rules read (to check them against the registry)."""
        ids: set[str] = set()
        for r in self.warnings:
            if isinstance(r, BandWarningRule):
                ids.add(r.indicator)
            elif isinstance(r, GrowthGapRule):
                ids.update((r.income_indicator, r.expenditure_indicator))
            elif isinstance(r, DeficitRule):
                ids.update(("current_balance", "current_balance_rate"))
        ids.update(r.indicator for r in self.scoring)
        return ids


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def available_rulesets() -> list[str]:
    """Names of the rule sets shipped with jixiao."""
    data = resources.files("jixiao.rules") / "data"
    return sorted(p.name[:-5] for p in data.iterdir() if p.name.endswith(".yaml"))


def _read(name: str) -> tuple[dict[str, Any], str]:
    if name.endswith((".yaml", ".yml")) or "/" in name:
        path = Path(name)
        if not path.is_file():
            raise RuleSetError(f"找不到规则文件：{name}")
        text, where = path.read_text(encoding="utf-8"), str(path)
    else:
        resource = resources.files("jixiao.rules") / "data" / f"{name}.yaml"
        if not resource.is_file():
            raise RuleSetError(f"没有名为“{name}”的规则集（可用：{'、'.join(available_rulesets())}）")
        text, where = resource.read_text(encoding="utf-8"), f"rules/data/{name}.yaml"
    data, _, problems = parse_text(text, where, "yaml")
    if problems:
        raise RuleSetError(f"{where}：{problems[0].message}")
    if not isinstance(data, dict):
        raise RuleSetError(f"{where}：规则集应是一个映射（name、version、warnings…）")
    return data, where


def _merge_rules(parent: list[dict[str, Any]], child: list[dict[str, Any]], disabled: set[str]) -> list[dict[str, Any]]:
    merged = {r.get("id"): r for r in parent if r.get("id") not in disabled}
    for r in child:
        merged[r.get("id")] = r
    return list(merged.values())


def _deep_merge(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """A child mapping overrides its parent key by key (nested mappings merged; lists replaced)."""
    merged = dict(parent)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(parent.get(key), dict):
            merged[key] = _deep_merge(parent[key], value)
        else:
            merged[key] = value
    return merged


def _resolve(name: str, chain: tuple[str, ...] = ()) -> tuple[dict[str, Any], str]:
    if name in chain:
        raise RuleSetError(f"规则集继承成环：{' → '.join((*chain, name))}")
    data, where = _read(name)
    parent_name = data.get("extends")
    if not parent_name:
        return data, where
    parent, _ = _resolve(str(parent_name), (*chain, name))
    disabled = set(data.pop("disable", []) or [])
    merged = {**parent, **data}
    for key in ("project_table", "grades", "monitoring"):
        if isinstance(parent.get(key), dict) and isinstance(data.get(key), dict):
            merged[key] = _deep_merge(parent[key], data[key])
    for key in ("warnings", "scoring"):
        merged[key] = _merge_rules(parent.get(key, []) or [], data.get(key, []) or [], disabled)
    return merged, where


def _validate(name: str) -> RuleSet:
    data, where = _resolve(name)
    try:
        return RuleSet.model_validate(data)
    except ValidationError as exc:
        raise RuleSetError(f"{where}：规则集有误——{validation_message(exc, data)}") from exc


@lru_cache(maxsize=16)
def _shipped(name: str) -> RuleSet:
    return _validate(name)


def load_ruleset(name: str = "default") -> RuleSet:
    """The rule set ``name`` (shipped: ``default``, ``hunan``) or a YAML file path.

    Shipped sets are read once and cached (a :class:`RuleSet` is frozen); a file path is read
    on every call. Raises :class:`RuleSetError` with a Chinese message naming the file and the
    rule when the set cannot be found or is malformed.
    """
    if name.endswith((".yaml", ".yml")) or "/" in name:
        return _validate(name)
    return _shipped(name)


__all__ = [
    "SEVERITY_LABEL",
    "SEVERITY_ORDER",
    "AnyWarningRule",
    "Band",
    "BandScoreRule",
    "BandWarningRule",
    "BlankWeights",
    "Confidence",
    "DeadlineRule",
    "DeficitRule",
    "EqualityRule",
    "ExecutionReasonRule",
    "GradeBand",
    "GradeScale",
    "GrowthGapRule",
    "ImplicitComparator",
    "MissingCategory",
    "MonitoringRules",
    "PositiveRule",
    "ProjectTableScoring",
    "ProjectedDeficitRule",
    "ProportionalScoreRule",
    "QualitativeBand",
    "QualitativeRule",
    "Range",
    "ReverseRule",
    "RuleSet",
    "RuleSetError",
    "ScoreBand",
    "ScoreCategory",
    "ScoringRule",
    "Severity",
    "ThresholdDeductionRule",
    "TooLowRule",
    "WarningRule",
    "available_rulesets",
    "citation_tag",
    "citation_text",
    "load_ruleset",
]
