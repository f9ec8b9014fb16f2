"""Generated files: .docx, .xlsx, .html and the charts, for the example units of seeds 001 and 004.

Each output is opened with its own reader (python-docx, openpyxl, the HTML text) and checked for
what the issue asks: headings of the outline, the 自评表 with merged cells, eastAsia fonts on every
run, a PAGE field in the footer, print settings, no external URL, figures embedded, and charts with
no missing glyph. The LibreOffice check converts a DOCX to PDF and reads its pages back (pdfinfo,
pdftotext, pdftoppm); it is skipped when LibreOffice or poppler is not installed — except on CI
(``CI`` set), where it fails instead.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import warnings
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from jixiao.ingest.files import read_files
from jixiao.model import Dataset
from jixiao.write import charts as ch
from jixiao.write import reports_for, write_report
from jixiao.write.outline import department_report, fund_report

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"


def dataset(name: str) -> Dataset:
    result = read_files([EXAMPLES / "units.yaml", EXAMPLES / name])
    assert result.ok, [str(p) for p in result.problems]
    assert result.dataset is not None
    return result.dataset


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("reports")
    paths = write_report(dataset("001_xinjiang_2019.yaml"), "650000-01", 2019, out)
    paths += write_report(dataset("004_yiyang_2020.yaml"), "430900", 2020, out)
    paths += write_report(dataset("002_zhuzhou_2018.yaml"), "430200-01", 2018, out)
    return {p.name: p for p in paths}


def pick(written: dict[str, Path], stem_part: str, ext: str) -> Path:
    paper = "_审核底稿" in stem_part
    found = [p for name, p in written.items() if stem_part in name and name.endswith(ext)
             and (paper or "_审核底稿" not in name)]
    assert len(found) == 1, (stem_part, ext, list(written))
    return found[0]


def test_every_report_in_every_format(written: dict[str, Path]) -> None:
    names = set(written)
    for stem in ("650000-01_2019_基金支出绩效自评报告", "650000-01_2019_项目_自治区本级医疗生育保险基金支出",
                 "430900_2020_部门整体支出绩效自评报告", "430200-01_2018_部门整体支出绩效自评报告"):
        for ext in ("docx", "xlsx", "html"):
            assert f"{stem}.{ext}" in names
        assert f"{stem}_审核底稿.xlsx" in names
    assert "430200-01_2018_基金支出绩效自评报告.docx" not in names  # 株洲: fund figures, no fund spending
    assert all(p.stat().st_size > 1000 for p in written.values())


# --- DOCX ---------------------------------------------------------------------------------------


def test_docx_fund_headings_follow_the_outline(written: dict[str, Path]) -> None:
    doc = Document(str(pick(written, "650000-01_2019_基金支出绩效自评报告", ".docx")))
    h1 = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    expected = ["基本情况", "基金收支余总体情况", "绩效目标设定情况", "预算完成及运行情况", "组织实施和绩效管理情况",
                "存在的问题及建议", "2020年工作措施", "附表"]
    assert [re.sub(r"^[一二三四五六七八九十]+、", "", h) for h in h1] == expected
    assert h1[0].startswith("一、") and h1[-1].startswith("八、")
    h2 = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Heading 2"]
    assert "（一）职工基本医疗保险基金" in h2 and "（二）绩效目标完成情况" in h2
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "2019年，区本级职工基本医疗保险基金总收入355212万元，其中：保险费（征缴）收入348610万元" in body
    assert "基金收入为年度收入预算360240万元的98.60%。" in body
    assert "不可计算" not in body
    assert not re.search(r"(增加|减少|增长|下降|缺口)[-−]", body)
    # the cover: title at word boundaries, the year once, then the lines a unit signs and stamps
    assert [p.text for p in doc.paragraphs if p.text.strip()][:3] == [
        "自治区医疗保障事业发展中心", "医疗保险基金支出绩效自评报告", "（2019年度）"]
    assert "负责人（签章）：" in body and "填报时间：    年  月  日" in body


def test_docx_department_headings(written: dict[str, Path]) -> None:
    doc = Document(str(pick(written, "430900_2020_部门整体支出绩效自评报告", ".docx")))
    h1 = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert h1[:6] == ["一、单位基本情况", "二、一般公共预算支出情况", "三、政府性基金预算支出情况",
                      "四、国有资本经营预算支出情况", "五、社会保险基金预决算收支情况", "六、部门整体支出绩效情况"]
    h2 = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Heading 2"]
    assert {"（一）运行成本方面", "（二）管理效率方面"} <= set(h2)
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "运行成本控制率为95.57%" in body and "“三公”经费控制率为22.95%" in body
    assert "单位（盖章）：益阳市医疗保障局" in body and "填报日期：    年  月  日" in body  # the signature


def test_docx_hunan_2018_is_the_one_page_form(written: dict[str, Path]) -> None:
    doc = Document(str(pick(written, "430200-01_2018_部门整体支出绩效自评报告", ".docx")))
    lines = [p.text for p in doc.paragraphs if p.text.strip()]
    assert lines[:3] == ["整体支出绩效自评报告", "（2018年度）", "填报单位（盖章）："]
    assert lines[-1].startswith("填报人：") and "联系电话：" in lines[-1] and "填报日期：" in lines[-1]
    form = doc.tables[0]
    assert form.cell(0, 0).text == "部门（单位）名称：株洲市医疗保险处"
    assert form.cell(0, 2).text.startswith("单位负责人")
    assert form.cell(2, 0).text == "年度预算收支情况" and "1. 年初预算资金1350.68万元。" in form.cell(2, 1).text
    assert form.cell(5, 0).text == "审核意见" and "绩效管理科意见" in form.cell(5, 2).text
    assert not [p for p in doc.paragraphs if p.style is not None and p.style.name.startswith("Heading")]


def test_docx_self_eval_table_has_merged_header_cells(written: dict[str, Path]) -> None:
    """The 财预〔2020〕10号 form of seed 001's project: its top, then its 绩效指标 part whose header row
    repeats on every page (a table of its own right under the top, so the two print as one)."""
    doc = Document(str(pick(written, "650000-01_2019_项目_自治区本级医疗生育保险基金支出", ".docx")))
    top = next(t for t in doc.tables if t.cell(0, 0).text == "项目名称")
    # 项目名称 spans two columns; its value spans the other eight
    assert top.cell(0, 0)._tc is top.cell(0, 1)._tc
    assert top.cell(0, 2)._tc is top.cell(0, 9)._tc
    # 项目资金（万元） spans five rows and two columns
    assert top.cell(2, 0).text == "项目资金（万元）"
    assert top.cell(2, 0)._tc is top.cell(6, 1)._tc
    assert top.cell(3, 8).text == "86.38%"  # 执行率: 289724 ÷ 335412
    assert (top.cell(3, 7).text, top.cell(3, 9).text) == ("10", "8.64")  # min(86.38%, 100%) × 10
    form = next(t for t in doc.tables if t.cell(0, 1).text == "一级指标")
    gap = form._tbl.getprevious()  # a one-point paragraph: two tables, printed as one form
    assert gap.getprevious() is top._tbl and not "".join(gap.itertext()).strip()
    xml = form._tbl.xml
    assert "w:gridSpan" in xml and "w:vMerge" in xml and "w:tblHeader" in xml
    # 一级指标 项目完成指标 spans its six rows, 满意度 its three
    level1 = [form.cell(r, 1).text for r in range(1, 10)]
    assert level1 == ["项目完成指标"] * 6 + ["满意度"] * 3
    assert form.cell(1, 1)._tc is form.cell(6, 1)._tc
    assert form.cell(1, 3).text == "社会保险待遇发放准确率" and form.cell(1, 4).text == "≥99%"
    # the 目标表 gives no 分值: not scored, and no total
    assert (form.cell(1, 6).text, form.cell(1, 7).text) == ("", "未计分")
    assert [form.cell(10, c).text for c in (0, 6, 7, 8)] == ["总分", "", "未计分", ""]


def test_docx_every_run_has_an_east_asian_font(written: dict[str, Path]) -> None:
    for name in ("650000-01_2019_基金支出绩效自评报告", "430900_2020_部门整体支出绩效自评报告"):
        doc = Document(str(pick(written, name, ".docx")))
        runs = doc.element.body.iter(qn("w:r"))
        count = 0
        for run in runs:
            if not "".join(t.text or "" for t in run.iter(qn("w:t"))):
                continue
            fonts = run.find(qn("w:rPr") + "/" + qn("w:rFonts"))
            assert fonts is not None and fonts.get(qn("w:eastAsia")), run.xml[:200]
            count += 1
        assert count > 50
        east = {r.get(qn("w:eastAsia")) for r in doc.element.body.iter(qn("w:rFonts"))}
        assert {"仿宋_GB2312", "黑体"} <= east


def test_docx_footer_page_field_and_a4(written: dict[str, Path]) -> None:
    doc = Document(str(pick(written, "430900_2020_部门整体支出绩效自评报告", ".docx")))
    section = doc.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    assert round(section.top_margin.cm, 1) == 3.7 and round(section.left_margin.cm, 1) == 2.8
    footer_xml = section.footer._element.xml
    assert "PAGE" in "".join(t.text or "" for t in section.footer._element.iter(qn("w:instrText")))
    assert footer_xml.count("w:fldChar") >= 3


def test_docx_embeds_the_figures(written: dict[str, Path]) -> None:
    doc = Document(str(pick(written, "430900_2020_部门整体支出绩效自评报告", ".docx")))
    images = [r for r in doc.part.rels.values() if "image" in r.reltype]
    captions = [p.text for p in doc.paragraphs if re.match(r"^图\d+：", p.text)]
    assert len(images) == len(captions) >= 1
    assert [int(re.match(r"图(\d+)", c).group(1)) for c in captions] == list(range(1, len(captions) + 1))


# --- XLSX ---------------------------------------------------------------------------------------


def test_xlsx_self_eval_sheet_prints_on_a4(written: dict[str, Path]) -> None:
    wb = load_workbook(pick(written, "项目_自治区本级医疗生育保险基金支出", ".xlsx"))
    ws = wb[wb.sheetnames[0]]
    assert ws["A1"].value == "项目支出绩效自评表"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert "A3:B3" in merged  # 项目名称 (the form starts under the title and 年度 rows)
    assert "A5:B9" in merged  # 项目资金（万元）: 5 rows × 2 columns
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 == "9"  # 9 = A4 in OOXML
    assert ws.page_setup.orientation == "landscape"
    # a fixed scale (the columns fit the width), not fit-to-page, under which Excel drops page breaks
    assert 10 <= int(ws.page_setup.scale) <= 100 and not ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$12:$12"  # the 绩效指标 header row, repeated on every page
    assert ws["F5"].value == "全年预算数"
    assert ws["F6"].value == 335412 and ws["F6"].number_format == "0"  # written whole: 335412
    assert ws["A3"].border.left.style == "thin"


def test_xlsx_self_eval_values_are_numbers_with_formats(written: dict[str, Path]) -> None:
    wb = load_workbook(pick(written, "430900_2020_部门整体支出绩效自评报告", ".xlsx"))
    ws = wb["部门整体支出绩效自评表"]
    rows = {ws.cell(r, 3).value: (ws.cell(r, 4).value, ws.cell(r, 4).number_format) for r in range(4, ws.max_row + 1)}
    # a rate is a number Excel can compute with, shown with its per cent sign (“95.57%”)
    assert rows["运行成本控制率"] in ((Decimal("95.57"), '0.00"%"'), (95.57, '0.00"%"'))
    assert ws.print_title_rows == "$1:$3"
    assert "指标计算表" not in wb.sheetnames  # formulas are the working paper's
    paper = load_workbook(pick(written, "430900_2020_部门整体支出绩效自评报告_审核底稿", ".xlsx"))
    assert "指标计算表" in paper.sheetnames


# --- HTML ---------------------------------------------------------------------------------------


def test_html_is_self_contained_with_figures_and_merged_tables(written: dict[str, Path]) -> None:
    for name in ("650000-01_2019_基金支出绩效自评报告", "430900_2020_部门整体支出绩效自评报告"):
        html = pick(written, name, ".html").read_text(encoding="utf-8")
        assert not re.search(r"https?://", html), "no external URL"
        assert "<link" not in html and "<script" not in html
        images = re.findall(r'<img [^>]*src="data:image/png;base64,', html)
        captions = re.findall(r"<figcaption>图\d+：", html)
        assert len(images) == len(captions) >= 1
    html = pick(written, "650000-01_2019_项目_自治区本级医疗生育保险基金支出", ".html").read_text(encoding="utf-8")
    assert 'rowspan="5" colspan="2">项目资金（万元）' in html
    assert "<h2>一、基本情况</h2>" in html
    assert '<p class="placeholder">（待填写：' in html  # shown for what it is


# --- Charts -------------------------------------------------------------------------------------


def _glyph_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if "missing from font" in str(w.message) or "Glyph" in str(w.message)]


def test_charts_have_every_glyph() -> None:
    """Every chart of the example reports, drawn with warnings recorded: none about a missing glyph."""
    charts = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        examples = (("001_xinjiang_2019.yaml", "650000-01", 2019), ("004_yiyang_2020.yaml", "430900", 2020))
        for name, unit, year in examples:
            for report in reports_for(dataset(name), unit, year):
                charts += [f.chart for f in report.figures()]
        # a negative bar (生育保险 deficit) and every Chinese label
        charts.append(ch.bar_chart("neg", "当期结余（负数）", ["当期结余"], [("2019年", [Decimal("-1913")])], "万元"))
    assert not _glyph_warnings(caught), _glyph_warnings(caught)
    assert len(charts) >= 5
    for c in charts:
        assert c.png.startswith(b"\x89PNG\r\n\x1a\n") and len(c.png) > 5000


def test_glyph_check_would_catch_a_western_font() -> None:
    """The hook above is not idle: drawing Chinese with a Latin-only font does warn."""
    import matplotlib.pyplot as plt

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with plt.rc_context({"font.family": "DejaVu Sans"}):
            fig, ax = plt.subplots()
            ax.set_title("收入结构")
            fig.savefig(__import__("io").BytesIO(), format="png")
            plt.close(fig)
    assert _glyph_warnings(caught)


def test_without_the_system_font_the_bundled_one_draws(monkeypatch: pytest.MonkeyPatch) -> None:
    """No 文泉驿微米黑 (paths and name both absent): the chart is drawn with the bundled font, every glyph
    there; only a missing bundled file too (a broken install) is the clear Chinese error."""
    ch.cjk_font.cache_clear()
    monkeypatch.setattr(ch, "CJK_FONT_PATHS", (Path("/nonexistent/wqy.ttc"),))
    monkeypatch.setattr(ch, "CJK_FAMILY", "No Such CJK Font")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            chart = ch.bar_chart("x", "收入", ["收入"], [("2019年", [Decimal(1)])], "万元")
        assert not _glyph_warnings(caught), _glyph_warnings(caught)
        assert chart.png.startswith(b"\x89PNG") and ch.cjk_font_path() == ch.BUNDLED_FONT_PATH
        ch.cjk_font.cache_clear()
        monkeypatch.setattr(ch, "BUNDLED_FONT_PATH", Path("/nonexistent/JixiaoSansSC-Regular.otf"))
        with pytest.raises(ch.ChartFontError, match="fonts-wqy-microhei"):
            ch.bar_chart("x", "收入", ["收入"], [("2019年", [Decimal(1)])], "万元")
    finally:
        monkeypatch.undo()
        ch.cjk_font.cache_clear()
    assert ch.cjk_font_path().is_file()


# --- Reports the data do not support ------------------------------------------------------------


def test_no_report_without_data() -> None:
    ds = dataset("004_yiyang_2020.yaml")
    assert fund_report(ds, "430900", 2019) is None
    assert department_report(ds, "999999", 2020) is None
    with pytest.raises(ValueError, match="无法生成报告"):
        write_report(ds, "430900", 1999, "/tmp/never-written")
    zhuzhou = dataset("002_zhuzhou_2018.yaml")
    with pytest.raises(ValueError, match="没有基金支出"):
        write_report(zhuzhou.model_copy(update={"departments": []}), "430200-01", 2018, "/tmp/never-written")


def test_officer_text_goes_where_it_belongs() -> None:
    ds = dataset("001_xinjiang_2019.yaml")
    pr = ds.projects[0].model_copy(update={"narrative": {"存在问题": "经办人员不足。", "有关建议": "增加经办人员。",
                                                         "负责人": "张三"}})
    ds = ds.model_copy(update={"projects": [pr]})
    report = next(r for r in reports_for(ds, "650000-01", 2019, placeholders=False, charts=False)
                  if r.kind == "project")
    by_title = {re.sub(r"^[一二三四五六七八九十]+、", "", s.title): s for _, s in report.walk()}
    problems = by_title["主要经验及做法、存在的问题及原因分析"]
    assert "经办人员不足。" in [b.text for b in problems.blocks]
    assert [b.text for b in by_title["有关建议"].blocks] == ["增加经办人员。"]
    assert "绩效评价工作开展情况" not in by_title  # no text, no placeholder → no empty heading
    assert ("负责人", "张三") in [(line.label, line.value) for line in report.signature]


# --- LibreOffice: the DOCX converts and its pages read back ---------------------------------------


def _tool(name: str, package: str) -> str:
    """The path of a command-line tool; skipped when absent — but a failure on CI (``CI`` set), where
    ``scripts/system-deps.sh`` installs it, so the check runs there and cannot pass by skipping."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} 未安装（Debian 软件包 {package}，由 scripts/system-deps.sh 安装）"
        if os.environ.get("CI"):
            pytest.fail(f"CI 上必须运行此检查：{message}")
        pytest.skip(message)
    return path


