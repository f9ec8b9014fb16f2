"""Load test of the web app: a synthetic province (3,000 units × 5 years), 50 concurrent users.

    .venv/bin/python bench/load.py [--sqlite PATH] [--postgres-url URL] [--users 50] [--duration 60]
                                   [--think 1.0] [--units 3000] [--years 5]

For each database (SQLite always; PostgreSQL when ``--postgres-url`` or
``JIXIAO_TEST_POSTGRES_URL`` is given) it builds the province with ``bench/province.py`` unless
the database already holds it (then runs ``jixiao db reindex``, as an office would after a bulk
load: roll-ups and dashboard pages made before the first user), adds an admin and an API token, starts the real server
(``jixiao serve --host 127.0.0.1 --workers N``, one worker per core by default, as a province
would run it) on a free loopback
port, warms each year's comparison once (its first call computes every record and is reported
apart), then runs ``--users`` simulated users for ``--duration`` seconds. Each user logs in
through the login form (session cookie + CSRF) and loops: one request picked at random among

- the unit-year dashboard page  ``/units/{unit}/years/{year}``        and its JSON  ``/api/units/{unit}/years/{year}``
- the comparison page          ``/compare?year=..&sort=..&page=..``  and its JSON  ``/api/compare?...&limit=100``
- a parent's roll-up page       ``/units/{parent}/years/{year}/rollup`` (with its 报送状态)
- a parent's 报送情况 page       ``/units/{parent}/status?year=..``
- a workflow move (the API, as the admin): read a unit-year's status, then submit it (a draft or a
  returned year) or withdraw it (a submitted one) on the version read — a write with its history
  and change-log rows; a 409 (someone moved it meanwhile) counts as an error

with a random think time (uniform 0…2×``--think`` seconds; ``--think 0`` for a closed loop that
measures the server's saturation); ``--only dashboard|compare`` restricts the mix; ``--settle S``
runs the same load for S seconds before the measured window opens (a server that has been up a
while: each process has made the pages it keeps), where the default measures from the first
second after the start, every page of each process made for the first time. Before the
load, one user alone sends ``--calibrate`` requests of each kind: the service time without
queueing. Only loopback traffic; bounded in time and in requests. The simulated users speak
HTTP/1.1 through aiohttp (:class:`UserClient`: one kept-alive connection per user and credential,
as the httpx clients before it had): httpx cost this process about 2.5 ms of CPU per request, taken
from the same two cores the server is measured on; the mix, the think time and where latency is
measured (around each request, answer read whole) are unchanged. The load client's own CPU and
the server's (its processes', from /proc) during the window are printed with the figures: the
server's CPU per request is what the machine's other work does not change much. Prints, per database and
request kind: requests, errors, p50, p95, p99 and max latency (ms) and the throughput;
``--profile`` adds a cProfile of one warm comparison and one dashboard, in-process; ``--trace-pool
DIR`` has each server process log its database pool (``bench/pooltrace``).
"""

from __future__ import annotations

import argparse
import asyncio
import json as _json
import os
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))

from province import build_province

from jixiao.store.db import open_database
from jixiao.store.schema import UnitRow
from jixiao.store.users import create_api_token, create_user, find_user

REPO = Path(__file__).resolve().parents[1]
JIXIAO = str(Path(sys.executable).parent / "jixiao")
HOST = "127.0.0.1"  # loopback only, never anything else
KINDS = ("dashboard HTML", "dashboard JSON", "compare HTML", "compare JSON", "rollup HTML", "status HTML",
         "workflow POST")
