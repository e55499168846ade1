"""Delivering queued notifications over SMTP, each row sent by exactly one sender.

Several windows and command lines may send from one database at once. A sender *claims* a
few rows in one short transaction (``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL; on
SQLite the write transaction is ``BEGIN IMMEDIATE``, which already serialises claimers), marks
them ``sending`` under its own id and commits; only then does it talk to the SMTP server. A
row is marked ``sent`` right after the server accepted it (``smtplib`` returned, i.e. 250).
A program killed mid-send leaves rows in ``sending``; after ``STALE_CLAIM`` any sender takes
them over. The Message-ID is derived from the outbox row, so a repeat after such a crash is
recognisable as the same message.

Failures: connection problems, timeouts and 4xx replies put the row back in the queue with
exponential backoff; 5xx replies, or too many tries, mark it ``failed`` with the server's
words, and :func:`retry_failed` queues it again by hand.
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, formatdate

from sqlalchemy import and_, or_, select, update

from leaddesk.errors import LeadDeskError
from leaddesk.notify.messages import render
from leaddesk.notify.smtp_settings import Security, SmtpSettings
from leaddesk.store.database import Database
from leaddesk.store.models import OutboxMessage, utc_now

MAX_ATTEMPTS = 5
CLAIM_SIZE = 10
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=1)
# Longer than one claim of CLAIM_SIZE messages can take with every reply at the timeout.
STALE_CLAIM = timedelta(minutes=15)
DEFAULT_LIMIT = 500


class EmailDeliveryError(LeadDeskError):
    """The SMTP server could not be reached or refused; the sentence says which and why."""


@dataclass(frozen=True)
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"{self.sent} sent, {self.retried} retried, {self.failed} failed"


@dataclass(frozen=True)
class _Failure:
    text: str
    permanent: bool
    # The SMTP session is unusable afterwards; the next message needs a new connection.
    connection_lost: bool = False


@dataclass(frozen=True)
class _Prepared:
    id: int
    attempts: int
    recipient: str
    message: EmailMessage


def new_sender_id() -> str:
    """Who claimed a row: host, process and a random part, so two windows never share it."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def message_id(outbox_id: int, batch_id: int, domain: str) -> str:
    return f"<leaddesk.outbox.{outbox_id}.batch.{batch_id}@{domain}>"


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after ``attempts`` failed tries: 1, 2, 4, ... minutes, capped."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def make_ssl_context(settings: SmtpSettings) -> ssl.SSLContext:
    """The system's trusted CAs, plus the settings' own CA file when one is given."""
    context = ssl.create_default_context()
    if settings.ca_file:
        context.load_verify_locations(cafile=settings.ca_file)
    return context


def open_connection(
    settings: SmtpSettings, password: str | None, *, ssl_context: ssl.SSLContext | None = None
) -> smtplib.SMTP:
    """Connect, secure and log in; raises EmailDeliveryError with a sentence for the user."""
    try:
        return _open_connection(settings, password, ssl_context)
    except (OSError, smtplib.SMTPException) as exc:
        raise EmailDeliveryError(describe_connection_error(settings, exc)) from exc


def _open_connection(
    settings: SmtpSettings, password: str | None, ssl_context: ssl.SSLContext | None
) -> smtplib.SMTP:
    if settings.user and not password:
        raise EmailDeliveryError(
            f"No password is stored for the SMTP user {settings.user} at {settings.host}; "
            "enter it in Email settings."
        )
    context = None
    if settings.security is not Security.NONE:
        context = ssl_context or make_ssl_context(settings)
    # gethostname, not getfqdn: the latter may wait on DNS in an office without network.
    local = socket.gethostname() or "localhost"
    connection: smtplib.SMTP
    if settings.security is Security.SSL:
        connection = smtplib.SMTP_SSL(
            settings.host,
            settings.port,
            local_hostname=local,
            timeout=settings.timeout,
            context=context,
        )
    else:
        connection = smtplib.SMTP(
            settings.host, settings.port, local_hostname=local, timeout=settings.timeout
        )
    try:
        connection.ehlo()
        if settings.security is Security.STARTTLS:
            connection.starttls(context=context)
            connection.ehlo()
        if settings.user:
            connection.login(settings.user, password or "")
    except BaseException:
        _close(connection)
        raise
    return connection


