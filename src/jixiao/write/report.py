"""What a report is before it is a file: sections of paragraphs, tables (grids) and figures.

The outline (:mod:`jixiao.write.outline`) builds a :class:`Report`; the writers (docx, xlsx,
html) only render it, so the three outputs always say the same thing in the same order.
A table is a :class:`Grid` of cells with row/column spans — the merged header cells of the
official 自评表 are spans, rendered as merges in Word and Excel and as rowspan/colspan in HTML.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, Protocol

from jixiao.write.charts import Chart

ReportKind = Literal["fund", "department", "project"]
Align = Literal["left", "center", "right"]


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


@dataclass
class Paragraph:
    text: str
    #: "generated": a sentence built from figures; "officer": text from the input as written
    origin: Literal["generated", "officer"] = "generated"


@dataclass
class Figure:
    chart: Chart
    number: int = 0

    @property
    def caption(self) -> str:
        return f"图{self.number}：{self.chart.title}" if self.number else self.chart.title


Block = Paragraph | Grid | Figure


@dataclass
class Section:
    key: str
    title: str
    blocks: list[Block | Section] = field(default_factory=list)

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

    def walk(self) -> Iterator[tuple[int, Section]]:
        for s in self.sections:
            yield from s.walk()

    def grids(self) -> list[Grid]:
        return [b for _, s in self.walk() for b in s.blocks if isinstance(b, Grid)]

    def figures(self) -> list[Figure]:
        return [b for _, s in self.walk() for b in s.blocks if isinstance(b, Figure)]

    def paragraphs(self) -> list[Paragraph]:
        return [b for _, s in self.walk() for b in s.blocks if isinstance(b, Paragraph)]
