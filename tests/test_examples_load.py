"""The bundled example files (the seeds transcribed by hand) load cleanly and point at their seed.

Every ``examples/*.yaml`` must load together with ``examples/units.yaml`` as one batch and each
file on its own, without any error. Every figure in a ``stated:`` block must name the seed line it
comes from, and its ``quote`` must really be on that line of ``examples/seeds/<file>`` together with
the stated number, so a wrong line number or a mistyped figure fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jixiao.ingest.files import read_file, read_files
from jixiao.model import Dataset
from jixiao.numbers import parse_quantity

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ROOT = EXAMPLES.parent
UNITS = EXAMPLES / "units.yaml"
DATA_FILES = sorted(p for p in EXAMPLES.glob("*.yaml") if p != UNITS)
#: files whose transcription this test holds to "no problem at all", warnings included
HAND_CHECKED = ("000_hami_2019.yaml", "001_xinjiang_2019.yaml", "004_yiyang_2020.yaml")


def _squash(text: str) -> str:
    """Drop whitespace and thousands separators: seeds write '355,212 万元' and '19065 万元'."""
    return re.sub(r"[\s,，]", "", text)


def _stated_records(ds: Dataset) -> list[tuple[str, object]]:
    records: list[tuple[str, object]] = []
    records += [(f"{fy.unit} {fy.year} {fy.fund.value} {fy.scope or ''}", fy) for fy in ds.fund_years]
    records += [(f"{dy.unit} {dy.year} 部门", dy) for dy in ds.departments]
    records += [(f"{pr.unit} {pr.year} {pr.name}", pr) for pr in ds.projects]
    return records


def test_there_are_example_files_for_the_seeds() -> None:
    names = {p.name for p in DATA_FILES}
    for name in HAND_CHECKED:
        assert name in names
    assert len(DATA_FILES) >= 3


def test_all_examples_load_together() -> None:
    result = read_files([UNITS, *DATA_FILES])
    errors = [str(p) for p in result.problems if p.severity == "error"]
    assert result.ok, errors
    assert result.dataset is not None
    assert not errors
    units = {u.code for u in result.dataset.units}
    for record in [*result.dataset.fund_years, *result.dataset.departments, *result.dataset.projects]:
        assert record.unit in units


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_each_example_loads_with_the_unit_tree(path: Path) -> None:
    result = read_files([UNITS, path])
    assert result.ok, [str(p) for p in result.problems]
    if path.name in HAND_CHECKED:
        assert result.problems == [], [str(p) for p in result.problems]


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_examples_without_the_unit_tree_name_the_missing_units(path: Path) -> None:
    """The unit tree is really needed: alone, a data file's unit codes are unknown (JX-IN-020)."""
    result = read_files([path])
    assert not result.ok
    assert any(p.code == "JX-IN-020" for p in result.problems)


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_stated_figures_are_on_the_seed_line_they_name(path: Path) -> None:
    result = read_file(path)
    assert result.dataset is not None, [str(p) for p in result.problems]
    ds = result.dataset
    assert ds.source, f"{path.name}: source 应指向 examples/seeds/ 下的原文"
    seed = ROOT / ds.source
    assert seed.is_file() and seed.parent == EXAMPLES / "seeds", ds.source
    lines = seed.read_text(encoding="utf-8").splitlines()
    checked = 0
    for label, record in _stated_records(ds):
        for key, figure in record.stated.items():  # type: ignore[attr-defined]
            where = f"{path.name}: {label}: stated.{key}"
            assert figure.line is not None, f"{where}: 缺少行号"
            assert 1 <= figure.line <= len(lines), f"{where}: 行号 {figure.line} 超出原文"
            assert figure.quote, f"{where}: 缺少原文引语"
            line_text = _squash(lines[figure.line - 1])
            assert _squash(figure.quote) in line_text, f"{where}: 引语不在第 {figure.line} 行"
            number = parse_quantity(figure.value).value
            written = f"{abs(number):f}"
            assert written in _squash(figure.quote), f"{where}: 所述数值 {figure.value} 不在引语中"
            checked += 1
    if path.name in HAND_CHECKED:
        assert checked >= 10


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_notes_cite_lines_that_exist(path: Path) -> None:
    """Notes say where a fact is (“第63行”); the line must exist in the seed."""
    result = read_file(path)
    assert result.dataset is not None
    ds = result.dataset
    assert ds.source
    count = len((ROOT / ds.source).read_text(encoding="utf-8").splitlines())
    for label, record in _stated_records(ds):
        for note in record.notes:  # type: ignore[attr-defined]
            for cited in re.findall(r"第(\d+)(?:\s*[—–-]\s*(\d+))?行", note):
                for n in cited:
                    if n:
                        assert 1 <= int(n) <= count, f"{path.name}: {label}: 注释引用第{n}行，原文只有{count}行"
