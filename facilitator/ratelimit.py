"""Fixed-window rate limits in memory (one process) or Redis (several processes), keyed by address, phone or account."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict

from flask import request

from .errors import ServiceError

_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
log = logging.getLogger(__name__)


def client_address() -> str:
    """The requester's address, the key of the per-address limits (ProxyFix sets it behind a trusted proxy)."""
    return request.remote_addr or "unknown"


# (key, window in seconds, hits allowed in it); the index of the rule refused and seconds until its window resets.
Rule = tuple[str, int, int]
Refusal = tuple[int, float]

# RedisStore.hit_each: every rule's hit in one round trip, in order, stopping at the first
# over its limit (a post refused by its address is not counted against its workshop).
HIT_EACH = """
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if redis.call('TTL', key) == -1 then redis.call('EXPIRE', key, ARGV[2 * i - 1]) end
  if count > tonumber(ARGV[2 * i]) then return {i, redis.call('PTTL', key)} end
end
return {0, 0}
"""


def parse(rule: str) -> tuple[int, int]:
    """'20/minute' -> (20, 60)."""
    count, _, unit = rule.partition("/")
    return int(count), _UNITS[unit.strip().rstrip("s")]


class MemoryStore:
    """Counters in this process; enough for the embedded single-process default.

    Keys of one window length start their windows in time order, so each
    length keeps an OrderedDict whose front is always the next to expire:
    expiring costs O(1) per expired key, never a scan of every key. The store
    holds at most max_keys; past that the key closest to its reset goes first
    (it would lose its count within one window anyway).
    """

    def __init__(self, max_keys: int = 200_000) -> None:
        self._lock = threading.Lock()
        self.max_keys = max_keys
        # window length -> key -> (count, reset time), in order of reset time
        self._windows: dict[int, OrderedDict[str, tuple[int, float]]] = {}
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def _expire(self, now: float) -> None:
        for counts in self._windows.values():
            while counts:
                key, (_count, reset) = next(iter(counts.items()))
                if reset > now:
                    break
                del counts[key]
                self._size -= 1

    def _evict_one(self) -> bool:
        fronts = [(next(iter(c.values()))[1], w) for w, c in self._windows.items() if c]
        if not fronts:
            return False
        self._windows[min(fronts)[1]].popitem(last=False)
        self._size -= 1
        return True

    def hit(self, key: str, window: int) -> tuple[int, float]:
        """Count one hit; return (hits in the window, seconds until it resets)."""
        now = time.monotonic()
        with self._lock:
            self._expire(now)
            counts = self._windows.setdefault(window, OrderedDict())
            entry = counts.get(key)
            if entry is None:
                while self._size >= self.max_keys and self._evict_one():
                    pass
                entry = (0, now + window)
                self._size += 1
            count, reset = entry[0] + 1, entry[1]
            counts[key] = (count, reset)  # an existing key keeps its place: its reset did not move
            return count, reset - now

    def count(self, key: str, window: int) -> tuple[int, float]:
        """The hits in the current window and seconds until it resets, without counting one."""
        now = time.monotonic()
        with self._lock:
            count, reset = self._windows.get(window, {}).get(key, (0, now))
            return (count, reset - now) if now < reset else (0, 0.0)

    def hit_each(self, rules: list[Rule]) -> Refusal | None:
        """Count a hit on each (key, window, limit) in turn; at the first over its limit, stop and say which."""
        for index, (key, window, limit) in enumerate(rules):
            count, reset_in = self.hit(key, window)
            if count > limit:
                return index, reset_in
        return None


