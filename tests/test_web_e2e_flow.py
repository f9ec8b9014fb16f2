"""An office's year in a real headless Chromium (Debian's, driven by Playwright): fill in, submit,
review, return with a comment, fix, resubmit, approve — and imports that can be trusted.

A real ``jixiao serve`` on a database made with the project's commands: the unit tree and four
examples; 米易县医疗保障事务中心 (510421-01, a county unit under 米易县 510421, under the city
攀枝花 510400, under 四川 510000) has no data until its operator uploads the workbook
``jixiao template --from examples/003_miyi_2019.yaml`` makes. People: the admin, the county's
operator and a reviewer of the city 攀枝花.

What a person does, and what they must see:

- the operator uploads the workbook: a preview (nothing saved yet) lists the new records; confirmed,
  the dashboard opens. A workbook with one figure changed: the preview shows that figure old → new;
  confirmed, then undone from 导入记录: the figure is back (a second preview shows the same change);
- the operator submits; the city's 报送情况 counts it as waiting; the reviewer returns it with a
  comment on that figure; the operator sees the comment on the dashboard and beside the field,
  fixes the figure and resubmits; the reviewer approves; the status counts of the city and of the
  province, the city's roll-up and the tree follow;
- every page of the workflow as each role at a desktop and a phone width (screenshots in
  ``tmp_path`` and ``$JIXIAO_SHOTS_DIR``): no page wider than the screen, no script error, nothing
  requested from outside the server.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from e2e_support import (
    ADMIN,
    EXAMPLES,
    LiveServer,
    prepare_database,
    require_browser,
    run_cli,
    save_shot,
    server_env,
    start_server,
    watching,
)
from test_web_e2e import login

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

UNIT, COUNTY, CITY, PROVINCE, YEAR = "510421-01", "510421", "510400", "510000", 2019
MIYI = EXAMPLES / "003_miyi_2019.yaml"
OPERATOR = ("e2e-miyi", "米易填报员口令-horse-4")
REVIEWER = ("e2e-panzhihua", "攀枝花审核员口令-staple-5")
FIGURE = "income.contributions"  # 城乡居民医保 保险费（征缴）收入: 基金收入!B5 of the workbook
SHEET, CELL = "基金收入", "B5"
BASE = f"/units/{UNIT}/years/{YEAR}"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    require_browser()
    home = tmp_path_factory.mktemp("e2e-flow")
    env = server_env(home)
    prepare_database(env, [EXAMPLES / name for name in ("units.yaml", "000_hami_2019.yaml", "001_xinjiang_2019.yaml",
                                                        "002_zhuzhou_2018.yaml", "004_yiyang_2020.yaml")])
    run_cli(["user", "add", OPERATOR[0], "--role", "operator", "--unit", UNIT, "--name", "米易填报员",
             "--password-stdin"], env, stdin=OPERATOR[1] + "\n")
    run_cli(["user", "add", REVIEWER[0], "--role", "reviewer", "--unit", CITY, "--name", "攀枝花审核员",
             "--password-stdin"], env, stdin=REVIEWER[1] + "\n")
    server = start_server(env, home / "serve.log")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory: pytest.TempPathFactory, live: LiveServer) -> dict[str, Any]:
    """米易 2019 as ``jixiao template --from`` writes it, and a copy with one figure raised by 1."""
    import openpyxl

    folder = tmp_path_factory.mktemp("flow-workbooks")
    first = folder / "米易_2019.xlsx"
    run_cli(["template", "--from", str(MIYI), "-o", str(first)], live.env, cwd=folder)
    wb = openpyxl.load_workbook(first)
    assert str(wb[SHEET]["A5"].value).startswith("保险费（征缴）收入"), "模板布局变了"
    old = wb[SHEET][CELL].value
    assert isinstance(old, int | float)
    new = round(old + 1, 2)
    wb[SHEET][CELL] = new
    changed = folder / "米易_2019_改.xlsx"
    wb.save(changed)
    return {"first": first, "changed": changed, "old": f"{old}", "new": f"{new}"}


def _accept_dialogs(page: Any) -> None:
    page.on("dialog", lambda d: d.accept())


def _upload(page: Any, path: Path) -> None:
    page.goto(f"/units/{UNIT}/upload")
    page.set_input_files(f"form[action='/units/{UNIT}/upload'] input[type=file]", str(path))
    with page.expect_navigation():
        page.click(f"form[action='/units/{UNIT}/upload'] button[type=submit]")
    page.locator("#upload-preview").wait_for()


def _status(page: Any) -> str:
    return str(page.locator("#workflow-status").inner_text()).strip()


def _counts(page: Any, unit: str) -> dict[str, int]:
    """The 报送情况 counts of ``unit``'s subordinates, as its page shows them."""
    page.goto(f"/units/{unit}/status?year={YEAR}")
    spans = page.locator("#status-counts span.count")
    return {spans.nth(i).get_attribute("data-status"): int(spans.nth(i).locator("strong").inner_text())
            for i in range(spans.count())}


