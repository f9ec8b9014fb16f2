"""Word output (python-docx) in the style of a government document (GB/T 9704 practice).

A4, margins 3.7/3.5/2.8/2.6 cm; body 仿宋_GB2312 三号 (16 pt) with a fixed 28 pt line and a two-
character first-line indent; title 方正小标宋简体 二号; level-1 headings 黑体 三号, level-2 楷体_GB2312
三号, level-3 仿宋_GB2312 三号 bold; page numbers “— 1 —” from a PAGE field in the footer. Every run
carries its Chinese font in ``w:rFonts w:eastAsia`` (and Times New Roman for digits and Latin), so
Word and LibreOffice do not fall back to a Western font for the Chinese text. Tables are real Word
tables; the 自评表's merged header cells are merged cells. Appendix tables go into a landscape section.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run

from jixiao.write.report import Figure, Grid, Paragraph, Report, Section

LATIN = "Times New Roman"
BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
H1_FONT = "黑体"
H2_FONT = "楷体_GB2312"
TABLE_FONT = "仿宋_GB2312"
BODY_SIZE = Pt(16)   # 三号
TITLE_SIZE = Pt(22)  # 二号
TABLE_SIZE = Pt(10.5)  # 五号
CAPTION_SIZE = Pt(12)  # 小四
LINE = Pt(28)
ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}


def set_run_font(run: Run, east_asia: str, size: Pt | None = None, *, bold: bool | None = None) -> None:
    """Set the run's Latin font and its ``w:eastAsia`` font (python-docx sets only the former)."""
    run.font.name = LATIN
    r_pr = run._element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), LATIN)
    fonts.set(qn("w:eastAsia"), east_asia)
    if size is not None:
        run.font.size = size
    if bold is not None:
        run.font.bold = bold
    run.font.color.rgb = RGBColor(0, 0, 0)


def _style_fonts(doc: DocxDocument) -> None:
    """Default fonts of the styles used (runs set them again; this is for text typed later in Word)."""
    for name, font, size, bold in (
        ("Normal", BODY_FONT, BODY_SIZE, False),
        ("Heading 1", H1_FONT, BODY_SIZE, False),
        ("Heading 2", H2_FONT, BODY_SIZE, False),
        ("Heading 3", BODY_FONT, BODY_SIZE, True),
        ("Title", TITLE_FONT, TITLE_SIZE, False),
    ):
        style = doc.styles[name]
        style.font.name = LATIN
        style.font.size = size
        style.font.bold = bold
        style.font.color.rgb = RGBColor(0, 0, 0)
        r_pr = style.element.get_or_add_rPr()
        fonts = r_pr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            r_pr.insert(0, fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:cs"):
            fonts.set(qn(attr), LATIN)
        fonts.set(qn("w:eastAsia"), font)
        for theme_attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme_attr), None)
        pf = style.paragraph_format
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = LINE
        pf.space_before = Pt(0)
        pf.space_after = Pt(0)


def _page_setup(section: object, *, landscape: bool = False) -> None:
    s = section
    s.page_width, s.page_height = (Cm(29.7), Cm(21.0)) if landscape else (Cm(21.0), Cm(29.7))  # type: ignore[attr-defined]
    s.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT  # type: ignore[attr-defined]
    if landscape:
        s.top_margin, s.bottom_margin, s.left_margin, s.right_margin = Cm(2.6), Cm(2.6), Cm(2.5), Cm(2.5)  # type: ignore[attr-defined]
    else:
        s.top_margin, s.bottom_margin, s.left_margin, s.right_margin = Cm(3.7), Cm(3.5), Cm(2.8), Cm(2.6)  # type: ignore[attr-defined]
    s.footer_distance = Cm(2.0)  # type: ignore[attr-defined]


def _add_field(paragraph: DocxParagraph, instruction: str, placeholder: str, font: str, size: Pt) -> None:
    """A complex field (``PAGE``): begin, instruction, separate, cached result, end."""

    def fld_char(kind: str) -> Run:
        run = paragraph.add_run()
        set_run_font(run, font, size)
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        run._element.append(el)
        return run

    fld_char("begin")
    run = paragraph.add_run()
    set_run_font(run, font, size)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._element.append(instr)
    fld_char("separate")
    cached = paragraph.add_run(placeholder)
    set_run_font(cached, font, size)
    fld_char("end")


def _footer(section: object) -> None:
    footer = section.footer  # type: ignore[attr-defined]
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    size = Pt(14)  # 四号
    set_run_font(p.add_run("— "), "宋体", size)
    _add_field(p, "PAGE", "1", "宋体", size)
    set_run_font(p.add_run(" —"), "宋体", size)


def _paragraph(doc: DocxDocument, text: str, *, font: str = BODY_FONT, size: Pt = BODY_SIZE, bold: bool = False,
               align: str = "justify", indent: bool = True, style: str | None = None) -> DocxParagraph:
    p = doc.add_paragraph(style=style)
    pf = p.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = LINE if size >= BODY_SIZE else Pt(max(size.pt * 1.5, 14))
    if indent:
        pf.first_line_indent = Pt(size.pt * 2)
    p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY if align == "justify" else ALIGN[align]
    set_run_font(p.add_run(text), font, size, bold=bold)
    return p


def _heading(doc: DocxDocument, text: str, level: int) -> None:
    font, bold = {1: (H1_FONT, False), 2: (H2_FONT, False)}.get(level, (BODY_FONT, True))
    p = doc.add_paragraph(style=f"Heading {min(level, 3)}")
    p.paragraph_format.first_line_indent = Pt(32)
    p.paragraph_format.keep_with_next = True
    set_run_font(p.add_run(text), font, BODY_SIZE, bold=bold)


