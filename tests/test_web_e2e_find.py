"""Find, roll-ups and exports in a real headless Chromium (Debian's, driven by Playwright), and every
page as each role at a desktop and a phone width.

A real ``jixiao serve`` on a database made with the project's commands: the five examples, 益阳
2020 copied as 2021 (a trend), and a synthetic province of 170 units in 2019 (its province P00,
two cities C01 and C02 and their counties). People: the admin, a reviewer of the city C01 and an
operator of the county U00001 under it.

What a person does, and what they must see: type part of a unit's name and the tree narrows to
it; open a city's roll-up and find its total row equal to the sum of its counties' figures and
each county one click away; download the roll-up and the comparison as Excel and find in
openpyxl the same figures as on the page. Screenshots of every page go to ``tmp_path`` and to
``$JIXIAO_SHOTS_DIR`` when set; at phone width no page is wider than the screen (tables scroll in
their own box) and the header never breaks a word over lines.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from e2e_support import (
    ADMIN,
    EXAMPLES,
    LiveServer,
    Watched,
    prepare_database,
    require_browser,
    run_cli,
    save_shot,
    server_env,
    start_server,
    synthetic_province_file,
    watching,
    year_copy,
)
from test_web_e2e import assert_cjk_glyphs, login

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

CITY_REVIEWER = ("e2e-city", "市审核员口令-horse-staple-4")
COUNTY_OPERATOR = ("e2e-county", "县填报员口令-staple-battery-5")
CITY, COUNTY = "C01", "U00001"
DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    require_browser()
    home = tmp_path_factory.mktemp("e2e-find")
    env = server_env(home)
    files = [EXAMPLES / "units.yaml", *sorted(EXAMPLES.glob("0*.yaml")),
             year_copy(EXAMPLES / "004_yiyang_2020.yaml", home, 2020, 2021, [("151661", "160000")]),
             synthetic_province_file(home, 170, 2019)]
    prepare_database(env, files)
    for (name, password), role, unit in ((CITY_REVIEWER, "reviewer", CITY), (COUNTY_OPERATOR, "operator", COUNTY)):
        run_cli(["user", "add", name, "--role", role, "--unit", unit, "--password-stdin"], env, stdin=password + "\n")
    server = start_server(env, home / "serve.log")
    try:
        yield server
    finally:
        server.stop()


def number(text: str) -> Decimal:
    """A figure as a page shows it (``3000.25万元``, ``15.30%``, ``445074人``) as a Decimal."""
    digits = "".join(ch for ch in text.strip() if ch.isdigit() or ch in ".-")
    return Decimal(digits)


def download_book(page: Any, selector: str) -> Any:
    from openpyxl import load_workbook

    with page.expect_download() as info:
        page.click(selector)
    path = info.value.path()
    assert info.value.suggested_filename.endswith(".xlsx"), info.value.suggested_filename
    return load_workbook(io.BytesIO(Path(path).read_bytes()))


# --------------------------------------------------------------------------------------------
# Find
# --------------------------------------------------------------------------------------------


def test_typing_part_of_a_name_narrows_the_tree(watched: Watched, shot_dirs: list[Path]) -> None:
    page = watched.page
    login(page, *ADMIN, next_path="/units")
    page.wait_for_url("**/units")
    assert page.locator("#unit-tree > li").count() >= 4
    # folded below the roots: a county of the synthetic province is not on screen
    assert not page.locator("#unit-tree a.unit-link", has_text="合成1县医疗保障局").first.is_visible()
    page.fill("input[name=q]", "益阳")
    page.locator("#unit-count", has_text="找到 1 个单位").wait_for()  # (a string wait_for_function is an eval: CSP)
    assert "q=%E7%9B%8A%E9%98%B3" in page.url or "q=益阳" in page.url  # the search is in the address
    visible = page.locator("#unit-tree a.unit-link").all_inner_texts()
    assert visible == ["湖南省医疗保障局", "益阳市医疗保障局"], visible
    save_shot(page, shot_dirs, "find_01_search_yiyang")
    page.fill("input[name=q]", "")
    page.locator("#unit-count", has_text="可查看的单位共").wait_for()
    page.select_option("select[name=level]", "县")
    page.select_option("select[name=warning]", "serious")
    page.wait_for_url("**warning=serious**")
    page.locator("#unit-count", has_text="找到").wait_for()
    matched = page.locator("#unit-tree li:not(.path-only)")
    assert matched.count() > 0
    for i in range(matched.count()):
        item = matched.nth(i)
        assert "县" in item.locator("span.code").first.inner_text()
        assert item.locator("span.badge.bad").first.inner_text().startswith("严重")
    save_shot(page, shot_dirs, "find_02_counties_with_serious_warnings")


# --------------------------------------------------------------------------------------------
# Roll-up, drill-down, export
# --------------------------------------------------------------------------------------------


def test_a_city_reviewer_opens_its_rollup_drills_down_and_exports_it(watched: Watched,
                                                                      shot_dirs: list[Path]) -> None:
    page = watched.page
    login(page, *CITY_REVIEWER, next_path=f"/units/{CITY}/years/2019/rollup")
    page.wait_for_url(f"**/units/{CITY}/years/2019/rollup")
    table = page.locator("#rollup-table")
    table.wait_for()
    assert_cjk_glyphs(page)
    header = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    income = header.index("基金收入合计")
    rows = table.locator("tbody tr")
    figures = [rows.nth(i).locator("td").nth(income).inner_text() for i in range(rows.count())]
    assert rows.count() > 10 and all(f.endswith("万元") for f in figures), figures
    total = table.locator("tfoot tr td").nth(income - 1).inner_text()  # the footer's first cell is a th
    assert sum((number(f) for f in figures), Decimal(0)) == number(total), (figures, total)
    save_shot(page, shot_dirs, "rollup_01_city_reviewer")

    # the same figures in the downloaded workbook: numbers, not formulas, with the total row
    book = download_book(page, "a[href^='/units/C01/years/2019/rollup.xlsx']")
    sheet = book["下级单位"]
    cells = [[c for c in row] for row in sheet.iter_rows()]
    head = next(r for r in cells if r[0].value == "单位代码")
    column = [c.value for c in head].index("基金收入合计")
    body = cells[cells.index(head) + 1:]
    assert all(r[column].data_type == "n" for r in body), "合计数应是数字，不是文字或公式"
    assert [Decimal(str(r[column].value)) for r in body[:-1]] == [number(f) for f in figures]
    assert body[-1][1].value == "合计" and Decimal(str(body[-1][column].value)) == number(total)

    # drill down: a county's dashboard, one click from its row
    first = rows.first
    code = first.get_attribute("data-unit")
    with page.expect_navigation():
        first.locator("a", has_text="总览").click()
    page.wait_for_url(f"**/units/{code}/years/2019")
    assert page.locator("h1").inner_text().endswith("2019年")


def test_the_province_rollup_adds_its_cities(watched: Watched, shot_dirs: list[Path]) -> None:
    page = watched.page
    login(page, *ADMIN, next_path="/units/P00")
    page.wait_for_url("**/units/P00/years/2019")  # the province has data of its own: its dashboard
    with page.expect_navigation():
        page.click("a:has-text('下级单位合计')")
    page.wait_for_url("**/units/P00/years/2019/rollup")
    codes = [c for c in page.locator("#rollup-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.getAttribute('data-unit'))")]
    assert codes == ["C01", "C02"], codes
    summary = page.locator("#rollup-summary").inner_text()
    assert "本年有数据" in summary and "严重" in summary
    section = page.locator("section.rollup-fund").first
    assert section.locator("table.indicators-rollup tr[data-indicator='current_balance_rate']").count() == 1
    save_shot(page, shot_dirs, "rollup_02_province_admin")


def test_the_comparison_export_holds_the_pages_figures(watched: Watched) -> None:
    page = watched.page
    login(page, *ADMIN, next_path=quote("/compare?year=2019&fund=城乡居民基本医疗保险&indicators=current_balance_rate"
                                         "&indicators=current_balance&sort=unit&order=asc", safe="/"))
    page.wait_for_url("**/compare**")
    table = page.locator("#compare-table")
    table.wait_for()
    shown = {}
    for row in table.locator("tbody tr").all():
        name = row.locator("td").first.locator("a").inner_text().strip()
        shown[name] = [c.split("#")[0].strip() for c in row.locator("td.num").all_inner_texts()]
    book = download_book(page, "#compare-export")
    rows = [[c for c in r] for r in book.active.iter_rows()]
    head = next(r for r in rows if r[0].value == "单位代码")
    names = [c.value for c in head]
    rate, balance = names.index("当期结余率"), names.index("当期结余（万元）")
    got = {r[1].value: r for r in rows[rows.index(head) + 1:]}
    total = int(page.locator("#compare-result h2").inner_text().split("共 ")[1].split(" ")[0])
    assert set(shown) <= set(got) and len(got) == total  # every row, not only the page's 100
    for name, (first, second) in shown.items():
        cells = got[name]
        if first != "不可计算":
            assert f"{Decimal(str(cells[rate].value)) * 100:.2f}%" == first, (name, first, cells[rate].value)
            assert cells[rate].number_format == "0.00%"
        if second != "不可计算":
            assert number(second) == Decimal(str(cells[balance].value)), (name, second)


# --------------------------------------------------------------------------------------------
# Every page as each role, desktop and phone
# --------------------------------------------------------------------------------------------

PAGES = {
    ADMIN: ["/units", "/units/430900/years/2020", "/units/430900/years/2020/edit", "/units/430900/upload",
            "/units/430900/trends", "/units/P00/years/2019/rollup", "/units/650000", "/compare", "/audit",
            "/indicators", "/admin/users", "/admin/units", "/admin/rules", "/admin/audit", "/tokens", "/docs"],
    CITY_REVIEWER: ["/units", f"/units/{CITY}/years/2019", f"/units/{CITY}/years/2019/rollup", "/compare",
                    f"/units/{COUNTY}/years/2019", "/audit", "/indicators", "/tokens"],
    COUNTY_OPERATOR: ["/units", f"/units/{COUNTY}/years/2019", f"/units/{COUNTY}/years/2019/edit",
                      f"/units/{COUNTY}/upload", "/compare", f"/units/{COUNTY}/trends", "/audit"],
}

LAYOUT = """() => {
  const wide = document.documentElement.scrollWidth > window.innerWidth + 1;
  const broken = Array.from(document.querySelectorAll('.topbar a, .topbar button, .topbar .who'))
    .filter((el) => el.offsetParent !== null)
    .map((el) => { const r = el.getBoundingClientRect(); const lh = parseFloat(getComputedStyle(el).lineHeight) || 20;
                   return {text: el.textContent.trim(), lines: Math.round(r.height / lh)}; })
    .filter((x) => x.lines > 1);
  return {wide: wide, width: document.documentElement.scrollWidth, broken: broken};
}"""


@pytest.mark.parametrize("who", [ADMIN, CITY_REVIEWER, COUNTY_OPERATOR], ids=["admin", "city-reviewer",
                                                                               "county-operator"])
def test_every_page_as_each_role_on_a_desktop_and_a_phone(browser: Any, live: LiveServer, shot_dirs: list[Path],
                                                           who: tuple[str, str]) -> None:
    for size, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        with watching(browser, live) as w:
            page = w.page
            page.set_viewport_size(size)
            login(page, *who)
            for path in PAGES[who]:
                response = page.goto(path)
                assert response is not None and response.status == 200, (who[0], path, response and response.status)
                page.wait_for_load_state("networkidle")
                layout = page.evaluate(LAYOUT)
                assert not layout["broken"], f"{who[0]} {path}（{label}）：页头文字折行 {layout['broken']}"
                if label == "phone" and path != "/docs":
                    assert not layout["wide"], f"{who[0]} {path}：页面比手机屏幕宽（{layout['width']}px）"
                name = path.strip("/").replace("/", "_") or "home"
                save_shot(page, shot_dirs, f"look_{who[0]}_{label}_{name}")


# --------------------------------------------------------------------------------------------
# Print
# --------------------------------------------------------------------------------------------

HIDDEN_WHEN_PRINTED = (".topbar", "nav.subnav", "form", "button", ".actions", "table.downloads", ".footer")


def test_printing_the_dashboard_and_an_audit_leaves_out_menus_and_buttons(watched: Watched, shot_dirs: list[Path],
                                                                         tmp_path: Path) -> None:
    page = watched.page
    login(page, *ADMIN, next_path="/units/430900/years/2020")
    page.wait_for_url("**/units/430900/years/2020")
    page.emulate_media(media="print")
    for selector in HIDDEN_WHEN_PRINTED:
        shown = [i for i in range(page.locator(selector).count()) if page.locator(selector).nth(i).is_visible()]
        assert not shown, f"打印时不应出现 {selector}"
    assert page.locator("#warnings").is_visible() and page.locator("table.indicators").first.is_visible()
    pdf = page.pdf(path=str(tmp_path / "dashboard.pdf"), format="A4")
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert 1 <= pages <= 12, pages
    save_shot(page, shot_dirs, "print_01_dashboard")

    page.emulate_media(media="screen")
    page.goto("/audit")
    page.set_input_files("form[action='/audit'] input[type=file]", str(EXAMPLES / "seeds" / "000_1cda87d66f87ced2.txt"))
    with page.expect_navigation():
        page.click("form[action='/audit'] button[type=submit]")
    page.locator("#audit-result").wait_for()
    page.emulate_media(media="print")
    assert page.locator("table.findings").is_visible()
    for selector in (*HIDDEN_WHEN_PRINTED, "iframe.audit-view"):
        shown = [i for i in range(page.locator(selector).count()) if page.locator(selector).nth(i).is_visible()]
        assert not shown, f"打印审核结果时不应出现 {selector}"
    save_shot(page, shot_dirs, "print_02_audit_result")
