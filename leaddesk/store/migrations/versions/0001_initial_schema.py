"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28 03:39:29.806036
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "offices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offices")),
        sa.UniqueConstraint("name", name=op.f("uq_offices_name")),
    )
    op.create_table(
        "pass_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pass_groups")),
        sa.UniqueConstraint("name", name=op.f("uq_pass_groups_name")),
    )
    op.create_table(
        "statuses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_closed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statuses")),
        sa.UniqueConstraint("name", name=op.f("uq_statuses_name")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
        sa.UniqueConstraint("name", name=op.f("uq_users_name")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_audit_log_actor_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_created_at"), ["created_at"], unique=False)

    op.create_table(
        "manager_rights",
        sa.Column("manager_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["manager_id"],
            ["users.id"],
            name=op.f("fk_manager_rights_manager_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_manager_rights_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("manager_id", "user_id", name=op.f("pk_manager_rights")),
    )
    with op.batch_alter_table("manager_rights", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_manager_rights_user_id"), ["user_id"], unique=False)

    op.create_table(
        "office_members",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("is_office_manager", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["offices.id"],
            name=op.f("fk_office_members_office_id_offices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_office_members_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("office_id", "user_id", name=op.f("pk_office_members")),
    )
    with op.batch_alter_table("office_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_office_members_user_id"), ["user_id"], unique=False)

    op.create_table(
        "pass_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=30), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("lead_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("undone_by_id", sa.Integer(), nullable=True),
        sa.Column("undoes_id", sa.Integer(), nullable=True),
        sa.Column("client_uuid", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_pass_batches_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["undoes_id"], ["pass_batches.id"], name=op.f("fk_pass_batches_undoes_id_pass_batches")
        ),
        sa.ForeignKeyConstraint(
            ["undone_by_id"],
            ["pass_batches.id"],
            name=op.f("fk_pass_batches_undone_by_id_pass_batches"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pass_batches")),
        sa.UniqueConstraint("client_uuid", name=op.f("uq_pass_batches_client_uuid")),
    )
    with op.batch_alter_table("pass_batches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pass_batches_actor_id"), ["actor_id"], unique=False)

    op.create_table(
        "pass_group_members",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["pass_groups.id"],
            name=op.f("fk_pass_group_members_group_id_pass_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_pass_group_members_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "user_id", name=op.f("pk_pass_group_members")),
    )
    with op.batch_alter_table("pass_group_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pass_group_members_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "leads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("company", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("phone", sa.String(length=50), nullable=False),
        sa.Column("status_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("bucket_office_id", sa.Integer(), nullable=True),
        sa.Column("bucket_group_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("last_batch_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "(CASE WHEN owner_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN bucket_office_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN bucket_group_id IS NULL THEN 0 ELSE 1 END) = 1",
            name=op.f("ck_leads_one_place"),
        ),
        sa.ForeignKeyConstraint(
            ["bucket_group_id"],
            ["pass_groups.id"],
            name=op.f("fk_leads_bucket_group_id_pass_groups"),
        ),
        sa.ForeignKeyConstraint(
            ["bucket_office_id"], ["offices.id"], name=op.f("fk_leads_bucket_office_id_offices")
        ),
        sa.ForeignKeyConstraint(
            ["last_batch_id"], ["pass_batches.id"], name=op.f("fk_leads_last_batch_id_pass_batches")
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_leads_owner_id_users")),
        sa.ForeignKeyConstraint(
            ["status_id"], ["statuses.id"], name=op.f("fk_leads_status_id_statuses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leads")),
    )
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_leads_bucket_group_id"), ["bucket_group_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_leads_bucket_office_id"), ["bucket_office_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_leads_last_batch_id"), ["last_batch_id"], unique=False)
        batch_op.create_index("ix_leads_owner_status", ["owner_id", "status_id"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("recipient_email", sa.String(length=320), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("lead_count", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["pass_batches.id"], name=op.f("fk_outbox_batch_id_pass_batches")
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["pass_groups.id"], name=op.f("fk_outbox_group_id_pass_groups")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_outbox_office_id_offices")
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"], ["users.id"], name=op.f("fk_outbox_recipient_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("batch_id", "recipient_id", name="uq_outbox_batch_recipient"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_status"), ["status"], unique=False)

    op.create_table(
        "lead_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_lead_notes_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["pass_batches.id"], name=op.f("fk_lead_notes_batch_id_pass_batches")
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_lead_notes_lead_id_leads"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_notes")),
    )
    with op.batch_alter_table("lead_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lead_notes_lead_id"), ["lead_id"], unique=False)

    op.create_table(
        "pass_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("from_owner_id", sa.Integer(), nullable=True),
        sa.Column("from_office_id", sa.Integer(), nullable=True),
        sa.Column("from_group_id", sa.Integer(), nullable=True),
        sa.Column("to_owner_id", sa.Integer(), nullable=True),
        sa.Column("to_office_id", sa.Integer(), nullable=True),
        sa.Column("to_group_id", sa.Integer(), nullable=True),
        sa.Column("to_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["pass_batches.id"], name=op.f("fk_pass_history_batch_id_pass_batches")
        ),
        sa.ForeignKeyConstraint(
            ["from_group_id"],
            ["pass_groups.id"],
            name=op.f("fk_pass_history_from_group_id_pass_groups"),
        ),
        sa.ForeignKeyConstraint(
            ["from_office_id"], ["offices.id"], name=op.f("fk_pass_history_from_office_id_offices")
        ),
        sa.ForeignKeyConstraint(
            ["from_owner_id"], ["users.id"], name=op.f("fk_pass_history_from_owner_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"],
            ["leads.id"],
            name=op.f("fk_pass_history_lead_id_leads"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["to_group_id"],
            ["pass_groups.id"],
            name=op.f("fk_pass_history_to_group_id_pass_groups"),
        ),
        sa.ForeignKeyConstraint(
            ["to_office_id"], ["offices.id"], name=op.f("fk_pass_history_to_office_id_offices")
        ),
        sa.ForeignKeyConstraint(
            ["to_owner_id"], ["users.id"], name=op.f("fk_pass_history_to_owner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pass_history")),
    )
    with op.batch_alter_table("pass_history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pass_history_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pass_history_lead_id"), ["lead_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pass_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pass_history_lead_id"))
        batch_op.drop_index(batch_op.f("ix_pass_history_batch_id"))

    op.drop_table("pass_history")
    with op.batch_alter_table("lead_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lead_notes_lead_id"))

    op.drop_table("lead_notes")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_status"))
        batch_op.drop_index(batch_op.f("ix_outbox_batch_id"))

    op.drop_table("outbox")
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index("ix_leads_owner_status")
        batch_op.drop_index(batch_op.f("ix_leads_last_batch_id"))
        batch_op.drop_index(batch_op.f("ix_leads_bucket_office_id"))
        batch_op.drop_index(batch_op.f("ix_leads_bucket_group_id"))

    op.drop_table("leads")
    with op.batch_alter_table("pass_group_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pass_group_members_user_id"))

    op.drop_table("pass_group_members")
    with op.batch_alter_table("pass_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pass_batches_actor_id"))

    op.drop_table("pass_batches")
    with op.batch_alter_table("office_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_office_members_user_id"))

    op.drop_table("office_members")
    with op.batch_alter_table("manager_rights", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_manager_rights_user_id"))

    op.drop_table("manager_rights")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_created_at"))

    op.drop_table("audit_log")
    op.drop_table("users")
    op.drop_table("statuses")
    op.drop_table("pass_groups")
    op.drop_table("offices")
