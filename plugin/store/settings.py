"""Per-shop settings of every feature: one row per (shop, feature), a JSON object and its version.

Validation and meaning live in ``plugin.settings`` and the features' models;
this module only stores what it is given. ``get`` is on the storefront's hot
path: one primary-key lookup returning the stamp (version, updated_at) and the
JSON text, which the reader parses only when the stamp moved since it last
looked (``plugin.settings.cache``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from ..clock import now_ms
from .connection import Database
from .sql import in_list


@dataclass(frozen=True)
class StoredSettings:
    """A saved row: the JSON as stored, its version (1, 2, ... per save) and when it was saved."""

    text: str
    version: int
    updated_at: int

    @property
    def stamp(self) -> tuple[int, int]:
        """What tells one save from every other of the same row, even one re-created after an erasure."""
        return self.version, self.updated_at

    @property
    def data(self):
        return json.loads(self.text)


class ShopSettings:
    def __init__(self, database: Database):
        self._d = database

    def get(self, shop: str, feature: str) -> StoredSettings | None:
        """The shop's saved settings of ``feature``, or None when the merchant never saved any."""
        rows = self._d.rows(
            "SELECT settings, version, updated_at FROM shop_settings WHERE shop = :shop AND feature = :feature",
            {"shop": shop, "feature": feature})
        return StoredSettings(*rows[0]) if rows else None

    def get_many(self, shop: str, features: Sequence[str]) -> dict[str, StoredSettings]:
        """``get`` of several features in one lookup (a recommendation block reads two), by feature;
        a feature the merchant never saved is missing."""
        names, params = in_list("feature", features)
        rows = self._d.rows(
            f"SELECT feature, settings, version, updated_at FROM shop_settings WHERE shop = :shop AND feature IN ({names})",
            {"shop": shop, **params})
        return {row[0]: StoredSettings(*row[1:]) for row in rows}

    def save(self, shop: str, feature: str, settings: dict, now: int | None = None) -> int:
        """Store a validated settings object; returns its new version (1, 2, ...)."""
        with self._d.write() as db:
            rows = list(db.query(
                """
                INSERT INTO shop_settings (shop, feature, settings, version, updated_at) VALUES (:shop, :feature, :settings, 1, :now)
                ON CONFLICT (shop, feature) DO UPDATE SET settings = excluded.settings,
                    version = shop_settings.version + 1, updated_at = excluded.updated_at
                RETURNING version
                """,
                {"shop": shop, "feature": feature, "settings": json.dumps(settings, sort_keys=True),
                 "now": now_ms() if now is None else now},
            ))
        return rows[0]["version"]
