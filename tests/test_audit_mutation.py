"""Mutation test: change one figure of a correct statement by more than its rounding and check
that the audit now reports an error there.

Two sources of correct statements:

* the seeds: the correct relations of fixtures/seed_labels.yaml (each with the figures to
  change; ``directions`` may keep one way only);
* reports that jixiao itself writes (``jixiao.write``, HTML) from the example data: first the
  generated report must audit clean, then the stated figure of every explicit relation that
  holds in it is changed, one at a time.

Recall (mutations caught as an error at the changed statement, with the relation's code family)
and the false-positive rate (mutated documents with a new error that has nothing to do with the
changed figure: not at its line and not naming its new value) are printed and held above floors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from jixiao.audit.checks import check_relation
from jixiao.audit.findings import DocumentResult, Finding, code_family
from jixiao.audit.pipeline import audit_path
from jixiao.audit.quantities import find_document_mentions
from jixiao.audit.readers import read_document
from jixiao.audit.relations import find_relations
from jixiao.numbers import Interval

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "seeds"
EXAMPLES = ROOT / "examples"
LABELS: dict[str, Any] = yaml.safe_load((Path(__file__).parent / "fixtures" / "seed_labels.yaml")
                                        .read_text(encoding="utf-8"))["seeds"]
#: example data → (unit, year) whose reports jixiao writes
GENERATED = {"001_xinjiang_2019.yaml": ("650000-01", 2019), "004_yiyang_2020.yaml": ("430900", 2020),
             "003_miyi_2019.yaml": ("510421-01", 2019), "000_hami_2019.yaml": ("650500", 2019)}
#: the balance figures jixiao writes in their own sentence or paragraph (当期结余 after 收入 and 支出
#: paragraphs (a deficit as “缺口” among them), 资产减负债 after 资产 and 负债, 年末累计结余 paragraphs after
#: them): each must be mutated and caught
BALANCE_NAMES = ("当期结余", "资产减负债", "年末累计结余")


def mutate(figure: str, direction: int = 1) -> str:
    """A value off by more than its rounding: ±3% (at least 7 units of the last digit)."""
    plain = figure.replace(",", "")
    value = Decimal(plain)
    step = Decimal(1).scaleb(value.as_tuple().exponent)  # type: ignore[arg-type]
    delta = max(step * 7, (abs(value) * Decimal("0.03")).quantize(step, rounding=ROUND_HALF_UP))
    if direction < 0 and value - delta < 0:
        delta = -delta  # never write a negative amount: go up instead
    return f"{value + direction * delta:f}"


@dataclass
class Mutation:
    source: str  # seed file name, or the generated report's name
    where: str  # 000_….txt:13, or the block's location in a generated report
    code: str
    figure: str
    new: str
    direction: int
    text: str
    suffix: str
    is_hit: Any  # (finding) -> bool: the error is at the changed statement, with its rule family
    same_place: Any  # (finding) -> bool: at the changed statement, any rule
    name: str = ""  # what the changed figure is (the relation's stated name)


@dataclass
class Tally:
    total: int = 0
    caught: int = 0
    warned: int = 0  # caught only as a warning
    spurious: int = 0  # a new error unrelated to the change
    elsewhere: int = 0  # a new error at another place (related or not)

    def line(self, name: str) -> str:
        return (f"{name}: {self.total} mutations, caught {self.caught} (recall {self.recall:.2f}), "
                f"as a warning only {self.warned}; a new error elsewhere {self.elsewhere}, of which unrelated "
                f"to the change {self.spurious} (false-positive rate {self.fp_rate:.2f})")

    @property
    def recall(self) -> float:
        return self.caught / self.total if self.total else 1.0

    @property
    def fp_rate(self) -> float:
        return self.spurious / self.total if self.total else 0.0


def seed_mutations() -> list[Mutation]:
    out = []
    for seed, labels in sorted(LABELS.items()):
        source = (SEEDS / seed).read_text(encoding="utf-8").split("\n")
        for label in labels["correct"]:
            if label.get("mutate") is False:
                continue
            lines = label.get("lines", [label["line"]])
            for figure in label.get("figures", []):
                line = source[label["line"] - 1]
                pattern = re.compile(r"(?<![\d.,])" + re.escape(figure) + r"(?![\d])")
                assert pattern.search(line), f"{seed}:{label['line']} has no {figure}"
                for direction in label.get("directions", (1, -1)):
                    mutated = source.copy()
                    new = mutate(figure, direction)
                    mutated[label["line"] - 1] = pattern.sub(new, line, count=1)
                    out.append(Mutation(
                        seed, f"{seed}:{label['line']}", label["code"], figure, new, direction,
                        "\n".join(mutated), ".txt",
                        lambda f, lines=lines, code=label["code"]: (
                            f.line in lines and code_family(f.code) == code_family(code)),
                        lambda f, lines=lines: f.line in lines))
    return out


def generated_mutations(out_dir: Path) -> tuple[list[Mutation], list[DocumentResult]]:
    """Mutations of the reports jixiao writes; also returns the clean reports' audits."""
    from jixiao.ingest.files import read_files
    from jixiao.write import write_report

    muts: list[Mutation] = []
    clean: list[DocumentResult] = []
    for name, (unit, year) in GENERATED.items():
        loaded = read_files([EXAMPLES / "units.yaml", EXAMPLES / name])
        assert loaded.dataset is not None, [str(p) for p in loaded.problems]
        for path in write_report(loaded.dataset, unit, year, out_dir, formats=("html",), workpapers=False):
            clean.append(audit_path(path))
            source = path.read_text(encoding="utf-8")
            doc = read_document(str(path))
            mentions = find_document_mentions(doc)
            seen: set[tuple[int, int]] = set()
            for rel in find_relations(doc, mentions):
                m = rel.stated
                if not rel.explicit or (m.block, m.start) in seen or not check_relation(rel).holds:
                    continue
                seen.add((m.block, m.start))
                outcome = check_relation(rel)
                block = doc.blocks[m.block]
                figure = block.text[m.start:m.end]
                figure = re.match(r"[\d.,]+", figure).group() if re.match(r"[\d.,]+", figure) else ""
                snippet = block.text[max(0, m.start - 12):m.start] + figure
                if not figure or source.count(snippet) != 1:
                    continue  # cannot be changed in the HTML at exactly this place
                for direction in (1, -1):
                    new = mutate(figure, direction)
                    if not _detectable(new, m.quantity.interval().width / 2, outcome.computed):
                        continue  # within the rounding of the other figures: no checker can tell
                    text = source.replace(snippet, snippet[: -len(figure)] + new)
                    muts.append(Mutation(
                        path.name, f"{path.name} {block.where()}", rel.code, figure, new, direction, text, ".html",
                        lambda f, b=m.block, code=rel.code: (
                            f.block == b and code_family(f.code) == code_family(code)),
                        lambda f, b=m.block: f.block == b, rel.stated_name))
    return muts, clean


