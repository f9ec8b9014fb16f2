"""The change log as a use case sees it: who (the principal, or the system) changed what."""

from __future__ import annotations

from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy.orm import Session

from jixiao.app.errors import Conflict, Meanwhile, StaleUnitYear
from jixiao.model.users import Principal
from jixiao.store.changelog import append_change, changes_since
from jixiao.store.versions import StaleVersion


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
    unit_year: tuple[str, int, int] | None = None,
) -> None:
    """Append to the change log (who, when, what, old → new) in the caller's transaction;
    ``unit_year`` (unit, year, version made) for a change of a unit-year's data."""
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
        unit_year=unit_year,
    )


def _what(entity: str, key: str, detail: str | None) -> str:
    if entity == "figure" and detail:
        return detail
    record = key.split("/", 2)[2] if key.count("/") >= 2 else ""
    kinds = {"fund_year": "基金记录", "department_year": "部门整体支出", "project": "项目", "unit_year": "整年数据"}
    head = f"{kinds.get(entity, entity)}{('：' + record) if record else ''}"
    return f"{head}（{detail}）" if detail else head


def conflict(db: Session, stale: StaleVersion) -> Conflict:
    """The refusal of a write based on an old version, with what was saved since (from the log)."""
    views: list[StaleUnitYear] = []
    for s in stale.stale:
        meanwhile = [Meanwhile(at=row.at.strftime("%Y-%m-%d %H:%M:%S"), username=row.username,
                               what=_what(row.entity, row.key, row.detail), old=row.old, new=row.new,
                               version=row.version)
                     for row in changes_since(db, s.unit, s.year, s.expected)]
        views.append(StaleUnitYear(s.unit, s.year, s.expected, s.current, meanwhile))
    first = views[0]
    who = "、".join(dict.fromkeys(m.username for v in views for m in v.meanwhile)) or "其他用户或程序"
    message = (f"{first.unit} 的 {first.year} 年数据在您打开后已被 {who} 修改（版本 {first.based_on} → "
               f"{first.current}），为免覆盖他人的修改，本次提交未保存；请查看期间的修改，在最新数据上重新填写")
    return Conflict(message, views)


__all__ = ["conflict", "jsonable", "record_change"]
