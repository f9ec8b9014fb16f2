"""Users, sessions, API tokens and login throttling (repository functions).

Nothing here commits: the caller owns the transaction, so a change and its change-log entry
(:mod:`jixiao.store.changelog`) are written together or not at all. Secrets are kept only as
hashes: passwords with argon2id (:mod:`argon2`), session ids and API tokens with SHA-256 (they
are 256-bit random values, so a fast hash is enough and lets them be looked up by index).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from jixiao.model.users import Principal, Role
from jixiao.store.schema import ApiTokenRow, LoginAttemptRow, SessionRow, UnitRow, UserRow

# argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): about 35 ms of CPU a login
# here, where argon2-cffi's default (64 MiB, 3 passes, 4 lanes) took 250 ms and made 50 users
# logging in at once a queue of seconds. Hashes made with other parameters still verify and are
# rehashed at the next login (check_needs_rehash).
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
#: verified against when the username is unknown, so both cases take the same time
_DUMMY_HASH = _hasher.hash("jixiao-no-such-user")

MAX_FAILURES = 5
THROTTLE_WINDOW = timedelta(minutes=15)
MIN_PASSWORD = 8
TOKEN_PREFIX = "jx_"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class AuthError(ValueError):
    """A refused user or token operation; the message is one Chinese line."""


def now_utc() -> datetime:
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """SQLite hands datetimes back naive; they were written in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------------------------
# Passwords and users
# --------------------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"密码太短：至少 {MIN_PASSWORD} 个字符")
    if len(password) > 256:
        raise AuthError("密码太长：最多 256 个字符")


def normalise_username(username: str) -> str:
    name = username.strip()
    if not name:
        raise AuthError("用户名不能为空")
    if len(name) > 64:
        raise AuthError("用户名太长：最多 64 个字符")
    if _CONTROL.search(name) or any(c.isspace() for c in name):
        raise AuthError("用户名不能包含空白或控制字符")
    return name


def principal_of(user: UserRow) -> Principal:
    return Principal(user_id=user.id, username=user.username, role=Role(user.role), unit=user.unit)


def _check_role_unit(session: Session, role: Role, unit: str | None) -> str | None:
    if role is Role.admin:
        return unit or None
    if not unit:
        raise AuthError(f"{'单位填报员' if role is Role.operator else '审核员'}必须指定所属单位")
    if session.get(UnitRow, unit) is None:
        raise AuthError(f"没有代码为 {unit} 的单位")
    return unit


def get_user(session: Session, user_id: int) -> UserRow | None:
    return session.get(UserRow, user_id)


def find_user(session: Session, username: str) -> UserRow | None:
    return session.scalar(select(UserRow).where(UserRow.username == username.strip()))


def list_users(session: Session) -> list[UserRow]:
    return list(session.scalars(select(UserRow).order_by(UserRow.username)))


def count_admins(session: Session) -> int:
    return int(session.scalar(
        select(func.count()).select_from(UserRow).where(UserRow.role == Role.admin.value, UserRow.active)
    ) or 0)


def create_user(
    session: Session,
    username: str,
    password: str,
    role: Role | str,
    unit: str | None = None,
    display_name: str | None = None,
) -> UserRow:
    """Add a user (validated: unique name, role, unit exists for operators and reviewers)."""
    name = normalise_username(username)
    try:
        role = Role(role)
    except ValueError as exc:
        raise AuthError(f"未知角色：{role}（可选 admin、operator、reviewer）") from exc
    unit = _check_role_unit(session, role, (unit or "").strip() or None)
    check_password_strength(password)
    if find_user(session, name) is not None:
        raise AuthError(f"用户名 {name} 已存在")
    display = (display_name or "").strip() or None
    if display is not None and (len(display) > 80 or _CONTROL.search(display)):
        raise AuthError("姓名太长或含控制字符")
    user = UserRow(username=name, password_hash=hash_password(password), role=role.value, unit=unit,
                   display_name=display, active=True, created_at=now_utc())
    session.add(user)
    session.flush()
    return user


