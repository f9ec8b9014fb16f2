"""Are the audit's answers unchanged? Record them on a fixed corpus, then compare, byte for byte.

    .venv/bin/python bench/audit_same.py record [--dir DIR] [--n 200]
    .venv/bin/python bench/audit_same.py check  [--dir DIR]

For speed work: ``record`` once before touching anything, ``check`` after every change.

The corpus (built in ``DIR/corpus`` by the first ``record`` and reused afterwards, so that
``check`` reads exactly the same files):

* the five seeds;
* the development corpus (``../shared/corpus/docs``: .txt, .docx, .pdf), copied, if present;
* the generated reports of ``out/`` (``make demo``; docx and html; ``--reports`` another), copied;
* seed 001 as docx and seed 000 as pdf (``tests/data/audit_fixtures.py``);
* every seed as Markdown, as HTML, in GB18030 and UTF-16, and with conversion debris
  (full-width digits, thousands separators, ``[bookmark: …]``, tags, entities, spaces before
  units, stray letters), so that the readers and the normaliser are exercised;
* ``--n`` perturbed seeds, made exactly as ``bench/audit.py`` makes them (same random seed).

What is compared, per file:

* the exact output of ``jixiao audit --format json`` on the whole corpus (the CLI, run as a
  subprocess: the bytes users and later tools see);
* every figure the extractor finds (quantity, block, span, raw text, sign word, comparator,
  unit source, flags), every fact of ``jixiao extract`` (the ledger's, in full) and of the
  figure labeller, and every relation found, which is
  stricter than the findings alone (a figure may change without changing any finding here).

``check`` exits 1 and names the first differences when anything differs.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "examples" / "seeds").glob("0*.txt"))


def _bench_audit() -> Any:
    spec = importlib.util.spec_from_file_location("bench_audit", ROOT / "bench" / "audit.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _debris(text: str, rng: random.Random) -> str:
    """Conversion debris of the kinds the normaliser removes, sprinkled over ``text``."""
    fw = str.maketrans("0123456789%", "０１２３４５６７８９％")

    def thousands(m: re.Match[str]) -> str:
        s = m.group(0)
        if rng.random() < 0.5:
            return f"{int(s):,}" if rng.random() < 0.7 else f"{int(s):,}".replace(",", "，")
        return s

    out = []
    for k, line in enumerate(text.split("\n")):
        r = rng.random()
        if r < 0.15:
            line = line.translate(fw)
        elif r < 0.3:
            line = re.sub(r"(?<![\d.])\d{4,8}(?![\d.])", thousands, line)
        elif r < 0.4:
            line = f"[bookmark: _Toc{15396600 + k}]" + line
        elif r < 0.5:
            line = "<p>" + line.replace("，", "，<span>", 1) + "</span></p>"
        elif r < 0.55:
            line = line.replace("。", "&nbsp;。", 1).replace("、", "&amp;", 1)
        elif r < 0.65:
            line = re.sub(r"(\d)(万元|元|人|%)", r"\1 \2", line)
        elif r < 0.7:
            line = re.sub(r"(\d)(万元)", r"\1d\2", line, count=1)
        elif r < 0.75:
            line = line.replace("，", "\u3000，", 2).replace("万元", "\u00a0万元", 1)
        elif r < 0.8:
            line = re.sub(r"(\d{3})(\d{3})(?!\d)", r"\1 \2", line, count=1)
        out.append(line)
    return "\n".join(out)


def _html(text: str) -> str:
    body = "\n".join(f"<p>{line}</p>" for line in text.split("\n"))
    return f"<html><head><title>t</title></head><body>\n{body}\n</body></html>\n"


def build_corpus(corpus: Path, n: int, out: Path) -> None:
    corpus.mkdir(parents=True)
    rng = random.Random(7)
    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    for p in SEEDS:
        shutil.copy(p, corpus / p.name)
    shared = ROOT.parent / "shared" / "corpus" / "docs"
    for p in sorted(shared.glob("*")) if shared.is_dir() else []:
        if p.suffix in (".docx", ".pdf", ".txt"):
            shutil.copy(p, corpus / f"dev_{p.name}")
    for p in sorted(out.glob("*")) if out.is_dir() else []:
        if p.suffix in (".docx", ".html", ".md", ".pdf", ".txt"):
            shutil.copy(p, corpus / f"out_{p.name}")
    sys.path.insert(0, str(ROOT / "tests" / "data"))
    try:
        import audit_fixtures  # type: ignore[import-not-found]

        audit_fixtures.docx_from_seed_001(corpus / "fixture_001.docx")
        audit_fixtures.pdf_from_seed_000(corpus / "fixture_000.pdf")
    finally:
        sys.path.pop(0)
    for p, text in zip(SEEDS, texts, strict=True):
        stem = p.stem[:3]
        (corpus / f"md_{stem}.md").write_text(text, encoding="utf-8")
        (corpus / f"html_{stem}.html").write_text(_html(text), encoding="utf-8")
        (corpus / f"gb_{stem}.txt").write_bytes(text.encode("gb18030"))
        (corpus / f"u16_{stem}.txt").write_bytes(text.encode("utf-16"))
        for k in range(4):
            (corpus / f"debris_{stem}_{k}.txt").write_text(_debris(text, rng), encoding="utf-8")
        (corpus / f"debris_{stem}.html").write_text(_html(_debris(text, rng)), encoding="utf-8")
    perturb = _bench_audit().perturb
    prng = random.Random(2024)
    for i in range(n):
        text = perturb(texts[i % len(texts)], prng)
        (corpus / f"doc{i:05d}.txt").write_text(text, encoding="utf-8")


def cli_json(corpus: Path) -> str:
    """The exact bytes of ``jixiao audit --format json`` over the corpus."""
    exe = Path(sys.executable).with_name("jixiao")
    cmd = [str(exe), "audit", "--format", "json", str(corpus)]
    done = subprocess.run(cmd, capture_output=True, cwd=ROOT, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"jixiao audit exited {done.returncode}: {done.stderr.decode()[-2000:]}")
    return done.stdout.decode("utf-8")


def details(corpus: Path) -> dict[str, Any]:
    """Figures, facts and relations of every file (in this process)."""
    from jixiao.audit.document import ReadError
    from jixiao.audit.facts import label_mentions
    from jixiao.audit.ledger import bind_document, ledger_facts
    from jixiao.audit.quantities import find_document_mentions
    from jixiao.audit.readers import read_document
    from jixiao.audit.relations import find_relations

    out: dict[str, Any] = {}
    for p in sorted(corpus.iterdir()):
        try:
            doc = read_document(str(p))
        except ReadError as exc:
            out[p.name] = {"error": str(exc)}
            continue
        blocks = [[b.text, b.kind, b.line, b.page, b.paragraph, b.table, b.row, b.col,
                   b.original_span(0, len(b.text)) if b.text else None] for b in doc.blocks]
        mentions = find_document_mentions(doc)
        ms = [[repr(m.quantity), m.block, m.start, m.end, m.raw, m.negative_word, m.comparator,
               m.unit_source, list(m.flags), doc.blocks[m.block].original_span(m.start, m.end)]
              for m in mentions]
        relations = [repr(r) for r in find_relations(doc, mentions)]
        facts = [f.to_json() for f in label_mentions(doc, mentions)]
        out[p.name] = {
            "chars": doc.chars,
            "tables": [[t.index, t.unit, len(t.rows)] for t in doc.tables],
            "blocks": _digest(blocks),
            "mentions": ms,
            "relations": _digest(relations),
            "facts": _digest(facts),
            "ledger": [f.to_json() for f in ledger_facts(doc)],
            "bound": _digest(_bound(bind_document(doc, mentions))),
        }
    return out


def _bound(facts: list[Any]) -> list[Any]:
    """Every field of the binder's facts (those ``jixiao extract`` leaves out too), a parent by index."""
    index = {id(f): k for k, f in enumerate(facts)}
    return [[f.mention.block, f.mention.start, f.fund, f.item, f.year, f.span, str(f.value), f.unit, f.role,
             index.get(id(f.parent)) if f.parent is not None else None, f.partial, f.list_id, f.table, f.row,
             f.col, f.line, f.page, f.where, f.named, f.label, f.typo, repr(sorted(f.extra.items(), key=str))]
            for f in facts]


