"""Dataclasses of the compiled modules whose ``__init__`` is written out (compiled by mypyc, the
generated one would be interpreted Python): each takes the dataclass's fields, in their order,
with their defaults (``None`` for a ``default_factory``), and sets every field — what the
generated ``__init__`` would do, so ``dataclasses.replace`` and the callers see no difference.
Each has a ``__reduce__`` too: compiled, copy and pickle would call the written one bare."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
HOT = [SRC / "jixiao" / "numbers.py", *sorted((SRC / "jixiao" / "audit").rglob("*.py"))]


def _is_dataclass(node: ast.ClassDef) -> bool:
    for d in node.decorator_list:
        target = d.func if isinstance(d, ast.Call) else d
        if isinstance(target, ast.Name) and target.id == "dataclass":
            return True
    return False


def _field_call(value: ast.expr | None) -> ast.Call | None:
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "field":
        return value
    return None


def _fields(node: ast.ClassDef) -> list[tuple[str, bool, str | None]]:
    """(name, in __init__, its default as ast dump: None none, "factory" a default_factory)."""
    out: list[tuple[str, bool, str | None]] = []
    for stmt in node.body:
        if not isinstance(stmt, ast.AnnAssign) or not isinstance(stmt.target, ast.Name):
            continue
        if "ClassVar" in ast.unparse(stmt.annotation):
            continue
        call = _field_call(stmt.value)
        if call is None:
            out.append((stmt.target.id, True, None if stmt.value is None else ast.dump(stmt.value)))
            continue
        kw = {k.arg: k.value for k in call.keywords}
        init = not (isinstance(kw.get("init"), ast.Constant) and kw["init"].value is False)  # type: ignore[union-attr]
        default = "factory" if "default_factory" in kw else ast.dump(kw["default"]) if "default" in kw else None
        out.append((stmt.target.id, init, default))
    return out


def _written_inits() -> list[tuple[str, ast.ClassDef, ast.FunctionDef]]:
    found = []
    for path in HOT:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and _is_dataclass(node):
                for stmt in node.body:
                    if isinstance(stmt, ast.FunctionDef) and stmt.name == "__init__":
                        found.append((f"{path.relative_to(SRC)}:{node.name}", node, stmt))
    return found


WRITTEN = _written_inits()


def test_the_hot_dataclasses_have_their_init_written_out() -> None:
    names = {name.rsplit(":", 1)[1] for name, _, _ in WRITTEN}
    assert {"Interval", "Quantity", "Block", "Mention", "Fact", "LedgerFact", "Item", "PeriodMark"} <= names


@pytest.mark.parametrize(("name", "cls", "init"), WRITTEN, ids=[w[0] for w in WRITTEN])
def test_a_written_init_is_the_generated_one(name: str, cls: ast.ClassDef, init: ast.FunctionDef) -> None:
    fields = _fields(cls)
    args = init.args
    assert not args.kwonlyargs and args.vararg is None and args.kwarg is None, name
    params = [a.arg for a in args.args[1:]]
    assert params == [f for f, in_init, _ in fields if in_init], f"{name}: the parameters are not the fields"
    defaults: list[ast.expr | None] = [None] * (len(params) - len(args.defaults)) + list(args.defaults)
    for (field, _, want), got in zip([f for f in fields if f[1]], defaults, strict=True):
        if want == "factory":
            assert got is not None and ast.dump(got) == ast.dump(ast.Constant(None)), f"{name}.{field}: default"
        else:
            assert (None if got is None else ast.dump(got)) == want, f"{name}.{field}: default"
    body = ast.unparse(init)
    for field, _, _ in fields:
        assert f"self.{field} = " in body or f"_set_{field}(self, " in body, f"{name}.{field} is never set"
    assert any(isinstance(s, ast.FunctionDef) and s.name == "__reduce__" for s in cls.body), f"{name}: no __reduce__"


_CONSTANT = re.compile(r"^_?[A-Z][A-Z0-9_]*$")


def _unmarked_constants(path: Path) -> list[str]:
    """Module-level names in capitals bound once and not declared Final."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bound: dict[str, int] = {}
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] \
            if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else []
        for t in targets:
            for n in ast.walk(t):
                if isinstance(n, ast.Name):
                    bound[n.id] = bound.get(n.id, 0) + 1
    rebound = {n for node in ast.walk(tree) if isinstance(node, ast.Global) for n in node.names}
    out = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            if "Final" in ast.unparse(node.annotation):
                continue
            name = node.target.id
        else:
            continue
        typing = isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name) \
            and node.value.func.id in ("TypeVar", "NewType")
        if _CONSTANT.match(name) and name != "__all__" and bound[name] == 1 and name not in rebound and not typing:
            out.append(name)
    return out


@pytest.mark.parametrize("path", [p for p in HOT if p.name != "pdf_reader.py"], ids=lambda p: str(p.relative_to(SRC)))
def test_the_compiled_modules_constants_are_final(path: Path) -> None:
    """Compiled, a Final module constant is a C static; any other is looked up in the module's
    dict at every use (a regular expression used per figure, thousands of times per report)."""
    assert _unmarked_constants(path) == []
