"""seal: the ledger seals `qiye db seal` printed, who took them and when (issue 25)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 09:00:00

Each row keeps a seal's full running digest over every event up to `event_id`, so a later
seal (and the weekly report's footer) continues from the newest one instead of hashing the
whole history again; `db check` recomputes every recorded seal from scratch.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("sealed_at", sa.DateTime(), nullable=False),
        sa.Column("sealed_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("seal") as batch:
        batch.create_index("ix_seal_event_id", ["event_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("seal") as batch:
        batch.drop_index("ix_seal_event_id")
    op.drop_table("seal")
