"""A stored record's figures one by one: every leaf of its document with the Chinese title of its
field, and the differences between two documents of the same record — what an import preview,
a field's history and an undo show."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from jixiao.calc.registry import REGISTRY
from jixiao.model import DepartmentYear, FundYear, Project
from jixiao.model.periods import FundPeriod

Path = tuple[str | int, ...]

#: the fields that say which record a document is (never shown as a change)
IDENTITY = frozenset({"unit", "year", "fund", "scope", "name", "span"})
#: where a figure was read from (a report's line number): kept, not shown as a change
HIDDEN = frozenset({"line"})
MODELS: dict[str, type[BaseModel]] = {"fund_year": FundYear, "fund_period": FundPeriod,
                                      "department_year": DepartmentYear, "project": Project}


def leaves(value: Any, prefix: Path = ()) -> Iterator[tuple[Path, Any]]:
    """(path, value) of every leaf of a JSON document: keys of mappings, indexes of lists."""
    if isinstance(value, Mapping):
        for key, inner in value.items():
            yield from leaves(inner, (*prefix, str(key)))
    elif isinstance(value, list) and value and any(isinstance(v, Mapping | list) for v in value):
        for index, inner in enumerate(value):
            yield from leaves(inner, (*prefix, index))
    elif prefix:
        yield prefix, value


def dotted(path: Path) -> str:
    """``("income", "total")`` → ``income.total``; an index as ``[2]``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _inner(annotation: Any) -> Any:
    """The model inside ``X | None``, ``list[X]``, ``dict[str, X]`` (else the annotation)."""
    for _ in range(3):
        origin = typing.get_origin(annotation)
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0] if len(args) == 1 else annotation
        elif origin in (list, tuple, dict):
            annotation = typing.get_args(annotation)[-1]
        else:
            break
    return annotation


def field_title(model: type[BaseModel] | None, path: Path) -> str:
    """The Chinese title of a field path: ``income.total`` → 基金收入合计; a row of a table
    as 第N行; the figures a report states by their indicator's name."""
    if model is None:
        return dotted(path)
    if path and path[0] == "stated" and len(path) > 1:
        ident = str(path[1]).partition("@")[0]
        name = REGISTRY[ident].name if ident in REGISTRY else ident
        return f"报告所述：{name}" + ("（原文行号）" if path[-1] == "line" else "")
    if path and path[0] == "narrative":
        return "文字说明" + (f"：{path[1]}" if len(path) > 1 else "")
    titles: list[str] = []
    current: Any = model
    for part in path:
        if isinstance(part, int):
            titles.append(f"第{part + 1}行")
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            titles.append(part)
            current = None
            continue
        info = fields[part]
        titles.append(info.title or part)
        current = _inner(info.annotation)
    if len(titles) > 2 and path[0] == "three_public":  # 合计 → “三公”经费预算数
        return f"“三公”经费{titles[-1]}" if titles[1] == "合计" else "".join(titles[1:])
    row = next((i for i, part in enumerate(path) if isinstance(part, int)), None)
    if row is not None and row > 0:  # 绩效指标第2行·实际完成值
        return f"{titles[row - 1]}{titles[row]}" + (f"·{titles[-1]}" if len(titles) > row + 1 else "")
    return titles[-1]


def shown(value: Any) -> str | None:
    """A stored value as a person reads it (None: absent)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class Difference:
    path: str
    label: str
    old: str | None
    new: str | None

    @property
    def kind(self) -> str:
        return "added" if self.old is None else "removed" if self.new is None else "changed"


def differences(entity: str, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> list[Difference]:
    """Field by field, what differs between two documents of one record (``old`` None: a new
    record, every figure added; ``new`` None: a record removed)."""
    model = MODELS.get(entity)
    before = dict(leaves(old)) if old else {}
    after = dict(leaves(new)) if new else {}
    paths = [*before, *(p for p in after if p not in before)]
    return [Difference(dotted(p), field_title(model, p), shown(before.get(p)), shown(after.get(p)))
            for p in paths if before.get(p) != after.get(p) and str(p[0]) not in IDENTITY and p[-1] not in HIDDEN]


def value_at(doc: Mapping[str, Any] | None, path: str) -> Any:
    """The value at a dotted path (``income.total``) of a document, None when absent."""
    current: Any = doc
    for part in path.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return None
        current = current[part]
    return current


__all__ = ["IDENTITY", "MODELS", "Difference", "differences", "dotted", "field_title", "leaves", "shown",
           "value_at"]
