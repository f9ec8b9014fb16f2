"""A self-evaluation table's 预算数 against the expenditure budget the text states: the same
budget miswritten (JX-DUP-001), or a 执行数 that sums several funds with a 预算数 that does not
sum the same funds' budgets (JX-SUM-006). Tables and text are read together here."""

from __future__ import annotations

import re
from decimal import Decimal
from itertools import combinations
from typing import Final

from jixiao.audit.checks.arithmetic import in_unit
from jixiao.audit.checks.duplicates import fact_mention
from jixiao.audit.checks.messages import expected_text, fig_text, quote_around, with_unit
from jixiao.audit.document import Document, Mention
from jixiao.audit.facts import Fact
from jixiao.audit.findings import Finding
from jixiao.numbers import Interval, UnitError, interval_sum

_TABLE_BUDGET_LABEL: Final = re.compile(r"^(年度|全年)?预算数[：:]?$")
_TABLE_BUDGET_BEFORE: Final = re.compile(r"(?:^|\t)(年度|全年)?预算数[：:]?\t+$")
#: a budget this close to a text budget (relative) yet written differently is the same budget
#: miswritten; further apart it may be another scope (another fund, 年初 vs 调整后) and is left alone
_NEAR: Final = Decimal("0.001")
_MIN_STEPS: Final = 1000  # at least four significant digits, so near means a slip, not a coincidence


def _table_of(doc: Document, block_index: int) -> tuple[int, int] | None:
    """(table, row) of the table row a block stands in: its own cell, or the text line of it."""
    block = doc.blocks[block_index]
    if block.table is not None and block.row is not None:
        return block.table, block.row
    if block.line is None:
        return None
    for t in doc.tables:
        for ri, row in enumerate(t.rows):
            if any(c is not None and c.line == block.line for c in row):
                return t.index, ri
    return None


_TABLE_ACTUAL_LABEL: Final = re.compile(r"^(年度|全年)?(执行数|实际支出数?|决算数)[：:]?$")
_TABLE_ACTUAL_BEFORE: Final = re.compile(r"(?:^|\t)(年度|全年)?(执行数|实际支出数?|决算数)[：:]?\t+$")


def _table_budget(doc: Document, m: Mention) -> bool:
    """The figure written in the cell right of a 预算数 cell."""
    return _table_labelled(doc, m, _TABLE_BUDGET_LABEL, _TABLE_BUDGET_BEFORE)


def _table_labelled(doc: Document, m: Mention, label: re.Pattern[str], before: re.Pattern[str]) -> bool:
    """The figure written in the cell right of a cell named by ``label`` (a row flattened into a
    line of text: right after ``before``)."""
    block = doc.blocks[m.block]
    if block.kind == "cell" and block.table is not None and block.row is not None and block.col is not None:
        table = next((t for t in doc.tables if t.index == block.table), None)
        if table is None or block.text.strip() != m.raw.strip():
            return False
        left = [c for c in table.rows[block.row][:block.col] if c is not None and c.text.strip()]
        return bool(left) and label.match(left[-1].text.strip()) is not None
    rest = block.text[m.end:m.end + 1]
    return before.search(block.text[:m.start]) is not None and rest in ("", "\t")


def _row_actual(doc: Document, m: Mention, by_block: dict[int, list[Mention]]) -> Mention | None:
    """The 执行数 of the table row whose 预算数 is ``m`` (one such figure, after it in the row)."""
    block = doc.blocks[m.block]
    if block.kind == "cell":
        row = [b for b in by_block if doc.blocks[b].kind == "cell" and doc.blocks[b].table == block.table
               and doc.blocks[b].row == block.row and (doc.blocks[b].col or 0) > (block.col or 0)]
        cands = [x for b in row for x in by_block[b]]
    else:
        cands = [x for x in by_block.get(m.block, []) if x.start > m.end]
    found = [x for x in cands if _table_labelled(doc, x, _TABLE_ACTUAL_LABEL, _TABLE_ACTUAL_BEFORE)]
    return found[0] if len(found) == 1 else None


