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
from copy import deepcopy
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Length, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run

from jixiao.write.report import Cell, Figure, Grid, Paragraph, Report, Section

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


def _rpr_xml(east_asia: str, half_points: int | None, bold: bool | None) -> str:
    """``w:rPr`` of a run: Latin and East Asian fonts, bold, black, size (in half points)."""
    parts = [f'<w:rFonts w:ascii="{LATIN}" w:hAnsi="{LATIN}" w:eastAsia="{east_asia}" w:cs="{LATIN}"/>']
    if bold is not None:
        parts.append("<w:b/>" if bold else '<w:b w:val="0"/>')
    parts.append('<w:color w:val="000000"/>')
    if half_points is not None:
        parts.append(f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>')
    return "<w:rPr>" + "".join(parts) + "</w:rPr>"


@lru_cache(maxsize=64)
def _rpr_template(east_asia: str, half_points: int | None, bold: bool | None) -> Any:
    return parse_xml(f"<w:rPr {nsdecls('w')}>" + _rpr_xml(east_asia, half_points, bold)[len("<w:rPr>"):])


def _half_points(size: Pt | Length | None) -> int | None:
    return None if size is None else round(Length(size).pt * 2)


def set_run_font(run: Run, east_asia: str, size: Pt | None = None, *, bold: bool | None = None) -> None:
    """Set the run's Latin font and its ``w:eastAsia`` font (python-docx sets only the former).

    The ``w:rPr`` is copied from a cached element (building it through python-docx's font API
    took a millisecond a run).
    """
    el = run._element
    old = el.find(qn("w:rPr"))
    if old is not None:
        el.remove(old)
    el.insert(0, deepcopy(_rpr_template(east_asia, _half_points(size), bold)))


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


_JUSTIFY = {"justify": "both", "left": "left", "center": "center", "right": "right"}


def _append(doc: DocxDocument, element: Any) -> None:
    """Put a block element at the end of the body (before its final ``w:sectPr``)."""
    body = doc.element.body
    last = body[-1] if len(body) else None
    if last is not None and last.tag == qn("w:sectPr"):
        last.addprevious(element)
    else:
        body.append(element)


def _run_xml(text: str, rpr: str) -> str:
    if not text:
        return f"<w:r>{rpr}</w:r>"
    body = "<w:br/>".join(f'<w:t xml:space="preserve">{xml_escape(line)}</w:t>' for line in text.split("\n"))
    return f"<w:r>{rpr}{body}</w:r>"


def _paragraph(doc: DocxDocument, text: str, *, font: str = BODY_FONT, size: Pt = BODY_SIZE, bold: bool = False,
               align: str = "justify", indent: bool = True, style: str | None = None) -> DocxParagraph:
    """A body paragraph: exact line spacing, two-character first-line indent, the run's fonts set.

    Built as XML (python-docx's ``add_paragraph``/``paragraph_format`` cost ~2 ms a paragraph).
    """
    pt = Length(size).pt
    line = LINE.pt if pt >= BODY_SIZE.pt else max(pt * 1.5, 14)
    ppr = (f'<w:pStyle w:val="{style.replace(" ", "")}"/>' if style else "")
    ppr += f'<w:spacing w:line="{round(line * 20)}" w:lineRule="exact"/>'
    if indent:
        ppr += f'<w:ind w:firstLine="{round(pt * 2 * 20)}"/>'
    ppr += f'<w:jc w:val="{_JUSTIFY[align]}"/>'
    rpr = _rpr_xml(font, _half_points(size), bold)
    p = parse_xml(f"<w:p {nsdecls('w')}><w:pPr>{ppr}</w:pPr>{_run_xml(text, rpr)}</w:p>")
    _append(doc, p)
    return DocxParagraph(p, doc._body)


def _heading(doc: DocxDocument, text: str, level: int) -> None:
    """A heading in the ``Heading N`` style (its spacing from the style), kept with the next block."""
    font, bold = {1: (H1_FONT, False), 2: (H2_FONT, False)}.get(level, (BODY_FONT, True))
    rpr = _rpr_xml(font, _half_points(BODY_SIZE), bold)
    p = parse_xml(f"<w:p {nsdecls('w')}><w:pPr><w:pStyle w:val=\"Heading{min(level, 3)}\"/><w:keepNext/>"
                  f"<w:ind w:firstLine=\"640\"/></w:pPr>{_run_xml(text, rpr)}</w:p>")
    _append(doc, p)


def _twips(cm: float) -> int:
    return round(cm / 2.54 * 1440)


_JC = {"left": "left", "center": "center", "right": "right"}
_BORDERS = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                   for side in ("top", "left", "bottom", "right", "insideH", "insideV"))


