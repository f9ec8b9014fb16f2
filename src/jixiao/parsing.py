"""Parsing YAML and JSON text the way jixiao's inputs need it: every loader uses this one.

* Numbers stay the strings they were written as (``655.50`` keeps its two decimals; a rule
  threshold stays an exact Decimal), so nothing passes through a float.
* Each field path is mapped to its 1-based line, so a problem can say where it is.
* Syntax errors come back as :class:`~jixiao.problems.Problem` values with a Chinese message.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from jixiao.problems import Problem

#: libyaml's C parser when PyYAML has it (about 10× faster on large files), else pure Python
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StringNumberLoader(_BaseLoader):
    """SafeLoader that keeps numbers as the strings they were written as (``655.50`` stays so)."""


_StringNumberLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (
        "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp",
    )]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _line_index(node: yaml.Node, path: tuple[str | int, ...] = ()) -> dict[tuple[str | int, ...], int]:
    """Map each field path of a YAML document to its 1-based line."""
    lines: dict[tuple[str | int, ...], int] = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[(*path, key)] = key_node.start_mark.line + 1
            lines.update(_line_index(value_node, (*path, key)))
            lines[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines.update(_line_index(item, (*path, i)))
    return lines


def parse_text(text: str, source: str, fmt: str) -> tuple[Any, dict[tuple[str | int, ...], int], list[Problem]]:
    """Parse YAML/JSON text into plain data (numbers kept as strings) and a path → line map."""
    if fmt == "json":
        try:
            data = json.loads(text, parse_float=str, parse_int=str)
        except json.JSONDecodeError as exc:
            hint = next((zh for en, zh in JSON_HINTS.items() if exc.msg.startswith(en)), exc.msg)
            message = f"JSON 语法错误（第{exc.colno}列）：{hint}"
            return None, {}, [Problem("JX-IN-002", message, source=source, line=exc.lineno)]
        return data, {}, []
    try:
        # parse once: the node tree gives the lines, the same tree is then constructed into data
        loader = _StringNumberLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        column = f"第{exc.problem_mark.column + 1}列；" if exc.problem_mark else ""
        message = f"YAML 语法错误（{column}常见原因：缩进不齐、冒号后缺空格、引号未闭合）：{exc.problem}"
        return None, {}, [Problem("JX-IN-002", message, source=source, line=line)]
    except yaml.YAMLError as exc:
        return None, {}, [Problem("JX-IN-002", f"YAML 语法错误：{exc}", source=source)]
    return data, (_line_index(node) if node is not None else {}), []


#: Chinese for the json module's messages (the English stays when none matches)
JSON_HINTS = {
    "Expecting property name enclosed in double quotes": "此处应为带双引号的字段名（多了一个逗号？）",
    "Expecting value": "此处缺少值",
    "Expecting ',' delimiter": "此处缺少逗号",
    "Expecting ':' delimiter": "此处缺少冒号",
    "Unterminated string": "字符串的引号未闭合",
    "Invalid control character": "字符串中有控制字符",
    "Extra data": "数据结束后还有多余内容",
}
