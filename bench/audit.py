"""Speed of ``jixiao audit``: characters, bytes and reports per second, one core and parallel.

    .venv/bin/python bench/audit.py [--n 1000] [--jobs N] [--profile 25] [--sample 30] [--keep DIR] [--default-gc]

Measures the five seeds, then a batch of ``--n`` seed-sized documents made by perturbing the
seeds (some figures of each changed a little, so the checks find errors to report) in a
temporary directory (or in ``--keep DIR``, which is kept), audited in one process and across
``--jobs`` processes. Each run is audited as ``jixiao audit`` audits a batch, with its garbage
collector settings (:func:`jixiao.cli.audit.batch_gc`); ``--default-gc`` measures with Python's.

Both wall time and CPU time are printed: on a shared machine the wall clock counts the other
programs too, and "per core" means CPU seconds (for the parallel run, the CPU of the parent and
of the worker processes together). "MB" is the UTF-8 size of the files (a Chinese character is
three bytes). It ends with where the time goes: each pipeline stage's share of the CPU time,
then the cProfile top entries (by own time) for passes over the seeds, and (``--sample``) a
sampling profile of the perturbed batch: a CPU-time timer interrupts the audit every half
millisecond and notes the Python function running and its callers. cProfile's own cost per call
inflates small functions; the sampler's shares are the unbiased ones (C time — a regular
expression, a Decimal — counts for the Python function that called it). It first prints whether
the mypyc-compiled modules ran (``scripts/compile-hot.py``); compiled functions are invisible to
both profilers (their time counts for the nearest Python caller).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import random
import re
import signal
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jixiao.audit.checks import check_duplicates, check_table_budgets, run_checks
from jixiao.audit.checks.certainty import Certainty
from jixiao.audit.checks.repeats import check_repeats
from jixiao.audit.checks.typos import find_typos
from jixiao.audit.facts import label_mentions
from jixiao.audit.ledger import bind_document
from jixiao.audit.pipeline import audit_path, audit_paths
from jixiao.audit.quantities import find_document_mentions
from jixiao.audit.readers import read_document
from jixiao.audit.relations import find_relations
from jixiao.audit.relations.ledger import ledger_relations

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


def cpu_now() -> float:
    """CPU seconds of this process and of its children that have ended (pool workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


try:
    from jixiao.cli.audit import batch_gc
except ImportError:  # PYTHONPATH=another checkout's src from before the CLI's collector settings
    batch_gc = contextlib.nullcontext

#: the collector's settings of the runs: the CLI's (main: --default-gc leaves Python's)
GC: Callable[[], contextlib.AbstractContextManager[None]] = batch_gc


def run(paths: list[str], jobs: int) -> dict[str, Any]:
    # one process: its own CPU clock (os.times counts in 10 ms steps, and a seeds run is ~100 ms)
    clock = cpu_now if jobs > 1 else time.process_time
    cpu0, wall0 = clock(), time.perf_counter()
    with GC():
        results = audit_paths(paths, jobs=jobs)
    wall, cpu = time.perf_counter() - wall0, clock() - cpu0
    return {
        "wall": wall, "cpu": cpu, "n": len(paths),
        "chars": sum(r.chars for r in results),
        "bytes": sum(os.path.getsize(p) for p in paths),
        "findings": sum(len(r.findings) for r in results),
        "errors": sum(r.error is not None for r in results),
    }


#: the baseline: one compiled expression that finds every number (as a first pass of any auditor)
SCAN = re.compile(r"\d[\d,，]*(?:\.\d+)?")


def regex_scan(paths: list[str], passes: int = 3) -> dict[str, Any]:
    """CPU time of reading the same files and running one regular expression over them (best of
    ``passes``): what the audit's throughput is compared with."""
    best = float("inf")
    chars = found = 0
    for _ in range(passes):
        t = time.process_time()
        chars = found = 0
        for p in paths:
            text = Path(p).read_text(encoding="utf-8")
            chars += len(text)
            found += sum(1 for _ in SCAN.finditer(text))
        best = min(best, time.process_time() - t)
    return {"cpu": best, "chars": chars, "found": found}


def compare(label: str, audit: dict[str, Any], scan: dict[str, Any]) -> None:
    a = audit["chars"] / audit["cpu"]
    b = scan["chars"] / scan["cpu"]
    print(f"{label:<30} regex scan {b / 1e6:7.2f} M chars/s per core ({scan['found']} numbers) | "
          f"audit {a / 1e6:5.3f} M chars/s | the audit takes {b / a:5.1f}× the scan's time")


def report(label: str, r: dict[str, Any], jobs: int = 1) -> None:
    print(f"{label:<30} {r['n']:>5} reports {r['chars']:>9} chars {r['bytes'] / 1e6:6.2f} MB | "
          f"wall {r['wall']:6.2f} s: {r['chars'] / r['wall'] / 1e6:5.3f} M chars/s "
          f"{r['bytes'] / r['wall'] / 1e6:5.2f} MB/s {r['n'] / r['wall']:6.1f} reports/s | "
          f"CPU {r['cpu']:6.2f} s: {r['chars'] / r['cpu'] / 1e6:5.3f} M chars/s "
          f"{r['bytes'] / r['cpu'] / 1e6:5.2f} MB/s per core | {r['findings']} findings")


def stages(paths: list[str], passes: int) -> None:
    """Each pipeline stage's CPU time over ``passes`` passes (the stages of audit_document)."""
    spent: dict[str, float] = {}

    def timed(name: str, fn: Callable[..., Any], *args: Any) -> Any:
        t = time.process_time()
        out = fn(*args)
        spent[name] = spent.get(name, 0.0) + time.process_time() - t
        return out

    for _ in range(passes):
        for p in paths:
            doc = timed("read + normalise", read_document, p)
            mentions = timed("quantities (figures)", find_document_mentions, doc)
            ledger = timed("ledger (binding)", bind_document, doc, mentions)
            certainty = timed("ledger (certainty)", Certainty, ledger)
            timed("typos", find_typos, doc, ledger, mentions)
            relations = timed("relations (phrasing)", find_relations, doc, mentions)
            relations += timed("relations (ledger)", ledger_relations, ledger)
            involved: set[tuple[int, int]] = set()
            _, findings = timed("checks", run_checks, doc, relations, certainty.gate, involved)
            facts = timed("facts (labels)", label_mentions, doc, mentions)
            _, dups = timed("same quantity twice", check_duplicates, doc, facts, findings, certainty.same_quantity)
            timed("same quantity twice", check_repeats, doc, ledger, findings + dups, involved)
            timed("table budgets", check_table_budgets, doc, mentions, facts)
    total = sum(spent.values())
    print(f"\nwhere the time goes ({passes} passes over the seeds, {total:.2f} CPU s):")
    for name, s in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<22} {s / total * 100:5.1f}%  {s / passes / len(paths) * 1000:6.2f} ms per report")