def _outturn_budget_pairs(doc: Document, facts: list[Fact], budgets: list[tuple[Mention, Fact]]
                          ) -> list[tuple[Fact, Fact]]:
    """(支出, 支出预算) stated together in the text: ``总支出20978万元，完成预算25338万元的82.79%``."""
    index = {id(f): k for k, f in enumerate(facts)}
    pairs: list[tuple[Fact, Fact]] = []
    seen: set[tuple[str | None, Decimal, Decimal]] = set()
    for _m, budget in budgets:
        k = index[id(budget)]
        for f in reversed(facts[max(0, k - 3):k]):
            if f.block != budget.block or _SENTENCE_END.search(doc.blocks[f.block].text, f.end, budget.start):
                break
            if (f.item == "支出" and f.year == budget.year and f.subject == budget.subject and f.approx is None
                    and f.quantity.dimension == "money" and not f.comparator):
                key = (f.subject, f.value, budget.value)
                if key not in seen:
                    seen.add(key)
                    pairs.append((f, budget))
                break
    return pairs


_SENTENCE_END: Final = re.compile(r"[。；;！？!?]")
#: at most this many funds are tried as the scope of one table row
_MAX_SCOPE: Final = 6


def _scope_finding(doc: Document, m: Mention, actual: Mention, pairs: list[tuple[Fact, Fact]]) -> Finding | None:
    """A 自评表 row whose 执行数 is the sum of several funds' expenditures (职工 268747 + 生育 20978
    = 289725) must have as 预算数 the sum of the same funds' budgets (335413 + 25338 = 360751).

    Only when no single fund's expenditure is the 执行数 (that scope is the one-fund rule's),
    exactly one set of two or more funds gives it at the written precision (with at least four
    significant digits, so a match is no coincidence), and their budgets do not.
    """
    unit = m.quantity.unit
    step = Decimal(1).scaleb(actual.quantity.exponent)
    if len(pairs) < 2 or len(pairs) > _MAX_SCOPE or abs(actual.quantity.value) < _MIN_STEPS * step:
        return None
    try:
        target = in_unit(actual, unit)
        outturns = [in_unit(fact_mention(a), unit) for a, _b in pairs]
        budgets = [in_unit(fact_mention(b), unit) for _a, b in pairs]
    except UnitError:
        return None
    if any(iv.meets(target) for iv in outturns):
        return None
    matches = [combo for n in range(2, len(pairs) + 1) for combo in combinations(range(len(pairs)), n)
               if interval_sum([outturns[i] for i in combo]).meets(target)]
    if len(matches) != 1:
        return None
    combo = matches[0]
    budget_iv = interval_sum([budgets[i] for i in combo])
    if budget_iv.meets(m.quantity.interval()):
        return None
    exact = interval_sum([Interval.exact(pairs[i][1].quantity.value_in(unit)) for i in combo]).lo
    expected = expected_text(budget_iv, m.quantity, exact)
    funds = "、".join(f"{pairs[i][0].subject or ''}支出{fig_text(fact_mention(pairs[i][0]))}" for i in combo)
    plans = "+".join(fig_text(fact_mention(pairs[i][1])) for i in combo)
    block = doc.blocks[m.block]
    message = (f"自评表执行数{fig_text(actual)}即{funds}之和（按所写精度），预算数应为同样口径的预算之和"
               f"{plans}={with_unit(expected, m.quantity)}，表中预算数为{fig_text(m)}，预算数与执行数口径不一致")
    figures = {"执行数": fig_text(actual), "预算数": fig_text(m)}
    for i in combo:
        a, b = pairs[i]
        figures[f"{a.where}支出"] = fig_text(fact_mention(a))
        figures[f"{b.where}预算"] = fig_text(fact_mention(b))
    return Finding(
        code="JX-SUM-006", severity="error", message=message, stated=f"{m.quantity.value:f}", expected=expected,
        quote=quote_around(doc, m), line=block.line, page=block.page, where=block.where(), figures=figures,
        block=m.block, start=m.start, end=m.end,
    )


def _expenditure_table(doc: Document, table_index: int, row_index: int) -> bool:
    """The table is about an expenditure: its 项目名称 or its title (just above) says 支出."""
    table = next((t for t in doc.tables if t.index == table_index), None)
    if table is None:
        return False
    texts = [c.text for row in table.rows[:row_index] for c in row if c is not None]
    if any("项目名称" in t for t in texts) and any("支出" in t and "部门" not in t for t in texts
                                                 if "项目名称" not in t):
        return True
    first = next((c for row in table.rows for c in row if c is not None), None)
    if first is None or first.line is None:
        return False
    above = [b.text for b in doc.blocks if b.line is not None and first.line - 8 <= b.line < first.line
             and b.text.strip()]
    return any("支出" in t and ("自评表" in t or "绩效" in t) for t in above)


