"""record versions: an integer version on every editable aggregate (optimistic concurrency)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-10 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

TABLES = (
    'agency',
    'catalogue_item',
    'incubator',
    'interest',
    'introduction_request',
    'investor_profile',
    'programme',
    'reporting_year',
    'saved_search',
    'shortlist',
    'yearly_return',
    'zone',
)


def upgrade():
    for table in TABLES:
        # Existing rows start at version 1; the models give new rows theirs, so the server
        # default goes again once the rows have it.
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column('version', sa.Integer(), nullable=False, server_default='1')
            )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('version', server_default=None)


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
