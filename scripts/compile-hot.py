"""Compile the auditor's hot modules with mypyc into C extensions beside their sources.

    .venv/bin/python scripts/compile-hot.py          # build (run by make setup when a source changed)
    .venv/bin/python scripts/compile-hot.py --clean  # remove the extensions: pure Python again

Why: an audit is thousands of small typed Python steps per report; compiled, it takes about a
third fewer machine instructions (bench/audit_instructions.py). The extensions are only a faster
copy: where compiling is impossible (no C compiler or Python headers) or fails, this prints one
line and the ``.py`` files are used (under CI a failed build is an error). It writes
``src/jixiao/_compiled.json`` (each source's digest), which ``jixiao.compiled`` reads at import to
never run an extension whose source has changed since.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
BUILD = ROOT / "build" / "mypyc"
MANIFEST = SRC / "jixiao" / "_compiled.json"
GROUP = "jixiao_hot"  # the shared library every compiled module calls into: src/jixiao_hot__mypyc.*.so
# gcc -O1: about as few instructions per audit as -O3 (the time is in CPython's C calls, not in the
# generated code), the same CPU time within noise, and two thirds of the build time (~2 min, not 3)

#: what is compiled (relative to src): the number types and the whole auditor ...
HOT = ("jixiao/numbers.py", "jixiao/audit")
#: ... but these: mypyc refuses ``continue`` inside ``try/finally`` (and reading a PDF is not hot)
LEFT_OUT = ("jixiao/audit/readers/pdf_reader.py",)

CHILD = """
import sys
from setuptools import setup
from mypyc.build import mypycify
build, config, group, *paths = sys.argv[1:]
setup(name="jixiao-hot", script_args=["build_ext", "--inplace", "--build-temp", build + "/temp",
      "--build-lib", build + "/lib"],
      ext_modules=mypycify(["--config-file", config, *paths], target_dir=build + "/c", group_name=group,
                           opt_level="1"))
"""


def _guard() -> ModuleType:
    """jixiao/compiled.py alone (its digest), without importing jixiao: that would run the check."""
    spec = importlib.util.spec_from_file_location("jixiao_compiled", SRC / "jixiao" / "compiled.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def sources() -> list[str]:
    found: list[str] = []
    for entry in HOT:
        path = SRC / entry
        found += [entry] if path.is_file() else sorted(str(p.relative_to(SRC)) for p in path.rglob("*.py"))
    return [p for p in found if p not in LEFT_OUT]


def module_name(path: str) -> str:
    parts = Path(path).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def extensions() -> list[Path]:
    """Every extension of a build, also of a module since renamed or left out (jixiao has no other)."""
    suffixes = tuple(s for s in (sysconfig.get_config_var("EXT_SUFFIX"), ".so") if s)
    found = [p for p in SRC.glob(f"{GROUP}__mypyc*") if p.name.endswith(suffixes)]
    return found + [p for p in (SRC / "jixiao").rglob("*.so") if p.name.endswith(suffixes)]


def clean() -> None:
    for path in extensions():
        path.unlink()
    MANIFEST.unlink(missing_ok=True)


def snapshot(paths: list[str]) -> dict[str, dict[str, object]]:
    """Each source as it is about to be compiled (an edit during the build makes it stale)."""
    digest = _guard().digest
    modules: dict[str, dict[str, object]] = {}
    for path in paths:
        stat = (SRC / path).stat()
        modules[module_name(path)] = {"path": path, "sha256": digest(SRC / path),
                                      "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    return modules


def write_manifest(modules: dict[str, dict[str, object]], built: bool, reason: str = "") -> None:
    data = {"built": built, "reason": reason, "python": sys.version.split()[0], "modules": modules}
    MANIFEST.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def impossible() -> str:
    """Why no extension can be built here ('' when it can)."""
    compiler = (os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc").split()[0]  # as setuptools
    if shutil.which(compiler) is None:
        return f"没有 C 编译器（{compiler}）"
    if not (Path(sysconfig.get_paths()["include"]) / "Python.h").is_file():
        return "没有 Python 头文件（Python.h）"
    try:
        import mypyc.build  # noqa: F401
        import setuptools  # noqa: F401
    except ImportError as e:
        return f"没有安装 {e.name}"
    return ""


def build() -> int:
    clean()
    paths = sources()
    reason = impossible()
    if reason:
        write_manifest({}, built=False, reason=reason)
        print(f"compile-hot: {reason}，使用纯 Python 模块（审核较慢，结果相同）")
        return 0
    # the digests of the sources as they are compiled, marked unfinished until the build ends
    modules = snapshot(paths)
    write_manifest(modules, built=False, reason="编译未完成")
    BUILD.mkdir(parents=True, exist_ok=True)
    log = BUILD / "build.log"
    t = time.perf_counter()
    with log.open("w", encoding="utf-8") as out:
        done = subprocess.run([sys.executable, "-c", CHILD, str(BUILD), str(ROOT / "pyproject.toml"), GROUP, *paths],
                              cwd=SRC, stdout=out, stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0:
        clean()
        write_manifest({}, built=False, reason="编译失败")
        errors = [line for line in log.read_text(encoding="utf-8").splitlines() if "error" in line.lower()]
        print("\n".join(errors[-15:]))
        print(f"compile-hot: mypyc 编译失败（见 {log.relative_to(ROOT)}），使用纯 Python 模块")
        return 1 if os.environ.get("CI") else 0
    write_manifest(modules, built=True)
    print(f"compile-hot: {len(paths)} 个模块已用 mypyc 编译（{time.perf_counter() - t:.0f} 秒）")
    return 0


def main() -> int:
    if "--clean" in sys.argv[1:]:
        clean()
        print("compile-hot: 已删除编译结果，使用纯 Python 模块")
        return 0
    return build()


if __name__ == "__main__":
    sys.exit(main())
