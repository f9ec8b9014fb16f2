"""Helpers for the browser tests (``tests/test_web_e2e.py``): a real ``jixiao serve`` in a
subprocess on a free loopback port, its database prepared with the project's own commands, and
Debian's Chromium driven by Playwright.

Chromium is the system package (``scripts/system-deps.sh`` installs ``chromium``); Playwright's own
browser download is never used (``playwright install`` cannot work on these machines). When
Chromium is missing the tests skip with the reason — except under ``CI``, where they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
SEEDS = EXAMPLES / "seeds"
VENV_BIN = Path(sys.executable).parent
JIXIAO = str(VENV_BIN / "jixiao")
VENDOR = REPO / "src" / "jixiao" / "web" / "static" / "vendor"

CHROMIUM = os.environ.get("JIXIAO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

#: Users the tests log in as (created with ``jixiao user add --password-stdin``).
ADMIN = ("e2e-admin", "管理员口令-correct-horse-1")
OPERATOR = ("e2e-yiyang", "填报员口令-battery-staple-2")
OPERATOR_UNIT = "430900"  # 益阳市医疗保障局


def missing_browser_reason() -> str | None:
    """Why the browser tests cannot run here (None when they can)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Python 包 playwright 未安装（pip install -e '.[dev]'）"
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"没有 Chromium（{CHROMIUM}）：运行 make system（scripts/system-deps.sh 安装 chromium）"
    if not (VENDOR / "echarts.min.js").is_file() or not (VENDOR / "htmx.min.js").is_file():
        return f"网页前端库未复制到 {VENDOR}：运行 make web-assets"
    return None


