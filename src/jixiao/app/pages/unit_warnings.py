"""How many warnings each unit's records of a year have, and the worst — each unit judged by its
own rule set, read from the values the store keeps (as the comparison reads them). One reading
per year and data revision serves the unit tree and every roll-up."""

from __future__ import annotations

from sqlalchemy.orm import Session

from jixiao.app.cache import RevisionCache
from jixiao.app.pages.common import Severity
from jixiao.app.pages.comparison import stored_records
from jixiao.app.units import rules_of_unit, unit_table
from jixiao.rules import SEVERITY_ORDER, load_ruleset

#: unit → (severity → count, worst severity)
UnitWarnings = dict[str, tuple[dict[str, int], Severity | None]]

_KEPT: RevisionCache[UnitWarnings] = RevisionCache(size=16)


def unit_warnings(session: Session, year: int) -> UnitWarnings:
    """unit → (severity → count, worst) of its fund and department records of ``year`` (units
    without records are absent), kept until the data revision moves."""
    return _KEPT.get_or_make(session, year, lambda: _read(session, year))


def _read(session: Session, year: int) -> UnitWarnings:
    by_rules: dict[str, list[str]] = {}
    for row in unit_table(session).rows:
        by_rules.setdefault(rules_of_unit(session, row.code), []).append(row.code)
    out: UnitWarnings = {}
    for rules, codes in by_rules.items():
        rs = load_ruleset(rules)
        for kind in ("fund", "department"):
            for rec in stored_records(session, year, kind, rs, (), units=codes):
                counts, worst = out.get(rec.unit, ({}, None))
                for w in rec.warnings:
                    counts[w.severity] = counts.get(w.severity, 0) + 1
                    if worst is None or SEVERITY_ORDER[w.severity] > SEVERITY_ORDER[worst]:
                        worst = w.severity  # type: ignore[assignment]
                out[rec.unit] = (counts, worst)
    return out


__all__ = ["UnitWarnings", "unit_warnings"]
