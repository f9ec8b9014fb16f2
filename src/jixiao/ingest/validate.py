"""Checks on a dataset that the schema alone cannot make: references, parts and totals,
magnitudes that betray a wrong unit, duplicates, and a year's periods against each other and
against the year.

Errors make the load refuse the whole batch; warnings load but are shown. Each problem names
the field path and says what is wrong in Chinese. Comparisons use the written precision
(intervals), so a correctly rounded figure is never flagged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal

from pydantic import BaseModel

from jixiao.model import Dataset, Unit
from jixiao.model.department import DepartmentExpenditure, DepartmentYear, Staff, ThreePublic
from jixiao.model.funds import BalanceSheet, FundExpenditure, FundIncome, FundYear
from jixiao.model.periods import FundPeriod, Span, tiling
from jixiao.numbers import Interval, Quantity, UnitError, interval_sum, parse_quantity
from jixiao.problems import Problem

#: Above these a figure is not believable for one agency: most likely 元 typed into a 万元 field.
MAX_FUND_WAN = Decimal(100_000_000)  # 1 万亿元
MAX_DEPARTMENT_WAN = Decimal(1_000_000)  # 100 亿元
MAX_PERSONS = Decimal(2_000_000_000)


def _title(model: BaseModel, name: str) -> str:
    info = type(model).model_fields.get(name)
    return (info.title if info and info.title else name)


def _money(q: Quantity | None) -> Interval | None:
    return q.interval_in("万元") if q is not None else None


def _quantities(model: BaseModel, path: str) -> Iterator[tuple[str, Quantity, str]]:
    """Every Quantity in a (nested) model with its path and Chinese title."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, Quantity):
            yield f"{path}.{name}", value, _title(model, name)
        elif isinstance(value, BaseModel):
            yield from _quantities(value, f"{path}.{name}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from _quantities(item, f"{path}.{name}[{i}]")


def _parts_problems(
    model: BaseModel, total_name: str, part_names: Iterable[str], path: str, source: str | None,
    *, convert: str = "万元",
) -> list[Problem]:
    total = getattr(model, total_name)
    if total is None:
        return []
    total_iv = total.interval_in(convert)
    problems: list[Problem] = []
    parts: list[tuple[str, Quantity]] = []
    for name in part_names:
        part = getattr(model, name)
        if part is None:
            continue
        parts.append((name, part))
        if part.interval_in(convert).lo > total_iv.hi:
            problems.append(Problem(
                "JX-IN-010",
                f"{_title(model, name)} {part} 大于其总数 {_title(model, total_name)} {total}",
                source=source, path=f"{path}.{name}",
            ))
    if len(parts) >= 2 and not problems:
        summed = interval_sum([p.interval_in(convert) for _, p in parts])
        if summed.lo > total_iv.hi:
            names = "、".join(_title(model, n) for n, _ in parts)
            problems.append(Problem(
                "JX-IN-011",
                f"{names}之和约为 {summed.mid.normalize():f}{convert}，超过{_title(model, total_name)} {total}",
                severity="warning", source=source, path=f"{path}.{total_name}",
            ))
    return problems


def _magnitude_problems(model: BaseModel, path: str, limit_wan: Decimal, source: str | None) -> list[Problem]:
    problems = []
    for field_path, q, title in _quantities(model, path):
        if q.dimension == "money" and abs(q.value_in("万元")) >= limit_wan:
            problems.append(Problem(
                "JX-IN-012",
                f"{title} {q} 大得不合常理（≥{limit_wan:f}万元），是否把“元”填成了“万元”？",
                source=source, path=field_path,
            ))
        elif q.dimension in ("person", "person_time") and q.value_in(q.unit) * (
            Decimal(10_000) if q.unit.startswith("万") else 1
        ) >= MAX_PERSONS:
            problems.append(Problem("JX-IN-012", f"{title} {q} 大得不合常理", source=source, path=field_path))
        elif q.dimension in ("person", "person_time") and not q.unit.startswith("万") and q.approx is None \
                and q.value != q.value.to_integral_value():
            problems.append(Problem("JX-IN-013", f"{title} {q} 不是整数（人数、人次须为整数）",
                                    source=source, path=field_path))
    return problems


def _fund_year_problems(fy: FundYear, path: str, source: str | None) -> list[Problem]:
    problems = _magnitude_problems(fy, path, MAX_FUND_WAN, source)
    problems += _flow_problems(fy, path, source)
    problems += _parts_problems(
        fy.balance_sheet, "assets_total", BalanceSheet.ASSET_PARTS, f"{path}.balance_sheet", source
    )
    problems += _parts_problems(
        fy.balance_sheet, "liabilities_total", BalanceSheet.LIABILITY_PARTS, f"{path}.balance_sheet", source
    )
    problems += _coverage_problems(fy, path, source)
    problems += _parts_problems(fy.coverage, "insured", ("over_60",), f"{path}.coverage", source, convert="人")
    problems += _parts_problems(
        fy.services, "maternity", ("maternity_medical", "maternity_allowance"), f"{path}.services", source,
        convert="人次",
    )
    problems += _stated_problems(fy.stated, path, source)
    return problems


def _fund_period_problems(fp: FundPeriod, path: str, source: str | None) -> list[Problem]:
    problems = _magnitude_problems(fp, path, MAX_FUND_WAN, source)
    problems += _flow_problems(fp, path, source)
    problems += _coverage_problems(fp, path, source)
    problems += _stated_problems(fp.stated, path, source)
    return problems


def _flow_problems(record: FundYear | FundPeriod, path: str, source: str | None) -> list[Problem]:
    """Parts against totals of the items a year and a period share (income, expenditure, 参保)."""
    problems = _parts_problems(record.income, "total", FundIncome.PARTS, f"{path}.income", source)
    problems += _parts_problems(
        record.income, "contributions", ("contributions_employer", "contributions_individual"), f"{path}.income", source
    )
    problems += _parts_problems(record.expenditure, "total", FundExpenditure.PARTS, f"{path}.expenditure", source)
    problems += _parts_problems(
        record.expenditure, "benefits", FundExpenditure.BENEFIT_PARTS, f"{path}.expenditure", source
    )
    return problems


def _coverage_problems(record: FundYear | FundPeriod, path: str, source: str | None) -> list[Problem]:
    return _parts_problems(record.coverage, "insured", ("employed", "retired"), f"{path}.coverage", source,
                           convert="人")


def _department_problems(dy: DepartmentYear, path: str, source: str | None) -> list[Problem]:
    problems = _magnitude_problems(dy, path, MAX_DEPARTMENT_WAN, source)
    problems += _parts_problems(dy.expenditure, "total", DepartmentExpenditure.PARTS, f"{path}.expenditure", source)
    problems += _parts_problems(
        dy.expenditure, "basic", DepartmentExpenditure.BASIC_PARTS, f"{path}.expenditure", source
    )
    problems += _parts_problems(dy.income, "total", ("fiscal", "other"), f"{path}.income", source)
    problems += _parts_problems(dy.staff, "authorized", Staff.AUTHORIZED_PARTS, f"{path}.staff", source, convert="人")
    for which in ("actual", "budget"):
        total = getattr(dy.three_public.total, which)
        for name in ThreePublic.PARTS:
            part = getattr(getattr(dy.three_public, name), which)
            if total is not None and part is not None and part.interval_in("万元").lo > total.interval_in("万元").hi:
                problems.append(Problem(
                    "JX-IN-010",
                    f"“三公”经费中{_title(dy.three_public, name)} {part} 大于合计 {total}",
                    source=source, path=f"{path}.three_public.{name}.{which}",
                ))
    problems += _stated_problems(dy.stated, path, source)
    return problems


def _stated_problems(stated: dict, path: str, source: str | None) -> list[Problem]:
    problems = []
    for key, figure in stated.items():
        try:
            parse_quantity(figure.value)
        except (ValueError, UnitError) as exc:
            problems.append(Problem("JX-IN-014", f"所述数值“{figure.value}”无法识别：{exc}", source=source,
                                    path=f"{path}.stated.{key}"))
    return problems


def validate_dataset(ds: Dataset, known_units: set[str], source: str | None = None) -> list[Problem]:
    """All problems of one file's dataset; ``known_units`` are unit codes defined anywhere."""
    problems: list[Problem] = []
    codes = {u.code for u in ds.units} | known_units
    parents = {u.code: u.parent for u in ds.units}
    for i, unit in enumerate(ds.units):
        if unit.parent is not None and unit.parent not in codes:
            problems.append(Problem("JX-IN-022", f"上级单位“{unit.parent}”不存在", source=source,
                                    path=f"units[{i}].parent"))
        seen, cur = {unit.code}, unit.parent
        while cur is not None and cur in parents:
            if cur in seen:
                problems.append(Problem("JX-IN-022", f"单位“{unit.code}”的上级关系形成了循环", source=source,
                                        path=f"units[{i}].parent"))
                break
            seen.add(cur)
            cur = parents[cur]
    records: list[tuple[str, str]] = [
        *((f"fund_years[{i}]", r.unit) for i, r in enumerate(ds.fund_years)),
        *((f"fund_periods[{i}]", r.unit) for i, r in enumerate(ds.fund_periods)),
        *((f"departments[{i}]", r.unit) for i, r in enumerate(ds.departments)),
        *((f"projects[{i}]", r.unit) for i, r in enumerate(ds.projects)),
    ]
    for path, code in records:
        if code not in codes:
            problems.append(Problem("JX-IN-020", f"单位代码“{code}”未定义（先导入单位，或在 units 中列出）",
                                    source=source, path=f"{path}.unit"))
    for i, fy in enumerate(ds.fund_years):
        problems += _fund_year_problems(fy, f"fund_years[{i}]", source)
    for i, fp in enumerate(ds.fund_periods):
        problems += _fund_period_problems(fp, f"fund_periods[{i}]", source)
    for i, dy in enumerate(ds.departments):
        problems += _department_problems(dy, f"departments[{i}]", source)
    for i, pr in enumerate(ds.projects):
        problems += _magnitude_problems(pr, f"projects[{i}]", MAX_DEPARTMENT_WAN, source)
        problems += _parts_problems(pr.funds, "budget", ("budget_fiscal", "budget_carryover", "budget_other"),
                                    f"projects[{i}].funds", source)
        problems += _parts_problems(pr.funds, "executed", ("executed_fiscal", "executed_carryover", "executed_other"),
                                    f"projects[{i}].funds", source)
        problems += _stated_problems(pr.stated, f"projects[{i}]", source)
    return problems


def _same_unit(a: Unit, b: Unit) -> bool:
    same = (a.name, a.level, a.kind, a.parent) == (b.name, b.level, b.kind, b.parent)
    return same and (a.region is None or b.region is None or a.region == b.region)


def duplicate_records(loaded: list[tuple[str, Dataset]]) -> list[Problem]:
    """The same unit, fund-year, department-year or project defined twice in one batch."""
    seen: dict[tuple, str] = {}
    problems = []
    first_units: dict[str, Unit] = {}
    for source, ds in loaded:
        # the same unit stated twice alike (a workbook carries its own unit) is no conflict
        repeated = {
            i for i, u in enumerate(ds.units) if u.code in first_units and _same_unit(first_units[u.code], u)
        }
        for u in ds.units:
            first_units.setdefault(u.code, u)
        keyed: list[tuple[tuple, str, str]] = [
            *((("unit", u.code), f"units[{i}]", f"单位“{u.code}”")
              for i, u in enumerate(ds.units) if i not in repeated),
            *((("fund", *r.key, r.scope), f"fund_years[{i}]", f"{r.unit} {r.year}年{r.fund.value}")
              for i, r in enumerate(ds.fund_years)),
            *((("period", *r.key, r.scope), f"fund_periods[{i}]",
               f"{r.unit} {r.year}年{r.span.label}{r.fund.value}")
              for i, r in enumerate(ds.fund_periods)),
            *((("dept", *r.key), f"departments[{i}]", f"{r.unit} {r.year}年部门数据")
              for i, r in enumerate(ds.departments)),
            *((("project", *r.key), f"projects[{i}]", f"{r.unit} {r.year}年项目“{r.name}”")
              for i, r in enumerate(ds.projects)),
        ]
        for key, path, label in keyed:
            if key in seen:
                message = f"{label}重复（已在 {seen[key]} 中定义）"
                problems.append(Problem("JX-IN-021", message, source=source, path=path))
            else:
                seen[key] = f"{source}:{path}"
    return problems


# --------------------------------------------------------------------------------------------
# A year's periods against each other and against the year
# --------------------------------------------------------------------------------------------

#: the flow items a period and a year share, as (group, field): they add up over months
FLOWS: tuple[tuple[str, str], ...] = (
    *(("income", name) for name in FundIncome.model_fields),
    *(("expenditure", name) for name in FundExpenditure.model_fields),
    ("balance", "current"),
)


#: the records already stored for the unit-years a batch brings fund records for: called with
#: (those unit-years, the ones among them the batch brings months or quarters for); gives the
#: stored fund years and periods that can disagree with the batch (the app reads the database)
StoredFunds = Callable[[set[tuple[str, int]], set[tuple[str, int]]], Dataset]


@dataclass(frozen=True)
class _Entry:
    """A year's record or a period's, with the months it covers and where it was written;
    ``stored``: already in the database (the batch replaces a stored record of the same key)."""

    span: Span
    record: FundYear | FundPeriod
    source: str
    path: str
    stored: bool = False

    @property
    def annual(self) -> bool:
        return isinstance(self.record, FundYear)

    @property
    def label(self) -> str:
        what = "年度数" if self.annual else f"{self.span.label}数"
        return f"{'已保存的' if self.stored else ''}{self.record.year}年{what}"

    @property
    def where(self) -> str:
        """Where it was written, for a message about another record: "（file:path）", "（数据库）",
        or nothing when every record is stored (a page about stored data)."""
        where = f"{self.source}:{self.path}" if self.path else self.source
        return f"（{where}）" if where else ""

    def figure(self, group: str, name: str) -> Quantity | None:
        value = getattr(getattr(self.record, group), name)
        return value if isinstance(value, Quantity) else None

    def title(self, group: str, name: str) -> str:
        return _title(getattr(self.record, group), name)


def _tiling(whole: _Entry, pieces: list[_Entry]) -> list[_Entry] | None:
    """The fewest ``pieces`` that cover ``whole``'s months one after another, without gaps."""
    by_span: dict[Span, _Entry] = {}
    for piece in pieces:
        by_span.setdefault(piece.span, piece)
    spans = tiling(whole.span, by_span)
    return [by_span[s] for s in spans] if spans is not None else None


def _sum_problem(whole: _Entry, pieces: list[_Entry], group: str, name: str) -> Problem | None:
    total = whole.figure(group, name)
    parts = [p.figure(group, name) for p in pieces]
    if total is None or any(q is None for q in parts):
        return None
    summed = interval_sum([q.interval_in("万元") for q in parts if q is not None])
    if summed.meets(total.interval_in("万元")):
        return None
    title = whole.title(group, name)
    if len(pieces) == 1 and whole.stored:  # told at the batch's record: it speaks first
        message = f"{pieces[0].label}{title} {parts[0]} 与{whole.label} {total}{whole.where}不符"
        return Problem("JX-IN-031", message, "warning", pieces[0].source, f"{pieces[0].path}.{group}.{name}")
    if len(pieces) == 1:
        other = f"{pieces[0].label} {parts[0]}{pieces[0].where}"
    else:
        names = "、".join(("已保存的" if p.stored else "") + p.span.label for p in pieces)
        other = f"{names}之和约为 {summed.mid.normalize():f}万元"
    message = f"{whole.label}{title} {total} 与{other}不符"
    at = _batch_side(whole, pieces)
    return Problem("JX-IN-031", message, "warning", at.source, f"{at.path}.{group}.{name}")


def _batch_side(whole: _Entry, pieces: list[_Entry]) -> _Entry:
    """The entry a problem is told at: the whole unless it is stored, else the first piece the
    batch brings (a problem among stored records only is never raised again)."""
    return whole if not whole.stored else next(p for p in pieces if not p.stored)


def _balance_problems(whole: _Entry, pieces: list[_Entry]) -> list[Problem]:
    """The whole opens as its first piece opens and closes as its last piece closes."""
    problems = []
    for name, piece in (("opening", pieces[0]), ("closing", pieces[-1])):
        mine, theirs = whole.figure("balance", name), piece.figure("balance", name)
        if mine is None or theirs is None or mine.interval_in("万元").meets(theirs.interval_in("万元")):
            continue
        if whole.stored and piece.stored:
            continue
        # told at the batch's record, which speaks first; the other named with where it is
        first, second = (piece, whole) if whole.stored else (whole, piece)
        message = (f"{first.label}{first.title('balance', name)} {first.figure('balance', name)} 与{second.label}"
                   f"{second.title('balance', name)} {second.figure('balance', name)}{second.where}不符")
        problems.append(Problem("JX-IN-031", message, "warning", first.source, f"{first.path}.balance.{name}"))
    return problems


def _tiling_problems(entries: list[_Entry]) -> list[Problem]:
    problems: list[Problem] = []
    periods = [e for e in entries if not e.annual]
    for whole in entries:
        if whole.span.months < 2:
            continue
        # a period is not tiled by itself or by its duplicates (JX-IN-021 says those); a year by any period
        others = periods if whole.annual else [p for p in periods if p.span != whole.span]
        pieces = _tiling(whole, others)
        if not pieces or (whole.stored and all(p.stored for p in pieces)):
            continue
        for group, name in FLOWS:
            found = _sum_problem(whole, pieces, group, name)
            if found is not None:
                problems.append(found)
        problems += _balance_problems(whole, pieces)
    return problems


def _decreasing_problems(entries: list[_Entry]) -> list[Problem]:
    """Cumulative flows (from January) never fall from one month to a later one."""
    problems = []
    months = sorted({e.span.last for e in entries if e.span.cumulative})
    for group, name in FLOWS:
        if (group, name) == ("balance", "current"):
            continue  # 当期结余 may fall: a month can spend more than it takes in
        floor: tuple[_Entry, Quantity] | None = None  # the earlier figure with the highest lower bound
        for month in months:
            reached: list[tuple[_Entry, Quantity]] = []
            for entry in (e for e in entries if e.span.cumulative and e.span.last == month):
                q = entry.figure(group, name)
                if q is None:
                    continue
                if floor is not None and q.interval_in("万元").hi < floor[1].interval_in("万元").lo:
                    if entry.stored and floor[0].stored:
                        continue
                    message = (f"{entry.label}{entry.title(group, name)} {q} 小于{floor[0].label} {floor[1]}"
                               "：累计数不会减少，请核对月份或数值")
                    at = floor[0] if entry.stored else entry
                    problems.append(Problem("JX-IN-032", message, source=at.source,
                                            path=f"{at.path}.{group}.{name}"))
                else:
                    reached.append((entry, q))
            for entry, q in reached:
                if floor is None or q.interval_in("万元").lo > floor[1].interval_in("万元").lo:
                    floor = (entry, q)
    return problems


def period_problems(loaded: list[tuple[str, Dataset]], stored: StoredFunds | None = None) -> list[Problem]:
    """A batch's periods of one unit, year, fund and scope checked against each other and the year:
    the 1-12月 cumulative equals the year, periods that tile a longer one add up to it (JX-IN-031,
    at written precision), and cumulative income and expenditure do not fall (JX-IN-032). With
    ``stored``, against the records already stored too (those the batch does not replace): the
    same checks, told at the batch's record, never about stored records alone."""
    groups: dict[tuple[str, int, str, str | None], list[_Entry]] = {}
    for source, ds in loaded:
        _add_records(groups, ds, source, lambda kind, i: f"{kind}[{i}]")
    if stored is not None and groups:
        _add_stored(groups, stored)
    return _group_problems(groups)


def stored_period_problems(dataset: Dataset) -> list[Problem]:
    """The same checks on records already stored (saved before these checks existed, or one at
    a time), for a page to show: the problems carry neither a file nor a field path."""
    groups: dict[tuple[str, int, str, str | None], list[_Entry]] = {}
    _add_records(groups, dataset, "", lambda kind, i: "")
    return [replace(p, source=None, path=None) for p in _group_problems(groups)]


def _add_records(groups: dict[tuple[str, int, str, str | None], list[_Entry]], ds: Dataset, source: str,
                 path: Callable[[str, int], str]) -> None:
    for i, fy in enumerate(ds.fund_years):
        key = (fy.unit, fy.year, fy.fund.value, fy.scope)
        groups.setdefault(key, []).append(_Entry(Span(1, 12), fy, source, path("fund_years", i)))
    for i, fp in enumerate(ds.fund_periods):
        key = (fp.unit, fp.year, fp.fund.value, fp.scope)
        groups.setdefault(key, []).append(_Entry(fp.span, fp, source, path("fund_periods", i)))


def _group_problems(groups: dict[tuple[str, int, str, str | None], list[_Entry]]) -> list[Problem]:
    problems: list[Problem] = []
    for entries in groups.values():
        if all(e.annual for e in entries):
            continue
        problems += _tiling_problems(entries)
        problems += _decreasing_problems(entries)
    return problems


def _add_stored(groups: dict[tuple[str, int, str, str | None], list[_Entry]], stored: StoredFunds) -> None:
    """Join to each group the stored records of its unit, year, fund and scope the batch keeps."""
    keys = {(u, y) for u, y, _, _ in groups}
    months = {(u, y) for (u, y, _, _), entries in groups.items() if any(not e.annual for e in entries)}
    found = stored(keys, months)
    brought = {(k, e.annual, e.span) for k, entries in groups.items() for e in entries}
    records: list[FundYear | FundPeriod] = [*found.fund_years, *found.fund_periods]
    for record in records:
        key = (record.unit, record.year, record.fund.value, record.scope)
        span = record.span if isinstance(record, FundPeriod) else Span(1, 12)
        if key in groups and (key, isinstance(record, FundYear), span) not in brought:
            groups[key].append(_Entry(span, record, "数据库", "", stored=True))
