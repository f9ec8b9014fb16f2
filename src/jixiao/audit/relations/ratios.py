"""Ratios of two figures: shares (占X%, JX-SHR-001), completion rates (完成率、执行率、控制率,
JX-CMP-001; 完成0% against an outturn, JX-CMP-002) and per capita amounts (人均, JX-PCP-001)."""

from __future__ import annotations

import re
from typing import Final

from jixiao.audit.relations.items import Item, item_name, same_dim
from jixiao.audit.relations.relation import Relation, Term

PER_CAPITA_LABEL: Final = re.compile(r"(人均|次均|户均)[^，。；]{0,10}$")
PER_PERSON_UNITS: Final = ("元/人", "元/人·年", "元/人/年")


def share_relations(items: list[Item]) -> list[Relation]:
    out: list[Relation] = []
    for k, it in enumerate(items):
        if it.role != "rate_share":
            continue
        prev = items[k - 1] if k > 0 else None
        if prev is not None and prev.role == "inline_base" and prev.sentence == it.sentence:
            part = next((x for x in reversed(items[:k - 1]) if x.role == "value" and same_dim(x, prev)
                         and x.sentence == it.sentence), None)
            if part is not None:
                out.append(_ratio("JX-SHR-001", it, [(part, prev)], explicit=True, name="占比"))
            continue
        part = next((x for x in reversed(items[:k]) if x.sentence == it.sentence), None)
        if part is None or part.role != "value" or part.dim is None:
            continue
        if part.list_total is not None:
            out.append(_ratio("JX-SHR-001", it, [(part, part.list_total)], explicit=True, name="占比"))
            continue
        bases = [x for x in items[max(0, k - 60):k] if x is not part and x.role == "value" and same_dim(x, part)
                 and abs(x.value) > abs(part.value)][-3:]
        if len(bases) == 1:
            out.append(_ratio("JX-SHR-001", it, [(part, bases[0])], explicit=True, name="占比"))
        elif bases:
            out.append(_ratio("JX-SHR-001", it, [(part, b) for b in reversed(bases)], explicit=False,
                              name="占比"))
    return out


def _ratio(code: str, stated: Item, pairs: list[tuple[Item, Item]], *, explicit: bool,
           name: str) -> Relation:
    alts = [([Term(a.mention, 1, item_name(a, "分子"))], [Term(b.mention, 1, item_name(b, "分母"))])
            for a, b in pairs]
    return Relation(code, stated.mention, alts, "ratio", percent=stated.unit == "%",
                    explicit=explicit, stated_name=name)


BUDGET_LABEL: Final = re.compile(r"(预算|安排|计划)")
ACTUAL_LABEL: Final = re.compile(r"(支出|执行|决算|实际|完成)")
#: a budget as adjusted during the year (调整为, 调整后预算, 追加至)
ADJUSTED_LABEL: Final = re.compile(r"(?:调整|调增|调减|追加|压减|核减)(?:后(?:预算)?|为|至|到)")


def completion_relations(items: list[Item]) -> list[Relation]:
    out: list[Relation] = []
    for k, it in enumerate(items):
        if it.role != "rate_completion" or it.unit != "%":
            continue
        if "未完成" in it.clause:
            continue
        prev = items[k - 1] if k > 0 else None
        if prev is not None and prev.role == "inline_base" and prev.sentence == it.sentence:
            actual = next((x for x in reversed(items[:k - 1]) if x.role == "value" and same_dim(x, prev)
                           and x.sentence == it.sentence), None)
            if actual is not None:
                out.append(_ratio("JX-CMP-001", it, [(actual, prev)], explicit=True, name="完成率"))
            continue
        cands = [x for x in items[max(0, k - 30):k] if x.sentence == it.sentence and x.role == "value"
                 and x.dim is not None and x.list_total is None][-5:]
        if len(cands) == 1 and it.value == 0:
            zero = _zero_completion(it, cands[0])
            if zero is not None:
                out.append(zero)
            continue
        if len(cands) < 2:
            continue
        if "预算控制率" in it.clause:
            # 预算控制率 = 全年预算 / 年初预算 (Hunan 部门整体 practice, rules.md §2)
            start = next((c for c in cands if "年初" in c.clause and c.dim == "money"), None)
            full = next((c for c in reversed(cands) if "全年" in c.clause and c.dim == "money"), None)
            if start is not None and full is not None:
                out.append(_ratio("JX-CMP-001", it, [(full, start)], explicit=True, name="预算控制率"))
                continue
        dims = {c.dim for c in cands}
        if len(dims) != 1:
            cands = [c for c in cands if c.dim == cands[-1].dim]
        bases = [c for c in cands if BUDGET_LABEL.search(c.clause) and not ACTUAL_LABEL.search(c.clause)]
        adjusted = [c for c in cands if ADJUSTED_LABEL.search(c.clause)]
        actuals = [c for c in cands if c not in bases and c not in adjusted]
        if adjusted:
            bases = adjusted[-1:]  # 年初预算800万元，调整为1200万元: the rate is of the budget as adjusted
        if len(bases) == 1 and actuals:
            pairs = [(a, bases[0]) for a in reversed(actuals)]
            out.append(_ratio("JX-CMP-001", it, pairs[:2], explicit=len(pairs) == 1 or True,
                              name="完成率"))
        else:
            pairs = [(a, b) for a in cands for b in cands if a is not b and b.value != 0]
            if pairs:
                out.append(_ratio("JX-CMP-001", it, pairs, explicit=False, name="完成率"))
    return out


def _zero_completion(rate: Item, actual: Item) -> Relation | None:
    """``支出决算为14万元，完成预算0%``: a completion of 0% says nothing was spent, so the
    outturn stated beside it (with no budget in the sentence) should be 0 (JX-CMP-002).

    0% written to whole percents is any rate under 0.5%: it could hold only with a budget over
    200 times the outturn, which a report would state; so a non-zero outturn is an error.
    Only an outturn (支出/执行/决算/实际) is read, never a budget figure.
    """
    q = rate.mention.quantity
    if q.approx is not None or actual.dim != "money" or actual.value <= 0 or actual.mention.quantity.approx:
        return None
    if not ACTUAL_LABEL.search(actual.clause) or BUDGET_LABEL.search(actual.clause):
        return None
    return Relation("JX-CMP-002", actual.mention, [([], [Term(rate.mention, 1, "完成率")])], "sum",
                    explicit=True, stated_name=item_name(actual, "支出"))


def per_capita_relations(items: list[Item]) -> list[Relation]:
    out: list[Relation] = []
    for k, it in enumerate(items):
        per_person = it.unit in PER_PERSON_UNITS
        labelled = it.dim == "money" and PER_CAPITA_LABEL.search(it.clause) is not None
        if not (per_person or labelled) or it.role != "value":
            continue
        count_dim = "person_time" if "次均" in it.clause else "person"
        persons = [x for x in items[max(0, k - 30):k] if x.sentence == it.sentence and x.dim == count_dim
                   and x.role == "value"]
        totals = [x for x in items[k + 1:k + 30] if x.sentence == it.sentence and x.dim == "money"
                  and x.role == "value" and x.unit not in PER_PERSON_UNITS]
        if not persons or not totals:
            continue
        n, t = persons[-1], totals[0]
        # the persons must come after any other count in between: "按13297人计算…" belongs to the next
        between = [x for x in items[k + 1:items.index(t)] if x.dim == count_dim]
        if between:
            continue
        out.append(Relation("JX-PCP-001", it.mention,
                            [([Term(t.mention, 1, "总额")], [Term(n.mention, 1, "人数")])], "ratio",
                            stated_name="人均"))
    return out
