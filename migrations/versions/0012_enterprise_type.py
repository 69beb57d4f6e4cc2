"""enterprise type of a firm: enterprise by legal form, cooperative, household, branch …

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 13:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('firm', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'enterprise_type',
                sa.Enum(
                    'private_enterprise',
                    'llc_one_member',
                    'llc_multi_member',
                    'joint_stock',
                    'partnership',
                    'cooperative',
                    'household',
                    'branch',
                    'representative_office',
                    'public_service_unit',
                    'other_organisation',
                    name='enterprise_type',
                    native_enum=False,
                    create_constraint=True,
                    length=32,
                ),
                nullable=True,
            )
        )
    # The form of a tax code tells two kinds apart: 13 digits are a dependent unit's (a branch,
    # most often), 12 digits a household business's (its owner's personal ID). Other firms stay
    # unknown until their owners or curators say what they are.
    op.execute("UPDATE firm SET enterprise_type = 'branch' WHERE length(tax_code) = 13")
    op.execute("UPDATE firm SET enterprise_type = 'household' WHERE length(tax_code) = 12")
    # A household business has no size class (SMEs are enterprises only, Law 04/2017/QH14);
    # a branch has its listed parent enterprise's class (as app.models.firm keeps it).
    op.execute("UPDATE firm SET size_class = NULL WHERE enterprise_type = 'household'")
    op.execute(
        "UPDATE firm SET size_class = ("
        " SELECT parent.size_class FROM firm AS parent"
        " WHERE parent.tax_code = substr(firm.tax_code, 1, 10) AND parent.status = 'published')"
        " WHERE enterprise_type = 'branch' AND EXISTS ("
        " SELECT 1 FROM firm AS parent WHERE parent.tax_code = substr(firm.tax_code, 1, 10)"
        " AND parent.status = 'published' AND parent.size_class IS NOT NULL)"
    )


def downgrade():
    # Size classes stay as they are; the next write of each firm recomputes its own.
    with op.batch_alter_table('firm', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_firm_enterprise_type'), type_='check')
        batch_op.drop_column('enterprise_type')
