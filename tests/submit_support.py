"""What a reader of a submitted report checks, as code the tests share: the text of every file
(docx paragraphs and cells, xlsx cells, html), internal text that must not be there, and the
arithmetic of a printed derived figure redone from its printed operands — independently of the
writer's own arithmetic (:mod:`jixiao.write.printed`), with plain Decimals.
"""

from __future__ import annotations

import re
import zipfile
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path

from docx import Document
from openpyxl import load_workbook

from jixiao.numbers import conversion, parse_quantity
from jixiao.write.report import Claim, Report


def printed_in(figure: str, text: str) -> bool:
    """A figure is in the text as printed, or — a negative one — as its magnitude after the word
    that gives its sign (“下降9.63%” for −9.63%)."""
    if figure in text:
        return True
    return figure.startswith("-") and re.search(f"(?:下降|减少|缺口|亏损){re.escape(figure[1:])}", text) is not None

#: text a submitted report never holds: rule ids and other identifiers, files, the repository's
#: citation marks and confidence tags, the engine's own qualifiers and words about itself
INTERNAL = [
    (re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b"), "an identifier (rule or indicator id)"),
    (re.compile(r"\.(?:ya?ml|md|json|py|txt)\b|rules\.md|examples/|seeds?\b", re.I), "a file name"),
    (re.compile(r"\[(?:official|secondary|practice|unconfirmed)\]|confidence"), "a confidence tag"),
    (re.compile(r"§\s*\d"), "a section citation"),
    (re.compile(r"湖南口径|（模型|只能由增减额推算|规则集|default|sichuan|hunan|jixiao"), "the engine's own words"),
    (re.compile(r"未填写指标性质|不可计算|计算公式"), "a working paper's note"),
    (re.compile(r"第\d+行"), "a reference to the source report's lines"),
]


def internal_text(text: str) -> list[str]:
    return [f"{why}: “{m.group()}” in “{text[:80]}”" for pattern, why in INTERNAL for m in pattern.finditer(text)]


def docx_texts(path: Path) -> list[str]:
    doc = Document(str(path))
    texts = [p.text for p in doc.paragraphs]
    texts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    for section in doc.sections:
        texts += [p.text for p in section.footer.paragraphs]
    return [t for t in texts if t.strip()]


def xlsx_texts(path: Path) -> list[str]:
    wb = load_workbook(path)
    return [str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]


def html_texts(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    body = re.sub(r"<style>.*?</style>|<img [^>]*>", "", text, flags=re.S)
    return [t for t in re.split(r"<[^>]+>", body) if t.strip()]


def file_texts(path: Path) -> list[str]:
    return {".docx": docx_texts, ".xlsx": xlsx_texts, ".html": html_texts}[path.suffix](path)


def formula_cells(path: Path) -> list[str]:
    """Every formula in an .xlsx, read from its XML (openpyxl could hide one it wrote)."""
    found = []
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = z.read(name).decode("utf-8")
                found += [f"{name}: {m}" for m in re.findall(r"<f[ >][^<]*</f>|<f/>", xml)]
    return found


# --------------------------------------------------------------------------------------------
# A reader's arithmetic
# --------------------------------------------------------------------------------------------


def _half_up(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _value(text: str, unit: str) -> Decimal:
    q = parse_quantity(text.replace("−", "-").replace("个百分点", "%"))
    if not q.unit or not unit or q.unit == unit or unit == "个百分点":
        return q.value
    return q.value * conversion(q.unit, unit)


def reader(claim: Claim) -> Decimal:
    """The claim's result as a reader computes it from the printed operands, at the printed places."""
    result = parse_quantity(claim.result.replace("−", "-").replace("个百分点", "%"))
    places = max(0, -int(result.value.as_tuple().exponent))  # type: ignore[arg-type]
    unit = "个百分点" if claim.result.endswith("个百分点") else result.unit
    a, b = claim.operands
    with localcontext() as ctx:
        ctx.prec = 40
        if claim.op == "difference":
            value = _value(a, unit) - _value(b, unit)
        elif claim.op in ("ratio", "growth", "growth_by_change", "times"):
            qa, qb = parse_quantity(a.replace("−", "-")), parse_quantity(b.replace("−", "-"))
            same = qa.unit or qb.unit
            x, y = _value(a, same), _value(b, same)
            if claim.op == "ratio":
                value = x / y * 100
            elif claim.op == "growth":
                value = (x - y) / y * 100
            elif claim.op == "growth_by_change":
                value = y / (x - y) * 100
            else:
                value = x / y
        elif claim.op == "per_capita":
            people = parse_quantity(b)
            persons = people.value * (10000 if people.unit == "万人" else 1)
            value = _value(a, "元") / persons
        elif claim.op == "months":
            qa = parse_quantity(a.replace("−", "-"))
            value = qa.value / (_value(b, qa.unit) / 12)
        else:
            raise AssertionError(claim.op)
    return _half_up(value, places)


def claim_errors(report: Report) -> list[str]:
    """Every claim of every paragraph whose printed result is not what its printed operands give,
    or whose figures are not in the paragraph."""
    out = []
    for para in report.paragraphs():
        for claim in para.claims:
            text = para.text
            if not printed_in(claim.result, text) or not all(printed_in(o, text) for o in claim.operands):
                out.append(f"{claim} not all in “{text}”")
                continue
            printed = parse_quantity(claim.result.replace("−", "-").replace("个百分点", "%")).value
            if reader(claim) != printed:
                out.append(f"{claim.op}{claim.operands} gives {reader(claim)}, printed {claim.result}: “{text}”")
    return out


def claims(report: Report) -> list[Claim]:
    return [c for p in report.paragraphs() for c in p.claims]


# --------------------------------------------------------------------------------------------
# The score a report states and the 自评表 it carries
# --------------------------------------------------------------------------------------------

_SCORE_SAID = re.compile(r"自评得分(?:为)?(\d+(?:\.\d+)?)分")


def table_scores(report: Report) -> list[str] | None:
    """Every score the report's 自评表 print as a figure (None: no 自评表): a 总分/合计, and the unit's
    own score where a table prints it as stated (据报)."""
    column = {"department_self_eval": 5}
    own = (lambda k: k in column) if report.kind == "department" else (lambda k: k.startswith("self_eval"))
    grids = [g for g in report.grids() if own(g.key)]
    if not grids:
        return None
    out = []
    for g in grids:
        col = column.get(g.key, 7)
        labels = {c.row: c.text for c in g.cells if c.col == 0}
        out += [c.text for c in g.cells if c.col == col and re.fullmatch(r"\d+(?:\.\d+)?", c.text)
                and (labels.get(c.row) in ("合计", "总分") or "据报" in labels.get(c.row, ""))]
    return out


def score_disagreements(report: Report) -> list[str]:
    """A score the text states that its 自评表 does not print, or a 自评表 total the text does not
    state: what a reader holding both would find contradicting (none of either is fine)."""
    said = [m.group(1) for p in report.paragraphs() for m in _SCORE_SAID.finditer(p.text)]
    shown = table_scores(report)
    if shown is None:
        return []
    out = [f"text says {s}, the table prints {shown}" for s in said if Decimal(s) not in map(Decimal, shown)]
    if said and len([g for g in report.grids() if g.key in ("department_self_eval", "self_eval")]) == 1:
        out += [f"the table prints {s}, the text says {said}" for s in shown if Decimal(s) not in map(Decimal, said)]
    return out
