"""What a report is before it is a file: a cover, sections of paragraphs, tables (grids) and
figures, a signature block — and, beside it, the working paper (审核底稿) that explains it.

The outline (:mod:`jixiao.write.outline`) builds a :class:`Report`; the writers (docx, xlsx,
html) only render it, so the three outputs always say the same thing in the same order.
A table is a :class:`Grid` of cells with row/column spans — the merged header cells of the
official 自评表 are spans, rendered as merges in Word and Excel and as rowspan/colspan in HTML.

A report holds only what a submitted report holds. Formulas, rule names, sources, checks and the
list of what is left to fill in go into its :class:`WorkPaper`, written as a file of its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, Protocol

from jixiao.write.charts import Chart

ReportKind = Literal["fund", "department", "project", "monitoring", "budget"]
Align = Literal["left", "center", "right"]
#: generated: a sentence built from figures; officer: text from the input as written;
#: placeholder: “（待填写：…）” where no data can say it; fixed: the outline's own standard text
Origin = Literal["generated", "officer", "placeholder", "fixed"]
ClaimOp = Literal["sum", "difference", "ratio", "growth", "growth_by_change", "per_capita", "months",
                  "times"]


class ResultLike(Protocol):
    """The part of ``jixiao.calc``'s IndicatorResult the writers use."""

    @property
    def id(self) -> str: ...
    @property
    def value(self) -> Decimal | None: ...
    @property
    def unit(self) -> str: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def places(self) -> int:
        """Decimals shown (the engine's display precision: jixiao.calc.terms.display_places)."""
        ...

    def display(self) -> str: ...


Results = Mapping[str, ResultLike]


@dataclass(frozen=True)
class Claim:
    """A derived figure printed next to the figures it comes from, as a reader would check it:
    ``op`` applied to ``operands`` (as printed) gives ``result`` (as printed), to its last digit."""

    op: ClaimOp
    operands: tuple[str, ...]
    result: str


@dataclass
class Cell:
    """One (possibly merged) cell. ``value`` is the number behind ``text`` for spreadsheets."""

    row: int
    col: int
    text: str = ""
    rowspan: int = 1
    colspan: int = 1
    header: bool = False
    align: Align = "center"
    value: Decimal | None = None
    number_format: str | None = None


@dataclass
class Grid:
    """A table with merged cells; rows and columns are 0-based."""

    key: str
    title: str
    n_cols: int
    cells: list[Cell] = field(default_factory=list)
    #: relative column widths (the writers scale them to the page)
    widths: list[float] = field(default_factory=list)
    #: rows at the top repeated on every printed page
    header_rows: int = 1
    subtitle: str | None = None
    note: str | None = None  # e.g. "单位：万元", printed above the table on the right
    #: rows whose text may run over a page break (a long text cell of a one-page form)
    splittable: frozenset[int] = frozenset()
    #: print on a landscape page (wide forms)
    landscape: bool = False
    #: paragraphs printed under the table (a form's 填报人/联系电话/填报日期)
    footer: tuple[str, ...] = ()
    #: a header row inside the table (a form's 绩效指标 header) repeated on every page after it
    repeat_from: int | None = None

    @property
    def n_rows(self) -> int:
        return max((c.row + c.rowspan for c in self.cells), default=0)

    def add(self, row: int, col: int, text: str = "", **kw: object) -> Cell:
        cell = Cell(row, col, text, **kw)  # type: ignore[arg-type]
        self.cells.append(cell)
        return cell

    def merged(self) -> list[Cell]:
        return [c for c in self.cells if c.rowspan > 1 or c.colspan > 1]

    def check(self) -> None:
        """Raise if two cells overlap or a cell leaves the grid (a builder bug, not bad data)."""
        seen: dict[tuple[int, int], Cell] = {}
        for c in self.cells:
            if c.col + c.colspan > self.n_cols:
                raise ValueError(f"{self.key}: cell ({c.row},{c.col}) beyond {self.n_cols} columns")
            for r in range(c.row, c.row + c.rowspan):
                for k in range(c.col, c.col + c.colspan):
                    if (r, k) in seen:
                        raise ValueError(f"{self.key}: cells overlap at ({r},{k})")
                    seen[(r, k)] = c

    def rows(self) -> list[list[Cell]]:
        """Cells grouped by the row they start in, left to right."""
        out: list[list[Cell]] = [[] for _ in range(self.n_rows)]
        for c in self.cells:
            out[c.row].append(c)
        for row in out:
            row.sort(key=lambda c: c.col)
        return out

    def kept_together(self) -> list[tuple[int, int]]:
        """(first, last) rows a vertical merge covers: printed on one page, never split by a break."""
        return sorted({(c.row, c.row + c.rowspan - 1) for c in self.cells if c.rowspan > 1 and c.text
                       and c.row >= self.header_rows})


