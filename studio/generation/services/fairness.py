"""Fair queueing in front of the provider's pace: one person's batch does not starve a teammate's job.

Jobs submitted with `fair_share` (a batch's) are not sent to Celery when they are made. They wait in the
database, and `release_turns(owner)` sends the oldest of them while fewer than
STUDIO_FAIR_SHARE_IN_FLIGHT of that person's released ones are still queued or calling. Each release
happens when one of theirs leaves the call (run_job's end) and, as a backstop, on every sweep. So the
`api` queue holds at most a few jobs per person's batch, and a single job from anyone else, sent at once
as always, waits behind those few rather than behind the whole batch. The row is the truth: the
sweeper re-sends released jobs whose message was lost, and releases what is due if a refill was missed.
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ..models import Job
from .queueing import enqueue_run
from .settling import close_charge

log = logging.getLogger(__name__)

# A released job holds its owner's turn until its call is over (downloads do not use the provider's pace).
IN_FLIGHT = (Job.Status.QUEUED, Job.Status.CALLING, Job.Status.INTERRUPTED)


def in_flight(owner_id: int) -> int:
    return Job.objects.filter(owner_id=owner_id, fair_share=True, released_at__isnull=False,
                              status__in=IN_FLIGHT).count()


def release_turns(owner_id: int) -> list[int]:
    """Send the person's oldest waiting fair-share jobs while they have room; the ids sent."""
    with transaction.atomic():
        # Two workers refilling the same person's turns at once would both see the same room.
        get_user_model().objects.select_for_update().filter(pk=owner_id).first()
        room = settings.STUDIO_FAIR_SHARE_IN_FLIGHT - in_flight(owner_id)
        if room <= 0:
            return []
        ids = list(Job.objects.waiting_turn().filter(owner_id=owner_id)
                   .order_by("created_at", "pk").values_list("pk", flat=True)[:room])
        if ids:
            now = timezone.now()
            # not_before = now: the sweeper counts a lost message from the release, not from the submit.
            Job.objects.filter(pk__in=ids, released_at__isnull=True).update(released_at=now, not_before=now)
            transaction.on_commit(lambda: [enqueue_run(pk) for pk in ids], robust=True)
    return ids


def release_after(job: Job) -> None:
    """A fair-share job's call is over (answered, failed or waiting to retry): its owner's next may go."""
    if job.fair_share:
        release_turns(job.owner_id)


def owners_waiting() -> list[int]:
    return list(Job.objects.waiting_turn().order_by().values_list("owner_id", flat=True).distinct())


CANCELLED_MESSAGE = "Cancelled before it started."


def cancel_unstarted(job_ids) -> list[int]:
    """Fail the jobs among `job_ids` still queued (not yet claimed by a worker), releasing their reservations."""
    cancelled = []
    for pk in Job.objects.filter(pk__in=list(job_ids), status=Job.Status.QUEUED).values_list("pk", flat=True):
        # The conditional UPDATE races run_job's claim fairly: whichever moves the row first wins.
        if Job.objects.filter(pk=pk, status=Job.Status.QUEUED).update(
                **Job.stamp(Job.Status.FAILED), failure_code="cancelled", failure_message=CANCELLED_MESSAGE):
            close_charge(pk)
            cancelled.append(pk)
    return cancelled
