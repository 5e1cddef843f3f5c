"""The merchant's admin: home, apps (install, open embedded, uninstall), products, orders, customers.

Every change the merchant makes here goes through commerce.py / privacy.py,
so it fires the same webhooks as on the platform. The embedded app page
frames the app with a signed URL and an ``id_token``, and answers the
frame's postMessage requests for fresh session tokens (see README).
"""

from __future__ import annotations

import secrets
import time
from urllib.parse import urlencode

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, session, url_for

from . import commerce, installs, privacy
from .runtime import check_csrf, csrf_token, runtime
from .settings import AppRegistration
from .signing import host_param, session_token, signed_query

bp = Blueprint("admin", __name__)
PAGE = 50


@bp.app_context_processor
def _csrf():
    return {"csrf_token": csrf_token}


def _app_or_404(handle: str) -> AppRegistration:
    app = runtime().settings.app_by_handle(handle)
    if app is None:
        abort(404, description="No such app")
    return app


def _sid() -> str:
    if "sid" not in session:
        session["sid"] = secrets.token_hex(16)
    return session["sid"]


def _page() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


@bp.get("/admin")
def home():
    rt = runtime()
    store = rt.store
    with store.lock:
        apps = [(a, store.installation(a.handle)) for a in rt.settings.apps]
        counts = {"products": len(store.products), "orders": len(store.orders), "customers": len(store.customers)}
    return render_template("admin/home.html", apps=apps, counts=counts)


@bp.get("/admin/apps")
def apps():
    rt = runtime()
    with rt.store.lock:
        rows = [(a, rt.store.installations.get(a.handle)) for a in rt.settings.apps]
    return render_template("admin/apps.html", rows=rows)


@bp.get("/admin/apps/<handle>/install")
def install(handle: str):
    """The platform opens the app's install URL with a signed query (fresh timestamp on each click)."""
    app = _app_or_404(handle)
    shop = runtime().settings.shop_domain
    query = signed_query({"shop": shop, "timestamp": str(int(time.time())), "host": host_param(shop)},
                         app.api_secret)
    return redirect(f"{app.app_url}{app.install_path}?{urlencode(query)}")


def _fresh_token(app: AppRegistration) -> str:
    rt = runtime()
    return session_token(api_key=app.api_key, api_secret=app.api_secret, shop_domain=rt.settings.shop_domain,
                         staff_id=rt.store.staff_id, sid=_sid(), now=rt.clock.now())


@bp.get("/admin/apps/<handle>")
def open_app(handle: str):
    """Open an installed app: embedded in an iframe (App URL + signed query + id_token), or top-level."""
    rt = runtime()
    app = _app_or_404(handle)
    if rt.store.installation(app.handle) is None:
        return redirect(url_for("admin.install", handle=app.handle))
    shop = rt.settings.shop_domain
    params = {"host": host_param(shop), "shop": shop, "timestamp": str(int(time.time()))}
    if not app.embedded:
        return redirect(f"{app.app_url}/?{urlencode(signed_query(params, app.api_secret))}")
    params.update({"embedded": "1", "id_token": _fresh_token(app), "locale": "en", "session": _sid()})
    src = f"{app.app_url}/?{urlencode(signed_query(params, app.api_secret))}"
    return render_template("admin/embedded.html", app=app, src=src)


@bp.get("/admin/apps/<handle>/session-token")
def fresh_session_token(handle: str):
    """What the App Bridge shim posts into the frame: a new one-minute id_token."""
    app = _app_or_404(handle)
    if runtime().store.installation(app.handle) is None:
        abort(404, description="App not installed")
    token = _fresh_token(app)
    return jsonify({"idToken": token, "expiresAt": int(runtime().clock.now()) + 60})


@bp.post("/admin/apps/<handle>/uninstall")
def uninstall(handle: str):
    check_csrf()
    app = _app_or_404(handle)
    try:
        privacy.uninstall(runtime(), app)
        flash(f"{app.name} was uninstalled. Its access token is revoked.")
    except installs.GrantError as exc:
        flash(exc.description)
    return redirect(url_for("admin.apps"))


@bp.post("/admin/apps/<handle>/shop-redact")
def shop_redact(handle: str):
    check_csrf()
    app = _app_or_404(handle)
    try:
        privacy.send_shop_redact(runtime(), app)
        flash(f"shop/redact sent to {app.name} (as if 48 hours had passed).")
    except installs.GrantError as exc:
        flash(exc.description)
    return redirect(url_for("admin.apps"))


