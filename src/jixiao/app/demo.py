"""The demonstration: the bundled example units imported into the default database, their
reports written, and a web login to look at them with."""

from __future__ import annotations

import secrets
from pathlib import Path

from sqlalchemy.orm import Session

import jixiao
from jixiao.app.errors import NotFound
from jixiao.model.users import Role
from jixiao.store.users import create_user, find_user, set_password

DEMO_USER = "demo"
#: the examples' folder of monthly and quarterly figures
PERIODS = "periods"


def find_examples() -> Path | None:
    """``examples/`` of the source tree jixiao is installed from (editable install)."""
    for parent in Path(jixiao.__file__).resolve().parents:
        candidate = parent / "examples"
        if (candidate / "units.yaml").is_file():
            return candidate
    return None


def example_files(directory: Path) -> list[Path]:
    """``units.yaml`` first, then every unit's data file of an examples folder, then its months
    and quarters (``periods/``, when there), so the demo's monitoring pages have data."""
    if not directory.is_dir():
        raise NotFound(f"示例目录不存在：{directory}")
    units = directory / "units.yaml"
    if not units.is_file():
        raise NotFound(f"示例目录 {directory} 中没有 units.yaml")
    others = sorted(p for p in [*directory.glob("*.yaml"), *directory.glob("*.yml")] if p.name != "units.yaml")
    if not others:
        raise NotFound(f"示例目录 {directory} 中只有 units.yaml，没有单位数据文件")
    months = sorted([*(directory / PERIODS).glob("*.yaml"), *(directory / PERIODS).glob("*.yml")])
    return [units, *others, *months]


def demo_account(db: Session) -> str:
    """The demo's web login: an administrator named ``demo`` with a fresh password (returned, to
    be shown once); commits."""
    password = secrets.token_urlsafe(12)
    user = find_user(db, DEMO_USER)
    if user is None:
        create_user(db, DEMO_USER, password, Role.admin, display_name="演示管理员")
    else:
        set_password(db, user, password)
    db.commit()
    return password


__all__ = ["DEMO_USER", "PERIODS", "demo_account", "example_files", "find_examples"]
