"""Beat purges audit events older than STUDIO_AUDIT_DAYS, daily."""
from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def purge_old_events() -> int:
    return services.purge_old_events()