def _cell_paragraph(text: str, align: str, rpr: str) -> str:
    ppr = (f'<w:pPr><w:spacing w:line="240" w:lineRule="auto"/><w:ind w:firstLine="0"/>'
           f'<w:jc w:val="{_JC[align]}"/>{rpr}</w:pPr>')
    return f"<w:p>{ppr}{_run_xml(text, rpr)}</w:p>"


def grid_table_xml(grid: Grid, width_cm: float) -> str:
    """The ``w:tbl`` of a grid as XML text: merged cells as ``gridSpan`` and ``vMerge``.

    Built as one string and parsed once — python-docx's ``merge`` rescans the table on every call
    and made the 自评表 cost a second per report.
    """
    widths = grid.widths or [1.0] * grid.n_cols
    scale = width_cm / sum(widths)
    cols = [_twips(w * scale) for w in widths]
    body_rpr = _rpr_xml(TABLE_FONT, _half_points(TABLE_SIZE), False)
    head_rpr = _rpr_xml(H1_FONT, _half_points(TABLE_SIZE), False)
    # which cell covers each position; a cell is written at its first row, continued below
    cover: dict[tuple[int, int], Cell] = {}
    for placed in grid.cells:
        for r in range(placed.row, placed.row + placed.rowspan):
            for k in range(placed.col, placed.col + placed.colspan):
                cover[(r, k)] = placed
    out = [f"<w:tbl {nsdecls('w')}><w:tblPr><w:tblStyle w:val=\"TableGrid\"/><w:tblW w:type=\"auto\" w:w=\"0\"/>"
           f"<w:jc w:val=\"center\"/><w:tblBorders>{_BORDERS}</w:tblBorders><w:tblLayout w:type=\"fixed\"/>"
           "<w:tblLook w:val=\"04A0\" w:firstRow=\"1\" w:lastRow=\"0\" w:firstColumn=\"1\" w:lastColumn=\"0\" "
           "w:noHBand=\"0\" w:noVBand=\"1\"/></w:tblPr><w:tblGrid>"]
    out += [f'<w:gridCol w:w="{w}"/>' for w in cols]
    out.append("</w:tblGrid>")
    for r in range(grid.n_rows):
        out.append("<w:tr>")
        if r < grid.header_rows:
            out.append('<w:trPr><w:tblHeader w:val="true"/></w:trPr>')
        k = 0
        while k < grid.n_cols:
            c = cover.get((r, k))
            if c is None:
                out.append(f'<w:tc><w:tcPr><w:tcW w:w="{cols[k]}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
                           f"{_cell_paragraph('', 'center', body_rpr)}</w:tc>")
                k += 1
                continue
            span = c.colspan
            width = sum(cols[c.col:c.col + span])
            pr = [f'<w:tcW w:w="{width}" w:type="dxa"/>']
            if span > 1:
                pr.append(f'<w:gridSpan w:val="{span}"/>')
            first = r == c.row
            if c.rowspan > 1:
                pr.append('<w:vMerge w:val="restart"/>' if first else "<w:vMerge/>")
            if c.header:
                pr.append('<w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/>')
            pr.append('<w:vAlign w:val="center"/>')
            rpr = head_rpr if c.header else body_rpr
            text = c.text if first else ""
            out.append(f"<w:tc><w:tcPr>{''.join(pr)}</w:tcPr>{_cell_paragraph(text, c.align, rpr)}</w:tc>")
            k += span
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


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
    tbl = parse_xml(grid_table_xml(grid, width_cm))
    _append(doc, tbl)
    return Table(tbl, doc._body)


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
