"""The data revision: one number that changes whenever any unit, record or stored value does.

A web process serves many reads between rare writes. What it derives from the data (the unit
tree, the years, comparison tables, dashboards) it keeps in memory keyed by this number, so a
read costs one indexed lookup of one row instead of re-reading and recomputing — and is never
stale, whichever process or program wrote.

The number lives in the one row of ``data_revision`` and is set to a new random 62-bit value by
database triggers (migration ``0006``) on every INSERT, UPDATE or DELETE of ``units``,
``fund_years``, ``department_years``, ``projects``, ``indicator_records`` and
``record_warnings`` — so writes by the repository, by ``jixiao db restore`` or by SQL typed by
hand all count. It is random rather than a counter so that a database replaced by an older copy
(a restored backup) cannot come back to a number a process has already seen.

Sessions, users and the audit log are not data: logging in does not change it.
"""

from __future__ import annotations

import functools
import inspect
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar

from sqlalchemy import event, text
from sqlalchemy.orm import Session

#: tables whose writes change the revision (the triggers of migration 0006)
WATCHED_TABLES = ("units", "fund_years", "department_years", "projects", "indicator_records", "record_warnings")
_INFO_KEY = "jixiao.data_revision"

T = TypeVar("T")
P = ParamSpec("P")


def data_revision(session: Session) -> int:
    """The current revision as this session sees it (read once per session and kept in
    ``session.info`` until the session writes, commits or rolls back)."""
    found = session.info.get(_INFO_KEY)
    if found is None:
        found = session.execute(text("SELECT value FROM data_revision WHERE id = 1")).scalar()
        # no row (a database not made by the migrations): a number never seen again, so nothing
        # derived is ever reused from another session
        found = int(found) if found is not None else -1 - secrets.randbits(62)
        session.info[_INFO_KEY] = found
    return int(found)


def _forget(session: Session, *_: object) -> None:
    session.info.pop(_INFO_KEY, None)


# what a session wrote (or dropped by rolling back) may have moved the revision
for _name in ("after_flush", "after_commit", "after_rollback", "after_bulk_update", "after_bulk_delete"):
    event.listen(Session, _name, _forget)


@event.listens_for(Session, "do_orm_execute")
def _forget_on_dml(state: object) -> None:
    """A Core-style INSERT/UPDATE/DELETE through the session (the indicator store writes so)."""
    if getattr(state, "is_insert", False) or getattr(state, "is_update", False) or getattr(state, "is_delete", False):
        _forget(state.session)  # type: ignore[attr-defined]


class BoundedCache(Generic[T]):
    """A thread-safe memo of the ``size`` most recently used values (least recently used go first)."""

    def __init__(self, size: int = 256):
        self.size = size
        self._items: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> T | None:
        with self._lock:
            found = self._items.get(key, _MISSING)
            if found is _MISSING:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return found  # type: ignore[return-value]

    def put(self, key: Hashable, value: T) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class RevisionCache(BoundedCache[T]):
    """A :class:`BoundedCache` of values derived from the data, keyed by ``(revision, key)``: an
    entry of an older revision is never returned, and all of them go at once when the revision
    moves. Values are never None (None means "not kept")."""

    def __init__(self, size: int = 256):
        super().__init__(size)
        self._revision: int | None = None
        self._revision_lock = threading.Lock()

    def _at(self, revision: int) -> None:
        """Move to ``revision``, forgetting everything kept at another."""
        with self._revision_lock:
            if revision != self._revision:
                self.clear()
                self._revision = revision

    def get_or_make(self, session: Session, key: Hashable, make: Callable[[], T]) -> T:
        revision = data_revision(session)
        found = self.peek(session, key)
        if found is not None:
            return found
        value = make()
        # a write inside ``make`` (a lazy refresh of stale stored values) moves the revision:
        # keep the value under the revision it was made at only if nothing moved
        if data_revision(session) == revision:
            self.put_at(revision, key, value)
        return value

    def peek(self, session: Session, key: Hashable) -> T | None:
        """The value kept for ``key`` at the current revision, or None."""
        self._at(data_revision(session))
        return self.get(key)

    def put_at(self, revision: int, key: Hashable, value: T) -> None:
        """Keep ``value`` for ``key`` if ``revision`` is still the one kept."""
        with self._revision_lock:
            if self._revision == revision:
                self.put(key, value)

    def keep(self, session: Session, key: Hashable, value: T) -> None:
        """Keep ``value`` for ``key`` at the current revision (made from what ``session`` sees)."""
        self.put_at(data_revision(session), key, value)


_MISSING = object()


def kept_per_revision(cache: RevisionCache[T], key: Callable[[Mapping[str, Any]], Hashable]
                      ) -> Callable[[Callable[Concatenate[Session, P], T]], Callable[Concatenate[Session, P], T]]:
    """Decorate a function of a session whose result depends only on the data and its arguments:
    its results are kept in ``cache`` under ``key(arguments)`` (the call's arguments by name,
    defaults filled in, the session left out) until the data revision moves."""
    def decorate(fn: Callable[Concatenate[Session, P], T]) -> Callable[Concatenate[Session, P], T]:
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def kept(session: Session, /, *args: P.args, **kwargs: P.kwargs) -> T:
            bound = signature.bind(session, *args, **kwargs)
            bound.apply_defaults()
            arguments = {name: value for name, value in bound.arguments.items() if value is not session}
            return cache.get_or_make(session, key(arguments), lambda: fn(session, *args, **kwargs))
        return kept
    return decorate
