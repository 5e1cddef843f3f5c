"""What the merchant sees of a flow before any shopper does: its email rendered for a real person, and a test
sent to an address they choose.

Both go through the steps' own path (``content.build``, ``render``, ``steps.signed_message``,
``smtp.hand_over``), so a preview or a test is what a shopper would get, not a look-alike. They
are made for the shop's newest address with marketing consent (a subscriber, or a customer who
agreed), so the merchant sees a real first name (or its absence, the common case); a shop
with nobody yet gets a made-up person, labelled as such. A cart or checkout the person does not
have is stood in for by one sample item, also labelled.

Nothing here is stored: there is no send row, so the test's unsubscribe link names send 0,
which unsubscribes nobody, and the test counts toward no report or budget.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from plugin.clock import now_ms
from plugin.config import Config
from plugin.store import Send, Store

from . import smtp
from .content import Links, build
from .render import EmailContent, Item, Rendered, render
from .steps import button_url, carries_code, sender_domain, signed_message, unsubscribe_url

SAMPLE_EMAIL = "sample.shopper@example.com"  # RFC 2606: example.com is reserved for documentation
SAMPLE_CODE = "SAMPLE-CODE"
SAMPLE_ITEM_PRICE = "25.00"
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


def sample_person(store: Store, shop: str) -> Sample:
    """The shop's newest consenting address, or a made-up person when it has none."""
    found = store.emails.latest_consented(shop)
    if found is None:
        return Sample(SAMPLE_EMAIL, False, "a made-up sample shopper: nobody has agreed to your emails yet")
    return Sample(found["email"], True, f"{found['email']}, {SOURCES[found['source']]}")


def preview(config: Config, store: Store, shop: str, settings: dict, flow: str) -> Preview:
    """``flow``'s email under ``settings`` (validated, maybe not saved), rendered for the sample person."""
    person = sample_person(store, shop)
    content, stand_in = _content(config, store, shop, settings, flow, person)
    return Preview(person, render(content), stand_in)


def send_test(config: Config, store: Store, shop: str, settings: dict, flow: str, to: str) -> smtp.Outcome:
    """``flow``'s email, as previewed, handed to the mail server for ``to`` now, subject marked as a test.

    NoMailServer when there is no server to send through; ValueError when an address cannot go in
    a header (not plain ASCII). The outcome's detail is the server's reply, never the SMTP URL.
    """
    if not config.smtp_url:
        raise NoMailServer("No mail server is set up: the app's operator sets STORELIFT_SMTP_URL.")
    try:
        server = smtp.parse(config.smtp_url)
    except smtp.SmtpUrlError as exc:
        raise NoMailServer(str(exc)) from None
    sender = settings["sender"]
    content, _ = _content(config, store, shop, settings, flow, sample_person(store, shop))
    rendered = render(content)
    rendered = replace(rendered, subject=TEST_SUBJECT_PREFIX + rendered.subject)
    now = now_ms()
    message = signed_message(store, shop, sender, to, rendered, unsubscribe=content.unsubscribe_url,
                             message_id=f"storelift.test.{now}@{sender_domain(sender)}", now=now)
    return smtp.hand_over(server, sender["address"], to, message)


def _content(config: Config, store: Store, shop: str, settings: dict, flow: str,
             person: Sample) -> tuple[EmailContent, bool]:
    now = now_ms()
    send = Send(id=0, shop=shop, flow=flow, step=1, trigger_key="", trigger_at=now, person_id=None,
                email=person.email, due_at=now, status="scheduled", reason=None, attempts=0,
                code=SAMPLE_CODE if carries_code(flow, settings) else None, message_id=None, updated_at=now, sent_at=None)
    storefront = config.shop_base_url(shop)
    stand_in = Item(title="A sample product", price=SAMPLE_ITEM_PRICE, url=f"{storefront}/",
                    variant_title="shown in place of the shopper's own items")
    links = Links(button=button_url(config, store, send), unsubscribe=unsubscribe_url(config, shop, send.id),
                  app_url=config.app_url, slot_token="")
    # No recommendation slots: they are chosen when a real email is opened, and a sample has no send to open.
    content = build(config, store, send, settings, links, [], stand_in_items=(stand_in,))
    return content, stand_in in content.items
