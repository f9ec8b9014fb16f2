"""Errors as values: a validation problem, a warning or a finding is a record, not an exception.

Every kind of problem jixiao reports — a bad input (file, workbook cell), a stated figure that
does not recompute, a fund risk warning, a scorer's note, an audit finding — is, or turns into
(``.problem()``), this one record: a stable ``code`` (catalogued in :mod:`jixiao.codes`), a
severity, where it is, and a Chinese message. The CLI, the web pages and the tests all show
the same record the same way (``file:location: message``, or :meth:`Problem.to_json`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from jixiao.codes import title_of

#: error: the input cannot be used as it is; serious / warning / info: a finding or risk warning
#: by how much it matters (serious is a risk warning's highest level, 严重)
Severity = Literal["error", "serious", "warning", "info"]


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong (or worth a look) in an input, with where it is.

    ``path`` is the field path inside a structured input (``fund_years[0].income.total``) or a
    sheet/cell (``基金收支!C7``); ``line`` is the 1-based line of a text input when known.
    """

    code: str
    message: str
    severity: Severity = "error"
    source: str | None = None
    path: str | None = None
    line: int | None = None
    details: dict[str, str] = field(default_factory=dict)

    def location(self) -> str:
        parts = [p for p in (self.source, str(self.line) if self.line else None, self.path) if p]
        return ":".join(parts)

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message

    @property
    def title(self) -> str:
        """What kind of problem this is, in a few Chinese words (from the catalogue)."""
        return title_of(self.code)

    @property
    def where(self) -> str:
        """Where it is within its source, for people: a sheet and cell, a field, or a line."""
        if self.path:
            return self.path
        return f"第{self.line}行" if self.line else ""

    def to_json(self) -> dict[str, Any]:
        """The one JSON shape of a problem (the CLI's ``--format json`` and the web API)."""
        return {"code": self.code, "title": self.title, "severity": self.severity, "message": self.message,
                "file": self.source, "line": self.line, "path": self.path, "where": self.where,
                **({"field": self.details["field"]} if "field" in self.details else {})}


class InputError(Exception):
    """Raised at the edge (CLI, web) when problems make an input unusable; carries them all."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# --------------------------------------------------------------------------------------------
# pydantic's validation errors in Chinese (one wording for data files, forms and the web API)
# --------------------------------------------------------------------------------------------

_VALIDATION_MESSAGES = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段（拼写错误？）",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "string_type": "应为文字",
    "list_type": "应为列表",
    "dict_type": "应为键值表",
    "model_type": "应为键值表",
    "model_attributes_type": "应为键值表",
    "bool_parsing": "应为是/否",
    "bool_type": "应为是/否",
    "json_invalid": "不是有效的 JSON",
    "json_type": "不是有效的 JSON",
    "string_too_short": "不能为空或过短",
    "string_too_long": "过长",
    "too_short": "项数过少",
    "too_long": "项数过多",
    "string_pattern_mismatch": "格式不对（只能用字母、数字、-、_、.）",
    "url_parsing": "不是有效的网址",
    "date_parsing": "不是有效的日期",
    "date_from_datetime_parsing": "不是有效的日期",
    "uuid_parsing": "格式不对",
}

_BOUNDS = {
    "greater_than_equal": ("ge", "不小于"),
    "greater_than": ("gt", "大于"),
    "less_than_equal": ("le", "不大于"),
    "less_than": ("lt", "小于"),
}


def _choices(expected: str) -> str:
    """pydantic's "'a', 'b' or 'c'" as 「a、b、c」."""
    return "、".join(part.strip().strip("'") for part in re.split(r", | or ", expected) if part.strip())


def validation_message(err: Mapping[str, Any]) -> str:
    """One error of a pydantic ``ValidationError.errors()`` in Chinese, without its place
    (callers name the field). A ``value_error`` raised by jixiao's own validators is already
    Chinese and is kept; nothing of pydantic's English wording is ever returned."""
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    raw = err.get("input")
    shown = raw if isinstance(raw, int | str) and len(str(raw)) <= 40 else None
    if kind in ("value_error", "assertion_error"):
        message = str(ctx.get("error", "")) or str(err.get("msg", "")).removeprefix("Value error, ")
        return message if _has_cjk(message) else "取值不符合要求"
    if kind in ("enum", "literal_error"):
        expected = _choices(str(ctx.get("expected", "")))
        given = f"“{shown}”" if shown is not None else ""
        return f"取值{given}不在允许范围内（可选：{expected}）"
    if kind in _BOUNDS:
        key, words = _BOUNDS[kind]
        given = f"{shown}；" if shown is not None else ""
        return f"{'数值过小' if kind.startswith('greater') else '数值过大'}（{given}应{words} {ctx.get(key, '')}）"
    if kind == "string_too_long" and "max_length" in ctx:
        return f"过长（最多 {ctx['max_length']} 个字符）"
    if kind == "string_too_short" and ctx.get("min_length", 0) > 1:
        return f"过短（至少 {ctx['min_length']} 个字符）"
    message = _VALIDATION_MESSAGES.get(kind, "取值不符合要求")
    if kind in ("int_parsing", "float_parsing", "decimal_parsing", "bool_parsing") and shown is not None:
        message += f"（而不是“{shown}”）"
    return message


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
