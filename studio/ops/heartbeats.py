"""Workers say they are alive: every STUDIO_HEARTBEAT_SECONDS each worker writes a note to Redis that
lapses after three missed beats, with how many tasks it is running. The operations page lists them.

A worker killed with -9 writes nothing on its way out; its note simply lapses.
"""
from __future__ import annotations

import json
import logging
import os
import threading
import time

import redis
from celery import signals
from django.conf import settings

from studio.generation.services import mailbox

log = logging.getLogger(__name__)

KEY_PREFIX = mailbox.PREFIX + "worker:"


class _Beat:
    def __init__(self):
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None
        self.node = ""
        self.queues: list[str] = []
        self.concurrency = 0
        self.started = 0.0
        self.active = 0
        self.lock = threading.Lock()

    def record(self) -> dict:
        return {"node": self.node, "pid": os.getpid(), "queues": self.queues, "concurrency": self.concurrency,
                "started": self.started, "at": time.time(), "active": self.active}

    def beat_once(self) -> None:
        period = settings.STUDIO_HEARTBEAT_SECONDS
        try:
            mailbox.client().set(KEY_PREFIX + self.node, json.dumps(self.record()), px=int(period * 3 * 1000))
        except redis.RedisError as exc:
            log.warning("heartbeat not written (%s)", exc)

    def run(self) -> None:
        while True:
            self.beat_once()
            if self.stop.wait(settings.STUDIO_HEARTBEAT_SECONDS):
                return


_beat = _Beat()


@signals.celeryd_after_setup.connect
def remember_worker(sender=None, instance=None, **kwargs) -> None:
    _beat.node = str(sender)
    _beat.concurrency = int(getattr(instance, "concurrency", 0) or 0)
    queues = getattr(getattr(instance.app.amqp, "queues", None), "consume_from", None) or {}
    _beat.queues = sorted(queues)


@signals.worker_ready.connect
def start_beating(sender=None, **kwargs) -> None:
    if not _beat.node:
        _beat.node = str(getattr(sender, "hostname", "") or f"worker@{os.uname().nodename}")
    _beat.started = time.time()
    _beat.stop.clear()
    _beat.thread = threading.Thread(target=_beat.run, name="studio-heartbeat", daemon=True)
    _beat.thread.start()


@signals.worker_shutdown.connect
def stop_beating(**kwargs) -> None:
    _beat.stop.set()
    try:
        mailbox.client().delete(KEY_PREFIX + _beat.node)
    except redis.RedisError:
        pass


@signals.task_prerun.connect
def _task_started(**kwargs) -> None:
    with _beat.lock:
        _beat.active += 1


@signals.task_postrun.connect
def _task_ended(**kwargs) -> None:
    with _beat.lock:
        _beat.active = max(0, _beat.active - 1)


def alive_workers() -> list[dict]:
    """Every worker whose note has not lapsed, by name (raises redis.RedisError when Redis is down)."""
    client = mailbox.client()
    keys = sorted(client.scan_iter(match=KEY_PREFIX + "*", count=500))
    notes = client.mget(keys) if keys else []
    return [json.loads(raw) for raw in notes if raw]