def _pdf_of(docx_path: Path, tmp_path: Path) -> Path:
    soffice = _tool("soffice", "libreoffice-writer-nogui")
    proc = subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(docx_path)],
        capture_output=True, text=True, timeout=300,
    )
    pdf = tmp_path / (docx_path.stem + ".pdf")
    assert proc.returncode == 0 and pdf.is_file(), proc.stdout + proc.stderr
    return pdf


def _pdf_pages(pdf: Path) -> int:
    info = subprocess.run([_tool("pdfinfo", "poppler-utils"), str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    found = re.search(r"^Pages:\s+(\d+)", info, re.M)
    assert found, info
    return int(found.group(1))


def _pdf_text(pdf: Path) -> list[str]:
    """The text of each page (pdftotext), spaces and line breaks removed."""
    text = subprocess.run([_tool("pdftotext", "poppler-utils"), "-enc", "UTF-8", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    return [re.sub(r"\s+", "", page) for page in text.split("\f") if page.strip()]


def test_docx_converts_to_pdf_with_libreoffice(written: dict[str, Path], tmp_path: Path) -> None:
    import pdfplumber

    pdf = _pdf_of(pick(written, "430900_2020_部门整体支出绩效自评报告", ".docx"), tmp_path)
    pages = _pdf_text(pdf)
    assert 4 <= _pdf_pages(pdf) == len(pages) <= 20  # every page has text: none left blank
    with pdfplumber.open(pdf) as doc:
        sizes = {(round(float(p.width)), round(float(p.height))) for p in doc.pages}
    assert (595, 842) in sizes and (842, 595) in sizes  # A4 portrait body, the 自评表 landscape
    assert "益阳市医疗保障局2020年度部门整体支出绩效自评报告" in pages[0]
    text = "".join(pages)
    assert "运行成本控制率为95.57%" in text
    assert "—1—" in pages[0] and "—2—" in pages[1]  # the PAGE field was evaluated on every page
    assert "部门整体支出绩效自评表" in text and "图1：" in text
    raw = subprocess.run([_tool("pdftotext", "poppler-utils"), "-layout", "-enc", "UTF-8", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    assert not [line for line in raw.splitlines() if line.rstrip().endswith(("-", "−"))]  # no orphaned sign


def test_scored_self_eval_table_survives_the_pdf(written: dict[str, Path], tmp_path: Path) -> None:
    """The project report of seed 001: its 自评表 scored by default and its 评分说明, as printed."""
    pdf = _pdf_of(pick(written, "项目_自治区本级医疗生育保险基金支出", ".docx"), tmp_path)
    pages = _pdf_text(pdf)
    assert 3 <= _pdf_pages(pdf) == len(pages) <= 12
    text = "".join(pages)
    assert "项目支出绩效自评表" in text and "总分" in text and "8.64" in text and "未计分" in text
    assert "289724" in text  # 全年执行数 on one line: the column is wide enough not to break it
    assert "评分说明" not in text and "project_budget_execution_score" not in text  # the working paper's
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        sizes = [(round(float(p.width)), round(float(p.height))) for p in doc.pages]
    assert sizes[0] == (595, 842) and (842, 595) in sizes  # A4 portrait body, the 自评表 landscape
    png = tmp_path / "page"
    subprocess.run([_tool("pdftoppm", "poppler-utils"), "-r", "40", "-png", "-f", "1", "-l", "1", str(pdf),
                    str(png)], check=True, capture_output=True, timeout=120)
    rendered = sorted(tmp_path.glob("page*.png"))
    assert rendered and rendered[0].stat().st_size > 2000


# --- Every example unit: every generated sentence traceable -------------------------------------

NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _numbers_of(value: object, out: set[str]) -> None:
    from pydantic import BaseModel

    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            _numbers_of(getattr(value, name), out)
    elif isinstance(value, dict):
        for v in value.values():
            _numbers_of(v, out)
    elif isinstance(value, list):
        for v in value:
            _numbers_of(v, out)
    elif value is not None:
        out.update(NUMBER.findall(str(value).replace("-", " ")))


EXAMPLE_FILES = sorted(p.name for p in EXAMPLES.glob("0*.yaml"))


def _allowed_numbers(ds: Dataset, unit: str, year: int) -> set[str]:
    """Every number a generated sentence may print: the records' inputs as written, the engine's
    displays, the numbers of the rule set's band labels (“高于110%”)."""
    from jixiao.calc import compute_department, compute_fund_year, compute_project
    from jixiao.model.units import ruleset_of
    from jixiao.rules import load_ruleset

    allowed: set[str] = {"60"}  # the label “60岁以上”
    for rule in load_ruleset(ruleset_of(ds.units, unit)).warnings:
        for band in getattr(rule, "bands", []) + getattr(rule, "rate_bands", []):
            allowed.update(NUMBER.findall(band.label))
    records = [r for r in [*ds.fund_years, *ds.departments, *ds.projects] if (r.unit, r.year) == (unit, year)]
    _numbers_of(records, allowed)
    results = []
    for fy in (r for r in ds.fund_years if (r.unit, r.year) == (unit, year)):
        siblings = {o.fund: o for o in ds.fund_years
                    if (o.unit, o.year, o.scope) == (fy.unit, fy.year, fy.scope) and o is not fy}
        results += compute_fund_year(fy, siblings)
    results += [r for dy in ds.departments if (dy.unit, dy.year) == (unit, year) for r in compute_department(dy)]
    results += [r for pr in ds.projects if (pr.unit, pr.year) == (unit, year) for r in compute_project(pr)]
    allowed.update(x for r in results if r.value is not None for x in NUMBER.findall(r.display()))
    allowed.update(x.lstrip("-") for x in list(allowed))
    return allowed


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_every_example_unit_gets_reports_with_traceable_numbers(name: str) -> None:
    ds = dataset(name)
    keys = {(r.unit, r.year) for r in [*ds.fund_years, *ds.departments, *ds.projects]}
    assert keys
    for unit, year in sorted(keys):
        reports = reports_for(ds, unit, year, charts=False)
        assert reports, (unit, year)
        allowed = _allowed_numbers(ds, unit, year)
        for para in (p for report in reports for p in report.paragraphs() if p.origin == "generated"):
            assert "不可计算" not in para.text
            assert not re.search(r"(增加|减少|增长|下降|缺口)-", para.text), para.text
            # a figure computed from the printed figures is traceable through its claim
            mine = allowed | {x for c in para.claims for x in NUMBER.findall(c.result)}
            mine |= {x.lstrip("-") for x in mine}
            counted = re.sub(r"\d+(?=项|个项目)|^\d+\.", "", para.text.replace("−", "-"))  # counts, numbering
            for number in NUMBER.findall(counted):
                assert number in mine, f"{name} {unit}: “{number}” in “{para.text}”"


def test_a_scorer_fills_the_self_eval_table() -> None:
    """The 自评表 builder takes 分值/得分 from a SelfEvalScores: what a scorer will hand it."""
    from jixiao.calc import compute_project
    from jixiao.write import RowScore, SelfEvalScores, scores_from_data
    from jixiao.write.tables import project_self_eval_table

    pr = dataset("001_xinjiang_2019.yaml").projects[0]
    results = {r.id: r for r in compute_project(pr)}
    blank = project_self_eval_table(pr, results, scores_from_data(pr))
    assert all(c.text == "" for c in blank.cells if c.row >= 10 and c.col in (6, 7) and c.row < 19)
    rows = [RowScore("10", "9.5", "≥99% 达成") for _ in pr.indicators]
    scored = project_self_eval_table(pr, results, SelfEvalScores(
        rows=rows, budget_weight="10", budget_score="8.64", total_weight="100", total_score="94.1", grade="优"))
    at = {(c.row, c.col): c.text for c in scored.cells}
    assert at[(3, 7)] == "10" and at[(3, 9)] == "8.64" and at[(3, 8)] == "86.38%"
    assert [at[(r, 6)] for r in range(10, 19)] == ["10"] * 9
    assert [at[(r, 7)] for r in range(10, 19)] == ["9.5"] * 9
    last = 10 + len(pr.indicators)
    assert (at[(last, 0)], at[(last, 6)], at[(last, 7)], at[(last, 8)]) == ("总分", "100", "94.1", "优")
