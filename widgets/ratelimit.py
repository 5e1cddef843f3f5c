"""In-process token buckets: per visitor, per IP, per purpose.

Storefront endpoints are reachable by anyone who can load the shop, so every
write endpoint is bounded. Buckets live in memory (a bounded LRU), per
process. With several web processes behind a load balancer, each process
enforces ``1/processes`` of every limit (``STORELIFT_WEB_PROCESSES``, see
docs/deploy.md): requests spread over the processes, so together they
enforce the whole limit without a database write per storefront request. A
visitor pinned to one process gets that process's share only, which errs on
the strict side.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    burst: float  # requests allowed at once
    per_second: float  # refill rate


DEFAULT_LIMITS = {
    "events:visitor": Limit(burst=30, per_second=0.5),
    "events:ip": Limit(burst=300, per_second=10),
    "identify:ip": Limit(burst=20, per_second=0.2),
    "subscribe:ip": Limit(burst=20, per_second=0.2),
    "subscribe:visitor": Limit(burst=10, per_second=0.1),
    "recs:ip": Limit(burst=600, per_second=20),  # recommendation block impressions and clicks
    "recs:visitor": Limit(burst=60, per_second=1),
}


class RateLimiter:
    def __init__(self, limits: dict[str, Limit] | None = None, max_keys: int = 100_000, clock=time.monotonic,
                 processes: int = 1):
        self.limits = {purpose: Limit(burst=limit.burst / processes, per_second=limit.per_second / processes)
                       for purpose, limit in (DEFAULT_LIMITS if limits is None else limits).items()}
        self._buckets: OrderedDict[tuple[str, str], tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_keys
        self._clock = clock

    def allow(self, purpose: str, key: str, cost: float = 1.0) -> bool:
        """Take ``cost`` tokens from the (purpose, key) bucket; False when it is empty."""
        limit = self.limits.get(purpose)
        if limit is None or not key:
            return True
        now = self._clock()
        with self._lock:
            tokens, stamp = self._buckets.pop((purpose, key), (limit.burst, now))
            tokens = min(limit.burst, tokens + (now - stamp) * limit.per_second)
            ok = tokens >= cost
            if ok:
                tokens -= cost
            self._buckets[(purpose, key)] = (tokens, now)
            while len(self._buckets) > self._max:
                self._buckets.popitem(last=False)
            return ok
