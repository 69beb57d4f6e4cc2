"""catalogue code aliases: old codes of re-coded or merged entries lead to the entry

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 07:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'catalogue_code_alias',
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['item_id'], ['catalogue_item.id'],
            name=op.f('fk_catalogue_code_alias_item_id_catalogue_item'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('code', name=op.f('pk_catalogue_code_alias')),
    )
    with op.batch_alter_table('catalogue_code_alias', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_catalogue_code_alias_item_id'), ['item_id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('catalogue_code_alias', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalogue_code_alias_item_id'))
    op.drop_table('catalogue_code_alias')
