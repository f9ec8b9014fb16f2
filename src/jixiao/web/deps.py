"""What every route depends on: the database session, who is asking, permissions, CSRF, audit.

How a request is authenticated (set up by the middleware in :mod:`jixiao.web.app`, before any
route runs) is in ``request.state.auth`` (:class:`AuthContext`):

- ``Authorization: Bearer <token>`` → the API token's user (``via="token"``; CSRF does not apply,
  since a browser never sends that header on its own; an invalid token is simply not logged in);
- else the ``jixiao_session`` cookie → a server-side session row (``via="session"``), which may
  belong to nobody yet (made only to keep a message for the next page, e.g. after logging out);
- someone not logged in and without such a row gets the login form's CSRF token as a cookie
  (``jixiao_csrf``, double submit): showing the login page writes nothing to the database.

Routes use:

- ``db: DbSession`` (``get_db``) — commit explicitly; anything not committed is rolled back;
  its connection is handed back when the route returns (every router uses :class:`DbRoute`);
  ``async`` routes do their database work through :func:`in_thread`;
- ``principal: CurrentPrincipal`` (``current_principal``) — HTML: redirect to
  ``/login?next=...``, ``/api/...``: 401 JSON; ``OptionalPrincipal``; ``AdminPrincipal``
  (``require_admin``, 403 for others);
- ``row: ReadableUnit`` / ``row: EditableUnit`` for routes with a ``{unit}`` path parameter
  (``readable_unit`` / ``editable_unit``), or :func:`require_read` / :func:`require_edit` with a code in hand:
  404 for a unit the principal may not read (its existence is not revealed), 403 for a unit it
  may read but not edit (the rules are :mod:`jixiao.app.access`);
- CSRF is checked for every POST/PUT/PATCH/DELETE of the whole app (:func:`csrf_protect` is an
  app-wide dependency): forms carry ``<input type="hidden" name="csrf_token" value="{{
  csrf_token(request) }}">``, HTMX and fetch send the ``X-CSRF-Token`` header (base.html sets it);
- :func:`jixiao.app.changes.record_change` appends to the change log in the caller's transaction;
- :func:`flash` queues a message shown on the next page rendered from base.html.
"""

from __future__ import annotations

import functools
import hmac
import inspect
import os
import secrets
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

import jinja2
from fastapi import Depends, HTTPException, Request
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from jixiao.app import access
from jixiao.app.errors import Forbidden, NotFound
from jixiao.app.units import UnitRef
from jixiao.model.users import ROLE_LABEL, Principal, Role
from jixiao.store.revision import end_read
from jixiao.store.users import sha256_hex
from jixiao.web.security import CSRF_FIELD, CSRF_HEADER, safe_next

WEB_DIR = Path(__file__).resolve().parent
TEMPLATE_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"

T = TypeVar("T")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


# --------------------------------------------------------------------------------------------
# Request authentication state
# --------------------------------------------------------------------------------------------


@dataclass
class AuthContext:
    """Who is asking and the session's state, for one request."""

    principal: Principal | None = None
    via: str | None = None  # "session" | "token" | None
    session_token: str | None = None  # the cookie value of the current session
    csrf: str | None = None
    flashes_in: list[dict[str, str]] = field(default_factory=list)  # stored, to show now
    flashes_shown: bool = False
    flashes_out: list[dict[str, str]] = field(default_factory=list)  # to show on the next page
    new_session: bool = False  # session_token made in memory; the middleware stores it
    set_cookie: bool = False
    clear_cookie: bool = False
    set_csrf_cookie: bool = False  # csrf made in this request for someone not logged in: sent as a cookie
    display_name: str | None = None
    set_flash_marker: bool = False  # flash messages stored: the browser is told (FLASH_COOKIE)
    clear_flash_marker: bool = False

    def start_anonymous(self) -> None:
        """A CSRF token for someone not logged in, kept in a cookie (nothing stored)."""
        self.csrf = secrets.token_urlsafe(32)
        self.set_csrf_cookie = True

    def start_session(self) -> None:
        """A stored session for someone not logged in, made only to keep flash messages."""
        self.session_token = secrets.token_urlsafe(32)
        self.csrf = self.csrf or secrets.token_urlsafe(32)
        self.via = "session"
        self.new_session = True
        self.set_cookie = True

    @property
    def session_id_hash(self) -> str | None:
        return sha256_hex(self.session_token) if self.session_token else None


