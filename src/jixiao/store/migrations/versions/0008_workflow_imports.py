"""The workflow of a unit-year, and imports you can preview and undo.

* ``unit_years.status`` (draft | submitted | approved | returned), ``status_at``, ``status_by`` —
  where the unit-year stands; every unit-year already stored starts as a draft.
* ``unit_year_events`` — each move of a status (who, when, from, to, at which data version, the
  comment) and ``review_comments`` — a reviewer's comments per item (figure, record, report
  part) made with one of them. Both append-only: triggers refuse UPDATE and DELETE, as for the
  change log.
* ``pending_imports`` — an uploaded workbook kept server-side between its preview and its
  confirmation (tied to the user and to the versions it was previewed against; it expires).
* ``workbook_imports`` — each workbook imported on the web, the versions it made and the records
  it replaced, so it can be undone while nothing has changed since.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

APPEND_ONLY = "the status history is append-only"
HISTORY = ("unit_year_events", "review_comments")


def upgrade() -> None:
    op.add_column("unit_years", sa.Column("status", sa.String(12), nullable=False, server_default="draft"))
    op.add_column("unit_years", sa.Column("status_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("unit_years", sa.Column("status_by", sa.String(64), nullable=True))
    op.create_index("ix_unit_years_year_status", "unit_years", ["year", "status"])
    op.create_table(
        "unit_year_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("unit", sa.String(40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("action", sa.String(12), nullable=False),
        sa.Column("status_from", sa.String(12), nullable=False),
        sa.Column("status_to", sa.String(12), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_unit_year_events"),
    )
    op.create_index("ix_unit_year_events_unit_year", "unit_year_events", ["unit", "year"])
    op.create_table(
        "review_comments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(400), nullable=False),
        sa.Column("label", sa.String(400), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["unit_year_events.id"],
                                name="fk_review_comments_event_id_unit_year_events"),
        sa.PrimaryKeyConstraint("id", name="pk_review_comments"),
    )
    op.create_index("ix_review_comments_event_id", "review_comments", ["event_id"])
    op.create_index("ix_review_comments_unit_year", "review_comments", ["unit", "year"])
    op.create_table(
        "pending_imports",
        sa.Column("id_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(40), nullable=False),
        sa.Column("filename", sa.String(300), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("versions", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_pending_imports_user_id_users",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id_hash", name="pk_pending_imports"),
    )
    op.create_index("ix_pending_imports_user_id", "pending_imports", ["user_id"])
    op.create_index("ix_pending_imports_expires_at", "pending_imports", ["expires_at"])
    op.create_table(
        "workbook_imports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("unit", sa.String(40), nullable=False),
        sa.Column("filename", sa.String(300), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("made", sa.JSON(), nullable=False),
        sa.Column("replaced", sa.JSON(), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("undone_by", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_workbook_imports"),
    )
    op.create_index("ix_workbook_imports_unit_at", "workbook_imports", ["unit", "at"])
    _append_only()


def _append_only() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in HISTORY:
            for event in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END")
    elif dialect == "postgresql":
        op.execute("CREATE OR REPLACE FUNCTION status_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   f"BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$")
        for table in HISTORY:
            op.execute(f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION status_history_append_only()")
            op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION status_history_append_only()")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in HISTORY:
            for event in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{event}")
    op.drop_table("workbook_imports")
    op.drop_table("pending_imports")
    op.drop_table("review_comments")
    op.drop_table("unit_year_events")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS status_history_append_only()")
    op.drop_index("ix_unit_years_year_status", table_name="unit_years")
    with op.batch_alter_table("unit_years") as batch:
        batch.drop_column("status_by")
        batch.drop_column("status_at")
        batch.drop_column("status")
