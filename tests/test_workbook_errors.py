"""Malformed workbooks: each gets its clear Chinese message naming sheet and cell, no dataset,
and `jixiao report` writes nothing.

The base workbooks are real data: seed 004 (fund + department) and seed 003 (three projects)
exported with :func:`jixiao.write.workbook.fill_workbook`; each test breaks one thing as a user might.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from io import BytesIO
from pathlib import Path

import pytest
import typer
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from jixiao.cli import report
from jixiao.ingest.data import ReadResult
from jixiao.ingest.files import read_file
from jixiao.ingest.workbook import read_workbook
from jixiao.problems import Problem
from jixiao.write.workbook import fill_workbook
from jixiao.write.workbook.fill import put_text

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"

Mutation = Callable[[Workbook], None]


def _bytes(example: str) -> bytes:
    ds = read_file(EXAMPLES / example).dataset
    assert ds is not None
    buffer = BytesIO()
    fill_workbook(ds).save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def yiyang() -> bytes:
    return _bytes("004_yiyang_2020.yaml")


@pytest.fixture(scope="module")
def miyi() -> bytes:
    return _bytes("003_miyi_2019.yaml")


def _broken(base: bytes, mutate: Mutation, path: Path) -> ReadResult:
    wb = load_workbook(BytesIO(base))
    mutate(wb)
    wb.save(path)
    return read_workbook(path)


def _errors(result: ReadResult) -> list[Problem]:
    return [p for p in result.problems if p.severity == "error"]


def _has(result: ReadResult, code: str, where: str, *fragments: str) -> Problem:
    """The dataset is refused and one error has this code, sheet!cell and message fragments."""
    assert result.dataset is None
    errors = _errors(result)
    for p in errors:
        if p.code == code and p.path == where and all(f in p.message for f in fragments):
            return p
    raise AssertionError(f"no {code} at {where} with {fragments}; got:\n" + "\n".join(str(p) for p in errors))


def set_cell(sheet: str, cell: str, value: object) -> Mutation:
    def mutate(wb: Workbook) -> None:
        wb[sheet][cell].value = value
    return mutate


# --------------------------------------------------------------------------------------------
# Sheets
# --------------------------------------------------------------------------------------------


def test_unknown_sheet(yiyang: bytes, tmp_path: Path) -> None:
    result = _broken(yiyang, lambda wb: wb.create_sheet("Sheet1"), tmp_path / "b.xlsx")
    p = _has(result, "JX-WB-002", "Sheet1", "未知工作表“Sheet1”", "是否改了工作表名称")
    assert p.source == str(tmp_path / "b.xlsx")
    assert str(p).startswith(f"{tmp_path / 'b.xlsx'}:Sheet1: 未知工作表")


def test_missing_sheet(yiyang: bytes, tmp_path: Path) -> None:
    result = _broken(yiyang, lambda wb: wb.remove(wb["基金支出"]), tmp_path / "b.xlsx")
    _has(result, "JX-WB-003", "基金支出", "缺少工作表“基金支出”", "基金数据应有：基金收入、基金支出")


def test_renamed_sheet_is_unknown_and_its_place_missing(yiyang: bytes, tmp_path: Path) -> None:
    def rename(wb: Workbook) -> None:
        wb["三公经费"].title = "三公"
    result = _broken(yiyang, rename, tmp_path / "b.xlsx")
    _has(result, "JX-WB-002", "三公", "未知工作表“三公”")
    _has(result, "JX-WB-003", "三公经费", "缺少工作表“三公经费”", "部门整体支出数据应有")


def test_a_sheet_with_other_content_has_the_wrong_headers(yiyang: bytes, tmp_path: Path) -> None:
    def replace(wb: Workbook) -> None:
        ws = wb["功能分类"]
        for k, text in enumerate(["科目编码", "科目名称", "金额"], start=1):
            ws.cell(2, k).value = text
    result = _broken(yiyang, replace, tmp_path / "b.xlsx")
    _has(result, "JX-WB-004", "功能分类!A2", "未知列“科目编码”", "这张表是否被其他内容替换")


def test_a_changed_row_label(yiyang: bytes, tmp_path: Path) -> None:
    result = _broken(yiyang, set_cell("人员", "A3", "编制数"), tmp_path / "b.xlsx")
    _has(result, "JX-WB-005", "人员!A3", "未知项目“编制数”", "不是“人员”表的栏目")


def test_a_random_workbook_is_not_a_fill_in_workbook(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active["A1"] = "随便什么"
    wb.save(tmp_path / "other.xlsx")
    result = read_workbook(tmp_path / "other.xlsx")
    _has(result, "JX-WB-002", "Sheet", "未知工作表“Sheet”")
    _has(result, "JX-WB-003", "单位与年度", "缺少工作表“单位与年度”")


@pytest.mark.parametrize(("name", "content", "fragment"), [
    ("data.xlsx", b"not a zip at all", "不是有效的 .xlsx 文件"),
    ("old.xls", b"\xd0\xcf\x11\xe0", "不支持旧版 .xls 文件"),
    ("data.csv", b"a,b\n", "不是 Excel 工作簿"),
])
def test_files_that_are_not_workbooks(tmp_path: Path, name: str, content: bytes, fragment: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = read_workbook(path)
    assert result.dataset is None
    assert [(p.code, fragment in p.message) for p in result.problems] == [("JX-WB-001", True)]


# --------------------------------------------------------------------------------------------
# Cells
# --------------------------------------------------------------------------------------------


def test_text_in_a_number_cell(yiyang: bytes, tmp_path: Path) -> None:
    result = _broken(yiyang, set_cell("基金收入", "B4", "十五万一千六百六十一"), tmp_path / "b.xlsx")
    p = _has(result, "JX-WB-006", "基金收入!B4", "基金收入合计（职工基本医疗保险）", "“十五万一千六百六十一”不是数值",
             "这一格应填数字")
    assert str(p).endswith("这一格应填数字（如 74200 或 7.42亿元）")


def test_text_with_an_unknown_unit(yiyang: bytes, tmp_path: Path) -> None:
    result = _broken(yiyang, set_cell("基金支出", "E4", "328340万圆"), tmp_path / "b.xlsx")
    _has(result, "JX-WB-006", "基金支出!E4", "基金支出合计（城乡居民基本医疗保险）", "无法识别为数值", "未知单位“万圆”")


def test_yi_yuan_written_as_text_is_converted(yiyang: bytes, tmp_path: Path) -> None:
    result = _broken(yiyang, set_cell("基金收入", "B4", "15.1661亿元"), tmp_path / "b.xlsx")
    assert result.dataset is not None, [str(p) for p in result.problems]
    total = result.dataset.fund_years[0].income.total
    assert total is not None and (str(total), total.value_in("万元")) == ("15.1661亿元", 151661)
    info = [p for p in result.problems if p.path == "基金收入!B4"]
    assert [(p.severity, p.code) for p in info] == [("info", "JX-WB-020")]
    assert "按所写单位读取“15.1661亿元”（= 151661万元）" in info[0].message


def test_yuan_typed_into_a_wan_yuan_cell_is_absurd(yiyang: bytes, tmp_path: Path) -> None:
    """151661万元 typed as 元 (1516610000): validate's magnitude check, mapped to the cell."""
    result = _broken(yiyang, set_cell("基金收入", "B4", 1516610000), tmp_path / "b.xlsx")
    p = _has(result, "JX-IN-012", "基金收入!B4", "基金收入合计 1516610000万元 大得不合常理", "是否把“元”填成了“万元”")
    assert p.details["field"] == "fund_years[0].income.total"


