"""the reminder delivery log (issue 23 point 2)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 07:40:00

`qiye remind --send` records each digest it delivered (or failed to deliver): to which
department or person, on which day of the park's calendar, to which target (masked), and the
outcome, so a recipient gets at most one digest a day. Existing ledgers start with an empty log.
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
        "reminder_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_kind", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("sent_by", sa.String(length=100), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reminder_delivery_day_recipient", "reminder_delivery",
                    ["day", "recipient_kind", "recipient"])


def downgrade() -> None:
    op.drop_index("ix_reminder_delivery_day_recipient", table_name="reminder_delivery")
    op.drop_table("reminder_delivery")
