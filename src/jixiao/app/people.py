"""Users and API tokens: add, change, reset a password, create and revoke a token.

Each use case writes its change and its change-log entry in one transaction and commits;
a refusal (:class:`InvalidRequest`, a Chinese message) leaves the database as it was.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from jixiao.app.changes import record_change
from jixiao.app.errors import Forbidden, InvalidRequest, NotFound
from jixiao.model.users import Principal
from jixiao.store.schema import ApiTokenRow, UserRow
from jixiao.store.users import (
    AuthError,
    create_api_token,
    create_user,
    find_user,
    get_user,
    revoke_api_token,
    set_password,
    update_user,
    user_view,
)


@dataclass(frozen=True)
class NewPassword:
    """The password set for ``username``; ``generated`` when jixiao made it (shown once)."""

    username: str
    password: str
    generated: bool


def add_user(db: Session, by: Principal | None, username: str, password: str, role: str, unit: str | None,
             display_name: str | None, *, detail: str | None = None) -> UserRow:
    """A new user (``by``: the administrator, or None for the command line)."""
    try:
        user = create_user(db, username, password, role, unit, display_name)
    except AuthError as exc:
        db.rollback()
        raise InvalidRequest(str(exc)) from exc
    record_change(db, by, "create", "user", user.username, None, user_view(user), detail=detail)
    db.commit()
    return user


def user_by_id(db: Session, user_id: int) -> UserRow:
    user = get_user(db, user_id)
    if user is None:
        raise NotFound("没有这个用户")
    return user


def user_by_name(db: Session, username: str) -> UserRow:
    user = find_user(db, username)
    if user is None:
        raise NotFound(f"没有用户 {username}")
    return user


def change_user(db: Session, by: Principal, user: UserRow, *, role: str | None, unit: str | None,
                active: bool | None) -> None:
    """Change a user's role, unit or whether they may log in."""
    old = user_view(user)
    try:
        update_user(db, user, role=role, unit=unit, active=active)
    except (AuthError, ValueError) as exc:
        db.rollback()
        raise InvalidRequest(str(exc)) from exc
    new = user_view(user)
    if new != old:
        record_change(db, by, "update", "user", user.username, old, new)
    db.commit()


def reset_password(db: Session, by: Principal | None, user: UserRow, password: str | None, *,
                   detail: str | None = None) -> NewPassword:
    """Set ``user``'s password (a generated one when ``password`` is empty); every session of the
    user ends with it and every API token of theirs is revoked."""
    generated = not password
    new_password = password or secrets.token_urlsafe(12)
    name = user.username
    try:
        set_password(db, user, new_password)
    except AuthError as exc:
        db.rollback()
        raise InvalidRequest(str(exc)) from exc
    record_change(db, by, "password", "user", name, detail=detail)
    db.commit()
    return NewPassword(name, new_password, generated)


def new_token(db: Session, by: Principal, name: str, scope: str = "read") -> tuple[str, ApiTokenRow]:
    """A new API token of ``by``'s own, read-only unless ``scope`` is "write" (the token itself is
    shown once). Only a person logged in makes tokens: a token making tokens would outlive its
    own revocation."""
    if by.via_token:
        raise Forbidden("API 令牌不能创建令牌：请登录网页创建")
    user = get_user(db, by.user_id)
    if user is None:  # pragma: no cover - the principal was just loaded
        raise NotFound("用户不存在")
    try:
        token, row = create_api_token(db, user, name, scope)
    except AuthError as exc:
        db.rollback()
        raise InvalidRequest(str(exc)) from exc
    record_change(db, by, "create", "api_token", f"{row.id}", None,
                  {"name": row.name, "prefix": row.prefix, "user": user.username, "scope": row.scope})
    db.commit()
    return token, row


def end_token(db: Session, by: Principal, token_id: int) -> ApiTokenRow | None:
    """Revoke a token of ``by``'s own (an administrator: anyone's). The row, or None when it
    was already revoked; NotFound when ``by`` may not see it."""
    row = db.get(ApiTokenRow, token_id)
    if row is None or (row.user_id != by.user_id and not by.is_admin):
        raise NotFound("没有这个令牌")
    if row.revoked_at is not None:
        return None
    revoke_api_token(db, token_id)
    before: dict[str, Any] = {"name": row.name, "revoked": False}
    record_change(db, by, "revoke", "api_token", f"{row.id}", before, {"name": row.name, "revoked": True})
    db.commit()
    return row


__all__ = ["NewPassword", "add_user", "change_user", "end_token", "new_token", "reset_password", "user_by_id",
           "user_by_name"]
