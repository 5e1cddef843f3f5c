"""The cart: form routes for the no-JavaScript pages and the platform's AJAX API (/cart.js…).

The AJAX shapes follow the platform's Cart API (prices in cents, errors as
``{"status", "message", "description"}``), because theme and widget code
written against the platform calls exactly these URLs.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from flask import Blueprint, jsonify, redirect, request

from . import commerce
from .runtime import Devstore, runtime
from .state import Cart
from .storefront_context import CART_COOKIE, cents, current_cart, render_page

bp = Blueprint("cart", __name__)


def _with_cart_cookie(response, cart: Cart | None):
    if cart is not None:
        response.set_cookie(CART_COOKIE, cart.token, max_age=14 * 86400, samesite="Lax", httponly=False)
    return response


def _int(value, default: int | None = None) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def cart_ajax(rt: Devstore, cart: Cart | None) -> dict:
    items, total = [], 0
    for index, line in enumerate(cart.lines if cart else [], start=1):
        variant = rt.store.variants.get(line.variant_id)
        product = rt.store.products.get(variant.product_id) if variant else None
        if variant is None or product is None:
            continue
        total += cents(variant.price) * line.quantity
        items.append(_item_ajax(rt, cart, line, index))
    return {"token": cart.token if cart else None, "note": cart.note if cart else None, "attributes": {},
            "item_count": cart.item_count if cart else 0, "items": items, "total_price": total,
            "original_total_price": total, "total_discount": 0, "currency": rt.settings.currency,
            "requires_shipping": bool(items)}


def _item_ajax(rt: Devstore, cart: Cart, line, index: int) -> dict:
    variant = rt.store.variants[line.variant_id]
    product = rt.store.products[variant.product_id]
    price = cents(variant.price)
    return {"id": variant.id, "key": f"{variant.id}:{line.id}", "line": index, "quantity": line.quantity,
            "variant_id": variant.id, "product_id": product.id, "title": product.title,
            "product_title": product.title, "variant_title": None if variant.title == "Default Title" else variant.title,
            "sku": variant.sku, "vendor": product.vendor, "handle": product.handle, "url": f"/products/{product.handle}",
            "price": price, "line_price": price * line.quantity, "final_line_price": price * line.quantity,
            "properties": line.properties or {},
            "image": f"{rt.settings.public_url}/cdn/shop/files/{product.images[0].id}.svg" if product.images else None}


def _ajax_error(exc: commerce.CommerceError):
    return jsonify({"status": exc.status, "message": "Cart Error", "description": str(exc)}), exc.status


@bp.get("/cart")
def view():
    rt = runtime()
    with rt.store.lock:
        cart = current_cart(rt)
        lines = []
        for index, line in enumerate(cart.lines if cart else [], start=1):
            variant = rt.store.variants.get(line.variant_id)
            if variant is not None:
                lines.append((index, line, variant, rt.store.products[variant.product_id]))
        subtotal = sum((Decimal(variant.price) * line.quantity for _, line, variant, _ in lines), Decimal(0))
        return render_page("store/cart.html", "cart", lines=lines, subtotal=subtotal, cart=cart,
                           error=request.args.get("error"))


@bp.post("/cart/add")
def add_form():
    rt = runtime()
    variant_id = _int(request.form.get("id"), 0)
    quantity = _int(request.form.get("quantity"), 1)
    cart = current_cart(rt)
    try:
        cart = commerce.cart_add(rt.store, cart.token if cart else None, variant_id, quantity)
    except commerce.CommerceError as exc:
        product = rt.store.products.get(rt.store.variants[variant_id].product_id) if variant_id in rt.store.variants \
            else None
        target = f"/products/{product.handle}" if product else "/cart"
        return redirect(f"{target}?{urlencode({'error': str(exc)})}")
    return _with_cart_cookie(redirect("/cart"), cart)


@bp.post("/cart/change")
def change_form():
    rt = runtime()
    cart = current_cart(rt)
    try:
        commerce.cart_change(rt.store, cart.token if cart else None, _int(request.form.get("quantity"), 0),
                             line=_int(request.form.get("line")))
    except commerce.CommerceError as exc:
        return redirect(f"/cart?{urlencode({'error': str(exc)})}")
    return redirect("/cart")


@bp.get("/cart.js")
def cart_js():
    rt = runtime()
    with rt.store.lock:
        return jsonify(cart_ajax(rt, current_cart(rt)))


def _params() -> dict:
    data = request.get_json(silent=True) if request.is_json else None
    return data if isinstance(data, dict) else request.form.to_dict()


@bp.post("/cart/add.js")
def add_js():
    rt = runtime()
    params = _params()
    items = params.get("items") or [{"id": params.get("id"), "quantity": params.get("quantity", 1),
                                     "properties": params.get("properties")}]
    cart = current_cart(rt)
    token = cart.token if cart else None
    added = []
    try:
        with rt.store.lock:
            for item in items:
                cart = commerce.cart_add(rt.store, token, _int(item.get("id"), 0), _int(item.get("quantity"), 1),
                                         item.get("properties") or None)
                token = cart.token
                index = next(i for i, l in enumerate(cart.lines, 1) if l.variant_id == _int(item.get("id")))
                added.append(_item_ajax(rt, cart, cart.lines[index - 1], index))
    except commerce.CommerceError as exc:
        return _with_cart_cookie(_ajax_error(exc)[0], cart), exc.status
    body = {"items": added} if "items" in params else added[0]
    return _with_cart_cookie(jsonify(body), cart)


@bp.post("/cart/change.js")
def change_js():
    rt = runtime()
    params = _params()
    cart = current_cart(rt)
    ident = params.get("id")
    try:
        with rt.store.lock:
            line = _int(params.get("line"))
            variant_id = _int(str(ident).split(":")[0]) if ident is not None else None
            cart = commerce.cart_change(rt.store, cart.token if cart else None, _int(params.get("quantity"), 0),
                                        line=line, variant_id=variant_id)
            return jsonify(cart_ajax(rt, cart))
    except commerce.CommerceError as exc:
        return _ajax_error(exc)


@bp.post("/cart/clear.js")
def clear_js():
    rt = runtime()
    cart = current_cart(rt)
    with rt.store.lock:
        commerce.cart_clear(rt.store, cart.token if cart else None)
        return jsonify(cart_ajax(rt, cart))
