"""provenance of the figures of programmes, zones and incubators: sample, public source, verified

Replaces programme.verified, zone.verified and incubator.is_sample.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 13:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

TABLES = ('incubator', 'programme', 'zone')
PROVENANCE = sa.Enum(
    'sample', 'public_source', 'verified',
    name='provenance', native_enum=False, create_constraint=True, length=32,
)


def upgrade():
    for table in TABLES:
        # Every existing row is the seeded demo data, or typed without saying where its figures
        # come from: "sample" is the only kind that is true of all of them. The server default
        # goes again once the rows have it; the models give new rows theirs.
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column('provenance', PROVENANCE, nullable=False, server_default='sample')
            )
            batch_op.add_column(sa.Column('source_document', sa.String(length=200), nullable=True))
            batch_op.add_column(sa.Column('source_date', sa.Date(), nullable=True))
            batch_op.add_column(sa.Column('source_url', sa.String(length=300), nullable=True))
            batch_op.add_column(sa.Column('verified_on', sa.Date(), nullable=True))
            batch_op.add_column(sa.Column('verified_by_agency_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                batch_op.f(f'fk_{table}_verified_by_agency_id_agency'),
                'agency', ['verified_by_agency_id'], ['id'],
            )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('provenance', server_default=None, existing_type=PROVENANCE)
            batch_op.drop_column('verified' if table != 'incubator' else 'is_sample')


def downgrade():
    for table in reversed(TABLES):
        old = 'verified' if table != 'incubator' else 'is_sample'
        kept = 'verified' if table != 'incubator' else 'sample'
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(old, sa.Boolean(), nullable=False, server_default=sa.false())
            )
        op.execute(
            sa.text(f"UPDATE {table} SET {old} = (provenance = :kept)").bindparams(kept=kept)
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(old, server_default=None, existing_type=sa.Boolean())
            batch_op.drop_constraint(
                batch_op.f(f'fk_{table}_verified_by_agency_id_agency'), type_='foreignkey'
            )
            batch_op.drop_constraint(batch_op.f(f'ck_{table}_provenance'), type_='check')
            for column in (
                'verified_by_agency_id', 'verified_on', 'source_url', 'source_date',
                'source_document', 'provenance',
            ):
                batch_op.drop_column(column)
