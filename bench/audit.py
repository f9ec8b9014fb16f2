"""Speed of ``jixiao audit``: characters and reports per second, single core and parallel.

    .venv/bin/python bench/audit.py [--n 1000] [--jobs N]

Measures the five seeds, then a batch of seed-sized documents made by perturbing the seeds
(every figure of a line changed a little) in a temporary directory, audited one process and
all cores; ends with the cProfile top entries for one pass over the seeds.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import re
import tempfile
import time
from pathlib import Path

from jixiao.audit.pipeline import audit_path, audit_paths

SEEDS = sorted((Path(__file__).resolve().parent.parent / "examples" / "seeds").glob("0*.txt"))
NUMBER = re.compile(r"\d+\.\d+|\d{3,}")


def perturb(text: str, rng: random.Random) -> str:
    def change(m: re.Match[str]) -> str:
        s = m.group(0)
        if rng.random() < 0.15:
            digits = list(s)
            k = rng.randrange(len(digits))
            if digits[k].isdigit():
                digits[k] = str(rng.randrange(10))
            return "".join(digits)
        return s
    return NUMBER.sub(change, text)


def run(paths: list[str], jobs: int) -> tuple[float, int, int]:
    start = time.perf_counter()
    results = audit_paths(paths, jobs=jobs)
    seconds = time.perf_counter() - start
    chars = sum(r.chars for r in results)
    findings = sum(len(r.findings) for r in results)
    return seconds, chars, findings


def report(label: str, seconds: float, chars: int, n: int, findings: int) -> None:
    print(f"{label:<34} {n:>5} reports {chars:>10} chars {seconds:8.2f} s  "
          f"{chars / seconds / 1e6:6.3f} M chars/s  {n / seconds:8.1f} reports/s  ({findings} findings)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    seeds = [str(p) for p in SEEDS]
    audit_paths(seeds, jobs=1)  # warm imports and regex compilation
    s, c, f = run(seeds, 1)
    report("seeds, 1 process", s, c, len(seeds), f)
    with tempfile.TemporaryDirectory() as tmp:
        rng = random.Random(2024)
        texts = [p.read_text(encoding="utf-8") for p in SEEDS]
        paths = []
        for i in range(args.n):
            p = Path(tmp) / f"doc{i:05d}.txt"
            p.write_text(perturb(texts[i % len(texts)], rng), encoding="utf-8")
            paths.append(str(p))
        s, c, f = run(paths, 1)
        report(f"{args.n} perturbed, 1 process", s, c, len(paths), f)
        s, c, f = run(paths, args.jobs)
        report(f"{args.n} perturbed, {args.jobs} processes", s, c, len(paths), f)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(5):
        for p in seeds:
            audit_path(p)
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(25)
    print("\nwhere the time goes (5 passes over the seeds, cumulative):")
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:6000])


if __name__ == "__main__":
    main()
