"""Where a sheet's printed pages break: between row groups, never through a merged cell.

Excel, WPS and LibreOffice each break pages where their own row heights run out, and Excel drops
manual breaks under “fit to N pages” scaling. So the writer fixes the scale itself (the columns
fit the printable width) and places every break, estimating row heights as it wrote them, with a
margin to spare so no program needs a break of its own.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

#: A4 in points (portrait width, height)
A4 = (595.28, 841.89)
#: margins in inches, as the writer sets them
SIDE_MARGIN = 0.6
END_MARGIN = 0.8
#: share of the printable width / height the estimate may fill (row heights and widths vary by program)
WIDTH_SHARE = 0.97
HEIGHT_SHARE = 0.93
#: a page's rows are chosen for the fewest cut merges only once it is this full
MIN_FILL = 0.5
#: how far the scale may drop to pull a lone last row onto the page before it
LONE_ROW_SHRINK = 0.85


def column_points(width: float) -> float:
    """A column's width in points from Excel's character width (7-pixel digits, 5 pixels padding)."""
    return math.trunc(width * 7 + 5) * 0.75


def printable(landscape: bool) -> tuple[float, float]:
    """Printable (width, height) of an A4 page in points at 100%."""
    w, h = (A4[1], A4[0]) if landscape else A4
    return w - 2 * SIDE_MARGIN * 72, h - 2 * END_MARGIN * 72


def width_scale(col_points: float, landscape: bool) -> int:
    """The print scale (percent, 10–100) at which the columns fit the page width."""
    width, _ = printable(landscape)
    return max(10, min(100, math.floor(width * WIDTH_SHARE / col_points * 100)))


@dataclass(frozen=True)
class Sheet:
    """What pagination needs of a sheet: 1-based rows ``1..last`` with their heights in points."""

    heights: Mapping[int, float]
    last: int
    #: rows that may not start a page (kept with the row above)
    glued: frozenset[int]
    #: (first, last) rows of each merged cell with text: a break inside one cuts it
    merges: Sequence[tuple[int, int]]
    #: rows printed again at the top of every page after the first (print titles), and the row
    #: they start repeating after
    repeat: float = 0.0
    repeat_after: int = 0
    #: rows after the table (signature lines): not counted as the table's rows
    table_last: int | None = None

    def cuts(self, start: int) -> int:
        return sum(1 for first, last in self.merges if first < start <= last)


@dataclass(frozen=True)
class Pages:
    scale: int
    #: first row of every page but the first
    breaks: tuple[int, ...]


def paginate(sheet: Sheet, scale: int, usable: float) -> tuple[int, ...]:
    """Page starts for ``sheet`` at ``scale``; ``usable``: printable height at 100%."""
    room = _room(scale, usable)
    breaks: list[int] = []
    start = 1
    while True:
        cap = room - (sheet.repeat if breaks and start > sheet.repeat_after else 0.0)
        total, end = sheet.heights[start], start
        while end < sheet.last and total + sheet.heights[end + 1] <= cap:
            end += 1
            total += sheet.heights[end]
        if end >= sheet.last:
            return tuple(breaks)
        start = _next_start(sheet, start, end, cap)
        breaks.append(start)


def _room(scale: int, usable: float) -> float:
    """Points of sheet rows a page holds at ``scale``."""
    return usable * HEIGHT_SHARE * 100 / scale


def _next_start(sheet: Sheet, start: int, end: int, cap: float) -> int:
    """The next page's first row: among rows that may start a page, the one cutting fewest merges
    once the page is half full, the latest of those."""
    fill, candidates = 0.0, []
    for s in range(start + 1, end + 2):
        fill += sheet.heights[s - 1]
        if s not in sheet.glued:
            candidates.append((s, fill))
    if not candidates:
        return end + 1
    full = [c for c in candidates if c[1] >= cap * MIN_FILL] or candidates
    return min(full, key=lambda c: (sheet.cuts(c[0]), -c[0]))[0]


def _lone(sheet: Sheet, breaks: tuple[int, ...]) -> bool:
    """The last page holds at most one row of the table."""
    last_table = sheet.table_last or sheet.last
    return bool(breaks) and breaks[-1] >= last_table


def lay_out(sheet: Sheet, col_points: float, landscape: bool) -> Pages:
    """The scale (columns fit the width) and the page breaks; a lone last row is pulled back by a
    slightly smaller scale, or else the page before gives it company."""
    scale = width_scale(col_points, landscape)
    _, usable = printable(landscape)
    breaks = paginate(sheet, scale, usable)
    if not _lone(sheet, breaks):
        return Pages(scale, breaks)
    for smaller in range(scale - 1, max(10, math.ceil(scale * LONE_ROW_SHRINK)) - 1, -1):
        fewer = paginate(sheet, smaller, usable)
        if len(fewer) < len(breaks):
            return Pages(smaller, fewer)
    room = _room(scale, usable) - sheet.repeat

    def fits(s: int) -> bool:
        return sum(sheet.heights[r] for r in range(s, sheet.last + 1)) <= room

    earlier = [s for s in range((breaks[-2] if len(breaks) > 1 else 1) + 2, breaks[-1])
               if s not in sheet.glued and sheet.cuts(s) == 0 and fits(s)]
    if earlier:
        return Pages(scale, (*breaks[:-1], earlier[-1]))
    return Pages(scale, breaks)
