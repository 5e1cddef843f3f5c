"""Moving the app's clock in a test instead of waiting: flows due in hours run in milliseconds."""

from __future__ import annotations

import time

from plugin.clock import now_ms

MINUTE_MS = 60_000


class Clock:
    """Wall time for the app in this test: real time plus an offset the test moves forward."""

    def __init__(self, monkeypatch):
        self.offset_s = 0.0
        real = time.time
        monkeypatch.setattr(time, "time", lambda: real() + self.offset_s)

    def advance(self, ms: int) -> None:
        self.offset_s += ms / 1000

    def to_utc_hour(self, hour: int) -> None:
        """Move forward to the next time the UTC clock shows ``hour``:00."""
        now = now_ms()
        day_ms = 24 * 60 * MINUTE_MS
        target = now - now % day_ms + hour * 60 * MINUTE_MS
        self.advance((target if target > now else target + day_ms) - now)
