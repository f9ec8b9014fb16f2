"""Computed amounts are written with the precision of their inputs.

The rule (``jixiao.calc.terms.display_places``, read through ``IndicatorResult.places`` and
``display()`` by every writer): an amount that is a sum or difference of written figures is shown
with the most decimals among its inputs — 益阳 2020's 151661 − 128457 is “23204万元” as the seed
itself writes it, never “23204.00万元”; 米易 2019's 760.35 − 1651.24 keeps two decimals. A product
or quotient (rates, 人均, 可支付月数) keeps the indicator's declared places (“15.30%”, “806元”,
“25.0个月”). Checked here on the real examples in every output (sentences, DOCX, XLSX number
formats, HTML) and on random data at 0, 1, 2 and mixed decimals that must still pass the audit.
"""

from __future__ import annotations

import random
import re
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pydantic import BaseModel

from jixiao.audit.document import Block
from jixiao.audit.document import Document as Document_
from jixiao.audit.pipeline import audit_document, audit_path
from jixiao.calc import compute_department, compute_fund_year
from jixiao.ingest.files import read_files
from jixiao.model import Dataset, FundYear
from jixiao.numbers import Quantity, exponent_of, parse_quantity
from jixiao.write import write_report
from jixiao.write.synthetic import synthetic_unit

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
SEEDS = EXAMPLES / "seeds"


def dataset(name: str) -> Dataset:
    result = read_files([EXAMPLES / "units.yaml", EXAMPLES / name])
    assert result.ok and result.dataset is not None, [str(p) for p in result.problems]
    return result.dataset


def html_text(path: Path) -> str:
    return re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8"))


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def fund_results(ds: Dataset, fy: FundYear) -> dict[str, object]:
    siblings = {o.fund: o for o in ds.fund_years if (o.unit, o.year, o.scope) == (fy.unit, fy.year, fy.scope)
                and o is not fy}
    return {r.id: r for r in compute_fund_year(fy, siblings)}


def department_results(dy: object) -> dict[str, object]:
    return {r.id: r for r in compute_department(dy)}  # type: ignore[arg-type]


def indicator_texts(path: Path) -> dict[str, list[str]]:
    """指标计算表 of a working paper: indicator name → [the value as displayed]."""
    ws = load_workbook(path)["指标计算表"]
    found: dict[str, list[str]] = {}
    for r in range(3, ws.max_row + 1):
        name, value = ws.cell(r, 3).value, ws.cell(r, 5).value
        if isinstance(name, str):
            found.setdefault(name, []).append(str(value))
    return found


def fund_table_cells(path: Path) -> dict[str, dict[str, tuple[object, str]]]:
    """基金收支情况表 of a report's .xlsx: fund → column title → (value, number format)."""
    ws = next(ws for ws in load_workbook(path) if "基金收支情况表" in ws.title)
    heads = {c: ws.cell(3, c).value for c in range(1, ws.max_column + 1)}
    return {str(ws.cell(r, 1).value): {str(heads[c]): (ws.cell(r, c).value, ws.cell(r, c).number_format)
                                       for c in range(2, ws.max_column + 1)}
            for r in range(4, ws.max_row + 1) if ws.cell(r, 1).value}


def reports(factory: pytest.TempPathFactory, name: str, unit: str, year: int) -> dict[str, Path]:
    """Every report of one example unit-year in every format: file name → path."""
    paths = write_report(dataset(name), unit, year, factory.mktemp(unit), ("docx", "xlsx", "html"), charts=False)
    return {p.name: p for p in paths}


