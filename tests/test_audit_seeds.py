"""The five real seed reports against the hand-worked labels in fixtures/seed_labels.yaml.

Every required labelled inconsistency must be reported as an error at its line with a code of
its family; no correct relation may be reported as an error; recall and precision are printed.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from jixiao.audit.findings import DocumentResult, code_family
from jixiao.audit.pipeline import audit_path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "seeds"
LABELS: dict[str, Any] = yaml.safe_load((Path(__file__).parent / "fixtures" / "seed_labels.yaml")
                                        .read_text(encoding="utf-8"))["seeds"]


@cache
def result(name: str) -> DocumentResult:
    r = audit_path(SEEDS / name)
    assert r.error is None, r.error
    return r


def errors_at(r: DocumentResult, line: int, family: str) -> list[Any]:
    return [f for f in r.findings if f.severity == "error" and f.line == line and code_family(f.code) == family]


@pytest.mark.parametrize("name", sorted(LABELS))
def test_labelled_errors_are_reported(name: str) -> None:
    r = result(name)
    for label in LABELS[name]["errors"]:
        if not label.get("required", True):
            continue
        found = errors_at(r, label["line"], code_family(label["code"]))
        assert found, f"{name}:{label['line']} {label['code']} not reported ({label.get('note', '')})"
        assert any(f.stated == label["stated"] for f in found)
        assert any(f.expected == label["expected"] for f in found), [f.expected for f in found]


@pytest.mark.parametrize("name", sorted(LABELS))
def test_truncations_are_info(name: str) -> None:
    r = result(name)
    for label in LABELS[name]["infos"]:
        if not label.get("required", True):
            continue
        assert any(f.code == "JX-RND-001" and f.severity == "info" and f.line == label["line"]
                   and f.stated == label["stated"] for f in r.findings), label


@pytest.mark.parametrize("name", sorted(LABELS))
def test_warnings_are_warnings(name: str) -> None:
    r = result(name)
    for label in LABELS[name].get("warnings", []):
        assert any(f.code == label["code"] and f.severity == "warning" and f.line == label["line"]
                   and f.stated == label["stated"] and f.expected == label["expected"] for f in r.findings), label
    # and nothing else is a warning: a warning is a rule of its own, not a demoted error
    labelled = {(lab["line"], lab["code"]) for lab in LABELS[name].get("warnings", [])}
    assert {(f.line, f.code) for f in r.findings if f.severity == "warning"} <= labelled


def relation_result(label: dict[str, Any]) -> str:
    """The stated figure of a correct relation: the first number of ``relation``."""
    m = re.search(r"\d[\d.]*", label["relation"])
    assert m is not None
    return m.group(0)


@pytest.mark.parametrize("name", sorted(LABELS))
def test_correct_relations_are_not_errors(name: str) -> None:
    r = result(name)
    for label in LABELS[name]["correct"]:
        stated = relation_result(label)
        wrong = [f for f in errors_at(r, label["line"], code_family(label["code"]))
                 if f.stated.lstrip("-") == stated]
        assert not wrong, f"{name}:{label['line']} {label['relation']} flagged: {[f.message for f in wrong]}"


def test_seed_004_is_clean() -> None:
    assert [f for f in result("004_53bbde0474885cbd.txt").findings if f.severity == "error"] == []


def test_recall_and_precision_on_seeds() -> None:
    labelled = found = 0
    reported = matched = 0
    for name, labels in LABELS.items():
        r = result(name)
        for label in labels["errors"]:
            labelled += 1
            found += bool(errors_at(r, label["line"], code_family(label["code"])))
        for f in r.findings:
            if f.severity != "error":
                continue
            reported += 1
            matched += any(f.line == lab["line"] and code_family(f.code) == code_family(lab["code"])
                           for lab in labels["errors"])
    recall = found / labelled
    precision = matched / reported
    print(f"\nseeds: recall {found}/{labelled} = {recall:.2f}, precision {matched}/{reported} = {precision:.2f}")
    assert precision == 1.0
    assert found == labelled  # every labelled inconsistency, 21 of 21
