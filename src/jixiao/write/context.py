"""Everything one report is written from: the unit-year's records, the engine's results, the
stated-figure checks, the risk warnings, the scores — and the ledger of what the working paper
must say (what is left to fill in, where data and computation disagree, what is printed as stated).

Two rules live here, so every sentence follows them:

* **an entered figure is never replaced.** A data field the engine can also compute (当期结余)
  that disagrees with the computation is left out of the report and becomes a finding;
* **a stated figure that cannot be recomputed is printed as stated** (据报) and listed; one that
  can is printed as computed from the printed figures, and a disagreement is listed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from jixiao.calc.dataset import record_values, record_warnings
from jixiao.calc.registry import BY_SUBJECT, IndicatorResult
from jixiao.calc.risks import RiskWarning
from jixiao.calc.score_results import ScoredTable
from jixiao.calc.scoring import score_project
from jixiao.calc.stated import StatedCheck, check_stated, parse_stated
from jixiao.model import Dataset, DepartmentYear, FundKind, FundYear, Project
from jixiao.numbers import Quantity, UnitError, round_half_up
from jixiao.rules import RuleSet, load_ruleset
from jixiao.write.printed import Fig, of, shown

#: funds told inside their whole (职工医保's 统筹基金 and 个人账户)
PART_FUNDS = (FundKind.employee_pooling, FundKind.employee_account)


@dataclass(frozen=True)
class Slot:
    """A place for officer-written text: key, what it is, other names accepted as keys."""

    key: str
    title: str
    aliases: tuple[str, ...] = ()


SLOTS: dict[str, Slot] = {s.key: s for s in (
    Slot("overview", "基本情况", ("基本概况", "单位基本情况", "项目基本情况", "概况", "项目概况")),
    Slot("functions", "部门职能职责", ("职能职责", "主要职能", "基本职能")),
    Slot("organization", "机构设置情况", ("机构设置", "内设机构")),
    Slot("goals", "绩效目标设定情况", ("绩效目标", "目标设定")),
    Slot("implementation", "组织实施和绩效管理情况", ("组织实施", "组织实施情况", "管理措施")),
    Slot("achievements", "工作成效", ("绩效目标完成情况", "工作进展及成效", "履职效能", "主要成效")),
    Slot("social_effect", "社会效应", ("社会效益",)),
    Slot("satisfaction", "服务对象满意度", ("满意度",)),
    Slot("management", "管理情况", ("管理效率", "制度建设")),
    Slot("government_fund", "政府性基金预算支出情况", ("政府性基金",)),
    Slot("state_capital", "国有资本经营预算支出情况", ("国有资本经营",)),
    Slot("problems", "存在问题", ("存在的问题", "存在主要问题", "问题及原因", "存在的问题及原因分析")),
    Slot("measures", "改进措施", ("下一步改进措施", "改进建议", "相关建议", "建议", "有关建议")),
    Slot("next_year", "下年工作措施", ("下年措施", "下一年度工作措施", "工作措施")),
    Slot("application", "结果应用和公开情况", ("结果应用", "自评结果应用和公开")),
    Slot("method", "绩效评价工作开展情况", ("评价方法", "绩效评价工作过程", "自评步骤及方法")),
    Slot("funds_use", "资金申报及使用情况", ("资金使用情况", "资金申报")),
    Slot("decision", "项目决策情况", ("决策情况",)),
    Slot("process", "项目过程情况", ("过程情况",)),
    Slot("conclusion", "评价结论", ("结论",)),
    Slot("experience", "主要经验及做法", ("经验做法",)),
    Slot("other", "其他需要说明的问题", ("其他事项",)),
    Slot("spending_analysis", "年度支出情况分析说明", ("支出情况分析",)),
    Slot("income_change_reason", "收入变动原因", ()),
    Slot("expenditure_change_reason", "支出变动原因", ()),
    Slot("insured_change_reason", "参保人数变动原因", ()),
    Slot("gap_reason", "收支缺口原因", ()),
    Slot("carryover_reason", "结转结余原因", ()),
    Slot("budget_adjustment_reason", "预算调整原因", ()),
)}

#: signature and cover fields taken from the records' narrative when given (else left for a pen)
SIGNATURE_KEYS = ("负责人", "单位负责人", "填报人", "联系电话", "填报日期", "填报时间")


def officer_text(texts: Sequence[Mapping[str, str]], key: str) -> list[str]:
    """The paragraphs written for slot ``key`` in any of the records' ``narrative`` maps (deduplicated)."""
    slot = SLOTS.get(key)
    names = (slot.key, slot.title, *slot.aliases) if slot else (key,)
    out: list[str] = []
    for mapping in texts:
        for name in names:
            text = mapping.get(name)
            if not text:
                continue
            for para in (p.strip() for p in text.splitlines()):
                if para and para not in out:
                    out.append(para)
    return out


