"""Readers: the seeds as txt in every encoding, and as real docx / pdf / html / md built from them."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from jixiao.audit.document import Block, Document, ReadError
from jixiao.audit.normalize import normalize
from jixiao.audit.readers import read_document

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "seeds"

_spec = importlib.util.spec_from_file_location("audit_fixtures", ROOT / "tests" / "data" / "audit_fixtures.py")
assert _spec and _spec.loader
af = importlib.util.module_from_spec(_spec)
sys.modules["audit_fixtures"] = af
_spec.loader.exec_module(af)


def seed(prefix: str) -> Path:
    return next(SEEDS.glob(f"{prefix}_*.txt"))


def span_in_source(block: Block, needle: str) -> str:
    i = block.text.index(needle)
    s, e = block.original_span(i, i + len(needle))
    return block.source_text[s:e]


def find(doc: Document, needle: str) -> Block:
    return next(b for b in doc.blocks if needle in b.text)


# --- plain text seeds ----------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seed_txt_one_block_per_line(prefix: str) -> None:
    path = seed(prefix)
    raw = path.read_text(encoding="utf-8")
    doc = read_document(path)
    lines = raw.split("\n")
    if lines[-1] == "":
        lines.pop()
    assert doc.format == "txt"
    assert doc.original_text == raw and doc.chars == len(raw)
    assert [b.line for b in doc.blocks] == list(range(1, len(lines) + 1))
    assert [b.source_text for b in doc.blocks] == lines
    for b in doc.blocks:
        assert b.text == normalize(b.source_text)[0]
        assert b.kind == "paragraph" and b.page is None


def test_seed_001_figures_keep_their_line() -> None:
    doc = read_document(seed("001"))
    block = find(doc, "基本医疗保险收入 355212万元")
    assert block.line == 43 and block.where() == "第43行"
    assert span_in_source(block, "355212万元") == "355,212 万元"
    assert span_in_source(block, "348610万元") == "348,610 万元"
    block = find(doc, "当年结余-1913万元")
    assert block.line == 39
    assert span_in_source(block, "-1913万元") == "-1913 万元"


def test_seed_003_debris_removed_and_mapped() -> None:
    doc = read_document(seed("003"))
    block = doc.blocks[35]
    assert block.line == 36 and block.text.startswith("2019年本年收入760.35万元，支出747.1万元")
    assert span_in_source(block, "760.35万元") == "760.35d万元"
    assert doc.blocks[2].text == "一、基本职能及主要工作"
    assert not any("[bookmark:" in b.text or "[image:" in b.text for b in doc.blocks)


def test_seed_002_html_tags_removed() -> None:
    doc = read_document(seed("002"))
    block = doc.blocks[15]
    assert block.line == 16 and "<p>" in block.source_text and "<" not in block.text
    assert span_in_source(block, "381.31万人") == "381.31 万人"


# --- tables in text -----------------------------------------------------------------------------


def test_seed_001_self_evaluation_table() -> None:
    doc = read_document(seed("001"))
    assert len(doc.tables) == 1
    table = doc.tables[0]
    assert table.unit == "万元"  # 单位：万元 on line 75, just above the table
    assert len(table.rows) == 17 and all(len(r) == 6 for r in table.rows)
    budget = table.rows[2][2]
    assert budget is not None and budget.text == "335412" and budget.line == 79
    assert (budget.kind, budget.table, budget.row, budget.col) == ("cell", 0, 2, 2)
    assert budget.where() == "第79行（表1第3行第3列）"
    s, e = budget.original_span(0, len(budget.text))
    assert budget.source_text == doc.blocks[78].source_text and budget.source_text[s:e] == "335412"
    executed = table.rows[2][4]
    assert executed is not None and executed.text == "289724"
    # empty cells (merged in the original Word form) are None
    assert table.rows[0][1] is None and table.rows[9][0] is None
    people = table.rows[9][5]
    assert people is not None and people.text == "9595人" and people.line == 86
    # the lines themselves stay in the document, the cells are not repeated there
    assert doc.blocks[78].text.startswith("预算执行情况\t预算数：\t335412")
    assert not any(b.kind == "cell" for b in doc.blocks)


def test_seed_003_one_cell_per_line_tables() -> None:
    doc = read_document(seed("003"))
    assert len(doc.tables) == 3
    first = doc.tables[0]
    labels = [[c.text if c else None for c in row] for row in first.rows]
    assert labels[2][:5] == ["预算执行情况", "预算数:", "251.2万元", "执行数:", "251.2万元"]
    assert [c.line for c in first.rows[2] if c] == [158, 159, 160, 161, 162]
    # "=100%", blank line, "100%": the second value belongs to the same row
    row = next(r for r in labels if r[2] == "质量指标")
    assert row[4:] == ["=100%", "100%"]
    third = doc.tables[2]
    assert third.rows[0][0] is not None and third.rows[0][0].line == 454
    assert any(c is not None and c.text == "≥15000人次" and c.line == 524 for r in third.rows for c in r)


def test_seed_002_form_rows() -> None:
    doc = read_document(seed("002"))
    assert len(doc.tables) == 2
    form = doc.tables[0]
    assert [c.line for c in (form.rows[i][0] for i in range(4)) if c] == [11, 12, 13, 14]
    cell = form.rows[1][2]
    assert cell is not None and cell.text == "年末资产总额：241.46万元； 负债总额：5.49万元"


def test_tab_indented_prose_is_not_a_table(tmp_path: Path) -> None:
    """Paragraphs indented with a tab (a common habit) must not turn into a one-cell-per-line table."""
    paragraphs = [ln for ln in af.seed_lines("000") if len(ln.strip()) > 40][:8]
    text = "\n\n".join("\t" + p.strip() + "\n\t" + p.strip()[::-1] for p in paragraphs)
    path = tmp_path / "indented.txt"
    path.write_text(text, encoding="utf-8")
    doc = read_document(path)
    assert doc.tables == []
    # a line with one stray tab in running text is not a table either
    path.write_text("2019年收入74200万元。\t\n支出65884万元。\n结余8836万元。\t（见表1）\n", encoding="utf-8")
    assert read_document(path).tables == []


@pytest.mark.parametrize(
    ("above", "inside", "unit"),
    [
        ("单位：万元", "", "万元"),
        ("单位:万元", "", "万元"),
        ("表2 收支情况（万元）", "", "万元"),
        ("金额单位：人民币元", "", "元"),
        ("（单位：亿元）", "", "亿元"),
        ("填报单位：人民医院", "", None),  # 单位 of the reporting unit, not a unit of measure
        ("", "(万元)\t其他资金\t\n", "万元"),
        ("", "", None),
    ],
)
def test_table_unit_header(tmp_path: Path, above: str, inside: str, unit: str | None) -> None:
    path = tmp_path / "unit.txt"
    path.write_text(f"正文。\n{above}\n项目\t收入\t支出\n职工医保\t74200\t65884\n{inside}", encoding="utf-8")
    doc = read_document(path)
    assert len(doc.tables) == 1 and doc.tables[0].unit == unit


def test_markdown_pipe_table_and_unit(tmp_path: Path) -> None:
    path = tmp_path / "report.md"
    path.write_text(
        "# 2019年基金收支\n\n单位：万元\n\n| 项目 | 收入 | 支出 |\n|---|---:|---:|\n"
        "| 职工医保 | 74,200 | 65,884 |\n| 城乡居民 | 26773 | 24624 |\n\n合计收入100973万元。\n",
        encoding="utf-8",
    )
    doc = read_document(path)
    assert doc.format == "md" and doc.blocks[0].kind == "heading"
    assert len(doc.tables) == 1
    table = doc.tables[0]
    assert table.unit == "万元"
    assert [[c.text if c else None for c in r] for r in table.rows] == [
        ["项目", "收入", "支出"], ["职工医保", "74200", "65884"], ["城乡居民", "26773", "24624"],
    ]
    cell = table.rows[1][1]
    assert cell is not None and cell.line == 7
    s, e = cell.original_span(0, len(cell.text))
    assert cell.source_text[s:e] == "74,200"


# --- encodings and line endings ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("codec", "bom", "note"),
    [
        ("utf-8", b"\xef\xbb\xbf", "UTF-8"),
        ("gb18030", b"", "GB18030"),
        ("gbk", b"", "GB18030"),
        ("utf-16-le", b"\xff\xfe", "UTF-16"),
        ("utf-16-be", b"\xfe\xff", "UTF-16"),
        ("utf-16-le", b"", "UTF-16LE"),
        ("utf-16-be", b"", "UTF-16BE"),
    ],
)
def test_encodings(tmp_path: Path, codec: str, bom: bytes, note: str) -> None:
    raw = seed("001").read_text(encoding="utf-8")
    path = tmp_path / "seed.txt"
    path.write_bytes(bom + raw.encode(codec))
    doc = read_document(path)
    reference = read_document(seed("001"))
    assert doc.original_text == raw
    assert [b.text for b in doc.blocks] == [b.text for b in reference.blocks]
    assert any(note in n for n in doc.notes), doc.notes
    assert len(doc.tables) == 1 and doc.tables[0].unit == "万元"


def test_crlf_and_cr_line_endings(tmp_path: Path) -> None:
    raw = seed("000").read_text(encoding="utf-8")
    reference = read_document(seed("000"))
    for sep in ("\r\n", "\r"):
        path = tmp_path / "crlf.txt"
        path.write_bytes(raw.replace("\n", sep).encode("utf-8"))
        doc = read_document(path)
        assert [(b.line, b.text, b.source_text) for b in doc.blocks] == [
            (b.line, b.text, b.source_text) for b in reference.blocks
        ]


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    doc = read_document(path)
    assert doc.blocks == [] and doc.chars == 0


# --- html --------------------------------------------------------------------------------------


def test_html_text_lines_and_tables(tmp_path: Path) -> None:
    html = (
        "<!DOCTYPE html>\n<html><head><title>报告</title><style>p {color: red}</style></head>\n<body>\n"
        "<p>2019年基金收入&nbsp;355,212 万元，支出268747万元。</p>\n"
        "<script>var x = 999999;</script>\n"
        "<p>单位：万元</p>\n"
        "<table>\n"
        "<tr><th>项目</th><th colspan=\"2\">金额</th></tr>\n"
        "<tr><td rowspan=\"2\">职工医保</td><td>收入</td><td>74,200</td></tr>\n"
        "<tr><td>支出</td><td>65884</td></tr>\n"
        "</table>\n<p>结余&lt;8836&gt;万元 &amp; 其他</p>\n</body></html>\n"
    )
    path = tmp_path / "r.html"
    path.write_text(html, encoding="utf-8")
    doc = read_document(path)
    assert doc.format == "html"
    assert len(doc.blocks) == len(html.split("\n")) - 1
    block = find(doc, "355212万元")
    assert block.line == 4 and block.text == "2019年基金收入 355212万元，支出268747万元。"
    assert span_in_source(block, "355212万元") == "355,212 万元"
    assert not any("999999" in b.text or "color" in b.text for b in doc.blocks)
    assert find(doc, "结余<8836>万元 & 其他").line == 12
    (table,) = doc.tables
    assert table.unit == "万元"
    grid = [[c.text if c else None for c in r] for r in table.rows]
    assert grid == [["项目", "金额", None], ["职工医保", "收入", "74200"], [None, "支出", "65884"]]
    cell = table.rows[1][2]
    assert cell is not None and cell.line == 9 and cell.kind == "cell"
    s, e = cell.original_span(0, len(cell.text))
    assert cell.source_text[s:e] == "74,200"
    # the row line reads like a tab-separated row
    assert find(doc, "职工医保").text == "职工医保\t收入\t74200"


# --- docx --------------------------------------------------------------------------------------


def test_docx_built_from_seed_001(tmp_path: Path) -> None:
    path = tmp_path / "seed001.docx"
    info = af.docx_from_seed_001(path)
    doc = read_document(path)
    assert doc.format == "docx"
    paragraphs = [b for b in doc.blocks if b.kind != "cell"]
    assert [b.source_text for b in paragraphs] == [p.strip() for p in info.paragraphs]
    assert [b.paragraph for b in paragraphs] == list(range(len(paragraphs)))
    # figures keep their paragraph, debris normalised, mapped back
    line43 = af.seed_lines("001")[42]
    block = find(doc, "保险收入 355212万元")
    assert block.paragraph == info.paragraphs.index(line43)
    assert block.where() == f"第{block.paragraph + 1}段"
    assert span_in_source(block, "355212万元") == "355,212 万元"

    # the table sits between paragraphs, in body order
    (table,) = doc.tables
    first_cell = table.rows[0][0]
    assert first_cell is not None
    k = doc.blocks.index(first_cell)
    assert doc.blocks[k - 1].paragraph == info.table_after_paragraph
    assert doc.blocks[k - 1].text == "单位：万元" and table.unit == "万元"
    # every non-empty cell of the form is read exactly once, at its own row and column
    cells = [c for row in table.rows for c in row if c is not None]
    assert sum(1 for b in doc.blocks if b.kind == "cell") == len(cells)
    for r, row in enumerate(info.grid):
        for c, text in enumerate(row):
            got = table.rows[r][c]
            if (r, c) in info.owner:
                assert got is None, (r, c)
            elif text:
                assert got is not None and got.source_text == text.strip(), (r, c)
                assert (got.table, got.row, got.col) == (0, r, c)
    # merged cells appear once
    assert sum(1 for c in cells if c.text == "绩效目标完成情况") == 1
    assert sum(1 for c in cells if c.text == "项目完成指标") == 1
    budget = table.rows[2][2]
    assert budget is not None and budget.text == "335412" and budget.where() == "表1第3行第3列"
    people = table.rows[9][5]
    assert people is not None and people.text == "9595人"


def test_docx_gridspan_vmerge_from_raw_xml(tmp_path: Path) -> None:
    """python-docx repeats a merged cell object for every grid position; the reader must not."""
    import docx

    document = docx.Document()
    document.add_paragraph("表1 收支情况（万元）")
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "2019年收支"
    table.cell(1, 0).merge(table.cell(2, 0)).text = "职工医保"
    table.cell(1, 1).text = "收入"
    table.cell(1, 2).text = "74,200"
    table.cell(2, 1).text = "支出"
    table.cell(2, 2).text = "65884"
    path = tmp_path / "merged.docx"
    document.save(str(path))
    assert len(document.tables[0].rows[0].cells) == 3  # python-docx repeats the merged cell
    doc = read_document(path)
    grid = [[c.text if c else None for c in r] for r in doc.tables[0].rows]
    assert grid == [["2019年收支", None, None], ["职工医保", "收入", "74200"], [None, "支出", "65884"]]
    assert doc.tables[0].unit == "万元"
    assert [b.text for b in doc.blocks] == ["表1 收支情况（万元）", "2019年收支", "职工医保", "收入", "74200",
                                            "支出", "65884"]


def test_docx_headings_and_content_controls(tmp_path: Path) -> None:
    import copy

    import docx

    document = docx.Document()
    document.add_heading("一、基本情况", level=1)
    p = document.add_paragraph("收入７４２００万元")
    # wrap the paragraph in a content control, as form templates do
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    sdt = OxmlElement("w:sdt")
    content = OxmlElement("w:sdtContent")
    sdt.append(content)
    content.append(copy.deepcopy(p._p))
    p._p.addprevious(sdt)
    p._p.getparent().remove(p._p)
    assert sdt.tag == qn("w:sdt")
    path = tmp_path / "h.docx"
    document.save(str(path))
    doc = read_document(path)
    assert [(b.kind, b.text, b.paragraph) for b in doc.blocks] == [
        ("heading", "一、基本情况", 0), ("paragraph", "收入74200万元", 1),
    ]


# --- pdf ---------------------------------------------------------------------------------------


def test_pdf_built_from_seed_000_keeps_pages(tmp_path: Path) -> None:
    path = tmp_path / "seed000.pdf"
    placed = af.pdf_from_seed_000(path)
    assert max(page for _, page in placed) >= 3
    doc = read_document(path)
    assert doc.format == "pdf" and doc.notes == []
    assert {b.page for b in doc.blocks} == {page for _, page in placed}
    assert all(b.line is None and b.page is not None for b in doc.blocks)
    checked = 0
    for text, page in placed:
        norm = normalize(text)[0]
        for m in re.finditer(r"\d+(?:\.\d+)?(?:万元|%|人次|人)", norm):
            hits = [b for b in doc.blocks if m.group() in b.text]
            assert any(b.page == page for b in hits), (m.group(), page)
            checked += 1
    assert checked > 80
    block = find(doc, "收入74200万元")
    assert block.where() == "第1页"


def test_pdf_table_with_unit(tmp_path: Path) -> None:
    path = tmp_path / "table.pdf"
    af.table_pdf(path, "2019年基金收支表 单位：万元", [
        ["项目", "收入", "支出"], ["职工医保", "74,200", "65884"], ["城乡居民", "26773", "24624"],
    ])
    doc = read_document(path)
    (table,) = doc.tables
    assert table.unit == "万元"
    assert [[c.text if c else None for c in r] for r in table.rows] == [
        ["项目", "收入", "支出"], ["职工医保", "74200", "65884"], ["城乡居民", "26773", "24624"],
    ]
    cell = table.rows[1][1]
    assert cell is not None and cell.page == 1 and cell.source_text == "74,200"
    assert cell.where() == "表1第2行第2列"


def test_pdf_with_a_scanned_page_says_so(tmp_path: Path) -> None:
    path = tmp_path / "mixed.pdf"
    af.scanned_pdf(path, pages=2, text_on_first_page="基金收入74200万元")
    doc = read_document(path)
    assert [(b.page, b.text) for b in doc.blocks] == [(1, "基金收入74200万元")]
    assert doc.notes == ["第2页没有文字层（可能是扫描页），未审核"]


def test_scanned_pdf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    af.scanned_pdf(path, pages=2)
    with pytest.raises(ReadError, match="扫描件，没有文字层"):
        read_document(path)


def test_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    path = tmp_path / "locked.pdf"
    c = canvas.Canvas(str(path), encrypt=pdfencrypt.StandardEncryption("secret", canPrint=0))
    c.drawString(100, 700, "income 74200")
    c.save()
    with pytest.raises(ReadError, match="加密"):
        read_document(path)


# --- refusals and sniffing -----------------------------------------------------------------------


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="文件不存在"):
        read_document(tmp_path / "nope.txt")
    with pytest.raises(ReadError, match="目录"):
        read_document(tmp_path)


def test_too_large(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="超过上限"):
        read_document(seed("003"), max_bytes=10_000)


def test_unknown_extension_is_sniffed(tmp_path: Path) -> None:
    text = tmp_path / "report.dat"
    text.write_bytes(seed("001").read_bytes())
    assert read_document(text).format == "txt"
    docx_path = tmp_path / "a.docx"
    af.docx_from_seed_001(docx_path)
    disguised = tmp_path / "report.bin"
    disguised.write_bytes(docx_path.read_bytes())
    assert read_document(disguised).format == "docx"
    renamed = tmp_path / "report.txt"
    renamed.write_bytes(docx_path.read_bytes())
    assert read_document(renamed).format == "docx"
    pdf_path = tmp_path / "a.pdf"
    af.simple_pdf(pdf_path, [["收入74200万元"]])
    disguised = tmp_path / "report"
    disguised.write_bytes(pdf_path.read_bytes())
    doc = read_document(disguised)
    assert doc.format == "pdf" and doc.blocks[0].text == "收入74200万元"
    misnamed = tmp_path / "real-pdf.docx"
    misnamed.write_bytes(pdf_path.read_bytes())
    assert read_document(misnamed).format == "pdf"


def test_wrong_content_for_extension(tmp_path: Path) -> None:
    path = tmp_path / "fake.docx"
    path.write_text("这不是 Word 文档", encoding="utf-8")
    with pytest.raises(ReadError, match="不是 Word 文档"):
        read_document(path)
    path = tmp_path / "fake.pdf"
    path.write_text("这不是 PDF", encoding="utf-8")
    with pytest.raises(ReadError, match="不是 PDF"):
        read_document(path)
    path = tmp_path / "old.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(ReadError, match=r"\.doc"):
        read_document(path)
    path = tmp_path / "sheet.docx"
    import zipfile

    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ReadError, match="不是 Word 文档"):
        read_document(path)
