"""基金运行分析报告: a unit's funds from January through a month, as a :class:`Report` the docx
writer prints.

A dedicated builder, not an outline: the outlines (:mod:`jixiao.write.outline`) are chosen by
kind, rule set and year and read one year's records through :mod:`jixiao.write.context`; a
month's report reads a :class:`~jixiao.calc.monitoring.Monitoring` instead (its period, 上年同期,
the projection, the warnings). What it shares with them is the rest: the :class:`Report` model,
the printed-operand arithmetic (:mod:`jixiao.write.printed`, each derived figure with its claim),
the shared wording (:mod:`jixiao.write.words`) and the docx writer.
"""

from __future__ import annotations

from typing import Any

from jixiao.calc.forecast import Projection
from jixiao.calc.monitoring import FundMonitor, Monitoring
from jixiao.calc.period import SAME_PERIOD, THIS_YEAR
from jixiao.calc.risks import RiskWarning
from jixiao.model.funds import FUNDS
from jixiao.numbers import Quantity, round_half_up
from jixiao.write.printed import POINTS, Fig, difference, growth, of, ratio
from jixiao.write.report import Block, Claim, CoverLine, Grid, Paragraph, Report, Section
from jixiao.write.words import change_clause, listing

_CN = "一二三四五六七八九十"
#: how a band's label begins when it says only how a figure compares, not which figure
_COMPARED = ("低于", "高于", "超过", "不足", "过高", "过低")
#: the rows of a fund's table: (title, group, item)
_ROWS = (("一、基金收入", "income", "total"), ("其中：征缴收入", "income", "contributions"),
         ("二、基金支出", "expenditure", "total"), ("其中：待遇支出", "expenditure", "benefits"))


def _fig(q: Any) -> Fig | None:
    return of(q.to_unit("万元")) if isinstance(q, Quantity) else None


def _same(f: FundMonitor, group: str, name: str) -> Fig | None:
    """上年同期: the same months' record of last year, else what this period's report states of it."""
    record = f.context.get(SAME_PERIOD)
    if record is not None:
        found = _fig(getattr(getattr(record, group), name))
        if found is not None:
            return found
    stated = {("income", "total"): "income_total", ("expenditure", "total"): "expenditure_total",
              ("income", "contributions"): "contributions"}.get((group, name))
    return _fig(getattr(f.record.previous, stated)) if stated else None


def _budget(f: FundMonitor, side: str) -> Fig | None:
    """The year's budget as the period states it (adjusted first), else this year's annual record's."""
    for budget in (f.record.budget, getattr(f.context.get(THIS_YEAR), "budget", None)):
        if budget is None:
            continue
        for name in (f"{side}_adjusted", side):
            found = _fig(getattr(budget, name))
            if found is not None:
                return found
    return None


def _progress(f: FundMonitor) -> Fig | None:
    result = f.result("time_progress")
    if result is None or result.value is None:
        return None
    return Fig(round_half_up(result.value, 2), "%")


