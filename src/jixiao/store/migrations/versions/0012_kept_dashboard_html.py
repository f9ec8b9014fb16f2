"""Kept dashboard content: a unit-year's dashboard as rendered, so a first view costs a read.

* ``kept_dashboard_html`` — unit, year, view (the rule set shown and whether the viewer may edit,
  digested), the digest of everything the content shows, the HTML (zlib), when. Derived data
  (made again when missing or stale): left out of backups and not watched by the data revision.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kept_dashboard_html",
        sa.Column("unit", sa.String(40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("view", sa.String(64), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("html", sa.LargeBinary(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("unit", "year", "view", name="pk_kept_dashboard_html"),
    )


def downgrade() -> None:
    op.drop_table("kept_dashboard_html")
