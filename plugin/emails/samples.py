"""What the merchant sees of a flow before any shopper does: its email rendered for a real person, and a test
sent to an address they choose.

Both go through the steps' own path (``content.build``, ``render``, ``steps.signed_message``,
``smtp.hand_over``), so a preview or a test is what a shopper would get, not a look-alike. They
are made for the shop's newest address with marketing consent (a subscriber, or a customer who
agreed), so the merchant sees a real first name (or its absence, the common case); a shop
with nobody yet gets a made-up person, labelled as such. A cart or checkout the person does not
have is stood in for by one sample item, also labelled.

The "Picked for you" products are the ones an open of the person's real email would choose now
(``opens.choose``), shown as the cards an open draws (``opens.card``), through the same template:
leaving them out made the preview look like an email without them. A shop with nothing to recommend
yet gets made-up sample products, titled as samples on their cards and in their alt text.

Nothing here is stored: there is no send row, so the test's unsubscribe link names send 0,
which unsubscribes nobody, and the test counts toward no report or budget. With no send for a slot's
image to name, each slot's image carries a ``sample`` token naming the product it shows
(``/email/s/<token>.png``), and links straight to that product's page.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urljoin

from plugin.clock import now_ms
from plugin.store import Send, Store

from . import opens, smtp
from .content import SLOTS, Links, build
from .render import EmailContent, Item, Rendered, render
from .steps import button_url, carries_code, sender_domain, signed_message, unsubscribe_url
from .tokens import BadToken, issue_sample, verify_sample

SAMPLE_EMAIL = "sample.shopper@example.com"  # RFC 2606: example.com is reserved for documentation
SAMPLE_CODE = "SAMPLE-CODE"
SAMPLE_ITEM_PRICE = "25.00"
SAMPLE_PRODUCT_TITLE = "Sample product: yours will show here"
TEST_SUBJECT_PREFIX = "[Test] "
SOURCES = {
    "subscriber": "your newest subscriber",
    "customer": "your newest customer who agreed to email marketing",
}


class NoMailServer(Exception):
    """Nothing can be sent: ``STORELIFT_SMTP_URL`` is unset or names no usable server (the message says which)."""


@dataclass(frozen=True)
class Sample:
    """Whom a preview is made for: ``real`` when the address is a consenting person of the shop."""

    email: str
    real: bool
    label: str


@dataclass(frozen=True)
class Preview:
    person: Sample
    rendered: Rendered
    stand_in_items: bool  # the items shown are a sample, not the person's own cart or checkout
    sample_products: bool  # the "Picked for you" products are made up: the shop has none to recommend yet


@dataclass(frozen=True)
class PreviewLinks(Links):
    """A preview's links: slot ``n``'s image is the card of the product chosen for it, linking to its page."""

    images: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()

    def slot(self, kind: str, number: int) -> str:
        return (self.images if kind == "o" else self.targets)[number - 1]

    def named(self, number: int, product_id: str) -> str:
        return self.targets[number - 1]  # already the page of the product the preview chose


def sample_person(store: Store, shop: str) -> Sample:
    """The shop's newest consenting address, or a made-up person when it has none."""
    found = store.emails.latest_consented(shop)
    if found is None:
        return Sample(SAMPLE_EMAIL, False, "a made-up sample shopper: nobody has agreed to your emails yet")
    return Sample(found["email"], True, f"{found['email']}, {SOURCES[found['source']]}")


def preview(services: Any, shop: str, settings: dict, flow: str) -> Preview:
    """``flow``'s email under ``settings`` (validated, maybe not saved), rendered for the sample person."""
    person = sample_person(services.store, shop)
    content, stand_in, made_up = _content(services, shop, settings, flow, person)
    return Preview(person, render(content), stand_in, made_up)


def send_test(services: Any, shop: str, settings: dict, flow: str, to: str) -> smtp.Outcome:
    """``flow``'s email, as previewed, handed to the mail server for ``to`` now, subject marked as a test.

    NoMailServer when there is no server to send through; ValueError when an address cannot go in
    a header (not plain ASCII). The outcome's detail is the server's reply, never the SMTP URL.
    """
    config, store = services.config, services.store
    if not config.smtp_url:
        raise NoMailServer("No mail server is set up: the app's operator sets STORELIFT_SMTP_URL.")
    try:
        server = smtp.parse(config.smtp_url)
    except smtp.SmtpUrlError as exc:
        raise NoMailServer(str(exc)) from None
    sender = settings["sender"]
    content, _, _ = _content(services, shop, settings, flow, sample_person(store, shop))
    rendered = render(content)
    rendered = replace(rendered, subject=TEST_SUBJECT_PREFIX + rendered.subject)
    now = now_ms()
    message = signed_message(store, shop, sender, to, rendered, unsubscribe=content.unsubscribe_url,
                             message_id=f"storelift.test.{now}@{sender_domain(sender)}", now=now)
    return smtp.hand_over(server, sender["address"], to, message)


def slot_card(services: Any, token: str) -> bytes | None:
    """A preview's slot image: the card an open draws for the product its token names, or None for a bad
    token or a product the shop no longer shows."""
    try:
        shop, product_id = verify_sample(services.config.api_secrets, token)
    except BadToken:
        return None
    product, currency = opens.displayed(services, shop, product_id or None)
    product = product if product_id else _made_up_product()
    return opens.card(services, services.email_cards, shop, product, currency) if product else None


def _made_up_product() -> dict:
    return {"product_id": "", "title": SAMPLE_PRODUCT_TITLE, "price": SAMPLE_ITEM_PRICE, "url": "/", "image": None}


def _content(services: Any, shop: str, settings: dict, flow: str,
             person: Sample) -> tuple[EmailContent, bool, bool]:
    """The render input, with whether its items stand in for the person's own and its products are made up."""
    config, store = services.config, services.store
    now = now_ms()
    send = Send(id=0, shop=shop, flow=flow, step=1, trigger_key="", trigger_at=now, person_id=None,
                email=person.email, due_at=now, status="scheduled", reason=None, attempts=0,
                code=SAMPLE_CODE if carries_code(flow, settings) else None, message_id=None, updated_at=now, sent_at=None)
    storefront = config.shop_base_url(shop)
    stand_in = Item(title="A sample product", price=SAMPLE_ITEM_PRICE, url=f"{storefront}/",
                    variant_title="shown in place of the shopper's own items")
    picks = opens.choose(services, send, SLOTS[flow], now)  # what an open of this person's email would show now
    made_up = not picks
    if made_up:
        picks = [_made_up_product()] * SLOTS[flow]
    links = PreviewLinks(
        button=button_url(config, store, send), unsubscribe=unsubscribe_url(config, shop, send.id),
        app_url=config.app_url, slot_token="",
        images=tuple(f"{config.app_url}/email/s/{issue_sample(config.api_secrets, shop, pick['product_id'])}.png"
                     for pick in picks),
        targets=tuple(urljoin(storefront + "/", pick["url"] or "/") for pick in picks))
    content = build(config, store, send, settings, links, picks, stand_in_items=(stand_in,))
    return content, stand_in in content.items, made_up
