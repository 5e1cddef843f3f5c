"""The online store's catalog pages, search, discount links and customer account.

Server-rendered and usable without JavaScript. Only active, published
products are visible (drafts 404 like on the platform). Cart and checkout
routes live in cart.py and checkout.py; this blueprint registers them.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlparse

from flask import Blueprint, abort, jsonify, redirect, request, session

from . import cart, checkout, commerce
from .runtime import runtime
from .storefront_context import cents, current_customer, money_filter, render_page

bp = Blueprint("storefront", __name__)
bp.register_blueprint(cart.bp)
bp.register_blueprint(checkout.bp)
PER_PAGE = 24


@bp.app_template_filter("money")
def _money(amount):
    return money_filter(amount)


def _visible(rt):
    return [p for p in rt.store.products.values() if p.visible]


@bp.get("/")
def home():
    rt = runtime()
    with rt.store.lock:
        best = rt.store.collection_by_handle("best-sellers")
        featured = [rt.store.products[i] for i in (best.product_ids if best else []) if i in rt.store.products
                    and rt.store.products[i].visible][:8]
        collections = sorted(rt.store.collections.values(), key=lambda c: c.id)
        return render_page("store/home.html", "index", featured=featured, collections=collections)


@bp.get("/collections")
def collections():
    rt = runtime()
    with rt.store.lock:
        return render_page("store/collections.html", "list-collections",
                           collections=sorted(rt.store.collections.values(), key=lambda c: c.id))


@bp.get("/collections/<handle>")
def collection(handle: str):
    rt = runtime()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    with rt.store.lock:
        if handle == "all":
            title, products = "All products", sorted(_visible(rt), key=lambda p: p.title)
        else:
            found = rt.store.collection_by_handle(handle)
            if found is None:
                abort(404, description="This collection does not exist.")
            title = found.title
            products = [rt.store.products[i] for i in found.product_ids
                        if i in rt.store.products and rt.store.products[i].visible]
        shown = products[(page - 1) * PER_PAGE: page * PER_PAGE]
        return render_page("store/collection.html", "collection", collection_handle=handle, title=title,
                           handle=handle, products=shown, page=page, more=len(products) > page * PER_PAGE)


@bp.get("/products/<handle>")
def product(handle: str):
    rt = runtime()
    with rt.store.lock:
        found = rt.store.product_by_handle(handle)
        if found is None or not found.visible:
            abort(404, description="This product does not exist.")
        related = [rt.store.products[i] for c in rt.store.collections.values() if c.handle == found.category
                   for i in c.product_ids if i != found.id and i in rt.store.products
                   and rt.store.products[i].visible][:4]
        return render_page("store/product.html", "product", product=found, p=found, related=related,
                           error=request.args.get("error"))


@bp.get("/products/<handle>.js")
def product_js(handle: str):
    """The platform's AJAX product JSON (prices in cents)."""
    rt = runtime()
    with rt.store.lock:
        found = rt.store.product_by_handle(handle)
        if found is None or not found.visible:
            return jsonify({"status": 404, "message": "Not Found", "description": "Product not found"}), 404
        prices = [cents(v.price) for v in found.variants]
        return jsonify({
            "id": found.id, "title": found.title, "handle": found.handle, "vendor": found.vendor,
            "type": found.product_type, "tags": found.tags, "available": found.available,
            "price": min(prices), "price_min": min(prices), "price_max": max(prices),
            "url": f"/products/{found.handle}",
            "featured_image": f"{rt.settings.public_url}/cdn/shop/files/{found.images[0].id}.svg"
            if found.images else None,
            "variants": [{"id": v.id, "title": v.title, "sku": v.sku, "price": cents(v.price),
                          "compare_at_price": cents(v.compare_at_price) if v.compare_at_price else None,
                          "available": v.available, "option1": v.options[0]} for v in found.variants],
        })


@bp.get("/search")
def search():
    rt = runtime()
    q = request.args.get("q", "").strip()
    with rt.store.lock:
        words = q.lower().split()
        found = [p for p in _visible(rt) if words and all(
            w in f"{p.title} {p.vendor} {p.product_type} {' '.join(p.tags)}".lower() for w in words)]
        return render_page("store/search.html", "search", q=q, products=sorted(found, key=lambda p: p.title)[:48],
                           total=len(found))


def _local_path(target: str | None) -> str:
    """Only same-site paths are followed (no open redirect)."""
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@bp.get("/discount/<path:code>")
def discount_link(code: str):
    """Shareable discount link: remembers the code for checkout, then redirects like the platform."""
    session["discount_code"] = code.strip()
    response = redirect(_local_path(request.args.get("redirect")))
    response.set_cookie("discount_code", code.strip(), samesite="Lax", httponly=False)
    return response


# --- customer account ----------------------------------------------------------------------------
@bp.get("/account/login")
def login_form():
    return render_page("store/login.html", "customers/login", error=None)


@bp.post("/account/login")
def login():
    """Email-only login (a simulator): a new email creates the customer, as a sign-up would."""
    rt = runtime()
    email = request.form.get("email", "").strip()
    if "@" not in email or "." not in email.rsplit("@", 1)[-1]:
        return render_page("store/login.html", "customers/login", error="Enter a valid email address.", status=422)
    with rt.store.lock:
        customer = rt.store.customer_by_email(email)
        if customer is None:
            customer = commerce.create_customer(rt.store, email=email,
                                                first_name=request.form.get("first_name", "").strip(),
                                                last_name=request.form.get("last_name", "").strip())
        if customer.state != "enabled":
            commerce.update_customer(rt.store, customer, state="enabled")
    session["customer_id"] = customer.id
    return redirect("/account")


@bp.post("/account/logout")
def logout():
    session.pop("customer_id", None)
    return redirect("/")


@bp.get("/account")
def account():
    rt = runtime()
    with rt.store.lock:
        customer = current_customer(rt)
        if customer is None:
            return redirect("/account/login")
        orders = sorted(rt.store.orders_of(customer.id), key=lambda o: -o.created_at)
        spent = sum((Decimal(o.total_price) for o in orders if not o.cancelled_at), Decimal(0))
        return render_page("store/account.html", "customers/account", orders=orders, spent=spent)