# --------------------------------------------------------------------------------------------
# The ledger: what the working paper lists
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """Data and computation disagree (or a stated figure differs from what the report prints)."""

    record: str
    item: str
    written: str
    computed: str
    basis: str
    action: str
    line: int | None = None
    serious: bool = True


@dataclass(frozen=True)
class Pending:
    """Something the report leaves to the officer: where, what, and why no data can say it."""

    place: str
    what: str
    why: str


@dataclass(frozen=True)
class StatedUse:
    """A figure printed as the data state it, because it cannot be recomputed from the data."""

    record: str
    item: str
    value: str
    line: int | None
    why: str


@dataclass
class Ledger:
    findings: list[Finding] = field(default_factory=list)
    pending: list[Pending] = field(default_factory=list)
    stated: list[StatedUse] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def finding(self, f: Finding) -> None:
        if f not in self.findings:
            self.findings.append(f)

    def stated_use(self, s: StatedUse) -> None:
        if all((x.record, x.item) != (s.record, s.item) for x in self.stated):
            self.stated.append(s)

    def pend(self, p: Pending) -> None:
        if p not in self.pending:
            self.pending.append(p)


# --------------------------------------------------------------------------------------------
# One record's figures: computed, stated, or withheld
# --------------------------------------------------------------------------------------------


