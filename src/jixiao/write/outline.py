"""The section structure of each kind of report (rules.md §4), filled from the model and the engine.

* fund expenditure self-evaluation (seeds 000/001): 基本情况 → 基金收支余总体情况 → 绩效目标设定情况 →
  预算完成及运行情况 → 组织实施和绩效管理情况 (组织实施, 绩效目标完成情况) → 存在的问题及建议 →
  下年工作措施 → 附表 (自评表, 指标计算表);
* department overall self-evaluation (seeds 002/004, Hunan): 单位基本情况 → 一般公共预算支出情况 →
  政府性基金 → 国有资本经营 → 社会保险基金预决算收支情况 → 部门整体支出绩效情况 (运行成本, 管理效率,
  履职效能, 社会效应, 服务对象满意度) → 存在的问题及原因分析 → 下一步改进措施 → 结果应用和公开 → 附件;
* project self-evaluation (seed 003 附件2): 项目概况 → 资金申报及使用 → 实施及管理 → 项目绩效 →
  评价结论及建议 → 附件 自评表.

Officer-written text (工作成效, 存在问题, 改进措施...) comes from the record's ``narrative`` mapping,
keyed by the slot keys below or by their Chinese titles/aliases (``存在问题`` = ``problems``).
A slot without text gets a marked placeholder (“（待填写：…）”) unless ``placeholders=False``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from jixiao.calc.dataset import record_values
from jixiao.model import Dataset, DepartmentYear, FundKind, FundYear, Project
from jixiao.rules import RuleSet
from jixiao.write import narrative as n
from jixiao.write.charts import Chart
from jixiao.write.report import Block, Figure, Grid, Paragraph, Report, Results, Section
from jixiao.write.scores import DEPARTMENT, score_tables
from jixiao.write.tables import (
    SelfEvalScores,
    department_self_eval_table,
    figures_table,
    indicator_table,
    project_self_eval_table,
    score_notes_table,
    scores_from_data,
)

CHINESE_NUMERALS = "一二三四五六七八九十"


def chinese_number(i: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (section numbers)."""
    if i <= 10:
        return CHINESE_NUMERALS[i - 1]
    tens, ones = divmod(i, 10)
    return (CHINESE_NUMERALS[tens - 1] if tens > 1 else "") + "十" + (CHINESE_NUMERALS[ones - 1] if ones else "")


@dataclass(frozen=True)
class Slot:
    """A place for officer-written text: key, the section title, other names accepted as keys."""

    key: str
    title: str
    aliases: tuple[str, ...] = ()


SLOTS: dict[str, Slot] = {s.key: s for s in (
    Slot("overview", "基本情况", ("基本概况", "单位基本情况", "项目基本情况", "概况")),
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
    Slot("measures", "改进措施", ("下一步改进措施", "改进建议", "相关建议", "建议")),
    Slot("next_year", "下年工作措施", ("下年措施", "下一年度工作措施", "工作措施")),
    Slot("application", "结果应用和公开情况", ("结果应用", "自评结果应用和公开")),
    Slot("method", "自评步骤及方法", ("评价方法", "绩效评价工作过程")),
    Slot("funds_use", "资金申报及使用情况", ("资金使用情况", "资金申报")),
    Slot("conclusion", "评价结论", ("结论",)),
    Slot("other", "其他需要说明的问题", ("其他事项",)),
)}


def officer_text(texts: Sequence[Mapping[str, str]], key: str) -> list[str]:
    """The paragraphs written for slot ``key`` in any of the records' ``narrative`` maps (deduplicated)."""
    slot = SLOTS[key]
    names = (slot.key, slot.title, *slot.aliases)
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


class _Builder:
    """Collects figures (numbered in order) while sections are assembled."""

    def __init__(self, texts: Sequence[Mapping[str, str]], placeholders: bool) -> None:
        self.texts = texts
        self.placeholders = placeholders
        self.figure_count = 0

    def officer(self, key: str, *, placeholder: bool = True) -> list[Block | Section]:
        paras = officer_text(self.texts, key)
        if paras:
            return [Paragraph(p, origin="officer") for p in paras]
        if self.placeholders and placeholder:
            return [Paragraph(f"（待填写：{SLOTS[key].title}。）", origin="officer")]
        return []

    def figure(self, chart: Chart | None) -> list[Block | Section]:
        if chart is None:
            return []
        self.figure_count += 1
        return [Figure(chart, self.figure_count)]