def _field_value(page: Any) -> str:
    page.goto(f"{BASE}/edit")
    return str(page.locator(f"input[name$='|{FIGURE}']").first.input_value())


def test_an_office_year_import_previewed_undone_submitted_returned_fixed_and_approved(
        browser: Any, live: LiveServer, workbooks: dict[str, Any], shot_dirs: list[Path]) -> None:
    with watching(browser, live) as op, watching(browser, live) as rv, watching(browser, live) as adm:
        operator, reviewer, admin = op.page, rv.page, adm.page
        for page in (operator, reviewer, admin):
            _accept_dialogs(page)
        login(operator, *OPERATOR)
        login(reviewer, *REVIEWER)
        login(admin, *ADMIN)
        assert _counts(admin, PROVINCE)["not_started"] >= 2  # 米易县 and its 事务中心 have no data

        # 1. the workbook: previewed (nothing saved), then confirmed
        _upload(operator, workbooks["first"])
        summary = operator.locator("#preview-summary").inner_text()
        assert "将修改 0 个数字" in summary and "新增" in summary
        assert operator.locator(".preview-record[data-status=new]").count() >= 2
        assert operator.request.get(f"/api/units/{UNIT}").json()["years"] == [], "预览时不应保存"
        save_shot(operator, shot_dirs, "flow_01_preview_new")
        with operator.expect_navigation():
            operator.click("#confirm-import")
        operator.wait_for_url(f"**{BASE}")
        assert "已导入" in operator.locator(".flashes").inner_text() and _status(operator) == "填报中"

        # 2. one figure changed: old → new in the preview; confirmed; undone
        _upload(operator, workbooks["changed"])
        row = operator.locator(f"tr[data-path='{FIGURE}']")
        assert row.count() == 1, "预览应只列出改动的这一个数字"
        cells = row.locator("td.num")
        assert workbooks["old"] in cells.nth(0).inner_text() and workbooks["new"] in cells.nth(1).inner_text()
        save_shot(operator, shot_dirs, "flow_02_preview_one_change")
        with operator.expect_navigation():
            operator.click("#confirm-import")
        assert workbooks["new"] in _field_value(operator)
        operator.goto(f"/units/{UNIT}/imports")
        assert operator.locator("#imports tbody tr").count() == 2
        save_shot(operator, shot_dirs, "flow_03_imports")
        with operator.expect_navigation():
            operator.locator("#imports tbody tr").first.locator("button").click()
        assert "已撤销" in operator.locator(".flashes").inner_text()
        assert workbooks["old"] in _field_value(operator) and workbooks["new"] not in _field_value(operator)
        operator.goto(f"{BASE}/history")
        assert workbooks["new"] in operator.locator("main").inner_text()  # the import and its undo, figure by figure
        save_shot(operator, shot_dirs, "flow_04_history")
        _upload(operator, workbooks["changed"])  # the same change again: the data is back as it was
        assert operator.locator(f"tr[data-path='{FIGURE}']").count() == 1
        with operator.expect_navigation():
            operator.click("#cancel-import")
        assert "已取消" in operator.locator(".flashes").inner_text()

        # 3. submitted: locked for the operator, waiting in the city's list
        operator.goto(BASE)
        with operator.expect_navigation():
            operator.click("#workflow-submit")
        assert _status(operator) == "已提交待审核"
        assert operator.locator(f"a[href='{BASE}/edit']").count() == 0
        assert "不能修改" in operator.locator("#workflow-locked").inner_text()
        save_shot(operator, shot_dirs, "flow_05_submitted_operator")
        counts = _counts(reviewer, CITY)
        assert counts["submitted"] == 1 and counts["approved"] == 0
        save_shot(reviewer, shot_dirs, "flow_06_city_status_waiting")

        # 4. returned with a comment on the figure
        reviewer.click(f"#waiting a[href='{BASE}/review']")
        reviewer.wait_for_url(f"**{BASE}/review")
        option = reviewer.evaluate(
            "(f) => Array.from(document.querySelectorAll('select[name=\"item-1\"] option'))"
            ".map(o => o.value).find(v => v.startsWith('figure:') && v.endsWith('|' + f))", FIGURE)
        assert option, "逐项意见中应能选这个数字"
        reviewer.select_option("select[name='item-1']", option)
        reviewer.fill("textarea[name='text-1']", "与决算报表不一致，请核对")
        save_shot(reviewer, shot_dirs, "flow_07_review_form")
        with reviewer.expect_navigation():
            reviewer.click("#return-button")
        reviewer.wait_for_url(f"**{BASE}")  # back on the dashboard, the status moved
        assert _status(reviewer) == "已退回"

        # 5. the operator sees why, fixes the figure and resubmits
        operator.goto(BASE)
        assert _status(operator) == "已退回"
        assert "与决算报表不一致，请核对" in operator.locator("#return-comments").inner_text()
        save_shot(operator, shot_dirs, "flow_08_returned_operator")
        operator.click("#workflow-fix")
        operator.wait_for_url(f"**{BASE}/edit")
        assert "审核意见：与决算报表不一致，请核对" in operator.locator("main").inner_text()
        field = operator.locator(f"input[name$='|{FIGURE}']").first
        field.fill(workbooks["new"])
        with operator.expect_navigation():
            operator.click("form.entry button[type=submit]")
        assert "已保存 1 项修改" in operator.locator(".flashes").inner_text()
        with operator.expect_navigation():
            operator.click("#workflow-submit")
        assert _status(operator) == "已提交待审核"

        # 6. approved; the city's and the province's counts, the roll-up and the tree follow
        reviewer.goto(f"{BASE}/review")
        with reviewer.expect_navigation():
            reviewer.click("#approve-button")
        assert _status(reviewer) == "审核通过"
        city = _counts(reviewer, CITY)
        # the city has no data of its own: no link to an empty dashboard, its roll-up instead
        assert reviewer.locator(f"a[href='/units/{CITY}/years/{YEAR}']").count() == 0
        assert reviewer.locator(f"a[href='/units/{CITY}/years/{YEAR}/rollup']").count() == 1
        assert city["approved"] == 1 and city["submitted"] == 0 and city["returned"] == 0
        save_shot(reviewer, shot_dirs, "flow_09_city_status_approved")
        assert _counts(admin, PROVINCE)["approved"] == 1
        rollup = reviewer.request.get(f"/api/units/{CITY}/years/{YEAR}/rollup").json()
        assert rollup["status_counts"]["审核通过"] == 1
        reviewer.goto(f"/units/{CITY}/years/{YEAR}/rollup")
        assert "审核通过 1" in reviewer.locator("#rollup-status").inner_text()
        # 米易县 has no data of its own: its row tells how its branch stands
        assert "审核通过 1" in reviewer.locator(f"#rollup-table tr[data-unit='{COUNTY}']").inner_text()
        admin.goto("/units?status=approved")
        assert admin.locator(f"li[data-unit='{UNIT}']:not(.path-only)").count() == 1
        operator.goto(BASE)
        assert _status(operator) == "审核通过" and operator.locator("#workflow-submit").count() == 0
        history = operator.locator("details.workflow-history li").all_text_contents()
        assert [h for h in history if "退回" in h] and [h for h in history if "审核通过" in h]
        save_shot(operator, shot_dirs, "flow_10_approved_operator")