class RecordFigures:
    """The figures of one record as a report may print them (see the module's two rules)."""

    def __init__(self, label: str, record: FundYear | DepartmentYear | Project,
                 results: Sequence[IndicatorResult], subject: str, ledger: Ledger) -> None:
        self.label = label
        self.record = record
        self.subject = subject
        self.results: dict[str, IndicatorResult] = {r.id: r for r in results}
        self.checks: list[StatedCheck] = check_stated(record, results)
        self.ledger = ledger
        self.withheld: set[str] = set()
        self._reported_checks: set[str] = set()

    def result(self, indicator_id: str) -> IndicatorResult | None:
        res = self.results.get(indicator_id)
        return res if res is not None and res.value is not None else None

    def name(self, indicator_id: str) -> str:
        d = BY_SUBJECT[self.subject].get(indicator_id)
        return display_name(d.name if d else indicator_id)

    def _stated(self, indicator_id: str) -> tuple[Fig, int | None] | None:
        figure = self.record.stated.get(indicator_id)
        d = BY_SUBJECT[self.subject].get(indicator_id)
        if figure is None or d is None:
            return None
        try:
            q = parse_stated(figure.value, d.unit)
        except (UnitError, ValueError):
            return None
        return Fig(q.value, q.unit, q.approx), figure.line

    def value(self, indicator_id: str) -> Fig | None:
        """The figure to print for ``indicator_id``: the engine's (as displayed), else the data's
        stated one (listed as printed as stated), else None. Withheld figures stay None."""
        if indicator_id in self.withheld:
            return None
        res = self.result(indicator_id)
        if res is not None:
            return self.checked(indicator_id, shown(res))
        stated = self._stated(indicator_id)
        if stated is None:
            return None
        fig, line = stated
        self.ledger.stated_use(StatedUse(self.label, self.name(indicator_id), fig.text, line,
                                         _why_not(self.results.get(indicator_id))))
        return fig

    def stated_only(self, indicator_id: str) -> Fig | None:
        """The stated figure when the engine cannot compute it (for what no operand shows)."""
        if self.result(indicator_id) is not None:
            return None
        return self.value(indicator_id)

    def checked(self, indicator_id: str, fig: Fig) -> Fig:
        """``fig`` (computed from the printed figures) against what the data state for it: a
        disagreement is listed — as a finding when the engine's interval check fails too."""
        stated = self._stated(indicator_id)
        if stated is None or indicator_id in self._reported_checks:
            return fig
        written, line = stated
        if written.unit == fig.unit and round_half_up(fig.value, written.places) == written.value:
            return fig
        self._reported_checks.add(indicator_id)
        check = next((c for c in self.checks if c.key == indicator_id), None)
        wrong = check is not None and check.ok is False
        res = self.results.get(indicator_id)
        basis = _inputs(res) if res is not None else ""
        self.ledger.finding(Finding(
            self.label, self.name(indicator_id), written.text, fig.text, basis,
            "报告按所列数计算写入" + ("；原数与计算不符，请核实" if wrong else "（原数在所列数的书写精度内亦可成立）"),
            line, serious=wrong))
        return fig

    def entered(self, indicator_id: str, q: Quantity | None) -> Fig | None:
        """An entered data field the engine also computes (当期结余): the entered figure when the
        two agree within its precision (or nothing can be computed), else None and a finding."""
        if q is None:
            return None
        res = self.result(indicator_id)
        if res is None:
            return of(q)
        computed = shown(res)
        if res.interval is not None and res.interval.meets(q.interval_in(res.unit) if q.unit != res.unit else
                                                           q.interval()):
            if of(q).text != computed.text:
                self.ledger.finding(Finding(
                    self.label, self.name(indicator_id), of(q).text, computed.text, _inputs(res),
                    "报告按录入数写入：两数之差在所列数的取整误差之内（如元位四舍五入的尾差），可在报告中说明",
                    serious=False))
            return of(q)
        self.withheld.add(indicator_id)
        self.ledger.finding(Finding(
            self.label, self.name(indicator_id), of(q).text, computed.text, _inputs(res),
            "录入数与按收支计算的数不一致，报告未写此数（也未写由它得出的比率），请核实数据后重新生成"))
        return None

    def unchecked_findings(self) -> None:
        """Stated figures the report did not print but that disagree with the data: listed too."""
        for c in self.checks:
            if c.ok is False and c.id not in self._reported_checks and c.id not in self.withheld:
                self.ledger.finding(Finding(self.label, display_name(c.name or c.id), c.stated,
                                            c.expected or c.computed_display, "",
                                            "原报告所述数与数据计算不符（本报告未引用）", c.line))


def _why_not(res: IndicatorResult | None) -> str:
    if res is None or res.reason is None:
        return "数据中没有计算所需的数"
    return res.reason


def _inputs(res: IndicatorResult) -> str:
    return "，".join(f"{k}{v}" for k, v in res.inputs.items())


def display_name(name: str) -> str:
    """An indicator's name as a submitted report prints it: without the registry's qualifiers
    (“预算控制率（湖南口径）” → “预算控制率”, “人均筹资（人均基金收入，元）” → “人均筹资”)."""
    for open_ in ("（", "("):
        if open_ in name and not name.startswith(open_):
            return name[: name.index(open_)]
    return name


# --------------------------------------------------------------------------------------------
# The context of one unit-year
# --------------------------------------------------------------------------------------------


def fund_label(fund: FundKind) -> str:
    """职工基本医疗保险（含生育） → 职工基本医疗保险（含生育）基金; 统筹基金 stays as it is."""
    return fund.value if fund.value.endswith("基金") else f"{fund.value}基金"


