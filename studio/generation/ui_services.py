"""Small reads and writes the pages need around a job: progress for the live status, and retry.

Kept apart from services.py (the pipeline's module) so the pipeline stays the only writer of a job's
lifecycle; everything here either only reads, or submits a new job through `services.submit_job`.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from studio.accounts.models import teams_where_user_can_create
from studio.gallery.models import Image

from . import services
from .selectors import queue_position
from .models import Job


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


def inputs_still_visible(job: Job, user) -> bool:
    """Whether `user` may still see every archive picture the job sends (its source, its references).

    A retry sends those pictures again; someone who has left the team since must not get new images
    made from the team's pictures that way. Their own uploads (the mask among them) are always theirs.
    """
    from .uploads import owns_key

    archive_keys = {key for key in job.input_keys if not owns_key(user, key)}
    visible = Image.objects.visible_to(user)
    if job.source_image_id and not visible.filter(pk=job.source_image_id).exists():
        return False
    found = set(visible.filter(storage_key__in=archive_keys).values_list("storage_key", flat=True))
    return archive_keys <= found


def retry_job(job: Job, *, user) -> Job:
    """Submit the same request again (same model, prompt, options and inputs) as a new job of `user`."""
    team = job.team if job.team_id and teams_where_user_can_create(user).filter(pk=job.team_id).exists() else None
    return services.submit_job(
        user=user,
        model=job.model,
        prompt=job.prompt,
        params=dict(job.params),
        kind=job.kind,
        team=team,
        source_image=job.source_image,
        input_keys=list(job.input_keys),
        mask_key=job.mask_key,
        provider=job.provider,
    )
