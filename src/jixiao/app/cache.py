"""What a process keeps between requests: one mechanism, keyed by the data revision.

:class:`RevisionCache` keeps values derived from the data under the current data revision
(:func:`jixiao.store.revision.data_revision`, moved by triggers on every write by anyone), so a
kept value is never stale; :class:`BoundedCache` is its plain LRU base, also used where a value
is keyed by a finer token of its own (the comparison's tables). :func:`kept_per_revision` keeps
a page function's results. :func:`clear_caches` forgets everything (benchmarks' cold timings).
"""

from __future__ import annotations

import functools
import inspect
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar

from sqlalchemy.orm import Session

from jixiao.store.indicator_store import clear_read_caches
from jixiao.store.revision import data_revision

T = TypeVar("T")
P = ParamSpec("P")

#: every cache made, so that :func:`clear_caches` reaches them all
_ALL: weakref.WeakSet[BoundedCache[Any]] = weakref.WeakSet()


class BoundedCache(Generic[T]):
    """A thread-safe memo of the ``size`` most recently used values (least recently used go first)."""

    def __init__(self, size: int = 256):
        self.size = size
        self._items: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        _ALL.add(self)

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


def clear_caches() -> None:
    """Forget everything this process keeps: every cache made here and the store's parsed warning
    lists. Nothing is ever stale without this; benchmarks use it for cold timings."""
    for cache in list(_ALL):
        cache.clear()
    clear_read_caches()
