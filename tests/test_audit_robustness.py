"""Any input gives a Document or a ReadError — never another exception, never a hang.

Random bytes under every name, truncated and corrupted docx/pdf built from the seeds, zip bombs,
scanned PDFs, lines of a million characters and a 50 MB file. Work that could hang runs in a
subprocess with a time limit, so a regression fails instead of stalling the suite.
"""

from __future__ import annotations

import importlib.util
import io
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.audit.document import Document, ReadError
from jixiao.audit.readers import read_document

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "seeds"

_spec = importlib.util.spec_from_file_location("audit_fixtures", ROOT / "tests" / "data" / "audit_fixtures.py")
assert _spec and _spec.loader
af = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("audit_fixtures", af)
_spec.loader.exec_module(af)

HANG_LIMIT = 120  # seconds; the work below takes a few seconds when linear


def read_or_error(path: Path, **kwargs: int) -> Document | ReadError:
    """The only two acceptable outcomes; anything else propagates and fails the test."""
    try:
        doc = read_document(path, **kwargs)
    except ReadError as exc:
        assert str(exc).startswith("无法读取“"), str(exc)
        return exc
    for b in doc.blocks:
        assert not b.origin or len(b.origin) == len(b.text)
    return doc


def run_guarded(code: str) -> str:
    """Run ``code`` in a fresh interpreter; fail (not hang) if it exceeds HANG_LIMIT."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=HANG_LIMIT,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.fixture(scope="module")
def seed_docx(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("docx") / "seed001.docx"
    af.docx_from_seed_001(path)
    return path.read_bytes()


@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("pdf") / "seed000.pdf"
    af.pdf_from_seed_000(path)
    return path.read_bytes()


# --- random input ----------------------------------------------------------------------------------

SUFFIXES = [".txt", ".md", ".html", ".docx", ".pdf", ".bin", ""]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=4000), suffix=st.sampled_from(SUFFIXES),
       prefix=st.sampled_from([b"", b"PK\x03\x04", b"%PDF-1.4\n", b"\xef\xbb\xbf", b"\xff\xfe", b"<html>"]))
def test_random_bytes(tmp_path: Path, data: bytes, suffix: str, prefix: bytes) -> None:
    path = tmp_path / f"random{suffix}"
    path.write_bytes(prefix + data)
    read_or_error(path)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=3000), suffix=st.sampled_from([".txt", ".md", ".html"]),
       codec=st.sampled_from(["utf-8", "utf-16", "gb18030"]))
def test_random_text_is_read(tmp_path: Path, text: str, suffix: str, codec: str) -> None:
    try:
        data = text.encode(codec)
    except UnicodeEncodeError:
        data = text.encode("utf-8", errors="surrogatepass")
    path = tmp_path / f"random{suffix}"
    path.write_bytes(data)
    outcome = read_or_error(path)
    if isinstance(outcome, Document) and suffix == ".txt" and codec == "utf-8" and "\x00" not in text:
        # decodable UTF-8 text keeps every line (bytes with NULs may be UTF-16 without a BOM:
        # b"0\x00" is "0" in UTF-16LE, and the reader is right to take that reading)
        assert outcome.original_text == text
        assert all(b.line == i + 1 for i, b in enumerate(outcome.blocks))


def test_random_bytes_named_txt_are_text_or_refused(tmp_path: Path) -> None:
    import random

    rng = random.Random(20240601)
    outcomes = {"text": 0, "error": 0}
    for k in range(40):
        path = tmp_path / f"noise{k}.txt"
        path.write_bytes(bytes(rng.getrandbits(8) for _ in range(2000)))
        outcome = read_or_error(path)
        outcomes["error" if isinstance(outcome, ReadError) else "text"] += 1
    assert outcomes["error"] > 0  # pure noise is mostly refused as "not text"


# --- truncated and corrupted documents made from the seeds ----------------------------------------


def test_truncated_docx(tmp_path: Path, seed_docx: bytes) -> None:
    errors = 0
    for k in range(1, 30):
        cut = len(seed_docx) * k // 30
        path = tmp_path / f"cut{k}.docx"
        path.write_bytes(seed_docx[:cut])
        outcome = read_or_error(path)
        errors += isinstance(outcome, ReadError)
    assert errors >= 25  # a zip without its central directory cannot be opened
    path = tmp_path / "whole.docx"
    path.write_bytes(seed_docx)
    assert isinstance(read_or_error(path), Document)


def test_truncated_pdf(tmp_path: Path, seed_pdf: bytes) -> None:
    for k in range(1, 16):
        path = tmp_path / f"cut{k}.pdf"
        path.write_bytes(seed_pdf[: len(seed_pdf) * k // 16])
        read_or_error(path)
    path = tmp_path / "header-only.pdf"
    path.write_bytes(b"%PDF-1.7\n")
    assert isinstance(read_or_error(path), ReadError)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.floats(0, 1), junk=st.binary(min_size=1, max_size=64))
def test_corrupted_docx(tmp_path: Path, seed_docx: bytes, position: float, junk: bytes) -> None:
    at = int(position * (len(seed_docx) - 1))
    path = tmp_path / "corrupt.docx"
    path.write_bytes(seed_docx[:at] + junk + seed_docx[at + len(junk):])
    read_or_error(path)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.floats(0, 1), junk=st.binary(min_size=1, max_size=64))
def test_corrupted_pdf(tmp_path: Path, seed_pdf: bytes, position: float, junk: bytes) -> None:
    at = int(position * (len(seed_pdf) - 1))
    path = tmp_path / "corrupt.pdf"
    path.write_bytes(seed_pdf[:at] + junk + seed_pdf[at + len(junk):])
    read_or_error(path)


def test_docx_with_broken_xml(tmp_path: Path, seed_docx: bytes) -> None:
    src = zipfile.ZipFile(io.BytesIO(seed_docx))
    path = tmp_path / "broken-xml.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "word/document.xml":
                content = content[: len(content) // 2]
            zf.writestr(info, content)
    with pytest.raises(ReadError, match="Word 文档已损坏"):
        read_document(path)


# --- zip bombs ---------------------------------------------------------------------------------------


@pytest.fixture
def no_python_docx(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail loudly if a bomb reaches python-docx: it must be refused before."""
    import docx

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("python-docx opened a zip bomb")

    monkeypatch.setattr(docx, "Document", refuse)