def _shade(cell: object, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()  # type: ignore[attr-defined]
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def _repeat_header(table: Table, rows: int) -> None:
    for row in table.rows[:rows]:
        tr_pr = row._tr.get_or_add_trPr()
        el = OxmlElement("w:tblHeader")
        el.set(qn("w:val"), "true")
        tr_pr.append(el)


def add_grid(doc: DocxDocument, grid: Grid, width_cm: float) -> Table:
    """A Word table for a :class:`Grid`, merged cells merged, header cells bold and shaded."""
    caption = _paragraph(doc, grid.title, font=H1_FONT, size=Pt(16), align="center", indent=False)
    caption.paragraph_format.keep_with_next = True
    if grid.subtitle:
        sub = _paragraph(doc, grid.subtitle, size=Pt(12), align="center", indent=False)
        sub.paragraph_format.keep_with_next = True
    if grid.note:
        note = _paragraph(doc, grid.note, size=Pt(10.5), align="right", indent=False)
        note.paragraph_format.keep_with_next = True
    table = doc.add_table(rows=grid.n_rows, cols=grid.n_cols)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = grid.widths or [1.0] * grid.n_cols
    scale = width_cm / sum(widths)
    for k, col in enumerate(table.columns):
        col.width = Cm(widths[k] * scale)  # w:gridCol, which LibreOffice follows
    # The cell matrix taken once before merging (python-docx's table.cell() rescans the whole table
    # on every call, which made big tables quadratic). Grid cells never overlap, so the corners of
    # each merge are still in the tree when its turn comes.
    matrix = [[_Cell(tc, table) for tc in tr.tc_lst] for tr in table._tbl.tr_lst]
    for row in matrix:
        for k, cell in enumerate(row):
            cell.width = Cm(widths[k] * scale)  # w:tcW, which Word follows
    for c in grid.cells:
        cell = matrix[c.row][c.col]
        if c.rowspan > 1 or c.colspan > 1:
            cell = cell.merge(matrix[c.row + c.rowspan - 1][c.col + c.colspan - 1])
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        p = cell.paragraphs[0]
        p.alignment = ALIGN[c.align]
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        p.paragraph_format.first_line_indent = Pt(0)
        set_run_font(p.add_run(c.text), H1_FONT if c.header else TABLE_FONT, TABLE_SIZE, bold=False)
        if c.header:
            _shade(cell, "F2F2F2")
    # every cell needs a font even when empty (Word shows the paragraph mark's font)
    for tc in table._tbl.iter(qn("w:tc")):
        for p_el in tc.iter(qn("w:p")):
            if p_el.find(qn("w:r")) is None:
                set_run_font(DocxParagraph(p_el, table).add_run(""), TABLE_FONT, TABLE_SIZE)
    if grid.header_rows:
        _repeat_header(table, grid.header_rows)
    return table


def add_figure(doc: DocxDocument, figure: Figure, width_cm: float) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.keep_with_next = True
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE  # an exact line would clip the picture
    p.paragraph_format.space_before = Pt(6)
    run = p.add_run()
    set_run_font(run, BODY_FONT, BODY_SIZE)
    run.add_picture(io.BytesIO(figure.chart.png), width=Cm(width_cm))
    _paragraph(doc, figure.caption, size=CAPTION_SIZE, align="center", indent=False)


def _section(doc: DocxDocument, section: Section, level: int, width_cm: float) -> None:
    _heading(doc, section.title, level)
    for b in section.blocks:
        if isinstance(b, Section):
            _section(doc, b, level + 1, width_cm)
        elif isinstance(b, Paragraph):
            _paragraph(doc, b.text)
        elif isinstance(b, Figure):
            add_figure(doc, b, min(width_cm, 14.5))
        elif isinstance(b, Grid):
            add_grid(doc, b, width_cm)
            _paragraph(doc, "", indent=False)


def build_docx(report: Report) -> DocxDocument:
    """The Word document of a report (not yet saved)."""
    doc = Document()
    _style_fonts(doc)
    first = doc.sections[0]
    _page_setup(first)
    _footer(first)
    portrait_width = 21.0 - 2.8 - 2.6
    title = _paragraph(doc, report.title, font=TITLE_FONT, size=TITLE_SIZE, align="center", indent=False)
    title.paragraph_format.line_spacing = Pt(36)
    if report.subtitle:
        _paragraph(doc, report.subtitle, font=H2_FONT, align="center", indent=False)
    _paragraph(doc, f"填报单位：{report.unit_name}", align="center", indent=False)
    _paragraph(doc, "", indent=False)
    body = [s for s in report.sections if s.key != "appendix"]
    appendix = [s for s in report.sections if s.key == "appendix"]
    for s in body:
        _section(doc, s, 1, portrait_width)
    for s in appendix:
        grids = [b for b in s.blocks if isinstance(b, Grid)]
        wide = any(g.n_cols >= 8 for g in grids)
        new = doc.add_section(WD_SECTION.NEW_PAGE)
        _page_setup(new, landscape=wide)
        width = (29.7 - 5.0) if wide else portrait_width
        _heading(doc, s.title, 1)
        for i, b in enumerate(s.blocks):
            if isinstance(b, Grid):
                if i:
                    doc.add_page_break()
                add_grid(doc, b, width)
            elif isinstance(b, Paragraph):
                _paragraph(doc, b.text)
    return doc


def write_docx(report: Report, path: Path) -> Path:
    build_docx(report).save(str(path))
    return path
