"""Score a self-evaluation table (项目支出绩效自评表) and a department (部门整体支出) by a rule set.

Every number is a ``Decimal``; every score carries its explanation — the rule (id and rule
set), the inputs as written and the arithmetic — so a reviewer can redo it by hand:

    实际 9595人 ≥ 目标 6253人，达标，得满分 10（project_positive，default 2024.1）

A project table (:func:`score_project`):

* **预算执行率** comes from the project's funds (全年执行数 ÷ 全年预算数, the engine's
  ``project_budget_execution_rate``) and is scored by the rule set's ``project_table.
  budget_execution`` rule (proportional, capped, banded or truncated);
* each **三级指标 row** belongs to a first-level category (产出/效益/满意度, by its 一级 or 二级
  name); its 分值 is the one written, or — when the table left 分值 blank (seeds 001 and 003) —
  an equal share of its category's weight (largest remainder to two decimals, so the shares add
  up exactly); it is scored by its nature: positive (≥ >), reverse (≤ <), equality (=),
  deadline (a date or ``N日内``) or qualitative (a band: 达成/部分达成/未达成);
* row scores are rounded half-up to two decimals and added; the grade follows the total.

A reviewer's flags are :class:`~jixiao.problems.Problem` records with stable codes:

==========  ==========================================================================
JX-S-001    分值合计（含预算执行率）不等于 100
JX-S-002    表中未写分值，按一级指标权重平均分配（提示）
JX-S-003    得分未满分却没有偏差原因分析
JX-S-004    实际值远高于目标值（目标设定偏低）
JX-S-005    目标与实际的单位不可比（% 与 人；人 与 万人 是换算，不算）
JX-S-006    实际完成值写成界限（≥95%、>95%），而不是实测值
JX-S-007    自评表的预算数、执行数与项目资金不一致（执行数大于预算数、分项之和不符、所述执行率不符）
JX-S-008    预算执行率低于规定线而未说明原因
JX-S-009    未填写实际完成值
JX-S-010    一级指标无法归类
JX-S-011    指标所在栏次与名称不符（三级指标栏写的是二级指标名称等），已按名称归类
JX-S-012    定性指标的实际完成值看不出是否达成，按默认档次计分，请评价人选定档次
JX-S-013    表中所填得分与按规则计算的得分不同
JX-S-014    某一级指标没有指标行，其权重已调整给其他一级指标
JX-S-015    未填写指标性质（四川表式要求）
JX-S-016    预算执行率不能计算（缺少预算数或执行数）
JX-S-017    分值或得分不是数值
JX-S-020    部门整体评分指标不能计算
==========  ==========================================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from typing import Literal

from jixiao.calc.project import compute_project
from jixiao.calc.registry import BY_SUBJECT, IndicatorResult
from jixiao.calc.stated import check_stated
from jixiao.model.department import DepartmentYear
from jixiao.model.project import IndicatorRow, Nature, Project
from jixiao.model.targets import Target, parse_target
from jixiao.numbers import Interval, Quantity, UnitError, conversion, dimension, round_half_up, to_decimal, truncate
from jixiao.problems import Problem, Severity
from jixiao.rules import (
    BandScoreRule,
    ProjectTableScoring,
    ProportionalScoreRule,
    QualitativeBand,
    QualitativeRule,
    RuleSet,
    ScoreCategory,
    ThresholdDeductionRule,
    load_ruleset,
)

RowKind = Literal["positive", "reverse", "equality", "qualitative", "deadline", "missing", "unscored"]
WeightOrigin = Literal["written", "equal", "none"]

_SIGN = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": "="}
_NOT = {">=": "<", ">": "≤", "<=": ">", "<": "≥", "=": "≠"}
_NATURE = {Nature.ge: ">=", Nature.gt: ">", Nature.le: "<=", Nature.lt: "<", Nature.eq: "="}
_TIME_DIMENSIONS = ("day", "month", "year")
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


def _r(value: Decimal, places: int = 2) -> str:
    return _n(round_half_up(value, places))


def _q(q: Quantity) -> str:
    return f"{q.value:f}{q.unit}"


def _clamp(value: Decimal, weight: Decimal) -> Decimal:
    return max(ZERO, min(weight, value))


def _split(total: Decimal, shares: list[Decimal], places: int) -> list[Decimal]:
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


def _weight_text(text: str | None) -> Decimal | None:
    if text is None or not text.strip():
        return None
    return to_decimal(text.strip().removesuffix("分"))


@dataclass
class _Flags:
    source: str
    items: list[Problem] = field(default_factory=list)

    def add(self, code: str, message: str, severity: Severity = "warning", *, row: int | None = None,
            line: int | None = None, **details: str) -> None:
        path = f"indicators[{row}]" if row is not None else None
        self.items.append(Problem(code, message, severity, self.source, path, line, dict(details)))


# --------------------------------------------------------------------------------------------
# Indicator rules of ``scoring:`` (预算执行率, Hunan department table)
# --------------------------------------------------------------------------------------------


def score_indicator(rule: ProportionalScoreRule | BandScoreRule | ThresholdDeductionRule,
                    value: Decimal, unit: str = "%", places: int = 2) -> tuple[Decimal, str]:
    """(score, arithmetic) of an indicator value by a ``scoring:`` rule.

    The score is in [0, weight], rounded half-up to ``places`` decimals (after the rule's own
    truncation, if any); the arithmetic shows the value at ``places`` decimals.
    """
    score, text = _indicator_score(rule, value, unit, places)
    final = _clamp(round_half_up(score, places), rule.weight)
    if final != score:
        text += f"，四舍五入为 {_n(final)}"
    return final, text


def _p(value: Decimal, places: int = 2) -> str:
    return f"{round_half_up(value, places):f}"


def _indicator_score(rule: ProportionalScoreRule | BandScoreRule | ThresholdDeductionRule,
                     value: Decimal, unit: str, places: int) -> tuple[Decimal, str]:
    shown = f"{_p(value, places)}{unit}"
    w = rule.weight
    if isinstance(rule, ProportionalScoreRule):
        capped = min(value, rule.cap)
        with localcontext() as ctx:
            ctx.prec = 40
            raw = w * capped / rule.target
        text = f"min({shown}, {_n(rule.cap)}{unit}) ÷ {_n(rule.target)}{unit} × {_n(w)} = {_r(raw, 4)}"
        if rule.rounding == "floor":
            raw = truncate(raw, rule.rounding_places)
            text += f"，截尾取 {rule.rounding_places} 位小数为 {_n(raw)}"
        elif rule.rounding == "half_up":
            raw = round_half_up(raw, rule.rounding_places)
            text += f"，四舍五入到 {rule.rounding_places} 位小数为 {_n(raw)}"
        score = _clamp(raw, w)
        return score, text
    if isinstance(rule, BandScoreRule):
        band = next((b for b in rule.bands if b.range.contains(value)), None)
        if band is None:
            return ZERO, f"{shown} 不在任何分档区间内，得 0 分"
        return band.score, f"{shown} 落在区间 {band.range}，得 {_n(band.score)} 分"
    beyond = value - rule.threshold if rule.direction == "at_most" else rule.threshold - value
    limit = "不高于" if rule.direction == "at_most" else "不低于"
    if beyond <= 0:
        return w, f"{shown} {limit} {_n(rule.threshold)}{unit}，得满分 {_n(w)}"
    word = "超出" if rule.direction == "at_most" else "低于"
    with localcontext() as ctx:
        ctx.prec = 40
        steps = beyond / rule.per
    how = {"linear": "按比例", "started": "不足一档按一档", "completed": "只计整档"}[rule.step]
    if rule.step == "started":
        steps = steps.to_integral_value(rounding="ROUND_CEILING")
    elif rule.step == "completed":
        steps = steps.to_integral_value(rounding="ROUND_FLOOR")
    raw = w - rule.deduction * steps
    score = max(rule.floor, min(w, raw))
    score = _clamp(score, w)
    text = (f"{shown} {word} {_n(rule.threshold)}{unit} {_p(beyond, places)} 个百分点，每 {_n(rule.per)} 个百分点扣 "
            f"{_n(rule.deduction)} 分（{how}）：{_n(w)} − {_n(rule.deduction)} × {_r(steps, 4)} = {_r(raw, 4)}")
    if score != raw:
        text += f"，取 {_n(score)}"
    return score, text


# --------------------------------------------------------------------------------------------
# The project table
# --------------------------------------------------------------------------------------------


def _classify(row: IndicatorRow, table: ProjectTableScoring) -> tuple[ScoreCategory | None, str | None]:
    """The first-level category of a row, and a note when its columns disagree with its names."""
    def by_level2(name: str | None) -> ScoreCategory | None:
        name = (name or "").strip()
        return next((c for c in table.categories if name and name in c.level2), None)

    def by_level1(name: str) -> ScoreCategory | None:
        name = name.strip()
        exact = next((c for c in table.categories if name in c.level1 or name == c.name), None)
        if exact:
            return exact
        return next((c for c in table.categories if any(alias in name for alias in c.level1 if len(alias) >= 2)),
                    None)

    first = by_level1(row.level1)
    second = by_level2(row.level2)
    if second is None and not (row.level2 or "").strip():
        as_level2 = by_level2(row.level3)
        if as_level2 is not None and as_level2 is not first:
            return as_level2, (f"三级指标栏写的是二级指标名称“{row.level3}”（一级指标栏为“{row.level1}”），"
                               f"按{as_level2.name}计分")
    if second is not None and first is not None and second is not first:
        return second, f"二级指标“{row.level2}”属于{second.name}，一级指标栏却是“{row.level1}”，按{second.name}计分"
    return first or second, None


def _comparator(row: IndicatorRow, target: Target, table: ProjectTableScoring) -> tuple[str, str | None]:
    """The comparator a row is scored by, and a note when it is implied or overridden."""
    if row.nature in _NATURE:
        nature = _NATURE[row.nature]
        if target.written and target.comparator in _SIGN and target.comparator != nature:
            return nature, f"指标性质“{row.nature.value}”与目标所写“{_SIGN[target.comparator]}”不同，按指标性质"
        return nature, None
    if row.nature is Nature.qualitative:
        return "qualitative", None
    if row.nature is Nature.deadline:
        return "deadline" if target.deadline else ("<=" if target.quantity else "qualitative"), None
    if target.comparator == "=" and not target.written and target.quantity is not None:
        by = table.implicit_comparator.by_level2.get((row.level2 or "").strip())
        comp = by or table.implicit_comparator.default
        return comp, f"目标未写符号，按 {_SIGN[comp]} 计"
    return target.comparator, None


def _words(text: str, rule: QualitativeRule) -> tuple[QualitativeBand | None, str | None]:
    """The band whose words an actual uses, the strictest first (未达成 before 部分达成 before 达成)."""
    ordered = sorted(rule.bands, key=lambda b: b.high)
    for band in ordered:
        for word in sorted(band.words, key=len, reverse=True):
            if word in text:
                return band, word
    return None, None


def _at(band: QualitativeBand, where: str) -> Decimal:
    if where == "high":
        return band.high
    if where == "low":
        return band.low
    return (band.low + band.high) / 2


@dataclass
class _Outcome:
    score: Decimal
    kind: RowKind
    rule: str
    met: bool | None
    text: str
    band: str | None = None


class _RowScorer:
    def __init__(self, ruleset: RuleSet, table: ProjectTableScoring, flags: _Flags,
                 choices: Mapping[int | str, str]) -> None:
        self.rs, self.t, self.flags, self.choices = ruleset, table, flags, choices

    def tag(self, rule_id: str) -> str:
        return f"（{rule_id}，{self.rs.label}）"

    # ---------------------------------------------------------------- qualitative
    def qualitative(self, i: int, row: IndicatorRow, w: Decimal, actual: Target | None, lead: str) -> _Outcome:
        rule = self.t.qualitative
        text = (row.actual or "").strip()
        choice = self.choices.get(i, self.choices.get(row.level3))
        if choice:
            label, _, chosen = choice.partition(":")
            try:
                band = rule.band(label.strip())
            except KeyError:
                band = None
            if band is not None:
                try:
                    fraction = to_decimal(chosen.strip().rstrip("%")) if chosen.strip() else _at(band, rule.default_at)
                except ValueError:
                    fraction = _at(band, rule.default_at)
                fraction = max(band.low, min(band.high, fraction))
                score = w * fraction / HUNDRED
                top = max(rule.bands, key=lambda b: b.high)
                return _Outcome(score, "qualitative", rule.id, band is top,
                                f"{lead}评价人选定“{band.label}”档（{_n(band.low)}%–{_n(band.high)}%），"
                                f"取 {_n(fraction)}%：{_n(w)} × {_n(fraction)}% = {_r(score)}{self.tag(rule.id)}",
                                band.label)
        if actual is not None and actual.grade and actual.grade in rule.grades:
            pct = rule.grades[actual.grade]
            score = w * pct / HUNDRED
            return _Outcome(score, "qualitative", rule.id, pct >= HUNDRED,
                            f"{lead}实际等级“{actual.grade}”，按 {_n(pct)}% 计：{_n(w)} × {_n(pct)}% = {_r(score)}"
                            f"{self.tag(rule.id)}", actual.grade)
        band, word = _words(text, rule)
        if band is not None:
            pct = _at(band, rule.default_at)
            score = w * pct / HUNDRED
            others = "，无相反字样" if band is max(rule.bands, key=lambda b: b.high) else ""
            return _Outcome(score, "qualitative", rule.id, band is max(rule.bands, key=lambda b: b.high),
                            f"{lead}实际“{text}”含“{word}”{others}，归“{band.label}”档（{_n(band.low)}%–"
                            f"{_n(band.high)}%），取 {_n(pct)}%：{_n(w)} × {_n(pct)}% = {_r(score)}{self.tag(rule.id)}",
                            band.label)
        band = rule.band(rule.unclear_band)
        pct = _at(band, rule.unclear_at)
        score = w * pct / HUNDRED
        self.flags.add("JX-S-012", f"“{row.level3}”的实际完成值“{text}”看不出是否达成，"
                       f"暂按“{band.label}”档 {_n(pct)}% 计分，请评价人选定档次", "info", row=i, line=row.line)
        return _Outcome(score, "qualitative", rule.id, None,
                        f"{lead}实际“{text}”未表明是否达成，按“{band.label}”档（{_n(band.low)}%–{_n(band.high)}%）"
                        f"取 {_n(pct)}%：{_n(w)} × {_n(pct)}% = {_r(score)}{self.tag(rule.id)}", band.label)

    # ---------------------------------------------------------------- deadline
    def deadline(self, i: int, row: IndicatorRow, w: Decimal, target: Target, actual: Target) -> _Outcome:
        rule = self.t.deadline
        limit = target.deadline
        assert limit is not None
        if actual.deadline is not None:
            late = (actual.deadline - limit).days - rule.grace_days
            if late <= 0:
                return _Outcome(w, "deadline", rule.id, True,
                                f"目标 {target.text}，实际 {actual.text}，未逾期，得满分 {_n(w)}{self.tag(rule.id)}")
            if rule.late == "zero":
                return _Outcome(ZERO, "deadline", rule.id, False,
                                f"目标 {target.text}，实际 {actual.text}，逾期 {late} 天，得 0 分{self.tag(rule.id)}")
        return self.time_words(i, row, w, target, actual)

    def time_words(self, i: int, row: IndicatorRow, w: Decimal, target: Target, actual: Target) -> _Outcome:
        """A time limit met or not as the actual's words say (``按时拨付``)."""
        rule = self.t.deadline
        band, word = _words(actual.text, self.t.qualitative)
        top = max(self.t.qualitative.bands, key=lambda b: b.high)
        if band is top:
            return _Outcome(w, "deadline", rule.id, True,
                            f"时限指标：目标“{target.text}”，实际“{actual.text}”含“{word}”，视为在时限内完成，"
                            f"得满分 {_n(w)}{self.tag(rule.id)}")
        return self.qualitative(i, row, w, actual, f"时限指标：目标“{target.text}”，实际为文字，按定性计分；")

    # ---------------------------------------------------------------- quantitative
    def quantitative(self, i: int, row: IndicatorRow, w: Decimal, comp: str, target: Target, actual: Target,
                     notes: list[str]) -> _Outcome:
        tq, aq = target.quantity, actual.quantity
        assert tq is not None and aq is not None
        tunit, aunit = tq.unit, aq.unit
        a_text = _q(aq)
        if tunit and aunit and tunit != aunit:
            try:
                factor = conversion(aunit, tunit)
            except UnitError:
                self.flags.add("JX-S-005", f"“{row.level3}”目标单位“{tunit}”与实际单位“{aunit}”不可比"
                               f"（{dimension(tunit) or '未知'} 与 {dimension(aunit) or '未知'}）",
                               row=i, line=row.line)
                return self.qualitative(i, row, w, actual, f"目标“{target.text}”与实际“{actual.text}”单位不可比，"
                                        "按定性计分；")
            a = aq.value * factor
            a_text = f"{_q(aq)}（折合 {_n(a)}{tunit}）"
        else:
            a = aq.value
            if bool(tunit) != bool(aunit):
                notes.append(f"一方未写单位，按同一单位“{tunit or aunit}”比较")
        t = tq.value
        unit = tunit or aunit
        if actual.is_bound:
            notes.append(f"实际值写作“{actual.text}”，是界限而非实测值，按 {_n(aq.value)}{aq.unit} 计")
        lead = "；".join(notes) + "；" if notes else ""
        t_text = f"{_n(t)}{unit}"
        met = {">=": a >= t, ">": a > t, "<=": a <= t, "<": a < t, "=": a == t}[comp]
        # a strict bound (">95%") written as the actual meets a strict target (">90%") at the bound
        if not met and actual.is_bound and actual.comparator == comp and comp in (">", "<") and a == t:
            met = True
        sign = _SIGN[comp] if met else _NOT[comp]
        head = f"{lead}实际 {a_text} {sign} 目标 {t_text}"
        if comp in (">=", ">"):
            rule = self.t.positive
            if met:
                return self.too_low(i, row, w, a, t, unit, head, rule.id)
            if rule.mode == "zero" or t <= 0:
                return _Outcome(ZERO, "positive", rule.id, False, f"{head}，未达标，得 0 分{self.tag(rule.id)}")
            raw = w * a / t
            score = _clamp(raw, w)
            return _Outcome(score, "positive", rule.id, False,
                            f"{head}，未达标，得分 = {_n(w)} × {_n(a)} ÷ {_n(t)} = {_r(raw)}"
                            f"{'，取 0' if raw < 0 else ''}{self.tag(rule.id)}")
        if comp in ("<=", "<"):
            rev = self.t.reverse
            if met:
                return _Outcome(w, "reverse", rev.id, True, f"{head}，达标，得满分 {_n(w)}{self.tag(rev.id)}")
            if rev.mode == "zero" or t <= 0:
                return _Outcome(ZERO, "reverse", rev.id, False, f"{head}，未达标，得 0 分{self.tag(rev.id)}")
            span = (rev.zero_at - 1) * t
            raw = w * (1 - (a - t) / span)
            score = _clamp(raw, w)
            zero_at = f"{_n(rev.zero_at)} 倍目标值"
            formula = (f"{_n(w)} × (1 − ({_n(a)} − {_n(t)}) ÷ {_n(t)})" if rev.zero_at == 2
                       else f"{_n(w)} × (1 − ({_n(a)} − {_n(t)}) ÷ ({_n(rev.zero_at)} − 1) ÷ {_n(t)})")
            return _Outcome(score, "reverse", rev.id, False,
                            f"{head}，未达标，按线性递减（{zero_at}时为 0）：{formula} = {_r(raw)}"
                            f"{'，取 0' if raw < 0 else ''}{self.tag(rev.id)}")
        rule_eq = self.t.equality
        if met:
            return _Outcome(w, "equality", rule_eq.id, True, f"{head}，达标，得满分 {_n(w)}{self.tag(rule_eq.id)}")
        if rule_eq.mode == "zero" or t <= 0:
            return _Outcome(ZERO, "equality", rule_eq.id, False,
                            f"{head}，未达到目标值，得 0 分{self.tag(rule_eq.id)}")
        raw = w * (1 - abs(a - t) / t)
        score = _clamp(raw, w)
        return _Outcome(score, "equality", rule_eq.id, False,
                        f"{head}，未达到目标值，得分 = {_n(w)} × (1 − |{_n(a)} − {_n(t)}| ÷ {_n(t)}) = {_r(raw)}"
                        f"{'，取 0' if raw < 0 else ''}{self.tag(rule_eq.id)}")

    def too_low(self, i: int, row: IndicatorRow, w: Decimal, a: Decimal, t: Decimal, unit: str, head: str,
                rule_id: str) -> _Outcome:
        low = self.t.too_low
        if t > 0 and a > low.ratio * t:
            ratio = a / t
            self.flags.add("JX-S-004", f"“{row.level3}”实际 {_n(a)}{unit} 是目标 {_n(t)}{unit} 的 {_r(ratio)} 倍"
                           f"（超过 {_n(low.ratio)} 倍），目标可能设定偏低", row=i, line=row.line, rule=low.id)
            if low.mode == "deviation":
                raw = w * (1 - (ratio - low.ratio))
                score = _clamp(raw, w)
                return _Outcome(score, "positive", rule_id, True,
                                f"{head}，达标，但实际为目标的 {_r(ratio)} 倍，超过 {_n(low.ratio)} 倍，按偏离扣分："
                                f"{_n(w)} × (1 − ({_r(ratio, 4)} − {_n(low.ratio)})) = {_r(raw)}"
                                f"{'，取 0' if raw < 0 else ''}{self.tag(low.id)}")
        return _Outcome(w, "positive", rule_id, True, f"{head}，达标，得满分 {_n(w)}{self.tag(rule_id)}")

    # ---------------------------------------------------------------- one row
    def score(self, i: int, row: IndicatorRow, w: Decimal) -> _Outcome:
        target = parse_target(row.target)
        actual = parse_target(row.actual) if row.actual and row.actual.strip() else None
        comp, note = _comparator(row, target, self.t)
        notes = [note] if note else []
        if self.t.require_nature and row.nature is None:
            self.flags.add("JX-S-015", f"“{row.level3}”未填写指标性质（=、≥、≤、定性）", "info", row=i, line=row.line)
        if actual is None:
            self.flags.add("JX-S-009", f"“{row.level3}”未填写实际完成值，按 0 分计", row=i, line=row.line)
            return _Outcome(ZERO, "missing", "", False,
                            f"目标 {target.text}，未填写实际完成值，得 0 分（{self.rs.label}）")
        if actual.is_bound:
            self.flags.add("JX-S-006", f"“{row.level3}”的实际完成值写作“{actual.text}”，是界限而不是实测值，"
                           "应填写实际达到的数值", row=i, line=row.line)
        if comp == "deadline" and target.deadline is not None:
            return self.deadline(i, row, w, target, actual)
        if comp in _SIGN and target.quantity is not None:
            if actual.quantity is not None:
                return self.quantitative(i, row, w, comp, target, actual, notes)
            if comp in ("<=", "<") and (target.within or dimension(target.quantity.unit) in _TIME_DIMENSIONS):
                return self.time_words(i, row, w, target, actual)
            return self.qualitative(i, row, w, actual, f"目标 {target.text}，实际为文字，按定性计分；")
        return self.qualitative(i, row, w, actual, "定性指标：")


