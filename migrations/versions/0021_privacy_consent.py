"""privacy consent: when each account accepted which version of the privacy notice

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 06:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('privacy_consent_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('privacy_notice_version', sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('privacy_notice_version')
        batch_op.drop_column('privacy_consent_at')