def check_table_budgets(doc: Document, mentions: list[Mention],
                        facts: list[Fact]) -> tuple[int, list[Finding]]:
    """The 预算数 of an expenditure self-evaluation table (自评表) and the expenditure budget the
    text states for the same year (支出…完成预算X) are one quantity. Conservative: only a text
    budget written to the same precision, differing from the table's yet within 0.1% of it (a
    slip of a digit, 335412 for 335413), and no text budget equal to it, gives an error; a
    budget further off may be another scope and is left alone.
    """
    budgets = _text_budgets(doc, facts)
    if not budgets:
        return 0, []
    by_place = {(f.block, f.start): f for f in facts}
    checks = 0
    findings: list[Finding] = []
    pairs = _outturn_budget_pairs(doc, facts, budgets)
    by_block: dict[int, list[Mention]] = {}
    for m in mentions:
        by_block.setdefault(m.block, []).append(m)
    for m in mentions:
        q = m.quantity
        if q.dimension != "money" or q.approx is not None or m.comparator or not _table_budget(doc, m):
            continue
        place = _table_of(doc, m.block)
        if place is None or not _expenditure_table(doc, *place):
            continue
        fact = by_place.get((m.block, m.start))
        year = fact.year if fact is not None else None
        actual = _row_actual(doc, m, by_block)
        if actual is not None and actual.quantity.approx is None and year is not None:
            checks += 1
            scope = _scope_finding(doc, m, actual, [(a, b) for a, b in pairs if a.year == year])
            if scope is not None:
                findings.append(scope)
        same_year = [(b, f) for b, f in budgets if year is not None and f.year == year]
        checks += len(same_year)
        near = _near_budget(m, same_year)
        if near is not None:
            findings.append(_slip_finding(doc, m, year, near))
    return checks, findings


def _text_budgets(doc: Document, facts: list[Fact]) -> list[tuple[Mention, Fact]]:
    """The expenditure budgets (支出预算) the text states for a year, exactly, outside tables."""
    table_lines = {c.line for t in doc.tables for row in t.rows for c in row
                   if c is not None and c.line is not None}
    budgets: list[tuple[Mention, Fact]] = []
    for f in facts:
        block = doc.blocks[f.block]
        if (f.item == "支出预算" and f.year is not None and f.approx is None and not f.comparator
                and not f.flags and block.kind != "cell" and block.line not in table_lines
                and f.quantity.dimension == "money"):
            budgets.append((fact_mention(f), f))
    return budgets


def _near_budget(m: Mention, same_year: list[tuple[Mention, Fact]]) -> Mention | None:
    """The one text budget written to the same precision as the table's ``m``, different yet
    within 0.1% of it; None when a text budget equals it, or there is not exactly one such."""
    q = m.quantity
    near: list[Mention] = []
    equal = False
    for b, _f in same_year:
        bq = b.quantity
        try:
            tv = q.value_in(bq.unit) if q.unit != bq.unit else q.value
        except UnitError:
            continue
        if q.unit != bq.unit or q.exponent != bq.exponent:
            equal = equal or in_unit(m, bq.unit).meets(b.quantity.interval())
            continue
        if tv == bq.value:
            equal = True
            continue
        step = Decimal(1).scaleb(bq.exponent)
        if abs(bq.value) >= _MIN_STEPS * step and abs(tv - bq.value) <= abs(bq.value) * _NEAR:
            near.append(b)
    if equal or len(near) != 1:
        return None
    return near[0]


def _slip_finding(doc: Document, m: Mention, year: int | None, first: Mention) -> Finding:
    """JX-DUP-001 at the table's 预算数 ``m``: the text states the same year's budget as ``first``."""
    q = m.quantity
    first_block = doc.blocks[first.block]
    block = doc.blocks[m.block]
    where_first = first_block.where() or "前文"
    message = (f"{year}年支出预算在{where_first}为{fig_text(first)}，自评表预算数为{fig_text(m)}，"
               f"同一预算数额前后不一致")
    return Finding(
        code="JX-DUP-001", severity="error", message=message,
        stated=f"{q.value:f}", expected=f"{first.quantity.value:f}",
        quote=quote_around(doc, m), line=block.line, page=block.page, where=block.where(),
        figures={where_first: fig_text(first), block.where() or "此处": fig_text(m)},
        block=m.block, start=m.start, end=m.end,
    )
