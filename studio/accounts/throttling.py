"""Sign-in throttling glue for django-axes: which username was tried, and lockouts into the audit trail."""
from __future__ import annotations

from axes.signals import user_locked_out
from django.conf import settings
from django.dispatch import receiver
from django.shortcuts import render

from studio.audit.services import record


def username_tried(request, credentials=None) -> str:
    """The name someone typed: allauth authenticates with `username`, its form posts `login`, the admin's
    form posts `username`. Lower-cased, so "Alice" and "alice" count as one."""
    name = ""
    if credentials:
        name = credentials.get("username") or credentials.get("login") or ""
    if not name and request is not None and request.method == "POST":
        name = request.POST.get("login") or request.POST.get("username") or ""
    return str(name).strip().lower()[:150]


@receiver(user_locked_out, dispatch_uid="studio.audit.sign_in_locked_out")
def record_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    record("sign_in.locked_out", summary=f"sign-in locked for {str(username or '')[:150]!r} from {ip_address}")


def lockout_response(request, credentials=None, *args, **kwargs):
    """What a locked-out sign-in sees: 429 and a page that says why and for how long."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    context = {"username": username_tried(request, credentials), "failure_limit": settings.AXES_FAILURE_LIMIT,
               "minutes": minutes}
    return render(request, "account/locked_out.html", context, status=429)
