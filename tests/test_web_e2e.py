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
  wrong: the problem is listed by sheet and cell and nothing is saved; upload the fixed one: the
  dashboard, with the 城乡居民 当期赤字 warning whose amount is the workbook's income − spending;
- download the DOCX (a zip holding ``word/document.xml`` that names the unit);
- audit a seed on the audit page: the findings listed are the library's own findings;
- compare units for a year: several units, a chart drawn, sorting by HTMX.

On every page: no script errors, no request leaves the server's origin (no CDN), Chinese text
drawn with real glyphs (two different characters do not render the same box). Screenshots go to
``tmp_path``, and also to ``$JIXIAO_SHOTS_DIR`` when set (to look at them).
"""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
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
    SEEDS,
    LiveServer,
    launch_chromium,
    prepare_database,
    require_browser,
    run_cli,
    save_shot,
    server_env,
    start_server,
    synthetic_province_file,
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
    env = server_env(home)
    # beside the examples, a small synthetic province in 2019 so the comparison has many rows
    prepare_database(env, [*PRELOADED, synthetic_province_file(home, SYNTHETIC_UNITS, 2019)])
    server = start_server(env, home / "serve.log")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(live: LiveServer) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch_chromium(p)
        try:
            yield b
        finally:
            b.close()


@dataclass
class Watched:
    """A page and what it did: script errors, every URL it requested, static files that failed.

    Console lines "Failed to load resource" are left out of ``errors``: the tests themselves ask
    for pages that must answer 400/404 (a wrong password, another unit's page); a page's own
    assets that fail are caught in ``failed_assets`` instead (``/favicon.ico`` is not asked for
    by any page, the browser guesses it)."""

    page: Any
    errors: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    failed_assets: list[str] = field(default_factory=list)


@pytest.fixture
def watched(browser: Any, live: LiveServer) -> Iterator[Watched]:
    context = browser.new_context(base_url=live.base_url, locale="zh-CN", viewport={"width": 1280, "height": 900},
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    w = Watched(page)
    page.on("pageerror", lambda exc: w.errors.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: w.errors.append(f"console.{msg.type}: {msg.text}")
            if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
    page.on("request", lambda req: w.urls.append(req.url))
    page.on("response", lambda r: w.failed_assets.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.request.resource_type in ("stylesheet", "script", "image", "font")
            and not r.url.endswith("/favicon.ico") else None)
    try:
        yield w
        assert w.errors == [], f"页面脚本出错或资源被拦截：{w.errors}\n服务器日志：\n{live.log()[-3000:]}"
        assert w.failed_assets == [], f"页面的静态资源加载失败：{w.failed_assets}"
        foreign = [u for u in w.urls if not u.startswith((live.base_url + "/", "data:", "blob:", "about:"))]
        assert foreign == [], f"页面请求了本站以外的地址：{foreign}"
    finally:
        context.close()


@pytest.fixture
def shot_dirs(tmp_path: Path) -> list[Path]:
    dirs = [tmp_path / "shots"]
    if os.environ.get("JIXIAO_SHOTS_DIR"):
        dirs.append(Path(os.environ["JIXIAO_SHOTS_DIR"]))
    return dirs


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
    assert "未通过校验，未保存任何数据" in problems.locator("h2").inner_text()
    rows = problems.locator("tbody tr")
    where = [rows.nth(i).locator("td.where").inner_text().strip() for i in range(rows.count())]
    assert f"{BROKEN_SHEET}!{BROKEN_CELL}" in where, f"错误没有按单元格列出：{where}"
    row = rows.nth(where.index(f"{BROKEN_SHEET}!{BROKEN_CELL}")).inner_text()
    assert BROKEN_VALUE in row and "错误" in row
    assert_cjk_glyphs(page)
    save_shot(page, shot_dirs, "03_upload_error_by_cell")
    assert api_json(page, f"/api/units/{OPERATOR_UNIT}")["years"] == [], "有错误的工作簿不应保存任何数据"

    # 2. the fixed workbook: saved, and the dashboard of 2020 opens
    upload(page, OPERATOR_UNIT, workbooks["good"])
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
    assert f"{-deficit:.2f}万元" in hits[0], f"赤字额应为 {-deficit:.2f}万元：{hits[0]}"
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
    want = [(str(f["line"]), f["code"], f["stated"], f["expected"]) for f in expected]
    assert sorted(seen) == sorted(want)
    errors = sum(1 for f in expected if f["severity"] == "error")
    assert f"错误 {errors}" in result.inner_text()
    # the known balance error of seed 000 (第8行 当期结余 8836, 应为 74200 − 65884 = 8316)
    assert ("8", "JX-BAL-001", "8836", "8316") in seen
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
    # the two example units with 2019 城乡居民 data and the synthetic province's units
    for unit in ("哈密市医疗保障局", "米易县医疗保障事务中心", "合成省医疗保障局"):
        assert unit in names, f"对比表缺少 {unit}：{names}"
    assert len(names) >= SYNTHETIC_UNITS, names
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

    # a unit's dashboard from the comparison (a reviewer's path), its charts drawn
    with page.expect_navigation():
        page.locator("#compare-table tbody a", has_text="哈密市医疗保障局").first.click()
    page.wait_for_url("**/units/650500/years/2019")
    assert_charts_drawn(page)
    save_shot(page, shot_dirs, "07_dashboard_hami_2019")