def _self_eval(project: Project, scores: SelfEvalScores | None, *, title: str, key: str,
               results: Results | None = None) -> list[Block | Section]:
    """A project's 自评表 and, when it was scored, its 评分说明 right after it."""
    scores = scores or scores_from_data(project)
    out: list[Block | Section] = [project_self_eval_table(
        project, results if results is not None else project_results(project), scores, title=title, key=key)]
    notes = score_notes_table(scores, key=f"{key}_notes", title=f"{title}评分说明")
    if notes is not None:
        out.append(notes)
    return out


def _generated(sentences: Sequence[str | None]) -> list[Block | Section]:
    return [Paragraph(s) for s in sentences if s]


def _numbered(sections: list[Section]) -> list[Section]:
    """Drop empty sections and number the rest: 一、 for level 1, （一） for level 2, 1. for level 3."""

    def prune(s: Section) -> Section | None:
        blocks: list[Block | Section] = []
        for b in s.blocks:
            if isinstance(b, Section):
                kept = prune(b)
                if kept is not None:
                    blocks.append(kept)
            else:
                blocks.append(b)
        return Section(s.key, s.title, blocks) if blocks else None

    def number(s: Section, level: int, i: int) -> Section:
        prefix = (f"{chinese_number(i)}、" if level == 1 else f"（{chinese_number(i)}）" if level == 2 else f"{i}.")
        subs = [b for b in s.blocks if isinstance(b, Section)]
        counter = iter(range(1, len(subs) + 1))
        blocks = [number(b, level + 1, next(counter)) if isinstance(b, Section) else b for b in s.blocks]
        return Section(s.key, prefix + s.title, blocks)

    kept = [k for k in (prune(s) for s in sections) if k is not None]
    return [number(s, 1, i) for i, s in enumerate(kept, 1)]


# --------------------------------------------------------------------------------------------
# Results for a record (the engine is the only place indicators are computed)
# --------------------------------------------------------------------------------------------


def fund_siblings(dataset: Dataset, fy: FundYear) -> dict[FundKind, FundYear]:
    return {
        other.fund: other for other in dataset.fund_years
        if other.unit == fy.unit and other.year == fy.year and other.scope == fy.scope and other is not fy
    }


def fund_results(dataset: Dataset, fy: FundYear) -> Results:
    return {r.id: r for r in record_values(fy, fund_siblings(dataset, fy)).own}


def department_results(dy: DepartmentYear) -> Results:
    return {r.id: r for r in record_values(dy).own}


def project_results(pr: Project) -> Results:
    return {r.id: r for r in record_values(pr).own}


# --------------------------------------------------------------------------------------------
# Fund expenditure self-evaluation (seeds 000, 001)
# --------------------------------------------------------------------------------------------

#: funds reported in their own subsection (a part such as 统筹基金 is told inside its whole)
_PART_FUNDS = (FundKind.employee_pooling, FundKind.employee_account)


def _unit_name(dataset: Dataset, code: str) -> str:
    unit = dataset.unit(code)
    return unit.name if unit else code


