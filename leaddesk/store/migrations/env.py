"""Alembic environment: runs on the connection of the Database given by leaddesk.store.migrate."""

from alembic import context
from sqlalchemy import Connection

from leaddesk.errors import LeadDeskError
from leaddesk.store.models import Base


def _set_foreign_keys(connection: Connection, *, on: bool) -> None:
    cursor = connection.connection.cursor()
    try:
        cursor.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    finally:
        cursor.close()


config = context.config
database = config.attributes["database"]

with database.engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # A batch migration rebuilds a table (copy, DROP, rename). With foreign keys on, the
        # DROP deletes the old table's rows first and every row pointing at them refuses it.
        # SQLite ignores this pragma inside a transaction, so it is set before one begins;
        # the keys are checked as a whole before the commit instead. It goes straight to the
        # driver: through SQLAlchemy it would begin the transaction first (database.py).
        _set_foreign_keys(connection, on=False)
    try:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=True,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                raise LeadDeskError(
                    "The database upgrade left rows pointing at rows that do not exist, so "
                    "it was not saved; the copy made before the upgrade is unchanged."
                )
        connection.commit()
    finally:
        if sqlite:
            connection.rollback()
            _set_foreign_keys(connection, on=True)
