"""Writes to batches: submit (priced and checked whole, then one job per row), cancel, retry.

Each is one audit event (`batch.submitted`, `batch.cancelled`, `batch.retried`) however many jobs it
touches; the jobs themselves go through `submit_job` (which reserves each against the budgets) with
`fair_share`, so they reach the queue a few at a time per person (generation/services/fairness.py).
"""
from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction

from studio.audit.services import record
from studio.generation.models import Job
from studio.generation.services import cancel_unstarted, release_turns, submit_job
from studio.models_registry.pricing import estimate_cost
from studio.models_registry.registry import get_model
from studio.spending import reservations

from .batch_rows import BatchRow
from .models import Batch, BatchItem
from .preset_services import remember_use


def _admit_whole(*, user, team, model: str, params: dict, count: int) -> Decimal:
    """Refuse, before any job is made, a batch whose largest possible cost the budgets cannot hold."""
    each = estimate_cost(get_model(model), Job.Kind.GENERATE, params, ())
    total = each * count
    reservations.admit(user=user, team=team, amount=total, what=f"This batch of {count} job{'s' if count != 1 else ''}")
    return total


def _lock_person(user) -> None:
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()


def submit_batch(*, user, team, name: str, source: str, model: str, params: dict, rows: list[BatchRow],
                 preset_version=None) -> Batch:
    """One Batch and a job per row, or nothing (JobRefused, PermissionDenied) when it may not run."""
    if team is not None and not team.lets_spend(user):
        raise PermissionDenied(f"{user} may not make jobs for team {team}: viewers only look.")
    with transaction.atomic():
        _lock_person(user)
        total = _admit_whole(user=user, team=team, model=model, params=params, count=len(rows))
        batch = Batch.objects.create(owner=user, team=team, name=name[:200], source=source, model=model,
                                     params=params, preset_version=preset_version)
        for row in rows:
            job = submit_job(user=user, team=team, model=model, prompt=row.prompt, params=params, via="batch",
                             fair_share=True, audited=False)
            BatchItem.objects.create(batch=batch, job=job, row=row.number, values=row.values)
            if preset_version is not None:
                remember_use(job=job, version=preset_version)
        record("batch.submitted", actor=user, team=team, target=batch,
               summary=f"{name!r}: {len(rows)} job(s) with {model}, up to ${total:.3f}")
        transaction.on_commit(lambda: release_turns(user.pk), robust=True)
    return batch


def cancel_batch(batch: Batch, *, user) -> int:
    """Cancel the batch's jobs no worker has started; how many were cancelled (none: no event)."""
    with transaction.atomic():
        cancelled = cancel_unstarted(batch.items.values_list("job_id", flat=True))
        if cancelled:
            record("batch.cancelled", actor=user, team=batch.team, target=batch,
                   summary=f"{batch.name!r}: {len(cancelled)} job(s) cancelled before they started")
    return len(cancelled)


def retry_batch(batch: Batch, *, user) -> int:
    """A new job for each row whose job failed (cancelled ones too), checked against the budgets whole."""
    if batch.team_id is not None and not batch.team.lets_spend(user):
        raise PermissionDenied(f"{user} may not make jobs for team {batch.team}.")
    with transaction.atomic():
        _lock_person(user)
        items = list(batch.items.select_for_update(of=("self",)).select_related("job")
                     .filter(job__status=Job.Status.FAILED))
        items = [item for item in items if item.job.retry_can_help]
        if not items:
            return 0
        _admit_whole(user=user, team=batch.team, model=batch.model, params=batch.params, count=len(items))
        for item in items:
            item.job = submit_job(user=user, team=batch.team, model=batch.model, prompt=item.job.prompt,
                                  params=batch.params, via="batch", fair_share=True, audited=False)
            item.save(update_fields=["job"])
            if batch.preset_version_id is not None:
                remember_use(job=item.job, version=batch.preset_version)
        Batch.objects.filter(pk=batch.pk).update(settled_at=None)  # it settles (and is announced) again
        record("batch.retried", actor=user, team=batch.team, target=batch,
               summary=f"{batch.name!r}: {len(items)} failed job(s) sent again")
        transaction.on_commit(lambda: release_turns(user.pk), robust=True)
    return len(items)
