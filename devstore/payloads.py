"""REST resource JSON: the shape of every webhook body (platform.md §2.1, §2.8).

Field names and value types follow the REST Admin API samples in
shared/fixtures/platform/admin_rest plus the newer fields (admin_graphql_api_id,
``*_set`` money objects, email_marketing_consent). Ids are JSON integers,
money is a decimal string, timestamps carry the shop's UTC offset.
"""

from __future__ import annotations

from decimal import Decimal

from .clock import iso_local
from .discounts import checkout_totals, items_subtotal
from .ids import gid
from .state import Address, Cart, Checkout, Customer, Image, LineItem, Order, Product, Store, Variant, money


def _ts(store: Store, value: float | None) -> str | None:
    return iso_local(value, store.settings.timezone)


def money_set(store: Store, amount: str) -> dict:
    currency = store.settings.currency
    return {"shop_money": {"amount": amount, "currency_code": currency},
            "presentment_money": {"amount": amount, "currency_code": currency}}


def image_src(store: Store, image: Image) -> str:
    """The raster (PNG) version, as the platform's CDN serves; the storefront's own pages use the SVG."""
    return f"{store.settings.public_url}/cdn/shop/files/{image.id}.png"


def image_json(store: Store, image: Image) -> dict:
    return {
        "id": image.id, "product_id": image.product_id, "position": image.position, "alt": image.alt,
        "width": image.width, "height": image.height, "src": image_src(store, image),
        "created_at": _ts(store, image.created_at), "updated_at": _ts(store, image.created_at),
        "variant_ids": [], "admin_graphql_api_id": gid("ProductImage", image.id),
    }


def variant_json(store: Store, variant: Variant) -> dict:
    options = variant.options + [None] * (3 - len(variant.options))
    return {
        "id": variant.id, "product_id": variant.product_id, "title": variant.title, "price": variant.price,
        "sku": variant.sku, "position": variant.position, "inventory_policy": "deny",
        "compare_at_price": variant.compare_at_price, "fulfillment_service": "manual",
        "inventory_management": "shopify", "option1": options[0], "option2": options[1], "option3": options[2],
        "created_at": _ts(store, variant.created_at), "updated_at": _ts(store, variant.updated_at),
        "taxable": True, "barcode": None, "grams": variant.grams, "weight": round(variant.grams / 1000, 3),
        "weight_unit": "kg", "inventory_item_id": variant.id + 1, "inventory_quantity": variant.inventory_quantity,
        "old_inventory_quantity": variant.inventory_quantity, "requires_shipping": True,
        "admin_graphql_api_id": gid("ProductVariant", variant.id), "image_id": None,
    }


def product_json(store: Store, product: Product) -> dict:
    images = [image_json(store, i) for i in product.images]
    values = [v.options[0] for v in product.variants]
    return {
        "id": product.id, "title": product.title, "body_html": product.body_html, "vendor": product.vendor,
        "product_type": product.product_type, "created_at": _ts(store, product.created_at), "handle": product.handle,
        "updated_at": _ts(store, product.updated_at), "published_at": _ts(store, product.published_at),
        "template_suffix": None, "published_scope": "web", "tags": ", ".join(product.tags), "status": product.status,
        "admin_graphql_api_id": gid("Product", product.id),
        "variants": [variant_json(store, v) for v in product.variants],
        "options": [{"id": product.id + 7, "product_id": product.id, "name": product.option_names[0], "position": 1,
                     "values": values}],
        "images": images, "image": images[0] if images else None,
    }


def address_json(address: Address | None, *, customer_id: int | None = None) -> dict | None:
    if address is None:
        return None
    body = {
        "first_name": address.first_name, "last_name": address.last_name, "address1": address.address1,
        "address2": "", "city": address.city, "province": address.province, "country": address.country,
        "zip": address.zip, "phone": address.phone, "name": f"{address.first_name} {address.last_name}".strip(),
        "province_code": address.province_code, "country_code": address.country_code, "company": None,
    }
    if customer_id is not None:
        body.update({"id": address.id, "customer_id": customer_id, "country_name": address.country, "default": True})
    return body


