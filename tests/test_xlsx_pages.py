"""Printed pages of the xlsx reports, read back from the files: the writer's page breaks never fall
inside a merged cell, every page's rows (with the repeated header) fit the printable height at the
sheet's fixed scale, the columns fit its width, and no last page holds a lone row."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

from jixiao.ingest.files import read_files
from jixiao.model.project import IndicatorRow, Project
from jixiao.write import write_report
from jixiao.write.sheet_pages import column_points, printable
from jixiao.write.tables import project_self_eval_table
from jixiao.write.xlsx import write_grid

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every example unit's xlsx files: the reports and their 审核底稿."""
    out = tmp_path_factory.mktemp("xlsx_pages")
    paths: list[Path] = []
    for example in sorted(EXAMPLES.glob("[0-9]*.yaml")):
        result = read_files([EXAMPLES / "units.yaml", example])
        assert result.ok and result.dataset is not None, example.name
        ds = result.dataset
        for unit, year in sorted({(r.unit, r.year) for r in [*ds.fund_years, *ds.departments, *ds.projects]}):
            paths += write_report(ds, unit, year, out, ("xlsx",), charts=False)
    return [p for p in paths if p.suffix == ".xlsx"]


def _rows(spec: str) -> tuple[int, int]:
    first, last = spec.replace("$", "").split(":")
    return int(first), int(last)


def pages_of(ws: Worksheet) -> list[tuple[int, int]]:
    """(first, last) rows of each printed page, from the sheet's print area and manual breaks."""
    area = ws.print_area
    assert area, ws.title
    _, _, _, last = range_boundaries(area[0].split("!")[-1] if isinstance(area, list) else area.split("!")[-1])
    starts = [1, *sorted(b.id + 1 for b in ws.row_breaks.brk)]
    assert starts == sorted(set(starts)) and starts[-1] <= last
    return [(s, (starts[i + 1] - 1 if i + 1 < len(starts) else last)) for i, s in enumerate(starts)]


def check_sheet(ws: Worksheet, *, cut_taller_than: float | None = None) -> list[tuple[int, int]]:
    """The sheet's pages, checked; ``cut_taller_than``: a merged cell at least this share of a page
    tall may be cut (it cannot share a page with enough else), none other."""
    setup = ws.page_setup
    assert not ws.sheet_properties.pageSetUpPr.fitToPage, ws.title  # Excel drops breaks under fit-to-page
    scale = int(setup.scale)
    width, height = printable(setup.orientation == "landscape")
    n_cols = max(k for _, k in ws._cells)
    cols = sum(column_points(ws.column_dimensions[get_column_letter(k)].width) for k in range(1, n_cols + 1))
    assert cols * scale / 100 <= width, ws.title
    pages = pages_of(ws)
    titles = _rows(ws.print_title_rows) if ws.print_title_rows else None
    tall = [(r.min_row, r.max_row) for r in ws.merged_cells.ranges if r.max_row > r.min_row]
    for i, (first, last) in enumerate(pages):
        for a, b in (m for m in tall if m[0] < first <= m[1]):
            span = sum(ws.row_dimensions[r].height or 0 for r in range(a, b + 1)) * scale / 100
            assert cut_taller_than is not None and span > cut_taller_than * height, (ws.title, first, (a, b))
        rows = [ws.row_dimensions[r].height for r in range(first, last + 1)]
        assert all(h is not None for h in rows), ws.title  # every height set, so no program guesses
        total = sum(h for h in rows if h is not None)
        if i and titles and titles[1] < first:
            total += sum(ws.row_dimensions[r].height or 0 for r in range(titles[0], titles[1] + 1))
        assert total * scale / 100 <= height, (ws.title, i + 1, total, scale)
    if len(pages) > 1:
        first, last = pages[-1]
        bordered = [r for r in range(first, last + 1) if ws.cell(r, 1).border.left.style == "thin"]
        assert len(bordered) >= 2, (ws.title, pages[-1])  # no lone table row on the last page
    return pages


