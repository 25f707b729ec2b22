"""Live job events on Redis pub/sub: "status" changed, "partial_image" streamed, "image_stored", "settled".

Workers publish; the /v1 gateway's waiting requests and the pages' event stream listen (generation/live.py).
An event is a nudge, never the truth: it names the job (and its owner and team, so a listener can skip
what is not for it without asking the database) and what happened; whoever acts on it reads the row.
A lost event (Redis down, a listener reconnecting) costs only the listeners' periodic database check,
so publishing never fails a job. Events are sent after the transaction that made them commits.
"""
from __future__ import annotations

import json
import logging
import threading

import redis
from django.conf import settings
from django.db import transaction

from .. import signals
from ..models import Job

log = logging.getLogger(__name__)

STATUS, PARTIAL_IMAGE, IMAGE_STORED, SETTLED = "status", "partial_image", "image_stored", "settled"
NOTIFIED = "notified"  # a person's event (publish_to_person): their unread count changed

_clients: dict[str, redis.Redis] = {}
_clients_lock = threading.Lock()


def channel() -> str:
    """One channel per Redis database of REDIS_URL (pub/sub itself spans every database of a server)."""
    db = redis.connection.parse_url(settings.REDIS_URL).get("db", 0)
    return f"studio:job-events:{db}"


def _client() -> redis.Redis:
    url = settings.REDIS_URL
    with _clients_lock:
        client = _clients.get(url)
        if client is None:
            client = _clients[url] = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        return client


def publish(job, event: str, **data) -> None:
    """Send `event` about `job` (a Job, or its id) once the current transaction commits."""
    payload = {"event": event, **_who(job), **data}

    def send() -> None:
        try:
            _client().publish(channel(), json.dumps(payload))
        except redis.RedisError as exc:  # the listeners' database check covers a lost event
            log.info("job %s: event %s not published (%s)", payload["job"], event, exc)

    transaction.on_commit(send, robust=True)
    if event == SETTLED:
        # Higher layers follow settling through a signal; the pub/sub event above is for live pages only.
        transaction.on_commit(lambda: signals.job_settled.send(sender=Job, job_id=payload["job"],
                                                               status=data.get("status", "")), robust=True)


def publish_to_person(user_id: int, event: str) -> None:
    """A nudge for one person's pages (no job): "notified" when an unread notification arrived. Higher
    layers use this bus too, so the pages need one stream; it carries no content, only "ask again"."""
    payload = {"event": event, "job": None, "owner": user_id, "team": None}

    def send() -> None:
        try:
            _client().publish(channel(), json.dumps(payload))
        except redis.RedisError as exc:
            log.info("person %s: event %s not published (%s)", user_id, event, exc)

    transaction.on_commit(send, robust=True)


def _who(job) -> dict:
    if isinstance(job, Job):
        return {"job": job.pk, "owner": job.owner_id, "team": job.team_id}
    owner, team = Job.objects.filter(pk=job).values_list("owner_id", "team_id").first() or (None, None)
    return {"job": job, "owner": owner, "team": team}
