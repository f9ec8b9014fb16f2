"""Relations read from the ledger: figures filed under the same fund and period by the
structure of the document (:mod:`jixiao.audit.ledger`), wherever they stand.

- a total and the parts listed under it (a statement table's numbered rows, a 其中 list, a
  bracket): Σ parts = total (a numbered statement is whole; a 其中 list may name only some parts,
  so only parts exceeding the total are wrong);
- 收入 − 支出 = 当期结余; 年初累计结余 + 当期结余 = 年末累计结余; 资产 − 负债 = 年末累计结余;
- 收入（支出）预算完成率 = 收入（支出）÷ 预算; a project's 执行率 = 全年执行数 ÷ 全年预算数;
- 增长率 = (本期 − 上年同期) ÷ 上年同期; 增减额 = 本期 − 上年同期;
- 累计结余可支付月数 = 年末累计结余 ÷（期内支出 ÷ 期内月数);
- a 自评表's 总分 = Σ 得分 (and its 分值 total = Σ 分值);
- the figure of all funds together = Σ the same figure of each fund (a 合计 column; a section
  whose subsections are the funds).

Every relation is built only from figures the structure binds to one fund and one period; where
several figures could be meant, each reading is an alternative and the relation holds if any does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Final

from jixiao.audit.document import Mention
from jixiao.audit.ledger.facts import LedgerFact
from jixiao.audit.ledger.naming import descends, fund_part
from jixiao.audit.relations.relation import Relation, Term
from jixiao.model.funds import FundKind
from jixiao.model.ledger import DEPARTMENT, OTHER
from jixiao.numbers import dimension

Key = tuple[str | None, int | None, str]

_INCOME: Final = ("基金收入合计",)
_EXPENSE: Final = ("基金支出合计",)
_FLOWS: Final = {"收入": "基金收入合计", "支出": "基金支出合计"}
#: the funds whose figures add up to those of 基本医疗保险（合计）
_PARTS_OF_TOTAL: Final = frozenset({FundKind.employee.value, FundKind.employee_with_maternity.value,
                                    FundKind.maternity.value, FundKind.resident.value})
_EMPLOYEE: Final = frozenset({FundKind.employee.value, FundKind.employee_with_maternity.value})
_TOTAL: Final = FundKind.basic_total.value
_SUB_FUNDS: Final = (FundKind.employee_pooling.value, FundKind.employee_account.value)
_MAX_READINGS: Final = 4


def _term(f: LedgerFact, sign: int = 1, name: str = "") -> Term:
    return Term(_with_unit(f), sign, name or f.item or "")


def _with_unit(f: LedgerFact) -> Mention:
    """The figure with the unit the ledger read for it (a bare table cell under 单位：元 is in 元),
    so that figures of a table and of the prose are added in one unit."""
    m = f.mention
    if m.quantity.unit or not f.unit or dimension(f.unit) != "money":
        return m
    return replace(m, quantity=replace(m.quantity, unit=f.unit))


def _months(span: str) -> int | None:
    if "-" in span:
        a, b = span.split("-", 1)
        if a.isdigit() and b.isdigit() and int(a) <= int(b):
            return int(b) - int(a) + 1
        return None
    return 1 if span.isdigit() else None


class Ledger:
    """The facts indexed by fund, period and item (values only: no changes or rates)."""

    def __init__(self, facts: list[LedgerFact]) -> None:
        self.facts = facts
        self.by_key: dict[Key, dict[str, list[LedgerFact]]] = defaultdict(lambda: defaultdict(list))
        self.position = {id(f): k for k, f in enumerate(facts)}
        for f in facts:
            if f.item and f.fund and f.typo is None and f.mention.quantity.approx is None:
                fund = f"{f.fund}/{f.extra['scope']}" if f.extra.get("scope") else f.fund
                self.by_key[(fund, f.year, f.span)][f.item].append(f)

    def get(self, key: Key, item: str, roles: Iterable[str] = ("value",), near: LedgerFact | None = None,
            after_ok: bool = True) -> list[LedgerFact]:
        """The figures of ``item`` under ``key``, nearest to ``near`` first (at most a few readings)."""
        roles = tuple(roles)
        found = [f for f in self.by_key.get(key, {}).get(item, []) if f.role in roles]
        if near is not None:
            here = self.position[id(near)]
            if not after_ok:
                found = [f for f in found if self.position[id(f)] < here]
            found.sort(key=lambda f: abs(self.position[id(f)] - here))
        return _distinct(found)[:_MAX_READINGS]


def _distinct(facts: list[LedgerFact]) -> list[LedgerFact]:
    """One figure per value: a figure restated at the same precision is one reading, checked where
    first stated."""
    seen: set[tuple[str, str]] = set()
    out = []
    for f in facts:
        k = (f"{f.mention.quantity.value}", f.mention.quantity.unit)
        if k not in seen:
            seen.add(k)
            out.append(f)
    return out


def ledger_relations(facts: list[LedgerFact]) -> list[Relation]:
    ledger = Ledger(facts)
    out: list[Relation] = []
    out += _sums(facts)
    out += _balances(ledger)
    out += _completions(ledger)
    out += _shares(facts, ledger)
    out += _growths(ledger)
    out += _reserve_months(ledger)
    out += _scores(facts)
    out += _fund_totals(facts)
    out += _table_changes(facts)
    return [r for r in out if not _rests_on_a_bound(r)]


def _rests_on_a_bound(rel: Relation) -> bool:
    """A bound (低于90%, ≥95%, 超过110%) says where a figure lies, not what it is: no equality
    can be checked on it, whether it is the stated figure or one of the operands."""
    return bool(rel.stated.comparator) or any(
        t.mention.comparator for num, den in rel.alternatives for t in (*num, *den))


def _table_changes(facts: list[LedgerFact]) -> list[Relation]:
    """A table with 上年数 | 本年数 | 增减% (or 增减额) columns: each row's change from its two years."""
    out = []
    rows: dict[tuple[int, int], dict[str, LedgerFact]] = defaultdict(dict)
    for f in facts:
        if f.table is not None and f.row is not None and f.mention.quantity.approx is None:
            rows[(f.table, f.row)].setdefault(str(f.extra.get("colkind", "")), f)
    for cells in rows.values():
        cur, prev = cells.get("cur"), cells.get("prev")
        if cur is None or prev is None:
            continue
        if (rate := cells.get("growth")) is not None:
            out.append(_relation("JX-CHG-001", rate, [[_term(cur, 1, "本年"), _term(prev, -1, "上年")]],
                                 den=[[_term(prev, 1, "上年")]], form="ratio", percent=True, name="增减率"))
        if (change := cells.get("change")) is not None:
            out.append(_relation("JX-CHG-002", change, [[_term(cur, 1, "本年"), _term(prev, -1, "上年")]],
                                 name="增减额"))
    return out


