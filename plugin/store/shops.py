"""Installed shops and their offline tokens; OAuth ``state`` nonces.

Tokens live only here. Rows handed to the rest of the app are ``Shop``
objects whose repr hides the tokens, so a stray log line cannot leak them.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

from ..clock import now_ms
from .connection import Database


@dataclass(frozen=True)
class Shop:
    shop: str
    scopes: tuple[str, ...]
    api_version: str
    installed_at: int | None
    uninstalled_at: int | None
    token_expires_at: int | None
    refresh_expires_at: int | None
    access_token: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    # As the platform names them (``save_profile``, at each sync); None until the first sync.
    name: str | None = None
    iana_timezone: str | None = None
    currency: str | None = None

    @property
    def installed(self) -> bool:
        return self.access_token is not None and self.uninstalled_at is None


def _shop(row: dict | None) -> Shop | None:
    if row is None:
        return None
    return Shop(
        shop=row["shop"],
        scopes=tuple(s for s in row["scopes"].split(",") if s),
        api_version=row["api_version"],
        installed_at=row["installed_at"],
        uninstalled_at=row["uninstalled_at"],
        token_expires_at=row["token_expires_at"],
        refresh_expires_at=row["refresh_expires_at"],
        access_token=row["access_token"],
        refresh_token=row["refresh_token"],
        name=row["name"],
        iana_timezone=row["iana_timezone"],
        currency=row["currency"],
    )


class Shops:
    def __init__(self, database: Database):
        self._d = database
        self._refresh_locks: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)

    @contextmanager
    def refreshing(self, shop: str) -> Iterator[None]:
        """Held while a shop's token is read and, if due, refreshed: two threads of this process never
        spend one single-use refresh token at once (the loser reads the pair the winner saved)."""
        with self._refresh_locks[shop]:
            yield

    def get(self, shop: str) -> Shop | None:
        return _shop(self._d.one("SELECT * FROM shops WHERE shop = :shop", {"shop": shop}))

    def is_installed(self, shop: str) -> bool:
        """``get(shop).installed`` in one column: every storefront request asks, and needs no token."""
        return bool(self._d.scalar(
            "SELECT 1 FROM shops WHERE shop = :shop AND access_token IS NOT NULL AND uninstalled_at IS NULL",
            {"shop": shop}))

    def installed(self) -> list[Shop]:
        rows = self._d.query(
            "SELECT * FROM shops WHERE access_token IS NOT NULL AND uninstalled_at IS NULL ORDER BY shop"
        )
        return [_shop(r) for r in rows]

    def save_install(
        self,
        shop: str,
        *,
        access_token: str,
        scopes: tuple[str, ...],
        api_version: str,
        token_expires_at: int | None,
        refresh_token: str | None,
        refresh_expires_at: int | None,
    ) -> Shop:
        """Record a completed install (or reinstall) in one statement."""
        now = now_ms()
        with self._d.write() as db:
            db.execute(
                """
                INSERT INTO shops (shop, access_token, token_expires_at, refresh_token,
                                   refresh_expires_at, scopes, api_version, installed_at,
                                   uninstalled_at, updated_at)
                VALUES (:shop, :access_token, :token_expires_at, :refresh_token,
                        :refresh_expires_at, :scopes, :api_version, :now, NULL, :now)
                ON CONFLICT (shop) DO UPDATE SET
                    access_token = excluded.access_token,
                    token_expires_at = excluded.token_expires_at,
                    refresh_token = excluded.refresh_token,
                    refresh_expires_at = excluded.refresh_expires_at,
                    scopes = excluded.scopes,
                    api_version = excluded.api_version,
                    installed_at = excluded.installed_at,
                    uninstalled_at = NULL,
                    updated_at = excluded.updated_at
                """,
                {"shop": shop, "access_token": access_token, "token_expires_at": token_expires_at,
                 "refresh_token": refresh_token, "refresh_expires_at": refresh_expires_at,
                 "scopes": ",".join(scopes), "api_version": api_version, "now": now},
            )
        return self.get(shop)

    def save_refreshed_token(
        self,
        shop: str,
        *,
        access_token: str,
        token_expires_at: int | None,
        refresh_token: str | None,
        refresh_expires_at: int | None,
    ) -> None:
        self._d.execute(
            """
            UPDATE shops SET access_token = :access_token, token_expires_at = :token_expires_at,
                refresh_token = COALESCE(:refresh_token, refresh_token),
                refresh_expires_at = COALESCE(:refresh_expires_at, refresh_expires_at), updated_at = :now
            WHERE shop = :shop AND uninstalled_at IS NULL
            """,
            {"access_token": access_token, "token_expires_at": token_expires_at, "refresh_token": refresh_token,
             "refresh_expires_at": refresh_expires_at, "now": now_ms(), "shop": shop},
        )

    def save_profile(self, shop: str, *, name: str | None, iana_timezone: str | None, currency: str | None) -> None:
        """The shop's name, time zone and currency as the platform gave them at a sync."""
        self._d.execute(
            "UPDATE shops SET name = :name, iana_timezone = :zone, currency = :currency, updated_at = :now"
            " WHERE shop = :shop",
            {"name": name, "zone": iana_timezone, "currency": currency, "now": now_ms(), "shop": shop},
        )

    def mark_uninstalled(self, shop: str) -> None:
        """Discard the tokens at once; the shop's data stays until shop/redact."""
        self._d.execute(
            """
            UPDATE shops SET access_token = NULL, refresh_token = NULL, token_expires_at = NULL,
                refresh_expires_at = NULL, uninstalled_at = :now, updated_at = :now
            WHERE shop = :shop
            """,
            {"now": now_ms(), "shop": shop},
        )


    def sync_started(self, shop: str) -> int:
        with self._d.write() as db:
            rows = list(db.query("INSERT INTO sync_runs (shop, started_at) VALUES (:shop, :now) RETURNING id",
                                 {"shop": shop, "now": now_ms()}))
        return rows[0]["id"]

    def sync_finished(
        self, run_id: int, *, products: int | None = None, orders: int | None = None, error: str | None = None
    ) -> None:
        self._d.execute(
            "UPDATE sync_runs SET finished_at = :now, products = COALESCE(:products, products),"
            " orders = COALESCE(:orders, orders), error = :error WHERE id = :id",
            {"now": now_ms(), "products": products, "orders": orders, "error": error, "id": run_id},
        )

    def sync_progress(
        self, shop: str, run_id: int, *, products: int, orders: int,
        products_total: int | None, orders_total: int | None,
    ) -> None:
        """What a running sync has written so far, and of how many."""
        self._d.execute(
            "UPDATE sync_runs SET products = :products, orders = :orders, products_total = :products_total,"
            " orders_total = :orders_total WHERE shop = :shop AND id = :id",
            {"products": products, "orders": orders, "products_total": products_total, "orders_total": orders_total,
             "shop": shop, "id": run_id},
        )

    def last_sync(self, shop: str) -> dict | None:
        return self._d.one(
            "SELECT started_at, finished_at, products, orders, products_total, orders_total, error "
            "FROM sync_runs WHERE shop = :shop "
            "ORDER BY started_at DESC, id DESC LIMIT 1",
            {"shop": shop},
        )


class OAuthStates:
    """Single-use ``state`` nonces: issued at /install, consumed once at the callback."""

    def __init__(self, database: Database):
        self._d = database

    def issue(self, state: str, shop: str, ttl_ms: int) -> None:
        now = now_ms()
        with self._d.write() as db:
            db.execute("DELETE FROM oauth_states WHERE expires_at < :now", {"now": now})
            db.execute(
                "INSERT INTO oauth_states (state, shop, expires_at) VALUES (:state, :shop, :expires_at)",
                {"state": state, "shop": shop, "expires_at": now + ttl_ms},
            )

    def consume(self, state: str, shop: str) -> bool:
        """True exactly once for a live nonce issued for this shop."""
        return bool(self._d.execute(
            "DELETE FROM oauth_states WHERE state = :state AND shop = :shop AND expires_at >= :now RETURNING state",
            {"state": state, "shop": shop, "now": now_ms()},
        ).rows)
