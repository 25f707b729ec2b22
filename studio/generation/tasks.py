"""Celery tasks: take an id, call a service, nothing else.

Services send these by name (services/queueing.py), so this module is the only one that imports both.
"""
from celery import shared_task

from . import services, uploads


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_job(self, job_id: int, paced: bool = False) -> None:
    # Redis sets `redelivered` on a message it hands out again after its worker vanished.
    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    services.run_job(job_id, redelivered=redelivered, paced=paced)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def fetch_image(image_id: int) -> None:
    services.fetch_image(image_id)


@shared_task(ignore_result=True)
def sweep() -> None:
    services.sweep()


@shared_task(ignore_result=True)
def purge_orphan_uploads() -> None:
    uploads.purge_orphan_uploads()
