"""Why a unit-year's data cannot be written now: the workflow's lock in words.

Every write of a unit-year's records goes through :func:`jixiao.store.versions.advance`, which
refuses a submitted or approved one (:class:`~jixiao.store.versions.LockedUnitYear`); the use
cases turn that into :class:`~jixiao.app.errors.NotNow` with :func:`locked`, and the pages say
the same with :func:`locked_reason` before anyone tries.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from jixiao.app.errors import NotNow
from jixiao.app.units import unit_table
from jixiao.model.workflow import EDITABLE, NOT_STARTED, Status
from jixiao.store.versions import LockedUnitYear


def locked_reason(status: Status | str, by: str | None = None, since: str | None = None, *,
                  subject: str = "该年度数据") -> str | None:
    """Why a unit-year's data cannot be changed now (None when it can)."""
    if status in EDITABLE or status == NOT_STARTED:
        return None
    who = f"（{by}，{since}）" if by and since else ""
    if status == Status.submitted:
        return f"{subject}已提交审核{who}，审核期间不能修改；如需修改，请撤回提交或等待审核员退回"
    return f"{subject}已审核通过{who}，不能再修改；如需修改，请审核员退回"


def locked(db: Session, exc: LockedUnitYear) -> NotNow:
    """The refusal of a write to a submitted or approved unit-year, in words."""
    first = exc.locked[0]
    found = unit_table(db).by_code.get(first.unit)
    name = found.name if found is not None else first.unit
    more = f"等 {len(exc.locked)} 个单位年度" if len(exc.locked) > 1 else ""
    reason = locked_reason(first.status, subject=f"{name} {first.year} 年的数据{more}")
    return NotNow(f"{reason}。本次未保存任何数据")


__all__ = ["locked", "locked_reason"]