class _Para:
    """A paragraph being written: its clauses and the claims of the derived figures in them."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.claims: list[Claim] = []

    def take(self, found: tuple[Fig, Claim | None] | None) -> Fig | None:
        if found is None:
            return None
        fig, claim = found
        if claim is not None:
            self.claims.append(claim)
        return fig

    def paragraph(self) -> Paragraph | None:
        if not self.parts:
            return None
        return Paragraph("，".join(self.parts) + "。", claims=tuple(self.claims))


def _flows(f: FundMonitor, when: str) -> Paragraph | None:
    p = _Para()
    r = f.record
    for title, group in (("基金收入", "income"), ("基金支出", "expenditure")):
        total = _fig(getattr(r, group).total)
        if total is None:
            continue
        text = f"{when}{title}{total.text}" if not p.parts else f"{title}{total.text}"
        before = _same(f, group, "total")
        if before is not None:
            clause = change_clause(p.take(difference(total, before)), p.take(growth(total, before)),
                                   against=f"较上年同期{before.text}")
            text += f"，{clause}" if clause else ""
        p.parts.append(text)
    income, spent = _fig(r.income.total), _fig(r.expenditure.total)
    if income is not None and spent is not None:
        current = p.take(difference(income, spent))
        assert current is not None
        word = "当期结余" if current.sign >= 0 else "当期收不抵支"
        p.parts.append(f"{word}{current.magnitude}")
    closing = _fig(r.balance.closing)
    if closing is not None:
        p.parts.append(f"期末累计结余{closing.text}")
    return p.paragraph()


def _execution(f: FundMonitor) -> Paragraph | None:
    p = _Para()
    progress = _progress(f)
    for title, group in (("基金收入", "income"), ("基金支出", "expenditure")):
        total, budget = _fig(getattr(f.record, group).total), _budget(f, group)
        if total is None or budget is None:
            continue
        rate = p.take(ratio(total, budget))
        if rate is None:
            continue
        text = f"{title}{total.text}，为年度预算{budget.text}的{rate.text}"
        if progress is not None:
            if rate.value >= progress.value:
                gap = p.take(difference(rate, progress, unit=POINTS))
                text += f"，快于序时进度{gap.text if gap else ''}" if gap and gap.sign else "，与序时进度持平"
            else:
                gap = p.take(difference(progress, rate, unit=POINTS))
                text += f"，慢于序时进度{gap.text if gap else ''}"
        p.parts.append(text)
    if not p.parts:
        return None
    if progress is not None:
        p.parts.insert(0, f"按序时进度{progress.text}衡量")
    return p.paragraph()


def _about(p: Projection, places: int) -> Fig:
    return Fig(round_half_up(p.value, places), "万元", "约")


def _range(p: Projection, places: int) -> str:
    if p.method == "complete":
        return ""
    if p.low is None or p.high is None:
        return ""
    low, high = round_half_up(p.low, places), round_half_up(p.high, places)
    return f"（按往年同期预计数的偏差测算，可能在{low}万元至{high}万元之间）"


def _projection(f: FundMonitor) -> Paragraph | None:
    parts = []
    for title, side, p in (("基金收入", "income", f.income), ("基金支出", "expenditure", f.expenditure)):
        if p is None or p.method == "complete":
            continue
        places = 0  # a projection in whole 万元: its digits beyond are not known
        text = f"预计全年{title}{_about(p, places).text}{_range(p, places)}"
        budget = _budget(f, side)
        share = ratio(_about(p, places), budget, 1) if budget is not None else None  # from the printed figures
        if share is not None:
            text += f"，约为年度预算的{share[0].text}"
        parts.append(text)
    if not parts:
        return None
    method = next(p.label for p in (f.income, f.expenditure) if p is not None and p.method != "complete")
    parts[0] = f"{method}，{parts[0]}"
    if f.income is not None and f.expenditure is not None:  # from the projections as printed
        balance = _about(f.income, 0).value - _about(f.expenditure, 0).value
        word = "当期结余" if balance >= 0 else "当期收不抵支"
        parts.append(f"全年{word}约{abs(balance)}万元")
    text = "；".join(parts) + "。"
    if any(p is not None and p.method != "complete" and p.margin is None for p in (f.income, f.expenditure)):
        text += "往年同期数据不足，暂无法测算预计数的可能区间。"
    return Paragraph(text)


def _reserve(f: FundMonitor) -> Paragraph | None:
    result = f.result("months_of_reserve")
    if result is None or result.value is None:
        return None
    months = round_half_up(result.value, 1)
    return Paragraph(f"按近12个月基金支出水平，期末累计结余可支付{months}个月。")


def _table(f: FundMonitor, key: str, when: str) -> Grid:
    """The period's figures beside last year's same months (derived figures stay in the text)."""
    grid = Grid(key, f"{f.label}基金收支情况表（{when}）", 3, widths=[2.4, 1.6, 1.6], note="单位：万元")
    for col, head in enumerate(("项目", "本期累计", "上年同期")):
        grid.add(0, col, head, header=True)
    row = 1
    for title, group, name in _ROWS:
        now = _fig(getattr(getattr(f.record, group), name))
        if now is None:
            continue
        before = _same(f, group, name)
        grid.add(row, 0, title, align="left")
        for col, fig in enumerate((now, before), start=1):
            grid.add(row, col, f"{fig.value:f}" if fig is not None else "—", align="right",
                     value=fig.value if fig is not None else None)
        row += 1
    return grid


def _series(f: FundMonitor, key: str) -> Grid | None:
    if len(f.series) < 2:
        return None
    grid = Grid(key, f"{f.label}预算执行进度表", 4, widths=[1, 1.4, 1.6, 1.6], note="单位：%")
    for col, head in enumerate(("月份", "序时进度", "收入预算执行率", "支出预算执行率")):
        grid.add(0, col, head, header=True)
    for row, point in enumerate(f.series, start=1):
        grid.add(row, 0, f"1-{point.month}月" if point.month > 1 else "1月")
        for col, value in enumerate((point.time_progress, point.income_execution, point.expenditure_execution), 1):
            shown = round_half_up(value, 2) if value is not None else None
            grid.add(row, col, f"{shown:f}" if shown is not None else "—", align="right", value=shown)
    return grid


def _fund_section(i: int, f: FundMonitor, when: str) -> Section:
    section = Section(f"fund-{i}", f"（{_CN[i]}）{f.label}", style="h2")
    for block in (_flows(f, when), _execution(f), _projection(f)):
        if block is not None:
            section.blocks.append(block)
    section.blocks.append(_table(f, f"fund-{i}-table", when))
    series = _series(f, f"fund-{i}-series")
    if series is not None:
        section.blocks.append(series)
    return section


def _overview(m: Monitoring, name: str, when: str) -> Section:
    funds = listing([f"{f.fund.value}{f'（{f.record.scope}）' if f.record.scope else ''}" for f in m.funds])
    text = f"{when}，{name}对{funds}的收支、结余和预算执行情况进行了监测分析"
    warned = [w for w in m.warnings if w.severity in ("error", "warning")]
    text += f"，发现需关注的风险{len(warned)}项" if warned else "，未发现需预警的风险"
    blocks: list[Block | Section] = [Paragraph(text + "。")]
    if m.missing:
        blocks.append(Paragraph(f"{listing(m.missing)}暂无截至{m.month}月的累计数据，本报告未作分析。"))
    return Section("overview", "一、基金运行总体情况", blocks)


def _figure(name: str, value: str) -> str:
    """One of a warning's figures as a clause: 上年同期·基金收入合计 → 上年同期基金收入合计37534万元."""
    name = name.replace("·", "")
    if name.endswith("（个百分点）"):
        name, value = name.removesuffix("（个百分点）"), f"{value}个百分点"
    return f"{name}{value}"


