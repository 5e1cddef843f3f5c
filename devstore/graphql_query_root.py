"""The Admin GraphQL query root: every top-level query field, ``node(s)``, the shop and the app installation.

Each root field checks its access scope and hands the found records to the
views of their resource (graphql_catalog_views.py,
graphql_customer_order_views.py, graphql_app_views.py); this module only
finds, filters and sorts at the top level.
"""

from __future__ import annotations

import hashlib

from .clock import iso_utc
from .graphql_app_views import bulk_creation_view, discount_view, subscription_view, topic_enum
from .graphql_catalog_views import (PRODUCT_FIELDS, PRODUCT_SORT, collection_view, product_text, product_view,
                                    variant_view)
from .graphql_context import ApiContext, count, filtered
from .graphql_customer_order_views import (CUSTOMER_FIELDS, CUSTOMER_SORT, ORDER_FIELDS, customer_text, customer_view,
                                           order_connection, order_text, order_view)
from .graphql_schema import connection
from .ids import gid, gid_type, parse_gid


def stable_number(text: str) -> int:
    """A process-independent numeric id for things devstore does not store (the app's own id)."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:10], 16)


def shop_view(ctx: ApiContext) -> dict:
    s = ctx.settings
    created = iso_utc(ctx.store.shop_created_at)
    return {
        "__typename": "Shop", "id": gid("Shop", ctx.store.shop_id), "name": s.shop_name, "email": s.shop_email,
        "contactEmail": s.shop_email, "myshopifyDomain": s.shop_domain, "url": s.public_url,
        "currencyCode": s.currency,
        "primaryDomain": {"id": gid("Domain", ctx.store.shop_id), "host": s.shop_domain, "url": s.public_url,
                          "sslEnabled": s.public_url.startswith("https://")},
        "ianaTimezone": s.timezone, "timezoneAbbreviation": "EST", "createdAt": created, "updatedAt": created,
        "plan": {"displayName": "Development", "partnerDevelopment": True, "shopifyPlus": False},
    }


def node_view(ctx: ApiContext, ident: str) -> dict | None:
    """``node(id:)`` for the resource types devstore knows; None for anything else."""
    kind, number = gid_type(ident), parse_gid(ident)
    store = ctx.store
    if kind is None or number is None:
        return None
    if kind == "Product" and number in store.products:
        ctx.require("read_products", "node")
        return product_view(ctx, store.products[number])
    if kind == "ProductVariant" and number in store.variants:
        ctx.require("read_products", "node")
        return variant_view(ctx, store.variants[number])
    if kind == "Collection" and number in store.collections:
        ctx.require("read_products", "node")
        return collection_view(ctx, store.collections[number])
    if kind == "Customer" and number in store.customers:
        ctx.require("read_customers", "node")
        return customer_view(ctx, store.customers[number])
    if kind == "Order" and number in store.orders:
        ctx.require("read_orders", "node")
        return order_view(ctx, store.orders[number]) if ctx.order_visible(store.orders[number]) else None
    if kind == "WebhookSubscription":
        sub = store.subscriptions.get(number)
        return subscription_view(ctx, sub) if sub and sub.app == ctx.app.handle else None
    if kind == "DiscountCodeNode" and number in store.discounts:
        ctx.require("read_discounts", "node")
        return discount_view(ctx, store.discounts[number])
    return None


def query_root(ctx: ApiContext) -> dict:
    store = ctx.store

    def products(query=None, sortKey="ID", **a):
        ctx.require("read_products", "products")
        found = filtered(store.products.values(), query, PRODUCT_FIELDS, product_text)
        return connection(found, view=lambda p: product_view(ctx, p), sort_value=PRODUCT_SORT[sortKey], **a)

    def products_count(query=None):
        ctx.require("read_products", "productsCount")
        return count(len(filtered(store.products.values(), query, PRODUCT_FIELDS, product_text)))

    def product(id):
        ctx.require("read_products", "product")
        found = store.products.get(parse_gid(id, "Product") or 0)
        return product_view(ctx, found) if found else None

    def product_by_handle(handle):
        ctx.require("read_products", "productByHandle")
        found = store.product_by_handle(handle)
        return product_view(ctx, found) if found else None

    def product_variant(id):
        ctx.require("read_products", "productVariant")
        found = store.variants.get(parse_gid(id, "ProductVariant") or 0)
        return variant_view(ctx, found) if found else None

    def collections(query=None, sortKey="ID", **a):
        ctx.require("read_products", "collections")
        found = filtered(store.collections.values(), query,
                         {"title": lambda c: c.title, "handle": lambda c: c.handle,
                          "updated_at": lambda c: c.updated_at, "id": lambda c: c.id}, lambda c: c.title)
        sort = {"ID": lambda c: c.id, "TITLE": lambda c: c.title.lower(), "UPDATED_AT": lambda c: c.updated_at,
                "RELEVANCE": lambda c: c.id}[sortKey]
        return connection(found, view=lambda c: collection_view(ctx, c), sort_value=sort, **a)

    def collection(id):
        ctx.require("read_products", "collection")
        found = store.collections.get(parse_gid(id, "Collection") or 0)
        return collection_view(ctx, found) if found else None

    def collection_by_handle(handle):
        ctx.require("read_products", "collectionByHandle")
        found = store.collection_by_handle(handle)
        return collection_view(ctx, found) if found else None

    def orders(query=None, sortKey="PROCESSED_AT", **a):
        ctx.require("read_orders", "orders")
        return order_connection(ctx, [o for o in store.orders.values() if ctx.order_visible(o)], query, sortKey, **a)

    def orders_count(query=None):
        ctx.require("read_orders", "ordersCount")
        visible = [o for o in store.orders.values() if ctx.order_visible(o)]
        return count(len(filtered(visible, query, ORDER_FIELDS, order_text)))

    def order(id):
        ctx.require("read_orders", "order")
        found = store.orders.get(parse_gid(id, "Order") or 0)
        return order_view(ctx, found) if found and ctx.order_visible(found) else None

    def customers(query=None, sortKey="ID", **a):
        ctx.require("read_customers", "customers")
        found = filtered(store.customers.values(), query, CUSTOMER_FIELDS, customer_text)
        return connection(found, view=lambda c: customer_view(ctx, c), sort_value=CUSTOMER_SORT[sortKey], **a)

    def customers_count(query=None):
        ctx.require("read_customers", "customersCount")
        return count(len(filtered(store.customers.values(), query, CUSTOMER_FIELDS, customer_text)))

    def customer(id):
        ctx.require("read_customers", "customer")
        found = store.customers.get(parse_gid(id, "Customer") or 0)
        return customer_view(ctx, found) if found else None

    def customer_by_identifier(identifier):
        ctx.require("read_customers", "customerByIdentifier")
        found = None
        if identifier.get("id"):
            found = store.customers.get(parse_gid(identifier["id"], "Customer") or 0)
        elif identifier.get("emailAddress"):
            found = store.customer_by_email(identifier["emailAddress"])
        elif identifier.get("phoneNumber"):
            found = next((c for c in store.customers.values() if c.phone == identifier["phoneNumber"]), None)
        return customer_view(ctx, found) if found else None

    def webhook_subscriptions(topics=None, callbackUrl=None, format=None, query=None, sortKey="CREATED_AT", **a):
        mine = [s for s in store.subscriptions.values() if s.app == ctx.app.handle
                and (not topics or topic_enum(s.topic) in topics)
                and (callbackUrl is None or s.callback_url == callbackUrl)
                and (format is None or s.format == format)]
        sort = (lambda s: s.created_at) if sortKey == "CREATED_AT" else (lambda s: s.id)
        return connection(mine, view=lambda s: subscription_view(ctx, s), sort_value=sort, **a)

    def webhook_subscription(id):
        sub = store.subscriptions.get(parse_gid(id, "WebhookSubscription") or 0)
        return subscription_view(ctx, sub) if sub and sub.app == ctx.app.handle else None

    def code_discount_node(id):
        ctx.require("read_discounts", "codeDiscountNode")
        found = store.discounts.get(parse_gid(id, "DiscountCodeNode") or 0)
        return discount_view(ctx, found) if found else None

    def code_discount_node_by_code(code):
        ctx.require("read_discounts", "codeDiscountNodeByCode")
        found = store.discount_by_code(code)
        return discount_view(ctx, found[0]) if found else None

    def bulk_creation(id):
        ctx.require("read_discounts", "discountRedeemCodeBulkCreation")
        found = store.bulk_creations.get(parse_gid(id, "DiscountRedeemCodeBulkCreation") or 0)
        return bulk_creation_view(ctx, found) if found else None

    return {
        "shop": lambda: shop_view(ctx),
        "currentAppInstallation": lambda: {
            "__typename": "AppInstallation", "id": gid("AppInstallation", store.shop_id),
            "accessScopes": [{"handle": s, "description": s.replace("_", " ")} for s in ctx.token.scopes],
            "app": {"__typename": "App", "id": gid("App", stable_number(ctx.app.api_key)),
                    "title": ctx.app.name, "handle": ctx.app.handle, "apiKey": ctx.app.api_key,
                    "embedded": ctx.app.embedded},
            "launchUrl": f"{ctx.settings.public_url}/admin/apps/{ctx.app.handle}"},
        "node": lambda id: node_view(ctx, id),
        "nodes": lambda ids: [node_view(ctx, i) for i in ids],
        "product": product, "productByHandle": product_by_handle, "products": products,
        "productsCount": products_count, "productVariant": product_variant,
        "collection": collection, "collectionByHandle": collection_by_handle, "collections": collections,
        "order": order, "orders": orders, "ordersCount": orders_count,
        "customer": customer, "customerByIdentifier": customer_by_identifier, "customers": customers,
        "customersCount": customers_count,
        "webhookSubscription": webhook_subscription, "webhookSubscriptions": webhook_subscriptions,
        "codeDiscountNode": code_discount_node, "codeDiscountNodeByCode": code_discount_node_by_code,
        "discountRedeemCodeBulkCreation": bulk_creation,
    }
