"""Web and administration commands: ``serve``, ``user add|list|passwd|disable``, ``db backup|restore``.

A thin shell: the app is :mod:`jixiao.web` (started by name), users :mod:`jixiao.app.people`,
backups :mod:`jixiao.store.backup`. Errors are one Chinese line and exit code 1.
"""

from __future__ import annotations

import importlib
import secrets
import sys
from pathlib import Path
from typing import Annotated

import typer

from jixiao.app.backups import restore_database
from jixiao.app.imports import keep_rollups, refresh_pages
from jixiao.app.people import add_user, reset_password, user_by_name
from jixiao.cli.common import CommandError, console, database, one_line_errors, session
from jixiao.store.backup import backup, inspect_backup
from jixiao.store.db import database_url, describe, open_database
from jixiao.store.indicator_store import engine_version, reindex
from jixiao.store.users import list_users

UNIT_HELP = "单位代码（填报员：所属单位；审核员：所辖地区的根单位）"
ROLE_HELP = "角色：admin（管理员）、operator（单位填报员）、reviewer（审核员）"

user_app = typer.Typer(help="用户：添加、列出、重设密码、停用。", no_args_is_help=True)
db_app = typer.Typer(help="数据库：备份与恢复；重算所存的指标值。", no_args_is_help=True)


def _read_password(password_stdin: bool, generate: bool) -> tuple[str, bool]:
    """(password, generated?) from stdin, a generator or an interactive prompt (asked twice)."""
    if password_stdin and generate:
        raise CommandError("--password-stdin 与 --generate-password 不能同时使用")
    if generate:
        return secrets.token_urlsafe(12), True
    if password_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise CommandError("标准输入中没有密码")
        return password, False
    if not sys.stdin.isatty():
        raise CommandError("没有终端可以输入密码：请用 --password-stdin 或 --generate-password")
    password = typer.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")
    return password, False


# --------------------------------------------------------------------------------------------
# serve
# --------------------------------------------------------------------------------------------


#: seconds a worker may take to answer uvicorn's health check (starting up on a loaded machine)
WORKER_HEALTHCHECK_S = 120


def serve(
    host: Annotated[str, typer.Option("--host", help="监听地址（默认只在本机）")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="端口")] = 8000,
    proxy_headers: Annotated[bool, typer.Option(
        "--proxy-headers", help="在反向代理之后：信任 X-Forwarded-For/Proto（仅来自 --forwarded-allow-ips）")] = False,
    forwarded_allow_ips: Annotated[str, typer.Option(
        "--forwarded-allow-ips", help="可信代理地址，逗号分隔")] = "127.0.0.1",
    workers: Annotated[int, typer.Option(
        "--workers", min=1, max=64, help="工作进程数（多用户时设为 CPU 核数；每个进程各自缓存，数据一改即失效）")] = 1,
    access_log: Annotated[bool, typer.Option("--access-log/--no-access-log", help="逐条记录请求")] = True,
) -> None:
    """启动网页应用（默认 http://127.0.0.1:8000，SQLite 数据库；JIXIAO_DATABASE_URL 可指向 PostgreSQL）。"""
    import uvicorn  # only this command needs the server

    # migrate once here, before any worker opens the database
    open_database(database_url()).dispose()
    console.print(f"数据库：{describe(database_url())}")
    console.print(f"打开浏览器访问：http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/")
    # uvicorn kills a worker that does not answer its supervisor's ping within the health-check
    # timeout (5 s by default): on a loaded machine, importing the app takes longer than that, and
    # the workers were killed and restarted in a loop, never serving
    options = dict(host=host, port=port, proxy_headers=proxy_headers, forwarded_allow_ips=forwarded_allow_ips,
                   log_level="info", server_header=False, access_log=access_log,
                   timeout_worker_healthcheck=WORKER_HEALTHCHECK_S)
    # by name: each worker process builds its own app from the same environment (the command line
    # does not import the web package, which sits beside it, not below it)
    uvicorn.run("jixiao.web:serve_app", factory=True, workers=workers, **options)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# users
# --------------------------------------------------------------------------------------------


@user_app.command("add")
@one_line_errors
def user_add(
    username: Annotated[str, typer.Argument(help="用户名")],
    role: Annotated[str, typer.Option("--role", help=ROLE_HELP)],
    unit: Annotated[str | None, typer.Option("--unit", help=UNIT_HELP)] = None,
    name: Annotated[str | None, typer.Option("--name", help="姓名（可选）")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="从标准输入读取密码（一行）")] = False,
    generate: Annotated[bool, typer.Option("--generate-password", help="生成随机密码并只显示这一次")] = False,
) -> None:
    """添加用户。"""
    password, generated = _read_password(password_stdin, generate)
    with session() as db:
        user = add_user(db, None, username, password, role, unit, name, detail="命令行 jixiao user add")
        added, added_unit = user.username, user.unit
    console.print(f"已添加用户 {added}（{role}{'，单位 ' + added_unit if added_unit else ''}）")
    if generated:
        console.print(f"密码（只显示这一次）：{password}", soft_wrap=True)