def describe_connection_error(settings: SmtpSettings, exc: BaseException) -> str:
    where = f"the SMTP server {settings.host}:{settings.port}"
    if isinstance(exc, EmailDeliveryError):
        return str(exc)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"{where} refused the login of {settings.user}: {_reply_text(exc)}"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"{where} does not support {settings.security.value}: {exc}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{where} refused the connection: {_reply_text(exc)}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (
            f"The certificate of {where} is not trusted ({exc.verify_message}); "
            "choose the CA file that signed it in Email settings"
        )
    if isinstance(exc, ssl.SSLError):
        return f"Secure connection to {where} failed: {exc.reason or exc}"
    if isinstance(exc, socket.gaierror):
        return f"The SMTP server name {settings.host} cannot be found: {exc.strerror or exc}"
    if isinstance(exc, ConnectionRefusedError):
        return f"{where} refused the connection (is it running?)"
    if _timed_out(exc):
        return f"{where} did not answer within {settings.timeout:g} seconds"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"{where} closed the connection: {exc}"
    return f"Cannot reach {where}: {exc}"


def _timed_out(exc: BaseException) -> bool:
    # smtplib reports a read timeout as SMTPServerDisconnected raised from the TimeoutError.
    return isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError)


def _reply_text(exc: smtplib.SMTPResponseException) -> str:
    return _format_reply(exc.smtp_code, exc.smtp_error)


def _format_reply(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(words.split())}".strip()


