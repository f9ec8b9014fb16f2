"""Initial schema: imports, units (a tree), fund_years, department_years, projects.

Each record table holds the pydantic model as a JSON document (JSONB on PostgreSQL) next to its
natural-key columns. The unique keys start with (unit, year), so they also serve as the
(unit, year) index; (year, ...) indexes serve "one year across all units".

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _doc() -> sa.Column:
    return sa.Column("doc", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False)


def _import_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["import_id"], ["imports.id"], name=f"fk_{table}_import_id_imports")


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("file", sa.String(length=1000), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=1000), nullable=True),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("fund_years", sa.Integer(), nullable=False),
        sa.Column("departments", sa.Integer(), nullable=False),
        sa.Column("projects", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_imports"),
        sa.UniqueConstraint("file", "sha256", name="uq_imports_file_sha256"),
    )
    op.create_index("ix_imports_sha256", "imports", ["sha256"])

    op.create_table(
        "units",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("parent", sa.String(length=40), nullable=True),
        sa.Column("region", sa.String(length=200), nullable=True),
        _doc(),
        sa.Column("import_id", sa.Integer(), nullable=True),
        _import_fk("units"),
        sa.ForeignKeyConstraint(["parent"], ["units.code"], name="fk_units_parent_units"),
        sa.PrimaryKeyConstraint("code", name="pk_units"),
    )
    op.create_index("ix_units_name", "units", ["name"])
    op.create_index("ix_units_parent", "units", ["parent"])

    op.create_table(
        "fund_years",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("fund", sa.String(length=40), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        _doc(),
        sa.Column("import_id", sa.Integer(), nullable=True),
        _import_fk("fund_years"),
        sa.ForeignKeyConstraint(["unit"], ["units.code"], name="fk_fund_years_unit_units"),
        sa.PrimaryKeyConstraint("id", name="pk_fund_years"),
        sa.UniqueConstraint("unit", "year", "fund", "scope", name="uq_fund_years_unit_year_fund_scope"),
    )
    op.create_index("ix_fund_years_year_fund", "fund_years", ["year", "fund"])

    op.create_table(
        "department_years",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        _doc(),
        sa.Column("import_id", sa.Integer(), nullable=True),
        _import_fk("department_years"),
        sa.ForeignKeyConstraint(["unit"], ["units.code"], name="fk_department_years_unit_units"),
        sa.PrimaryKeyConstraint("id", name="pk_department_years"),
        sa.UniqueConstraint("unit", "year", name="uq_department_years_unit_year"),
    )
    op.create_index("ix_department_years_year", "department_years", ["year"])

    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        _doc(),
        sa.Column("import_id", sa.Integer(), nullable=True),
        _import_fk("projects"),
        sa.ForeignKeyConstraint(["unit"], ["units.code"], name="fk_projects_unit_units"),
        sa.PrimaryKeyConstraint("id", name="pk_projects"),
        sa.UniqueConstraint("unit", "year", "name", name="uq_projects_unit_year_name"),
    )
    op.create_index("ix_projects_year", "projects", ["year"])


def downgrade() -> None:
    for table in ("projects", "department_years", "fund_years", "units", "imports"):
        op.drop_table(table)