def _weights(project: Project, table: ProjectTableScoring, cats: list[ScoreCategory | None],
             flags: _Flags) -> tuple[list[Decimal | None], list[WeightOrigin], dict[str, Decimal]]:
    """Each row's 分值 (written, or an equal share of its category), and each category's weight."""
    written: list[Decimal | None] = []
    for i, row in enumerate(project.indicators):
        try:
            written.append(_weight_text(row.weight))
        except ValueError:
            flags.add("JX-S-017", f"“{row.level3}”的分值“{row.weight}”不是数值", "error", row=i, line=row.line)
            written.append(None)
    present = {c.id for c in cats if c is not None}
    budget = table.budget_category
    weights: dict[str, Decimal] = {c.id: c.weight for c in table.categories}
    blank = [i for i, (w, c) in enumerate(zip(written, cats, strict=True))
             if w is None and (c is None or c.id != budget)]
    origins: list[WeightOrigin] = ["written" if w is not None else "none" for w in written]
    if not blank or table.blank_weights.mode == "none":
        return written, origins, weights
    missing = [c for c in table.categories if c.id != budget and c.id not in present and c.weight > 0]
    if missing and table.missing_category.mode == "redistribute":
        receivers = [c for c in table.categories if c.id in present and c.id in table.missing_category.to]
        if not receivers:
            receivers = [c for c in table.categories if c.id in present and c.id != budget]
        for m in missing:
            if not receivers:
                break
            shares = _split(m.weight, [c.weight for c in receivers], table.blank_weights.places)
            for c, s in zip(receivers, shares, strict=True):
                weights[c.id] += s
            weights[m.id] = ZERO
            flags.add("JX-S-014", f"表中没有{m.name}，其权重 {_n(m.weight)} 分按比例调整给"
                      + "、".join(f"{c.name}（+{_n(s)}）" for c, s in zip(receivers, shares, strict=True)),
                      "info", rule=table.missing_category.source)
    result = list(written)
    for c in table.categories:
        rows = [i for i in blank if cats[i] is c]
        if not rows:
            continue
        fixed = sum((written[i] or ZERO for i, k in enumerate(cats) if k is c and written[i] is not None), ZERO)
        available = weights[c.id] - fixed
        if available < 0:
            flags.add("JX-S-001", f"{c.name}已填分值 {_n(fixed)} 超过其权重 {_n(weights[c.id])}，未填分值的行记 0 分")
            available = ZERO
        for i, share in zip(rows, _split(available, [Decimal(1)] * len(rows), table.blank_weights.places),
                            strict=True):
            result[i] = share
            origins[i] = "equal"
    if any(o == "equal" for o in origins):
        flags.add("JX-S-002", "表中未写分值，按一级指标权重平均分配："
                  + "；".join(f"{c.name} {_n(weights[c.id])} 分 ÷ {n} 行" for c in table.categories
                             if (n := sum(1 for i in blank if cats[i] is c))),
                  "info")
    return result, origins, weights


