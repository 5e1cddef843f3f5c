"""GraphQL views of customers and their orders (with line items).

A customer's ``orders``/``lastOrder`` and an order's ``customer`` point at
each other, so both views live in one module; line items point out into the
catalog (graphql_catalog_views.py). The search fields and sort keys of
``orders``/``customers(query:, sortKey:)`` sit here beside the views they
filter, and ``order_connection`` serves both the root's ``orders`` and a
customer's.
"""

from __future__ import annotations

from decimal import Decimal

from .clock import iso_utc
from .graphql_catalog_views import product_view, variant_view
from .graphql_context import ApiContext, filtered, money_bag, money_v2
from .graphql_schema import connection
from .ids import gid
from .state import Customer, LineItem, Order


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


def order_text(o: Order) -> str:
    return f"{o.name} {o.email}"


def customer_text(c: Customer) -> str:
    return f"{c.first_name} {c.last_name} {c.email}"


def order_connection(ctx: ApiContext, orders: list[Order], query: str | None, sort_key: str, **args) -> dict:
    found = filtered(orders, query, ORDER_FIELDS, order_text)
    return connection(found, view=lambda o: order_view(ctx, o), sort_value=ORDER_SORT[sort_key], **args)
