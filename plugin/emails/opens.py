"""Recommendations chosen when the email is opened (Barilliance, Nosto): the slots' products and their images.

At an email's first open (its first slot image fetched), the products for all
of its slots are chosen for that person as they are now: the for-you block
with the shop's merchandising rules, from their purchases (as a customer or
by email) and what they looked at in the store in the last ``BROWSING_MS`` on
any of their browsers, as the storefront's block weighs a session; leaving
out what is in their cart or checkout and what they bought; when that cannot
answer, the shop's best sellers. The choice is kept 24 hours (Barilliance's
cache), so the images and the links under them agree, and chosen again after that. Each product is
drawn as a card (``cards``), kept in this process's ``CardCache`` by what it
shows, so a repeat open costs a dictionary lookup. Product images are fetched
through the platform client (timeouts, retries) and kept too.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urljoin

from plugin.clock import DAY_MS, HOUR_MS
from plugin.platform import images
from plugin.platform.client import PlatformClient
from plugin.platform.errors import PlatformError
from plugin.recommendations.serving.api import SESSION_SIGNALS, ShopperRequest, recommend_for
from plugin.recommendations.settings import RECOMMENDATIONS
from plugin.store import Send

from .card_cache import CardCache
from .cards import IMAGE_SIDE, render_card

log = logging.getLogger("storelift.emails")

CHOICE_MS = 24 * HOUR_MS
# Browsing that counts: the flows follow a visit by hours (abandonment) to days (welcome series); what
# was looked at before that is old news, and the purchase history already stands for the long run.
BROWSING_MS = 7 * DAY_MS
MAX_IMAGE_BYTES = 5 * 1024 * 1024
ITEM_FLOWS = {"checkout": ("checkout_lines", "checkout_token"), "cart": ("cart_lines", "cart_token")}


def choose(services: Any, send: Send, count: int, now: int) -> list[dict]:
    """Products for ``count`` slots for the send's person as of now (display fields), best first."""
    store = services.store
    shop = send.shop
    held = ()
    if send.flow in ITEM_FLOWS:
        table, parent = ITEM_FLOWS[send.flow]
        held = tuple(line["product_id"] for line in store.emails.lines(shop, table, parent, send.trigger_key)
                     if line["product_id"])
    held += tuple(store.emails.bought(shop, send.email))
    customer = store.identities.customer_for_email(shop, send.email)
    person = ((send.person_id and store.identities.person(shop, send.person_id))
              or store.identities.person_by_email(shop, send.email))  # the send's person may have merged since
    signals = (store.events.person_signals(shop, person["person_id"], now - BROWSING_MS, SESSION_SIGNALS)
               if person else [])
    settings = services.settings.served(shop, RECOMMENDATIONS)
    for block in ("for_you", "best_sellers"):
        request = ShopperRequest(block=block, customer_id=customer, limit=count, exclude=held, now=now / 1000)
        items = recommend_for(services.models, shop, request, settings, person=person, signals=signals).items
        if items:
            return items[:count]
    return []


def slot_products(services: Any, send: Send, count: int, now: int) -> dict[int, str]:
    """Slot number -> product id: the choice made at first open, or a new one once it is 24 h old."""
    emails = services.store.emails
    chosen = emails.slots(send.shop, send.id)
    if chosen and all(at > now - CHOICE_MS for _, at in chosen.values()):
        return {slot: product for slot, (product, _) in chosen.items()}
    products = [item["product_id"] for item in choose(services, send, count, now)]
    emails.choose_slots(send.shop, send.id, products, now)
    return dict(enumerate(products, 1))


def shown(services: Any, send: Send, slot: int, count: int, now: int) -> tuple[dict | None, str]:
    """Slot ``slot``'s product (display fields, None when the shop has none to show) and the shop's currency."""
    return displayed(services, send.shop, slot_products(services, send, count, now).get(slot))


def displayed(services: Any, shop: str, product_id: str | None) -> tuple[dict | None, str]:
    """The product as a card shows it (None when the shop no longer shows it), and the shop's currency: one
    reading for an open and for a preview's slot, so both draw the same card."""
    snap = services.models.current(shop)
    display = snap.display.get(product_id) if product_id else None
    currency = snap.currency or "USD"
    if display is None:
        return None, currency
    return {"product_id": product_id, "title": display.title, "price": display.price, "url": display.url,
            "image": display.image}, currency


def card(services: Any, cache: CardCache, shop: str, product: dict, currency: str) -> bytes:
    """The product's card as PNG bytes, drawn once per process for what it shows.

    A card whose image could not be fetched is drawn with a placeholder and not
    kept, so the next open tries the image again.
    """
    url = product.get("image")
    url = images.sized(urljoin(services.config.shop_base_url(shop) + "/", url), IMAGE_SIDE) if url else None
    key = ("card", shop, product["product_id"], product.get("title"), product.get("price"), currency, url)
    cached = cache.get(key)
    if cached is not None:
        return cached
    image = _image(services, cache, shop, url) if url else None
    drawn = render_card(title=product.get("title") or "", price=product.get("price") or "", currency=currency,
                        image=image)
    return cache.put(key, drawn) if image is not None or url is None else drawn


def _image(services: Any, cache: CardCache, shop: str, url: str) -> bytes | None:
    cached = cache.get(("image", url))
    if cached is not None:
        return cached
    client = PlatformClient(services.config.shop_base_url(shop), services.config.api_version, max_attempts=2)
    try:
        body = client.download(url, MAX_IMAGE_BYTES)
    except PlatformError as exc:  # the card is drawn with a placeholder instead
        log.info("product image for an email card not fetched: %s", exc)
        return None
    return cache.put(("image", url), body) if body is not None else None
