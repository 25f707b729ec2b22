"""Redis as a mailbox with a few sticky notes: one client, leases, markers and a lock.

Nothing here is the truth. A note lost with Redis (a restart, a flush) only means that the sweeper
sends a message again or that two workers race for a row, and the rows' conditional updates settle
that race. So every function here fails open: when Redis does not answer, it says "go ahead".
"""
from __future__ import annotations

import json
import logging
import os
import socket
import uuid

import redis

from studio import redis_connection

log = logging.getLogger(__name__)

PREFIX = "studio:"

# Deletes a key only while it still holds our token: a lapsed lease taken over by another worker
# is not ours to release.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def client() -> redis.Redis:
    return redis_connection.client()


def worker_id() -> str:
    """Who holds a claim or lease: host and process, so a restarted worker can tell it is not its own."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Lease:
    """A time-limited hold on one piece of work: `with Lease("fetch:12", 300) as held: if held: ...`."""

    def __init__(self, name: str, seconds: float):
        self.key = PREFIX + "lease:" + name
        self.ms = max(1, int(seconds * 1000))
        self.token = f"{worker_id()}:{uuid.uuid4().hex[:8]}"
        self.held = False

    def acquire(self) -> bool:
        try:
            self.held = bool(client().set(self.key, self.token, nx=True, px=self.ms))
        except redis.RedisError as exc:
            log.warning("lease %s: Redis unavailable (%s); going ahead without it", self.key, exc)
            self.held = True  # the row's conditional updates still keep two holders apart
            self.token = ""
        return self.held

    def release(self) -> None:
        if not (self.held and self.token):
            return
        try:
            client().eval(_RELEASE, 1, self.key, self.token)
        except redis.RedisError:
            pass  # it lapses on its own
        self.held = False

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def is_leased(name: str) -> bool:
    try:
        return bool(client().exists(PREFIX + "lease:" + name))
    except redis.RedisError:
        return False


def mark_sent(name: str, seconds: float) -> None:
    """Note that a message for `name` is on its way and due within `seconds`."""
    try:
        client().set(PREFIX + "sent:" + name, "1", px=max(1, int(seconds * 1000)))
    except redis.RedisError:
        pass


def clear_sent(name: str) -> None:
    try:
        client().delete(PREFIX + "sent:" + name)
    except redis.RedisError:
        pass


def sent_names(names: list[str]) -> set[str]:
    """Which of `names` have a message noted as on its way (none when Redis does not answer)."""
    if not names:
        return set()
    try:
        found = client().mget([PREFIX + "sent:" + n for n in names])
        leased = client().mget([PREFIX + "lease:" + n for n in names])
    except redis.RedisError:
        return set()
    return {n for n, a, b in zip(names, found, leased) if a or b}


def note(name: str, data: dict, seconds: float) -> None:
    """Leave a note for the operations page (e.g. when the sweeper last ran), kept `seconds`."""
    try:
        client().set(PREFIX + "note:" + name, json.dumps(data), px=max(1, int(seconds * 1000)))
    except redis.RedisError:
        pass


def read_note(name: str) -> dict | None:
    """The note, or None when there is none (or Redis does not answer: the page says so)."""
    raw = client().get(PREFIX + "note:" + name)
    return json.loads(raw) if raw else None


def try_lock(name: str, seconds: float) -> bool:
    """At most one holder per `seconds` (never released early: e.g. one sweep per period)."""
    try:
        return bool(client().set(PREFIX + "lock:" + name, worker_id(), nx=True, px=max(1, int(seconds * 1000))))
    except redis.RedisError:
        return True