def update_user(session: Session, user: UserRow, *, role: Role | str | None = None,
                unit: str | None = None, active: bool | None = None) -> None:
    """Change a user's role, unit or active flag; a disabled user's sessions and tokens stop at once."""
    new_role = Role(role) if role is not None else Role(user.role)
    new_unit = _check_role_unit(session, new_role, unit if unit is not None else user.unit)
    demoted = new_role is not Role.admin or active is False
    if user.role == Role.admin.value and user.active and demoted and count_admins(session) <= 1:
        raise AuthError("不能停用或降级最后一个管理员")
    user.role = new_role.value
    user.unit = new_unit
    if active is not None:
        user.active = active
        if not active:
            session.execute(delete(SessionRow).where(SessionRow.user_id == user.id))
    session.flush()


def set_password(session: Session, user: UserRow, password: str) -> None:
    """New password; every session of the user ends (they log in again)."""
    check_password_strength(password)
    user.password_hash = hash_password(password)
    session.execute(delete(SessionRow).where(SessionRow.user_id == user.id))
    session.flush()


def user_view(user: UserRow) -> dict[str, Any]:
    """What the audit log records of a user (never the password hash)."""
    return {"username": user.username, "role": user.role, "unit": user.unit,
            "display_name": user.display_name, "active": user.active}


# --------------------------------------------------------------------------------------------
# Login and throttling
# --------------------------------------------------------------------------------------------


class LoginResult(StrEnum):
    ok = "ok"
    bad = "bad"
    throttled = "throttled"


@dataclass(frozen=True)
class LoginOutcome:
    result: LoginResult
    user: UserRow | None = None


def recent_failures(session: Session, username: str, ip: str, now: datetime | None = None) -> tuple[int, int]:
    """Failed attempts in the throttle window: (for this username since its last success, from this IP)."""
    now = now or now_utc()
    since = now - THROTTLE_WINDOW
    last_ok = session.scalar(
        select(func.max(LoginAttemptRow.at)).where(
            LoginAttemptRow.username == username, LoginAttemptRow.success, LoginAttemptRow.at >= since
        )
    )
    user_since = max(since, aware(last_ok)) if last_ok is not None else since
    by_user = session.scalar(
        select(func.count()).select_from(LoginAttemptRow).where(
            LoginAttemptRow.username == username, ~LoginAttemptRow.success, LoginAttemptRow.at >= user_since
        )
    ) or 0
    by_ip = session.scalar(
        select(func.count()).select_from(LoginAttemptRow).where(
            LoginAttemptRow.ip == ip, ~LoginAttemptRow.success, LoginAttemptRow.at >= since
        )
    ) or 0
    return int(by_user), int(by_ip)


def authenticate(session: Session, username: str, password: str, ip: str,
                 now: datetime | None = None) -> LoginOutcome:
    """Check a login. After :data:`MAX_FAILURES` failures for the username or the IP within
    :data:`THROTTLE_WINDOW` every attempt is refused without looking at the password."""
    now = now or now_utc()
    name = username.strip()[:64]
    ip = ip[:64]
    by_user, by_ip = recent_failures(session, name, ip, now)
    if by_user >= MAX_FAILURES or by_ip >= MAX_FAILURES:
        session.add(LoginAttemptRow(at=now, username=name, ip=ip, success=False))
        return LoginOutcome(LoginResult.throttled)
    user = find_user(session, name) if name else None
    if user is None or not user.active:
        verify_password(_DUMMY_HASH, password)
        ok = False
    else:
        ok = verify_password(user.password_hash, password)
    session.add(LoginAttemptRow(at=now, username=name, ip=ip, success=ok))
    if not ok or user is None:
        return LoginOutcome(LoginResult.bad)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return LoginOutcome(LoginResult.ok, user)


def purge_login_attempts(session: Session, now: datetime | None = None) -> None:
    now = now or now_utc()
    session.execute(delete(LoginAttemptRow).where(LoginAttemptRow.at < now - 2 * THROTTLE_WINDOW))


