"""Peak memory and time of one hostile upload each, the way the web app receives it.

    .venv/bin/python bench/hostile_uploads.py [--only NAME]

Each upload runs in a fresh Python process (so its peak resident memory is its own): the process
builds the app on a copy of a database holding the example units, logs in as 哈密's operator,
sends one ordinary request to warm up, resets the kernel's high-water mark of its resident memory
(``/proc/self/clear_refs``), sends the upload through Starlette's test client and reads the mark
again (``VmHWM``). Printed per upload: its size, the answer's status, seconds, the peak RSS while
it was handled, and how far that peak rose above the RSS before it. Hostile
inputs are those of issue 13 (a 7 MB xlsx whose sheet unzips to 100 MB of XML, 19 MB of text to
the audit, a sheet with a DTD, a sheet of too many cells) plus an ordinary workbook and an
ordinary report for comparison.

Set ``PYTHONPATH`` to another checkout's ``src`` to measure that one (the uploads go to routes
that exist in both).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import string
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HAMI = "650500"
_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')


def _with_part(data: bytes, name: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, content if info.filename == name else source.read(info.filename))
    return out.getvalue()


def _sheet_of(megabytes: int) -> bytes:
    """~``megabytes`` of sheet XML, random enough to compress like the issue's (100 MB → ~7 MB)."""
    rng = random.Random(13)
    rows: list[bytes] = []
    size, r = 0, 0
    while size < megabytes * 1024 * 1024:
        r += 1
        cells = b"".join(f'<c r="{col}{r}" t="inlineStr"><is><t>{"".join(rng.choices(string.digits, k=6))}</t></is></c>'
                         .encode() for col in "ABCDEFGHIJ")
        row = b'<row r="%d">' % r + cells + b"</row>"
        rows.append(row)
        size += len(row)
    return _HEAD + b"".join(rows) + b"</sheetData></worksheet>"


def _cells(count: int) -> bytes:
    row = b'<row r="1">' + b'<c r="A1"><v>1</v></c>' * 100 + b"</row>"
    return _HEAD + row * (count // 100) + b"</sheetData></worksheet>"


#: an external entity (ElementTree leaves it undefined: an uncaught ParseError before issue 13)
DTD = (b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
       b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
       b'<c r="A1" t="inlineStr"><is><t>&x;</t></is></c></row></sheetData></worksheet>')


def _inputs(workbook: bytes) -> dict[str, tuple[str, str, bytes]]:
    """name → (route, file name, bytes)."""
    sheet = next(n for n in zipfile.ZipFile(io.BytesIO(workbook)).namelist() if n.startswith("xl/worksheets/sheet"))
    seed = sorted((REPO / "examples" / "seeds").glob("*.txt"))[0].read_bytes()
    upload = f"/api/units/{HAMI}/workbook"
    return {
        "ordinary workbook": (upload, "填报.xlsx", workbook),
        "sheet of 100 MB XML": (upload, "填报.xlsx", _with_part(workbook, sheet, _sheet_of(100))),
        "sheet of 400 000 cells": (upload, "填报.xlsx", _with_part(workbook, sheet, _cells(400_000))),
        "sheet with a DTD": (upload, "填报.xlsx", _with_part(workbook, sheet, DTD)),
        "ordinary report to audit": ("/api/audit", "report.txt", seed),
        "19 MB of text to audit": ("/api/audit", "report.txt", (seed * (19 * 1024 * 1024 // len(seed) + 1))[:19 << 20]),
    }


def _status_kb(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def _child(db: str, route: str, name: str, path: str) -> None:
    sys.path.insert(0, str(REPO / "tests"))
    from jixiao.web import create_app
    from web_helpers import logged_in

    app = create_app(f"sqlite:///{db}")
    client = logged_in(app, "hami")
    page = client.get("/tokens").text
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    client.get(f"/api/units/{HAMI}/years/2019")  # warm: the app's own working set
    data = Path(path).read_bytes()
    Path("/proc/self/clear_refs").write_text("5")  # the peak starts again from the current RSS
    before = _status_kb("VmRSS")
    started = time.perf_counter()
    answer = client.post(route, files={"file": (name, data, "application/octet-stream")},
                         headers={"X-CSRF-Token": csrf})
    seconds = time.perf_counter() - started
    peak = _status_kb("VmHWM")
    print(json.dumps({"status": answer.status_code, "seconds": seconds, "peak_kb": peak, "growth_kb": peak - before,
                      "detail": answer.text[:120]}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    sys.path.insert(0, str(REPO / "tests"))
    from web_helpers import logged_in, make_app

    work = Path(tempfile.mkdtemp(prefix="jixiao-hostile-"))
    try:
        template = work / "template.db"
        app = make_app(f"sqlite:///{template}")
        workbook = logged_in(app, "hami").get(f"/units/{HAMI}/years/2019/workbook").content
        app.state.engine.dispose()
        print(f"{'upload':<26}{'size':>10}{'status':>8}{'seconds':>9}{'peak RSS':>11}{'growth':>9}")
        for label, (route, name, data) in _inputs(workbook).items():
            if args.only and args.only not in label:
                continue
            db = work / "run.db"
            shutil.copyfile(template, db)
            file = work / "upload.bin"
            file.write_bytes(data)
            done = subprocess.run([sys.executable, __file__, "--child", str(db), route, name, str(file)],
                                  capture_output=True, text=True, env=os.environ, timeout=600)
            if done.returncode != 0:
                print(f"{label:<26} failed: {done.stderr.strip().splitlines()[-1:]}")
                continue
            result = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"{label:<26}{len(data) / 1048576:>8.1f}MB{result['status']:>8}{result['seconds']:>9.2f}"
                  f"{result['peak_kb'] / 1024:>9.0f}MB{result['growth_kb'] / 1024:>7.0f}MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
