"""extension, suspension and close-out verification (issue 20 points 3 and 4)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 05:40:00

The issue keeps its original due_on. An extension request (延期申请) waits in extension_to and
extension_by until a supervisor approves it (extended_due_on, extension_count) or refuses it.
A suspension (挂起) sets suspended_on; the resume adds the working days held to suspended_days.
deadline_on is the deadline in force when it differs from due_on (the approved date, moved on
by the suspended working days), so every report compares against COALESCE(deadline_on, due_on)
in SQL. closeout_by, verified_by and verified_at record who closed an issue out and who
verified it (审核销号). Existing issues have no extension, suspension or verification.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

COLUMNS = (
    ("extended_due_on", sa.Date(), None),
    ("deadline_on", sa.Date(), None),
    ("extension_to", sa.Date(), None),
    ("extension_by", sa.String(length=100), None),
    ("extension_count", sa.Integer(), "0"),
    ("suspended_on", sa.Date(), None),
    ("suspended_days", sa.Integer(), "0"),
    ("closeout_by", sa.String(length=100), None),
    ("verified_by", sa.String(length=100), None),
    ("verified_at", sa.DateTime(), None),
)


def upgrade() -> None:
    with op.batch_alter_table("issue") as batch:
        for name, kind, default in COLUMNS:
            batch.add_column(sa.Column(name, kind, server_default=default, nullable=default is None))


def downgrade() -> None:
    # A plain ALTER TABLE … DROP COLUMN (SQLite 3.35+ and PostgreSQL), as 0006 does: a batch
    # copy of `issue` would trip over the search index's view of it.
    for name, _, _ in reversed(COLUMNS):
        op.execute(f"ALTER TABLE issue DROP COLUMN {name}")