def _detectable(new: str, half: Decimal, computed: Interval | None) -> bool:
    """Does the changed stated figure fall outside what the other figures allow?"""
    if computed is None:
        return False
    v = Decimal(new.replace(",", ""))
    return all(not Interval(x - half, x + half).meets(computed) for x in (v, -v))


def run(muts: list[Mutation], tmp_path: Path, baseline: dict[str, set[tuple[Any, ...]]],
        by_name: dict[str, Tally] | None = None) -> tuple[Tally, list[str]]:
    """Audit every mutation; ``by_name`` (when given) also gets a tally per changed figure's name."""
    tally = Tally()
    missed: list[str] = []
    for i, m in enumerate(muts):
        before = (tally.caught, tally.spurious)
        path = tmp_path / f"m{i}{m.suffix}"
        path.write_text(m.text, encoding="utf-8")
        r = audit_path(path)
        assert r.error is None, r.error
        new: list[Finding] = [f for f in r.findings if f.severity == "error"
                              and (f.block, f.code, f.stated) not in baseline[m.source]]
        tally.total += 1
        if any(m.is_hit(f) for f in new):
            tally.caught += 1
        else:
            if any(m.is_hit(f) for f in r.findings if f.severity == "warning"):
                tally.warned += 1
            missed.append(f"{m.where} {m.code} {m.figure} → {m.new}")
        others = [f for f in new if not m.is_hit(f)]
        if others:
            tally.elsewhere += 1
            # unrelated: not at the changed statement (any rule) and not naming the changed value
            unrelated = [f for f in others if not m.same_place(f) and m.new not in f.message]
            if unrelated:
                tally.spurious += 1
                missed.append(f"  ({m.where} {m.figure} → {m.new}: unrelated new error "
                              f"{[f.where + ' ' + f.message for f in unrelated]})")
        if by_name is not None:
            named = by_name.setdefault(m.name, Tally())
            named.total += 1
            named.caught += tally.caught - before[0]
            named.spurious += tally.spurious - before[1]
    return tally, missed


