"""A server login's password is asked of the keyring only when the server wants one.

As psql does: the first connection goes with what the URL and libpq's own sources give
(trust, peer, ~/.pgpass); only when the server answers that it wants a password is the
keyring asked, once, and the password it holds goes into every later connection. A trust
or peer login never pays for importing keyring and finding its backend (about 70 ms of a
command's start). Tested against a real cluster whose loopback logins need a password
(scram-sha-256), with the in-memory keyring.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from leaddesk.errors import DatabaseUnavailableError
from leaddesk.store.database import open_database, store_db_password
from tests.helpers.postgres import Cluster, reload_with_password_logins, start_cluster

pytestmark = pytest.mark.postgresql_only


@pytest.fixture(scope="module")
def password_cluster() -> Iterator[Cluster]:
    cluster = start_cluster()
    if cluster is None:
        pytest.skip("no PostgreSQL server binaries")
    try:
        admin = open_database(cluster.admin_url, migrate=False)
        with admin.engine.begin() as connection:
            connection.execute(text("CREATE ROLE ann LOGIN PASSWORD 'ann-secret'"))
        admin.dispose()
        reload_with_password_logins(cluster, except_user="postgres")
        yield cluster
    finally:
        cluster.stop()


def ann_url(cluster: Cluster) -> str:
    return str(make_url(cluster.admin_url).set(username="ann"))


def test_a_login_that_needs_no_password_never_asks_the_keyring(
    password_cluster, memory_keyring, monkeypatch
):
    asked: list[str] = []
    monkeypatch.setattr(
        memory_keyring, "get_password", lambda _service, account: asked.append(account)
    )
    database = open_database(password_cluster.admin_url, migrate=False)
    try:
        with database.read() as session:
            assert session.scalar(text("SELECT current_user")) == "postgres"
    finally:
        database.dispose()
    assert asked == []


def test_a_login_the_server_asks_a_password_of_gets_it_from_the_keyring_once(
    password_cluster, memory_keyring
):
    url = ann_url(password_cluster)
    store_db_password(make_url(url), "ann-secret")
    asked: list[str] = []
    lookup = memory_keyring.get_password

    def counted(service: str, account: str) -> str | None:
        asked.append(account)
        return lookup(service, account)

    memory_keyring.get_password = counted  # type: ignore[method-assign]
    database = open_database(url, migrate=False)
    try:
        # Three connections at once: the first found the password, the others reuse it.
        sessions = [database.read().__enter__() for _ in range(3)]
        assert [s.scalar(text("SELECT current_user")) for s in sessions] == ["ann"] * 3
        for session in sessions:
            session.close()
        assert len(asked) == 1
        # The change listener opens its own connection from the database's URL.
        assert database.url.password == "ann-secret"
    finally:
        database.dispose()


def test_a_login_without_a_password_anywhere_gets_one_clear_line(password_cluster, memory_keyring):
    database = open_database(ann_url(password_cluster), migrate=False)
    try:
        with pytest.raises(DatabaseUnavailableError) as refused, database.read() as session:
            session.scalar(text("SELECT 1"))
    finally:
        database.dispose()
    assert "password" in str(refused.value).lower()
    assert "Traceback" not in str(refused.value)