def require_browser() -> None:
    """Skip with the reason, or — when ``CI`` is set — fail: CI must run the browser tests."""
    reason = missing_browser_reason()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI 中不能跳过浏览器测试：{reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_cli(args: Sequence[str], env: dict[str, str], stdin: str | None = None, cwd: Path = REPO) -> str:
    """Run ``jixiao ARGS``; a non-zero exit fails the test with the command's output."""
    done = subprocess.run([JIXIAO, *args], input=stdin, capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=300)
    if done.returncode != 0:
        pytest.fail(f"jixiao {' '.join(args)} 失败（{done.returncode}）：\n{done.stdout}\n{done.stderr}")
    return done.stdout


def server_env(home: Path, database_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIXIAO_")}
    env["JIXIAO_HOME"] = str(home)
    env["JIXIAO_DATABASE_URL"] = database_url or f"sqlite:///{home / 'jixiao.db'}"
    env["JIXIAO_SECRET_KEY"] = "e2e-secret-key-not-for-production"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def synthetic_province_file(folder: Path, units: int, year: int) -> Path:
    """A one-year YAML file of ``bench/province.py``'s synthetic province (units P00, C01, U00001…)."""
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from province import make_year_file
    finally:
        sys.path.remove(str(REPO / "bench"))
    path = folder / f"synthetic_province_{year}.yaml"
    make_year_file(path, units, year, year)
    return path


def prepare_database(env: dict[str, str], data_files: Sequence[Path]) -> None:
    """Load the unit tree and data files and add the admin and the operator, all by the CLI."""
    run_cli(["load", *[str(p) for p in data_files]], env)
    run_cli(["user", "add", ADMIN[0], "--role", "admin", "--name", "测试管理员", "--password-stdin"], env,
            stdin=ADMIN[1] + "\n")
    run_cli(["user", "add", OPERATOR[0], "--role", "operator", "--unit", OPERATOR_UNIT, "--name", "益阳填报员",
             "--password-stdin"], env, stdin=OPERATOR[1] + "\n")


@dataclass
class LiveServer:
    """A ``jixiao serve`` process on 127.0.0.1."""

    base_url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log_path: Path
    _log: IO[bytes] = field(repr=False)

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()


def start_server(env: dict[str, str], log_path: Path, timeout: float = 60.0,
                 extra_args: Sequence[str] = ()) -> LiveServer:
    """Start ``jixiao serve --port <free>`` and wait until ``/login`` answers 200."""
    port = free_port()
    log = log_path.open("wb")
    process = subprocess.Popen([JIXIAO, "serve", "--host", "127.0.0.1", "--port", str(port), *extra_args],
                               env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    server = LiveServer(f"http://127.0.0.1:{port}", env, process, log_path, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            server.stop()
            pytest.fail(f"jixiao serve 退出了（{process.returncode}）：\n{server.log()}")
        try:
            with urllib.request.urlopen(server.base_url + "/login", timeout=2) as response:
                if response.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    server.stop()
    pytest.fail(f"jixiao serve 在 {timeout:.0f} 秒内没有应答：\n{server.log()}")


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium, headless, with no network of its own beyond the pages we open."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def save_shot(page: Any, directories: Sequence[Path], name: str, full_page: bool = True) -> list[Path]:
    """A screenshot ``name.png`` in each directory (made if needed); the paths written."""
    paths = []
    first: Path | None = None
    for directory in directories:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{name}.png"
        if first is None:
            page.screenshot(path=str(path), full_page=full_page)
            first = path
        else:
            shutil.copyfile(first, path)
        paths.append(path)
    return paths


#: a reviewer of 湖南省 (430000 and its subtree: 株洲 430200-01, 益阳 430900)
REVIEWER = ("e2e-hunan", "审核员口令-staple-horse-3")
REVIEWER_REGION = "430000"


def year_copy(source: Path, folder: Path, year_from: int, year_to: int,
              changes: Sequence[tuple[str, str]] = ()) -> Path:
    """A copy of the example ``source`` moved from ``year_from`` to ``year_to`` (every ``year:``
    key), with each ``(old, new)`` of ``changes`` replaced once — a figure written as ``"old"``."""
    text = source.read_text(encoding="utf-8")
    assert f"year: {year_from}" in text, f"{source.name} 没有 year: {year_from}"
    text = text.replace(f"year: {year_from}", f"year: {year_to}")
    for old, new in changes:
        assert text.count(f'"{old}"') == 1, f"{source.name}：数字 {old} 应只出现一次"
        text = text.replace(f'"{old}"', f'"{new}"')
    path = folder / f"{source.stem}_as_{year_to}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def add_reviewer(env: dict[str, str]) -> None:
    run_cli(["user", "add", REVIEWER[0], "--role", "reviewer", "--unit", REVIEWER_REGION, "--name", "湖南审核员",
             "--password-stdin"], env, stdin=REVIEWER[1] + "\n")


@contextmanager
def served(home: Path, data_files: Sequence[Path], *, reviewer: bool = False) -> Iterator[LiveServer]:
    """``jixiao serve`` on a database in ``home`` made by :func:`prepare_database` from
    ``data_files`` (and the 湖南 reviewer when asked), stopped on leaving."""
    env = server_env(home)
    prepare_database(env, data_files)
    if reviewer:
        add_reviewer(env)
    server = start_server(env, home / "serve.log")
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def chromium(playwright: Any) -> Iterator[Any]:
    """A :func:`launch_chromium` browser, closed on leaving."""
    browser = launch_chromium(playwright)
    try:
        yield browser
    finally:
        browser.close()


# ---- the browser, shared by the browser-test modules (each defines its own ``live`` server) -----


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


@contextmanager
def watching(browser: Any, live: LiveServer) -> Iterator[Watched]:
    """A fresh browser context and page on ``live``, checked on leaving (see :class:`Watched`)."""
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


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    """One Playwright per module: its sync API cannot run twice at once in a thread."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Any, live: LiveServer) -> Iterator[Any]:
    with chromium(playwright) as b:
        yield b


@pytest.fixture
def watched(browser: Any, live: LiveServer) -> Iterator[Watched]:
    with watching(browser, live) as w:
        yield w


@pytest.fixture
def shot_dirs(tmp_path: Path) -> list[Path]:
    """Where a test's screenshots go: its own folder, and ``$JIXIAO_SHOTS_DIR`` when set."""
    dirs = [tmp_path / "shots"]
    if os.environ.get("JIXIAO_SHOTS_DIR"):
        dirs.append(Path(os.environ["JIXIAO_SHOTS_DIR"]))
    return dirs
