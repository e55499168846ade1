"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``LEADDESK_TEST_PG_URL`` (an admin URL that may CREATE DATABASE) or
from a throwaway cluster started from the machine's server binaries. Where neither exists
the PostgreSQL cases skip, unless ``LEADDESK_REQUIRE_PG=1`` (set by ``.ci/run``), which
makes that an error.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import pytest

from leaddesk.store.database import Database, open_database
from tests.helpers.databases import PostgresFactory, SqliteFactory
from tests.helpers.keyring_memory import MemoryKeyring
from tests.helpers.postgres import start_cluster

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

BACKENDS = ["sqlite", "postgresql"]

# Fixtures kept beside their helpers: ``engines`` (three engines on one test database).
pytest_plugins = ["tests.helpers.interleave", "tests.helpers.offline"]


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def restored_environment() -> Iterator[None]:
    """Each test leaves the environment as it found it: the window's ``--screenshot`` start,
    run in-process, sets variables for the rest of its process (it exits right after)."""
    saved = dict(os.environ)
    yield
    if os.environ != saved:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(autouse=True)
def isolated_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test reads or writes the real per-user database or settings."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.delenv("LEADDESK_DB", raising=False)


@pytest.fixture(scope="session")
def sqlite_factory(tmp_path_factory: pytest.TempPathFactory) -> SqliteFactory:
    return SqliteFactory(tmp_path_factory.mktemp("sqlite"))


@pytest.fixture(scope="session")
def postgres_factory() -> Iterator[PostgresFactory | None]:
    url = os.environ.get("LEADDESK_TEST_PG_URL")
    cluster = None
    if not url:
        cluster = start_cluster()
        url = cluster.admin_url if cluster else None
    if url is None:
        yield None
        return
    factory = PostgresFactory(url)
    yield factory
    factory.dispose()
    if cluster is not None:
        cluster.stop()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def make_db_url(
    backend: str,
    sqlite_factory: SqliteFactory,
    postgres_factory: PostgresFactory | None,
) -> Iterator[Callable[..., str]]:
    """Make a fresh database on this test's backend; ``demo=False`` for an empty schema."""
    if backend == "postgresql":
        if postgres_factory is None:
            if os.environ.get("LEADDESK_REQUIRE_PG") == "1":
                pytest.fail("PostgreSQL is required (LEADDESK_REQUIRE_PG=1) but not available")
            pytest.skip("no PostgreSQL server binaries and no LEADDESK_TEST_PG_URL")
        factory: SqliteFactory | PostgresFactory = postgres_factory
    else:
        factory = sqlite_factory
    made: list[str] = []

    def make(demo: bool = True) -> str:
        url = factory.create(demo)
        made.append(url)
        return url

    yield make
    for url in made:
        factory.drop(url)


@pytest.fixture
def db_url(make_db_url: Callable[..., str]) -> str:
    """A fresh database with the demo data, on SQLite or PostgreSQL."""
    return make_db_url()


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    db = open_database(db_url)
    yield db
    db.dispose()


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say plainly how many tests ran on each database, so a CI log shows PostgreSQL ran."""
    counts: dict[str, dict[str, int]] = {}
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            if getattr(report, "when", "call") != "call" and outcome != "skipped":
                continue
            nodeid = getattr(report, "nodeid", "")
            for name in BACKENDS:
                if f"[{name}" in nodeid or f"-{name}]" in nodeid or f"-{name}-" in nodeid:
                    counts.setdefault(name, {}).setdefault(outcome, 0)
                    counts[name][outcome] += 1
    for name in BACKENDS:
        parts = ", ".join(f"{n} {o}" for o, n in sorted(counts.get(name, {}).items()))
        terminalreporter.write_line(f"{name} database tests: {parts or 'none ran'}")
