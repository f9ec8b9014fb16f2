"""The scores printed in the 自评表, and the 评分说明 the working paper explains them with.

:func:`score_tables` scores every project's 自评表 of a unit-year with
:func:`jixiao.calc.scoring.score_project` and the department with ``score_department`` when the
rule set has department rules. Scoring lives in ``jixiao.calc``; this module decides what of it a
submitted table may print:

* a row's 分值 must be approved (written in the 目标表): weights the rule set splits evenly are its
  own assumption, so such rows print no 分值 and read “未计分”, and the table has no total — the
  full scoring stays in the working paper as a reference;
* a row the rules cannot score reads “未计分”; a total adds up every row or is not printed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal

from jixiao.calc.registry import BY_SUBJECT
from jixiao.calc.score_results import ScoredDepartment, ScoredTable, score_text
from jixiao.calc.scoring import score_department, score_project
from jixiao.model import Dataset, DepartmentYear
from jixiao.rules import RuleSet, available_rulesets, load_ruleset
from jixiao.write.tables import NOT_SCORED, RowScore, ScoreLine, SelfEvalScores

#: the rule sets shipped with jixiao that ``--rules`` offers
RULESETS = tuple(available_rulesets())
#: the key of the department's scores in a scores mapping (projects are keyed by their name)
DEPARTMENT = "department"
#: why a table is not scored, as the CLI and the working paper say it
UNAPPROVED = "目标表未列三级指标分值，规则集不代为分配"

_TAGS = re.compile(r"(?:rules\.md\s*)?§\s*\d+(?:\s*[/、]\s*§\s*\d+)*\s*"
                   r"|\s*\[(?:official|secondary|practice|unconfirmed)\]"
                   r"|jixiao\s*的约定：?|[（(]可在本文件调整[）)]")


def cite(source: str) -> str:
    """A rule's source as people read it: the documents named (文号) and the practice it follows,
    without the repository's own marks (``rules.md §2``, ``[secondary]``) or its checks against
    the example reports (clauses naming a seed)."""
    kept = []
    for clause in re.split(r"[；;]", source):
        clause = re.sub(r"[（(][^（）()]*seed[^（）()]*[）)]", "", clause, flags=re.I)
        clause = re.split(r"\bseed\b", clause, flags=re.I)[0]
        text = _without_brackets(_TAGS.sub("", clause), _TUNING)
        text = _in_words(re.sub(r"（\s*）|\(\s*\)", "", text)).strip(" ，,：:")
        if text:
            kept.append(text)
    return "；".join(kept) or "实务做法"


def _ruleset(rules: RuleSet | str) -> RuleSet:
    return load_ruleset(rules) if isinstance(rules, str) else rules


def _n(value: Decimal) -> str:
    """2 → '2', 8.640 → '8.64' (as the scorer prints its scores)."""
    text = f"{value.quantize(Decimal(1)):f}" if value == value.to_integral_value() else f"{value.normalize():f}"
    return "0" if text in ("-0", "0") else text


def self_eval_scores(table: ScoredTable) -> SelfEvalScores:
    """The cells the 自评表 would show from a scored table as the scorer made it (weights split
    evenly included), without the 评分说明."""
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


def _rules(rs: RuleSet) -> dict[str, tuple[str, str]]:
    """rule id → (name, source) of every scoring rule of the rule set."""
    rules = {r.id: (r.name, r.source) for r in rs.scoring}
    t = rs.project_table
    if t is not None:
        for rule in (t.positive, t.reverse, t.equality, t.qualitative, t.deadline, t.too_low):
            rules[rule.id] = (rule.name, rule.source)
    return rules


_TAGGED = re.compile(r"[（(][^（）()]*(?:rules\.md|\b[a-z]+_[a-z_]+\b)[^（）()]*[）)]")


_INTERVAL = re.compile(r"([\[(])\s*(-inf|-?[\d.]+)\s*,\s*(\+inf|-?[\d.]+)\s*([\])])")


def _interval(m: re.Match[str]) -> str:
    """``(30, +inf)`` → ``大于30``; ``[90, 100)`` → ``不低于90且小于100`` (as people write a range)."""
    left, lo, hi, right = m.groups()
    parts = []
    if lo != "-inf":
        parts.append(("大于" if left == "(" else "不低于") + lo)
    if hi != "+inf":
        parts.append(("小于" if right == ")" else "不高于") + hi)
    return "且".join(parts) or "任意值"


#: a bracketed note to whoever maintains the rule set (“（可改为 proportional：…）”), not a source
_TUNING = re.compile(r"[（(]\s*可改为")
_CITING = re.compile(r"[（(]\s*rules\.md")
#: ``min(a, b)`` as people say it
_MIN = re.compile(r"\bmin\(([^(),]+),\s*([^()]+?)\)")


def _in_words(text: str) -> str:
    """The engine's notation in words a reviewer reads: ``min(执行率, 100%)`` → ``（执行率与100%中的较小者）``."""
    return _MIN.sub(r"（\1与\2中的较小者）", text)


def _without_citations(text: str) -> str:
    """Drop every bracketed group that cites the repository (``（rules.md §2 …（…）…）``), nested ones too."""
    return _without_brackets(text, _CITING)