@dataclass
class Paragraph:
    text: str
    origin: Origin = "generated"
    #: the derived figures this paragraph prints with their operands (a test recomputes each)
    claims: tuple[Claim, ...] = ()


@dataclass
class Figure:
    chart: Chart
    number: int = 0

    @property
    def caption(self) -> str:
        return f"图{self.number}：{self.chart.title}" if self.number else self.chart.title


Block = Paragraph | Grid | Figure


@dataclass(frozen=True)
class CoverLine:
    """One line of a cover or signature block: a label and its value (blank: filled in by hand)."""

    label: str
    value: str = ""


@dataclass
class Section:
    key: str
    title: str
    blocks: list[Block | Section] = field(default_factory=list)
    #: start on a new page (an annex)
    new_page: bool = False
    #: no heading printed (a form report's single section)
    heading: bool = True
    #: an annex (“附件1”): a document of its own inside the report, its title printed as a title
    annex: str | None = None
    #: a signature block printed at the end of the section (an annex's)
    signature: tuple[CoverLine, ...] = ()
    #: how its heading is printed: part (第一部分), h1 (一、), h2 (（一）), h3 (1.), annex
    style: str = "h1"

    def walk(self, level: int = 1) -> Iterator[tuple[int, Section]]:
        yield level, self
        for b in self.blocks:
            if isinstance(b, Section):
                yield from b.walk(level + 1)


@dataclass
class Report:
    kind: ReportKind
    title: str
    unit_name: str
    year: int
    file_stem: str
    subtitle: str | None = None
    sections: list[Section] = field(default_factory=list)
    #: the title as printed, broken at word boundaries (the unit, then the kind of report)
    title_lines: tuple[str, ...] = ()
    #: a line above the title (“附件1”)
    kicker: str | None = None
    #: a cover page (项目名称, 实施单位（公章）, 负责人（签章）, 填报时间)
    cover: tuple[CoverLine, ...] = ()
    #: lines under the title (填报单位（盖章）) when there is no cover
    header_lines: tuple[CoverLine, ...] = ()
    #: the signature block after the body, before the annexes (负责人, 填报人, 联系电话, 填报日期)
    signature: tuple[CoverLine, ...] = ()
    #: the signature block on one line (under a one-page form)
    signature_inline: bool = False
    #: which report of the unit-year this is: fund, department, project-N
    part: str = ""
    #: the outline it follows (for people: its name)
    outline: str = ""
    workpaper: WorkPaper | None = None

    def walk(self) -> Iterator[tuple[int, Section]]:
        for s in self.sections:
            yield from s.walk()

    def blocks(self) -> Iterator[Block]:
        """Every block in reading order (what the page shows, top to bottom)."""
        def go(section: Section) -> Iterator[Block]:
            for b in section.blocks:
                if isinstance(b, Section):
                    yield from go(b)
                else:
                    yield b
        for s in self.sections:
            yield from go(s)

    def grids(self) -> list[Grid]:
        return [b for b in self.blocks() if isinstance(b, Grid)]

    def figures(self) -> list[Figure]:
        return [b for b in self.blocks() if isinstance(b, Figure)]

    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks() if isinstance(b, Paragraph)]


@dataclass
class WorkPaper:
    """审核底稿: what explains a report, for the preparer and the reviewer — one table a sheet."""

    title: str
    file_stem: str
    unit_name: str
    year: int
    sheets: list[Grid] = field(default_factory=list)
