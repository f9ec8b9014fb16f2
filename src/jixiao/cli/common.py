"""What every command shares: one-line errors, the rich console, output formats, problems."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated, Any, NoReturn, ParamSpec, TypeVar

import typer
from rich.console import Console
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from jixiao.app.errors import AppError
from jixiao.problems import Problem
from jixiao.store.db import DatabaseError, open_database

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

P = ParamSpec("P")
R = TypeVar("R")


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="输出格式：text 或 json")]


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one clear line on stderr and exit with ``code``."""
    err_console.print(f"[bold red]错误[/]：{message}", soft_wrap=True)
    sys.exit(code)


class CommandError(Exception):
    """A user-facing error of the command line itself (a bad combination of options): one line."""


def one_line_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Every error reaches the user as one Chinese line and exit code 1 (an unexpected internal
    error: one line and exit code 70; ``JIXIAO_DEBUG=1`` shows the traceback)."""
    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except (CommandError, AppError, DatabaseError) as exc:
            fail(str(exc).strip().replace("\n", " "))
        except (typer.Exit, typer.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:
            if os.environ.get("JIXIAO_DEBUG"):
                raise
            first = (str(exc).strip().splitlines() or [""])[0]
            fail(f"内部错误（请报告，设 JIXIAO_DEBUG=1 可看详情）：{type(exc).__name__}: {first}", code=70)

    return wrapper


def echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


@contextmanager
def database() -> Iterator[Engine]:
    """The default database (``JIXIAO_DATABASE_URL`` or ``$JIXIAO_HOME/jixiao.db``), migrated."""
    engine = open_database()
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def session() -> Iterator[Session]:
    """A session on the default database; the use case it is given to commits what it writes."""
    with database() as engine, Session(engine) as db:
        yield db


_LABELS = {"warning": "警告", "info": "提示"}


def print_problems(problems: Sequence[Problem], what: str) -> None:
    """Every problem on stderr, one a line (``file:line:where: message``), then the count of
    errors and ``what`` did not happen because of them."""
    for p in problems:
        if p.severity == "error":
            typer.echo(str(p), err=True)
        else:
            where = p.location()
            text = f"{_LABELS[p.severity]}：{p.message}"
            typer.echo(f"{where}: {text}" if where else text, err=True)
    errors = sum(1 for p in problems if p.severity == "error")
    if errors:
        typer.echo(f"共 {errors} 个错误，{what}。", err=True)


def problem_json(p: Problem) -> dict[str, Any]:
    return p.to_json()
