"""Time, written once: epoch milliseconds, the day and hour in them, and how they read.

Every stored time is integer epoch milliseconds (it runs unchanged on SQLite and
PostgreSQL, and needs no time zone), so the wall clock, the lengths of a day and an
hour, and the few ways such a time is written out live here, for every package
to share. It imports nothing of Storelift's, so even the store may use it.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS


def now_ms() -> int:
    """Wall-clock time as integer epoch milliseconds: the one time type in the schema."""
    return int(time.time() * 1000)


def backoff_ms(attempt: int, first_ms: int, cap_ms: int) -> int:
    """The wait before retry number ``attempt`` (1 is the first): ``first_ms``, doubling each time, capped.

    Retrying an unreachable platform or a failing handler at once only adds load while it
    is down; doubling waits lets a short outage heal quickly and a long one cost little.
    """
    return min(first_ms * 2 ** (attempt - 1), cap_ms)


def _utc(epoch_ms: int) -> datetime:
    return datetime.fromtimestamp(epoch_ms / 1000, timezone.utc)


def format_ms(epoch_ms: int) -> str:
    """A short UTC time for merchants reading the admin or a terminal, e.g. ``2025-03-01 14:05 UTC``."""
    return _utc(epoch_ms).strftime("%Y-%m-%d %H:%M UTC")


def iso_ms(epoch_ms: int) -> str:
    """The ISO 8601 UTC timestamp the platform's API and exports expect, e.g. ``2025-03-01T14:05:09Z``."""
    return _utc(epoch_ms).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_date_ms(epoch_ms: int) -> str:
    """The UTC calendar day, e.g. ``2025-03-01``: enough for a shopper-facing expiry date."""
    return _utc(epoch_ms).strftime("%Y-%m-%d")
