"""One 三级指标 row of a 自评表 scored by its nature: positive (≥ >), reverse (≤ <), equality (=),
deadline or qualitative — with the arithmetic a reviewer can redo by hand."""


from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from jixiao.calc.score_results import (
    HUNDRED,
    NATURE,
    NOT,
    SIGN,
    TIME_DIMENSIONS,
    ZERO,
    Flags,
    RowKind,
    clamp,
)
from jixiao.calc.score_results import quantity_text as _q
from jixiao.calc.score_results import rounded_text as _r
from jixiao.calc.score_results import score_text as _n
from jixiao.model.project import IndicatorRow, Nature
from jixiao.model.targets import Target, parse_target
from jixiao.numbers import UnitError, conversion, dimension, to_decimal
from jixiao.rules import (
    ProjectTableScoring,
    QualitativeBand,
    QualitativeRule,
    RuleSet,
    ScoreCategory,
)

# --------------------------------------------------------------------------------------------
# The project table
# --------------------------------------------------------------------------------------------


def classify(row: IndicatorRow, table: ProjectTableScoring) -> tuple[ScoreCategory | None, str | None]:
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
    if row.nature in NATURE:
        nature = NATURE[row.nature]
        if target.written and target.comparator in SIGN and target.comparator != nature:
            return nature, f"指标性质“{row.nature.value}”与目标所写“{SIGN[target.comparator]}”不同，按指标性质"
        return nature, None
    if row.nature is Nature.qualitative:
        return "qualitative", None
    if row.nature is Nature.deadline:
        return "deadline" if target.deadline else ("<=" if target.quantity else "qualitative"), None
    if target.comparator == "=" and not target.written and target.quantity is not None:
        by = table.implicit_comparator.by_level2.get((row.level2 or "").strip())
        comp = by or table.implicit_comparator.default
        return comp, f"目标未写符号，按 {SIGN[comp]} 计"
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
class Outcome:
    score: Decimal
    kind: RowKind
    rule: str
    met: bool | None
    text: str
    band: str | None = None


