"""The web app in a real headless Chromium (Debian's package, driven by Playwright).

A real ``jixiao serve`` runs in a subprocess on a free loopback port, on a SQLite database made
with the project's own commands: ``jixiao load`` of the unit tree, four of the five examples
(益阳 2020 — ``examples/004_yiyang_2020.yaml`` — is NOT loaded: it arrives through the browser,
as the operator's workbook upload) and a 30-unit synthetic province in 2019 (``bench/province.py``,
so the comparison has rows to rank and sort), and ``jixiao user add --password-stdin`` for an admin and an
operator of 益阳 (430900).

What a person does, and what they must see:

- log in (a wrong password is refused with the message, the right one lands on the unit tree);
- upload a workbook (``jixiao template --from examples/004_yiyang_2020.yaml``) with one cell made
  wrong: the problem is listed by sheet and cell and nothing is saved; upload the fixed one: a
  preview, nothing saved until it is confirmed; then the dashboard, with the 城乡居民 当期赤字
  warning whose amount is the workbook's income − spending;
- download the DOCX (a zip holding ``word/document.xml`` that names the unit);
- audit a seed on the audit page: the findings listed are the library's own findings;
- compare units for a year: several units, a chart drawn, sorting by HTMX.

On every page: no script errors, no request leaves the server's origin (no CDN), Chinese text
drawn with real glyphs (two different characters do not render the same box). Screenshots go to
``tmp_path``, and also to ``$JIXIAO_SHOTS_DIR`` when set (to look at them).
"""

from __future__ import annotations

import json
import subprocess
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from e2e_support import (
    ADMIN,
    EXAMPLES,
    JIXIAO,
    OPERATOR,
    OPERATOR_UNIT,
    REPO,
    REVIEWER,
    SEEDS,
    LiveServer,
    Watched,
    chromium,
    require_browser,
    run_cli,
    save_shot,
    served,
    synthetic_province_file,
    watching,
    year_copy,
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

PRELOADED = [EXAMPLES / "units.yaml", EXAMPLES / "000_hami_2019.yaml", EXAMPLES / "001_xinjiang_2019.yaml",
             EXAMPLES / "002_zhuzhou_2018.yaml", EXAMPLES / "003_miyi_2019.yaml"]
UPLOADED_EXAMPLE = EXAMPLES / "004_yiyang_2020.yaml"
SYNTHETIC_UNITS = 30
SEED = SEEDS / "000_1cda87d66f87ced2.txt"
BROKEN_SHEET, BROKEN_CELL, BROKEN_VALUE = "基金收入", "E4", "三十一万九千"  # 城乡居民医保 收入合计


# --------------------------------------------------------------------------------------------
# Fixtures: the server (one per module and worker), the browser, workbooks
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    require_browser()
    home = tmp_path_factory.mktemp("e2e-home")
    # beside the examples, a small synthetic province in 2019 so the comparison has many rows
    with served(home, [*PRELOADED, synthetic_province_file(home, SYNTHETIC_UNITS, 2019)]) as server:
        yield server


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory: pytest.TempPathFactory, live: LiveServer) -> dict[str, Path]:
    """The 益阳 2020 workbook made by ``jixiao template --from``, and a copy with one cell broken."""
    import openpyxl

    folder = tmp_path_factory.mktemp("workbooks")
    good = folder / "益阳_2020.xlsx"
    run_cli(["template", "--from", str(UPLOADED_EXAMPLE), "-o", str(good)], live.env, cwd=folder)
    wb = openpyxl.load_workbook(good)
    assert wb[BROKEN_SHEET]["A4"].value.startswith("基金收入合计"), "模板布局变了：基金收入!A4 不是收入合计"
    assert "城乡居民" in str(wb["单位与年度"]["B17"].value), "模板布局变了：基金4 不是城乡居民医保"
    wb[BROKEN_SHEET][BROKEN_CELL] = BROKEN_VALUE
    bad = folder / "益阳_2020_有错.xlsx"
    wb.save(bad)
    return {"good": good, "bad": bad}


# --------------------------------------------------------------------------------------------
# Page checks
# --------------------------------------------------------------------------------------------

GLYPH_PROBE = """() => {
  const font = getComputedStyle(document.body).fontFamily;
  const c = document.createElement('canvas'); c.width = 64; c.height = 64;
  const ctx = c.getContext('2d');
  const draw = (ch) => { ctx.clearRect(0, 0, 64, 64); ctx.fillStyle = '#000'; ctx.font = '48px ' + font;
                         ctx.fillText(ch, 4, 52); return Array.from(ctx.getImageData(0, 0, 64, 64).data).join(','); };
  const a = draw('医'), b = draw('保'), e = draw('绩');
  return { font: font, distinct: a !== b && b !== e && a !== e, inked: /[1-9]/.test(a) };
}"""

