"""What one step's email says: the merchant's texts for the flow, the shopper's items still in stock, the
button's destination, the code, and the footer's sender details, as the renderer takes them.

Items sold out or gone since the trigger are dropped (the platform may give
paths for a product's page and image: they are made absolute on the shop's
storefront); a cart or checkout email
with nothing left is not sent ("nothing left in stock"). The welcome email
carries the code the widget showed: the subscriber's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urljoin

from plugin.capture.settings import CAPTURE
from plugin.capture.texts import discount_label
from plugin.config import Config
from plugin.platform import images
from plugin.store import Send, Store

from .render import Brand, EmailContent, Item, Slot, Texts

ITEM_SOURCES = {"checkout": ("checkout_lines", "checkout_token"), "cart": ("cart_lines", "cart_token")}
LINE_IMAGE_WIDTH = 128  # pixels asked of the platform's CDN for a line's image, shown at 64 px (2x screens)
# Recommendation slots per flow: two under a cart's or checkout's own items, four where they are the content.
SLOTS = {"welcome": 4, "browse": 4, "cart": 2, "checkout": 2, "winback": 4}


class NothingToSend(Exception):
    """The step has nothing left to show (every item sold out or gone)."""


@dataclass(frozen=True)
class Links:
    button: str
    unsubscribe: str
    app_url: str
    slot_token: str  # a ``link`` token naming the send

    def slot(self, kind: str, number: int) -> str:
        """Slot ``number``'s image (``o``, opened) or link (``c``, clicked)."""
        return f"{self.app_url}/email/{kind}/{self.slot_token}/{number}" + (".png" if kind == "o" else "")

    def named(self, number: int, product_id: str) -> str:
        """The text part's link for slot ``number``: to ``product_id``, the product the text names."""
        return f"{self.app_url}/email/p/{self.slot_token}/{number}/{quote(product_id, safe='')}"


def build(config: Config, store: Store, send: Send, settings: dict, links: Links, picks: list[dict], *,
          stand_in_items: tuple[Item, ...] = ()) -> EmailContent:
    """The render input for ``send`` (NothingToSend when a cart or checkout has nothing left in stock).

    ``picks`` are the products the slots would show now: their titles are the images' alt text, so the
    email reads well with images off (what an open shows may have changed by then). ``stand_in_items``
    are shown instead when a cart or checkout has nothing: the admin's preview of a flow for someone
    without one. A real send passes none, so it is not sent.
    """
    flow = settings["flows"][send.flow]
    sender = settings["sender"]
    shop_name = fill_shop(store, sender["name"], send.shop)
    items = _items(config, store, send)
    if send.flow in ITEM_SOURCES and not items:
        if not stand_in_items:
            raise NothingToSend("nothing left in stock")
        items = list(stand_in_items)
    capture = CAPTURE.read(store, send.shop)[0]
    return EmailContent(
        texts=Texts(**flow["texts"]),
        brand=Brand(shop_name=shop_name, postal_address=sender["postal_address"], color=sender["color"],
                    logo_url=sender["logo_url"] or None),
        currency=_currency(store, send, capture),
        button_url=links.button,
        unsubscribe_url=links.unsubscribe,
        first_name=store.emails.first_name(send.shop, send.email),
        discount=discount_label(capture["discount"]),
        code=send.code,
        items=tuple(items),
        slots=tuple(Slot(image_url=links.slot("o", n), link_url=links.slot("c", n), alt=pick["title"] or "",
                         text_url=links.named(n, pick["product_id"]))
                    for n, pick in enumerate(picks, 1)),
    )


def shop_name(store: Store, shop: str) -> str:
    """The shop's name as emails and their pages say it: the platform's (read at each sync), else its
    domain's first label made readable."""
    row = store.shops.get(shop)
    return row.name if row and row.name else shop.split(".")[0].replace("-", " ").title()


def fill_shop(store: Store, name: str, shop: str) -> str:
    """The sender name with ``{shop}`` as the shop's own name."""
    return name.replace("{shop}", shop_name(store, shop)) if "{shop}" in name else name


def _currency(store: Store, send: Send, capture: dict) -> str:
    if send.flow == "checkout":
        checkout = store.emails.checkout(send.shop, send.trigger_key)
        if checkout and checkout.get("currency"):
            return checkout["currency"]
    return capture["discount"]["currency"]


def _items(config: Config, store: Store, send: Send) -> list[Item]:
    if send.flow not in ITEM_SOURCES:
        return []
    table, parent = ITEM_SOURCES[send.flow]
    base = config.shop_base_url(send.shop)
    kept = []
    for line in store.emails.lines(send.shop, table, parent, send.trigger_key):
        gone = line["deleted_at"] is not None or (line["product_status"] or "active") != "active"
        sold_out = line["inventory_quantity"] is not None and line["inventory_quantity"] <= 0
        if gone or sold_out:
            continue
        image = line["image_src"]
        kept.append(Item(title=line["title"] or "", price=line["price"] or "0",
                         url=urljoin(base + "/", line["url"] or "/"),
                         image_url=images.sized(urljoin(base + "/", image), LINE_IMAGE_WIDTH) if image else None,
                         variant_title=line["variant_title"], quantity=line["quantity"]))
    return kept
