"""Try again: the same request (model, prompt, options, inputs) submitted as a new job.

A retry sends the job's pictures again, so it is allowed only while they are still the person's to
use: someone who has left the team since must not get new images made from the team's pictures.
"""
from __future__ import annotations

from studio.accounts.models import teams_where_user_can_create
from studio.gallery.models import Image

from ..models import Job
from ..uploads import owns_key
from .queueing import submit_job


def inputs_still_visible(job: Job, user) -> bool:
    """Whether `user` may still see every archive picture the job sends (its source, its references).

    Their own uploads (the mask among them) are always theirs.
    """
    archive_keys = {key for key in job.input_keys if not owns_key(user, key)}
    visible = Image.objects.visible_to(user)
    if job.source_image_id and not visible.filter(pk=job.source_image_id).exists():
        return False
    found = set(visible.filter(storage_key__in=archive_keys).values_list("storage_key", flat=True))
    return archive_keys <= found


def retry_team(job: Job, user):
    """Where a retry of `job` goes: the job's team while `user` may still create there, else their own
    account. The job page says which before the person clicks Try again."""
    if job.team_id and teams_where_user_can_create(user).filter(pk=job.team_id).exists():
        return job.team
    return None


def retry_job(job: Job, *, user) -> Job:
    """Submit the same request again as a new job of `user`, for `retry_team(job, user)`."""
    team = retry_team(job, user)
    return submit_job(
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