CANVAS_INK = """(sel) => Array.from(document.querySelectorAll(sel)).map((c) => {
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
  for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) { n++; } }
  return n; })"""


def assert_cjk_glyphs(page: Any) -> None:
    """Chinese characters are drawn from a real font: different characters give different ink."""
    probe = page.evaluate(GLYPH_PROBE)
    assert probe["inked"] and probe["distinct"], f"中文字形缺失（显示为方块）：字体 {probe['font']}"
    assert "\ufffd" not in page.inner_text("body"), "页面文字中有替换字符 U+FFFD（编码错误）"


def assert_charts_drawn(page: Any, minimum: int = 1) -> None:
    """ECharts (served from /static/vendor) drew at least ``minimum`` charts, each with ink."""
    page.wait_for_selector("div.chart[data-drawn] canvas")
    ink = page.evaluate(CANVAS_INK, "div.chart[data-drawn] canvas")
    assert len(ink) >= minimum, f"图表少于 {minimum} 个：{ink}"
    assert all(n > 500 for n in ink), f"有图表是空白的（每个画布的着色像素数：{ink}）"


def login(page: Any, username: str, password: str, next_path: str | None = None) -> None:
    page.goto("/login" + (f"?next={next_path}" if next_path else ""))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form[action='/login'] button[type=submit]")


def upload(page: Any, unit: str, path: Path) -> None:
    page.goto(f"/units/{unit}/upload")
    page.set_input_files(f"form[action='/units/{unit}/upload'] input[type=file]", str(path))
    with page.expect_navigation():
        page.click(f"form[action='/units/{unit}/upload'] button[type=submit]")


def docx_texts(data: bytes) -> dict[str, str]:
    """{name: word/document.xml} of a downloaded .docx, or of each .docx in a downloaded .zip."""
    import io

    assert zipfile.is_zipfile(io.BytesIO(data)), f"下载的不是 zip 格式：{data[:40]!r}"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        if "word/document.xml" in names:
            return {"report.docx": z.read("word/document.xml").decode("utf-8")}
        inner = [n for n in names if n.endswith(".docx")]
        assert inner and len(inner) == len(names), f"zip 中应只有 .docx：{names}"
        out = {}
        for name in inner:
            with zipfile.ZipFile(io.BytesIO(z.read(name))) as d:
                assert "word/document.xml" in d.namelist(), name
                out[name] = d.read("word/document.xml").decode("utf-8")
        return out


def api_json(page: Any, path: str) -> Any:
    """GET an /api route with the browser's own session cookie."""
    response = page.request.get(path)
    assert response.ok, f"{path}: {response.status} {response.text()[:300]}"
    return response.json()


# --------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------


def test_login_refuses_a_wrong_password_then_opens_the_unit_tree(watched: Watched, shot_dirs: list[Path]) -> None:
    page = watched.page
    page.goto("/units")
    assert "/login" in page.url, "未登录访问单位页应转到登录页"
    assert page.locator("h1").inner_text() == "登录"
    assert_cjk_glyphs(page)
    save_shot(page, shot_dirs, "01_login")

    login(page, OPERATOR[0], "不是这个密码-123456")
    assert "/login" in page.url
    assert "用户名或密码错误" in page.inner_text("body")
    assert page.context.cookies() == [] or all(c["httpOnly"] for c in page.context.cookies())

    page.fill("input[name=username]", OPERATOR[0])
    page.fill("input[name=password]", OPERATOR[1])
    with page.expect_navigation():
        page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url("**/units")
    tree = page.locator("#unit-tree").inner_text()
    assert "益阳市医疗保障局" in tree
    # an operator sees their own unit only: nothing of 新疆 or 四川
    assert "哈密市医疗保障局" not in tree and "米易县医疗保障局" not in tree
    session = [c for c in page.context.cookies() if c["name"] == "jixiao_session"]
    assert session and session[0]["httpOnly"] and session[0]["sameSite"] in ("Lax", "Strict")
    assert_cjk_glyphs(page)
    save_shot(page, shot_dirs, "02_units_operator")

    # another unit's dashboard is not there for this operator (404, not revealed)
    response = page.goto("/units/650500/years/2019")
    assert response is not None and response.status == 404


