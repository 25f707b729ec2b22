"""Archive chores for Celery beat. Schedule `studio.gallery.tasks.purge_trash` daily, e.g.
CELERY_BEAT_SCHEDULE["purge-trash"] = {"task": "studio.gallery.tasks.purge_trash", "schedule": 86400},
and route it to the `fetch` queue in CELERY_TASK_ROUTES (it talks to storage, not to the API)."""
from celery import shared_task

from . import services


@shared_task(acks_late=True)
def purge_trash() -> int:
    return services.purge_trash()