def customer_json(store: Store, customer: Customer) -> dict:
    count, spent, last = store.customer_stats(customer.id)
    return {
        "id": customer.id, "email": customer.email, "created_at": _ts(store, customer.created_at),
        "updated_at": _ts(store, customer.updated_at), "first_name": customer.first_name,
        "last_name": customer.last_name, "orders_count": count, "state": customer.state, "total_spent": spent,
        "last_order_id": last.id if last else None, "note": customer.note, "verified_email": True,
        "multipass_identifier": None, "tax_exempt": False, "tags": ", ".join(customer.tags),
        "last_order_name": last.name if last else None, "currency": store.settings.currency, "phone": customer.phone,
        "addresses": [address_json(customer.address, customer_id=customer.id)] if customer.address else [],
        "accepts_marketing": customer.marketing_state == "SUBSCRIBED",
        "email_marketing_consent": {
            "state": customer.marketing_state.lower(),
            "opt_in_level": customer.opt_in_level.lower() if customer.opt_in_level else None,
            "consent_updated_at": _ts(store, customer.consent_updated_at),
        },
        "sms_marketing_consent": None,
        "admin_graphql_api_id": gid("Customer", customer.id),
        "default_address": address_json(customer.address, customer_id=customer.id),
    }


def line_item_json(store: Store, item: LineItem) -> dict:
    line_price = money(Decimal(item.price) * item.quantity)
    return {
        "id": item.id, "admin_graphql_api_id": gid("LineItem", item.id), "variant_id": item.variant_id,
        "product_id": item.product_id, "title": item.title, "variant_title": item.variant_title or None,
        "name": f"{item.title} - {item.variant_title}" if item.variant_title else item.title,
        "sku": item.sku, "vendor": item.vendor, "quantity": item.quantity, "current_quantity": item.quantity,
        "price": item.price, "price_set": money_set(store, item.price), "total_discount": "0.00",
        "grams": item.grams, "requires_shipping": True, "taxable": True, "gift_card": False,
        "fulfillment_service": "manual", "fulfillment_status": None, "properties": [],
        "product_exists": item.product_id in store.products, "line_price": line_price,
    }


def order_json(store: Store, order: Order) -> dict:
    customer = store.customers.get(order.customer_id) if order.customer_id else None
    items = [line_item_json(store, li) for li in order.line_items]
    for li in items:
        li.pop("line_price")
    return {
        "id": order.id, "admin_graphql_api_id": gid("Order", order.id), "name": order.name, "number": order.number - 1000,
        "order_number": order.number, "email": order.email, "contact_email": order.email,
        "created_at": _ts(store, order.created_at), "updated_at": _ts(store, order.updated_at),
        "processed_at": _ts(store, order.processed_at), "cancelled_at": _ts(store, order.cancelled_at),
        "cancel_reason": order.cancel_reason, "closed_at": None, "confirmed": True, "test": False,
        "currency": store.settings.currency, "presentment_currency": store.settings.currency,
        "financial_status": order.financial_status, "fulfillment_status": None, "token": order.token,
        "cart_token": order.cart_token, "checkout_token": order.checkout_token, "checkout_id": order.checkout_id,
        "subtotal_price": order.subtotal_price, "subtotal_price_set": money_set(store, order.subtotal_price),
        "total_discounts": order.total_discounts, "total_discounts_set": money_set(store, order.total_discounts),
        "total_line_items_price": money(items_subtotal(order.line_items)),
        "total_price": order.total_price, "total_price_set": money_set(store, order.total_price),
        "current_total_price": "0.00" if order.cancelled_at else order.total_price,
        "total_tax": "0.00", "taxes_included": False, "tax_lines": [], "total_weight": sum(li.grams * li.quantity for li in order.line_items),
        "discount_codes": order.discount_codes, "note": order.note, "note_attributes": [],
        "landing_site": order.landing_site, "referring_site": order.referring_site, "source_name": order.source_name,
        "buyer_accepts_marketing": bool(customer and customer.marketing_state == "SUBSCRIBED"),
        "line_items": items, "shipping_lines": [{"code": "Standard", "price": "0.00", "source": "shopify",
                                                  "title": "Standard"}],
        "shipping_address": address_json(order.shipping_address), "billing_address": address_json(order.shipping_address),
        "customer": customer_json(store, customer) if customer else None,
    }


def checkout_json(store: Store, checkout: Checkout) -> dict:
    items = [line_item_json(store, li) for li in checkout.line_items]
    subtotal, discount, kind = checkout_totals(store, checkout)
    customer = store.customers.get(checkout.customer_id) if checkout.customer_id else None
    return {
        "id": checkout.id, "token": checkout.token, "cart_token": checkout.cart_token, "email": checkout.email,
        "gateway": None, "buyer_accepts_marketing": bool(customer and customer.marketing_state == "SUBSCRIBED"),
        "created_at": _ts(store, checkout.created_at), "updated_at": _ts(store, checkout.updated_at),
        "landing_site": checkout.landing_site, "referring_site": checkout.referring_site, "note": None,
        "note_attributes": [], "taxes_included": False, "total_weight": sum(li.grams * li.quantity for li in checkout.line_items),
        "currency": store.settings.currency, "presentment_currency": store.settings.currency,
        "completed_at": _ts(store, checkout.completed_at), "closed_at": None, "source_name": "web",
        "name": f"#{checkout.id}", "line_items": items, "shipping_lines": [],
        "discount_codes": [{"code": checkout.discount_code, "amount": money(discount), "type": kind or "fixed_amount"}]
        if checkout.discount_code else [],
        "subtotal_price": money(subtotal - discount), "total_line_items_price": money(subtotal),
        "total_discounts": money(discount), "total_tax": "0.00", "total_price": money(subtotal - discount),
        "abandoned_checkout_url": f"{store.settings.public_url}/checkouts/{checkout.token}/recover",
        "shipping_address": address_json(checkout.shipping_address),
        "billing_address": address_json(checkout.shipping_address),
        "customer": customer_json(store, customer) if customer else None,
    }