def _without_brackets(text: str, opening: re.Pattern[str]) -> str:
    """Drop every bracketed group whose start matches ``opening``, with the groups nested in it."""
    out, i = [], 0
    while i < len(text):
        if text[i] in "（(" and opening.match(text, i):
            depth = 0
            for j in range(i, len(text)):
                depth += text[j] in "（("
                depth -= text[j] in "）)"
                if depth == 0:
                    i = j + 1
                    break
            else:
                i = len(text)
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


def _arithmetic(explanation: str, rule_id: str, label: str) -> str:
    """The explanation without its “（rule，rule set…）” tags and citations (the table has a 规则
    column), its ranges in words."""
    text = _without_citations(_untagged(explanation, rule_id, label))
    return _in_words(_INTERVAL.sub(_interval, _TAGGED.sub("", text))).strip()


def _untagged(explanation: str, rule_id: str, label: str) -> str:
    for tag in (f"（{rule_id}，{label}）", f"（{label}）"):
        if explanation.endswith(tag):
            return explanation[: -len(tag)]
    head = f"（{rule_id}，{label}；"
    at = explanation.rfind(head)
    if rule_id and at > 0 and explanation.endswith("）"):
        return explanation[:at] + "（" + explanation[at + len(head):]
    return explanation


def _rule_text(rule_id: str, rules: Mapping[str, tuple[str, str]]) -> str:
    if not rule_id or rule_id not in rules:
        return "—"
    name, source = rules[rule_id]
    return f"{name}（依据：{cite(source)}）"


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


def _explanations(table: ScoredTable, rs: RuleSet) -> tuple[ScoreLine, ...]:
    rules = _rules(rs)
    lines = [ScoreLine("预算执行率", _rule_text(table.budget.rule, rules),
                       _arithmetic(table.budget.explanation, table.budget.rule, rs.label))]
    for r in table.rows:
        lines.append(ScoreLine(f"{r.category_name}／{r.level3}", _rule_text(r.rule, rules),
                               _arithmetic(r.explanation, r.rule, rs.label)))
    total = f"{'＋'.join(f'{c.name}{_n(c.score)}' for c in table.categories)}＝{_n(table.total)}"
    grade = f"，等级“{table.grade}”" if table.grade else ""
    lines.append(ScoreLine("总分", _grades_text(rs), f"{total}（满分{_n(table.weight_total)}）{grade}"))
    return tuple(lines)


def table_scores(table: ScoredTable, ruleset: RuleSet | str) -> SelfEvalScores:
    """The 自评表 cells of a scored project table as a submitted table may print them, with the
    评分说明 lines. Rows without an approved 分值, or that cannot be scored, read “未计分”."""
    rs = _ruleset(ruleset)
    full = replace(self_eval_scores(table), ruleset=rs.label, explanations=_explanations(table, rs))
    unapproved = any(r.weight_origin != "written" for r in table.rows)
    unscored = any(r.score is None for r in table.rows)
    if not unapproved and not unscored:
        return full
    rows = []
    for r, cell in zip(table.rows, full.rows, strict=True):
        if r.weight_origin != "written":
            rows.append(RowScore(None, NOT_SCORED, cell.explanation))
        elif r.score is None:
            rows.append(RowScore(cell.weight, NOT_SCORED, cell.explanation))
        else:
            rows.append(cell)
    reason = UNAPPROVED if unapproved else "部分指标无法按规则计分"
    return replace(full, rows=rows, total_weight=None, total_score=NOT_SCORED, grade=None, complete=False,
                   reason=reason, reference=full if unapproved and not unscored else None)


def department_scores(scored: ScoredDepartment, ruleset: RuleSet | str) -> SelfEvalScores:
    """The department 自评表 cells (keyed by indicator) with the 评分说明 lines; complete only when
    the rules score a whole 100-point table and every one of its rows could be scored."""
    rs = _ruleset(ruleset)
    rules = _rules(rs)
    by_indicator = {r.indicator: RowScore(_n(r.weight), NOT_SCORED if r.score is None else _n(r.score), r.explanation)
                    for r in scored.rows}
    lines = [ScoreLine(r.name.removesuffix("得分"), _rule_text(r.rule, rules),
                       _arithmetic(r.explanation, r.rule, rs.label)) for r in scored.rows]
    done = [r for r in scored.rows if r.score is not None]
    total = "＋".join(_n(r.score) for r in done if r.score is not None) or "0"
    complete = scored.grade is not None and len(done) == len(scored.rows)
    lines.append(ScoreLine("合计", "—", f"已计分各项：{total}＝{_n(scored.total)}（满分{_n(scored.scored_weight)}）；"
                                        f"规则所列各项满分{_n(scored.weight_total)}"
                           + ("" if complete else "；规则未覆盖整张评分表，表中不计总分")))
    return SelfEvalScores(
        by_indicator=by_indicator,
        total_weight=_n(scored.scored_weight) if complete else None,
        total_score=_n(scored.total) if complete else NOT_SCORED,
        grade=scored.grade if complete else None,
        notes=tuple(f.message for f in scored.flags),
        ruleset=rs.label,
        explanations=tuple(lines),
        complete=complete,
        reason=None if complete else "规则集只规定了部分指标的评分方法",
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
    "UNAPPROVED",
    "cite",
    "department_scores",
    "has_department_rules",
    "score_department_year",
    "score_tables",
    "self_eval_scores",
    "table_scores",
]
