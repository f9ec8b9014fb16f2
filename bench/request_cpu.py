"""CPU cost of one request of each kind the load test sends.

    .venv/bin/python bench/request_cpu.py --url sqlite:////var/tmp/province.db [--n 40]
                                          [--in-process] [--profile KIND [--warm]]

Wall-clock latency under load depends on everything else the machine runs; the CPU time the
server spends on a request does not. By default this starts the real server (``jixiao serve``,
as ``bench/load.py`` does), logs in through the login form and with an API token, sends the
requests one at a time and reads the server process's CPU time (every thread, from
``/proc/PID/task/*/schedstat``, in nanoseconds) around each. It prints, per request kind, the
CPU milliseconds per request for a first pass over ``--n`` random unit-years or comparison pages
(cold: none of them cached) and a second pass over the same ones (warm), and the floor: a tiny
JSON answer (middleware, token check, routing).

``--in-process`` drives the app through Starlette's test client in this process instead (the
client's own work then counts too); ``--profile KIND`` does so under yappi (which sees the
thread pool where sync routes run; ``pip install yappi``) and prints the top entries of that
kind's cold pass (``--warm``: the warm pass) by own and by total CPU time.

``--mix N`` instead sends ``N`` requests picked as the load test picks them (a random kind each,
workflow moves included: their writes make kept pages cold), one at a time, and prints the CPU per
request of each kind and of the whole mix over the second half (the first warms up): the figure
to hold against the budget (two cores ÷ the requests per second of 200 users).

The database must hold a province (``bench/province.py`` builds one; ``bench/load.py --sqlite``
keeps its file). Kinds and URLs are those of ``bench/load.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import random
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import KINDS, Target, move, pick, start_server, stop_server  # the same requests as the load test

from jixiao.store.db import open_database
from jixiao.store.repository import years_of
from jixiao.store.schema import UnitRow
from jixiao.store.users import create_api_token, create_user, find_user, set_password
from jixiao.web import create_app

USER = "cpu-bench-admin"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def cpu_ms(call: Callable[[], None], clock: Callable[[], float] = time.process_time) -> float:
    start = clock()
    call()
    return (clock() - start) * 1000


def server_cpu(pid: int) -> Callable[[], float]:
    """CPU seconds used so far by every thread of process ``pid`` (schedstat: nanoseconds)."""
    def read() -> float:
        total = 0
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError, ValueError, IndexError):  # a thread that just ended
                total += int((task / "schedstat").read_text().split()[0])
        return total / 1e9
    return read


def print_profile(top: int) -> None:
    import yappi

    stats = yappi.get_func_stats()
    for order in ("tsub", "ttot"):
        out = io.StringIO()
        stats.sort(order, "desc").print_all(out=out, columns={
            0: ("name", 90), 1: ("ncall", 8), 2: ("tsub", 8), 3: ("ttot", 8)})
        print("\n".join(out.getvalue().splitlines()[: top + 4]))
    yappi.clear_stats()


def run_mix(n: int, target: Target, browser: Any, script: Any, clock: Callable[[], float]) -> None:
    """``n`` requests of the load test's mix one at a time; CPU ms per request over the second half."""
    import asyncio

    rng = random.Random(11)
    spent: dict[str, list[float]] = {kind: [] for kind in KINDS}
    for i in range(n):
        kind = rng.choice(KINDS)
        path = pick(kind, rng, target)
        client = browser if kind.endswith("HTML") else script
        if kind.endswith("POST"):  # the load test's move (GET status, then submit or withdraw), synchronously
            ms = cpu_ms(lambda c=client, p=path: asyncio.run(_move(c, p)), clock)
        else:
            ms = cpu_ms(lambda c=client, p=path: c.get(p, follow_redirects=False), clock)
        if i >= n // 2:
            spent[kind].append(ms)
    everything = [ms for values in spent.values() for ms in values]
    print(f"mix of {n} requests, the last {len(everything)}: CPU ms per request")
    print(f"{'kind':<18} {'count':>6} {'p50':>7} {'p95':>7} {'mean':>7}")
    for kind, values in [*spent.items(), ("all", everything)]:
        if values:
            ordered = sorted(values)
            print(f"{kind:<18} {len(values):6d} {statistics.median(values):7.1f} "
                  f"{ordered[int(0.95 * (len(values) - 1))]:7.1f} {statistics.fmean(values):7.1f}")