@user_app.command("list")
@one_line_errors
def user_list() -> None:
    """列出用户。"""
    with session() as db:
        users = list_users(db)
    if not users:
        console.print("还没有用户（jixiao user add 用户名 --role admin 添加管理员）")
    for user in users:
        state = "" if user.active else "（已停用）"
        console.print(f"{user.username}\t{user.role}\t{user.unit or '-'}{state}", soft_wrap=True)


@user_app.command("passwd")
@one_line_errors
def user_passwd(
    username: Annotated[str, typer.Argument(help="用户名")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="从标准输入读取密码（一行）")] = False,
    generate: Annotated[bool, typer.Option("--generate-password", help="生成随机密码并只显示这一次")] = False,
) -> None:
    """重设用户密码（该用户的所有会话和 API 令牌随之失效）。"""
    password, generated = _read_password(password_stdin, generate)
    with session() as db:
        reset_password(db, None, user_by_name(db, username), password, detail="命令行 jixiao user passwd")
    console.print(f"已重设 {username} 的密码")
    if generated:
        console.print(f"密码（只显示这一次）：{password}", soft_wrap=True)


# --------------------------------------------------------------------------------------------
# db backup / restore
# --------------------------------------------------------------------------------------------


@db_app.command("backup")
@one_line_errors
def db_backup(
    file: Annotated[Path, typer.Argument(help="备份文件（SQLite 数据库默认为 SQLite 文件；.json/.json.gz 为 JSON）")],
    fmt: Annotated[str | None, typer.Option("--format", help="sqlite 或 json（PostgreSQL 只能 json）")] = None,
) -> None:
    """备份整个数据库（一致的快照）。"""
    with database() as engine:
        info = backup(engine, file, fmt)
    console.print(f"已备份到 {info.path}（{info.format} 格式，结构版本 {info.revision}，共 {info.total_rows} 行）",
                  soft_wrap=True)


@db_app.command("restore")
@one_line_errors
def db_restore(
    file: Annotated[Path, typer.Argument(help="jixiao db backup 生成的备份文件")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="不再确认")] = False,
) -> None:
    """用备份替换整个数据库（全部成功或全不改变；先核验备份完整，并把替换前的数据库另存一份）。"""
    info = inspect_backup(file)
    if not yes:
        if not sys.stdin.isatty():
            raise CommandError("恢复会替换整个数据库：请加 --yes 确认")
        typer.confirm(f"用 {file}（{info.total_rows} 行）替换数据库 {describe(database_url())} 的全部内容？",
                      abort=True)
    with database() as engine:
        done = restore_database(engine, file)
    checked = "行数与校验和已核对" if info.verified else "旧版备份，没有校验和，只核对了表结构"
    console.print(f"已从 {file} 恢复（{info.format} 格式，共 {info.total_rows} 行，{checked}）", soft_wrap=True)
    console.print(f"恢复前的数据库已另存为 {done.safety_copy}；备份之后的修改记录保留了 {done.kept_entries} 条，"
                  "恢复本身已记入修改记录", soft_wrap=True)


@db_app.command("reindex")
@one_line_errors
def db_reindex(
    force: Annotated[bool, typer.Option("--force", help="全部重新计算（默认只算与所存记录不一致或已过期的）")] = False,
) -> None:
    """重新计算所存的指标值与预警（比较页和单位树读取它们），重新生成缺少或过期的单位年度总览页和下级单位合计页，并预先生成总览网页。"""
    with database() as engine:
        result = reindex(engine, force=force,
                         progress=lambda year, n: console.print(f"{year} 年：重新计算 {n} 条记录"))
        console.print(f"指标值已是最新（计算引擎 {engine_version()}）：共 {result.records} 条记录，"
                      f"本次重新计算 {result.recomputed} 条", soft_wrap=True)
        looked, kept = refresh_pages(engine, force=force)
        console.print(f"单位年度总览页：重新生成 {kept} 页（{looked} 页缺少或已过期）", soft_wrap=True)
        rollups, made = keep_rollups(engine, force=force)
        console.print(f"下级单位合计页：重新生成 {made} 页（共 {rollups} 页）", soft_wrap=True)
        # the web package renders its pages: called by name, as ``serve`` starts it (it sits beside
        # the command line, not below it)
        prerender = importlib.import_module("jixiao.web.prerender").prerender_dashboards
        shown, rendered = prerender(engine, progress=lambda n: console.print(f"  总览网页：已处理 {n} 个单位年度"))
        console.print(f"单位年度总览网页：预先生成 {rendered} 页（共 {shown} 个单位年度）", soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("serve")(one_line_errors(serve))
    app.add_typer(user_app, name="user")
    app.add_typer(db_app, name="db")

