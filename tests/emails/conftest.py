"""A shop set up to send triggered emails to a real SMTP server (devstore's mailbox, aiosmtpd), with a clock
the tests move: a consenting customer, a product in stock, the sender settings, and the job runner."""

from __future__ import annotations

import pytest

from devstore.mailbox import Mailbox
from plugin.app import create_app
from plugin.clock import now_ms
from plugin.emails.settings import EMAILS
from plugin.store.commerce import Checkout, Customer, Line, Product, Variant

from ..support.app import SHOP, base_overrides
from ..support.clock import Clock
from ..support.jobs import runner
from ..support.shops import install

BUYER = "ada@example.com"
SENDER = "hello@test-shop.example"
CHECKOUT_URL = "https://test-shop.myshopify.com/checkouts/c1/recover?key=k"
MINUTE_MS = 60_000


@pytest.fixture
def mailbox():
    with Mailbox() as box:
        yield box


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def mail_app(tmp_path, mailbox):
    app = create_app(base_overrides(tmp_path, smtp_url=mailbox.smtp_url))
    yield app
    app.extensions["storelift"].store.close()


@pytest.fixture
def shop(mail_app, clock):
    """The installed shop with email settings (quiet hours off unless a test turns them on)."""
    store = mail_app.extensions["storelift"].store
    prepare(store)
    return store


def prepare(store) -> None:
    """Install the shop, name a sender, turn quiet hours off, and add a consenting customer and a product."""
    install(store, SHOP, scopes=("write_customers",))  # a token that never expires: the clock moves days
    save_settings(store, sender={"name": "Test Shop", "address": SENDER, "postal_address": "1 Main St\nSpringfield"},
                  budget={"quiet_from_hour": 0, "quiet_until_hour": 0})
    store.commerce.upsert_customer(SHOP, Customer(customer_id="501", source_updated_at=1, email=BUYER,
                                                  first_name="Ada", marketing_state="subscribed"))
    store.commerce.upsert_product(SHOP, Product(
        product_id="p1", source_updated_at=1, title="Blue shirt", status="active",
        image_src="https://cdn.example/blue.png", url="https://test-shop.myshopify.com/products/blue",
        variants=(Variant("v1", price="19.90", inventory_quantity=5),)))


def save_settings(store, **sections) -> None:
    current = EMAILS.read(store, SHOP)[0]
    for name, values in sections.items():
        current[name] = {**current[name], **values} if isinstance(values, dict) else values
    EMAILS.save(store, SHOP, current)


def checkout(store, token: str = "c1", *, email: str = BUYER, cart_token: str | None = None) -> None:
    store.commerce.upsert_checkout(SHOP, Checkout(
        checkout_token=token, source_updated_at=now_ms(), email=email, cart_token=cart_token, currency="USD",
        abandoned_checkout_url=CHECKOUT_URL, created_at=now_ms(),
        lines=(Line(quantity=2, product_id="p1", variant_id="v1", price="19.90", title="Blue shirt",
                    variant_title="M"),)))


@pytest.fixture
def worker(mail_app):
    """Runs every due job on this thread (``run_until_idle``)."""
    services = mail_app.extensions["storelift"]
    return runner(services.store, config=services.config)


def sends(store) -> list[tuple[str, int, str, str | None]]:
    rows = store.database.query("SELECT flow, step, status, reason FROM email_sends ORDER BY flow, step")
    return [(r["flow"], r["step"], r["status"], r["reason"]) for r in rows]
