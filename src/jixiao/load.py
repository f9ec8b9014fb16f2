"""Read structured input files (YAML or JSON) into a :class:`~jixiao.model.Dataset`.

Bad data never raises: every problem is a :class:`~jixiao.problems.Problem` naming the file,
the line (for YAML, from the parser's marks), the field path and what is wrong, in Chinese.
A file with any error-level problem yields no dataset at all, so nothing half-loaded goes on.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from jixiao.model import Dataset, Unit
from jixiao.problems import Problem
from jixiao.validate import duplicate_records, validate_dataset

MAX_INPUT_BYTES = 20 * 1024 * 1024


#: libyaml's C parser when PyYAML has it (about 10× faster on large files), else pure Python
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StringNumberLoader(_BaseLoader):  # type: ignore[misc]
    """SafeLoader that keeps numbers as the strings they were written as (``655.50`` stays so)."""


_StringNumberLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (
        "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp",
    )]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class LoadResult:
    dataset: Dataset | None
    problems: list[Problem] = field(default_factory=list)
    lines: dict[tuple[str | int, ...], int] = field(default_factory=dict)
    #: the per-file datasets a batch was merged from (source, dataset), so a store can say
    #: which file each record came from
    parts: list[tuple[str, Dataset]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.dataset is not None and not any(p.severity == "error" for p in self.problems)


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
            hint = next((zh for en, zh in _JSON_HINTS.items() if exc.msg.startswith(en)), exc.msg)
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
_JSON_HINTS = {
    "Expecting property name enclosed in double quotes": "此处应为带双引号的字段名（多了一个逗号？）",
    "Expecting value": "此处缺少值",
    "Expecting ',' delimiter": "此处缺少逗号",
    "Expecting ':' delimiter": "此处缺少冒号",
    "Unterminated string": "字符串的引号未闭合",
    "Invalid control character": "字符串中有控制字符",
    "Extra data": "数据结束后还有多余内容",
}

_PYDANTIC_MESSAGES = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段（拼写错误？）",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "string_type": "应为文字",
    "list_type": "应为列表",
    "dict_type": "应为键值表",
    "model_type": "应为键值表",
    "model_attributes_type": "应为键值表",
    "bool_parsing": "应为是/否",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "string_too_short": "不能为空或过短",
    "string_too_long": "过长",
    "string_pattern_mismatch": "格式不对（只能用字母、数字、-、_、.）",
}


def _title_of(model: type[BaseModel], loc: tuple[str | int, ...]) -> str | None:
    """The Chinese title of the field at ``loc`` (for messages), if the path resolves."""
    current: Any = model
    title = None
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return title
        info = fields[part]
        title = info.title
        annotation = info.annotation
        inner = getattr(annotation, "__args__", None)
        candidates = [annotation, *(inner or ())]
        current = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
        if current is None:
            current = next(
                (a for c in candidates for a in getattr(c, "__args__", ()) or ()
                 if isinstance(a, type) and issubclass(a, BaseModel)),
                None,
            )
    return title


def _choices(expected: str) -> str:
    """pydantic's "'a', 'b' or 'c'" as 「a、b、c」."""
    return "、".join(part.strip().strip("'") for part in re.split(r", | or ", expected) if part.strip())


def _schema_problems(
    exc: ValidationError, source: str, lines: dict[tuple[str | int, ...], int]
) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
        kind = err["type"]
        if kind == "value_error":
            message = str(err.get("ctx", {}).get("error", err["msg"]))
        elif kind in ("enum", "literal_error"):
            expected = _choices(str(err.get("ctx", {}).get("expected", "")))
            message = f"取值“{err.get('input')}”不在允许范围内（可选：{expected}）"
        else:
            message = _PYDANTIC_MESSAGES.get(kind, err["msg"])
            ctx = err.get("ctx", {})
            if kind in ("greater_than_equal", "less_than_equal") and ctx:
                bound = ctx.get("ge", ctx.get("le"))
                message += f"（{err.get('input')}；应{'不小于' if kind == 'greater_than_equal' else '不大于'} {bound}）"
        raw = err.get("input")
        if kind == "value_error" and isinstance(raw, str) and not any(ch.isdigit() for ch in raw) \
                and ("未知单位" in message or "不是数值" in message):
            message = f"不是数值：“{raw}”（须用阿拉伯数字书写，如 120000 或 12万元）"
        title = _title_of(Dataset, loc)
        if title:
            message = f"{title}：{message}"
        line = next((lines[loc[:n]] for n in range(len(loc), -1, -1) if loc[:n] in lines), None)
        problems.append(Problem("JX-IN-003", message, source=source, path=path, line=line))
    return problems


