"""Beat's chores for operations: take nothing, call a service."""
from celery import shared_task

from . import archive


@shared_task(ignore_result=True)
def verify_archive_sample() -> None:
    archive.verify_sample()
