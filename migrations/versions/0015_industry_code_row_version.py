"""industry code row version: curators edit VSIC codes, so their rows guard concurrent edits

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 13:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    # Existing rows start at version 1; the model gives new rows theirs, so the server default
    # goes again once the rows have it (as in 0010).
    with op.batch_alter_table('industry_code', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('row_version', sa.Integer(), nullable=False, server_default='1')
        )
    with op.batch_alter_table('industry_code', schema=None) as batch_op:
        batch_op.alter_column('row_version', server_default=None)


def downgrade():
    with op.batch_alter_table('industry_code', schema=None) as batch_op:
        batch_op.drop_column('row_version')
