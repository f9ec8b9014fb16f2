"""What the readers produce and the extractor consumes: a document as located blocks of text.

Readers (:mod:`jixiao.audit.readers`) turn a file into a :class:`Document`; normalisation keeps a
map from each normalised character back to the original, so every number found can be
reported where it stands (line for text formats; paragraph or table cell for docx; page for pdf).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from jixiao.numbers import Quantity

BlockKind = Literal["paragraph", "cell", "heading"]


class ReadError(Exception):
    """An input that cannot be read at all (not found, corrupt, scanned PDF, too large...).

    The message is Chinese and complete; the CLI prints it and exits with code 2.
    """


@dataclass(slots=True)
class Block:
    """One unit of text in reading order: a line/paragraph, or one table cell.

    ``text`` is normalised (debris removed, full-width digits folded, thousands separators
    dropped); ``origin[i]`` is the offset in ``source_text`` of ``text[i]``, where
    ``source_text`` is the block's text as it stood in the file (for text formats, the whole
    original line ``line``).
    """

    text: str
    kind: BlockKind = "paragraph"
    line: int | None = None
    page: int | None = None
    paragraph: int | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    source_text: str = ""
    origin: list[int] = field(default_factory=list)

    def __init__(self, text: str, kind: BlockKind = "paragraph", line: int | None = None, page: int | None = None,
                 paragraph: int | None = None, table: int | None = None, row: int | None = None,
                 col: int | None = None, source_text: str = "", origin: list[int] | None = None) -> None:
        # written out (one per line of a report, compiled): a dataclass's generated __init__ is
        # interpreted Python even in a compiled module, four times the cost
        self.text = text
        self.kind = kind
        self.line = line
        self.page = page
        self.paragraph = paragraph
        self.table = table
        self.row = row
        self.col = col
        self.source_text = source_text
        self.origin = [] if origin is None else origin

    def __reduce__(self) -> tuple[type[Block], tuple[Any, ...]]:
        # pickle and copy by the constructor (numbers.Interval says why)
        return Block, (self.text, self.kind, self.line, self.page, self.paragraph, self.table, self.row, self.col,
                       self.source_text, self.origin)

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of ``text`` to ``source_text`` offsets."""
        if not self.origin:
            return start, end
        s = self.origin[min(start, len(self.origin) - 1)] if self.origin else start
        e = self.origin[end - 1] + 1 if end - 1 < len(self.origin) else len(self.source_text)
        return s, e

    def where(self) -> str:
        """Human location in Chinese: 第12行 / 第3页 / 表2第4行第3列 / 第7段."""
        if self.table is not None:
            cell = f"表{self.table + 1}第{(self.row or 0) + 1}行第{(self.col or 0) + 1}列"
            return f"第{self.line}行（{cell}）" if self.line else cell
        if self.line is not None:
            return f"第{self.line}行"
        if self.page is not None:
            return f"第{self.page}页"
        if self.paragraph is not None:
            return f"第{self.paragraph + 1}段"
        return ""


@dataclass(slots=True)
class Table:
    """A table as a grid of cell blocks (merged cells appear once, at their top-left)."""

    index: int
    rows: list[list[Block | None]]
    unit: str | None = None  # from a 单位：万元 header above or inside the table


@dataclass(slots=True)
class Document:
    path: str
    format: str  # txt, md, html, docx, pdf
    blocks: list[Block]
    tables: list[Table] = field(default_factory=list)
    original_text: str = ""  # the decoded file for text formats (used to render highlighted HTML)
    chars: int = 0
    notes: list[str] = field(default_factory=list)  # e.g. "检测到编码 GB18030"


@dataclass(slots=True)
class Mention:
    """A figure found in a block: its quantity, span, and the words around it that matter."""

    quantity: Quantity
    block: int  # index into Document.blocks
    start: int  # span in block.text
    end: int
    raw: str  # the text as it stands in the block, e.g. "74200万元"
    negative_word: str | None = None  # 减少/下降/赤字/亏损... that made it negative or a decrease
    # Added by the quantities extractor (audit/quantities/); all optional:
    comparator: str | None = None  # ≥ > ≤ < = from "≥99%", "大于90%", "不低于", "5个工作日内"
    unit_source: str = "written"  # written | list | label | row | column | table | context
    flags: tuple[str, ...] = ()  # e.g. "time_limit", "colloquial", "bare_multiplier"

    def __init__(self, quantity: Quantity, block: int, start: int, end: int, raw: str,
                 negative_word: str | None = None, comparator: str | None = None, unit_source: str = "written",
                 flags: tuple[str, ...] = ()) -> None:
        # written out, as Block's: one per figure found, and more made by the checks
        self.quantity = quantity
        self.block = block
        self.start = start
        self.end = end
        self.raw = raw
        self.negative_word = negative_word
        self.comparator = comparator
        self.unit_source = unit_source
        self.flags = flags

    def __reduce__(self) -> tuple[type[Mention], tuple[Any, ...]]:
        return Mention, (self.quantity, self.block, self.start, self.end, self.raw, self.negative_word,
                         self.comparator, self.unit_source, self.flags)
