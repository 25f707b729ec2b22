"""Per-person rate limits: images per minute (a token bucket in Redis, shared by every web process) and
unfinished jobs at once (counted by the caller from the job rows, which are the truth).

A team's budget row may override both for the team's jobs. The bucket refuses rather than going into
debt (unlike the provider pacing in generation): a person is told when to try again.
"""
from __future__ import annotations

import logging
import math

import redis
from django.conf import settings

from studio import redis_connection

from .errors import RateLimited
from .models import Budget

log = logging.getLogger(__name__)

KEY_PREFIX = "studio:person-rate:"

# KEYS[1] bucket; ARGV rate (tokens/s), capacity, cost. Returns "0" when taken, else the wait in seconds.
_TAKE = redis_connection.TOKEN_BUCKET_REFILL + """
if tokens < cost then return tostring((cost - tokens) / rate) end
tokens = tokens - cost
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate) + 60)
return '0'
"""


def limits_for(team) -> tuple[int, int]:
    """(images per minute, unfinished jobs) for one person's jobs in `team` (None: their own account)."""
    per_minute, concurrent = settings.STUDIO_PERSON_IMAGES_PER_MINUTE, settings.STUDIO_PERSON_CONCURRENT_JOBS
    if team is not None:
        override = Budget.objects.filter(team=team).values_list("images_per_minute", "concurrent_jobs").first()
        if override:
            per_minute, concurrent = override[0] or per_minute, override[1] or concurrent
    return per_minute, concurrent


def _bucket_key(user, per_minute: int) -> str:
    return f"{KEY_PREFIX}{user.pk}:{per_minute}"


def check(*, user, team, images: int, unfinished_jobs: int) -> None:
    """RateLimited when the person has too many jobs running, or has made too many images this minute."""
    per_minute, concurrent = limits_for(team)
    if unfinished_jobs >= concurrent:
        raise RateLimited(f"You have {unfinished_jobs} jobs still running, the most at once ({concurrent}). "
                          "Try again when one of them has finished.", retry_after=5.0)
    if images > per_minute:
        raise RateLimited(f"A job of {images} images is more than the {per_minute} images a minute you may make. "
                          "Ask for fewer images.")
    rate = per_minute / 60.0
    try:
        wait = float(redis_connection.client().eval(_TAKE, 1, _bucket_key(user, per_minute), rate, per_minute,
                                                    images))
    except redis.RedisError as exc:
        # Without Redis there is no shared count: let the job through (budgets still hold in the database).
        log.warning("per-person rate limit unavailable (%s); not limiting", exc)
        return
    if wait > 0:
        seconds = math.ceil(wait)
        raise RateLimited(f"You may make {per_minute} images a minute. Try again in {seconds} second"
                          f"{'s' if seconds != 1 else ''}.", retry_after=float(seconds))


def reset(user) -> None:
    """Forget a person's bucket (tests; an operator lifting a limit)."""
    client = redis_connection.client()
    for key in client.scan_iter(f"{KEY_PREFIX}{user.pk}:*"):
        client.delete(key)