def _risk(f: FundMonitor, w: RiskWarning, said: str) -> Paragraph:
    """A warning as the report says it: what is wrong (its band's label), the figures it rests on
    that the fund's part has not already said (``said``; each figure once), whether the figure is
    approximate, and the official document of its threshold."""
    head = w.label or w.rule_name
    if w.label.startswith(_COMPARED) and w.rule_name:  # a band's label says how, the rule's name what
        head = f"{w.rule_name}{w.label}"
    text = head if head.startswith(FUNDS[f.fund].short) else f"{f.label}{head}"
    figures = [_figure(k, v) for k, v in w.figures.items() if v.removeprefix("-") not in said]
    if figures:
        text += "。" + "，".join(figures)
    if w.approximate:
        text += "（统筹基金与个人账户未分开列示，按合并数据近似测算）"
    if w.citation:
        text += f"。判断标准依据{w.citation}"
    return Paragraph(text + "。")


def _risks(m: Monitoring, said: dict[int, str]) -> Section:
    section = Section("risks", "三、风险提示")
    section.blocks += [_risk(f, w, said[i]) for i, f in enumerate(m.funds) for w in f.warnings]
    if not section.blocks:
        section.blocks.append(Paragraph("本期各项基金收支未触发风险预警，将继续按月跟踪监测。"))
    return section


def monitoring_report(m: Monitoring, unit_name: str) -> Report:
    """The 基金运行分析报告 of ``m`` for the unit called ``unit_name``."""
    when = f"{m.year}年1-{m.month}月" if m.month > 1 else f"{m.year}年1月"
    parts = [_fund_section(i, f, when[len(str(m.year)) + 1:]) for i, f in enumerate(m.funds)]
    said = {i: "\n".join(b.text for b in part.blocks if isinstance(b, Paragraph)) for i, part in enumerate(parts)}
    funds = Section("funds", "二、分基金运行情况", list(parts))
    title = f"{when}基金运行分析报告"
    return Report(
        kind="monitoring", title=f"{unit_name}{title}", unit_name=unit_name, year=m.year,
        file_stem=f"{m.unit}_{m.year}_{m.month:02d}_基金运行分析报告", title_lines=(unit_name, title),
        sections=[_overview(m, unit_name, when), funds, _risks(m, said)],
        signature=(CoverLine("编报单位", unit_name), CoverLine("编报日期", "　　年　　月　　日")),
        part="monitoring", outline="基金运行分析报告")


__all__ = ["monitoring_report"]
