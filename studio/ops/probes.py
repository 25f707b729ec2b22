"""Readiness: can this process reach what it needs? The database, Redis, and storage (a probe object
is written, read back and deleted). Each probe answers its state and how long it took; none raises.
"""
from __future__ import annotations

import socket
import time
import uuid
from dataclasses import dataclass

import redis
from django.conf import settings
from django.db import connection

from studio.gallery import storage

PROBE_PREFIX = "ops/readyz/"


@dataclass(frozen=True)
class ProbeResult:
    state: str  # "ok" or "error"
    ms: float
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.state == "ok"

    def as_dict(self) -> dict:
        return {"state": self.state, "ms": round(self.ms, 1), **({"detail": self.detail} if self.detail else {})}


def _timed(check) -> ProbeResult:
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:  # noqa: BLE001 - any failure is the answer, named but never raised
        return ProbeResult("error", (time.perf_counter() - started) * 1000, f"{type(exc).__name__}: {str(exc)[:200]}")
    return ProbeResult("ok", (time.perf_counter() - started) * 1000)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _redis() -> None:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    finally:
        client.close()


def _storage() -> None:
    key = f"{PROBE_PREFIX}{socket.gethostname()}-{uuid.uuid4().hex}.probe"
    payload = uuid.uuid4().bytes
    storage.save_bytes(key, payload)
    try:
        with storage.open_key(key) as fh:
            if fh.read() != payload:
                raise OSError("the probe object read back differently from what was written")
    finally:
        storage.delete_key(key)


PROBES = {"database": _database, "redis": _redis, "storage": _storage}


def readiness() -> dict[str, ProbeResult]:
    return {name: _timed(check) for name, check in PROBES.items()}
