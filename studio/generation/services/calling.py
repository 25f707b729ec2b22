"""run_job: the one paid call. Claim the row, call the provider, keep what it answered.

The claim is a conditional UPDATE (queued -> calling), so a second delivery of the same message finds
nothing to claim. A worker that dies during the call leaves the row in `calling`; the row is marked
`interrupted` when the message comes back redelivered or when the sweeper sees the call outlive its
timeout, and the sweeper retries it at most STUDIO_INTERRUPTED_RETRY_LIMIT times.
"""
from __future__ import annotations

import base64
import logging
import threading
import time
from datetime import timedelta
from pathlib import Path

import httpx2
import openai
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from studio import metrics
from studio.gallery import storage
from studio.gallery.imaging import content_type_for_key, extension_for_format
from studio.models_registry.errors import Failure, classify
from studio.models_registry.providers import get_provider, make_client
from studio.models_registry.registry import ModelSpec, get_model

from ..models import Job
from . import mailbox, pacing
from .queueing import backoff_seconds, enqueue_run
from .recording import CallResult, Item, record_response

log = logging.getLogger(__name__)

INTERRUPTED_MESSAGE = ("The worker stopped while the image service was working on this request. "
                       "Studio will try once more.")


class StreamCut(ConnectionError):
    """The event stream ended before the final image arrived."""


# --- the task's entry point -----------------------------------------------------------------------


def run_job(job_id: int, *, redelivered: bool = False, paced: bool = False) -> None:
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        return
    if job.status == Job.Status.CALLING and redelivered:
        # acks_late: the message came back because the worker that had it died mid-call.
        mark_interrupted(job)
        return
    if job.status != Job.Status.QUEUED:
        return  # another delivery has it, or it already finished
    now = timezone.now()
    if job.not_before and job.not_before > now + timedelta(seconds=1):
        if paced:  # a long wait split into shorter countdowns: keep waiting
            enqueue_run(job.pk, countdown=(job.not_before - now).total_seconds(), paced=True)
        return  # early duplicate: the scheduled message (or the sweeper) brings it at its time

    provider = get_provider(job.provider or None)
    spec = get_model(job.model)  # resolved once per job and passed down
    if not paced:
        wait = pacing.take(provider, job.n)
        if wait > 0:
            _wait_for_pace(job, wait)
            return

    claimed = Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED, attempts=job.attempts).update(
        **Job.stamp(Job.Status.CALLING, started_at=job.started_at or now, called_at=now, not_before=None),
        attempts=F("attempts") + 1,
        api_calls=F("api_calls") + 1,
        worker=mailbox.worker_id(),
    )
    if not claimed:
        pacing.give_back(provider, job.n)
        return
    # Exactly what the UPDATE wrote (the filter pinned `attempts`), without reading the row again.
    job.status, job.attempts, job.api_calls = Job.Status.CALLING, job.attempts + 1, job.api_calls + 1
    job.started_at, job.called_at = job.started_at or now, now
    attempt = job.attempts
    input_files = _input_files(job)
    # The call takes seconds to minutes; a thread pool of many workers must not hold a database
    # connection each while they wait (PostgreSQL's max_connections is ~100).
    release_db_connection()
    try:
        with metrics.timed(metrics.UPSTREAM_SECONDS, provider=provider.name):
            result = call_provider(job, provider, input_files, spec=spec)
    except Exception as exc:  # noqa: BLE001 - every failure is classified, none escapes unrecorded
        _handle_call_failure(job, attempt, exc)
        return
    record_response(job, attempt, result, spec=spec)


def _wait_for_pace(job: Job, wait: float) -> None:
    not_before = timezone.now() + timedelta(seconds=wait)
    moved = Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED, not_before=job.not_before).update(
        not_before=not_before)
    if moved:
        log.info("job %s: waiting %.1fs for the provider's pace", job.pk, wait)
        enqueue_run(job.pk, countdown=wait, paced=True)


def mark_interrupted(job: Job, *, message: str = INTERRUPTED_MESSAGE) -> bool:
    return bool(Job.objects.filter(pk=job.pk, status=Job.Status.CALLING, attempts=job.attempts).update(
        **Job.stamp(Job.Status.INTERRUPTED),
        interruptions=F("interruptions") + 1,
        failure_code="interrupted",
        failure_message=message,
    ))


def release_db_connection() -> None:
    """Hand the thread's connection back (to PostgreSQL, or to the pool when one is configured).

    Not inside a caller's transaction (tests, or a service composed into a larger atomic block):
    closing there would abort it.
    """
    if not connection.in_atomic_block:
        connection.close()


# --- the call -------------------------------------------------------------------------------------

_client_cache: dict = {}
_client_lock = threading.Lock()


