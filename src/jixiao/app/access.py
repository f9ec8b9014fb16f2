"""Who may read and change which unit's data (used by the web app and any multi-user shell).

Three roles (issue 5): an **admin** manages users, units and rule sets and may do everything; a
**unit operator** reads and edits only their own unit; a **reviewer** reads every unit in their
region's subtree of the unit tree (their region unit and all its descendants) and edits nothing.
Everything not granted here is denied.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

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
    if principal.role is Role.admin:
        return True
    return principal.role is Role.operator and principal.unit == unit_code


def visible_units(principal: Principal, units: Iterable[Unit]) -> list[Unit]:
    units = list(units)
    parents = parents_of(units)
    return [u for u in units if can_read(principal, u.code, parents)]
