"""Charts for the reports (matplotlib, Agg backend) with a CJK font that is always there.

The font is 文泉驿微米黑 (Debian ``fonts-wqy-microhei``, installed by ``scripts/system-deps.sh``)
when the system has it, so charts drawn where it is installed stay as they were, byte for byte.
Otherwise it is the font bundled with the package, ``fonts/JixiaoSansSC-Regular.otf``: a subset of
Noto Sans CJK SC (SIL Open Font License 1.1, ``fonts/OFL.txt``) with ASCII, Latin-1, the CJK and
full-width punctuation, every GB2312 character and every character of the repository's text, made
by ``scripts/make-font-subset.py``. So ``jixiao demo`` draws its charts on a machine with no
system font at all. Only if even the bundled file is missing (a broken install) do the charts
fail, with :class:`ChartFontError`, a Chinese message that says what to do; a chart with boxes
instead of characters is never produced.

Every chart is drawn inside an ``rc_context`` that sets the chosen font and ``axes.unicode_minus =
False`` (so a negative 当期结余 prints an ASCII minus that the font has).

Figures come in as ``Decimal``; they become floats only to be drawn. The labels on the bars are
the figures formatted as the report writes them (``fmt``), never a float's repr.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from jixiao.numbers import fmt

CJK_FAMILY = "WenQuanYi Micro Hei"
CJK_FONT_PATHS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc"),  # Fedora / Arch layout
)
#: the font shipped in the package, drawn with when the system has no 文泉驿微米黑
BUNDLED_FAMILY = "Jixiao Sans SC"
BUNDLED_FONT_PATH = Path(__file__).resolve().parent / "fonts" / "JixiaoSansSC-Regular.otf"
#: bars: 上年 in grey, 本年 in a sober blue (government reports print in few colours)
COLOURS = ("#9aa5b1", "#2f5d8a", "#c0504d", "#9bbb59", "#8064a2", "#4bacc6", "#f79646")
DPI = 150


class ChartFontError(RuntimeError):
    """No CJK font at all, not even the bundled one (a broken install): charts would show boxes."""


@dataclass(frozen=True)
class CjkFont:
    """The font the charts draw Chinese with: its family name for matplotlib and its file."""

    family: str
    path: Path
    bundled: bool


@dataclass(frozen=True)
class Chart:
    """A drawn chart: a stable key, its caption (图注) and the PNG bytes."""

    key: str
    title: str
    png: bytes


@lru_cache(maxsize=1)
def cjk_font() -> CjkFont:
    """文泉驿微米黑 if the system has it, else the bundled font; registered with matplotlib's font manager.

    ChartFontError only when neither is there (the package's own font file is missing).
    """
    for path in CJK_FONT_PATHS:
        if path.is_file():
            font_manager.fontManager.addfont(str(path))
            return CjkFont(CJK_FAMILY, path, bundled=False)
    found: str
    try:
        found = font_manager.findfont(font_manager.FontProperties(family=CJK_FAMILY), fallback_to_default=False)
    except ValueError:
        found = ""
    if found and Path(found).is_file():
        return CjkFont(CJK_FAMILY, Path(found), bundled=False)
    if BUNDLED_FONT_PATH.is_file():
        font_manager.fontManager.addfont(str(BUNDLED_FONT_PATH))
        return CjkFont(BUNDLED_FAMILY, BUNDLED_FONT_PATH, bundled=True)
    raise ChartFontError(
        f"找不到中文字体：系统中没有“文泉驿微米黑”（{CJK_FAMILY}），jixiao 自带的字体文件 {BUNDLED_FONT_PATH} "
        "也不存在，说明安装不完整，图表中的汉字将无法显示。请重新安装 jixiao（在源码目录中执行 make setup），"
        "或安装系统字体：bash scripts/system-deps.sh（Debian/Ubuntu 软件包 fonts-wqy-microhei）。"
    )


def cjk_font_path() -> Path:
    """The file of the font the charts draw Chinese with (see :func:`cjk_font`)."""
    return cjk_font().path


def _rc() -> dict[str, Any]:
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [cjk_font().family],
        "axes.unicode_minus": False,
        "font.size": 10,
        "axes.titlesize": 12,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }


def _figure(width: float, height: float) -> Figure:
    """A bare Agg figure (no pyplot: nothing to register or close), white, at :data:`DPI`."""
    fig = Figure(figsize=(width, height), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure) -> bytes:
    """Draw once and encode the canvas as PNG (fast zlib level: the images are small and flat).

    ``savefig`` would draw the figure again (twice with a layout engine); the layouts here are
    fixed, so one draw is all a chart needs.
    """
    fig.canvas.draw()
    canvas: Any = fig.canvas
    width, height = canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    buf = io.BytesIO()
    image.save(buf, format="png", compress_level=1, dpi=(DPI, DPI))
    return buf.getvalue()


def _wrap(label: str, width: int = 7) -> str:
    """A category label on lines of at most ``width`` characters (never cropped at the figure's edge)."""
    if len(label) <= width:
        return label
    return "\n".join(label[i:i + width] for i in range(0, len(label), width))


def _common_unit(labels: Sequence[str]) -> str | None:
    """The unit every label ends with (``万元``), or None when they differ."""
    units = set()
    for text in labels:
        tail = text.lstrip("-−0123456789.")
        units.add(tail)
    return units.pop() if len(units) == 1 else None


def bar_chart(
    key: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Decimal | None]]],
    unit: str,
    *,
    places: int | None = None,
    reference: Decimal | None = None,
    reference_label: str | None = None,
    labels: Sequence[Sequence[str | None]] | None = None,
) -> Chart:
    """Grouped vertical bars with the figure written on each bar.

    A missing figure leaves no gap: each category's bars are centred on it, however many it has.
    ``labels`` (parallel to ``series``) are the figures as the report prints them; without them a
    figure is printed as written (``places=None``) or rounded half-up. When every label carries the
    same unit it is printed once, top left; else each label keeps its own. The value axis is
    hidden (the figures are on the bars) and its limits leave room for every label.
    """
    keep = [j for j in range(len(categories)) if any(values[j] is not None for _, values in series)]
    if len(keep) < len(categories):  # a category with no figure draws nothing, not an empty slot
        categories = [categories[j] for j in keep]
        series = [(name, [values[j] for j in keep]) for name, values in series]
        labels = [[row[j] for j in keep] for row in labels] if labels is not None else None
    n_series = max(len(series), 1)
    texts: list[list[str | None]] = []
    for i, (_, values) in enumerate(series):
        row = list(labels[i]) if labels is not None else [
            None if v is None else f"{_label(v, places)}{unit}" for v in values]
        texts.append(row)
    shown = [t for row in texts for t in row if t]
    common = _common_unit(shown) if shown else unit
    with matplotlib.rc_context(_rc()):  # type: ignore[arg-type]
        legend = n_series > 1 or bool(reference_label)
        fig = _figure(6.4, 3.8)
        fig.subplots_adjust(left=0.04, right=0.96, top=0.82, bottom=0.24 if legend else 0.16)
        ax = fig.add_subplot()
        width = 0.8 / n_series
        drawn: list[float] = [0.0]
        seen_series: set[int] = set()
        for j in range(len(categories)):
            present = [(i, series[i][1][j]) for i in range(len(series)) if series[i][1][j] is not None]
            for k, (i, v) in enumerate(present):
                x = j + (k - (len(present) - 1) / 2) * width
                assert v is not None
                bar = ax.bar([x], [float(v)], width=width * 0.9, color=COLOURS[(i + (0 if n_series > 1 else 1))
                                                                            % len(COLOURS)],
                             label=series[i][0] if i not in seen_series else None)
                seen_series.add(i)
                text = texts[i][j] or ""
                if common and text.endswith(common):
                    text = text[: -len(common)]
                ax.bar_label(bar, labels=[text.replace("-", "−")], padding=2, fontsize=8,
                             bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6})  # legible over a line
                drawn.append(float(v))
        if reference is not None:
            ax.axhline(float(reference), color="#c0504d", linewidth=1, linestyle="--", label=reference_label or None)
            drawn.append(float(reference))
        ax.axhline(0, color="#333333", linewidth=0.6)
        top, bottom = max(drawn), min(drawn)
        span = (top - bottom) or abs(top) or 1.0
        ax.set_ylim(bottom - (0.18 * span if bottom < 0 else 0), top + 0.2 * span)
        ax.set_xlim(-0.6, len(categories) - 0.4)
        ax.set_xticks(range(len(categories)), [_wrap(c) for c in categories])
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        ax.spines["bottom"].set_visible(False)
        ax.tick_params(axis="x", length=0, pad=6)
        fig.suptitle(_wrap(title, 30), fontsize=12, y=0.97)
        if common:
            fig.text(0.04, 0.85, f"单位：{common}", fontsize=9, va="bottom")
        if legend:
            fig.legend(loc="lower center", ncols=n_series + (1 if reference_label else 0), frameon=False, fontsize=9)
        return Chart(key, title, _png(fig))


