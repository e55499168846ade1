"""offline tombstones: deleted leads leave a stamped id behind, and a replica remembers the
organisation it copied

On PostgreSQL a trigger records every deleted lead's id with the id of the deleting
transaction (like ``leads.change_seq``), so a replica's incremental pull sees deletions as
it sees other writes. Nobody but that trigger writes the table, and no login reads it: the
ids reach a replica through ``leaddesk_changed_lead_ids`` (SECURITY DEFINER, ``server
setup``). A replica keeps a digest of the organisation tables it copied, so a sync re-reads
them only when they changed.

Revision ID: 0007_offline_tombstones
Revises: 0006_offline_sync
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_offline_tombstones"
down_revision = "0006_offline_sync"
branch_labels = None
depends_on = None

_TOMBSTONE_TABLE = """
CREATE TABLE lead_tombstones (
    lead_id integer PRIMARY KEY,
    change_seq bigint NOT NULL
)
"""
# SECURITY DEFINER: whoever may delete a lead leaves its tombstone, without any right on
# the table itself.
_TOMBSTONE_FUNCTION = """
CREATE OR REPLACE FUNCTION leaddesk_bury_lead() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    INSERT INTO lead_tombstones (lead_id, change_seq)
    VALUES (OLD.id, pg_current_xact_id()::text::bigint)
    ON CONFLICT (lead_id) DO UPDATE SET change_seq = excluded.change_seq;
    RETURN OLD;
END $$
"""
_TOMBSTONE_TRIGGER = (
    "CREATE TRIGGER leaddesk_leads_buried AFTER DELETE ON leads"
    " FOR EACH ROW EXECUTE FUNCTION leaddesk_bury_lead()"
)


def upgrade() -> None:
    with op.batch_alter_table("replica_state", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "organisation_digest", sa.String(length=64), server_default="", nullable=False
            )
        )
    if op.get_context().dialect.name == "postgresql":
        op.execute(_TOMBSTONE_TABLE)
        op.execute("CREATE INDEX ix_lead_tombstones_change_seq ON lead_tombstones (change_seq)")
        op.execute("REVOKE ALL ON lead_tombstones FROM PUBLIC")
        op.execute(_TOMBSTONE_FUNCTION.replace("public", _schema()))
        op.execute("REVOKE ALL ON FUNCTION leaddesk_bury_lead() FROM PUBLIC")
        op.execute(_TOMBSTONE_TRIGGER)


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS leaddesk_leads_buried ON leads")
        op.execute("DROP FUNCTION IF EXISTS leaddesk_bury_lead()")
        op.execute("DROP TABLE IF EXISTS lead_tombstones")
    with op.batch_alter_table("replica_state", schema=None) as batch_op:
        batch_op.drop_column("organisation_digest")


def _schema() -> str:
    return str(op.get_bind().exec_driver_sql("SELECT current_schema()").scalar())
