"""The catalog reads behind the merchant's recommendation settings page.

Which product ids exist (a save names each unknown one), the shop's category,
vendor and tag names (a selector matching none of them is refused), and the
product search the merchant picks pins and exclusions with. A deleted product counts as
unknown; a draft or sold-out one exists (it shows once it is back).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from .connection import Database
from .sql import chunks, in_list

LIKE_ESCAPE = "\\"


class RecCatalog:
    def __init__(self, database: Database):
        self._d = database

    def product_titles(self, shop: str, product_ids: Sequence[str]) -> dict[str, str]:
        """{product id: title} of those of ``product_ids`` the shop's catalog holds (not deleted)."""
        found: dict[str, str] = {}
        for chunk in chunks(list(dict.fromkeys(product_ids))):
            ids_sql, ids = in_list("product", chunk)
            found.update((row[0], row[1] or "") for row in self._d.rows(
                f"SELECT product_id, title FROM products WHERE shop = :shop AND deleted_at IS NULL"
                f" AND product_id IN ({ids_sql})", {**ids, "shop": shop}))
        return found

    def catalog_names(self, shop: str) -> dict[str, set[str]]:
        """The shop's category (product type), vendor and tag names, as written, of products not deleted.

        Distinct values only: a shop has far fewer names (and tag lists) than
        products. Tags are a JSON list per product, so their lists are read
        and split here rather than with a database's JSON functions.
        """
        names: dict[str, set[str]] = {"category": set(), "vendor": set(), "tag": set()}
        for kind, column in (("category", "product_type"), ("vendor", "vendor")):
            names[kind].update(row[0] for row in self._d.rows(
                f"SELECT DISTINCT {column} FROM products WHERE shop = :shop AND deleted_at IS NULL"
                f" AND {column} IS NOT NULL AND {column} <> ''", {"shop": shop}))
        for (tags,) in self._d.rows(
                "SELECT DISTINCT tags FROM products WHERE shop = :shop AND deleted_at IS NULL AND tags <> '[]'",
                {"shop": shop}):
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
        # case-fold: SQLite's LOWER folds ASCII only, PostgreSQL's every letter (the docstring says so)
        rows = self._d.rows(
            f"""
            SELECT product_id, title, vendor, status FROM products
            WHERE shop = :shop AND deleted_at IS NULL
              AND LOWER(title) LIKE LOWER(CAST(:contains AS TEXT)) ESCAPE '{LIKE_ESCAPE}'
            ORDER BY CASE WHEN LOWER(title) LIKE LOWER(CAST(:starts AS TEXT)) ESCAPE '{LIKE_ESCAPE}' THEN 0 ELSE 1 END,
                title, product_id
            LIMIT :limit
            """,
            {"shop": shop, "contains": f"%{escaped}%", "starts": f"{escaped}%", "limit": limit},
        )
        return [{"product_id": r[0], "title": r[1] or "", "vendor": r[2], "status": r[3]} for r in rows]
