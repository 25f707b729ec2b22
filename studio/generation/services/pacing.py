"""Pacing: each provider's images-per-minute budget, shared by every worker through Redis.

A token bucket refilled at `images_per_minute / 60` per second, holding at most a short burst. A job
takes its `n` tokens when it is about to call; when the bucket is short it still takes them (the
bucket goes into debt) and is told how long to wait, so waiting jobs keep their place in line
instead of racing each other every time a token drips in. The clock is Redis's, the same for all.
"""
from __future__ import annotations

import logging

import redis
from django.conf import settings

from studio import redis_connection

from . import mailbox

log = logging.getLogger(__name__)

# KEYS[1] bucket; ARGV rate (tokens/s), capacity, cost. Returns the wait in seconds, as a string
# (a Lua number would be truncated to an integer on the way out).
_TAKE = redis_connection.TOKEN_BUCKET_REFILL + """
tokens = tokens - cost
local wait = 0
if tokens < 0 then wait = -tokens / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate) + 60)
return tostring(wait)
"""

# Give tokens back (a claim lost to another delivery, a call that was never made).
_GIVE = """
local state = redis.call('HMGET', KEYS[1], 'tokens')
local tokens = tonumber(state[1])
if tokens == nil then return 0 end
tokens = math.min(tonumber(ARGV[2]), tokens + tonumber(ARGV[1]))
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens))
return 1
"""


def _bucket(provider) -> tuple[str, float, float]:
    per_minute = float(getattr(provider, "images_per_minute", 0) or settings.STUDIO_IMAGES_PER_MINUTE)
    rate = max(per_minute, 1.0) / 60.0
    capacity = max(1.0, rate * settings.STUDIO_PACING_BURST_SECONDS)
    return mailbox.PREFIX + "pace:" + provider.name, rate, capacity


def take(provider, images: int) -> float:
    """Take `images` tokens from the provider's bucket; the seconds to wait before calling (0: go)."""
    key, rate, capacity = _bucket(provider)
    try:
        return max(0.0, float(mailbox.client().eval(_TAKE, 1, key, rate, capacity, max(1, images))))
    except redis.RedisError as exc:
        # Without Redis there is no shared count; calling is better than stalling every job, and
        # the provider's own 429s (with retry-after) still hold us back.
        log.warning("pacing for %s unavailable (%s); calling unpaced", provider.name, exc)
        return 0.0


def give_back(provider, images: int) -> None:
    key, _rate, capacity = _bucket(provider)
    try:
        mailbox.client().eval(_GIVE, 1, key, max(1, images), capacity)
    except redis.RedisError:
        pass


def reset(provider) -> None:
    try:
        mailbox.client().delete(_bucket(provider)[0])
    except redis.RedisError:
        pass