def _label(value: Decimal | None, places: int | None) -> str:
    """A figure as written (``places=None``: the Decimal's own exponent) or rounded half-up."""
    if value is None:
        return ""
    return f"{value:f}" if places is None else fmt(value, places)


def pie_chart(
    key: str, title: str, parts: Sequence[tuple[str, Decimal | None, str]], *, legend_title: str | None = None,
) -> Chart | None:
    """A ring of non-negative parts; the legend carries each part's label text as the report writes it
    (amount as written and its share, e.g. ``"746.35万元，占98.16%"``). None with fewer than two
    positive parts.
    """
    drawn = [(name, v, text) for name, v, text in parts if v is not None and v > 0]
    if len(drawn) < 2:  # one part is 100%: a ring says nothing the sentence does not
        return None
    with matplotlib.rc_context(_rc()):  # type: ignore[arg-type]
        fig = _figure(6.4, 3.4)
        fig.subplots_adjust(left=0.02, right=0.42, top=0.86, bottom=0.04)
        ax = fig.add_subplot()
        wedges, _ = ax.pie(
            [float(v) for _, v, _ in drawn if v is not None], startangle=90, counterclock=False,
            colors=COLOURS[1:] + COLOURS[:1], wedgeprops={"linewidth": 1.5, "edgecolor": "white", "width": 0.45},
        )
        ax.legend(
            wedges, [f"{_wrap(name, 12)}：{text}" for name, _, text in drawn], title=legend_title, loc="center left",
            bbox_to_anchor=(1.02, 0.5), frameon=False, fontsize=9,
        )
        fig.suptitle(_wrap(title, 30), fontsize=12, y=0.97)
        ax.axis("equal")
        return Chart(key, title, _png(fig))
