"""Login and logout.

A successful login always starts a NEW session (new random id, new CSRF token) and deletes the
one the browser had, so a session id planted before login is worthless after it. Failed
attempts are counted per (username, address) pair: after 5, each further try waits longer
(:func:`jixiao.store.users.login_wait`, 429 with Retry-After); a refused try does not count.
A busy database is waited for (:mod:`jixiao.app.busy`), then answered 503.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from jixiao.app.busy import with_retry
from jixiao.store.schema import UserRow
from jixiao.store.users import (
    LoginOutcome,
    LoginResult,
    authenticate,
    delete_session,
    new_session,
    principal_of,
    purge_login_attempts,
    purge_sessions,
)
from jixiao.web.deps import DbRoute, DbSession, OptionalPrincipal, auth_context, flash, templates
from jixiao.web.security import client_ip, safe_next

router = APIRouter(route_class=DbRoute, tags=["登录"])

BAD_LOGIN_MESSAGE = "用户名或密码错误"


def throttled_message(seconds: int) -> str:
    wait = f"{seconds} 秒" if seconds < 120 else f"{(seconds + 59) // 60} 分钟"
    return f"这个用户名从您这里登录失败次数过多，请 {wait}后再试（其他用户不受影响）"


def start_user_session(db: Session, request: Request, user: UserRow) -> None:
    """Rotate: delete the browser's current session and start a fresh one for ``user``."""
    ctx = auth_context(request)
    if ctx.session_token and not ctx.new_session:
        delete_session(db, ctx.session_token)
    token, row = new_session(db, user.id)
    ctx.session_token = token
    ctx.csrf = row.csrf_token
    ctx.new_session = False
    ctx.set_cookie = True
    ctx.clear_cookie = False
    ctx.via = "session"
    ctx.flashes_in = []
    ctx.principal = principal_of(user)


def _login_page(request: Request, next_path: str, username: str = "", error: str | None = None,
                status_code: int = 200) -> Response:
    return templates.TemplateResponse(
        request, "auth/login.html",
        {"next": next_path, "username": username, "error": error}, status_code=status_code,
    )


@router.get("/login", include_in_schema=False)
def login_form(request: Request, principal: OptionalPrincipal, next: str | None = None) -> Response:
    target = safe_next(next)
    if principal is not None:
        return RedirectResponse(target, status_code=303)
    return _login_page(request, target)


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    db: DbSession,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    target = safe_next(next)

    def attempt() -> LoginOutcome:
        outcome = authenticate(db, username, password, client_ip(request))
        if outcome.result is LoginResult.ok and outcome.user is not None:
            start_user_session(db, request, outcome.user)
            purge_sessions(db, request.app.state.settings.session_policy)
            purge_login_attempts(db)
        db.commit()
        return outcome

    outcome = with_retry(db, attempt)
    if outcome.result is LoginResult.throttled:
        seconds = max(1, int(outcome.retry_after.total_seconds() + 0.999))
        page = _login_page(request, target, username, throttled_message(seconds), status_code=429)
        page.headers["Retry-After"] = str(seconds)
        return page
    if outcome.result is LoginResult.bad or outcome.user is None:
        return _login_page(request, target, username, BAD_LOGIN_MESSAGE, status_code=400)
    return RedirectResponse(target, status_code=303)


@router.post("/logout", include_in_schema=False)
def logout(request: Request, db: DbSession) -> Response:
    ctx = auth_context(request)
    if ctx.session_token and not ctx.new_session:
        delete_session(db, ctx.session_token)
        db.commit()
    ctx.session_token = None
    ctx.csrf = None
    ctx.principal = None
    ctx.new_session = False
    ctx.set_cookie = False
    ctx.clear_cookie = True
    ctx.flashes_in = []
    flash(request, "已退出登录", "success")
    return RedirectResponse("/login", status_code=303)