def _relation(code: str, stated: LedgerFact, alts: list[list[Term]], *, den: list[list[Term]] | None = None,
              form: str = "sum", percent: bool = False, partial: bool = False, name: str = "",
              magnitude: bool = False, direction: int = 0, scale: int = 1, note: str = "") -> Relation:
    dens = den or [[] for _ in alts]
    rel = Relation(code, _with_unit(stated), [(a, d) for a, d in zip(alts, dens, strict=True)],
                   form="ratio" if form == "ratio" else "sum", percent=percent, partial=partial,
                   stated_name=name or stated.item or "", magnitude=magnitude, direction=direction, note=note)
    rel.scale = scale
    rel.ledger = True
    return rel


# ---- totals and their listed parts ----------------------------------------------------------


def _sums(facts: list[LedgerFact]) -> list[Relation]:
    """Σ parts = total for the parts the structure lists under a total, where the ledger says
    they are its parts (a known item filed under the total's item, the same item of a part of its
    fund, or an unnamed amount of money in a list); a numbered statement table is whole."""
    groups: dict[tuple[int, int | None], list[LedgerFact]] = defaultdict(list)
    parents: dict[int, LedgerFact] = {}
    for f in facts:
        if f.parent is not None and f.typo is None and f.parent.typo is None:
            groups[(id(f.parent), f.list_id)].append(f)
            parents[id(f.parent)] = f.parent
    out = []
    for (pid, _), listed in groups.items():
        total = parents[pid]
        if total.item is None or total.mention.quantity.approx is not None or \
                any(p.mention.quantity.approx for p in listed):
            continue
        whole = all(p.extra.get("numbered") for p in listed) and total.table is not None
        parts = [p for p in listed if _evidenced(p, total)]
        if not parts or (whole and len(parts) != len(listed)):
            continue
        terms = [_term(p) for p in parts]
        out.append(_relation("JX-SUM-001", total, [terms], partial=not whole, name=total.item or "合计",
                             note="" if whole else "其中"))
    return out


