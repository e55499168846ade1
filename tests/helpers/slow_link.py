"""A slow link on loopback: a TCP proxy that delays every chunk each way.

``SlowLink(target_port, delay_ms=25)`` listens on 127.0.0.1 and forwards to the target on
127.0.0.1, holding every chunk for ``delay_ms`` before passing it on (25 ms each way is a
50 ms round trip, a typical VPN). An optional ``bytes_per_second`` caps the throughput of
each direction. It runs an asyncio loop on its own thread, accepts a bounded number of
connections, and stops (closing every connection) with ``stop()`` or at the end of a
``with`` block. Loopback only: it refuses any other address.

Used by the slow-link tests and by ``benchmarks/slow_link.py``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import threading
import time
from types import TracebackType

CHUNK = 64 * 1024


class SlowLink:
    def __init__(
        self,
        target_port: int,
        *,
        delay_ms: float = 25.0,
        bytes_per_second: int | None = None,
        target_host: str = "127.0.0.1",
        max_connections: int = 200,
    ) -> None:
        if not ipaddress.ip_address(target_host).is_loopback:
            raise ValueError(f"SlowLink forwards to loopback only, not {target_host}")
        self.target_host = target_host
        self.target_port = target_port
        self.delay = delay_ms / 1000.0
        self.bytes_per_second = bytes_per_second
        self.max_connections = max_connections
        self.port = 0
        self.connections_accepted = 0
        self.bytes_forwarded = 0
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    # -- life cycle ----------------------------------------------------------------------

    def start(self) -> SlowLink:
        self._thread.start()
        started = asyncio.run_coroutine_threadsafe(self._listen(), self._loop)
        self.port = started.result(timeout=10)
        return self

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        stopped = asyncio.run_coroutine_threadsafe(self._close(), self._loop)
        stopped.result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def __enter__(self) -> SlowLink:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def set_delay(self, delay_ms: float) -> None:
        """Change the delay for chunks read from now on (a link that gets worse or better)."""
        self.delay = delay_ms / 1000.0

    # -- forwarding ----------------------------------------------------------------------

    async def _listen(self) -> int:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return self._server.sockets[0].getsockname()[1]

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _accept(
        self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ) -> None:
        self.connections_accepted += 1
        if self.connections_accepted > self.max_connections:
            client_writer.close()
            return
        try:
            server_reader, server_writer = await asyncio.open_connection(
                self.target_host, self.target_port
            )
        except OSError:
            client_writer.close()
            return
        self._writers.update((client_writer, server_writer))
        for reader, writer in ((client_reader, server_writer), (server_reader, client_writer)):
            task = asyncio.create_task(self._pipe(reader, writer))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Read chunks as they come; deliver each ``delay`` after it arrived, in order.

        Reading and delivering are separate so that a delay is added once per chunk, not once
        per chunk *after* the previous one was delivered: a burst of chunks costs one delay,
        as on a real link whose latency does not slow its throughput.
        """
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()
        deliver = asyncio.create_task(self._deliver(queue, writer))
        try:
            while True:
                chunk = await reader.read(CHUNK)
                await queue.put((time.monotonic() + self.delay, chunk))
                if not chunk:
                    break
            await deliver
        except (OSError, asyncio.CancelledError):
            deliver.cancel()
        finally:
            writer.close()
            self._writers.discard(writer)

    async def _deliver(
        self, queue: asyncio.Queue[tuple[float, bytes]], writer: asyncio.StreamWriter
    ) -> None:
        while True:
            due, chunk = await queue.get()
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            if not chunk:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(chunk)
            await writer.drain()
            self.bytes_forwarded += len(chunk)
            if self.bytes_per_second:
                await asyncio.sleep(len(chunk) / self.bytes_per_second)
