"""outbox message key: a random, unique key per outbox row for its Message-ID

Message-IDs used to be built from the outbox and batch numbers, which repeat between
databases (and after a reset), so two different emails could share one. Each row now gets a
random key when it is queued; rows queued before this revision get one here.

Revision ID: 0004_outbox_message_key
Revises: 0003_server_logins
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_outbox_message_key"
down_revision = "0003_server_logins"
branch_labels = None
depends_on = None

_RANDOM_KEY = {
    "sqlite": "lower(hex(randomblob(16)))",
    # md5 of random text, not gen_random_uuid(), which older servers lack.
    "postgresql": "md5(random()::text || clock_timestamp()::text || id::text)",
}


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_key", sa.String(length=64), nullable=True))
    op.execute(f"UPDATE outbox SET message_key = {_RANDOM_KEY[op.get_context().dialect.name]}")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("message_key", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_outbox_message_key"), ["message_key"])


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_outbox_message_key"), type_="unique")
        batch_op.drop_column("message_key")
