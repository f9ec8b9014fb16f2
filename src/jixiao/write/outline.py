"""Outlines as data: which report a unit-year gets, in which region's form, built how.

Each file in ``write/outlines/`` is one outline — the fund report (seeds 000, 001), the project
report of 财预〔2020〕10号, the 湖南 部门整体 form (seed 002) and report (seed 004), the 四川 部门决算
with its 自评 (seed 003), a national department report — with its title, cover, signature block,
numbering and sections, each section a list of blocks (:mod:`jixiao.write.build`). The outline
of a report is chosen by its kind and the unit's rule set and year (``select``).

:func:`reports_for` makes every report a unit-year's data support — a part with no data makes
none (:func:`plan` says why) — each with its working paper.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib.resources import files
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from jixiao.model import Dataset, DepartmentYear, Project
from jixiao.model.units import ruleset_of
from jixiao.parsing import parse_text
from jixiao.rules import RuleSet, load_ruleset
from jixiao.write import blocks_department, blocks_fund, blocks_project, forms  # noqa: F401  (register blocks)
from jixiao.write.build import Build, Made, run
from jixiao.write.context import Context, Pending, build_context
from jixiao.write.report import CoverLine, Figure, Paragraph, Report, Section
from jixiao.write.tables import SelfEvalScores

CHINESE_NUMERALS = "一二三四五六七八九十"
UNIT_PLACEHOLDER = "（单位名称）"


def chinese_number(i: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (section numbers)."""
    if i <= 10:
        return CHINESE_NUMERALS[i - 1]
    tens, ones = divmod(i, 10)
    return (CHINESE_NUMERALS[tens - 1] if tens > 1 else "") + "十" + (CHINESE_NUMERALS[ones - 1] if ones else "")


# --------------------------------------------------------------------------------------------
# The outline files
# --------------------------------------------------------------------------------------------


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class LineSpec(_Spec):
    """A cover, header or signature line: a label and its value (a template, a narrative key, or blank)."""

    label: str
    value: str | None = None
    key: str | None = None
    blank: str = ""


class SectionSpec(_Spec):
    title: str
    key: str | None = None
    blocks: list[str | dict[str, Any]] = Field(default_factory=list)
    sections: list[SectionSpec] = Field(default_factory=list)
    new_page: bool = False
    heading: bool = True
    annex: str | None = None
    signature: list[LineSpec] = Field(default_factory=list)


class Select(_Spec):
    rulesets: list[str] | None = None
    years: tuple[int | None, int | None] | None = None

    def matches(self, ruleset: str, year: int) -> bool:
        if self.rulesets is not None and ruleset not in self.rulesets:
            return False
        if self.years is not None:
            lo, hi = self.years
            if (lo is not None and year < lo) or (hi is not None and year > hi):
                return False
        return True

    @property
    def specificity(self) -> int:
        return (self.rulesets is not None) + (self.years is not None)


class OutlineSpec(_Spec):
    id: str = ""
    name: str
    kind: Literal["fund", "department", "project"]
    select: Select = Field(default_factory=Select)
    title: list[str]
    subtitle: str | None = None
    cover: list[LineSpec] = Field(default_factory=list)
    header: list[LineSpec] = Field(default_factory=list)
    signature: list[LineSpec] = Field(default_factory=list)
    signature_inline: bool = False
    numbering: list[str] = Field(default_factory=list)
    sections: list[SectionSpec] = Field(default_factory=list)
    from_: str | None = Field(default=None, alias="from")


@lru_cache(maxsize=1)
def outlines() -> dict[str, OutlineSpec]:
    """Every shipped outline, by file name; ``from: other`` takes the other's sections."""
    folder = files("jixiao.write") / "outlines"
    raw = {p.name.removesuffix(".yaml"): parse_text(p.read_text(encoding="utf-8"), p.name, "yaml")[0]
           for p in folder.iterdir() if p.name.endswith(".yaml")}
    specs = {name: OutlineSpec.model_validate({**data, "id": name}) for name, data in raw.items()}
    for name, spec in specs.items():
        if spec.from_:
            specs[name] = spec.model_copy(update={"sections": specs[spec.from_].sections})
    return specs


def choose(kind: str, ruleset: str, year: int) -> OutlineSpec:
    """The outline of a report of ``kind`` for a unit judged by ``ruleset`` in ``year``: the most
    specific that matches."""
    found = [o for o in outlines().values() if o.kind == kind and o.select.matches(ruleset, year)]
    if not found:
        raise LookupError(f"没有适用于 {kind}/{ruleset}/{year} 的报告提纲")
    return max(found, key=lambda o: o.select.specificity)


# --------------------------------------------------------------------------------------------
# Building one report
# --------------------------------------------------------------------------------------------


