"""The scores printed in the 自评表: the scorer's results turned into table cells and 评分说明.

:func:`score_tables` scores every project's 自评表 of a unit-year with
:func:`jixiao.calc.scoring.score_project` and the department with ``score_department`` when the
rule set has department rules; the writers print 分值/得分/总分/等级 and, after each table, the
评分说明 (each line's rule and arithmetic, then the reviewer's notes). Scoring lives in
``jixiao.calc``; this module only presents it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal

from jixiao.calc.registry import BY_SUBJECT
from jixiao.calc.score_results import ScoredDepartment, ScoredTable, score_text
from jixiao.calc.scoring import score_department, score_project
from jixiao.model import Dataset, DepartmentYear
from jixiao.rules import RuleSet, available_rulesets, load_ruleset
from jixiao.write.tables import RowScore, ScoreLine, SelfEvalScores

#: the rule sets shipped with jixiao that ``--rules`` offers
RULESETS = tuple(available_rulesets())
#: the key of the department's scores in a scores mapping (projects are keyed by their name)
DEPARTMENT = "department"


def _ruleset(rules: RuleSet | str) -> RuleSet:
    return load_ruleset(rules) if isinstance(rules, str) else rules


def _n(value: Decimal) -> str:
    """2 → '2', 8.640 → '8.64' (as the scorer prints its scores)."""
    text = f"{value.quantize(Decimal(1)):f}" if value == value.to_integral_value() else f"{value.normalize():f}"
    return "0" if text in ("-0", "0") else text


def self_eval_scores(table: ScoredTable) -> SelfEvalScores:
    """The cells the 自评表 writer fills (:class:`jixiao.write.tables.SelfEvalScores`) from a
    scored table, without the 评分说明 (:func:`project_scores` adds those)."""
    rows = [RowScore(None if r.weight is None else score_text(r.weight),
                     None if r.score is None else score_text(r.score), r.explanation) for r in table.rows]
    return SelfEvalScores(
        rows=rows,
        budget_weight=score_text(table.budget.weight),
        budget_score=None if table.budget.score is None else score_text(table.budget.score),
        total_weight=score_text(table.weight_total),
        total_score=score_text(table.total),
        grade=table.grade,
        notes=tuple(f.message for f in table.flags),
    )


def _rule_names(rs: RuleSet) -> dict[str, str]:
    names = {r.id: r.name for r in rs.scoring}
    t = rs.project_table
    if t is not None:
        for rule in (t.positive, t.reverse, t.equality, t.qualitative, t.deadline, t.too_low):
            names[rule.id] = rule.name
    return names


def _arithmetic(explanation: str, rule_id: str, label: str) -> str:
    """The explanation without its trailing “（rule，rule set…）” tag (the table has a 规则 column)."""
    for tag in (f"（{rule_id}，{label}）", f"（{label}）"):
        if explanation.endswith(tag):
            return explanation[: -len(tag)]
    head = f"（{rule_id}，{label}；"
    at = explanation.rfind(head)
    if rule_id and at > 0 and explanation.endswith("）"):
        return explanation[:at]
    return explanation


def _rule_text(rule_id: str, names: Mapping[str, str]) -> str:
    if not rule_id:
        return "—"
    return f"{names[rule_id]}\n（{rule_id}）" if rule_id in names else rule_id


def _grades_text(rs: RuleSet) -> str:
    """等级：优 ≥90、良 80–<90… from the rule set's grade scale."""
    if rs.grades is None:
        return "—"
    parts = []
    for b in rs.grades.bands:
        lo, hi = b.range.lower, b.range.upper
        if hi is None and lo is not None:
            parts.append(f"{b.label}{'≥' if b.range.lower_closed else '>'}{_n(lo)}")
        elif lo is None and hi is not None:
            parts.append(f"{b.label}{'≤' if b.range.upper_closed else '<'}{_n(hi)}")
        elif lo is not None and hi is not None:
            parts.append(f"{b.label}{_n(lo)}–{_n(hi)}")
        else:
            parts.append(b.label)
    return "等级：" + "、".join(parts)


