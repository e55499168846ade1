"""A throwaway PostgreSQL cluster for the test run, from the machine's server binaries.

Debian's ``postgresql-15`` package puts ``initdb`` and ``pg_ctl`` under
``/usr/lib/postgresql/15/bin`` (not on PATH). The server refuses to run as root, so when the
tests run as root the cluster is created and started as the ``postgres`` OS user.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Cluster:
    admin_url: str
    data_dir: Path | None = None
    bin_dir: Path | None = None
    options: str = ""

    def pause(self) -> None:
        """Stop the server as a crash would (immediate), keeping its data: "offline"."""
        assert self.data_dir is not None and self.bin_dir is not None
        stopped = _run_as_owner(
            [str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "stop"]
        )
        assert stopped.returncode == 0, stopped.stderr

    def resume(self) -> None:
        """Start it again on the same port with the same data: back online."""
        assert self.data_dir is not None and self.bin_dir is not None
        _start(self.bin_dir, self.data_dir, self.options)

    def stop(self) -> None:
        if self.data_dir is None or self.bin_dir is None:
            return
        _run_as_owner(
            [str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "stop"]
        )
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)


def find_bin_dir() -> Path | None:
    override = os.environ.get("LEADDESK_PG_BIN")
    candidates = (
        [override] if override else sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    )
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_owner_prefix() -> list[str]:
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", "postgres", "--"]


def _run_as_owner(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _as_owner_prefix() + command, capture_output=True, text=True, check=False, timeout=120
    )


def start_cluster(*, durable: bool = False) -> Cluster | None:
    """Start a cluster on a free loopback port; None when no server binaries exist.

    ``durable``: a commit survives a crash (``Cluster.pause`` is one), as on a real server.
    """
    bin_dir = find_bin_dir()
    if bin_dir is None:
        return None
    root = Path(tempfile.mkdtemp(prefix="leaddesk-pg-"))
    data_dir = root / "data"
    socket_dir = root / "socket"
    socket_dir.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        shutil.chown(socket_dir, "postgres", "postgres")
    init = _run_as_owner(
        [
            str(bin_dir / "initdb"),
            "-D",
            str(data_dir),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
        ]
    )
    if init.returncode != 0:
        raise RuntimeError(f"initdb failed: {init.stderr.strip()}")
    port = _free_port()
    options = f"-p {port} -k {socket_dir} -c listen_addresses=127.0.0.1 -c max_connections=200"
    if not durable:
        # Fast and fine for a cluster that is only ever stopped for good.
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    _start(bin_dir, data_dir, options)
    return Cluster(
        admin_url=f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres",
        data_dir=data_dir,
        bin_dir=bin_dir,
        options=options,
    )


def _start(bin_dir: Path, data_dir: Path, options: str) -> None:
    log = data_dir.parent / "server.log"
    start = _run_as_owner(
        [
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data_dir),
            "-o",
            options,
            "-l",
            str(log),
            "-w",
            "-t",
            "60",
            "start",
        ]
    )
    if start.returncode != 0:
        text = log.read_text() if log.exists() else ""
        raise RuntimeError(f"pg_ctl start failed: {start.stderr.strip()} {text[-2000:]}")


def reload_with_password_logins(cluster: Cluster, *, except_user: str) -> None:
    """Make loopback logins need a password (scram-sha-256), except ``except_user``, who
    stays trusted so the tests can still set up; the cluster reloads its rules."""
    assert cluster.data_dir is not None and cluster.bin_dir is not None
    rules = (
        "local all all trust\n"
        f"host all {except_user} 127.0.0.1/32 trust\n"
        "host all all 127.0.0.1/32 scram-sha-256\n"
    )
    hba = cluster.data_dir / "pg_hba.conf"
    _run_as_owner(["sh", "-c", f"cat > {hba} <<'RULES'\n{rules}RULES"])
    reloaded = _run_as_owner(
        [str(cluster.bin_dir / "pg_ctl"), "-D", str(cluster.data_dir), "reload"]
    )
    assert reloaded.returncode == 0, reloaded.stderr
