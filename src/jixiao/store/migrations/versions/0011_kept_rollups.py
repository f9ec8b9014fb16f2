"""Kept roll-ups: a parent unit's roll-up of a year, so that showing it costs a read.

* ``kept_rollups`` — unit, year, the fund its children's figures are shown for ('' = the
  default), rule set (key), the digest of what it was made from, its JSON (zlib), when.
  Derived data like ``kept_dashboards``: left out of backups, not watched by the data revision.

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


def upgrade() -> None:
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
