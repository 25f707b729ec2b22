"""Who has a job's or batch's page open right now, so finishing work is announced only to those who left.

The pages ask a fragment every few seconds while their work is unfinished (the job page through its
slot, the batch page through its progress poll); each ask keeps a short-lived Redis key. When the work
settles, no key means nobody was looking: that is when the notification is worth sending. Redis not
answering counts as "not watching" (one notification too many is better than one missed).
"""
import logging

import redis

from studio import redis_connection

log = logging.getLogger(__name__)

SEEN_FOR = 15  # seconds a page's last ask counts; the pages ask every 5 (job) or 2 (batch) seconds


def _key(kind: str, pk: int, user_id: int) -> str:
    return f"studio:watching:{kind}:{pk}:{user_id}"


def mark(kind: str, pk: int, user_id: int) -> None:
    try:
        redis_connection.client().set(_key(kind, pk, user_id), 1, ex=SEEN_FOR)
    except redis.RedisError as exc:
        log.info("watching %s %s: not kept (%s)", kind, pk, exc)


def is_watching(kind: str, pk: int, user_id: int) -> bool:
    try:
        return bool(redis_connection.client().exists(_key(kind, pk, user_id)))
    except redis.RedisError:
        return False
