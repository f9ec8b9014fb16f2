"""Who a session cookie or API token is, kept in memory for a few seconds.

Reading the session (or token) and its user cost every request a trip to the thread pool and two
ORM reads — a good part of a small answer's CPU. So what they said is kept per process under the
hash of the cookie or token for :data:`TTL` seconds:

- in this process, every change that can end or change what a login may do (a user disabled, its
  role or unit changed, its password reset, a session ended, a token revoked) empties the cache
  when it commits (and already when it is made: a request reading between the change and its
  commit keeps the old answer for at most one more TTL);
- in another process (``jixiao serve --workers 2``) such a change is seen within :data:`TTL`
  seconds, when the kept answer runs out and the store is read again.

The store's functions that make these changes call :func:`forget_on_commit`; nothing else needs to.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

#: seconds an answer is kept: how long a disabled user or a revoked token may still be let in by
#: another process
TTL = 5.0
#: answers kept at most (sessions and tokens in use at once); the oldest go first
SIZE = 4096
_INFO_KEY = "jixiao.auth_changed"


class AuthCache:
    """A bounded, thread-safe map of answers that run out after ``ttl`` seconds."""

    def __init__(self, ttl: float = TTL, size: int = SIZE) -> None:
        self.ttl = ttl
        self.size = size
        self._items: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        found = self._items.get(key)
        if found is None:
            return None
        if found[0] <= time.monotonic():
            with self._lock:
                self._items.pop(key, None)
            return None
        return found[1]

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            if len(self._items) >= self.size:  # dicts keep insertion order: drop the oldest
                for old in list(self._items)[: max(1, self.size // 8)]:
                    self._items.pop(old, None)
            self._items[key] = (time.monotonic() + self.ttl, value)

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._items.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


#: the one cache of this process
AUTH_CACHE = AuthCache()


def session_key(id_hash: str) -> tuple[str, str]:
    """The key a session is kept under (its id's hash)."""
    return ("session", id_hash)


def token_key(token_hash: str) -> tuple[str, str]:
    """The key an API token is kept under (its hash)."""
    return ("token", token_hash)


def forget_on_commit(session: Session, *keys: Hashable) -> None:
    """A change to users, sessions or tokens is being made in ``session``: forget the kept answers
    of ``keys`` (none given: every kept answer) now and again when it commits."""
    changed: set[Hashable] | None = session.info.get(_INFO_KEY, set())
    if not keys or changed is None:
        AUTH_CACHE.clear()
        session.info[_INFO_KEY] = None  # None: everything
        return
    for key in keys:
        AUTH_CACHE.forget(key)
    session.info[_INFO_KEY] = changed | set(keys)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if _INFO_KEY not in session.info:
        return
    changed = session.info.pop(_INFO_KEY)
    if changed is None:
        AUTH_CACHE.clear()
    else:
        for key in changed:
            AUTH_CACHE.forget(key)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_INFO_KEY, None)


__all__ = ["AUTH_CACHE", "TTL", "AuthCache", "forget_on_commit", "session_key", "token_key"]