def test_yi_yuan_in_a_persons_cell(yiyang: bytes, tmp_path: Path) -> None:
    result = _broken(yiyang, set_cell("参保与待遇", "B5", "3.8亿元"), tmp_path / "b.xlsx")
    _has(result, "JX-IN-003", "参保与待遇!B5", "参保人数：单位“亿元”不是人数的单位")


def test_a_value_on_a_section_title_row(yiyang: bytes, tmp_path: Path) -> None:
    result = _broken(yiyang, set_cell("参保与待遇", "B4", 388079), tmp_path / "b.xlsx")
    _has(result, "JX-WB-005", "参保与待遇!A4", "“参保人数”是分组标题行，不填数值")


def test_percent_in_a_money_cell(yiyang: bytes, tmp_path: Path) -> None:
    def percent(wb: Workbook) -> None:
        cell = wb["预算"]["B4"]
        cell.value, cell.number_format = 0.9557, "0.00%"
    result = _broken(yiyang, percent, tmp_path / "b.xlsx")
    _has(result, "JX-IN-003", "预算!B4", "年初预算：单位“%”不是金额的单位")


def test_negative_persons(yiyang: bytes, tmp_path: Path) -> None:
    result = _broken(yiyang, set_cell("人员", "B3", -5), tmp_path / "b.xlsx")
    _has(result, "JX-IN-003", "人员!B3", "编制人数：人数不能为负数（-5人）")


