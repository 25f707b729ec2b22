"""What each webhook event says, and where it comes from (generation's job_settled signal, reviews).

Payloads carry ids, states and paths on this Studio (no site address is configured; receivers know it).
"""
from django.db import transaction
from django.utils import timezone

from studio.generation.models import Job

from . import webhook_services
from .models import Batch, BatchItem


def job_settled(sender, *, job_id: int, status: str, **kwargs) -> None:
    """job.done or job.failed for a team's job; batch.done when it was its batch's last unfinished job."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.team_id is None:
        return
    with transaction.atomic():
        event = "job.failed" if job.status == Job.Status.FAILED else "job.done"
        webhook_services.emit(team_id=job.team_id, event=event, data={"job": _job(job)})
        item = BatchItem.objects.filter(job_id=job.pk).select_related("batch").first()
        if item is not None:
            _settle_batch(item.batch)


def _settle_batch(batch: Batch) -> None:
    if batch.items.exclude(job__status__in=Job.FINISHED).exists():
        return
    # Only the first of two jobs settling at once marks it (and announces it).
    if not Batch.objects.filter(pk=batch.pk, settled_at__isnull=True).update(settled_at=timezone.now()):
        return
    statuses = list(batch.items.values_list("job__status", flat=True))
    webhook_services.emit(team_id=batch.team_id, event="batch.done", data={"batch": {
        "id": batch.pk, "name": batch.name, "path": batch.get_absolute_url(), "jobs": len(statuses),
        "failed": statuses.count(Job.Status.FAILED)}})


def image_approved(image, *, by) -> None:
    webhook_services.emit(team_id=image.team_id, event="image.approved", data={"image": {
        "id": image.pk, "path": image.get_absolute_url(), "job": image.job_id, "approved_by": by.get_username()}})


def _job(job: Job) -> dict:
    return {"id": job.pk, "status": job.status, "model": job.model, "images": job.n, "path": job.get_absolute_url(),
            "failure_code": job.failure_code, "failure_message": job.failure_message}