@pytest.fixture(scope="module")
def yiyang(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return reports(tmp_path_factory, "004_yiyang_2020.yaml", "430900", 2020)


@pytest.fixture(scope="module")
def miyi(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return reports(tmp_path_factory, "003_miyi_2019.yaml", "510421-01", 2019)


# --- the real examples --------------------------------------------------------------------------


def test_yiyang_2020_fund_report_writes_whole_amounts_as_the_seed_does(yiyang: dict[str, Path]) -> None:
    seed = next(SEEDS.glob("004_*.txt")).read_text(encoding="utf-8")
    assert "当期结余23204万元" in seed and "当期亏损9054万元" in seed  # what the seed itself writes
    stem = "430900_2020_基金支出绩效自评报告"
    for text, minus in ((html_text(yiyang[f"{stem}.html"]), "-"), (docx_text(yiyang[f"{stem}.docx"]), "−")):
        assert "当期结余23204万元" in text and "基金当期结余率为15.30%" in text
        assert f"当期收不抵支，缺口9054万元，当期结余率为{minus}2.84%" in text
        assert "23204.00" not in text and "9054.00" not in text
        assert not re.search(r"\d\.00万元", text), re.findall(r"[^，。]*\d\.00万元", text)
    cells = fund_table_cells(yiyang[f"{stem}.xlsx"])
    assert cells["全市职工基本医疗保险基金"]["当期结余"] == (23204, "0")
    assert cells["全市城乡居民基本医疗保险基金"]["当期结余"] == (-9054, "0")
    # quotients keep their declared places: rates 2, 人均 元 0
    paper = indicator_texts(yiyang[f"{stem}_审核底稿.xlsx"])
    assert all(re.fullmatch(r"−?\d+\.\d\d%", v) for v in paper["当期结余率"])  # the paper's minus: U+2212
    assert "806元" in paper["人均筹资"] and "828元" in paper["人均基金支出"]


def test_xinjiang_2019_changes_and_net_assets_are_whole(tmp_path: Path) -> None:
    paths = write_report(dataset("001_xinjiang_2019.yaml"), "650000-01", 2019, tmp_path, ("html",), charts=False)
    text = html_text(next(p for p in paths if p.name.endswith("基金支出绩效自评报告.html")))
    # 当期结余 as entered (86466: 355212 − 268747 = 86465 within the 元 rounding of the two)
    for sentence in ("资产减负债560783万元。", "较上年减少6136万元，下降2.23%",
                     "当期结余86466万元，当期结余率为24.34%", "缺口1913万元",
                     "可支付25.0个月"):  # months: a quotient, 1 decimal as declared
        assert sentence in text


def test_miyi_2019_department_keeps_two_decimals(miyi: dict[str, Path]) -> None:
    stem = "510421-01_2019_部门整体支出绩效自评报告"
    expected = ("本年收入合计760.35万元，较上年1651.24万元减少890.89万元，下降53.95%；本年支出合计747.1万元，"
                "较上年1650.49万元减少903.39万元")
    assert expected in html_text(miyi[f"{stem}.html"])
    assert expected in docx_text(miyi[f"{stem}.docx"])
    paper = indicator_texts(miyi[f"{stem}_审核底稿.xlsx"])
    # the working paper's minus is U+2212, which a wrapped line never ends with
    assert paper["收入增减额"] == ["−890.89万元"] and paper["支出增减额"] == ["−903.39万元"]


def test_project_self_eval_figures_are_formatted_as_written(miyi: dict[str, Path]) -> None:
    name = next(n for n in miyi if "项目_建档立卡" in n and n.endswith(".xlsx"))
    ws = load_workbook(miyi[name]).worksheets[0]
    figures = [(ws.cell(6, c).value, ws.cell(6, c).number_format) for c in (5, 6, 7) if ws.cell(6, c).value is not None]
    assert figures and all(v == pytest.approx(251.2) for v, _ in figures)
    assert {f for _, f in figures} == {"0.0"}  # 251.2 written with one decimal: not shown as 251.20


def test_every_computed_amount_has_its_inputs_precision_and_is_exact() -> None:
    """Every 万元 result of every example: shown with the most decimals among the figures it was
    computed from (as written, in 万元), and showing it loses nothing (a sum never needs rounding)."""
    seen: set[int] = set()
    for path in sorted(EXAMPLES.glob("0*.yaml")):
        ds = dataset(path.name)
        results = [r for fy in ds.fund_years for r in fund_results(ds, fy).values()]
        results += [r for dy in ds.departments for r in department_results(dy).values()]
        for r in results:
            if r.unit != "万元" or r.value is None:
                continue
            written = [parse_quantity(v) for v in r.inputs.values()]
            # an input written in 元 counts at most the declared 2 places in 万元
            places = max(min(max(0, -exponent_of(q.value_in("万元"))), 2 if q.unit == "元" else 99)
                         for q in written if q.unit in ("万元", "元", "亿元"))
            assert r.places == places, (path.name, r.id, r.inputs, r.display())
            shown = Decimal(r.display_value())
            assert max(0, -exponent_of(shown)) == places, (path.name, r.id, r.display())
            if not any(q.unit == "元" for q in written):
                assert shown == r.value, (path.name, r.id, r.display())  # nothing rounded
            seen.add(places)
    assert seen == {0, 2}  # whole (000, 001, 004) and two-decimal (003) amounts both occur


# --- the rule on hand-made records --------------------------------------------------------------


def fund(**fields: object) -> FundYear:
    base = {"unit": "650500", "year": 2019, "fund": "城乡居民基本医疗保险", "scope": "全市"}
    return FundYear.model_validate({**base, **fields})


def shown(record: FundYear, indicator_id: str) -> str:
    return next(r for r in compute_fund_year(record) if r.id == indicator_id).display()


@pytest.mark.parametrize(("income", "expenditure", "balance"), [
    ("655.50", "100", "555.50万元"),   # the most decimals of the inputs
    ("655.5", "100", "555.5万元"),
    ("655", "100.25", "554.75万元"),
    ("151661", "128457", "23204万元"),  # whole inputs: whole result
    ("7.42亿元", "65884", "8316万元"),  # 0.01亿元 is 100万元: nothing after the point
    ("100", "100", "0万元"),
    ("100.00", "100.50", "-0.50万元"),
    ("1516614321元", "1284570000元", "23204.43万元"),  # 元 read in 万元: the declared 2, not 23204.4321
    ("1516614250元", "1284570000元", "23204.43万元"),  # 23204.425: 四舍五入 (not to even)
    ("1284570000元", "1516614250元", "-23204.43万元"),  # half away from zero
    ("151661.4321", "128457", "23204.4321万元"),        # written in 万元: all four kept
    ("655.5012", "1234元", "655.3778万元"),             # 万元 input's 4 places kept, 元 adds none beyond
    ("100.3", "1234元", "100.18万元"),                  # 元 input: at most the declared 2
    ("1.5亿元", "1234.5元", "14999.88万元"),
])
def test_sum_or_difference_takes_its_inputs_most_decimals(income: str, expenditure: str, balance: str) -> None:
    record = fund(income={"total": income}, expenditure={"total": expenditure},
                  balance={"opening": "1000"}, previous={"income_total": "600"})
    assert shown(record, "current_balance") == balance
    opening_plus = shown(record, "closing_balance")
    assert opening_plus.removesuffix("万元").partition(".")[2] == balance.removesuffix("万元").partition(".")[2]


def test_products_and_quotients_keep_the_declared_places() -> None:
    record = fund(income={"total": "319286"}, expenditure={"total": "328340"}, balance={"closing": "100000"},
                  coverage={"insured": "3963292"}, previous={"income_total": "307920"})
    assert shown(record, "current_balance") == "-9054万元"
    assert shown(record, "income_per_capita") == "806元"       # 元, 0 places
    assert shown(record, "expenditure_per_capita") == "828元"
    assert shown(record, "per_capita_gap") == "23元"           # a difference of quotients: declared places
    assert shown(record, "current_balance_rate") == "-2.84%"   # %, 2 places
    assert shown(record, "income_yoy_rate") == "3.69%"
    assert shown(record, "months_of_reserve") == "3.7个月"     # 个月, 1 place
    two = fund(income={"total": "319286.00"}, expenditure={"total": "328340.00"})
    assert shown(two, "current_balance") == "-9054.00万元" and shown(two, "current_balance_rate") == "-2.84%"


def test_department_change_from_mixed_precision() -> None:
    from jixiao.model import DepartmentYear

    dy = DepartmentYear.model_validate({"unit": "510421-01", "year": 2019,
                                        "income": {"total": "760"}, "expenditure": {"total": "747.1"},
                                        "previous": {"income_total": "1651.24", "expenditure_total": "1650"}})
    r = {x.id: x for x in compute_department(dy)}
    assert r["income_yoy_change"].display() == "-891.24万元"
    assert r["expenditure_yoy_change"].display() == "-902.9万元"


# --- rounding never creates an audit error ------------------------------------------------------


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(rng=st.randoms(use_true_random=False), places=st.sampled_from([0, 1, None]))
def test_whole_and_mixed_precision_reports_pass_the_audit(rng: random.Random, places: int | None,
                                                          tmp_path: Path) -> None:
    """Consistent random unit-years written with whole, one-decimal or mixed figures: the written
    results (a whole 当期结余 printed next to its whole parts, a sum of one-decimal and two-decimal
    figures) read back by the auditor give no error."""
    ds = synthetic_unit(rng, "S00001", 2021, places=places)
    out = tmp_path / f"r{rng.getrandbits(32)}"
    paths = write_report(ds, "S00001", 2021, out, ("docx", "html"), charts=False, workpapers=False)
    assert len(paths) == 6
    errors: list[str] = []
    for path in paths:
        result = audit_path(path)
        assert result.error is None, result.error
        errors += [f"{path.name}: {f.code} {f.message}" for f in result.findings if f.severity == "error"]
    assert errors == []
    if places == 0:
        text = html_text(next(p for p in paths if p.name.endswith("基金支出绩效自评报告.html")))
        assert re.search(r"当期结余-?\d+万元|缺口\d+万元", text)
        assert not re.search(r"\d\.\d+万元", text)  # whole inputs: no amount with decimals anywhere


def in_yuan(obj: object) -> object:
    """Every 万元 figure of a record rewritten in 元 (the same value, e.g. 1516.6143万元 → 15166143元)."""
    if isinstance(obj, Quantity):
        return Quantity(obj.value.scaleb(4), "元", obj.approx) if obj.unit == "万元" else obj
    if isinstance(obj, BaseModel):
        return obj.model_copy(update={k: in_yuan(v) for k, v in obj})
    if isinstance(obj, list | tuple):
        return type(obj)(in_yuan(v) for v in obj)
    if isinstance(obj, dict):
        return {k: in_yuan(v) for k, v in obj.items()}
    return obj


def audit_errors(paths: list[Path]) -> list[str]:
    errors: list[str] = []
    for path in paths:
        result = audit_path(path)
        assert result.error is None, result.error
        errors += [f"{path.name}: {f.code} {f.message}" for f in result.findings if f.severity == "error"]
    return errors


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32))
def test_amounts_written_in_yuan_are_rounded_and_still_pass_the_audit(seed: int, tmp_path: Path) -> None:
    """Consistent data written in whole 元 (4 places in 万元): a sum or difference is shown in 万元 at
    the declared 2 places, rounded 四舍五入 — printed next to its exact 元 parts (“收入2578063131元 …
    支出2526031890元 … 当期结余5203.12万元”), the auditor's interval check still passes."""
    ds = in_yuan(synthetic_unit(random.Random(seed), "S00001", 2021, places=4))
    assert isinstance(ds, Dataset)
    # only a unit whose exact 资产减负债 has digits beyond the two shown tests the rounding (about 1 in 100 has none)
    exact = [r.value for fy in ds.fund_years for r in fund_results(ds, fy).values() if r.id == "net_assets"]
    assume(any(v is not None and v != v.quantize(Decimal("0.01")) for v in exact))
    paths = write_report(ds, "S00001", 2021, tmp_path / f"r{seed}", ("docx", "html"), charts=False, workpapers=False)
    assert len(paths) == 6 and audit_errors(paths) == []
    text = html_text(next(p for p in paths if p.name.endswith("基金支出绩效自评报告.html")))
    # an entered 当期结余 is printed as entered (in 元); a computed amount (资产减负债) in 万元 at 2 places
    balances = re.findall(r"资产减负债(-?\d+(?:\.\d+)?)万元", text)
    assert balances and all(re.fullmatch(r"-?\d+\.\d\d", b) for b in balances), balances  # never 4 places
    assert re.search(r"收入\d{5,}元", text) and not re.search(r"\d\.\d{3,}万元", text)


