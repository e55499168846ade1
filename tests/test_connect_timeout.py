"""A PostgreSQL server behind a dropped line (packets swallowed, no TCP reset) must not hold
LeadDesk: connecting gives up after the connect timeout, the URL's own value first."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.engine import make_url

from leaddesk.errors import DatabaseUnavailableError
from leaddesk.store.database import Database, create_db_engine


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that completes the TCP handshake (the kernel's backlog) and then never says
    a word: what a server behind a dropped line looks like to a client."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def connect_arguments(url: str) -> dict[str, object]:
    """What create_db_engine hands the driver for ``url`` (caught as it connects)."""
    engine = create_db_engine(make_url(url))
    seen: dict[str, object] = {}

    @event.listens_for(engine, "do_connect")
    def capture(_dialect, _record, _args, kwargs) -> None:
        seen.update(kwargs)
        raise ConnectionRefusedError("captured")

    with pytest.raises(Exception, match="captured"):
        engine.connect()
    engine.dispose()
    return seen


def test_a_silent_server_is_given_up_after_the_urls_connect_timeout(silent_port: int) -> None:
    url = make_url(
        f"postgresql+psycopg://nobody@127.0.0.1:{silent_port}/leaddesk?connect_timeout=1"
    )
    database = Database(url=url, engine=create_db_engine(url))
    started = time.monotonic()
    with (
        pytest.raises(DatabaseUnavailableError, match="cannot be reached") as raised,
        database.read() as session,
    ):
        session.execute(select(text("1")))
    waited = time.monotonic() - started
    database.dispose()
    assert 0.9 <= waited < 6, waited  # the URL's second, not the default ten
    assert len(str(raised.value).splitlines()) == 1


def test_the_default_connect_timeout_and_keepalives_apply_without_a_url_value() -> None:
    arguments = connect_arguments("postgresql+psycopg://nobody@127.0.0.1:1/leaddesk")
    assert arguments["connect_timeout"] == 10
    assert arguments["keepalives"] == 1 and arguments["tcp_user_timeout"] == 30000
    explicit = connect_arguments(
        "postgresql+psycopg://nobody@127.0.0.1:1/leaddesk?connect_timeout=3&keepalives=0"
    )
    assert (explicit["connect_timeout"], explicit["keepalives"]) == ("3", "0")
