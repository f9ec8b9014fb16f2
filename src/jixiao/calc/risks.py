"""Fund risk warnings and department signals, from a rule set (:mod:`jixiao.rules`).

Each warning is a value: a stable code (``JX-W-…``, defined with its rule in the YAML), the
rule id and rule set (name and version), a severity (info / warning / serious), a Chinese
message and the figures it rests on, as written. Thresholds are data; this module only applies
them.

=========  =========================================================  ==============
code       rule (default rule set)                                    subject
=========  =========================================================  ==============
JX-W-001   职工医保统筹基金累计结余可支付月数 (<3 / 6–9 / >15)              fund
JX-W-002   生育保险基金累计结余可支付月数 (<3 / 6–9 / >9)                   fund
JX-W-003   当期赤字 (severity by 当期结余率; 年末累计结余为负 → serious)     fund
JX-W-004   城乡居民医保当年结余率超过 15%                                  fund
JX-W-005   收入增速低于支出增速                                            fund
JX-W-006   基金收入预算执行偏离 100%                                       fund
JX-W-007   基金支出预算执行偏离 100%                                       fund
JX-W-008   累计收入执行进度偏离序时进度                                     period
JX-W-009   累计支出执行进度偏离序时进度                                     period
JX-W-010   按已过月份推算全年收不抵支                                       period
JX-W-101   部门预算完成率偏低                                              department
JX-W-102   “三公”经费增加                                                 department
JX-W-103   “三公”经费超预算                                               department
JX-W-104   在职人员超编                                                    department
JX-W-105   追加预算占年初预算比例大                                        department
=========  =========================================================  ==============

A monthly or quarterly record (:class:`~jixiao.model.periods.FundPeriod`) is judged by the
``period`` rules and by the fund rules marked ``periods: true`` (可支付月数, 当期赤字, 收支增速差),
on its own indicators (:mod:`jixiao.calc.period`): :func:`period_warnings`.

When an indicator cannot be computed from the record but the report states it
(``record.stated``), a rule with ``use_stated`` uses the stated figure and says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from jixiao.calc.forecast import Projection
from jixiao.calc.registry import BY_SUBJECT, IndicatorResult
from jixiao.calc.stated import base_id, parse_stated
from jixiao.model.department import DepartmentYear
from jixiao.model.funds import FUNDS, FundKind, FundYear
from jixiao.model.periods import FundPeriod
from jixiao.numbers import UnitError, fmt
from jixiao.problems import Problem
from jixiao.rules import (
    SEVERITY_ORDER,
    AnyWarningRule,
    Band,
    BandWarningRule,
    DeficitRule,
    GrowthGapRule,
    ProjectedDeficitRule,
    RuleSet,
    Severity,
    citation_text,
    load_ruleset,
)


@dataclass(frozen=True)
class RiskWarning:
    """One risk warning on one record."""

    code: str
    rule_id: str
    severity: Severity
    message: str
    figures: dict[str, str]
    # additions to the shared contract:
    ruleset: str = ""
    ruleset_version: str = ""
    rule_name: str = ""
    label: str = ""
    source: str = ""  # the maintainers' provenance note: never shown to users
    confidence: str = ""  # likewise
    #: the official document the rule rests on, as users see it (文号《标题》), or "" for none
    citation: str = ""
    approximate: bool = False
    from_stated: bool = False
    subject: str = "fund"
    record: tuple[str | int, ...] = field(default_factory=tuple)

    def problem(self) -> Problem:
        """The warning as a problem (its record, unit/year/fund, as the place)."""
        where = "/".join(str(part) for part in self.record) or None
        return Problem(self.code, self.message, self.severity, None, where, None, dict(self.figures))



@dataclass(frozen=True)
class _Reading:
    """An indicator's value for a rule: computed, or as the report states it."""

    value: Decimal
    display: str
    figures: dict[str, str]
    from_stated: bool
    name: str = ""


FundRecord = FundYear | FundPeriod


