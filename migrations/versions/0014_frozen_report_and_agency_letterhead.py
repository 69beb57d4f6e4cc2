"""frozen yearly report and agency letterhead: the report's tables stored when a reporting year
closes; the agency's Decree 30 heading and signature details

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 13:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

AGENCY_COLUMNS = (
    ('superior_name', sa.String(length=200)),
    ('abbreviation', sa.String(length=20)),
    ('place_name', sa.String(length=100)),
    ('signer_position', sa.String(length=200)),
    ('signer_name', sa.String(length=200)),
    ('recipients', sa.Text()),
)


def upgrade():
    with op.batch_alter_table('agency', schema=None) as batch_op:
        for name, kind in AGENCY_COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))
    with op.batch_alter_table('reporting_year', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('frozen_report', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('reporting_year', schema=None) as batch_op:
        batch_op.drop_column('frozen_report')
        batch_op.drop_column('closed_at')
    with op.batch_alter_table('agency', schema=None) as batch_op:
        for name, _kind in reversed(AGENCY_COLUMNS):
            batch_op.drop_column(name)
