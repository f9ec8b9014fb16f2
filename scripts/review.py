"""Render every example's reports page by page, so anyone can look at every page (``make review``).

Writes each example unit's reports (with ``examples/units.yaml``) into ``out/review/files``,
converts every .docx and .xlsx — the reports and their 审核底稿 — to PDF with LibreOffice, and every
PDF page to a PNG (``pdftoppm``), all into ``out/review``: ``<file>.pdf`` and ``<file>-<page>.png``
(a spreadsheet's PDF is named ``<file>.xlsx.pdf``). Prints each file with its page count, and for a
spreadsheet whose printed pages differ from its writer's page breaks, the pages it planned.

Usage: python scripts/review.py [OUT_DIR] [--dpi 60]
Needs LibreOffice (soffice) and poppler-utils (pdftoppm, pdfinfo): ``bash scripts/system-deps.sh``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        sys.exit(f"找不到 {name}：请先安装 LibreOffice 和 poppler-utils（bash scripts/system-deps.sh）")
    return path


def write_examples(folder: Path) -> list[Path]:
    from jixiao.ingest.files import read_files
    from jixiao.write import write_report

    paths: list[Path] = []
    for example in sorted(EXAMPLES.glob("[0-9]*.yaml")):
        result = read_files([EXAMPLES / "units.yaml", example])
        if not result.ok or result.dataset is None:
            sys.exit(f"{example.name}：数据有误，无法生成报告")
        ds = result.dataset
        for unit, year in sorted({(r.unit, r.year) for r in [*ds.fund_years, *ds.departments, *ds.projects]}):
            paths += write_report(ds, unit, year, folder)
    return paths


def to_pdf(path: Path, out: Path, profile: Path) -> Path:
    """``path`` as PDF in ``out``: ``<stem>.pdf`` for a document, ``<name>.pdf`` for a spreadsheet."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([_tool("soffice"), "--headless", f"-env:UserInstallation=file://{profile}", "--convert-to",
                        "pdf", "--outdir", tmp, str(path)], check=True, capture_output=True, timeout=600)
        made = Path(tmp) / f"{path.stem}.pdf"
        target = out / (f"{path.stem}.pdf" if path.suffix == ".docx" else f"{path.name}.pdf")
        shutil.move(str(made), target)
    return target


def pages(pdf: Path) -> int:
    info = subprocess.run([_tool("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    found = re.search(r"^Pages:\s+(\d+)", info, re.M)
    return int(found.group(1)) if found else 0


def planned_pages(path: Path) -> int:
    """The pages a workbook's own page breaks make (one more than its breaks, per sheet)."""
    from openpyxl import load_workbook

    return sum(len(ws.row_breaks.brk) + 1 for ws in load_workbook(path).worksheets)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default=str(REPO / "out" / "review"))
    parser.add_argument("--dpi", type=int, default=60)
    args = parser.parse_args()
    out = Path(args.out)
    if out.exists():
        shutil.rmtree(out)
    files = out / "files"
    files.mkdir(parents=True)
    written = [p for p in write_examples(files) if p.suffix in (".docx", ".xlsx")]
    total = 0
    with tempfile.TemporaryDirectory() as profile:
        for path in written:
            pdf = to_pdf(path, out, Path(profile))
            subprocess.run([_tool("pdftoppm"), "-png", "-r", str(args.dpi), str(pdf), str(pdf.with_suffix(""))],
                           check=True, capture_output=True, timeout=600)
            n = pages(pdf)
            total += n
            planned = planned_pages(path) if path.suffix == ".xlsx" else n
            note = "" if planned == n else f"  （程序分页为 {planned} 页：LibreOffice 另行分页）"
            print(f"{n:3d} 页  {pdf.name}{note}")
    print(f"共 {len(written)} 个文件，{total} 页 → {out}")


if __name__ == "__main__":
    main()
