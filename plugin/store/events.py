"""Storefront events (page views, product views, add to cart, widget impressions ...).

Rows arrive already validated by the storefront edge; this module only
stores a batch in one statement and reads them back per person or per type.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .connection import Database
from .sql import marks


@dataclass(frozen=True)
class Event:
    type: str
    occurred_at: int
    path: str
    data: dict


class Events:
    def __init__(self, database: Database):
        self._d = database

    def add(self, shop: str, visitor_id: str, session_id: str, events: list[Event], received_at: int) -> int:
        """Insert a batch (call inside ``database.write()``); returns how many were stored."""
        if not events:
            return 0
        self._d.db.conn.executemany(
            """
            INSERT INTO storefront_events (shop, visitor_id, session_id, type, occurred_at, received_at, path, data)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [(shop, visitor_id, session_id, e.type, e.occurred_at, received_at, e.path,
              json.dumps(e.data, separators=(",", ":"), sort_keys=True)) for e in events],
        )
        return len(events)

    def of_visitors(self, shop: str, visitor_ids: list[str], limit: int = 500) -> list[dict]:
        """Events of these visitors (one person's devices), oldest first."""
        if not visitor_ids:
            return []
        rows = self._d.query(
            f"""
            SELECT visitor_id, session_id, type, occurred_at, path, data FROM storefront_events
            WHERE shop = ? AND visitor_id IN ({marks(visitor_ids)}) ORDER BY occurred_at, id LIMIT ?
            """,
            [shop, *visitor_ids, limit],
        )
        for row in rows:
            row["data"] = json.loads(row["data"])
        return rows

    def count(self, shop: str, type: str | None = None) -> int:
        if type is None:
            row = self._d.one("SELECT COUNT(*) AS n FROM storefront_events WHERE shop = ?", [shop])
        else:
            row = self._d.one("SELECT COUNT(*) AS n FROM storefront_events WHERE shop = ? AND type = ?", [shop, type])
        return row["n"]

    def widget_counts(self, shop: str, since_ms: int = 0) -> dict[str, int]:
        """Impressions, opens, closes and submits of the capture widget, for the admin."""
        rows = self._d.query(
            """
            SELECT type, COUNT(*) AS n FROM storefront_events
            WHERE shop = ? AND type LIKE 'widget_%' AND occurred_at >= ? GROUP BY type
            """,
            [shop, since_ms],
        )
        return {r["type"]: r["n"] for r in rows}
