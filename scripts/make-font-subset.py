#!/usr/bin/env python3
"""Regenerate the CJK font bundled with jixiao: src/jixiao/write/fonts/JixiaoSansSC-Regular.otf.

    .venv/bin/python scripts/make-font-subset.py            # pip-downloads the pinned source wheel
    .venv/bin/python scripts/make-font-subset.py --wheel mplfonts-0.0.11-py3-none-any.whl

The charts prefer 文泉驿微米黑 (Debian fonts-wqy-microhei) when the system has it; this file is
what they draw with on a machine without it (see jixiao.write.charts).

Source: Noto Sans CJK SC Regular, version 1.004 (Adobe and Google, SIL Open Font License 1.1),
the file ``mplfonts/fonts/NotoSansCJKsc-Regular.otf`` of the PyPI wheel
``mplfonts-0.0.11-py3-none-any.whl`` (sha256 below; the script refuses any other wheel).

What is kept (characters the source font has; the rest are reported and dropped):

* ASCII printable, the Latin-1 supplement, General Punctuation (— ‘ ’ “ ” … ‰ ※ …);
* CJK Symbols and Punctuation (U+3000–303F) and Halfwidth and Fullwidth Forms (U+FF00–FFEF);
* every character of GB2312 (each valid two-byte code decoded: 6763 hanzi and 682 symbols);
* every character in the text files of examples/ and src/jixiao (vendor/ excluded).

The outlines stay CFF (matplotlib's Agg backend draws CFF-based OpenType through FreeType). The
family is renamed "Jixiao Sans SC": a subset is a Modified Version under the OFL, and a name of its
own keeps it from being confused with an installed full Noto Sans CJK SC by matplotlib's font
matching. Copyright and licence name records are kept.

Reproducible: the head table keeps the source's timestamps, so the bytes depend only on the source
wheel, the characters above and fontTools' version. The committed file: see COMMITTED below (the
script says whether what it writes is identical to it).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from fontTools import subset
from fontTools import version as fonttools_version
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "jixiao" / "write" / "fonts" / "JixiaoSansSC-Regular.otf"
WHEEL = "mplfonts-0.0.11-py3-none-any.whl"
WHEEL_REQ = "mplfonts==0.0.11"
WHEEL_SHA256 = "b5e05ba7fd9a59cae48d1db41f657f50e6765e6f04b8d78504438b93a66b6e13"
MEMBER = "mplfonts/fonts/NotoSansCJKsc-Regular.otf"
FAMILY = "Jixiao Sans SC"
POSTSCRIPT = "JixiaoSansSC-Regular"
TEXT_SUFFIXES = {".py", ".yaml", ".yml", ".json", ".txt", ".md", ".html", ".j2", ".css", ".js", ".ini", ".mako"}
SKIP_DIRS = {"vendor", "__pycache__", "fonts"}
#: the committed file: its sha256 and the fontTools that made it (update both when regenerating)
COMMITTED = ("c83650ea86313fc86ac9fc6c76ec13c9136c3bb5595739a896e39184f6c017c9", "4.69.1")


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fetch_wheel(into: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
                    "-d", str(into), WHEEL_REQ], check=True)
    return into / WHEEL


def gb2312() -> set[int]:
    """Every character of GB2312: rows 0xA1–0xF7 × cells 0xA1–0xFE, the codes that decode."""
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):  # unassigned cells
                chars.add(ord(bytes((hi, lo)).decode("gb2312")))
    return chars


def repo_text() -> set[int]:
    chars: set[int] = set()
    for top in (ROOT / "examples", ROOT / "src" / "jixiao"):
        for path in sorted(top.rglob("*")):
            if not path.is_file() or path.suffix not in TEXT_SUFFIXES:
                continue
            if SKIP_DIRS.intersection(path.relative_to(top).parts):
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
            chars.update(ord(c) for c in text if ord(c) >= 0x20)
    return chars


def wanted() -> tuple[set[int], dict[str, int]]:
    ranges = {
        "ascii": set(range(0x20, 0x7F)),
        "latin-1": set(range(0xA0, 0x100)),
        "general punctuation": set(range(0x2010, 0x2060)),
        "cjk symbols": set(range(0x3000, 0x3040)),
        "full-width forms": set(range(0xFF00, 0xFFF0)),
        "gb2312": gb2312(),
        "repo text": repo_text(),
    }
    return set().union(*ranges.values()), {k: len(v) for k, v in ranges.items()}


def rename(font: TTFont) -> None:
    name = font["name"]
    source_version = name.getDebugName(5) or ""
    keep = {0, 7, 8, 9, 10, 11, 12, 13, 14}
    name.names = [r for r in name.names if r.nameID in keep]
    records = {
        1: FAMILY,
        2: "Regular",
        3: f"{POSTSCRIPT};subset of Noto Sans CJK SC Regular {source_version.split(';')[0]}",
        4: f"{FAMILY} Regular",
        5: source_version.split(";")[0] + "; jixiao subset",
        6: POSTSCRIPT,
        16: FAMILY,  # FreeType reads the family from the typographic records when the font has them
        17: "Regular",
    }
    for name_id, text in records.items():
        name.setName(text, name_id, 3, 1, 0x409)
        name.setName(text, name_id, 1, 0, 0)
    cff = font["CFF "].cff
    cff.fontNames = [POSTSCRIPT]
    top = cff.topDictIndex[0]
    top.FullName = f"{FAMILY} Regular"
    top.FamilyName = FAMILY


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wheel", type=Path, help=f"a local {WHEEL} (else pip downloads it)")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="jixiao-font-") as tmp:
        wheel = args.wheel or fetch_wheel(Path(tmp))
        digest = sha256(wheel)
        if digest != WHEEL_SHA256:
            print(f"{wheel}: sha256 {digest}, expected {WHEEL_SHA256}", file=sys.stderr)
            return 1
        src = Path(tmp) / "NotoSansCJKsc-Regular.otf"
        with zipfile.ZipFile(wheel) as archive:
            src.write_bytes(archive.read(MEMBER))

        font = TTFont(src, recalcTimestamp=False)
        cmap = font.getBestCmap()
        codes, counts = wanted()
        missing = sorted(c for c in codes if c not in cmap)
        present = sorted(c for c in codes if c in cmap)

        options = subset.Options()
        options.name_IDs = ["*"]        # keep copyright/licence records; rename() trims the rest
        options.name_languages = [0x409, 0]
        options.notdef_outline = True
        options.drop_tables += ["DSIG", "VORG", "vhea", "vmtx"]  # horizontal text only; no signature
        # fontTools' default features, less the vertical ones (horizontal text only) and locl (its
        # lookups swap in Japanese/Korean/Traditional glyph forms; the SC default forms are wanted)
        options.layout_features = [f for f in options.layout_features if f != "locl" and not f.startswith("v")]
        options.hinting = True
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=present)
        subsetter.subset(font)
        rename(font)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        font.save(args.out)

    out = TTFont(args.out)
    print(f"source: {WHEEL} sha256 {WHEEL_SHA256} → {MEMBER}")
    print("characters asked: " + ", ".join(f"{k} {v}" for k, v in counts.items()) + f"; distinct {len(codes)}")
    print(f"not in the source font, dropped ({len(missing)}): "
          + " ".join(f"U+{c:04X}" for c in missing[:40]) + (" …" if len(missing) > 40 else ""))
    print(f"written: {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    print(f"  {args.out.stat().st_size} bytes, {len(out.getGlyphOrder())} glyphs, "
          f"{len(out.getBestCmap())} characters")
    made = sha256(args.out)
    print(f"  sha256 {made}, made with fontTools {fonttools_version}")
    if made == COMMITTED[0]:
        print("  identical to the committed file")
    else:
        print(f"  differs from the committed file (sha256 {COMMITTED[0]}, fontTools {COMMITTED[1]}): "
              "update COMMITTED if the change is intended")
    return 0


if __name__ == "__main__":
    sys.exit(main())
