"""A parent unit's roll-up (市级统筹视图): each fund's figures added over its subordinate units,
the indicators the engine computes on those sums, and per subordinate unit what it contributed,
whether it has data for the year and how many warnings its part of the tree has.

Which records a subordinate unit contributes, fund by fund (so nothing is counted twice and
nothing left out): its own record for the whole unit (口径 全市 / 全县 / none written) when it has
one; else its own record of a narrower 口径 (区本级, 市本级) together with the roll-up of its own
subordinates, by the same rule; else either of the two it has. The parent's own record is never
added to the sum: it is shown beside it (the dashboard), so the two can be compared.

The sums are :func:`jixiao.calc.rollup.roll_up`'s (exact, at the written precision, a figure that
some unit lacks left out and named); the indicators and warnings are the engine's
(:func:`jixiao.calc.dataset.assess`) on the summed record, by the parent's rule set.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from jixiao.app.cache import RevisionCache, kept_per_revision
from jixiao.app.pages.common import (
    WHOLE_SCOPES,
    Severity,
    UnitInfo,
    as_ruleset,
    get_unit,
    rule_indicators,
    scope_rank,
)
from jixiao.app.pages.comparison import index_complete
from jixiao.app.pages.dashboard import IndicatorView, WarningView, page_version, record_view
from jixiao.app.pages.unit_warnings import unit_warnings
from jixiao.app.units import UnitTable, rules_of_unit, unit_table
from jixiao.calc.dataset import assess, fund_groups
from jixiao.calc.rollup import SUM_UNITS, RolledFund, roll_up, shown_places
from jixiao.model import FundYear
from jixiao.model.funds import FUNDS, FundKind
from jixiao.numbers import Quantity, fmt
from jixiao.rules import RuleSet
from jixiao.store.indicator_store import engine_version, fund_scopes_of_year, ruleset_key, unit_years
from jixiao.store.pages import (
    YearLines,
    keep_rollup,
    keep_rollup_if_free,
    page_key,
    read_kept_rollup,
    year_content_lines,
)
from jixiao.store.repository import get_fund_years

_ROLLUPS: RevisionCache[Rollup] = RevisionCache(size=256)

Source = Literal["own", "own_and_subordinates", "subordinates", "none"]
SOURCE_LABEL = {"own": "本单位数据", "own_and_subordinates": "本级数据加下级合计", "subordinates": "下级合计",
                "none": "无本年数据"}

#: the figures a subordinate unit's row shows for the chosen fund (the total row is their sum)
CHILD_FIGURES = ("income.total", "expenditure.total", "balance.closing", "coverage.insured")


class RollupFigure(BaseModel):
    path: str = Field(description="model field path, e.g. income.total")
    label: str = Field(title="项目")
    value: Decimal
    display: str = Field(description="as written: 151661万元, 0.5万人 summed in 人")
    unit: str


class RollupGap(BaseModel):
    label: str = Field(title="未合计的项目")
    missing: list[str] = Field(title="缺少该项的下级单位")


class RollupFund(BaseModel):
    fund: str
    short: str
    units: list[str] = Field(description="codes of the subordinate units added")
    without: list[str] = Field(default_factory=list,
                               description="names of subordinate units with data this year but no record of this fund")
    figures: list[RollupFigure]
    gaps: list[RollupGap]
    indicators: list[IndicatorView] = Field(description="the engine on the sums (computable ones)")
    warnings: list[WarningView]


class ChildFigure(BaseModel):
    value: Decimal | None
    display: str


class RollupChild(BaseModel):
    unit: UnitInfo
    source: Source
    source_label: str
    has_children: bool
    figures: dict[str, ChildFigure] = Field(description="path → the figure it contributed to the chosen fund")
    units_total: int = Field(title="本单位及下级单位数")
    units_with_data: int = Field(title="其中有本年数据的单位数")
    warnings: dict[str, int] = Field(description="severity → count over the unit and its subordinates (本年)")
    worst: Severity | None = None
    status: str | None = Field(default=None, description="本单位本年的报送状态")


class Rollup(BaseModel):
    unit: UnitInfo
    year: int
    years: list[int] = Field(title="下级单位有数据的年度")
    ruleset: str
    funds: list[RollupFund]
    fund: str | None = Field(description="the fund the children's figures are shown for")
    child_figures: list[str] = Field(description="labels of the children's figure columns")
    child_paths: list[str]
    children: list[RollupChild]
    totals: dict[str, ChildFigure] = Field(description="path → the chosen fund's sum (the children's total row)")
    units_total: int = Field(title="下级单位总数（各级）")
    units_with_data: int = Field(title="其中有本年数据的单位数")
    warnings: dict[str, int] = Field(description="severity → count over every subordinate unit (本年)")
    status_counts: dict[str, int] | None = Field(
        default=None, description="报送状态 → 下级单位数（各级，含未开始）")


@dataclass
class _Contribution:
    funds: dict[FundKind, FundYear] = field(default_factory=dict)
    sources: dict[FundKind, Source] = field(default_factory=dict)
    scopes: dict[FundKind, str] = field(default_factory=dict)  # the 口径 of an own record used
    places: dict[FundKind, dict[str, int]] = field(default_factory=dict)  # of a fund that is a sum

    def source(self, kind: FundKind | None = None) -> Source:
        """How it was made: for one fund, or for all of them together."""
        if kind is not None:
            return self.sources.get(kind, "none")
        found = set(self.sources.values())
        if not found:
            return "none"
        return found.pop() if len(found) == 1 else "own_and_subordinates"


@dataclass
class _Tree:
    names: dict[str, str]
    children: dict[str, list[str]]
    rows: dict[str, Any]

    def below(self, code: str) -> list[str]:
        """Every unit under ``code`` (not ``code`` itself), depth first."""
        out: list[str] = []
        stack = list(reversed(self.children.get(code, [])))
        seen: set[str] = set()
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            out.append(current)
            stack.extend(reversed(self.children.get(current, [])))
        return out


def _tree(session: Session) -> _Tree:
    """The unit tree, made once per data revision (with the unit table it is made of)."""
    return _TREES.get_or_make(session, "tree", lambda: _make_tree(unit_table(session)))


def _make_tree(table: UnitTable) -> _Tree:
    return _Tree({r.code: r.name for r in table.rows}, table.children, {r.code: r for r in table.rows})


_TREES: RevisionCache[_Tree] = RevisionCache(size=1)


def _own_records(session: Session, code: str, year: int) -> tuple[dict[FundKind, FundYear], dict[FundKind, FundYear]]:
    """The unit's own records of each fund: (for the whole unit — 口径 none, 全市, 全县 …; of a
    narrower 口径 — 区本级, 市本级 —, the first by name when there are several)."""
    whole: dict[FundKind, FundYear] = {}
    narrow: dict[FundKind, FundYear] = {}
    for fy in sorted(get_fund_years(session, code, year), key=lambda f: scope_rank(f.scope or "")):
        target = whole if (fy.scope or "") in WHOLE_SCOPES else narrow
        target.setdefault(fy.fund, fy)
    return whole, narrow


@dataclass
class _Index:
    """Who has which fund records in the year (from the stored records' index), so a roll-up
    loads only the records it adds: a unit whose own whole-unit record covers a fund is not
    looked into for that fund."""

    scopes: dict[str, dict[str, list[str]]]
    tree: _Tree
    _below: dict[str, frozenset[str]] = field(default_factory=dict)

    def whole(self, code: str) -> set[str]:
        return {f for f, found in self.scopes.get(code, {}).items() if any(s in WHOLE_SCOPES for s in found)}

    def below(self, code: str) -> frozenset[str]:
        """The funds any unit under ``code`` has a record of."""
        found = self._below.get(code)
        if found is None:
            funds: set[str] = set()
            for child in self.tree.children.get(code, []):
                funds |= set(self.scopes.get(child, {})) | self.below(child)
            found = self._below[code] = frozenset(funds)
        return found


def _contribution(session: Session, index: _Index, code: str, year: int,
                  memo: dict[str, _Contribution]) -> _Contribution:
    """What ``code`` adds to its parent's roll-up, fund by fund (see the module docstring)."""
    found = memo.get(code)
    if found is not None:
        return found
    tree = index.tree
    whole, narrow = _own_records(session, code, year) if code in index.scopes else ({}, {})
    below: dict[FundKind, list[tuple[FundYear, dict[str, int] | None]]] = {}
    if index.below(code) - {k.value for k in whole}:
        for child in tree.children.get(code, []):
            given = _contribution(session, index, child, year, memo)
            for kind, record in given.funds.items():
                below.setdefault(kind, []).append((record, given.places.get(kind)))
    found = _Contribution()
    for kind in FundKind:
        if kind in whole:
            found.funds[kind], found.sources[kind], found.scopes[kind] = whole[kind], "own", whole[kind].scope or ""
        elif kind in narrow and kind not in below:
            found.funds[kind], found.sources[kind], found.scopes[kind] = narrow[kind], "own", narrow[kind].scope or ""
        elif kind in below:
            parts = ([(narrow[kind], None)] if kind in narrow else []) + below[kind]
            summed = roll_up([p for p, _ in parts], unit=code, year=year, names=tree.names,
                             part_places=[known for _, known in parts])
            found.funds[kind], found.places[kind] = summed.record, summed.places
            found.sources[kind] = "own_and_subordinates" if kind in narrow else "subordinates"
            if kind in narrow:
                found.scopes[kind] = narrow[kind].scope or ""
    memo[code] = found
    return found


def _figure_display(value: Any) -> str:
    return str(value) if isinstance(value, Quantity) else f"{value}"


def _figures(rolled: RolledFund) -> list[RollupFigure]:
    out: list[RollupFigure] = []
    for group in ("income", "expenditure", "budget", "balance", "balance_sheet", "coverage", "services", "previous",
                  "change"):
        part = getattr(rolled.record, group)
        for name, info in type(part).model_fields.items():
            value = getattr(part, name)
            if value is None:
                continue
            number = value.value if isinstance(value, Quantity) else Decimal(value)
            unit = value.unit if isinstance(value, Quantity) else ""
            path = f"{group}.{name}"
            shown = f"{fmt(number, rolled.places[path])}{unit}" if path in rolled.places else _figure_display(value)
            out.append(RollupFigure(path=path, label=info.title or name, value=number, display=shown, unit=unit))
    return out


def _title(path: str) -> str:
    group, name = path.split(".")
    model = type(getattr(FundYear(unit="x", year=2000, fund=FundKind.employee), group))
    return model.model_fields[name].title or path


def _sum_counts(parts: Sequence[Mapping[str, int]]) -> dict[str, int]:
    total = dict.fromkeys(("serious", "warning", "info"), 0)
    for part in parts:
        for key, n in part.items():
            total[key] = total.get(key, 0) + n
    return total


def _worst(counts: Mapping[str, int]) -> Severity | None:
    severity: Severity
    for severity in ("serious", "warning", "info"):
        if counts.get(severity):
            return severity
    return None


def _child_figures(record: FundYear | None, paths: Sequence[str],
                   places: Mapping[str, int] | None = None) -> dict[str, ChildFigure]:
    """What a record holds at ``paths``, each in the unit sums are made in (万元, 人, 人次) and shown
    with the decimals it counts with there — so a column and its total read alike."""
    out: dict[str, ChildFigure] = {}
    for path in paths:
        group, name = path.split(".")
        value = getattr(getattr(record, group), name) if record is not None else None
        if value is None:
            out[path] = ChildFigure(value=None, display="—")
        elif isinstance(value, Quantity) and str(value.dimension) in SUM_UNITS:
            unit = SUM_UNITS[str(value.dimension)]
            shown = value.to_unit(unit)
            digits = shown_places(value, unit, (places or {}).get(path))
            out[path] = ChildFigure(value=shown.value, display=f"{fmt(shown.value, digits)}{unit}")
        else:
            number = value.value if isinstance(value, Quantity) else Decimal(value)
            out[path] = ChildFigure(value=number, display=_figure_display(value))
    return out


def rollup_years(session: Session, unit: str) -> list[int]:
    """Years any unit under ``unit`` has data for (the roll-up's year choices)."""
    below = _tree(session).below(unit)
    if not below:
        return []
    # every unit's years, read once per data revision: a province's own GROUP BY took ~10 ms
    found = _UNIT_YEARS.get_or_make(session, "all", lambda: unit_years(session))
    return sorted({y for code in below for y in found.get(code, ())})


_UNIT_YEARS: RevisionCache[dict[str, list[int]]] = RevisionCache(size=1)


@functools.cache
def _page_version() -> str:
    """A digest of what shapes a roll-up beyond the engine and the rule set: a change to this
    module or the dashboard's views makes every kept roll-up stale."""
    digest = hashlib.sha256(page_version().encode())
    digest.update((resources.files("jixiao.app.pages") / "rollup.py").read_bytes())
    return digest.hexdigest()[:16]


def _kept_key(session: Session, unit: str, year: int, fund: str | None, rs: RuleSet) -> str:
    """What a kept roll-up of ``unit`` was made from: every record of the year under it
    (:func:`~jixiao.store.pages.subtree_content`, made from the year's lines kept), the units of
    its subtree as they are (names, parents, rule sets), its rule set, the engine and the page's
    format."""
    tree = _tree(session)
    below = tree.below(unit)
    shape = "\n".join("\t".join(str(v) for v in tree.rows[c]) for c in [unit, *below])
    # the year's lines are read once per data revision; each subtree's digest is then made in memory
    lines = _YEAR_LINES.get_or_make(session, year, lambda: year_content_lines(session, year))
    return page_key(lines.digest(below), shape, fund or "", ruleset_key(rs), engine_version(), _page_version())


_YEAR_LINES: RevisionCache[YearLines] = RevisionCache(size=8)


@kept_per_revision(_ROLLUPS, lambda a: (a["unit"], a["year"], a["fund"]))
def unit_rollup(session: Session, unit: str, year: int, *, fund: str | None = None) -> Rollup:
    """The roll-up of ``unit``'s subordinate units in ``year``, kept: in this process until the
    data revision moves, and in the database under the key of its subtree's records (so a write
    under another parent leaves it kept; one under this parent makes it stale at once). Callers
    must not change it. NotFound when the unit does not exist; a unit without subordinates, or
    whose subordinates have no data that year, gives a roll-up without funds. KeyError (Chinese)
    for an unknown ``fund``."""
    get_unit(session, unit)
    if fund is not None and fund not in {k.value for k in FundKind}:
        raise KeyError(f"未知基金“{fund}”")
    rs, key, found = _read_kept(session, unit, year, fund)
    if found is not None:
        kept = Rollup.model_validate_json(found)
        kept.years = rollup_years(session, unit)  # another year's data may have come or gone
        return kept
    made = compute_rollup(session, unit, year, fund=fund, ruleset=rs)
    keep_rollup_if_free(session, unit, year, fund or "", ruleset_key(rs), key, made.model_dump_json().encode())
    return made


def _read_kept(session: Session, unit: str, year: int, fund: str | None) -> tuple[RuleSet, str, bytes | None]:
    """The unit's rule set, the key its roll-up is kept under now, and the kept one if it is still good."""
    rs = as_ruleset(rules_of_unit(session, unit))
    index_complete(session, year, rs)  # records written behind the repository's back are indexed first
    key = _kept_key(session, unit, year, fund, rs)
    return rs, key, read_kept_rollup(session, unit, year, fund or "", ruleset_key(rs), key)


def refresh_rollup(session: Session, unit: str, year: int, *, force: bool = False) -> bool:
    """Make and keep ``unit``'s roll-up of ``year`` as its page first shows it (every fund, the
    unit's rule set) unless the one kept is still good (``force``: in any case), in the caller's
    transaction: what an import and ``jixiao db reindex`` do, so that no viewer waits for it
    (a province's roll-up reads every city's records: half a second). Whether it was made."""
    rs, key, found = _read_kept(session, unit, year, None)
    if found is not None and not force:
        return False
    made = compute_rollup(session, unit, year, ruleset=rs)
    keep_rollup(session, unit, year, "", ruleset_key(rs), key, made.model_dump_json().encode())
    return True


def rollup_parents(session: Session, below: Collection[str] | None = None) -> list[tuple[str, int]]:
    """Every unit with subordinates, with each year they have data for: the roll-ups there are
    (``below``: only those above these units, the roll-ups a change to them makes stale)."""
    table = unit_table(session)
    parents = {code for code, kids in table.children.items() if kids}
    if below is not None:
        above: set[str] = set()
        for code in below:
            parent = table.parents.get(code)
            while parent is not None and parent not in above:
                above.add(parent)
                parent = table.parents.get(parent)
        parents &= above
    return [(code, year) for code in sorted(parents) for year in rollup_years(session, code)]


def compute_rollup(session: Session, unit: str, year: int, *, fund: str | None = None,
                   ruleset: RuleSet | None = None) -> Rollup:
    """The roll-up computed from the records stored (pages use :func:`unit_rollup`, which keeps it)."""
    info = get_unit(session, unit)
    if fund is not None and fund not in {k.value for k in FundKind}:
        raise KeyError(f"未知基金“{fund}”")
    tree = _tree(session)
    rs = ruleset if ruleset is not None else as_ruleset(rules_of_unit(session, unit))
    rule_map = rule_indicators(rs)
    index_complete(session, year, rs)
    index = _Index(fund_scopes_of_year(session, year), tree)
    memo: dict[str, _Contribution] = {}
    kids = tree.children.get(unit, [])
    contributions = {child: _contribution(session, index, child, year, memo) for child in kids}
    parts: dict[FundKind, list[FundYear]] = {}
    known: dict[FundKind, list[dict[str, int] | None]] = {}
    for child in kids:
        for kind, record in contributions[child].funds.items():
            parts.setdefault(kind, []).append(record)
            known.setdefault(kind, []).append(contributions[child].places.get(kind))
    ordered = [k for k in FundKind if k in parts]
    rolled = {kind: roll_up(parts[kind], unit=unit, year=year, names=tree.names, part_places=known[kind])
              for kind in ordered}
    groups = fund_groups([r.record for r in rolled.values()])
    with_data = [c for c in kids if contributions[c].source() != "none"]
    funds: list[RollupFund] = []
    for kind, summed in rolled.items():
        found = assess(summed.record, rs, groups[(unit, year, None)])
        view = record_view("fund", FUNDS[kind].short, found, rule_map, fund=kind.value)
        funds.append(RollupFund(
            fund=kind.value, short=FUNDS[kind].short, units=list(summed.parts),
            without=[tree.names[c] for c in with_data if kind not in contributions[c].funds],
            figures=_figures(summed), gaps=[RollupGap(label=_title(path), missing=list(missing))
                                            for path, missing in summed.gaps.items()],
            indicators=[i for i in view.indicators if i.value is not None], warnings=view.warnings))
    chosen = FundKind(fund) if fund is not None else max(ordered, key=lambda k: len(parts[k]), default=None)

    everyone = tree.below(unit)
    years_of_units = unit_years(session, everyone) if everyone else {}
    warned = unit_warnings(session, year)
    children: list[RollupChild] = []
    for child in kids:
        subtree = [child, *tree.below(child)]
        counts = _sum_counts([warned.get(c, ({}, None))[0] for c in subtree])
        picked = contributions[child].funds.get(chosen) if chosen is not None else None
        picked_places = contributions[child].places.get(chosen) if chosen is not None else None
        row = tree.rows[child]
        children.append(RollupChild(
            unit=UnitInfo(code=row.code, name=row.name, level=row.level, kind=row.kind, parent=row.parent,
                          region=row.region),
            source=(source := contributions[child].source(chosen)),
            source_label=SOURCE_LABEL[source] + (f"（{scope}）" if (scope := contributions[child].scopes.get(
                chosen) if chosen is not None else None) else ""),
            has_children=bool(tree.children.get(child)),
            figures=_child_figures(picked, CHILD_FIGURES, picked_places),
            units_total=len(subtree), units_with_data=sum(1 for c in subtree if year in years_of_units.get(c, ())),
            warnings=counts, worst=_worst(counts)))
    totals = _child_figures(rolled[chosen].record if chosen is not None else None, CHILD_FIGURES,
                            rolled[chosen].places if chosen is not None else None)
    all_counts = _sum_counts([warned.get(c, ({}, None))[0] for c in everyone])
    years = sorted({y for ys in years_of_units.values() for y in ys})
    return Rollup(unit=info, year=year, years=years, ruleset=rs.title, funds=funds,
                  fund=chosen.value if chosen is not None else None,
                  child_figures=[_title(p) for p in CHILD_FIGURES], child_paths=list(CHILD_FIGURES),
                  children=children, totals=totals, units_total=len(everyone),
                  units_with_data=sum(1 for c in everyone if year in years_of_units.get(c, ())),
                  warnings=all_counts)


__all__ = ["Rollup", "RollupChild", "RollupFund", "compute_rollup", "refresh_rollup", "rollup_parents", "rollup_years",
           "unit_rollup"]
