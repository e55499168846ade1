"""Delivering queued notifications over SMTP, each row sent by exactly one sender.

Several windows and command lines may send from one database at once. A sender *claims* a
few rows in one short transaction (``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL; on
SQLite the write transaction is ``BEGIN IMMEDIATE``, which already serialises claimers), marks
them ``sending`` under its own id and commits; only then does it talk to the SMTP server. A
row is marked ``sent`` right after the server accepted it (``smtplib`` returned, i.e. 250).
A program killed mid-send leaves rows in ``sending``; after ``STALE_CLAIM`` any sender takes
them over (any error short of a kill releases them at once). The Message-ID comes from the
row's random key, so a repeat after such a crash is recognisable as the same message.

Failures: connection problems, timeouts and 4xx replies put the row back in the queue with
exponential backoff; 5xx replies, or too many tries, mark it ``failed`` with the server's
words, and :func:`retry_failed` queues it again by hand.
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import ssl
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from leaddesk.errors import InvalidInputError, NotFoundError
from leaddesk.notify.messages import render
from leaddesk.notify.smtp_connection import (
    EmailDeliveryError,
    Failure,
    build_email,
    classify,
    close_quietly,
    connect,
    describe_connection_error,
)
from leaddesk.notify.smtp_settings import SmtpSettings
from leaddesk.store.database import Database
from leaddesk.store.models import OutboxMessage, utc_now

MAX_ATTEMPTS = 5
CLAIM_SIZE = 10
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=1)
# Longer than one claim of CLAIM_SIZE messages can take with every reply at the timeout.
STALE_CLAIM = timedelta(minutes=15)
DEFAULT_LIMIT = 500

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    # Only counted by a run that ignores the backoff (a person asked to send now): queued
    # rows this run did not try (over its limit), and rows another sender is busy with.
    left_queued: int = 0
    sending_elsewhere: int = 0
    # The most recent failure's words, for a one-line hint; not part of equality.
    last_error: str | None = field(default=None, compare=False)

    @property
    def tried(self) -> int:
        return self.sent + self.retried + self.failed

    def summary(self, limit: int | None = None) -> str:
        parts = [f"{self.sent} sent, {self.retried} retried, {self.failed} failed"]
        if self.left_queued:
            over = f" (over --limit {limit})" if limit is not None and self.tried >= limit else ""
            parts.append(f"{self.left_queued} more queued{over}")
        if self.sending_elsewhere:
            parts.append(f"{self.sending_elsewhere} being sent by another sender")
        return "; ".join(parts)

    def __str__(self) -> str:
        return self.summary()


@dataclass(frozen=True)
class _Prepared:
    id: int
    attempts: int
    recipient: str
    message: EmailMessage


def new_sender_id() -> str:
    """Who claimed a row: host, process and a random part, so two windows never share it."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def message_id(message_key: str, domain: str) -> str:
    """From the row's random key: the same on every retry, unique across databases."""
    return f"<leaddesk.{message_key}@{domain}>"


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after ``attempts`` failed tries: 1, 2, 4, ... minutes, capped."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)


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
    stop: threading.Event | None = None,
    ignore_backoff: bool = False,
) -> SendReport:
    """Send what is due, at most ``limit`` rows, over one SMTP connection.

    ``now`` fixes the clock (tests travel in time with it). ``stop`` ends the run after the
    message being sent (a closing window sets it); rows claimed but not tried go back to the
    queue untouched. ``ignore_backoff`` is a person's "send now": every queued row is tried
    once, also those waiting for their next try, and the report counts what is left.

    A row that cannot be written as an email is failed with the reason and the others go
    on. On any other error the rows claimed and not yet settled are released (queued, due at
    once) before the error propagates, so nothing waits for ``stale_after``.
    """
    clock: Callable[[], datetime] = (lambda: now) if now is not None else utc_now
    sent = retried = failed = 0
    last_error: str | None = None
    connection: smtplib.SMTP | None = None
    tried: set[int] = set()
    unsettled: list[int] = []

    def record_failure(row_id: int, attempts: int, failure: Failure) -> None:
        nonlocal retried, failed, last_error
        last_error = failure.text
        if _record_failure(database, row_id, attempts, failure, sender_id, clock(), max_attempts):
            retried += 1
        else:
            failed += 1
        unsettled.remove(row_id)

    def report() -> SendReport:
        return SendReport(sent, retried, failed, last_error=last_error)

    finished = False
    try:
        while not finished and sent + retried + failed < limit and not (stop and stop.is_set()):
            room = min(CLAIM_SIZE, limit - (sent + retried + failed))
            skip = tried if ignore_backoff else None
            claimed = _claim(database, sender_id, clock(), room, stale_after, skip)
            if not claimed:
                break
            unsettled[:] = claimed
            tried.update(claimed)
            prepared, unwritable = _prepare(database, claimed, settings)
            for row_id, attempts, reason in unwritable:
                record_failure(row_id, attempts, Failure(reason, permanent=True))
            for index, item in enumerate(prepared):
                if stop is not None and stop.is_set():
                    _release(database, unsettled, sender_id)
                    unsettled.clear()
                    finished = True
                    break
                if connection is None:
                    try:
                        connection = connect(settings, password, ssl_context)
                    except (OSError, smtplib.SMTPException, EmailDeliveryError) as exc:
                        failure = Failure(describe_connection_error(settings, exc), permanent=False)
                        for rest in prepared[index:]:
                            record_failure(rest.id, rest.attempts, failure)
                        finished = True
                        break
                try:
                    connection.send_message(
                        item.message, from_addr=settings.from_address, to_addrs=[item.recipient]
                    )
                except Exception as exc:
                    failure = classify(exc)
                    record_failure(item.id, item.attempts, failure)
                    if failure.connection_lost:
                        close_quietly(connection)
                        connection = None
                    continue
                _mark_sent(database, item.id, sender_id, clock())
                unsettled.remove(item.id)
                sent += 1
    except BaseException:
        _release_quietly(database, unsettled, sender_id)
        raise
    finally:
        if connection is not None:
            close_quietly(connection)
    if not ignore_backoff:
        return report()
    left, elsewhere = _left_over(database, tried)
    return replace(report(), left_queued=left, sending_elsewhere=elsewhere)


