"""Administration (admins only, except each user's own API tokens): users (create, change role
and unit, disable and enable, reset password), units (create, edit), rule sets (read), API
tokens (create — shown once — and revoke), the change log (read only: no route changes it; a
readable, filtered and paged table, and its JSON twin ``/api/changes``).

Every change is a use case of :mod:`jixiao.app` (change and change-log entry in one transaction).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from jixiao.app.errors import Forbidden, InvalidRequest, NotFound
from jixiao.app.pages.changelog import ChangeLog, change_log
from jixiao.app.people import add_user, change_user, end_token, new_token, reset_password, user_by_id
from jixiao.app.units import save_unit
from jixiao.model.units import Level, UnitKind
from jixiao.model.users import ROLE_LABEL, Role
from jixiao.rules import RuleSetError, available_rulesets, citation_text, load_ruleset
from jixiao.store.schema import UnitRow, UserRow
from jixiao.store.users import (
    TOKEN_SCOPE_LABEL,
    list_api_tokens,
    list_users,
)
from jixiao.web.deps import AdminPrincipal, CurrentPrincipal, DbRoute, DbSession, flash, templates

router = APIRouter(route_class=DbRoute, tags=["管理"])

Text = Annotated[str, Form()]


def _back(path: str) -> Response:
    return RedirectResponse(path, status_code=303)


def _units(db: DbSession) -> list[UnitRow]:
    return list(db.scalars(select(UnitRow).order_by(UnitRow.code)))


# --------------------------------------------------------------------------------------------
# Users
# --------------------------------------------------------------------------------------------


@router.get("/admin", include_in_schema=False)
def admin_home(principal: AdminPrincipal) -> Response:
    return _back("/admin/users")


@router.get("/admin/users", include_in_schema=False)
def users_page(request: Request, principal: AdminPrincipal, db: DbSession) -> Response:
    return templates.TemplateResponse(request, "admin/users.html", {
        "users": list_users(db), "units": _units(db), "roles": list(Role), "role_labels": ROLE_LABEL,
        "section": "users",
    })


@router.post("/admin/users", include_in_schema=False)
def user_create(
    request: Request, principal: AdminPrincipal, db: DbSession,
    username: Text = "", password: Text = "", role: Text = "", unit: Text = "", display_name: Text = "",
) -> Response:
    try:
        user = add_user(db, principal, username, password, role, unit or None, display_name or None)
    except InvalidRequest as exc:
        flash(request, f"未能添加用户：{exc}", "error")
        return _back("/admin/users")
    flash(request, f"已添加用户 {user.username}", "success")
    return _back("/admin/users")


def _user_or_404(db: DbSession, user_id: int) -> UserRow:
    try:
        return user_by_id(db, user_id)
    except NotFound as exc:
        raise HTTPException(404, detail=str(exc)) from exc


@router.post("/admin/users/{user_id}/update", include_in_schema=False)
def user_update(
    request: Request, user_id: int, principal: AdminPrincipal, db: DbSession,
    role: Text = "", unit: Text = "", active: Text = "",
) -> Response:
    user = _user_or_404(db, user_id)
    name = user.username
    try:
        change_user(db, principal, user, role=role or None, unit=unit if role else None,
                    active={"1": True, "0": False}.get(active))
    except InvalidRequest as exc:
        flash(request, f"未能修改用户：{exc}", "error")
        return _back("/admin/users")
    flash(request, f"已修改用户 {name}", "success")
    return _back("/admin/users")


@router.post("/admin/users/{user_id}/password", include_in_schema=False)
def user_password(
    request: Request, user_id: int, principal: AdminPrincipal, db: DbSession, password: Text = "",
) -> Response:
    user = _user_or_404(db, user_id)
    try:
        done = reset_password(db, principal, user, password)
    except InvalidRequest as exc:
        flash(request, f"未能重设密码：{exc}", "error")
        return _back("/admin/users")
    return templates.TemplateResponse(request, "admin/password_set.html", {
        "username": done.username, "password": done.password if done.generated else None, "section": "users",
    })


# --------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------


def _unit_form(code: str, name: str, level: str, kind: str, parent: str, region: str) -> dict[str, Any]:
    return {"code": code.strip(), "name": name.strip(), "level": level, "kind": kind,
            "parent": parent.strip() or None, "region": region.strip() or None}


@router.get("/admin/units", include_in_schema=False)
def units_page(request: Request, principal: AdminPrincipal, db: DbSession) -> Response:
    return templates.TemplateResponse(request, "admin/units.html", {
        "units": _units(db), "levels": list(Level), "kinds": list(UnitKind), "section": "units",
        "ruleset_titles": {name: load_ruleset(name).title for name in available_rulesets()},
    })


def _save_unit(request: Request, principal: AdminPrincipal, db: DbSession, fields: dict[str, Any],
               existing: UnitRow | None) -> Response:
    try:
        unit = save_unit(db, principal, fields, existing)
    except InvalidRequest as exc:
        flash(request, str(exc), "error")
        return _back("/admin/units")
    flash(request, f"已{'修改' if existing else '添加'}单位 {unit.name}（{unit.code}）", "success")
    return _back("/admin/units")


@router.post("/admin/units", include_in_schema=False)
def unit_create(
    request: Request, principal: AdminPrincipal, db: DbSession,
    code: Text = "", name: Text = "", level: Text = "", kind: Text = "", parent: Text = "", region: Text = "",
) -> Response:
    fields = _unit_form(code, name, level, kind, parent, region)
    if fields["code"] and db.get(UnitRow, fields["code"]) is not None:
        flash(request, f"单位代码 {fields['code']} 已存在", "error")
        return _back("/admin/units")
    return _save_unit(request, principal, db, fields, None)


@router.post("/admin/units/{code}/update", include_in_schema=False)
def unit_update(
    request: Request, code: str, principal: AdminPrincipal, db: DbSession,
    name: Text = "", level: Text = "", kind: Text = "", parent: Text = "", region: Text = "",
) -> Response:
    existing = db.get(UnitRow, code)
    if existing is None:
        raise HTTPException(404, detail="没有这个单位")
    fields = {**existing.doc, **_unit_form(code, name, level, kind, parent, region)}
    return _save_unit(request, principal, db, fields, existing)


# --------------------------------------------------------------------------------------------
# Rule sets (read only: they ship with jixiao as YAML)
# --------------------------------------------------------------------------------------------


@router.get("/admin/rules", include_in_schema=False)
def rules_page(request: Request, principal: AdminPrincipal) -> Response:
    sets: list[dict[str, Any]] = []
    for name in available_rulesets():
        try:
            rs = load_ruleset(name)
            parent = load_ruleset(rs.extends).title if rs.extends else None
            rules = [("警示", r.name, r.code, citation_text(r.citation)) for r in rs.warnings]
            rules += [("评分", r.name, "", citation_text(r.citation)) for r in rs.scoring]
            sets.append({"name": name, "title": rs.title, "region": rs.region, "version": rs.version,
                         "extends": parent, "description": rs.description, "rules": rules,
                         "warnings": len(rs.warnings), "scoring": len(rs.scoring), "error": None})
        except RuleSetError as exc:
            sets.append({"name": name, "error": str(exc)})
    return templates.TemplateResponse(request, "admin/rules.html", {"sets": sets, "section": "rules"})


# --------------------------------------------------------------------------------------------
# Audit log (read only)
# --------------------------------------------------------------------------------------------


def day_or_none(text: str, what: str) -> date | None:
    """A date typed into the filter (2024-05-01); 422 in Chinese for anything else."""
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise HTTPException(422, detail=f"{what}“{text[:20]}”不是日期（应写成 2024-05-01）") from None


def _change_log(db: DbSession, entity: str, action: str, user: str, unit: str, since: str, until: str,
                page: int) -> ChangeLog:
    return change_log(db, entity=entity.strip() or None, action=action.strip() or None, user=user.strip() or None,
                      unit=unit.strip() or None, since=day_or_none(since, "起始日期"),
                      until=day_or_none(until, "截止日期"), page=max(1, min(page, 100_000)))


@router.get("/admin/audit", include_in_schema=False)
def audit_page(request: Request, principal: AdminPrincipal, db: DbSession, entity: str = "", action: str = "",
               user: str = "", unit: str = "", since: str = "", until: str = "", page: int = 1) -> Response:
    log = _change_log(db, entity, action, user, unit, since, until, page)
    query = urlencode({k: v for k, v in (("entity", log.entity), ("action", log.action), ("user", log.user),
                                         ("unit", log.unit), ("since", log.since), ("until", log.until)) if v})
    return templates.TemplateResponse(request, "admin/audit.html", {"log": log, "query": query, "section": "audit"})


@router.get("/api/changes", response_model=ChangeLog, tags=["管理"],
            summary="修改记录（仅管理员）：谁在何时改了什么，逐项原值与新值（北京时间），可筛选、分页")
def api_changes(
    principal: AdminPrincipal, db: DbSession,
    entity: Annotated[str, Query(max_length=40, description="对象类别：figure、fund_year、unit、user…")] = "",
    action: Annotated[str, Query(max_length=40, description="操作：create、update、import…")] = "",
    user: Annotated[str, Query(max_length=64, description="用户名")] = "",
    unit: Annotated[str, Query(max_length=40, description="单位代码：该单位及其数据的记录")] = "",
    since: Annotated[date | None, Query(description="起始日期（北京时间，含）")] = None,
    until: Annotated[date | None, Query(description="截止日期（北京时间，含）")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> ChangeLog:
    return change_log(db, entity=entity.strip() or None, action=action.strip() or None, user=user.strip() or None,
                      unit=unit.strip() or None, since=since, until=until, page=page)


# --------------------------------------------------------------------------------------------
# API tokens: every user manages their own; an admin sees and may revoke all
# --------------------------------------------------------------------------------------------


@router.get("/tokens", include_in_schema=False)
def tokens_page(request: Request, principal: CurrentPrincipal, db: DbSession) -> Response:
    tokens = list_api_tokens(db, None if principal.is_admin else principal.user_id)
    owners = {u.id: u.username for u in list_users(db)} if principal.is_admin else {
        principal.user_id: principal.username}
    return templates.TemplateResponse(request, "admin/tokens.html", {
        "tokens": tokens, "owners": owners, "new_token": None, "section": "tokens", "scopes": TOKEN_SCOPE_LABEL,
    })


@router.post("/tokens", include_in_schema=False)
def token_create(request: Request, principal: CurrentPrincipal, db: DbSession, name: Text = "",
                 scope: Text = "read") -> Response:
    try:
        token, row = new_token(db, principal, name, scope)
    except InvalidRequest as exc:
        flash(request, f"未能创建令牌：{exc}", "error")
        return _back("/tokens")
    except (NotFound, Forbidden) as exc:
        raise HTTPException(403, detail=str(exc)) from exc
    tokens = list_api_tokens(db, None if principal.is_admin else principal.user_id)
    owners = {u.id: u.username for u in list_users(db)} if principal.is_admin else {
        principal.user_id: principal.username}
    return templates.TemplateResponse(request, "admin/tokens.html", {
        "tokens": tokens, "owners": owners, "new_token": token, "new_name": row.name, "section": "tokens",
        "scopes": TOKEN_SCOPE_LABEL, "new_scope": row.scope,
    })


@router.post("/tokens/{token_id}/revoke", include_in_schema=False)
def token_revoke(request: Request, token_id: int, principal: CurrentPrincipal, db: DbSession) -> Response:
    try:
        row = end_token(db, principal, token_id)
    except NotFound as exc:
        raise HTTPException(404, detail=str(exc)) from exc
    if row is not None:
        flash(request, f"已吊销令牌 {row.name}", "success")
    return _back("/tokens")
