"""jixiao's own import graph, read from the source with :mod:`ast` (nothing is imported or run).

Every ``import jixiao…`` / ``from jixiao… import …`` counts, at module level, inside functions
and under ``TYPE_CHECKING`` alike: a dependency hidden in a function is still a dependency.
``from jixiao.pkg import name`` where ``name`` is a submodule of ``pkg`` counts as an import of
that submodule; any other name counts as an import of the package itself (its ``__init__``).

Used by ``tests/test_layers.py``; run it directly to print the cycles and upward imports::

    .venv/bin/python tests/import_graph.py
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
ROOT_PACKAGE = "jixiao"

#: The layers, lowest first. A module may import modules of a lower layer and modules of its own
#: top-level package; never a higher layer, never a sibling package of its own layer.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("codes", "compiled"),
    ("numbers", "problems"),
    ("parsing", "model"),
    ("rules",),
    ("calc", "audit", "ingest"),
    ("write", "store"),
    ("app",),
    ("cli", "web"),
)


@dataclass(frozen=True)
class Edge:
    source: str  # importing module, dotted
    target: str  # imported module, dotted
    line: int
    nested: bool  # inside a function or class body


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted((SRC / ROOT_PACKAGE).rglob("*.py")):
        if "migrations" in path.parts:  # Alembic scripts are loaded by Alembic, not imported
            continue
        found[module_name(path)] = path
    return found


def _walk(tree: ast.AST) -> Iterator[tuple[ast.AST, bool]]:
    """Every node with whether it sits inside a function or class body."""
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, nested = stack.pop()
        yield node, nested
        inner = nested or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        stack.extend((child, inner) for child in ast.iter_child_nodes(node))


def edges() -> list[Edge]:
    known = modules()
    out: list[Edge] = []
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        is_package = path.name == "__init__.py"
        for node, nested in _walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = name.split(".") if is_package else name.split(".")[:-1]
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, *([base] if base else [])])
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    targets.append(sub if sub in known else base)
            for target in targets:
                if target.split(".")[0] != ROOT_PACKAGE:
                    continue
                while target not in known and "." in target:
                    target = target.rsplit(".", 1)[0]
                if target in known and target != name:
                    out.append(Edge(name, target, getattr(node, "lineno", 0), nested))
    return list(dict.fromkeys(out))  # one edge per statement, however many names it takes


def top(module: str) -> str:
    """``jixiao.calc.fund`` → ``calc``; ``jixiao.cli`` → ``cli``; ``jixiao`` → ``''``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def layer(module: str) -> int | None:
    name = top(module)
    for level, names in enumerate(LAYERS):
        if name in names:
            return level
    return None


def upward(all_edges: list[Edge]) -> list[Edge]:
    """Imports of a higher layer or of a sibling package of the same layer."""
    bad = []
    for e in all_edges:
        a, b = layer(e.source), layer(e.target)
        if a is None or b is None:
            continue
        if b > a or (b == a and top(e.source) != top(e.target)):
            bad.append(e)
    return bad


def cycles(all_edges: list[Edge]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    graph: dict[str, set[str]] = {}
    for e in all_edges:
        graph.setdefault(e.source, set()).add(e.target)
        graph.setdefault(e.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def main() -> int:
    all_edges = edges()
    loops = cycles(all_edges)
    bad = upward(all_edges)
    unplaced = sorted({top(m) for m in modules() if m != ROOT_PACKAGE and layer(m) is None})
    nested = [e for e in all_edges if e.nested]
    print(f"{len(modules())} modules, {len(all_edges)} imports of jixiao modules ({len(nested)} inside functions)")
    print(f"cycles: {len(loops)}")
    for loop in loops:
        print("  " + " ↔ ".join(loop))
    print(f"upward or sideways imports: {len(bad)}")
    for e in bad:
        print(f"  {e.source}:{e.line} → {e.target}")
    if unplaced:
        print(f"packages in no layer: {', '.join(unplaced)}")
    sizes = sorted(((sum(1 for _ in p.open(encoding='utf-8')), m) for m, p in modules().items()), reverse=True)
    print("largest modules: " + ", ".join(f"{m} {n}" for n, m in sizes[:6]))
    return 1 if loops or bad or unplaced else 0


if __name__ == "__main__":
    sys.exit(main())
