"""The ``jixiao`` command: a thin Typer shell over the application layer.

Each group of commands lives in a module of :mod:`jixiao.cli` and registers itself here. Errors
reach the user as one clear Chinese line and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import typer

from jixiao.cli import audit, data, indicators, monitor, report, web

app = typer.Typer(
    name="jixiao",
    help="医保绩效：基金与部门预算绩效自评的计算、评分、撰写与审核。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for module in (data, indicators, monitor, audit, report, web):
    module.register(app)
