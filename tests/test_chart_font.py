"""The charts' CJK font: 文泉驿微米黑 when the system has it, else the font bundled in the package.

A machine with no system font (only Python and the repository) is simulated by pointing the
module's font paths at files that do not exist and its family name at one no font has (on this
machine matplotlib's font list also finds 文泉驿微米黑 by name), then clearing the cached choice.
The bundled font must then be used and every glyph drawn (no "Glyph … missing" warning), and
every character any example chart writes must be in the bundled font's character map.
"""

from __future__ import annotations

import tomllib
import warnings
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import matplotlib
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text

from jixiao.ingest.files import read_files
from jixiao.model import Dataset
from jixiao.write import charts as ch
from jixiao.write import reports_for

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"


def _glyph_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if "missing from font" in str(w.message) or "Glyph" in str(w.message)]


@pytest.fixture
def fresh_choice() -> Iterator[None]:
    """The font choice is cached per process: clear it before and after the test."""
    ch.cjk_font.cache_clear()
    yield
    ch.cjk_font.cache_clear()


@pytest.fixture
def no_system_font(monkeypatch: pytest.MonkeyPatch, fresh_choice: None) -> None:
    monkeypatch.setattr(ch, "CJK_FONT_PATHS", (Path("/nonexistent/wqy-microhei.ttc"),))
    monkeypatch.setattr(ch, "CJK_FAMILY", "No Such CJK Font")


def test_bundled_font_is_in_the_package() -> None:
    assert ch.BUNDLED_FONT_PATH.is_file()
    assert (ch.BUNDLED_FONT_PATH.parent / "OFL.txt").is_file()
    assert FT2Font(str(ch.BUNDLED_FONT_PATH)).family_name == ch.BUNDLED_FAMILY
    package_data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert "write/fonts/*" in package_data["package-data"]["jixiao"]


def test_without_the_system_font_charts_use_the_bundled_one(no_system_font: None) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bar = ch.bar_chart("x", "2019年职工基本医疗保险统筹基金收支结余情况", ["基金收入", "基金支出", "当期结余"],
                           [("2018年", [Decimal("746.35"), Decimal("700.1"), None]),
                            ("2019年", [Decimal("812.5"), Decimal("830.2"), Decimal("-17.7")])], "万元")
        pie = ch.pie_chart("y", "收入决算结构（财政拨款/其他收入）",
                           [("财政拨款收入", Decimal("746.35"), "746.35万元，占98.16%"),
                            ("其他收入", Decimal("14"), "14万元，占1.84%")])
        # what matplotlib resolves the charts' font settings to, drawing text
        with matplotlib.rc_context(ch._rc()):  # type: ignore[arg-type]
            drawn_with = font_manager.findfont(font_manager.FontProperties(), fallback_to_default=False)
    font = ch.cjk_font()
    assert font.bundled and font.path == ch.BUNDLED_FONT_PATH and font.family == ch.BUNDLED_FAMILY
    assert Path(drawn_with) == ch.BUNDLED_FONT_PATH
    assert not _glyph_warnings(caught), _glyph_warnings(caught)
    assert pie is not None
    for c in (bar, pie):
        assert c.png.startswith(b"\x89PNG\r\n\x1a\n") and len(c.png) > 5000


def test_a_broken_install_is_a_clear_chinese_error(no_system_font: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ch, "BUNDLED_FONT_PATH", Path("/nonexistent/JixiaoSansSC-Regular.otf"))
    with pytest.raises(ch.ChartFontError, match="安装不完整"):
        ch.bar_chart("x", "收入", ["收入"], [("2019年", [Decimal(1)])], "万元")


@pytest.mark.skipif(not any(p.is_file() for p in ch.CJK_FONT_PATHS), reason="文泉驿微米黑 is not installed")
def test_the_system_font_is_preferred(fresh_choice: None) -> None:
    """Where 文泉驿微米黑 is installed the charts are drawn with it, as before the bundled font."""
    font = ch.cjk_font()
    assert not font.bundled and font.family == "WenQuanYi Micro Hei" and font.path in ch.CJK_FONT_PATHS


def _example_unit_years(name: str) -> tuple[Dataset, list[tuple[str, int]]]:
    result = read_files([EXAMPLES / "units.yaml", EXAMPLES / name])
    assert result.ok and result.dataset is not None, [str(p) for p in result.problems]
    ds = result.dataset
    pairs = {(r.unit, r.year) for r in [*ds.fund_years, *ds.departments, *ds.projects]}
    return ds, sorted(pairs)


def test_every_example_chart_text_is_in_the_bundled_font(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every text drawn on every chart of every example (titles, ticks, bar labels, legends, units)."""
    texts: set[str] = set()
    draw = ch._png

    def recording(fig: Figure) -> bytes:
        texts.update(t.get_text() for t in fig.findobj(Text))
        return draw(fig)

    monkeypatch.setattr(ch, "_png", recording)
    examples = sorted(p.name for p in EXAMPLES.glob("[0-9]*.yaml"))
    assert len(examples) >= 5
    charts = 0
    for name in examples:
        ds, pairs = _example_unit_years(name)
        for unit, year in pairs:
            for report in reports_for(ds, unit, year):
                charts += len(report.figures())
    assert charts >= 10
    chars = {c for text in texts for c in text if c != "\n"}
    assert len(chars) > 50 and "结" in chars
    cmap = FT2Font(str(ch.BUNDLED_FONT_PATH)).get_charmap()
    missing = sorted(c for c in chars if ord(c) not in cmap)
    assert not missing, missing
