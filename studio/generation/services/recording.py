"""Keeping the answer: what one paid call returned, written in one transaction.

The response's `created`, usage and cost go on the job; each item becomes an Image row, with its
bytes already on the spool (b64 answers) or its provider URL and deadline (url answers); the
downloads are queued once the transaction commits.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone as dt_timezone

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from studio import metrics
from studio.gallery.models import Image
from studio.models_registry.pricing import actual_cost
from studio.models_registry.registry import ModelSpec, get_model

from ..models import Job
from .queueing import enqueue_fetches_after_commit
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
    """Store what the API returned in one transaction, then queue one download per image."""
    spec = spec or get_model(job.model)
    created = result.created or int(timezone.now().timestamp())
    created_at = datetime.fromtimestamp(created, tz=dt_timezone.utc)
    expires = created_at + timedelta(seconds=settings.STUDIO_URL_TTL)
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
            image.spool_path = spool_bytes(item.data)  # on local disk before the row says it exists
        else:
            image.source_url = item.url
            image.url_expires_at = expires
        images.append(image)
    with transaction.atomic():
        # Still ours? A worker marked interrupted by the sweeper may still answer before the retry is
        # claimed; what it paid for is kept.
        updated = Job.objects.filter(
            pk=job.pk, status__in=(Job.Status.CALLING, Job.Status.INTERRUPTED), attempts=attempt
        ).update(
            **Job.stamp(Job.Status.FETCHING if images else Job.Status.FAILED),
            response_created=created,
            usage=result.usage,
            cost_actual=actual_cost(spec, job.params, result.usage, len(images)),
            failure_code="" if images else "empty_response",
            failure_message="" if images else "The model answered with no images.",
        )
        if not updated:
            log.error("job %s: a response for attempt %s arrived after the job moved on; %d images not kept",
                      job.pk, attempt, len(images))
            return
        if not images:
            metrics.job_reached(Job.Status.FAILED, model=job.model, provider=job.provider)
        Image.objects.bulk_create(images)
        if any(image.pk is None for image in images):  # a backend that does not return ids
            images = list(Image.objects.filter(job=job))
        enqueue_fetches_after_commit([(image.pk, image.url_expires_at) for image in images])
