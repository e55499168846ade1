"""The slow-link proxy and the freeze and statement meters that the slow-link work relies on.

These check the tools themselves: a proxy that delays nothing, or a watch that sees no
block, would make every slow-link test pass for the wrong reason.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.helpers.event_loop import EventLoopWatch
from tests.helpers.slow_link import SlowLink
from tests.helpers.statements import counting_statements


class EchoServer:
    """A loopback server that echoes what it reads, on its own thread."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            connection, _ = self.sock.accept()
        except OSError:
            return
        with connection:
            while data := connection.recv(65536):
                connection.sendall(data)

    def close(self) -> None:
        self.sock.close()


def round_trip(port: int, payload: bytes) -> tuple[bytes, float]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        started = time.perf_counter()
        sock.sendall(payload)
        received = b""
        while len(received) < len(payload):
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
        return received, time.perf_counter() - started


def test_bytes_pass_unchanged_and_each_way_is_delayed():
    echo = EchoServer()
    payload = bytes(range(256)) * 4096  # 1 MiB, many chunks
    try:
        with SlowLink(echo.port, delay_ms=40) as link:
            received, seconds = round_trip(link.port, payload)
    finally:
        echo.close()
    assert received == payload
    # There and back: at least two delays; a burst of chunks costs one delay, not one each.
    assert seconds >= 0.080
    assert link.bytes_forwarded == 2 * len(payload)


def test_bandwidth_cap_slows_a_large_transfer():
    echo = EchoServer()
    payload = b"x" * 200_000
    try:
        with SlowLink(echo.port, delay_ms=0, bytes_per_second=1_000_000) as link:
            received, seconds = round_trip(link.port, payload)
    finally:
        echo.close()
    assert received == payload
    assert seconds >= 0.15  # 200 kB at 1 MB/s, each way overlapping


def test_forwards_to_loopback_only():
    with pytest.raises(ValueError, match="loopback only"):
        SlowLink(5432, target_host="192.0.2.1")


def test_stop_closes_open_connections():
    echo = EchoServer()
    link = SlowLink(echo.port, delay_ms=1).start()
    try:
        sock = socket.create_connection(("127.0.0.1", link.port), timeout=5)
        sock.sendall(b"ping")
        assert sock.recv(4) == b"ping"
        link.stop()
        sock.settimeout(5)
        assert sock.recv(4) == b""  # the proxy closed it
        sock.close()
    finally:
        echo.close()
        link.stop()


def test_postgresql_behind_the_link_pays_the_round_trip(postgres_factory):
    if postgres_factory is None:
        pytest.skip("no PostgreSQL")
    url = make_url(postgres_factory.admin_url)
    with SlowLink(url.port, delay_ms=25) as link:
        engine = create_engine(url.set(port=link.port), pool_size=1)
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))  # connect outside the timing
                with counting_statements(engine) as log:
                    started = time.perf_counter()
                    for _ in range(4):
                        connection.execute(text("SELECT 1"))
                    seconds = time.perf_counter() - started
        finally:
            engine.dispose()
    assert log.count == 4
    assert seconds >= 4 * 0.050  # four statements, four 50 ms round trips


def test_event_loop_watch_sees_a_block_and_not_an_idle_loop(qtbot):
    watch = EventLoopWatch().start()
    qtbot.wait(100)
    idle = watch.stop()
    assert watch.ticks > 5
    watch.start()
    qtbot.wait(20)
    time.sleep(0.2)  # the GUI thread is blocked, as by a read on it
    qtbot.wait(20)
    blocked = watch.stop()
    assert blocked >= 190
    assert idle < 150  # an idle loop on a busy 2-core machine; far below the block above