def test_zip_bomb_declared_size(tmp_path: Path, no_python_docx: None) -> None:
    path = tmp_path / "bomb.docx"
    af.zip_bomb_docx(path, declared=3 * 1024**3)
    assert path.stat().st_size < 2000
    with pytest.raises(ReadError, match="压缩炸弹"):
        read_document(path)


def test_zip_bomb_compression_ratio(tmp_path: Path, no_python_docx: None) -> None:
    path = tmp_path / "inflating.docx"
    af.inflating_docx(path, size=40 * 1024 * 1024)
    assert path.stat().st_size < 200_000
    with pytest.raises(ReadError, match="压缩比"):
        read_document(path)


def test_unzipped_limit_is_configurable(tmp_path: Path, seed_docx: bytes) -> None:
    path = tmp_path / "seed.docx"
    path.write_bytes(seed_docx)
    with pytest.raises(ReadError, match="超过上限"):
        read_document(path, max_unzipped=10_000)


def test_zip_with_too_many_members(tmp_path: Path, no_python_docx: None) -> None:
    path = tmp_path / "many.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
        for k in range(6000):
            zf.writestr(f"junk/{k}", "")
    with pytest.raises(ReadError, match="个文件"):
        read_document(path)


# --- scans and sizes ---------------------------------------------------------------------------------