SORTS = (None, "name", "warnings", "current_balance_rate")
LOAD_USER = "load-admin"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Target:
    label: str
    url: str
    units: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_samples: list[str] = field(default_factory=list)
    cold: dict[str, float] = field(default_factory=dict)
    logins: list[float] = field(default_factory=list)
    seconds: float = 0.0
    client_cpu: float = 0.0  # CPU seconds this load client spent during the window (its share of the machine)
    server_cpu: float = 0.0  # CPU seconds the server's processes spent during the window
    settle: float = 0.0  # seconds of load before the window


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid`` and every process under it (the
    server's workers), from /proc; 0 without one."""
    if not pid:
        return 0.0
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))
    wanted, total = [pid], 0.0
    while wanted:
        current = wanted.pop()
        total += stats.get(current, (0, 0.0))[1]
        wanted += [child for child, (parent, _) in stats.items() if parent == current]
    return total


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def prepare(target: Target, n_units: int, n_years: int, password: str) -> str:
    """The province in ``target.url`` (built when missing), an admin with ``password``; its API token."""
    engine = open_database(target.url)
    try:
        with Session(engine) as session:
            count = session.scalar(select(func.count()).select_from(UnitRow)) or 0
        if count < n_units:
            print(f"[{target.label}] 构建合成省：{n_units} 个单位 × {n_years} 年 …", flush=True)
            info = build_province(target.url, n_units, n_years, verbose=True)
            print(f"[{target.label}] 构建用时 {info.seconds:.0f} s", flush=True)
            # as an office would after a bulk load: the derived pages made before the first user
            subprocess.run([JIXIAO, "db", "reindex"], check=True, env={**os.environ, "JIXIAO_DATABASE_URL": target.url})
        with Session(engine) as session:
            from jixiao.store.repository import years_of
            from jixiao.store.users import set_password

            user = find_user(session, LOAD_USER)
            if user is None:
                user = create_user(session, LOAD_USER, password, "admin")
            else:
                set_password(session, user, password)
            token, _ = create_api_token(session, user, "bench/load.py", scope="write")  # the workflow moves
            codes = list(session.scalars(select(UnitRow.code).order_by(UnitRow.code)))
            target.units = codes
            target.parents = sorted(set(session.scalars(select(UnitRow.parent).where(UnitRow.parent.is_not(None)))))
            target.years = sorted({y for code in codes[:50] for y in years_of(session, code)})
            session.commit()
    finally:
        engine.dispose()
    return token


