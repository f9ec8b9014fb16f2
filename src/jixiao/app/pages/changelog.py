"""The change log (修改记录) as people read it: who changed what and when (Beijing time), the
operation and the object in Chinese, and figure by figure what it was and what it became;
filtered and paged. Read from :mod:`jixiao.store.changelog`, which only appends."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from jixiao.app.units import unit_table
from jixiao.calc.registry import REGISTRY
from jixiao.model import DepartmentYear, FundYear, Project, Unit
from jixiao.model.funds import FUNDS, FundKind
from jixiao.model.users import ROLE_LABEL, Role
from jixiao.store.changelog import change_users, find_changes
from jixiao.store.schema import ChangeLogRow

#: China has one time zone and no summer time: UTC+8 all year
BEIJING = timezone(timedelta(hours=8), "北京时间")
PAGE_SIZE = 50

ENTITY_LABEL = {
    "figure": "数字（网页录入）", "fund_year": "基金数据", "department_year": "部门整体支出数据", "project": "项目数据",
    "unit": "单位", "user": "用户", "api_token": "API 令牌",
}
ACTION_LABEL = {
    "create": "新增", "update": "修改", "import": "导入", "password": "重设密码", "revoke": "吊销", "delete": "删除",
    "restore": "恢复备份",
}
#: the people tables' fields (users, tokens) in words
_PEOPLE_FIELDS = {
    "username": "用户名", "role": "角色", "unit": "单位", "display_name": "姓名", "active": "可以登录",
    "name": "名称", "prefix": "令牌前缀", "user": "所属用户", "revoked": "已吊销",
}
_MODELS: dict[str, type[BaseModel]] = {"fund_year": FundYear, "department_year": DepartmentYear,
                                       "project": Project, "unit": Unit}


class FieldDiff(BaseModel):
    field: str = Field(title="项目")
    old: str | None = Field(title="原值", description="null: 原来没有")
    new: str | None = Field(title="新值", description="null: 已删除")


class ChangeEntry(BaseModel):
    id: int
    at: str = Field(title="时间（北京时间）", description="YYYY-MM-DD HH:MM:SS")
    user: str = Field(title="用户")
    action: str = Field(title="操作")
    entity: str = Field(title="对象类别")
    subject: str = Field(title="对象")
    detail: str | None = Field(default=None, title="说明")
    diffs: list[FieldDiff] = Field(default_factory=list, title="逐项变化")
    more: int = Field(default=0, title="未列出的变化项数")


class ChangeLog(BaseModel):
    entries: list[ChangeEntry]
    total: int = Field(title="符合条件的记录数")
    page: int
    pages: int
    entity: str | None = None
    action: str | None = None
    user: str | None = None
    unit: str | None = None
    since: date | None = None
    until: date | None = None
    entities: dict[str, str] = Field(description="entity → 中文（筛选项）")
    actions: dict[str, str] = Field(description="action → 中文（筛选项）")
    users: list[str] = Field(description="出现在修改记录中的用户名（筛选项）")


def beijing(at: datetime) -> str:
    """A stored time (UTC; SQLite hands it back naive) as Beijing time."""
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return aware.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), BEIJING)


# --------------------------------------------------------------------------------------------
# Values and field names in words
# --------------------------------------------------------------------------------------------


def _shown(value: Any, field: str = "") -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if field == "role" and isinstance(value, str) and value in {r.value for r in Role}:
        return ROLE_LABEL[Role(value)]
    if isinstance(value, list):
        return "；".join(s for v in value if (s := _shown(v)) is not None)
    if isinstance(value, dict):
        return "；".join(f"{k}：{_shown(v)}" for k, v in value.items())
    return str(value)


def _leaves(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted path, value) of every leaf of nested mappings; lists are leaves."""
    if isinstance(value, Mapping):
        for key, inner in value.items():
            yield from _leaves(inner, f"{prefix}{key}.")
    elif prefix:
        yield prefix[:-1], value


def _title(model: type[BaseModel] | None, path: str) -> str:
    """The Chinese title of a field path of ``model`` (``income.total`` → 基金收入合计); the
    dynamic keys of ``stated`` and ``narrative`` by their indicator's name or as written."""
    parts = path.split(".")
    if model is None:
        return _PEOPLE_FIELDS.get(parts[0], path)
    if parts[0] == "stated" and len(parts) > 1:
        ident = parts[1].partition("@")[0]
        name = REGISTRY[ident].name if ident in REGISTRY else ident
        return f"报告所述：{name}" + ("（原文行号）" if parts[-1] == "line" else "")
    if parts[0] == "narrative" and len(parts) > 1:
        return f"文字说明：{'.'.join(parts[1:])}"
    titles: list[str] = []
    current: Any = model
    for part in parts:
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            break
        info = fields[part]
        titles.append(info.title or part)
        current = info.annotation
    if not titles:
        return path
    if len(titles) > 2 and parts[0] == "three_public":  # 合计 → “三公”经费预算数; 公务接待费预算数
        return f"“三公”经费{titles[-1]}" if titles[1] == "合计" else "".join(titles[1:])
    return titles[-1]


