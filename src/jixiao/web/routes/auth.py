"""Login and logout.

A successful login always starts a NEW session (new random id, new CSRF token) and deletes the
one the browser had, so a session id planted before login is worthless after it. Failed
attempts are counted per username and per IP: after 5 in 15 minutes logins are refused (429).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from jixiao.store.schema import UserRow
from jixiao.store.users import (
    THROTTLE_WINDOW,
    LoginResult,
    authenticate,
    delete_session,
    new_session,
    principal_of,
    purge_login_attempts,
    purge_sessions,
)
from jixiao.web.deps import DbSession, OptionalPrincipal, auth_context, flash, templates
from jixiao.web.security import client_ip, safe_next

router = APIRouter(tags=["登录"])

THROTTLED_MESSAGE = f"登录失败次数过多，请 {int(THROTTLE_WINDOW.total_seconds() // 60)} 分钟后再试"
BAD_LOGIN_MESSAGE = "用户名或密码错误"


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
    outcome = authenticate(db, username, password, client_ip(request))
    if outcome.result is LoginResult.throttled:
        db.commit()
        return _login_page(request, target, username, THROTTLED_MESSAGE, status_code=429)
    if outcome.result is LoginResult.bad or outcome.user is None:
        db.commit()
        return _login_page(request, target, username, BAD_LOGIN_MESSAGE, status_code=400)
    start_user_session(db, request, outcome.user)
    purge_sessions(db, request.app.state.settings.session_policy)
    purge_login_attempts(db)
    db.commit()
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