class RowScorer:
    def __init__(self, ruleset: RuleSet, table: ProjectTableScoring, flags: Flags,
                 choices: Mapping[int | str, str]) -> None:
        self.rs, self.t, self.flags, self.choices = ruleset, table, flags, choices

    # ---------------------------------------------------------------- qualitative
    def qualitative(self, i: int, row: IndicatorRow, w: Decimal, actual: Target | None, lead: str) -> Outcome:
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
                return Outcome(score, "qualitative", rule.id, band is top,
                                f"{lead}评价人选定“{band.label}”档（{_n(band.low)}%–{_n(band.high)}%），"
                                f"取 {_n(fraction)}%：{_n(w)} × {_n(fraction)}% = {_r(score)}",
                                band.label)
        if actual is not None and actual.grade and actual.grade in rule.grades:
            pct = rule.grades[actual.grade]
            score = w * pct / HUNDRED
            return Outcome(score, "qualitative", rule.id, pct >= HUNDRED,
                            f"{lead}实际等级“{actual.grade}”，按 {_n(pct)}% 计：{_n(w)} × {_n(pct)}% = {_r(score)}"
                            f"", actual.grade)
        band, word = _words(text, rule)
        if band is not None:
            pct = _at(band, rule.default_at)
            score = w * pct / HUNDRED
            others = "，无相反字样" if band is max(rule.bands, key=lambda b: b.high) else ""
            return Outcome(score, "qualitative", rule.id, band is max(rule.bands, key=lambda b: b.high),
                            f"{lead}实际“{text}”含“{word}”{others}，归“{band.label}”档（{_n(band.low)}%–"
                            f"{_n(band.high)}%），取 {_n(pct)}%：{_n(w)} × {_n(pct)}% = {_r(score)}",
                            band.label)
        band = rule.band(rule.unclear_band)
        pct = _at(band, rule.unclear_at)
        score = w * pct / HUNDRED
        self.flags.add("JX-S-012", f"“{row.level3}”的实际完成值“{text}”看不出是否达成，"
                       f"暂按“{band.label}”档 {_n(pct)}% 计分，请评价人选定档次", "info", row=i, line=row.line)
        return Outcome(score, "qualitative", rule.id, None,
                        f"{lead}实际“{text}”未表明是否达成，按“{band.label}”档（{_n(band.low)}%–{_n(band.high)}%）"
                        f"取 {_n(pct)}%：{_n(w)} × {_n(pct)}% = {_r(score)}", band.label)

    # ---------------------------------------------------------------- deadline
    def deadline(self, i: int, row: IndicatorRow, w: Decimal, target: Target, actual: Target) -> Outcome:
        rule = self.t.deadline
        limit = target.deadline
        assert limit is not None
        if actual.deadline is not None:
            late = (actual.deadline - limit).days - rule.grace_days
            if late <= 0:
                return Outcome(w, "deadline", rule.id, True,
                                f"目标 {target.text}，实际 {actual.text}，未逾期，得满分 {_n(w)}")
            if rule.late == "zero":
                return Outcome(ZERO, "deadline", rule.id, False,
                                f"目标 {target.text}，实际 {actual.text}，逾期 {late} 天，得 0 分")
        return self.time_words(i, row, w, target, actual)

    def time_words(self, i: int, row: IndicatorRow, w: Decimal, target: Target, actual: Target) -> Outcome:
        """A time limit met or not as the actual's words say (``按时拨付``)."""
        rule = self.t.deadline
        band, word = _words(actual.text, self.t.qualitative)
        top = max(self.t.qualitative.bands, key=lambda b: b.high)
        if band is top:
            return Outcome(w, "deadline", rule.id, True,
                            f"时限指标：目标“{target.text}”，实际“{actual.text}”含“{word}”，视为在时限内完成，"
                            f"得满分 {_n(w)}")
        return self.qualitative(i, row, w, actual, f"时限指标：目标“{target.text}”，实际为文字，按定性计分；")

    # ---------------------------------------------------------------- quantitative
    def quantitative(self, i: int, row: IndicatorRow, w: Decimal, comp: str, target: Target, actual: Target,
                     notes: list[str]) -> Outcome:
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
        sign = SIGN[comp] if met else NOT[comp]
        head = f"{lead}实际 {a_text} {sign} 目标 {t_text}"
        if comp in (">=", ">"):
            rule = self.t.positive
            if met:
                return self.too_low(i, row, w, a, t, unit, head, rule.id)
            if rule.mode == "zero" or t <= 0:
                return Outcome(ZERO, "positive", rule.id, False, f"{head}，未达标，得 0 分")
            raw = w * a / t
            score = clamp(raw, w)
            return Outcome(score, "positive", rule.id, False,
                            f"{head}，未达标，得分 = {_n(w)} × {_n(a)} ÷ {_n(t)} = {_r(raw)}"
                            f"{'，取 0' if raw < 0 else ''}")
        if comp in ("<=", "<"):
            rev = self.t.reverse
            if met:
                return Outcome(w, "reverse", rev.id, True, f"{head}，达标，得满分 {_n(w)}")
            if rev.mode == "zero" or t <= 0:
                return Outcome(ZERO, "reverse", rev.id, False, f"{head}，未达标，得 0 分")
            span = (rev.zero_at - 1) * t
            raw = w * (1 - (a - t) / span)
            score = clamp(raw, w)
            zero_at = f"{_n(rev.zero_at)} 倍目标值"
            formula = (f"{_n(w)} × (1 − ({_n(a)} − {_n(t)}) ÷ {_n(t)})" if rev.zero_at == 2
                       else f"{_n(w)} × (1 − ({_n(a)} − {_n(t)}) ÷ ({_n(rev.zero_at)} − 1) ÷ {_n(t)})")
            return Outcome(score, "reverse", rev.id, False,
                            f"{head}，未达标，按线性递减（{zero_at}时为 0）：{formula} = {_r(raw)}"
                            f"{'，取 0' if raw < 0 else ''}")
        rule_eq = self.t.equality
        if met:
            return Outcome(w, "equality", rule_eq.id, True, f"{head}，达标，得满分 {_n(w)}")
        if rule_eq.mode == "zero" or t <= 0:
            return Outcome(ZERO, "equality", rule_eq.id, False,
                            f"{head}，未达到目标值，得 0 分")
        raw = w * (1 - abs(a - t) / t)
        score = clamp(raw, w)
        return Outcome(score, "equality", rule_eq.id, False,
                        f"{head}，未达到目标值，得分 = {_n(w)} × (1 − |{_n(a)} − {_n(t)}| ÷ {_n(t)}) = {_r(raw)}"
                        f"{'，取 0' if raw < 0 else ''}")

    def too_low(self, i: int, row: IndicatorRow, w: Decimal, a: Decimal, t: Decimal, unit: str, head: str,
                rule_id: str) -> Outcome:
        low = self.t.too_low
        if t > 0 and a > low.ratio * t:
            ratio = a / t
            self.flags.add("JX-S-004", f"“{row.level3}”实际 {_n(a)}{unit} 是目标 {_n(t)}{unit} 的 {_r(ratio)} 倍"
                           f"（超过 {_n(low.ratio)} 倍），目标可能设定偏低", row=i, line=row.line, rule=low.id)
            if low.mode == "deviation":
                raw = w * (1 - (ratio - low.ratio))
                score = clamp(raw, w)
                return Outcome(score, "positive", rule_id, True,
                                f"{head}，达标，但实际为目标的 {_r(ratio)} 倍，超过 {_n(low.ratio)} 倍，按偏离扣分："
                                f"{_n(w)} × (1 − ({_r(ratio, 4)} − {_n(low.ratio)})) = {_r(raw)}"
                                f"{'，取 0' if raw < 0 else ''}")
        return Outcome(w, "positive", rule_id, True, f"{head}，达标，得满分 {_n(w)}")

    # ---------------------------------------------------------------- one row
    def score(self, i: int, row: IndicatorRow, w: Decimal) -> Outcome:
        target = parse_target(row.target)
        actual = parse_target(row.actual) if row.actual and row.actual.strip() else None
        comp, note = _comparator(row, target, self.t)
        notes = [note] if note else []
        if self.t.require_nature and row.nature is None:
            self.flags.add("JX-S-015", f"“{row.level3}”未填写指标性质（=、≥、≤、定性）", "info", row=i, line=row.line)
        if actual is None:
            self.flags.add("JX-S-009", f"“{row.level3}”未填写实际完成值，按 0 分计", row=i, line=row.line)
            return Outcome(ZERO, "missing", "", False,
                            f"目标 {target.text}，未填写实际完成值，得 0 分")
        if actual.is_bound:
            self.flags.add("JX-S-006", f"“{row.level3}”的实际完成值写作“{actual.text}”，是界限而不是实测值，"
                           "应填写实际达到的数值", row=i, line=row.line)
        if comp == "deadline" and target.deadline is not None:
            return self.deadline(i, row, w, target, actual)
        if comp in SIGN and target.quantity is not None:
            if actual.quantity is not None:
                return self.quantitative(i, row, w, comp, target, actual, notes)
            if comp in ("<=", "<") and (target.within or dimension(target.quantity.unit) in TIME_DIMENSIONS):
                return self.time_words(i, row, w, target, actual)
            return self.qualitative(i, row, w, actual, f"目标 {target.text}，实际为文字，按定性计分；")
        return self.qualitative(i, row, w, actual, "定性指标：")


