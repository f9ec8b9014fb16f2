"""预算编制说明 (Word) and 基金预算表 (Excel, values only) from drafted budgets
(:mod:`jixiao.calc.budget_draft`).

Every figure printed is a line or an assumption of the draft as the draft rounded it, so the
document, the table and the command's output say the same numbers; each line says how it was
reached (the quantities that went in, or the assumption it follows) and each assumption where it
came from. A dedicated builder, not an outline: a budget draft is not a year's record.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from jixiao.calc.budget_draft import Assumption, BudgetDraft, BudgetLine
from jixiao.numbers import fmt, round_half_up
from jixiao.write.printed import Fig, months
from jixiao.write.report import Block, CoverLine, Grid, Paragraph, Report, Section
from jixiao.write.words import listing

_CN = "一二三四五六七八九十"
#: the table's order and depth: totals first, then their parts
_TOP = {"income.total": "一、基金收入合计", "expenditure.total": "二、基金支出合计", "balance.current": "三、当期结余",
        "balance.opening": "四、年初累计结余", "balance.closing": "五、年末累计结余"}
_CONTRIBUTIONS = ("income.contributions_employer", "income.contributions_individual")


def _depth(path: str) -> int:
    if path in _TOP:
        return 0
    return 2 if path in _CONTRIBUTIONS else 1


def _ordered(d: BudgetDraft) -> list[BudgetLine]:
    """Each total before its parts: 基金收入合计, 征缴收入, 单位缴费 …, then 基金支出合计 …"""
    def key(line: BudgetLine) -> tuple[int, int, int]:
        group = ("income", "expenditure", "balance").index(line.path.split(".")[0])
        if line.path in _TOP:
            return group, 0 if group < 2 else list(_TOP).index(line.path), 0
        rank = 0 if line.path == "income.contributions" else 1 if line.path in _CONTRIBUTIONS else 2
        return group, 1, rank
    return sorted(d.lines, key=key)


def _basis(u: Assumption) -> str:
    """Where an assumption came from, as the 说明 says it (the officer's own words when given)."""
    basis = "由编制单位确定" if u.basis == "给定" else u.basis
    return f"{basis}（{u.note}）" if u.note else basis


def _used(d: BudgetDraft, key: str) -> Assumption | None:
    return next((u for u in d.used if u.key == key), None)


def _how(d: BudgetDraft, line: BudgetLine) -> str:
    """How a line was reached: its inputs as the formula names them, or the assumption it follows."""
    if line.path in ("income.total", "expenditure.total", "income.contributions"):
        names = [part.rsplit(" ", 1)[0] for part in line.formula.split(" = ")[0].split(" + ")]
        return f"为{listing(names)}之和" if len(names) > 1 else f"全部为{names[0]}"
    if line.path == "balance.current":
        return "为基金收入合计减基金支出合计"
    if line.path == "balance.closing":
        return "为年初累计结余加当期结余"
    used = _used(d, f"trends.{line.path}") or (_used(d, "opening") if line.path == "balance.opening" else None)
    if used is not None and used.title.endswith("增长率"):
        return f"按{used.title}{used.value}测算（{_basis(used).removeprefix('按')}）"
    if used is not None:
        return _basis(used)
    lhs = line.formula.split(" = ")[0].replace(" ÷ 10000", "").replace(" ", "")
    return f"按{lhs}测算" if "×" in lhs else ""


def _line_text(d: BudgetDraft, line: BudgetLine) -> str:
    how = _how(d, line)
    return f"{line.title}{fmt(line.value, line.places)}万元" + (f"，{how}" if how else "")


def _group(d: BudgetDraft, group: str) -> list[Paragraph]:
    lines = [line for line in _ordered(d) if line.path.startswith(group + ".")]
    return [Paragraph(_line_text(d, line) + "。") for line in lines]


def _principles(d: BudgetDraft, unit_name: str) -> Paragraph:
    a = d.assumptions
    scope = f"（{a.scope}）" if a.scope else ""
    return Paragraph(
        f"{unit_name}{a.year}年{a.fund.value}{scope}基金预算按照以收定支、收支平衡、略有结余的原则编制，"
        f"以{d.base_year}年基金收支情况为基期，结合参保、缴费和待遇政策的变化逐项测算，"
        "测算所用假设及其依据见本说明第五部分。")


def _balance(d: BudgetDraft) -> list[Paragraph]:
    out = _group(d, "balance")
    closing, spent = d.line("balance.closing"), d.line("expenditure.total")
    if closing is not None and spent is not None:
        found = months(Fig(closing.value.quantize(Decimal(1).scaleb(-closing.places)), "万元"),
                       Fig(spent.value.quantize(Decimal(1).scaleb(-spent.places)), "万元"))
        if found is not None:
            fig, claim = found
            out.append(Paragraph(
                f"预算年度年末累计结余{fmt(closing.value, closing.places)}万元，按基金支出合计"
                f"{fmt(spent.value, spent.places)}万元的月均水平，可支付{fig.text}。",
                claims=(claim,) if claim is not None else ()))
    return out


def assumptions_grid(d: BudgetDraft, key: str = "assumptions") -> Grid:
    """测算假设及依据: each assumption with its value and where it came from."""
    grid = Grid(key, "测算假设及依据", 4, widths=[0.6, 2.2, 1.6, 4.0])
    for col, head in enumerate(("序号", "假设", "取值", "依据")):
        grid.add(0, col, head, header=True)
    for row, u in enumerate(d.used, start=1):
        grid.add(row, 0, str(row))
        grid.add(row, 1, u.title, align="left")
        grid.add(row, 2, u.value, align="right")
        grid.add(row, 3, _basis(u), align="left")
    return grid


def budget_grid(d: BudgetDraft, key: str = "budget", *, parts: bool = False) -> Grid:
    """基金预算表: the lines in 万元 at the table's places, each total over its parts. In the 说明's
    annex 征缴收入 is one line, as the official table has it: one level of parts under each total,
    so a reader adds each column as it stands. With ``parts`` (the workbook) 征缴收入 has its own
    其中 lines, 单位缴费 and 个人缴费, as the 说明 gives them; they add up to it exactly (the draft's
    totals are sums of its rounded lines)."""
    a = d.assumptions
    scope = f"（{a.scope}）" if a.scope else ""
    grid = Grid(key, f"{a.year}年{a.fund.value}{scope}基金预算表", 2, widths=[3.0, 1.6], note="单位：万元")
    grid.add(0, 0, "项目", header=True)
    grid.add(0, 1, "预算数", header=True)
    depth = 0
    shown = [line for line in _ordered(d) if parts or _depth(line.path) < 2]
    for row, line in enumerate(shown, start=1):
        value = round_half_up(line.value, line.places)
        level = _depth(line.path)
        pad = "　" * level
        # the first part under a total reads “其中：”, the next ones line up under it (as fund_table)
        label = (pad + "其中：" if level > depth else pad + "　　" if level else "") + _TOP.get(line.path, line.title)
        depth = level
        grid.add(row, 0, label, align="left")
        grid.add(row, 1, fmt(value, line.places), align="right", value=value,
                 number_format="0." + "0" * line.places if line.places else "0")
    return grid


def _sections(d: BudgetDraft, unit_name: str, style: str = "h1") -> list[Section]:
    titles = ("编制原则和基期", "收入预算", "支出预算", "基金结余", "测算假设及依据")
    blocks: list[list[Paragraph | Grid]] = [
        [_principles(d, unit_name)], list(_group(d, "income")), list(_group(d, "expenditure")), list(_balance(d)),
        [Paragraph("各项测算假设的取值及依据如下表。"), assumptions_grid(d, f"assumptions-{d.assumptions.fund.name}")]]
    return [Section(f"{d.assumptions.fund.name}-{i}", f"{_CN[i]}、{t}", list(b), style=style)
            for i, (t, b) in enumerate(zip(titles, blocks, strict=True))]


def budget_report(drafts: Sequence[BudgetDraft], unit_name: str) -> Report:
    """The 预算编制说明 of ``drafts`` (one unit's funds of one year), the 基金预算表 as its annex."""
    first = drafts[0].assumptions
    one = len(drafts) == 1
    fund = f"{first.fund.value}" if one else "基本医疗保险"
    title = f"{first.year}年{fund}基金预算编制说明"
    sections: list[Section] = []
    if one:
        sections += _sections(drafts[0], unit_name)
    else:
        for i, d in enumerate(drafts):
            scope = f"（{d.assumptions.scope}）" if d.assumptions.scope else ""
            sections.append(Section(f"part-{i}", f"第{_CN[i]}部分　{d.assumptions.fund.value}{scope}",
                                    list(_sections(d, unit_name, "h2")), style="part"))
    for i, d in enumerate(drafts):
        grid = budget_grid(d, f"budget-{i}")
        title, grid.title = grid.title, ""  # the annex prints it as its title
        sections.append(Section(f"table-{i}", title, [grid], new_page=True,
                                annex=f"附表{i + 1}" if not one else "附表"))
    return Report(kind="budget", title=f"{unit_name}{title}", unit_name=unit_name, year=first.year,
                  file_stem=f"{first.unit}_{first.year}_预算编制说明", title_lines=(unit_name, title),
                  sections=sections, signature=(CoverLine("编制单位", unit_name),
                                                CoverLine("编制日期", "　　年　　月　　日")),
                  part="budget", outline="预算编制说明")


def budget_table(drafts: Sequence[BudgetDraft], unit_name: str) -> Report:
    """The 基金预算表 workbook: each fund's table and its assumptions, one sheet each."""
    first = drafts[0].assumptions
    grids: list[Block | Section] = []
    for i, d in enumerate(drafts):
        grids += [budget_grid(d, f"budget-{i}", parts=True), assumptions_grid(d, f"assumptions-{i}")]
    return Report(kind="budget", title=f"{unit_name}{first.year}年基金预算表", unit_name=unit_name,
                  year=first.year, file_stem=f"{first.unit}_{first.year}_基金预算表",
                  sections=[Section("tables", "基金预算表", grids, heading=False)], part="budget")


__all__ = ["assumptions_grid", "budget_grid", "budget_report", "budget_table"]
