"""Disposing a database lets a connection still on its way back be closed properly: a read
hands its answer over before its closing ROLLBACK (ui/common/operations.py), so whoever is
done with the database may dispose it while that connection is still out."""

from __future__ import annotations

import sqlite3
import threading

from sqlalchemy import text


def is_closed(dbapi_connection: object) -> bool:
    if isinstance(dbapi_connection, sqlite3.Connection):
        try:
            dbapi_connection.execute("SELECT 1")
        except sqlite3.ProgrammingError:
            return True
        return False
    return bool(dbapi_connection.closed)  # psycopg


def test_a_connection_given_back_during_dispose_is_closed(database) -> None:
    connection = database.engine.connect()
    connection.execute(text("SELECT 1"))
    dbapi_connection = connection.connection.dbapi_connection
    # The read's thread gives its connection back a moment after the owner disposes.
    giving_back = threading.Timer(0.3, connection.close)
    giving_back.start()
    database.dispose()
    giving_back.join()
    # Closed now, not left to the garbage collector (psycopg then warns it was never closed).
    assert is_closed(dbapi_connection)
