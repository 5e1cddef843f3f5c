"""What every storefront page shares: the shopper's cart and login, Liquid objects, page rendering.

The cart lives in the store, keyed by the token in the ``cart`` cookie (as on
the platform); the logged-in customer id lives in devstore's session. The
first page a visitor opens and its referrer are remembered so orders carry
``landing_site`` / ``referring_site`` like real ones.
"""

from __future__ import annotations

from decimal import Decimal

from flask import render_template, request, session
from markupsafe import Markup

from . import theme
from .runtime import Devstore, runtime
from .state import Cart, Customer, Product

CART_COOKIE = "cart"
HOSTILE_CSS = """
* { font-size: 30px !important; color: red !important; box-sizing: content-box !important;
    line-height: 3 !important; letter-spacing: 2px !important; }
div { display: block !important; position: static !important; margin: 12px !important;
      padding: 12px !important; z-index: auto !important; width: auto !important; }
button { all: unset; }
input, select, textarea { all: unset; border: 5px dotted green !important; }
img, svg { width: 100% !important; height: auto !important; max-width: none !important; }
a { text-decoration: line-through !important; }
ul, ol { list-style: square inside !important; }
iframe, dialog, [role=dialog] { display: inline !important; border: 8px solid orange !important; }
""".strip()


def remember_visit() -> None:
    """Record the landing page and an external referrer once per browser session."""
    if "landing_site" not in session:
        session["landing_site"] = request.full_path.rstrip("?")
        referrer = request.referrer or ""
        session["referring_site"] = referrer if referrer and not referrer.startswith(runtime().settings.public_url) \
            else None


def current_cart(rt: Devstore) -> Cart | None:
    return rt.store.carts.get(request.cookies.get(CART_COOKIE, ""))


def current_customer(rt: Devstore) -> Customer | None:
    customer_id = session.get("customer_id")
    return rt.store.customers.get(customer_id) if customer_id else None


def cents(amount: str | Decimal) -> int:
    return int((Decimal(str(amount)) * 100).to_integral_value())


def liquid_product(product: Product, public_url: str) -> dict:
    first = product.variants[0] if product.variants else None
    return {
        "id": product.id, "handle": product.handle, "title": product.title, "vendor": product.vendor,
        "type": product.product_type, "tags": list(product.tags), "available": product.available,
        "price": cents(first.price) if first else 0, "url": f"/products/{product.handle}",
        "featured_image": f"{public_url}/cdn/shop/files/{product.images[0].id}.svg" if product.images else None,
        "variants": [{"id": v.id, "title": v.title, "price": cents(v.price), "available": v.available,
                      "sku": v.sku} for v in product.variants],
    }


def liquid_objects(rt: Devstore, page_type: str, product: Product | None = None,
                   collection_handle: str | None = None) -> dict:
    """The Liquid globals extension blocks can use on this page."""
    settings = rt.settings
    cart = current_cart(rt)
    customer = current_customer(rt)
    cart_items = []
    total = 0
    if cart is not None:
        for line in cart.lines:
            variant = rt.store.variants.get(line.variant_id)
            if variant is None:
                continue
            total += cents(variant.price) * line.quantity
            cart_items.append({"variant_id": variant.id, "product_id": variant.product_id,
                               "quantity": line.quantity, "price": cents(variant.price)})
    collection = rt.store.collection_by_handle(collection_handle) if collection_handle else None
    return {
        "shop": {"permanent_domain": settings.shop_domain, "domain": settings.shop_domain, "name": settings.shop_name,
                 "currency": settings.currency, "url": settings.public_url, "money_format": "${{amount}}"},
        "product": liquid_product(product, settings.public_url) if product else None,
        "collection": {"id": collection.id, "handle": collection.handle, "title": collection.title}
        if collection else None,
        "customer": {"id": customer.id, "email": customer.email, "first_name": customer.first_name,
                     "last_name": customer.last_name, "name": f"{customer.first_name} {customer.last_name}".strip()}
        if customer else None,
        "cart": {"token": cart.token if cart else "", "item_count": cart.item_count if cart else 0,
                 "total_price": total, "items": cart_items, "currency": {"iso_code": settings.currency}},
        "request": {"page_type": page_type, "path": request.path, "host": settings.shop_domain,
                    "locale": {"iso_code": "en"}, "design_mode": False},
        "routes": {"root_url": "/", "cart_url": "/cart", "cart_add_url": "/cart/add", "cart_change_url": "/cart/change",
                   "search_url": "/search", "account_url": "/account", "account_login_url": "/account/login",
                   "collections_url": "/collections", "all_products_collection_url": "/collections/all"},
        "template": {"name": page_type},
        "search": {"terms": request.args.get("q", "")} if page_type == "search" else None,
    }


def render_page(template: str, page_type: str, *, product: Product | None = None, collection_handle: str | None = None,
                status: int = 200, **context):
    """Render a storefront page with the app embeds, the app blocks for its template, and hostile CSS if on."""
    rt = runtime()
    remember_visit()
    with rt.store.lock:
        page = {"liquid": liquid_objects(rt, page_type, product, collection_handle), "assets_seen": set()}
        head = theme.render_embeds(rt, "head", page)
        blocks = theme.render_blocks(rt, page_type, page)
        body_end = theme.render_embeds(rt, "body", page)
        cart = current_cart(rt)
        nav = [c for c in rt.store.collections.values()]
        html = render_template(
            template, app_head=head, app_blocks=blocks, app_body=body_end,
            hostile_css=Markup(HOSTILE_CSS) if rt.store.theme.hostile_css else None,
            cart_count=cart.item_count if cart else 0, customer=current_customer(rt), nav_collections=nav,
            page_type=page_type, **context)
    return html, status


def money_filter(amount: str | Decimal) -> str:
    currency = runtime().settings.currency
    value = f"{Decimal(str(amount)):,.2f}"
    return f"${value}" if currency == "USD" else f"{value} {currency}"