def load_data(data: Any, source: str, lines: dict[tuple[str | int, ...], int] | None = None) -> LoadResult:
    """Validate already-parsed data (numbers as strings or ints) into a dataset."""
    lines = lines or {}
    if data is None:
        return LoadResult(None, [Problem("JX-IN-004", "文件为空", source=source)])
    if not isinstance(data, dict):
        return LoadResult(None, [Problem("JX-IN-004", "顶层应为键值表（units / fund_years / departments / projects）",
                                         source=source)])
    money_unit = data.get("money_unit", "万元")
    try:
        dataset = Dataset.model_validate(data, context={"money_unit": money_unit})
    except ValidationError as exc:
        return LoadResult(None, _schema_problems(exc, source, lines))
    return LoadResult(dataset, [], lines)


def load_file(path: str | Path) -> LoadResult:
    """Read one YAML/JSON file or filled workbook (.xlsx); never raises for bad content."""
    p = Path(path)
    source = str(path)
    try:
        size = p.stat().st_size
    except OSError:
        return LoadResult(None, [Problem("JX-IN-001", "文件不存在或无法读取", source=source)])
    if p.is_dir():
        return LoadResult(None, [Problem("JX-IN-001", "这是目录，不是数据文件", source=source)])
    if size > MAX_INPUT_BYTES:
        message = f"文件过大（{size} 字节，上限 {MAX_INPUT_BYTES}）"
        return LoadResult(None, [Problem("JX-IN-001", message, source=source)])
    suffix = p.suffix.lower()
    if suffix == ".xlsx":  # a filled-in workbook (jixiao template); problems name sheet and cell
        from jixiao.workbook.read import read_workbook  # the workbook reader builds on this module

        return read_workbook(p)
    if suffix not in (".yaml", ".yml", ".json"):
        message = f"不支持的文件类型“{suffix or '无扩展名'}”（应为 .yaml、.json 或 .xlsx）"
        return LoadResult(None, [Problem("JX-IN-001", message, source=source)])
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return LoadResult(None, [Problem("JX-IN-001", "文件不是 UTF-8 编码", source=source)])
    data, lines, problems = parse_text(text, source, "json" if suffix == ".json" else "yaml")
    if problems:
        return LoadResult(None, problems)
    return load_data(data, source, lines)


def _with_line(problem: Problem, lines: dict[tuple[str | int, ...], int]) -> Problem:
    """Give a validation problem the YAML line of its field path when known."""
    if problem.line is not None or not problem.path or not lines:
        return problem
    loc = tuple(int(p) if p.isdigit() else p for p in re.split(r"[.\[\]]+", problem.path) if p)
    line = next((lines[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in lines), None)
    return replace(problem, line=line) if line else problem


def load_files(paths: list[str | Path], known_units: set[str] | None = None) -> LoadResult:
    """Load several files as one batch and validate them together (units may be in another file).

    ``known_units`` are unit codes already in the database. Any error anywhere → no dataset.
    """
    problems: list[Problem] = []
    loaded: list[tuple[str, Dataset]] = []
    lines: dict[str, dict[tuple[str | int, ...], int]] = {}
    for path in paths:
        result = load_file(path)
        problems.extend(result.problems)
        if result.dataset is not None:
            loaded.append((str(path), result.dataset))
            lines[str(path)] = result.lines
    if not loaded or any(p.severity == "error" for p in problems):
        return LoadResult(None, problems)
    units = set(known_units or ()) | {u.code for _, ds in loaded for u in ds.units}
    for source, dataset in loaded:
        problems.extend(validate_dataset(dataset, units, source))
    problems.extend(duplicate_records(loaded))
    problems = [_with_line(p, lines.get(p.source or "", {})) for p in problems]
    # a workbook is validated by its reader too: say each problem once
    problems = list({(p.code, p.source, p.path, p.message): p for p in problems}.values())
    if any(p.severity == "error" for p in problems):
        return LoadResult(None, problems)
    merged = loaded[0][1]
    for _, dataset in loaded[1:]:
        merged = merged.merged(dataset)
    unique_units: dict[str, Unit] = {}
    for unit in merged.units:  # a unit stated alike in two files is kept once
        unique_units.setdefault(unit.code, unit)
    merged.units = list(unique_units.values())
    return LoadResult(merged, problems, parts=loaded)
