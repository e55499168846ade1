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


def test_event_loop_watch_sees_no_block_in_an_idle_loop(qtbot):
    # Waited for by ticks, not by a fixed time: on a loaded machine 100 ms may hold 2 ticks.
    watch = EventLoopWatch().start()
    qtbot.waitUntil(lambda: watch.ticks > 20, timeout=10_000)
    watch.stop()
    # Net of waiting for a core, an idle loop is not blocked, however loaded the machine.
    assert watch.blocked.ms < 50, f"an idle loop was blocked {watch.blocked}"


def test_event_loop_watch_sees_the_gui_thread_sleep_and_compute(qtbot):
    watch = EventLoopWatch().start()
    qtbot.waitUntil(lambda: watch.ticks > 2)
    watch.step = "sleeping"
    time.sleep(0.2)  # the GUI thread waits, as for a read on it: off the CPU, still a block
    qtbot.waitUntil(lambda: watch.ticks > 4)
    watch.step = "computing"
    started = time.thread_time()
    while time.thread_time() - started < 0.15:  # 150 ms of the GUI thread's own CPU
        pass
    qtbot.waitUntil(lambda: watch.ticks > 6)
    watch.stop()
    assert watch.blocked.ms >= 195 and watch.blocked.step == "sleeping"
    assert "test_event_loop_watch_sees_the_gui_thread_sleep" in watch.blocked.where
    assert watch.wall.ms >= watch.blocked.ms
    assert watch.cpu.ms >= 150 and watch.cpu.step == "computing"


def test_event_loop_watch_counts_the_gil_held_by_another_thread(qtbot):
    """A reader thread holding the GIL freezes the window too: the GUI thread sleeps on the
    GIL (not on a core's run queue), so the net measure keeps it."""
    held: list[float] = []

    def hold_the_gil() -> None:
        started = time.thread_time()
        sum(range(15_000_000))  # one C call: the GIL is not let go until it returns
        held.append((time.thread_time() - started) * 1000.0)  # CPU: load cannot inflate it

    watch = EventLoopWatch().start()
    qtbot.waitUntil(lambda: watch.ticks > 2)
    holder = threading.Thread(target=hold_the_gil)
    holder.start()
    qtbot.waitUntil(lambda: bool(held))
    holder.join()
    qtbot.waitUntil(lambda: watch.ticks > 6)
    watch.stop()
    assert held[0] > 100
    # Not subtracted as a wait for a core; within a few thread switches of the whole hold.
    assert watch.blocked.ms >= held[0] / 2, f"{watch.blocked} while held {held[0]:.0f} ms"
    assert watch.cpu.ms < 50  # the GUI thread itself did nothing meanwhile
