"""The figures of the operations page, each read on its own so one part that cannot answer (Redis down)
shows as such instead of taking the page with it."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from studio.gallery.models import Image
from studio.generation.models import Job
from studio.generation.services import mailbox

from . import archive, heartbeats, queues

log = logging.getLogger(__name__)

STORAGE_CACHE_SECONDS = 60  # a SUM over every stored image: cheap enough once a minute, not every refresh
ZERO = Decimal("0")
DEFAULT_PROVIDER = "default"


@dataclass
class Section:
    """One block of the page: its rows, or the reason it has none."""

    rows: list = field(default_factory=list)
    problem: str = ""
    extra: dict = field(default_factory=dict)


def _section(name: str, read) -> Section:
    try:
        return read()
    except Exception as exc:  # noqa: BLE001 - the page names what failed instead of failing
        log.warning("ops page: %s could not be read (%s)", name, exc)
        return Section(problem=f"Could not read this: {type(exc).__name__}: {str(exc)[:160]}")


def queue_depths() -> Section:
    return Section(rows=sorted(queues.depths().items()))


def unfinished_jobs() -> Section:
    rows = list(Job.objects.unfinished().values("status").annotate(jobs=Count("id"), oldest=Min("created_at"))
                .order_by("status"))
    oldest = Job.objects.unfinished().order_by("created_at", "id").only("id", "status", "created_at").first()
    return Section(rows=rows, extra={"oldest": oldest})


def calls_in_flight() -> Section:
    rows = list(Job.objects.filter(status=Job.Status.CALLING).values("provider")
                .annotate(calls=Count("id"), oldest=Min("called_at")).order_by("provider"))
    for row in rows:
        row["provider"] = row["provider"] or DEFAULT_PROVIDER
    return Section(rows=rows)


def failures_last_day(now) -> Section:
    since = now - timedelta(hours=24)
    rows = list(Job.objects.filter(finished_at__gte=since).exclude(failure_code="")
                .values("failure_code").annotate(jobs=Count("id")).order_by("-jobs", "failure_code"))
    return Section(rows=rows)


def today_by_provider_and_team(now) -> Section:
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    rows = list(Job.objects.filter(created_at__gte=start).values("provider", "team__name")
                .annotate(jobs=Count("id"), calls=Coalesce(Sum("api_calls"), 0), spent=Coalesce(Sum("cost_actual"), ZERO))
                .order_by("provider", "team__name"))
    for row in rows:
        row["provider"] = row["provider"] or DEFAULT_PROVIDER
    return Section(rows=rows, extra={"since": start})


def storage_used() -> Section:
    def read():
        totals = Image.objects.stored().aggregate(images=Count("id"), bytes=Coalesce(Sum("byte_size"), 0),
                                                  trashed=Count("id", filter=Q(deleted_at__isnull=False)))
        return {**totals, "at": time.time()}

    return Section(extra=cache.get_or_set("ops:storage-used", read, STORAGE_CACHE_SECONDS))


def sweeper(now) -> Section:
    note = mailbox.read_note("sweep")
    if note is None:
        return Section(problem="The sweeper has not run since Redis started (is beat running?).")
    age = max(0.0, now.timestamp() - note["at"])
    return Section(extra={**note, "age": age, "lag": max(0.0, age - settings.STUDIO_SWEEP_SECONDS),
                          "period": settings.STUDIO_SWEEP_SECONDS})


def workers(now) -> Section:
    rows = heartbeats.alive_workers()
    for row in rows:
        row["age"] = max(0.0, now.timestamp() - row["at"])
        row["up"] = max(0.0, now.timestamp() - row["started"])
    return Section(rows=rows, problem="" if rows else "No worker has sent a heartbeat: is a worker running?")


def last_archive_check() -> Section:
    check = archive.last_finished()
    running = archive.resumable()
    return Section(extra={"check": check, "running": running})


def figures() -> dict:
    now = timezone.now()
    return {
        "now": now,
        "queues": _section("queues", queue_depths),
        "unfinished": _section("unfinished", unfinished_jobs),
        "calling": _section("calling", calls_in_flight),
        "failures": _section("failures", lambda: failures_last_day(now)),
        "today": _section("today", lambda: today_by_provider_and_team(now)),
        "storage": _section("storage", storage_used),
        "sweeper": _section("sweeper", lambda: sweeper(now)),
        "workers": _section("workers", lambda: workers(now)),
        "archive": _section("archive", last_archive_check),
    }
