"""GraphQL views of devstore records, and the query root.

Each ``*_view`` turns one record into a dict keyed by GraphQL field name;
fields with arguments or that cross into another resource are callables so
nothing is computed unless asked. Access scopes are checked where the
platform checks them: at the root field and where a field crosses into a
resource that needs another scope (an order's customer needs read_customers).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from graphql import GraphQLError

from . import search
from .clock import iso_utc
from .discounts import status as discount_status
from .graphql_schema import connection
from .ids import gid, gid_type, parse_gid
from .installs import has_scope
from .payloads import image_src
from .settings import AppRegistration, Settings
from .state import (AccessToken, BulkCreation, Collection, Customer, Discount, Image, LineItem, Order, Product, Store,
                    Subscription, Variant, money)

ORDER_WINDOW = 60 * 86400.0  # without read_all_orders only the last 60 days of orders are visible


@dataclass
class ApiContext:
    store: Store
    settings: Settings
    app: AppRegistration
    token: AccessToken
    version: str

    def require(self, scope: str, field: str) -> None:
        if not has_scope(self.token.scopes, scope):
            raise GraphQLError(
                f"Access denied for {field} field. Required access: `{scope}` access scope.",
                extensions={"code": "ACCESS_DENIED", "documentation": "https://shopify.dev/api/usage/access-scopes",
                            "requiredAccess": f"`{scope}` access scope."})

    def order_visible(self, order: Order) -> bool:
        if has_scope(self.token.scopes, "read_all_orders"):
            return True
        return order.created_at >= self.store.clock.now() - ORDER_WINDOW

    @property
    def currency(self) -> str:
        return self.settings.currency


def _strip_html(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html).strip()


def _truncated(text: str, at: int | None) -> str:
    return text if not at or len(text) <= at else text[: max(at - 3, 0)] + "..."


def stable_number(text: str) -> int:
    """A process-independent numeric id for things devstore does not store (the app's own id)."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:10], 16)


def money_v2(ctx: ApiContext, amount: str | Decimal) -> dict:
    return {"amount": money(amount), "currencyCode": ctx.currency}


def money_bag(ctx: ApiContext, amount: str | Decimal) -> dict:
    return {"shopMoney": money_v2(ctx, amount), "presentmentMoney": money_v2(ctx, amount)}


def count(n: int) -> dict:
    return {"count": n, "precision": "EXACT"}


# --- catalog ---------------------------------------------------------------------------------
def image_view(ctx: ApiContext, image: Image) -> dict:
    src = image_src(ctx.store, image)
    return {"__typename": "Image", "id": gid("ProductImage", image.id), "url": lambda transform=None: src,
            "altText": image.alt, "width": image.width, "height": image.height}


def variant_view(ctx: ApiContext, variant: Variant) -> dict:
    product = ctx.store.products.get(variant.product_id)
    return {
        "__typename": "ProductVariant", "id": gid("ProductVariant", variant.id), "legacyResourceId": str(variant.id),
        "title": variant.title, "displayName": f"{product.title if product else ''} - {variant.title}",
        "sku": variant.sku, "barcode": None, "price": variant.price, "compareAtPrice": variant.compare_at_price,
        "inventoryQuantity": variant.inventory_quantity,
        "availableForSale": bool(product and product.visible and variant.available), "position": variant.position,
        "selectedOptions": [{"name": (product.option_names[0] if product else "Title"), "value": v}
                            for v in variant.options],
        "image": lambda: image_view(ctx, product.images[0]) if product and product.images else None,
        "product": lambda: product_view(ctx, product) if product else None,
        "createdAt": iso_utc(variant.created_at), "updatedAt": iso_utc(variant.updated_at),
    }


def product_view(ctx: ApiContext, product: Product) -> dict:
    prices = [Decimal(v.price) for v in product.variants] or [Decimal(0)]
    url = f"{ctx.settings.public_url}/products/{product.handle}"
    return {
        "__typename": "Product", "id": gid("Product", product.id), "legacyResourceId": str(product.id),
        "title": product.title, "handle": product.handle, "vendor": product.vendor,
        "productType": product.product_type, "tags": list(product.tags), "status": product.status.upper(),
        "description": lambda truncateAt=None: _truncated(_strip_html(product.body_html), truncateAt),
        "descriptionHtml": product.body_html, "onlineStoreUrl": url if product.visible else None,
        "onlineStorePreviewUrl": url, "createdAt": iso_utc(product.created_at),
        "updatedAt": iso_utc(product.updated_at), "publishedAt": iso_utc(product.published_at),
        "totalInventory": product.total_inventory, "tracksInventory": True,
        "hasOnlyDefaultVariant": len(product.variants) == 1 and product.variants[0].title == "Default Title",
        "featuredImage": image_view(ctx, product.images[0]) if product.images else None,
        "images": lambda **a: connection(product.images, view=lambda i: image_view(ctx, i), **a),
        "options": lambda first=None: [{"id": gid("ProductOption", product.id + 7), "name": product.option_names[0],
                                        "position": 1, "values": [v.options[0] for v in product.variants]}][:first],
        "priceRangeV2": {"minVariantPrice": money_v2(ctx, min(prices)), "maxVariantPrice": money_v2(ctx, max(prices))},
        "variants": lambda **a: connection(product.variants, view=lambda v: variant_view(ctx, v),
                                           sort_value=lambda v: v.position, **a),
        "variantsCount": count(len(product.variants)),
        "collections": lambda query=None, **a: connection(
            [c for c in ctx.store.collections.values() if product.id in c.product_ids],
            view=lambda c: collection_view(ctx, c), **a),
    }


def collection_view(ctx: ApiContext, collection: Collection) -> dict:
    members = [ctx.store.products[i] for i in collection.product_ids if i in ctx.store.products]
    return {
        "__typename": "Collection", "id": gid("Collection", collection.id),
        "legacyResourceId": str(collection.id), "title": collection.title, "handle": collection.handle,
        "description": lambda truncateAt=None: _truncated(_strip_html(collection.body_html), truncateAt),
        "descriptionHtml": collection.body_html, "updatedAt": iso_utc(collection.updated_at),
        "image": None, "productsCount": count(len(members)),
        "products": lambda **a: connection(members, view=lambda p: product_view(ctx, p), **a),
        "hasProduct": lambda id: parse_gid(id, "Product") in collection.product_ids,
    }


# --- customers and orders --------------------------------------------------------------------
def customer_view(ctx: ApiContext, customer: Customer) -> dict:
    orders_count, spent, last = ctx.store.customer_stats(customer.id)
    address = customer.address

    def orders(query=None, sortKey="ID", **a):
        ctx.require("read_orders", "orders")
        found = [o for o in ctx.store.orders_of(customer.id) if ctx.order_visible(o)]
        return order_connection(ctx, found, query, sortKey, **a)

    def last_order():
        ctx.require("read_orders", "lastOrder")
        return order_view(ctx, last) if last and ctx.order_visible(last) else None

    consent = {"marketingState": customer.marketing_state, "marketingOptInLevel": customer.opt_in_level,
               "consentUpdatedAt": iso_utc(customer.consent_updated_at)}
    return {
        "__typename": "Customer", "id": gid("Customer", customer.id), "legacyResourceId": str(customer.id),
        "email": customer.email, "firstName": customer.first_name, "lastName": customer.last_name,
        "displayName": f"{customer.first_name} {customer.last_name}".strip() or customer.email,
        "phone": customer.phone, "note": customer.note, "state": customer.state.upper(), "verifiedEmail": True,
        "tags": list(customer.tags), "numberOfOrders": str(orders_count), "amountSpent": money_v2(ctx, spent),
        "createdAt": iso_utc(customer.created_at), "updatedAt": iso_utc(customer.updated_at),
        "emailMarketingConsent": consent,
        "defaultEmailAddress": {"emailAddress": customer.email, "marketingState": customer.marketing_state,
                                "marketingOptInLevel": customer.opt_in_level,
                                "marketingUpdatedAt": iso_utc(customer.consent_updated_at)},
        "defaultAddress": None if address is None else {
            "__typename": "MailingAddress", "id": gid("MailingAddress", address.id), "address1": address.address1,
            "address2": None, "city": address.city, "province": address.province,
            "provinceCode": address.province_code, "country": address.country,
            "countryCodeV2": address.country_code, "zip": address.zip, "firstName": address.first_name,
            "lastName": address.last_name, "name": f"{address.first_name} {address.last_name}".strip(),
            "phone": address.phone},
        "lastOrder": last_order, "orders": orders,
    }


def line_item_view(ctx: ApiContext, item: LineItem) -> dict:
    def product():
        ctx.require("read_products", "product")
        found = ctx.store.products.get(item.product_id or 0)
        return product_view(ctx, found) if found else None

    def variant():
        ctx.require("read_products", "variant")
        found = ctx.store.variants.get(item.variant_id or 0)
        return variant_view(ctx, found) if found else None

    total = Decimal(item.price) * item.quantity
    return {
        "__typename": "LineItem", "id": gid("LineItem", item.id),
        "name": f"{item.title} - {item.variant_title}" if item.variant_title else item.title,
        "title": item.title, "variantTitle": item.variant_title or None, "vendor": item.vendor, "sku": item.sku,
        "quantity": item.quantity, "currentQuantity": item.quantity, "product": product, "variant": variant,
        "originalUnitPriceSet": money_bag(ctx, item.price), "originalTotalSet": money_bag(ctx, total),
        "discountedUnitPriceSet": money_bag(ctx, item.price), "discountedTotalSet": money_bag(ctx, total),
    }


def order_view(ctx: ApiContext, order: Order) -> dict:
    def customer():
        ctx.require("read_customers", "customer")
        found = ctx.store.customers.get(order.customer_id or 0)
        return customer_view(ctx, found) if found else None

    codes = [c["code"] for c in order.discount_codes]
    base = ctx.settings.public_url
    return {
        "__typename": "Order", "id": gid("Order", order.id), "legacyResourceId": str(order.id), "name": order.name,
        "email": order.email, "createdAt": iso_utc(order.created_at), "updatedAt": iso_utc(order.updated_at),
        "processedAt": iso_utc(order.processed_at), "cancelledAt": iso_utc(order.cancelled_at),
        "cancelReason": order.cancel_reason.upper() if order.cancel_reason else None, "closedAt": None,
        "test": False, "displayFinancialStatus": order.financial_status.upper(), "sourceName": order.source_name,
        "customer": customer,
        "lineItems": lambda **a: connection(order.line_items, view=lambda li: line_item_view(ctx, li), **a),
        "totalPriceSet": money_bag(ctx, order.total_price), "subtotalPriceSet": money_bag(ctx, order.subtotal_price),
        "totalDiscountsSet": money_bag(ctx, order.total_discounts),
        "currentTotalPriceSet": money_bag(ctx, "0" if order.cancelled_at else order.total_price),
        "currencyCode": ctx.currency, "presentmentCurrencyCode": ctx.currency,
        "discountCode": codes[-1] if codes else None, "discountCodes": codes,
        "landingPageUrl": base + order.landing_site if order.landing_site else None,
        "referrerUrl": order.referring_site, "tags": [], "note": order.note,
        "cartToken": order.cart_token, "checkoutToken": order.checkout_token,
    }


# --- search fields ---------------------------------------------------------------------------
PRODUCT_FIELDS = {
    "id": lambda p: p.id, "title": lambda p: p.title, "handle": lambda p: p.handle, "vendor": lambda p: p.vendor,
    "product_type": lambda p: p.product_type, "tag": lambda p: p.tags, "status": lambda p: p.status,
    "created_at": lambda p: p.created_at, "updated_at": lambda p: p.updated_at,
    "published_at": lambda p: p.published_at, "sku": lambda p: [v.sku for v in p.variants],
    "inventory_total": lambda p: p.total_inventory,
}
PRODUCT_SORT = {"ID": lambda p: p.id, "TITLE": lambda p: p.title.lower(), "CREATED_AT": lambda p: p.created_at,
                "UPDATED_AT": lambda p: p.updated_at, "PRODUCT_TYPE": lambda p: p.product_type,
                "VENDOR": lambda p: p.vendor, "INVENTORY_TOTAL": lambda p: p.total_inventory,
                "PUBLISHED_AT": lambda p: p.published_at or 0.0, "RELEVANCE": lambda p: p.id}
ORDER_FIELDS = {
    "id": lambda o: o.id, "name": lambda o: [o.name, str(o.number)], "email": lambda o: o.email,
    "created_at": lambda o: o.created_at, "updated_at": lambda o: o.updated_at,
    "processed_at": lambda o: o.processed_at, "financial_status": lambda o: o.financial_status,
    "status": lambda o: "cancelled" if o.cancelled_at else "open", "customer_id": lambda o: o.customer_id,
    "discount_code": lambda o: [c["code"] for c in o.discount_codes], "sku": lambda o: [li.sku for li in o.line_items],
    "cart_token": lambda o: o.cart_token, "checkout_token": lambda o: o.checkout_token,
}
ORDER_SORT = {"ID": lambda o: o.id, "CREATED_AT": lambda o: o.created_at, "UPDATED_AT": lambda o: o.updated_at,
              "PROCESSED_AT": lambda o: o.processed_at, "ORDER_NUMBER": lambda o: o.number,
              "TOTAL_PRICE": lambda o: Decimal(o.total_price), "CUSTOMER_NAME": lambda o: o.email,
              "RELEVANCE": lambda o: o.id}
CUSTOMER_FIELDS = {
    "id": lambda c: c.id, "email": lambda c: c.email, "first_name": lambda c: c.first_name,
    "last_name": lambda c: c.last_name, "tag": lambda c: c.tags, "created_at": lambda c: c.created_at,
    "updated_at": lambda c: c.updated_at, "state": lambda c: c.state, "phone": lambda c: c.phone,
    "email_marketing_state": lambda c: c.marketing_state,
    "accepts_marketing": lambda c: "true" if c.marketing_state == "SUBSCRIBED" else "false",
}
CUSTOMER_SORT = {"ID": lambda c: c.id, "CREATED_AT": lambda c: c.created_at, "UPDATED_AT": lambda c: c.updated_at,
                 "NAME": lambda c: f"{c.first_name} {c.last_name}".lower(),
                 "LOCATION": lambda c: c.address.city if c.address else "", "RELEVANCE": lambda c: c.id}


def _filtered(records, query: str | None, fields: dict, text) -> list:
    terms = search.parse(query)
    return [r for r in records if search.matches(r, terms, fields, text)]


def _product_text(p: Product) -> str:
    return f"{p.title} {p.handle} {p.vendor} {p.product_type} {' '.join(p.tags)}"


def _order_text(o: Order) -> str:
    return f"{o.name} {o.email}"


def _customer_text(c: Customer) -> str:
    return f"{c.first_name} {c.last_name} {c.email}"


def order_connection(ctx: ApiContext, orders: list[Order], query: str | None, sort_key: str, **args) -> dict:
    found = _filtered(orders, query, ORDER_FIELDS, _order_text)
    return connection(found, view=lambda o: order_view(ctx, o), sort_value=ORDER_SORT[sort_key], **args)


# --- webhooks and discounts ------------------------------------------------------------------
def topic_enum(topic: str) -> str:
    return topic.replace("/", "_").upper()


def subscription_view(ctx: ApiContext, sub: Subscription) -> dict:
    return {
        "__typename": "WebhookSubscription", "id": gid("WebhookSubscription", sub.id),
        "legacyResourceId": str(sub.id), "topic": topic_enum(sub.topic), "format": sub.format,
        "includeFields": list(sub.include_fields), "metafieldNamespaces": [], "filter": None,
        "callbackUrl": sub.callback_url, "uri": sub.callback_url,
        "endpoint": {"__typename": "WebhookHttpEndpoint", "callbackUrl": sub.callback_url},
        "apiVersion": {"handle": sub.api_version, "displayName": sub.api_version, "supported": True},
        "createdAt": iso_utc(sub.created_at), "updatedAt": iso_utc(sub.updated_at),
    }


def redeem_code_view(code) -> dict:
    return {"id": gid("DiscountRedeemCode", code.id), "code": code.code, "asyncUsageCount": code.usage_count}


def discount_view(ctx: ApiContext, discount: Discount) -> dict:
    if discount.percentage is not None:
        value: dict[str, Any] = {"__typename": "DiscountPercentage", "percentage": discount.percentage}
    else:
        value = {"__typename": "DiscountAmount", "amount": money_v2(ctx, discount.amount or "0"),
                 "appliesOnEachItem": discount.applies_on_each_item}
    off = f"{round(discount.percentage * 100, 2):g}% off" if discount.percentage is not None else \
        f"${discount.amount} off"
    basic = {
        "__typename": "DiscountCodeBasic", "title": discount.title,
        "status": discount_status(discount, ctx.store.clock.now()), "summary": f"{off} entire order",
        "startsAt": iso_utc(discount.starts_at), "endsAt": iso_utc(discount.ends_at),
        "createdAt": iso_utc(discount.created_at), "updatedAt": iso_utc(discount.updated_at),
        "usageLimit": discount.usage_limit, "appliesOncePerCustomer": discount.applies_once_per_customer,
        "asyncUsageCount": discount.usage_count, "codesCount": count(len(discount.codes)),
        "codes": lambda query=None, **a: connection(
            _filtered(discount.codes, query, {"code": lambda c: c.code}, lambda c: c.code),
            view=redeem_code_view, **a),
        "customerGets": {"value": value, "items": {"__typename": "AllDiscountItems", "allItems": True},
                         "appliesOnOneTimePurchase": True},
        "customerSelection": {"__typename": "DiscountCustomerAll", "allCustomers": True},
        "combinesWith": {"orderDiscounts": False, "productDiscounts": False, "shippingDiscounts": False},
    }
    return {"__typename": "DiscountCodeNode", "id": gid("DiscountCodeNode", discount.id), "codeDiscount": basic}


def bulk_creation_view(ctx: ApiContext, bulk: BulkCreation) -> dict:
    failed = sum(1 for c in bulk.codes if c["errors"])
    discount = ctx.store.discounts.get(bulk.discount_id)
    redeem = {c.id: c for c in discount.codes} if discount else {}

    def code_view(entry: dict) -> dict:
        found = redeem.get(entry["redeem_code_id"])
        return {"code": entry["code"], "errors": entry["errors"],
                "discountRedeemCode": redeem_code_view(found) if found else None}

    return {
        "__typename": "DiscountRedeemCodeBulkCreation", "id": gid("DiscountRedeemCodeBulkCreation", bulk.id),
        "done": True, "codesCount": len(bulk.codes), "importedCount": len(bulk.codes) - failed,
        "failedCount": failed, "createdAt": iso_utc(bulk.created_at),
        "discountCode": discount_view(ctx, discount) if discount else None,
        "codes": lambda **a: connection(list(enumerate(bulk.codes)), view=lambda pair: code_view(pair[1]),
                                        record_id=lambda pair: pair[0], sort_value=lambda pair: pair[0], **a),
    }


# --- root --------------------------------------------------------------------------------------
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
        found = _filtered(store.products.values(), query, PRODUCT_FIELDS, _product_text)
        return connection(found, view=lambda p: product_view(ctx, p), sort_value=PRODUCT_SORT[sortKey], **a)

    def products_count(query=None):
        ctx.require("read_products", "productsCount")
        return count(len(_filtered(store.products.values(), query, PRODUCT_FIELDS, _product_text)))

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
        found = _filtered(store.collections.values(), query,
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
        return count(len(_filtered(visible, query, ORDER_FIELDS, _order_text)))

    def order(id):
        ctx.require("read_orders", "order")
        found = store.orders.get(parse_gid(id, "Order") or 0)
        return order_view(ctx, found) if found and ctx.order_visible(found) else None

    def customers(query=None, sortKey="ID", **a):
        ctx.require("read_customers", "customers")
        found = _filtered(store.customers.values(), query, CUSTOMER_FIELDS, _customer_text)
        return connection(found, view=lambda c: customer_view(ctx, c), sort_value=CUSTOMER_SORT[sortKey], **a)

    def customers_count(query=None):
        ctx.require("read_customers", "customersCount")
        return count(len(_filtered(store.customers.values(), query, CUSTOMER_FIELDS, _customer_text)))

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
