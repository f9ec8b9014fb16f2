"""The change log as a use case sees it: who (the principal, or the system) changed what."""

from __future__ import annotations

from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy.orm import Session

from jixiao.model.users import Principal
from jixiao.store.changelog import append_change


def jsonable(value: Any) -> Any:
    """A JSON-safe copy (Decimal → str, date → ISO string, pydantic models → dicts)."""
    if value is None:
        return None
    if hasattr(value, "model_dump"):
        value = value.model_dump(mode="json", exclude_none=True)
    return to_jsonable_python(value, fallback=str)


def record_change(
    db: Session,
    principal: Principal | None,
    action: str,
    entity: str,
    key: str,
    old: Any = None,
    new: Any = None,
    detail: str | None = None,
) -> None:
    """Append to the change log (who, when, what, old → new) in the caller's transaction."""
    append_change(
        db,
        user_id=principal.user_id if principal else None,
        username=principal.username if principal else "（系统）",
        action=action,
        entity=entity,
        key=key,
        old=jsonable(old),
        new=jsonable(new),
        detail=detail,
    )


__all__ = ["jsonable", "record_change"]