def test_a_date_in_a_number_cell(yiyang: bytes, tmp_path: Path) -> None:
    result = _broken(yiyang, set_cell("资产与结转", "B10", datetime(2020, 12, 31)), tmp_path / "b.xlsx")
    _has(result, "JX-WB-006", "资产与结转!B10", "年初结转和结余", "被 Excel 识别为日期")


def test_a_formula_never_computed(yiyang: bytes, tmp_path: Path) -> None:
    result = _broken(yiyang, set_cell("基金收入", "B4", "=C4+D4"), tmp_path / "b.xlsx")
    _has(result, "JX-WB-006", "基金收入!B4", "单元格是公式（=C4+D4）但没有计算结果")


def test_year_not_a_number(yiyang: bytes, tmp_path: Path) -> None:
    result = _broken(yiyang, set_cell("单位与年度", "B9", "二〇二〇"), tmp_path / "b.xlsx")
    _has(result, "JX-WB-006", "单位与年度!B9", "年度：“二〇二〇”不是整数")


def test_year_out_of_range(yiyang: bytes, tmp_path: Path) -> None:
    result = _broken(yiyang, set_cell("单位与年度", "B9", 1920), tmp_path / "b.xlsx")
    _has(result, "JX-IN-003", "单位与年度!B9", "年度：数值过小")


@pytest.mark.parametrize(("cell", "title"), [("B3", "单位代码"), ("B9", "年度")])
def test_missing_required_unit_cells(yiyang: bytes, tmp_path: Path, cell: str, title: str) -> None:
    result = _broken(yiyang, set_cell("单位与年度", cell, None), tmp_path / "b.xlsx")
    _has(result, "JX-WB-010", f"单位与年度!{cell}", f"缺少必填项“{title}”")


def test_missing_fund_kind_for_a_column_with_data(yiyang: bytes, tmp_path: Path) -> None:
    result = _broken(yiyang, set_cell("单位与年度", "B15", None), tmp_path / "b.xlsx")  # 统筹基金, column C
    _has(result, "JX-WB-010", "基金收入!C4", "第2个数值列有数据", "基金2没有选择险种/基金")
    _has(result, "JX-WB-010", "基金支出!C4", "基金2没有选择险种/基金")


def test_unknown_fund_kind_typed_by_hand(yiyang: bytes, tmp_path: Path) -> None:
    result = _broken(yiyang, set_cell("单位与年度", "B14", "新农合"), tmp_path / "b.xlsx")
    _has(result, "JX-IN-003", "单位与年度!B14", "险种/基金：取值“新农合”不在允许范围内", "职工基本医疗保险")


def test_the_same_fund_twice(yiyang: bytes, tmp_path: Path) -> None:
    def twice(wb: Workbook) -> None:
        ws = wb["单位与年度"]
        ws["B15"].value, ws["C15"].value = ws["B14"].value, ws["C14"].value
    result = _broken(yiyang, twice, tmp_path / "b.xlsx")
    _has(result, "JX-WB-008", "单位与年度!B15", "险种/基金“职工基本医疗保险”（口径 全市）与基金1重复")
    # the rows that belonged to the replaced 统筹基金 now belong to no fund; nothing else is wrong
    others = [p for p in _errors(result) if p.path != "单位与年度!B15"]
    assert others and all("记录“职工基本医疗保险统筹基金”不存在" in p.message for p in others)


def test_a_row_with_values_but_no_label(yiyang: bytes, tmp_path: Path) -> None:
    result = _broken(yiyang, set_cell("基金收入", "B20", 5), tmp_path / "b.xlsx")
    _has(result, "JX-WB-005", "基金收入!A20", "这一行有数值但没有项目名称")


