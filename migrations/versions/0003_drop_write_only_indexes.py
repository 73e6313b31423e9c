"""drop indexes that every write pays for and no query needs: event.at, issue.kind, issue.priority

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 12:30:00

No query filters or sorts events by time (a history is read by issue, through
ix_event_issue_id_id). `kind` has two values and `priority` four: a filter on either matches
a large share of the ledger, which SQLite and PostgreSQL read faster along the reported-date
or status indexes the same queries already use. Each of the three cost every insert an index
entry, about a tenth of a bulk import's database work (benchmarks/README.md, issue 7).
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

DROPPED = (("event", "ix_event_at", ["at"]), ("issue", "ix_issue_kind", ["kind"]),
           ("issue", "ix_issue_priority", ["priority"]))


def upgrade() -> None:
    for table, name, _columns in DROPPED:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for table, name, columns in DROPPED:
        op.create_index(name, table, columns, unique=False)
