"""In-app notices: created by budget alerts, shown at the top of every page, dismissed by their person.

Most people have none, and every full page asks: a flag in Redis per person says whether any notice is
waiting, so a page costs a database query only when there is one to show (and whenever Redis does not
answer, to be safe). Dismissing is a write of the person's, so it is audited like every other.
"""
from __future__ import annotations

import logging

import redis
from django.utils import timezone

from studio import redis_connection
from studio.audit.services import record

from .models import Notice

log = logging.getLogger(__name__)

FLAG_PREFIX = "studio:notices:"


def _flag(user_id: int) -> str:
    return f"{FLAG_PREFIX}{user_id}"


def notify(user, message: str, *, url: str = "") -> Notice:
    notice = Notice.objects.create(user=user, message=message, url=url)
    try:
        redis_connection.client().set(_flag(user.pk), 1)
    except redis.RedisError as exc:
        log.warning("notice for %s: could not raise the flag (%s); pages will still find it", user, exc)
    return notice


def waiting(user) -> list[Notice]:
    """The person's undismissed notices (newest first, five at most)."""
    try:
        if not redis_connection.client().exists(_flag(user.pk)):
            return []
    except redis.RedisError:
        pass  # without the flag, ask the database
    return list(Notice.objects.filter(user=user, dismissed_at__isnull=True)[:5])


def dismiss(notice: Notice, *, actor) -> bool:
    """Hide the notice from now on; False (and no event) when it was already dismissed."""
    dismissed = Notice.objects.filter(pk=notice.pk, dismissed_at__isnull=True).update(dismissed_at=timezone.now())
    if not dismissed:
        return False
    record("notice.dismissed", actor=actor, target=notice, summary=notice.message[:200])
    if not Notice.objects.filter(user_id=notice.user_id, dismissed_at__isnull=True).exists():
        try:
            redis_connection.client().delete(_flag(notice.user_id))
        except redis.RedisError:
            pass  # a flag left up costs one query per page until the next dismissal
    return True
