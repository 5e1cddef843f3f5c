"""Checkout: contact + shipping details, an optional discount code, then an order.

Opening the checkout creates it (checkouts/create); saving details or a code
updates it (checkouts/update), which is what lets an app see an abandoned
checkout with an email. Paying creates a paid order (orders/create,
orders/paid), closes the checkout and empties the cart. Codes are checked
against discounts made through the Admin API; bad ones are refused with the
reason.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, session

from . import commerce, discounts
from .runtime import runtime
from .state import Address
from .storefront_context import CART_COOKIE, current_cart, current_customer, render_page

bp = Blueprint("checkout", __name__)


def _address(form, customer_id: int = 0) -> Address | None:
    if not form.get("address1"):
        return None
    return Address(id=customer_id, first_name=form.get("first_name", "").strip(),
                   last_name=form.get("last_name", "").strip(), address1=form.get("address1", "").strip(),
                   city=form.get("city", "").strip(), province=form.get("province", "").strip(),
                   province_code=form.get("province", "").strip()[:2].upper(), country="United States",
                   country_code="US", zip=form.get("zip", "").strip())


def _render(checkout, error: str | None = None, status: int = 200, form: dict | None = None):
    """The checkout page; its summary shows what the code takes off, so the shopper sees the code worked."""
    subtotal, discount, _ = discounts.checkout_totals(runtime().store, checkout)
    return render_page("store/checkout.html", "checkout", checkout=checkout, error=error, form=form or {},
                       subtotal=subtotal, discount=discount, total=subtotal - discount, status=status)


@bp.get("/checkout")
def show():
    rt = runtime()
    with rt.store.lock:
        cart = current_cart(rt)
        if cart is None or not cart.lines:
            return redirect("/cart")
        checkout = commerce.start_checkout(rt.store, cart, current_customer(rt), session.get("landing_site"),
                                           session.get("referring_site"))
        error = None
        pending_code = session.get("discount_code")
        if pending_code and not checkout.discount_code:
            try:
                commerce.update_checkout(rt.store, checkout, discount_code=pending_code)
            except discounts.DiscountRejected as exc:
                error = f"{pending_code}: {exc}"
            session.pop("discount_code", None)
        return _render(checkout, error)


@bp.post("/checkout")
def submit():
    rt = runtime()
    form = request.form
    with rt.store.lock:
        cart = current_cart(rt)
        if cart is None or not cart.lines:
            return redirect("/cart")
        checkout = commerce.start_checkout(rt.store, cart, current_customer(rt), session.get("landing_site"),
                                           session.get("referring_site"))
        email = form.get("email", "").strip()
        code = form.get("discount_code", "").strip()
        try:
            commerce.update_checkout(rt.store, checkout, email=email or None, address=_address(form))
            if code and code.upper() != (checkout.discount_code or ""):
                commerce.update_checkout(rt.store, checkout, discount_code=code)
            if form.get("action") != "pay":
                return _render(checkout, form=form)
            if "@" not in email:
                return _render(checkout, "Enter a valid email", 422, form)
            order = commerce.complete_checkout(rt.store, checkout, form.get("first_name", "").strip(),
                                               form.get("last_name", "").strip())
        except discounts.DiscountRejected as exc:
            return _render(checkout, f"{code}: {exc}", 422, form)
        except commerce.CommerceError as exc:
            return _render(checkout, str(exc), exc.status, form)
    response = redirect(f"/checkout/thank-you/{order.id}?key={order.token}")
    response.delete_cookie(CART_COOKIE)
    response.delete_cookie("discount_code")
    return response


@bp.get("/checkouts/<token>/recover")
def recover(token: str):
    """The abandoned_checkout_url: bring the shopper back to this checkout with its cart."""
    rt = runtime()
    with rt.store.lock:
        checkout = rt.store.checkouts.get(token)
        if checkout is None:
            abort(404, description="This checkout does not exist.")
        if checkout.completed_at is not None:
            return redirect("/")
        cart = rt.store.carts.get(checkout.cart_token)
        if cart is not None and not cart.lines:
            for item in checkout.line_items:
                if item.variant_id in rt.store.variants:
                    cart = commerce.cart_add(rt.store, cart.token, item.variant_id, item.quantity)
    response = redirect("/checkout")
    response.set_cookie(CART_COOKIE, checkout.cart_token, max_age=14 * 86400, samesite="Lax")
    return response


@bp.get("/checkout/thank-you/<int:order_id>")
def thank_you(order_id: int):
    rt = runtime()
    with rt.store.lock:
        order = rt.store.orders.get(order_id)
        if order is None or request.args.get("key") != order.token:
            abort(404, description="This order does not exist.")
        return render_page("store/thank_you.html", "checkout", order=order)