PAGES = {
    "admin": (ADMIN, ["/status", f"/units/{PROVINCE}/status", f"/units/{CITY}/years/{YEAR}/rollup", BASE,
                      f"{BASE}/review", f"{BASE}/history", f"/units/{UNIT}/imports", "/units?status=approved"]),
    "city-reviewer": (REVIEWER, ["/status", f"/units/{CITY}/status", BASE, f"{BASE}/review", f"{BASE}/history"]),
    "operator": (OPERATOR, [BASE, f"/units/{UNIT}/upload", f"/units/{UNIT}/imports", f"{BASE}/history"]),
}


@pytest.mark.parametrize("who", list(PAGES))
def test_the_workflow_pages_as_each_role_on_a_desktop_and_a_phone(browser: Any, live: LiveServer,
                                                                   shot_dirs: list[Path], who: str) -> None:
    (user, paths) = PAGES[who]
    with watching(browser, live) as w:  # run alone (another worker), the year is loaded as the flow leaves it
        login(w.page, *ADMIN)
        if not w.page.request.get(f"/api/units/{UNIT}").json()["years"]:
            run_cli(["load", str(MIYI)], live.env)
    for width, height, label in ((1280, 900, "desktop"), (390, 844, "phone")):
        with watching(browser, live) as w:
            page: Any = w.page
            page.set_viewport_size({"width": width, "height": height})
            login(page, *user)
            for path in paths:
                response = page.goto(path)
                assert response is not None and response.status == 200, (who, path, response and response.status)
                wide = page.evaluate("() => document.documentElement.scrollWidth")
                assert wide <= width + 1, f"{who} {path} 在 {width}px 宽的屏幕上横向超出（{wide}px）"
                name = path.strip("/").replace("/", "_").replace("?", "_").replace("=", "_") or "home"
                save_shot(page, shot_dirs, f"flow_{who}_{label}_{name}")
