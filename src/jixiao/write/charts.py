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
from collections.abc import Mapping, Sequence
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

from jixiao.model import DepartmentYear, FundKind, FundYear
from jixiao.numbers import Quantity, fmt, round_half_up

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


def _f(values: Sequence[Decimal | None]) -> list[float]:
    return [float(v) if v is not None else 0.0 for v in values]


def _label(value: Decimal | None, places: int | None) -> str:
    """A figure as written (``places=None``: the Decimal's own exponent) or rounded half-up."""
    if value is None:
        return ""
    return f"{value:f}" if places is None else fmt(value, places)


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
) -> Chart:
    """Grouped vertical bars with the figure written on each bar (missing figures are not drawn).

    The figures are on the bars, so there is no value axis: only the unit, top left, as printed
    reports do. Fixed margins (no layout engine): one draw per chart.
    """
    with matplotlib.rc_context(_rc()):  # type: ignore[arg-type]
        legend = len(series) > 1 or bool(reference_label)
        fig = _figure(6.4, 3.6)
        fig.subplots_adjust(left=0.03, right=0.97, top=0.84, bottom=0.2 if legend else 0.11)
        ax = fig.add_subplot()
        n = max(len(series), 1)
        width = 0.8 / n
        for i, (name, values) in enumerate(series):
            xs = [j + (i - (n - 1) / 2) * width for j in range(len(categories))]
            present = [(x, v) for x, v in zip(xs, values, strict=True) if v is not None]
            if not present:
                continue
            bars = ax.bar(
                [x for x, _ in present], _f([v for _, v in present]), width=width * 0.92,
                label=name, color=COLOURS[(i + (0 if n > 1 else 1)) % len(COLOURS)],
            )
            ax.bar_label(bars, labels=[_label(v, places) for _, v in present], padding=2, fontsize=8)
        if reference is not None:
            ax.axhline(float(reference), color="#c0504d", linewidth=1, linestyle="--",
                       label=reference_label or None)
        ax.axhline(0, color="#333333", linewidth=0.6)
        ax.set_xticks(range(len(categories)), list(categories))
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        ax.spines["bottom"].set_visible(False)
        ax.tick_params(axis="x", length=0, pad=6)
        ax.margins(y=0.15)
        fig.suptitle(title, fontsize=12, y=0.97)
        fig.text(0.03, 0.87, f"单位：{unit}", fontsize=9, va="bottom")
        if legend:
            handles = len(series) + (1 if reference_label else 0)
            fig.legend(loc="lower center", ncols=handles, frameon=False, fontsize=9)
        return Chart(key, title, _png(fig))


