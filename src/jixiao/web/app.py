"""The FastAPI application: a thin shell over the library and the store.

``create_app(database_url)`` opens (and migrates) the database, mounts ``/static`` (every asset
is local: no CDN), installs the authentication middleware (session cookie or API token →
``request.state.auth``), the app-wide CSRF check, security headers, error pages, and includes
the routers of :mod:`jixiao.web.routes` (``pages`` and ``api`` when those modules exist).
"""

from __future__ import annotations

import gc
import json
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from anyio import to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jixiao.app.busy import is_busy
from jixiao.app.errors import AppError, Busy, Conflict, Forbidden, NotFound, NotNow
from jixiao.model.users import Principal
from jixiao.store.auth_cache import AUTH_CACHE, session_key, token_key
from jixiao.store.db import commit_if_free, open_database, session_factory
from jixiao.store.schema import SessionRow, UserRow
from jixiao.store.users import (
    SessionPolicy,
    aware,
    load_session,
    now_utc,
    principal_of,
    resolve_api_token,
    sha256_hex,
)
from jixiao.web import language
from jixiao.web.deps import (
    STATIC_DIR,
    AuthContext,
    LoginRequired,
    csrf_protect,
    is_api,
    templates,
)
from jixiao.web.language import chinese_detail
from jixiao.web.routes import admin, api, auth, docs, exports, pages, uploads, workflow
from jixiao.web.security import CSRF_COOKIE, FLASH_COOKIE, SESSION_COOKIE, BodyLimitMiddleware, is_https

#: Content Security Policy: scripts only from this site (no inline scripts, no eval).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


#: threads per process for routes (and the database pool is sized to them): with anyio's 40, under
#: load 40 threads fought over the GIL; requests beyond these wait on the event loop, holding
#: nothing (a route's connection goes back when it returns: :class:`jixiao.web.deps.DbRoute`)
THREADS = 8

#: room for the multipart envelope and the other form fields on top of the largest upload
BODY_OVERHEAD = 1024 * 1024


@dataclass
class WebSettings:
    """How the app runs, from the environment:

    ``JIXIAO_SECURE_COOKIES`` auto (Secure when the request is https) | always | never;
    ``JIXIAO_TRUST_PROXY=1`` (https known from X-Forwarded-Proto); ``JIXIAO_SESSION_IDLE_MINUTES``
    (default 120), ``JIXIAO_SESSION_MAX_HOURS`` (default 12); ``JIXIAO_MAX_UPLOAD_MB`` (default 20);
    ``JIXIAO_SECRET_KEY`` (kept for signing needs of the pages; sessions are server-side and
    need no key)."""

    database_url: str | None = None
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    secure_cookies: str = "auto"
    trust_forwarded_proto: bool = False
    session_policy: SessionPolicy = field(default_factory=SessionPolicy)
    max_upload_bytes: int = 20 * 1024 * 1024
    csp: str = CSP
    #: threads a process runs routes (and their database sessions) in at once
    threads: int = THREADS

    @classmethod
    def from_env(cls, database_url: str | None, secret_key: str | None) -> WebSettings:
        settings = cls(database_url=database_url)
        key = secret_key or os.environ.get("JIXIAO_SECRET_KEY")
        if key:
            settings.secret_key = key
        mode = os.environ.get("JIXIAO_SECURE_COOKIES", "auto").strip().lower()
        settings.secure_cookies = mode if mode in ("auto", "always", "never") else "auto"
        settings.trust_forwarded_proto = os.environ.get("JIXIAO_TRUST_PROXY", "") in ("1", "true", "yes")
        idle = os.environ.get("JIXIAO_SESSION_IDLE_MINUTES", "").strip()
        absolute = os.environ.get("JIXIAO_SESSION_MAX_HOURS", "").strip()
        if idle.isdigit() and int(idle) > 0:
            settings.session_policy = replace(settings.session_policy, idle=timedelta(minutes=int(idle)))
        if absolute.isdigit() and int(absolute) > 0:
            settings.session_policy = replace(settings.session_policy, absolute=timedelta(hours=int(absolute)))
        threads = os.environ.get("JIXIAO_THREADS", "").strip()
        if threads.isdigit() and int(threads) > 0:
            settings.threads = int(threads)
        limit = os.environ.get("JIXIAO_MAX_UPLOAD_MB", "").strip()
        if limit.isdigit() and int(limit) > 0:
            settings.max_upload_bytes = int(limit) * 1024 * 1024
        return settings


