"""The shop's in-memory state: plain records plus one lock.

Every reader and writer takes ``Store.lock`` (re-entrant), so a storefront
request, an API call and the webhook thread never see a half-made order.
Records are plain dataclasses; REST and GraphQL shapes are built elsewhere (payloads.py, graphql_*.py).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

from .clock import Clock
from .ids import IdAllocator
from .settings import AppRegistration, Settings


def money(value: Decimal | str | int | float) -> str:
    """Money is a decimal string with two places, never a float on the wire."""
    return str(Decimal(str(value)).quantize(Decimal("0.01")))


@dataclass
class Variant:
    id: int
    product_id: int
    title: str
    sku: str
    price: str
    compare_at_price: str | None
    inventory_quantity: int
    options: list[str]
    position: int
    grams: int
    created_at: float
    updated_at: float

    @property
    def available(self) -> bool:
        return self.inventory_quantity > 0


@dataclass
class Image:
    id: int
    product_id: int
    position: int
    alt: str
    color: str
    label: str
    created_at: float
    width: int = 800
    height: int = 800


@dataclass
class Product:
    id: int
    title: str
    handle: str
    body_html: str
    vendor: str
    product_type: str
    tags: list[str]
    status: str  # active | draft | archived
    category: str  # the handle of its main collection
    group: str  # affinity group inside the category, drives co-purchases
    option_names: list[str]
    created_at: float
    updated_at: float
    published_at: float | None
    variants: list[Variant] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)

    @property
    def total_inventory(self) -> int:
        return sum(max(v.inventory_quantity, 0) for v in self.variants)

    @property
    def available(self) -> bool:
        return any(v.available for v in self.variants)

    @property
    def visible(self) -> bool:
        """On the online store: active and published."""
        return self.status == "active" and self.published_at is not None


@dataclass
class Collection:
    id: int
    handle: str
    title: str
    body_html: str
    product_ids: list[int]
    created_at: float
    updated_at: float


@dataclass
class Address:
    id: int
    first_name: str
    last_name: str
    address1: str
    city: str
    province: str
    province_code: str
    country: str
    country_code: str
    zip: str
    phone: str | None = None


@dataclass
class Customer:
    id: int
    email: str
    first_name: str
    last_name: str
    phone: str | None
    tags: list[str]
    note: str | None
    state: str  # disabled | enabled | invited | declined
    marketing_state: str  # SUBSCRIBED | NOT_SUBSCRIBED | UNSUBSCRIBED | PENDING
    opt_in_level: str | None  # SINGLE_OPT_IN | CONFIRMED_OPT_IN | UNKNOWN
    consent_updated_at: float | None
    address: Address | None
    created_at: float
    updated_at: float


@dataclass
class LineItem:
    id: int
    product_id: int | None
    variant_id: int | None
    title: str
    variant_title: str
    sku: str
    vendor: str
    quantity: int
    price: str
    grams: int = 0


@dataclass
class Order:
    id: int
    number: int
    email: str
    customer_id: int | None
    line_items: list[LineItem]
    subtotal_price: str
    total_discounts: str
    total_price: str
    discount_codes: list[dict]
    financial_status: str
    token: str
    cart_token: str | None
    checkout_token: str | None
    checkout_id: int | None
    landing_site: str | None
    referring_site: str | None
    source_name: str
    shipping_address: Address | None
    created_at: float
    updated_at: float
    processed_at: float
    cancelled_at: float | None = None
    cancel_reason: str | None = None
    note: str | None = None

    @property
    def name(self) -> str:
        return f"#{self.number}"


@dataclass
class CartLine:
    id: int
    variant_id: int
    quantity: int
    properties: dict = field(default_factory=dict)


@dataclass
class Cart:
    token: str
    created_at: float
    updated_at: float
    note: str = ""
    lines: list[CartLine] = field(default_factory=list)

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)


@dataclass
class Checkout:
    id: int
    token: str
    cart_token: str
    line_items: list[LineItem]
    created_at: float
    updated_at: float
    email: str | None = None
    customer_id: int | None = None
    shipping_address: Address | None = None
    discount_code: str | None = None
    completed_at: float | None = None
    order_id: int | None = None
    landing_site: str | None = None
    referring_site: str | None = None


@dataclass
class RedeemCode:
    id: int
    code: str
    usage_count: int = 0


@dataclass
class BulkCreation:
    id: int
    discount_id: int
    codes: list[dict]  # {"code", "errors": [...], "redeem_code_id"}
    created_at: float


@dataclass
class Discount:
    """A basic code discount: percentage (fraction 0–1) or fixed amount off all items."""

    id: int
    title: str
    starts_at: float
    ends_at: float | None
    percentage: float | None
    amount: str | None
    applies_on_each_item: bool
    applies_once_per_customer: bool
    usage_limit: int | None
    codes: list[RedeemCode]
    created_at: float
    updated_at: float
    used_by: set = field(default_factory=set)  # customer emails, for appliesOncePerCustomer

    @property
    def usage_count(self) -> int:
        return sum(c.usage_count for c in self.codes)


@dataclass
class Installation:
    app: str  # handle
    installed: bool
    scopes: list[str]
    installed_at: float | None = None
    uninstalled_at: float | None = None
    shop_redact_sent: bool = False


@dataclass
class AccessToken:
    value: str
    app: str
    scopes: list[str]
    online: bool
    created_at: float
    expires_at: float | None
    used: bool = False
    associated_user_id: int | None = None


@dataclass
class RefreshToken:
    value: str
    app: str
    expires_at: float
    superseded_by: set = field(default_factory=set)  # access tokens whose first use revokes this one


@dataclass
class AuthCode:
    value: str
    app: str
    scopes: list[str]
    redirect_uri: str
    online: bool
    expires_at: float


@dataclass
class Subscription:
    id: int
    app: str
    topic: str  # "orders/create"
    callback_url: str
    format: str
    include_fields: list[str]
    api_version: str
    created_at: float
    updated_at: float
    exhausted_failures: int = 0


@dataclass
class ThemeState:
    """Which app embeds are on, which app blocks sit in which page template, hostile CSS."""

    embeds: dict = field(default_factory=dict)  # (app handle, block) → {"enabled": bool, "settings": {}}
    blocks: list = field(default_factory=list)  # {"app", "template", "block", "settings", "id"}
    hostile_css: bool = False


class Store:
    """All records of the shop, their indexes, the id allocator and the event sink."""

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.lock = threading.RLock()
        self.ids = IdAllocator()
        self.shop_id = self.ids.next("Shop")
        self.staff_id = self.ids.next("StaffMember")
        self.shop_created_at = 0.0
        self.products: dict[int, Product] = {}
        self.variants: dict[int, Variant] = {}
        self.collections: dict[int, Collection] = {}
        self.customers: dict[int, Customer] = {}
        self.orders: dict[int, Order] = {}
        self.carts: dict[str, Cart] = {}
        self.checkouts: dict[str, Checkout] = {}
        self.discounts: dict[int, Discount] = {}
        self.bulk_creations: dict[int, BulkCreation] = {}
        self.bulk_operations: dict[int, Any] = {}  # graphql_bulk.BulkOperation by id
        self.installations: dict[str, Installation] = {}
        self.access_tokens: dict[str, AccessToken] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.auth_codes: dict[str, AuthCode] = {}
        self.subscriptions: dict[int, Subscription] = {}
        self.theme = ThemeState()
        self.next_order_number = 1001
        self._listeners: list[Callable[[str, str | None, object], None]] = []

    # --- events -----------------------------------------------------------------------------
    def on_event(self, listener: Callable[[str, str | None, object], None]) -> None:
        """``listener(topic, app_handle_or_None, record)`` is called under the lock on every change."""
        self._listeners.append(listener)

    def publish(self, topic: str, record: object, app: str | None = None) -> None:
        for listener in self._listeners:
            listener(topic, app, record)

    # --- lookups -----------------------------------------------------------------------------
    def app(self, handle: str) -> AppRegistration:
        found = self.settings.app_by_handle(handle)
        if found is None:
            raise KeyError(handle)
        return found

    def product_by_handle(self, handle: str) -> Product | None:
        return next((p for p in self.products.values() if p.handle == handle), None)

    def collection_by_handle(self, handle: str) -> Collection | None:
        return next((c for c in self.collections.values() if c.handle == handle), None)

    def customer_by_email(self, email: str) -> Customer | None:
        wanted = email.strip().lower()
        return next((c for c in self.customers.values() if c.email.lower() == wanted), None)

    def orders_of(self, customer_id: int) -> list[Order]:
        return [o for o in self.orders.values() if o.customer_id == customer_id]

    def customer_stats(self, customer_id: int) -> tuple[int, str, Order | None]:
        """(orders count, amount spent, last order); cancelled orders spend nothing."""
        orders = self.orders_of(customer_id)
        spent = sum(
            (Decimal(o.total_price) for o in orders if o.cancelled_at is None and o.financial_status == "paid"),
            Decimal(0),
        )
        last = max(orders, key=lambda o: o.created_at, default=None)
        return len(orders), money(spent), last

    def discount_by_code(self, code: str) -> tuple[Discount, RedeemCode] | None:
        wanted = code.strip().lower()
        for discount in self.discounts.values():
            for redeem in discount.codes:
                if redeem.code.lower() == wanted:
                    return discount, redeem
        return None

    def installation(self, handle: str) -> Installation | None:
        found = self.installations.get(handle)
        return found if found and found.installed else None
