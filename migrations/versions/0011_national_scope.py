"""national geographic scope: programmes open to firms anywhere in Vietnam

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def _scope(*values):
    return sa.Enum(
        *values, name='geographic_scope', native_enum=False, create_constraint=True, length=32
    )


OLD = _scope('province', 'wards', 'zones')
NEW = _scope('national', 'province', 'wards', 'zones')


def upgrade():
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.alter_column(
            'geographic_scope', existing_type=OLD, type_=NEW, existing_nullable=False
        )


def downgrade():
    # National programmes become province-wide ones (the narrower scope that existed before).
    op.execute("UPDATE programme SET geographic_scope = 'province' WHERE geographic_scope = 'national'")
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.alter_column(
            'geographic_scope', existing_type=NEW, type_=OLD, existing_nullable=False
        )