def _budget(project: Project, ruleset: RuleSet, table: ProjectTableScoring, flags: _Flags) -> ScoredBudget:
    rule = ruleset.rule(table.budget_execution)
    assert isinstance(rule, ProportionalScoreRule | BandScoreRule | ThresholdDeductionRule)
    results = {r.id: r for r in compute_project(project)}
    rate = results.get(rule.indicator)
    tag = f"（{rule.id}，{ruleset.label}）"
    if rate is None or rate.value is None:
        reason = rate.reason if rate is not None else "未计算"
        flags.add("JX-S-016", f"预算执行率不能计算（{reason}），该项未计分")
        return ScoredBudget(None, f"不可计算：{reason}", rule.weight, None, rule.id,
                            f"预算执行率不可计算（{reason}），未计分{tag}")
    f = project.funds
    inputs = f"全年执行数 {f.executed} ÷ 全年预算数 {f.budget}" if f.executed and f.budget else "；".join(
        f"{k}{v}" for k, v in rate.inputs.items())
    score, arithmetic = score_indicator(rule, rate.value, rate.unit, table.score_places)
    text = f"预算执行率 = {inputs} = {rate.display()}；得分 = {arithmetic}{tag}"
    _funds_flags(project, rate, table, flags)
    return ScoredBudget(rate.value, rate.display(), rule.weight, score, rule.id, text)


