"""Schemathesis against the web app's own OpenAPI schema: no request it generates makes a 5xx.

The app (``create_app``) runs in-process through ASGI on a SQLite database with the unit tree and
the five examples loaded; every request carries an admin's API token (made with the store's own
``create_api_token``), so the generated data reaches the views rather than stopping at 401.
(``schemathesis.pytest.from_fixture`` does not work with pytest 9 — it sets ``Function._nodeid`` —
so each operation's hypothesis strategy is run directly.) Path parameters are drawn half the time
from the real unit codes and years (so dashboards,
trends, reports, entry forms and uploads run on real data) and otherwise left as schemathesis
generated them (unknown units, odd strings). Bounded: a few examples per operation, no deadline.

A second, smaller run checks what the schema promises beyond "no 5xx": documented status codes,
content types and response bodies that match their models.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
EXAMPLE_FILES = sorted(EXAMPLES.glob("0*.yaml"))
UNITS = ["650500", "650000-01", "430200-01", "510421-01", "430900", "510000"]
YEARS = [2018, 2019, 2020]


@pytest.fixture(scope="module")
def api_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    from sqlalchemy.orm import Session

    from jixiao.app.imports import import_files
    from jixiao.store.db import open_database
    from jixiao.store.users import create_api_token, create_user
    from jixiao.web import create_app

    url = f"sqlite:///{tmp_path_factory.mktemp('schema') / 'jixiao.db'}"
    engine = open_database(url)
    outcome = import_files(engine, [EXAMPLES / "units.yaml", *EXAMPLE_FILES])
    assert outcome.ok, [str(p) for p in outcome.problems[:5]]
    with Session(engine) as session:
        admin = create_user(session, "schema-admin", "schemathesis-口令-1234", "admin")
        token, _row = create_api_token(session, admin, "schemathesis")
        session.commit()
    app = create_app(url, engine=engine, secret_key="schemathesis")
    try:
        yield app, token
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def web_schema(api_app: tuple[Any, str]) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", api_app[0])


@pytest.fixture
def token(api_app: tuple[Any, str]) -> str:
    return api_app[1]


def operations(web_schema: Any) -> list[Any]:
    out = []
    for result in web_schema.get_all_operations():
        out.append(result.ok())  # an operation the schema cannot describe raises here, failing the test
    return out


def real_parameters(case: Any, data: st.DataObject) -> None:
    """Half the time, point ``{unit}`` and ``{year}`` at data that exists."""
    params = case.path_parameters or {}
    if "unit" in params and data.draw(st.booleans(), label="real unit"):
        params["unit"] = data.draw(st.sampled_from(UNITS), label="unit")
    if "year" in params and data.draw(st.booleans(), label="real year"):
        params["year"] = data.draw(st.sampled_from(YEARS), label="year")


def run_operation(operation: Any, mode: Any, headers: dict[str, str], checks: list[Any],
                  max_examples: int) -> set[int]:
    """Generated cases of one operation in one mode; the status codes answered."""
    statuses: set[int] = set()

    @settings(max_examples=max_examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    def run(case: Any, data: st.DataObject) -> None:
        real_parameters(case, data)
        response = case.call_and_validate(headers=headers, checks=checks)
        statuses.add(response.status_code)

    run()
    return statuses


def fuzz(web_schema: Any, token: str, checks: list[Any], modes: list[Any], max_examples: int) -> dict[str, Any]:
    """Every operation with generated cases: {operation label: status codes seen}; the failures of all
    operations are raised together at the end (each with schemathesis's reproducing request)."""
    failures: list[str] = []
    seen: dict[str, Any] = {}
    headers = {"Authorization": f"Bearer {token}"}
    for operation in operations(web_schema):
        statuses: set[int] = set()
        for mode in modes:
            try:
                statuses |= run_operation(operation, mode, headers, checks, max_examples)
            except Unsatisfiable:
                # an operation with nothing to make invalid (no parameters, or only free strings)
                if mode is not GenerationMode.NEGATIVE:
                    failures.append(f"{operation.label} [{mode.value}]: 无法生成请求")
            except (Exception, BaseExceptionGroup) as exc:  # every operation is tried, all failures reported
                failures.append(f"{operation.label} [{mode.value}]: {type(exc).__name__}: {str(exc)[:1500]}")
        seen[operation.label] = sorted(statuses)
    print("\n".join(f"{label}: {codes}" for label, codes in seen.items()))
    assert not failures, "\n\n".join(failures)
    return seen


def test_no_server_errors(web_schema: Any, token: str) -> None:
    """Valid and invalid generated requests to every API operation: never a 5xx."""
    seen = fuzz(web_schema, token, [not_a_server_error], [GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                max_examples=10)
    assert len(seen) >= 10, seen
    # the real units and years were reached: some reads answered 200 (not only 401/404/422)
    assert 200 in seen["GET /api/units/{unit}/years/{year}"], seen
    assert 200 in seen["GET /api/compare"], seen


def test_responses_match_the_schema(web_schema: Any, token: str) -> None:
    """Valid generated requests: documented content types, bodies that fit their models."""
    fuzz(web_schema, token, [not_a_server_error, content_type_conformance, response_schema_conformance],
         [GenerationMode.POSITIVE], max_examples=5)


@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="OpenAPI 未列出 404（未知或无权查看的单位）、401、403 等状态码（ST103）")
def test_status_codes_are_documented(web_schema: Any, token: str) -> None:
    """Every status code the API answers is documented in its schema (not yet: 404 is missing)."""
    fuzz(web_schema, token, [status_code_conformance], [GenerationMode.POSITIVE], max_examples=5)