def _client(provider):
    """One SDK client per provider and process: its connection pool is shared by all threads."""
    key = (provider, settings.STUDIO_PROVIDER_TIMEOUT)
    with _client_lock:
        client = _client_cache.get(key)
        if client is None:
            client = make_client(provider, timeout=settings.STUDIO_PROVIDER_TIMEOUT, max_retries=0)
            _client_cache[key] = client
        return client


def _input_files(job: Job) -> dict:
    files = {"images": [_input_file(key) for key in job.input_keys]}
    if job.mask_key:
        files["mask"] = _input_file(job.mask_key)
    return files


def _input_file(key: str):
    with storage.open_key(key) as fh:
        return (Path(key).name, fh.read(), content_type_for_key(key))



def wants_stream(spec: ModelSpec) -> bool:
    return settings.STUDIO_STREAM_PREVIEWS and spec.streams


def call_provider(job: Job, provider, input_files: dict | None = None, *, spec: ModelSpec | None = None) -> CallResult:
    """One request upstream, shaped by the registry: which call, which parameters, which files."""
    client = _client(provider)
    spec = spec or get_model(job.model)
    call = spec.call_for(job.kind)
    cleaned = {"prompt": job.prompt, **job.params}
    if wants_stream(spec):
        cleaned.update(stream=True, partial_images=settings.STUDIO_STREAM_PARTIAL_IMAGES)
    kwargs = spec.api_params(job.kind, cleaned, model=provider.model_param(spec))
    kwargs["extra_headers"] = {"X-Studio-Job": str(job.pk)}
    files = input_files if input_files is not None else _input_files(job)
    if call == "generate":
        response = client.images.generate(**kwargs)
    elif call == "create_variation":
        response = client.images.create_variation(image=files["images"][0], **kwargs)
    else:
        if "mask" in files:
            kwargs["mask"] = files["mask"]
        images = files["images"]
        response = client.images.edit(image=images[0] if len(images) == 1 else images, **kwargs)
    if kwargs.get("stream"):
        return _consume_stream(job, response)
    return CallResult(
        created=int(getattr(response, "created", 0) or 0),
        usage=response.usage.model_dump() if getattr(response, "usage", None) else {},
        items=[Item(url=item.url or "", data=base64.b64decode(item.b64_json) if item.b64_json else None,
                    revised_prompt=item.revised_prompt or "") for item in (response.data or [])],
    )




def _consume_stream(job: Job, stream) -> CallResult:
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
    except Exception as exc:  # noqa: BLE001
        log.warning("job %s: preview %s not kept (%s)", job.pk, key, exc)
    finally:
        release_db_connection()  # back to waiting on the stream


def classify_call_error(exc: BaseException) -> Failure:
    """The registry's classification, plus what only the streaming path raises."""
    if isinstance(exc, (httpx2.TransportError, StreamCut)):
        return Failure("connection_error",
                       "The connection to the image service broke before the image was complete. "
                       "Studio will try again.", True)
    if isinstance(exc, openai.APIError) and not isinstance(exc, openai.APIStatusError) and \
            not isinstance(exc, openai.APIConnectionError):
        # An error event inside a stream: the service gave up on this request mid-way.
        return Failure("upstream_outage", "The image service stopped while making the image. "
                       "Studio will try again.", True)
    return classify(exc)


def _handle_call_failure(job: Job, attempt: int, exc: Exception) -> None:
    failure = classify_call_error(exc)
    metrics.failure(failure.code)
    log.info("job %s: upstream call failed: %s (%s)", job.pk, failure.code, failure.status or type(exc).__name__)
    calls = job.api_calls  # this call included
    mine = Job.objects.filter(pk=job.pk, status=Job.Status.CALLING, attempts=attempt)
    if failure.retryable and calls <= settings.STUDIO_API_RETRY_LIMIT:
        if failure.retry_after is not None:
            delay = failure.retry_after + backoff_seconds(1, base=0.25, cap=0.25)
        else:
            delay = backoff_seconds(calls, base=settings.STUDIO_API_BACKOFF_BASE, cap=settings.STUDIO_API_BACKOFF_CAP)
        if mine.update(**Job.stamp(Job.Status.QUEUED, not_before=timezone.now() + timedelta(seconds=delay)),
                       failure_code=failure.code, failure_message=failure.message):
            enqueue_run(job.pk, countdown=delay, paced=True)
        return
    message = failure.message
    if failure.retryable:
        message += f" (gave up after {calls} tries)"
        message = message.replace(" Studio will try again.", "").replace(" It will try again.", "")
    if mine.update(**Job.stamp(Job.Status.FAILED), failure_code=failure.code, failure_message=message):
        metrics.job_reached(Job.Status.FAILED, model=job.model, provider=job.provider)
