"""Webhooks: owners register, change and delete them (each write audited); events become deliveries,
sent signed through the outbound guard and retried with backoff until they land or are given up.

Signing (documented in README): ``Studio-Signature: t=<unix seconds>,v1=<hex>``, where hex is
HMAC-SHA256 with the webhook's secret over ``"<t>." + body``; the receiver recomputes it and checks
that t is recent, so a captured request cannot be replayed later.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from studio.audit.services import record
from studio.generation.services import backoff_seconds
from studio.models_registry import outbound

from .models import Webhook, WebhookAttempt, WebhookDelivery

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "Studio-Signature"
DELIVER = "studio.workflow.tasks.deliver_webhook"
ADVICE = ("An operator can allow an internal receiver by adding exactly {host} to STUDIO_WEBHOOK_ALLOWED_HOSTS.")
# Waits between attempts grow from half a minute to an hour (with jitter, so one outage's retries spread).
BACKOFF_BASE, BACKOFF_CAP = 30.0, 3600.0


def policy() -> outbound.Policy:
    """Any public host; internal addresses only at the exact host:port pairs an operator listed."""
    internal = frozenset(outbound.normalise_host_port(h) for h in settings.STUDIO_WEBHOOK_ALLOWED_HOSTS)
    return outbound.Policy(hosts=None, internal=internal, advice=ADVICE)


def refusal(url: str) -> str | None:
    """Why Studio would not send to `url` (in words), or None. Checked when a webhook is saved, and again
    at every attempt (a name can come to resolve elsewhere)."""
    try:
        outbound.check_url(url, policy())
    except outbound.Refused as exc:
        return str(exc)
    except outbound.Unreachable:
        return None  # the name does not resolve now; attempts will say so, and retry
    return None


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


# --- owners' writes -------------------------------------------------------------------------------


def create_webhook(*, team, user, url: str, events: list[str], active: bool = True) -> Webhook:
    with transaction.atomic():
        webhook = Webhook.objects.create(team=team, created_by=user, url=url, events=list(events), active=active)
        record("webhook.created", actor=user, team=team, target=webhook,
               summary=f"{url} for {', '.join(events)}")
    return webhook


def change_webhook(webhook: Webhook, *, user, url: str, events: list[str], active: bool) -> Webhook:
    with transaction.atomic():
        webhook.url, webhook.events, webhook.active = url, list(events), active
        webhook.save(update_fields=["url", "events", "active"])
        record("webhook.changed", actor=user, team=webhook.team, target=webhook,
               summary=f"{url} for {', '.join(events)}" + ("" if active else " (paused)"))
    return webhook


def delete_webhook(webhook: Webhook, *, user) -> None:
    with transaction.atomic():
        record("webhook.deleted", actor=user, team=webhook.team, target=webhook, summary=webhook.url)
        webhook.delete()


# --- events ---------------------------------------------------------------------------------------


def emit(*, team_id: int | None, event: str, data: dict) -> list[WebhookDelivery]:
    """A delivery for each of the team's active webhooks that wants `event`, sent after commit."""
    if team_id is None:
        return []  # personal work has no team webhooks
    webhooks = [w for w in Webhook.objects.filter(team_id=team_id, active=True) if event in w.events]
    made = []
    for webhook in webhooks:
        delivery = WebhookDelivery.objects.create(webhook=webhook, event=event, body="")
        delivery.body = json.dumps({"id": delivery.pk, "event": event, "created": delivery.created_at.isoformat(),
                                    "data": data}, separators=(",", ":"))
        delivery.save(update_fields=["body"])
        made.append(delivery)
        transaction.on_commit(lambda pk=delivery.pk: enqueue(pk), robust=True)
    return made


def enqueue(delivery_id: int, *, countdown: float | None = None) -> bool:
    """Nudge a worker; False when the broker did not take it (beat's resend_due sends it later)."""
    try:
        current_app.tasks[DELIVER].apply_async((delivery_id,), countdown=countdown, retry=False)
    except Exception as exc:  # noqa: BLE001 - any broker trouble; the row still says "pending"
        log.warning("webhook delivery %s: not queued (%s); beat will send it", delivery_id, exc)
        return False
    return True


def resend_due(*, limit: int = 500) -> int:
    """Queue every pending delivery whose time has come (lost messages, a worker that died mid-send)."""
    due = list(WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING,
                                              next_attempt_at__lte=timezone.now())
               .order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    for pk in due:
        enqueue(pk)
    return len(due)


# --- one attempt ----------------------------------------------------------------------------------


def deliver(delivery_id: int) -> WebhookAttempt | None:
    """Make one attempt at a due delivery; None when it is not due (sent already, or claimed by another)."""
    timeout = settings.STUDIO_WEBHOOK_TIMEOUT
    with transaction.atomic():
        delivery = (WebhookDelivery.objects.select_for_update(skip_locked=True).select_related("webhook")
                    .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING,
                            next_attempt_at__lte=timezone.now()).first())
        if delivery is None:
            return None
        # Claimed: nobody else sends it until this attempt is over, or its deadline long passed (a dead worker).
        delivery.attempts += 1
        delivery.next_attempt_at = timezone.now() + timedelta(seconds=2 * timeout + 60)
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    webhook, body = delivery.webhook, delivery.body.encode()
    code, milliseconds, error, give_up = _send(webhook, body, timeout)
    answered_at = timezone.now()
    attempt = WebhookAttempt(delivery=delivery, status_code=code, milliseconds=milliseconds, error=error)
    with transaction.atomic():
        attempt.save()
        if attempt.ok:
            delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.DELIVERED, None
            # The team's trail shows what left Studio and where (the worker sends it: no person acted).
            record("webhook.delivered", actor=None, team=webhook.team, target=webhook,
                   summary=f"{delivery.event} to {webhook.url}: {code} in {milliseconds} ms, try {delivery.attempts}")
        elif give_up or delivery.attempts >= settings.STUDIO_WEBHOOK_MAX_ATTEMPTS:
            delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, None
        else:
            wait = max(1.0, backoff_seconds(delivery.attempts, base=BACKOFF_BASE, cap=BACKOFF_CAP))
            delivery.next_attempt_at = answered_at + timedelta(seconds=wait)
            transaction.on_commit(lambda: enqueue(delivery.pk, countdown=wait), robust=True)
        delivery.save(update_fields=["status", "next_attempt_at"])
    return attempt


def _send(webhook: Webhook, body: bytes, timeout: float) -> tuple[int | None, int, str, bool]:
    """The status code (None: no answer), milliseconds, the error in words, and whether retrying cannot help."""
    timestamp = int(time.time())
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature(webhook.secret, timestamp, body)}
    started = time.monotonic()
    try:
        with outbound.open_url(webhook.url, policy(), timeout=timeout, method="POST", body=body,
                               headers=headers) as response:
            for _ in response.iter_bytes(64 * 1024):
                pass  # read (and drop) the answer, so its time counts and the connection ends cleanly
            code = response.status
    except outbound.OutboundError as exc:
        elapsed = int((time.monotonic() - started) * 1000)
        return None, elapsed, str(exc), isinstance(exc, outbound.Refused)
    elapsed = int((time.monotonic() - started) * 1000)
    return code, elapsed, ("" if 200 <= code < 300 else f"The receiver answered {code}."), False
