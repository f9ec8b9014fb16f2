"""Kept roll-ups; on PostgreSQL, the data revision moved twice per transaction, not per row.

* ``kept_rollups`` — unit, year, the fund its children's figures are shown for ('' = the
  default), rule set (key), the digest of what it was made from, its JSON (zlib), when.
  Derived data like ``kept_dashboards``: left out of backups, not watched by the data revision.
* PostgreSQL: the statement-level triggers of 0006 updated the one ``data_revision`` row once
  per statement, and a bulk insert is one statement per row (the driver's executemany): a year of
  a 3,000-unit province updated that row ~70,000 times in one transaction, each update walking
  the chain of the row's versions made before it in that transaction — quadratic (400–900 s per
  year). Now the immediate trigger moves it at the transaction's first write only (a flag in a
  transaction-local setting), and a deferred trigger moves it once more at commit: readers inside
  the writing transaction still see a value that no one sees after the commit (so nothing
  derived from a half-written state is ever found under the committed value), readers outside
  see the new value with the data. SQLite (row triggers, updated in place) is unchanged.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


WATCHED_TABLES = ("units", "fund_years", "fund_periods", "department_years", "projects", "indicator_records",
                  "record_warnings")
_POSTGRES_NEW = "floor(random() * 4611686018427387904)::bigint"


def _once(flag: str) -> str:
    """A trigger body that moves the revision once per transaction (``flag`` remembers it)."""
    return (f"BEGIN IF current_setting('{flag}', true) IS DISTINCT FROM txid_current()::text THEN "
            f"PERFORM set_config('{flag}', txid_current()::text, true); "
            f"UPDATE data_revision SET value = {_POSTGRES_NEW} WHERE id = 1; END IF; RETURN NULL; END")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE OR REPLACE FUNCTION jixiao_bump_data_revision() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   f"{_once('jixiao.revision_first')} $$")
        op.execute("CREATE OR REPLACE FUNCTION jixiao_bump_data_revision_at_commit() RETURNS trigger "
                   f"LANGUAGE plpgsql AS $$ {_once('jixiao.revision_commit')} $$")
        for table in WATCHED_TABLES:
            op.execute(f"CREATE CONSTRAINT TRIGGER {table}_data_revision_commit AFTER INSERT OR UPDATE OR DELETE "
                       f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                       "EXECUTE FUNCTION jixiao_bump_data_revision_at_commit()")
    op.create_table(
        "kept_rollups",
        sa.Column("unit", sa.String(40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("fund", sa.String(40), nullable=False),
        sa.Column("ruleset", sa.String(200), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("doc", sa.LargeBinary(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("unit", "year", "fund", "ruleset", name="pk_kept_rollups"),
    )


def downgrade() -> None:
    op.drop_table("kept_rollups")
    if op.get_bind().dialect.name == "postgresql":
        for table in WATCHED_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_data_revision_commit ON {table}")
        op.execute("DROP FUNCTION IF EXISTS jixiao_bump_data_revision_at_commit()")
        op.execute("CREATE OR REPLACE FUNCTION jixiao_bump_data_revision() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   f"BEGIN UPDATE data_revision SET value = {_POSTGRES_NEW} WHERE id = 1; RETURN NULL; END $$")
