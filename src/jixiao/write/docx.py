"""Word output (python-docx) in the style of a government document (GB/T 9704 practice).

A4, margins 3.7/3.5/2.8/2.6 cm; body 仿宋_GB2312 三号 (16 pt) with a fixed 28 pt line and a two-
character first-line indent; title 方正小标宋简体 二号 (smaller, down to 三号, for a long line; a
longer one breaks where a word ends); level-1 headings 黑体 三号, level-2 楷体_GB2312 三号, level-3
仿宋_GB2312 三号 bold; page numbers “— 1 —” from a PAGE field in the footer. Every run carries its
Chinese font in ``w:rFonts w:eastAsia`` (and Times New Roman for digits and Latin), so Word and
LibreOffice do not fall back to a Western font for the Chinese text. A minus sign before a digit
is U+2212, which never ends a line.

Tables are real Word tables: merged cells merged, rows never split across pages (except a form's
long text rows), header rows repeated, the rows of one merged 一级/二级 block kept on one page. A
wide table goes on a landscape page. Every page break is a section break, so no page is left blank
and a page's orientation is set before anything is on it.
"""

from __future__ import annotations

import io
import re
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
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run

from jixiao.write.report import Cell, CoverLine, Figure, Grid, Paragraph, Report, Section

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
PORTRAIT_WIDTH = 21.0 - 2.8 - 2.6
LANDSCAPE_WIDTH = 29.7 - 5.0
ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}
_MINUS = re.compile(r"-(?=\d)")
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


def _no_number_on_first_page(section: Any) -> None:
    """A cover carries no page number: the first page gets its own (empty) footer."""
    section.different_first_page_header_footer = True


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


def _keep_last_with_next(doc: DocxDocument) -> None:
    """The body's last paragraph kept on the page of what follows (a signature never stands alone);
    nothing when the body ends with a table or a page break."""
    body = doc.element.body
    blocks = [el for el in body if el.tag != qn("w:sectPr")]
    if not blocks or blocks[-1].tag != qn("w:p") or any(
            br.get(qn("w:type")) == "page" for br in blocks[-1].iter(qn("w:br"))):
        return
    ppr = blocks[-1].find(qn("w:pPr"))
    if ppr is None:
        ppr = OxmlElement("w:pPr")
        blocks[-1].insert(0, ppr)
    if ppr.find(qn("w:keepNext")) is None:
        ppr.insert(1 if ppr.find(qn("w:pStyle")) is not None else 0, OxmlElement("w:keepNext"))


def _run_xml(text: str, rpr: str) -> str:
    """One run; line breaks as ``w:br``; a minus before a digit as U+2212 (it never ends a line)."""
    if not text:
        return f"<w:r>{rpr}</w:r>"
    text = _MINUS.sub("\u2212", text)
    body = "<w:br/>".join(f'<w:t xml:space="preserve">{xml_escape(line)}</w:t>' for line in text.split("\n"))
    return f"<w:r>{rpr}{body}</w:r>"


def _paragraph(doc: DocxDocument, text: str, *, font: str = BODY_FONT, size: Pt | Length = BODY_SIZE,
               bold: bool = False, align: str = "justify", indent: bool = True, style: str | None = None,
               keep_next: bool = False, left_cm: float | None = None, highlight: bool = False,
               line_pt: float | None = None) -> DocxParagraph:
    """A body paragraph: exact line spacing, two-character first-line indent, the run's fonts set.

    Built as XML (python-docx's ``add_paragraph``/``paragraph_format`` cost ~2 ms a paragraph).
    """
    pt = Length(size).pt
    line = line_pt or (LINE.pt if pt >= BODY_SIZE.pt else max(pt * 1.5, 14))
    ppr = (f'<w:pStyle w:val="{style.replace(" ", "")}"/>' if style else "")
    ppr += "<w:keepNext/>" if keep_next else ""
    ppr += f'<w:spacing w:line="{round(line * 20)}" w:lineRule="exact"/>'
    if left_cm is not None:
        ppr += f'<w:ind w:left="{_twips(left_cm)}" w:firstLine="0"/>'
    elif indent:
        ppr += f'<w:ind w:firstLine="{round(pt * 2 * 20)}"/>'
    else:
        ppr += '<w:ind w:firstLine="0"/>'
    ppr += f'<w:jc w:val="{_JUSTIFY[align]}"/>'
    rpr = _rpr_xml(font, _half_points(size), bold)
    if highlight:
        rpr = rpr.replace("</w:rPr>", '<w:highlight w:val="yellow"/></w:rPr>')
    p = parse_xml(f"<w:p {nsdecls('w')}><w:pPr>{ppr}</w:pPr>{_run_xml(text, rpr)}</w:p>")
    _append(doc, p)
    return DocxParagraph(p, doc._body)




