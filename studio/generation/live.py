"""Listening to live job events (services/events.py) in an async process: one Redis subscription per
event loop, shared by every waiting request of that process.

`async with listen() as inbox:` gives a queue of event dicts; each listener picks what concerns it
(the /v1 gateway: one job; the pages' event stream: jobs its person may see). A broken subscription is
opened again after a second; listeners also read the database every STUDIO_LIVE_CHECK_SECONDS, so an
event lost meanwhile only arrives late. 200 waiting requests are 200 queues and one connection: no thread.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import weakref

import redis.asyncio as aioredis
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection

from .services.events import channel

log = logging.getLogger(__name__)

INBOX_SIZE = 256  # a listener that falls this far behind drops events; its database check catches up


class _Hub:
    def __init__(self) -> None:
        self.inboxes: set[asyncio.Queue] = set()
        self.subscribed = asyncio.Event()
        self.task: asyncio.Task | None = None

    def start(self) -> None:
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._run(), name="studio-live-events")

    async def _run(self) -> None:
        while True:
            client = aioredis.Redis.from_url(settings.REDIS_URL)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(channel())
                    self.subscribed.set()
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self._deliver(message["data"])
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - Redis went away: listeners fall back on the database
                log.warning("live events: subscription lost (%s); subscribing again in 1 s", exc)
            finally:
                self.subscribed.clear()
                with contextlib.suppress(Exception):
                    await client.aclose()
            await asyncio.sleep(1.0)

    def _deliver(self, raw: bytes) -> None:
        try:
            event = json.loads(raw)
        except ValueError:
            return
        for inbox in list(self.inboxes):
            with contextlib.suppress(asyncio.QueueFull):
                inbox.put_nowait(event)


_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Hub]" = weakref.WeakKeyDictionary()


def _hub() -> _Hub:
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = _Hub()
    hub.start()
    return hub


@contextlib.asynccontextmanager
async def listen(*, ready_within: float = 2.0):
    """A queue of every job event published while the block runs. Waits (up to `ready_within`) for the
    subscription, so an event sent right after entering is not missed while Redis answers."""
    hub = _hub()
    inbox: asyncio.Queue = asyncio.Queue(maxsize=INBOX_SIZE)
    hub.inboxes.add(inbox)
    try:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(hub.subscribed.wait(), ready_within)
        yield inbox
    finally:
        hub.inboxes.discard(inbox)


async def db(fn, *args, **kwargs):
    """`fn(*args, **kwargs)` on the request's thread, handing its database connection back at once: a
    waiting request or an event stream lives for minutes, and must not hold a connection meanwhile."""
    def run():
        try:
            return fn(*args, **kwargs)
        finally:
            if not connection.in_atomic_block:
                connection.close()

    return await sync_to_async(run)()


async def next_event(inbox: asyncio.Queue, accept, timeout: float) -> dict | None:
    """The next event `accept(event)` takes within `timeout` seconds, or None."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        left = deadline - loop.time()
        if left <= 0:
            return None
        try:
            event = await asyncio.wait_for(inbox.get(), left)
        except TimeoutError:
            return None
        if accept(event):
            return event
