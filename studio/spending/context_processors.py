from django.utils.functional import SimpleLazyObject

from . import notices as notice_service


def notices(request):
    """The person's undismissed notices for base.html; lazy, so fragments that never show them ask nothing."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    return {"notices": SimpleLazyObject(lambda: notice_service.waiting(user))}
