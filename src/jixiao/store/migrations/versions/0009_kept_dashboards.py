"""Kept dashboards: each unit-year's dashboard as computed, so a page costs a read.

* ``kept_dashboards`` — unit, year, rule set (key), the digest of what the page was made from,
  the page's JSON (zlib), when. Derived data (made again when missing or stale): left out of
  backups and not watched by the data revision's triggers.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kept_dashboards",
        sa.Column("unit", sa.String(40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("ruleset", sa.String(200), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("doc", sa.LargeBinary(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("unit", "year", "ruleset", name="pk_kept_dashboards"),
    )


def downgrade() -> None:
    op.drop_table("kept_dashboards")