def _fill(template: str, values: Mapping[str, str]) -> str:
    out = template
    for k, v in values.items():
        out = out.replace("{" + k + "}", v)
    return out


def _lines(specs: Sequence[LineSpec], values: Mapping[str, str], ctx: Context) -> tuple[CoverLine, ...]:
    out = []
    for spec in specs:
        value = _fill(spec.value, values) if spec.value is not None else ""
        if spec.key:
            value = next((m[spec.key].strip() for m in ctx.texts if m.get(spec.key)), value)
        out.append(CoverLine(spec.label, value or spec.blank))
    return tuple(out)


def _blocks(b: Build, specs: Sequence[str | dict[str, Any]]) -> Made:
    made: Made = []
    for spec in specs:
        if isinstance(spec, str):
            made += run(spec, b)
            continue
        if "text" in spec:
            # ``unless``: no placeholder when that block said something (the unit's own text still shows)
            unless = spec.get("unless")
            optional = bool(spec.get("optional")) or bool(unless and unless in b.produced)
            made += b.officer(spec["text"], spec.get("what"), optional=optional)
            continue
        (name, arg), = spec.items()
        made += run(name, b, arg)
    return made


def _section(b: Build, spec: SectionSpec, values: Mapping[str, str], key: str) -> Section:
    title = _fill(spec.title, values)
    b.path.append(title)
    b.produced = set()
    blocks = _blocks(b, spec.blocks)
    blocks += [_section(b, child, values, f"{key}.{i}") for i, child in enumerate(spec.sections)]
    b.path.pop()
    return Section(spec.key or key, title, blocks, new_page=spec.new_page, heading=spec.heading, annex=spec.annex,
                   signature=_lines(spec.signature, values, b.ctx))


def _prune(s: Section) -> Section | None:
    blocks: Made = []
    for block in s.blocks:
        if isinstance(block, Section):
            kept = _prune(block)
            if kept is not None:
                blocks.append(kept)
        else:
            blocks.append(block)
    return replace(s, blocks=blocks) if blocks else None


def _style(fmt: str) -> str:
    if "部分" in fmt:
        return "part"
    if "（" in fmt:
        return "h2"
    if "、" in fmt:
        return "h1"
    return "h3"


def _number(sections: list[Section], styles: Sequence[str], level: int = 0) -> list[Section]:
    out = []
    counter = 0
    for s in sections:
        children = [b for b in s.blocks if isinstance(b, Section)]
        if s.annex:
            s.style = "annex"
            numbered = iter(_number(children, styles, level))
        else:
            counter += 1
            if level < len(styles) and s.heading:
                fmt = styles[level]
                prefix = fmt.replace("{cn}", chinese_number(counter)).replace("{n}", str(counter))
                s.title = prefix + ("　" if "部分" in fmt else "") + s.title
                s.style = _style(fmt)
            else:
                s.style = ("h1", "h2", "h3")[min(level, 2)]
            numbered = iter(_number(children, styles, level + 1))
        s.blocks = [next(numbered) if isinstance(b, Section) else b for b in s.blocks]
        out.append(s)
    return out


def _dedupe(sections: list[Section]) -> None:
    """No sentence said twice: a generated paragraph that repeats an earlier one is dropped."""
    seen: set[str] = set()

    def go(s: Section) -> None:
        kept: Made = []
        for b in s.blocks:
            if isinstance(b, Section):
                go(b)
                kept.append(b)
            elif isinstance(b, Paragraph) and b.origin == "generated":
                if b.text not in seen:
                    seen.add(b.text)
                    kept.append(b)
            else:
                kept.append(b)
        s.blocks = kept
    for s in sections:
        go(s)


def title_values(ctx: Context, project: Project | None) -> dict[str, str]:
    unit = ctx.unit_name or UNIT_PLACEHOLDER
    return {"unit": unit, "year": str(ctx.year), "next_year": str(ctx.year + 1),
            "project": project.name if project else ""}


def build_report(spec: OutlineSpec, ctx: Context, *, part: str, file_stem: str, project: Project | None = None
                 ) -> Report:
    values = title_values(ctx, project)
    if not ctx.unit_known:
        ctx.ledger.pend(Pending("标题和封面", "单位名称",
                                f"单位代码“{ctx.unit}”不在单位表中（载入 units.yaml 可免填）"))
    b = Build(ctx)
    sections = [_section(b, s, values, f"s{i}") for i, s in enumerate(spec.sections)]
    _dedupe(sections)
    kept = [k for k in (_prune(s) for s in sections) if k is not None]
    kept = _number(kept, spec.numbering)
    title_lines = tuple(_fill(t, values) for t in spec.title)
    report = Report(
        kind=spec.kind, title="".join(title_lines), unit_name=values["unit"], year=ctx.year, file_stem=file_stem,
        subtitle=_fill(spec.subtitle, values) if spec.subtitle else None, sections=kept, title_lines=title_lines,
        cover=_lines(spec.cover, values, ctx), header_lines=_lines(spec.header, values, ctx),
        signature=_lines(spec.signature, values, ctx), signature_inline=spec.signature_inline, part=part,
        outline=spec.name,
    )
    for n, fig in enumerate((x for x in report.blocks() if isinstance(x, Figure)), 1):
        fig.number = n
    from jixiao.write.workpaper import build_workpaper

    report.workpaper = build_workpaper(report, ctx)
    return report


