"""The compiled auditor is never stale: an extension whose source changed since the build is not
loaded (its .py is, with every other compiled module, and one line says so), and where nothing can
be compiled the build says so in one line and leaves the .py files in use."""

from __future__ import annotations

import copy
import json
import os
import pickle
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from jixiao import compiled

REPO = Path(__file__).resolve().parents[1]
EXT = sysconfig.get_config_var("EXT_SUFFIX") or ".so"

#: import a module of a tree (under stale or fresh manifests) and print where it came from
CHILD = """
import sys
from pathlib import Path
src, manifest = Path(sys.argv[1]), Path(sys.argv[2])
sys.path.insert(0, str(src))
from jixiao import compiled  # the repo's guard, run on the tree of this test
compiled.guard(manifest, src)
import pkg.mod
print(pkg.mod.__file__)
"""


@pytest.fixture(autouse=True)
def _not_asked_for_py(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JIXIAO_PURE", raising=False)  # these tests are about the manifest alone


def _entry(src: Path, path: str) -> dict[str, object]:
    stat = (src / path).stat()
    return {"path": path, "sha256": compiled.digest(src / path), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _tree(tmp_path: Path) -> tuple[Path, Path]:
    """A package whose module has an 'extension' beside it that cannot load (not a shared library):
    any import that takes the extension fails, so the import shows which file the guard chose."""
    src = tmp_path / "src"
    (src / "pkg").mkdir(parents=True)
    (src / "pkg" / "__init__.py").write_text("", encoding="utf-8")
    (src / "pkg" / "mod.py").write_text("VALUE = 1\n", encoding="utf-8")
    (src / "pkg" / f"mod{EXT}").write_bytes(b"not a shared library")
    manifest = src / "_compiled.json"
    manifest.write_text(json.dumps({"built": True, "modules": {
        "pkg": _entry(src, "pkg/__init__.py"), "pkg.mod": _entry(src, "pkg/mod.py")}}), encoding="utf-8")
    return src, manifest


def _import(src: Path, manifest: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "JIXIAO_PURE"}
    return subprocess.run([sys.executable, "-c", CHILD, str(src), str(manifest)], capture_output=True, text=True,
                          env=env, check=False)


def test_a_fresh_build_is_used(tmp_path: Path) -> None:
    src, manifest = _tree(tmp_path)
    assert compiled.read_state(manifest, src).in_use
    done = _import(src, manifest)
    assert done.returncode != 0 and "ImportError" in done.stderr  # it took the 'extension'


def test_an_edited_source_is_loaded_from_its_py(tmp_path: Path) -> None:
    src, manifest = _tree(tmp_path)
    (src / "pkg" / "mod.py").write_text("VALUE = 2\n", encoding="utf-8")
    state = compiled.read_state(manifest, src)
    assert state.changed == ("pkg/mod.py",) and not state.in_use
    done = _import(src, manifest)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(src / "pkg" / "mod.py")
    assert "pkg/mod.py 已修改" in done.stderr and "make compile" in done.stderr


def test_a_touched_but_unchanged_source_is_still_fresh(tmp_path: Path) -> None:
    src, manifest = _tree(tmp_path)
    os.utime(src / "pkg" / "mod.py", ns=(1, 1))  # a checkout rewrites the file with the same bytes
    assert compiled.read_state(manifest, src).in_use


def test_an_unfinished_build_is_not_used(tmp_path: Path) -> None:
    src, manifest = _tree(tmp_path)
    data = json.loads(manifest.read_text(encoding="utf-8"))
    manifest.write_text(json.dumps({**data, "built": False, "reason": "编译未完成"}), encoding="utf-8")
    done = _import(src, manifest)
    assert done.returncode == 0 and done.stdout.strip().endswith("mod.py")
    assert "pkg" not in done.stderr  # quietly: the build script said why when it stopped


def test_no_compiler_one_line_and_the_py_files(tmp_path: Path) -> None:
    """The build script, run in a copy of the layout with no compiler: an old extension is removed,
    the manifest says why nothing is compiled, one line is printed."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(REPO / "scripts" / "compile-hot.py", tmp_path / "scripts")
    (tmp_path / "src" / "jixiao").mkdir(parents=True)
    shutil.copy(REPO / "src" / "jixiao" / "compiled.py", tmp_path / "src" / "jixiao")
    (tmp_path / "src" / "jixiao" / "numbers.py").write_text("X = 1\n", encoding="utf-8")
    old = tmp_path / "src" / "jixiao" / f"numbers{EXT}"
    old.write_bytes(b"an old build")
    orphan = tmp_path / "src" / "jixiao" / "audit" / f"renamed_since{EXT}"  # its .py is gone
    orphan.parent.mkdir()
    orphan.write_bytes(b"an old build")
    done = subprocess.run([sys.executable, str(tmp_path / "scripts" / "compile-hot.py")], capture_output=True,
                          text=True, env=dict(os.environ, CC="/nonexistent/cc"), check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().count("\n") == 0 and "没有 C 编译器" in done.stdout and "纯 Python" in done.stdout
    assert not old.exists() and not orphan.exists()
    state = compiled.read_state(tmp_path / "src" / "jixiao" / "_compiled.json", tmp_path / "src")
    assert not state.in_use and "没有 C 编译器" in state.describe()


def test_figures_pickle_and_copy(tmp_path: Path) -> None:
    """Compiled classes with their own __init__ do not pickle or copy by default; the figures do
    (a worker process returns them), compiled or not."""
    from decimal import Decimal

    from jixiao.audit.facts import extract_facts
    from jixiao.audit.ledger.periods import period_marks
    from jixiao.audit.quantities import find_document_mentions
    from jixiao.audit.readers import read_document
    from jixiao.numbers import Interval, Quantity

    seed = sorted((REPO / "examples" / "seeds").glob("0*.txt"))[0]
    doc = read_document(str(seed))
    mention = find_document_mentions(doc)[0]
    block = doc.blocks[mention.block]  # a kept document goes back from a worker with its blocks
    fact = extract_facts(doc)[0]
    mark = period_marks("2019年1-12月")[0]
    for value in (Interval(Decimal("1.5"), Decimal("2")), Quantity(Decimal("74200"), "万元", "约"), mention, block,
                  fact, mark):
        for again in (pickle.loads(pickle.dumps(value)), copy.copy(value), copy.deepcopy(value)):
            assert again == value and type(again) is type(value)


@pytest.mark.skipif(not compiled.current().in_use, reason="the compiled modules are not built here")
def test_the_real_build_edited_runs_every_compiled_module_as_python(tmp_path: Path) -> None:
    """This checkout's own extensions: a copy of src with numbers.py edited loads numbers and the
    auditor from their .py files (they call one another in C: all or none) and audits the same."""
    copy = tmp_path / "src"
    shutil.copytree(REPO / "src", copy, ignore=shutil.ignore_patterns("__pycache__", "vendor"))
    seed = sorted((REPO / "examples" / "seeds").glob("0*.txt"))[0]
    code = ("import jixiao.numbers as n, jixiao.audit.facts as f; from jixiao.audit.pipeline import audit_path; "
            f"print(n.__file__, f.__file__, len(audit_path({str(seed)!r}).findings))")
    env = dict({k: v for k, v in os.environ.items() if k != "JIXIAO_PURE"}, PYTHONPATH=str(copy))

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)

    fresh = run()
    numbers, facts, findings = fresh.stdout.split()
    assert numbers.endswith(EXT) and facts.endswith(EXT) and fresh.stderr == ""
    with (copy / "jixiao" / "numbers.py").open("a", encoding="utf-8") as f:
        f.write("# edited\n")
    stale = run()
    assert stale.stdout.split() == [str(copy / "jixiao" / "numbers.py"), str(copy / "jixiao" / "audit" / "facts.py"),
                                    findings]
    assert "jixiao/numbers.py 已修改" in stale.stderr
