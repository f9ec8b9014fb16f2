"""Units written once for several numbers of the same text, given to the unit-less ones:
lists (``74200、65884万元``), labels (``发行总额（亿）10.00``), asides
(``270.61万元（其中压减预算26.58…）``) and the parts of a line that stand for table cells.
These rules look across figures, so they run after the scan has read each figure alone."""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import Final

from jixiao.audit.quantities.scan import Figure, is_money_context
from jixiao.audit.quantities.units import DECLARED_UNITS, UNIT_ALIASES

_LIST_JOIN: Final = re.compile(r"[ \u3000]{0,2}(?:、|和|及|与|或|至|到|~|～|-|—|－|–|——)[ \u3000]{0,2}")
_COMMA_JOIN: Final = re.compile(r"[ \u3000]{0,2}[，,][ \u3000]{0,2}")
_PAREN_UNIT: Final = re.compile(
    rf"[（(][ \u3000]{{0,2}}(?:单位[：:][ \u3000]{{0,2}})?(?P<u>{DECLARED_UNITS})[ \u3000]{{0,2}}[）)]"
    rf"|单位[：:][ \u3000]{{0,2}}(?P<u2>{DECLARED_UNITS})"
)


def _unit_for_label(written: str, text: str, start: int, end: int) -> str:
    unit = UNIT_ALIASES.get(written, written)
    if written in ("亿", "万"):
        return unit if is_money_context(text, start, end) else ""
    return unit


def _inside_figure(figures: list[Figure], starts: list[int], pos: int) -> bool:
    k = bisect_left(starts, pos + 1) - 1
    return k >= 0 and figures[k].start <= pos < figures[k].end


def apply_written_once(text: str, figures: list[Figure]) -> None:
    """Give unit-less figures the unit written once for them: lists, then labels, then asides."""
    _units_of_lists(text, figures)
    _units_of_labels(text, figures)
    _units_of_asides(text, figures)


def _units_of_lists(text: str, figures: list[Figure]) -> None:
    """Lists: 74200、65884万元 → both 万元 (right to left so chains work: 1、2、3万元)."""
    for i in range(len(figures) - 2, -1, -1):
        a, b = figures[i], figures[i + 1]
        if a.unit or not b.unit or b.unit_source not in ("written", "list", "context"):
            continue
        gap_ok = _LIST_JOIN.fullmatch(text, a.end, b.start) is not None
        if not gap_ok and _COMMA_JOIN.fullmatch(text, a.end, b.start):
            gap_ok = "分别" in text[max(0, a.start - 24):a.start]
        if gap_ok:
            a.unit = b.unit
            a.unit_source = "list"


def _units_of_labels(text: str, figures: list[Figure]) -> None:
    """Labels: 发行总额（亿）10.00, 收入（万元）：1000 — a unit in parentheses (or after 单位：)
    governs the unit-less figures after it in its sentence, up to a figure with its own unit."""
    starts = [f.start for f in figures]
    labels = ([lab for lab in _PAREN_UNIT.finditer(text) if not _inside_figure(figures, starts, lab.start())]
              if "（" in text or "(" in text or "单位" in text else [])
    if not labels:
        return
    ends = [lab.end() for lab in labels]
    written = [0]  # prefix counts of figures with a written unit
    for f in figures:
        written.append(written[-1] + (1 if f.unit and f.unit_source == "written" else 0))
    for i, fig in enumerate(figures):
        if fig.unit:
            continue
        k = bisect_left(ends, fig.start + 1) - 1
        if k < 0:
            continue
        lab = labels[k]
        between = text[lab.end():fig.start]
        if any(ch in between for ch in "。；;") or len(between) > 60:
            continue
        j = bisect_left(starts, lab.end())
        if written[i] - written[j] > 0:
            continue
        unit = _unit_for_label(lab.group("u") or lab.group("u2"), text, lab.start(), fig.end)
        if unit:
            fig.unit = unit
            fig.unit_source = "label"


def _units_of_asides(text: str, figures: list[Figure]) -> None:
    """Asides: 调整追加预算270.61万元（其中压减预算26.58，追加预算297.19） — the figures of a
    （其中…） right after a figure take its unit."""
    for i, fig in enumerate(figures):
        if fig.unit or i == 0:
            continue
        lo = max(0, fig.start - 40)
        open_at = max(text.rfind("（", lo, fig.start), text.rfind("(", lo, fig.start))
        if open_at < 0 or fig.start - open_at > 40:
            continue
        if any(ch in text[open_at:fig.start] for ch in "）)。；"):
            continue
        if not text.startswith("其中", open_at + 1):
            continue
        j = i - 1
        while j >= 0 and figures[j].start > open_at:
            j -= 1
        if j < 0:
            continue
        prev = figures[j]
        if prev.unit and prev.end <= open_at and open_at - prev.end <= 2:
            fig.unit = prev.unit
            fig.unit_source = "context"


#: a unit given to unit-less numbers standing alone in [lo, hi) of a block: (lo, hi, unit, source)
Span = tuple[int, int, str, str]


def apply_spans(text: str, figures: list[Figure], spans: list[Span]) -> None:
    """Give a span's unit to the unit-less figure that is all there is in that span (a cell)."""
    spans = sorted(spans)
    los = [sp[0] for sp in spans]
    for fig in figures:
        if fig.unit or fig.han or "bare_multiplier" in fig.flags:
            continue
        k = bisect_left(los, fig.start + 1) - 1
        if k < 0:
            continue
        lo, hi, unit, source = spans[k]
        if not (lo <= fig.start and fig.end <= hi) or not unit:
            continue
        rest = (text[lo:fig.start] + text[fig.end:hi]).strip(" \u3000\t：:≥≤<>=＝")
        if rest and not rest.endswith(("：", ":")):
            continue  # prose around the number: not a table figure
        fig.unit = unit
        fig.unit_source = source


def tab_spans(text: str, unit: str | None, columns: dict[int, str] | None) -> list[Span]:
    spans: list[Span] = []
    lo = 0
    for col, seg in enumerate(text.split("\t")):
        hi = lo + len(seg)
        if columns and col in columns:
            spans.append((lo, hi, columns[col], "column"))
        elif unit:
            spans.append((lo, hi, unit, "table"))
        lo = hi + 1
    return spans

