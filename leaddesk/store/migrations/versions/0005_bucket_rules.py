"""bucket rules: how each bucket assigns (manual, round robin, least loaded, automatic on
arrival) with its round-robin cursor and its waiting-time limit; users' away periods;
history by new owner; reminder rows in the outbox (no batch, one per bucket, period and
recipient); on PostgreSQL ``leaddesk_bucket_load``, the open leads and last assignment of a
rule bucket's members, read past row-level security (a manager sees only some of them)

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

# SECURITY DEFINER: least loaded must count every open lead of the bucket's members, also
# those the acting login may not read. Only for buckets with a rule (manual buckets have no
# use for it), and only counts and one time per member leave the function.
BUCKET_LOAD = """
CREATE OR REPLACE FUNCTION leaddesk_bucket_load(p_office integer, p_group integer)
RETURNS TABLE (user_id integer, open_leads bigint, last_received timestamp)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, {schema}, pg_temp AS $$
    SELECT u.id,
        (SELECT count(*) FROM leads AS l JOIN statuses AS s ON s.id = l.status_id
            WHERE l.owner_id = u.id AND NOT s.is_closed),
        (SELECT max(b.created_at) FROM pass_history AS h
            JOIN pass_batches AS b ON b.id = h.batch_id WHERE h.to_owner_id = u.id)
    FROM users AS u
    WHERE EXISTS (SELECT 1 FROM bucket_rules AS r WHERE r.rule <> 'manual'
            AND (r.office_id = p_office OR r.group_id = p_group))
        AND (u.id IN (SELECT m.user_id FROM office_members AS m WHERE m.office_id = p_office)
            OR u.id IN (SELECT m.user_id FROM pass_group_members AS m WHERE m.group_id = p_group))
$$
"""


def upgrade() -> None:
    op.create_table(
        "bucket_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("rule", sa.String(length=20), nullable=False),
        sa.Column("auto", sa.Boolean(), nullable=False),
        sa.Column("last_assigned_user_id", sa.Integer(), nullable=True),
        sa.Column("waiting_limit_minutes", sa.Integer(), nullable=True),
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
        sa.CheckConstraint(
            "waiting_limit_minutes IS NULL OR waiting_limit_minutes > 0",
            name=op.f("ck_bucket_rules_positive_waiting_limit"),
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
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminder_key", sa.String(length=100), nullable=True))
        batch_op.alter_column("batch_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_unique_constraint(
            batch_op.f("uq_outbox_reminder_recipient"), ["reminder_key", "recipient_id"]
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_outbox_batch_or_reminder"),
            "(batch_id IS NOT NULL AND reminder_key IS NULL) OR (batch_id IS NULL"
            " AND reminder_key IS NOT NULL AND kind = 'reminder')",
        )
    if op.get_bind().dialect.name == "postgresql":
        schema = op.get_bind().exec_driver_sql("SELECT quote_ident(current_schema())").scalar()
        op.execute(BUCKET_LOAD.format(schema=schema))
        op.execute("REVOKE ALL ON FUNCTION leaddesk_bucket_load(integer, integer) FROM PUBLIC")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS leaddesk_bucket_load(integer, integer)")
    op.execute("DELETE FROM outbox WHERE batch_id IS NULL")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_outbox_batch_or_reminder"), type_="check")
        batch_op.drop_constraint(batch_op.f("uq_outbox_reminder_recipient"), type_="unique")
        batch_op.alter_column("batch_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("reminder_key")
    op.drop_index(op.f("ix_pass_history_to_owner_id"), table_name="pass_history")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_away_ends_after_start"), type_="check")
        batch_op.drop_column("away_until")
        batch_op.drop_column("away_from")
    op.drop_table("bucket_rules")
