"""visits and 包联 coverage: the visit log, liaison assignment history, issue.visit_id (issue 22)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 07:50:00

`visit` is one visit (走访) of an enterprise: the day, the cadre who went, how (visit | meeting |
phone | online) and what was found. `liaison_assignment` keeps who was assigned (包联) to an
enterprise from when, and by whom; enterprise.liaison stays the current one. An issue may name
the visit that found it (issue.visit_id). Existing enterprises with a liaison get one assignment
row dated at the enterprise's creation, recorded by `migration`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("visited_by", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprise.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("visit") as batch:
        batch.create_index("ix_visit_enterprise_id_visited_on", ["enterprise_id", "visited_on"], unique=False)
        batch.create_index("ix_visit_visited_on", ["visited_on"], unique=False)
    op.create_table(
        "liaison_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("liaison", sa.String(length=100), nullable=True),
        sa.Column("assigned_at", sa.DateTime(), nullable=False),
        sa.Column("assigned_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprise.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("liaison_assignment") as batch:
        batch.create_index("ix_liaison_assignment_enterprise_id", ["enterprise_id"], unique=False)
    # A plain ADD COLUMN (SQLite and PostgreSQL both take the REFERENCES clause): a batch copy of
    # `issue` would trip over the search index's view of it (see 0006, 0007).
    op.execute("ALTER TABLE issue ADD COLUMN visit_id INTEGER REFERENCES visit (id)")
    op.create_index("ix_issue_visit_id", "issue", ["visit_id"], unique=False)

    enterprise = sa.table("enterprise", sa.column("id", sa.Integer()), sa.column("liaison", sa.String()),
                          sa.column("created_at", sa.DateTime()))
    assignment = sa.table("liaison_assignment", sa.column("enterprise_id", sa.Integer()),
                          sa.column("liaison", sa.String()), sa.column("assigned_at", sa.DateTime()),
                          sa.column("assigned_by", sa.String()))
    op.execute(assignment.insert().from_select(
        ["enterprise_id", "liaison", "assigned_at", "assigned_by"],
        sa.select(enterprise.c.id, enterprise.c.liaison, enterprise.c.created_at,
                  sa.literal("migration", sa.String()))
        .where(enterprise.c.liaison.is_not(None)).order_by(enterprise.c.id),
    ))


def downgrade() -> None:
    # Plain DROP COLUMN, as 0006 and 0007 (tests/test_migrations_data.py downgrades through it).
    op.drop_index("ix_issue_visit_id", table_name="issue")
    op.execute("ALTER TABLE issue DROP COLUMN visit_id")
    op.drop_table("liaison_assignment")
    op.drop_table("visit")
