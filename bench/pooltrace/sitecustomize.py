"""Pool trace for ``bench/load.py --trace-pool DIR``: imported by each server process (this folder
is put on its PYTHONPATH). Writes ``DIR/pool.<pid>``: every second the connections checked out,
the checkouts so far and the three oldest with where they were taken; each connection held over
0.5 s with its place. How the pool starvation of issue 12 was found: all connections held by
routes that had finished, while every thread waited for one."""

from __future__ import annotations

import os
import threading
import time
import traceback

_target = os.environ.get("JIXIAO_POOL_TRACE")
if _target:
    from sqlalchemy import event
    from sqlalchemy.pool import Pool

    _held: dict[int, tuple[float, str]] = {}
    _lock = threading.Lock()
    _log = open(os.path.join(_target, f"pool.{os.getpid()}"), "a", buffering=1)  # noqa: SIM115
    _counts = {"checkouts": 0, "long": 0}

    def _where() -> str:
        frames = [f for f in traceback.extract_stack()[:-3] if "/jixiao/" in f.filename]
        return " < ".join(f"{os.path.basename(f.filename)}:{f.lineno}:{f.name}" for f in reversed(frames[-4:]))

    @event.listens_for(Pool, "checkout")
    def _checkout(_dbapi: object, record: object, _proxy: object) -> None:
        with _lock:
            _held[id(record)] = (time.monotonic(), _where())
            _counts["checkouts"] += 1

    @event.listens_for(Pool, "checkin")
    def _checkin(_dbapi: object, record: object) -> None:
        with _lock:
            got = _held.pop(id(record), None)
        if got and time.monotonic() - got[0] > 0.5:
            _counts["long"] += 1
            _log.write(f"{time.time():.3f} HELD {(time.monotonic() - got[0]) * 1000:.0f}ms from {got[1]}\n")

    def _tick() -> None:
        while True:
            time.sleep(1)
            now = time.monotonic()
            with _lock:
                ages = sorted((now - t, w) for t, w in _held.values())
            oldest = [f"{a:.1f}s {w}" for a, w in ages[-3:]]
            _log.write(f"{time.time():.3f} TICK out={len(ages)} checkouts={_counts['checkouts']} "
                       f"long={_counts['long']} oldest={oldest}\n")

    threading.Thread(target=_tick, daemon=True).start()
