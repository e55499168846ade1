"""Alembic environment: runs on the connection of the Database given by leaddesk.store.migrate."""

from alembic import context

from leaddesk.store.models import Base

config = context.config
database = config.attributes["database"]

with database.engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
