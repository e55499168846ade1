"""bucket rules: how each bucket assigns (manual, round robin, least loaded, automatic on
arrival) with its round-robin cursor; users' away periods; history by new owner

Revision ID: 0005_bucket_rules
Revises: 0004_outbox_message_key
Create Date: 2026-11-28 18:35:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_bucket_rules"
down_revision = "0004_outbox_message_key"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bucket_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("rule", sa.String(length=20), nullable=False),
        sa.Column("auto", sa.Boolean(), nullable=False),
        sa.Column("last_assigned_user_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(CASE WHEN office_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN group_id IS NULL THEN 0 ELSE 1 END) = 1",
            name=op.f("ck_bucket_rules_one_bucket"),
        ),
        sa.CheckConstraint(
            "rule IN ('manual', 'round_robin', 'least_loaded')",
            name=op.f("ck_bucket_rules_known_rule"),
        ),
        sa.CheckConstraint(
            "NOT (auto AND rule = 'manual')", name=op.f("ck_bucket_rules_auto_needs_rule")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["offices.id"],
            name=op.f("fk_bucket_rules_office_id_offices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["pass_groups.id"],
            name=op.f("fk_bucket_rules_group_id_pass_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["last_assigned_user_id"],
            ["users.id"],
            name=op.f("fk_bucket_rules_last_assigned_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bucket_rules")),
        sa.UniqueConstraint("office_id", name=op.f("uq_bucket_rules_office_id")),
        sa.UniqueConstraint("group_id", name=op.f("uq_bucket_rules_group_id")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("away_from", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("away_until", sa.DateTime(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_users_away_ends_after_start"),
            "away_from IS NULL OR away_until IS NULL OR away_until > away_from",
        )
    op.create_index(
        op.f("ix_pass_history_to_owner_id"), "pass_history", ["to_owner_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_pass_history_to_owner_id"), table_name="pass_history")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_away_ends_after_start"), type_="check")
        batch_op.drop_column("away_until")
        batch_op.drop_column("away_from")
    op.drop_table("bucket_rules")
