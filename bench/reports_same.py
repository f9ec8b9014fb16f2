"""Are the generated reports unchanged? Record them once, then compare part by part.

    .venv/bin/python bench/reports_same.py record [--dir DIR]
    .venv/bin/python bench/reports_same.py check  [--dir DIR]

For restructuring work: ``record`` before moving anything, ``check`` after every move.

What is compared: ``jixiao demo`` is run into a fresh ``JIXIAO_HOME`` (a private SQLite
database) and an output folder; then every file it writes is opened and each part of it is
compared:

* docx and xlsx: every XML part of the package, byte for byte, except ``docProps/core.xml``
  (which holds the time it was written); images (the charts) by their sha256;
* html: the whole file, byte for byte.

``check`` exits 1 and lists the parts that differ, with the first differing characters.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIPPED = {"docProps/core.xml"}


def run_demo(out: Path) -> None:
    exe = Path(sys.executable).with_name("jixiao")
    with tempfile.TemporaryDirectory(prefix="jixiao-same-home-") as home:
        env = {**os.environ, "JIXIAO_HOME": home}
        env.pop("JIXIAO_DATABASE_URL", None)
        done = subprocess.run([str(exe), "demo", "--output", str(out)], cwd=ROOT, env=env,
                              capture_output=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"jixiao demo exited {done.returncode}: {done.stderr.decode()[-2000:]}")


def parts_of(path: Path) -> dict[str, str]:
    """part name → its text (XML, HTML) or the sha256 of its bytes (images and the like)."""
    if path.suffix in (".docx", ".xlsx"):
        out: dict[str, str] = {}
        with zipfile.ZipFile(path) as archive:
            for name in sorted(archive.namelist()):
                if name in SKIPPED:
                    continue
                data = archive.read(name)
                if name.endswith((".xml", ".rels")):
                    out[name] = data.decode("utf-8")
                else:
                    out[name] = "sha256:" + hashlib.sha256(data).hexdigest()
        return out
    return {"": path.read_text(encoding="utf-8")}


def snapshot() -> dict[str, dict[str, str]]:
    with tempfile.TemporaryDirectory(prefix="jixiao-same-out-") as tmp:
        out = Path(tmp)
        run_demo(out)
        return {p.name: parts_of(p) for p in sorted(out.iterdir()) if p.is_file()}


def compare(old: dict[str, dict[str, str]], new: dict[str, dict[str, str]]) -> list[str]:
    problems = []
    for name in sorted(set(old) | set(new)):
        if name not in new:
            problems.append(f"{name}: no longer written")
            continue
        if name not in old:
            problems.append(f"{name}: newly written")
            continue
        for part in sorted(set(old[name]) | set(new[name])):
            a, b = old[name].get(part), new[name].get(part)
            if a == b:
                continue
            if a is None or b is None:
                problems.append(f"{name} {part}: {'added' if a is None else 'removed'}")
                continue
            at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
            problems.append(f"{name} {part}: at {at}: {a[max(0, at - 60):at + 80]!r} → {b[max(0, at - 60):at + 80]!r}")
    return problems


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("action", choices=["record", "check"])
    ap.add_argument("--dir", default="/tmp/jixiao_reports_same")
    args = ap.parse_args()
    base = Path(args.dir)
    base.mkdir(parents=True, exist_ok=True)
    current = snapshot()
    parts = sum(len(v) for v in current.values())
    if args.action == "record":
        (base / "baseline.json").write_text(json.dumps(current, ensure_ascii=False), encoding="utf-8")
        print(f"recorded {len(current)} files, {parts} parts → {base / 'baseline.json'}")
        return
    old = json.loads((base / "baseline.json").read_text(encoding="utf-8"))
    problems = compare(old, current)
    if problems:
        print("\n".join(problems[:60]))
        print(f"DIFFERENT: {len(problems)} parts differ")
        raise SystemExit(1)
    print(f"same: {len(current)} files, {parts} parts")


if __name__ == "__main__":
    main()
