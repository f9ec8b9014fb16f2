"""Pages whose main content is rendered once per data revision.

A dashboard's content block (115 indicators, warnings, checks, scores) takes longer to render
than everything else the request does once its data is cached. That block depends only on the
data and on what the template is given, never on who is asking beyond what the caller puts in
``key`` (for example whether the user may edit the unit) — the CSRF token, the user's name and
flash messages are in ``base.html``, outside it. So it is rendered once per ``key`` and data
revision (:mod:`jixiao.app.cache`) and the page around it is rendered per request.

The content is captured during an ordinary full render (a wrapper template that extends the page
and keeps ``{{ super() }}`` of its ``content`` block), so everything the page template does at its
top level (imports of macros, ``set``) works as it would uncached.

A block may leave holes for what changes more often than the data: ``{{ _jx_hole(name) }}`` in
the template marks one, the kept block keeps the marks, and each request fills them
(``holes``). A roll-up's table is the same until the data moves, but each review of a
subordinate changes its 报送状态 column: the table is rendered once, the column filled per request.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from jixiao.app.cache import RevisionCache

_WRAPPERS: dict[tuple[int, str], jinja2.Template] = {}

# ``_jx_kept`` is None when nothing is kept yet: render the page's own block and hand it to ``_jx_keep``
_WRAPPER = (
    '{{% extends {name!r} %}}'
    '{{% block content %}}{{% if _jx_kept is none %}}'
    '{{% set _jx_body %}}{{{{ super() }}}}{{% endset %}}{{{{ _jx_keep(_jx_body) }}}}'
    '{{% else %}}{{{{ _jx_kept }}}}{{% endif %}}{{% endblock %}}'
)


#: a hole's mark: its number between two private-use characters and this process's random token,
#: so that no text in the data can be taken for one
_TOKEN = secrets.token_hex(8)
_OPEN, _CLOSE = f"\ue000{_TOKEN}:", "\ue001"
_MARK = re.compile(f"{_OPEN}(\\d+){_CLOSE}")


@dataclass(frozen=True)
class Kept:
    """A rendered content block and the names of its holes, in the order of their numbers."""

    body: Markup
    holes: tuple[str, ...] = ()

    def filled(self, fill: Mapping[str, str]) -> Markup:
        if not self.holes:
            return self.body
        return Markup(_MARK.sub(lambda m: fill.get(self.holes[int(m.group(1))], ""), self.body))


_CONTENT: RevisionCache[Kept] = RevisionCache(size=2048)


@dataclass(frozen=True)
class Stored:
    """Where a block is kept beyond this process (the database): asked before rendering it, and
    given what was rendered. The caller's key for it must name everything the block shows."""

    read: Callable[[], str | None]
    keep: Callable[[str], None]


def _wrapper(env: jinja2.Environment, name: str) -> jinja2.Template:
    key = (id(env), name)
    found = _WRAPPERS.get(key)
    if found is None:
        found = _WRAPPERS[key] = env.from_string(_WRAPPER.format(name=name))
    return found


def render_cached_content(request: Request, db: Session, name: str, key: Hashable, context: dict[str, Any],
                          content_context: Callable[[], dict[str, Any]], status_code: int = 200, *,
                          holes: Callable[[], Mapping[str, str]] | None = None,
                          stored: Stored | None = None) -> Response:
    """The page ``name``; its ``content`` block taken from the cache when this ``key`` was
    rendered at the current data revision. ``context`` is what the page needs outside that block
    (its title); ``content_context()`` what the block needs, asked for only when it is rendered.
    ``key`` must name everything the block shows that is not the data itself (the caller's
    permissions, the query) and not in a hole; ``holes()`` gives each hole's HTML (escaped: it is
    put in as it is), asked for on every request. ``stored``: a block this process has not
    rendered yet is first asked for there, and a block rendered here is kept there (without holes)."""
    templates = request.app.state.templates
    fill = holes() if holes is not None else {}
    names: list[str] = []
    made: list[Kept] = []

    def hole(hole_name: str) -> Markup:
        names.append(hole_name)
        return Markup(f"{_OPEN}{len(names) - 1}{_CLOSE}")

    def keep(body: Markup) -> Markup:
        # the block as rendered, with its holes' marks: kept so, and shown filled
        block = Kept(body, tuple(names))
        made.append(block)
        return block.filled(fill)

    cache_key = (name, key)
    found = _CONTENT.peek(db, cache_key)
    if found is None and stored is not None:
        html = stored.read()
        if html is not None:
            found = Kept(Markup(html))
            _CONTENT.keep(db, cache_key, found)
    if found is None:
        context = {**context, **content_context()}
    response: Response = templates.TemplateResponse(
        request, _wrapper(templates.env, name),
        {**context, "_jx_kept": found.filled(fill) if found is not None else None, "_jx_keep": keep,
         "_jx_hole": hole}, status_code=status_code)
    if found is None and made and made[0].body.count(_OPEN) == len(names):
        _CONTENT.keep(db, cache_key, made[0])
        if stored is not None and not names:
            stored.keep(str(made[0].body))
    return response


def render_cached_fragment(request: Request, db: Session, name: str, key: Hashable,
                           context: Callable[[], dict[str, Any]]) -> Response:
    """A template without a page around it (an htmx fragment), rendered once per ``key`` and
    data revision; the same rules for ``key`` as :func:`render_cached_content`."""
    templates = request.app.state.templates

    def make() -> Kept:
        return Kept(Markup(templates.env.get_template(name).render({"request": request, **context()})))

    return HTMLResponse(_CONTENT.get_or_make(db, ("fragment", name, key), make).body)


def clear() -> None:
    _CONTENT.clear()
