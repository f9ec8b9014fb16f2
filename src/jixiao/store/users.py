"""Users, sessions, API tokens and login throttling (repository functions).

Nothing here commits: the caller owns the transaction, so a change and its change-log entry
(:mod:`jixiao.store.changelog`) are written together or not at all. Secrets are kept only as
hashes: passwords with argon2id (:mod:`argon2`), session ids and API tokens with SHA-256 (they
are 256-bit random values, so a fast hash is enough and lets them be looked up by index).

Passwords are judged by zxcvbn (PyPI ``zxcvbn``, the Python port of Dropbox's estimator, kept
up to date): it knows the lists of the most common passwords and words and sees keyboard rows,
repeats, sequences and dates, so "12345678", "aaaaaaaa" or "password123" are refused for what
they are, not only for their length.

Login throttling is per (username, address) pair with growing delays: one person mistyping in
a county office slows only their own name from that address, someone elsewhere cannot keep
another user out, and a refused (throttled) try is not counted as a failure.
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
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from jixiao.model.users import Principal, Role
from jixiao.store.auth_cache import forget_on_commit, session_key
from jixiao.store.schema import ApiTokenRow, LoginAttemptRow, SessionRow, UnitRow, UserRow

# argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): about 35 ms of CPU a login
# here, where argon2-cffi's default (64 MiB, 3 passes, 4 lanes) took 250 ms and made 50 users
# logging in at once a queue of seconds. Hashes made with other parameters still verify and are
# rehashed at the next login (check_needs_rehash).
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
#: verified against when the username is unknown, so both cases take the same time
_DUMMY_HASH = _hasher.hash("jixiao-no-such-user")

#: failures of one username from one address before each further try has to wait
FREE_FAILURES = 5
#: the first wait, doubled with each further failure, up to MAX_DELAY
FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(minutes=15)
#: failures are remembered this long (and always until the pair's next success)
FAILURE_MEMORY = timedelta(hours=24)
#: failures from one address, any usernames, in THROTTLE_WINDOW after which usernames that never
#: logged in from there are slowed too (someone trying many names); those that did are not
ADDRESS_FAILURES = 30
THROTTLE_WINDOW = timedelta(minutes=15)
#: how long a successful login is remembered, making its (username, address) a known pair
SUCCESS_MEMORY = timedelta(days=90)
MIN_PASSWORD = 10
#: zxcvbn's score (0–4) a password needs: 3 = "safely unguessable", about 10^8 guesses or more
MIN_PASSWORD_SCORE = 3
TOKEN_PREFIX = "jx_"


class TokenScope(StrEnum):
    """What an API token may do: read only, or read and change data."""

    read = "read"
    write = "write"


TOKEN_SCOPE_LABEL = {TokenScope.read: "只读", TokenScope.write: "读写"}
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


_WEAKNESS = {
    "dictionary": "含常用密码或常见单词",
    "spatial": "是键盘上相邻的一串键",
    "repeat": "是重复的字符",
    "sequence": "是连续的字母或数字",
    "date": "是日期",
    "regex": "是年份等有规律的写法",
}


def check_password_strength(password: str, user_inputs: tuple[str | None, ...] = ()) -> None:
    """Refuse a short password or one zxcvbn can guess (``user_inputs``: the user's own name,
    unit and so on, which a password must not lean on)."""
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"密码太短：至少 {MIN_PASSWORD} 个字符")
    if len(password) > 256:
        raise AuthError("密码太长：最多 256 个字符")
    from zxcvbn import zxcvbn  # its word lists load on first use, not at every start

    result = zxcvbn(password[:100], user_inputs=[u for u in user_inputs if u])
    if int(result["score"]) >= MIN_PASSWORD_SCORE:
        return
    matches = sorted(result.get("sequence") or [], key=lambda m: len(m.get("token", "")), reverse=True)
    why = next((_WEAKNESS[m["pattern"]] for m in matches if m.get("pattern") in _WEAKNESS), "太简单")
    if any(m.get("pattern") == "dictionary" and m.get("dictionary_name") == "user_inputs" for m in matches):
        why = "含用户名、姓名或单位"
    raise AuthError(f"密码太容易被猜到（{why}）：请用更长、不常见的组合，如几个不相干的词加数字")


def normalise_username(username: str) -> str:
    name = username.strip()
    if not name:
        raise AuthError("用户名不能为空")
    if len(name) > 64:
        raise AuthError("用户名太长：最多 64 个字符")
    if _CONTROL.search(name) or any(c.isspace() for c in name):
        raise AuthError("用户名不能包含空白或控制字符")
    return name


def principal_of(user: UserRow, scope: TokenScope | None = None) -> Principal:
    """The principal of ``user``: logged in (``scope`` None) or through a token of ``scope``."""
    return Principal(user_id=user.id, username=user.username, role=Role(user.role), unit=user.unit,
                     token_scope=scope.value if scope is not None else None)


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
    check_password_strength(password, (name, display_name, unit))
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
    forget_on_commit(session)  # what the user may do changes: no process keeps the old answer long
    user.role = new_role.value
    user.unit = new_unit
    if active is not None:
        user.active = active
        if not active:
            end_sessions_and_tokens(session, user)
    session.flush()


def end_sessions_and_tokens(session: Session, user: UserRow) -> None:
    """Every session of ``user`` ends and every token is revoked — for good: enabling the user
    again, or the old password coming back, revives none of them."""
    forget_on_commit(session)
    session.execute(delete(SessionRow).where(SessionRow.user_id == user.id))
    session.execute(update(ApiTokenRow).where(ApiTokenRow.user_id == user.id, ApiTokenRow.revoked_at.is_(None))
                    .values(revoked_at=now_utc()))


def set_password(session: Session, user: UserRow, password: str) -> None:
    """New password; every session of the user ends and every API token is revoked (whoever
    held the old password may have made one)."""
    check_password_strength(password, (user.username, user.display_name, user.unit))
    user.password_hash = hash_password(password)
    end_sessions_and_tokens(session, user)
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
    #: throttled: how long until the next try is looked at
    retry_after: timedelta = timedelta(0)


def failure_delay(failures: int) -> timedelta:
    """How long a try must wait after ``failures`` failures in a row: none for the first
    :data:`FREE_FAILURES`, then :data:`FIRST_DELAY` doubling with each, at most :data:`MAX_DELAY`."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(FIRST_DELAY * (2 ** min(failures - FREE_FAILURES, 20)), MAX_DELAY)


