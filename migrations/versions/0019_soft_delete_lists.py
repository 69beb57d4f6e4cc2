"""soft delete lists: a deleted shortlist or saved search is kept, restorable, until purged

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 06:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('shortlist', 'saved_search'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('deleted_at', sa.DateTime(), nullable=True))


def downgrade():
    # What was deleted is deleted for good: code before this revision would show it again.
    for child, parent, key in (
        ('shortlist_entry', 'shortlist', 'shortlist_id'),
        ('alert_delivery', 'saved_search', 'saved_search_id'),
    ):
        op.execute(
            f'DELETE FROM {child} WHERE {key} IN'
            f' (SELECT id FROM {parent} WHERE deleted_at IS NOT NULL)'
        )
        op.execute(f'DELETE FROM {parent} WHERE deleted_at IS NOT NULL')
    for table in ('saved_search', 'shortlist'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('deleted_at')