class RedisStore:
    """Counters shared by every process through Redis."""

    def __init__(self, url: str) -> None:
        import redis

        # Short timeouts: a post must not wait long on a Redis that went away (see FallbackStore).
        self._redis = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        self._hit_each = self._redis.register_script(HIT_EACH)

    def count(self, key: str, window: int) -> tuple[int, float]:
        """The hits in the current window and seconds until it resets, without counting one."""
        name = f"facilitator:rl:{key}"
        pipe = self._redis.pipeline()
        pipe.get(name)
        pipe.pttl(name)
        count, ttl = pipe.execute()
        return int(count or 0), max(ttl, 0) / 1000

    def hit_each(self, rules: list[Rule]) -> Refusal | None:
        """Count a hit on each (key, window, limit) in turn; at the first over its limit, stop and say which."""
        keys = [f"facilitator:rl:{key}" for key, _window, _limit in rules]
        index, ttl = self._hit_each(keys=keys, args=[n for _key, window, limit in rules for n in (window, limit)])
        return None if index == 0 else (int(index) - 1, max(int(ttl), 0) / 1000)


class FallbackStore:
    """Redis while it answers; this process's own counters while it does not.

    Phones must keep posting while Redis is away: the limits then hold per
    process (as in the single-process default) until Redis answers again.
    After a failure Redis is tried again only every `retry_after` seconds, so a
    dead Redis costs one timeout per interval, not one per request.
    """

    def __init__(self, primary: RedisStore, retry_after: float = 5.0) -> None:
        import redis

        self.primary = primary
        self.fallback = MemoryStore()
        self.retry_after = retry_after
        self._errors = (redis.RedisError, OSError)
        self._lock = threading.Lock()
        self._down_until: float | None = None

    @property
    def using_fallback(self) -> bool:
        """Whether Redis is considered away right now."""
        return self._down_until is not None

    def _call(self, name: str, *args):
        down_until = self._down_until
        if down_until is not None and time.monotonic() < down_until:
            return getattr(self.fallback, name)(*args)
        try:
            answer = getattr(self.primary, name)(*args)
        except self._errors as error:
            with self._lock:
                if self._down_until is None:
                    log.warning("Redis is unreachable (%s); rate limits count in this process until it is back", error)
                self._down_until = time.monotonic() + self.retry_after
            return getattr(self.fallback, name)(*args)
        if down_until is not None:
            with self._lock:
                if self._down_until is not None:
                    log.warning("Redis is reachable again; rate limits are shared by every process again")
                self._down_until = None
        return answer

    def count(self, key: str, window: int) -> tuple[int, float]:
        """The hits in the current window and seconds until it resets, without counting one."""
        return self._call("count", key, window)

    def hit_each(self, rules: list[Rule]) -> Refusal | None:
        """Count a hit on each (key, window, limit) in turn; at the first over its limit, stop and say which."""
        return self._call("hit_each", rules)


class Limiter:
    """Applies the configured rules; raises ServiceError (429) with Retry-After."""

    def __init__(self, app) -> None:
        url = app.config.get("RATELIMIT_STORAGE_URL") or app.config.get("SOCKETIO_MESSAGE_QUEUE")
        self.store = FallbackStore(RedisStore(url)) if url and url.startswith("redis") else MemoryStore()
        self.config = app.config

    def check(self, setting: str, key: str, code: str = "rate_limited") -> None:
        """Count a hit on the rule named by setting for key; over it, refuse with code."""
        self.check_each([(setting, key, code)])

    def check_each(self, checks: list[tuple[str, str, str]]) -> None:
        """check() each (setting, key, code) in order, in one round trip to a shared store; the first refusal stops the rest."""
        if not self.config.get("RATELIMIT_ENABLED", True):
            return
        rules = []
        for setting, key, _code in checks:
            limit, window = parse(self.config[setting])
            rules.append((f"{setting}:{window}:{key}", window, limit))
        refused = self.store.hit_each(rules)
        if refused is not None:
            index, reset_in = refused
            raise ServiceError(checks[index][2], retry_after=max(1, int(reset_in + 0.999)))

    def check_not_exceeded(self, setting: str, key: str) -> None:
        """Refuse while key is over the rule's limit, without counting this request."""
        if not self.config.get("RATELIMIT_ENABLED", True):
            return
        limit, window = parse(self.config[setting])
        count, reset_in = self.store.count(f"{setting}:{window}:{key}", window)
        if count >= limit:
            raise ServiceError("rate_limited", retry_after=max(1, int(reset_in + 0.999)))