def fund_report(
    dataset: Dataset, unit_code: str, year: int, *,
    scores: Mapping[str, SelfEvalScores] | None = None, placeholders: bool = True, charts: bool = True,
) -> Report | None:
    """医疗保险基金支出绩效自评报告 of a unit and year; None when the dataset has no fund year for it."""
    from jixiao.write import charts as ch

    fys = [fy for fy in dataset.fund_years if fy.unit == unit_code and fy.year == year]
    if not fys:
        return None
    unit_name = _unit_name(dataset, unit_code)
    main = [fy for fy in fys if fy.fund not in _PART_FUNDS] or fys
    results = {id(fy): fund_results(dataset, fy) for fy in fys}
    dept = next((d for d in dataset.departments if d.unit == unit_code and d.year == year), None)
    # a unit with a department report carries its projects' 自评表 there (seed 003); else here (seed 001)
    projects = [] if dept is not None and _has_budget_data(dept) else [
        p for p in dataset.projects if p.unit == unit_code and p.year == year]
    texts = [fy.narrative for fy in fys] + ([dept.narrative] if dept else [])
    b = _Builder(texts, placeholders)

    overview: list[Block | Section] = [*b.officer("overview")]
    if dept is not None:
        overview += _generated([n.department_staff_sentence(dept, department_results(dept))])

    totals: list[Block | Section] = []
    running: list[Block | Section] = []
    for fy in main:
        r = results[id(fy)]
        siblings = fund_siblings(dataset, fy)
        body: list[Block | Section] = _generated([
            n.fund_balance_sheet_sentence(fy, r),
            n.fund_income_sentence(fy, r),
            n.fund_expenditure_sentence(fy, r),
            n.fund_balance_sentence(fy, r),
        ])
        if charts:
            body += b.figure(ch.fund_overview_chart(fy, r))
        totals.append(Section(f"totals_{fy.fund.name}", n.fund_name(fy.fund), body))
        run: list[Block | Section] = _generated([
            n.fund_budget_sentence(fy, r),
            n.fund_income_parts_sentence(fy),
            n.fund_expenditure_parts_sentence(fy),
            *n.fund_structure_sentences(fy, siblings, r),
            n.fund_coverage_sentence(fy, r),
            n.fund_per_capita_sentence(fy, r),
            n.fund_services_sentence(fy, r),
        ])
        if charts:
            run += b.figure(ch.fund_structure_chart(fy, siblings, r))
        running.append(Section(f"running_{fy.fund.name}", n.fund_name(fy.fund), run))
    if charts:
        running += b.figure(ch.fund_budget_execution_chart([(fy, results[id(fy)]) for fy in main]))

    goals: list[Block | Section] = [*b.officer("goals", placeholder=not projects)]
    for p in projects:
        if p.goal_expected:
            goals.append(Paragraph(f"{p.name}年度绩效目标：{p.goal_expected}", origin="officer"))
        targets = [f"{row.level3}{row.target}" for row in p.indicators]
        if targets:
            goals.append(Paragraph(f"绩效指标：{'；'.join(targets)}。", origin="officer"))
    completion: list[Block | Section] = [*b.officer("achievements", placeholder=not projects)]
    for p in projects:
        if p.goal_actual:
            completion.append(Paragraph(p.goal_actual, origin="officer"))
        completion += _generated(n.project_indicator_sentences(p))

    appendix: list[Block | Section] = []
    for i, p in enumerate(projects):
        title = f"{unit_name}医疗保险支出绩效自评表" if len(projects) == 1 else f"{p.name}绩效自评表"
        appendix += _self_eval(p, (scores or {}).get(p.name), title=title, key=f"self_eval_{i}")
    for fy in main:
        table = indicator_table(results[id(fy)], key=f"indicators_{fy.fund.name}",
                                title=f"{n.fund_name(fy.fund)}绩效指标计算表")
        if table is not None:
            appendix.append(table)
    sections = [
        Section("overview", "基本情况", overview),
        Section("totals", "基金收支余总体情况", totals),
        Section("goals", "绩效目标设定情况", goals),
        Section("budget", "预算完成及运行情况", running),
        Section("implementation", "组织实施和绩效管理情况", [
            Section("organisation", "项目组织实施情况", b.officer("implementation")),
            Section("achievements", "绩效目标完成情况", completion),
        ]),
        Section("problems", "存在的问题及建议", [*b.officer("problems"), *b.officer("measures", placeholder=False)]),
        Section("next_year", f"{year + 1}年工作措施", b.officer("next_year")),
        Section("other", "其他需要说明的问题", b.officer("other", placeholder=False)),
        Section("appendix", "附表", appendix),
    ]
    return Report(
        kind="fund", title=f"{unit_name}{year}年度医疗保险基金支出绩效自评报告", unit_name=unit_name, year=year,
        subtitle=f"（{year}年度）", file_stem=f"{unit_code}_{year}_基金支出绩效自评报告",
        sections=_numbered(sections),
    )


# --------------------------------------------------------------------------------------------
# Department overall self-evaluation (seeds 002, 004; Hunan outline)
# --------------------------------------------------------------------------------------------


def _has_budget_data(dy: DepartmentYear) -> bool:
    return any(
        getattr(part, name) is not None
        for part in (dy.budget, dy.income, dy.expenditure)
        for name in type(part).model_fields
    )


def _department_appendix(dy: DepartmentYear, r: Results, projects: list[Project],
                         scores: Mapping[str, SelfEvalScores] | None, year: int) -> list[Block | Section]:
    """附件 of the department report: the basic figures, its 自评表 with the 评分说明, the indicator
    table, and each project's 自评表."""
    appendix: list[Block | Section] = [
        figures_table(dy, key="department_figures", title=f"{year}年度部门整体支出绩效评价基础数据表",
                      sections=("staff", "budget", "income", "expenditure", "carryover", "assets", "previous")),
    ]
    if r:
        dept_scores = (scores or {}).get(DEPARTMENT)
        appendix.append(department_self_eval_table(dy, r, dept_scores))
        if dept_scores is not None:
            notes = score_notes_table(dept_scores, key="department_score_notes", title="部门整体支出绩效自评表评分说明")
            if notes is not None:
                appendix.append(notes)
        table = indicator_table(r, key="department_indicators", title=f"{year}年度部门整体支出绩效指标计算表")
        if table is not None:
            appendix.append(table)
    for i, p in enumerate(projects):
        appendix += _self_eval(p, (scores or {}).get(p.name), title=f"{p.name}绩效自评表", key=f"self_eval_{i}")
    return appendix


