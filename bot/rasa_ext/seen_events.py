"""Slack event ids already handled, so a retry is never answered twice.

Slack retries an event it thinks failed, and behind several Rasa servers the retry can reach
another server: the ids are kept in Redis (`SET key 1 NX EX`, one atomic step) when
LOCK_STORE_URL is set, and in this process otherwise.
"""
from __future__ import annotations

import logging
import time
from collections import OrderedDict
from typing import Optional, Protocol

log = logging.getLogger("coprod.channels")

TTL_S = 3600  # Slack retries within minutes; an hour is ample


class SeenEvents(Protocol):
    async def check_and_add(self, key: str) -> bool:
        """True if `key` was seen before; records it otherwise."""


class InProcessSeenEvents:
    """Event ids seen in the last hour by this process (bounded)."""

    def __init__(self, ttl: float = TTL_S, limit: int = 10000) -> None:
        self.ttl, self.limit = ttl, limit
        self._seen: "OrderedDict[str, float]" = OrderedDict()

    async def check_and_add(self, key: str) -> bool:
        now = time.monotonic()
        while self._seen and (len(self._seen) > self.limit or next(iter(self._seen.values())) < now - self.ttl):
            self._seen.popitem(last=False)
        if key in self._seen:
            return True
        self._seen[key] = now
        return False


class RedisSeenEvents:
    """Event ids seen by any server sharing this Redis."""

    def __init__(self, url: str, prefix: str = "coprod:slack-seen:", ttl: int = TTL_S) -> None:
        from bot.rasa_ext.lock_store import redis_client

        self._redis = redis_client(url)  # the lock store's Redis: TLS, user, db read alike
        self.prefix, self.ttl = prefix, ttl

    async def check_and_add(self, key: str) -> bool:
        first = await self._redis.set(self.prefix + key, b"1", nx=True, ex=self.ttl)
        return not first


def seen_events(redis_url: Optional[str]) -> SeenEvents:
    """Shared through Redis when one is configured, else in-process."""
    return RedisSeenEvents(redis_url) if redis_url else InProcessSeenEvents()
