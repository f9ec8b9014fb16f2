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
from decimal import Decimal, localcontext

from jixiao.calc.department import compute_department
from jixiao.calc.project import compute_project
from jixiao.calc.registry import BY_SUBJECT, IndicatorResult
from jixiao.calc.row_scoring import RowScorer, classify
from jixiao.calc.score_results import (
    HUNDRED,
    ZERO,
    CategoryScore,
    Flags,
    ScoredBudget,
    ScoredDepartment,
    ScoredIndicator,
    ScoredRow,
    ScoredTable,
    WeightOrigin,
    clamp,
    split_evenly,
    weight_of_text,
)
from jixiao.calc.score_results import places_text as _p
from jixiao.calc.score_results import rounded_text as _r
from jixiao.calc.score_results import score_text as _n
from jixiao.calc.stated import check_stated
from jixiao.model.department import DepartmentYear
from jixiao.model.project import IndicatorRow, Project
from jixiao.numbers import Interval, UnitError, round_half_up, truncate
from jixiao.rules import (
    BandScoreRule,
    ProjectTableScoring,
    ProportionalScoreRule,
    RuleSet,
    ScoreCategory,
    ThresholdDeductionRule,
    citation_tag,
    load_ruleset,
)

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
    final = clamp(round_half_up(score, places), rule.weight)
    if final != score:
        text += f"，四舍五入为 {_n(final)}"
    return final, text


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
        score = clamp(raw, w)
        return score, text
    if isinstance(rule, BandScoreRule):
        band = next((b for b in rule.bands if b.range.contains(value)), None)
        if band is None:
            return ZERO, f"{shown} 不在任何分档区间内，得 0 分"
        return band.score, f"{shown}（{band.range.words(unit)}），得 {_n(band.score)} 分"
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
    score = clamp(score, w)
    text = (f"{shown} {word} {_n(rule.threshold)}{unit} {_p(beyond, places)} 个百分点，每 {_n(rule.per)} 个百分点扣 "
            f"{_n(rule.deduction)} 分（{how}）：{_n(w)} − {_n(rule.deduction)} × {_r(steps, 4)} = {_r(raw, 4)}")
    if score != raw:
        text += f"，取 {_n(score)}"
    return score, text


def _weights(project: Project, table: ProjectTableScoring, cats: list[ScoreCategory | None],
             flags: Flags) -> tuple[list[Decimal | None], list[WeightOrigin], dict[str, Decimal]]:
    """Each row's 分值 (written, or an equal share of its category), and each category's weight."""
    written: list[Decimal | None] = []
    for i, row in enumerate(project.indicators):
        try:
            written.append(weight_of_text(row.weight))
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
            shares = split_evenly(m.weight, [c.weight for c in receivers], table.blank_weights.places)
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
        for i, share in zip(rows, split_evenly(available, [Decimal(1)] * len(rows), table.blank_weights.places),
                            strict=True):
            result[i] = share
            origins[i] = "equal"
    if any(o == "equal" for o in origins):
        flags.add("JX-S-002", "表中未写分值，按一级指标权重平均分配："
                  + "；".join(f"{c.name} {_n(weights[c.id])} 分 ÷ {n} 行" for c in table.categories
                             if (n := sum(1 for i in blank if cats[i] is c))),
                  "info")
    return result, origins, weights


def _budget(project: Project, ruleset: RuleSet, table: ProjectTableScoring, flags: Flags) -> ScoredBudget:
    rule = ruleset.rule(table.budget_execution)
    assert isinstance(rule, ProportionalScoreRule | BandScoreRule | ThresholdDeductionRule)
    results = {r.id: r for r in compute_project(project)}
    rate = results.get(rule.indicator)
    if rate is None or rate.value is None:
        reason = rate.reason if rate is not None else "未计算"
        flags.add("JX-S-016", f"预算执行率不能计算（{reason}），该项未计分")
        return ScoredBudget(None, f"不可计算：{reason}", rule.weight, None, rule.id,
                            f"预算执行率不可计算（{reason}），未计分")
    f = project.funds
    inputs = f"全年执行数 {f.executed} ÷ 全年预算数 {f.budget}" if f.executed and f.budget else "；".join(
        f"{k}{v}" for k, v in rate.inputs.items())
    score, arithmetic = score_indicator(rule, rate.value, rate.unit, table.score_places)
    text = f"预算执行率 = {inputs} = {rate.display()}；得分 = {arithmetic}"
    _funds_flags(project, rate, table, flags)
    return ScoredBudget(rate.value, rate.display(), rule.weight, score, rule.id, text)


def _funds_flags(project: Project, rate: IndicatorResult, table: ProjectTableScoring, flags: Flags) -> None:
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
                      f"{citation_tag(reason_rule.citation)}", reason_rule.severity, rule=reason_rule.id)


