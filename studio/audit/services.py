"""`record(...)`: the one way to write the audit trail. Services call it, never model signals.

The request's address, user agent and id come from the current request context (audit/context.py),
so callers pass only what happened.
"""
from __future__ import annotations

import ipaddress
import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .actions import ACTIONS
from .context import current
from .models import AuditEvent

log = logging.getLogger(__name__)


class UnknownAction(ValueError):
    pass


def _ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def record(action: str, *, actor=None, team=None, target=None, object_type: str = "", object_id="",
           summary: str = "") -> AuditEvent:
    """Write one event. `target` is any model instance (its type and id are kept); or give them by hand.

    `actor` is the person who acted (defaults to nobody: a system action); never pass secrets in
    `summary`, which people read on the audit pages.
    """
    if action not in ACTIONS:
        raise UnknownAction(f"{action!r} is not an audit action; add it to studio/audit/actions.py.")
    context = current()
    if target is not None:
        object_type = object_type or target._meta.model_name
        object_id = object_id or target.pk
    actor_name = actor.get_username() if actor is not None and getattr(actor, "pk", None) else ""
    return AuditEvent.objects.create(
        actor=actor if actor_name else None,
        actor_name=actor_name,
        team=team,
        team_name=team.name if team is not None else "",
        action=action,
        object_type=str(object_type)[:40],
        object_id=str(object_id or "")[:64],
        summary=str(summary)[:500],
        ip=_ip(context.ip),
        user_agent=context.user_agent,
        request_id=context.request_id,
    )


def purge_old_events(*, now=None) -> int:
    """Events older than STUDIO_AUDIT_DAYS leave for good (beat, daily); answers how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.STUDIO_AUDIT_DAYS)
    purged = AuditEvent.objects.purge_before(cutoff)
    if purged:
        log.info("audit: purged %d events older than %s", purged, cutoff.date())
    return purged
