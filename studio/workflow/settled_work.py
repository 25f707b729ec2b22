"""When generation says a job settled: the team's webhooks, and a notification for whoever left its page;
when spending says a budget crossed a threshold: a notification beside its banner notice (spending.Notice).

A job made on a form tells its maker when it ends unwatched (API and batch jobs do not, one by one: a
batch tells once, when its last job settles, by mail too if they want it).
"""
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from studio.generation.models import Job

from . import notification_services, watching, webhook_events
from .models import Batch, BatchItem, Notification


def job_settled(sender, *, job_id: int, status: str, **kwargs) -> None:
    job = Job.objects.filter(pk=job_id).select_related("owner").first()
    if job is None:
        return
    with transaction.atomic():
        if job.team_id is not None:
            webhook_events.job_settled(job)
        item = BatchItem.objects.filter(job_id=job.pk).select_related("batch__owner").first()
        if item is not None:
            _settle_batch(item.batch)
        elif job.api_token_id is None and not watching.is_watching("job", job.pk, job.owner_id):
            _notify(job.owner, Notification.Kind.JOB_FINISHED, url=job.get_absolute_url(),
                    text=f"Job {job.pk} {job.get_status_display().lower()}: {job.prompt[:120]}")


def _settle_batch(batch: Batch) -> None:
    if batch.items.exclude(job__status__in=Job.FINISHED).exists():
        return
    # Only the first of two jobs settling at once marks it (and announces it).
    if not Batch.objects.filter(pk=batch.pk, settled_at__isnull=True).update(settled_at=timezone.now()):
        return
    statuses = list(batch.items.values_list("job__status", flat=True))
    if batch.team_id is not None:
        webhook_events.batch_done(batch, statuses)
    if watching.is_watching("batch", batch.pk, batch.owner_id):
        return
    failed = statuses.count(Job.Status.FAILED)
    text = f"Batch “{batch.name}” finished: {len(statuses) - failed} of {len(statuses)} jobs done"
    notification = _notify(batch.owner, Notification.Kind.BATCH_FINISHED, text=text, url=batch.get_absolute_url())
    notification_services.mail_batch_finished(notification, body=render_to_string(
        "workflow/batch_finished_email.txt", {"batch": batch, "text": text, "failed": failed}))


def _notify(person, kind: str, *, text: str, url: str) -> Notification:
    notification = Notification.objects.create(recipient=person, actor=None, kind=kind, text=text[:300], url=url)
    notification_services.announce([notification])
    return notification


def budget_alert(sender, *, people, message: str, url: str, **kwargs) -> None:
    for person in people:
        _notify(person, Notification.Kind.BUDGET, text=message, url=url)