def _diffs(row: ChangeLogRow, limit: int = 40) -> tuple[list[FieldDiff], int]:
    """What changed, field by field (at most ``limit``; the count of the rest)."""
    old, new = row.old, row.new
    if row.entity == "figure" and isinstance(old, Mapping) and isinstance(new, Mapping):
        label = (row.detail or "").rpartition("：")[2] or next(iter(new), "")
        return [FieldDiff(field=label, old=_shown(next(iter(old.values()), None)),
                          new=_shown(next(iter(new.values()), None)))], 0
    model = _MODELS.get(row.entity)
    before = dict(_leaves(old)) if isinstance(old, Mapping) else {}
    after = dict(_leaves(new)) if isinstance(new, Mapping) else {}
    skip = {"unit", "year", "fund", "scope", "name", "code"} if model is not None else set()
    out = [FieldDiff(field=_title(model, path), old=_shown(before.get(path), path), new=_shown(after.get(path), path))
           for path in [*before, *(p for p in after if p not in before)]
           if before.get(path) != after.get(path) and path not in skip]
    return out[:limit], max(0, len(out) - limit)


def _subject(row: ChangeLogRow, names: Mapping[str, str]) -> str:
    """The object in words: 益阳市医疗保障局 · 2020年 · 职工医保（全市）."""
    if row.entity == "unit":
        return f"{names.get(row.key, row.key)}（{row.key}）"
    if row.entity == "user":
        return f"用户 {row.key}"
    if row.entity == "api_token":
        token = row.new if isinstance(row.new, Mapping) else row.old if isinstance(row.old, Mapping) else {}
        return f"令牌“{token.get('name', row.key)}”" + (f"（{token['user']}）" if token.get("user") else "")
    parts = row.key.split("/")
    if len(parts) < 2:
        return row.key
    unit, year, rest = parts[0], parts[1], parts[2:]
    head = f"{names.get(unit, unit)} · {year}年"
    if row.entity == "figure" and rest:
        rest = rest[1:] if rest[0] == "fund" else (["部门整体支出"] if rest[0] == "department" else rest[1:])
    if rest and rest[0] in {k.value for k in FundKind}:
        scope = rest[1] if len(rest) > 1 and rest[1] else ""
        return f"{head} · {FUNDS[FundKind(rest[0])].short}{f'（{scope}）' if scope else ''}"
    if row.entity == "department_year":
        return f"{head} · 部门整体支出"
    if row.entity == "project":
        return f"{head} · 项目：{'/'.join(rest)}"
    return f"{head} · {'/'.join(p for p in rest if p)}" if any(rest) else head


def _entry(row: ChangeLogRow, names: Mapping[str, str]) -> ChangeEntry:
    diffs, more = _diffs(row)
    detail = None if row.entity == "figure" else row.detail  # a figure's detail names its record: the subject
    return ChangeEntry(id=row.id, at=beijing(row.at), user=row.username,
                       action=ACTION_LABEL.get(row.action, "其他操作"), entity=ENTITY_LABEL.get(row.entity, "其他"),
                       subject=_subject(row, names), detail=detail, diffs=diffs, more=more)


def change_log(session: Session, *, entity: str | None = None, action: str | None = None, user: str | None = None,
               unit: str | None = None, since: date | None = None, until: date | None = None,
               page: int = 1, size: int = PAGE_SIZE) -> ChangeLog:
    """One page of the change log, newest first, filtered by object kind, operation, user,
    unit (its own entry and its data's) and Beijing-time dates (``until`` inclusive)."""
    page = max(1, page)
    rows, total = find_changes(session, entity=entity or None, action=action or None, username=user or None,
                               unit=unit or None, since=_start_of(since) if since else None,
                               before=_start_of(until + timedelta(days=1)) if until else None,
                               limit=size, offset=(page - 1) * size)
    names = {r.code: r.name for r in unit_table(session).rows}
    return ChangeLog(entries=[_entry(r, names) for r in rows], total=total, page=page,
                     pages=max(1, (total + size - 1) // size), entity=entity or None, action=action or None,
                     user=user or None, unit=unit or None, since=since, until=until, entities=ENTITY_LABEL,
                     actions=ACTION_LABEL, users=change_users(session))


__all__ = ["BEIJING", "ChangeEntry", "ChangeLog", "FieldDiff", "beijing", "change_log"]