# --- products --------------------------------------------------------------------------------
@bp.get("/admin/products")
def products():
    rt = runtime()
    q = request.args.get("q", "").strip().lower()
    with rt.store.lock:
        found = [p for p in sorted(rt.store.products.values(), key=lambda p: p.title)
                 if not q or q in p.title.lower() or q in p.vendor.lower()]
        page = _page()
        rows = found[(page - 1) * PAGE: page * PAGE]
        collections = sorted(rt.store.collections.values(), key=lambda c: c.title)
        return render_template("admin/products.html", rows=rows, q=q, page=page,
                               more=len(found) > page * PAGE, collections=collections)


@bp.post("/admin/products/new")
def product_new():
    check_csrf()
    form = request.form
    try:
        product = commerce.create_product(runtime().store, title=form.get("title", "").strip() or "New product",
                                          price=form.get("price") or "10.00",
                                          inventory=int(form.get("inventory") or 0), category=form.get("category", ""))
    except (commerce.CommerceError, ValueError, ArithmeticError) as exc:
        flash(f"Not created: {exc}")
        return redirect(url_for("admin.products"))
    flash(f"Created {product.title}.")
    return redirect(url_for("admin.product_edit", product_id=product.id))


@bp.get("/admin/products/<int:product_id>")
def product_edit(product_id: int):
    rt = runtime()
    with rt.store.lock:
        product = rt.store.products.get(product_id)
        if product is None:
            abort(404, description="No such product")
        return render_template("admin/product.html", product=product)


@bp.post("/admin/products/<int:product_id>")
def product_save(product_id: int):
    check_csrf()
    rt = runtime()
    form = request.form
    with rt.store.lock:
        product = rt.store.products.get(product_id)
        if product is None:
            abort(404, description="No such product")
        changes = {}
        for variant in product.variants:
            change = {}
            for field in ("price", "compare_at_price", "inventory_quantity"):
                key = f"{field}_{variant.id}"
                if key in form:
                    change[field] = form[key].strip()
            changes[variant.id] = change
        try:
            commerce.update_product(rt.store, product, title=form.get("title", "").strip() or None,
                                    status=form.get("status") or None, variant_changes=changes)
            flash("Saved. products/update was sent to subscribed apps.")
        except (commerce.CommerceError, ValueError, ArithmeticError) as exc:
            flash(f"Not saved: {exc}")
    return redirect(url_for("admin.product_edit", product_id=product_id))


@bp.post("/admin/products/<int:product_id>/delete")
def product_delete(product_id: int):
    check_csrf()
    rt = runtime()
    with rt.store.lock:
        product = rt.store.products.get(product_id)
        if product is None:
            abort(404, description="No such product")
        commerce.delete_product(rt.store, product)
    flash(f"Deleted {product.title}.")
    return redirect(url_for("admin.products"))


# --- orders and customers ------------------------------------------------------------------------
@bp.get("/admin/orders")
def orders():
    rt = runtime()
    with rt.store.lock:
        found = sorted(rt.store.orders.values(), key=lambda o: -o.created_at)
        page = _page()
        return render_template("admin/orders.html", rows=found[(page - 1) * PAGE: page * PAGE], page=page,
                               more=len(found) > page * PAGE, customers=rt.store.customers)


@bp.post("/admin/orders/<int:order_id>/cancel")
def order_cancel(order_id: int):
    check_csrf()
    rt = runtime()
    order = rt.store.orders.get(order_id)
    if order is None:
        abort(404, description="No such order")
    try:
        commerce.cancel_order(rt.store, order, request.form.get("reason", "customer"))
        flash(f"Order {order.name} cancelled.")
    except commerce.CommerceError as exc:
        flash(str(exc))
    return redirect(url_for("admin.orders"))


@bp.get("/admin/customers")
def customers():
    rt = runtime()
    q = request.args.get("q", "").strip().lower()
    with rt.store.lock:
        found = [c for c in sorted(rt.store.customers.values(), key=lambda c: -c.created_at)
                 if not q or q in c.email.lower() or q in f"{c.first_name} {c.last_name}".lower()]
        page = _page()
        rows = [(c, rt.store.customer_stats(c.id)) for c in found[(page - 1) * PAGE: page * PAGE]]
        return render_template("admin/customers.html", rows=rows, q=q, page=page, more=len(found) > page * PAGE)


@bp.post("/admin/customers/<int:customer_id>/<action>")
def customer_privacy(customer_id: int, action: str):
    check_csrf()
    rt = runtime()
    customer = rt.store.customers.get(customer_id)
    if customer is None or action not in ("data-request", "redact"):
        abort(404)
    if action == "data-request":
        sent = privacy.request_customer_data(rt, customer)
        flash(f"customers/data_request sent to {len(sent)} app(s).")
    else:
        sent = privacy.redact_customer(rt, customer)
        flash(f"customers/redact sent to {len(sent)} app(s).")
    return redirect(url_for("admin.customers", q=customer.email))
