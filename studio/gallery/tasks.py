"""Archive chores for Celery beat. Schedule `studio.gallery.tasks.purge_trash` daily, e.g.
CELERY_BEAT_SCHEDULE["purge-trash"] = {"task": "studio.gallery.tasks.purge_trash", "schedule": 86400}."""
from celery import shared_task

from . import services


@shared_task(acks_late=True, queue="fetch")
def purge_trash() -> int:
    return services.purge_trash()
