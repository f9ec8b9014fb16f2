"""Units carry their rule set.

* ``units.ruleset`` — the shipped rule set a unit is judged by (``hunan``, ``sichuan``, …), NULL
  when the unit inherits its parent's (:func:`jixiao.model.units.effective_ruleset`); filled from
  the units' stored documents, which hold it when ``units.yaml`` said so.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("units", sa.Column("ruleset", sa.String(40), nullable=True, server_default=None))
    # a unit document written by a jixiao that knew the field already names it
    rows = bind.execute(sa.text("SELECT code, doc FROM units")).all()
    for code, doc in rows:
        data = json.loads(doc) if isinstance(doc, str) else doc
        ruleset = (data or {}).get("ruleset")
        if ruleset:
            bind.execute(sa.text("UPDATE units SET ruleset = :r WHERE code = :c"), {"r": ruleset, "c": code})


def downgrade() -> None:
    # a plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35): a batch copy of ``units`` would trip the
    # foreign keys that point at it
    op.drop_column("units", "ruleset")