def _reading(record: FundRecord | DepartmentYear, results: Mapping[str, IndicatorResult], indicator_id: str,
             subject: str, use_stated: bool) -> _Reading | None:
    definition = BY_SUBJECT[subject].get(indicator_id)
    result = results.get(indicator_id)
    if result is None and definition is not None:
        result = definition.compute(record)
    name = definition.name if definition else indicator_id
    if result is not None and result.value is not None:
        name = result.name or name  # a stand-in (PERIOD_FALLBACKS) keeps its own name
        return _Reading(result.value, result.display(), {name: result.display(), **result.inputs}, False, name)
    if not use_stated or definition is None:
        return None
    for key, figure in record.stated.items():
        if base_id(key) != indicator_id:
            continue
        try:
            q = parse_stated(figure.value, definition.unit)
        except (UnitError, ValueError):
            continue
        if q.unit != definition.unit:
            continue
        where = f"，原文第{figure.line}行" if figure.line else ""
        return _Reading(q.value, figure.value, {f"{name}（报告所述{where}）": figure.value}, True, name)
    return None


def _message(record_label: str, reading: _Reading, band: Band, extra: str = "") -> str:
    text = f"{record_label}{reading.name}为 {reading.display}，{band.label}"
    if band.advice:
        text += f"——{band.advice}"
    if reading.from_stated:
        text += "（取报告所述数，未能由原始数据复算）"
    return text + extra


def _make(rule: AnyWarningRule, ruleset: RuleSet, severity: Severity, message: str,
          figures: dict[str, str], *, label: str, approximate: bool = False, from_stated: bool = False,
          record: tuple[str | int, ...] = ()) -> RiskWarning:
    return RiskWarning(
        code=rule.code, rule_id=rule.id, severity=severity, message=message, figures=figures,
        ruleset=ruleset.name, ruleset_version=ruleset.version, rule_name=rule.name, label=label,
        source=rule.source, confidence=rule.confidence, citation=citation_text(rule.citation) or "",
        approximate=approximate, from_stated=from_stated,
        subject=rule.subject, record=record,
    )


def _by_id(results: Iterable[IndicatorResult]) -> dict[str, IndicatorResult]:
    return {r.id: r for r in results}


def _sorted(warnings: list[RiskWarning]) -> list[RiskWarning]:
    return sorted(warnings, key=lambda w: (-SEVERITY_ORDER[w.severity], w.code))


# --------------------------------------------------------------------------------------------
# Funds
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _On:
    """The record a fund rule is applied to: a year or a period, named for messages."""

    record: FundRecord
    subject: str  # "fund" or "period": whose indicators the rules read
    who: str  # 职工医保, 职工医保2020年1-6月

    @classmethod
    def of(cls, record: FundRecord) -> _On:
        short = FUNDS[record.fund].short
        if isinstance(record, FundPeriod):
            return cls(record, "period", f"{short}{record.label}")
        return cls(record, "fund", short)


def _fund_band(on: _On, results: dict[str, IndicatorResult], rule: BandWarningRule, ruleset: RuleSet,
               siblings: Mapping[FundKind, object], note: str = "") -> RiskWarning | None:
    fy = on.record
    match = rule.fund_match(fy.fund)
    if match is None:
        return None
    if match == "approximate" and any(k in siblings for k in rule.funds):
        return None  # the part the rule is for has its own record: no approximation needed
    reading = _reading(fy, results, rule.indicator, on.subject, rule.use_stated)
    if reading is None:
        return None
    band = rule.band_for(reading.value)
    if band is None or band.severity is None:
        return None
    approximate = match == "approximate"
    extra = f"（{rule.approximate_note}）" if approximate and rule.approximate_note else ""
    return _make(rule, ruleset, band.severity, _message(on.who, reading, band, extra + note),
                 reading.figures, label=band.label, approximate=approximate, from_stated=reading.from_stated,
                 record=fy.key)


