"""A PostgreSQL cluster of a test's own, on a free port in a temporary folder, that the test may stop
and restart: the machine's shared PostgreSQL is never touched (other test runs use it).

initdb refuses to run as root, so as root it runs as the `postgres` OS user (runuser). `PrivatePostgres.
unavailable()` says why one cannot be started here, for a skip.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from studio.devtools.processes import free_port, port_is_open


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


class PrivatePostgres:
    def __init__(self):
        self.bin = _bin_dir()
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="studio-private-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"

    @staticmethod
    def unavailable() -> str:
        if _bin_dir() is None:
            return "no initdb under /usr/lib/postgresql/*/bin (Debian's postgresql package)"
        if not shutil.which("psql") or not shutil.which("pg_dump"):
            return "psql and pg_dump are needed to copy the schema"
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                return "running as root with no `postgres` user to run initdb as"
            if not shutil.which("runuser"):
                return "running as root without runuser"
        return ""

    def _as_owner(self, *args: str) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)

    def _run(self, *args: str, timeout: float = 60) -> None:
        done = subprocess.run(self._as_owner(*args), capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"{Path(args[0]).name} failed: {done.stderr.strip() or done.stdout.strip()}")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/studio"

    def start(self) -> "PrivatePostgres":
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        if not self.data.exists():
            self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                      "--no-sync", "-E", "UTF8", timeout=120)
        self._ctl("start", "-w", "-t", "60", "-l", str(self.log), "-o",
                  f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                  f"-c max_connections=200 -c full_page_writes=off")
        return self

    def _ctl(self, *args: str) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), *args, timeout=90)

    def stop(self, mode: str = "fast") -> None:
        """`fast`: every client connection is cut at once, as in a restart."""
        if port_is_open("127.0.0.1", self.port):
            self._ctl("stop", "-m", mode, "-w", "-t", "60")

    def create_database_like(self, source_url: str) -> None:
        """An empty `studio` database with the schema of `source_url`'s (the migrated test database)."""
        psql = ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-q", "-v", "ON_ERROR_STOP=1"]
        subprocess.run([*psql, "-d", "postgres", "-c", "CREATE DATABASE studio"], check=True, capture_output=True)
        schema = subprocess.run(["pg_dump", "--schema-only", "--no-owner", "--no-privileges", source_url],
                                check=True, capture_output=True)
        subprocess.run([*psql, "-d", "studio"], input=schema.stdout, check=True, capture_output=True)

    def cleanup(self) -> None:
        try:
            self.stop("immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
