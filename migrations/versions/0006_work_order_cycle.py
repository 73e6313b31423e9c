"""work-order cycle: per-department dispatches (主办/协办), returns and transfers, callback verdicts (issue 20)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 05:30:00

`dispatch` holds one row per department an issue was dispatched to: its role (lead 主办 | co
协办), its own deadline and acknowledgement (签收), and a return (退单: reason, note) with the
office's decision (transferred | upheld 审定). The lead's dispatch stays mirrored on the issue
(department_id, due_on, dispatched_at, acknowledge_by, acknowledged_at), so every existing
report reads as before. An existing issue with a department becomes one active lead dispatch
carrying the issue's dispatch and acknowledgement.

The issue gains its return and transfer counts, and the callback's other two answers: solved
(solved | partly | unsolved) and reached (whether the company was reached at all). Existing
callbacks were all answered by the company, so they migrate as reached.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dispatch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issue_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("dispatched_at", sa.DateTime(), nullable=False),
        sa.Column("acknowledge_by", sa.Date(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.Column("returned_at", sa.DateTime(), nullable=True),
        sa.Column("return_reason", sa.String(length=16), nullable=True),
        sa.Column("return_note", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"]),
        sa.ForeignKeyConstraint(["issue_id"], ["issue.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dispatch") as batch:
        batch.create_index("ix_dispatch_department_id", ["department_id"], unique=False)
        batch.create_index("ix_dispatch_issue_id_active", ["issue_id", "active"], unique=False)
    with op.batch_alter_table("issue") as batch:
        batch.add_column(sa.Column("callback_solved", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("callback_reached", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("return_count", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("transfer_count", sa.Integer(), server_default="0", nullable=False))

    issue = sa.table(
        "issue", sa.column("id", sa.Integer()), sa.column("department_id", sa.Integer()),
        sa.column("due_on", sa.Date()), sa.column("dispatched_at", sa.DateTime()),
        sa.column("created_at", sa.DateTime()), sa.column("acknowledge_by", sa.Date()),
        sa.column("acknowledged_at", sa.DateTime()), sa.column("callback_result", sa.String()),
        sa.column("callback_reached", sa.Boolean()),
    )
    dispatch = sa.table(
        "dispatch", sa.column("issue_id", sa.Integer()), sa.column("department_id", sa.Integer()),
        sa.column("role", sa.String()), sa.column("due_on", sa.Date()),
        sa.column("dispatched_at", sa.DateTime()), sa.column("acknowledge_by", sa.Date()),
        sa.column("acknowledged_at", sa.DateTime()), sa.column("active", sa.Boolean()),
    )
    # Every issue with a department: one active lead dispatch, as the issue recorded it.
    op.execute(dispatch.insert().from_select(
        ["issue_id", "department_id", "role", "due_on", "dispatched_at", "acknowledge_by", "acknowledged_at",
         "active"],
        sa.select(issue.c.id, issue.c.department_id, sa.literal("lead", sa.String()), issue.c.due_on,
                  sa.func.coalesce(issue.c.dispatched_at, issue.c.created_at), issue.c.acknowledge_by,
                  issue.c.acknowledged_at, sa.true())
        .where(issue.c.department_id.is_not(None)).order_by(issue.c.id),
    ))
    # Every callback recorded so far was the company's answer: reached.
    op.execute(issue.update().where(issue.c.callback_result.is_not(None)).values(callback_reached=sa.true()))


def downgrade() -> None:
    # A plain ALTER TABLE … DROP COLUMN (SQLite 3.35+ and PostgreSQL): a batch copy of `issue`
    # would trip over the search index's view of it.
    for column in ("transfer_count", "return_count", "callback_reached", "callback_solved"):
        op.execute(f"ALTER TABLE issue DROP COLUMN {column}")
    with op.batch_alter_table("dispatch") as batch:
        batch.drop_index("ix_dispatch_issue_id_active")
        batch.drop_index("ix_dispatch_department_id")
    op.drop_table("dispatch")
