"""``@indicator``: how a formula written against a :class:`~jixiao.calc.terms.Gather` becomes a
registered :class:`~jixiao.calc.registry.IndicatorDef`.

Separate from the registry because it needs both the registry (to register) and the terms
(to evaluate), while the terms need the registry's :class:`~jixiao.calc.registry.IndicatorResult`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jixiao.calc.registry import BY_SUBJECT, REGISTRY, IndicatorDef, IndicatorResult, Subject
from jixiao.calc.terms import Gather, Term, evaluate
from jixiao.model.funds import FundKind
from jixiao.rules.citations import check_citation


def indicator(
    id: str,
    name: str,
    formula: str,
    unit: str,
    places: int,
    subject: Subject,
    inputs: tuple[str, ...],
    rule: str,
    *,
    funds: frozenset[FundKind] | None = None,
    note: str | None = None,
    citation: str | None = None,
) -> Callable[[Callable[[Gather], Term]], IndicatorDef]:
    """Register an indicator whose formula is a function of a :class:`~jixiao.calc.terms.Gather`.

    The decorated function reads its inputs through the gatherer (which records what was used
    and what is missing) and returns a :class:`~jixiao.calc.terms.Term`; the wrapper turns
    that into an :class:`IndicatorResult`.
    """
    def decorate(fn: Callable[[Gather], Term]) -> IndicatorDef:
        if id in BY_SUBJECT[subject]:
            raise ValueError(f"indicator {id!r} defined twice for {subject}")

        def compute(record: Any, siblings: Mapping[Any, Any] | None = None) -> IndicatorResult:
            return evaluate(fn, record, siblings or {}, id=id, name=name, unit=unit, places=places,
                            subject=subject)

        definition = IndicatorDef(
            id=id, name=name, formula=formula, unit=unit, places=places, subject=subject,
            inputs=inputs, rule=rule, compute=compute, funds=funds, note=note, citation=check_citation(citation),
        )
        BY_SUBJECT[subject][id] = definition
        if subject == "fund":
            REGISTRY[id] = definition  # the fund definition wins for the ids both subjects have
        else:
            REGISTRY.setdefault(id, definition)
        return definition

    return decorate
