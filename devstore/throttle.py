"""GraphQL cost budget (leaky bucket) and injected API failures for retry tests.

The bucket refills at ``restore_rate`` points per second of devstore-clock
time up to ``maximum``; a query is refused when its requested cost exceeds
what is available, and the difference between requested and actual cost is
refunded after execution, as the platform does (platform.md §3.5).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from .clock import Clock


class LeakyBucket:
    def __init__(self, maximum: float, restore_rate: float, clock: Clock) -> None:
        self.maximum, self.restore_rate, self.clock = float(maximum), float(restore_rate), clock
        self._available = float(maximum)
        self._at = clock.now()
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = self.clock.now()
        self._available = min(self.maximum, self._available + max(now - self._at, 0) * self.restore_rate)
        self._at = now

    def take(self, cost: float) -> bool:
        with self._lock:
            self._refill()
            if cost > self._available:
                return False
            self._available -= cost
            return True

    def refund(self, points: float) -> None:
        with self._lock:
            self._refill()
            self._available = min(self.maximum, self._available + max(points, 0))

    def configure(self, maximum: float | None = None, restore_rate: float | None = None,
                  available: float | None = None) -> None:
        with self._lock:
            self._refill()
            if maximum is not None:
                self.maximum = float(maximum)
            if restore_rate is not None:
                self.restore_rate = float(restore_rate)
            self._available = min(self.maximum, float(available) if available is not None else self._available)

    def status(self) -> dict:
        with self._lock:
            self._refill()
            return {"maximumAvailable": self.maximum, "currentlyAvailable": int(self._available),
                    "restoreRate": self.restore_rate}


@dataclass
class Failure:
    status: int
    retry_after: str | None


class FailureInjector:
    """The next ``times`` Admin API calls answer ``status`` (with ``Retry-After`` when given)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._remaining = 0
        self._failure: Failure | None = None

    def arm(self, status: int, times: int, retry_after: str | None) -> None:
        with self._lock:
            self._failure, self._remaining = Failure(status, retry_after), max(int(times), 0)

    def next(self) -> Failure | None:
        with self._lock:
            if self._remaining <= 0 or self._failure is None:
                return None
            self._remaining -= 1
            return self._failure

    @property
    def remaining(self) -> int:
        return self._remaining