def test_scanned_pdf(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    af.scanned_pdf(path, pages=3)
    with pytest.raises(ReadError, match=r"扫描件，没有文字层（共 3 页"):
        read_document(path)


def test_file_over_the_limit_is_refused_without_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:  # sparse: 100 MB declared, nothing written
        fh.truncate(100 * 1024 * 1024)
    with pytest.raises(ReadError, match=r"超过上限 64\.0 MB"):
        read_document(path)


def test_million_character_lines_do_not_hang(tmp_path: Path) -> None:
    """Adversarial lines of a million characters for every normalisation rule, in one file."""
    path = tmp_path / "long-lines.txt"
    patterns = ["1,", "<p", "[bookmark:", "1 ", "1d", "1 234 ", "&#", "<!--", "收入355,212 万元，", "９．", "\u3000"]
    with path.open("w", encoding="utf-8") as fh:
        for p in patterns:
            fh.write(p * (1_000_000 // len(p)) + "\n")
    out = run_guarded(f"""
        import time
        from jixiao.audit.readers import read_document
        start = time.perf_counter()
        doc = read_document({str(path)!r})
        print(len(doc.blocks), max(len(b.source_text) for b in doc.blocks), round(time.perf_counter() - start, 2))
    """)
    blocks, longest, _seconds = out.split()
    assert int(blocks) == len(patterns) and int(longest) >= 999_990


def test_entity_bomb_in_docx_does_not_hang(tmp_path: Path, seed_docx: bytes) -> None:
    lol = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(f'<!ENTITY lol{k} "{("&lol" + (str(k - 1) if k > 1 else "") + ";") * 10}">' for k in range(1, 10))
        + ']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
    )
    src = zipfile.ZipFile(io.BytesIO(seed_docx))
    path = tmp_path / "lol.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            content = lol.encode() if info.filename == "word/document.xml" else src.read(info.filename)
            zf.writestr(info, content)
    out = run_guarded(f"""
        from jixiao.audit.document import ReadError
        from jixiao.audit.readers import read_document
        try:
            doc = read_document({str(path)!r})
            print("doc", sum(len(b.text) for b in doc.blocks))
        except ReadError as exc:
            print("error")
    """)
    kind = out.split()[0]
    assert kind == "error" or int(out.split()[1]) < 1_000_000  # entities are not expanded


def test_deeply_nested_html(tmp_path: Path) -> None:
    path = tmp_path / "nested.html"
    path.write_text("<html><body>" + "<table><tr><td>" * 5000 + "收入74200万元" + "</td></tr></table>" * 5000,
                    encoding="utf-8")
    doc = read_document(path)
    assert any("收入74200万元" in b.text for b in doc.blocks)
    path.write_text("<td colspan=99999999 rowspan=99999999>1</td>" * 50, encoding="utf-8")
    read_or_error(path)
    rows = "".join(f"<tr><td colspan=99999 rowspan=99999>{k}</td></tr>" for k in range(3000))
    path.write_text(f"<table>{rows}</table>", encoding="utf-8")
    out = run_guarded(f"""
        from jixiao.audit.readers import read_document
        doc = read_document({str(path)!r})
        print(len(doc.tables[0].rows), len(doc.tables[0].rows[0]))
    """)
    assert out.split()[0] == "3000"


def test_fifty_megabyte_text_file(tmp_path: Path) -> None:
    """The seeds repeated to 50 MB: read completely, every line and table found (see bench figures)."""
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("0*.txt"))]
    unit = "\n".join(s.rstrip("\n") for s in seeds) + "\n"
    unit_bytes = len(unit.encode("utf-8"))
    copies = 50_000_000 // unit_bytes + 1
    path = tmp_path / "big.txt"
    path.write_text(unit * copies, encoding="utf-8")
    assert path.stat().st_size >= 50_000_000
    small = tmp_path / "unit.txt"
    small.write_text(unit, encoding="utf-8")
    reference = read_document(small)
    doc = read_document(path)
    assert doc.chars == len(unit) * copies
    assert len(doc.blocks) == len(reference.blocks) * copies
    assert len(doc.tables) == len(reference.tables) * copies
    last = doc.blocks[-len(reference.blocks):]
    assert [b.text for b in last] == [b.text for b in reference.blocks]
    assert last[0].line == len(reference.blocks) * (copies - 1) + 1


@pytest.mark.parametrize("suffix", [".html", ".txt"])
def test_a_line_of_only_invisible_characters_keeps_no_origin(tmp_path: Path, suffix: str) -> None:
    """A soft hyphen after a form feed normalises to nothing: the block has no offsets to map."""
    path = tmp_path / f"x{suffix}"
    path.write_text("第一行\n\x0c\xad\n结余100万元", encoding="utf-8")
    doc = read_or_error(path)
    assert isinstance(doc, Document)
    assert any("结余100万元" in b.text for b in doc.blocks)
