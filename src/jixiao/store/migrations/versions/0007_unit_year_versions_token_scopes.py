"""Unit-year versions (optimistic concurrency) and API token scopes.

* ``unit_years`` — one row per unit and year that has data: ``version`` moves on with every write
  of the unit-year's records, whichever path wrote (form, API, workbook, ``jixiao load``); a
  write based on an older version is refused. Filled here with version 1 for every unit-year
  already stored. Issue 12's status (draft → submitted → approved) belongs on this row.
* ``audit_log.unit`` / ``audit_log.year`` / ``audit_log.version`` — which unit-year an entry is
  about and the version its write made, so "what changed since version N" is one indexed query.
* ``api_tokens.scope`` — ``read`` or ``write``; tokens made before this revision could change
  data, so they keep ``write``.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unit_years",
        sa.Column("unit", sa.String(40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("changed_by", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(["unit"], ["units.code"], name="fk_unit_years_unit_units"),
        sa.PrimaryKeyConstraint("unit", "year", name="pk_unit_years"),
    )
    op.execute(
        "INSERT INTO unit_years (unit, year, version) SELECT unit, year, 1 FROM ("
        "SELECT unit, year FROM fund_years UNION SELECT unit, year FROM department_years "
        "UNION SELECT unit, year FROM projects) AS stored"
    )
    op.add_column("audit_log", sa.Column("unit", sa.String(40), nullable=True))
    op.add_column("audit_log", sa.Column("year", sa.Integer(), nullable=True))
    op.add_column("audit_log", sa.Column("version", sa.Integer(), nullable=True))
    op.create_index("ix_audit_log_unit_year_version", "audit_log", ["unit", "year", "version"])
    op.add_column("api_tokens", sa.Column("scope", sa.String(10), nullable=False, server_default="write"))


def downgrade() -> None:
    op.drop_column("api_tokens", "scope")
    op.drop_index("ix_audit_log_unit_year_version", table_name="audit_log")
    op.drop_column("audit_log", "version")
    op.drop_column("audit_log", "year")
    op.drop_column("audit_log", "unit")
    op.drop_table("unit_years")