def test_workbook_with_an_error_then_fixed_dashboard_warning_and_docx(
    watched: Watched, workbooks: dict[str, Path], shot_dirs: list[Path], tmp_path: Path
) -> None:
    import openpyxl

    page = watched.page
    login(page, *OPERATOR, next_path=f"/units/{OPERATOR_UNIT}")
    assert api_json(page, f"/api/units/{OPERATOR_UNIT}")["years"] == [], "益阳的数据应只由上传得来"

    # 1. the broken workbook: the problem by sheet and cell, nothing saved
    upload(page, OPERATOR_UNIT, workbooks["bad"])
    problems = page.locator("#upload-problems")
    problems.wait_for()
    assert "未通过校验，未保存任何数据" in page.locator("#upload-preview h1").inner_text()
    rows = problems.locator("tbody tr")
    where = [rows.nth(i).locator("td.where").inner_text().strip() for i in range(rows.count())]
    assert f"{BROKEN_SHEET}!{BROKEN_CELL}" in where, f"错误没有按单元格列出：{where}"
    row = rows.nth(where.index(f"{BROKEN_SHEET}!{BROKEN_CELL}")).inner_text()
    assert BROKEN_VALUE in row and "错误" in row
    assert_cjk_glyphs(page)
    save_shot(page, shot_dirs, "03_upload_error_by_cell")
    assert api_json(page, f"/api/units/{OPERATOR_UNIT}")["years"] == [], "有错误的工作簿不应保存任何数据"

    # 2. the fixed workbook: previewed (nothing saved yet), confirmed, and the dashboard of 2020 opens
    upload(page, OPERATOR_UNIT, workbooks["good"])
    assert "尚未保存" in page.locator("#upload-preview").inner_text()
    assert api_json(page, f"/api/units/{OPERATOR_UNIT}")["years"] == [], "预览时不应保存任何数据"
    with page.expect_navigation():
        page.click("#confirm-import")
    page.wait_for_url(f"**/units/{OPERATOR_UNIT}/years/2020")
    assert "已导入" in page.locator(".flashes").inner_text()
    assert "益阳市医疗保障局 · 2020年" in page.locator("h1").inner_text()
    assert api_json(page, f"/api/units/{OPERATOR_UNIT}")["years"] == [2020]

    # 3. the 城乡居民 当期赤字 warning, its amount the workbook's own income − spending
    wb = openpyxl.load_workbook(workbooks["good"])
    deficit = Decimal(str(wb["基金收入"]["E4"].value)) - Decimal(str(wb["基金支出"]["E4"].value))
    assert deficit < 0
    warnings = page.locator("#warnings li.warning")
    texts = [warnings.nth(i).inner_text() for i in range(warnings.count())]
    hits = [t for t in texts if "城乡居民" in t and "当期赤字" in t]
    assert hits, f"没有城乡居民当期赤字预警：{texts}"
    # shown with the inputs' own decimals (the workbook's whole 万元 → 9054万元, never 9054.00)
    assert f"{-deficit:f}万元" in hits[0], f"赤字额应为 {-deficit:f}万元：{hits[0]}"
    # the formula behind a figure is one click away
    formula = page.locator("details.formula").first
    formula.locator("summary").click()
    assert formula.locator("p").first.is_visible() and "=" in formula.inner_text()
    assert_charts_drawn(page)
    assert_cjk_glyphs(page)
    save_shot(page, shot_dirs, "04_dashboard_yiyang_2020")

    # the page and the API agree on the warnings
    board = api_json(page, f"/api/units/{OPERATOR_UNIT}/years/2020")
    api_warnings = [w["message"] for rec in board["records"] for w in rec["warnings"]]
    assert any("当期赤字" in m and "城乡居民" in m for m in api_warnings)
    assert len(api_warnings) == len(texts)

    # 4. the DOCX report
    with page.expect_download() as info:
        page.click(f"a[href='/units/{OPERATOR_UNIT}/years/2020/reports/docx']")
    download = info.value
    target = tmp_path / (download.suggested_filename or "report.docx")
    download.save_as(target)
    documents = docx_texts(target.read_bytes())
    # 益阳 2020 has fund records and a department record: one report for each (then in a zip)
    assert len(documents) == 2, f"应有基金与部门整体支出两份报告：{list(documents)}"
    for name, document in documents.items():
        assert "益阳市医疗保障局" in document and "2020" in document, name


