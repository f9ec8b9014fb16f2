"""Next year's fund budget (基金预算表) drafted from stated assumptions and earlier years (以收定支).

:func:`draft_budget` turns a :class:`~jixiao.model.budget.BudgetAssumptions` and the fund's earlier
records into a :class:`BudgetDraft`: every line with the formula it was computed by, written
with the figures that went in, and every assumption with where it came from (given, the base
year's record, or the trend of earlier years by :func:`~jixiao.calc.forecast.forecast_next`).
Amounts are computed at full precision and each line is rounded half-up (四舍五入) to the
table's places; totals and balances are sums of the rounded lines, so the table adds up as
printed and a writer or the auditor recomputes it from what is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, localcontext

from pydantic import BaseModel

from jixiao.calc.forecast import PRECISION, forecast_next
from jixiao.model.budget import TREND_ITEMS, BudgetAssumptions, EmployeeIncome, Expenditure, ResidentIncome
from jixiao.model.funds import FundBalance, FundBudget, FundExpenditure, FundIncome, FundYear
from jixiao.numbers import Quantity, conversion, fmt, round_half_up

_GROUPS: dict[str, type[BaseModel]] = {"income": FundIncome, "expenditure": FundExpenditure, "balance": FundBalance}
_TITLES = {"balance.current": "当期结余"}


def ledger_title(path: str) -> str:
    """The ledger's own name of ``income.interest`` (利息收入) — one vocabulary with the records."""
    if path in _TITLES:
        return _TITLES[path]
    group, name = path.split(".")
    return _GROUPS[group].model_fields[name].title or name


class BudgetDraftError(ValueError):
    """Assumptions that leave a line without a figure; ``missing`` names each (in Chinese)."""

    def __init__(self, missing: list[str]):
        super().__init__("无法测算预算：缺少" + "、".join(missing))
        self.missing = missing


@dataclass(frozen=True)
class Assumption:
    """One assumption as the draft used it: its value as shown and where it came from."""

    key: str  # "employee.paying_growth"
    title: str  # 缴费人数增长率
    value: str  # "2.00%", "215057人"
    basis: str  # 给定 / 取2023年记录 / 按2020–2023年年均增长率 / 未给定，按0%
    note: str | None = None  # the officer's own words (assumptions.notes)


@dataclass(frozen=True)
class BudgetLine:
    """One line of the 基金预算表, in 万元 at the table's places."""

    path: str  # income.contributions_employer
    title: str  # 单位缴费
    value: Decimal
    places: int
    formula: str

    def display(self) -> str:
        return f"{fmt(self.value, self.places)}万元"


@dataclass(frozen=True)
class BudgetDraft:
    """The drafted budget: its lines (income, expenditure, balance) and the assumptions used."""

    assumptions: BudgetAssumptions
    base_year: int
    used: list[Assumption]
    lines: list[BudgetLine]
    months_of_reserve: Decimal | None = None

    def line(self, path: str) -> BudgetLine | None:
        return next((line for line in self.lines if line.path == path), None)

    def value(self, path: str) -> Decimal | None:
        found = self.line(path)
        return found.value if found is not None else None

    def as_budget(self) -> FundBudget:
        """The draft as a year's 预算 (收入预算, 征缴收入预算, 支出预算, 待遇支出预算)."""
        def q(path: str) -> Quantity | None:
            value = self.value(path)
            return Quantity(round_half_up(value, self.assumptions.places), "万元") if value is not None else None

        return FundBudget(income=q("income.total"), contributions=q("income.contributions"),
                          expenditure=q("expenditure.total"), benefits=q("expenditure.benefits"))


def _fraction(rate: Quantity) -> Decimal:
    """A rate as a fraction: 2.5% → 0.025."""
    return rate.value * conversion(rate.unit, "%") / 100


def _pct(fraction: Decimal) -> str:
    return f"{fmt(fraction * 100, 2)}%"


def _factor(growth: Decimal, steps: int) -> str:
    """（1 + 2.00%） or （1 − 1.50%）², as the 编制说明 writes a growth."""
    sign = "−" if growth < 0 else "+"
    power = "" if steps == 1 else f"^{steps}"
    return f"（1 {sign} {_pct(abs(growth))}）{power}"