_BUDGETED: Final = {"收入预算": "基金收入合计", "支出预算": "基金支出合计", "全年预算": "本年支出合计"}


def _evidenced(part: LedgerFact, total: LedgerFact) -> bool:
    """Does the ledger make ``part`` a part of ``total``?"""
    whole = _BUDGETED.get(total.item or "", total.item) if total.role == "budget" else total.item
    if part.table is not None and part.table == total.table and part.col == total.col and \
            (part.extra.get("numbered") or part.mention.quantity.dimension in ("money", None)):
        return True  # a row under its total row, in the same column (counts of people may overlap)
    if part.item is None or part.item.startswith(OTHER):
        return part.mention.quantity.dimension == "money" or bool(part.extra.get("numbered"))
    if part.item == whole:
        return fund_part(part.fund, total.fund) or part.table is not None
    return descends(part.item, whole)


# ---- balances ------------------------------------------------------------------------------


def _balances(ledger: Ledger) -> list[Relation]:
    out = []
    for key, items in ledger.by_key.items():
        for result in _distinct(items.get("当期结余", [])):
            if result.role != "value":
                continue
            incomes = _flow(ledger, key, _income_item(key), result, 1, "收入")
            expenses = _flow(ledger, key, _expense_item(key), result, -1, "支出")
            alts = [i + e for i in incomes for e in expenses]
            if alts:
                out.append(_relation("JX-BAL-001", result, alts[:_MAX_READINGS], name="当期结余",
                                     direction=-1 if result.value < 0 < result.mention.quantity.value else 1))
        for closing in _distinct(items.get("年末累计结余", [])):
            if closing.role != "value":
                continue
            openings = ledger.get(key, "年初累计结余", near=closing)
            currents = ledger.get(key, "当期结余", near=closing)
            alts = [[_term(o, 1, "年初累计结余"), _signed(c, "当期结余")] for o in openings for c in currents]
            if not alts and openings:
                inc = ledger.get(key, _income_item(key), near=closing)
                exp = ledger.get(key, _expense_item(key), near=closing)
                alts = [[_term(o, 1, "年初累计结余"), _term(i, 1, "收入"), _term(e, -1, "支出")]
                        for o in openings for i in inc for e in exp]
            if alts:
                out.append(_relation("JX-BAL-003", closing, alts[:_MAX_READINGS], name="年末累计结余"))
            assets = ledger.get(key, "资产合计", near=closing)
            debts = ledger.get(key, "负债合计", near=closing)
            alts = [[_term(a, 1, "资产"), _term(d, -1, "负债")] for a in assets for d in debts]
            if alts:
                out.append(_relation("JX-BAL-002", closing, alts[:_MAX_READINGS], name="累计结余"))
    return out


def _flow(ledger: Ledger, key: Key, item: str, near: LedgerFact, sign: int, name: str) -> list[list[Term]]:
    """The readings of a fund's 收入 (支出): its own figure, else — for the employee fund — the
    figures of its two parts together (统筹基金收入 + 个人账户收入, stated side by side)."""
    own = ledger.get(key, item, near=near)
    if own or key[0] not in _EMPLOYEE:
        return [[_term(f, sign, name)] for f in own]
    parts = [ledger.get((sub, key[1], key[2]), item, near=near) for sub in _SUB_FUNDS]
    if not all(parts):
        return []
    return [[_term(a, sign, name), _term(b, sign, name)] for a in parts[0] for b in parts[1]]


def _signed(f: LedgerFact, name: str) -> Term:
    """A figure with its sign as meant (收支缺口541.82万元 is −541.82)."""
    sign = -1 if f.value < 0 < f.mention.quantity.value else 1
    return Term(_with_unit(f), sign, name)


def _income_item(key: Key) -> str:
    return "本年收入合计" if key[0] == "部门" else "基金收入合计"


def _expense_item(key: Key) -> str:
    return "本年支出合计" if key[0] == "部门" else "基金支出合计"


# ---- budgets -------------------------------------------------------------------------------


