"""Units (单位): the agencies whose figures jixiao keeps, in a tree county → city → province."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Level(StrEnum):
    """行政层级. 区本级/市本级 are the agency's own level inside a province/city."""

    national = "国家"
    province = "省"
    region_own = "区本级"
    province_own = "省本级"
    city = "市"
    city_own = "市本级"
    county = "县"


class UnitKind(StrEnum):
    bureau = "医疗保障局"
    affairs_center = "医疗保障事务中心"
    development_center = "医疗保障事业发展中心"
    insurance_office = "医疗保险处"
    insurance_bureau = "医疗保险管理局"
    finance_bureau = "财政局"
    other = "其他"


class Unit(BaseModel):
    """An agency. ``code`` is stable and unique (e.g. 行政区划代码 plus a suffix)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(min_length=1, max_length=40, pattern=r"^[0-9A-Za-z_.\-]+$", title="单位代码")
    name: str = Field(min_length=2, max_length=80, title="单位名称")
    level: Level = Field(title="层级")
    kind: UnitKind = Field(title="单位类型")
    parent: str | None = Field(default=None, title="上级单位代码")
    region: str | None = Field(default=None, title="所属地区", description="e.g. 新疆维吾尔自治区哈密市")
    ruleset: str | None = Field(
        default=None, pattern=r"^[a-z][a-z0-9_]*$", max_length=40, title="规则集",
        description="the shipped rule set this unit is judged by (default, hunan, sichuan); "
                    "None: its parent's (see effective_ruleset)",
    )

    @field_validator("ruleset")
    @classmethod
    def _shipped_ruleset(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from importlib.resources import files

        data = files("jixiao.rules") / "data"
        if not (data / f"{value}.yaml").is_file():
            known = sorted(p.name.removesuffix(".yaml") for p in data.iterdir() if p.name.endswith(".yaml"))
            raise ValueError(f"未知的规则集“{value}”（可用：{'、'.join(known)}）")
        return value


def effective_ruleset(code: str, rulesets: Mapping[str, str | None], parents: Mapping[str, str | None],
                      fallback: str = "default") -> str:
    """The rule set of unit ``code``: its own, else the nearest ancestor's, else ``fallback``."""
    seen: set[str] = set()
    current: str | None = code
    while current is not None and current not in seen:
        own = rulesets.get(current)
        if own:
            return own
        seen.add(current)
        current = parents.get(current)
    return fallback


def ruleset_of(units: Iterable[Unit], code: str, fallback: str = "default") -> str:
    """The rule set of unit ``code`` among ``units`` (its own, else the nearest listed ancestor's)."""
    units = list(units)
    return effective_ruleset(code, {u.code: u.ruleset for u in units}, {u.code: u.parent for u in units}, fallback)
