"""Where email goes out: SMTP settings in a per-user JSON file, the password in the keyring.

The settings file holds host, port, security, user name, sender address and an optional CA
file. The password never touches the file (or a log line): it lives in the OS keyring under
the service ``LeadDesk SMTP`` and the account ``user@host``.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

from leaddesk.errors import InvalidInputError
from leaddesk.system_keyring import system_keyring
from leaddesk.text_safety import is_email

APP_NAME = "LeadDesk"
KEYRING_SMTP_SERVICE = "LeadDesk SMTP"
SETTINGS_FILE_NAME = "email.json"


class Security(StrEnum):
    NONE = "none"
    STARTTLS = "starttls"
    SSL = "ssl"


# The port a server usually listens on for each kind of security.
DEFAULT_PORTS = {Security.NONE: 25, Security.STARTTLS: 587, Security.SSL: 465}


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "localhost"
    port: int = 25
    security: Security = Security.NONE
    user: str = ""
    from_address: str = "leaddesk@localhost"
    # A PEM file of extra certificate authorities to trust (a company's own CA).
    ca_file: str = ""
    # Seconds for connecting and for each server reply, so a slow server never hangs a send.
    timeout: float = 20.0

    @property
    def keyring_account(self) -> str:
        return f"{self.user}@{self.host}"

    @property
    def sender_domain(self) -> str:
        domain = self.from_address.rpartition("@")[2].strip(" >")
        return domain or "localhost"

    def with_overrides(self, **changes: object) -> SmtpSettings:
        """A copy with the given fields replaced; ``None`` values keep the current field."""
        given = {key: value for key, value in changes.items() if value is not None}
        if "security" in given:
            given["security"] = parse_security(str(given["security"]))
        if "port" in given:
            given["port"] = int(given["port"])  # type: ignore[call-overload]
        return replace(self, **given)  # type: ignore[arg-type]

    def validated(self) -> SmtpSettings:
        """These settings, or an InvalidInputError that says what is wrong."""
        if not self.host.strip():
            raise InvalidInputError("Enter the SMTP server's host name.")
        if not 1 <= self.port <= 65535:
            raise InvalidInputError(f"SMTP port {self.port} is not between 1 and 65535.")
        if not is_email(self.from_address.strip(), local_domain=True):
            raise InvalidInputError(f"'{self.from_address}' is not an email address to send from.")
        if self.ca_file and not Path(self.ca_file).is_file():
            raise InvalidInputError(f"The CA file {self.ca_file} does not exist.")
        if self.timeout <= 0:
            raise InvalidInputError("The SMTP timeout must be more than zero seconds.")
        return replace(self, host=self.host.strip(), from_address=self.from_address.strip())


def parse_security(value: str) -> Security:
    try:
        return Security(value.strip().lower())
    except ValueError:
        choices = ", ".join(item.value for item in Security)
        raise InvalidInputError(f"SMTP security '{value}' is not one of: {choices}.") from None


def default_settings_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, APP_NAME)) / SETTINGS_FILE_NAME


_STORED_FIELDS = ("host", "port", "security", "user", "from_address", "ca_file", "timeout")


def _from_json(data: object, path: Path) -> SmtpSettings:
    if not isinstance(data, dict):
        raise InvalidInputError(f"The email settings file {path} is not a JSON object.")
    defaults = SmtpSettings()
    values = {name: data.get(name, getattr(defaults, name)) for name in _STORED_FIELDS}
    try:
        return SmtpSettings(
            host=str(values["host"]),
            port=int(values["port"]),
            security=parse_security(str(values["security"])),
            user=str(values["user"] or ""),
            from_address=str(values["from_address"]),
            ca_file=str(values["ca_file"] or ""),
            timeout=float(values["timeout"]),
        )
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"The email settings file {path} is damaged: {exc}") from exc


class SmtpSettingsStore:
    """Reads and writes the settings file and the keyring entry for one user profile."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_settings_path()

    def load(self) -> SmtpSettings:
        """The stored settings, or the defaults when nothing was saved yet."""
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return SmtpSettings()
        except OSError as exc:
            raise InvalidInputError(f"Cannot read the email settings {self.path}: {exc}") from exc
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(
                f"The email settings file {self.path} is not valid JSON: {exc}"
            ) from exc
        return _from_json(data, self.path)

    def save(self, settings: SmtpSettings) -> None:
        """Write the settings (never a password) atomically: a crash leaves the old file."""
        settings = settings.validated()
        data = {name: getattr(settings, name) for name in _STORED_FIELDS}
        data["security"] = settings.security.value
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".email-", suffix=".json", dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(data, stream, indent=2)
                stream.write("\n")
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def password(self, settings: SmtpSettings) -> str | None:
        return get_password(settings)

    def set_password(self, settings: SmtpSettings, password: str) -> None:
        store_password(settings, password)


def get_password(settings: SmtpSettings) -> str | None:
    """The SMTP password from the OS keyring; None without a user or a stored password."""
    if not settings.user:
        return None
    # keyring is imported only when a password is looked up (it is slow to import).
    keyring = system_keyring()
    try:
        return keyring.get_password(KEYRING_SMTP_SERVICE, settings.keyring_account)
    except keyring.errors.KeyringError:
        return None


def store_password(settings: SmtpSettings, password: str) -> None:
    """Keep the password in the OS keyring; an empty password removes the entry."""
    if not settings.user:
        raise InvalidInputError("Enter an SMTP user name before saving a password.")
    keyring = system_keyring()
    try:
        if password:
            keyring.set_password(KEYRING_SMTP_SERVICE, settings.keyring_account, password)
        else:
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                keyring.delete_password(KEYRING_SMTP_SERVICE, settings.keyring_account)
    except keyring.errors.KeyringError as exc:
        raise InvalidInputError(
            f"The system keyring refused to store the SMTP password: {exc}"
        ) from exc