def auth_context(request: Request) -> AuthContext:
    ctx = getattr(request.state, "auth", None)
    if ctx is None:  # a request that did not pass the middleware (should not happen)
        ctx = AuthContext()
        request.state.auth = ctx
    return ctx


# --------------------------------------------------------------------------------------------
# Database
# --------------------------------------------------------------------------------------------


async def get_db(request: Request) -> AsyncIterator[Session]:
    """One SQLAlchemy session per request; uncommitted changes are rolled back at the end.

    ``async`` only so that FastAPI opens it on the event loop instead of sending it to the thread
    pool (making a session does no I/O). Its connection goes back to the pool as soon as the route
    returns (:class:`DbRoute`), not here: FastAPI leaves this only after the response is sent."""
    factory = request.app.state.sessionmaker
    with factory() as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise


def release(db: Session) -> None:
    """Hand the session's connection back to the pool now (anything not committed is rolled back;
    loaded rows stay readable, detached). The session can be used again: it then checks out anew."""
    db.close()


def _sessions(values: Mapping[str, Any]) -> list[Session]:
    return [v for v in values.values() if isinstance(v, Session)]


def releasing(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """``endpoint`` that releases its database session when it returns or raises, in the thread
    that ran it. Otherwise the connection stayed checked out while FastAPI waited for a thread to
    serialize the answer and while it was sent: under load every connection belonged to a request
    waiting for a thread while every thread waited for a connection (30 s, then 500)."""
    if inspect.iscoroutinefunction(endpoint):
        @functools.wraps(endpoint)
        async def async_route(*args: Any, **kwargs: Any) -> Any:
            try:
                return await endpoint(*args, **kwargs)
            finally:
                for db in _sessions(kwargs):
                    release(db)
        return async_route

    @functools.wraps(endpoint)
    def route(*args: Any, **kwargs: Any) -> Any:
        try:
            return endpoint(*args, **kwargs)
        finally:
            for db in _sessions(kwargs):
                release(db)
    return route


class DbRoute(APIRoute):
    """Every route of the app: its database session released as soon as it returns (:func:`releasing`)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, releasing(endpoint), **kwargs)


async def in_thread(db: Session, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``work(*args, **kwargs)`` in the thread pool, for ``async`` routes; ``db``'s connection is
    released in that thread before the route awaits anything else (never held across an await).
    Released by a rollback, which keeps rows attached: one read in a transaction ended so is
    expired and read again if touched (take what the route needs from its rows beforehand)."""
    def call() -> T:
        try:
            return work(*args, **kwargs)
        finally:
            db.rollback()
    return await run_in_threadpool(call)


# --------------------------------------------------------------------------------------------
# Who is asking
# --------------------------------------------------------------------------------------------


class LoginRequired(Exception):
    """Raised for an HTML page that needs a login; the app answers with a redirect."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def is_api(request: Request) -> bool:
    path = request.url.path
    return path == "/api" or path.startswith("/api/")


def login_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?next=" + quote(safe_next(target), safe="/")


# who is asking was resolved by the middleware: these read request.state, so they are ``async``
# and run on the event loop (a sync dependency costs a trip through the thread pool per request)
async def optional_principal(request: Request) -> Principal | None:
    return auth_context(request).principal


async def current_principal(request: Request) -> Principal:
    principal = auth_context(request).principal
    if principal is not None:
        return principal
    if is_api(request):
        raise HTTPException(401, detail="未登录或令牌无效", headers={"WWW-Authenticate": "Bearer"})
    raise LoginRequired(login_url(request))


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
DbSession = Annotated[Session, Depends(get_db)]


async def require_admin(principal: CurrentPrincipal) -> Principal:
    if not principal.is_admin:
        raise HTTPException(403, detail="仅管理员可以访问")
    return principal


def require_read(db: Session, principal: Principal, unit_code: str) -> UnitRef:
    """The unit row if ``principal`` may read it; 404 otherwise (also for units that do not exist)."""
    try:
        return access.require_read(db, principal, unit_code)
    except NotFound as exc:
        raise HTTPException(404, detail=str(exc)) from exc


def require_edit(db: Session, principal: Principal, unit_code: str) -> UnitRef:
    """The unit row if ``principal`` may change its data; 404 if unreadable, 403 if read-only."""
    try:
        return access.require_edit(db, principal, unit_code)
    except NotFound as exc:
        raise HTTPException(404, detail=str(exc)) from exc
    except Forbidden as exc:
        raise HTTPException(403, detail=str(exc)) from exc


def readable_unit(unit: str, principal: CurrentPrincipal, db: DbSession) -> UnitRef:
    """Dependency for routes with a ``{unit}`` path parameter: the unit, readable by the caller."""
    return _released(db, require_read(db, principal, unit))


def editable_unit(unit: str, principal: CurrentPrincipal, db: DbSession) -> UnitRef:
    """Dependency for routes that change a ``{unit}``'s data."""
    return _released(db, require_edit(db, principal, unit))


def _released(db: Session, row: UnitRef) -> UnitRef:
    """End the dependency's read so its connection goes back to the pool: a sync dependency and
    its route are two trips to the thread pool, and a request must not hold a connection while it
    waits for the second. Nothing was written; the row stays loaded (no expiry on commit), and
    the data revision read stays the request's (one read of it, not one per trip)."""
    end_read(db)
    return row


AdminPrincipal = Annotated[Principal, Depends(require_admin)]
ReadableUnit = Annotated[UnitRef, Depends(readable_unit)]
EditableUnit = Annotated[UnitRef, Depends(editable_unit)]


# --------------------------------------------------------------------------------------------
# CSRF
# --------------------------------------------------------------------------------------------


def csrf_token(request: Request) -> str:
    """The CSRF token of the current session (an anonymous session is started when needed)."""
    ctx = auth_context(request)
    if ctx.via == "token":
        return ""
    if ctx.csrf is None:
        ctx.start_anonymous()
    assert ctx.csrf is not None
    return ctx.csrf


async def csrf_protect(request: Request) -> None:
    """Refuse an unsafe method of a cookie session without the session's CSRF token (403).

    The token comes from the ``X-CSRF-Token`` header or the ``csrf_token`` form field and is
    compared in constant time. Requests authenticated by an API token are exempt.
    """
    if request.method in SAFE_METHODS:
        return
    ctx = auth_context(request)
    if ctx.via == "token":
        _token_may_change(request, ctx)
        return
    expected = None if ctx.new_session or ctx.set_csrf_cookie else ctx.csrf
    supplied = request.headers.get(CSRF_HEADER)
    if not supplied:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            try:
                form = await request.form()
            except Exception:  # malformed body: no token
                form = None
            value = form.get(CSRF_FIELD) if form is not None else None
            supplied = value if isinstance(value, str) else None
    if not expected or not supplied or not hmac.compare_digest(expected.encode(), supplied.encode()):
        raise HTTPException(403, detail="安全校验失败（CSRF）：请刷新页面后重试")


#: what an API token may never do, whatever its scope: manage users, units or tokens (a token
#: minting tokens would outlive its own revocation)
TOKEN_FORBIDDEN_PREFIXES = ("/tokens", "/admin")


def _token_may_change(request: Request, ctx: AuthContext) -> None:
    """An unsafe method through an API token: refused for a read-only token, and for any token
    on the management pages."""
    path = request.url.path
    if any(path == p or path.startswith(p + "/") for p in TOKEN_FORBIDDEN_PREFIXES):
        raise HTTPException(403, detail="API 令牌不能创建或吊销令牌、不能管理用户和单位：请登录网页操作")
    if ctx.principal is not None and ctx.principal.read_only:
        raise HTTPException(403, detail="只读令牌不能修改数据：请用读写令牌")


# --------------------------------------------------------------------------------------------
# Flash messages and the audit log
# --------------------------------------------------------------------------------------------


def flash(request: Request, message: str, category: str = "info") -> None:
    """Queue a message for the next page (category: info, success, warning, error)."""
    auth_context(request).flashes_out.append({"message": message, "category": category})


def get_flashed_messages(request: Request) -> list[dict[str, str]]:
    """Messages stored for this page (and those queued by this very request); shown once."""
    ctx = auth_context(request)
    ctx.flashes_shown = True
    shown = list(ctx.flashes_in) + list(ctx.flashes_out)
    ctx.flashes_out = []
    return shown


# --------------------------------------------------------------------------------------------
# Templates
# --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def static_exists(path: str) -> bool:
    """Whether ``/static/<path>`` exists (base.html includes vendor scripts only when present);
    asked on every page, answered once per process (the assets are installed before it starts)."""
    target = (STATIC_DIR / path).resolve()
    return target.is_relative_to(STATIC_DIR) and target.is_file()


def _principal_in(request: Request) -> Principal | None:
    return auth_context(request).principal


def _role_label(role: str | Role) -> str:
    try:
        return ROLE_LABEL[Role(role)]
    except ValueError:
        return str(role)


_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
    autoescape=True,  # every template, whatever its extension
    undefined=jinja2.ChainableUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    # templates ship inside the package and change only with it: no stat() of every template file
    # on every render (JIXIAO_TEMPLATE_RELOAD=1 while editing them)
    auto_reload=os.environ.get("JIXIAO_TEMPLATE_RELOAD") == "1",
)
templates = Jinja2Templates(env=_env)