def start_server(target: Target, log_path: Path, workers: int = 1,
                 trace_pool: str | None = None, threads: int | None = None) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIXIAO_")}
    env.update(JIXIAO_DATABASE_URL=target.url, JIXIAO_SECRET_KEY=secrets.token_urlsafe(32), PYTHONUNBUFFERED="1")
    if threads:
        env["JIXIAO_THREADS"] = str(threads)
    if trace_pool:  # bench/pooltrace/sitecustomize.py, imported by each server process
        Path(trace_pool).mkdir(parents=True, exist_ok=True)
        env.update(JIXIAO_POOL_TRACE=str(Path(trace_pool).resolve()),
                   PYTHONPATH=os.pathsep.join(filter(None, [str(REPO / "bench" / "pooltrace"),
                                                            env.get("PYTHONPATH")])))
    log = log_path.open("wb")
    proc = subprocess.Popen([JIXIAO, "serve", "--host", HOST, "--port", str(port), "--workers", str(workers)],
                            env=env, cwd=REPO,
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://{HOST}:{port}"
    deadline = time.monotonic() + 180  # a loaded shared machine can take a while to start two workers
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jixiao serve exited: {log_path.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(base + "/login", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("jixiao serve did not answer in 180 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def pick(kind: str, rng: random.Random, target: Target) -> str:
    year = rng.choice(target.years)
    if kind.startswith("dashboard"):
        unit = rng.choice(target.units)
        return f"/units/{unit}/years/{year}" if kind.endswith("HTML") else f"/api/units/{unit}/years/{year}"
    if kind.startswith("rollup"):
        return f"/units/{rng.choice(target.parents)}/years/{year}/rollup"
    if kind.startswith("status"):
        return f"/units/{rng.choice(target.parents)}/status?year={year}"
    if kind.startswith("workflow"):
        return f"/api/units/{rng.choice(target.units)}/years/{year}/status"
    sort = rng.choice(SORTS)
    order = rng.choice(("asc", "desc"))
    page = rng.randint(1, 5)
    if kind.endswith("HTML"):
        return f"/compare?year={year}&order={order}&page={page}" + (f"&sort={sort}" if sort else "")
    return (f"/api/compare?year={year}&order={order}&offset={(page - 1) * 100}&limit=100"
            + (f"&sort={sort}" if sort else ""))


class Answer:
    """What the user loop reads of an answer (the subset of ``httpx.Response`` it uses)."""

    def __init__(self, status_code: int, content: bytes) -> None:
        self.status_code = status_code
        self.content = content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return _json.loads(self.content)


class UserClient:
    """One simulated user's HTTP client: an aiohttp session with one kept-alive connection and
    its own cookie jar; redirects are not followed. httpx (pure-Python HTTP parsing) spent about
    2.5 ms of CPU per request in this process — a quarter of a core at 180 requests a second, on
    the machine being measured; aiohttp parses HTTP in C. Latency is measured around the same call
    as before (request sent → answer read whole). Idle connections are dropped after 3 s, before
    uvicorn's 5 s, so one is never reused as the server closes it."""

    def __init__(self, base: str, headers: dict[str, str] | None = None, timeout: float = 60) -> None:
        self.session = aiohttp.ClientSession(
            base_url=base, headers=headers, timeout=aiohttp.ClientTimeout(total=timeout),
            cookie_jar=aiohttp.CookieJar(unsafe=True),  # unsafe: keep cookies of an IP address (127.0.0.1)
            connector=aiohttp.TCPConnector(limit=1, keepalive_timeout=3.0))

    async def __aenter__(self) -> UserClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.session.close()

    async def get(self, path: str) -> Answer:
        async with self.session.get(path, allow_redirects=False) as r:
            return Answer(r.status, await r.read())

    async def post(self, path: str, *, json: Any = None, data: dict[str, str] | None = None) -> Answer:
        async with self.session.post(path, json=json, data=data, allow_redirects=False) as r:
            return Answer(r.status, await r.read())


async def move(client: Any, path: str) -> Any:
    """Read the unit-year's status; submit it, or withdraw it when submitted (an approved one is read only)."""
    status = await client.get(path)
    if status.status_code != 200:
        return status
    state = status.json()
    action = "withdraw" if state["status"] == "submitted" else "submit"
    if action not in state.get("actions", []):
        return status
    return await client.post(path, json={"action": action, "version": state["version"]})


async def login(client: Any, password: str) -> None:
    form = await client.get("/login")
    match = CSRF_RE.search(form.text)
    if match is None:
        raise RuntimeError("login form without csrf_token")
    done = await client.post("/login", data={"csrf_token": match.group(1), "username": LOAD_USER,
                                             "password": password, "next": "/units"})
    if done.status_code != 303:
        raise RuntimeError(f"login failed: {done.status_code} {done.text[:200]}")


@dataclass
class Window:
    """All users log in first (timed apart); the users start when the last one is in, and the
    measured window opens ``settle`` seconds later (the same load before it, not counted)."""

    barrier: asyncio.Barrier
    duration: float
    settle: float = 0.0
    stop_at: float = 0.0
    started: float = 0.0
    cpu_at_start: float = 0.0
    server_pid: int = 0
    server_cpu_at_start: float = 0.0

    def open(self) -> None:
        self.started = time.monotonic() + self.settle
        self.stop_at = self.started + self.duration
        if self.settle:
            asyncio.get_running_loop().call_later(self.settle, self.snapshot)
        else:
            self.snapshot()

    def snapshot(self) -> None:
        self.cpu_at_start = time.process_time()
        self.server_cpu_at_start = tree_cpu(self.server_pid)


async def user_loop(index: int, base: str, token: str, password: str, target: Target, results: Results,
                    window: Window, think: float, max_requests: int, kinds: tuple[str, ...] = KINDS) -> None:
    rng = random.Random(1000 + index)
    # keep-alive shorter than the server's (uvicorn: 5 s), so an idle connection is never reused as it closes
    async with UserClient(base) as browser, \
            UserClient(base, headers={"Authorization": f"Bearer {token}"}) as script:
        t = time.perf_counter()
        await login(browser, password)
        results.logins.append((time.perf_counter() - t) * 1000)
        if await window.barrier.wait() == 0:  # the last one in starts everyone
            window.open()
        await window.barrier.wait()
        await asyncio.sleep(rng.uniform(0, 2 * think) if think else 0)
        sent = 0
        while time.monotonic() < window.stop_at and sent < max_requests:
            kind = rng.choice(kinds)
            path = pick(kind, rng, target)
            client = browser if kind.endswith("HTML") else script
            counted = time.monotonic() >= window.started  # not while the server settles
            t = time.perf_counter()
            try:
                response = await (move(client, path) if kind.endswith("POST") else client.get(path))
                elapsed = (time.perf_counter() - t) * 1000
                ok = response.status_code == 200 and (
                    not kind.endswith("HTML") or "<html" in response.text[:200].lower())
                if not ok and counted:
                    results.errors[kind] += 1
                    if len(results.error_samples) < 10:
                        results.error_samples.append(f"{response.status_code} {path}: {response.text[:120]!r}")
            except (OSError, TimeoutError, ValueError, aiohttp.ClientError) as exc:
                elapsed = (time.perf_counter() - t) * 1000
                if counted:
                    results.errors[kind] += 1
                    if len(results.error_samples) < 10:
                        results.error_samples.append(f"{type(exc).__name__} {path}")
            if counted:
                results.latencies[kind].append(elapsed)
            sent += 1
            if think:
                await asyncio.sleep(rng.uniform(0, 2 * think))


async def warm(base: str, token: str, target: Target, results: Results) -> None:
    """First call of each year's comparison (memo empty) and one dashboard: reported as cold."""
    async with httpx.AsyncClient(base_url=base, timeout=600, headers={"Authorization": f"Bearer {token}"}) as c:
        for year in target.years:
            t = time.perf_counter()
            r = await c.get(f"/api/compare?year={year}&limit=100")
            results.cold[f"compare {year} (first)"] = (time.perf_counter() - t) * 1000
            if r.status_code != 200:
                raise RuntimeError(f"warm-up /api/compare?year={year}: {r.status_code} {r.text[:200]}")


async def calibrate(base: str, token: str, password: str, target: Target, per_kind: int) -> dict[str, list[float]]:
    """One user alone, no think time: each kind's service time (no queueing behind other users)."""
    results = Results()
    rng = random.Random(7)
    async with httpx.AsyncClient(base_url=base, timeout=120) as browser, \
            httpx.AsyncClient(base_url=base, timeout=120, headers={"Authorization": f"Bearer {token}"}) as script:
        await login(browser, password)
        for kind in KINDS:
            client = browser if kind.endswith("HTML") else script
            for _ in range(per_kind):
                path = pick(kind, rng, target)
                t = time.perf_counter()
                response = await (move(client, path) if kind.endswith("POST") else client.get(path))
                results.latencies[kind].append((time.perf_counter() - t) * 1000)
                if response.status_code != 200:
                    raise RuntimeError(f"{path}: {response.status_code}")
    return results.latencies


async def run_load(base: str, token: str, password: str, target: Target, users: int, duration: float,
                   think: float, max_requests: int, kinds: tuple[str, ...] = KINDS,
                   calibration: int = 0, server_pid: int = 0, settle: float = 0.0,
                   ) -> tuple[Results, dict[str, list[float]]]:
    results = Results(settle=settle)
    await warm(base, token, target, results)
    alone = await calibrate(base, token, password, target, calibration) if calibration else {}
    window = Window(asyncio.Barrier(users), duration, settle, server_pid=server_pid)
    t = time.monotonic()
    await asyncio.gather(*(user_loop(i, base, token, password, target, results, window, think, max_requests,
                                     kinds) for i in range(users)))
    results.seconds = time.monotonic() - (window.started or t)
    results.client_cpu = time.process_time() - window.cpu_at_start
    results.server_cpu = tree_cpu(window.server_pid) - window.server_cpu_at_start
    return results, alone


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered)) - 1))
    return ordered[k]


