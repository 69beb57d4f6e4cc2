"""listing confirmation: firms confirm their listing every year or it lapses; reminder rounds

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03 14:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('firm', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('lapsed_at', sa.DateTime(), nullable=True))
    # The rule starts now: every published listing gets a full year for its first confirmation
    # (counting from its publication would lapse old listings on the first run).
    op.execute(
        "UPDATE firm SET confirmed_at = CURRENT_TIMESTAMP WHERE status = 'published'"
    )
    op.create_table('listing_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('round_days', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['firm_id'], ['firm.id'], name=op.f('fk_listing_reminder_firm_id_firm'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listing_reminder')),
    sa.UniqueConstraint('firm_id', 'due_on', 'round_days', name=op.f('uq_listing_reminder_firm_id'))
    )
    with op.batch_alter_table('listing_reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listing_reminder_firm_id'), ['firm_id'], unique=False)


def downgrade():
    with op.batch_alter_table('listing_reminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_listing_reminder_firm_id'))
    op.drop_table('listing_reminder')
    with op.batch_alter_table('firm', schema=None) as batch_op:
        batch_op.drop_column('lapsed_at')
        batch_op.drop_column('confirmed_at')
