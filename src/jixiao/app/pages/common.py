"""The pieces every page shares: unit and indicator descriptions, chart data, the rule set a
page is judged by, which indicators a warning rule colours."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from jixiao.app.cache import RevisionCache
from jixiao.app.errors import NotFound
from jixiao.calc import (
    BY_SUBJECT,
    IndicatorDef,
    RiskWarning,
)
from jixiao.model import FundYear
from jixiao.model.funds import FUNDS
from jixiao.model.periods import FundPeriod
from jixiao.model.users import Principal, Role
from jixiao.rules import (
    SEVERITY_ORDER,
    BandWarningRule,
    DeficitRule,
    GrowthGapRule,
    RuleSet,
    citation_text,
    load_ruleset,
)
from jixiao.store.indicator_store import (
    StoredWarning,
    ruleset_key,
)
from jixiao.store.repository import period_years, years_of
from jixiao.store.schema import UnitRow

Severity = Literal["info", "warning", "serious"]
Subject = Literal["fund", "department", "project"]

#: scopes that stand for the whole unit (preferred when a unit has several for one fund)
WHOLE_SCOPES = ("", "全市", "全省", "全区", "全县", "全州", "全盟")



class UnitInfo(BaseModel):
    code: str = Field(title="单位代码")
    name: str = Field(title="单位名称")
    level: str = Field(title="层级")
    kind: str = Field(title="单位类型")
    parent: str | None = Field(default=None, title="上级单位代码")
    region: str | None = Field(default=None, title="所属地区")


class IndicatorInfo(BaseModel):
    """One indicator of the registry (for selectors and column headers)."""

    id: str = Field(title="指标 id", description="subject-qualified when ambiguous: 'department:income_yoy_rate'")
    subject: Subject = Field(title="对象")
    name: str = Field(title="指标名称")
    unit: str = Field(title="单位")
    formula: str = Field(title="公式")
    basis: str | None = Field(default=None, title="依据",
                              description="the official document the indicator rests on (文号《标题》), if any")


class ChartSeries(BaseModel):
    name: str
    data: list[Decimal | None] = Field(description="one value per category; null where not computable")
    places: int | None = Field(None, description="decimals shown (the figures' own, as the tables show "
                                                 "them); null: whole numbers as they are, others to 2")


class Chart(BaseModel):
    """Data for one chart (the page draws it with ECharts; values are decimal strings in JSON)."""

    id: str
    title: str
    kind: Literal["bar", "line"] = "bar"
    unit: str = ""
    categories: list[str]
    series: list[ChartSeries]


def unit_info(row: UnitRow) -> UnitInfo:
    return UnitInfo(code=row.code, name=row.name, level=row.level, kind=row.kind, parent=row.parent,
                    region=row.region)


def get_unit(session: Session, code: str) -> UnitInfo:
    row = session.get(UnitRow, code)
    if row is None:
        raise NotFound(f"没有单位“{code}”")
    return unit_info(row)


def unit_parents(session: Session) -> dict[str, str | None]:
    """unit code → parent code, for permission checks (reads two columns, no documents)."""
    return {code: parent for code, parent in session.execute(select(UnitRow.code, UnitRow.parent))}


def as_ruleset(ruleset: RuleSet | str | None) -> RuleSet:
    if isinstance(ruleset, RuleSet):
        return ruleset
    return load_ruleset(ruleset or "default")


def worst_severity(severities: Iterable[str | None]) -> Severity | None:
    best: Severity | None = None
    for s in severities:
        if s is not None and (best is None or SEVERITY_ORDER[s] > SEVERITY_ORDER[best]):
            best = s  # type: ignore[assignment]
    return best


def indicator_catalog() -> list[IndicatorInfo]:
    """Every fund and department indicator, ids qualified where a department id repeats a fund id."""
    out: list[IndicatorInfo] = []
    for subject in ("fund", "department"):
        for d in BY_SUBJECT[subject].values():
            qualified = d.id if subject == "fund" or d.id not in BY_SUBJECT["fund"] else f"department:{d.id}"
            out.append(IndicatorInfo(id=qualified, subject=subject, name=d.name, unit=d.unit, formula=d.formula,
                                     basis=citation_text(d.citation)))
    return out


def resolve_indicator(text: str) -> IndicatorDef:
    """An indicator id as the API takes it: ``months_of_reserve``, ``department:income_yoy_rate``.

    A bare id that both a fund and a department have means the fund one. KeyError (Chinese
    message) when unknown.
    """
    text = text.strip()
    subject, _, ident = text.rpartition(":")
    if subject:
        if subject not in ("fund", "department") or ident not in BY_SUBJECT[subject]:
            raise KeyError(f"未知指标“{text}”")
        return BY_SUBJECT[subject][ident]
    for subj in ("fund", "department"):
        if ident in BY_SUBJECT[subj]:
            return BY_SUBJECT[subj][ident]
    raise KeyError(f"未知指标“{text}”")


def qualified_id(d: IndicatorDef) -> str:
    return f"department:{d.id}" if d.subject == "department" and d.id in BY_SUBJECT["fund"] else d.id


def rule_indicators(ruleset: RuleSet) -> dict[str, tuple[str, ...]]:
    """warning rule id → the indicators its verdict is about (for colouring cells)."""
    out: dict[str, tuple[str, ...]] = {}
    for rule in ruleset.warnings:
        if isinstance(rule, BandWarningRule):
            out[rule.id] = (rule.indicator,)
        elif isinstance(rule, DeficitRule):
            out[rule.id] = ("current_balance", "current_balance_rate")
        elif isinstance(rule, GrowthGapRule):
            out[rule.id] = (rule.income_indicator, rule.expenditure_indicator)
    return out




def visibility_scope(principal: Principal) -> tuple[Role, str | None]:
    """What decides which units a principal may read: the role, and the unit unless an admin."""
    return principal.role, None if principal.is_admin else principal.unit



def rules_key(ruleset: RuleSet | str | None) -> str | None:
    return None if ruleset is None else ruleset_key(as_ruleset(ruleset))



def warned_indicators(warnings: Iterable[RiskWarning], rule_map: Mapping[str, tuple[str, ...]]) -> dict[str, Severity]:
    out: dict[str, Severity] = {}
    for w in warnings:
        for ind in rule_map.get(w.rule_id, ()):
            worst = worst_severity((out.get(ind), w.severity))
            if worst is not None:
                out[ind] = worst
    return out



#: a stored record's warnings
StoredWarnings = tuple[StoredWarning, ...]  # (rule_id, severity, message, code)


def warned_from_stored(warns: Iterable[StoredWarning], rule_map: Mapping[str, tuple[str, ...]]) -> dict[str, Severity]:
    out: dict[str, Severity] = {}
    for rule_id, severity, *_ in warns:
        for ind in rule_map.get(rule_id, ()):
            worst = worst_severity((out.get(ind), severity))
            if worst is not None:
                out[ind] = worst
    return out



def fund_label(fy: FundYear | FundPeriod) -> str:
    scope = f"（{fy.scope}）" if fy.scope else ""
    return f"{FUNDS[fy.fund].short}{scope}"



DEFAULT_COMPARE = ("current_balance_rate", "months_of_reserve", "expenditure_budget_execution_rate",
                   "income_per_capita", "expenditure_per_capita")



def scope_rank(scope: str) -> tuple[int, str]:
    return (WHOLE_SCOPES.index(scope) if scope in WHOLE_SCOPES else len(WHOLE_SCOPES), scope)


def data_years(session: Session, code: str) -> list[int]:
    """The years a unit has any record of, its months and quarters included (workbooks to download)."""
    return sorted({*years_of(session, code), *period_years(session, [code]).get(code, [])})


_OWN_YEARS: RevisionCache[list[int]] = RevisionCache(size=4096)


def own_years(session: Session, code: str) -> list[int]:
    """:func:`~jixiao.store.repository.years_of`, kept per data revision (three reads otherwise:
    a roll-up page asks for its parent's own years on every status move in its branch)."""
    return _OWN_YEARS.get_or_make(session, code, lambda: years_of(session, code))
