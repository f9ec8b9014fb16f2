"""Monthly and quarterly fund figures (基金月度、季度数据).

* ``fund_periods`` — one row per unit × year × fund × scope × span (``1-6``: January to June
  cumulative; ``6``: June alone; ``4-6``: the second quarter), the record a JSON document like
  ``fund_years``; a write of one moves its unit-year's version on like any annual record;
* the data revision's triggers (migration 0006) watch the new table too.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_SQLITE_NEW = "abs(random()) % 4611686018427387904"
_EVENTS = ("INSERT", "UPDATE", "DELETE")


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        "fund_periods",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("unit", sa.String(40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("fund", sa.String(40), nullable=False),
        sa.Column("scope", sa.String(40), nullable=False),
        sa.Column("span", sa.String(10), nullable=False),
        sa.Column("doc", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["unit"], ["units.code"], name="fk_fund_periods_unit_units"),
        sa.ForeignKeyConstraint(["import_id"], ["imports.id"], name="fk_fund_periods_import_id_imports"),
        sa.PrimaryKeyConstraint("id", name="pk_fund_periods"),
        sa.UniqueConstraint("unit", "year", "fund", "scope", "span", name="uq_fund_periods_unit_year_fund_scope_span"),
    )
    op.create_index("ix_fund_periods_year_fund", "fund_periods", ["year", "fund"])
    if bind.dialect.name == "postgresql":
        op.execute("CREATE TRIGGER fund_periods_data_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                   "ON fund_periods FOR EACH STATEMENT EXECUTE FUNCTION jixiao_bump_data_revision()")
    else:
        for event in _EVENTS:
            op.execute(f"CREATE TRIGGER fund_periods_data_revision_{event.lower()} AFTER {event} ON fund_periods "
                       f"BEGIN UPDATE data_revision SET value = {_SQLITE_NEW} WHERE id = 1; END")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS fund_periods_data_revision ON fund_periods")
    else:
        for event in _EVENTS:
            op.execute(f"DROP TRIGGER IF EXISTS fund_periods_data_revision_{event.lower()}")
    op.drop_index("ix_fund_periods_year_fund", table_name="fund_periods")
    op.drop_table("fund_periods")