def baseline_of(path: Path) -> set[tuple[Any, ...]]:
    return {(f.block, f.code, f.stated) for f in audit_path(path).findings if f.severity == "error"}


def test_seed_mutations_are_caught(tmp_path: Path) -> None:
    baseline = {seed: baseline_of(SEEDS / seed) for seed in LABELS}
    tally, missed = run(seed_mutations(), tmp_path, baseline)
    print("\n" + tally.line("seed mutations"), *missed, sep="\n  ")
    assert tally.total >= 200
    assert tally.recall >= 0.91  # measured 0.94 (229/243); misses: 其他 lists (warnings), partial lists
    assert tally.fp_rate <= 0.03  # measured 0.02 (4/243)


def test_generated_reports_are_clean_and_mutations_caught(tmp_path: Path) -> None:
    muts, clean = generated_mutations(tmp_path / "reports")
    assert len(clean) >= 6
    for r in clean:  # what jixiao writes must itself pass its own audit
        assert r.error is None and not [f for f in r.findings if f.severity == "error"], (r.path, r.findings)
    assert sum(r.checks for r in clean) >= 40
    baseline = {Path(r.path).name: set() for r in clean}
    by_name: dict[str, Tally] = {}
    tally, missed = run(muts, tmp_path, baseline, by_name)
    print("\n" + tally.line("generated-report mutations"), *missed, sep="\n  ")
    for name in BALANCE_NAMES:
        print("  " + by_name.get(name, Tally()).line(f"  of which {name}"))
    assert tally.total >= 120
    # measured 0.97 (152/157); the same 157 mutations on the auditor before balances were read across
    # paragraphs: 0.78 (122/157: none of the 30 当期结余/收支缺口/结余率/资产减负债/年末累计结余 ones).
    # With the reports of issue 11 and the ledger of issue 10: 0.947 (160/169) — the misses are
    # totals printed without their parts (a mutation no sum can see) and three rates stated once.
    assert tally.recall >= 0.94
    assert tally.fp_rate <= 0.03  # measured 0.00
    # the balances written apart from their 收入/支出 are mutated and all caught (a deficit is written
    # “当期收不抵支，缺口…” and read as a 当期结余)
    assert by_name["当期结余"].total >= 8 and by_name["当期结余"].recall == 1
    assert by_name["资产减负债"].total >= 2 and by_name["年末累计结余"].total >= 2
    for name in BALANCE_NAMES:
        assert by_name[name].recall == 1.0 and by_name[name].spurious == 0, name


@pytest.mark.parametrize("figure,direction,expected", [
    ("74200", 1, "76426"), ("1.48", 1, "1.55"), ("0", 1, "7"), ("0", -1, "7"),
    ("355,212", 1, "365868"), ("9.25", -1, "8.97")])
def test_mutate_is_beyond_rounding(figure: str, direction: int, expected: str) -> None:
    assert mutate(figure, direction) == expected
