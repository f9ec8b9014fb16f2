"""``jixiao audit`` / ``jixiao extract`` through Typer's runner on the real seeds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import typer
from typer.testing import CliRunner

from jixiao.cli import audit

SEEDS = Path(__file__).resolve().parent.parent / "examples" / "seeds"
runner = CliRunner()


def app() -> typer.Typer:
    a = typer.Typer()
    audit.register(a)
    return a


def test_json_on_a_seed_with_errors_exits_1() -> None:
    r = runner.invoke(app(), ["audit", str(SEEDS / "003_412221cf2913b38d.txt"), "--format", "json"])
    assert r.exit_code == 1, r.output
    doc = json.loads(r.stdout)["documents"][0]
    assert set(doc) == {"path", "chars", "facts", "checks", "findings"}
    assert doc["chars"] > 10000 and doc["facts"] > 100 and doc["checks"] > 20
    chg = [f for f in doc["findings"] if f["code"] == "JX-CHG-002"]
    assert chg[0]["line"] == 386 and chg[0]["stated"] == "904.89" and chg[0]["expected"] == "890.89"
    assert all(set(f) == {"code", "kind", "severity", "line", "page", "stated", "expected", "quote", "message"}
               for f in doc["findings"])


def test_clean_seed_exits_0_with_text_summary() -> None:
    r = runner.invoke(app(), ["audit", str(SEEDS / "004_53bbde0474885cbd.txt")])
    assert r.exit_code == 0, r.output
    assert "未发现算术不一致" in r.stdout and "合计：1 份文件，错误 0 处" in r.stdout


def test_directory_in_parallel_and_unreadable_file_exits_2(tmp_path: Path) -> None:
    for seed in SEEDS.glob("0*.txt"):
        shutil.copy(seed, tmp_path / seed.name)
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    out = tmp_path / "out" / "audit.json"
    r = runner.invoke(app(), ["audit", str(tmp_path), "--format", "json", "-o", str(out), "--jobs", "2"])
    assert r.exit_code == 2
    assert "broken.docx" in r.output
    docs = json.loads(out.read_text(encoding="utf-8"))["documents"]
    assert sorted(Path(d["path"]).name for d in docs) == sorted(s.name for s in SEEDS.glob("0*.txt"))


def test_html_highlights_findings_where_they_stand(tmp_path: Path) -> None:
    out = tmp_path / "a.html"
    r = runner.invoke(app(), ["audit", str(SEEDS / "000_1cda87d66f87ced2.txt"), "--format", "html", "-o", str(out)])
    assert r.exit_code == 1
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html and "http" not in html.split("<body>")[1]
    assert '<mark class="error"' in html and "收入26773万元减支出24624万元应为2149万元" in html
    assert "2019年全市城乡居民医疗保险基金收入26773万元" in html  # the document itself


def test_missing_file_exits_2() -> None:
    r = runner.invoke(app(), ["audit", "/nonexistent/report.txt"])
    assert r.exit_code == 2 and "找不到文件" in r.output


def test_extract_json() -> None:
    r = runner.invoke(app(), ["extract", str(SEEDS / "004_53bbde0474885cbd.txt"), "--format", "json"])
    assert r.exit_code == 0, r.output
    facts = json.loads(r.stdout)["facts"]
    hit = [f for f in facts if f["value"] == "23204"]
    assert hit and hit[0]["unit"] == "万元" and hit[0]["location"]["line"] == 54


def test_an_upload_is_audited_from_memory_as_its_file_is() -> None:
    """app.audits reads an upload from its bytes; the findings are those of the file on disk."""
    from jixiao.app.audits import audit_upload
    from jixiao.audit.pipeline import audit_path

    for seed in sorted(SEEDS.glob("0*.txt")):
        on_disk = audit_path(seed)
        uploaded = audit_upload(seed.name, seed.read_bytes()).result
        assert uploaded.path == seed.name and uploaded.error is None
        assert [f.to_json() for f in uploaded.findings] == [f.to_json() for f in on_disk.findings]
    broken = audit_upload("坏.docx", b"PK\x03\x04 not really a zip").result
    assert broken.error is not None and "坏.docx" in broken.error and "/tmp" not in broken.error


def test_a_batch_is_audited_with_the_collector_relaxed_then_restored(monkeypatch) -> None:
    """While auditing, the youngest generation is collected every AUDIT_GC_YOUNG objects and what
    was loaded is frozen out of the walks; afterwards the settings are as they were."""
    import gc

    from jixiao.audit import pipeline

    seen: list[tuple[int, int]] = []
    real = pipeline.audit_paths

    def spying(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append((gc.get_threshold()[0], gc.get_freeze_count()))
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "audit_paths", spying)
    before = gc.get_threshold()
    r = runner.invoke(app(), ["audit", str(SEEDS / "004_53bbde0474885cbd.txt")])
    assert r.exit_code == 0, r.output
    assert seen and seen[0][0] == audit.AUDIT_GC_YOUNG and seen[0][1] > 1000
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
