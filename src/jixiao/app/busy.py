"""Writers wait, then say so: a use case's transaction retried while the database is busy.

SQLite has one writer at a time: while ``jixiao load`` writes a large batch, another write waits
(``busy_timeout``) and then fails with "database is locked"; in WAL mode a transaction that read
an older snapshot fails at once when it starts to write. PostgreSQL may end a transaction with a
serialization failure or a deadlock. None of these is the user's fault and a second try usually
works: :func:`with_retry` rolls back, waits a little longer each time (with jitter, so that
fifty waiting writers do not all come back at once) and runs the whole unit of work again,
until its patience is spent — then :class:`~jixiao.app.errors.Busy`, a clear Chinese sentence,
never a 500. A retried attempt re-reads everything, so a version check inside it judges the
data as it is now.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from jixiao.app.errors import Busy

T = TypeVar("T")

#: how long a web request's write waits for the database in all (a person is waiting)
WEB_PATIENCE = 30.0
#: how long a command-line import waits (nobody is clicking; another import may be running)
CLI_PATIENCE = 600.0
_PG_RETRY = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock not available


def is_busy(exc: BaseException) -> bool:
    """Whether ``exc`` means "the database is busy, try again" rather than a real fault."""
    if not isinstance(exc, DBAPIError):
        return False
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    if code in _PG_RETRY:
        return True
    text = str(exc.orig).lower()
    return isinstance(exc, OperationalError) and ("database is locked" in text or "database is busy" in text
                                                  or "database table is locked" in text)


def with_retry(db: Session, work: Callable[[], T], *, patience: float | None = None) -> T:
    """Run ``work`` (one transaction on ``db``, which it commits) and retry it while the database
    is busy, for ``patience`` seconds (default :data:`WEB_PATIENCE`); a unique-key race (two
    writers creating the same row) is retried once."""
    patience = WEB_PATIENCE if patience is None else patience
    deadline = time.monotonic() + patience
    delay = 0.05
    integrity_retries = 1
    while True:
        try:
            return work()
        except IntegrityError:
            db.rollback()
            if integrity_retries == 0:
                raise
            integrity_retries -= 1
        except DBAPIError as exc:
            db.rollback()
            if not is_busy(exc):
                raise
            if time.monotonic() + delay > deadline:
                raise Busy(f"数据库正忙（可能有人正在导入大量数据），等了 {patience:.0f} 秒仍未能保存，"
                           "未做任何修改；请稍后再试") from exc
        time.sleep(delay * (0.5 + random.random()))
        delay = min(delay * 2, 2.0)


__all__ = ["CLI_PATIENCE", "WEB_PATIENCE", "is_busy", "with_retry"]
