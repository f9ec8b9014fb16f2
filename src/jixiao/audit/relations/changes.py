"""Changes from the previous year: 较上年增加B、增长C% (C = B / (A ∓ B), JX-CHG-001) and
与上年P相比 (A − P = ±B, JX-CHG-002; C = (A − P) / P)."""

from __future__ import annotations

from jixiao.audit.relations.items import Item, same_dim
from jixiao.audit.relations.relation import Relation, Term
from jixiao.audit.relations.roles import COMPARATOR


def _current_candidates(items: list[Item], k: int, hint: str = "") -> list[Item]:
    """The figure a change refers to: the nearest value before it (and its list total)."""
    target = items[k]
    cands: list[Item] = []
    for it in reversed(items[max(0, k - 50):k]):
        # "…746.35万元，占…。与2018年相比，…增加331.22万元" refers back one sentence
        if it.sentence != target.sentence and (
                cands or it.sentence < target.sentence - 1
                or not COMPARATOR.match(_sentence_start_label(items, k))):
            break
        if it.role == "value" and same_dim(it, target):
            cands.append(it)
    if not cands:
        return []
    ordered: list[Item] = []
    if hint:
        for c in cands:
            if hint in c.clause:
                ordered.append(c)
                break
    nearest = cands[0]
    if nearest not in ordered:
        ordered.append(nearest)
    if nearest.list_total is not None and nearest.list_total not in ordered:
        ordered.append(nearest.list_total)
    return ordered[:3]


def _sentence_start_label(items: list[Item], k: int) -> str:
    """The words that open the sentence of ``items[k]`` (its first item's label)."""
    j = k
    while j > 0 and items[j - 1].sentence == items[k].sentence:
        j -= 1
    return items[j].label.lstrip("。，, \t")


def _flow_word(label: str) -> str:
    for w in ("收入", "支出", "人数", "结余"):
        if w in label:
            return w
    return ""


def change_relations(items: list[Item]) -> list[Relation]:
    out: list[Relation] = []
    for k, it in enumerate(items):
        if it.role == "change" and it.direction != 0:
            b = it
            p = items[k - 1] if k > 0 and items[k - 1].role == "prev" and items[k - 1].sentence == it.sentence \
                else None
            anchor = k - 1 if p is not None else k
            cands = _current_candidates(items, anchor, _flow_word(p.label) if p else "")
            if p is not None:
                cands = [c for c in cands if same_dim(c, p)]
            if not cands:
                continue
            c = items[k + 1] if k + 1 < len(items) else None
            if c is not None and not (c.role == "rate_growth" and c.sentence == it.sentence):
                c = None
            if p is not None:
                # A − P = ±B
                alts: list[tuple[list[Term], list[Term]]] = []
                for a in cands:
                    sign = 1 if b.direction > 0 else -1
                    alts.append(([Term(a.mention, sign, "本年"), Term(p.mention, -sign, "上年")], []))
                out.append(Relation("JX-CHG-002", b.mention, alts, "sum", magnitude=False,
                                    stated_name="增减额", direction=b.direction))
                if c is not None:
                    out.append(_rate_from_years(c, cands, p))
            elif c is not None:
                alts = []
                for a in cands:
                    # previous = A − B (increase) or A + B (decrease)
                    prev_terms = [Term(a.mention, 1, "本年"), Term(b.mention, -b.direction, "增减额")]
                    alts.append(([Term(b.mention, 1, "增减额")], prev_terms))
                out.append(Relation("JX-CHG-001", c.mention, alts, "ratio", percent=True, magnitude=True,
                                    stated_name="增减率", direction=c.direction))
        elif it.role == "prev":
            c = items[k + 1] if k + 1 < len(items) else None
            if c is None or c.role != "rate_growth" or c.sentence != it.sentence:
                continue
            cands = [x for x in _current_candidates(items, k, _flow_word(it.label)) if same_dim(x, it)]
            if cands:
                out.append(_rate_from_years(c, cands, it))
    return out


def _rate_from_years(c: Item, cands: list[Item], p: Item) -> Relation:
    alts = []
    for a in cands:
        sign = 1 if c.direction >= 0 else -1
        alts.append(([Term(a.mention, sign, "本年"), Term(p.mention, -sign, "上年")],
                     [Term(p.mention, 1, "上年")]))
    return Relation("JX-CHG-001", c.mention, alts, "ratio", percent=True, magnitude=c.direction != 0,
                    stated_name="增减率", direction=c.direction)
