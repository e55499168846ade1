"""crm import: the external id (and its source system) kept on a lead; leads by lower(name)

Revision ID: 0002_crm_import
Revises: 0001
Create Date: 2026-11-28 17:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_crm_import"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_source", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("external_id", sa.String(length=100), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_leads_external"), ["external_source", "external_id"]
        )
    op.create_index("ix_leads_lower_name", "leads", [sa.text("lower(name)")], unique=False)


def downgrade() -> None:
    op.drop_index("ix_leads_lower_name", table_name="leads")
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_leads_external"), type_="unique")
        batch_op.drop_column("external_id")
        batch_op.drop_column("external_source")