def _classify(exc: BaseException) -> _Failure:
    """Decide whether a failed send is worth retrying, and keep the server's words."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
        return _Failure(_format_reply(code, text), permanent=code >= 500)
    if _timed_out(exc):
        return _Failure("the server stopped answering", permanent=False, connection_lost=True)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return _Failure(f"connection lost: {exc}", permanent=False, connection_lost=True)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return _Failure(str(exc), permanent=True)
    if isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        # 421: the server is shutting the session down; everything else keeps it open.
        return _Failure(_reply_text(exc), permanent=code >= 500, connection_lost=code == 421)
    if isinstance(exc, OSError):
        return _Failure(f"connection lost: {exc}", permanent=False, connection_lost=True)
    # A message the server can never take (e.g. an address smtplib cannot encode).
    return _Failure(f"cannot send: {exc}", permanent=True)


def build_email(
    settings: SmtpSettings,
    *,
    to: str,
    subject: str,
    text: str,
    html: str | None,
    message_id_header: str,
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = formataddr(("LeadDesk", settings.from_address))
    message["To"] = to
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = message_id_header
    # RFC 3834: an automatic notice; polite auto-responders do not answer it.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def send_queued(
    database: Database,
    settings: SmtpSettings,
    password: str | None,
    *,
    sender_id: str,
    limit: int = DEFAULT_LIMIT,
    now: datetime | None = None,
    ssl_context: ssl.SSLContext | None = None,
    max_attempts: int = MAX_ATTEMPTS,
    stale_after: timedelta = STALE_CLAIM,
) -> SendReport:
    """Send what is due, at most ``limit`` rows, over one SMTP connection.

    ``now`` fixes the clock (tests travel in time with it). Database errors propagate; rows
    claimed by then stay ``sending`` and are taken over after ``stale_after``.
    """
    clock: Callable[[], datetime] = (lambda: now) if now is not None else utc_now
    sent = retried = failed = 0
    connection: smtplib.SMTP | None = None

    def record_failure(item: _Prepared, failure: _Failure) -> None:
        nonlocal retried, failed
        if _record_failure(database, item, failure, sender_id, clock(), max_attempts):
            retried += 1
        else:
            failed += 1

    try:
        while sent + retried + failed < limit:
            room = min(CLAIM_SIZE, limit - (sent + retried + failed))
            claimed = _claim(database, sender_id, clock(), room, stale_after)
            if not claimed:
                break
            prepared = _prepare(database, claimed, settings)
            for index, item in enumerate(prepared):
                if connection is None:
                    try:
                        connection = _open_connection(settings, password, ssl_context)
                    except (OSError, smtplib.SMTPException, EmailDeliveryError) as exc:
                        failure = _Failure(
                            describe_connection_error(settings, exc), permanent=False
                        )
                        for rest in prepared[index:]:
                            record_failure(rest, failure)
                        return SendReport(sent, retried, failed)
                try:
                    connection.send_message(
                        item.message, from_addr=settings.from_address, to_addrs=[item.recipient]
                    )
                except Exception as exc:
                    failure = _classify(exc)
                    record_failure(item, failure)
                    if failure.connection_lost:
                        _close(connection)
                        connection = None
                    continue
                _mark_sent(database, item.id, sender_id, clock())
                sent += 1
    finally:
        if connection is not None:
            _close(connection)
    return SendReport(sent, retried, failed)


def _claim(
    database: Database, sender_id: str, now: datetime, size: int, stale_after: timedelta
) -> list[int]:
    due = or_(
        and_(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == "sending", OutboxMessage.claimed_at < now - stale_after),
    )
    with database.write() as session:
        # SKIP LOCKED lets a second sender take the next rows instead of waiting; SQLite
        # ignores FOR UPDATE, and its BEGIN IMMEDIATE makes this select-and-mark atomic.
        ids = list(
            session.scalars(
                select(OutboxMessage.id)
                .where(due)
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                .limit(size)
                .with_for_update(skip_locked=True)
            )
        )
        if ids:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids), due)
                .values(status="sending", claimed_by=sender_id, claimed_at=now)
                .execution_options(synchronize_session=False)
            )
    return ids


def _prepare(database: Database, ids: Sequence[int], settings: SmtpSettings) -> list[_Prepared]:
    prepared = []
    with database.read() as session:
        rows = session.scalars(
            select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)
        )
        for row in rows:
            rendered = render(session, row)
            message = build_email(
                settings,
                to=row.recipient_email,
                subject=rendered.subject,
                text=rendered.text,
                html=rendered.html,
                message_id_header=message_id(row.id, row.batch_id, settings.sender_domain),
            )
            prepared.append(_Prepared(row.id, row.attempts, row.recipient_email, message))
    return prepared


def _mine(row_id: int, sender_id: str) -> object:
    """Only the sender holding the claim may settle a row (a taken-over claim is not ours)."""
    return and_(
        OutboxMessage.id == row_id,
        OutboxMessage.status == "sending",
        OutboxMessage.claimed_by == sender_id,
    )


def _mark_sent(database: Database, row_id: int, sender_id: str, now: datetime) -> None:
    with database.write() as session:
        session.execute(
            update(OutboxMessage)
            .where(_mine(row_id, sender_id))  # type: ignore[arg-type]
            .values(
                status="sent", sent_at=now, attempts=OutboxMessage.attempts + 1, last_error=None
            )
            .execution_options(synchronize_session=False)
        )


def _record_failure(
    database: Database,
    item: _Prepared,
    failure: _Failure,
    sender_id: str,
    now: datetime,
    max_attempts: int,
) -> bool:
    """Requeue with backoff (True) or mark failed (False)."""
    attempts = item.attempts + 1
    retry = not failure.permanent and attempts < max_attempts
    text = failure.text
    if not retry and not failure.permanent:
        text = f"{failure.text} (gave up after {attempts} tries)"
    values: dict[str, object] = {"attempts": attempts, "last_error": text[:2000]}
    if retry:
        values.update(
            status="queued",
            next_attempt_at=now + backoff(attempts),
            claimed_by=None,
            claimed_at=None,
        )
    else:
        values.update(status="failed")
    with database.write() as session:
        session.execute(
            update(OutboxMessage)
            .where(_mine(item.id, sender_id))  # type: ignore[arg-type]
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    return retry


def retry_failed(
    database: Database, ids: Sequence[int] | None = None, *, now: datetime | None = None
) -> int:
    """Queue failed rows again (all of them, or only ``ids``); returns how many."""
    condition = OutboxMessage.status == "failed"
    if ids is not None:
        if not ids:
            return 0
        condition = and_(condition, OutboxMessage.id.in_(list(ids)))  # type: ignore[assignment]
    with database.write() as session:
        result = session.execute(
            update(OutboxMessage)
            .where(condition)
            .values(
                status="queued",
                attempts=0,
                next_attempt_at=now or utc_now(),
                claimed_by=None,
                claimed_at=None,
                last_error=None,
            )
            .execution_options(synchronize_session=False)
        )
        return max(result.rowcount or 0, 0)  # type: ignore[attr-defined]


def send_test_email(
    settings: SmtpSettings,
    password: str | None,
    to_address: str,
    *,
    ssl_context: ssl.SSLContext | None = None,
) -> None:
    """Send one short message now; raises EmailDeliveryError saying what went wrong."""
    to_address = to_address.strip()
    if "@" not in to_address:
        raise EmailDeliveryError(f"'{to_address}' is not an email address to send a test to.")
    message = build_email(
        settings,
        to=to_address,
        subject="LeadDesk test email",
        text=(
            "This is a test email from LeadDesk.\n\n"
            f"Sent through {settings.host}:{settings.port} ({settings.security.value}) "
            f"from {settings.from_address}.\n"
        ),
        html=None,
        message_id_header=f"<leaddesk.test.{uuid.uuid4().hex}@{settings.sender_domain}>",
    )
    connection = open_connection(settings, password, ssl_context=ssl_context)
    try:
        connection.send_message(message, from_addr=settings.from_address, to_addrs=[to_address])
    except (OSError, smtplib.SMTPException) as exc:
        raise EmailDeliveryError(
            f"The SMTP server did not accept the test email: {_classify(exc).text}"
        ) from exc
    finally:
        _close(connection)


def _close(connection: smtplib.SMTP) -> None:
    try:
        connection.quit()
    except (OSError, smtplib.SMTPException):
        connection.close()
