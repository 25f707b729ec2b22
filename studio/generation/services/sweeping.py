"""Beat runs this every STUDIO_SWEEP_SECONDS: the database is the truth, Redis is only a mailbox.

Each step reads rows that say what is due and either sends the message that should exist, moves the
row on with a conditional update, or gives up on it with a reason a person can read. Running it
twice, or on two beats at once, does no harm: a Redis lock keeps it to one run per period, and the
claims and leases make a duplicate message a no-op anyway.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Coalesce
from django.utils import timezone

from studio import metrics
from studio.audit.context import bind
from studio.gallery.models import Image

from ..models import Job
from . import fairness, mailbox, spool
from .calling import mark_interrupted
from .queueing import enqueue_fetch, enqueue_run
from .settling import EXPIRED_MESSAGE, close_charge, finish_image, settle_job

log = logging.getLogger(__name__)

BATCH = 500


@dataclass
class SweepReport:
    interrupted: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    given_up: list[int] = field(default_factory=list)
    resent_runs: list[int] = field(default_factory=list)
    settled: list[int] = field(default_factory=list)
    resent_fetches: list[int] = field(default_factory=list)
    expired: list[int] = field(default_factory=list)
    released: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any(getattr(self, f) for f in self.__dataclass_fields__)

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in self.__dataclass_fields__}


def sweep(*, now=None, force: bool = False) -> SweepReport | None:
    if not force and not mailbox.try_lock("sweep", max(1.0, settings.STUDIO_SWEEP_SECONDS * 0.8)):
        return None  # another beat's sweep ran this period
    now = now or timezone.now()
    started = time.monotonic()
    report = SweepReport()
    find_interrupted_calls(now, report)
    retry_interrupted(report)
    resend_due_runs(now, report)
    release_waiting_turns(report)
    settle_fetching_jobs(report)
    resend_pending_fetches(now, report)
    if report:
        log.info("sweep: %s", report)
    # For the operations page: when the sweeper last ran, how long it took, what it did.
    mailbox.note("sweep", {"at": now.timestamp(), "took": time.monotonic() - started, **report.counts()},
                 seconds=max(3600.0, 10 * settings.STUDIO_SWEEP_SECONDS))
    return report


def find_interrupted_calls(now, report: SweepReport) -> None:
    """A call cannot outlive the provider timeout; a row still `calling` after it lost its worker."""
    limit = now - timedelta(seconds=settings.STUDIO_PROVIDER_TIMEOUT + settings.STUDIO_CALL_GRACE_SECONDS)
    for job in Job.objects.filter(status=Job.Status.CALLING, called_at__lt=limit)[:BATCH]:
        if mark_interrupted(job):
            report.interrupted.append(job.pk)


def retry_interrupted(report: SweepReport) -> None:
    for job in Job.objects.filter(status=Job.Status.INTERRUPTED).order_by("created_at")[:BATCH]:
        still = Job.objects.filter(pk=job.pk, status=Job.Status.INTERRUPTED, attempts=job.attempts)
        if job.interruptions <= settings.STUDIO_INTERRUPTED_RETRY_LIMIT:
            if still.update(**Job.stamp(Job.Status.QUEUED, not_before=timezone.now()),
                            failure_message="The worker stopped during the call; Studio is trying once more."):
                enqueue_run(job.pk, paced=True)
                report.retried.append(job.pk)
        else:
            times = "once" if job.interruptions == 1 else f"{job.interruptions} times"
            if still.update(**Job.stamp(Job.Status.FAILED), failure_code="interrupted",
                            failure_message=f"The worker stopped during the call {times}. Studio did not try "
                                            "again, so as not to pay for the same images twice; submit it again "
                                            "if you still want them."):
                metrics.job_reached(Job.Status.FAILED, model=job.model, provider=job.provider)
                close_charge(job.pk, charged_unknown=True)
                report.given_up.append(job.pk)


def resend_due_runs(now, report: SweepReport) -> None:
    """Queued jobs whose time came long enough ago that their message must have been lost."""
    overdue = now - timedelta(seconds=settings.STUDIO_REENQUEUE_AFTER)
    due = (Job.objects.filter(status=Job.Status.QUEUED).exclude(fair_share=True, released_at__isnull=True)
           .annotate(due=Coalesce("not_before", "status_changed_at"))
           .filter(due__lt=overdue).order_by("created_at"))
    for job in due[:BATCH]:
        # Moving not_before to now both records the re-send and keeps the next sweep from repeating it.
        if Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED, not_before=job.not_before).update(
                not_before=now):
            enqueue_run(job.pk)
            report.resent_runs.append(job.pk)


def release_waiting_turns(report: SweepReport) -> None:
    """Backstop for fair queueing: a refill missed (a worker that died after its call) is made here."""
    for owner_id in fairness.owners_waiting():
        report.released.extend(fairness.release_turns(owner_id))


def settle_fetching_jobs(report: SweepReport) -> None:
    """A worker that died between storing the last image and settling its job."""
    pending = Image.objects.filter(job=OuterRef("pk"), status=Image.Status.PENDING)
    for job_id in (Job.objects.filter(status=Job.Status.FETCHING).annotate(waiting=Exists(pending))
                   .filter(waiting=False).values_list("pk", flat=True)[:BATCH]):
        settle_job(job_id)
        report.settled.append(job_id)


def resend_pending_fetches(now, report: SweepReport) -> None:
    """Pending images with no message on its way and no worker holding them, nearest deadline first."""
    pending = list(
        Image.objects.filter(status=Image.Status.PENDING)
        .order_by(F("url_expires_at").asc(nulls_last=True), "pk")
        .values_list("pk", "url_expires_at", "spool_path", "job_id")[:BATCH]
    )
    busy = mailbox.sent_names([f"fetch:{pk}" for pk, _, _, _ in pending])
    for pk, deadline, spool_path, job_id in pending:
        if f"fetch:{pk}" in busy:
            continue
        spooled = spool.is_spooled(spool_path)
        if not spooled and deadline is not None and deadline <= now:
            image = Image.objects.filter(pk=pk, status=Image.Status.PENDING).first()
            if image is not None and not image.spool_path:
                finish_image(image, Image.Status.EXPIRED, EXPIRED_MESSAGE)
                report.expired.append(pk)
                continue
        with bind(job_id=job_id):  # the message carries its job, as the first one did, for the fetch's log lines
            enqueue_fetch(pk, deadline=deadline)
        report.resent_fetches.append(pk)