# --------------------------------------------------------------------------------------------
# Shared tables
# --------------------------------------------------------------------------------------------


def test_unknown_record_in_stated(yiyang: bytes, tmp_path: Path) -> None:
    result = _broken(yiyang, set_cell("报告所述", "A3", "职工医疗保险"), tmp_path / "b.xlsx")
    _has(result, "JX-WB-007", "报告所述!A3", "记录“职工医疗保险”不存在", "部门整体支出", "城乡居民基本医疗保险")


def test_duplicate_stated_key(yiyang: bytes, tmp_path: Path) -> None:
    def dup(wb: Workbook) -> None:
        ws = wb["报告所述"]
        ws["A4"].value, ws["B4"].value = ws["A3"].value, ws["B3"].value
    result = _broken(yiyang, dup, tmp_path / "b.xlsx")
    _has(result, "JX-WB-008", "报告所述!B4", "指标代码“insured_yoy_rate”在第3行已有")


def test_stated_value_missing(yiyang: bytes, tmp_path: Path) -> None:
    result = _broken(yiyang, set_cell("报告所述", "C3", None), tmp_path / "b.xlsx")
    _has(result, "JX-WB-010", "报告所述!C3", "缺少“所述数值”（职工基本医疗保险的 insured_yoy_rate）")


# --------------------------------------------------------------------------------------------
# 绩效指标 (seed 003: project 1 is rows 3–9, project 2 rows 10–15, project 3 rows 16–29)
# --------------------------------------------------------------------------------------------


def weights(values: list[object], scores: list[object] | None = None) -> Mutation:
    def mutate(wb: Workbook) -> None:
        ws = wb["绩效指标"]
        for i, v in enumerate(values):
            ws.cell(3 + i, 8).value = v
        for i, s in enumerate(scores or []):
            ws.cell(3 + i, 9).value = s
    return mutate


def test_weights_not_summing_to_100(miyi: bytes, tmp_path: Path) -> None:
    result = _broken(miyi, weights([10] * 7), tmp_path / "b.xlsx")
    _has(result, "JX-WB-009", "绩效指标!H3:H9", "建档立卡贫困人员参加2019年城乡居民医保个人缴费代缴资金",
         "绩效指标分值合计为 70，应为 100", "指标分值合计应为 90")


@pytest.mark.parametrize("values", [
    [20, 10, 10, 20, 10, 10, 10], [30, 20, 10, 10, 10, 10, 10], [12.5, 12.5, 15, 15, 15, 10, 10],
])
def test_weights_summing_to_90_or_100_are_accepted(miyi: bytes, tmp_path: Path, values: list[object]) -> None:
    result = _broken(miyi, weights(values[:7]), tmp_path / "b.xlsx")
    assert result.dataset is not None, [str(p) for p in result.problems]
    assert [r.weight for r in result.dataset.projects[0].indicators] == [str(v) for v in values[:7]]


def test_weights_partly_filled(miyi: bytes, tmp_path: Path) -> None:
    result = _broken(miyi, weights([30, 20, None, 10, 10, 10, 10]), tmp_path / "b.xlsx")
    _has(result, "JX-WB-009", "绩效指标!H5", "分值没有填全（第5行未填）")


def test_score_above_weight(miyi: bytes, tmp_path: Path) -> None:
    result = _broken(miyi, weights([20, 10, 10, 20, 10, 10, 10], [20, 12]), tmp_path / "b.xlsx")
    _has(result, "JX-WB-009", "绩效指标!I4", "得分（第4行）12 超出 0—10")


def test_weight_as_text(miyi: bytes, tmp_path: Path) -> None:
    result = _broken(miyi, weights(["十分", 10, 10, 20, 10, 10, 20]), tmp_path / "b.xlsx")
    _has(result, "JX-WB-009", "绩效指标!H3", "“十分”不是非负的数字")


def test_duplicated_indicator_row(miyi: bytes, tmp_path: Path) -> None:
    def dup(wb: Workbook) -> None:
        ws = wb["绩效指标"]
        for k in range(1, 13):
            value = ws.cell(4, k).value
            if isinstance(value, str):
                put_text(ws.cell(30, k), value)
            else:
                ws.cell(30, k).value = value
    result = _broken(miyi, dup, tmp_path / "b.xlsx")
    _has(result, "JX-WB-008", "绩效指标!D30", "项目完成指标/质量指标/建档立卡未标注脱贫的贫困人口", "与第4行重复")


