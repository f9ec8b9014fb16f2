"""The building blocks an outline names: a registry of functions, each making the paragraphs,
tables, figures or subsections of one part of a report from the :class:`~jixiao.write.context.Context`.

An outline (``write/outlines/*.yaml``) lists block names per section; :mod:`jixiao.write.outline`
calls them in order. A block returns nothing when its data are absent — the section is then
left out, or, for text only the unit can write, a placeholder is put and listed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from jixiao.write.charts import Chart
from jixiao.write.context import Context, Pending, officer_text
from jixiao.write.report import Block, Figure, Paragraph, Section

Made = list[Block | Section]
BlockFn = Callable[["Build", Any], Made]
BLOCKS: dict[str, BlockFn] = {}


def block(name: str) -> Callable[[BlockFn], BlockFn]:
    def register(fn: BlockFn) -> BlockFn:
        if name in BLOCKS:
            raise ValueError(f"block {name!r} defined twice")
        BLOCKS[name] = fn
        return fn
    return register


@dataclass
class Build:
    """One report being built: its context, where in the outline it is, what it has said."""

    ctx: Context
    path: list[str] = field(default_factory=list)
    produced: set[str] = field(default_factory=set)
    #: slots already left to fill in: a second place for the same text gets it when it is written
    asked: set[str] = field(default_factory=set)

    def officer(self, key: str, what: str | None, *, optional: bool = False) -> Made:
        """The unit's own text for ``key``; else a placeholder saying what is to be written (listed
        in the working paper), or nothing when the outline marks it optional."""
        paras = officer_text(self.ctx.texts, key)
        if paras:
            return [Paragraph(p, origin="officer") for p in paras]
        if optional or not self.ctx.placeholders or key in self.asked:
            return []
        self.asked.add(key)
        label = what or key
        self.ctx.ledger.pend(Pending("／".join(self.path), label, "数据中没有这部分文字，需由单位撰写"))
        return [Paragraph(f"（待填写：{label}。）", origin="placeholder")]

    def figure(self, chart: Chart | None) -> Made:
        if chart is None or not self.ctx.charts:
            return []
        return [Figure(chart)]

    def paragraphs(self, *items: Paragraph | list[Paragraph] | None) -> Made:
        out: Made = []
        for item in items:
            if isinstance(item, list):
                out += [p for p in item if p is not None]
            elif item is not None:
                out.append(item)
        return out


def run(name: str, b: Build, arg: Any = None) -> Made:
    if name not in BLOCKS:
        raise KeyError(f"outline names an unknown block {name!r}")
    made = BLOCKS[name](b, arg)
    if made:
        b.produced.add(name)
    return made
