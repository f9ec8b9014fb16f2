"""Which unit-years a command works on: a unit and a year named by the user (code or name, "2020"
or "2020年") in the database or in files read on their own (no database).

A name or year that matches nothing, or a name that matches several units, is an
:class:`InvalidRequest` / :class:`NotFound` whose message says what there is.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from jixiao.app.errors import InvalidRequest, NotFound
from jixiao.ingest.files import read_file, read_files
from jixiao.ingest.workbook import read_workbook
from jixiao.model import Dataset, DepartmentYear, FundYear, Project
from jixiao.problems import Problem
from jixiao.store.repository import UnitNotFound, find_unit, load_dataset, unit_ruleset, years_of

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")


def parse_year(text: str) -> int:
    """``"2020"`` or ``"2020年"`` → 2020 (1990–2100)."""
    try:
        year = int(text.strip().removesuffix("年"))
    except ValueError as exc:
        raise InvalidRequest(f"年度“{text}”不是四位数年份") from exc
    if not 1990 <= year <= 2100:
        raise InvalidRequest(f"年度 {year} 超出范围（1990–2100）")
    return year


def records_of(dataset: Dataset) -> list[FundYear | DepartmentYear | Project]:
    return [*dataset.fund_years, *dataset.departments, *dataset.projects]


def unit_years(dataset: Dataset) -> list[tuple[str, int]]:
    """Every (unit, year) with records, in the order the records come."""
    seen: dict[tuple[str, int], None] = {}
    for r in records_of(dataset):
        seen.setdefault((r.unit, r.year), None)
    return list(seen)


# --------------------------------------------------------------------------------------------
# From the database
# --------------------------------------------------------------------------------------------


def with_unit_ruleset(session: Session, dataset: Dataset, code: str) -> Dataset:
    """``dataset`` (one unit's, read from the database) with that unit carrying the rule set it
    has in the stored tree (its own or inherited), so callers need not read its ancestors."""
    ruleset = unit_ruleset(session, code)
    units = [u.model_copy(update={"ruleset": ruleset}) if u.code == code else u for u in dataset.units]
    return dataset.model_copy(update={"units": units})


def stored_unit_year(session: Session, unit_text: str, year_text: str) -> tuple[Dataset, str, int]:
    """The stored records of the unit named ``unit_text`` (code, name, or a part of its name only
    one unit has) in ``year_text``, the unit carrying its rule set; NotFound says which years
    the unit has."""
    year = parse_year(year_text)
    try:
        unit = find_unit(session, unit_text)
    except UnitNotFound as exc:
        raise NotFound(str(exc)) from exc
    dataset = load_dataset(session, unit.code, year)
    if not records_of(dataset):
        years = years_of(session, unit.code)
        have = f"（已有年份：{'、'.join(map(str, years))}）" if years else "（该单位尚无任何数据）"
        raise NotFound(f"{unit.name}（{unit.code}）没有 {year} 年的数据{have}")
    return with_unit_ruleset(session, dataset, unit.code), unit.code, year


# --------------------------------------------------------------------------------------------
# From files read on their own
# --------------------------------------------------------------------------------------------


def read_inputs(paths: Sequence[Path]) -> tuple[Dataset | None, list[Problem]]:
    """Workbooks and data files read together, without a database: the units the records refer
    to need not be defined, and units defined in any of the files count for all."""
    problems: list[Problem] = []
    datasets: list[Dataset] = []
    workbooks = [p for p in paths if p.suffix.lower() in WORKBOOK_SUFFIXES]
    files = [p for p in paths if p not in workbooks]
    if files:
        referenced: set[str] = set()
        for path in files:
            ds = read_file(path).dataset
            if ds is not None:
                referenced |= {r.unit for r in records_of(ds)}
        result = read_files(list(files), referenced)
        problems += result.problems
        if result.dataset is not None:
            # a batch keeps the first file's source (often units.yaml, without one): take the first named
            source = next((ds.source for _, ds in result.parts if ds.source), None)
            datasets.append(result.dataset.model_copy(update={"source": source}))
    for path in workbooks:
        result = read_workbook(path)
        problems += result.problems
        if result.dataset is not None:
            datasets.append(result.dataset)
    if any(p.severity == "error" for p in problems) or not datasets:
        return None, problems
    merged = datasets[0]
    for ds in datasets[1:]:
        merged = merged.merged(ds)
    # a unit defined both in units.yaml and in a workbook is the same unit: keep one
    seen: dict[str, Any] = {}
    for unit in merged.units:
        seen.setdefault(unit.code, unit)
    source = next((ds.source for ds in datasets if ds.source), None)
    return merged.model_copy(update={"units": list(seen.values()), "source": source}), problems


def find_in_dataset(dataset: Dataset, unit_text: str) -> str:
    """The code of the unit named ``unit_text`` (code, name, or a part of one name) in ``dataset``."""
    text = unit_text.strip()
    codes = {r.unit for r in records_of(dataset)}
    codes |= {u.code for u in dataset.units}
    if text in codes:
        return text
    matches = [u for u in dataset.units if u.name == text] or [u for u in dataset.units if text in u.name]
    if len(matches) == 1:
        return matches[0].code
    if matches:
        raise InvalidRequest(f"“{text}”对应多个单位：{'、'.join(f'{u.name}（{u.code}）' for u in matches)}")
    raise NotFound(f"文件中没有单位“{text}”（有：{'、'.join(sorted(codes)) or '无'}）")


def one_unit_years(dataset: Dataset, unit: str | None, year: str | None) -> list[tuple[str, int]]:
    """The unit-years of ``dataset`` to show: all of them, or those of one unit (and one year)."""
    pairs = unit_years(dataset)
    if unit is None:
        if not pairs:
            raise NotFound("文件中没有基金、部门或项目数据")
        return pairs
    code = find_in_dataset(dataset, unit)
    pairs = [p for p in pairs if p[0] == code]
    if year is None:
        if not pairs:
            raise NotFound(f"文件中单位 {code} 没有任何数据记录")
        return pairs
    wanted = parse_year(year)
    years = [y for _, y in pairs]
    pairs = [p for p in pairs if p[1] == wanted]
    if not pairs:
        have = "、".join(map(str, years)) or "无"
        raise NotFound(f"文件中单位 {code} 没有 {wanted} 年的数据（已有年份：{have}）")
    return pairs


def matching_unit_years(dataset: Dataset, unit: str | None, year: str | None) -> list[tuple[str, int]]:
    """The unit-years of ``dataset`` to write reports for: every unit whose code is ``unit`` or
    whose name contains it (all when None), in ``year`` (all when None)."""
    pairs = unit_years(dataset)
    if unit is not None:
        text = unit.strip()
        codes = {u.code for u in dataset.units if u.name == text or text in u.name} | {text}
        pairs = [p for p in pairs if p[0] in codes]
    if year is not None:
        wanted = parse_year(year)
        pairs = [p for p in pairs if p[1] == wanted]
    if not pairs:
        raise NotFound("输入中没有所指单位、年度的基金、部门或项目数据")
    return pairs


__all__ = ["find_in_dataset", "matching_unit_years", "one_unit_years", "parse_year", "read_inputs",
           "records_of", "stored_unit_year", "unit_years", "with_unit_ruleset"]