@dataclass
class _Drafter:
    """Reads the assumptions and the history, records each assumption used and each line made."""

    a: BudgetAssumptions
    history: list[FundYear]
    base_year: int
    steps: int
    used: list[Assumption] = field(default_factory=list)
    lines: list[BudgetLine] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def base(self) -> FundYear | None:
        return next((fy for fy in self.history if fy.year == self.base_year), None)

    def note(self, key: str, title: str, value: str, basis: str) -> None:
        self.used.append(Assumption(key, title, value, basis, self.a.notes.get(key)))

    def series(self, read: Callable[[FundYear], Decimal | None]) -> list[tuple[int, Decimal]]:
        return [(fy.year, v) for fy in self.history if (v := read(fy)) is not None]

    def given(self, key: str, title: str, q: Quantity | None, unit: str) -> Decimal | None:
        if q is None:
            return None
        self.note(key, title, str(q), "给定")
        return q.value_in(unit)

    def from_base(self, key: str, title: str, read: Callable[[FundYear], Decimal | None], places: int,
                  unit: str, what: str) -> Decimal | None:
        """The base year's figure, rounded to ``places`` as it is shown (and used from then on)."""
        value = read(self.base) if self.base is not None else None
        if value is None:
            self.missing.append(f"{title}（或{self.base_year}年记录的{what}）")
            return None
        value = round_half_up(value, places)
        self.note(key, title, f"{fmt(value, places)}{unit}", f"取{self.base_year}年记录的{what}")
        return value

    def grow(self, key: str, title: str, value: Decimal, growth: Decimal, places: int, unit: str) -> Decimal:
        """The budget year's figure: ``value`` × (1 + growth)^steps, rounded to ``places`` as shown."""
        grown = round_half_up(value * (1 + growth) ** self.steps, places)
        self.note(key, title, f"{fmt(grown, places)}{unit}",
                  f"{fmt(value, places)}{unit} × {_factor(growth, self.steps)}")
        return grown

    def growth(self, key: str, title: str, q: Quantity | None, read: Callable[[FundYear], Decimal | None],
               default_zero: str = "") -> Decimal:
        """A stated growth, else the trend of ``read`` over the years (年均增长率), else 0."""
        if q is not None:
            self.note(key, title, str(q), "给定")
            return _fraction(q)
        if default_zero:
            self.note(key, title, "0.00%", default_zero)
            return Decimal(0)
        points = self.series(read)
        if len(points) >= 2:
            found = forecast_next(points)
            if found.growth is not None:
                growth = round_half_up(found.growth * 100, 2) / 100  # as shown: 6.53%
                span = f"{found.years[0]}–{found.years[-1]}年"
                self.note(key, title, _pct(growth), f"按{span}年均增长率")
                return growth
        self.note(key, title, "0.00%", "未给定，往年数据不足，按0%")
        return Decimal(0)

    def add(self, path: str, exact: Decimal, formula: str) -> Decimal:
        value = round_half_up(exact, self.a.places)
        self.lines.append(BudgetLine(path, ledger_title(path), value, self.a.places,
                                     f"{formula} = {fmt(value, self.a.places)}万元"))
        return value

    def total(self, path: str, parts: list[str]) -> Decimal:
        values = [(p, v) for p in parts if (v := self.value(p)) is not None]
        value = sum((v for _, v in values), Decimal(0))
        shown = " + ".join(f"{ledger_title(p)} {fmt(v, self.a.places)}" for p, v in values)
        return self.add(path, value, shown or "0")

    def value(self, path: str) -> Decimal | None:
        return next((line.value for line in self.lines if line.path == path), None)


def _money(group: str, name: str) -> Callable[[FundYear], Decimal | None]:
    def read(fy: FundYear) -> Decimal | None:
        q = getattr(getattr(fy, group), name)
        return q.value_in("万元") if isinstance(q, Quantity) else None
    return read


def _persons(name: str) -> Callable[[FundYear], Decimal | None]:
    def read(fy: FundYear) -> Decimal | None:
        q = getattr(fy.coverage, name)
        return q.value_in("人") if isinstance(q, Quantity) else None
    return read


def _ratio(top: Callable[[FundYear], Decimal | None], bottom: Callable[[FundYear], Decimal | None],
           scale: Decimal) -> Callable[[FundYear], Decimal | None]:
    def read(fy: FundYear) -> Decimal | None:
        t, b = top(fy), bottom(fy)
        return t * scale / b if t is not None and b else None
    return read


