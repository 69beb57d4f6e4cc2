"""user session token: logout and password changes end every session of the user

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 08:00:00.000000

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=32), nullable=True))

    # Each existing user gets a random token; sessions from before it end (one more login).
    user = sa.table('user', sa.column('id', sa.Integer), sa.column('session_token', sa.String))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(user.c.id)).all():
        connection.execute(
            user.update().where(user.c.id == user_id).values(session_token=secrets.token_hex(16))
        )

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column('session_token', existing_type=sa.String(length=32), nullable=False)


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('session_token')