def balance_findings(income: str, expenditure: str, balance: str) -> list[str]:
    """The auditor's error codes on the sentence a report writes: 收入、支出 as written, 当期结余 shown."""
    text = f"城乡居民医疗保险基金收入{income}，基金支出{expenditure}，基金当期结余{balance}。"
    doc = Document_(path="hand.txt", format="txt", blocks=[Block(text=text, line=1, source_text=text)],
                    original_text=text, chars=len(text))
    result = audit_document(doc)
    assert result.checks >= 1  # the sentence was read and its balance checked
    return [f.code for f in result.findings if f.severity == "error"]


# below 10亿元: the auditor reads an 11-digit 1xxxxxxxxxx元 as a phone number and checks nothing
@settings(max_examples=60, deadline=None)
@given(income=st.integers(10**6, 10**10 - 1), share=st.integers(1, 499), jitter=st.integers(0, 9999),
       cents=st.booleans())
def test_a_rounded_balance_next_to_its_yuan_parts_passes_the_interval_check(income: int, share: int, jitter: int,
                                                                            cents: bool) -> None:
    """元 figures (whole, or with 角分), the 万元 当期结余 the engine shows for them (2 places, rounded
    四舍五入) in the sentence a report writes: the auditor's JX-BAL-001 interval check passes — and
    fails once the shown balance is 0.02万元 off, so the check is really made. (A surplus: the
    writer puts a deficit as 收支缺口, which the auditor does not check against its parts.)"""
    exp = income - max(1, income * share // 1000 - jitter)
    inc = Decimal(income).scaleb(-2) * 100 + Decimal("0.37") if cents else Decimal(income)
    record = fund(income={"total": f"{inc}元"}, expenditure={"total": f"{exp}元"})
    result = next(r for r in compute_fund_year(record) if r.id == "current_balance")
    assert result.places == 2 and result.value == (inc - exp).scaleb(-4)
    shown = result.display()
    assert re.fullmatch(r"\d+\.\d\d万元", shown), shown
    assert balance_findings(f"{inc}元", f"{exp}元", shown) == []
    off = Decimal(result.display_value()) + Decimal("0.02")
    assert "JX-BAL-001" in balance_findings(f"{inc}元", f"{exp}元", f"{off}万元")


@pytest.mark.parametrize(("income", "expenditure", "shown"), [
    ("1516614321元", "1284570000元", "23204.43万元"),
    ("1516614250元", "1284570000元", "23204.43万元"),  # exactly half a unit: rounded up, still inside
    ("1516614249元", "1284570000元", "23204.42万元"),
    ("2578063131元", "2526031890元", "5203.12万元"),
])
def test_rounded_balances_at_the_half_unit_pass_the_audit(income: str, expenditure: str, shown: str) -> None:
    assert next(r for r in compute_fund_year(fund(income={"total": income}, expenditure={"total": expenditure}))
                if r.id == "current_balance").display() == shown
    assert balance_findings(income, expenditure, shown) == []


def test_places_shown_reads_a_display_back() -> None:
    """For pages that hold only stored displays (the comparison's median): the decimals shown."""
    from jixiao.calc.registry import places_shown

    ds = dataset("004_yiyang_2020.yaml")
    results = {r.id: r for fy in ds.fund_years for r in fund_results(ds, fy).values() if r.value is not None}
    for r in results.values():
        assert places_shown(r.display()) == r.places, r.display()
    assert places_shown("23204万元") == 0 and places_shown("-890.89万元") == 2 and places_shown("15.30%") == 2
    assert places_shown("25.0个月") == 1 and places_shown("不可计算：缺少：支出预算") is None
