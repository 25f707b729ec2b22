"""One Redis client per URL and process, shared by every layer that keeps counts in Redis (pacing, the
pipeline's mailbox, per-person rate limits)."""
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
