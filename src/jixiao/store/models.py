"""Tables. Each record is a JSON document of its pydantic model plus indexed key columns.

Why documents: the model is deep (a fund year has ~80 optional figures in nested groups) and
grows with every report format met; a column per figure would need a migration per field and
would still have to keep each figure's unit and written precision beside its value. The JSON
document keeps every figure exactly as the pydantic model serialises it (``"655.50万元"``,
``"1.8067万人"``), so reading back gives the same :class:`~jixiao.numbers.Quantity`, digits
and all. What is queried — unit, year, fund, scope, project name — is in real indexed columns.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, MetaData, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import DateTime

#: JSONB on PostgreSQL (indexable, compact), JSON text elsewhere.
Document = JSON().with_variant(JSONB(), "postgresql")

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ImportRow(Base):
    """One input file as loaded: path, content hash, when, and what it held."""

    __tablename__ = "imports"
    __table_args__ = (UniqueConstraint("file", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    file: Mapped[str] = mapped_column(String(1000))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source: Mapped[str | None] = mapped_column(String(1000), nullable=True)  # the report transcribed
    units: Mapped[int] = mapped_column(Integer, default=0)
    fund_years: Mapped[int] = mapped_column(Integer, default=0)
    departments: Mapped[int] = mapped_column(Integer, default=0)
    projects: Mapped[int] = mapped_column(Integer, default=0)


class UnitRow(Base):
    """单位, a tree by ``parent``."""

    __tablename__ = "units"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(80), index=True)
    level: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(40))
    parent: Mapped[str | None] = mapped_column(ForeignKey("units.code"), nullable=True, index=True)
    region: Mapped[str | None] = mapped_column(String(200), nullable=True)
    ruleset: Mapped[str | None] = mapped_column(String(40), nullable=True)  # None: the parent's (0005)
    doc: Mapped[dict[str, Any]] = mapped_column(Document)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"), nullable=True)


class FundYearRow(Base):
    """基金年度数据: unit × year × fund × scope."""

    __tablename__ = "fund_years"
    __table_args__ = (
        UniqueConstraint("unit", "year", "fund", "scope"),
        Index(None, "year", "fund"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit: Mapped[str] = mapped_column(ForeignKey("units.code"))
    year: Mapped[int] = mapped_column(Integer)
    fund: Mapped[str] = mapped_column(String(40))
    #: 口径; '' when the file gives none (NULLs would not be unique in the key)
    scope: Mapped[str] = mapped_column(String(40), default="")
    doc: Mapped[dict[str, Any]] = mapped_column(Document)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"), nullable=True)


class DepartmentYearRow(Base):
    """部门整体支出: unit × year."""

    __tablename__ = "department_years"
    __table_args__ = (UniqueConstraint("unit", "year"), Index(None, "year"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit: Mapped[str] = mapped_column(ForeignKey("units.code"))
    year: Mapped[int] = mapped_column(Integer)
    doc: Mapped[dict[str, Any]] = mapped_column(Document)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"), nullable=True)


class ProjectRow(Base):
    """项目: unit × year × name."""

    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("unit", "year", "name"), Index(None, "year"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit: Mapped[str] = mapped_column(ForeignKey("units.code"))
    year: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    doc: Mapped[dict[str, Any]] = mapped_column(Document)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"), nullable=True)


#: data tables in dependency order (parents first)
TABLES = (ImportRow, UnitRow, FundYearRow, DepartmentYearRow, ProjectRow)
