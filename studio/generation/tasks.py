"""Celery tasks: take an id, call a service, nothing else."""
from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_job(job_id: int) -> None:
    services.run_job(job_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def fetch_image(image_id: int) -> None:
    services.fetch_image(image_id)


@shared_task(ignore_result=True)
def sweep() -> None:
    from . import sweeper

    sweeper.sweep()
