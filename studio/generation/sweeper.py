"""Beat runs this every minute: the database is the truth, Redis is only a mailbox."""
from datetime import timedelta

from django.utils import timezone

from studio.gallery.models import Image

from . import services
from .models import Job


def sweep() -> None:
    now = timezone.now()
    stale = now - timedelta(minutes=2)
    for job_id in Job.objects.filter(status=Job.Status.QUEUED, status_changed_at__lt=stale).values_list("pk", flat=True):
        services.enqueue_run(job_id)
    pending = Image.objects.filter(status=Image.Status.PENDING).order_by("url_expires_at")
    for image_id in pending.values_list("pk", flat=True)[:500]:
        services.enqueue_fetch(image_id)