# --------------------------------------------------------------------------------------------
# Authentication middleware (runs the database work in the thread pool)
# --------------------------------------------------------------------------------------------


def _commit_if_free(db: Session) -> None:
    """Commit bookkeeping (a session's or token's last use) only if the database is free now: a
    long import holding SQLite's write lock must not make every page wait for a timestamp."""
    try:
        if commit_if_free(db):
            return
    except OperationalError as exc:
        db.rollback()
        if not is_busy(exc):
            raise
        return
    db.rollback()


@dataclass(frozen=True)
class _KeptSession:
    """What a stored session without flash messages says, kept for a few seconds (:mod:`jixiao.store.auth_cache`)."""

    csrf: str
    principal: Principal | None
    display_name: str | None
    user_id: int | None
    created_at: datetime


def _kept(policy: SessionPolicy, authorization: str | None, cookie: str | None,
          flash_marker: str | None) -> AuthContext | None:
    """Who is asking, from what this process kept of the token or session a moment ago (no
    database, no thread); None when nothing is kept (or flash messages may be waiting)."""
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "bearer":
            return None
        principal = AUTH_CACHE.get(token_key(sha256_hex(value.strip())))
        return AuthContext(principal=principal, via="token") if principal is not None else None
    if not cookie or flash_marker or len(cookie) > 200:
        return None
    kept: _KeptSession | None = AUTH_CACHE.get(session_key(sha256_hex(cookie)))
    if kept is None or (kept.user_id is not None and now_utc() - aware(kept.created_at) > policy.absolute):
        return None
    return AuthContext(principal=kept.principal, via="session", session_token=cookie, csrf=kept.csrf,
                       display_name=kept.display_name)


def _resolve(factory: sessionmaker[Session], policy: SessionPolicy, authorization: str | None,
             cookie: str | None, anonymous_csrf: str | None, flash_marker: str | None = None) -> AuthContext:
    ctx = AuthContext()
    if authorization or cookie:
        with factory() as db:
            if authorization:
                scheme, _, value = authorization.partition(" ")
                if scheme.lower() == "bearer":
                    ctx.via = "token"
                    ctx.principal = resolve_api_token(db, value.strip())
                    _commit_if_free(db)
                    if ctx.principal is not None:
                        AUTH_CACHE.put(token_key(sha256_hex(value.strip())), ctx.principal)
                    return ctx
            if cookie:
                _resolve_session(db, policy, cookie, ctx, flash_marker)
    if ctx.csrf is None and anonymous_csrf and 20 <= len(anonymous_csrf) <= 100:
        # not logged in and no stored session: the login form's CSRF token is a cookie
        # (double submit), so showing the form writes nothing to the database
        ctx.csrf = anonymous_csrf
    return ctx


def _resolve_session(db: Session, policy: SessionPolicy, cookie: str, ctx: AuthContext,
                     flash_marker: str | None) -> None:
    row = load_session(db, cookie, policy)
    if row is None:
        ctx.clear_cookie = True
    else:
        with db.no_autoflush:  # the session's last use is written by _commit_if_free, if free
            user = db.get(UserRow, row.user_id) if row.user_id is not None else None
        if row.user_id is not None and (user is None or not user.active):
            db.delete(row)
            ctx.clear_cookie = True
        else:
            ctx.via = "session"
            ctx.session_token = cookie
            ctx.csrf = row.csrf_token
            ctx.flashes_in = list(row.flashes or [])
            if user is not None:
                ctx.principal = principal_of(user)
                ctx.display_name = user.display_name
            if not ctx.flashes_in:
                ctx.clear_flash_marker = bool(flash_marker)
                AUTH_CACHE.put(session_key(row.id_hash), _KeptSession(
                    row.csrf_token, ctx.principal, ctx.display_name, row.user_id, row.created_at))
    _commit_if_free(db)


def _finish_needed(ctx: AuthContext) -> bool:
    """Whether the request changed anything :func:`_finish` stores (most requests change nothing)."""
    if ctx.via == "token":
        return False
    return bool(ctx.flashes_out or (ctx.flashes_shown and ctx.flashes_in))