def pie_chart(
    key: str, title: str, parts: Sequence[tuple[str, Decimal | None, str]], *, legend_title: str | None = None,
) -> Chart | None:
    """A ring of non-negative parts; the legend carries each part's label text as the report writes it
    (amount as written and the engine's share, e.g. ``"746.35万元，占98.16%"``). None with fewer than two
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
            _f([v for _, v, _ in drawn]), startangle=90, counterclock=False,
            colors=COLOURS[1:] + COLOURS[:1], wedgeprops={"linewidth": 1.5, "edgecolor": "white", "width": 0.45},
        )
        ax.legend(
            wedges, [f"{name}：{text}" for name, _, text in drawn], title=legend_title, loc="center left",
            bbox_to_anchor=(1.02, 0.5), frameon=False, fontsize=9,
        )
        fig.suptitle(title, fontsize=12, y=0.97)
        ax.axis("equal")
        return Chart(key, title, _png(fig))

# --------------------------------------------------------------------------------------------
# Report charts from the model and the engine's results
# --------------------------------------------------------------------------------------------

def _computed(results: Mapping[str, Any], indicator_id: str) -> Any | None:
    res = results.get(indicator_id)
    return res if res is not None and res.value is not None else None


def _money(q: Quantity | None, unit: str) -> Decimal | None:
    if q is None:
        return None
    return q.value if q.unit == unit else q.value_in(unit)


def _fund_label(fy: FundYear) -> str:
    return fy.fund.value if fy.fund.value.endswith("基金") else f"{fy.fund.value}基金"


def fund_overview_chart(fy: FundYear, results: Mapping[str, Any]) -> Chart | None:
    """收入、支出、当期结余 of the year, next to the previous year's 收入/支出 when known."""
    unit = "万元"
    income = _money(fy.income.total, unit)
    spent = _money(fy.expenditure.total, unit)
    if income is None and spent is None:
        return None
    current = _computed(results, "current_balance")
    # the engine's value rounded as it displays it: the bar label then reads like the sentence
    balance = (round_half_up(current.value, current.places) if current is not None
               else _money(fy.balance.current, unit))
    prev_income = _money(fy.previous.income_total, unit)
    prev_spent = _money(fy.previous.expenditure_total, unit)
    change_in = _computed(results, "income_yoy_change")
    change_out = _computed(results, "expenditure_yoy_change")
    if prev_income is None and change_in is not None and income is not None:
        prev_income = income - change_in.value
    if prev_spent is None and change_out is not None and spent is not None:
        prev_spent = spent - change_out.value
    series: list[tuple[str, Sequence[Decimal | None]]] = []
    if prev_income is not None or prev_spent is not None:
        series.append((f"{fy.year - 1}年", [prev_income, prev_spent, None]))
    series.append((f"{fy.year}年", [income, spent, balance]))
    return bar_chart(f"fund_overview_{fy.fund.name}", f"{fy.year}年{_fund_label(fy)}收支结余情况",
                     ["基金收入", "基金支出", "当期结余"], series, unit)


def fund_structure_chart(
    fy: FundYear, siblings: Mapping[FundKind, FundYear], results: Mapping[str, Any],
) -> Chart | None:
    """统筹基金/个人账户 structure of 职工医保 income (shares from the engine)."""
    pooling = siblings.get(FundKind.employee_pooling)
    account = siblings.get(FundKind.employee_account)
    if pooling is None or account is None:
        return None
    parts = []
    for sib, share_id, label in ((pooling, "pooling_income_share", "统筹基金收入"),
                                 (account, "account_income_share", "个人账户收入")):
        q = sib.income.total
        share = _computed(results, share_id)
        parts.append((label, q.value if q else None, f"{q}，占{share.display()}" if q and share else str(q or "")))
    title = f"{fy.year}年{_fund_label(fy)}收入结构（统筹基金/个人账户）"
    return pie_chart(f"fund_structure_{fy.fund.name}", title, parts)


def fund_budget_execution_chart(records: Sequence[tuple[FundYear, Mapping[str, Any]]]) -> Chart | None:
    """收入/支出 预算执行率 of each fund, with the 100% line."""
    names, income, spent = [], [], []
    for fy, results in records:
        a = _computed(results, "income_budget_execution_rate")
        b = _computed(results, "expenditure_budget_execution_rate")
        if a is None and b is None:
            continue
        names.append(fy.fund.value.replace("基本医疗保险", "医保"))
        income.append(round_value(a))
        spent.append(round_value(b))
    if not names:
        return None
    year = records[0][0].year
    return bar_chart("fund_budget_execution", f"{year}年基金预算执行率", names,
                     [("收入预算执行率", income), ("支出预算执行率", spent)], "%", places=2,
                     reference=Decimal(100), reference_label="100%")


def round_value(res: Any | None) -> Decimal | None:
    """The value a bar is drawn at and labelled with: the engine's value (label rounds like display())."""
    return None if res is None else res.value


def department_totals_chart(dy: DepartmentYear) -> Chart | None:
    """收、支决算总计变动情况 (上年 vs 本年)."""
    income, spent = dy.income.total, dy.expenditure.total
    if income is None and spent is None:
        return None
    series: list[tuple[str, Sequence[Decimal | None]]] = []
    prev_in, prev_out = dy.previous.income_total, dy.previous.expenditure_total
    if prev_in is not None or prev_out is not None:
        series.append((f"{dy.year - 1}年", [_money(prev_in, "万元"), _money(prev_out, "万元")]))
    series.append((f"{dy.year}年", [_money(income, "万元"), _money(spent, "万元")]))
    return bar_chart("department_totals", "收、支决算总计变动情况", ["收入总计", "支出总计"], series, "万元")


