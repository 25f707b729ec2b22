"""Keeping the answer: what one paid call returned, written in one transaction.

The response's `created`, usage and cost go on the job; each item becomes an Image row, with its
bytes already on the spool (b64 answers) or its provider URL and deadline (url answers); the
downloads are queued once the transaction commits.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone as dt_timezone
from decimal import Decimal

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from studio import metrics
from studio.gallery.models import Image
from studio.models_registry.pricing import actual_cost
from studio.models_registry.registry import ModelSpec, get_model

from ..models import Job
from . import events, spool
from .queueing import enqueue_fetches_after_commit
from .settling import close_charge
from .spool import spool_bytes

log = logging.getLogger(__name__)


@dataclass
class Item:
    url: str = ""
    data: bytes | None = None
    revised_prompt: str = ""


@dataclass
class CallResult:
    created: int
    usage: dict = field(default_factory=dict)
    items: list[Item] = field(default_factory=list)


def record_response(job: Job, attempt: int, result: CallResult, *, spec: ModelSpec | None = None) -> None:
    """Store what the API returned in one transaction, then queue one download per image.

    The call is paid for: a full spool or a database that is restarting is waited out, for as long as
    the sweeper still counts the call as alive (after that it would be retried, and paid again).
    """
    spec = spec or get_model(job.model)
    created = result.created or int(timezone.now().timestamp())
    created_at = datetime.fromtimestamp(created, tz=dt_timezone.utc)
    expires = created_at + timedelta(seconds=settings.STUDIO_URL_TTL)
    keep_until = _keep_until(job)
    images = []
    for index, item in enumerate(result.items):
        image = Image(
            owner_id=job.owner_id,
            team_id=job.team_id,
            job=job,
            index=index,
            parent_id=job.source_image_id,
            model=job.model,
            prompt=job.prompt,
            revised_prompt=item.revised_prompt,
            params=job.params,
        )
        if item.data is not None:
            try:  # on local disk before the row says it exists
                image.spool_path = _retrying(lambda data=item.data: spool_bytes(data), keep_until,
                                             spool.is_disk_full, f"job {job.pk}: the spool is full")
            except OSError as exc:
                if not spool.is_disk_full(exc):
                    raise
                _fail_for_full_disk(job, attempt, images,
                                    charged=actual_cost(spec, job.params, result.usage, len(result.items)))
                return
        else:
            image.source_url = item.url
            image.url_expires_at = expires
        images.append(image)
    _retrying(lambda: _keep(job, attempt, result, spec, created, images), keep_until,
              lambda exc: isinstance(exc, (OperationalError, InterfaceError)) and not connection.in_atomic_block,
              f"job {job.pk}: the database is not answering", between=_reconnect)


def _keep(job: Job, attempt: int, result: CallResult, spec: ModelSpec, created: int, images: list[Image]) -> None:
    for image in images:
        image.pk = None  # a try that failed may have given them ids its rollback took back
    with transaction.atomic():
        # Still ours? A worker marked interrupted by the sweeper may still answer before the retry is
        # claimed; what it paid for is kept.
        updated = Job.objects.filter(
            pk=job.pk, status__in=(Job.Status.CALLING, Job.Status.INTERRUPTED), attempts=attempt
        ).update(
            **Job.stamp(Job.Status.FETCHING if images else Job.Status.FAILED),
            response_created=created,
            usage=result.usage,
            # Added to what an earlier, broken answer of this job already cost (see calling.py).
            cost_actual=Coalesce(F("cost_actual"), Value(Decimal(0)))
            + actual_cost(spec, job.params, result.usage, len(images)),
            failure_code="" if images else "empty_response",
            failure_message="" if images else "The model answered with no images.",
        )
        if not updated:
            log.error("job %s: a response for attempt %s arrived after the job moved on; %d images not kept",
                      job.pk, attempt, len(images))
            return
        if not images:
            metrics.job_reached(Job.Status.FAILED, model=job.model, provider=job.provider)
            events.publish(job, events.SETTLED, status=Job.Status.FAILED)
        else:
            events.publish(job, events.STATUS, status=Job.Status.FETCHING)
        close_charge(job.pk)  # answered: charged what the answer cost, even if its downloads fail later
        Image.objects.bulk_create(images)
        if any(image.pk is None for image in images):  # a backend that does not return ids
            images = list(Image.objects.filter(job=job))
        enqueue_fetches_after_commit([(image.pk, image.url_expires_at) for image in images])


def _keep_until(job: Job) -> float:
    """A monotonic deadline a little before the sweeper would take this call for one cut off."""
    alive = settings.STUDIO_PROVIDER_TIMEOUT + settings.STUDIO_CALL_GRACE_SECONDS - 2
    if job.called_at is not None:
        alive -= (timezone.now() - job.called_at).total_seconds()
    return time.monotonic() + max(0.0, alive)


def _retrying(attempt, deadline: float, waits_out, what: str, between=lambda: None):
    """`attempt()` again after a failure that `waits_out(exc)` says is passing, until `deadline`."""
    delay = 0.25
    while True:
        try:
            return attempt()
        except Exception as exc:
            if not waits_out(exc) or time.monotonic() + delay > deadline:
                raise
            log.warning("%s (%s); trying again in %.1fs", what, exc, delay)
        time.sleep(delay)  # the outage is what is waited for; nothing to poll
        between()
        delay = min(delay * 2, 4.0)


def _reconnect() -> None:
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - a connection the server cut may fail to close; it is dropped either way
        pass


def _fail_for_full_disk(job: Job, attempt: int, spooled: list[Image], *, charged: Decimal) -> None:
    for image in spooled:
        spool.discard(image.spool_path)
    failed = Job.objects.filter(pk=job.pk, status__in=(Job.Status.CALLING, Job.Status.INTERRUPTED),
                                attempts=attempt).update(
        **Job.stamp(Job.Status.FAILED), failure_code="spool_full",
        failure_message="The worker's disk was full, so Studio could not keep the images the model made. "
                        "Try again once an operator has freed space.")
    if failed:
        events.publish(job, events.SETTLED, status=Job.Status.FAILED)
        metrics.failure("spool_full")
        metrics.job_reached(Job.Status.FAILED, model=job.model, provider=job.provider)
