"""Submitting jobs and sending messages. A message is a nudge; the row says what is due.

Every message the pipeline sends goes out from here. Tasks are looked up by name in the Celery app's
registry (the generation app imports its tasks when Django starts), so this module never imports
`tasks`, which imports the services: no circle, and a test may still replace a task's `apply_async`.
"""
from __future__ import annotations

import logging
import random
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from studio import metrics
from studio.accounts.services import remember_share_choice
from studio.audit.services import record
from studio.gallery.models import Image
from studio.models_registry.pricing import estimate_cost
from studio.models_registry.registry import get_model
from studio.spending import rate_limits, reservations

from ..models import Job
from . import mailbox

log = logging.getLogger(__name__)

RUN_JOB = "studio.generation.tasks.run_job"
FETCH_IMAGE = "studio.generation.tasks.fetch_image"

# Publishing waits a little for a broker that blips, not for one that is down: the sweeper re-sends.
_PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.4, "interval_max": 1.0}


def submit_job(
    *,
    user,
    model: str,
    prompt: str,
    params: dict,
    kind: str = Job.Kind.GENERATE,
    team=None,
    source_image: Image | None = None,
    input_keys: list[str] | None = None,
    mask_key: str = "",
    provider: str = "",
    remember_team: bool = False,
    via: str = "web",
    api_token=None,
    idempotency_key: str = "",
    fair_share: bool = False,
    audited: bool = True,
) -> Job:
    """Create the job and send it after commit. `team` is where its pictures go (and who pays): only ever
    what the person chose in a visible "Share with", or a retry's team while they may still create there.
    From a full form (`remember_team`), that choice becomes their default for the next form. `via` says
    where it came from (web, api, batch); `api_token` is the token a gateway call came with (its budget
    counts), `idempotency_key` the client's key for it.

    Every way a job starts comes through here, so here the person's rate limits are checked and the
    job's largest possible cost is reserved against each budget that applies, in the job's transaction:
    JobRefused (OverBudget, RateLimited) is raised before anything is kept. Soft budgets the job goes
    over are listed in `job.budget_warnings`.

    `fair_share` (a batch's jobs): the job waits for its owner's turn instead of going to the queue at
    once; the caller calls `fairness.release_turns(user.pk)` after its transaction (the sweeper would
    too). Such jobs are held back by that in-flight cap, so the per-person rate limits, made for jobs
    a person submits one by one, do not count them. `audited=False`: the caller records one event for
    many jobs (a batch's `batch.submitted`), so a person's one write is one event.
    """
    if team is not None and not team.lets_spend(user):
        # Forms only offer teams the person may spend for; this guards every other caller.
        raise PermissionDenied(f"{user} may not make jobs for team {team}: viewers only look.")
    spec = get_model(model)
    cost = estimate_cost(spec, kind, params, input_keys or ())  # every picture sent is priced as image input
    with transaction.atomic():
        # One person's submits queue behind each other here, so "unfinished jobs at once" is counted right.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        admission = reservations.admit(user=user, team=team, token=api_token, amount=cost)
        if not fair_share:
            waiting = Job.objects.filter(owner=user).unfinished().exclude(fair_share=True, released_at__isnull=True)
            rate_limits.check(user=user, team=team, images=int(params.get("n") or 1), unfinished_jobs=waiting.count())
        if remember_team:
            remember_share_choice(user=user, team=team)
        job = Job.objects.create(
            owner=user,
            team=team,
            kind=kind,
            provider=provider,
            model=model,
            prompt=prompt,
            params=params,
            source_image=source_image,
            input_keys=input_keys or [],
            mask_key=mask_key,
            cost_estimate=cost,
            api_token=api_token,
            idempotency_key=idempotency_key,
            fair_share=fair_share,
        )
        reservations.reserve(admission, job_id=job.pk, model=model)
        job.budget_warnings = admission.warnings
        if audited:
            via_what = f"{via} · token {api_token.name}" if api_token is not None else via
            record("job.submitted", actor=user, team=team, target=job,
                   summary=f"{job.get_kind_display().lower()} with {model}, {job.n} image(s), via {via_what}")
        if not fair_share:
            transaction.on_commit(lambda: enqueue_run(job.pk), robust=True)
    metrics.job_reached(Job.Status.QUEUED, model=model, provider=provider)
    return job


def backoff_seconds(attempt: int, *, base: float = 1.0, cap: float = 30.0) -> float:
    """Exponential backoff with full jitter: spreads the retries of many workers after one outage."""
    return random.uniform(0, min(cap, base * (2 ** max(attempt - 1, 0))))


def _countdown(seconds: float | None) -> float | None:
    if not seconds or seconds <= 0:
        return None
    # A longer wait is split: the message comes early, sees `not_before`, and is sent again.
    return min(seconds, settings.STUDIO_MAX_COUNTDOWN)


def _task(name: str):
    return current_app.tasks[name]


def enqueue_run(job_id: int, *, countdown: float | None = None, paced: bool = False) -> bool:
    """Send run_job; False when the broker did not take it (the sweeper will send it again)."""
    try:
        _task(RUN_JOB).apply_async((job_id,), {"paced": True} if paced else {}, countdown=_countdown(countdown),
                                   priority=settings.STUDIO_PRIORITY_CALL, retry=True, retry_policy=_PUBLISH_RETRY)
    except Exception as exc:  # noqa: BLE001 - any broker trouble; the row still says "queued"
        log.warning("job %s: could not send run_job (%s); the sweeper will", job_id, exc)
        return False
    return True


def enqueue_fetch(image_id: int, *, countdown: float | None = None, deadline=None) -> bool:
    """Send fetch_image, noting in Redis that it is on its way (the note dies with the message)."""
    countdown = _countdown(countdown)
    urgent = deadline is not None and deadline - timezone.now() < timedelta(minutes=5)
    priority = settings.STUDIO_PRIORITY_URGENT if urgent else settings.CELERY_TASK_DEFAULT_PRIORITY
    mailbox.mark_sent(f"fetch:{image_id}", (countdown or 0) + settings.STUDIO_REENQUEUE_AFTER)
    try:
        _task(FETCH_IMAGE).apply_async((image_id,), countdown=countdown, priority=priority,
                                       retry=True, retry_policy=_PUBLISH_RETRY)
    except Exception as exc:  # noqa: BLE001
        mailbox.clear_sent(f"fetch:{image_id}")
        log.warning("image %s: could not send fetch_image (%s); the sweeper will", image_id, exc)
        return False
    return True


def enqueue_fetches_after_commit(images: list[tuple[int, object]]) -> None:
    """Inside the transaction that created the images: send their downloads once it commits."""
    def send():
        for pk, deadline in images:
            enqueue_fetch(pk, deadline=deadline)

    transaction.on_commit(send, robust=True)
