"""Shared fixtures.

Databases: ``sqlite_url`` (a file in tmp_path) and ``postgres_url`` (a fresh schema per test on
the server named by ``JIXIAO_TEST_POSTGRES_URL``, which ``scripts/run-tests.sh`` starts; the
test is skipped only when that variable is unset). ``db_url`` runs a test on both.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from jixiao import compiled

#: the browser tests' shared fixtures (playwright, browser, watched, shot_dirs) and page watcher
pytest_plugins = ["e2e_support"]

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'jixiao.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    base = os.environ.get("JIXIAO_TEST_POSTGRES_URL")
    if not base:
        if os.environ.get("CI"):  # CI must test PostgreSQL for real, never skip it silently
            pytest.fail("CI 中未设置 JIXIAO_TEST_POSTGRES_URL：PostgreSQL 没有启动")
        pytest.skip("JIXIAO_TEST_POSTGRES_URL 未设置（scripts/run-tests.sh 会启动 PostgreSQL 并设置它）")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest) -> str:
    """The same test on SQLite and on PostgreSQL."""
    return str(request.getfixturevalue(f"{request.param}_url"))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Which auditor ran: the mypyc-compiled modules or their .py files (and why), even under -q."""
    terminalreporter.write_line(f"jixiao 审核模块：{compiled.current().describe()}")


@pytest.fixture
def pure_python(request: pytest.FixtureRequest) -> bool:
    """For a test that spies on the auditor's internals (patches a class): compiled classes take no
    new attributes, so where the compiled modules are in use the test runs in a child pytest on
    the .py files (``JIXIAO_PURE=1``), must pass there, and this returns True (the test returns)."""
    if not compiled.current().in_use:
        return False
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                           request.node.nodeid], cwd=REPO, env=dict(os.environ, JIXIAO_PURE="1"),
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    return True
