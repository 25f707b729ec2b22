"""Archive chores for Celery: take an id (or nothing), call a service.

`read_provenance` is sent by the fetch path after each store (provenance.queue_provenance); beat runs
`purge_trash` daily and `catch_up_provenance` hourly (CELERY_BEAT_SCHEDULE); all go to the `fetch`
queue (CELERY_TASK_ROUTES): they talk to storage, not to the API.
"""
from celery import shared_task

from . import provenance, services


@shared_task(acks_late=True)
def purge_trash() -> int:
    return services.purge_trash()


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=5)
def read_provenance(self, image_id: int) -> None:
    try:
        provenance.record_provenance(image_id)
    except Exception as exc:  # storage unreachable or the object not there yet: later, then beat's catch-up
        raise self.retry(exc=exc, countdown=min(600, 15 * 2 ** self.request.retries)) from exc


@shared_task(ignore_result=True)
def catch_up_provenance() -> int:
    return provenance.catch_up()