def _claim(
    database: Database,
    sender_id: str,
    now: datetime,
    size: int,
    stale_after: timedelta,
    skip: set[int] | None = None,
) -> list[int]:
    """Claim up to ``size`` due rows; with ``skip`` (ignoring the backoff) every queued row
    is due except those already tried in this run."""
    queued = OutboxMessage.status == "queued"
    if skip is None:
        queued = and_(queued, OutboxMessage.next_attempt_at <= now)  # type: ignore[assignment]
    elif skip:
        queued = and_(queued, OutboxMessage.id.not_in(list(skip)))  # type: ignore[assignment]
    due = or_(
        queued,
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


def _prepare(
    database: Database, ids: Sequence[int], settings: SmtpSettings
) -> tuple[list[_Prepared], list[tuple[int, int, str]]]:
    """The emails of the claimed rows, and (id, attempts, reason) of rows that cannot be
    written as an email at all (a broken stored address, say): those fail for good."""
    prepared = []
    unwritable = []
    with database.read() as session:
        rows = session.scalars(
            select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)
        )
        for row in rows:
            # Reading may fail (the database's fault: it propagates and every claim is
            # released); building the email from what was read fails only for this row.
            rendered = render(session, row)
            try:
                message = build_email(
                    settings,
                    to=row.recipient_email,
                    subject=rendered.subject,
                    text=rendered.text,
                    html=rendered.html,
                    message_id_header=message_id(row.message_key, settings.sender_domain),
                )
            except Exception as exc:
                unwritable.append((row.id, row.attempts, f"cannot be written as an email: {exc}"))
                continue
            prepared.append(_Prepared(row.id, row.attempts, row.recipient_email, message))
    return prepared, unwritable


def _left_over(database: Database, tried: set[int]) -> tuple[int, int]:
    """Queued rows this run did not try, and rows another sender holds."""
    with database.read() as session:
        untried = select(func.count()).where(OutboxMessage.status == "queued")
        if tried:
            untried = untried.where(OutboxMessage.id.not_in(list(tried)))
        elsewhere = select(func.count()).where(OutboxMessage.status == "sending")
        return session.scalar(untried) or 0, session.scalar(elsewhere) or 0


def _mine(row_id: int, sender_id: str) -> object:
    """Only the sender holding the claim may settle a row (a taken-over claim is not ours)."""
    return and_(
        OutboxMessage.id == row_id,
        OutboxMessage.status == "sending",
        OutboxMessage.claimed_by == sender_id,
    )


def _release(database: Database, ids: Sequence[int], sender_id: str) -> None:
    """Hand claimed rows back untried: no attempt counted, due again at once."""
    with database.write() as session:
        session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(list(ids)),
                OutboxMessage.status == "sending",
                OutboxMessage.claimed_by == sender_id,
            )
            .values(status="queued", claimed_by=None, claimed_at=None)
            .execution_options(synchronize_session=False)
        )


def _release_quietly(database: Database, ids: Sequence[int], sender_id: str) -> None:
    """Release after an error; a database that is gone leaves the claim to go stale."""
    if not ids:
        return
    try:
        _release(database, ids, sender_id)
    except Exception:
        log.warning("could not release %d claimed outbox row(s)", len(ids), exc_info=True)


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
    row_id: int,
    attempts: int,
    failure: Failure,
    sender_id: str,
    now: datetime,
    max_attempts: int,
) -> bool:
    """Requeue with backoff (True) or mark failed (False)."""
    attempts += 1
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
            .where(_mine(row_id, sender_id))  # type: ignore[arg-type]
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    return retry


def retry_failed(
    database: Database, ids: Sequence[int] | None = None, *, now: datetime | None = None
) -> int:
    """Queue failed rows again (all of them, or only ``ids``); returns how many.

    Given ids must all exist and have failed; otherwise nothing changes and a typed error
    says which ones do not fit.
    """
    condition = OutboxMessage.status == "failed"
    if ids is not None:
        if not ids:
            return 0
        condition = and_(condition, OutboxMessage.id.in_(list(ids)))  # type: ignore[assignment]
    with database.write() as session:
        if ids is not None:
            _check_retryable(session, ids)
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


def _check_retryable(session: Session, ids: Sequence[int]) -> None:
    found = dict(
        session.execute(
            select(OutboxMessage.id, OutboxMessage.status).where(OutboxMessage.id.in_(list(ids)))
        ).all()
    )
    missing = sorted(set(ids) - set(found))
    if missing:
        listed = ", ".join(str(i) for i in missing)
        raise NotFoundError(f"There is no email {listed} in the outbox; nothing was retried.")
    not_failed = sorted(i for i, status in found.items() if status != "failed")
    if not_failed:
        listed = ", ".join(f"{i} ({found[i]})" for i in not_failed)
        raise InvalidInputError(
            f"Only failed emails can be retried; not failed: {listed}. Nothing was retried."
        )