def _paying(fy: FundYear) -> Decimal | None:
    return _persons("paying")(fy) or _persons("employed")(fy)


def _visits(fy: FundYear) -> Decimal | None:
    q = fy.services.beneficiaries
    return q.value_in("人次") if q is not None else None


_BENEFITS = _money("expenditure", "benefits")
_INSURED = _persons("insured")


def _employee(d: _Drafter, e: EmployeeIncome) -> None:
    paying = d.given("employee.paying", "基期缴费人数", e.paying, "人")
    if paying is None:
        paying = d.from_base("employee.paying", "基期缴费人数", _paying, 0, "人", "实际缴费人数（或在职职工）")
    growth = d.growth("employee.paying_growth", "缴费人数增长率", e.paying_growth, _paying)
    base = e.base.value_in("元/人") if e.base.dimension == "money_per_person" else e.base.value_in("元")
    d.note("employee.base", "基期人均缴费基数", str(e.base), "给定")
    base_growth = d.growth("employee.base_growth", "缴费基数增长率", e.base_growth, lambda _: None, "未给定，按0%")
    collection = _fraction(e.collection_rate) if e.collection_rate is not None else Decimal(1)
    d.note("employee.collection_rate", "征缴率", str(e.collection_rate) if e.collection_rate else "100%",
           "给定" if e.collection_rate is not None else "未给定，按100%")
    if paying is None:
        return
    payers = d.grow("employee.paying_next", "预算年度缴费人数", paying, growth, 0, "人")
    wage = d.grow("employee.base_next", "预算年度人均缴费基数", base, base_growth, 2, "元/人")
    head = f"预算年度缴费人数 {fmt(payers, 0)}人 × 人均缴费基数 {fmt(wage, 2)}元/人 × 征缴率 {_pct(collection)}"
    for path, rate, key in (("income.contributions_employer", e.employer_rate, "employee.employer_rate"),
                            ("income.contributions_individual", e.individual_rate, "employee.individual_rate")):
        d.note(key, ledger_title(path).replace("缴费", "缴费费率"), str(rate), "给定")
        d.add(path, payers * wage * collection * _fraction(rate) / 10000, f"{head} × 费率 {rate} ÷ 10000")
    d.total("income.contributions", ["income.contributions_employer", "income.contributions_individual"])


def _resident(d: _Drafter, r: ResidentIncome) -> Decimal | None:
    """Returns the budget year's insured persons (for the expenditure)."""
    insured = d.given("resident.insured", "基期参保人数", r.insured, "人")
    if insured is None:
        insured = d.from_base("resident.insured", "基期参保人数", _INSURED, 0, "人", "参保人数")
    growth = d.growth("resident.insured_growth", "参保人数增长率", r.insured_growth, _INSURED)
    d.note("resident.individual_standard", "个人缴费标准", str(r.individual_standard), "给定")
    d.note("resident.fiscal_standard", "财政补助标准", str(r.fiscal_standard), "给定")
    if insured is None:
        return None
    persons = d.grow("resident.insured_next", "预算年度参保人数", insured, growth, 0, "人")
    head = f"预算年度参保人数 {fmt(persons, 0)}人"
    d.add("income.contributions_individual", persons * r.individual_standard.value_in("元/人") / 10000,
          f"{head} × 个人缴费标准 {r.individual_standard} ÷ 10000")
    d.total("income.contributions", ["income.contributions_individual"])
    d.add("income.fiscal_subsidy", persons * r.fiscal_standard.value_in("元/人") / 10000,
          f"{head} × 财政补助标准 {r.fiscal_standard} ÷ 10000")
    return persons


