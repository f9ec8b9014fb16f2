"""Machine instructions per audit of a seed, counted by valgrind: a measure the other programs of a
shared machine do not disturb (CPU time there varies by ±15% from run to run, more than most
single speed-ups are worth).

    .venv/bin/python bench/audit_instructions.py [--passes 2] [--src DIR ...]

Each ``--src`` (default: this checkout's ``src``) is measured in a child Python under
``valgrind --tool=cachegrind --cache-sim=no``: once importing jixiao and auditing every seed once
(imports, compiled expressions and caches warm), once doing that and ``--passes`` more passes over
the seeds; the difference divided by the audits is the figure. Give two ``--src`` (a checkout of
main's ``src`` and this one) to compare two versions of the code. Needs valgrind (Debian package
``valgrind``); it takes about a minute per source.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "examples" / "seeds").glob("0*.txt"))

CHILD = """
import sys
try:
    from jixiao.compiled import current
    print("auditor:", current().describe(), file=sys.stderr)
except ImportError:  # a checkout from before the compiled modules
    print("auditor: 纯 Python", file=sys.stderr)
from jixiao.audit.pipeline import audit_path
seeds = sys.argv[2:]
for p in seeds:
    audit_path(p)
for _ in range(int(sys.argv[1])):
    for p in seeds:
        audit_path(p)
"""


def instructions(src: Path, passes: int) -> tuple[int, str]:
    """Instructions valgrind counts for the child run with ``passes`` passes after the warm one."""
    env = dict(os.environ, PYTHONPATH=str(src), PYTHONHASHSEED="0")
    cmd = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
           sys.executable, "-c", CHILD, str(passes), *map(str, SEEDS)]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
    m = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if m is None:
        raise SystemExit(f"valgrind printed no instruction count:\n{done.stderr[-2000:]}")
    said = re.search(r"auditor: (.*)", done.stderr)
    return int(m.group(1).replace(",", "")), said.group(1) if said else "?"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--passes", type=int, default=2)
    ap.add_argument("--src", action="append", type=Path, help="a src directory to measure (repeatable)")
    args = ap.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    chars = sum(len(p.read_text(encoding="utf-8")) for p in SEEDS)
    audits = args.passes * len(SEEDS)
    first = None
    for src in args.src or [ROOT / "src"]:
        (total, auditor), (warm, _) = instructions(src, args.passes), instructions(src, 0)
        per_audit = (total - warm) / audits
        note = f" ({per_audit / first * 100 - 100:+.1f}% against the first)" if first else ""
        first = first or per_audit
        print(f"{src}: {per_audit / 1e6:7.2f} M instructions per seed audit, "
              f"{per_audit * len(SEEDS) / chars:6.0f} per character{note} [{auditor}]")


if __name__ == "__main__":
    main()
