"""Terms of a formula: a full-precision Decimal and the Interval its inputs' written precision
allows, computed side by side; plus the gatherer that reads inputs off a record.

A term also carries the display precision its inputs were written with (``places``): a written
figure has the decimals it was written with in the formula's unit (``655.50万元`` → 2, ``74200万元``
→ 0, ``1.5亿元`` read in 万元 → 0); a sum or difference has the most decimals among its terms
(655.50 − 100 → 2; 151661 − 128457 → 0); a product or quotient has none (``None``): its result
is shown at the indicator's declared places. An input written in a smaller unit (``1516614321元``
read in 万元) counts at most the declared places (2 for 万元). :func:`evaluate` turns that into the
result's display places — the one rule every report, table and page follows (see :func:`display_places`).

A formula reads each input through :class:`Gather`, which converts it to the unit the formula
needs (万元, 元, 人), records it as written for explanations, and notes each missing input by
its model title. A missing input yields a placeholder that poisons the arithmetic, so one pass
collects *every* missing input; :func:`evaluate` then reports "缺少：…" instead of a value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any

from pydantic import BaseModel

from jixiao.calc.registry import IndicatorResult
from jixiao.numbers import Interval, Quantity, UnitError, conversion, exponent_of, fmt

#: working precision of every computation (significant digits)
PRECISION = 34


class ZeroDenominator(Exception):
    """A division whose denominator is zero; ``label`` names it."""

    def __init__(self, label: str):
        super().__init__(label)
        self.label = label


class NotComputable(Exception):
    """Raised by a formula that cannot be computed for a reason other than a missing input."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def written_places(value: Decimal) -> int:
    """Decimals of a figure as written: 655.50 → 2, 74200 → 0 (never below 0)."""
    return max(0, -exponent_of(value))


def places_in(q: Quantity, unit: str) -> int | None:
    """Decimals that ``q``'s written precision gives it in ``unit`` (``12.35亿元`` in 万元 → 0,
    ``1234.56元`` in 万元 → 6); None when the conversion is not a power of ten (分钟 → 小时)."""
    factor = conversion(q.unit, unit) if q.unit and unit and q.unit != unit else Decimal(1)
    if factor.normalize().as_tuple().digits != (1,):
        return None
    return max(0, -q.exponent - factor.adjusted())


@dataclass(frozen=True)
class Term:
    """A value with its interval; ``missing`` marks a placeholder for an absent input.

    ``places``: the decimals its written inputs justify when it is a written figure or a sum or
    difference of them; None for a product or quotient (shown at the declared places).
    ``coarse``: set when an input was written in a smaller unit than the formula's (``1516614321元``
    read in 万元 has 4 places nobody wrote): the most decimals among the *other* inputs (0 if none);
    None when no input was converted to more decimals. See :func:`display_places`.
    """

    value: Decimal
    interval: Interval | None
    label: str = ""
    missing: bool = False
    places: int | None = None
    coarse: int | None = None

    @staticmethod
    def exact(value: Decimal | int, label: str = "") -> Term:
        d = Decimal(value)
        return Term(d, Interval.exact(d), label, places=written_places(d))

    @staticmethod
    def of(other: Term | Decimal | int) -> Term:
        return other if isinstance(other, Term) else Term.exact(other)

    def _combine(self, other: Term | Decimal | int, op: str) -> Term:
        o = Term.of(other)
        if self.missing or o.missing:
            return MISSING
        iv: Interval | None = None
        places: int | None = None
        coarse: int | None = None
        if op in "+-" and self.places is not None and o.places is not None:
            places = max(self.places, o.places)
            if self.coarse is not None or o.coarse is not None:
                coarse = max(self.places if self.coarse is None else self.coarse,
                             o.places if o.coarse is None else o.coarse)
        if op == "+":
            value = self.value + o.value
            if self.interval is not None and o.interval is not None:
                iv = self.interval + o.interval
        elif op == "-":
            value = self.value - o.value
            if self.interval is not None and o.interval is not None:
                iv = self.interval - o.interval
        elif op == "*":
            value = self.value * o.value
            if self.interval is not None and o.interval is not None:
                iv = self.interval * o.interval
        else:  # "/"
            if o.value == 0:
                raise ZeroDenominator(o.label or "分母")
            value = self.value / o.value
            if self.interval is not None and o.interval is not None:
                try:
                    iv = self.interval / o.interval
                except ZeroDivisionError:
                    iv = None  # the divisor as written could be zero: no bound on the result
        return Term(value, iv, places=places, coarse=coarse)

    def __add__(self, other: Term | Decimal | int) -> Term:
        return self._combine(other, "+")

    def __sub__(self, other: Term | Decimal | int) -> Term:
        return self._combine(other, "-")

    def __mul__(self, other: Term | Decimal | int) -> Term:
        return self._combine(other, "*")

    def __truediv__(self, other: Term | Decimal | int) -> Term:
        return self._combine(other, "/")

    def __neg__(self) -> Term:
        if self.missing:
            return MISSING
        return Term(-self.value, -self.interval if self.interval is not None else None, self.label,
                    places=self.places, coarse=self.coarse)

    def named(self, label: str) -> Term:
        return Term(self.value, self.interval, label, self.missing, self.places, self.coarse)


