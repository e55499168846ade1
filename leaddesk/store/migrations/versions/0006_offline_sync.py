"""offline sync: the server's change sequence on leads, and a replica's bookkeeping

On PostgreSQL a trigger stamps every written lead with the id of the transaction that wrote
it (``pg_current_xact_id()``), so a replica can pull exactly the leads written since its last
pull's snapshot, however long those transactions ran. A replica (a SQLite file) keeps its
state, its journal of offline passes, and the conflicts the server refused. The server's
record of applied journal entries is ``pass_batches.client_uuid`` (unique since 0001), written
in the same transaction as the pass.

Revision ID: 0006_offline_sync
Revises: 0005_bucket_rules
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_offline_sync"
# Chained to main's head when rebased (the task said 0004; main has 0005 since).
down_revision = "0005_bucket_rules"
branch_labels = None
depends_on = None

_STAMP_FUNCTION = """
CREATE OR REPLACE FUNCTION leaddesk_stamp_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.change_seq := pg_current_xact_id()::text::bigint;
    RETURN NEW;
END $$
"""
_STAMP_TRIGGER = (
    "CREATE TRIGGER leaddesk_leads_change BEFORE INSERT OR UPDATE ON leads"
    " FOR EACH ROW EXECUTE FUNCTION leaddesk_stamp_change()"
)


def upgrade() -> None:
    # Not in batch mode: SQLite adds a column with a constant default in place, and copying
    # leads would drop its expression index (ix_leads_lower_name).
    op.add_column(
        "leads", sa.Column("change_seq", sa.BigInteger(), server_default="0", nullable=False)
    )
    op.create_index(op.f("ix_leads_change_seq"), "leads", ["change_seq"], unique=False)
    if op.get_context().dialect.name == "postgresql":
        op.execute(_STAMP_FUNCTION)
        op.execute(_STAMP_TRIGGER)
    op.create_table(
        "replica_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("server_url", sa.String(length=1000), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("replica_format", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_sync_at", sa.DateTime(), nullable=True),
        sa.Column("server_revision", sa.String(length=64), nullable=False),
        sa.Column("pull_snapshot", sa.Text(), nullable=False),
        sa.Column("pull_xmin", sa.BigInteger(), nullable=False),
        sa.Column("view_digest", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_replica_state")),
    )
    op.create_table(
        "offline_journal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=30), nullable=False),
        sa.Column("leads", sa.Text(), nullable=False),
        sa.Column("target_kind", sa.String(length=10), nullable=True),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("target_label", sa.String(length=300), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("undoes_batch_id", sa.Integer(), nullable=True),
        sa.Column("undoes_uuid", sa.String(length=36), nullable=True),
        sa.Column("local_batch_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("server_batch_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offline_journal")),
        sa.UniqueConstraint("uuid", name=op.f("uq_offline_journal_uuid")),
    )
    with op.batch_alter_table("offline_journal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offline_journal_state"), ["state"], unique=False)
    op.create_table(
        "sync_conflicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("journal_uuid", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("server_now", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolution", sa.String(length=20), nullable=True),
        sa.Column("resolved_batch_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["journal_uuid"],
            ["offline_journal.uuid"],
            name=op.f("fk_sync_conflicts_journal_uuid_offline_journal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_conflicts")),
        sa.UniqueConstraint("journal_uuid", name=op.f("uq_sync_conflicts_journal_uuid")),
    )


def downgrade() -> None:
    op.drop_table("sync_conflicts")
    with op.batch_alter_table("offline_journal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offline_journal_state"))
    op.drop_table("offline_journal")
    op.drop_table("replica_state")
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS leaddesk_leads_change ON leads")
        op.execute("DROP FUNCTION IF EXISTS leaddesk_stamp_change()")
    op.drop_index(op.f("ix_leads_change_seq"), table_name="leads")
    op.drop_column("leads", "change_seq")
