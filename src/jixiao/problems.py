"""Errors as values: a validation problem, a warning or a finding is a record, not an exception.

Every kind of problem jixiao reports — a bad input (file, workbook cell), a stated figure that
does not recompute, a fund risk warning, a scorer's note, an audit finding — is, or turns into
(``.problem()``), this one record: a stable ``code`` (catalogued in :mod:`jixiao.codes`), a
severity, where it is, and a Chinese message. The CLI, the web pages and the tests all show
the same record the same way (``file:location: message``, or :meth:`Problem.to_json`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from jixiao.codes import title_of

#: error: the input cannot be used as it is; serious / warning / info: a finding or risk warning
#: by how much it matters (serious is a risk warning's highest level, 严重)
Severity = Literal["error", "serious", "warning", "info"]


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

    @property
    def title(self) -> str:
        """What kind of problem this is, in a few Chinese words (from the catalogue)."""
        return title_of(self.code)

    @property
    def where(self) -> str:
        """Where it is within its source, for people: a sheet and cell, a field, or a line."""
        if self.path:
            return self.path
        return f"第{self.line}行" if self.line else ""

    def to_json(self) -> dict[str, Any]:
        """The one JSON shape of a problem (the CLI's ``--format json`` and the web API)."""
        return {"code": self.code, "title": self.title, "severity": self.severity, "message": self.message,
                "file": self.source, "line": self.line, "path": self.path, "where": self.where,
                **({"field": self.details["field"]} if "field" in self.details else {})}


class InputError(Exception):
    """Raised at the edge (CLI, web) when problems make an input unusable; carries them all."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
