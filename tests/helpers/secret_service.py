"""A private D-Bus session with an unlocked GNOME Keyring: a real Secret Service, the
keyring a Linux desktop user has, started and stopped by the test (Debian's gnome-keyring
and dbus packages; .ci/run installs them)."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

KEYRING_UNLOCK_PASSWORD = b"leaddesk-test-login"


def missing_programs() -> list[str]:
    return [name for name in ("dbus-daemon", "gnome-keyring-daemon") if not shutil.which(name)]


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextmanager
def secret_service_session(home: Path) -> Iterator[str]:
    """Yields the session bus address; a Secret Service answers on it until the block ends."""
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert bus.stdout is not None
        address = bus.stdout.readline().decode().strip()
        assert address, "dbus-daemon printed no address"
        env = {"DBUS_SESSION_BUS_ADDRESS": address, "HOME": str(home), "PATH": "/usr/bin:/bin"}
        env["XDG_DATA_HOME"] = str(home / "data")
        env["XDG_RUNTIME_DIR"] = str(home / "runtime")
        (home / "runtime").mkdir(mode=0o700, exist_ok=True)
        daemon = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        try:
            assert daemon.stdin is not None
            daemon.stdin.write(KEYRING_UNLOCK_PASSWORD)
            daemon.stdin.close()
            _wait_for_service(address)
            yield address
        finally:
            _stop(daemon)
    finally:
        _stop(bus)
        if bus.stdout is not None:
            bus.stdout.close()


def _wait_for_service(address: str, timeout: float = 20.0) -> None:
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    bus = DBusAddress("/org/freedesktop/DBus", bus_name="org.freedesktop.DBus",
                      interface="org.freedesktop.DBus")  # fmt: skip
    deadline = time.monotonic() + timeout
    with open_dbus_connection(bus=address) as connection:
        while time.monotonic() < deadline:
            reply = connection.send_and_get_reply(
                new_method_call(bus, "NameHasOwner", "s", ("org.freedesktop.secrets",))
            )
            if reply.body[0]:
                return
            time.sleep(0.1)  # polling a daemon's start-up; no signal to wait on
    raise TimeoutError("gnome-keyring-daemon did not claim org.freedesktop.secrets")


def stored_secret(address: str, service: str, account: str) -> str | None:
    """Read a password back from that Secret Service, as any other program would."""
    import secretstorage
    from jeepney.io.blocking import open_dbus_connection

    with open_dbus_connection(bus=address) as connection:
        collection = secretstorage.get_default_collection(connection)
        for item in collection.search_items({"service": service, "username": account}):
            return item.get_secret().decode()
    return None
