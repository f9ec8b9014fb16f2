"""The house keeps its shape: layers import downward only, no module imports itself back.

The layers (lowest first) are in ``tests/import_graph.py`` (``LAYERS``): codes, compiled → numbers,
problems → parsing, model → rules → calc | audit | ingest → write | store → app → cli | web.
A module may import a lower layer and its own package; never a higher layer or a sibling
package of its own layer. Imports inside functions count like any other.
"""

from __future__ import annotations

from import_graph import LAYERS, ROOT_PACKAGE, cycles, edges, layer, modules, top, upward

MAX_LINES = 800


def test_every_package_has_a_layer() -> None:
    unplaced = sorted({top(m) for m in modules() if m != ROOT_PACKAGE and layer(m) is None})
    assert unplaced == [], f"packages in no layer of {LAYERS}: {unplaced}"


def test_no_import_runs_up_or_sideways() -> None:
    bad = [f"{e.source}:{e.line} → {e.target}" for e in upward(edges())]
    assert bad == []


def test_no_import_cycles() -> None:
    assert cycles(edges()) == []


def test_no_module_over_800_lines() -> None:
    long = {name: n for name, path in modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_the_checker_sees_an_upward_import_and_a_cycle() -> None:
    """The checks above would pass on a graph they cannot read; this one shows they read it."""
    from import_graph import Edge

    made_up = [Edge("jixiao.calc.fund", "jixiao.web.app", 1, True), Edge("jixiao.model.a", "jixiao.model.b", 1, False),
               Edge("jixiao.model.b", "jixiao.model.a", 2, False)]
    assert [e.target for e in upward(made_up)] == ["jixiao.web.app"]
    assert cycles(made_up) == [["jixiao.model.a", "jixiao.model.b"]]
