"""Whether the auditor's hot modules run compiled (mypyc, ``scripts/compile-hot.py``), and never stale.

The build writes ``_compiled.json``: each compiled module's source digest. At import of
:mod:`jixiao` (before any of those modules), when a source differs from the one compiled (edited,
checked out), every compiled module is loaded from its ``.py`` instead — all of them, since they
call one another directly in C — with one line on stderr saying how to rebuild. ``JIXIAO_PURE=1``
asks for the ``.py`` files on purpose (tests that spy on internals).

Standard library only: it runs before anything else of jixiao is imported.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

#: written by scripts/compile-hot.py, next to this file
MANIFEST = Path(__file__).with_name("_compiled.json")
SRC = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class State:
    built: bool  # the build finished and its extensions are in place
    modules: dict[str, str]  # compiled module → its source, relative to src
    changed: tuple[str, ...]  # sources that differ from those compiled
    reason: str = ""  # why nothing was compiled (no compiler, ...)
    pure: bool = False  # JIXIAO_PURE asked for the .py files

    @property
    def in_use(self) -> bool:
        return self.built and not self.changed and not self.pure

    def describe(self) -> str:
        if self.in_use:
            return f"已编译（mypyc）：{len(self.modules)} 个模块"
        if self.changed:
            return f"纯 Python：编译结果已过期（{', '.join(self.changed[:3])} 已修改），运行 make compile 重新编译"
        if self.pure:
            return "纯 Python（JIXIAO_PURE=1）"
        return f"纯 Python（未编译{'：' + self.reason if self.reason else ''}）"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_state(manifest: Path = MANIFEST, src: Path = SRC) -> State:
    """The manifest compared with the sources: size and mtime first, the digest only when they moved."""
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return State(built=False, modules={}, changed=())
    changed = []
    modules: dict[str, str] = {}
    for name, entry in data.get("modules", {}).items():
        modules[name] = entry["path"]
        path = src / entry["path"]
        try:
            stat = path.stat()
        except OSError:
            changed.append(entry["path"])
            continue
        if (stat.st_size, stat.st_mtime_ns) != (entry["size"], entry["mtime_ns"]) and digest(path) != entry["sha256"]:
            changed.append(entry["path"])
    return State(built=bool(data.get("built")), modules=modules, changed=tuple(changed),
                 reason=str(data.get("reason", "")), pure=os.environ.get("JIXIAO_PURE") == "1")


class SourceFirst(importlib.abc.MetaPathFinder):
    """Finds the named modules as their ``.py`` files, ahead of the extensions beside them."""

    def __init__(self, modules: dict[str, str], src: Path) -> None:
        self.paths = {name: src / path for name, path in modules.items()}

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None,
                  ) -> importlib.machinery.ModuleSpec | None:
        source = self.paths.get(fullname)
        if source is None or not source.is_file():
            return None
        package = [str(source.parent)] if source.name == "__init__.py" else None
        return importlib.util.spec_from_file_location(fullname, source, submodule_search_locations=package)


def guard(manifest: Path = MANIFEST, src: Path = SRC) -> State:
    """Called once by ``jixiao/__init__``: the .py files whenever the extensions are not sure to match."""
    global _current
    state = read_state(manifest, src)
    if state.modules and not state.in_use:
        sys.meta_path.insert(0, SourceFirst(state.modules, src))
        if state.changed:
            print(f"jixiao: {state.describe()}", file=sys.stderr)
    _current = state
    return state


_current: State | None = None


def current() -> State:
    """What this process runs: the state ``guard`` found when jixiao was imported."""
    return _current if _current is not None else read_state()