def _funds_flags(project: Project, rate: IndicatorResult, table: ProjectTableScoring, flags: _Flags) -> None:
    """JX-S-007/008: the table's budget and execution figures against the project's funds."""
    f = project.funds
    assert rate.value is not None
    if f.executed is not None and f.budget is not None and rate.interval is not None and rate.interval.lo > HUNDRED:
        flags.add("JX-S-007", f"全年执行数 {f.executed} 大于全年预算数 {f.budget}（执行率 {rate.display()}）")
    for side, total, parts in (
        ("预算", f.budget, (f.budget_fiscal, f.budget_carryover, f.budget_other)),
        ("执行", f.executed, (f.executed_fiscal, f.executed_carryover, f.executed_other)),
    ):
        given = [p for p in parts if p is not None]
        if total is None or not given:
            continue
        try:
            unit = total.unit or "万元"
            part_sum = sum((p.interval_in(unit) for p in given), Interval.exact(ZERO))
            whole = total.interval_in(unit)
        except UnitError:
            continue
        complete = len(given) == len(parts)
        if part_sum.lo > whole.hi or (complete and not part_sum.meets(whole)):
            flags.add("JX-S-007", f"{side}数的分项（财政拨款、上年结转、其他资金）之和 "
                      f"{_n(sum((p.value_in(unit) for p in given), ZERO))}{unit} 与{side}总数 {total} 不符")
    for check in check_stated(project, [rate]):
        if check.id == rate.id and check.ok is False:
            flags.add("JX-S-007", f"自评表/报告所述{check.message}", line=check.line)
    reason_rule = table.execution_reason
    if reason_rule is not None and rate.value < reason_rule.below:
        explained = any("执行率" in text or "偏差" in text for text in project.narrative.values())
        if not explained:
            flags.add("JX-S-008", f"预算执行率 {rate.display()} 低于 {_n(reason_rule.below)}%，应说明原因"
                      f"（{reason_rule.source}）", reason_rule.severity, rule=reason_rule.id)