def _row_flags(flags: Flags, i: int, row: IndicatorRow, score: Decimal, weight: Decimal) -> None:
    """What a reviewer is told about one scored row: no 偏差原因 below full marks, a written 得分
    that is not a number or differs from the rule's."""
    if score < weight and not (row.deviation_reason or "").strip():
        flags.add("JX-S-003", f"“{row.level3}”得分 {_n(score)} 未达满分 {_n(weight)}，未填写偏差原因分析及改进措施",
                  row=i, line=row.line)
    if row.score is None or not row.score.strip():
        return
    try:
        written = weight_of_text(row.score)
    except ValueError:
        flags.add("JX-S-017", f"“{row.level3}”的得分“{row.score}”不是数值", "error", row=i, line=row.line)
        return
    if written is not None and written != score:
        flags.add("JX-S-013", f"“{row.level3}”表中得分 {row.score}，按规则计算为 {_n(score)}", "info",
                  row=i, line=row.line)


def _subtotals(table: ProjectTableScoring, budget: ScoredBudget, rows: list[ScoredRow]) -> list[CategoryScore]:
    """Each first-level category's weight and score (预算执行率 first), then the unclassified rows'."""
    subtotals = [CategoryScore(table.budget_category, table.category(table.budget_category).name, budget.weight,
                               budget.score or ZERO, 0)]
    for c in table.categories:
        if c.id == table.budget_category:
            continue
        mine = [r for r in rows if r.category == c.id]
        if mine:
            subtotals.append(CategoryScore(c.id, c.name, sum((r.weight or ZERO for r in mine), ZERO),
                                           sum((r.score or ZERO for r in mine), ZERO), len(mine)))
    stray = [r for r in rows if r.category is None and r.weight is not None]
    if stray:
        subtotals.append(CategoryScore("", "未归类", sum((r.weight or ZERO for r in stray), ZERO),
                                       sum((r.score or ZERO for r in stray), ZERO), len(stray)))
    return subtotals


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
    flags = Flags(source=project.name)
    budget = _budget(project, rs, table, flags)

    classified = [classify(row, table) for row in project.indicators]
    cats = [c for c, _ in classified]
    for i, (row, (cat, note)) in enumerate(zip(project.indicators, classified, strict=True)):
        if note:
            flags.add("JX-S-011", f"“{row.level3}”：{note}", "info", row=i, line=row.line)
        elif cat is None:
            flags.add("JX-S-010", f"“{row.level3}”的一级指标“{row.level1}”无法归入"
                      + "、".join(c.name for c in table.categories), row=i, line=row.line)
    weights, origins, cat_weights = _weights(project, table, cats, flags)

    scorer = RowScorer(rs, table, flags, choices or {})
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
        score = clamp(round_half_up(out.score, places), w)
        rows.append(ScoredRow(i, row.level1, row.level2, row.level3, cat.id if cat else None, name, row.target,
                              row.actual, w, origins[i], score, out.kind, out.rule, out.met, out.text, out.band,
                              row.line, row.score))
        _row_flags(flags, i, row, score, w)

    subtotals = _subtotals(table, budget, rows)
    weight_total = budget.weight + sum((r.weight or ZERO for r in rows), ZERO)
    total = (budget.score or ZERO) + sum((r.score or ZERO for r in rows), ZERO)
    if weight_total != HUNDRED:
        flags.add("JX-S-001", f"分值合计为 {_n(weight_total)}（预算执行率 {_n(budget.weight)} + 各指标 "
                  f"{_n(weight_total - budget.weight)}），应为 100")
    grade = rs.grades.grade(total) if rs.grades is not None and weight_total == HUNDRED else None
    notes = tuple(f"{c.name}权重 {_n(cat_weights[c.id])}{citation_tag(c.citation)}" for c in table.categories)
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
        results = compute_department(dy)
    by_id = {r.id: r for r in results}
    own = BY_SUBJECT["department"]
    flags = Flags(source=f"{dy.unit} {dy.year}")
    rows: list[ScoredIndicator] = []
    for rule in rs.scoring:
        if rule.indicator not in own:
            continue
        result = by_id.get(rule.indicator) or own[rule.indicator].compute(dy)
        if result.value is None:
            flags.add("JX-S-020", f"{rule.name}：{result.name or rule.indicator}不可计算（{result.reason}），未计分",
                      "info", rule=rule.id)
            rows.append(ScoredIndicator(rule.id, rule.name, rule.indicator, None, result.display(), rule.weight, None,
                                        f"{result.display()}，未计分"))
            continue
        score, arithmetic = score_indicator(rule, result.value, result.unit)
        inputs = "，".join(f"{k}{v}" for k, v in result.inputs.items())
        rows.append(ScoredIndicator(rule.id, rule.name, rule.indicator, result.value, result.display(), rule.weight,
                                    score, f"{result.name} = {result.display()}（{inputs}）；{arithmetic}"))
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