def _failures(session: Session, since: datetime, *conditions: Any) -> tuple[int, datetime | None]:
    row = session.execute(
        select(func.count(), func.max(LoginAttemptRow.at)).where(
            ~LoginAttemptRow.success, LoginAttemptRow.at >= since, *conditions)
    ).one()
    return int(row[0] or 0), aware(row[1]) if row[1] is not None else None


def login_wait(session: Session, username: str, ip: str, now: datetime | None = None) -> timedelta:
    """How long a login of ``username`` from ``ip`` has to wait (0: it is looked at now)."""
    now = now or now_utc()
    pair = (LoginAttemptRow.username == username, LoginAttemptRow.ip == ip)
    last_ok = session.scalar(select(func.max(LoginAttemptRow.at)).where(*pair, LoginAttemptRow.success))
    last_ok = aware(last_ok) if last_ok is not None else None
    since = max(now - FAILURE_MEMORY, last_ok) if last_ok is not None else now - FAILURE_MEMORY
    failures, last = _failures(session, since, *pair)
    wait = failure_delay(failures) - (now - last) if last is not None else timedelta(0)
    if last_ok is None or last_ok < now - SUCCESS_MEMORY:
        # a name never used from here: slowed too when this address tries many names
        by_ip, last_ip = _failures(session, now - THROTTLE_WINDOW, LoginAttemptRow.ip == ip)
        if by_ip >= ADDRESS_FAILURES and last_ip is not None:
            wait = max(wait, failure_delay(by_ip - ADDRESS_FAILURES + FREE_FAILURES) - (now - last_ip))
    return max(wait, timedelta(0))


def authenticate(session: Session, username: str, password: str, ip: str,
                 now: datetime | None = None) -> LoginOutcome:
    """Check a login. A pair (username, address) with failures behind it waits
    (:func:`login_wait`): a try before its time is refused without looking at the password and
    is not recorded, so waiting out the delay always works."""
    now = now or now_utc()
    name = username.strip()[:64]
    ip = ip[:64]
    wait = login_wait(session, name, ip, now)
    if wait > timedelta(0):
        return LoginOutcome(LoginResult.throttled, retry_after=wait)
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
    session.execute(delete(LoginAttemptRow).where(or_(
        (~LoginAttemptRow.success) & (LoginAttemptRow.at < now - FAILURE_MEMORY),
        LoginAttemptRow.at < now - SUCCESS_MEMORY,
    )))


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
    forget_on_commit(session, session_key(sha256_hex(token)))
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


def create_api_token(session: Session, user: UserRow, name: str,
                     scope: TokenScope | str = TokenScope.read) -> tuple[str, ApiTokenRow]:
    """A new token for ``user`` (read only unless ``scope`` says write): the clear value is
    returned once and never stored."""
    label = name.strip()
    if not label or len(label) > 80 or _CONTROL.search(label):
        raise AuthError("令牌名称不能为空，最多 80 个字符")
    try:
        scope = TokenScope(scope)
    except ValueError as exc:
        raise AuthError("令牌权限只能是 read（只读）或 write（读写）") from exc
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiTokenRow(user_id=user.id, name=label, token_hash=sha256_hex(token), prefix=token[:10],
                      created_at=now_utc(), scope=scope.value)
    session.add(row)
    session.flush()
    return token, row


def resolve_api_token(session: Session, token: str, now: datetime | None = None) -> Principal | None:
    """Who a live token acts as (its user, with the token's scope), or None."""
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
    return principal_of(user, scope=TokenScope(row.scope))


def list_api_tokens(session: Session, user_id: int | None = None) -> list[ApiTokenRow]:
    query = select(ApiTokenRow).order_by(ApiTokenRow.created_at.desc(), ApiTokenRow.id.desc())
    if user_id is not None:
        query = query.where(ApiTokenRow.user_id == user_id)
    return list(session.scalars(query))


def revoke_api_token(session: Session, token_id: int) -> ApiTokenRow | None:
    row = session.get(ApiTokenRow, token_id)
    if row is not None and row.revoked_at is None:
        forget_on_commit(session)
        row.revoked_at = now_utc()
        session.flush()
    return row