def report(label: str, results: Results, users: int, think: float, alone: dict[str, list[float]]) -> None:
    if alone:
        print(f"\n== {label}: one user alone (service time, no queueing) ==")
        print(f"   {'request':<16} {'count':>6} {'p50 ms':>8} {'max ms':>8}")
        for kind, values in alone.items():
            print(f"   {kind:<16} {len(values):>6} {statistics.median(values):8.1f} {max(values):8.1f}")
    total = sum(len(v) for v in results.latencies.values())
    print(f"\n== {label}: {users} users, think {think:g} s (mean), {results.seconds:.0f} s, "
          f"{total} requests, {total / max(results.seconds, 1e-9):.1f} req/s"
          + (f", after {results.settle:g} s of the same load" if results.settle else ", from the start") + " ==")
    print(f"   load client's own CPU: {results.client_cpu / max(results.seconds, 1e-9) * 1000:.0f} ms/s "
          f"({results.client_cpu * 1000 / max(total, 1):.1f} ms per request); the server's: "
          f"{results.server_cpu / max(results.seconds, 1e-9) * 1000:.0f} ms/s "
          f"({results.server_cpu * 1000 / max(total, 1):.1f} ms per request, a workflow move being two)")
    for name, ms in results.cold.items():
        print(f"   cold: {name:<28} {ms:9.1f} ms")
    if results.logins:
        print(f"   {len(results.logins)} logins at once (before the window): "
              f"p50 {statistics.median(results.logins):.0f} ms, max {max(results.logins):.0f} ms")
    print(f"   {'request':<16} {'count':>6} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"
          f"  {'p95<200':>7}")
    for kind in KINDS:
        values = results.latencies.get(kind, [])
        if not values:
            continue
        p95 = percentile(values, 95)
        print(f"   {kind:<16} {len(values):>6} {results.errors.get(kind, 0):>6} {statistics.median(values):8.1f} "
              f"{p95:8.1f} {percentile(values, 99):8.1f} {max(values):8.1f}  {'yes' if p95 < 200 else 'NO':>7}")
    for sample in results.error_samples:
        print(f"   error: {sample}")


