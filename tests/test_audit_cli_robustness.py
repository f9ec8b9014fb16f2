"""``jixiao audit`` at the command line on inputs that are not reports: random bytes under every
name, truncated Word and PDF files, a zip bomb, a line of a million characters, an empty file.

Each gives findings (exit 0 or 1, JSON that parses) or exit 2 with one clear Chinese line on
stderr naming the file — never a traceback, never a hang. Most cases run through Typer's
runner; the zip bomb and the million-character line run the installed ``jixiao`` command in a
subprocess with a time limit, so a regression fails instead of stalling the suite.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from jixiao.cli import audit

ROOT = Path(__file__).resolve().parent.parent
JIXIAO = Path(sys.executable).parent / "jixiao"
TIME_LIMIT = 60  # seconds; each case takes a second or two

_spec = importlib.util.spec_from_file_location("audit_fixtures", ROOT / "tests" / "data" / "audit_fixtures.py")
assert _spec and _spec.loader
af = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("audit_fixtures", af)
_spec.loader.exec_module(af)

runner = CliRunner()


def app() -> typer.Typer:
    a = typer.Typer()
    audit.register(a)
    return a


def assert_clean_outcome(exit_code: int, stdout: str, stderr: str, path: Path) -> None:
    """Findings (0/1, JSON parses) or 2 with exactly one Chinese line about ``path``."""
    assert "Traceback" not in stdout + stderr, stderr[-2000:]
    assert exit_code in (0, 1, 2), (exit_code, stderr[-2000:])
    if exit_code == 2:
        lines = [line for line in stderr.splitlines() if line.strip()]
        assert len(lines) == 1, lines
        assert lines[0].startswith("错误：") and path.name in lines[0], lines[0]
        assert "内部错误" not in lines[0], lines[0]  # a defect in jixiao, not a bad input
    else:
        doc = json.loads(stdout)["documents"][0]
        assert doc["chars"] >= 0 and isinstance(doc["findings"], list)


def invoke(path: Path) -> Result:
    r = runner.invoke(app(), ["audit", str(path), "--format", "json"])
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert_clean_outcome(r.exit_code, r.stdout, r.stderr, path)
    return r


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".txt", ".docx", ".pdf"]),
       prefix=st.sampled_from([b"", b"PK\x03\x04", b"%PDF-1.4\n", b"\xef\xbb\xbf", b"\xff\xfe"]))
def test_random_bytes(tmp_path: Path, data: bytes, suffix: str, prefix: bytes) -> None:
    path = tmp_path / f"random{suffix}"
    path.write_bytes(prefix + data)
    invoke(path)


def test_truncated_docx_and_pdf(tmp_path: Path) -> None:
    docx, pdf = tmp_path / "seed001.docx", tmp_path / "seed000.pdf"
    af.docx_from_seed_001(docx)
    af.pdf_from_seed_000(pdf)
    codes = []
    for source in (docx, pdf):
        data = source.read_bytes()
        for fraction in (0.1, 0.5, 0.9, 0.99):
            path = tmp_path / f"cut{int(fraction * 100)}{source.suffix}"
            path.write_bytes(data[: int(len(data) * fraction)])
            codes.append(invoke(path).exit_code)
    assert 2 in codes  # a file cut in half is refused, with its one line


def test_whole_seed_docx_is_audited(tmp_path: Path) -> None:
    path = tmp_path / "seed001.docx"
    af.docx_from_seed_001(path)
    r = invoke(path)
    assert r.exit_code == 1  # seed 001 has an error (128912 ≠ 34073 + 94893)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    r = invoke(path)
    assert r.exit_code == 0
    assert json.loads(r.stdout)["documents"][0]["findings"] == []


def run_cli(path: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(JIXIAO), "audit", str(path), "--format", "json"], capture_output=True,
                            text=True, timeout=TIME_LIMIT, cwd=ROOT)
    assert_clean_outcome(result.returncode, result.stdout, result.stderr, path)
    return result


def test_zip_bomb_docx_in_a_subprocess(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    af.zip_bomb_docx(path, declared=3 * 1024**3)
    result = run_cli(path)
    assert result.returncode == 2 and "压缩炸弹" in result.stderr


def test_million_character_line_in_a_subprocess(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    sentence = ("各项医疗保险基金收入稳步增长，总体运行平稳，确保了广大参保人员各项医疗保险待遇的按时、足额支付，"
                "医疗保险覆盖面逐步扩大。2019年基金收入74200万元，支出65884万元，当期结余8316万元。")
    line = (sentence * (1_000_000 // len(sentence) + 1))[:1_000_000]
    path.write_text(line + "\n" + "收入1万元" * 2_000, encoding="utf-8")
    result = run_cli(path)
    assert result.returncode in (0, 1)
    assert json.loads(result.stdout)["documents"][0]["chars"] >= 1_000_000
