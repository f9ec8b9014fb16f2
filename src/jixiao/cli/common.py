"""What every command shares: one-line errors, the rich console, output formats."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import NoReturn

from rich.console import Console

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one clear line on stderr and exit with ``code``."""
    err_console.print(f"[bold red]错误[/]：{message}", soft_wrap=True)
    sys.exit(code)
