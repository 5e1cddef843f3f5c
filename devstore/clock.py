"""The devstore clock: real time plus an offset that tests can advance.

Everything that expires (authorization codes, tokens, discounts) or is due
(webhook retries, throttle refill) reads this clock, so a test can jump an
hour ahead instead of sleeping. Listeners are told when time jumps so the
webhook thread re-checks what became due.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from typing import Callable
from zoneinfo import ZoneInfo


class Clock:
    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []

    def now(self) -> float:
        with self._lock:
            return time.time() + self._offset

    @property
    def offset(self) -> float:
        return self._offset

    def advance(self, seconds: float) -> float:
        with self._lock:
            self._offset += float(seconds)
            listeners = list(self._listeners)
        for listener in listeners:
            listener()
        return self.now()

    def on_advance(self, listener: Callable[[], None]) -> None:
        with self._lock:
            self._listeners.append(listener)


def iso_utc(ts: float | None) -> str | None:
    """GraphQL ``DateTime``: UTC with a ``Z`` suffix, whole seconds."""
    if ts is None:
        return None
    return datetime.fromtimestamp(int(ts), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_local(ts: float | None, tz: str) -> str | None:
    """REST/webhook timestamps: shop-local time with its offset, e.g. ``2024-05-01T10:00:00-04:00``."""
    if ts is None:
        return None
    return datetime.fromtimestamp(int(ts), ZoneInfo(tz)).isoformat()


def parse_iso(text: str) -> float:
    """Parse the ISO-8601 forms the search syntax and inputs use (date, datetime, ``Z``)."""
    value = text.strip().strip("'\"")
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.timestamp()
