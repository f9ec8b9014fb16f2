"""Parsing YAML and JSON text the way jixiao's inputs need it: every loader uses this one.

* Numbers stay the strings they were written as (``655.50`` keeps its two decimals; a rule
  threshold stays an exact Decimal), so nothing passes through a float.
* Each field path is mapped to its 1-based line, so a problem can say where it is.
* Syntax errors come back as :class:`~jixiao.problems.Problem` values with a Chinese message.
* Hostile documents are refused before they are built: a key given twice in one mapping (YAML
  would keep the last silently), aliases that would expand past a small bound (a 1 KB "billion
  laughs" document builds gigabytes) and nesting deeper than any input of jixiao needs.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from jixiao.problems import Problem

#: nodes that aliases may add to a document beyond those written out (a merge key or a repeated
#: block costs tens; an alias bomb asks for billions)
MAX_ALIAS_EXPANSION = 10_000
#: deeper nesting than any data file or rule set has (and past it Python's recursion breaks)
MAX_DEPTH = 64

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


class _DuplicateKey(ValueError):
    pass


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


def _scalar_key(node: yaml.Node) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _mapping_duplicates(node: yaml.MappingNode, source: str) -> list[Problem]:
    problems: list[Problem] = []
    first: dict[str, int] = {}
    for key_node, _ in node.value:
        key = _scalar_key(key_node)
        if key is None or key == "<<":  # merge keys may repeat
            continue
        line = key_node.start_mark.line + 1
        if key in first:
            problems.append(Problem("JX-IN-005", f"字段“{key}”重复：第{first[key]}行已经写过（同一层只能写一次，"
                                    "否则只有后一个生效）", source=source, line=line))
        else:
            first[key] = line
    return problems


def _check_tree(root: yaml.Node, source: str) -> list[Problem]:
    """Duplicate keys, alias expansion, cycles and depth, in one walk over the distinct nodes
    (an alias is the same node object met again, so the walk never expands one)."""
    size: dict[int, int] = {}  # id(node) -> nodes it stands for once expanded
    open_nodes: set[int] = set()  # being walked: an alias to one of these is a cycle
    problems: list[Problem] = []
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        if done:
            size[key] = 1 + sum(size[id(c)] for c in _children(node))
            open_nodes.discard(key)
            continue
        if key in size:
            continue
        if key in open_nodes:
            return [Problem("JX-IN-006", "别名引用了自身（循环引用），拒绝读取", source=source,
                            line=node.start_mark.line + 1)]
        if depth > MAX_DEPTH:
            return [Problem("JX-IN-006", f"嵌套超过 {MAX_DEPTH} 层，不是 jixiao 的数据文件", source=source,
                            line=node.start_mark.line + 1)]
        open_nodes.add(key)
        if isinstance(node, yaml.MappingNode):
            problems += _mapping_duplicates(node, source)
        stack.append((node, depth, True))
        stack.extend((child, depth + 1, False) for child in _children(node))
    expanded, distinct = size[id(root)], len(size)
    if expanded > distinct + MAX_ALIAS_EXPANSION:
        problems.append(Problem("JX-IN-006", f"别名（&锚点 / *引用）展开后有 {expanded} 个节点，超过上限"
                                f"（本文件写出的 {distinct} 个再加 {MAX_ALIAS_EXPANSION} 个），拒绝读取",
                                source=source, line=root.start_mark.line + 1))
    return problems


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def parse_text(text: str, source: str, fmt: str) -> tuple[Any, dict[tuple[str | int, ...], int], list[Problem]]:
    """Parse YAML/JSON text into plain data (numbers kept as strings) and a path → line map."""
    if fmt == "json":
        try:
            data = json.loads(text, parse_float=str, parse_int=str, object_pairs_hook=_json_object)
        except _DuplicateKey as exc:
            message = f"字段“{exc.args[0]}”在同一个对象中重复（否则只有后一个生效）"
            return None, {}, [Problem("JX-IN-005", message, source=source)]
        except RecursionError:
            return None, {}, [Problem("JX-IN-006", "嵌套层数过多，不是 jixiao 的数据文件", source=source)]
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
            checked = _check_tree(node, source) if node is not None else []
            if checked:
                return None, {}, checked
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
    except RecursionError:
        return None, {}, [Problem("JX-IN-006", "嵌套层数过多，不是 jixiao 的数据文件", source=source)]
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