def score_project(project: Project, ruleset: RuleSet | str | None = None, *,
                  choices: Mapping[int | str, str] | None = None) -> ScoredTable:
    """Score ``project``'s 自评表 by ``ruleset`` (default: the national ``default`` set).

    ``choices`` holds the officer's band for qualitative rows, keyed by row index or 三级指标
    name: ``"部分达成"`` (at the rule's default point of the band) or ``"部分达成:70"`` (70% of
    the weight, kept inside the band).
    """
    rs = load_ruleset(ruleset) if isinstance(ruleset, str) else ruleset or load_ruleset("default")
    table = rs.project_table
    if table is None:
        raise ValueError(f"规则集 {rs.label} 没有项目自评表评分规则（project_table）")
    flags = _Flags(source=project.name)
    budget = _budget(project, rs, table, flags)

    classified = [_classify(row, table) for row in project.indicators]
    cats = [c for c, _ in classified]
    for i, (row, (cat, note)) in enumerate(zip(project.indicators, classified, strict=True)):
        if note:
            flags.add("JX-S-011", f"“{row.level3}”：{note}", "info", row=i, line=row.line)
        elif cat is None:
            flags.add("JX-S-010", f"“{row.level3}”的一级指标“{row.level1}”无法归入"
                      + "、".join(c.name for c in table.categories), row=i, line=row.line)
    weights, origins, cat_weights = _weights(project, table, cats, flags)

    scorer = _RowScorer(rs, table, flags, choices or {})
    rows: list[ScoredRow] = []
    places = table.score_places
    for i, row in enumerate(project.indicators):
        cat, w = cats[i], weights[i]
        name = cat.name if cat else "未归类"
        if cat is not None and cat.id == table.budget_category:
            flags.add("JX-S-011", f"指标表中的“{row.level3}”属于{cat.name}，按项目资金计分（见预算执行率一行），"
                      "此行不另计分", "info", row=i, line=row.line)
            rows.append(ScoredRow(i, row.level1, row.level2, row.level3, cat.id, name, row.target, row.actual,
                                  None, "none", None, "unscored", "", None, "预算执行率按项目资金计分，此行不另计分",
                                  line=row.line, written_score=row.score))
            continue
        if w is None:
            rows.append(ScoredRow(i, row.level1, row.level2, row.level3, cat.id if cat else None, name, row.target,
                                  row.actual, None, "none", None, "unscored", "", None, "未写分值，未计分",
                                  line=row.line, written_score=row.score))
            continue
        out = scorer.score(i, row, w)
        score = _clamp(round_half_up(out.score, places), w)
        rows.append(ScoredRow(i, row.level1, row.level2, row.level3, cat.id if cat else None, name, row.target,
                              row.actual, w, origins[i], score, out.kind, out.rule, out.met, out.text, out.band,
                              row.line, row.score))
        if score < w and not (row.deviation_reason or "").strip():
            flags.add("JX-S-003", f"“{row.level3}”得分 {_n(score)} 未达满分 {_n(w)}，未填写偏差原因分析及改进措施",
                      row=i, line=row.line)
        if row.score is not None and row.score.strip():
            try:
                written = _weight_text(row.score)
            except ValueError:
                flags.add("JX-S-017", f"“{row.level3}”的得分“{row.score}”不是数值", "error", row=i, line=row.line)
            else:
                if written is not None and written != score:
                    flags.add("JX-S-013", f"“{row.level3}”表中得分 {row.score}，按规则计算为 {_n(score)}", "info",
                              row=i, line=row.line)

    subtotals = [CategoryScore(table.budget_category, table.category(table.budget_category).name, budget.weight,
                               budget.score or ZERO, 0)]
    for c in table.categories:
        if c.id == table.budget_category:
            continue
        mine = [r for r in rows if r.category == c.id]
        if not mine:
            continue
        subtotals.append(CategoryScore(c.id, c.name, sum((r.weight or ZERO for r in mine), ZERO),
                                       sum((r.score or ZERO for r in mine), ZERO), len(mine)))
    stray = [r for r in rows if r.category is None and r.weight is not None]
    if stray:
        subtotals.append(CategoryScore("", "未归类", sum((r.weight or ZERO for r in stray), ZERO),
                                       sum((r.score or ZERO for r in stray), ZERO), len(stray)))
    weight_total = budget.weight + sum((r.weight or ZERO for r in rows), ZERO)
    total = (budget.score or ZERO) + sum((r.score or ZERO for r in rows), ZERO)
    if weight_total != HUNDRED:
        flags.add("JX-S-001", f"分值合计为 {_n(weight_total)}（预算执行率 {_n(budget.weight)} + 各指标 "
                  f"{_n(weight_total - budget.weight)}），应为 100")
    grade = rs.grades.grade(total) if rs.grades is not None and weight_total == HUNDRED else None
    notes = tuple(f"{c.name}权重 {_n(cat_weights[c.id])}（{c.source}，{c.confidence}）" for c in table.categories)
    return ScoredTable(project.name, project.unit, project.year, rs.label, budget, tuple(rows), tuple(subtotals),
                       weight_total, total, grade, tuple(flags.items), notes)


