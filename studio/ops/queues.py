"""The broker's queues as Celery sees them: how many messages wait in each."""
from __future__ import annotations

from celery import current_app
from django.conf import settings
from kombu.exceptions import ChannelError


def queue_names() -> list[str]:
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values() if "queue" in route}
    return sorted(routed | {settings.CELERY_TASK_DEFAULT_QUEUE})


def depths() -> dict[str, int]:
    """Messages waiting per queue (every priority level); scheduled retries held by workers are not here."""
    out = {}
    with current_app.connection_for_read() as conn:
        conn.ensure_connection(max_retries=1, timeout=3)
        channel = conn.default_channel
        for name in queue_names():
            try:
                out[name] = channel.queue_declare(queue=name, passive=True).message_count
            except ChannelError:  # never declared: nothing was ever sent to it
                out[name] = 0
    return out
