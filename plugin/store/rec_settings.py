"""The merchant's recommendation-block settings: one row per shop, a JSON object and its version.

Validation and meaning live in ``plugin.rec_settings``; this module only
stores what it is given. ``stamp`` is the hot path: every block request asks
it (one primary-key lookup, no JSON) whether the settings a process holds are
still current.
"""

from __future__ import annotations

import json

from .connection import Database, now_ms


class RecSettings:
    def __init__(self, database: Database):
        self._d = database

    def stamp(self, shop: str) -> tuple[int, int] | None:
        """(version, updated_at) of the shop's saved settings, or None when it never saved any."""
        row = self._d.db.conn.execute(
            "SELECT version, updated_at FROM rec_settings WHERE shop = ?", [shop]).fetchone()
        return (row[0], row[1]) if row else None

    def get(self, shop: str) -> tuple[dict, int, int] | None:
        """(stored settings, version, updated_at), or None when the merchant never saved any."""
        row = self._d.db.conn.execute(
            "SELECT settings, version, updated_at FROM rec_settings WHERE shop = ?", [shop]).fetchone()
        return (json.loads(row[0]), row[1], row[2]) if row else None

    def save(self, shop: str, settings: dict, now: int | None = None) -> int:
        """Store a validated settings object; returns its new version (1, 2, ...)."""
        with self._d.write() as db:
            rows = list(db.query(
                """
                INSERT INTO rec_settings (shop, settings, version, updated_at) VALUES (?, ?, 1, ?)
                ON CONFLICT (shop) DO UPDATE SET settings = excluded.settings,
                    version = rec_settings.version + 1, updated_at = excluded.updated_at
                RETURNING version
                """,
                [shop, json.dumps(settings, sort_keys=True), now_ms() if now is None else now],
            ))
        return rows[0]["version"]
