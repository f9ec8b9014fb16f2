"""Who acts: the three roles and the principal (a logged-in user or an API token) making a request.

The rules of who may read or change which unit are in :mod:`jixiao.app.access`; the stored users
in :mod:`jixiao.store.users`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    admin = "admin"
    operator = "operator"
    reviewer = "reviewer"


ROLE_LABEL: dict[Role, str] = {Role.admin: "管理员", Role.operator: "单位填报员", Role.reviewer: "审核员"}


@dataclass(frozen=True)
class Principal:
    """The user (or API token) making a request."""

    user_id: int
    username: str
    role: Role
    unit: str | None = None  # operator: their unit; reviewer: the root of their region
    #: None when logged in; "read" or "write" when acting through an API token of that scope
    token_scope: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin

    @property
    def via_token(self) -> bool:
        return self.token_scope is not None

    @property
    def read_only(self) -> bool:
        """A read-only token: may read what its user may, change nothing."""
        return self.token_scope == "read"
