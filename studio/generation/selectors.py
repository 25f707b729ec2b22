from .models import Job


def visible_job(user, pk: int) -> Job | None:
    return Job.objects.visible_to(user).filter(pk=pk).select_related("owner").first()


def recent_jobs(user, limit: int = 50):
    return Job.objects.visible_to(user).filter(owner=user).prefetch_related("images")[:limit]


def queue_position(job: Job) -> int | None:
    """1 for the next job this provider will call; None once the job is no longer waiting in line.

    Jobs of the same provider queued before this one are ahead of it (pacing and retries may reorder
    a little; this is what a person needs to see: roughly how many are in front).
    """
    if job.status != Job.Status.QUEUED:
        return None
    from django.db.models import Q

    ahead = Job.objects.filter(status=Job.Status.QUEUED, provider=job.provider).filter(
        Q(created_at__lt=job.created_at) | Q(created_at=job.created_at, pk__lt=job.pk)
    )
    return ahead.count() + 1
