"""The test-control API under ``/_devstore/…`` (JSON in, JSON out; documented in README.md).

It lets a test move the clock, force throttling or API failures, inspect and
steer webhook delivery, and make merchant-side changes without a browser.
It is for loopback test use only: it has no authentication, like the rest
of the simulator's owner-side pages.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from . import commerce, installs, payloads, privacy, theme
from .discounts import DiscountRejected
from .ids import gid
from .runtime import Devstore, runtime
from .webhooks import COMPLIANCE_TOPICS

bp = Blueprint("control", __name__, url_prefix="/_devstore")


class ControlError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@bp.errorhandler(ControlError)
def _control_error(exc: ControlError):
    return jsonify({"error": str(exc)}), exc.status


def _body() -> dict:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def _app(rt: Devstore, handle: str | None):
    app = rt.settings.app_by_handle(handle) if handle else (rt.settings.apps[0] if rt.settings.apps else None)
    if app is None:
        raise ControlError(f"no app {handle!r}", 404)
    return app


# --- state and clock -----------------------------------------------------------------------------
@bp.get("/state")
def state():
    rt = runtime()
    store = rt.store
    now = rt.clock.now()
    with store.lock:
        installations = []
        for handle, inst in store.installations.items():
            tokens = [{"online": t.online, "expires_at": t.expires_at, "expires_in": None if t.expires_at is None
                       else round(t.expires_at - now, 3), "used": t.used, "scopes": t.scopes}
                      for t in store.access_tokens.values() if t.app == handle]
            installations.append({
                "app": handle, "installed": inst.installed, "scopes": inst.scopes, "installed_at": inst.installed_at,
                "uninstalled_at": inst.uninstalled_at, "shop_redact_sent": inst.shop_redact_sent,
                "access_tokens": tokens,
                "refresh_tokens": [{"expires_at": r.expires_at, "superseded": bool(r.superseded_by)}
                                   for r in store.refresh_tokens.values() if r.app == handle]})
        subscriptions = [{"id": gid("WebhookSubscription", s.id), "app": s.app, "topic": s.topic,
                          "callback_url": s.callback_url, "api_version": s.api_version,
                          "include_fields": s.include_fields} for s in store.subscriptions.values()]
        counts = {"products": len(store.products), "variants": len(store.variants),
                  "collections": len(store.collections), "customers": len(store.customers),
                  "orders": len(store.orders), "carts": len(store.carts), "checkouts": len(store.checkouts),
                  "discounts": len(store.discounts), "deliveries": len(rt.dispatcher.deliveries),
                  "pending_deliveries": rt.dispatcher.pending()}
        return jsonify({"shop": rt.settings.shop_domain, "clock": {"now": now, "offset": rt.clock.offset},
                        "installations": installations, "subscriptions": subscriptions, "counts": counts,
                        "throttle": {h: b.status() for h, b in rt.buckets.items()},
                        "failures_remaining": rt.failures.remaining,
                        "theme": {"embeds": [{"app": a, "block": b, **s} for (a, b), s in store.theme.embeds.items()],
                                  "blocks": store.theme.blocks, "hostile_css": store.theme.hostile_css}})


@bp.route("/clock", methods=["GET", "POST"])
def clock():
    rt = runtime()
    if request.method == "POST":
        try:
            rt.clock.advance(float(_body().get("advance", 0)))
        except (TypeError, ValueError) as exc:
            raise ControlError("advance must be a number of seconds") from exc
    return jsonify({"now": rt.clock.now(), "offset": rt.clock.offset})


# --- API throttling and failures --------------------------------------------------------------------
@bp.post("/throttle")
def throttle():
    rt = runtime()
    body = _body()
    bucket = rt.bucket(_app(rt, body.get("app")).handle)
    bucket.configure(body.get("maximumAvailable"), body.get("restoreRate"), body.get("currentlyAvailable"))
    return jsonify(bucket.status())


@bp.post("/fail")
def fail():
    rt = runtime()
    body = _body()
    retry_after = body.get("retry_after")
    rt.failures.arm(int(body.get("status", 503)), int(body.get("times", 1)),
                    None if retry_after is None else str(retry_after))
    return jsonify({"armed": rt.failures.remaining})


# --- webhooks -------------------------------------------------------------------------------------------
@bp.get("/deliveries")
def deliveries():
    rt = runtime()
    topic, status = request.args.get("topic"), request.args.get("status")
    with rt.store.lock:
        rows = [d.summary() for d in rt.dispatcher.deliveries.values()
                if (topic is None or d.event.topic == topic) and (status is None or d.status == status)]
    return jsonify({"deliveries": rows})


@bp.post("/deliveries/<int:delivery_id>/redeliver")
def redeliver(delivery_id: int):
    rt = runtime()
    if delivery_id not in rt.dispatcher.deliveries:
        raise ControlError("no such delivery", 404)
    return jsonify(rt.dispatcher.redeliver(delivery_id).summary())


def _record_for(rt: Devstore, topic: str, resource_id):
    store = rt.store
    resource = topic.split("/")[0]
    tables = {"orders": store.orders, "products": store.products, "customers": store.customers}
    if resource in tables:
        record = tables[resource].get(int(resource_id or 0))
    elif resource == "checkouts":
        record = store.checkouts.get(str(resource_id)) or next(
            (c for c in store.checkouts.values() if str(c.id) == str(resource_id)), None)
    elif resource == "carts":
        record = store.carts.get(str(resource_id))
    elif topic == "app/uninstalled":
        return None
    else:
        raise ControlError(f"devstore cannot emit {topic}")
    if record is None:
        raise ControlError(f"no {resource} with id {resource_id}", 404)
    return record


@bp.post("/webhooks/emit")
def emit():
    """Send one event (optionally ``duplicate`` times: same event id, new webhook ids)."""
    rt = runtime()
    body = _body()
    topic = body.get("topic", "")
    copies = max(int(body.get("duplicate", 1)), 1)
    with rt.store.lock:
        if topic in COMPLIANCE_TOPICS:
            app = _app(rt, body.get("app"))
            if topic == "shop/redact":
                payload = payloads.shop_redact(rt.store)
            else:
                customer = rt.store.customers.get(int(body.get("resource_id") or 0))
                if customer is None:
                    raise ControlError(f"no customer with id {body.get('resource_id')}", 404)
                payload = payloads.customers_data_request(rt.store, customer, rt.store.ids.next("DataRequest")) \
                    if topic == "customers/data_request" else payloads.customers_redact(rt.store, customer)
            made = rt.dispatcher.publish_compliance(app, topic, payload, copies)
        else:
            made = rt.dispatcher.publish(topic, _record_for(rt, topic, body.get("resource_id")), copies=copies)
    return jsonify({"deliveries": [d.summary() for d in made]})


@bp.post("/webhooks/hold")
def hold():
    runtime().dispatcher.hold()
    return jsonify({"holding": True})


@bp.post("/webhooks/release")
def release():
    released = runtime().dispatcher.release(_body().get("order", "fifo"))
    return jsonify({"released": released})


@bp.post("/webhooks/drain")
def drain():
    rt = runtime()
    done = rt.dispatcher.drain(float(_body().get("timeout", 10)))
    return jsonify({"drained": done, "pending": rt.dispatcher.pending()})


# --- theme ------------------------------------------------------------------------------------------------
@bp.get("/theme")
def theme_state():
    rt = runtime()
    with rt.store.lock:
        return jsonify({
            "extensions": {h: {n: {"target": b.target, "name": b.schema.get("name")} for n, b in e.blocks.items()}
                           for h, e in rt.extensions.items()},
            "embeds": [{"app": a, "block": b, **s} for (a, b), s in rt.store.theme.embeds.items()],
            "blocks": rt.store.theme.blocks, "hostile_css": rt.store.theme.hostile_css})


@bp.post("/theme/embeds")
def theme_embeds():
    rt = runtime()
    body = _body()
    try:
        return jsonify(theme.set_embed(rt, body.get("block", ""), bool(body.get("enabled", True)),
                                       body.get("settings"), body.get("app")))
    except ValueError as exc:
        raise ControlError(str(exc)) from exc


@bp.post("/theme/blocks")
def theme_blocks():
    rt = runtime()
    body = _body()
    try:
        return jsonify(theme.place_block(rt, body.get("template", ""), body.get("block", ""),
                                         body.get("settings") or {}, body.get("app")))
    except ValueError as exc:
        raise ControlError(str(exc)) from exc


@bp.delete("/theme/blocks/<block_id>")
def theme_block_remove(block_id: str):
    rt = runtime()
    with rt.store.lock:
        before = len(rt.store.theme.blocks)
        rt.store.theme.blocks = [b for b in rt.store.theme.blocks if b["id"] != block_id]
        if len(rt.store.theme.blocks) == before:
            raise ControlError("no such block", 404)
    return jsonify({"removed": block_id})


@bp.post("/theme/hostile-css")
def hostile_css():
    rt = runtime()
    with rt.store.lock:
        rt.store.theme.hostile_css = bool(_body().get("enabled", True))
        return jsonify({"hostile_css": rt.store.theme.hostile_css})


# --- merchant actions ----------------------------------------------------------------------------------------
@bp.post("/apps/<handle>/uninstall")
def uninstall(handle: str):
    rt = runtime()
    try:
        privacy.uninstall(rt, _app(rt, handle))
    except installs.GrantError as exc:
        raise ControlError(exc.description, exc.status) from exc
    return jsonify({"uninstalled": handle})


@bp.post("/apps/<handle>/shop-redact")
def shop_redact(handle: str):
    rt = runtime()
    try:
        delivery_id = privacy.send_shop_redact(rt, _app(rt, handle))
    except installs.GrantError as exc:
        raise ControlError(exc.description, exc.status) from exc
    return jsonify({"delivery": delivery_id})


@bp.post("/customers/<int:customer_id>/<action>")
def customer_privacy(customer_id: int, action: str):
    rt = runtime()
    customer = rt.store.customers.get(customer_id)
    if customer is None or action not in ("data-request", "redact"):
        raise ControlError("no such customer or action", 404)
    sent = privacy.request_customer_data(rt, customer) if action == "data-request" \
        else privacy.redact_customer(rt, customer)
    return jsonify({"deliveries": sent})


@bp.get("/catalog")
def catalog():
    """A compact product list for tests (ids, handles, variants, stock)."""
    rt = runtime()
    limit = request.args.get("limit", 1000, type=int)
    status = request.args.get("status")
    with rt.store.lock:
        rows = [{"id": p.id, "handle": p.handle, "title": p.title, "status": p.status, "category": p.category,
                 "variants": [{"id": v.id, "price": v.price, "inventory_quantity": v.inventory_quantity}
                              for v in p.variants]}
                for p in sorted(rt.store.products.values(), key=lambda p: p.id)
                if status is None or p.status == status][:limit]
    return jsonify({"products": rows})


@bp.post("/products/<int:product_id>")
def product_update(product_id: int):
    rt = runtime()
    body = _body()
    with rt.store.lock:
        product = rt.store.products.get(product_id)
        if product is None:
            raise ControlError("no such product", 404)
        variant_id = int(body.get("variant_id") or product.variants[0].id)
        change = {k: body[k] for k in ("price", "compare_at_price", "inventory_quantity") if k in body}
        try:
            commerce.update_product(rt.store, product, title=body.get("title"), status=body.get("status"),
                                    variant_changes={variant_id: change})
        except commerce.CommerceError as exc:
            raise ControlError(str(exc), exc.status) from exc
        return jsonify({"id": product.id, "updated_at": product.updated_at})


@bp.post("/orders")
def order_create():
    rt = runtime()
    body = _body()
    items = [(int(i["variant_id"]), int(i.get("quantity", 1))) for i in body.get("items", [])]
    try:
        order = commerce.place_order(rt.store, email=body.get("email", ""), items=items,
                                     first_name=body.get("first_name", ""), last_name=body.get("last_name", ""),
                                     discount_code=body.get("discount_code"))
    except (commerce.CommerceError, DiscountRejected) as exc:
        raise ControlError(str(exc), 422) from exc
    return jsonify({"id": order.id, "name": order.name, "customer_id": order.customer_id,
                    "total_price": order.total_price})


@bp.post("/orders/<int:order_id>/cancel")
def order_cancel(order_id: int):
    rt = runtime()
    order = rt.store.orders.get(order_id)
    if order is None:
        raise ControlError("no such order", 404)
    try:
        commerce.cancel_order(rt.store, order, _body().get("reason", "customer"))
    except commerce.CommerceError as exc:
        raise ControlError(str(exc), exc.status) from exc
    return jsonify({"id": order.id, "cancelled_at": order.cancelled_at})