def test_audit_a_seed_shows_the_libraries_findings(watched: Watched, shot_dirs: list[Path]) -> None:
    page = watched.page
    login(page, *ADMIN, next_path="/audit")
    page.wait_for_url("**/audit")
    page.set_input_files("form[action='/audit'] input[type=file]", str(SEED))
    with page.expect_navigation():
        page.click("form[action='/audit'] button[type=submit]")
    result = page.locator("#audit-result")
    result.wait_for()
    assert SEED.name in result.locator("h2").inner_text()

    expected = json.loads(subprocess.run([JIXIAO, "audit", "-f", "json", str(SEED)], capture_output=True,
                                         text=True, cwd=REPO, timeout=120).stdout)["documents"][0]["findings"]
    assert expected, "种子报告 000 应有审核发现"
    rows = result.locator("table.findings tbody tr")
    seen = []
    for i in range(rows.count()):
        cells = rows.nth(i).locator("td")
        seen.append((cells.nth(1).inner_text().strip(), cells.nth(2).inner_text().strip(),
                     cells.nth(4).inner_text().strip(), cells.nth(5).inner_text().strip()))
    level = {"error": "错误", "warning": "提示", "info": "说明"}  # the 级别 column in words, not codes
    want = [(str(f["line"]), level[f["severity"]], f["stated"], f["expected"]) for f in expected]
    assert sorted(seen) == sorted(want)
    errors = sum(1 for f in expected if f["severity"] == "error")
    assert f"错误 {errors}" in result.inner_text()
    # the known balance error of seed 000 (第8行 当期结余 8836, 应为 74200 − 65884 = 8316)
    assert ("8", "错误", "8836", "8316") in seen
    # the highlighted text: a sandboxed iframe with the report's own words
    frame = page.frame_locator("iframe.audit-view")
    assert "8836" in frame.locator("body").inner_text()
    marked = frame.locator("mark.error").all_inner_texts()
    assert len(marked) >= 1 and any("8836" in m for m in marked), f"原文中没有标出错误：{marked[:10]}"
    assert_cjk_glyphs(page)
    save_shot(page, shot_dirs, "05_audit_seed_000")
    # a full-page capture leaves the sandboxed (out-of-process) iframe blank: shoot it in view too
    page.locator("iframe.audit-view").scroll_into_view_if_needed()
    save_shot(page, shot_dirs, "05b_audit_annotated_text", full_page=False)


def test_compare_units_for_a_year_with_chart_and_sorting(watched: Watched, shot_dirs: list[Path]) -> None:
    page = watched.page
    login(page, *ADMIN, next_path="/compare?year=2019")
    page.wait_for_url("**/compare?year=2019")
    table = page.locator("#compare-table")
    table.wait_for()
    names = [n.strip() for n in table.locator("tbody tr td:first-child a").all_inner_texts()]
    data = api_json(page, "/api/compare?year=2019")
    assert data["year"] == 2019 and data["total"] == len(names), (data["total"], names)
    assert [r["name"] for r in data["rows"]] == names, "页面与 API 的对比行不一致"
    # like with like by default: the counties (米易's center and the synthetic province's), not
    # the province and the cities beside them
    assert data["level"] == "县" and page.locator("select[name=level]").input_value() == "县"
    assert "米易县医疗保障事务中心" in names and "合成省医疗保障局" not in names and "哈密市医疗保障局" not in names
    assert len(names) >= SYNTHETIC_UNITS - 3, names
    assert page.locator("#compare-table td.num .rank").count() > 0, "没有名次"
    assert page.locator("#compare-table td.num[class*='sev-']").count() > 0, "没有按预警着色的单元格"
    assert "2019年" in page.locator("#compare-result h2").inner_text()
    assert_charts_drawn(page)
    assert_cjk_glyphs(page)
    save_shot(page, shot_dirs, "06_compare_2019")

    # sort by unit name (HTMX swaps the result), then the other way round
    table.locator("thead a.sort").first.click()
    page.wait_for_url("**sort=name**")
    page.wait_for_function("document.querySelector('#compare-table thead a.sort.active') !== null")
    first = [n.strip() for n in page.locator("#compare-table tbody tr td:first-child a").all_inner_texts()]
    page.locator("#compare-table thead a.sort.active").click()
    page.wait_for_url("**order=asc**")
    page.wait_for_function("document.querySelector('#compare-table thead a.sort.active').textContent.includes('▲')")
    second = [n.strip() for n in page.locator("#compare-table tbody tr td:first-child a").all_inner_texts()]
    assert sorted(first) == sorted(names) and second == list(reversed(first)), (first, second)
    assert_charts_drawn(page)

    # every level at once, then a unit's dashboard from the comparison (a reviewer's path), its charts drawn
    with page.expect_navigation():
        page.goto("/compare?year=2019&level=all")
    assert "哈密市医疗保障局" in page.locator("#compare-table").inner_text()
    with page.expect_navigation():
        page.locator("#compare-table tbody a", has_text="哈密市医疗保障局").first.click()
    page.wait_for_url("**/units/650500/years/2019")
    assert_charts_drawn(page)
    save_shot(page, shot_dirs, "07_dashboard_hami_2019")