async def _move(client: Any, path: str) -> None:
    """:func:`load.move` for a synchronous client."""
    class Async:
        async def get(self, p: str) -> Any:
            return client.get(p)

        async def post(self, p: str, **kw: Any) -> Any:
            return client.post(p, **kw)
    await move(Async(), path)  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="database URL of a province")
    parser.add_argument("--n", type=int, default=40, help="requests of each kind per pass")
    parser.add_argument("--in-process", action="store_true",
                        help="drive the app in this process (test client) instead of a real `jixiao serve`")
    parser.add_argument("--profile", choices=KINDS, help="profile the cold pass of this kind (implies --in-process)")
    parser.add_argument("--warm", action="store_true", help="profile the warm pass instead of the cold one")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--mix", type=int, default=0, help="N requests of the load test's mix instead (see above)")
    args = parser.parse_args()
    in_process = args.in_process or args.profile is not None

    engine = open_database(args.url)
    password = secrets.token_urlsafe(16)
    with Session(engine) as session:
        user = find_user(session, USER) or create_user(session, USER, password, "admin")
        set_password(session, user, password)
        token, _ = create_api_token(session, user, "bench/request_cpu.py")
        units = list(session.scalars(select(UnitRow.code).order_by(UnitRow.code)))
        years = sorted({y for code in units[:50] for y in years_of(session, code)})
        parents = sorted(set(session.scalars(select(UnitRow.parent).where(UnitRow.parent.is_not(None)))))
        session.commit()
    target = Target("bench", args.url, units, years, parents)
    server: subprocess.Popen[bytes] | None = None
    with contextlib.ExitStack() as stack:
        if in_process:
            app = create_app(args.url, engine=engine)
            browser: Any = stack.enter_context(TestClient(app, base_url="http://127.0.0.1"))
            script: Any = stack.enter_context(TestClient(app, base_url="http://127.0.0.1",
                                                         headers={"Authorization": f"Bearer {token}"}))
            clock = time.process_time
            where = "本进程（测试客户端，含客户端开销）"
        else:
            log = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "serve.log"
            server, base = start_server(target, log)
            stack.callback(stop_server, server)
            browser = stack.enter_context(httpx.Client(base_url=base, timeout=120))
            script = stack.enter_context(httpx.Client(base_url=base, timeout=120,
                                                      headers={"Authorization": f"Bearer {token}"}))
            clock = server_cpu(server.pid)
            where = f"jixiao serve 进程 {server.pid}"
        form = browser.get("/login")
        match = CSRF_RE.search(form.text)
        assert match is not None, "login form without csrf_token"
        login_ms = cpu_ms(lambda: browser.post("/login", data={
            "csrf_token": match.group(1), "username": USER, "password": password, "next": "/units"},
            follow_redirects=False), clock)
        print(f"{len(units)} 个单位，年度 {years}；CPU of {where}；登录 {login_ms:.0f} ms")
        print(f"{'kind':<18} {'cold p50':>9} {'cold p95':>9} {'cold mean':>10} {'warm p50':>9} "
              f"{'warm mean':>10}  (CPU ms per request)")
        if args.mix:
            run_mix(args.mix, target, browser, script, clock)
            return
        floor = [cpu_ms(lambda: script.get(f"/api/units/{units[0]}"), clock) for _ in range(args.n)]
        print(f"{'floor (unit JSON)':<18} {statistics.median(floor):9.1f}")
        for kind in KINDS:
            client = browser if kind.endswith("HTML") else script
            rng = random.Random(7)
            paths = [pick(kind, rng, target) for _ in range(args.n)]

            def get(path: str, client: Any = client) -> None:
                response = client.get(path, follow_redirects=False)
                if response.status_code != 200:
                    raise SystemExit(f"{path}: {response.status_code} {response.text[:300]}")

            profiling = args.profile == kind
            if profiling:  # yappi sees every thread (sync routes run in the thread pool), cProfile one
                import yappi

                yappi.set_clock_type("cpu")
            if profiling and not args.warm:
                yappi.start()
            cold = [cpu_ms(lambda p=p: get(p), clock) for p in paths]
            if profiling:
                yappi.stop() if not args.warm else yappi.start()
            warm = [cpu_ms(lambda p=p: get(p), clock) for p in paths]
            if profiling and args.warm:
                yappi.stop()
            cold_sorted = sorted(cold)
            print(f"{kind:<18} {statistics.median(cold):9.1f} {cold_sorted[int(0.95 * (len(cold) - 1))]:9.1f} "
                  f"{statistics.fmean(cold):10.1f} {statistics.median(warm):9.1f} {statistics.fmean(warm):10.1f}")
            if profiling:
                print_profile(args.top)
    engine.dispose()


if __name__ == "__main__":
    main()