def department_report(
    dataset: Dataset, unit_code: str, year: int, *,
    scores: Mapping[str, SelfEvalScores] | None = None, placeholders: bool = True, charts: bool = True,
) -> Report | None:
    """部门整体支出绩效自评报告; None without a department year carrying budget figures."""
    from jixiao.write import charts as ch

    dy = next((d for d in dataset.departments if d.unit == unit_code and d.year == year), None)
    if dy is None or not _has_budget_data(dy):
        return None
    unit_name = _unit_name(dataset, unit_code)
    r = department_results(dy)
    fys = [fy for fy in dataset.fund_years if fy.unit == unit_code and fy.year == year
           and fy.fund not in _PART_FUNDS]
    projects = [p for p in dataset.projects if p.unit == unit_code and p.year == year]
    b = _Builder([dy.narrative], placeholders)

    basics: list[Block | Section] = [
        Section("functions", "部门职能职责", b.officer("functions")),
        Section("organization", "机构设置情况", b.officer("organization")),
        Section("staff", "人员编制情况", _generated([n.department_staff_sentence(dy, r)])),
    ]
    budget: list[Block | Section] = _generated([n.department_budget_sentence(dy, r)])
    if charts:
        budget += b.figure(ch.department_budget_chart(dy))
    budget += _generated([n.department_totals_sentence(dy, r)])
    if charts:
        budget += b.figure(ch.department_totals_chart(dy))
    budget += _generated([n.department_income_structure_sentence(dy, r)])
    if charts:
        budget += b.figure(ch.department_income_chart(dy, r))
    budget += _generated([n.department_expenditure_structure_sentence(dy, r)])
    if charts:
        budget += b.figure(ch.department_expenditure_chart(dy, r))
    budget += _generated([n.department_general_public_sentence(dy, r)])
    if charts:
        budget += b.figure(ch.department_fiscal_chart(dy))
    basic = _generated([n.department_basic_sentence(dy, r)])
    if charts:
        basic += b.figure(ch.department_basic_chart(dy, r))
    budget.append(Section("basic", "基本支出情况", basic))
    project_lines = [n.project_funds_sentence(p, project_results(p)) for p in projects]
    budget.append(Section("project", "项目支出情况", [
        Section(f"project_{i}", p.name, [Paragraph(s)])
        for i, (p, s) in enumerate(zip(projects, project_lines, strict=True)) if s
    ] or ([Paragraph(f"{year}年度本单位无项目支出。")] if dy.expenditure.project is not None
          and dy.expenditure.project.value == 0 else [])))

    funds: list[Block | Section] = []
    for fy in fys:
        fr = fund_results(dataset, fy)
        funds.append(Section(f"fund_{fy.fund.name}", n.fund_name(fy.fund) + "情况", _generated([
            n.fund_coverage_sentence(fy, fr),
            n.fund_income_sentence(fy, fr),
            *n.fund_structure_sentences(fy, fund_siblings(dataset, fy), fr),
            n.fund_expenditure_sentence(fy, fr),
            n.fund_balance_sentence(fy, fr),
            n.fund_per_capita_sentence(fy, fr),
            n.fund_budget_sentence(fy, fr),
        ])))

    cost: list[Block | Section] = _generated([n.department_operating_cost_sentence(dy, r)])
    management: list[Block | Section] = _generated([
        n.department_three_public_sentence(dy, r),
        n.department_carryover_sentence(dy, r),
        n.department_procurement_sentence(dy),
        n.department_assets_sentence(dy),
    ])
    if charts:
        management += b.figure(ch.department_three_public_chart(dy))
    management += b.officer("management", placeholder=False)
    performance: list[Block | Section] = [
        Section("cost", "运行成本方面", cost),
        Section("management", "管理效率方面", management),
        Section("achievements", "履职效能方面", b.officer("achievements")),
        Section("social_effect", "社会效应方面", b.officer("social_effect")),
        Section("satisfaction", "服务对象满意度", b.officer("satisfaction")),
    ]
    if dy.self_score:
        score = Paragraph(f"{year}年度部门整体支出绩效自评得分{dy.self_score}分。")
        performance.insert(0, Section("score", "自评得分", [score]))

    appendix = _department_appendix(dy, r, projects, scores, year)
    sections = [
        Section("overview", "单位基本情况", [*b.officer("overview", placeholder=False), *basics]),
        Section("general_budget", "一般公共预算支出情况", budget),
        Section("government_fund", "政府性基金预算支出情况", b.officer("government_fund")),
        Section("state_capital", "国有资本经营预算支出情况", b.officer("state_capital")),
        Section("social_insurance", "社会保险基金预决算收支情况", funds),
        Section("performance", "部门整体支出绩效情况", performance),
        Section("problems", "存在的问题及原因分析", b.officer("problems")),
        Section("measures", "下一步改进措施", b.officer("measures")),
        Section("application", "部门整体支出绩效自评结果拟应用和公开情况", b.officer("application")),
        Section("appendix", "附件", appendix),
    ]
    return Report(
        kind="department", title=f"{unit_name}{year}年度部门整体支出绩效自评报告", unit_name=unit_name, year=year,
        subtitle=f"（{year}年度）", file_stem=f"{unit_code}_{year}_部门整体支出绩效自评报告",
        sections=_numbered(sections),
    )