MISSING = Term(Decimal(0), None, "", missing=True)


def rate(numerator: Term, denominator: Term) -> Term:
    """numerator ÷ denominator × 100 (a percentage)."""
    return numerator / denominator * 100


def yoy_change(g: Gather, total: str, previous: str | None, change: str | None) -> Term:
    """本年 − 上年; when the report states only the change, that change (万元)."""
    prev = g.opt_money(previous) if previous else None
    if prev is not None:
        return g.money(total) - prev
    stated_change = g.opt_money(change) if change else None
    if stated_change is not None:
        return stated_change
    return g.first(tuple(p for p in (previous, change) if p))


def yoy_rate(g: Gather, total: str, previous: str | None, change: str | None) -> Term:
    """(本年 − 上年) ÷ 上年 × 100; with only the stated change, 上年 = 本年 − 增减额."""
    current = g.money(total)
    prev = g.opt_money(previous) if previous else None
    if prev is not None:
        return rate(current - prev, prev)
    stated_change = g.opt_money(change) if change else None
    if stated_change is None:
        return g.first(tuple(p for p in (previous, change) if p))
    derived = g.note("上年数（推算：本年 − 增减额）", current - stated_change, "万元")
    return rate(stated_change, derived)


_TITLES: dict[tuple[type, str], str] = {}


def title_of(record: BaseModel, path: str) -> str:
    """The model title of a dotted field path ('budget.expenditure' → '支出预算'); a model's
    titles do not change, so each (model, path) is looked up once."""
    key = (type(record), path)
    found = _TITLES.get(key)
    if found is None:
        found = _TITLES[key] = _title_of(record, path)
    return found


def _title_of(record: BaseModel, path: str) -> str:
    obj: Any = record
    parts = path.split(".")
    for part in parts[:-1]:
        obj = getattr(obj, part)
    info = type(obj).model_fields.get(parts[-1])
    return info.title if info is not None and info.title else parts[-1]


def value_at(record: BaseModel, path: str) -> Any:
    obj: Any = record
    for part in path.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def written(q: Quantity | int) -> str:
    return str(q)


class Gather:
    """Reads a formula's inputs off a record, recording what was used and what is missing."""

    def __init__(self, record: Any, siblings: Mapping[Any, Any], *, prefix: str = "",
                 missing: list[str] | None = None, used: dict[str, str] | None = None):
        self.record = record
        self.siblings = siblings
        self.prefix = prefix
        self.missing: list[str] = missing if missing is not None else []
        self.used: dict[str, str] = used if used is not None else {}

    # -- reading ---------------------------------------------------------------------------

    def get(self, path: str, unit: str, *, label: str | None = None, required: bool = True) -> Term | None:
        """The input at ``path`` in ``unit``; a placeholder (required) or None when absent.
        Inside :func:`shared_reads` a record's figure is converted once for all its formulas."""
        name = self.prefix + (label or title_of(self.record, path))
        memo = _READS.get()
        if memo is None:
            return self._read(name, path, unit, required)
        key = (id(self.record), path, unit)
        found = memo.get(key)
        if found is None:
            term = self._read(name, path, unit, required)
            found = memo[key] = (term if term is not MISSING else None, self.used.get(name))
            return term
        term, shown = found
        if term is None:
            if required:
                self.missing.append(name)
                return MISSING
            return None
        if shown is not None:
            self.used[name] = shown
        return term.named(name) if term.label != name else term

    def _read(self, name: str, path: str, unit: str, required: bool) -> Term | None:
        raw = value_at(self.record, path)
        if raw is None:
            if required:
                self.missing.append(name)
                return MISSING
            return None
        if isinstance(raw, int) and not isinstance(raw, bool):
            self.used[name] = str(raw)
            return Term.exact(raw, name)
        if not isinstance(raw, Quantity):  # pragma: no cover - a path into a non-figure
            raise TypeError(f"{path} is not a figure")
        try:
            value, interval = raw.value_in(unit), raw.interval_in(unit)
        except UnitError:
            # 人均 written as a plain amount ('806元') where 元/人 is meant
            if unit.startswith("元/") and raw.dimension == "money":
                unit = "元"
                value, interval = raw.value_in(unit), raw.interval_in(unit)
            else:
                raise
        self.used[name] = written(raw)
        places = places_in(raw, unit)
        return Term(value, interval, name, places=places, coarse=0 if _finer(raw, places) else None)

    def money(self, path: str, *, label: str | None = None) -> Term:
        """An amount in 万元 (required)."""
        t = self.get(path, "万元", label=label)
        assert t is not None
        return t

    def opt_money(self, path: str, *, label: str | None = None) -> Term | None:
        return self.get(path, "万元", label=label, required=False)

    def yuan(self, path: str, *, label: str | None = None) -> Term:
        t = self.get(path, "元", label=label)
        assert t is not None
        return t

    def persons(self, path: str, *, label: str | None = None, required: bool = True) -> Term | None:
        return self.get(path, "人", label=label, required=required)

    def count(self, path: str, unit: str, *, label: str | None = None, required: bool = True) -> Term | None:
        return self.get(path, unit, label=label, required=required)

    def first(self, paths: tuple[str, ...], unit: str = "万元") -> Term:
        """The first of ``paths`` that is present; when none is, all are named as missing."""
        for path in paths:
            t = self.get(path, unit, required=False)
            if t is not None:
                return t
        names = [title_of(self.record, p) for p in paths]
        self.missing.append(self.prefix + "或".join(names))
        return MISSING

    def sibling(self, kind: Any, short: str) -> Gather | None:
        """A gatherer on the sibling fund record ``kind`` (统筹基金, 个人账户), sharing the log."""
        other = self.siblings.get(kind)
        if other is None:
            self.missing.append(f"{short}的基金记录")
            return None
        return Gather(other, {}, prefix=f"{short}·", missing=self.missing, used=self.used)

    def need(self, name: str) -> Term:
        """Declare a missing input that has no single field (returns the placeholder)."""
        self.missing.append(self.prefix + name)
        return MISSING

    def note(self, label: str, term: Term, unit: str, places: int = 2) -> Term:
        """Record an intermediate value (e.g. a derived previous-year figure) for explanations,
        at its inputs' written precision when it is a sum or difference, else at ``places``."""
        if not term.missing:
            self.used[label] = f"{fmt(term.value, display_places(term, places))}{unit}"
        return term.named(label)


