"""One Redis client per URL and process, shared by every layer that keeps counts in Redis (pacing, the
pipeline's mailbox, per-person rate limits), and the token bucket's refill those counts share."""
from __future__ import annotations

import threading

import redis
from django.conf import settings

_clients: dict[str, redis.Redis] = {}
_clients_lock = threading.Lock()


def client() -> redis.Redis:
    url = settings.REDIS_URL
    with _clients_lock:
        found = _clients.get(url)
        if found is None:
            found = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=3,
                                         health_check_interval=10, decode_responses=True)
            _clients[url] = found
        return found


# The start of a token-bucket script: KEYS[1] the bucket; ARGV rate (tokens/s), capacity, cost. Leaves
# `now`, `rate`, `capacity`, `cost` and `tokens` (refilled to now, by Redis's clock: the same for all) for the
# rest of the script, which decides what to take and writes 'tokens' and 'ts' back.
TOKEN_BUCKET_REFILL = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or capacity
local ts = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate)
"""