# --------------------------------------------------------------------------------------------
# Sessions
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionPolicy:
    """How long sessions live: idle and absolute limits (anonymous ones only idle, shorter)."""

    idle: timedelta = timedelta(hours=2)
    absolute: timedelta = timedelta(hours=12)
    anonymous_idle: timedelta = timedelta(hours=1)
    touch_every: timedelta = timedelta(seconds=60)


def new_session(session: Session, user_id: int | None, now: datetime | None = None) -> tuple[str, SessionRow]:
    """A fresh session: returns the cookie value (shown only here) and the row."""
    now = now or now_utc()
    token = secrets.token_urlsafe(32)
    row = SessionRow(id_hash=sha256_hex(token), user_id=user_id, csrf_token=secrets.token_urlsafe(32),
                     created_at=now, last_seen_at=now, flashes=None)
    session.add(row)
    session.flush()
    return token, row


def session_expired(row: SessionRow, policy: SessionPolicy, now: datetime) -> bool:
    idle = policy.idle if row.user_id is not None else policy.anonymous_idle
    if now - aware(row.last_seen_at) > idle:
        return True
    return row.user_id is not None and now - aware(row.created_at) > policy.absolute


def load_session(session: Session, token: str, policy: SessionPolicy,
                 now: datetime | None = None) -> SessionRow | None:
    """The live session for a cookie value, or None (an expired one is deleted)."""
    if not token or len(token) > 200:
        return None
    now = now or now_utc()
    row = session.get(SessionRow, sha256_hex(token))
    if row is None:
        return None
    if session_expired(row, policy, now):
        session.delete(row)
        return None
    if now - aware(row.last_seen_at) > policy.touch_every:
        row.last_seen_at = now
    return row


def delete_session(session: Session, token: str) -> None:
    session.execute(delete(SessionRow).where(SessionRow.id_hash == sha256_hex(token)))


def purge_sessions(session: Session, policy: SessionPolicy, now: datetime | None = None) -> int:
    now = now or now_utc()
    result = session.execute(delete(SessionRow).where(or_(
        SessionRow.last_seen_at < now - policy.idle,
        SessionRow.created_at < now - policy.absolute,
        (SessionRow.user_id.is_(None)) & (SessionRow.last_seen_at < now - policy.anonymous_idle),
    )))
    return int(getattr(result, "rowcount", 0) or 0)


# --------------------------------------------------------------------------------------------
# API tokens
# --------------------------------------------------------------------------------------------


def create_api_token(session: Session, user: UserRow, name: str) -> tuple[str, ApiTokenRow]:
    """A new token for ``user``: the clear value is returned once and never stored."""
    label = name.strip()
    if not label or len(label) > 80 or _CONTROL.search(label):
        raise AuthError("令牌名称不能为空，最多 80 个字符")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiTokenRow(user_id=user.id, name=label, token_hash=sha256_hex(token), prefix=token[:10],
                      created_at=now_utc())
    session.add(row)
    session.flush()
    return token, row


def resolve_api_token(session: Session, token: str, now: datetime | None = None) -> UserRow | None:
    """The active user behind a live token, or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = session.scalar(select(ApiTokenRow).where(ApiTokenRow.token_hash == sha256_hex(token)))
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(UserRow, row.user_id)
    if user is None or not user.active:
        return None
    now = now or now_utc()
    if row.last_used_at is None or now - aware(row.last_used_at) > timedelta(minutes=1):
        row.last_used_at = now
    return user


def list_api_tokens(session: Session, user_id: int | None = None) -> list[ApiTokenRow]:
    query = select(ApiTokenRow).order_by(ApiTokenRow.created_at.desc(), ApiTokenRow.id.desc())
    if user_id is not None:
        query = query.where(ApiTokenRow.user_id == user_id)
    return list(session.scalars(query))


def revoke_api_token(session: Session, token_id: int) -> ApiTokenRow | None:
    row = session.get(ApiTokenRow, token_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = now_utc()
        session.flush()
    return row
