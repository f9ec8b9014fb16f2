"""Errors as values: a validation problem, a warning or a finding is a record, not an exception.

The CLI, the web page and the tests all print the same ``Problem`` the same way
(``file:location: message``), and tests refer to a rule by its stable ``code``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong (or worth a look) in an input, with where it is.

    ``path`` is the field path inside a structured input (``fund_years[0].income.total``) or a
    sheet/cell (``基金收支!C7``); ``line`` is the 1-based line of a text input when known.
    """

    code: str
    message: str
    severity: Severity = "error"
    source: str | None = None
    path: str | None = None
    line: int | None = None
    details: dict[str, str] = field(default_factory=dict)

    def location(self) -> str:
        parts = [p for p in (self.source, str(self.line) if self.line else None, self.path) if p]
        return ":".join(parts)

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message


class InputError(Exception):
    """Raised at the edge (CLI, web) when problems make an input unusable; carries them all."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
