"""Fixed-window rate limits in memory (one process) or Redis (several processes)."""

from __future__ import annotations

import threading
import time

from .errors import ServiceError

_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def parse(rule: str) -> tuple[int, int]:
    """'20/minute' -> (20, 60)."""
    count, _, unit = rule.partition("/")
    return int(count), _UNITS[unit.strip().rstrip("s")]


class MemoryStore:
    """Counters in this process; enough for the embedded single-process default."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}

    def hit(self, key: str, window: int) -> tuple[int, float]:
        """Count one hit; return (hits in the window, seconds until it resets)."""
        now = time.monotonic()
        with self._lock:
            count, reset = self._counts.get(key, (0, now + window))
            if now >= reset:
                count, reset = 0, now + window
            count += 1
            self._counts[key] = (count, reset)
            if len(self._counts) > 100_000:
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
            return count, reset - now

    def count(self, key: str) -> tuple[int, float]:
        """The hits in the current window and seconds until it resets, without counting one."""
        now = time.monotonic()
        with self._lock:
            count, reset = self._counts.get(key, (0, now))
            return (count, reset - now) if now < reset else (0, 0.0)


class RedisStore:
    """Counters shared by every process through Redis."""

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url)

    def hit(self, key: str, window: int) -> tuple[int, float]:
        """Count one hit; return (hits in the window, seconds until it resets)."""
        name = f"facilitator:rl:{key}"
        pipe = self._redis.pipeline()
        pipe.incr(name)
        pipe.expire(name, window, nx=True)
        pipe.pttl(name)
        count, _, ttl = pipe.execute()
        return int(count), max(ttl, 0) / 1000

    def count(self, key: str) -> tuple[int, float]:
        """The hits in the current window and seconds until it resets, without counting one."""
        name = f"facilitator:rl:{key}"
        pipe = self._redis.pipeline()
        pipe.get(name)
        pipe.pttl(name)
        count, ttl = pipe.execute()
        return int(count or 0), max(ttl, 0) / 1000


class Limiter:
    """Applies the configured rules; raises ServiceError('rate_limited') with Retry-After."""

    def __init__(self, app) -> None:
        url = app.config.get("RATELIMIT_STORAGE_URL") or app.config.get("SOCKETIO_MESSAGE_QUEUE")
        self.store = RedisStore(url) if url and url.startswith("redis") else MemoryStore()
        self.config = app.config

    def check(self, setting: str, key: str) -> None:
        """Count a hit on the rule named by setting for key."""
        if not self.config.get("RATELIMIT_ENABLED", True):
            return
        limit, window = parse(self.config[setting])
        count, reset_in = self.store.hit(f"{setting}:{window}:{key}", window)
        if count > limit:
            raise ServiceError("rate_limited", retry_after=max(1, int(reset_in + 0.999)))

    def check_not_exceeded(self, setting: str, key: str) -> None:
        """Refuse while key is over the rule's limit, without counting this request."""
        if not self.config.get("RATELIMIT_ENABLED", True):
            return
        limit, window = parse(self.config[setting])
        count, reset_in = self.store.count(f"{setting}:{window}:{key}")
        if count >= limit:
            raise ServiceError("rate_limited", retry_after=max(1, int(reset_in + 0.999)))
