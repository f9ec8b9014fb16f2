"""The data revision: a row whose value every write of the data changes (see
:mod:`jixiao.store.revision`), kept by triggers so no writer can forget it.

* ``data_revision`` — one row, id 1, ``value`` a random 62-bit number;
* triggers after INSERT, UPDATE and DELETE of the watched tables set it to a new random value
  (SQLite: one trigger per table and event, per row; PostgreSQL: one function, statement-level
  triggers, TRUNCATE included).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

WATCHED_TABLES = ("units", "fund_years", "department_years", "projects", "indicator_records", "record_warnings")
EVENTS = ("INSERT", "UPDATE", "DELETE")
_SQLITE_NEW = "abs(random()) % 4611686018427387904"
_POSTGRES_NEW = "floor(random() * 4611686018427387904)::bigint"


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        "data_revision",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("value", sa.BigInteger(), nullable=False, server_default="0"),
    )
    if bind.dialect.name == "postgresql":
        op.execute(f"INSERT INTO data_revision (id, value) VALUES (1, {_POSTGRES_NEW})")
        op.execute(
            "CREATE OR REPLACE FUNCTION jixiao_bump_data_revision() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN UPDATE data_revision SET value = {_POSTGRES_NEW} WHERE id = 1; RETURN NULL; END $$")
        for table in WATCHED_TABLES:
            op.execute(f"CREATE TRIGGER {table}_data_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                       f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION jixiao_bump_data_revision()")
    else:
        op.execute(f"INSERT INTO data_revision (id, value) VALUES (1, {_SQLITE_NEW})")
        for table in WATCHED_TABLES:
            for event in EVENTS:
                op.execute(f"CREATE TRIGGER {table}_data_revision_{event.lower()} AFTER {event} ON {table} "
                           f"BEGIN UPDATE data_revision SET value = {_SQLITE_NEW} WHERE id = 1; END")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in WATCHED_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_data_revision ON {table}")
        op.execute("DROP FUNCTION IF EXISTS jixiao_bump_data_revision()")
    else:
        for table in WATCHED_TABLES:
            for event in EVENTS:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_data_revision_{event.lower()}")
    op.drop_table("data_revision")