# --------------------------------------------------------------------------------------------
# Department (部门整体支出) by the ``scoring:`` rules of department indicators
# --------------------------------------------------------------------------------------------


def score_department(dy: DepartmentYear, results: Iterable[IndicatorResult] | None = None,
                     ruleset: RuleSet | str | None = None) -> ScoredDepartment:
    """Score the department indicators a rule set has scoring rules for (Hunan 2018 table).

    ``results`` are the engine's indicators of ``dy`` (computed here when omitted). A rule whose
    indicator cannot be computed is reported (JX-S-020) and left out of the scored weight.
    """
    rs = load_ruleset(ruleset) if isinstance(ruleset, str) else ruleset or load_ruleset("default")
    if results is None:
        from jixiao.calc.department import compute_department
        results = compute_department(dy)
    by_id = {r.id: r for r in results}
    own = BY_SUBJECT["department"]
    flags = _Flags(source=f"{dy.unit} {dy.year}")
    rows: list[ScoredIndicator] = []
    for rule in rs.scoring:
        if rule.indicator not in own:
            continue
        result = by_id.get(rule.indicator) or own[rule.indicator].compute(dy)
        tag = f"（{rule.id}，{rs.label}；{rule.source}）"
        if result.value is None:
            flags.add("JX-S-020", f"{rule.name}：{result.name or rule.indicator}不可计算（{result.reason}），未计分",
                      "info", rule=rule.id)
            rows.append(ScoredIndicator(rule.id, rule.name, rule.indicator, None, result.display(), rule.weight, None,
                                        f"{result.display()}，未计分{tag}"))
            continue
        score, arithmetic = score_indicator(rule, result.value, result.unit)
        inputs = "，".join(f"{k}{v}" for k, v in result.inputs.items())
        rows.append(ScoredIndicator(rule.id, rule.name, rule.indicator, result.value, result.display(), rule.weight,
                                    score, f"{result.name} = {result.display()}（{inputs}）；{arithmetic}{tag}"))
    weight_total = sum((r.weight for r in rows), ZERO)
    scored = [r for r in rows if r.score is not None]
    scored_weight = sum((r.weight for r in scored), ZERO)
    total = sum((r.score or ZERO for r in scored), ZERO)
    grade = rs.grades.grade(total) if rs.grades is not None and scored_weight == HUNDRED else None
    return ScoredDepartment(dy.unit, dy.year, rs.label, tuple(rows), weight_total, scored_weight, total, grade,
                            tuple(flags.items))


__all__ = [
    "CategoryScore",
    "ScoredBudget",
    "ScoredDepartment",
    "ScoredIndicator",
    "ScoredRow",
    "ScoredTable",
    "score_department",
    "score_indicator",
    "score_project",
]