# --------------------------------------------------------------------------------------------
# Project self-evaluation (seed 003 附件2)
# --------------------------------------------------------------------------------------------


def project_report(
    dataset: Dataset, project: Project, *, scores: SelfEvalScores | None = None, placeholders: bool = True,
) -> Report:
    """项目支出绩效自评报告 of one project, with its 自评表."""
    unit_name = _unit_name(dataset, project.unit)
    r = project_results(project)
    b = _Builder([project.narrative], placeholders)
    funds = n.project_funds_sentence(project, r)
    overview: list[Block | Section] = [
        Section("basics", "项目基本情况", [*b.officer("overview"), *_generated([funds])]),
        Section("goal", "项目绩效总体目标",
                [Paragraph(project.goal_expected, origin="officer")] if project.goal_expected
                else b.officer("goals")),
        Section("method", "项目自评步骤及方法", b.officer("method")),
    ]
    done: list[Block | Section] = []
    if project.goal_actual:
        done.append(Paragraph(project.goal_actual, origin="officer"))
    done += _generated(n.project_indicator_sentences(project))
    sections = [
        Section("overview", "项目概况", overview),
        Section("funds", "项目资金申报及使用情况", [*_generated([funds]), *b.officer("funds_use", placeholder=False)]),
        Section("implementation", "项目实施及管理情况", b.officer("implementation")),
        Section("performance", "项目绩效情况", [
            Section("done", "项目完成情况", done or b.officer("achievements")),
            Section("effect", "项目效益情况", b.officer("social_effect")),
        ]),
        Section("conclusion", "评价结论及建议", [
            Section("conclusion", "评价结论", b.officer("conclusion")),
            Section("problems", "存在的问题", b.officer("problems")),
            Section("measures", "相关建议", b.officer("measures")),
        ]),
        Section("appendix", "附件",
                _self_eval(project, scores, title="项目支出绩效自评表", key="self_eval", results=r)),
    ]
    safe_name = "".join(ch for ch in project.name if ch not in '\\/:*?"<>|')[:40]
    return Report(
        kind="project", title=f"{project.name}项目支出绩效自评报告", unit_name=unit_name, year=project.year,
        subtitle=f"（{project.year}年度）", file_stem=f"{project.unit}_{project.year}_项目_{safe_name}",
        sections=_numbered(sections),
    )


def reports_for(
    dataset: Dataset, unit_code: str, year: int, *, placeholders: bool = True, charts: bool = True,
    scores: Mapping[str, SelfEvalScores] | None = None, rules: RuleSet | str | None = "default",
) -> list[Report]:
    """Every report the dataset supports for a unit and year: fund, department, one per project.

    ``scores`` (project name, or ``"department"``, → :class:`SelfEvalScores`) fills the 分值/得分 of
    the 自评表. Without it every table is scored by the rule set ``rules`` (``default``, ``sichuan``,
    ``hunan`` or a rule file; see :func:`jixiao.write.scores.score_tables`); with ``rules=None``
    they come from the data as written (blank when absent).
    """
    if scores is None and rules is not None:
        scores = score_tables(dataset, unit_code, year, rules)
    out = [
        fund_report(dataset, unit_code, year, placeholders=placeholders, charts=charts, scores=scores),
        department_report(dataset, unit_code, year, placeholders=placeholders, charts=charts, scores=scores),
    ]
    reports = [r for r in out if r is not None]
    reports += [project_report(dataset, p, placeholders=placeholders, scores=(scores or {}).get(p.name))
                for p in dataset.projects if p.unit == unit_code and p.year == year]
    return reports


__all__ = ["SLOTS", "Grid", "department_report", "fund_report", "project_report", "reports_for"]
