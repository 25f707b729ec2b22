"""Celery's routing, broker options and beat schedule (the values settings.py read come in as arguments)."""

TASK_ROUTES = {
    "studio.generation.tasks.run_job": {"queue": "api"},
    "studio.generation.tasks.fetch_image": {"queue": "fetch"},
    "studio.generation.tasks.sweep": {"queue": "fetch"},
    "studio.gallery.tasks.read_provenance": {"queue": "fetch"},
    "studio.gallery.tasks.catch_up_provenance": {"queue": "fetch"},
    "studio.workflow.tasks.deliver_webhook": {"queue": "fetch"},
    "studio.workflow.tasks.resend_due_webhooks": {"queue": "fetch"},
}


def broker_transport_options(*, visibility_timeout: int) -> dict:
    """Redis transport options; the visibility timeout bounds how long a message can be held.

    It must stay above the longest task plus the longest countdown (STUDIO_MAX_COUNTDOWN), so Redis
    does not hand a running or scheduled task to a second worker. A message held by a killed worker
    comes back only after this long; the sweeper does not wait for it.
    """
    return {
        "visibility_timeout": visibility_timeout,
        "queue_order_strategy": "priority",
        "priority_steps": [0, 3, 6, 9],
        "socket_timeout": 15,
        "socket_connect_timeout": 5,
        "health_check_interval": 10,
    }


def beat_schedule(*, sweep_seconds: float, sweep_priority: int) -> dict:
    """What beat sends, and how often."""
    return {
        "sweep": {
            "task": "studio.generation.tasks.sweep",
            "schedule": sweep_seconds,
            # A sweep that waited longer than a period is superseded by the next one.
            "options": {"expires": max(sweep_seconds, 5.0), "priority": sweep_priority},
        },
        # Images in the trash longer than STUDIO_TRASH_DAYS leave for good, storage objects included.
        # Uploaded pictures that no job used, a day after they were uploaded.
        "purge-orphan-uploads": {
            "task": "studio.generation.tasks.purge_orphan_uploads",
            "schedule": 24 * 60 * 60.0,
            "options": {"queue": "fetch", "expires": 60 * 60},
        },
        "purge-trash": {
            "task": "studio.gallery.tasks.purge_trash",
            "schedule": 24 * 60 * 60.0,
            "options": {"queue": "fetch", "expires": 60 * 60},
        },
        # Stored images whose provenance read was lost with its message (or failed) are read again.
        "catch-up-provenance": {
            "task": "studio.gallery.tasks.catch_up_provenance",
            "schedule": 60 * 60.0,
            "options": {"queue": "fetch", "expires": 30 * 60},
        },
        # Audit events older than STUDIO_AUDIT_DAYS leave; a sample of the archive is re-read and checked.
        "purge-audit": {
            "task": "studio.audit.tasks.purge_old_events",
            "schedule": 24 * 60 * 60.0,
            "options": {"queue": "fetch", "expires": 60 * 60},
        },
        # Webhook deliveries whose message was lost (or whose worker died mid-send) are sent again when due.
        "resend-due-webhooks": {
            "task": "studio.workflow.tasks.resend_due_webhooks",
            "schedule": 60.0,
            "options": {"queue": "fetch", "expires": 60},
        },
        "verify-archive-sample": {
            "task": "studio.ops.tasks.verify_archive_sample",
            "schedule": 24 * 60 * 60.0,
            "options": {"queue": "fetch", "expires": 60 * 60},
        },
    }