def _trend_items(d: _Drafter, group: str) -> list[str]:
    """Every other item of ``group`` the base year has or the assumptions give, by its trend."""
    made = []
    for path in TREND_ITEMS:
        if not path.startswith(group + ".") or d.value(path) is not None:
            continue
        item = d.a.trends.get(path)
        read = _money(*path.split("."))
        base = read(d.base) if d.base is not None else None
        title = ledger_title(path)
        if item is not None and item.amount is not None:
            d.note(f"trends.{path}", title, str(item.amount), "给定")
            d.add(path, item.amount.value_in("万元"), f"给定 {item.amount}")
        elif item is not None and item.growth is not None:
            if base is None:
                d.missing.append(f"{d.base_year}年记录的{title}（按增长率测算须有基期数）")
                continue
            d.note(f"trends.{path}", f"{title}增长率", str(item.growth), "给定")
            d.add(path, base * (1 + _fraction(item.growth)) ** d.steps,
                  f"{d.base_year}年{title} {base} × {_factor(_fraction(item.growth), d.steps)}")
        elif base is not None:
            d.add(path, *_by_trend(d, path, title, read))
        else:
            continue
        made.append(path)
    return made


def _by_trend(d: _Drafter, path: str, title: str, read: Callable[[FundYear], Decimal | None]) -> tuple[Decimal, str]:
    points = d.series(read)
    found = forecast_next(points)
    span = f"{found.years[0]}–{found.years[-1]}年" if len(found.years) > 1 else f"{found.years[0]}年"
    last = points[-1][1]
    if found.method == "growth":
        assert found.growth is not None
        growth = round_half_up(found.growth * 100, 2) / 100  # as shown
        d.note(f"trends.{path}", f"{title}增长率", _pct(growth), f"按{span}年均增长率")
        return last * (1 + growth) ** d.steps, f"{points[-1][0]}年{title} {last} × {_factor(growth, d.steps)}"
    window = [v for y, v in points if y in found.years]
    d.note(f"trends.{path}", title, f"{fmt(found.value, d.a.places)}万元", f"{found.label}（{span}）")
    if found.method == "last":
        return last, f"{points[-1][0]}年{title} {last}"
    return found.value, f"{span}{title}平均数（{' + '.join(f'{v}' for v in window)}）÷ {len(window)}"


def _spending(d: _Drafter, x: Expenditure) -> tuple[str, str]:
    """(the line the method makes, its words): 待遇支出 — or, when the base year states only the
    total and the assumptions give no per-person figure, 基金支出合计 (then there are no other items)."""
    given = x.per_visit if x.method == "per_visit" else x.per_capita
    if given is not None or d.base is None or _BENEFITS(d.base) is not None:
        return "expenditure.benefits", "待遇支出"
    if _money("expenditure", "total")(d.base) is not None:
        return "expenditure.total", "基金支出"
    return "expenditure.benefits", "待遇支出"


def _per_visit(d: _Drafter, x: Expenditure, path: str, words: str) -> None:
    visits = d.given("expenditure.visits", "基期享受待遇人次", x.visits, "人次")
    if visits is None:
        visits = d.from_base("expenditure.visits", "基期享受待遇人次", _visits, 0, "人次", "享受待遇人次")
    visits_growth = d.growth("expenditure.visits_growth", "待遇人次增长率", x.visits_growth, _visits)
    per_visit = _ratio(_money(*path.split(".")), _visits, Decimal(10000))
    cost = d.given("expenditure.per_visit", "基期次均费用", x.per_visit, "元/人次")
    if cost is None:
        cost = d.from_base("expenditure.per_visit", "基期次均费用", per_visit, 2, "元/人次", f"{words} ÷ 享受待遇人次")
    cost_growth = d.growth("expenditure.per_visit_growth", "次均费用增长率", x.per_visit_growth, per_visit)
    if visits is None or cost is None:
        return
    visits = d.grow("expenditure.visits_next", "预算年度享受待遇人次", visits, visits_growth, 0, "人次")
    cost = d.grow("expenditure.per_visit_next", "预算年度次均费用", cost, cost_growth, 2, "元/人次")
    d.add(path, visits * cost / 10000, f"享受待遇人次 {fmt(visits, 0)}人次 × 次均费用 {fmt(cost, 2)}元/人次 ÷ 10000")