def cart_json(store: Store, cart: Cart) -> dict:
    items = []
    for line in cart.lines:
        variant = store.variants.get(line.variant_id)
        product = store.products.get(variant.product_id) if variant else None
        if variant is None or product is None:
            continue
        line_price = money(Decimal(variant.price) * line.quantity)
        items.append({
            "id": variant.id, "properties": line.properties or None, "quantity": line.quantity,
            "variant_id": variant.id, "key": f"{variant.id}:{line.id}", "discounted_price": variant.price,
            "discounts": [], "gift_card": False, "grams": variant.grams, "line_price": line_price,
            "original_line_price": line_price, "original_price": variant.price, "price": variant.price,
            "product_id": product.id, "sku": variant.sku, "taxable": True, "title": product.title,
            "total_discount": "0.00", "vendor": product.vendor,
            "discounted_price_set": money_set(store, variant.price), "line_price_set": money_set(store, line_price),
            "original_line_price_set": money_set(store, line_price), "price_set": money_set(store, variant.price),
            "total_discount_set": money_set(store, "0.00"),
        })
    return {"id": cart.token, "token": cart.token, "line_items": items, "note": cart.note or None,
            "updated_at": _ts(store, cart.updated_at), "created_at": _ts(store, cart.created_at)}


def shop_json(store: Store) -> dict:
    s = store.settings
    return {
        "id": store.shop_id, "name": s.shop_name, "email": s.shop_email, "domain": s.shop_domain,
        "myshopify_domain": s.shop_domain, "province": "Kentucky", "country": "US", "address1": "92 Chestnut Street",
        "zip": "40202", "city": "Louisville", "phone": None, "created_at": _ts(store, store.shop_created_at),
        "updated_at": _ts(store, store.shop_created_at), "country_code": "US", "country_name": "United States",
        "currency": s.currency, "customer_email": s.shop_email, "timezone": f"(GMT-05:00) {s.timezone}",
        "iana_timezone": s.timezone, "shop_owner": "Devstore Owner", "money_format": "${{amount}}",
        "money_with_currency_format": "${{amount}} " + s.currency, "plan_name": "partner_test",
        "plan_display_name": "Development", "password_enabled": False, "taxes_included": False,
        "primary_locale": "en", "source": None,
    }


def customers_data_request(store: Store, customer: Customer, request_id: int) -> dict:
    return {
        "shop_id": store.shop_id, "shop_domain": store.settings.shop_domain,
        "orders_requested": sorted(o.id for o in store.orders_of(customer.id)),
        "customer": {"id": customer.id, "email": customer.email, "phone": customer.phone},
        "data_request": {"id": request_id},
    }


def customers_redact(store: Store, customer: Customer) -> dict:
    return {
        "shop_id": store.shop_id, "shop_domain": store.settings.shop_domain,
        "customer": {"id": customer.id, "email": customer.email, "phone": customer.phone},
        "orders_to_redact": sorted(o.id for o in store.orders_of(customer.id)),
    }


def shop_redact(store: Store) -> dict:
    return {"shop_id": store.shop_id, "shop_domain": store.settings.shop_domain}


def product_deleted(product: Product) -> dict:
    return {"id": product.id}


def resource_payload(store: Store, topic: str, record: object) -> dict:
    """The body for ``topic`` from the record it is about."""
    resource = topic.split("/", 1)[0]
    if topic == "products/delete":
        return product_deleted(record)  # type: ignore[arg-type]
    builders = {"products": product_json, "orders": order_json, "customers": customer_json,
                "checkouts": checkout_json, "carts": cart_json}
    if resource in builders:
        return builders[resource](store, record)  # type: ignore[arg-type]
    if topic == "app/uninstalled":
        return shop_json(store)
    if isinstance(record, dict):  # privacy topics: already built
        return record
    raise ValueError(f"no payload for {topic}")
