"""users: the people registered on a shared ledger, with their role, department and login (issue 19)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 05:10:00

The table is `app_user` (`user` is reserved in PostgreSQL). A ledger without rows here behaves
as before; once a user is registered, roles are enforced (DESIGN §10). Users are never
deleted, since the history names them: `qiye user disable` clears `active`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("login", sa.String(length=100), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("login"),
        sa.UniqueConstraint("name"),
    )
    with op.batch_alter_table("app_user") as batch:
        batch.create_index("ix_app_user_department_id", ["department_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.drop_index("ix_app_user_department_id")
    op.drop_table("app_user")
