"""Administration: users (create, role and unit, disable, reset password), units, rule sets,
API tokens, the audit log. Every change is written with its audit record in one transaction.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from jixiao.web.deps import AdminPrincipal

router = APIRouter(tags=["管理"])


@router.get("/admin", include_in_schema=False)
def admin_home(request: Request, principal: AdminPrincipal) -> Response:
    return RedirectResponse("/admin/users", status_code=303)