def sample(paths: list[str], top: int) -> None:
    """Where the CPU time goes, by sampling: own and cumulative share of each function."""
    own: Counter[str] = Counter()
    cumulative: Counter[str] = Counter()
    samples = 0

    def name(frame: Any) -> str:
        code = frame.f_code
        return f"{Path(code.co_filename).stem}:{code.co_name}"

    def on_tick(signum: int, frame: Any) -> None:
        nonlocal samples
        samples += 1
        own[name(frame)] += 1
        seen = set()
        while frame is not None:
            seen.add(name(frame))
            frame = frame.f_back
        cumulative.update(seen)

    previous = signal.signal(signal.SIGPROF, on_tick)
    signal.setitimer(signal.ITIMER_PROF, 0.0005, 0.0005)
    try:
        for p in paths:
            audit_path(p)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        signal.signal(signal.SIGPROF, previous)
    if not samples:
        return
    print(f"\nsampled, {len(paths)} perturbed documents ({samples} samples of 0.5 ms CPU):")
    print("  cumulative (the function and what it calls):")
    for fn, k in cumulative.most_common(top):
        print(f"    {k / samples * 100:5.1f}%  {fn}")
    print("  own time:")
    for fn, k in own.most_common(top):
        print(f"    {k / samples * 100:5.1f}%  {fn}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--profile", type=int, default=20, help="cProfile entries to print (0: none)")
    ap.add_argument("--keep", metavar="DIR", help="write the perturbed documents here and keep them")
    ap.add_argument("--sample", type=int, default=0, metavar="N",
                    help="sampling profile of the perturbed batch: top N functions (0: none)")
    ap.add_argument("--default-gc", action="store_true", help="Python's garbage collector settings, not the CLI's")
    args = ap.parse_args()
    if args.default_gc:
        global GC
        GC = contextlib.nullcontext
    seeds = [str(p) for p in SEEDS]
    audit_paths(seeds, jobs=1)  # warm imports and regex compilation
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} (wall time counts other programs)")
    try:
        from jixiao.compiled import current
        print(f"auditor: {current().describe()}; garbage collector: {'Python’s' if args.default_gc else 'the CLI’s'}")
    except ImportError:  # PYTHONPATH=another checkout's src from before the compiled modules
        print("auditor: 纯 Python")
    # four passes a run: one pass is 30-60 ms of CPU
    seed_runs = [run(seeds * 4, 1) for _ in range(5)]
    best = min(seed_runs, key=lambda r: r["cpu"])
    report("seeds ×4, 1 process (best of 5)", best)
    compare("seeds against a regex scan", best, regex_scan(seeds, 20))
    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.keep or scratch
        Path(tmp).mkdir(parents=True, exist_ok=True)
        rng = random.Random(2024)
        texts = [p.read_text(encoding="utf-8") for p in SEEDS]
        paths = []
        for i in range(args.n):
            p = Path(tmp) / f"doc{i:05d}.txt"
            p.write_text(perturb(texts[i % len(texts)], rng), encoding="utf-8")
            paths.append(str(p))
        batch = run(paths, 1)
        report(f"{args.n} perturbed, 1 process", batch)
        compare("batch against a regex scan", batch, regex_scan(paths))
        if args.jobs > 1:
            report(f"{args.n} perturbed, {args.jobs} processes", run(paths, args.jobs), args.jobs)
        if args.sample:
            sample(paths, args.sample)
    stages(seeds, 10)
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(5):
            for p in seeds:
                audit_path(p)
        prof.disable()
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(args.profile)
        print("\ncProfile, 5 passes over the seeds, by own time:")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:6000])


if __name__ == "__main__":
    main()
