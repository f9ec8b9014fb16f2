"""Plain data (parsed YAML, JSON or a workbook's cells) validated into a :class:`~jixiao.model.Dataset`.

Bad data never raises: every problem is a :class:`~jixiao.problems.Problem` naming the source,
the line (for YAML, from the parser's marks), the field path (with the field's Chinese title)
and what is wrong, in Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from jixiao.model import Dataset
from jixiao.model.budget import BudgetFile
from jixiao.model.periods import SPAN_ERROR
from jixiao.problems import Problem, validation_message


@dataclass
class ReadResult:
    dataset: Dataset | None
    problems: list[Problem] = field(default_factory=list)
    lines: dict[tuple[str | int, ...], int] = field(default_factory=dict)
    #: the per-file datasets a batch was merged from (source, dataset), so a store can say
    #: which file each record came from
    parts: list[tuple[str, Dataset]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.dataset is not None and not any(p.severity == "error" for p in self.problems)


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


def _schema_problems(
    exc: ValidationError, source: str, lines: dict[tuple[str | int, ...], int], model: type[BaseModel] = Dataset,
) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
        kind = err["type"]
        message = validation_message(err)
        if kind == SPAN_ERROR:
            message = str(err["msg"])
        raw = err.get("input")
        if kind == "value_error" and isinstance(raw, str) and not any(ch.isdigit() for ch in raw) \
                and ("未知单位" in message or "不是数值" in message):
            message = f"不是数值：“{raw}”（须用阿拉伯数字书写，如 120000 或 12万元）"
        title = _title_of(model, loc)
        if title:
            message = f"{title}：{message}"
        line = next((lines[loc[:n]] for n in range(len(loc), -1, -1) if loc[:n] in lines), None)
        code = "JX-IN-030" if kind == SPAN_ERROR else "JX-IN-003"
        problems.append(Problem(code, message, source=source, path=path, line=line))
    return problems


def dataset_from_data(data: Any, source: str, lines: dict[tuple[str | int, ...], int] | None = None) -> ReadResult:
    """Validate already-parsed data (numbers as strings or ints) into a dataset."""
    lines = lines or {}
    if data is None:
        return ReadResult(None, [Problem("JX-IN-004", "文件为空", source=source)])
    if not isinstance(data, dict):
        message = "顶层应为键值表（units / fund_years / fund_periods / departments / projects）"
        return ReadResult(None, [Problem("JX-IN-004", message, source=source)])
    money_unit = data.get("money_unit", "万元")
    try:
        dataset = Dataset.model_validate(data, context={"money_unit": money_unit})
    except ValidationError as exc:
        return ReadResult(None, _schema_problems(exc, source, lines))
    return ReadResult(dataset, [], lines)


def assumptions_from_data(data: Any, source: str, lines: dict[tuple[str | int, ...], int] | None = None,
                          ) -> tuple[BudgetFile | None, list[Problem]]:
    """Validate parsed data into a file of budget assumptions (problems as for a data file)."""
    if not isinstance(data, dict):
        return None, [Problem("JX-IN-004", "顶层应为键值表（money_unit / budgets）", source=source)]
    try:
        found = BudgetFile.model_validate(data, context={"money_unit": data.get("money_unit", "万元")})
    except ValidationError as exc:
        return None, _schema_problems(exc, source, lines or {}, BudgetFile)
    return found, []