def test_indicator_of_an_unknown_project(miyi: bytes, tmp_path: Path) -> None:
    result = _broken(miyi, set_cell("绩效指标", "A5", "医保专项经费"), tmp_path / "b.xlsx")
    _has(result, "JX-WB-007", "绩效指标!A5", "项目“医保专项经费”不在“项目资金”表的项目名称中", "医保专项工作经费")


def test_unknown_nature_typed_by_hand(miyi: bytes, tmp_path: Path) -> None:
    result = _broken(miyi, set_cell("绩效指标", "E3", "大约"), tmp_path / "b.xlsx")
    _has(result, "JX-IN-003", "绩效指标!E3", "指标性质：取值“大约”不在允许范围内")


def test_missing_level3(miyi: bytes, tmp_path: Path) -> None:
    result = _broken(miyi, set_cell("绩效指标", "D6", None), tmp_path / "b.xlsx")
    _has(result, "JX-IN-003", "绩效指标!D6", "三级指标：缺少必填字段")


def test_duplicate_project_name(miyi: bytes, tmp_path: Path) -> None:
    name = "建档立卡贫困人员参加2019年城乡居民医保个人缴费代缴资金"
    result = _broken(miyi, set_cell("项目资金", "C2", name), tmp_path / "b.xlsx")
    _has(result, "JX-WB-008", "项目资金!C2", "项目名称“建档立卡贫困人员参加2019年城乡居民医保个人缴费代缴资金”重复")


def test_project_funds_in_a_column_without_a_name(miyi: bytes, tmp_path: Path) -> None:
    result = _broken(miyi, set_cell("项目资金", "F7", 12), tmp_path / "b.xlsx")
    _has(result, "JX-WB-010", "项目资金!F7", "这一列有数据但没有填写项目名称")


def test_all_problems_are_reported_at_once(yiyang: bytes, tmp_path: Path) -> None:
    def many(wb: Workbook) -> None:
        wb["基金收入"]["B4"].value = "abc"
        wb["人员"]["B3"].value = -1
        wb["单位与年度"]["B14"].value = "新农合"
    result = _broken(yiyang, many, tmp_path / "b.xlsx")
    assert {p.path for p in _errors(result)} >= {"基金收入!B4", "人员!B3", "单位与年度!B14"}


# --------------------------------------------------------------------------------------------
# Nothing is written
# --------------------------------------------------------------------------------------------


def _app() -> typer.Typer:
    app = typer.Typer(pretty_exceptions_enable=False)
    report.register(app)
    return app


@pytest.mark.parametrize(("mutate", "where"), [
    (set_cell("基金收入", "B4", "十五万"), "基金收入!B4"),
    (set_cell("基金收入", "B4", 1516610000), "基金收入!B4"),
    (set_cell("单位与年度", "B3", None), "单位与年度!B3"),
    (lambda wb: wb.create_sheet("草稿"), "草稿"),
    (set_cell("人员", "B3", -5), "人员!B3"),
], ids=["text", "yuan-as-wan", "no-code", "unknown-sheet", "negative"])
def test_report_writes_nothing_for_a_broken_workbook(yiyang: bytes, tmp_path: Path, mutate: Mutation,
                                                     where: str) -> None:
    wb = load_workbook(BytesIO(yiyang))
    mutate(wb)
    src = tmp_path / "broken.xlsx"
    wb.save(src)
    out = tmp_path / "out"
    result = CliRunner().invoke(_app(), ["report", str(src), "-o", str(out), "--formats", "html"])
    assert result.exit_code == 1
    assert f"{src}:{where}: " in result.stderr
    assert "未生成报告" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert not out.exists()


def test_report_into_an_existing_directory_leaves_it_untouched(yiyang: bytes, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    wb = load_workbook(BytesIO(yiyang))
    wb["预算"]["B4"].value = "一百"
    wb.save(tmp_path / "b.xlsx")
    result = CliRunner().invoke(_app(), ["report", str(tmp_path / "b.xlsx"), "-o", str(out)])
    assert result.exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
