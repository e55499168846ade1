"""server logins: users linked to a PostgreSQL login; passes and audit entries record the login

Revision ID: 0003_server_logins
Revises: 0002_crm_import
Create Date: 2026-11-28 17:40:00

On PostgreSQL the login columns of ``pass_batches`` and ``audit_log`` default to
``current_user``, so the login behind a row is recorded by the database itself (a client
cannot leave it out), and ``leaddesk_close_batch`` is created: the one way a pass updates its
own batch row once its leads have moved (batches are append-only for ordinary logins after
``leaddesk server setup``).
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_server_logins"
down_revision = "0002_crm_import"
branch_labels = None
depends_on = None

LOGIN_LENGTH = 63

# SECURITY DEFINER so that ordinary logins, who may not UPDATE pass_batches, can still
# record how many leads their pass moved and mark the batch an undo undid. It derives both
# from rows the policies already guarded (the batch's own history rows, the undo batch's
# undoes_id), so a caller cannot make it record anything else; it only touches a batch whose
# lead_count is still 0, i.e. one being written in the caller's own open transaction.
CLOSE_BATCH = """
CREATE OR REPLACE FUNCTION leaddesk_close_batch(p_batch integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, {schema}, pg_temp AS $$
DECLARE
    moved integer;
    original integer;
BEGIN
    SELECT count(*) INTO moved FROM pass_history WHERE batch_id = p_batch;
    UPDATE pass_batches SET lead_count = moved
        WHERE id = p_batch AND lead_count = 0
        RETURNING undoes_id INTO original;
    IF original IS NOT NULL AND moved > 0 THEN
        UPDATE pass_batches SET undone_by_id = p_batch
            WHERE id = original AND undone_by_id IS NULL AND lead_count = moved;
    END IF;
    RETURN moved;
END $$
"""


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    login_default = sa.text("CURRENT_USER") if postgres else None
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("db_login", sa.String(length=LOGIN_LENGTH), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_users_db_login"), ["db_login"])
    for table in ("pass_batches", "audit_log"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(
                    "db_login",
                    sa.String(length=LOGIN_LENGTH),
                    nullable=True,
                    server_default=login_default,
                )
            )
    if postgres:
        schema = op.get_bind().exec_driver_sql("SELECT quote_ident(current_schema())").scalar()
        op.execute(CLOSE_BATCH.format(schema=schema))
        op.execute("REVOKE ALL ON FUNCTION leaddesk_close_batch(integer) FROM PUBLIC")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS leaddesk_close_batch(integer)")
    for table in ("audit_log", "pass_batches"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("db_login")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_db_login"), type_="unique")
        batch_op.drop_column("db_login")
