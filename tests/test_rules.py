"""Rule sets: the shipped YAML files, the schema's checks, and clear errors for bad files."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from jixiao.calc import BY_SUBJECT
from jixiao.rules import (
    BandScoreRule,
    BandWarningRule,
    ProportionalScoreRule,
    Range,
    RuleSetError,
    ThresholdDeductionRule,
    available_rulesets,
    load_ruleset,
)

KNOWN = {i for subject in BY_SUBJECT.values() for i in subject}


@pytest.mark.parametrize("name", ["default", "hunan"])
def test_shipped_rule_sets_load_and_cite_their_sources(name: str):
    rs = load_ruleset(name)
    assert rs.name == name and rs.version
    assert rs.indicators() <= KNOWN  # every rule reads an indicator the registry defines
    for rule in (*rs.warnings, *rs.scoring):
        assert rule.source and rule.confidence in ("official", "secondary", "practice", "unconfirmed")
    assert all(w.code.startswith("JX-W-") for w in rs.warnings)


def test_available_rulesets():
    assert {"default", "hunan"} <= set(available_rulesets())


def test_default_reserve_bands_follow_rules_md():
    rule = load_ruleset().rule("employee_pooling_reserve")
    assert isinstance(rule, BandWarningRule)
    assert rule.confidence == "secondary" and "67号" in rule.source
    assert [rule.band_for(Decimal(v)).severity for v in ("2.9", "3", "6", "9", "9.01", "15", "15.01")] == [
        "serious", "info", None, None, "info", "info", "warning",
    ]
    maternity = load_ruleset().rule("maternity_reserve")
    assert maternity.band_for(Decimal("9.1")).severity == "warning"
    assert "70号" in maternity.source


def test_hunan_extends_default_and_holds_the_2018_table():
    default, hunan = load_ruleset("default"), load_ruleset("hunan")
    assert [w.id for w in hunan.warnings] == [w.id for w in default.warnings]
    staff = hunan.rule("staff_control_score")
    assert isinstance(staff, ThresholdDeductionRule)
    assert (staff.direction, staff.threshold, staff.deduction, staff.per, staff.weight) == (
        "at_most", Decimal(100), Decimal("0.5"), Decimal(1), Decimal(8))
    three = hunan.rule("three_public_change_score")
    assert (three.threshold, three.deduction) == (Decimal(0), Decimal("0.8"))
    completion = hunan.rule("budget_completion_score")
    assert (completion.direction, completion.deduction, completion.per) == ("at_least", Decimal(2), Decimal(5))
    adjustment = hunan.rule("budget_adjustment_score")
    assert isinstance(adjustment, BandScoreRule)
    scores = [next(b.score for b in adjustment.bands if b.range.contains(Decimal(v)))
              for v in ("0", "0.1", "10", "10.5", "20", "30", "30.1")]
    assert scores == [8, 6, 6, 4, 4, 2, 0]
    assert isinstance(default.rule("project_budget_execution_score"), ProportionalScoreRule)


def test_range_notation():
    r = Range.model_validate("(9, 15]")
    assert (r.lower, r.upper, r.lower_closed, r.upper_closed) == (Decimal(9), Decimal(15), False, True)
    assert not r.contains(Decimal(9)) and r.contains(Decimal(15)) and not r.contains(Decimal("15.0001"))
    open_end = Range.model_validate("(-inf, 3)")
    assert open_end.lower is None and open_end.contains(Decimal(-1000))
    assert str(open_end) == "(-inf, 3)"
    with pytest.raises(ValueError, match="区间"):
        Range.model_validate("9 to 15")
    with pytest.raises(ValueError, match="下界大于上界"):
        Range.model_validate("[15, 9]")


def _write(tmp_path: Path, body: str) -> str:
    path = tmp_path / "rules.yaml"
    path.write_text(body, encoding="utf-8")
    return str(path)


HEAD = "name: t\nversion: '1'\ntitle: 测试规则\n"
RULE = ("warnings:\n  - id: r1\n    kind: bands\n    code: JX-W-900\n    name: 测试规则\n"
        "    indicator: months_of_reserve\n"
        "    source: rules.md §3\n    confidence: {confidence}\n    bands:\n{bands}")


def test_confidence_may_be_written_with_brackets(tmp_path: Path):
    rs = load_ruleset(_write(tmp_path, HEAD + RULE.format(
        confidence="'[secondary]'", bands="      - {range: '[0, 3)', severity: serious, label: 不足}\n")))
    assert rs.warnings[0].confidence == "secondary"
    assert rs.warnings[0].bands[0].range.upper == Decimal(3)


@pytest.mark.parametrize(("body", "message"), [
    (HEAD + RULE.format(confidence="practice", bands="      - {range: '[0, 5)', severity: info, label: a}\n"
                        "      - {range: '[4, 9)', severity: info, label: b}\n"), "重叠"),
    (HEAD + RULE.format(confidence="sure", bands="      - {range: '[0, 5)', label: a}\n"), "confidence"),
    (HEAD + RULE.format(confidence="practice", bands="      - {range: '[0, 5)', severity: loud, label: a}\n"),
     "severity"),
    (HEAD + RULE.format(confidence="practice", bands="      - {range: '0-5', label: a}\n"), "区间"),
    (HEAD + RULE.format(confidence="practice", bands="      - {range: '[0, 5)', label: a}\n").replace(
        "    source: rules.md §3\n", ""), "source"),
    (HEAD + RULE.format(confidence="practice", bands="      - {range: '[0, 5)', label: a}\n").replace(
        "JX-W-900", "W900"), "code"),
    (HEAD + "warnings: [\n", "YAML 语法错误"),
    ("- just\n- a list\n", "映射"),
    (HEAD + "extends: nosuchset\n", "没有名为“nosuchset”的规则集"),
])
def test_malformed_rule_files_give_clear_errors(tmp_path: Path, body: str, message: str):
    path = _write(tmp_path, body)
    with pytest.raises(RuleSetError) as exc:
        load_ruleset(path)
    assert message in str(exc.value)


def test_duplicate_codes_and_unknown_names(tmp_path: Path):
    rule = RULE.format(confidence="practice", bands="      - {range: '[0, 5)', label: a}\n")
    twice = rule + rule.replace("warnings:\n", "").replace("id: r1", "id: r2")
    with pytest.raises(RuleSetError, match="警示代码“JX-W-900”重复"):
        load_ruleset(_write(tmp_path, HEAD + twice))
    with pytest.raises(RuleSetError, match="没有名为“nope”的规则集"):
        load_ruleset("nope")
    with pytest.raises(RuleSetError, match="找不到规则文件"):
        load_ruleset(str(tmp_path / "missing.yaml"))


def test_extends_cycle_is_reported(tmp_path: Path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(f"{HEAD}extends: {b}\n", encoding="utf-8")
    b.write_text(f"{HEAD}extends: {a}\n", encoding="utf-8")
    with pytest.raises(RuleSetError, match="成环"):
        load_ruleset(str(a))


def test_citations_name_catalogued_documents_and_pages_never_show_provenance_notes() -> None:
    """What users see of a rule's or an indicator's origin is an official document (文号《标题》)
    from the one catalogue; every catalogued document is cited by something; the maintainers'
    source notes (rules.md sections, confidence tags) stay out of what pages are given."""
    from jixiao.calc.registry import BY_SUBJECT
    from jixiao.rules import citation_text
    from jixiao.rules.citations import CitationError, documents

    cited: set[str] = set()
    for name in available_rulesets():
        rs = load_ruleset(name)
        parts: list[object] = [*rs.warnings, *rs.scoring]
        if rs.project_table is not None:
            t = rs.project_table
            parts += [t, *t.categories, t.positive, t.reverse, t.equality, t.qualitative, t.deadline, t.too_low]
        if rs.grades is not None:
            parts.append(rs.grades)
        cited |= {c for p in parts if (c := getattr(p, "citation", None))}
    cited |= {d.citation for subject in BY_SUBJECT.values() for d in subject.values() if d.citation}
    assert cited == set(documents())
    for number in cited:
        text = citation_text(number)
        assert text is not None and text.startswith(number) and "《" in text and "rules.md" not in text
    assert citation_text(None) is None
    with pytest.raises(CitationError):
        citation_text("某发〔2099〕1号")
    reserve = load_ruleset("default").rule("employee_pooling_reserve")
    assert citation_text(reserve.citation) == "人社部发〔2009〕67号《关于进一步加强基本医疗保险基金管理的指导意见》"
