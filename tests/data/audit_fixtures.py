"""Build real docx/pdf files from the seeds for the reader tests (generated in tmp_path, never saved).

* :func:`docx_from_seed_001` — seed 001's paragraphs as Word paragraphs and its 自评表 (the
  tab-separated lines 77-93) as a real Word table whose empty cells are merged into their
  neighbour (horizontal merges above the indicator header, vertical merges below it), the way
  the original Word form was laid out.
* :func:`pdf_from_seed_000` — seed 000 as a PDF (reportlab, CID font STSong-Light), paragraphs
  never split across pages, returning the page each paragraph landed on.
* :func:`scanned_pdf` — a PDF whose pages carry only an image.
* :func:`zip_bomb_docx` — a docx whose members declare gigabytes.
"""

from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SEEDS = Path(__file__).resolve().parents[2] / "examples" / "seeds"


def seed_lines(prefix: str) -> list[str]:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    return path.read_text(encoding="utf-8").split("\n")


@dataclass
class DocxSeed:
    paragraphs: list[str]  # non-empty paragraphs in order (their index is Block.paragraph)
    grid: list[list[str]]  # the table as text cells (before merging)
    owner: dict[tuple[int, int], tuple[int, int]]  # merged position -> the cell that holds it
    table_after_paragraph: int  # index of the last paragraph before the table


Owners = dict[tuple[int, int], tuple[int, int]]  # merged position -> the cell that holds it


def _merge_across(table: Any, grid: list[list[str]], header: int, owner: Owners) -> None:
    """Horizontal merges above the header: an empty cell joins the cell on its left."""
    width = len(grid[0])
    for r in range(header):
        c = 1
        while c < width:
            if grid[r][c] == "" and grid[r][c - 1] != "":
                end = c
                while end + 1 < width and grid[r][end + 1] == "":
                    end += 1
                table.cell(r, c - 1).merge(table.cell(r, end))
                for k in range(c, end + 1):
                    owner[(r, k)] = (r, c - 1)
                c = end + 1
            else:
                c += 1


def _merge_down(table: Any, grid: list[list[str]], header: int, owner: Owners) -> None:
    """Vertical merges: an empty cell in column 0 above the header, and empty cells below it."""
    for c in range(len(grid[0])):
        r = 1
        while r < len(grid):
            vertical = (c == 0 and r < header) or (r > header + 1 and c < 3)
            if vertical and grid[r][c] == "" and (r, c) not in owner and grid[r - 1][c] != "":
                end = r
                while end + 1 < len(grid) and grid[end + 1][c] == "" and (end + 1 < header or r > header):
                    end += 1
                table.cell(r - 1, c).merge(table.cell(end, c))
                for k in range(r, end + 1):
                    owner[(k, c)] = (r - 1, c)
                r = end + 1
            else:
                r += 1


def docx_from_seed_001(path: Path) -> DocxSeed:
    import docx

    lines = seed_lines("001")
    body_before = [ln for ln in lines[:76] if ln.strip()]  # lines 1-76, 单位：万元 last
    table_lines = lines[76:93]  # lines 77-93
    body_after = [ln for ln in lines[93:] if ln.strip()]
    grid = [ln.split("\t") for ln in table_lines]
    width = max(len(r) for r in grid)
    grid = [r + [""] * (width - len(r)) for r in grid]
    header = next(i for i, r in enumerate(grid) if r[0] == "年度")

    document = docx.Document()
    for text in body_before:
        document.add_paragraph(text)
    table = document.add_table(rows=len(grid), cols=width)
    table.style = "Table Grid"
    owner: dict[tuple[int, int], tuple[int, int]] = {}
    for r, row in enumerate(grid):
        for c, text in enumerate(row):
            if text:
                table.cell(r, c).text = text
    _merge_across(table, grid, header, owner)
    _merge_down(table, grid, header, owner)
    for text in body_after:
        document.add_paragraph(text)
    document.save(str(path))
    return DocxSeed(paragraphs=body_before + body_after, grid=grid, owner=owner,
                    table_after_paragraph=len(body_before) - 1)


def _cjk_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def pdf_from_seed_000(path: Path) -> list[tuple[str, int]]:
    """Seed 000 as a PDF; returns (paragraph text, 1-based page) for every paragraph."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    font = _cjk_font()
    style = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    placed: list[tuple[str, int]] = []

    class Doc(SimpleDocTemplate):
        def afterFlowable(self, flowable: object) -> None:
            if isinstance(flowable, Paragraph):
                placed.append((getattr(flowable, "_seed_text", ""), self.page))

    doc = Doc(str(path), pagesize=A4, allowSplitting=0)
    story = []
    for line in seed_lines("000"):
        text = line.strip().replace("\xa0", " ")
        if not text:
            continue
        p = Paragraph(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), style)
        p._seed_text = text  # type: ignore[attr-defined]
        story.append(p)
    doc.build(story)
    return placed


def simple_pdf(path: Path, pages: list[list[str]]) -> None:
    """A PDF with the given lines of text on each page (Chinese allowed)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    font = _cjk_font()
    c = canvas.Canvas(str(path), pagesize=A4)
    for lines in pages:
        c.setFont(font, 11)
        y = 800.0
        for line in lines:
            c.drawString(60, y, line)
            y -= 18
        c.showPage()
    c.save()


def table_pdf(path: Path, title: str, rows: list[list[str]]) -> None:
    """A one-page PDF with a title line and a ruled table (what extract_tables finds)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    font = _cjk_font()
    doc = SimpleDocTemplate(str(path), pagesize=A4)
    t = Table(rows)
    t.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("GRID", (0, 0), (-1, -1), 0.5, "black")]))
    doc.build([Paragraph(title, ParagraphStyle("t", fontName=font, fontSize=11)), t])


def scanned_pdf(path: Path, pages: int = 2, text_on_first_page: str | None = None) -> None:
    """A PDF of images only (what a scanner produces): no text layer at all.

    With ``text_on_first_page``, page 1 carries that text instead of an image.
    """
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    for k in range(pages):
        if k == 0 and text_on_first_page is not None:
            c.setFont(_cjk_font(), 12)
            c.drawString(60, 780, text_on_first_page)
            c.showPage()
            continue
        img = Image.new("L", (400, 560), 255)
        draw = ImageDraw.Draw(img)
        for y in range(40, 520, 24):
            draw.rectangle((30, y, 370 - (y * 7 + k * 13) % 120, y + 10), fill=0)  # lines of "text"
        buf = io.BytesIO()
        img.save(buf, format="PNG")
        buf.seek(0)
        c.drawImage(ImageReader(buf), 40, 100, width=500, height=700)
        c.showPage()
    c.save()


def zip_bomb_docx(path: Path, declared: int = 3 * 1024**3) -> None:
    """A tiny docx whose word/document.xml declares ``declared`` bytes in the central directory."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>" * 100)
    data = bytearray(buf.getvalue())
    # patch the uncompressed size in every central directory entry naming word/document.xml
    pos = 0
    while True:
        pos = data.find(b"PK\x01\x02", pos)
        if pos < 0:
            break
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        name = bytes(data[pos + 46: pos + 46 + name_len])
        if name == b"word/document.xml":
            struct.pack_into("<I", data, pos + 24, min(declared, 0xFFFFFFFF))
        pos += 46
    path.write_bytes(bytes(data))


def inflating_docx(path: Path, size: int = 40 * 1024 * 1024) -> None:
    """A genuine high-ratio docx: ``size`` bytes of zeros deflate to a few tens of kB."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"\0" * size)
