"""Speed of figure extraction (audit/quantities/) and labelling (audit/facts.py).

Reads the five seeds (through the reader, so blocks are normalised as in ``jixiao audit``),
repeats their blocks to about 5 MB of text, and prints characters and bytes per second for
``find_document_mentions`` alone and for ``extract_facts`` (mentions + labels), on one core.

    .venv/bin/python bench/extract.py [--mb 5]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from jixiao.audit.document import Block, Document
from jixiao.audit.facts import label_mentions
from jixiao.audit.quantities import find_document_mentions
from jixiao.audit.readers import read_document

SEEDS = Path(__file__).resolve().parent.parent / "examples" / "seeds"


def big_document(target_chars: int) -> Document:
    blocks: list[Block] = []
    seeds = [read_document(p) for p in sorted(SEEDS.glob("*.txt"))]
    total = 0
    while total < target_chars:
        for doc in seeds:
            for b in doc.blocks:
                blocks.append(Block(text=b.text, kind=b.kind, line=len(blocks) + 1))
                total += len(b.text) + 1
    return Document(path="bench", format="txt", blocks=blocks)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=5.0, help="megabytes (UTF-8) of text to scan")
    args = parser.parse_args()
    sample = big_document(10_000)
    ratio = sum(len(b.text.encode()) + 1 for b in sample.blocks) / sum(len(b.text) + 1 for b in sample.blocks)
    doc = big_document(int(args.mb * 1_000_000 / ratio))
    chars = sum(len(b.text) + 1 for b in doc.blocks)
    nbytes = sum(len(b.text.encode()) + 1 for b in doc.blocks)
    # CPU time of this process: other work on a shared machine does not count against us
    t0 = time.process_time()
    mentions = find_document_mentions(doc)
    t1 = time.process_time()
    facts = label_mentions(doc, mentions)
    t2 = time.process_time()
    print("CPU seconds (time.process_time), one core")
    print(f"text: {chars:,} chars, {nbytes / 1e6:.2f} MB UTF-8, {len(doc.blocks):,} blocks")
    print(f"mentions: {len(mentions):,} in {t1 - t0:.2f} s = {chars / (t1 - t0) / 1e6:.2f} M chars/s, "
          f"{nbytes / (t1 - t0) / 1e6:.2f} MB/s")
    print(f"mentions + facts: {len(facts):,} facts in {t2 - t0:.2f} s = {chars / (t2 - t0) / 1e6:.2f} M chars/s, "
          f"{nbytes / (t2 - t0) / 1e6:.2f} MB/s")


if __name__ == "__main__":
    main()
