"""Stored indicator values: a stamp per record, covering indexes, and the values of the records
already stored.

* ``indicator_records.stamp`` — a random 40-bit number rewritten with every write of a record's
  values; the count and sum of the stamps of a year's records is the token a reader keys what
  it derives from them by (:func:`jixiao.store.indicator_store.records_token`);
* the comparison's two indexes cover what it reads (rebuilt here whatever form 0003 gave them);
* when ``indicator_records`` is empty but records exist (a database from before 0003, or a
  restored older backup), the engine of the running jixiao fills the tables.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

STAMP_RANGE = 1 << 40


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("indicator_records", sa.Column("stamp", sa.BigInteger(), nullable=False, server_default="0"))
    if bind.dialect.name == "postgresql":
        op.execute(f"UPDATE indicator_records SET stamp = floor(random() * {STAMP_RANGE})::bigint")
    else:
        op.execute(f"UPDATE indicator_records SET stamp = abs(random()) % {STAMP_RANGE}")
    op.drop_index("ix_indicator_records_year_kind_fund", table_name="indicator_records")
    op.create_index("ix_indicator_records_year_kind_fund", "indicator_records",
                    ["year", "kind", "fund", "unit", "scope", "project", "engine", "stamp"])
    op.drop_index("ix_indicator_values_year_indicator_id_record_kind_fund", table_name="indicator_values")
    op.create_index("ix_indicator_values_year_indicator_id_record_kind_fund", "indicator_values",
                    ["year", "indicator_id", "record_kind", "fund", "record_id", "value", "display"])

    stored = bind.execute(sa.text("SELECT count(*) FROM indicator_records")).scalar_one()
    records = sum(bind.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
                  for table in ("fund_years", "department_years", "projects"))
    if stored == 0 and records > 0:
        # the engine's results for the records already stored (jixiao db reindex does the same)
        from sqlalchemy.orm import Session

        from jixiao.store.indicator_store import reindex_connection

        with Session(bind=bind) as session:
            reindex_connection(session)
            session.flush()


def downgrade() -> None:
    op.drop_index("ix_indicator_records_year_kind_fund", table_name="indicator_records")
    op.create_index("ix_indicator_records_year_kind_fund", "indicator_records",
                    ["year", "kind", "fund", "unit", "scope", "project", "engine"])
    with op.batch_alter_table("indicator_records") as batch:
        batch.drop_column("stamp")