def table_scores(table: ScoredTable, ruleset: RuleSet | str) -> SelfEvalScores:
    """The 自评表 cells of a scored project table, with its 评分说明 lines."""
    rs = _ruleset(ruleset)
    names = _rule_names(rs)
    lines = [ScoreLine("预算执行率", _rule_text(table.budget.rule, names),
                       _arithmetic(table.budget.explanation, table.budget.rule, rs.label))]
    for r in table.rows:
        lines.append(ScoreLine(f"{r.category_name}／{r.level3}", _rule_text(r.rule, names),
                               _arithmetic(r.explanation, r.rule, rs.label)))
    total = f"{'＋'.join(f'{c.name}{_n(c.score)}' for c in table.categories)}＝{_n(table.total)}"
    grade = f"，等级“{table.grade}”" if table.grade else ""
    lines.append(ScoreLine("总分", _grades_text(rs),
                           f"{total}（满分{_n(table.weight_total)}）{grade}"))
    return replace(self_eval_scores(table), ruleset=rs.label, explanations=tuple(lines))


def department_scores(scored: ScoredDepartment, ruleset: RuleSet | str) -> SelfEvalScores:
    """The department 自评表 cells (keyed by indicator) with the 评分说明 lines."""
    rs = _ruleset(ruleset)
    names = _rule_names(rs)
    by_indicator = {r.indicator: RowScore(_n(r.weight), None if r.score is None else _n(r.score), r.explanation)
                    for r in scored.rows if r.score is not None}
    lines = [ScoreLine(r.name.removesuffix("得分"), _rule_text(r.rule, names),
                       _arithmetic(r.explanation, r.rule, rs.label)) for r in scored.rows]
    done = [r for r in scored.rows if r.score is not None]
    total = "＋".join(_n(r.score) for r in done if r.score is not None) or "0"
    lines.append(ScoreLine("合计", "—", f"{total}＝{_n(scored.total)}（已计分项满分{_n(scored.scored_weight)}；"
                                        f"规则所列各项满分{_n(scored.weight_total)}）"
                           + ("" if scored.grade else "；规则未覆盖百分制评分表，不评等级")))
    return SelfEvalScores(
        by_indicator=by_indicator,
        total_weight=_n(scored.scored_weight),
        total_score=_n(scored.total),
        grade=scored.grade,
        notes=tuple(f.message for f in scored.flags),
        ruleset=rs.label,
        explanations=tuple(lines),
    )


def has_department_rules(ruleset: RuleSet | str) -> bool:
    """Whether the rule set scores department (部门整体) indicators."""
    own = BY_SUBJECT["department"]
    return any(r.indicator in own for r in _ruleset(ruleset).scoring)


def score_department_year(dy: DepartmentYear, ruleset: RuleSet | str) -> SelfEvalScores | None:
    """The department's scores, or None when the rule set has no department rules."""
    rs = _ruleset(ruleset)
    if not has_department_rules(rs):
        return None
    return department_scores(score_department(dy, ruleset=rs), rs)


def score_tables(dataset: Dataset, unit_code: str, year: int, rules: RuleSet | str = "default"
                 ) -> dict[str, SelfEvalScores]:
    """Scores of every 自评表 of a unit-year: project name → scores, and ``"department"``."""
    rs = _ruleset(rules)
    out: dict[str, SelfEvalScores] = {}
    if rs.project_table is not None:
        for p in dataset.projects:
            if p.unit == unit_code and p.year == year:
                out[p.name] = table_scores(score_project(p, rs), rs)
    for dy in dataset.departments:
        if dy.unit == unit_code and dy.year == year:
            scored = score_department_year(dy, rs)
            if scored is not None:
                out[DEPARTMENT] = scored
    return out


__all__ = [
    "DEPARTMENT",
    "RULESETS",
    "department_scores",
    "has_department_rules",
    "score_department_year",
    "score_tables",
    "table_scores",
]
