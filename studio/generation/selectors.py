from .models import Job


def visible_job(user, pk: int) -> Job | None:
    return Job.objects.visible_to(user).filter(pk=pk).select_related("owner").first()


def recent_jobs(user, limit: int = 50):
    return Job.objects.visible_to(user).filter(owner=user).prefetch_related("images")[:limit]
