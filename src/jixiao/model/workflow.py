"""The workflow of a unit-year (填报 → 提交 → 审核 → 通过 / 退回): its states and what moves it.

A unit-year with no data has not started; its first data makes it a draft. The unit's operator
submits it; a reviewer of a region that holds the unit (or an admin) approves it or returns it
with comments; a returned year is edited again and resubmitted. Only a draft or a returned year
can be changed (:data:`EDITABLE`). Who may do what is in :mod:`jixiao.app.workflow`.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    draft = "draft"
    submitted = "submitted"
    approved = "approved"
    returned = "returned"


class Action(StrEnum):
    submit = "submit"
    withdraw = "withdraw"
    approve = "approve"
    send_back = "return"


#: a unit-year without any data: not a stored status, the absence of one
NOT_STARTED = "not_started"

STATUS_LABEL: dict[str, str] = {
    NOT_STARTED: "未开始",
    Status.draft: "填报中",
    Status.submitted: "已提交待审核",
    Status.approved: "审核通过",
    Status.returned: "已退回",
}

ACTION_LABEL: dict[Action, str] = {
    Action.submit: "提交审核",
    Action.withdraw: "撤回提交",
    Action.approve: "审核通过",
    Action.send_back: "退回修改",
}

#: the statuses in which a unit-year's data may be changed
EDITABLE: frozenset[Status] = frozenset({Status.draft, Status.returned})

#: action → (the statuses it starts from, the status it leads to)
MOVES: dict[Action, tuple[frozenset[Status], Status]] = {
    Action.submit: (frozenset({Status.draft, Status.returned}), Status.submitted),
    Action.withdraw: (frozenset({Status.submitted}), Status.draft),
    Action.approve: (frozenset({Status.submitted}), Status.approved),
    Action.send_back: (frozenset({Status.submitted, Status.approved}), Status.returned),
}

#: the order counts are shown in
STATUS_ORDER: tuple[str, ...] = (NOT_STARTED, Status.draft, Status.returned, Status.submitted, Status.approved)

__all__ = ["ACTION_LABEL", "EDITABLE", "MOVES", "NOT_STARTED", "STATUS_LABEL", "STATUS_ORDER", "Action", "Status"]
