"""Uploads between their preview and their confirmation, and the workbook imports made on the web.

A previewed upload is kept server-side (``pending_imports``) — in the database, so that any
worker process can confirm it — under the SHA-256 of a random token the preview page holds, tied
to the user who uploaded it, with the unit-year versions it was previewed against. It is bounded
(:data:`PER_USER` per user, the oldest dropped; the upload size limit applies before) and
expires (:data:`LIFETIME`); expired ones are dropped whenever a new one is kept.

An imported workbook is kept as a row of ``workbook_imports``: the versions it made and the
records it replaced, which an undo restores. Nothing here commits.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from jixiao.store.schema import PendingImportRow, WorkbookImportRow
from jixiao.store.users import now_utc
from jixiao.store.versions import UnitYear

#: how long a preview may wait for its confirmation
LIFETIME = timedelta(minutes=30)
#: previews one user may have waiting at once (a new one drops the oldest)
PER_USER = 3


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def keep_pending(session: Session, *, user_id: int, unit: str, filename: str, data: bytes,
                 versions: Mapping[UnitYear, int], now: datetime | None = None) -> tuple[str, PendingImportRow]:
    """Keep an upload for its confirmation; the token that names it (only its digest is stored)."""
    now = now or now_utc()
    session.execute(delete(PendingImportRow).where(PendingImportRow.expires_at < now))
    mine = list(session.scalars(select(PendingImportRow).where(PendingImportRow.user_id == user_id)
                                .order_by(PendingImportRow.created_at.desc())))
    for old in mine[PER_USER - 1:]:
        session.delete(old)
    token = secrets.token_urlsafe(32)
    row = PendingImportRow(id_hash=_hash(token), user_id=user_id, unit=unit, filename=filename[:300],
                           sha256=hashlib.sha256(data).hexdigest(), data=data,
                           versions=[[u, y, v] for (u, y), v in sorted(versions.items())],
                           created_at=now, expires_at=now + LIFETIME)
    session.add(row)
    session.flush()
    return token, row


def find_pending(session: Session, token: str, user_id: int, now: datetime | None = None) -> PendingImportRow | None:
    """The upload ``token`` names, if it is this user's and has not expired."""
    if not token or len(token) > 200:
        return None
    row = session.get(PendingImportRow, _hash(token))
    if row is None or row.user_id != user_id or _aware(row.expires_at) < (now or now_utc()):
        return None
    return row


def drop_pending(session: Session, row: PendingImportRow) -> None:
    session.delete(row)
    session.flush()


def pending_versions(row: PendingImportRow) -> dict[UnitYear, int]:
    return {(str(u), int(y)): int(v) for u, y, v in row.versions}


def record_import(session: Session, *, user_id: int | None, username: str, unit: str, filename: str, sha256: str,
                  made: Mapping[UnitYear, int], replaced: Sequence[Mapping[str, Any]],
                  now: datetime | None = None) -> WorkbookImportRow:
    row = WorkbookImportRow(at=now or now_utc(), user_id=user_id, username=username[:64], unit=unit,
                            filename=filename[:300], sha256=sha256,
                            made={f"{u}/{y}": v for (u, y), v in sorted(made.items())}, replaced=list(replaced))
    session.add(row)
    session.flush()
    return row


def made_versions(row: WorkbookImportRow) -> dict[UnitYear, int]:
    out: dict[UnitYear, int] = {}
    for key, version in (row.made or {}).items():
        unit, _, year = str(key).rpartition("/")
        out[(unit, int(year))] = int(version)
    return out


def recent_imports(session: Session, unit: str, limit: int = 20) -> list[WorkbookImportRow]:
    return list(session.scalars(select(WorkbookImportRow).where(WorkbookImportRow.unit == unit)
                                .order_by(WorkbookImportRow.id.desc()).limit(limit)))


__all__ = ["LIFETIME", "PER_USER", "drop_pending", "find_pending", "keep_pending", "made_versions",
           "pending_versions", "recent_imports", "record_import"]
