"""directory listing index: published firms newest first without sorting the table

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 16:23:08.072075

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('firm', schema=None) as batch_op:
        batch_op.create_index('ix_firm_listing', ['status', 'published_at', 'id'], unique=False)



def downgrade():
    with op.batch_alter_table('firm', schema=None) as batch_op:
        batch_op.drop_index('ix_firm_listing')