def _fund_deficit(on: _On, results: dict[str, IndicatorResult], rule: DeficitRule,
                  ruleset: RuleSet, turned: str = "") -> RiskWarning | None:
    fy = on.record
    if rule.fund_match(fy.fund) != "exact":
        return None
    balance = _reading(fy, results, "current_balance", on.subject, rule.use_stated)
    if balance is None and fy.balance.current is not None:
        q = fy.balance.current
        balance = _Reading(q.value_in("万元"), str(q), {"当期结余（报告所述）": str(q)}, True)
    if balance is None or balance.value >= 0:
        return None
    figures = dict(balance.figures)
    severity: Severity = rule.severity
    label = "当期收不抵支"
    rate = _reading(fy, results, "current_balance_rate", on.subject, rule.use_stated)
    if rate is not None:
        figures.update(rate.figures)
        band = next((b for b in rule.rate_bands if b.range.contains(rate.value)), None)
        if band is not None and band.severity is not None:
            severity, label = band.severity, band.label
    deficit = balance.display.lstrip("-")  # as the report shows the balance: 9054万元, 890.89万元
    message = f"{on.who}当期赤字 {deficit}"
    if rate is not None:
        message += f"（当期结余率 {rate.display}）"
    message += f"，{label}{turned}"
    closing = fy.balance.closing
    if closing is not None and closing.value < 0:
        figures["年末累计结余"] = str(closing)
        if SEVERITY_ORDER[rule.exhausted_severity] > SEVERITY_ORDER[severity]:
            severity = rule.exhausted_severity
        message += f"；年末累计结余 {closing} 已为负数"
    if balance.from_stated:
        message += "（取报告所述当期结余）"
    return _make(rule, ruleset, severity, message, figures, label=label, from_stated=balance.from_stated,
                 record=fy.key)


def _moved(reading: _Reading) -> str:
    """A growth rate in words: 增长 9.25%, 下降 4.23% (never 增长 -4.23%), 持平."""
    if reading.value == 0:
        return f"持平（{reading.display}）"
    return f"{'增长' if reading.value > 0 else '下降'} {reading.display.lstrip('-')}"


def _fund_growth_gap(on: _On, results: dict[str, IndicatorResult], rule: GrowthGapRule,
                     ruleset: RuleSet) -> RiskWarning | None:
    fy = on.record
    if rule.fund_match(fy.fund) != "exact":
        return None
    income = _reading(fy, results, rule.income_indicator, on.subject, rule.use_stated)
    expenditure = _reading(fy, results, rule.expenditure_indicator, on.subject, rule.use_stated)
    if income is None or expenditure is None:
        return None
    gap = expenditure.value - income.value
    band = rule.band_for(gap)
    if band is None or band.severity is None:
        return None
    message = (f"{on.who}收入{_moved(income)}，支出{_moved(expenditure)}，"
               f"收入增速低 {fmt(gap, 2)} 个百分点：{band.label}")
    from_stated = income.from_stated or expenditure.from_stated
    if from_stated:
        message += "（含报告所述增长率）"
    figures = {**income.figures, **expenditure.figures, "增速差（个百分点）": fmt(gap, 2)}
    return _make(rule, ruleset, band.severity, message, figures, label=band.label, from_stated=from_stated,
                 record=fy.key)


def fund_warnings(fy: FundYear, results: Iterable[IndicatorResult], ruleset: RuleSet | None = None,
                  siblings: Mapping[FundKind, FundYear] | None = None) -> list[RiskWarning]:
    """The risk warnings of one fund record, most serious first.

    ``results`` are the record's indicators (:func:`~jixiao.calc.compute_fund_year`);
    ``ruleset`` defaults to ``load_ruleset("default")``; ``siblings`` (same unit/year/scope)
    tell whether a 统筹基金 record exists, in which case the 统筹基金 reserve rule is not applied
    approximately to the combined 职工医保 record.
    """
    ruleset = ruleset or load_ruleset("default")
    by_id = _by_id(results)
    others = {k: v for k, v in (siblings or {}).items() if k != fy.fund}
    on = _On.of(fy)
    found: list[RiskWarning] = []
    for rule in ruleset.warning_rules("fund"):
        w: RiskWarning | None = None
        if isinstance(rule, BandWarningRule):
            w = _fund_band(on, by_id, rule, ruleset, others)
        elif isinstance(rule, DeficitRule):
            w = _fund_deficit(on, by_id, rule, ruleset)
        elif isinstance(rule, GrowthGapRule):
            w = _fund_growth_gap(on, by_id, rule, ruleset)
        if w is not None:
            found.append(w)
    return _sorted(found)


# --------------------------------------------------------------------------------------------
# Periods (月度、季度)
# --------------------------------------------------------------------------------------------

#: when a period's indicator cannot be computed, the one that stands in for it, and what to say
PERIOD_FALLBACKS: dict[str, tuple[str, str]] = {
    "months_of_reserve": ("months_of_reserve_ytd", "（缺上年数据，未能按滚动12个月计算，按本期月均支出测算）"),
}


