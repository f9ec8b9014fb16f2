"""``/docs``: the API's Swagger UI, served from this site's own files (``static/vendor``, fetched
by ``scripts/fetch-web-assets.py``) so the Content-Security-Policy (scripts from this site only,
nothing inline) lets it run; ``static/js/docs.js`` starts it on ``/openapi.json``. For people who
are logged in, like every page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from jixiao.web.deps import CurrentPrincipal, DbRoute, templates

router = APIRouter(route_class=DbRoute, include_in_schema=False)


@router.get("/docs")
def api_docs(request: Request, principal: CurrentPrincipal) -> Response:
    return templates.TemplateResponse(request, "docs.html", {})


__all__ = ["router"]
