"""A rule set's validation errors said in Chinese, with the path to the rule by its ``id``.

pydantic's messages name list indexes and its own discriminator tags; whoever edits a rule set
needs "warnings[reserve_months].bands：缺少此项" instead.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError


def _error_message(err: Any) -> str:
    kind, ctx = err.get("type", ""), err.get("ctx") or {}
    if kind == "missing":
        return "缺少此项"
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace(" or ", "、").replace(", ", "、")
        return f"应为 {expected} 之一，而不是“{err.get('input')}”"
    if kind == "string_pattern_mismatch":
        return f"“{err.get('input')}”格式不符（应匹配 {ctx.get('pattern', '')}）"
    if kind == "union_tag_invalid":
        return f"未知的规则类型 kind“{ctx.get('tag', '')}”（可用：{ctx.get('expected_tags', '')}）"
    if kind == "extra_forbidden":
        return "未知的字段"
    msg = str(err.get("msg", ""))
    return msg.removeprefix("Value error, ")


def validation_message(exc: ValidationError, data: dict[str, Any]) -> str:
    """The first five errors of ``exc``, each after the path to it in ``data``."""
    parts = []
    for err in exc.errors()[:5]:
        path: list[str] = []
        obj: Any = data
        for item in err["loc"]:
            after_index = bool(path) and path[-1].startswith("[")
            if isinstance(obj, dict) and "kind" in obj and item == obj.get("kind") and after_index:
                continue  # the discriminator tag pydantic puts in the location
            if isinstance(item, int) and isinstance(obj, list) and item < len(obj):
                obj = obj[item]
                label = obj.get("id") if isinstance(obj, dict) else None
                path.append(f"[{label or item}]")
            else:
                obj = obj.get(item) if isinstance(obj, dict) else None
                label = obj.get("id") if isinstance(obj, dict) and isinstance(obj.get("id"), str) else None
                path.append(f".{item}（{label}）" if label else f".{item}")
        parts.append(f"{''.join(path).lstrip('.') or '（顶层）'}：{_error_message(err)}")
    return "；".join(parts)
