"""A real SMTP server on loopback (aiosmtpd) that records what it accepted.

Tests configure it to refuse recipients, require a login over STARTTLS with a certificate
from a test CA (trustme), and read back the received messages with the email package.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from leaddesk.notify.smtp_settings import Security, SmtpSettings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    login: str | None
    # The client's address and port: one value per SMTP connection.
    peer: object = None

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.content, policy=email.policy.default)  # type: ignore[return-value]


@dataclass
class RecordingHandler:
    """Accepts everything except the addresses in ``refuse`` (answered with ``refuse_reply``)."""

    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    refuse_reply: str = "550 5.1.1 Recipient address rejected: User unknown"
    # Seconds the server takes per message, so concurrent senders really overlap.
    data_delay: float = 0.0
    # Set when a message's data has arrived, before the delay and the 250 reply.
    data_started: threading.Event = field(default_factory=threading.Event)
    # Called (in the server's thread) for each message, before the reply.
    on_data: Callable[[], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_started.set()
        if self.on_data is not None:
            self.on_data()
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        auth = session.auth_data
        login = auth.login.decode() if isinstance(auth, LoginPassword) else None
        with self.lock:
            self.received.append(
                Received(
                    envelope.mail_from,
                    list(envelope.rcpt_tos),
                    envelope.content,
                    login,
                    session.peer,
                )
            )
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        with self.lock:
            return [item.message for item in self.received]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages() if m["To"] == address]


@dataclass
class SmtpServer:
    controller: Controller
    handler: RecordingHandler
    port: int

    def settings(self, **changes: object) -> SmtpSettings:
        base = SmtpSettings(
            host="127.0.0.1", port=self.port, from_address="leaddesk@sales.example", timeout=5
        )
        return base.with_overrides(**changes)


@contextmanager
def running_smtp_server(port: int | None = None, **smtp_options: object) -> Iterator[SmtpServer]:
    handler = RecordingHandler()
    port = port or free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **smtp_options)
    controller.start()
    try:
        yield SmtpServer(controller, handler, port)
    finally:
        controller.stop()


@dataclass
class TlsFiles:
    ca: trustme.CA
    ca_file: Path
    server_context: ssl.SSLContext

    def client_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        self.ca.configure_trust(context)
        return context


def make_tls(tmp_path: Path) -> TlsFiles:
    ca = trustme.CA()
    server_cert = ca.issue_cert("127.0.0.1", "localhost")
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_cert.configure_cert(server_context)
    ca_file = tmp_path / "test-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return TlsFiles(ca=ca, ca_file=ca_file, server_context=server_context)


def password_checker(user: str, password: str):
    """An aiosmtpd authenticator that accepts exactly one user name and password."""

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == user
            and auth_data.password.decode() == password
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    return authenticate


__all__ = [
    "RecordingHandler",
    "Security",
    "SmtpServer",
    "TlsFiles",
    "free_port",
    "make_tls",
    "password_checker",
    "running_smtp_server",
]
