"""The merchant's recommendation-block settings: one row per shop, a JSON object and its version.

Validation and meaning live in ``plugin.recommendations.settings``; this module only
stores what it is given. ``stamp`` is the hot path: every block request asks
it (one primary-key lookup, no JSON) whether the settings a process holds are
still current.

The catalog reads behind the settings page live here too: which product ids
exist (a save names each unknown one), the shop's category, vendor and tag
names (a selector matching none of them is refused), and the product search
the merchant picks pins and exclusions with. A deleted product counts as
unknown; a draft or sold-out one exists (it shows once it is back).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..clock import now_ms
from .connection import Database

MAX_IN = 500  # ids per IN (...) list: far below every database's parameter limit
LIKE_ESCAPE = "\\"


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

    def product_titles(self, shop: str, product_ids: Sequence[str]) -> dict[str, str]:
        """{product id: title} of those of ``product_ids`` the shop's catalog holds (not deleted)."""
        ids = list(dict.fromkeys(product_ids))
        found: dict[str, str] = {}
        for start in range(0, len(ids), MAX_IN):
            chunk = ids[start:start + MAX_IN]
            marks = ", ".join("?" for _ in chunk)
            found.update((row[0], row[1] or "") for row in self._d.db.conn.execute(
                f"SELECT product_id, title FROM products WHERE shop = ? AND deleted_at IS NULL"
                f" AND product_id IN ({marks})", [shop, *chunk]))
        return found

    def catalog_names(self, shop: str) -> dict[str, set[str]]:
        """The shop's category (product type), vendor and tag names, as written, of products not deleted.

        Distinct values only: a shop has far fewer names (and tag lists) than
        products. Tags are a JSON list per product, so their lists are read
        and split here rather than with a database's JSON functions.
        """
        names: dict[str, set[str]] = {"category": set(), "vendor": set(), "tag": set()}
        conn = self._d.db.conn
        for kind, column in (("category", "product_type"), ("vendor", "vendor")):
            names[kind].update(row[0] for row in conn.execute(
                f"SELECT DISTINCT {column} FROM products WHERE shop = ? AND deleted_at IS NULL"
                f" AND {column} IS NOT NULL AND {column} <> ''", [shop]))
        for (tags,) in conn.execute(
                "SELECT DISTINCT tags FROM products WHERE shop = ? AND deleted_at IS NULL AND tags <> '[]'", [shop]):
            names["tag"].update(tag for tag in json.loads(tags) if isinstance(tag, str) and tag)
        return names

    def search_products(self, shop: str, text: str, limit: int) -> list[dict]:
        """Up to ``limit`` of the shop's products (not deleted) whose title contains ``text``, any letter case.

        ``%`` and ``_`` in the text are literal (escaped for LIKE). Titles that
        start with the text come first, then by title. ``LOWER`` on both sides,
        in the database, makes the match case-insensitive on PostgreSQL as on
        SQLite (whose LOWER folds ASCII letters only).
        """
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self._d.db.conn.execute(
            f"""
            SELECT product_id, title, vendor, status FROM products
            WHERE shop = ? AND deleted_at IS NULL AND LOWER(title) LIKE LOWER(?) ESCAPE '{LIKE_ESCAPE}'
            ORDER BY CASE WHEN LOWER(title) LIKE LOWER(?) ESCAPE '{LIKE_ESCAPE}' THEN 0 ELSE 1 END, title, product_id
            LIMIT ?
            """,
            [shop, f"%{escaped}%", f"{escaped}%", limit],
        )
        return [{"product_id": r[0], "title": r[1] or "", "vendor": r[2], "status": r[3]} for r in rows]
