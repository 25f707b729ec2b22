"""Reads of jobs. Every one starts from `Job.objects.visible_to(user)` or is scoped to the person.

Jobs and prompt history are one list seen two ways: the Jobs page is every job of yours with its
status (what is running, what failed and why); prompt history is the jobs that left images you may
still see, newest first, cut with the archive's keyset cursor, for finding a prompt and using it again.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from studio.gallery.models import Image
from studio.gallery.selectors import GRID_FIELDS, Page, keyset_page

from .models import Job

HISTORY_PAGE_SIZE = 25


def visible_job(user, pk: int) -> Job | None:
    return Job.objects.visible_to(user).filter(pk=pk).select_related("owner").first()


def job_images(user, job: Job) -> list[Image]:
    """The job's pictures this person may see now: ones since made private, moved or trashed are left out."""
    return list(Image.objects.visible_to(user).filter(job=job))


def recent_jobs(user, limit: int = 50):
    """The person's latest jobs, each with `visible_images` (stored, not trashed) for its thumbnails."""
    pictures = Image.objects.visible_to(user).stored().only(*GRID_FIELDS, "job_id").order_by("index")
    return (Job.objects.visible_to(user).filter(owner=user)
            .prefetch_related(Prefetch("images", queryset=pictures, to_attr="visible_images"))[:limit])


def queue_position(job: Job) -> int | None:
    """1 for the next job this provider will call; None once the job is no longer waiting in line.

    Jobs of the same provider queued before this one are ahead of it (pacing and retries may reorder
    a little; this is what a person needs to see: roughly how many are in front).
    """
    if job.status != Job.Status.QUEUED:
        return None
    ahead = Job.objects.filter(status=Job.Status.QUEUED, provider=job.provider).filter(
        Q(created_at__lt=job.created_at) | Q(created_at=job.created_at, pk__lt=job.pk)
    )
    return ahead.count() + 1


# --- live status ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    position: int | None
    elapsed: int | None  # seconds since the model was called (calling) or the job started
    stored: int
    total: int
    waiting: int | None  # seconds until a retry may go out (queued after a retryable failure)


def progress(job: Job, images: list[Image]) -> Progress:
    now = timezone.now()
    since = job.called_at or job.started_at
    elapsed = int((now - since).total_seconds()) if since and not job.is_finished else None
    waiting = None
    if job.status == Job.Status.QUEUED and job.not_before and job.not_before > now:
        waiting = int((job.not_before - now).total_seconds()) + 1
    stored = sum(1 for image in images if image.status == Image.Status.STORED)
    return Progress(position=queue_position(job), elapsed=elapsed, stored=stored,
                    total=len(images) or job.n, waiting=waiting)


# --- prompt history -------------------------------------------------------------------------------


def history_page(user, *, team=None, cursor: str | None = None, size: int = HISTORY_PAGE_SIZE,
                 query: str = "") -> Page:
    """Jobs with at least one image this person may see, newest first, each with those images; with
    `query`, only those whose prompt (or a visible image's revised prompt) has every word of it.

    Three queries whatever the page size: the jobs (with their owner), then their visible images.
    """
    visible = Image.objects.visible_to(user)
    visible = visible.filter(team=team) if team is not None else visible.filter(owner=user)
    jobs = Job.objects.filter(Exists(visible.filter(job=OuterRef("pk"))))
    for word in query.split()[:8]:
        jobs = jobs.filter(Q(prompt__icontains=word)
                           | Exists(visible.filter(job=OuterRef("pk"), revised_prompt__icontains=word)))
    jobs = jobs.filter(team=team) if team is not None else jobs.filter(owner=user)
    jobs = (jobs.select_related("owner")
            .only("id", "owner__username", "team_id", "kind", "model", "prompt", "params", "created_at", "status",
                  "source_image_id")
            .prefetch_related(Prefetch("images", queryset=visible.only(*GRID_FIELDS, "job_id", "revised_prompt")
                                       .order_by("index"), to_attr="visible_images")))
    return keyset_page(jobs, cursor, size)