def _digest(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, ensure_ascii=False, default=str).encode()).hexdigest()


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    if old["cli"] != new["cli"]:
        a, b = json.loads(old["cli"])["documents"], json.loads(new["cli"])["documents"]
        problems.append(f"jixiao audit --format json differs ({len(a)} vs {len(b)} documents)")
        for da, db in zip(a, b, strict=False):
            if da != db:
                problems.append(f"  {Path(da['path']).name}: {_first_diff(da, db)}")
    for name in sorted(set(old["details"]) | set(new["details"])):
        da, db = old["details"].get(name), new["details"].get(name)
        if da != db:
            problems.append(f"{name}: {_first_diff(da, db)}")
    return problems


def _first_diff(a: Any, b: Any) -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if a.get(k) != b.get(k):
                return f"{k}: {_first_diff(a.get(k), b.get(k))}"
    if isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            if x != y:
                return f"[{i}] {_first_diff(x, y)}"
        return f"length {len(a)} vs {len(b)}"
    return f"{str(a)[:300]!s} → {str(b)[:300]!s}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("action", choices=["record", "check"])
    ap.add_argument("--dir", default="/tmp/jixiao_audit_same")
    ap.add_argument("--n", type=int, default=200, help="perturbed documents (record only)")
    ap.add_argument("--reports", default=str(ROOT / "out"), help="generated reports to copy (record only)")
    args = ap.parse_args()
    base = Path(args.dir)
    corpus = base / "corpus"
    if args.action == "record" and not corpus.exists():
        build_corpus(corpus, args.n, Path(args.reports))
    if not corpus.exists():
        raise SystemExit(f"no corpus in {corpus}: run record first")
    # through JSON and back, so that the fresh answer has the recorded one's types (lists, not tuples)
    result = json.loads(json.dumps({"cli": cli_json(corpus), "details": details(corpus)}, ensure_ascii=False))
    files = len(list(corpus.iterdir()))
    findings = sum(len(d["findings"]) for d in json.loads(result["cli"])["documents"])
    figures = sum(len(d.get("mentions", [])) for d in result["details"].values())
    if args.action == "record":
        (base / "baseline.json").write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
        print(f"recorded {files} files: {findings} findings, {figures} figures → {base / 'baseline.json'}")
        return
    (base / "current.json").write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    old = json.loads((base / "baseline.json").read_text(encoding="utf-8"))
    problems = compare(old, result)
    if problems:
        print("\n".join(problems[:40]))
        print(f"DIFFERENT: {len(problems)} differences")
        raise SystemExit(1)
    print(f"same: {files} files, {findings} findings, {figures} figures; CLI JSON byte-identical")


if __name__ == "__main__":
    main()
