"""Storefront events (page views, product views, add to cart, widget impressions ...).

Rows arrive already validated by the storefront edge; this module only
stores a batch in one statement and reads them back per person or per type.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .connection import Database
from .sql import in_list


SIGNALS = "('product_view', 'add_to_cart', 'collection_view', 'search')"  # what shows a shopper's interest


def _signals(rows: list) -> list[tuple[str, str, str]]:
    """(type, subject, path) per row: the subject is the event's ``i``, "" when it names none."""
    signals = []
    for kind, data, path in rows:
        subject = json.loads(data).get("i")
        signals.append((kind, subject if isinstance(subject, str) else "", path or ""))
    return signals


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
        self._d.executemany(
            """
            INSERT INTO storefront_events (shop, visitor_id, session_id, type, occurred_at, received_at, path, data)
            VALUES (:shop, :visitor_id, :session_id, :type, :occurred_at, :received_at, :path, :data)
            """,
            [{"shop": shop, "visitor_id": visitor_id, "session_id": session_id, "type": e.type,
              "occurred_at": e.occurred_at, "received_at": received_at, "path": e.path,
              "data": json.dumps(e.data, separators=(",", ":"), sort_keys=True)} for e in events],
        )
        return len(events)

    def of_visitors(self, shop: str, visitor_ids: list[str], limit: int = 500) -> list[dict]:
        """Events of these visitors (one person's devices), oldest first."""
        if not visitor_ids:
            return []
        ids_sql, ids = in_list("visitor", visitor_ids)
        rows = self._d.query(
            f"""
            SELECT visitor_id, session_id, type, occurred_at, path, data FROM storefront_events
            WHERE shop = :shop AND visitor_id IN ({ids_sql}) ORDER BY occurred_at, id LIMIT :limit
            """,
            {**ids, "shop": shop, "limit": limit},
        )
        for row in rows:
            row["data"] = json.loads(row["data"])
        return rows

    def session_signals(self, shop: str, visitor_id: str, since: int, limit: int = 40) -> list[tuple[str, str, str]]:
        """This browser's shopping signals since ``since`` (ms), newest first: (type, subject, path).

        One read on the ``(shop, visitor_id, occurred_at)`` index, bounded by
        time and ``limit``, because a block request pays for it. The subject is
        the event's ``i`` (a product id, a collection handle, search terms; ""
        for an add to cart, which names its product only through the page path).
        """
        return _signals(self._d.rows(
            f"""
            SELECT type, data, path FROM storefront_events
            WHERE shop = :shop AND visitor_id = :visitor_id AND occurred_at >= :since AND type IN {SIGNALS}
            ORDER BY occurred_at DESC, id DESC LIMIT :limit
            """,
            {"shop": shop, "visitor_id": visitor_id, "since": since, "limit": limit},
        ))

    def person_signals(self, shop: str, person_id: str, since: int, limit: int = 40) -> list[tuple[str, str, str]]:
        """``session_signals`` of every browser the person was seen on (an email's for-you block reads them)."""
        return _signals(self._d.rows(
            f"""
            SELECT type, data, path FROM storefront_events
            WHERE shop = :shop AND occurred_at >= :since AND type IN {SIGNALS}
              AND visitor_id IN (SELECT visitor_id FROM visitors WHERE shop = :shop AND person_id = :person_id)
            ORDER BY occurred_at DESC, id DESC LIMIT :limit
            """,
            {"shop": shop, "person_id": person_id, "since": since, "limit": limit},
        ))

    def count(self, shop: str, type: str | None = None) -> int:
        if type is None:
            row = self._d.one("SELECT COUNT(*) AS n FROM storefront_events WHERE shop = :shop", {"shop": shop})
        else:
            row = self._d.one("SELECT COUNT(*) AS n FROM storefront_events WHERE shop = :shop AND type = :type",
                              {"shop": shop, "type": type})
        return row["n"]

    def widget_counts(self, shop: str, since_ms: int = 0) -> dict[str, int]:
        """Impressions, opens, closes and submits of the capture widget, for the admin."""
        rows = self._d.query(
            """
            SELECT type, COUNT(*) AS n FROM storefront_events
            WHERE shop = :shop AND type LIKE 'widget_%' AND occurred_at >= :since GROUP BY type
            """,
            {"shop": shop, "since": since_ms},
        )
        return {r["type"]: r["n"] for r in rows}
