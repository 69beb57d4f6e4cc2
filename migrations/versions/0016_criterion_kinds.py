"""programme criteria: enterprise types, and which criteria are preferences

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 13:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    # Existing programmes keep their meaning: every criterion required, any enterprise type.
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('eligible_enterprise_types', sa.JSON(), nullable=False, server_default='[]')
        )
        batch_op.add_column(
            sa.Column('preferred_criteria', sa.JSON(), nullable=False, server_default='[]')
        )


def downgrade():
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.drop_column('preferred_criteria')
        batch_op.drop_column('eligible_enterprise_types')
