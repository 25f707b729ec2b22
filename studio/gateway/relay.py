"""`stream=true`: partial images as the worker receives them, then one completed event per image, in the
upstream's event format (`image_generation.*` for generations, `image_edit.*` for edits)."""
from __future__ import annotations

import base64
import json
import time

from studio.generation.live import db
from studio.generation.models import Job

from . import answers
from .errors import GatewayError


def _event(name: str, data: dict) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


def prefix(job: Job) -> str:
    return "image_generation" if job.kind == Job.Kind.GENERATE else "image_edit"


def partial_event(job: Job, index: int, data: bytes) -> bytes:
    name = f"{prefix(job)}.partial_image"
    return _event(name, {"type": name, "b64_json": base64.b64encode(data).decode(), "partial_image_index": index,
                         "created_at": int(time.time()), **answers.echoed(job)})


def _completed_events(job: Job) -> list[bytes]:
    """The final events of a finished job: one completed event per stored image, or an error event."""
    try:
        images = answers.stored_images(job)
        if job.status == Job.Status.FAILED or not images:
            raise answers.job_failed(job.failure_code, job.failure_message)
    except GatewayError as exc:
        return [_event("error", {"type": "error", "error": {"message": exc.message, "type": exc.type,
                                                             "param": exc.param, "code": exc.code}})]
    name = f"{prefix(job)}.completed"
    out = []
    for image in images:
        done = {"type": name, "b64_json": answers.image_b64(image),
                "created_at": job.response_created or int(time.time()), **answers.echoed(job, image)}
        if job.usage:
            done["usage"] = job.usage
        out.append(_event(name, done))
    return out


async def stream(first: list, rest):
    """The event stream: what was already waited for (`first`), then the rest of `waiting.progress`."""
    async for item in _chain(first, rest):
        if item[0] == "partial":
            _, index, data, job = item
            yield partial_event(job, index, data)
        else:
            for chunk in await db(_completed_events, item[1]):
                yield chunk


async def _chain(first: list, rest):
    for item in first:
        yield item
    async for item in rest:
        yield item
