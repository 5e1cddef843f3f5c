"""Reconciliation: pull the catalog and recent orders through the Admin API.

Webhooks can be missed (the platform gives up after its retries) and a new
install starts with no history, so ``sync_shop`` reads products and the
last 60 days of orders (all the ``read_orders`` scope shows): with cursor
pagination for repairs, as bulk operations for the first sync (``bulk``),
and writes them through the same newest-wins upserts the
webhook handlers use: a sync never overwrites fresher webhook data.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime

from ..capture.codes import record_redemptions
from ..clock import DAY_MS, iso_ms, now_ms
from ..config import Config
from ..people.refresh import rebuild_profiles
from ..recommendations.serving.api import invalidate
from ..store import Store
from ..store.commerce import Line, Order, Product, Variant
from .bulk import nest, run_bulk_query
from .client import PlatformClient
from .tokens import client_for_shop

log = logging.getLogger("storelift.sync")

ORDER_WINDOW_DAYS = 60
# Page sizes keep each query under the platform's single-query cost cap of 1,000
# (a connection costs its ``first`` times the cost of one node).
PRODUCT_PAGE = 20
ORDER_PAGE = 4

PRODUCT_FIELDS = """
      legacyResourceId title handle vendor productType tags status
      publishedAt createdAt updatedAt onlineStoreUrl
      featuredImage { url }"""
VARIANT_FIELDS = "legacyResourceId title sku price compareAtPrice inventoryQuantity position"
ORDER_FIELDS = """
      legacyResourceId name email createdAt updatedAt cancelledAt
      displayFinancialStatus sourceName currencyCode discountCodes landingPageUrl referrerUrl
      customer { legacyResourceId email }
      totalPriceSet { shopMoney { amount } }
      subtotalPriceSet { shopMoney { amount } }
      totalDiscountsSet { shopMoney { amount } }"""
LINE_FIELDS = """
          id title variantTitle vendor sku quantity
          product { legacyResourceId }
          variant { legacyResourceId }
          originalUnitPriceSet { shopMoney { amount } }"""

PRODUCTS_QUERY = f"""
query SyncProducts($first: Int!, $after: String) {{
  products(first: $first, after: $after, sortKey: ID) {{
    nodes {{{PRODUCT_FIELDS}
      variants(first: 30) {{ nodes {{ {VARIANT_FIELDS} }} }}
    }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""

ORDERS_QUERY = f"""
query SyncOrders($first: Int!, $after: String, $query: String) {{
  orders(first: $first, after: $after, query: $query, sortKey: CREATED_AT) {{
    nodes {{{ORDER_FIELDS}
      lineItems(first: 40) {{ nodes {{{LINE_FIELDS}
      }} }}
    }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""

# The same fields as bulk queries: no page sizes, and an ``id`` on every node that has a nested
# connection (the result file links children to it with ``__parentId``).
BULK_PRODUCTS_QUERY = f"""
{{ products(sortKey: ID) {{ edges {{ node {{ id{PRODUCT_FIELDS}
  variants {{ edges {{ node {{ {VARIANT_FIELDS} }} }} }} }} }} }} }}
"""
BULK_ORDERS_QUERY = """
{{ orders(query: {search}, sortKey: CREATED_AT) {{ edges {{ node {{ id{fields}
  lineItems {{ edges {{ node {{{lines} }} }} }} }} }} }} }}
"""
# The shop's own name, time zone and currency (https://shopify.dev/docs/api/admin-graphql/latest/objects/Shop).
SHOP_QUERY = "query StoreliftShop { shop { name ianaTimezone currencyCode } }"
COUNTS_QUERY = """
query SyncCounts($query: String) {
  productsCount { count }
  ordersCount(query: $query) { count }
}
"""
PROGRESS_EVERY = 100  # rows between progress writes to the sync-run row


@dataclass(frozen=True)
class SyncResult:
    products: int
    orders: int


def _ms(value: str | None) -> int | None:
    if not value:
        return None
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)


def _amount(money_bag: dict | None) -> str | None:
    return ((money_bag or {}).get("shopMoney") or {}).get("amount")


def _legacy(node: dict | None) -> str | None:
    return str(node["legacyResourceId"]) if node and node.get("legacyResourceId") is not None else None


def _gid_tail(gid: str | None) -> str | None:
    return gid.rsplit("/", 1)[-1] if gid else None


def product_from_graphql(node: dict) -> Product:
    handle = node.get("handle")
    return Product(
        product_id=str(node["legacyResourceId"]),
        source_updated_at=_ms(node["updatedAt"]),
        title=node.get("title"),
        handle=handle,
        vendor=node.get("vendor"),
        product_type=node.get("productType"),
        tags=tuple(node.get("tags") or ()),
        status=(node.get("status") or "").lower() or None,
        published_at=_ms(node.get("publishedAt")),
        image_src=(node.get("featuredImage") or {}).get("url"),
        url=f"/products/{handle}" if handle else None,
        created_at=_ms(node.get("createdAt")),
        updated_at=_ms(node.get("updatedAt")),
        variants=tuple(
            Variant(
                variant_id=str(v["legacyResourceId"]),
                position=v.get("position"),
                title=v.get("title"),
                sku=v.get("sku") or None,
                price=v.get("price"),
                compare_at_price=v.get("compareAtPrice"),
                inventory_quantity=v.get("inventoryQuantity"),
            )
            for v in (node.get("variants") or {}).get("nodes", [])
        ),
    )


def order_from_graphql(node: dict) -> Order:
    customer = node.get("customer") or {}
    email = (node.get("email") or customer.get("email") or "").strip().lower() or None
    return Order(
        order_id=str(node["legacyResourceId"]),
        source_updated_at=_ms(node["updatedAt"]),
        name=node.get("name"),
        email=email,
        customer_id=_legacy(customer),
        currency=node.get("currencyCode"),
        total_price=_amount(node.get("totalPriceSet")),
        subtotal_price=_amount(node.get("subtotalPriceSet")),
        total_discounts=_amount(node.get("totalDiscountsSet")),
        discount_codes=tuple({"code": code} for code in node.get("discountCodes") or ()),
        landing_site=node.get("landingPageUrl"),
        referring_site=node.get("referrerUrl"),
        source_name=node.get("sourceName"),
        financial_status=(node.get("displayFinancialStatus") or "").lower() or None,
        cancelled_at=_ms(node.get("cancelledAt")),
        created_at=_ms(node.get("createdAt")),
        updated_at=_ms(node.get("updatedAt")),
        origin="sync",
        lines=tuple(
            Line(
                quantity=int(item.get("quantity") or 0),
                product_id=_legacy(item.get("product")),
                variant_id=_legacy(item.get("variant")),
                price=_amount(item.get("originalUnitPriceSet")),
                line_id=_gid_tail(item.get("id")),
                sku=item.get("sku") or None,
                title=item.get("title"),
                variant_title=item.get("variantTitle"),
                vendor=item.get("vendor"),
            )
            for item in (node.get("lineItems") or {}).get("nodes", [])
        ),
    )


def _order_search(now: float | None) -> str:
    until = int(now * 1000) if now else now_ms()
    return f"created_at:>={iso_ms(until - ORDER_WINDOW_DAYS * DAY_MS)}"


class _Progress:
    """Counts what a sync wrote and records it on the sync-run row every ``PROGRESS_EVERY`` rows."""

    def __init__(self, store: Store, shop: str, run_id: int | None, totals: dict) -> None:
        self._store, self._shop, self._run_id, self._totals = store, shop, run_id, totals
        self.products = self.orders = 0

    def add(self, kind: str) -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        if (self.products + self.orders) % PROGRESS_EVERY == 0:
            self.save()

    def save(self) -> None:
        if self._run_id is not None:
            self._store.shops.sync_progress(
                self._shop, self._run_id, products=self.products, orders=self.orders,
                products_total=self._totals.get("products"), orders_total=self._totals.get("orders"))


def _totals(client: PlatformClient, search: str) -> dict:
    data = client.graphql(COUNTS_QUERY, {"query": search})
    return {kind: (data.get(f"{kind}Count") or {}).get("count") for kind in ("products", "orders")}


def _save_order(store: Store, shop: str, order: Order) -> None:
    """Store a pulled order; the pool codes it used are spent, as when the orders webhook brings it."""
    store.commerce.upsert_order(shop, order)
    codes = [d.get("code") for d in order.discount_codes]
    if codes:
        record_redemptions(store, shop, codes, order.order_id, now_ms())


def pull(client: PlatformClient, store: Store, shop: str, *, now: float | None = None,
         run_id: int | None = None) -> SyncResult:
    """Pull products and the order window into the store, page by page (small repairs)."""
    search = _order_search(now)
    progress = _Progress(store, shop, run_id, _totals(client, search) if run_id is not None else {})
    progress.save()
    for node in client.paginate(PRODUCTS_QUERY, {}, ["products"], page_size=PRODUCT_PAGE):
        store.commerce.upsert_product(shop, product_from_graphql(node))
        progress.add("products")
    for node in client.paginate(ORDERS_QUERY, {"query": search}, ["orders"], page_size=ORDER_PAGE):
        _save_order(store, shop, order_from_graphql(node))
        progress.add("orders")
    progress.save()
    return SyncResult(progress.products, progress.orders)


def pull_bulk(client: PlatformClient, store: Store, shop: str, *, now: float | None = None,
              run_id: int | None = None, sleep=time.sleep) -> SyncResult:
    """The same pull as ``pull``, as two bulk operations: the first sync's whole history in seconds."""
    search = _order_search(now)
    progress = _Progress(store, shop, run_id, _totals(client, search))
    progress.save()
    for node in nest(run_bulk_query(client, BULK_PRODUCTS_QUERY, sleep=sleep), "variants"):
        store.commerce.upsert_product(shop, product_from_graphql(node))
        progress.add("products")
    orders_query = BULK_ORDERS_QUERY.format(search=json.dumps(search), fields=ORDER_FIELDS, lines=LINE_FIELDS)
    for node in nest(run_bulk_query(client, orders_query, sleep=sleep), "lineItems"):
        _save_order(store, shop, order_from_graphql(node))
        progress.add("orders")
    progress.save()
    return SyncResult(progress.products, progress.orders)


def save_shop_profile(client: PlatformClient, store: Store, shop: str) -> None:
    """The shop's name, time zone and currency, which emails say and quiet hours keep, as the platform has them now."""
    profile = client.graphql(SHOP_QUERY).get("shop") or {}
    store.shops.save_profile(shop, name=(profile.get("name") or "").strip() or None,
                             iana_timezone=profile.get("ianaTimezone") or None, currency=profile.get("currencyCode") or None)


def sync_shop(config: Config, store: Store, shop: str, *, bulk: bool = False) -> SyncResult:
    """``storelift sync SHOP``, the admin's "sync now" (paginated) and the first sync after install
    (``bulk``: the whole history as bulk operations); recorded, with progress, for the admin.

    The synced buyers' profiles and segments are rebuilt afterwards.
    """
    run_id = store.shops.sync_started(shop)
    try:
        client = client_for_shop(config, store, shop)
        save_shop_profile(client, store, shop)
        result = (pull_bulk if bulk else pull)(client, store, shop, run_id=run_id)
        rebuild_profiles(store, shop, now_ms())  # synced buyers get profiles and segments
    except Exception as exc:
        store.shops.sync_finished(run_id, error=f"{type(exc).__name__}: {exc}")
        log.warning("sync of %s failed: %s", shop, type(exc).__name__)
        raise
    store.shops.sync_finished(run_id, products=result.products, orders=result.orders)
    invalidate(store, shop)  # serving processes rebuild their models with the synced history
    log.info("synced %s: %d products, %d orders", shop, result.products, result.orders)
    return result