# --------------------------------------------------------------------------------------------
# Which reports a unit-year gets
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """One report a unit-year could have: made or not, and why not."""

    part: str
    title: str
    made: bool
    reason: str = ""


def _has_budget_data(dy: DepartmentYear) -> bool:
    return any(getattr(part, name) is not None for part in (dy.budget, dy.income, dy.expenditure)
               for name in type(part).model_fields)


def plan(dataset: Dataset, unit: str, year: int) -> list[Planned]:
    """The reports of a unit-year in order: the fund report (when some fund has spending), the
    department report (when the department has budget figures), one per project."""
    fys = [fy for fy in dataset.fund_years if fy.unit == unit and fy.year == year]
    dy = next((d for d in dataset.departments if d.unit == unit and d.year == year), None)
    out = []
    if fys:
        spends = any(fy.expenditure.total is not None for fy in fys)
        out.append(Planned("fund", "基金支出绩效自评报告", spends, "" if spends else
                           "基金数据中没有基金支出，不生成基金支出绩效自评报告"
                           + ("（已有的参保、收入数写入部门整体支出绩效自评报告）" if dy is not None else "")))
    if dy is not None:
        has = _has_budget_data(dy)
        out.append(Planned("department", "部门整体支出绩效自评报告", has, "" if has else
                           "部门数据中没有预算、收入或支出数，不生成部门整体支出绩效自评报告"))
    projects = [p for p in dataset.projects if p.unit == unit and p.year == year]
    out += [Planned(f"project-{n}", f"项目支出绩效自评报告：{p.name}", True) for n, p in enumerate(projects, 1)]
    return out


def _ruleset(dataset: Dataset, unit: str, rules: RuleSet | str | None) -> RuleSet:
    if isinstance(rules, RuleSet):
        return rules
    return load_ruleset(rules or ruleset_of(dataset.units, unit))


def _safe(name: str) -> str:
    return "".join(ch for ch in name if ch not in '\\/:*?"<>|')[:40]


def reports_for(
    dataset: Dataset, unit_code: str, year: int, *, placeholders: bool = True, charts: bool = True,
    scores: Mapping[str, SelfEvalScores] | None = None, rules: RuleSet | str | None = None,
) -> list[Report]:
    """Every report the dataset supports for a unit and year, each with its working paper.

    ``rules`` (a rule set or its name; None: the unit's own, its nearest ancestor's, else default)
    picks the outlines, the warnings and scores every 自评表 unless ``scores`` are given.
    """
    from jixiao.write.scores import score_tables

    rs = _ruleset(dataset, unit_code, rules)
    if scores is None:
        scores = score_tables(dataset, unit_code, year, rs)

    def context() -> Context:
        return build_context(dataset, unit_code, year, rs, scores=scores, placeholders=placeholders, charts=charts)

    reports = []
    projects = [p for p in dataset.projects if p.unit == unit_code and p.year == year]
    for planned in plan(dataset, unit_code, year):
        if not planned.made:
            continue
        ctx = context()
        if planned.part == "fund":
            spec = choose("fund", rs.name, year)
            reports.append(build_report(spec, ctx, part="fund", file_stem=f"{unit_code}_{year}_基金支出绩效自评报告"))
        elif planned.part == "department":
            spec = choose("department", rs.name, year)
            reports.append(build_report(spec, ctx, part="department",
                                        file_stem=f"{unit_code}_{year}_部门整体支出绩效自评报告"))
        else:
            project = projects[int(planned.part.removeprefix("project-")) - 1]
            ctx.project = project
            spec = choose("project", rs.name, year)
            reports.append(build_report(spec, ctx, part=planned.part, project=project,
                                        file_stem=f"{project.unit}_{year}_项目_{_safe(project.name)}"))
    return reports


def fund_report(dataset: Dataset, unit_code: str, year: int, **kw: Any) -> Report | None:
    return next((r for r in reports_for(dataset, unit_code, year, **kw) if r.part == "fund"), None)


def department_report(dataset: Dataset, unit_code: str, year: int, **kw: Any) -> Report | None:
    return next((r for r in reports_for(dataset, unit_code, year, **kw) if r.part == "department"), None)


__all__ = ["Planned", "choose", "department_report", "fund_report", "outlines", "plan", "reports_for"]
