"""data generation: a counter moved by every change to directory data (export cache key)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    generation = op.create_table('data_generation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_generation'))
    )
    op.bulk_insert(generation, [{'id': 1, 'value': 0}])


def downgrade():
    op.drop_table('data_generation')