_COMPLETION: Final = {"收入预算完成率": ("基金收入合计", "收入预算"), "支出预算完成率": ("基金支出合计", "支出预算"),
                      "执行率": ("全年执行数", "全年预算数"), "预算执行率": ("本年支出合计", "全年预算")}


def _completions(ledger: Ledger) -> list[Relation]:
    """完成预算Y的Z%: the figure before the budget over the budget (as the sentence says it); a
    rate stated apart from its figures (a table's 执行率): the same fund's actual over its budget."""
    out = []
    for key, items in ledger.by_key.items():
        for name, (actual_item, budget_item) in _COMPLETION.items():
            for rate in _distinct(items.get(name, [])):
                if rate.role != "completion" or rate.mention.quantity.unit != "%":
                    continue
                if (actual_item, budget_item) == _COMPLETION["预算执行率"] and key[0] != DEPARTMENT:
                    continue  # a fund's rate in a department's report: not the department's totals
                budget = rate.extra.get("base")
                actual = budget.extra.get("base") if budget is not None and budget.role == "budget" else None
                if actual is not None and budget is not None and actual.role == "value" and \
                        actual.extra.get("sentence") == budget.extra.get("sentence") and \
                        actual.mention.quantity.dimension == budget.mention.quantity.dimension and \
                        _flow_fits(actual.item, budget.item):
                    pairs = [(actual, budget)]
                elif rate.table is None and key[0] == "部门":
                    continue  # a department's rates are read from their own sentence only
                else:
                    actuals = ledger.get(key, actual_item, near=rate)
                    budgets = ledger.get(key, budget_item, ("budget", "value"), near=rate)
                    pairs = [(a, b) for a in actuals for b in budgets]
                if pairs:
                    out.append(_relation("JX-CMP-001", rate, [[_term(a)] for a, _ in pairs],
                                         den=[[_term(b)] for _, b in pairs], form="ratio", percent=True, name=name))
    return out


def _flow_fits(actual: str | None, budget: str | None) -> bool:
    """收入预算 is the budget of a 收入, 支出预算 of a 支出; another budget of any figure."""
    if budget in ("收入预算", "支出预算") and actual in _FLOWS.values():
        return actual == _FLOWS[budget[:2]]
    return True


def _shares(facts: list[LedgerFact], ledger: Ledger) -> list[Relation]:
    """占本年支出合计的28.87%: the figure before over the figure of the item the words name."""
    out = []
    for share in facts:
        named = share.extra.get("share_base")
        part = share.extra.get("base")
        if share.role != "share" or not named or str(named).endswith("预算") or part is None or \
                part.role != "value" or part.fund is None:
            continue
        key = (share.fund or part.fund, part.year, part.span)
        if share.extra.get("share_part"):
            named_parts = ledger.get(key, str(share.extra["share_part"]), near=share)
            if not named_parts:
                continue
            part = named_parts[0]
        bases = [b for b in ledger.get(key, str(named), near=share) if b is not part]
        if bases:
            out.append(_relation("JX-SHR-001", share, [[_term(part)] for _ in bases],
                                 den=[[_term(b, 1, str(named))] for b in bases], form="ratio", percent=True,
                                 name="占比"))
    return out


# ---- changes from last year ----------------------------------------------------------------


def _growths(ledger: Ledger) -> list[Relation]:
    out = []
    for key, items in ledger.by_key.items():
        fund, year, span = key
        if year is None:
            continue
        prev_key = (fund, year - 1, span)
        for flow, total in _FLOWS.items():
            currents = items.get(total, [])
            for rate in _distinct(items.get(f"{flow}增长率", [])):
                cur = ledger.get(key, total, near=rate)
                prev = ledger.get(prev_key, total, ("value", "prev"), near=rate)
                pairs = [(c, p) for c in cur for p in prev]
                if pairs and currents:
                    out.append(_relation("JX-CHG-001", rate, [[_term(c, 1, "本年"), _term(p, -1, "上年")]
                                                            for c, p in pairs],
                                         den=[[_term(p, 1, "上年")] for _, p in pairs], form="ratio",
                                         percent=True, magnitude=True, name=f"{flow}增长率",
                                         direction=-1 if rate.value < 0 else 1))
            for change in _distinct(items.get(f"{flow}较上年增减额", [])):
                cur = ledger.get(key, total, near=change)
                prev = ledger.get(prev_key, total, ("value", "prev"), near=change)
                pairs = [(c, p) for c in cur for p in prev]
                if pairs:
                    sign = -1 if change.value < 0 else 1  # 减少B: B = 上年 − 本年
                    out.append(_relation("JX-CHG-002", change, [[_term(c, sign, "本年"), _term(p, -sign, "上年")]
                                                              for c, p in pairs], magnitude=True,
                                         name=f"{flow}较上年增减额", direction=sign))
    return out


