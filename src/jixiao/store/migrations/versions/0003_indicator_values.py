"""Stored indicator values: indicator_records, indicator_values, record_warnings.

A cache of the engine's results for every stored record (see
:mod:`jixiao.store.indicator_store`), so comparing 3,000 units reads indexed rows instead of
computing every record. Revision 0004 adds the records' stamps and fills the tables.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "indicator_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("fund", sa.String(length=40), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("project", sa.String(length=300), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("engine", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(["unit"], ["units.code"], name="fk_indicator_records_unit_units"),
        sa.PrimaryKeyConstraint("id", name="pk_indicator_records"),
        sa.UniqueConstraint("kind", "unit", "year", "fund", "scope", "project",
                            name="uq_indicator_records_kind_unit_year_fund_scope_project"),
    )
    # covering indexes: a reader's rows come out of one index range, no table lookups
    op.create_index("ix_indicator_records_year_kind_fund", "indicator_records",
                    ["year", "kind", "fund", "unit", "scope", "project", "engine"])
    op.create_index("ix_indicator_records_unit_year", "indicator_records", ["unit", "year"])

    op.create_table(
        "indicator_values",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("record_kind", sa.String(length=12), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("fund", sa.String(length=40), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("project", sa.String(length=300), nullable=False),
        sa.Column("indicator_id", sa.String(length=80), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("display", sa.Text(), nullable=False),
        sa.Column("value_unit", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["indicator_records.id"],
                                name="fk_indicator_values_record_id_indicator_records", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_indicator_values"),
        sa.UniqueConstraint("record_id", "indicator_id", name="uq_indicator_values_record_id_indicator_id"),
    )
    op.create_index("ix_indicator_values_year_indicator_id_record_kind_fund", "indicator_values",
                    ["year", "indicator_id", "record_kind", "fund", "record_id", "value", "display"])
    op.create_index("ix_indicator_values_unit_year", "indicator_values", ["unit", "year"])

    op.create_table(
        "record_warnings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("ruleset", sa.String(length=200), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("worst", sa.String(length=10), nullable=True),
        sa.Column("warnings", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["indicator_records.id"],
                                name="fk_record_warnings_record_id_indicator_records", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_record_warnings"),
        sa.UniqueConstraint("record_id", "ruleset", name="uq_record_warnings_record_id_ruleset"),
    )


def downgrade() -> None:
    op.drop_table("record_warnings")
    op.drop_index("ix_indicator_values_unit_year", table_name="indicator_values")
    op.drop_index("ix_indicator_values_year_indicator_id_record_kind_fund", table_name="indicator_values")
    op.drop_table("indicator_values")
    op.drop_index("ix_indicator_records_unit_year", table_name="indicator_records")
    op.drop_index("ix_indicator_records_year_kind_fund", table_name="indicator_records")
    op.drop_table("indicator_records")