def _twips(cm: float) -> int:
    return round(cm / 2.54 * 1440)


# --------------------------------------------------------------------------------------------
# Titles: broken where a word ends, shrunk to fit a line
# --------------------------------------------------------------------------------------------

#: characters after which a title line may break (a word ends there)
_BREAK_AFTER = "年度的与和及、）”"
#: words a title line may start with (a break goes before them)
_BREAK_BEFORE = ("项目", "医疗保险", "医疗保障", "部门整体", "部门决算", "绩效", "支出", "基金")


def title_lines(lines: tuple[str, ...] | list[str], width_pt: float, size_pt: float = 22, min_pt: float = 16
                ) -> tuple[list[str], float]:
    """The title's lines and the size they are printed at: each given line whole when it fits at
    ``size_pt`` or at a size down to ``min_pt``; a longer one broken where a word ends (never
    inside a number or a bracket)."""
    capacity = int(width_pt // size_pt)
    out: list[str] = []
    for line in lines:
        if len(line) <= int(width_pt // min_pt):
            out.append(line)
            continue
        out += _break(line, capacity)
    longest = max((len(x) for x in out), default=1)
    size = min(size_pt, max(min_pt, width_pt // longest))
    return out, size


_YEAR = re.compile(r"\d{4}年")


def _break_rank(text: str, i: int) -> int:
    """How good a break after ``text[i]`` is: 3 before a year (“…中心｜2019年度…”), 2 before a
    word a title part starts with, 1 after a word's last character, 0 not at all (inside a
    bracket or a number)."""
    ch, nxt = text[i], text[i + 1]
    if ch.isdigit() and nxt.isdigit():
        return 0
    depth = sum(1 for c in text[: i + 1] if c in "（“《(") - sum(1 for c in text[: i + 1] if c in "）”》)")
    if depth:
        return 0
    if _YEAR.match(text, i + 1) and not ch.isdigit():
        return 3
    if text.startswith(_BREAK_BEFORE, i + 1):
        return 2
    return 1 if ch in _BREAK_AFTER and not nxt.isdigit() else 0


def _break(line: str, capacity: int) -> list[str]:
    parts = []
    rest = line
    while len(rest) > capacity:
        ranked = [(_break_rank(rest, i), i + 1) for i in range(1, min(capacity, len(rest) - 1))]
        ranked = [(rank, cut) for rank, cut in ranked if rank and len(rest) - cut <= capacity * 2]
        cut = max(ranked)[1] if ranked else capacity
        parts.append(rest[:cut])
        rest = rest[cut:]
    return [*parts, rest] if rest else parts


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------

_JC = {"left": "left", "center": "center", "right": "right"}
_BORDERS = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                   for side in ("top", "left", "bottom", "right", "insideH", "insideV"))


def _cell_paragraphs(text: str, align: str, rpr: str, keep_next: bool) -> str:
    """A cell's text, one Word paragraph a line (a form's long text keeps its paragraphs)."""
    keep = "<w:keepNext/>" if keep_next else ""
    ppr = (f'<w:pPr>{keep}<w:spacing w:line="240" w:lineRule="auto"/><w:ind w:firstLine="0"/>'
           f'<w:jc w:val="{_JC[align]}"/>{rpr}</w:pPr>')
    return "".join(f"<w:p>{ppr}{_run_xml(line, rpr)}</w:p>" for line in (text.split("\n") if text else [""]))


def _kept_rows(grid: Grid) -> set[int]:
    """Rows kept with the next: an innermost merged block's (a 二级 cell and its rows), a form's top.

    A block that holds smaller blocks (a 一级 cell over several 二级) may break between them: kept
    whole it would move to the next page and leave the page before half empty."""
    keep: set[int] = set()
    blocks = grid.kept_together()
    for first, last in blocks:
        if any((a, b) != (first, last) and first <= a and b <= last for a, b in blocks):
            continue
        if last - first < 12:  # a block taller than a page cannot be kept on one
            keep.update(range(first, last))
    if grid.repeat_from is not None and grid.repeat_from < 12:
        keep.update(range(grid.repeat_from))
    return keep


def _cell_xml(grid: Grid, c: Cell, r: int, start: int, cols: list[int], keep: bool) -> str:
    """One ``w:tc`` of cell ``c`` at row ``r`` (its first row, or a row its vertical merge continues)."""
    span = c.colspan
    pr = [f'<w:tcW w:w="{sum(cols[c.col:c.col + span])}" w:type="dxa"/>']
    if span > 1:
        pr.append(f'<w:gridSpan w:val="{span}"/>')
    first = r in (c.row, start)
    if c.rowspan > 1:
        pr.append('<w:vMerge w:val="restart"/>' if first else "<w:vMerge/>")
    if grid.repeat_from is not None and c.col == 0 and c.row in (grid.repeat_from, grid.repeat_from + 1):
        # the repeated header's first cell and the cell under it read as one
        side = "bottom" if c.row == grid.repeat_from else "top"
        pr.append(f'<w:tcBorders><w:{side} w:val="nil"/></w:tcBorders>')
    if c.header:
        pr.append('<w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/>')
    pr.append('<w:vAlign w:val="center"/>')
    rpr = _rpr_xml(H1_FONT if c.header else TABLE_FONT, _half_points(TABLE_SIZE), False)
    return f"<w:tc><w:tcPr>{''.join(pr)}</w:tcPr>{_cell_paragraphs(c.text if first else '', c.align, rpr, keep)}</w:tc>"


def grid_table_xml(grid: Grid, width_cm: float, rows: range | None = None, *, header_rows: int | None = None) -> str:
    """The ``w:tbl`` of a grid (or of ``rows`` of it) as XML: merged cells as ``gridSpan`` and
    ``vMerge``, rows that may not split, header rows repeated, merged blocks kept together.

    Built as one string and parsed once — python-docx's ``merge`` rescans the table on every call.
    """
    rows = rows if rows is not None else range(grid.n_rows)
    heads = grid.header_rows if header_rows is None else header_rows
    widths = grid.widths or [1.0] * grid.n_cols
    scale = width_cm / sum(widths)
    cols = [_twips(w * scale) for w in widths]
    body_rpr = _rpr_xml(TABLE_FONT, _half_points(TABLE_SIZE), False)
    cover: dict[tuple[int, int], Cell] = {}
    for placed in grid.cells:
        for r in range(placed.row, placed.row + placed.rowspan):
            for k in range(placed.col, placed.col + placed.colspan):
                cover[(r, k)] = placed
    keep = _kept_rows(grid) | {r for i, r in enumerate(rows) if i < heads}  # a header stays with its rows
    out = [f"<w:tbl {nsdecls('w')}><w:tblPr><w:tblStyle w:val=\"TableGrid\"/><w:tblW w:type=\"auto\" w:w=\"0\"/>"
           f"<w:jc w:val=\"center\"/><w:tblBorders>{_BORDERS}</w:tblBorders><w:tblLayout w:type=\"fixed\"/>"
           "<w:tblLook w:val=\"04A0\" w:firstRow=\"1\" w:lastRow=\"0\" w:firstColumn=\"1\" w:lastColumn=\"0\" "
           "w:noHBand=\"0\" w:noVBand=\"1\"/></w:tblPr><w:tblGrid>"]
    out += [f'<w:gridCol w:w="{w}"/>' for w in cols]
    out.append("</w:tblGrid>")
    for i, r in enumerate(rows):
        props = "" if r in grid.splittable else "<w:cantSplit/>"
        props += '<w:tblHeader w:val="true"/>' if i < heads else ""
        out.append(f"<w:tr><w:trPr>{props}</w:trPr>" if props else "<w:tr>")
        k = 0
        while k < grid.n_cols:
            c = cover.get((r, k))
            if c is None:
                out.append(f'<w:tc><w:tcPr><w:tcW w:w="{cols[k]}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
                           f"{_cell_paragraphs('', 'center', body_rpr, r in keep)}</w:tc>")
                k += 1
                continue
            out.append(_cell_xml(grid, c, r, rows.start, cols, r in keep))
            k += c.colspan
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


# --------------------------------------------------------------------------------------------
# The document
# --------------------------------------------------------------------------------------------

_HEADINGS = {"part": (H1_FONT, False, "center", 1), "h1": (H1_FONT, False, "left", 1),
             "h2": (H2_FONT, False, "left", 2), "h3": (BODY_FONT, True, "left", 3)}


class _Writer:
    """Writes a report into a document, page by page: the current page's orientation, and
    whether anything is on it yet (a break on an empty page would leave it blank)."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.doc = Document()
        _style_fonts(self.doc)
        first = self.doc.sections[0]
        _page_setup(first)
        _footer(first)
        self.landscape = False
        self.empty = True
        #: the page was just begun for an annex, under its part's heading (“第四部分　附件”)
        self.starts_annex = False

    @property
    def width(self) -> float:
        return LANDSCAPE_WIDTH if self.landscape else PORTRAIT_WIDTH

    def new_page(self, *, landscape: bool | None = None) -> None:
        """Start a new page (a section break), in ``landscape`` or the current orientation."""
        wanted = self.landscape if landscape is None else landscape
        if self.empty:
            if wanted != self.landscape:
                _page_setup(self.doc.sections[-1], landscape=wanted)
                self.landscape = wanted
            return
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        _page_setup(section, landscape=wanted)
        self.landscape = wanted
        self.empty = True

    def para(self, text: str, **kw: Any) -> DocxParagraph:
        self.empty = False
        return _paragraph(self.doc, text, **kw)

    def title(self, lines: tuple[str, ...] | list[str], *, subtitle: str | None = None) -> None:
        printed, size = title_lines(lines, self.width * 28.35)
        for line in printed:
            self.para(line, font=TITLE_FONT, size=Pt(size), align="center", indent=False, line_pt=size * 1.6,
                      keep_next=True)
        if subtitle:
            self.para(subtitle, font=H2_FONT, align="center", indent=False)

    def lines(self, lines: tuple[CoverLine, ...], *, left_cm: float | None = None, align: str = "left",
              together: bool = False) -> None:
        """One line each; ``together``: on one page (a signature block never split by a page break).

        ``left_cm`` shrinks so the longest line fits on one line (“益阳市医疗保障” / “局” otherwise)."""
        if left_cm is not None and lines:
            longest = max(sum(1.0 if ord(ch) > 0x2E7F else 0.5 for ch in f"{x.label}：{x.value}") for x in lines)
            left_cm = max(0.0, min(left_cm, self.width - longest * BODY_SIZE.cm - 0.2))
        for i, line in enumerate(lines):
            self.para(f"{line.label}：{line.value}", left_cm=left_cm, indent=False, align=align,
                      keep_next=together and i < len(lines) - 1)

    def cover(self) -> None:
        r = self.report
        for _ in range(4):
            self.para("", indent=False)
        self.title(r.title_lines or (r.title,), subtitle=r.subtitle)
        for _ in range(5):
            self.para("", indent=False)
        self.lines(r.cover, left_cm=2.5)
        self.new_page()

    def heading(self, section: Section) -> None:
        if not section.heading or section.annex:
            return
        font, bold, align, level = _HEADINGS.get(section.style, _HEADINGS["h3"])
        rpr = _rpr_xml(font, _half_points(BODY_SIZE), bold)
        indent = '<w:ind w:firstLine="0"/>' if align == "center" else '<w:ind w:firstLine="640"/>'
        p = parse_xml(f"<w:p {nsdecls('w')}><w:pPr><w:pStyle w:val=\"Heading{level}\"/><w:keepNext/>{indent}"
                      f"<w:jc w:val=\"{_JUSTIFY[align]}\"/></w:pPr>{_run_xml(section.title, rpr)}</w:p>")
        _append(self.doc, p)
        self.empty = False

    def annex(self, section: Section) -> None:
        if not self.starts_annex:
            self.new_page(landscape=False)
        self.starts_annex = False
        self.para(section.annex or "", font=H1_FONT, indent=False, align="left", keep_next=True)
        self.title([section.title])
        self.para("", indent=False)

    def figure(self, figure: Figure) -> None:
        p = self.doc.add_paragraph()
        self.empty = False
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.keep_with_next = True
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE  # an exact line would clip the picture
        p.paragraph_format.space_before = Pt(6)
        p.paragraph_format.first_line_indent = Pt(0)
        run = p.add_run()
        set_run_font(run, BODY_FONT, BODY_SIZE)
        run.add_picture(io.BytesIO(figure.chart.png), width=Cm(min(self.width, 13.0)))
        self.para(figure.caption, size=CAPTION_SIZE, align="center", indent=False)

    def grid(self, grid: Grid) -> None:
        if grid.landscape != self.landscape:
            self.new_page(landscape=grid.landscape)
        if grid.title:
            self.para(grid.title, font=H1_FONT, size=Pt(16), align="center", indent=False, keep_next=True)
        if grid.subtitle:
            self.para(grid.subtitle, size=Pt(12), align="center", indent=False, keep_next=True)
        if grid.note:
            self.para(grid.note, size=Pt(10.5), align="right", indent=False, keep_next=True)
        split = grid.repeat_from
        if split is not None and 0 < split < grid.n_rows:
            # the part above the repeated header, then the rest, a table of its own whose first row
            # repeats on every page; a paragraph of one point between them keeps them two tables
            # (joined, the header would be a middle row, and a middle row does not repeat)
            _append(self.doc, parse_xml(grid_table_xml(grid, self.width, range(0, split), header_rows=0)))
            self.para("", indent=False, size=Pt(1), line_pt=1)
            _append(self.doc, parse_xml(grid_table_xml(grid, self.width, range(split, grid.n_rows), header_rows=1)))
        else:
            _append(self.doc, parse_xml(grid_table_xml(grid, self.width)))
        self.empty = False
        for line in grid.footer:
            self.para(line, indent=False)
        self.para("", indent=False, size=Pt(2), line_pt=2)  # Word wants a paragraph after a table

    def block(self, b: Paragraph | Grid | Figure | Section, level: int) -> None:
        if isinstance(b, Section):
            self.section(b, level + 1)
        elif isinstance(b, Paragraph):
            if self.landscape:
                self.new_page(landscape=False)
            self.para(b.text, highlight=b.origin == "placeholder")
        elif isinstance(b, Figure):
            if self.landscape:
                self.new_page(landscape=False)
            self.figure(b)
        else:
            self.grid(b)

    def section(self, section: Section, level: int = 1) -> None:
        first = next((b for b in section.blocks if not isinstance(b, Section)), None)
        wide = isinstance(first, Grid) and first.landscape
        if section.annex:
            self.annex(section)
        elif section.new_page:
            self.new_page(landscape=wide)
        elif self.landscape and not wide:
            self.new_page(landscape=False)
        self.heading(section)
        # a part that opens with an annex: the annex begins on this page, under the part's heading
        self.starts_annex = bool(section.blocks) and isinstance(section.blocks[0], Section) \
            and bool(section.blocks[0].annex)
        for b in section.blocks:
            self.block(b, level)
        if section.signature:
            self.signature(section.signature)

    def signature(self, lines: tuple[CoverLine, ...], *, inline: bool = False) -> None:
        if self.landscape:
            self.new_page(landscape=False)
        else:
            _keep_last_with_next(self.doc)
        self.para("", indent=False, keep_next=True)
        if inline:
            text = "　　".join(f"{line.label}：{line.value.strip() or '　　　'}" if "年" not in line.value
                              else f"{line.label}：{line.value}" for line in lines)
            self.para(text, indent=False, size=Pt(12))
        else:
            self.lines(lines, left_cm=7.5, together=True)

    def write(self) -> DocxDocument:
        r = self.report
        if r.cover:
            _no_number_on_first_page(self.doc.sections[0])
            self.cover()
        else:
            if r.kicker:
                self.para(r.kicker, font=H1_FONT, indent=False, align="left")
            self.title(r.title_lines or (r.title,), subtitle=r.subtitle)
            self.lines(r.header_lines, align="left")
            self.para("", indent=False)
        signed = not r.signature
        for s in r.sections:
            if not signed and (s.new_page or s.annex):
                self.signature(r.signature, inline=r.signature_inline)  # the body ends here, the annexes follow
                signed = True
            self.section(s)
        if not signed:
            self.signature(r.signature, inline=r.signature_inline)
        return self.doc


def build_docx(report: Report) -> DocxDocument:
    """The Word document of a report (not yet saved)."""
    return _Writer(report).write()


def write_docx(report: Report, path: Path) -> Path:
    build_docx(report).save(str(path))
    return path
