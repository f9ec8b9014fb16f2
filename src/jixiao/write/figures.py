"""The report's charts, drawn from the figures exactly as its text prints them.

Each chart is about one thing and shows only its own data: one fund's income, spending and
balance (the previous year beside it when known); 职工医保's 统筹基金 and 个人账户 only where both
exist; the department's structure and changes. A bar's label is the printed figure (its unit and
precision as in the text: ``22.55亿元`` stays ``22.55亿元``); a missing figure draws no bar.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from jixiao.numbers import conversion
from jixiao.write.charts import Chart, bar_chart, pie_chart
from jixiao.write.printed import Fig


def _height(fig: Fig | None, unit: str) -> Decimal | None:
    """The value a bar is drawn at, in the chart's unit (labels keep the figure's own)."""
    if fig is None:
        return None
    if fig.unit == unit or not fig.unit:
        return fig.value
    try:
        return fig.value * conversion(fig.unit, unit)
    except ValueError:
        return None


def _unit(figs: Sequence[Fig | None]) -> str:
    units = [f.unit for f in figs if f is not None]
    return max(set(units), key=units.count) if units else "万元"


def bars(key: str, title: str, categories: Sequence[str], series: Sequence[tuple[str, Sequence[Fig | None]]],
         *, reference: Decimal | None = None, reference_label: str | None = None) -> Chart | None:
    """Bars of printed figures; None when fewer than two figures would be drawn."""
    figs = [f for _, row in series for f in row]
    if sum(f is not None for f in figs) < 2:
        return None
    unit = _unit(figs)
    values = [(name, [_height(f, unit) for f in row]) for name, row in series]
    labels = [[None if f is None else f.text for f in row] for _, row in series]
    return bar_chart(key, title, categories, values, unit, labels=labels, reference=reference,
                     reference_label=reference_label)


def fund_chart(key: str, title: str, year: int, figs: dict[str, Fig | None]) -> Chart | None:
    """收入、支出、当期结余 of one fund; the previous year's 收入/支出 beside them when known."""
    now = [figs.get("income"), figs.get("expenditure"), figs.get("balance")]
    prev = [figs.get("previous_income"), figs.get("previous_expenditure"), None]
    series: list[tuple[str, Sequence[Fig | None]]] = []
    if any(prev):
        series.append((f"{year - 1}年", prev))
    series.append((f"{year}年", now))
    return bars(key, title, ["基金收入", "基金支出", "当期结余"], series)


def parts_pie(key: str, title: str, parts: Sequence[tuple[str, Fig | None, Fig | None]]) -> Chart | None:
    """A ring of parts: each with its printed amount and share (``81733万元，占53.89%``)."""
    rows = [(label, amount.value if amount is not None else None,
             f"{amount.text}，占{share.text}" if amount is not None and share is not None else
             (amount.text if amount is not None else "")) for label, amount, share in parts]
    return pie_chart(key, title, rows)


def execution_chart(key: str, title: str, rows: Sequence[tuple[str, Fig | None, Fig | None]]) -> Chart | None:
    """收入/支出 预算执行率 of each fund, with the 100% line."""
    rows = [r for r in rows if r[1] is not None or r[2] is not None]
    if not rows:
        return None
    return bars(key, title, [name for name, _, _ in rows],
                [("收入预算执行率", [r[1] for r in rows]), ("支出预算执行率", [r[2] for r in rows])],
                reference=Decimal(100), reference_label="100%")