def profile_views(target: Target, top: int = 25) -> None:
    """cProfile of one warm comparison (sorted by name, page 3) and one dashboard, in-process."""
    import cProfile
    import io
    import pstats

    from jixiao.app.pages.common import DEFAULT_COMPARE
    from jixiao.app.pages.comparison import comparison
    from jixiao.app.pages.dashboard import unit_year_dashboard
    from jixiao.model.users import Principal, Role

    engine = open_database(target.url)
    admin = Principal(user_id=0, username="profile", role=Role.admin, unit=None)
    year = target.years[len(target.years) // 2]
    unit = target.units[len(target.units) // 2]
    try:
        with Session(engine) as session:
            comparison(session, admin, year, list(DEFAULT_COMPARE), limit=100)  # the memo's first fill
            calls = {
                f"comparison {year} (warm, sort=name, page 3)": lambda: comparison(
                    session, admin, year, list(DEFAULT_COMPARE), sort="name", offset=200, limit=100),
                f"unit_year_dashboard {unit} {year}": lambda: unit_year_dashboard(session, unit, year),
            }
            for label, call in calls.items():
                times = []
                for _ in range(5):
                    t = time.perf_counter()
                    call()
                    times.append((time.perf_counter() - t) * 1000)
                profiler = cProfile.Profile()
                profiler.enable()
                call()
                profiler.disable()
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
                print(f"\n== [{target.label}] profile: {label}; 5 calls: "
                      f"{', '.join(f'{x:.0f}' for x in times)} ms ==")
                print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:6000])
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sqlite", help="SQLite file of the province (built when missing; default: a temp file)")
    parser.add_argument("--postgres-url", default=os.environ.get("JIXIAO_TEST_POSTGRES_URL"),
                        help="PostgreSQL URL (default: $JIXIAO_TEST_POSTGRES_URL); the province is built there")
    parser.add_argument("--no-sqlite", action="store_true", help="only PostgreSQL")
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load per database (max 600)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="server worker processes (default: one per core, as a province would run it)")
    parser.add_argument("--threads", type=int, help="threads per server process (JIXIAO_THREADS; default the app's)")
    parser.add_argument("--settle", type=float, default=0.0,
                        help="seconds of the same load before the measured window (a server that has run a while: "
                             "its kept pages made); default 0, the first seconds after a start")
    parser.add_argument("--think", type=float, default=1.0, help="mean think time between a user's requests (s)")
    parser.add_argument("--max-requests", type=int, default=5000, help="per user, a hard bound")
    parser.add_argument("--only", choices=("all", "dashboard", "compare", "rollup", "status", "workflow"),
                        default="all", help="request kinds under load (default: all, picked at random)")
    parser.add_argument("--calibrate", type=int, default=10,
                        help="requests of each kind by one user alone first (service time); 0 to skip")
    parser.add_argument("--keep-logs", help="a folder to keep each server's log in (errors under load are there)")
    parser.add_argument("--trace-pool", help="a folder for each server process's database pool trace "
                        "(bench/pooltrace: connections checked out each second, those held over 0.5 s and where)")
    parser.add_argument("--profile", action="store_true",
                        help="also profile one warm comparison and one dashboard in-process (cProfile)")
    args = parser.parse_args()
    duration = min(args.duration, 600.0)

    tmp = tempfile.TemporaryDirectory(prefix="jixiao-load-")
    targets: list[Target] = []
    if not args.no_sqlite:
        path = Path(args.sqlite) if args.sqlite else Path(tmp.name) / "province.db"
        targets.append(Target("SQLite", f"sqlite:///{path}"))
    if args.postgres_url:
        targets.append(Target("PostgreSQL", args.postgres_url))
    for target in targets:
        password = secrets.token_urlsafe(16)
        token = prepare(target, args.units, args.years, password)
        print(f"[{target.label}] {len(target.units)} 个单位，年度 {target.years}", flush=True)
        log_path = Path(tmp.name) / f"serve-{target.label}.log"
        proc, base = start_server(target, log_path, args.workers, args.trace_pool, args.threads)
        try:
            kinds = tuple(k for k in KINDS if args.only == "all" or k.startswith(args.only))
            results, alone = asyncio.run(run_load(base, token, password, target, args.users, duration,
                                                  args.think, args.max_requests, kinds, args.calibrate,
                                                  proc.pid, min(args.settle, 600.0)))
        finally:
            stop_server(proc)
            if args.keep_logs:
                Path(args.keep_logs).mkdir(parents=True, exist_ok=True)
                shutil.copy(log_path, Path(args.keep_logs) / log_path.name)
        report(target.label, results, args.users, args.think, alone)
        if args.profile:
            profile_views(target)
    tmp.cleanup()


if __name__ == "__main__":
    main()