def test_every_example_sheet_breaks_between_row_groups_and_fits_its_pages(books: list[Path]) -> None:
    assert len(books) >= 10
    broken = 0
    for path in books:
        for ws in load_workbook(path).worksheets:
            broken += len(check_sheet(ws)) > 1
    assert broken >= 1  # some example runs over a page, so breaks were placed


def tall_project(n: int) -> Project:
    """A 项目支出绩效自评表 with ``n`` 三级 rows under a few 一级/二级 groups, some with long text."""
    groups = [("产出指标", "数量指标"), ("产出指标", "质量指标"), ("产出指标", "时效指标"),
              ("效益指标", "社会效益指标"), ("效益指标", "可持续影响指标"), ("满意度指标", "服务对象满意度指标")]
    rows = []
    for i in range(n):
        level1, level2 = groups[min(i * len(groups) // n, len(groups) - 1)]
        long = "，".join(["按时足额拨付资金"] * (1 + i % 3))
        rows.append(IndicatorRow(level1=level1, level2=level2, level3=f"第{i + 1}项指标：{long}",
                                 target="≥95%", actual="98%", weight="2", score="2",
                                 deviation_reason=long if i % 3 == 0 else None))
    return Project(unit="T00001", year=2021, name="城乡居民医保参保缴费资助项目", department="测试市医疗保障局",
                   implementer="测试市医疗保障事务中心", goal_expected="资助困难群众参保", goal_actual="全部完成",
                   indicators=rows)


@pytest.mark.parametrize("n", [24, 60, 140])
def test_a_tall_self_eval_table_never_splits_its_groups(tmp_path: Path, n: int) -> None:
    grid = project_self_eval_table(tall_project(n), {})
    wb = Workbook()
    assert wb.active is not None
    write_grid(wb.active, grid, below=("填报人：", "联系电话：", "填报日期："))
    wb.save(tmp_path / "t.xlsx")
    ws = load_workbook(tmp_path / "t.xlsx").worksheets[0]
    pages = check_sheet(ws, cut_taller_than=0.4)
    assert len(pages) >= 2
    # the repeated row is the indicator part's header; each later page starts with it or an indicator row
    title_first, _ = _rows(ws.print_title_rows)
    assert ws.cell(title_first, 2).value == "一级指标"
    assert all(str(ws.cell(first, 4).value).startswith(("第", "三级指标")) for first, _ in pages[1:])
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows
    assert Decimal(ws.page_setup.scale) <= 100


def test_a_table_one_row_too_long_is_not_left_with_a_lone_row(tmp_path: Path) -> None:
    """Grow a plain table until its last row alone would spill onto a page of its own: the written
    sheet keeps company on its last page (a slightly smaller scale, or an earlier break)."""
    from jixiao.write.report import Grid
    from jixiao.write.sheet_pages import paginate, printable, width_scale
    from jixiao.write.xlsx import _sheet

    seen = 0
    for k in range(10, 120):
        grid = Grid(key="t", title="测试表", n_cols=4, widths=[2, 4, 2, 2], header_rows=1)
        for i, text in enumerate(("项目", "说明", "金额", "备注")):
            grid.add(0, i, text, header=True)
        for r in range(1, k + 1):
            grid.add(r, 0, f"第{r}行")
            grid.add(r, 1, "说明文字" * (1 + r % 5), align="left")
            grid.add(r, 2, str(r))
            grid.add(r, 3, "")
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        write_grid(ws, grid)
        sheet = _sheet(ws, grid, 2, 1 + grid.n_rows)  # a title row, no subtitle, then the table
        widths = sum(column_points(ws.column_dimensions[get_column_letter(c)].width) for c in range(1, 5))
        plain = paginate(sheet, width_scale(widths, False), printable(False)[1])
        if plain and plain[-1] == sheet.last:  # greedily, the last row would print alone
            seen += 1
            wb.save(tmp_path / f"t{k}.xlsx")
            check_sheet(load_workbook(tmp_path / f"t{k}.xlsx").worksheets[0])
    assert seen >= 1
