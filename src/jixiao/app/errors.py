"""What a use case says when it cannot do what was asked: one Chinese sentence each.

The shells translate them: the web app to 404 / 403 / 422 / 409 pages and JSON, the CLI to one
line on stderr and exit code 1. Problems found in an input (file, line or cell, field) are not
errors of this kind: they come back as :class:`~jixiao.problems.Problem` values in the result.
"""

from __future__ import annotations


class AppError(Exception):
    """A request that cannot be done; ``str(error)`` is the Chinese message for the user."""


class NotFound(AppError, LookupError):
    """The unit, unit-year, report or record does not exist (or may not be seen: the same answer)."""


class Forbidden(AppError):
    """The user may see this but not change it."""


class InvalidRequest(AppError, ValueError):
    """An argument the user gave is not usable (a year that is not a year, an unknown format)."""


__all__ = ["AppError", "Forbidden", "InvalidRequest", "NotFound"]
