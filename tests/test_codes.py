"""One catalogue of problem codes: every code the sources or the shipped rule sets can report is
in :mod:`jixiao.codes`, every catalogued code is reported somewhere, and docs/codes.md is the
catalogue as it is now."""

from __future__ import annotations

import re
from pathlib import Path

from jixiao.codes import CATALOGUE, CODES, markdown
from jixiao.problems import Problem

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "jixiao"
CODE = re.compile(r"JX-[A-Z]+-\d{3}")


def _codes_in_sources() -> set[str]:
    found: set[str] = set()
    for path in [*SRC.rglob("*.py"), *SRC.rglob("*.yaml")]:
        if path.name == "codes.py":
            continue
        found |= set(CODE.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_code_in_the_sources_is_catalogued() -> None:
    assert sorted(_codes_in_sources() - set(CODES)) == []


def test_every_catalogued_code_is_reported_somewhere() -> None:
    assert sorted(set(CODES) - _codes_in_sources()) == []


def test_codes_are_unique_and_well_formed() -> None:
    assert len(CODES) == len(CATALOGUE)
    assert all(CODE.fullmatch(c.code) and c.title and c.family for c in CATALOGUE)


def test_the_documented_table_is_the_catalogue() -> None:
    assert (ROOT / "docs" / "codes.md").read_text(encoding="utf-8") == markdown()


def test_a_problem_shows_its_title_and_place() -> None:
    cell = Problem("JX-WB-010", "缺少必填项“年度”", source="填报.xlsx", path="单位与年度!B9")
    assert cell.to_json()["title"] == "必填单元格为空" and cell.where == "单位与年度!B9"
    line = Problem("JX-IN-002", "YAML 语法错误", source="a.yaml", line=3)
    assert line.to_json() | {"where": line.where} == {
        "code": "JX-IN-002", "title": "语法错误", "severity": "error", "message": "YAML 语法错误",
        "file": "a.yaml", "line": 3, "path": None, "where": "第3行"}


def test_a_wrong_stated_figure_and_a_risk_warning_are_problems_too() -> None:
    from jixiao.calc.dataset import compute_dataset
    from jixiao.ingest.files import read_files
    from jixiao.rules import load_ruleset

    examples = ROOT / "examples"
    dataset = read_files([examples / "units.yaml", examples / "004_yiyang_2020.yaml"]).dataset
    assert dataset is not None
    computed = compute_dataset(dataset, load_ruleset("hunan"))
    wrong = [p for c in computed.checks if (p := c.problem()) is not None and p.code == "JX-ST-001"]
    assert wrong and all(p.severity == "error" and p.path.startswith("stated.") and p.details["expected"]
                         for p in wrong if p.path)
    warned = [w.problem() for w in computed.warnings]
    assert any(p.code == "JX-W-003" and p.title == "当期赤字" and "430900" in (p.path or "") for p in warned)
    assert all(c.problem() is None for c in computed.checks if c.ok)


def test_an_audit_finding_is_the_same_record() -> None:
    from jixiao.audit.findings import CODES as AUDIT_CODES
    from jixiao.audit.pipeline import audit_path

    result = audit_path(ROOT / "examples" / "seeds" / "000_1cda87d66f87ced2.txt")
    errors = [f for f in result.findings if f.severity == "error"]
    assert errors
    for f in errors:
        p = f.problem(source="000.txt")
        assert (p.code, p.severity, p.message, p.line) == (f.code, "error", f.message, f.line)
        assert p.title == f.title == CODES[f.code].title and p.details["expected"] == f.expected
    assert set(AUDIT_CODES) == {c.code for c in CATALOGUE if c.family == "报告审核"}