def _finish(factory: sessionmaker[Session], ctx: AuthContext) -> None:
    """Store what the request changed in its session: flash messages (for someone not logged in,
    in a session made only now, when there is a message to keep)."""
    if not _finish_needed(ctx):
        return
    if ctx.flashes_out and ctx.session_token is None:
        ctx.start_session()
    remaining = ([] if ctx.flashes_shown else list(ctx.flashes_in)) + list(ctx.flashes_out)
    # a session with messages waiting is read from the store, not from what a process kept of it:
    # the browser says so with a cookie, whichever process serves its next page
    ctx.set_flash_marker = bool(remaining)
    ctx.clear_flash_marker = not remaining
    with factory() as db:
        if ctx.new_session:
            now = now_utc()
            assert ctx.session_token is not None and ctx.csrf is not None
            db.add(SessionRow(id_hash=sha256_hex(ctx.session_token), user_id=None, csrf_token=ctx.csrf,
                              created_at=now, last_seen_at=now, flashes=remaining or None))
        elif ctx.session_token is not None:
            row = db.get(SessionRow, sha256_hex(ctx.session_token))
            if row is not None:
                row.flashes = remaining or None
        db.commit()


class AuthMiddleware:
    """Who is asking (session cookie or API token, resolved in the thread pool) for every request
    but static files; what the request changed in its session stored; cookies and security
    headers set. A plain ASGI middleware: Starlette's ``BaseHTTPMiddleware`` (``@app.middleware``)
    costs a task group and two memory streams per request — a good part of a small answer's CPU."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if request.url.path.startswith("/static/"):
            async def send_static(message: Message) -> None:
                if message["type"] == "http.response.start":
                    MutableHeaders(scope=message).setdefault("X-Content-Type-Options", "nosniff")
                await send(message)
            await self.app(scope, receive, send_static)
            return
        fastapi_app = scope["app"]
        settings: WebSettings = fastapi_app.state.settings
        factory = fastapi_app.state.sessionmaker
        authorization, cookies = request.headers.get("authorization"), request.cookies
        cookie, marker = cookies.get(SESSION_COOKIE), cookies.get(FLASH_COOKIE)
        ctx = _kept(settings.session_policy, authorization, cookie, marker)
        if ctx is None and not (authorization or cookie):  # nobody logged in: nothing to read
            ctx = _resolve(factory, settings.session_policy, None, None, cookies.get(CSRF_COOKIE))
        if ctx is None:
            ctx = await run_in_threadpool(_resolve, factory, settings.session_policy, authorization, cookie,
                                          cookies.get(CSRF_COOKIE), marker)
        request.state.auth = ctx  # kept in scope["state"]: the routes' requests see it

        async def send_with_auth(message: Message) -> None:
            if message["type"] == "http.response.start":
                if _finish_needed(ctx):
                    try:
                        await run_in_threadpool(_finish, factory, ctx)
                    except OperationalError as exc:  # flash messages are not worth a 500 on a busy database
                        if not is_busy(exc):
                            raise
                _finish_headers(MutableHeaders(scope=message), ctx,
                                settings.secure_cookies == "always" or (
                                    settings.secure_cookies == "auto"
                                    and is_https(request, settings.trust_forwarded_proto)), settings.csp)
            await send(message)

        await self.app(scope, receive, send_with_auth)


def _finish_headers(headers: MutableHeaders, ctx: AuthContext, secure: bool, csp: str) -> None:
    """The cookies the request set or cleared and the security headers, on its response."""
    cookies = Response()
    if ctx.set_cookie and ctx.session_token:
        cookies.set_cookie(SESSION_COOKIE, ctx.session_token, httponly=True, samesite="lax", secure=secure, path="/")
    elif ctx.clear_cookie:
        cookies.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=secure)
    if ctx.set_flash_marker:
        cookies.set_cookie(FLASH_COOKIE, "1", httponly=True, samesite="lax", secure=secure, path="/")
    elif ctx.clear_flash_marker:
        cookies.delete_cookie(FLASH_COOKIE, path="/", httponly=True, samesite="lax", secure=secure)
    if ctx.set_csrf_cookie and ctx.csrf:
        cookies.set_cookie(CSRF_COOKIE, ctx.csrf, httponly=True, samesite="lax", secure=secure, path="/")
    for name, value in cookies.raw_headers:
        if name == b"set-cookie":
            headers.append("set-cookie", value.decode("latin-1"))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Content-Security-Policy", csp)
    if ctx.principal is not None or ctx.session_token is not None:
        headers.setdefault("Cache-Control", "no-store")


# --------------------------------------------------------------------------------------------
# Errors: JSON for the API, a Chinese page for browsers
# --------------------------------------------------------------------------------------------


def _wants_html(request: Request) -> bool:
    return not is_api(request) and "text/html" in request.headers.get("accept", "text/html")


def _error_page(request: Request, status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    if not _wants_html(request):
        return Response(json.dumps({"detail": detail}, ensure_ascii=False), status_code=status,
                        media_type="application/json", headers=headers)
    return templates.TemplateResponse(request, "error.html", {"status": status, "detail": detail},
                                      status_code=status, headers=headers)


def _install_error_handlers(app: FastAPI) -> None:
    """A use case's refusal is a 4xx with its Chinese sentence; a busy database is 503 with
    Retry-After — never a 500."""

    @app.exception_handler(AppError)
    async def app_error(request: Request, exc: AppError) -> Response:
        if isinstance(exc, Conflict):
            if not _wants_html(request):
                return Response(json.dumps(exc.as_json(), ensure_ascii=False, default=str), status_code=409,
                                media_type="application/json")
            return _error_page(request, 409, str(exc))
        if isinstance(exc, Busy):
            return _error_page(request, 503, str(exc), {"Retry-After": str(exc.retry_after)})
        status = (404 if isinstance(exc, NotFound) else 403 if isinstance(exc, Forbidden)
                  else 409 if isinstance(exc, NotNow) else 422)
        return _error_page(request, status, str(exc))

    @app.exception_handler(OperationalError)
    async def database_busy(request: Request, exc: OperationalError) -> Response:
        if not is_busy(exc):
            raise exc
        return _error_page(request, 503, "数据库正忙（可能有人正在导入大量数据），请稍后再试；本次操作未做任何修改",
                           {"Retry-After": "10"})

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": exc.next_path})
        return RedirectResponse(exc.next_path, status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = chinese_detail(exc.status_code, exc.detail)  # never the framework's "Not Found"
        if not _wants_html(request):
            return await http_exception_handler(request, StarletteHTTPException(exc.status_code, detail,
                                                                                getattr(exc, "headers", None)))
        return templates.TemplateResponse(
            request, "error.html", {"status": exc.status_code, "detail": detail},
            status_code=exc.status_code, headers=getattr(exc, "headers", None),
        )


# --------------------------------------------------------------------------------------------
# The app
# --------------------------------------------------------------------------------------------

#: objects allocated (net) between two collections of the youngest generation: Python's 700 made a
#: page render (tens of thousands of short-lived objects) run it dozens of times and promote its
#: temporaries, which then made the full collections come round every few seconds
GC_YOUNG = 20_000


def serve_app() -> FastAPI:
    """:func:`create_app` for a ``jixiao serve`` worker, which keeps one app for its whole life:
    everything the app is made of (modules, schemas, templates: ~230,000 objects) is frozen out
    of the garbage collector's walks, and the youngest generation is collected less often. Under
    load, full collections of the whole heap took up to a second each, holding every request of
    the process (a worker spent 13 s in them in 75 s)."""
    app = create_app()
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(GC_YOUNG, older, oldest)
    return app



def create_app(database_url: str | None = None, *, secret_key: str | None = None,
               engine: Engine | None = None) -> FastAPI:
    """The web application on ``database_url`` (default: :func:`jixiao.store.database_url`)."""
    settings = WebSettings.from_env(database_url, secret_key)
    # a connection for each route thread (each holds at most one, only while it runs), and as
    # many again for the authentication middleware's and anything else's: nobody waits for one
    engine = engine or open_database(database_url, pool_size=settings.threads)
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        to_thread.current_default_thread_limiter().total_tokens = settings.threads
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="医保绩效 jixiao",
        description="医保基金与部门预算绩效自评：单位、数据、指标、预警、评分、报告与审核。"
                    "API 用 `Authorization: Bearer <令牌>` 认证（令牌在“管理 → API 令牌”创建）。",
        version="1",
        dependencies=[Depends(csrf_protect)],
        docs_url=None, redoc_url=None,  # /docs is served from local assets (routes/docs.py)
    )
    app.state.engine = engine
    app.state.sessionmaker = session_factory(engine)
    app.state.settings = settings
    app.state.templates = templates

    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    app.add_middleware(AuthMiddleware)
    # outermost: refuse oversized bodies before they are parsed or spooled to disk
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_upload_bytes + BODY_OVERHEAD)
    _install_error_handlers(app)
    language.install(app)

    for routes in (auth, admin, pages, exports, api, workflow, uploads, docs):
        app.include_router(routes.router)
    return app
