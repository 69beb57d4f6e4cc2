"""market revisions: changes to published requests and offers wait for review

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-03 18:23:13.033445

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('market_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('state', sa.Enum('pending', 'approved', 'rejected', 'withdrawn', name='market_revision_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_market_revision_author_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_market_revision_decided_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['listing_id'], ['market_listing.id'], name=op.f('fk_market_revision_listing_id_market_listing'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_market_revision'))
    )
    with op.batch_alter_table('market_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_market_revision_listing_id'), ['listing_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_revision_state'), ['state'], unique=False)



def downgrade():
    with op.batch_alter_table('market_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_market_revision_state'))
        batch_op.drop_index(batch_op.f('ix_market_revision_listing_id'))

    op.drop_table('market_revision')