def _pretty_json(value: Any) -> str:
    """JSON for people (Chinese kept readable); autoescaping makes it safe in HTML."""
    import json

    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True, default=str)


def _shown_and_hidden(indicators: list[Any]) -> tuple[list[Any], list[Any]]:
    """A record's indicators shown in its table (a value, or a warning without one) and those
    folded away, each in their order: in Python, where the template's selectattr/rejectattr
    chains were a fifth of a dashboard's rendering."""
    shown_ids = {i.id for i in indicators if i.value is not None or i.warning}
    return [i for i in indicators if i.id in shown_ids], [i for i in indicators if i.id not in shown_ids]


def _formula_html(i: Any) -> Markup:
    """An indicator's 公式 panel on the dashboard (name = formula, the figures put in, why it is not
    computable, the document it rests on, a note), escaped; what the template's macro made, in
    Python: 115 macro calls were a good part of a dashboard's rendering."""
    out = [f'<details class="formula"><summary>公式</summary>\n        <p><strong>{escape(i.name)}</strong> = '
           f'{escape(i.formula)}</p>\n']
    if i.inputs:
        out.append("<p>代入：" + "；".join(f"{escape(k)} {escape(v)}" for k, v in i.inputs.items()) + "</p>")
    if i.reason:
        out.append(f'<p class="muted">{escape(i.reason)}</p>')
    if i.basis:
        out.append(f'<p class="muted">依据：{escape(i.basis)}</p>')
    if i.note:
        out.append(f'<p class="muted">{escape(i.note)}</p>')
    out.append("      </details>")
    return Markup("".join(out))


templates.env.filters["pretty_json"] = _pretty_json
templates.env.filters["shown_and_hidden"] = _shown_and_hidden
templates.env.globals.update(
    csrf_token=csrf_token,
    csrf_field=CSRF_FIELD,
    csrf_header=CSRF_HEADER,
    get_flashed_messages=get_flashed_messages,
    principal_of=_principal_in,
    role_label=_role_label,
    static_exists=static_exists,
    formula_html=_formula_html,
    app_title="医保绩效",
)
