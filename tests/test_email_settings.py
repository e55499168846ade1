"""SMTP settings: a JSON file per user; the password only in the keyring."""

from __future__ import annotations

import json

import pytest

from leaddesk.errors import InvalidInputError
from leaddesk.notify.smtp_settings import (
    KEYRING_SMTP_SERVICE,
    Security,
    SmtpSettings,
    SmtpSettingsStore,
    default_settings_path,
    get_password,
    store_password,
)


def test_defaults_when_nothing_is_saved():
    settings = SmtpSettingsStore().load()
    assert settings == SmtpSettings()
    assert (settings.host, settings.port, settings.security) == ("localhost", 25, Security.NONE)
    assert settings.from_address == "leaddesk@localhost"


def test_settings_file_lives_in_the_isolated_config_dir(tmp_path_factory):
    path = default_settings_path()
    assert path.name == "email.json"
    assert "config" in str(path)
    store = SmtpSettingsStore()
    store.save(SmtpSettings(host="mail.example.com", port=587, security=Security.STARTTLS))
    assert path.exists()
    assert store.load().host == "mail.example.com"


def test_save_and_load_round_trip():
    store = SmtpSettingsStore()
    settings = SmtpSettings(
        host="smtp.example.com",
        port=465,
        security=Security.SSL,
        user="mailer",
        from_address="crm@example.com",
        timeout=7.5,
    )
    store.save(settings)
    assert store.load() == settings


def test_password_never_lands_in_the_settings_file(memory_keyring):
    store = SmtpSettingsStore()
    settings = SmtpSettings(host="smtp.example.com", user="mailer", from_address="a@example.com")
    secret = "pa55-w0rd-secret-Ünïcode"
    store.save(settings)
    store.set_password(settings, secret)
    store.save(settings)

    raw = store.path.read_text(encoding="utf-8")
    assert secret not in raw
    assert "password" not in json.loads(raw)
    assert memory_keyring.secrets == {(KEYRING_SMTP_SERVICE, "mailer@smtp.example.com"): secret}
    assert get_password(store.load()) == secret
    # No stray temporary files holding anything either.
    assert [p.name for p in store.path.parent.iterdir()] == ["email.json"]


def test_empty_password_removes_it_and_no_user_means_no_password(memory_keyring):
    settings = SmtpSettings(user="mailer")
    store_password(settings, "x")
    store_password(settings, "")
    assert memory_keyring.secrets == {}
    assert get_password(SmtpSettings()) is None
    with pytest.raises(InvalidInputError, match="user name"):
        store_password(SmtpSettings(), "x")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"host": " "}, "host name"),
        ({"port": 0}, "between 1 and 65535"),
        ({"from_address": "not an address"}, "not an email address"),
        ({"ca_file": "/nonexistent/ca.pem"}, "does not exist"),
    ],
)
def test_invalid_settings_are_refused_and_not_saved(changes, message):
    store = SmtpSettingsStore()
    with pytest.raises(InvalidInputError, match=message):
        store.save(SmtpSettings().with_overrides(**changes))
    assert not store.path.exists()


def test_unknown_security_and_damaged_file_give_clear_errors():
    with pytest.raises(InvalidInputError, match="not one of: none, starttls, ssl"):
        SmtpSettings().with_overrides(security="tls13")
    store = SmtpSettingsStore()
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.write_text("{broken", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="not valid JSON"):
        store.load()
    store.path.write_text('{"port": "many"}', encoding="utf-8")
    with pytest.raises(InvalidInputError, match="damaged"):
        store.load()


def test_overrides_keep_fields_that_are_not_given():
    base = SmtpSettings(host="a", user="u")
    changed = base.with_overrides(host=None, port="2525", security="STARTTLS")
    assert (changed.host, changed.port, changed.security, changed.user) == (
        "a",
        2525,
        Security.STARTTLS,
        "u",
    )
