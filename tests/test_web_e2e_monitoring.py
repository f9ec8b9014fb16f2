"""Fund monitoring in a real headless Chromium (Debian's, driven by Playwright).

A real ``jixiao serve`` on a database made with the project's commands: the unit tree with a
county (伊州区) added under 哈密市, 哈密's 2019 year and its months (2019, 2020 through June), and
the county's 2019 months (a copy of 哈密's, so 同比 and the projection have a year to go by). The
county's operator then uploads, in the browser, the fill-in workbook holding its 2020 months
through June (哈密's figures under the county's code, made by jixiao's own workbook writer).

What a person does, and what they must see: the upload lands on the county's monitoring page,
which shows June's cumulative execution against 序时进度 (50.00%) in the table and in a drawn
chart, and the warning that income runs behind 序时进度; the city's monitoring roll-up, opened by
the administrator, lists the county with the same figures and warning.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from e2e_support import (
    ADMIN,
    EXAMPLES,
    LiveServer,
    Watched,
    require_browser,
    run_cli,
    save_shot,
    served,
    watching,
)
from jixiao.ingest.files import read_files
from jixiao.model import Dataset
from jixiao.write.workbook import fill_workbook
from test_web_e2e import assert_cjk_glyphs, login, upload

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

MONTHLY = EXAMPLES / "periods" / "650500_hami_monthly.yaml"
CITY, COUNTY = "650500", "650502"
COUNTY_OPERATOR = ("e2e-yizhou", "伊州区填报员口令-staple-horse-6")


def _county_files(folder: Path) -> list[Path]:
    """The county (a unit of its own) and its 2019 months: 哈密's, under the county's code."""
    units = folder / "county_units.yaml"
    units.write_text(yaml.safe_dump({"units": [{
        "code": COUNTY, "name": "伊州区医疗保障局", "level": "县", "kind": "医疗保障局", "parent": CITY,
        "region": "新疆维吾尔自治区哈密市伊州区"}]}, allow_unicode=True), encoding="utf-8")
    data = yaml.safe_load(MONTHLY.read_text(encoding="utf-8"))
    months = folder / "county_2019.yaml"
    months.write_text(yaml.safe_dump({
        "money_unit": "万元",
        "fund_periods": [{**r, "unit": COUNTY} for r in data["fund_periods"] if r["year"] == 2019]},
        allow_unicode=True), encoding="utf-8")
    return [units, months]


def _june_workbook(folder: Path) -> Path:
    dataset = read_files([EXAMPLES / "units.yaml", MONTHLY]).dataset
    assert dataset is not None
    county = Dataset(fund_periods=[p.model_copy(update={"unit": COUNTY})
                                   for p in dataset.fund_periods if p.year == 2020])
    assert {p.span.last for p in county.fund_periods} == {1, 2, 3, 4, 5, 6}
    path = folder / "伊州区2020年1-6月.xlsx"
    fill_workbook(county, COUNTY, 2020).save(path)
    return path


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    require_browser()
    home = tmp_path_factory.mktemp("e2e-monitoring")
    files = [EXAMPLES / "units.yaml", EXAMPLES / "000_hami_2019.yaml", MONTHLY, *_county_files(home)]
    with served(home, files) as server:
        run_cli(["user", "add", COUNTY_OPERATOR[0], "--role", "operator", "--unit", COUNTY, "--password-stdin"],
                server.env, stdin=COUNTY_OPERATOR[1] + "\n")
        yield server


def test_an_operator_uploads_june_and_sees_it_against_time_progress(
        watched: Watched, browser: Any, live: LiveServer, tmp_path: Path) -> None:
    shots = [tmp_path / "shots"]
    if os.environ.get("JIXIAO_SHOTS_DIR"):
        shots.append(Path(os.environ["JIXIAO_SHOTS_DIR"]))
    page = watched.page
    login(page, *COUNTY_OPERATOR, next_path=f"/units/{COUNTY}/upload")
    page.wait_for_url(f"**/units/{COUNTY}/upload")
    upload(page, COUNTY, _june_workbook(tmp_path))
    preview = page.locator("#upload-preview").inner_text()
    assert "尚未保存" in preview and "2020年1-6月" in preview  # each month previewed before it is saved
    with page.expect_navigation():
        page.click("#confirm-import")
    page.wait_for_url(f"**/units/{COUNTY}/years/2020/monitoring")
    assert "基金运行监测" in page.locator("h1").inner_text()
    employees = page.locator("section.monitored-fund").first
    june = employees.locator("table.progress tr[data-month='6'] td").all_inner_texts()
    assert june == ["1-6月", "50.00%", "43.92%", "45.47%"], june
    warnings = employees.locator("ul.warnings li").all_inner_texts()
    assert any("收入执行进度较序时进度为 -6.08个百分点" in w for w in warnings), warnings
    assert any("全年约" in p for p in employees.locator("ul.projections li").all_inner_texts())
    # the line is drawn (ECharts renders into a canvas inside the chart's box)
    employees.locator("div.chart canvas").first.wait_for()
    assert_cjk_glyphs(page)
    save_shot(page, shots, "monitoring_01_county")

    with watching(browser, live) as admin:
        login(admin.page, *ADMIN, next_path=f"/units/{CITY}/years/2020/monitoring/rollup")
        admin.page.wait_for_url(f"**/units/{CITY}/years/2020/monitoring/rollup")
        rows = admin.page.locator(f"#monitoring-rollup-table tr[data-unit='{COUNTY}']")
        row = rows.first
        cells = "\n".join(rows.all_inner_texts())
        assert "伊州区医疗保障局" in cells and "本单位月报" in cells
        assert "50.00%" in cells and "43.92%" in cells
        assert "收入执行进度较序时进度为 -6.08个百分点" in cells
        admin.page.locator("#total-1 div.chart canvas").first.wait_for()  # the city's total, drawn
        save_shot(admin.page, shots, "monitoring_02_city_rollup")
        with admin.page.expect_navigation():
            row.locator("a", has_text="监测").click()
        admin.page.wait_for_url(f"**/units/{COUNTY}/years/2020/monitoring")
