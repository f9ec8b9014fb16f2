"""Findings: what the audit reports, with a stable code per rule and one JSON shape.

A finding is a value (like :class:`jixiao.problems.Problem`, into which it turns with
:meth:`Finding.problem`): the CLI, the HTML page and the tests all read the same record. Codes
never change meaning; new rules get new codes. Their titles are those of the one catalogue,
:mod:`jixiao.codes` (``docs/codes.md``); here each audit family gets its kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from jixiao.codes import CATALOGUE
from jixiao.problems import Problem, Severity

#: the audit's families of codes and the kind of relation each checks
KINDS: Final[dict[str, str]] = {"BAL": "balance", "SUM": "sum", "SHR": "share", "CMP": "completion", "CHG": "change",
                                "PCP": "per_capita", "DUP": "duplicate", "RND": "rounding", "SCR": "score",
                                "TYP": "typo", "AMB": "ambiguous"}


def code_family(code: str) -> str:
    """``JX-SUM-002`` → ``SUM``: the rule family, used when matching labels loosely."""
    parts = code.split("-")
    return parts[1] if len(parts) >= 3 else code


#: code -> (kind, Chinese title) of every audit finding, from the catalogue
CODES: Final[dict[str, tuple[str, str]]] = {
    c.code: (KINDS[code_family(c.code)], c.title) for c in CATALOGUE if code_family(c.code) in KINDS
}


@dataclass(slots=True)
class Finding:
    """One inconsistency (or note) at one place in a document.

    ``stated`` and ``expected`` are decimal strings in the stated figure's unit; ``expected``
    may be an interval ``"[a, b]"`` when no single value is implied. ``figures`` lists the
    figures the check used (name → value as written) for the text and HTML reports.
    ``block``/``start``/``end`` locate the stated figure in :attr:`Document.blocks` so the
    HTML view can highlight it where it stands; they are not part of the JSON shape.
    """

    code: str
    severity: Severity
    message: str
    stated: str
    expected: str
    quote: str
    line: int | None = None
    page: int | None = None
    where: str = ""
    figures: dict[str, str] = field(default_factory=dict)
    block: int | None = None
    start: int | None = None
    end: int | None = None

    @property
    def kind(self) -> str:
        return CODES[self.code][0]

    @property
    def title(self) -> str:
        return CODES[self.code][1]

    def problem(self, source: str | None = None) -> Problem:
        """The finding as the one problem record (its line, or its page, as the place)."""
        where = self.where or (f"第{self.page}页" if self.page and not self.line else None)
        details = {"stated": self.stated, "expected": self.expected, "quote": self.quote}
        return Problem(self.code, self.message, self.severity, source, where or None, self.line, details)

    def to_json(self) -> dict[str, Any]:
        """Exactly the shape later tools depend on."""
        return {
            "code": self.code,
            "kind": self.kind,
            "severity": self.severity,
            "line": self.line,
            "page": self.page,
            "stated": self.stated,
            "expected": self.expected,
            "quote": self.quote,
            "message": self.message,
        }


@dataclass(slots=True)
class DocumentResult:
    """The audit of one input: counts, findings, or the reason it could not be read.

    ``document`` is kept only when a caller asks for it (the HTML view needs the text).
    """

    path: str
    chars: int = 0
    facts: int = 0
    checks: int = 0
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None
    document: Any = None
    seconds: float = 0.0

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")

    @property
    def infos(self) -> int:
        return sum(1 for f in self.findings if f.severity == "info")

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "chars": self.chars,
            "facts": self.facts,
            "checks": self.checks,
            "findings": [f.to_json() for f in self.findings],
        }


def results_to_json(results: list[DocumentResult]) -> dict[str, Any]:
    """The whole ``--format json`` answer: ``{"documents": [...]}``.

    Inputs that could not be read are left out (the shape has no place for them); their reason
    is printed on stderr and the exit code is 2.
    """
    return {"documents": [r.to_json() for r in results if r.error is None]}


def exit_code(results: list[DocumentResult]) -> int:
    """2 when any input could not be read; else 1 when any error-level finding; else 0."""
    if any(r.error is not None for r in results):
        return 2
    if any(r.errors for r in results):
        return 1
    return 0
