"""Reconciliation: pull the catalog and recent orders through the Admin API.

Webhooks can be missed (the platform gives up after its retries) and a new
install starts with no history, so ``sync_shop`` reads products and the
last 60 days of orders (all the ``read_orders`` scope shows) with cursor
pagination and writes them through the same newest-wins upserts the
webhook handlers use: a sync never overwrites fresher webhook data.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from .config import Config
from .platform import PlatformClient
from .profiling import rebuild_profiles
from .recommendations import invalidate
from .store import Store, now_ms
from .store.commerce import Line, Order, Product, Variant
from .tokens import client_for_shop

log = logging.getLogger("storelift.sync")

ORDER_WINDOW_DAYS = 60
# Page sizes keep each query under the platform's single-query cost cap of 1,000
# (a connection costs its ``first`` times the cost of one node).
PRODUCT_PAGE = 20
ORDER_PAGE = 4

PRODUCTS_QUERY = """
query SyncProducts($first: Int!, $after: String) {
  products(first: $first, after: $after, sortKey: ID) {
    nodes {
      legacyResourceId title handle vendor productType tags status
      publishedAt createdAt updatedAt onlineStoreUrl
      featuredImage { url }
      variants(first: 30) {
        nodes { legacyResourceId title sku price compareAtPrice inventoryQuantity position }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

ORDERS_QUERY = """
query SyncOrders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: CREATED_AT) {
    nodes {
      legacyResourceId name email createdAt updatedAt cancelledAt
      displayFinancialStatus sourceName currencyCode discountCodes landingPageUrl referrerUrl
      customer { legacyResourceId email }
      totalPriceSet { shopMoney { amount } }
      subtotalPriceSet { shopMoney { amount } }
      totalDiscountsSet { shopMoney { amount } }
      lineItems(first: 40) {
        nodes {
          id title variantTitle vendor sku quantity
          product { legacyResourceId }
          variant { legacyResourceId }
          originalUnitPriceSet { shopMoney { amount } }
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""


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


def pull(client: PlatformClient, store: Store, shop: str, *, now: float | None = None) -> SyncResult:
    """Pull products and the order window into the store."""
    products = 0
    for node in client.paginate(PRODUCTS_QUERY, {}, ["products"], page_size=PRODUCT_PAGE):
        store.commerce.upsert_product(shop, product_from_graphql(node))
        products += 1
    since = datetime.fromtimestamp(now or time.time(), timezone.utc) - timedelta(days=ORDER_WINDOW_DAYS)
    orders = 0
    query = {"query": f"created_at:>={since.strftime('%Y-%m-%dT%H:%M:%SZ')}"}
    for node in client.paginate(ORDERS_QUERY, query, ["orders"], page_size=ORDER_PAGE):
        store.commerce.upsert_order(shop, order_from_graphql(node))
        orders += 1
    return SyncResult(products, orders)


def sync_shop(config: Config, store: Store, shop: str) -> SyncResult:
    """``storelift sync SHOP`` and the first sync after install; recorded for the admin.

    The synced buyers' profiles and segments are rebuilt afterwards.
    """
    run_id = store.shops.sync_started(shop)
    try:
        result = pull(client_for_shop(config, store, shop), store, shop)
        rebuild_profiles(store, shop, now_ms())  # synced buyers get profiles and segments
    except Exception as exc:
        store.shops.sync_finished(run_id, error=f"{type(exc).__name__}: {exc}")
        log.warning("sync of %s failed: %s", shop, type(exc).__name__)
        raise
    store.shops.sync_finished(run_id, products=result.products, orders=result.orders)
    invalidate(store, shop)  # serving processes rebuild their models with the synced history
    log.info("synced %s: %d products, %d orders", shop, result.products, result.orders)
    return result
