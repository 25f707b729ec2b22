"""What each webhook event says. Payloads carry ids, states and paths on this Studio (no site address is
configured; receivers know it). Called from workflow's job_settled receiver (settled_work.py) and reviews."""
from studio.generation.models import Job

from . import webhook_services
from .models import Batch


def job_settled(job: Job) -> None:
    event = "job.failed" if job.status == Job.Status.FAILED else "job.done"
    webhook_services.emit(team_id=job.team_id, event=event, data={"job": {
        "id": job.pk, "status": job.status, "model": job.model, "images": job.n, "path": job.get_absolute_url(),
        "failure_code": job.failure_code, "failure_message": job.failure_message}})


def batch_done(batch: Batch, statuses: list[str]) -> None:
    webhook_services.emit(team_id=batch.team_id, event="batch.done", data={"batch": {
        "id": batch.pk, "name": batch.name, "path": batch.get_absolute_url(), "jobs": len(statuses),
        "failed": statuses.count(Job.Status.FAILED)}})


def image_approved(image, *, by) -> None:
    webhook_services.emit(team_id=image.team_id, event="image.approved", data={"image": {
        "id": image.pk, "path": image.get_absolute_url(), "job": image.job_id, "approved_by": by.get_username()}})