def department_income_chart(dy: DepartmentYear, results: Mapping[str, Any]) -> Chart | None:
    """收入决算结构 (财政拨款/其他收入)."""
    parts = []
    for q, label, share_id in ((dy.income.fiscal, "财政拨款收入", "fiscal_income_share"),
                               (dy.income.other, "其他收入", "other_income_share")):
        share = _computed(results, share_id)
        if q is not None:
            parts.append((label, q.value, f"{q}，占{share.display()}" if share else str(q)))
    return pie_chart("department_income", "收入决算结构", parts)


def department_expenditure_chart(dy: DepartmentYear, results: Mapping[str, Any]) -> Chart | None:
    """支出决算结构 (基本支出/项目支出)."""
    parts = []
    for q, label, share_id in ((dy.expenditure.basic, "基本支出", "basic_share"),
                               (dy.expenditure.project, "项目支出", "project_share")):
        share = _computed(results, share_id)
        if q is not None:
            parts.append((label, q.value, f"{q}，占{share.display()}" if share else str(q)))
    return pie_chart("department_expenditure", "支出决算结构", parts)


def department_fiscal_chart(dy: DepartmentYear) -> Chart | None:
    """一般公共预算财政拨款支出决算变动情况 (上年 vs 本年)."""
    now, before = dy.expenditure.general_public, dy.previous.general_public_expenditure
    if now is None or before is None:
        return None
    return bar_chart("department_fiscal", "一般公共预算财政拨款支出决算变动情况", ["一般公共预算财政拨款支出"],
                     [(f"{dy.year - 1}年", [_money(before, "万元")]), (f"{dy.year}年", [_money(now, "万元")])], "万元")


def department_three_public_chart(dy: DepartmentYear) -> Chart | None:
    """“三公”经费 by item: 预算 vs 决算 (a pie when every item has a positive 决算 is misleading at 0)."""
    tp = dy.three_public
    items = [(type(tp).model_fields[name].title or name, getattr(tp, name)) for name in tp.PARTS]
    items = [(label, item) for label, item in items if item.actual is not None or item.budget is not None]
    if not items:
        return None
    series: list[tuple[str, Sequence[Decimal | None]]] = []
    budgets = [_money(item.budget, "万元") for _, item in items]
    if any(v is not None for v in budgets):
        series.append(("预算数", budgets))
    series.append(("决算数", [_money(item.actual, "万元") for _, item in items]))
    labels = [label.replace("公务用车购置及运行维护费", "公务用车购置及运行费") for label, _ in items]
    return bar_chart("department_three_public", "“三公”经费财政拨款支出结构", labels, series, "万元")


def department_budget_chart(dy: DepartmentYear) -> Chart | None:
    """年初预算、全年预算、实际支出 (预算执行情况)."""
    spent = dy.expenditure.general_public or dy.expenditure.total
    values = [_money(dy.budget.initial, "万元"), _money(dy.budget.full_year, "万元"), _money(spent, "万元")]
    if sum(v is not None for v in values) < 2:
        return None
    return bar_chart("department_budget", "预算及执行情况", ["年初预算", "全年预算", "实际支出"],
                     [(f"{dy.year}年", values)], "万元")


def department_basic_chart(dy: DepartmentYear, results: Mapping[str, Any]) -> Chart | None:
    """基本支出结构 (人员经费/公用经费)."""
    parts = []
    for q, label, share_id in ((dy.expenditure.personnel, "人员经费", "personnel_share"),
                               (dy.expenditure.public_operating, "公用经费", "public_operating_share")):
        share = _computed(results, share_id)
        if q is not None:
            parts.append((label, q.value, f"{q}，占{share.display()}" if share else str(q)))
    return pie_chart("department_basic", "基本支出结构", parts)
