"""Links in triggered emails: the unsubscribe page and its one-click POST (RFC 8058), and the open-time
recommendation slots (``/email/o/…png`` images and ``/email/c/…`` links, and the text part's
``/email/p/…`` links to the product it names), and the slot images of the admin's previews and test
emails (``/email/s/…png``).

The mail client POSTs ``List-Unsubscribe=One-Click`` to the URL in the
``List-Unsubscribe`` header with no cookies (RFC 8058 §3.2); a person who
clicks the footer's link gets a page with one button that POSTs the same. The
token names the send (``plugin.emails.tokens``), so no login is needed and no
address is shown. A bad or expired token changes nothing and says so.
"""

from __future__ import annotations

from urllib.parse import urljoin

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request

from plugin.clock import now_ms
from plugin.emails import opens, samples
from plugin.emails.content import SLOTS, shop_name
from plugin.emails.tokens import BadToken, tagged, verify
from plugin.emails.unsubscribe import unsubscribe
from plugin.services import Services

from .door import RESOURCE_RE

bp = Blueprint("emails", __name__, template_folder="templates")


@bp.route("/email/u/<token>", methods=["GET", "POST"])
def unsubscribe_page(token: str):
    services = Services.of(current_app)
    try:
        holder = verify(services.config.api_secrets, "unsubscribe", token)
    except BadToken:
        return render_template("emails/unsubscribe.html", error="This unsubscribe link is damaged or too old"), 400
    if request.method == "GET":
        return render_template("emails/unsubscribe.html", shop=shop_name(services.store, holder.shop))
    unsubscribe(services.store, holder)
    return render_template("emails/unsubscribe.html", done=True, shop=shop_name(services.store, holder.shop))


@bp.get("/email/o/<token>/<int:slot>.png")
def slot_image(token: str, slot: int):
    """A recommendation slot's card, chosen at the email's first open. ``no-cache``: mail proxies (Gmail's)
    ask again at each open, so a product bought or sold out since is swapped out (docs/emails.md)."""
    services = Services.of(current_app)
    send = _send(services, token, slot)
    if send is None:
        abort(404)
    product, currency = opens.shown(services, send, slot, SLOTS[send.flow], now_ms())
    if product is None:
        abort(404)
    response = Response(opens.card(services, services.email_cards, send.shop, product, currency), mimetype="image/png")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/email/c/<token>/<int:slot>")
def slot_click(token: str, slot: int):
    """The slot's link: the product its image showed at open time, with the click recorded for attribution."""
    services = Services.of(current_app)
    send = _send(services, token, slot)
    if send is None:
        abort(404)
    product, _ = opens.shown(services, send, slot, SLOTS[send.flow], now_ms())
    return _land(services, send, token, slot, product)


@bp.get("/email/p/<token>/<int:slot>/<product_id>")
def named_click(token: str, slot: int, product_id: str):
    """The text part's link for a slot: the product the text names (the send's pick), not what an open of
    the HTML part chose since, so a link reads where it goes. The click counts as the slot's."""
    services = Services.of(current_app)
    send = _send(services, token, slot)
    if send is None or not RESOURCE_RE.fullmatch(product_id):
        abort(404)
    product, _ = opens.displayed(services, send.shop, product_id)  # None once the shop no longer shows it
    return _land(services, send, token, slot, product)


def _land(services, send, token: str, slot: int, product: dict | None):
    """Record the slot's click and send the shopper to the product (the storefront when it is gone)."""
    storefront = services.config.shop_base_url(send.shop)
    services.store.emails.click(send.shop, send.id, slot, product["product_id"] if product else None, now_ms())
    target = urljoin(storefront + "/", product["url"]) if product else storefront + "/"
    return redirect(tagged(target, token), code=302)  # the landing page's loader joins this browser to them


@bp.get("/email/s/<token>.png")
def sample_slot_image(token: str):
    """A preview's or test email's slot: the card of the product the preview chose, drawn as an open draws
    it. Public like the other slot images, since a test email is read in a mail client with no login."""
    card = samples.slot_card(Services.of(current_app), token)
    if card is None:
        abort(404)
    response = Response(card, mimetype="image/png")
    response.headers["Cache-Control"] = "no-cache"
    return response


def _send(services, token: str, slot: int):
    """The send a link token names, if the slot is one it has."""
    try:
        holder = verify(services.config.api_secrets, "link", token)
    except BadToken:
        return None
    send = services.store.emails.get(holder.shop, holder.send_id)
    return send if send is not None and 1 <= slot <= SLOTS.get(send.flow, 0) else None