def _projected_deficit(on: _On, rule: ProjectedDeficitRule, ruleset: RuleSet,
                       income: Projection | None, expenditure: Projection | None) -> RiskWarning | None:
    if income is None or expenditure is None or rule.fund_match(on.record.fund) != "exact":
        return None
    balance = income.value - expenditure.value
    if balance >= 0:
        return None
    severity, label = rule.severity, "预计全年收不抵支"
    worst_case = (income.high is not None and expenditure.low is not None
                  and income.high - expenditure.low < 0)
    if worst_case and SEVERITY_ORDER[rule.certain_severity] > SEVERITY_ORDER[severity]:
        severity, label = rule.certain_severity, "预计全年收不抵支（按回测误差范围仍为赤字）"
    shown = {"预计全年基金收入": income.value, "预计全年基金支出": expenditure.value, "预计全年当期结余": balance}
    figures = {name: f"{fmt(value, 0)}万元" for name, value in shown.items()}
    message = (f"{on.who}按已过月份推算，全年收入约 {figures['预计全年基金收入']}、"
               f"支出约 {figures['预计全年基金支出']}，{label}约 {fmt(-balance, 0)}万元")
    return _make(rule, ruleset, severity, message, figures, label=label, record=on.record.key)


def period_warnings(fp: FundPeriod, results: Iterable[IndicatorResult], ruleset: RuleSet,
                    siblings: Mapping[FundKind, object] | None = None, *, turned: bool = False,
                    projections: tuple[Projection | None, Projection | None] = (None, None)) -> list[RiskWarning]:
    """The risk warnings of one monthly or quarterly record, most serious first.

    ``results`` are its period indicators (:func:`jixiao.calc.period.period_values`); ``siblings``
    the same period's other fund records (a 统筹基金 record spares the combined 职工医保 the
    approximate reserve rule); ``turned``: the same period last year was in surplus, so a deficit
    now is a turn; ``projections``: the year-end (income, expenditure) projected from the months.
    """
    by_id = _by_id(results)
    others = {k: v for k, v in (siblings or {}).items() if k != fp.fund}
    on = _On.of(fp)
    found: list[RiskWarning] = []
    for rule in ruleset.period_rules():
        w: RiskWarning | None = None
        if isinstance(rule, BandWarningRule):
            w = _period_band(on, by_id, rule, ruleset, others)
        elif isinstance(rule, DeficitRule):
            w = _fund_deficit(on, by_id, rule, ruleset, "，由上年同期的结余转为赤字" if turned else "")
        elif isinstance(rule, GrowthGapRule):
            w = _fund_growth_gap(on, by_id, rule, ruleset)
        else:
            w = _projected_deficit(on, rule, ruleset, *projections)
        if w is not None:
            found.append(w)
    return _sorted(found)


def _period_band(on: _On, by_id: dict[str, IndicatorResult], rule: BandWarningRule, ruleset: RuleSet,
                 siblings: Mapping[FundKind, object]) -> RiskWarning | None:
    fallback = PERIOD_FALLBACKS.get(rule.indicator)
    own = by_id.get(rule.indicator)
    if fallback is not None and (own is None or own.value is None):
        stand_in = by_id.get(fallback[0])
        if stand_in is not None and stand_in.value is not None:
            swapped = {**by_id, rule.indicator: stand_in}
            return _fund_band(on, swapped, rule, ruleset, siblings, fallback[1])
    return _fund_band(on, by_id, rule, ruleset, siblings)


# --------------------------------------------------------------------------------------------
# Departments
# --------------------------------------------------------------------------------------------


def department_warnings(dy: DepartmentYear, results: Iterable[IndicatorResult],
                        ruleset: RuleSet | None = None) -> list[RiskWarning]:
    """Signals on a department year (预算完成率低, “三公”经费增加, 超编 …), most serious first."""
    ruleset = ruleset or load_ruleset("default")
    by_id = _by_id(results)
    found: list[RiskWarning] = []
    for rule in ruleset.warning_rules("department"):
        if not isinstance(rule, BandWarningRule):
            continue
        reading = _reading(dy, by_id, rule.indicator, "department", rule.use_stated)
        if reading is None:
            continue
        band = rule.band_for(reading.value)
        if band is None or band.severity is None:
            continue
        found.append(_make(rule, ruleset, band.severity, _message("部门", reading, band),
                           reading.figures, label=band.label, from_stated=reading.from_stated, record=dy.key))
    return _sorted(found)
