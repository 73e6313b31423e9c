"""initial schema: enterprises, categories (seeded), departments, issues, tags, events

Revision ID: 0001
Revises:
Create Date: 2026-11-27 08:36:35.954553
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None

# DESIGN §2: the categories every ledger starts with.
SEED_CATEGORIES = [
    ("land-acquisition", "征拆", "Land acquisition"),
    ("site-leveling", "平地", "Site leveling"),
    ("land-listing", "土地摘牌", "Land listing"),
    ("land-use-change", "用地性质变更", "Land-use change"),
    ("fire-acceptance", "消防验收", "Fire-safety acceptance"),
    ("water-power", "用水用电", "Water and power"),
    ("road", "道路建设", "Road construction"),
    ("approval", "审批手续", "Approvals"),
    ("financing", "融资", "Financing"),
    ("talent", "人才用工", "Talent and labour"),
    ("policy", "政策兑现", "Policy delivery"),
    ("other", "其他", "Other"),
]


def upgrade() -> None:
    category_table = op.create_table('category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name_zh', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code'),
    sa.UniqueConstraint('name_en'),
    sa.UniqueConstraint('name_zh')
    )
    op.create_table('department',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('enterprise',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=True),
    sa.Column('zone', sa.String(length=100), nullable=True),
    sa.Column('industry', sa.String(length=100), nullable=True),
    sa.Column('contact', sa.String(length=100), nullable=True),
    sa.Column('phone', sa.String(length=50), nullable=True),
    sa.Column('liaison', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('credit_code'),
    sa.UniqueConstraint('name')
    )
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enterprise_industry'), ['industry'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprise_zone'), ['zone'], unique=False)

    op.create_table('tag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('issue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('project', sa.String(length=500), nullable=True),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('priority', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('owner', sa.String(length=100), nullable=True),
    sa.Column('reported_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('resolved_on', sa.Date(), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('dispatched_at', sa.DateTime(), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.Column('acknowledge_by', sa.Date(), nullable=True),
    sa.Column('escalated_at', sa.DateTime(), nullable=True),
    sa.Column('callback_result', sa.String(length=16), nullable=True),
    sa.Column('callback_on', sa.Date(), nullable=True),
    sa.Column('reopen_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('history_hash', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['category_id'], ['category.id'], ),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], ),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('issue', schema=None) as batch_op:
        batch_op.create_index('ix_issue_category_status_reported', ['category_id', 'status', 'reported_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_issue_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_issue_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_issue_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_issue_owner'), ['owner'], unique=False)
        batch_op.create_index(batch_op.f('ix_issue_priority'), ['priority'], unique=False)
        batch_op.create_index(batch_op.f('ix_issue_reported_on'), ['reported_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_issue_resolved_on'), ['resolved_on'], unique=False)
        batch_op.create_index('ix_issue_status_due', ['status', 'due_on'], unique=False)
        batch_op.create_index('ix_issue_status_reported', ['status', 'reported_on'], unique=False)

    op.create_table('event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issue_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('field', sa.String(length=32), nullable=True),
    sa.Column('old', sa.Text(), nullable=True),
    sa.Column('new', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['issue_id'], ['issue.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_at'), ['at'], unique=False)
        batch_op.create_index('ix_event_issue_id_id', ['issue_id', 'id'], unique=False)

    op.create_table('issue_tag',
    sa.Column('issue_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['issue_id'], ['issue.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['tag.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('issue_id', 'tag_id')
    )
    with op.batch_alter_table('issue_tag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issue_tag_tag_id'), ['tag_id'], unique=False)

    op.bulk_insert(category_table, [
        {"code": code, "name_zh": name_zh, "name_en": name_en}
        for code, name_zh, name_en in SEED_CATEGORIES
    ])


def downgrade() -> None:
    with op.batch_alter_table('issue_tag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issue_tag_tag_id'))

    op.drop_table('issue_tag')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index('ix_event_issue_id_id')
        batch_op.drop_index(batch_op.f('ix_event_at'))

    op.drop_table('event')
    with op.batch_alter_table('issue', schema=None) as batch_op:
        batch_op.drop_index('ix_issue_status_reported')
        batch_op.drop_index('ix_issue_status_due')
        batch_op.drop_index(batch_op.f('ix_issue_resolved_on'))
        batch_op.drop_index(batch_op.f('ix_issue_reported_on'))
        batch_op.drop_index(batch_op.f('ix_issue_priority'))
        batch_op.drop_index(batch_op.f('ix_issue_owner'))
        batch_op.drop_index(batch_op.f('ix_issue_kind'))
        batch_op.drop_index(batch_op.f('ix_issue_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_issue_department_id'))
        batch_op.drop_index('ix_issue_category_status_reported')

    op.drop_table('issue')
    op.drop_table('tag')
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprise_zone'))
        batch_op.drop_index(batch_op.f('ix_enterprise_industry'))

    op.drop_table('enterprise')
    op.drop_table('department')
    op.drop_table('category')