# --------------------------------------------------------------------------------------------
# A second server: every example, more years, a reviewer of 湖南省
# --------------------------------------------------------------------------------------------
#
# Its database (made by ``jixiao load`` like the first) holds the unit tree and all five examples,
# and copies moved to other years: 益阳 2021 with changed 城乡居民 figures (so trends have two
# years), 株洲 2020 (so the 湖南 reviewer compares two units in 2020) and 哈密 2020 (a unit in
# 2020 outside 湖南, which the reviewer must never see). Users: the admin, the 益阳 operator and
# a reviewer of 湖南省 (430000).

YIYANG_2021 = {"income": Decimal("335000"), "spent": Decimal("329000"), "insured": "3900000"}
RESIDENTS = "城乡居民基本医疗保险"


@pytest.fixture(scope="module")
def live_full(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    require_browser()
    home = tmp_path_factory.mktemp("e2e-full")
    extra = [
        year_copy(UPLOADED_EXAMPLE, home, 2020, 2021, [
            ("319286", str(YIYANG_2021["income"])), ("328340", str(YIYANG_2021["spent"])),
            ("3963292", YIYANG_2021["insured"])]),
        year_copy(EXAMPLES / "002_zhuzhou_2018.yaml", home, 2018, 2020),
        year_copy(EXAMPLES / "000_hami_2019.yaml", home, 2019, 2020),
    ]
    with served(home, [*PRELOADED, UPLOADED_EXAMPLE, *extra], reviewer=True) as server:
        yield server


@pytest.fixture(scope="module")
def browser_full(playwright: Any, live_full: LiveServer) -> Iterator[Any]:
    with chromium(playwright) as b:
        yield b


@pytest.fixture
def watched_full(browser_full: Any, live_full: LiveServer) -> Iterator[Watched]:
    with watching(browser_full, live_full) as w:
        yield w


def record_section(page: Any, label: str) -> Any:
    """The dashboard's card of the record titled ``label`` (e.g. 城乡居民医保（全市）)."""
    return page.locator("section.record").filter(has=page.locator("h2", has_text=label)).first


def indicator_cell(section: Any, indicator: str) -> str:
    return str(section.locator(f"tr[data-indicator='{indicator}'] td.num").first.inner_text()).strip()


def test_reviewer_sees_only_their_region_compares_and_changes_nothing(
    watched_full: Watched, shot_dirs: list[Path]
) -> None:
    page = watched_full.page
    login(page, *REVIEWER)
    page.wait_for_url("**/units")
    tree = page.locator("#unit-tree").inner_text()
    for name in ("湖南省医疗保障局", "株洲市医疗保险处", "益阳市医疗保障局"):
        assert name in tree, f"审核员应看到 {name}：{tree}"
    for name in ("哈密市医疗保障局", "新疆维吾尔自治区医疗保障局", "四川省医疗保障局", "米易县医疗保障事务中心"):
        assert name not in tree, f"湖南的审核员不应看到 {name}"
    assert "可查看的单位共 3 个" in page.inner_text("body")
    assert_cjk_glyphs(page)
    save_shot(page, shot_dirs, "08_units_reviewer_hunan")

    # the 益阳 2020 dashboard: read only, scored by the unit's own rule set (hunan, from 湖南省)
    with page.expect_navigation():
        page.locator("#unit-tree a.year-chip[href='/units/430900/years/2020']").click()
    assert "益阳市医疗保障局 · 2020年" in page.locator("h1").inner_text()
    assert page.locator("#ruleset").inner_text().startswith("湖南"), page.locator("#ruleset").inner_text()
    score = page.locator("section.card", has=page.locator("h2", has_text="部门整体支出评分"))
    assert score.count() == 1, "益阳按湖南规则集应有部门整体支出评分"
    board = api_json(page, "/api/units/430900/years/2020")
    assert board["department_score"] is not None and board["ruleset"].startswith("湖南")
    assert f"合计 {board['department_score']['total']}" in score.inner_text()
    for control in ("a[href$='/edit']", "a[href$='/upload']", "a[href$='/workbook']", "form[action$='/edit']",
                    "form[action$='/upload']", "input[type=file]"):
        assert page.locator(control).count() == 0, f"审核员页面上不应有编辑或上传控件：{control}"
    assert_charts_drawn(page)
    save_shot(page, shot_dirs, "09_dashboard_yiyang_2020_reviewer")

    # picking the national default rule set instead: no department table there, so no score
    with page.expect_navigation():
        page.select_option("select[name=rules]", "default")
    assert "rules=default" in page.url
    assert page.locator("#ruleset").inner_text().startswith("全国默认")
    assert page.locator("h2", has_text="部门整体支出评分").count() == 0

    # a direct POST to the edit URL, with a valid CSRF token: refused, in Chinese
    token = page.locator("meta[name=csrf-token]").get_attribute("content")
    with page.expect_navigation() as nav:
        page.evaluate("""([token, spent]) => {
            const f = document.createElement('form'); f.method = 'post'; f.action = '/units/430900/years/2020/edit';
            for (const [k, v] of [['csrf_token', token], [spent, '1']]) {
              const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v; f.appendChild(i); }
            document.body.appendChild(f); f.submit(); }""", [token, f"fund/{RESIDENTS}/全市|expenditure.total"])
    assert nav.value is not None and nav.value.status == 403
    assert page.locator("h1").inner_text() == "没有权限"
    assert "没有修改这个单位数据的权限" in page.inner_text("body")
    assert_cjk_glyphs(page)
    save_shot(page, shot_dirs, "10_reviewer_post_refused")
    after = api_json(page, "/api/units/430900/years/2020")
    assert after == board, "审核员的 POST 不应改变任何数据"
    # the edit and upload pages themselves: refused too
    for path in ("/units/430900/years/2020/edit", "/units/430900/upload"):
        response = page.goto(path)
        assert response is not None and response.status == 403, path

    # compare units in 2020: the two 湖南 units with data, never 哈密 (which has 2020 data too)
    page.goto("/compare?year=2020")
    table = page.locator("#compare-table")
    table.wait_for()
    names = sorted(n.strip() for n in table.locator("tbody tr td:first-child a").all_inner_texts())
    assert names == ["株洲市医疗保险处", "益阳市医疗保障局"], names
    data = api_json(page, "/api/compare?year=2020")
    assert sorted(r["name"] for r in data["rows"]) == names
    assert_charts_drawn(page)
    assert_cjk_glyphs(page)
    save_shot(page, shot_dirs, "11_compare_2020_reviewer")
    # another region's unit: not there at all
    response = page.goto("/units/650500/years/2020")
    assert response is not None and response.status == 404


def test_operator_edits_a_figure_then_a_bad_value_is_refused(
    watched_full: Watched, browser_full: Any, live_full: LiveServer, shot_dirs: list[Path]
) -> None:
    page = watched_full.page
    login(page, *OPERATOR, next_path=f"/units/{OPERATOR_UNIT}/years/2020")
    page.wait_for_url(f"**/units/{OPERATOR_UNIT}/years/2020")
    residents = record_section(page, "城乡居民医保（全市）")
    assert indicator_cell(residents, "current_balance").startswith("-9054"), "种子 004：城乡居民当期结余 −9054万元"

    # 1. change 基金支出 of 城乡居民 from 328340 to 330000万元
    with page.expect_navigation():
        page.click("a.button.primary:has-text('编辑数据')")
    page.wait_for_url(f"**/units/{OPERATOR_UNIT}/years/2020/edit")
    spent = page.locator(f"input[name='fund/{RESIDENTS}/全市|expenditure.total']")
    income = page.locator(f"input[name='fund/{RESIDENTS}/全市|income.total']")
    assert spent.input_value() == "328340万元" and income.input_value() == "319286万元"
    spent.fill("330000")
    assert_cjk_glyphs(page)
    save_shot(page, shot_dirs, "12_entry_form")
    with page.expect_navigation():
        page.click("form.entry button[type=submit]")
    page.wait_for_url(f"**/units/{OPERATOR_UNIT}/years/2020")
    assert "已保存 1 项修改" in page.locator(".flashes").inner_text()
    residents = record_section(page, "城乡居民医保（全市）")
    assert indicator_cell(residents, "current_balance").startswith("-10714"), "319286 − 330000 = −10714万元"
    warnings = page.locator("#warnings li.warning").all_inner_texts()
    assert any("城乡居民" in w and "当期赤字" in w and "10714" in w for w in warnings), warnings
    board = api_json(page, f"/api/units/{OPERATOR_UNIT}/years/2020")
    rec = next(r for r in board["records"] if r["fund"] == RESIDENTS)
    assert Decimal(next(i["value"] for i in rec["indicators"] if i["id"] == "current_balance")) == Decimal("-10714")

    # the audit log (read by the admin): who, what, old → new
    with watching(browser_full, live_full) as admin:
        login(admin.page, *ADMIN, next_path="/admin/audit?entity=figure")
        admin.page.wait_for_url("**/admin/audit**")
        row = admin.page.locator("#changes > tbody > tr").first
        cells = [c.strip() for c in row.locator(":scope > td").all_inner_texts()]
        assert cells[1] == OPERATOR[0], cells
        assert cells[3] == "益阳市医疗保障局 · 2020年 · 城乡居民医保（全市）", cells  # the object in words
        change = row.locator("table.diffs tbody tr").first.locator("td").all_inner_texts()
        assert change == ["基金支出合计", "328340万元", "330000万元"], change  # old → new, field by field
        save_shot(admin.page, shot_dirs, "13_audit_log_after_entry")

    # 2. letters in 基金支出 and a negative 参保人数: errors by the fields, nothing saved
    page.goto(f"/units/{OPERATOR_UNIT}/years/2020/edit")
    insured = page.locator(f"input[name='fund/{RESIDENTS}/全市|coverage.insured']")
    page.locator(f"input[name='fund/{RESIDENTS}/全市|expenditure.total']").fill("三十三万")
    insured.fill("-5")
    page.locator(f"input[name='fund/{RESIDENTS}/全市|income.total']").fill("320000")  # valid, but not saved alone
    with page.expect_navigation() as nav:
        page.click("form.entry button[type=submit]")
    assert nav.value is not None and nav.value.status == 422
    assert "未通过校验，未保存任何数据" in page.locator("#entry-errors").inner_text()
    for name, typed in ((f"fund/{RESIDENTS}/全市|expenditure.total", "三十三万"),
                        (f"fund/{RESIDENTS}/全市|coverage.insured", "-5")):
        label = page.locator("label.has-error", has=page.locator(f"input[name='{name}']"))
        assert label.count() == 1, f"{name} 旁应有错误"
        assert label.locator("input").get_attribute("aria-invalid") == "true"
        assert label.locator("input").input_value() == typed, "填写的内容应保留"
        message = label.locator(".field-error").inner_text()
        assert message.strip(), f"{name} 的错误说明为空"
    assert page.locator("label.has-error").count() == 2, page.locator("label.has-error").all_inner_texts()
    # the summary at the top names both fields and links to each
    links = page.locator("#entry-errors a")
    assert sorted(t.split(" · ")[-1] for t in links.all_inner_texts()) == ["参保人数", "基金支出合计"]
    for i in range(links.count()):
        target = page.locator(str(links.nth(i).get_attribute("href")))
        assert target.get_attribute("aria-invalid") == "true"
    assert_cjk_glyphs(page)
    save_shot(page, shot_dirs, "14_entry_errors_by_field")
    unchanged = api_json(page, f"/api/units/{OPERATOR_UNIT}/years/2020")
    assert unchanged == board, "有错误的提交不应保存任何数字"


def test_trends_over_two_years_chart_and_table_match_the_api(watched_full: Watched, shot_dirs: list[Path]) -> None:
    from jixiao.numbers import round_half_up

    page = watched_full.page
    login(page, *ADMIN, next_path=f"/units/{OPERATOR_UNIT}/trends?fund={RESIDENTS}")
    page.wait_for_url(f"**/units/{OPERATOR_UNIT}/trends**")
    assert "历年趋势：益阳市医疗保障局" in page.locator("h1").inner_text()
    table = page.locator("table.trends")
    heads = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    assert heads == ["指标", "2020", "2021"], heads
    rows = {}
    for i in range(table.locator("tbody tr").count()):
        cells = [c.strip() for c in table.locator("tbody tr").nth(i).locator("td").all_inner_texts()]
        rows[cells[0]] = cells[1:]

    data = api_json(page, f"/api/units/{OPERATOR_UNIT}/trends?fund={RESIDENTS}")
    assert data["years"] == [2020, 2021] and data["fund"] == RESIDENTS
    assert set(rows) == {s["name"] for s in data["series"]}
    for series in data["series"]:
        want = [p["display"] if p["value"] is not None else ("—" if p["display"] == "无数据" else "不可计算")
                for p in series["points"]]
        assert rows[series["name"]] == want, (series["name"], rows[series["name"]], want)
    # 2021 is the copy with changed figures: its 当期结余率 is (335000 − 329000) ÷ 335000; 2020 is
    # the year's dashboard's (−2.84% as loaded, another figure once the entry test changed 基金支出)
    rate = next(s for s in data["series"] if s["id"] == "current_balance_rate")
    expected = round_half_up((YIYANG_2021["income"] - YIYANG_2021["spent"]) / YIYANG_2021["income"] * 100, 2)
    year_2020 = next(r for r in api_json(page, f"/api/units/{OPERATOR_UNIT}/years/2020")["records"]
                     if r["fund"] == RESIDENTS)
    shown_2020 = next(i["display"] for i in year_2020["indicators"] if i["id"] == "current_balance_rate")
    assert [p["display"] for p in rate["points"]] == [shown_2020, f"{expected}%"] == rows[rate["name"]]
    assert expected == Decimal("1.79")
    # a chart for each unit of measure with any value (累计结余可支付月数 is 不可计算 in both years: no chart)
    drawable = {s["unit"] for s in data["series"] if any(p["value"] is not None for p in s["points"])}
    assert page.locator("div.chart").count() == len(drawable) >= 2
    assert_charts_drawn(page, minimum=len(drawable))
    assert page.locator("div.chart[data-drawn] canvas").count() >= 1, "ECharts 画布应存在"
    assert_cjk_glyphs(page)
    save_shot(page, shot_dirs, "15_trends_yiyang")


def test_dashboard_offers_one_file_per_report_and_collapses_what_cannot_be_computed(
    watched_full: Watched, shot_dirs: list[Path], tmp_path: Path
) -> None:
    page = watched_full.page
    login(page, *ADMIN, next_path=f"/units/{OPERATOR_UNIT}/years/2021")
    page.wait_for_url(f"**/units/{OPERATOR_UNIT}/years/2021")

    # one link per report, each a .docx; “全部下载” is the zip
    parts = page.locator("#report-downloads tr.report-part")
    titles = [t.strip() for t in parts.locator("th").all_inner_texts()]
    assert titles == ["基金支出绩效自评报告", "部门整体支出绩效自评报告"], titles
    for i, title in enumerate(titles):
        with page.expect_download() as info:
            parts.nth(i).locator("a", has_text="DOCX").click()
        name = info.value.suggested_filename
        assert name.endswith(".docx") and title in name, name
        target = tmp_path / name
        info.value.save_as(target)
        documents = docx_texts(target.read_bytes())
        assert list(documents) == ["report.docx"], "单份报告应是一个 .docx，不是 zip"
        assert "益阳市医疗保障局" in documents["report.docx"] and "2021" in documents["report.docx"]
    with page.expect_download() as info:
        page.click("#report-downloads tr.report-all a:has-text('全部 DOCX')")
    assert info.value.suggested_filename.endswith(".zip")
    zipped = tmp_path / "all.zip"
    info.value.save_as(zipped)
    assert len(docx_texts(zipped.read_bytes())) == 2

    # 大病保险 has no income or spending figures: its indicators are one collapsed line, reasons inside
    board = api_json(page, f"/api/units/{OPERATOR_UNIT}/years/2021")
    serious = next(r for r in board["records"] if r["fund"] == "大病保险")
    missing = [i for i in serious["indicators"] if i["value"] is None and i["warning"] is None]
    section = record_section(page, serious["label"])
    group = section.locator("details.not-computable-group")
    assert f"{len(missing)} 项指标因缺少数据不可计算" in group.locator(":scope > summary").inner_text()
    assert not group.locator("table").is_visible(), "不可计算的指标应默认收起"
    group.locator(":scope > summary").click()
    assert group.locator("tbody tr").count() == len(missing)
    assert missing[0]["reason"] and missing[0]["reason"] in group.inner_text()

    # a warning resting on a figure quoted from the report says so (with a tooltip)
    staff = record_section(page, "职工医保（全市）")
    row = staff.locator("tr[data-indicator='income_yoy_rate']")
    assert "不可计算" in row.inner_text() and "报告所述 1.28%" in row.inner_text()
    badge = row.locator(".badge.from-stated")
    assert "依据报告所述" in badge.inner_text() and "报告所述" in (badge.get_attribute("title") or "")
    assert "原文第50行" in (row.locator(".stated").get_attribute("title") or "")
    assert_charts_drawn(page, minimum=2)
    assert_cjk_glyphs(page)
    save_shot(page, shot_dirs, "16_dashboard_yiyang_2021")
