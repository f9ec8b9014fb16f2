"""No developer text and no English on any page or API answer: every GET route of the app, as an
administrator, an operator and a reviewer, over the example data (and the same routes asked
wrongly: a year out of range, a unit that does not exist) — and the Excel files the pages export.

What a user must never see: a file name (``rules.md``, ``default.yaml``, ``seed 004``), a rule id
(any id of a shipped rule set: ``staff_control_score``, ``growth_gap``), a confidence tag
(``[practice]``, ``secondary``), interval notation (``(30, +inf)``) or the framework's English
(``Input should be …``, ``Field required``, ``Not Found``). Pages are checked on what a person
reads (text, titles, labels, placeholders, confirmations), API answers on every string value.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any, ClassVar

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from jixiao.rules import available_rulesets, load_ruleset
from web_helpers import all_routes, logged_in, make_app

#: (login, [(unit, year) the role may read: data of its own, a parent without data of its own …])
ROLES = {
    "admin": [("430900", 2020), ("510421-01", 2019), ("650000-01", 2019), ("650000", 2019), ("430200-01", 2018)],
    "hami": [("650500", 2019)],
    "sichuan": [("510421-01", 2019), ("510000", 2019)],
}
#: downloads that are generated reports or the fill-in workbook (their own tests read them)
REPORT_FILES = ("/reports/", "/workbook", "/workpapers")
ENGLISH = ("Input should", "Field required", "Not Found", "Method Not Allowed", "Value error", "String should",
           "valid integer", "Unprocessable", "Internal Server Error", "should match pattern", "Validation Error",
           "Successful Response", "Bad Request", "Forbidden", "Unauthorized")


def _rule_ids() -> set[str]:
    ids: set[str] = set()
    for name in available_rulesets():
        rs = load_ruleset(name)
        ids |= {r.id for r in (*rs.warnings, *rs.scoring)}
        if rs.project_table is not None:
            t = rs.project_table
            ids |= {r.id for r in (t.positive, t.reverse, t.equality, t.qualitative, t.deadline, t.too_low)}
            if t.execution_reason is not None:
                ids.add(t.execution_reason.id)
    return ids


RULE_IDS = _rule_ids()
FORBIDDEN = [
    ("a file name", re.compile(r"[A-Za-z0-9_\-]+\.(?:md|ya?ml|py)\b|rules\.md|§|\bseed \d{3}\b")),
    ("a confidence tag", re.compile(r"\[(?:official|secondary|practice|unconfirmed)\]|(?<![A-Za-z])"
                                    r"(?:practice|secondary|unconfirmed)(?![A-Za-z])")),
    ("interval notation", re.compile(r"[\[(]\s*[-+]?(?:inf|\d+(?:\.\d+)?)\s*,\s*[-+]?(?:inf|\d+(?:\.\d+)?)\s*[\])]")),
    ("a rule id", re.compile(r"(?<![A-Za-z0-9_:])(?:" + "|".join(sorted(map(re.escape, RULE_IDS))) +
                             r")(?![A-Za-z0-9_])")),
    ("English", re.compile("|".join(map(re.escape, ENGLISH)))),
]


class _Reader(HTMLParser):
    """What a person reads of a page: its text (not scripts or styles) and the attributes a
    browser shows (title, aria-label, placeholder, alt, a form's confirmation)."""

    SHOWN: ClassVar[set[str]] = {"title", "aria-label", "placeholder", "alt", "data-confirm", "data-max-label"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        self.parts += [v for k, v in attrs if k in self.SHOWN and v]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def readable(html: str) -> list[str]:
    reader = _Reader()
    reader.feed(html)
    return [p for p in reader.parts if p.strip()]


def strings(value: Any) -> Iterator[str]:
    """Every string value of a JSON document (keys are the API's names, not text for people)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from strings(inner)


def offences(texts: list[str]) -> list[str]:
    found = []
    for text in texts:
        for what, pattern in FORBIDDEN:
            match = pattern.search(text)
            if match:
                found.append(f"{what} “{match.group(0)}” in “{text.strip()[:120]}”")
    return found


def what_it_says(response: Any) -> list[str]:
    kind = response.headers.get("content-type", "")
    if "text/html" in kind:
        return readable(response.text)
    if "json" in kind:
        return list(strings(response.json()))
    if "spreadsheetml" in kind:
        book = load_workbook(io.BytesIO(response.content))
        return [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    return [response.text] if kind.startswith("text/") else []


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return make_app(f"sqlite:///{tmp_path_factory.mktemp('language') / 'language.db'}")


def _fill(path: str, unit: str, year: int) -> str:
    return (path.replace("{unit}", unit).replace("{year}", str(year)).replace("{fmt}", "html")
            .replace("{part}", "fund").replace("{code}", unit))


def _gets(app: FastAPI) -> list[str]:
    paths = sorted({path for path, route in all_routes(app) if "GET" in route.methods})
    return [p for p in paths if not any(mark in p for mark in REPORT_FILES) and "{user_id}" not in p
            and "{token_id}" not in p]


def test_every_page_and_api_answer_speaks_the_users_language(app: FastAPI) -> None:
    problems: list[str] = []
    seen = 0
    for login, places in ROLES.items():
        client: TestClient = logged_in(app, login)
        for path in _gets(app):
            for unit, year in places if "{unit}" in path or "{code}" in path else places[:1]:
                url = _fill(path, unit, year)
                params = {"year": year} if path in ("/compare.xlsx", "/api/compare") else {}
                for headers in ({"accept": "text/html"}, {"accept": "application/json"}):
                    response = client.get(url, params=params, headers=headers)
                    seen += 1
                    assert response.status_code < 500, (login, url, response.status_code)
                    problems += [f"{login} {url}: {o}" for o in offences(what_it_says(response))]
    assert seen > 100
    assert not problems, "\n".join(problems[:40])


def test_errors_speak_the_users_language_too(app: FastAPI) -> None:
    client = logged_in(app, "admin")
    problems: list[str] = []
    asked = 0
    for path in _gets(app):
        wrong = [_fill(path, "430900", 1800), _fill(path, "no-such-unit", 2020), _fill(path, "430900", 2020) +
                 "?year=abc&page=0&order=sideways&fund=不存在&level=" + "x" * 30]
        for url in wrong:
            for headers in ({"accept": "text/html"}, {"accept": "application/json"}):
                response = client.get(url, headers=headers)
                asked += 1
                if response.status_code >= 400:
                    says = what_it_says(response)
                    assert any(re.search(r"[\u4e00-\u9fff]", s) for s in says), (url, response.text[:200])
                    problems += [f"{url}: {o}" for o in offences(says)]
    assert asked > 50
    assert not problems, "\n".join(problems[:40])


def test_the_checks_themselves_catch_what_they_are_for() -> None:
    """The patterns find each kind of developer text the issue saw on the pages (so a page that
    showed one would fail above)."""
    seen = [
        "rules.md §3 增长率 = 增减额 / 上年 [practice]；seed 000 验证",
        "JX-W-005 收入增速低于支出增速（rules.md §3），practice",
        "staff_control_score，hunan 2018.1",
        "落在区间 (30, +inf)",
        'Input should be greater than or equal to 1990',
        "Not Found",
    ]
    for text in seen:
        assert offences([text]), text
    fine = ["人社部发〔2009〕67号《关于进一步加强基本医疗保险基金管理的指导意见》", "当期结余率 15.30%", "大于 30%"]
    assert not offences(fine)
    assert json.loads(json.dumps(list(strings({"a": ["x", {"b": "y"}], "c": 1})))) == ["x", "y"]
