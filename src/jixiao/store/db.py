"""Where the database is and how to open it.

``JIXIAO_DATABASE_URL`` selects any SQLAlchemy URL (PostgreSQL: ``postgresql+psycopg://...``);
otherwise a SQLite file ``jixiao.db`` in ``JIXIAO_HOME`` (default ``$XDG_DATA_HOME/jixiao`` or
``~/.local/share/jixiao``). Opening a database always brings its schema to the newest Alembic
revision, so a fresh database is ready to use.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker


class DatabaseError(Exception):
    """The database cannot be opened or used; the message is one Chinese line for the user."""


def default_home(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get("JIXIAO_HOME"):
        return Path(env["JIXIAO_HOME"]).expanduser()
    xdg = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg).expanduser() / "jixiao"


def database_url(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    if env.get("JIXIAO_DATABASE_URL"):
        return env["JIXIAO_DATABASE_URL"]
    return f"sqlite:///{default_home(env) / 'jixiao.db'}"


def describe(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


#: how long a SQLite write waits for another writer before "database is locked" (the use cases
#: then retry with backoff, :mod:`jixiao.app.busy`)
BUSY_TIMEOUT_MS = 10000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")  # read at each connection: tests lower it
    # write-ahead log: readers (the web app's worker processes) go on while a writer works and
    # commits, where the rollback journal made each wait on the other (logins behind page views
    # took seconds under load). A property of the file, kept once set; ':memory:' stays 'memory'.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _private_file(path: Path) -> None:
    """The database file readable by its owner only (0600; SQLite gives its -wal and -shm files
    the same mode), in a directory made 0700 when jixiao makes it: it holds password hashes and
    every unit's figures."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseError(f"无法创建数据目录 {path.parent}：{exc.strerror}") from exc
    try:
        if path.exists():
            if path.stat().st_mode & 0o077 and path.stat().st_uid == os.getuid():
                path.chmod(0o600)
        else:
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    except OSError as exc:
        raise DatabaseError(f"无法创建数据库文件 {path}：{exc.strerror}") from exc


def create_db_engine(url: str | None = None, *, pool_size: int | None = None) -> Engine:
    """An engine for ``url`` (default: :func:`database_url`); makes the SQLite directory.

    ``pool_size``: connections kept for that many threads using the database at once (the web
    app's route threads), with as many again in reserve; default SQLAlchemy's (5 + 10)."""
    url = url or database_url()
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(f"数据库地址无效：{url}") from exc
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        _private_file(Path(parsed.database).expanduser())
    kwargs: dict[str, Any] = {}
    if pool_size is not None and parsed.database not in (None, "", ":memory:"):
        kwargs.update(pool_size=pool_size, max_overflow=pool_size)
    if parsed.get_backend_name() == "postgresql":
        kwargs["connect_args"] = {"connect_timeout": 5}
    try:
        engine = create_engine(url, **kwargs)
    except (ArgumentError, ImportError, SQLAlchemyError) as exc:
        raise DatabaseError(f"无法使用数据库 {describe(url)}：{exc}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def alembic_config() -> Any:
    """The Alembic configuration shipped inside the package (alembic imported only when needed)."""
    from alembic.config import Config

    here = resources.files("jixiao.store")
    config = Config(str(here / "alembic.ini"))
    config.set_main_option("script_location", str(here / "migrations"))
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (idempotent)."""
    from alembic import command

    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_database(url: str | None = None, *, pool_size: int | None = None) -> Engine:
    """Open (and migrate) the database; :class:`DatabaseError` with a clear message if unusable."""
    url = url or database_url()
    engine = create_db_engine(url, pool_size=pool_size)
    try:
        migrate(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise DatabaseError(f"无法打开数据库 {describe(url)}：{reason}") from exc
    return engine


def commit_if_free(session: Session, wait_ms: int = 50) -> bool:
    """Commit what ``session`` holds if SQLite's write lock can be had within ``wait_ms``
    (other databases: just commit). False (nothing written, caller rolls back) when it cannot:
    for bookkeeping that may as well be written next time."""
    if session.get_bind().dialect.name != "sqlite" or not (session.new or session.dirty or session.deleted):
        session.commit()
        return True
    raw = session.connection().connection.driver_connection
    assert raw is not None
    raw.execute(f"PRAGMA busy_timeout={wait_ms}")
    try:
        session.flush()  # the write lock is taken here, or not within wait_ms
    except OperationalError as exc:
        if "locked" not in str(exc.orig).lower() and "busy" not in str(exc.orig).lower():
            raise
        return False
    finally:
        raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    session.commit()
    return True


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