#: (id of record, path, unit) → (the term read, or None when absent; what ``used`` shows)
_READS: ContextVar[dict[tuple[int, str, str], tuple[Term | None, str | None]] | None] = ContextVar(
    "jixiao_calc_reads", default=None)


@contextmanager
def shared_reads() -> Iterator[None]:
    """While the engine computes every indicator of the records it holds, read each of their
    figures once (a record read by 40 formulas is converted 40 times otherwise). The records
    must stay alive and unchanged inside the block: reads are keyed by the record's identity."""
    token = _READS.set({})
    try:
        yield
    finally:
        _READS.reset(token)


def _dedupe(items: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)


def _finer(q: Quantity, places: int | None) -> bool:
    """Whether ``q`` was written in a smaller unit, its ``places`` in the formula's unit more than
    it was written with (``1516614321元`` in 万元: 4 against 0)."""
    return places is not None and places > max(0, -q.exponent)


def figure_places(q: Quantity, unit: str, declared: int) -> int:
    """The decimals one written figure is shown with in ``unit`` — :func:`display_places` for a
    single input (``760.35万元`` → 2, ``74200万元`` → 0, ``1516614321元`` in 万元 → ``declared``);
    for a chart or table of written amounts beside computed ones."""
    places = places_in(q, unit)
    if places is None:
        return declared
    return min(places, declared) if _finer(q, places) else places


def display_places(term: Term, declared: int) -> int:
    """The decimals a computed value is shown with — the one display-precision rule.

    A sum or difference of written figures (``151661 − 128457``, ``655.50 − 100``) is shown with
    the most decimals among its inputs (in the indicator's unit; never below 0): at those places
    it is exact, so showing it never rounds, and it gains no digit its inputs did not have.
    Anything else (a rate, a 人均, 可支付月数: a product or quotient) is shown at the indicator's
    ``declared`` places, rounded half-up (四舍五入).

    An input written in a smaller unit than the indicator's counts at most ``declared`` places:
    ``1516614321元 − 1284570000元`` is ``23204.43万元`` (2 for 万元, 四舍五入), not the exact but
    never-written ``23204.4321万元``; inputs written in the indicator's unit keep all theirs
    (``655.5012万元 − 1234元`` → 4). Such a value may be rounded; it stays inside the interval its
    inputs allow widened by half a unit of its last place, which is what the auditor reads back.
    """
    if term.places is None:
        return declared
    if term.coarse is None:
        return term.places
    return max(term.coarse, min(term.places, declared))


def evaluate(fn: Callable[[Gather], Term], record: Any, siblings: Mapping[Any, Any], *, id: str,
             name: str, unit: str, places: int, subject: str) -> IndicatorResult:
    """Run a formula on a record and wrap the outcome as an :class:`IndicatorResult`."""
    g = Gather(record, siblings)

    def failed(reason: str) -> IndicatorResult:
        return IndicatorResult(id, None, None, unit, reason, dict(g.used), places, subject, name)

    try:
        with localcontext() as ctx:
            ctx.prec = PRECISION
            term = fn(g)
    except ZeroDenominator as exc:
        if g.missing:
            return failed("缺少：" + "、".join(_dedupe(g.missing)))
        return failed(f"{exc.label}为零，无法相除")
    except NotComputable as exc:
        return failed(exc.reason)
    if g.missing or term.missing:
        return failed("缺少：" + "、".join(_dedupe(g.missing)) if g.missing else "缺少输入")
    return IndicatorResult(id, term.value, term.interval, unit, None, dict(g.used), display_places(term, places),
                           subject, name)
