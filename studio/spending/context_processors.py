from django.utils.functional import SimpleLazyObject

from .models import Notice


def notices(request):
    """The person's undismissed notices for base.html; lazy, so fragments that never show them skip the query."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    return {"notices": SimpleLazyObject(lambda: list(Notice.objects.filter(user=user, dismissed_at__isnull=True)[:5]))}
