"""Streaming requests as providers really answer them.

A streaming request may come back as an event stream (partial images become previews, each
``*.completed`` event is one final image), as plain JSON (servers that ignore ``stream=true``: the
answer is the result), or as an error before anything streamed (LiteLLM answers 500 to image
streaming). What breaks after the 200 is different: the provider has already charged for it, so it is
raised as ``StreamBroke`` and the caller counts it as paid.
"""
from __future__ import annotations

import base64
import logging
import time

import httpx2
import openai
from django.conf import settings
from django.db import connection

from studio.gallery import storage
from studio.gallery.imaging import extension_for_format

from ..models import Job
from . import events
from .recording import CallResult, Item

log = logging.getLogger(__name__)


class StreamCut(ConnectionError):
    """The event stream ended before the final image arrived."""


class StreamBroke(Exception):
    """A streaming request was answered 200 and then broke: the provider charged for an image that never
    arrived whole. ``cause`` is what broke it."""

    def __init__(self, cause: BaseException):
        super().__init__(str(cause))
        self.cause = cause


def release_db_connection() -> None:
    """Hand the thread's connection back (to PostgreSQL, or to the pool when one is configured): a call
    takes seconds to minutes, and a thread pool of many workers must not hold a connection each.

    Not inside a caller's transaction (tests, or a service composed into a larger atomic block):
    closing there would abort it.
    """
    if not connection.in_atomic_block:
        connection.close()


def refused_streaming(exc: BaseException) -> bool:
    """Whether a streaming request failed in a way a plain request may not: the server errored on it
    (LiteLLM: 500) or refused the stream parameters. Rate limits, keys and moderation are not about
    streaming and are not worth a second request."""
    if not isinstance(exc, openai.APIStatusError):
        return False
    if exc.status_code >= 500:
        return True
    if exc.status_code in (400, 422):
        param = (getattr(exc, "param", None) or "").lower()
        return param in ("stream", "partial_images") or "stream" in str(getattr(exc, "message", "")).lower()
    return False


def answer_to_result(job: Job, raw) -> tuple[CallResult, bool]:
    """(the result, whether it really streamed) from the raw answer to a streaming request."""
    content_type = raw.headers.get("content-type", "")
    if "text/event-stream" in content_type:
        stream = raw.parse()
        try:
            return consume_stream(job, stream), True
        except (httpx2.TransportError, StreamCut, openai.APIError, TimeoutError) as exc:
            if isinstance(exc, openai.APIStatusError):
                raise
            raise StreamBroke(exc) from exc
    # Plain JSON to a streaming request: the server ignored `stream`; its answer is the result.
    return result_from_images_response(openai.types.ImagesResponse.model_validate(_read_json(raw))), False


def result_from_images_response(response) -> CallResult:
    return CallResult(
        created=int(getattr(response, "created", 0) or 0),
        usage=response.usage.model_dump() if getattr(response, "usage", None) else {},
        items=[Item(url=item.url or "", data=base64.b64decode(item.b64_json) if item.b64_json else None,
                    revised_prompt=item.revised_prompt or "") for item in (response.data or [])],
    )


def consume_stream(job: Job, stream) -> CallResult:
    """Partial images become previews as they arrive; each `*.completed` event is one final image."""
    deadline = time.monotonic() + settings.STUDIO_PROVIDER_TIMEOUT
    result = CallResult(created=0)
    previews = list(job.previews)
    try:
        for event in stream:
            if time.monotonic() > deadline:
                raise TimeoutError("the stream outlived the provider timeout")
            kind = getattr(event, "type", "")
            if kind.endswith(".partial_image"):
                _keep_preview(job, previews, base64.b64decode(event.b64_json), event.output_format)
            elif kind.endswith(".completed"):
                result.items.append(Item(data=base64.b64decode(event.b64_json)))
                result.created = result.created or int(getattr(event, "created_at", 0) or 0)
                if getattr(event, "usage", None):
                    result.usage = _add_usage(result.usage, event.usage.model_dump())
    finally:
        stream.close()
    expected = job.n
    if len(result.items) < expected:
        raise StreamCut(f"the event stream ended after {len(result.items)} of {expected} images")
    return result


def _add_usage(total: dict, more: dict) -> dict:
    if not total:
        return more
    out = dict(total)
    for key, value in more.items():
        if isinstance(value, (int, float)) and isinstance(out.get(key), (int, float)):
            out[key] = out[key] + value
    return out


def _keep_preview(job: Job, previews: list[str], data: bytes, output_format: str) -> None:
    """Best effort: a preview that cannot be stored is skipped, the final image is what matters."""
    key = f"previews/job-{job.pk}/{len(previews)}.{extension_for_format(output_format)}"
    try:
        storage.save_bytes(key, data)
        previews.append(key)
        Job.objects.filter(pk=job.pk).update(previews=list(previews))
        events.publish(job, events.PARTIAL_IMAGE, index=len(previews) - 1, key=key)
    except Exception as exc:  # noqa: BLE001
        log.warning("job %s: preview %s not kept (%s)", job.pk, key, exc)
    finally:
        release_db_connection()  # back to waiting on the stream


def _read_json(raw) -> dict:
    """The body of an answer that was requested as a stream (so it has not been read yet)."""
    raw.http_response.read()
    return raw.http_response.json()