# ---- months of reserve ---------------------------------------------------------------------


def _reserve_months(ledger: Ledger) -> list[Relation]:
    out = []
    for key, items in ledger.by_key.items():
        months = _months(key[2])
        if months is None:
            continue
        for stated in _distinct(items.get("累计结余可支付月数", [])):
            closings = ledger.get(key, "年末累计结余", near=stated)
            spending = ledger.get(key, "基金支出合计", near=stated)
            pairs = [(c, e) for c in closings for e in spending]
            if pairs:
                out.append(_relation("JX-BAL-005", stated, [[_term(c)] for c, _ in pairs],
                                     den=[[_term(e)] for _, e in pairs], form="ratio", scale=months,
                                     name="累计结余可支付月数"))
    return out


# ---- self-evaluation tables ----------------------------------------------------------------


def _scores(facts: list[LedgerFact]) -> list[Relation]:
    """总分 = Σ 得分 (and the 分值 total = Σ 分值) of one self-evaluation table."""
    out = []
    tables: dict[int, list[LedgerFact]] = defaultdict(list)
    for f in facts:
        if f.table is not None and f.role == "score":
            tables[f.table].append(f)
    for rows in tables.values():
        for column in ("得分", "分值"):
            cells = [f for f in rows if f.extra.get("col") == column]
            totals = [f for f in cells if f.extra.get("total_row")]
            parts = [f for f in cells if not f.extra.get("total_row")]
            if len(totals) == 1 and len(parts) >= 2:
                rel = _relation("JX-SCR-001", totals[0], [[_term(p, 1, column) for p in parts]],
                                name="总分" if column == "得分" else "分值合计")
                rel.exact = True  # points are given as written, not rounded
                out.append(rel)
    return out


# ---- all funds together --------------------------------------------------------------------


def _fund_totals(facts: list[LedgerFact]) -> list[Relation]:
    """基本医疗保险（合计） = the same figure of 职工 and 城乡居民: in a table row (a 合计 column)
    or in a section whose subsections are those funds."""
    out = []
    rows: dict[tuple[int, int], list[LedgerFact]] = defaultdict(list)
    for f in facts:
        if f.table is not None and f.row is not None and f.role == "value":
            rows[(f.table, f.row)].append(f)
    for cells in rows.values():
        totals = [f for f in cells if f.fund == _TOTAL]
        by_fund = {f.fund: f for f in cells if f.fund in _PARTS_OF_TOTAL}
        if len(totals) == 1 and _covers(by_fund):
            out.append(_relation("JX-SUM-001", totals[0], [[_term(p, 1, p.fund or "") for p in by_fund.values()]],
                                 name=totals[0].item or "合计", note="各险种合计"))
    same: dict[tuple[str, int | None, str], list[LedgerFact]] = defaultdict(list)
    for f in facts:
        if f.item and f.role == "value" and f.table is None and f.fund in _PARTS_OF_TOTAL:
            same[(f.item, f.year, f.span)].append(f)
    for total in facts:
        if total.fund != _TOTAL or total.table is not None or total.role != "value" or not total.item:
            continue
        path = total.extra.get("path", ())
        parts: dict[str | None, LedgerFact] = {}
        for f in same.get((total.item, total.year, total.span), []):
            fp = f.extra.get("path", ())
            if len(fp) > len(path) and fp[:len(path)] == path and f.fund not in parts:
                parts[f.fund] = f
        if _covers(parts) and total.mention.quantity.approx is None:
            out.append(_relation("JX-SUM-001", total, [[_term(p, 1, p.fund or "") for p in parts.values()]],
                                 name=total.item, note="各险种合计"))
    return out


def _covers(parts: Mapping[str | None, LedgerFact] | Mapping[str, LedgerFact]) -> bool:
    funds = set(parts)
    return len(funds) >= 2 and bool(funds & _EMPLOYEE) and FundKind.resident.value in funds
