"""Waiting for a job without a thread: live events wake the waiter (generation/live.py), and the row is
read again every STUDIO_LIVE_CHECK_SECONDS in case an event was lost. The database is the truth."""
from __future__ import annotations

import asyncio

from django.conf import settings

from studio.generation import live
from studio.generation.models import Job
from studio.generation.services import events
from studio.gallery import storage


async def _job(job_id: int) -> Job:
    return await live.db(Job.objects.select_related("api_token").get, pk=job_id)


async def settled(job_id: int) -> Job:
    """The job once it is finished, or as it is when STUDIO_GATEWAY_WAIT_SECONDS have passed."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + settings.STUDIO_GATEWAY_WAIT_SECONDS
    async with live.listen() as inbox:
        while True:
            job = await _job(job_id)
            if job.is_finished or loop.time() >= deadline:
                return job
            await live.next_event(inbox, lambda e: e.get("job") == job_id and e.get("event") == events.SETTLED,
                                  min(settings.STUDIO_LIVE_CHECK_SECONDS, max(0.0, deadline - loop.time())))


async def progress(job_id: int):
    """Yields ("partial", index, bytes) for each partial image as the worker keeps it, then ("finished", job).

    The job's `previews` list is what is relayed (events only say when to look), so a missed event delays
    a partial image and never loses it, unless the job settled first and its previews were discarded."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + settings.STUDIO_GATEWAY_WAIT_SECONDS
    relayed = 0
    wanted = (events.PARTIAL_IMAGE, events.SETTLED)
    async with live.listen() as inbox:
        while True:
            job = await _job(job_id)
            for index in range(relayed, len(job.previews)):
                data = await live.db(_read_preview, job.previews[index])
                if data is not None:
                    yield "partial", index, data, job
            relayed = len(job.previews)
            if job.is_finished or loop.time() >= deadline:
                yield "finished", job
                return
            await live.next_event(inbox, lambda e: e.get("job") == job_id and e.get("event") in wanted,
                                  min(settings.STUDIO_LIVE_CHECK_SECONDS, max(0.0, deadline - loop.time())))


def _read_preview(key: str) -> bytes | None:
    try:
        return b"".join(storage.iter_key(key))
    except (OSError, Exception):  # noqa: BLE001 - discarded at settlement: the final image follows
        return None
