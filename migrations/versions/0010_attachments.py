"""evidence: files attached to issues, stored once per content in chunks (issue 23)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 07:45:00

`attachment` is one file kept with one issue (name, media type, size, SHA-256, note, who and
when); the same facts are in the issue's hash chain as an `attached` event. The bytes are in
`attachment_chunk`, keyed by the SHA-256 and cut into pieces of at most 1 MiB, so the same file
attached twice is stored once and either backend streams a large file in and out in pieces.
Existing ledgers have no attachments.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issue_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=127), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("added_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["issue_id"], ["issue.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("attachment") as batch:
        batch.create_index("ix_attachment_issue_id", ["issue_id"], unique=False)
        batch.create_index("ix_attachment_sha256", ["sha256"], unique=False)
    op.create_table(
        "attachment_chunk",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", "seq"),
    )


def downgrade() -> None:
    op.drop_table("attachment_chunk")
    with op.batch_alter_table("attachment") as batch:
        batch.drop_index("ix_attachment_sha256")
        batch.drop_index("ix_attachment_issue_id")
    op.drop_table("attachment")
