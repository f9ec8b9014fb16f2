"""Binding the figures of tables: statement tables (一、上年结余 | 二、收入合计 | 1、…其中：…),
tables with a fund per column (职工 | 居民 | 合计) or a period per column (上年数 | 本年数 |
增减%), indicator lists (指标名称 | 单位 | 指标数据) and self-evaluation tables (年初预算数 |
全年预算数 | 全年执行数 | 分值 | 执行率 | 得分; 总分).

A row's item comes from its label, its fund from its label, else its column, else the section;
a row's numbering (一、 above 1、, ``其中：`` under the row before it) makes it a part of the row
above, and each of its figures a part of the figure in the same column of that row.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, fields
from typing import Any, Final

from jixiao.audit.document import Block, Document, Mention, Table
from jixiao.audit.ledger.facts import LedgerFact, Role
from jixiao.audit.ledger.naming import DERIVED, aid_item, aided_item, other_words
from jixiao.audit.ledger.sections import numbering_level
from jixiao.audit.ledger.vocab import (
    AID_KINDS,
    AIDED_ENROLMENT,
    BALANCE,
    BUDGET,
    EMPLOYEE_FUNDS,
    EXECUTED,
    EXPENSE,
    INCOME,
    INSURED,
    POOL,
    SUB_FUNDS,
    TERM_OF,
    TERM_RE,
    TOTAL,
    UNFILED,
)
from jixiao.audit.ledger.words import Context
from jixiao.model.ledger import PROJECT

_PREVIOUS_COL: Final = re.compile(r"上年(?:同期)?(?:数|决算数?|金额)?$|^上年|^去年")
_CURRENT_COL: Final = re.compile(r"本年|本期|决算数|金额|指标数据|数据|本年数|实际|执行数|累计")
_GROWTH_COL: Final = re.compile(r"增减\s*[%％率]|增长\s*[%％率]|增减幅|增幅|同比")
_CHANGE_COL: Final = re.compile(r"增减额|增减$")
_UNIT_COL: Final = re.compile(r"^单位$|^计量单位$")
_PROJECT_COLS: Final = {"年初预算数": "年初预算数", "全年预算数": "全年预算数", "全年执行数": "全年执行数",
                        "分值": "分值", "执行率": "执行率", "得分": "得分"}
_TOTAL_ROW: Final = re.compile(r"^(?:总分|合计|总计)$")
_OTHER_PART: Final = re.compile(r"^其中[：:]?")
_FLOW: Final = {"基金收入合计": "收入", "基金支出合计": "支出"}
_PREVIOUS_ROW: Final = re.compile(r"^(?:上年|去年|上一年)")
_CHANGE_WORD: Final = re.compile(r"增减|增长|减少|增加|下降|变动")
_SENTENCE_MARK: Final = re.compile(r"[，。；,;]")
_UNIT_FIGURE: Final = re.compile(r"\d[\d.]*\s*(?:万元|亿元|元|万人次|人次|万人|人|%|％|个月|家)")
_FORMULA: Final = re.compile(r"[÷×＝=]")
#: columns that explain a row (its formula, its basis) or number it: never its name or its figure
_ASIDE_COL: Final = re.compile(r"公式|说明|依据|备注|计算过程|规则|原因|序号|编号|行次|栏次")
_LABEL_UNIT: Final = re.compile(r"[（(](万元|亿元|元)[）)]\s*$")
_UNIT_ONLY: Final = re.compile(r"^(?:万元|亿元|元|万人次|人次|万人|人|%|％|个月|家|个|户)$")
_DEFINED: Final = re.compile(r"[=＝]")
_FIGURE_CELL: Final = re.compile(r"^[≥≤<>＞＜约]?\s*[-−]?\d")
_HEADER_WORDS: Final = re.compile(r"上年|本年|本期|决算|预算数|执行数|分值|得分|执行率|单位|指标|金额|增减|合计"
                                  r"|项目|年度|数据|数值|公式|说明|序号")


def prose_cell(text: str) -> bool:
    """A cell that holds sentences with figures (a form's 情况说明), read as running text; not a
    formula or an explanation (``年末累计结余 ÷（基金支出合计 ÷ 12）``)."""
    t = text.strip()
    return len(t) > 16 and _SENTENCE_MARK.search(t) is not None and _UNIT_FIGURE.search(t) is not None and \
        _FORMULA.search(t) is None


def _is_header(cells: list[str]) -> bool:
    """A row of column names: no figure, and words that name columns (or funds) after its first cell."""
    rest = [t for t in cells[1:] if t]
    if not rest or any(_FIGURE_CELL.match(t) and numbering_level(t) is None for t in cells if t):
        return False
    named = [t for t in rest if _HEADER_WORDS.search(t) or any(TERM_OF[m.group()].fund for m in TERM_RE.finditer(t))]
    return len(named) >= max(1, len(rest) // 2)


@dataclass(slots=True)
class Column:
    index: int
    fund: str | None = None
    previous: bool = False
    role: Role = "value"
    item: str | None = None  # a project table's column names its item
    unit_col: bool = False
    aside: bool = False  # a formula, a note or a serial number

    def __init__(self, index: int, fund: str | None = None, previous: bool = False, role: Role = "value",
                 item: str | None = None, unit_col: bool = False, aside: bool = False) -> None:
        # written out (compiled, made by the thousand): a dataclass's generated __init__ is interpreted
        self.index = index
        self.fund = fund
        self.previous = previous
        self.role = role
        self.item = item
        self.unit_col = unit_col
        self.aside = aside

    def __reduce__(self) -> tuple[type[Column], tuple[Any, ...]]:
        # pickle and copy by the constructor (numbers.Interval says why)
        return Column, tuple(getattr(self, f.name) for f in fields(self) if f.init)


def cell_mentions(doc: Document, table: Table, by_block: dict[int, list[Mention]],
                  block_index: dict[int, int], line_block: dict[int, int]) -> dict[tuple[int, int], list[Mention]]:
    """The figures standing in each cell: cells that are blocks of their own (docx, pdf) have
    them; a cell over a line of text (txt, html) has those of its line within its span."""
    out: dict[tuple[int, int], list[Mention]] = {}
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row):
            if cell is None:
                continue
            bi = block_index.get(id(cell))
            if bi is not None:
                out[(r, c)] = by_block.get(bi, [])
                continue
            if cell.line is None or cell.line not in line_block:
                continue
            lb = line_block[cell.line]
            span = _cell_span(cell, doc.blocks[lb])
            if span is None:
                continue
            out[(r, c)] = [m for m in by_block.get(lb, []) if span[0] <= m.start and m.end <= span[1] + 1]
    return out


def _cell_span(cell: Block, line: Block) -> tuple[int, int] | None:
    n = len(cell.text)
    if cell.origin and line.origin:
        start = bisect_left(line.origin, cell.origin[0])
    elif cell.origin:
        start = cell.origin[0]
    else:
        start = 0
    if line.text[start:start + n] == cell.text:
        return start, start + n
    k = line.text.find(cell.text)
    return (k, k + n) if k >= 0 and cell.text else None


def _text(cell: Block | None) -> str:
    return cell.text.strip() if cell is not None else ""


def _has_number(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def _columns(header: list[str], width: int) -> list[Column]:
    cols = [Column(c) for c in range(width)]
    funds_named = 0
    for c, h in enumerate(header):
        if not h:
            continue
        funds = [TERM_OF[m.group()].fund for m in TERM_RE.finditer(h) if TERM_OF[m.group()].fund]
        if funds:
            cols[c].fund = funds[0]
            funds_named += 1
        if _UNIT_COL.search(h):
            cols[c].unit_col = True
        if _ASIDE_COL.search(h):
            cols[c].aside = True
        if _GROWTH_COL.search(h):
            cols[c].role = "growth"
        elif _CHANGE_COL.search(h):
            cols[c].role = "change"
        elif _PREVIOUS_COL.search(h):
            cols[c].previous = True
        for word, item in _PROJECT_COLS.items():
            if word in h:
                cols[c].item = item
    if funds_named:
        for c, h in enumerate(header):
            if h in ("合计", "总计", "小计") and cols[c].fund is None:
                cols[c].fund = TOTAL
    return cols


class TableBinder:
    """Binds one table's figures."""

    def __init__(self, table: Table, ctx: Context, mentions: dict[tuple[int, int], list[Mention]],
                 list_ids: list[int], employee_with_maternity: bool) -> None:
        self.table = table
        self.ctx = ctx
        self.mentions = mentions
        self.list_ids = list_ids
        self.emp_m = employee_with_maternity
        self.rows = [[_text(c) for c in row] for row in table.rows]
        self.width = max((len(r) for r in self.rows), default=0)
        self.project: str | None = None
        self.facts: list[LedgerFact] = []
        self.labels: dict[int, str] = {}
        self.part_level: int | None = None
        self.groups: dict[int, str] = {}
        #: a table of budget subjects (类 | 款 | 项 | 决算数): each row is a line of the accounts
        self.subjects = any({"类", "项"} <= {t.strip() for t in row} for row in self.rows[:3])

    def bind(self) -> list[LedgerFact]:
        rows = self.rows
        if self.width < 2:
            return []
        self.project = self._project()
        cols = _columns([""] * self.width, self.width)
        outline: list[tuple[int, dict[int, LedgerFact], str | None, str | None]] = []  # level, facts, item, fund
        last_level = 0
        header_unit: str | None = None
        for r, cells in enumerate(rows):
            if _is_header(cells):
                cols = _columns(cells + [""] * (self.width - len(cells)), self.width)
                outline = []
                header_unit = self._row_unit(cells, [])  # 项目资金（万元） | | 年初预算数…: the rows' unit
                continue
            label_c = self._label_col(cells, cols)
            if label_c is None:
                continue
            label = cells[label_c]
            for c in range(label_c):
                if cells[c]:
                    self.groups[c] = cells[c]  # a group label stands for the rows below it (merged cells)
            group = " ".join(self.groups.get(c, "") for c in range(label_c))
            previous_row = _PREVIOUS_ROW.search(label) is not None or _PREVIOUS_ROW.search(group) is not None
            level, words = self._level(label, last_level)
            row_item, row_fund = self._row_terms(words)
            while outline and outline[-1][0] >= level:
                outline.pop()
            parent_facts = outline[-1][1] if outline else {}
            inherited_item = next((o[2] for o in reversed(outline) if o[2]), None)
            inherited_fund = next((o[3] for o in reversed(outline) if o[3]), None)
            sub_parent = any(o[3] == POOL for o in outline) or self._pool_above(outline)
            item = row_item or (inherited_item if row_fund else None)
            fund = row_fund
            if fund in EMPLOYEE_FUNDS and sub_parent:
                fund = POOL
            if _TOTAL_ROW.match(words):
                item = "总分"
            unit = self._row_unit(cells, cols) or header_unit
            facts: dict[int, LedgerFact] = {}
            for c in range(label_c + 1, len(cells)):
                if cols[c].unit_col or cols[c].aside or prose_cell(cells[c]):
                    continue
                for m in self.mentions.get((r, c), []):
                    fact = self._fact(m, r, c, cols[c], item, fund or inherited_fund, unit, words)
                    if previous_row and fact.year is not None and not cols[c].previous:
                        fact.year -= 1
                        fact.role = "prev" if fact.role == "value" else fact.role
                    parent = parent_facts.get(c)
                    if parent is not None and fact.role == parent.role == "value" and level > 0:
                        fact.parent = parent
                        fact.list_id = self.list_ids[0] * 1000 + outline[-1][0] * 100 + c
                    self._mark(fact, cols[c], label, words, row_item is not None)
                    facts[c] = fact
                    self.facts.append(fact)
            outline.append((level, facts, item, fund))
            self.labels[id(facts)] = words
            last_level = level
        return self.facts

    def _project(self) -> str | None:
        """The project a 自评表 names in its 项目名称 row."""
        for r in self.rows:
            if r and r[0] == "项目名称":
                name = next((t for t in r[1:] if t and t != "项目名称"), "")
                if name:
                    return PROJECT + name.replace("\n", "")
        return None

    def _mark(self, fact: LedgerFact, col: Column, label: str, words: str, specific: bool) -> None:
        """What the relations need to know of a cell's figure beyond its ledger name."""
        fact.extra["path"] = self.ctx.path
        fact.extra["specific"] = specific
        fact.extra["col"] = col.item or ""
        fact.extra["numbered"] = numbering_level(label) is not None
        fact.extra["total_row"] = _TOTAL_ROW.match(words) is not None
        kind = col.role if col.role in ("growth", "change") else ("prev" if col.previous else "cur")
        fact.extra["colkind"] = kind

    def _pool_above(self, outline: list[tuple[int, dict[int, LedgerFact], str | None, str | None]]) -> bool:
        return any("统筹" in self.labels.get(id(o[1]), "") for o in outline)

    def _label_col(self, cells: list[str], cols: list[Column]) -> int | None:
        """The cell that names the row: the last text cell before the first figure (a unit
        column's cell is not a name)."""
        label = None
        for c, t in enumerate(cells):
            if not t or cols[c].unit_col or cols[c].aside or _UNIT_ONLY.match(t):
                continue
            if _FIGURE_CELL.match(t) and numbering_level(t) is None:
                break
            label = c
        return label

    def _level(self, label: str, last: int) -> tuple[int, str]:
        """A row's depth: its numbering (一、 above 1、); ``其中：`` one below the row before it, and
        the unnumbered rows after a 其中 row beside it (其中：单位缴费 / 个人缴费)."""
        numbered = numbering_level(label)
        if numbered is not None:
            self.part_level = None
            return numbered[0] + 1, label[numbered[1]:].strip()
        m = _OTHER_PART.match(label)
        if m:
            self.part_level = last + 1
            return self.part_level, label[m.end():].strip()
        if self.part_level is not None:
            return self.part_level, label
        return 0, label

    def _row_terms(self, words: str) -> tuple[str | None, str | None]:
        item = None
        fund = None
        words = _DEFINED.split(words, maxsplit=1)[0]  # 可支付月数 = 年末累计结余 ÷ …: the item defined
        for m in TERM_RE.finditer(words):
            t = TERM_OF[m.group()]
            if t.fund and fund is None:
                fund = t.fund
            if t.item:
                item = t.item
        if item is not None:
            item = self._generic(item, words)
        if fund in EMPLOYEE_FUNDS and self.emp_m:
            fund = "职工基本医疗保险（含生育）"
        if fund in SUB_FUNDS:
            fund = None  # 统筹基金收入: the table's fund; its rows of funds are its parts
        return item, fund

    def _generic(self, name: str, words: str) -> str | None:
        kind = "project" if self.project else self.ctx.kind
        if name in (INCOME, EXPENSE) and (self.subjects or words.lstrip().startswith("其他")):
            return other_words(words)  # a subject's line or 其他…支出: a line of its own, never the total
        if name == INCOME:
            return "本年收入合计" if kind == "department" else "基金收入合计"
        if name == EXPENSE:
            return "本年支出合计" if kind == "department" else "基金支出合计"
        if name == BALANCE:
            return "年末累计结余" if re.search(r"累计|滚存|年末", words) else "当期结余"
        if name == BUDGET:
            return "全年预算数" if kind == "project" else None
        if name == INSURED:
            return "参保人数"
        if name == EXECUTED:
            return "全年执行数" if kind == "project" else None
        if name == UNFILED:
            return None
        if name == AIDED_ENROLMENT:
            return aided_item(words, "人" in words and "元" not in words)
        if name in AID_KINDS:
            return aid_item(name, "人次" in words, bool(re.search(r"金额|资金|支出|元", words)))
        if kind == "department":
            return {"基金收入合计": "本年收入合计", "基金支出合计": "本年支出合计"}.get(name, name)
        return name

    def _row_unit(self, cells: list[str], cols: list[Column]) -> str | None:
        for c, col in enumerate(cols):
            if col.unit_col and c < len(cells) and cells[c]:
                return cells[c]
        for text in cells:  # 项目资金（万元） | 年度资金总额 | 2860.00: the row's label gives its unit
            if text and not text[:1].isdigit():
                m = _LABEL_UNIT.search(text)
                if m:
                    return m.group(1)
        return None

    def _fact(self, m: Mention, r: int, c: int, col: Column, item: str | None, fund: str | None,
              unit: str | None, words: str) -> LedgerFact:
        role: Role = col.role
        year = self.ctx.year
        if col.previous and year:
            year -= 1
        if role == "growth":
            item = f"{_FLOW[item]}增长率" if item in _FLOW else None
        elif role == "change":
            item = f"{_FLOW[item]}较上年增减额" if item in _FLOW else None
        if self.project:
            if _TOTAL_ROW.match(words):
                item = "总分" if col.item == "得分" else None
            elif col.item and "资金总额" in words:
                item = col.item
            else:
                item = None
            fund = self.project
            role = "score" if col.item in ("分值", "得分") else ("completion" if col.item == "执行率" else role)
        elif col.item in ("分值", "得分"):
            role = "score"
            item = "总分" if _TOTAL_ROW.match(words) and col.item == "得分" else None
        if not self.project:
            fund = fund or col.fund or self.ctx.fund
            if fund in EMPLOYEE_FUNDS and self.emp_m:
                fund = "职工基本医疗保险（含生育）"  # a column of the employee fund that pays maternity benefits
        q = m.quantity
        value = q.value
        shown = q.unit or unit or ""
        if item is not None and _CHANGE_WORD.search(words.split(item[:2], 1)[-1] if item[:2] in words else words):
            role = "growth" if shown == "%" else "change"  # 收入同比增减额 / 支出同比增减率
            item = (f"{_FLOW[item]}增长率" if shown == "%" else f"{_FLOW[item]}较上年增减额") if item in _FLOW else None
        if item is not None and not item.endswith("率") and (DERIVED.search(words) or shown == "倍"):
            item = None  # 人均基金支出, 在职退休比, 资产减负债: derived from the item, not the item
        if m.comparator or (shown == "%" and item is not None and not item.endswith("率")):
            item = None  # a target (≥95%), or a rate in a row named by the amount it is a rate of
        written = q.unit if m.unit_source == "written" or role != "score" else ""
        if role == "growth" and m.unit_source != "written":
            written, unit = "", "%"  # 项目 | 上年数 | 本年数 | 增减%: a rate, not an amount of the table's 万元
        if role == "score" and not written:
            unit = "分"  # a 分值 cell in a row labelled 项目资金（万元）: points, not money
        cell = self.table.rows[r][c]
        return LedgerFact(
            mention=m, fund=fund, item=item, year=year, span=self.ctx.span, value=value,
            unit=written or unit or ("分" if role == "score" else self.ctx.unit) or "", role=role,
            table=self.table.index, row=r, col=c,
            line=cell.line if cell is not None else None, page=cell.page if cell is not None else None,
            where=cell.where() if cell is not None else "", named=True, label=words,
        )