@dataclass
class Context:
    dataset: Dataset
    unit: str
    year: int
    ruleset: RuleSet
    unit_name: str
    unit_known: bool
    funds: list[FundYear]
    fund_figures: dict[int, RecordFigures]
    siblings: dict[int, dict[FundKind, FundYear]]
    department: DepartmentYear | None
    department_figures: RecordFigures | None
    projects: list[Project]
    project_figures: dict[int, RecordFigures]
    warnings: list[RiskWarning]
    scores: Mapping[str, Any]
    ledger: Ledger
    placeholders: bool = True
    charts: bool = True
    #: each project's 自评表 scored by the rule set (or, without project rules, the default one):
    #: whether each indicator reached its target
    scored: dict[str, ScoredTable] = field(default_factory=dict)
    #: the one project a project report is about
    project: Project | None = None

    @property
    def texts(self) -> list[Mapping[str, str]]:
        out: list[Mapping[str, str]] = []
        if self.project is not None:
            return [self.project.narrative]
        if self.department is not None:
            out.append(self.department.narrative)
        out += [fy.narrative for fy in self.funds]
        out += [fy.narrative for fy in self.all_funds() if fy not in self.funds]
        return out

    def all_funds(self) -> list[FundYear]:
        return [fy for fy in self.dataset.fund_years if fy.unit == self.unit and fy.year == self.year]

    def fund(self, fy: FundYear) -> RecordFigures:
        return self.fund_figures[id(fy)]

    def project_view(self, pr: Project) -> RecordFigures:
        return self.project_figures[id(pr)]

    def part(self, fy: FundYear, kind: FundKind) -> FundYear | None:
        return self.siblings[id(fy)].get(kind)


def build_context(dataset: Dataset, unit: str, year: int, ruleset: RuleSet, *,
                  scores: Mapping[str, Any] | None = None, placeholders: bool = True,
                  charts: bool = True) -> Context:
    ledger = Ledger()
    known = dataset.unit(unit)
    fys = [fy for fy in dataset.fund_years if fy.unit == unit and fy.year == year]
    siblings: dict[int, dict[FundKind, FundYear]] = {}
    fund_figures: dict[int, RecordFigures] = {}
    warnings: list[RiskWarning] = []
    for fy in fys:
        sib = {o.fund: o for o in fys if o.scope == fy.scope and o is not fy}
        siblings[id(fy)] = sib
        results = record_values(fy, sib).own
        scope = fy.scope or ""
        fund_figures[id(fy)] = RecordFigures(f"{scope}{fund_label(fy.fund)}", fy, results, "fund", ledger)
        warnings += record_warnings(fy, results, ruleset, sib)
    dept = next((d for d in dataset.departments if d.unit == unit and d.year == year), None)
    dept_figures = None
    if dept is not None:
        results = record_values(dept).own
        dept_figures = RecordFigures("部门整体支出", dept, results, "department", ledger)
        warnings += record_warnings(dept, results, ruleset)
    projects = [p for p in dataset.projects if p.unit == unit and p.year == year]
    project_figures = {id(p): RecordFigures(p.name, p, record_values(p).own, "project", ledger) for p in projects}
    table_rules = ruleset if ruleset.project_table is not None else load_ruleset("default")
    scored = {p.name: score_project(p, table_rules) for p in projects}
    return Context(
        dataset=dataset, unit=unit, year=year, ruleset=ruleset,
        unit_name=known.name if known else "", unit_known=known is not None,
        funds=[fy for fy in fys if fy.fund not in PART_FUNDS] or fys,
        fund_figures=fund_figures, siblings=siblings, department=dept, department_figures=dept_figures,
        projects=projects, project_figures=project_figures, warnings=warnings, scores=scores or {},
        ledger=ledger, placeholders=placeholders, charts=charts, scored=scored,
    )


def money(q: Quantity | None, unit: str = "万元") -> Decimal | None:
    if q is None:
        return None
    return q.value if q.unit == unit else q.value_in(unit)
