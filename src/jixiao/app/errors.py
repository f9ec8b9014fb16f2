"""What a use case says when it cannot do what was asked: one Chinese sentence each.

The shells translate them: the web app to 404 / 403 / 422 / 409 pages and JSON, the CLI to one
line on stderr and exit code 1. Problems found in an input (file, line or cell, field) are not
errors of this kind: they come back as :class:`~jixiao.problems.Problem` values in the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class AppError(Exception):
    """A request that cannot be done; ``str(error)`` is the Chinese message for the user."""


class NotFound(AppError, LookupError):
    """The unit, unit-year, report or record does not exist (or may not be seen: the same answer)."""


class Forbidden(AppError):
    """The user may see this but not change it."""


class InvalidRequest(AppError, ValueError):
    """An argument the user gave is not usable (a year that is not a year, an unknown format)."""


@dataclass(frozen=True)
class Meanwhile:
    """One change saved after the version a refused write was based on (from the change log)."""

    at: str  # "2026-12-07 08:31:05"（UTC）
    username: str
    what: str  # "城乡居民基本医疗保险：参保人数", "工作簿 填报.xlsx", "命令行导入 …"
    old: Any = None
    new: Any = None
    version: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"at": self.at, "username": self.username, "what": self.what, "old": self.old, "new": self.new,
                "version": self.version}


@dataclass
class StaleUnitYear:
    unit: str
    year: int
    based_on: int  # the version the write was based on
    current: int  # the version stored now
    meanwhile: list[Meanwhile] = field(default_factory=list)


class Conflict(AppError):
    """The write was based on data that someone else changed meanwhile: nothing was saved.
    ``stale`` says, per unit-year, which versions and what changed between them."""

    def __init__(self, message: str, stale: list[StaleUnitYear]) -> None:
        super().__init__(message)
        self.stale = stale

    def as_json(self) -> dict[str, Any]:
        return {"detail": str(self), "stale": [
            {"unit": s.unit, "year": s.year, "based_on": s.based_on, "current": s.current,
             "meanwhile": [m.as_json() for m in s.meanwhile]} for s in self.stale]}


class Busy(AppError):
    """The database stayed busy (another program writing a lot) for longer than a request may
    wait; nothing was saved, trying again later works."""

    def __init__(self, message: str, retry_after: int = 10) -> None:
        super().__init__(message)
        self.retry_after = retry_after


__all__ = ["AppError", "Busy", "Conflict", "Forbidden", "InvalidRequest", "Meanwhile", "NotFound", "StaleUnitYear"]
