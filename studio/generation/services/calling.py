"""run_job: the one paid call. Claim the row, call the provider, keep what it answered.

The claim is a conditional UPDATE (queued -> calling), so a second delivery of the same message finds
nothing to claim. A worker that dies during the call leaves the row in `calling`; the row is marked
`interrupted` when the message comes back redelivered or when the sweeper sees the call outlive its
timeout, and the sweeper retries it at most STUDIO_INTERRUPTED_RETRY_LIMIT times.

Never pay twice for a failure that will repeat: every request a job sends upstream (retries and stream
fallbacks included) counts in `Job.api_calls`, capped by STUDIO_MAX_UPSTREAM_CALLS; only transient
failures retry, at most the provider's retry limit; a 200 whose stream then broke was paid for (its
cost is recorded) and is retried once, without streaming.
"""
from __future__ import annotations

import logging
import re
import threading
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import openai
from django.conf import settings
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from studio import metrics
from studio.gallery import storage
from studio.gallery.imaging import content_type_for_key
from studio.models_registry import learning
from studio.models_registry.errors import Failure, classify
from studio.models_registry.pricing import estimate_cost
from studio.models_registry.providers import ProviderConfig, get_provider, make_client
from studio.models_registry.registry import ModelSpec, get_model

from ..models import Job
from . import events, fairness, mailbox, pacing
from .queueing import backoff_seconds, enqueue_run
from .recording import CallResult, record_response
from .settling import close_charge
from .streaming import (
    StreamBroke, answer_to_result, refused_streaming, release_db_connection, result_from_images_response,
)

log = logging.getLogger(__name__)

INTERRUPTED_MESSAGE = ("The worker stopped while the image service was working on this request. "
                       "Studio will try once more.")

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
    if job.api_calls >= settings.STUDIO_MAX_UPSTREAM_CALLS:
        _stop_at_the_cap(job)
        fairness.release_after(job)
        return
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
    events.publish(job, events.STATUS, status=job.status)
    attempt = job.attempts
    input_files = _input_files(job)
    # The call takes seconds to minutes; a thread pool of many workers must not hold a database
    # connection each while they wait (PostgreSQL's max_connections is ~100).
    release_db_connection()
    try:
        with metrics.timed(metrics.UPSTREAM_SECONDS, provider=provider.name):
            result = call_with_fallback(job, provider, input_files, spec=spec)
    except Exception as exc:  # noqa: BLE001 - every failure is classified, none escapes unrecorded
        _handle_call_failure(job, attempt, exc, provider=provider, spec=spec)
    else:
        record_response(job, attempt, result, spec=spec)
    fairness.release_after(job)


def _stop_at_the_cap(job: Job) -> None:
    """A job that comes back (a retry, a sweeper re-run) after its last allowed request is not sent again."""
    # What went wrong last, without its promise to try again: that promise is what is not kept.
    reason = re.sub(r"\s*Studio will try[^.]*\.", "", job.failure_message) or "The image service did not finish it."
    message = (f"{reason} Studio has sent {job.api_calls} requests for this job, the most it sends for one "
               "job (STUDIO_MAX_UPSTREAM_CALLS).")
    if Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED, attempts=job.attempts).update(
            **Job.stamp(Job.Status.FAILED), failure_code=job.failure_code or "interrupted", failure_message=message):
        close_charge(job.pk)
        events.publish(job, events.SETTLED, status=Job.Status.FAILED)


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



def wants_stream(spec: ModelSpec, provider: ProviderConfig | None = None) -> bool:
    """Ask for partial images: previews are on, the model streams, and the provider does (or may)."""
    if not (settings.STUDIO_STREAM_PREVIEWS and spec.streams):
        return False
    return provider is None or learning.may_stream(provider)


def call_with_fallback(job: Job, provider: ProviderConfig, input_files: dict | None = None, *,
                       spec: ModelSpec) -> CallResult:
    """The call, streaming when it may; a streaming request the provider fails (LiteLLM answers 500)
    is sent once more without streaming, within the cap, and the provider is marked non-streaming when
    that works. A retry after a paid, broken stream does not stream again."""
    if not wants_stream(spec, provider) or job.paid_lost_calls:
        return _send(job, provider, input_files, spec=spec, stream=False)[0]
    try:
        result, streamed = _send(job, provider, input_files, spec=spec, stream=True)
    except Exception as exc:
        if not refused_streaming(exc) or job.api_calls >= settings.STUDIO_MAX_UPSTREAM_CALLS:
            raise
        log.info("job %s: the streaming request failed (%s); sending it once without streaming", job.pk, exc)
        Job.objects.filter(pk=job.pk).update(api_calls=F("api_calls") + 1)
        job.api_calls += 1
        result = _send(job, provider, input_files, spec=spec, stream=False)[0]
        learning.learn_not_streaming(
            provider, f"It answered a streaming request with HTTP {exc.status_code}, and the same request without "
                      "streaming worked.")
        return result
    if streamed:
        learning.learn_streams(provider)
    else:
        learning.learn_not_streaming(provider, "It answered a streaming request with plain JSON (it ignores stream).")
    return result


