"""a covering index for the report scans (issue 24: reports on a cold cache and a shuffled ledger)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 08:00:00

Every aggregate of `report summary`, `weekly`, `overdue` and `issue list --overdue`'s count
reads the columns in ix_issue_report and no other, so SQLite and PostgreSQL answer them from
the index alone. Before, the year's summary walked ix_issue_reported_on and fetched each issue
from the table: on a ledger whose ids do not follow the dates (an import of a CSV in any order),
hundreds of thousands of random page reads, 4–5× `cat` of the whole ledger file on a cold page
cache and minutes on a busy disk (benchmarks/README.md, issue 24). ix_issue_reported_on is its
prefix and goes; ix_issue_status_reported takes resolved_on, so the median's histogram and the
trend's resolved series read it alone too. The issue table keeps as many indexes as before.
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

REPORT_COLUMNS = ["reported_on", "status", "kind", "category_id", "department_id", "due_on", "deadline_on",
                  "suspended_on", "escalated_at", "resolved_on", "dispatched_at", "acknowledged_at",
                  "acknowledge_by", "callback_result", "callback_on"]


def upgrade() -> None:
    op.create_index("ix_issue_report", "issue", REPORT_COLUMNS, unique=False)
    op.drop_index("ix_issue_reported_on", table_name="issue")
    op.drop_index("ix_issue_status_reported", table_name="issue")
    op.create_index("ix_issue_status_reported", "issue", ["status", "reported_on", "resolved_on"], unique=False)
    # The planner's statistics for the new indexes, where the ledger had statistics (SQLite would
    # otherwise guess until qiye's next write refreshed them). A SQLite ledger without them (a
    # new or small one: db.refresh_statistics analyzes from 10,000 issues) is left without.
    bind = op.get_bind()
    if bind.dialect.name != "sqlite" or bind.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").scalar():
        op.execute("ANALYZE issue")


def downgrade() -> None:
    op.drop_index("ix_issue_status_reported", table_name="issue")
    op.create_index("ix_issue_status_reported", "issue", ["status", "reported_on"], unique=False)
    op.create_index("ix_issue_reported_on", "issue", ["reported_on"], unique=False)
    op.drop_index("ix_issue_report", table_name="issue")
