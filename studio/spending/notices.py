"""Dismissing an in-app notice: a write of the person's, so it is audited like every other."""
from django.utils import timezone

from studio.audit.services import record

from .models import Notice


def dismiss(notice: Notice, *, actor) -> bool:
    """Hide the notice from now on; False (and no event) when it was already dismissed."""
    dismissed = Notice.objects.filter(pk=notice.pk, dismissed_at__isnull=True).update(dismissed_at=timezone.now())
    if dismissed:
        record("notice.dismissed", actor=actor, target=notice, summary=notice.message[:200])
    return bool(dismissed)