def call_provider(job: Job, provider, input_files: dict | None = None, *, spec: ModelSpec | None = None,
                  stream: bool | None = None) -> CallResult:
    """One request upstream, shaped by the registry: which call, which parameters, which files."""
    spec = spec or get_model(job.model)
    return _send(job, provider, input_files, spec=spec,
                 stream=wants_stream(spec, provider) if stream is None else stream)[0]


def _send(job: Job, provider: ProviderConfig, input_files: dict | None, *, spec: ModelSpec,
          stream: bool) -> tuple[CallResult, bool]:
    """(the result, whether it streamed) of one request."""
    client = _client(provider)
    call = spec.call_for(job.kind)
    cleaned = {"prompt": job.prompt, **job.params}
    if "response_format" in spec.options_for(job.kind) and not cleaned.get("response_format"):
        cleaned["response_format"] = provider.response_format  # DALL·E: url or b64_json, as the provider is set up
    if stream:
        # A /v1 client's own partial_images, else Studio's number of previews.
        cleaned.update(stream=True, partial_images=job.params.get("partial_images", settings.STUDIO_STREAM_PARTIAL_IMAGES))
    kwargs = spec.api_params(job.kind, cleaned, model=provider.model_param(spec))
    kwargs["extra_headers"] = {"X-Studio-Job": str(job.pk)}
    files = input_files if input_files is not None else _input_files(job)
    images = client.images.with_raw_response  # the raw answer says whether a "stream" really streams
    release_db_connection()  # nothing is read from the database until the answer is in
    try:
        if call == "generate":
            raw = images.generate(**kwargs)
        elif call == "create_variation":
            raw = images.create_variation(image=files["images"][0], **kwargs)
        else:
            if "mask" in files:
                kwargs["mask"] = files["mask"]
            pictures = files["images"]
            raw = images.edit(image=pictures[0] if len(pictures) == 1 else pictures, **kwargs)
    except openai.APIStatusError as exc:
        learning.learn_from_answer(provider, exc.response.headers, answered=False)
        raise
    learning.learn_from_answer(provider, raw.headers, answered=True)
    if kwargs.get("stream"):
        return answer_to_result(job, raw)
    return result_from_images_response(raw.parse()), False


def classify_call_error(exc: BaseException) -> Failure:
    """The registry's classification, plus what only the streaming path raises."""
    if isinstance(exc, StreamBroke):
        return Failure("connection_error",
                       "The image service started sending the image and the connection broke before it was "
                       "complete; the provider has charged for it.", True)
    if isinstance(exc, openai.APIError) and not isinstance(exc, openai.APIStatusError) and \
            not isinstance(exc, openai.APIConnectionError):
        return Failure("upstream_outage", "The image service stopped while making the image.", True)
    return classify(exc)


def _handle_call_failure(job: Job, attempt: int, exc: Exception, *, provider: ProviderConfig,
                         spec: ModelSpec) -> None:
    failure = classify_call_error(exc)
    metrics.failure(failure.code)
    log.info("job %s: upstream call failed: %s (%s)", job.pk, failure.code, failure.status or type(exc).__name__)
    calls = job.api_calls  # every request of this job so far, this one (and a stream fallback) included
    mine = Job.objects.filter(pk=job.pk, status=Job.Status.CALLING, attempts=attempt)
    if failure.code == "endpoint_missing":
        learning.learn_missing_endpoint(provider, learning.endpoint_for_call(spec.call_for(job.kind)),
                                        f"it answered HTTP {failure.status} on {timezone.now():%d %b %Y}.")
    paid = {}
    if isinstance(exc, StreamBroke):
        # Paid for and lost: its cost is recorded, and it is retried once (a second break fails the job).
        lost_cost = estimate_cost(spec, job.kind, job.params)
        paid = dict(paid_lost_calls=F("paid_lost_calls") + 1,
                    cost_actual=Coalesce(F("cost_actual"), Value(Decimal(0))) + lost_cost)
        may_retry = job.paid_lost_calls == 0
    else:
        may_retry = failure.retryable and job.attempts - 1 < learning.retries_for(provider)
    capped = may_retry and calls >= settings.STUDIO_MAX_UPSTREAM_CALLS
    if may_retry and not capped:
        if failure.retry_after is not None:
            delay = failure.retry_after + backoff_seconds(1, base=0.25, cap=0.25)
        else:
            delay = backoff_seconds(calls, base=settings.STUDIO_API_BACKOFF_BASE, cap=settings.STUDIO_API_BACKOFF_CAP)
        if mine.update(**Job.stamp(Job.Status.QUEUED, not_before=timezone.now() + timedelta(seconds=delay)),
                       failure_code=failure.code, failure_message=failure.retrying(failure.retry_after), **paid):
            events.publish(job, events.STATUS, status=Job.Status.QUEUED)
            enqueue_run(job.pk, countdown=delay, paced=True)
        return
    message = failure.given_up(calls, capped=capped) if (failure.retryable or paid) else failure.message
    if mine.update(**Job.stamp(Job.Status.FAILED), failure_code=failure.code, failure_message=message, **paid):
        metrics.job_reached(Job.Status.FAILED, model=job.model, provider=job.provider)
        close_charge(job.pk)  # refused before any answer (a 4xx, an outage): released; a paid broken one: charged
        events.publish(job, events.SETTLED, status=Job.Status.FAILED)
