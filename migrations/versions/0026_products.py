"""products: a firm's products, photos, eco-labels and their certificates

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03 14:30:40.712978

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('eco_label',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_vi', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=True),
    sa.Column('kind', sa.Enum('product_label', 'management_system', 'recognition', name='label_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('issuer', sa.String(length=200), nullable=True),
    sa.Column('basis', sa.String(length=200), nullable=True),
    sa.Column('url', sa.String(length=300), nullable=True),
    sa.Column('description_vi', sa.Text(), nullable=True),
    sa.Column('description_en', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_eco_label')),
    sa.UniqueConstraint('code', name=op.f('uq_eco_label_code'))
    )
    op.create_table('product',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('name_vi', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=True),
    sa.Column('catalogue_item_id', sa.Integer(), nullable=True),
    sa.Column('description_vi', sa.Text(), nullable=True),
    sa.Column('description_en', sa.Text(), nullable=True),
    sa.Column('specifications', sa.JSON(), server_default='[]', nullable=False),
    sa.Column('is_sample', sa.Boolean(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.Column('withdrawn_reason', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['catalogue_item_id'], ['catalogue_item.id'], name=op.f('fk_product_catalogue_item_id_catalogue_item')),
    sa.ForeignKeyConstraint(['firm_id'], ['firm.id'], name=op.f('fk_product_firm_id_firm'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product')),
    sa.UniqueConstraint('slug', name=op.f('uq_product_slug'))
    )
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_catalogue_item_id'), ['catalogue_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_product_firm_id'), ['firm_id'], unique=False)

    op.create_table('product_certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('label_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=100), nullable=False),
    sa.Column('issuer', sa.String(length=200), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('document_url', sa.String(length=300), nullable=True),
    sa.Column('state', sa.Enum('pending', 'verified', 'rejected', name='certificate_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('review_reason', sa.Text(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('reminded_for', sa.Date(), nullable=True),
    sa.Column('expiry_noted', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('valid_until IS NULL OR valid_from IS NULL OR valid_from <= valid_until', name=op.f('ck_product_certificate_validity_order')),
    sa.ForeignKeyConstraint(['label_id'], ['eco_label.id'], name=op.f('fk_product_certificate_label_id_eco_label')),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_product_certificate_product_id_product'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user.id'], name=op.f('fk_product_certificate_reviewed_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_certificate'))
    )
    with op.batch_alter_table('product_certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_certificate_label_id'), ['label_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_product_certificate_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_product_certificate_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_product_certificate_valid_until'), ['valid_until'], unique=False)

    op.create_table('product_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=200), nullable=False),
    sa.Column('alt_vi', sa.String(length=200), nullable=False),
    sa.Column('alt_en', sa.String(length=200), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_product_photo_product_id_product'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_photo'))
    )
    with op.batch_alter_table('product_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_photo_product_id'), ['product_id'], unique=False)



def downgrade():
    with op.batch_alter_table('product_photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_photo_product_id'))

    op.drop_table('product_photo')
    with op.batch_alter_table('product_certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_certificate_valid_until'))
        batch_op.drop_index(batch_op.f('ix_product_certificate_state'))
        batch_op.drop_index(batch_op.f('ix_product_certificate_product_id'))
        batch_op.drop_index(batch_op.f('ix_product_certificate_label_id'))

    op.drop_table('product_certificate')
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_firm_id'))
        batch_op.drop_index(batch_op.f('ix_product_catalogue_item_id'))

    op.drop_table('product')
    op.drop_table('eco_label')
