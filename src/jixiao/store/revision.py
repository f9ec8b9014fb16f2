"""The data revision: one number that changes whenever any unit, record or stored value does.

A web process serves many reads between rare writes. What it derives from the data (the unit
tree, the years, comparison tables, dashboards) it keeps in memory keyed by this number, so a
read costs one indexed lookup of one row instead of re-reading and recomputing — and is never
stale, whichever process or program wrote.

The number lives in the one row of ``data_revision`` and is set to a new random 62-bit value by
database triggers (migrations ``0006``, ``0010``) on every INSERT, UPDATE or DELETE of ``units``,
``fund_years``, ``fund_periods``, ``department_years``, ``projects``, ``indicator_records`` and
``record_warnings`` — so writes by the repository, by ``jixiao db restore`` or by SQL typed by
hand all count. It is random rather than a counter so that a database replaced by an older copy
(a restored backup) cannot come back to a number a process has already seen.

On PostgreSQL (migration ``0011``) a transaction moves it at its first write and again at its
commit, not at every statement: a bulk insert is a statement per row, and updating one row tens
of thousands of times in one transaction is quadratic. A value read between a transaction's
writes is therefore never the committed one.

Sessions, users and the audit log are not data: logging in does not change it.
"""

from __future__ import annotations

import secrets
from typing import ParamSpec, TypeVar

from sqlalchemy import event, text
from sqlalchemy.orm import Session

#: tables whose writes change the revision (the triggers of migration 0006)
WATCHED_TABLES = ("units", "fund_years", "fund_periods", "department_years", "projects", "indicator_records",
                  "record_warnings")
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


def end_read(session: Session) -> None:
    """End ``session``'s transaction, in which it only read, keeping the revision it read: what
    the session does next (the same request's route, after its dependency checked the unit)
    works on the data as they were when the request began, without reading the number again."""
    found = session.info.get(_INFO_KEY)
    session.commit()
    if found is not None:
        session.info[_INFO_KEY] = found


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
