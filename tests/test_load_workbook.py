"""`jixiao load` takes a filled workbook like a YAML file: same dataset, problems by sheet!cell."""

from pathlib import Path

from openpyxl import load_workbook

from jixiao.ingest.files import read_file, read_files
from jixiao.write.workbook.fill import write_filled

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_a_filled_workbook_loads_to_the_same_dataset(tmp_path: Path) -> None:
    source = read_files([EXAMPLES / "units.yaml", EXAMPLES / "004_yiyang_2020.yaml"])
    assert source.dataset is not None
    book = tmp_path / "004.xlsx"
    write_filled(source.dataset, book, "430900", 2020)
    result = read_files([EXAMPLES / "units.yaml", book])
    assert result.ok, [str(p) for p in result.problems]
    assert result.dataset is not None
    by_fund = {fy.fund: fy.model_dump(mode="json") for fy in result.dataset.fund_years}
    for fy in source.dataset.fund_years:
        assert by_fund[fy.fund]["income"] == fy.model_dump(mode="json")["income"]


def test_a_broken_workbook_names_its_cell(tmp_path: Path) -> None:
    source = read_files([EXAMPLES / "units.yaml", EXAMPLES / "004_yiyang_2020.yaml"])
    assert source.dataset is not None
    book = tmp_path / "004.xlsx"
    write_filled(source.dataset, book, "430900", 2020)
    wb = load_workbook(book)
    ws = wb["基金收入"]
    cell = next(c for row in ws.iter_rows(min_row=2) for c in row[1:] if isinstance(c.value, int | float))
    cell.value = "十五万"
    wb.save(book)
    result = read_file(book)
    assert result.dataset is None
    assert any(p.path == f"基金收入!{cell.coordinate}" and "不是数值" in p.message for p in result.problems)
