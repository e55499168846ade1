"""One SMTP session: connect with the chosen security, log in, build and send messages.

Also turns what ``smtplib`` and ``ssl`` raise into sentences for a person and decides whether
a failure is worth retrying. Used by the outbox sender and by "Send test email".
"""

from __future__ import annotations

import smtplib
import socket
import ssl
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate

from leaddesk.errors import LeadDeskError
from leaddesk.notify.smtp_settings import Security, SmtpSettings
from leaddesk.text_safety import is_email, one_line


class EmailDeliveryError(LeadDeskError):
    """The SMTP server could not be reached or refused; the sentence says which and why."""


@dataclass(frozen=True)
class Failure:
    text: str
    permanent: bool
    # The SMTP session is unusable afterwards; the next message needs a new connection.
    connection_lost: bool = False


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
        return connect(settings, password, ssl_context)
    except (OSError, smtplib.SMTPException) as exc:
        raise EmailDeliveryError(describe_connection_error(settings, exc)) from exc


def connect(
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
        close_quietly(connection)
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


def classify(exc: BaseException) -> Failure:
    """Decide whether a failed send is worth retrying, and keep the server's words."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
        return Failure(_format_reply(code, text), permanent=code >= 500)
    if _timed_out(exc):
        return Failure("the server stopped answering", permanent=False, connection_lost=True)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return Failure(f"connection lost: {exc}", permanent=False, connection_lost=True)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return Failure(str(exc), permanent=True)
    if isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        # 421: the server is shutting the session down; everything else keeps it open.
        return Failure(_reply_text(exc), permanent=code >= 500, connection_lost=code == 421)
    if isinstance(exc, OSError):
        return Failure(f"connection lost: {exc}", permanent=False, connection_lost=True)
    # A message the server can never take (e.g. an address smtplib cannot encode).
    return Failure(f"cannot send: {exc}", permanent=True)


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


def send_test_email(
    settings: SmtpSettings,
    password: str | None,
    to_address: str,
    *,
    ssl_context: ssl.SSLContext | None = None,
) -> None:
    """Send one short message now; raises EmailDeliveryError saying what went wrong."""
    to_address = to_address.strip()
    if not is_email(to_address):
        raise EmailDeliveryError(
            f"'{one_line(to_address)}' is not an email address to send a test to."
        )
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
            f"The SMTP server did not accept the test email: {classify(exc).text}"
        ) from exc
    finally:
        close_quietly(connection)


def close_quietly(connection: smtplib.SMTP) -> None:
    try:
        connection.quit()
    except (OSError, smtplib.SMTPException):
        connection.close()