def _per_capita(d: _Drafter, x: Expenditure, persons: Decimal | None, path: str, words: str) -> None:
    per_capita_of = _ratio(_money(*path.split(".")), _INSURED, Decimal(10000))
    title = f"基期人均{words}"
    per_capita = d.given("expenditure.per_capita", title, x.per_capita, "元/人")
    if per_capita is None:
        per_capita = d.from_base("expenditure.per_capita", title, per_capita_of, 2, "元/人", f"{words} ÷ 参保人数")
    growth = d.growth("expenditure.per_capita_growth", f"人均{words}增长率", x.per_capita_growth, per_capita_of)
    if x.persons is not None:
        persons = d.given("expenditure.persons", "预算年度人数", x.persons, "人")
    elif persons is None:
        insured = d.from_base("expenditure.insured", "基期参保人数", _INSURED, 0, "人", "参保人数")
        insured_growth = d.growth("expenditure.insured_growth", "参保人数增长率", None, _INSURED)
        if insured is not None:
            persons = d.grow("expenditure.persons", "预算年度参保人数", insured, insured_growth, 0, "人")
    else:
        d.note("expenditure.persons", "预算年度人数", f"{fmt(persons, 0)}人", "同收入测算的预算年度参保人数")
    if per_capita is None or persons is None:
        return
    per_capita = d.grow("expenditure.per_capita_next", f"预算年度人均{words}", per_capita, growth, 2, "元/人")
    d.add(path, persons * per_capita / 10000,
          f"人数 {fmt(persons, 0)}人 × 人均{words} {fmt(per_capita, 2)}元/人 ÷ 10000")


def _balance(d: _Drafter) -> Decimal | None:
    income, spent = d.value("income.total"), d.value("expenditure.total")
    assert income is not None and spent is not None
    current = d.add("balance.current", income - spent,
                    f"基金收入合计 {fmt(income, d.a.places)} − 基金支出合计 {fmt(spent, d.a.places)}")
    opening = d.given("opening", "预算年度年初累计结余", d.a.opening, "万元")
    if opening is None and d.base is not None and d.steps == 1:
        opening = _money("balance", "closing")(d.base)
        if opening is not None:
            d.note("opening", "预算年度年初累计结余", f"{fmt(opening, d.a.places)}万元",
                   f"取{d.base_year}年年末累计结余")
    if opening is None:
        return None
    d.add("balance.opening", opening, "给定" if d.a.opening is not None else f"{d.base_year}年年末累计结余")
    closing = d.add("balance.closing", opening + current,
                    f"年初累计结余 {fmt(opening, d.a.places)} + 当期结余 {fmt(current, d.a.places)}")
    return closing / (spent / 12) if spent else None


def draft_budget(assumptions: BudgetAssumptions, history: Iterable[FundYear]) -> BudgetDraft:
    """The 基金预算表 of ``assumptions.year`` from the assumptions and the fund's earlier records.

    ``history``: the unit's fund records (others are ignored); the base year (``base_year``,
    else the year before) gives what the assumptions leave out, earlier years the trends.
    Raises :class:`BudgetDraftError` naming every figure that is neither given nor in the base year.
    """
    a = assumptions
    base_year = a.base_year or a.year - 1
    if base_year >= a.year:
        raise BudgetDraftError([f"早于预算年度{a.year}年的基期（现为{base_year}年）"])
    mine = sorted((fy for fy in history if (fy.unit, fy.fund, fy.scope) == (a.unit, a.fund, a.scope)
                   and fy.year <= base_year), key=lambda fy: fy.year)
    d = _Drafter(a, mine, base_year, a.year - base_year)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        persons = None
        if a.employee is not None:
            _employee(d, a.employee)
        if a.resident is not None:
            persons = _resident(d, a.resident)
        income_items = _trend_items(d, "income")
        path, words = _spending(d, a.expenditure)
        if a.expenditure.method == "per_visit":
            _per_visit(d, a.expenditure, path, words)
        else:
            _per_capita(d, a.expenditure, persons, path, words)
        spending_items = _trend_items(d, "expenditure") if path == "expenditure.benefits" else []
        if d.missing:
            raise BudgetDraftError(list(dict.fromkeys(d.missing)))
        computed = [p for p in ("income.contributions", "income.fiscal_subsidy") if d.value(p) is not None]
        d.total("income.total", [*computed, *income_items])
        if path == "expenditure.benefits":
            d.total("expenditure.total", ["expenditure.benefits", *spending_items])
        months = _balance(d)
    order = {"income": 0, "expenditure": 1, "balance": 2}
    lines = sorted(d.lines, key=lambda line: order[line.path.split(".")[0]])  # stable: parts before totals
    return BudgetDraft(a, base_year, d.used, lines, months)
