"""Who may read and change which unit's data (used by the web app and any multi-user shell).

Three roles: an **admin** manages users, units and rule sets and may do everything; a
**unit operator** reads and edits only their own unit, and submits its years for review; a
**reviewer** reads every unit in their region's subtree of the unit tree (their region unit and
all its descendants), edits no data, and approves or returns the submitted years of any unit in
that subtree (:func:`can_review`; an admin may too). Everything not granted here is denied. A
read-only API token reads what its user may read and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import cast

from sqlalchemy.orm import Session

from jixiao.app.errors import Forbidden, NotFound
from jixiao.app.units import UnitRef, unit_table
from jixiao.model import Unit
from jixiao.model.users import Principal, Role


def parents_of(units: Iterable[Unit]) -> dict[str, str | None]:
    return {u.code: u.parent for u in units}


def is_within(code: str, root: str, parents: Mapping[str, str | None]) -> bool:
    """True when ``code`` is ``root`` or one of its descendants in the unit tree."""
    seen: set[str] = set()
    current: str | None = code
    while current is not None and current not in seen:
        if current == root:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def can_read(principal: Principal, unit_code: str, parents: Mapping[str, str | None]) -> bool:
    if principal.role is Role.admin:
        return True
    if principal.unit is None:
        return False
    if principal.role is Role.operator:
        return unit_code == principal.unit
    return is_within(unit_code, principal.unit, parents)


def can_edit(principal: Principal, unit_code: str) -> bool:
    if principal.read_only:  # a read-only API token changes nothing, whoever made it
        return False
    if principal.role is Role.admin:
        return True
    return principal.role is Role.operator and principal.unit == unit_code


def can_review(principal: Principal, unit_code: str, parents: Mapping[str, str | None]) -> bool:
    """Whether ``principal`` may approve or return ``unit_code``'s submitted years: an admin, or a
    reviewer whose region (their unit's subtree, the region unit itself included) holds it."""
    if principal.read_only:
        return False
    if principal.role is Role.admin:
        return True
    return principal.role is Role.reviewer and principal.unit is not None and is_within(
        unit_code, principal.unit, parents)


def visible_units(principal: Principal, units: Iterable[Unit]) -> list[Unit]:
    units = list(units)
    parents = parents_of(units)
    return [u for u in units if can_read(principal, u.code, parents)]


def require_read(db: Session, principal: Principal, unit_code: str) -> UnitRef:
    """The unit (its row of the kept unit table) if ``principal`` may read it; :class:`NotFound`
    otherwise (also for units that do not exist: a unit one may not read is not revealed)."""
    table = unit_table(db)
    row = table.by_code.get(unit_code)
    if row is None or not can_read(principal, unit_code, table.parents):
        raise NotFound("没有这个单位")
    return cast(UnitRef, row)


def require_edit(db: Session, principal: Principal, unit_code: str) -> UnitRef:
    """The unit row if ``principal`` may change its data; NotFound if unreadable, Forbidden if read-only."""
    row = require_read(db, principal, unit_code)
    if not can_edit(principal, unit_code):
        raise Forbidden("只读令牌不能修改数据" if principal.read_only else "没有修改这个单位数据的权限")
    return row

